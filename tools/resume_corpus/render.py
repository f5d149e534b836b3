# HTML/CSS and WordprocessingML templates are kept on one line each, as rendered.
# ruff: noqa: E501
"""Render the independent resume corpus from hand-written content files.

Each ``tests/fixtures/resumes_independent/truth/<id>.yaml`` is written by hand: what the page says (name,
contact, jobs, education, skills as the person wrote them) and which template renders it. This script
turns it into a document with tools the analyser does not share code with:

* ``docx_tabs``, ``docx_table``, ``docx_textbox``: python-docx (right-aligned tab stops, tables, page
  headers/footers, VML text boxes), kept as DOCX;
* ``lo_tabs``, ``lo_smallcaps``: the same kind of DOCX (small-caps, letter-spaced headings) converted to
  PDF by LibreOffice headless (``soffice --headless --convert-to pdf``);
* ``html_sidebar``, ``html_grid``, ``html_columns``: HTML/CSS (sidebar, CSS grid, two columns, icons)
  printed to PDF by headless Chromium (``--print-to-pdf``);
* ``txt_spaced``, ``txt_plain``: plain text (letter-spaced headings, pipe-separated job lines).

It never imports ``engines.resume_analysis``. Usage (needs LibreOffice and Chromium, only to regenerate
the committed files; tests never run it)::

    python tools/resume_corpus/render.py [--only r01,r02]

It writes ``files/<id>.<ext>`` and ``MANIFEST.md`` (how each file was made).
"""

from __future__ import annotations

import argparse
import html
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "resumes_independent"
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
MONTHS_LONG = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip
DEFAULT_HEADINGS = {
    "summary": "Profile",
    "experience": "Experience",
    "education": "Education",
    "skills": "Skills",
    "certifications": "Certifications",
    "languages": "Languages",
}
TEMPLATE_FORMAT = {
    "docx_tabs": "docx",
    "docx_table": "docx",
    "docx_textbox": "docx",
    "lo_tabs": "pdf",
    "lo_smallcaps": "pdf",
    "html_sidebar": "pdf",
    "html_grid": "pdf",
    "html_columns": "pdf",
    "txt_spaced": "txt",
    "txt_plain": "txt",
}


# ------------------------------------------------------------------------------------------ helpers


def fmt_date(value: Any, r: dict[str, Any]) -> str:
    value = str(value)
    if value.lower() == "present":
        return str(r.get("present", "Present"))
    style = r.get("date_style", "mon")
    if len(value) == 4:
        return value
    year, month = int(value[:4]), int(value[5:7])
    if style == "mon":
        return f"{MONTHS[month - 1]} {year}"
    if style == "month":
        return f"{MONTHS_LONG[month - 1]} {year}"
    if style == "num":
        return f"{month:02d}/{year}"
    if style == "dot":
        return f"{month:02d}.{year}"
    if style == "iso":
        return f"{year}-{month:02d}"
    if style == "year":
        return str(year)
    raise ValueError(style)


def date_range(item: dict[str, Any], r: dict[str, Any]) -> str:
    sep = r.get("range_sep", " – ")
    if "start" not in item:
        return fmt_date(item["end"], r) if "end" in item else ""
    return f"{fmt_date(item['start'], r)}{sep}{fmt_date(item['end'], r)}"


def heading(r: dict[str, Any], key: str) -> str:
    return str((r.get("headings") or {}).get(key, DEFAULT_HEADINGS[key]))


def skill_groups(r: dict[str, Any]) -> list[tuple[str | None, list[str]]]:
    skills = r.get("skills") or []
    if isinstance(skills, dict):
        return [(k, list(v)) for k, v in skills.items()]
    return [(None, list(skills))]


def contact_bits(r: dict[str, Any]) -> list[str]:
    return [b for b in (r.get("location"), r.get("phone"), r.get("email"), *(r.get("links") or [])) if b]


def edu_line(e: dict[str, Any]) -> str:
    degree = e["degree"]
    return degree


def job_header_lines(j: dict[str, Any], r: dict[str, Any]) -> list[str]:
    """Plain-text header lines of a job in the resume's ``shape``."""
    shape = r.get("shape", "title_employer")
    dates = date_range(j, r)
    loc = j.get("location")
    if shape == "pipe":
        return [" | ".join(x for x in (j["title"], j["employer"], loc, dates) if x)]
    if shape == "at":
        return [f"{j['title']} at {j['employer']}" + (f", {loc}" if loc else ""), dates]
    if shape == "employer_title":
        return [j["employer"] + (f" — {loc}" if loc else ""), f"{j['title']}, {dates}"]
    if shape == "dates_first":
        return [dates, f"{j['title']} · {j['employer']}" + (f" · {loc}" if loc else "")]
    if shape == "comma":
        return [f"{j['title']}, {j['employer']}" + (f" ({loc})" if loc else ""), dates]
    return [j["title"], j["employer"] + (f", {loc}" if loc else ""), dates]


# --------------------------------------------------------------------------------------- plain text


def spaced(text: str) -> str:
    return "   ".join(" ".join(word.upper()) for word in text.split())


def render_txt(r: dict[str, Any], letter_spaced: bool) -> str:
    h = (lambda k: spaced(heading(r, k))) if letter_spaced else (lambda k: heading(r, k).upper())
    out: list[str] = [r["name"]]
    if r.get("headline"):
        out.append(r["headline"])
    out.append(" | ".join(contact_bits(r)) if not letter_spaced else "\n".join(contact_bits(r)))
    out.append("")
    if r.get("summary"):
        out += [h("summary"), "", r["summary"], ""]
    out += [h("experience"), ""]
    for j in r["jobs"]:
        out += job_header_lines(j, r)
        out += [f"{r.get('bullet', '-')} {b}" for b in j.get("bullets", [])]
        out.append("")
    out += [h("education"), ""]
    for e in r["education"]:
        out.append(
            ", ".join(x for x in (e["degree"], e["school"]) if x) + (f", {e['end']}" if e.get("end") else "")
        )
    out.append("")
    out += [h("skills"), ""]
    for group, items in skill_groups(r):
        if group:
            out.append(f"{group}: {', '.join(items)}")
        elif letter_spaced:
            out += [f"* {s}" for s in items]
        else:
            out.append(", ".join(items))
    out.append("")
    if r.get("certifications"):
        out += [h("certifications"), ""] + [f"- {c}" for c in r["certifications"]] + [""]
    if r.get("languages"):
        out += [h("languages"), "", ", ".join(r["languages"]), ""]
    return "\n".join(out).rstrip() + "\n"


# --------------------------------------------------------------------------------------------- DOCX


def _docx_modules() -> Any:
    import docx
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn
    from docx.shared import Cm, Mm, Pt, RGBColor

    return docx, WD_TAB_ALIGNMENT, parse_xml, nsdecls, qn, Cm, Mm, Pt, RGBColor


# One page template per branch (the corpus exists to vary layouts); a builder per template would repeat
# the shared document set-up in each.
def render_docx(r: dict[str, Any], template: str, out: Path) -> None:  # noqa: C901
    docx, WD_TAB, parse_xml, nsdecls, _qn, Cm, Mm, Pt, RGBColor = _docx_modules()
    d = docx.Document()
    sec = d.sections[0]
    if r.get("page", "a4") == "a4":
        sec.page_width, sec.page_height = Mm(210), Mm(297)
    else:
        sec.page_width, sec.page_height = Mm(215.9), Mm(279.4)
    sec.left_margin = sec.right_margin = Cm(2.0)
    sec.top_margin = Cm(1.8)
    text_width = sec.page_width - sec.left_margin - sec.right_margin
    normal = d.styles["Normal"]
    normal.font.name = r.get("font", "Liberation Serif" if template == "lo_smallcaps" else "Liberation Sans")
    normal.font.size = Pt(10.5)

    def para(text: str = "", bold: bool = False, italic: bool = False, size: float | None = None) -> Any:
        p = d.add_paragraph()
        p.paragraph_format.space_after = Pt(2)
        if text:
            run = p.add_run(text)
            run.bold, run.italic = bold, italic
            if size:
                run.font.size = Pt(size)
        return p

    def head(key: str) -> None:
        text = heading(r, key)
        p = d.add_paragraph()
        p.paragraph_format.space_before = Pt(10)
        p.paragraph_format.space_after = Pt(3)
        if template == "lo_smallcaps":
            run = p.add_run(text.title() if text.isupper() else text)
            run.font.small_caps = True
            run.font.size = Pt(13)
            run.font.color.rgb = RGBColor(0x1F, 0x3A, 0x5F)
            spacing = parse_xml(f'<w:spacing {nsdecls("w")} w:val="30"/>')
            run._r.get_or_add_rPr().append(spacing)
        elif r.get("heading_style") == "word":
            p.style = d.styles["Heading 2"]
            p.add_run(text)
        else:
            run = p.add_run(text.upper())
            run.bold = True
            run.font.size = Pt(11.5)
        border = parse_xml(
            f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="6" w:space="1" w:color="888888"/></w:pBdr>'
        )
        p._p.get_or_add_pPr().append(border)

    def tab_line(left: str, right: str, bold: bool = True) -> Any:
        p = d.add_paragraph()
        p.paragraph_format.space_after = Pt(0)
        p.paragraph_format.tab_stops.add_tab_stop(text_width, WD_TAB.RIGHT)
        run = p.add_run(left)
        run.bold = bold
        p.add_run("\t" + right)
        return p

    def bullets(items: list[str]) -> None:
        for b in items:
            p = d.add_paragraph(style="List Bullet")
            p.paragraph_format.space_after = Pt(0)
            p.add_run(b)

    # Contact block: page header (tabs, table), a text box (textbox), body (LibreOffice).
    contact = "  •  ".join(contact_bits(r))
    if template in ("docx_tabs", "docx_table"):
        hdr = sec.header
        hp = hdr.paragraphs[0]
        run = hp.add_run(r["name"])
        run.bold = True
        run.font.size = Pt(16)
        if template == "docx_table":
            t = hdr.add_table(rows=1, cols=2, width=text_width)
            t.cell(0, 0).text = r.get("headline", "")
            t.cell(0, 1).text = "\n".join(contact_bits(r))
        else:
            hdr.add_paragraph(contact)
            if r.get("headline"):
                hdr.add_paragraph(r["headline"])
    elif template == "docx_textbox":
        lines = [r["name"], *([r["headline"]] if r.get("headline") else []), *contact_bits(r)]
        bold = '<w:rPr><w:b/><w:sz w:val="32"/></w:rPr>'
        paras = "".join(
            f'<w:p><w:r>{bold if i == 0 else ""}<w:t xml:space="preserve">{html.escape(line)}</w:t></w:r></w:p>'
            for i, line in enumerate(lines)
        )
        box = parse_xml(
            f'<w:p {nsdecls("w")} xmlns:v="urn:schemas-microsoft-com:vml"><w:r><w:pict>'
            f'<v:shape id="contact" type="#_x0000_t202" style="width:470pt;height:{20 + 16 * len(lines)}pt" '
            f'fillcolor="#eef2f7" stroked="f"><v:textbox><w:txbxContent>{paras}</w:txbxContent></v:textbox>'
            "</v:shape></w:pict></w:r></w:p>"
        )
        d.element.body.insert(0, box)
        ft = sec.footer.paragraphs[0]
        ft.add_run(f"{r['name']} — {r['email']} — page 1")
    else:
        p = para(r["name"], bold=True, size=20)
        if r.get("headline"):
            para(r["headline"], italic=True, size=12)
        para(contact, size=9.5)

    if r.get("summary"):
        head("summary")
        para(r["summary"])
    head("experience")
    shape = r.get("shape", "title_employer")
    for j in r["jobs"]:
        dates = date_range(j, r)
        loc = j.get("location")
        if template == "docx_table":
            t = d.add_table(rows=1, cols=2)
            t.autofit = False
            left, right = t.cell(0, 0), t.cell(0, 1)
            left.width, right.width = Cm(3.6), text_width - Cm(3.6)
            left.paragraphs[0].add_run(dates)
            if loc:
                left.add_paragraph(loc)
            rp = right.paragraphs[0]
            rp.add_run(j["title"]).bold = True
            right.add_paragraph(j["employer"]).runs[0].italic = True
            for b in j.get("bullets", []):
                right.add_paragraph("• " + b)
            continue
        if shape == "employer_title":
            tab_line(j["employer"], loc or "", bold=True)
            tab_line(j["title"], dates, bold=False)
        elif shape == "at":
            tab_line(f"{j['title']} at {j['employer']}" + (f", {loc}" if loc else ""), dates)
        elif shape == "pipe":
            tab_line(f"{j['title']} | {j['employer']}", dates)
            if loc:
                para(loc, italic=True)
        else:
            tab_line(j["title"], dates)
            para(j["employer"] + (f", {loc}" if loc else ""), italic=True)
        bullets(j.get("bullets", []))
    head("education")
    for e in r["education"]:
        when = date_range(e, r) if "start" in e else str(e.get("end", ""))
        if template == "docx_table":
            t = d.add_table(rows=1, cols=2)
            t.cell(0, 0).text = when
            t.cell(0, 1).text = f"{e['degree']}\n{e['school']}"
        else:
            tab_line(e["degree"], when)
            para(e["school"], italic=True)
    head("skills")
    groups = skill_groups(r)
    if template == "docx_table" and len(groups) == 1:
        items = groups[0][1]
        cols = 3
        t = d.add_table(rows=(len(items) + cols - 1) // cols, cols=cols)
        for i, s in enumerate(items):
            t.cell(i // cols, i % cols).text = s
    else:
        for group, items in groups:
            if group:
                p = para()
                p.add_run(f"{group}: ").bold = True
                p.add_run(", ".join(items))
            elif r.get("skills_style") == "bullets":
                bullets(items)
            else:
                para(r.get("skills_sep", ", ").join(items))
    if r.get("certifications"):
        head("certifications")
        bullets(r["certifications"])
    if r.get("languages"):
        head("languages")
        para(", ".join(r["languages"]))
    d.core_properties.author = "corpus renderer"
    d.save(str(out))


def soffice_pdf(docx_path: Path, out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["soffice", "--headless", f"-env:UserInstallation=file://{tmp}/profile", "--convert-to", "pdf",
             "--outdir", tmp, str(docx_path)],
            check=True, capture_output=True, timeout=180,
        )  # fmt: skip
        shutil.move(str(Path(tmp) / (docx_path.stem + ".pdf")), out)


# --------------------------------------------------------------------------------------------- HTML

CSS_BASE = """
@page { size: %(page)s; margin: 0; }
* { box-sizing: border-box; }
body { margin: 0; font-family: %(font)s; font-size: 10pt; color: #222; }
ul { margin: 2px 0 6px 0; padding-left: 16px; }
li { margin: 1px 0; }
h1 { margin: 0; font-size: 22pt; }
.headline { font-size: 12pt; color: #555; margin-top: 2px; }
.job { margin-bottom: 8px; }
.row { display: flex; justify-content: space-between; }
.muted { color: #666; }
.icon { display: inline-block; width: 10px; height: 10px; border-radius: 50%%; background: #2b6cb0;
        margin-right: 5px; }
"""


def _e(text: Any) -> str:
    return html.escape(str(text))


def html_job(j: dict[str, Any], r: dict[str, Any], template: str) -> str:
    dates = _e(date_range(j, r))
    loc = j.get("location")
    bl = "".join(f"<li>{_e(b)}</li>" for b in j.get("bullets", []))
    shape = r.get("shape", "title_employer")
    if template == "html_grid":
        return (
            f'<div class="g-date">{dates}<br><span class="muted">{_e(loc or "")}</span></div>'
            f'<div class="g-body"><b>{_e(j["title"])}</b><br><i>{_e(j["employer"])}</i><ul>{bl}</ul></div>'
        )
    if shape == "employer_title":
        top = f'<div class="row"><b>{_e(j["employer"])}</b><span>{_e(loc or "")}</span></div>'
        sub = f'<div class="row"><i>{_e(j["title"])}</i><span class="muted">{dates}</span></div>'
    elif shape == "at":
        top = f'<div class="row"><b>{_e(j["title"])} at {_e(j["employer"])}</b><span>{dates}</span></div>'
        sub = f'<div class="muted">{_e(loc or "")}</div>' if loc else ""
    elif shape == "pipe":
        top = (
            f'<div class="row"><b>{_e(j["title"])} | {_e(j["employer"])}</b>'
            f'<span class="muted">{dates}</span></div>'
        )
        sub = f'<div class="muted">{_e(loc or "")}</div>' if loc else ""
    else:
        top = f'<div class="row"><b>{_e(j["title"])}</b><span class="muted">{dates}</span></div>'
        sub = f"<div><i>{_e(j['employer'])}</i>" + (f" · {_e(loc)}" if loc else "") + "</div>"
    return f'<div class="job">{top}{sub}<ul>{bl}</ul></div>'


def html_skills(r: dict[str, Any], pills: bool = False) -> str:
    out = ""
    for group, items in skill_groups(r):
        if group:
            out += f"<p><b>{_e(group)}:</b> {_e(', '.join(items))}</p>"
        elif pills:
            out += "<div class='pills'>" + "".join(f"<span>{_e(s)}</span>" for s in items) + "</div>"
        else:
            out += "<ul>" + "".join(f"<li>{_e(s)}</li>" for s in items) + "</ul>"
    return out


def html_edu(r: dict[str, Any]) -> str:
    out = ""
    for e in r["education"]:
        when = date_range(e, r) if "start" in e else str(e.get("end", ""))
        out += f"<div class='job'><b>{_e(e['degree'])}</b><br>{_e(e['school'])}<br><span class='muted'>{_e(when)}</span></div>"
    return out


def render_html(r: dict[str, Any], template: str) -> str:
    page = "A4" if r.get("page", "a4") == "a4" else "Letter"
    css = CSS_BASE % {"page": page, "font": r.get("font", "'DejaVu Sans', sans-serif")}
    h = lambda k: _e(heading(r, k))  # noqa: E731
    contact = "".join(f"<div><span class='icon'></span>{_e(b)}</div>" for b in contact_bits(r))
    jobs = "".join(html_job(j, r, template) for j in r["jobs"])
    summary = f"<h2>{h('summary')}</h2><p>{_e(r['summary'])}</p>" if r.get("summary") else ""
    certs = (
        f"<h2>{h('certifications')}</h2><ul>"
        + "".join(f"<li>{_e(c)}</li>" for c in r["certifications"])
        + "</ul>"
        if r.get("certifications")
        else ""
    )
    langs = f"<h2>{h('languages')}</h2><p>{_e(', '.join(r['languages']))}</p>" if r.get("languages") else ""
    headline = f"<div class='headline'>{_e(r['headline'])}</div>" if r.get("headline") else ""
    if template == "html_sidebar":
        css += """
.wrap { display: flex; min-height: 100vh; }
aside { width: 33%; background: #23395d; color: #f4f4f4; padding: 28px 18px; font-size: 9.5pt; }
aside h2 { font-size: 10.5pt; text-transform: uppercase; letter-spacing: 0.12em; border-bottom: 1px solid #8aa;
           margin: 16px 0 6px; }
aside .icon { background: #9cc3ff; }
main { width: 67%; padding: 28px 24px; }
main h2 { font-size: 12pt; color: #23395d; text-transform: uppercase; border-bottom: 2px solid #23395d;
          margin: 14px 0 6px; }
.avatar { width: 70px; height: 70px; border-radius: 50%; background: #9cc3ff; margin-bottom: 10px; }
"""
        body = (
            f"<div class='wrap'><aside><div class='avatar'></div><h2>Contact</h2>{contact}"
            f"<h2>{h('skills')}</h2>{html_skills(r)}{langs}</aside>"
            f"<main><h1>{_e(r['name'])}</h1>{headline}{summary}<h2>{h('experience')}</h2>{jobs}"
            f"<h2>{h('education')}</h2>{html_edu(r)}{certs}</main></div>"
        )
    elif template == "html_grid":
        css += """
.page { padding: 30px 36px; }
header { border-bottom: 3px solid #444; padding-bottom: 8px; margin-bottom: 6px; }
header .contact { display: grid; grid-template-columns: repeat(3, auto); gap: 2px 14px; font-size: 9pt;
                  margin-top: 6px; }
h2 { font-size: 11pt; text-transform: uppercase; letter-spacing: 0.35em; color: #444; margin: 14px 0 6px; }
.grid { display: grid; grid-template-columns: 118px 1fr; gap: 4px 14px; }
.g-date { font-size: 9pt; color: #333; }
.pills span { display: inline-block; border: 1px solid #aaa; border-radius: 9px; padding: 1px 7px;
              margin: 2px 3px 2px 0; font-size: 9pt; }
"""
        body = (
            f"<div class='page'><header><h1>{_e(r['name'])}</h1>{headline}<div class='contact'>{contact}</div>"
            f"</header>{summary}<h2>{h('experience')}</h2><div class='grid'>{jobs}</div>"
            f"<h2>{h('education')}</h2>{html_edu(r)}<h2>{h('skills')}</h2>{html_skills(r, pills=True)}"
            f"{certs}{langs}</div>"
        )
    else:  # html_columns
        css += """
header { background: #0f5257; color: white; padding: 22px 32px; }
header .contact { display: flex; flex-wrap: wrap; gap: 4px 18px; font-size: 9pt; margin-top: 8px; }
header .icon { background: #ffd166; }
.cols { display: flex; padding: 14px 32px; gap: 22px; }
.main { width: 64%; }
.side { width: 36%; font-size: 9.5pt; }
h2 { font-size: 11.5pt; color: #0f5257; font-variant: small-caps; border-bottom: 1px solid #0f5257;
     margin: 10px 0 6px; }
.side .job { margin-bottom: 6px; }
"""
        body = (
            f"<header><h1>{_e(r['name'])}</h1>{headline}<div class='contact'>{contact}</div></header>"
            f"<div class='cols'><div class='main'>{summary}<h2>{h('experience')}</h2>{jobs}</div>"
            f"<div class='side'><h2>{h('skills')}</h2>{html_skills(r)}<h2>{h('education')}</h2>{html_edu(r)}"
            f"{certs}{langs}</div></div>"
        )
    return f"<!doctype html><html><head><meta charset='utf-8'><style>{css}</style></head><body>{body}</body></html>"


def chromium_pdf(html_text: str, out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "cv.html"
        src.write_text(html_text, encoding="utf-8")
        subprocess.run(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
             f"--user-data-dir={tmp}/profile", f"--print-to-pdf={out}", src.as_uri()],
            check=True, capture_output=True, timeout=180,
        )  # fmt: skip


# --------------------------------------------------------------------------------------------- main

HOW = {
    "docx_tabs": "python-docx: contact in the page header, right-aligned tab stop between title and dates",
    "docx_table": "python-docx: contact in a page-header table, jobs in 2-column tables (dates | role)",
    "docx_textbox": "python-docx: contact in a VML text box, footer with email, employer line above title",
    "lo_tabs": "python-docx (tab stops) -> LibreOffice headless `soffice --convert-to pdf`",
    "lo_smallcaps": "python-docx (small-caps, letter-spaced headings) -> LibreOffice headless PDF",
    "html_sidebar": "HTML/CSS flex sidebar (contact, skills) -> Chromium headless --print-to-pdf",
    "html_grid": "HTML/CSS grid (dates column, letter-spaced headings, skill pills) -> Chromium PDF",
    "html_columns": "HTML/CSS banner + two columns (skills/education on the right) -> Chromium PDF",
    "txt_spaced": "plain text, letter-spaced headings (W O R K   H I S T O R Y)",
    "txt_plain": "plain text, upper-case headings",
}


def render_one(r: dict[str, Any], files: Path) -> Path:
    template = r["template"]
    ext = TEMPLATE_FORMAT[template]
    out = files / f"{r['id']}.{ext}"
    if ext == "txt":
        out.write_text(render_txt(r, template == "txt_spaced"), encoding="utf-8")
    elif template.startswith("html_"):
        chromium_pdf(render_html(r, template), out)
    elif template.startswith("lo_"):
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / f"{r['id']}.docx"
            render_docx(r, template, src)
            soffice_pdf(src, out)
    else:
        render_docx(r, template, out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", default="", help="comma-separated ids")
    args = parser.parse_args(argv)
    only = {x for x in args.only.split(",") if x}
    files = ROOT / "files"
    files.mkdir(parents=True, exist_ok=True)
    rows = []
    for path in sorted((ROOT / "truth").glob("*.yaml")):
        r = yaml.safe_load(path.read_text(encoding="utf-8"))
        r["id"] = path.stem
        if not only or r["id"] in only:
            out = render_one(r, files)
            print(f"{out.name}: {out.stat().st_size} bytes", file=sys.stderr)
        ext = TEMPLATE_FORMAT[r["template"]]
        rows.append(
            f"| {r['id']}.{ext} | {r.get('split', 'dev')} | {r['profession']} | {r['country']} | "
            f"{r.get('page', 'a4')} | {r['template']} | {HOW[r['template']]} |"
        )
    soffice = subprocess.run(["soffice", "--version"], capture_output=True, text=True).stdout.strip()
    chromium = subprocess.run(["chromium", "--version"], capture_output=True, text=True).stdout.strip()
    manifest = [
        "# Independent resume corpus: how each file was made",
        "",
        "Content and truth: `truth/<id>.yaml`, written by hand (what the page says). Files rendered by",
        "`python tools/resume_corpus/render.py` with python-docx, " + soffice + ", " + chromium + ".",
        "Names, employers, phone numbers and emails are fictional.",
        "",
        "Truth: name, email, phone (as printed; `country` is the region used to read it), each job's",
        "title / employer / location / start / end (`YYYY-MM`, or `YYYY` when only the year is printed,",
        "or `present`), education (degree as printed, `level`, school, year), skills as written in the",
        "skills list (`skills`, optionally grouped) plus skills named elsewhere on the page",
        "(`extra_skills`). `aliases.yaml` lists names that name the same thing (scoring only).",
        "",
        "Split: `dev` files (r01-r62) were written first and their errors were looked at while the",
        "extractor was changed; `holdout` files (h01-h12) were written after it was frozen and were",
        "not used to change it. `careerstream eval resumes --json` reports both (`by_split`).",
        "",
        "| file | split | profession | country | page | template | how |",
        "|---|---|---|---|---|---|---|",
        *rows,
    ]
    (ROOT / "MANIFEST.md").write_text("\n".join(manifest) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
