"""Text and layout extraction from PDF (pdfminer.six word positions, pypdf as the fallback), DOCX
(python-docx) and plain text.

Callers pass already-screened input (see :mod:`intake`); these functions may raise on broken
files and intake turns that into a typed rejection.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from typing import Any

import docx  # python-docx; imported lazily to keep module import cheap

from .models import ExtractedDocument, FileType, LayoutFacts
from .pdf_layout import read_pdf


def _word_count(text: str) -> int:
    return len(text.split())


# --------------------------------------------------------------------------------------------- PDF


def extract_pdf(reader: Any) -> ExtractedDocument:
    """Extract reading-order text and layout facts from an opened ``pypdf.PdfReader``.

    Text comes from word positions (:mod:`pdf_layout`, pdfminer.six); if pdfminer cannot read the file,
    from pypdf's own text extraction, without layout facts.
    """
    try:
        stream = reader.stream
        stream.seek(0)
        data = stream.read()
        pages = read_pdf(data)
    except Exception:
        return _extract_pdf_pypdf(reader)
    text = "\n".join(p.text for p in pages)
    fonts: Counter[str] = Counter()
    hints: set[str] = set()
    for p in pages:
        fonts.update(p.fonts)
        hints.update(p.heading_hints)
    name_hint = None
    if pages and pages[0].largest:
        size, line = max(pages[0].largest[:12], key=lambda t: t[0])
        if size > 0 and len(line.split()) <= 6:
            name_hint = line
    layout = LayoutFacts(
        file_type=FileType.PDF,
        page_count=len(reader.pages),
        multi_column=any(p.columns > 1 for p in pages),
        column_count=max((p.columns for p in pages), default=1),
        images=sum(_count_pdf_images(page) for page in reader.pages),
        header_footer_text="\n".join(t for p in pages for t in p.header_footer),
        fonts=[name for name, _ in fonts.most_common()],
        word_count=_word_count(text),
        char_count=len(text),
    )
    return ExtractedDocument(text=text, layout=layout, heading_hints=frozenset(hints), name_hint=name_hint)


def _extract_pdf_pypdf(reader: Any) -> ExtractedDocument:
    """Fallback when pdfminer cannot read the file: pypdf's own text, in content-stream order.

    No columns, fonts or headings: those need word positions, which are pdfminer's job. (This fallback
    used to rebuild positions from pypdf's text visitor with a second column detector of its own; no
    file in the test corpora reached it, so it was 140 lines no test ran.)"""
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    layout = LayoutFacts(
        file_type=FileType.PDF,
        page_count=len(reader.pages),
        multi_column=False,
        column_count=1,
        images=sum(_count_pdf_images(page) for page in reader.pages),
        header_footer_text="",
        fonts=[],
        word_count=_word_count(text),
        char_count=len(text),
    )
    return ExtractedDocument(text=text, layout=layout, heading_hints=frozenset())


def _count_pdf_images(page: Any) -> int:
    try:
        resources = page.get("/Resources")
        if resources is None:
            return 0
        xobjects = resources.get_object().get("/XObject")
        if xobjects is None:
            return 0
        xobjects = xobjects.get_object()
        return sum(1 for key in xobjects if xobjects[key].get_object().get("/Subtype") == "/Image")
    except Exception:
        return 0


# -------------------------------------------------------------------------------------------- DOCX

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


# A walk of the document's XML in reading order: one branch per element kind (paragraph, table, text
# box, section break), kept together so the order of the output is the order of the walk.
def extract_docx(data: bytes) -> ExtractedDocument:  # noqa: C901
    """Extract reading-order text (body paragraphs, tables, text boxes, header/footer) from DOCX bytes."""

    document = docx.Document(io.BytesIO(data))
    body = document.element.body
    style_names = {str(s.style_id): str(s.name) for s in document.styles}
    lines: list[str] = []
    heading_hints: set[str] = set()
    tables = 0
    table_words = 0
    text_boxes = 0
    seen_boxes: set[str] = set()
    name_hint: str | None = None
    for child in body.iterchildren():
        tag = child.tag
        if tag == f"{_W}p":
            para_text = _para_text(child, skip_boxes=True)
            style = _paragraph_style(child, style_names)
            if para_text.strip():
                if child.find(f"{_W}pPr/{_W}numPr") is not None or "list" in style.lower():
                    para_text = "• " + para_text.lstrip()  # the bullet glyph Word draws for a list item
                lines.append(para_text)
                if style.lower().startswith(("heading", "title")) or _all_bold(child):
                    heading_hints.add(para_text.strip().lower())
            for box in child.iter(f"{_W}txbxContent"):
                box_text = "\n".join(_para_text(p) for p in box.iter(f"{_W}p"))
                # Word stores each text box twice (DrawingML + VML fallback); count it once.
                if box_text.strip() and box_text not in seen_boxes:
                    seen_boxes.add(box_text)
                    if name_hint is None:
                        name_hint = next((t.strip() for t in box_text.splitlines() if t.strip()), None)
                    text_boxes += 1
                    lines.append(box_text)
        elif tag == f"{_W}tbl":
            tables += 1
            for row_lines, row_hints in _table_rows(child):
                lines.extend(row_lines)
                table_words += sum(_word_count(line) for line in row_lines)
                heading_hints.update(row_hints)
    header_footer: list[str] = []
    for section in document.sections:
        for part in (section.header, section.footer):
            try:
                if part.is_linked_to_previous and header_footer:
                    continue
                part_text = "\n".join(t for t in (_para_text(p._p) for p in part.paragraphs) if t.strip())
                for table in part.tables:
                    for row_lines, _hints in _table_rows(table._tbl):
                        part_text += "".join("\n" + line for line in row_lines)
            except Exception:
                continue
            if part_text.strip() and part_text not in header_footer:
                header_footer.append(part_text.strip())
    header_text = "\n".join(header_footer)
    # Headers come first visually; keep them in the text so contact details are still found.
    text = "\n".join(([header_text] if header_text else []) + lines)
    columns = _docx_columns(body)
    words = _word_count(text)
    # A table holding most of the text is a layout grid, i.e. a multi-column resume.
    layout_table = tables > 0 and words > 0 and table_words / words > 0.4
    fonts = _docx_fonts(document)
    if not fonts:
        theme_font = _theme_body_font(data)
        fonts = [theme_font] if theme_font else []
    layout = LayoutFacts(
        file_type=FileType.DOCX,
        page_count=_docx_page_count(data, words),
        multi_column=columns > 1 or layout_table,
        column_count=max(columns, 2 if layout_table else 1),
        tables=tables,
        images=sum(1 for _ in body.iter("{http://schemas.openxmlformats.org/drawingml/2006/main}blip")),
        text_boxes=text_boxes,
        header_footer_text=header_text,
        fonts=fonts,
        word_count=words,
        char_count=len(text),
    )
    return ExtractedDocument(
        text=text, layout=layout, heading_hints=frozenset(heading_hints), name_hint=name_hint
    )


def _para_text(p: Any, *, skip_boxes: bool = False) -> str:
    """A paragraph's text with tabs kept as ``\\t`` and line breaks as ``\\n`` (never run together)."""
    out: list[str] = []
    for node in p.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"):
        if skip_boxes and _inside_textbox(node, p):
            continue
        tag = node.tag
        if tag == f"{_W}t":
            out.append(node.text or "")
        elif node.getparent() is not None and node.getparent().tag == f"{_W}r":
            out.append("\t" if tag == f"{_W}tab" else "\n")  # w:tab in w:tabs is a tab stop, not text
    return "".join(out)


def _table_rows(tbl: Any) -> list[tuple[list[str], set[str]]]:
    """Lines of each table row: the cells' first lines joined by tabs, then each cell's other lines.

    A row of a layout table reads "Mar 2021 – Present <tab> Charge Nurse", then the rest of each cell,
    which keeps a date cell on the line of the title it belongs to.
    """
    rows = []
    for row in tbl.iter(f"{_W}tr"):
        cells = [c for c in row.iterchildren(f"{_W}tc")]
        cell_lines: list[list[str]] = []
        hints: set[str] = set()
        for cell in cells:
            paras = [p for p in cell.iter(f"{_W}p")]
            texts = [t for t in (_para_text(p) for p in paras) if t.strip()]
            for p in paras:
                text = _para_text(p).strip()
                if text and _all_bold(p):
                    hints.add(text.lower())
            cell_lines.append(texts)
        non_empty = [c for c in cell_lines if c]
        if not non_empty:
            continue
        first = "\t".join(c[0] for c in non_empty)
        rest = [line for c in non_empty for line in c[1:]]
        rows.append(([first, *rest], hints))
    return rows


def _inside_textbox(node: Any, stop: Any) -> bool:
    parent = node.getparent()
    while parent is not None and parent is not stop:
        if parent.tag == f"{_W}txbxContent":
            return True
        parent = parent.getparent()
    return False


def _paragraph_style(p: Any, style_names: dict[str, str]) -> str:
    style_el = p.find(f"{_W}pPr/{_W}pStyle")
    if style_el is None:
        return ""
    style_id = style_el.get(f"{_W}val") or ""
    return style_names.get(style_id, style_id)


def _all_bold(p: Any) -> bool:
    runs = [r for r in p.iter(f"{_W}r") if "".join(t.text or "" for t in r.iter(f"{_W}t")).strip()]
    return bool(runs) and all(r.find(f"{_W}rPr/{_W}b") is not None for r in runs)


def _docx_columns(body: Any) -> int:
    best = 1
    for cols in body.iter(f"{_W}cols"):
        try:
            best = max(best, int(cols.get(f"{_W}num") or 1))
        except ValueError:
            continue
    return best


def _docx_fonts(document: Any) -> list[str]:
    counts: Counter[str] = Counter()
    for fonts_el in document.element.body.iter(f"{_W}rFonts"):
        name = fonts_el.get(f"{_W}ascii") or fonts_el.get(f"{_W}hAnsi")
        if name:
            counts[name] += 1
    try:
        default = document.styles["Normal"].font.name
        if default:
            counts[default] += 1
    except Exception:
        pass
    return [name for name, _ in counts.most_common()]


def _theme_body_font(data: bytes) -> str | None:
    """The theme's minor (body) Latin font, used when runs and styles name no font."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = [n for n in zf.namelist() if n.startswith("word/theme/") and n.endswith(".xml")]
            if not names:
                return None
            xml = zf.read(names[0]).decode("utf-8", "replace")
    except Exception:
        return None
    minor = xml.find("minorFont")
    match = re.search(r'<a:latin typeface="([^"]+)"', xml[minor:] if minor >= 0 else xml)
    return match.group(1) if match else None


def _docx_page_count(data: bytes, words: int) -> int:
    """Pages from docProps/app.xml when Word saved it, else an estimate from the word count."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            app = zf.read("docProps/app.xml").decode("utf-8", "replace")
        match = re.search(r"<Pages>(\d+)</Pages>", app)
        if match and int(match.group(1)) > 0:
            return int(match.group(1))
    except Exception:
        pass
    return max(1, round(words / 450))


# --------------------------------------------------------------------------------------------- TXT


def extract_txt(text: str) -> ExtractedDocument:
    """Plain text has no layout; only page count is estimated from length."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    words = _word_count(text)
    layout = LayoutFacts(
        file_type=FileType.TXT, page_count=max(1, round(words / 450)), word_count=words, char_count=len(text)
    )
    return ExtractedDocument(text=text, layout=layout)
