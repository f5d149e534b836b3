"""One small document per failure class seen on resumes we did not generate (issue 11).

Vocabulary, small-caps and letter-spaced headings, unknown skill headings, DOCX tab stops, text boxes
and page headers, job block shapes, location vs employer, two-column PDFs, education wording, names.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from engines.resume_analysis.analyzer import analyze
from engines.resume_analysis.contact import find_name, find_phones
from engines.resume_analysis.education import degree_level_of, extract_education
from engines.resume_analysis.experience import extract_experience
from engines.resume_analysis.models import DegreeLevel
from engines.resume_analysis.places import is_place
from engines.resume_analysis.sections import classify_heading, split_sections
from engines.resume_analysis.skills import SkillMatcher

from .conftest import SMALL_CATALOG

AS_OF = dt.date(2026, 1, 1)


@dataclass(frozen=True)
class FakeTool:
    name: str
    aliases: tuple[str, ...] = ()
    weak: tuple[str, ...] = ()


TOOLS = [
    FakeTool("Autodesk AutoCAD", ("AutoCAD",)),
    FakeTool("Dassault Systemes SolidWorks", ("SolidWorks",)),
    FakeTool("Spectral Dynamics STAR", ("STAR", "Star"), ("Star",)),
]


def _tool_matcher() -> SkillMatcher:
    return SkillMatcher(SMALL_CATALOG, tools=TOOLS)


def _jobs(body: str) -> list[tuple[str | None, str | None, str | None, str | None]]:
    return [(e.title, e.employer, e.start, e.end) for e in extract_experience(body, AS_OF)]


# ------------------------------------------------------------------------------------ vocabulary


def test_skills_list_items_are_skills_as_written() -> None:
    text = (
        "EXPERIENCE\nNurse, City Hospital\n- Worked with the data team on design work\n"
        "CLINICAL SKILLS\nWound care, IV therapy, Excel, Google Sheets, Negotiation, Jest, data, team\n"
    )
    found = _tool_matcher().find(text, split_sections(text))
    written = {m.text for m in found}
    # Items nobody's vocabulary knows are still skills, named as written (not "Microsoft Excel").
    assert {"Wound care", "IV therapy", "Excel", "Google Sheets", "Negotiation", "Jest"} <= written
    # Common words alone are never a skill, neither listed nor in prose.
    assert not written & {"data", "team", "design", "work"}
    excel = next(m for m in found if m.text == "Excel")
    assert excel.name == "Microsoft Excel"  # the catalog link is reported next to the surface form


def test_tools_in_prose_need_a_distinctive_name() -> None:
    text = (
        "EXPERIENCE\n- Drew site plans in AutoCAD and parts in SolidWorks at Star Logistics\nSKILLS\nRevit\n"
    )
    written = {m.text for m in _tool_matcher().find(text, split_sections(text))}
    assert {"AutoCAD", "SolidWorks", "Revit"} <= written
    assert "Star" not in written  # a plain word from an employer's name is not a tool


def test_wrapped_skills_line_keeps_items_whole() -> None:
    text = (
        "SKILLS\nAutoCAD, STAAD.Pro, ETABS, MS Project, Quantity surveying, Site supervision, Estimation "
        "and\n"
        "costing\n"
    )
    written = {m.text for m in _tool_matcher().find(text, split_sections(text))}
    assert "Estimation and costing" in written and "costing" not in written


# -------------------------------------------------------------------------------------- headings


def test_letter_spaced_and_unknown_headings() -> None:
    assert classify_heading("W O R K   H I S T O R Y") == "experience"
    assert classify_heading("Q U A L I F I C A T I O N S") == "education"
    assert classify_heading("Clinical Skills") == "skills"
    assert classify_heading("TEACHING EXPERIENCE") == "experience"
    assert classify_heading("Academic Appointments") == "experience"
    assert classify_heading("Bar Admissions") == "certifications"
    assert classify_heading("Senior Software Engineer") is None


def _small_caps_pdf() -> bytes:
    """A LibreOffice-style small-caps heading: a large capital, then smaller capitals, letter-spaced."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    y = 780

    def heading(word_pairs: list[tuple[str, str]]) -> None:
        nonlocal y
        x = 60.0
        for big, rest in word_pairs:
            c.setFont("Times-Roman", 13)
            c.drawString(x, y, big)
            x += c.stringWidth(big, "Times-Roman", 13) + 0.8
            t = c.beginText(x, y)
            t.setFont("Times-Roman", 10.4)
            t.setCharSpace(1.5)
            t.textOut(rest)
            c.drawText(t)
            x += c.stringWidth(rest, "Times-Roman", 10.4) + 1.5 * len(rest) + 6
        y -= 22

    def line(text: str, size: float = 10.5) -> None:
        nonlocal y
        c.setFont("Times-Roman", size)
        c.drawString(60, y, text)
        y -= 14

    line("Hannah Whitaker", 20)
    line("hannah@example.org | +44 7700 900218")
    heading([("T", "EACHING"), ("E", "XPERIENCE")])
    line("Class Teacher (Year 4)")
    c.setFont("Times-Roman", 10.5)
    c.drawRightString(540, y + 14, "September 2019 – present")
    line("Hollybrook Primary School, Leeds")
    heading([("S", "KILLS")])
    line("Lesson planning, Phonics, Safeguarding")
    c.showPage()
    c.save()
    return buf.getvalue()


def test_small_caps_headings_from_a_pdf() -> None:
    result = analyze(_small_caps_pdf(), "cv.pdf", as_of=AS_OF)
    assert {s.name for s in result.sections} >= {"experience", "skills"}
    assert [(e.title, e.employer, e.start) for e in result.experience] == [
        ("Class Teacher (Year 4)", "Hollybrook Primary School", "2019-09")
    ]
    assert result.contact is not None and result.contact.name == "Hannah Whitaker"


# ------------------------------------------------------------------------------------------ DOCX


def _docx_with_tabs_box_and_header() -> bytes:
    import docx
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    from docx.shared import Cm

    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "Curriculum Vitae"
    d.sections[0].footer.paragraphs[0].text = "gareth.pryce@example.co.uk"
    box = parse_xml(
        f'<w:p {nsdecls("w")} xmlns:v="urn:schemas-microsoft-com:vml"><w:r><w:pict><v:shape id="b" '
        'type="#_x0000_t202" style="width:300pt;height:60pt"><v:textbox><w:txbxContent>'
        "<w:p><w:r><w:t>Gareth Pryce</w:t></w:r></w:p><w:p><w:r><w:t>07700 900412</w:t></w:r></w:p>"
        "</w:txbxContent></v:textbox></v:shape></w:pict></w:r></w:p>"
    )
    d.element.body.insert(0, box)
    d.add_paragraph("WORK HISTORY")
    for title, dates, employer in (
        ("Approved Electrician", "May 2019 – Present", "Bayside Electrical Ltd, Cardiff"),
        ("Electrician", "April 2015 – April 2019", "Morgan & Rees Building Services, Newport"),
    ):
        p = d.add_paragraph()
        p.paragraph_format.tab_stops.add_tab_stop(Cm(16), WD_TAB_ALIGNMENT.RIGHT)
        p.add_run(title).bold = True
        p.add_run("\t" + dates)
        d.add_paragraph(employer)
        d.add_paragraph("Fault finding and testing on domestic rewires", style="List Bullet")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_docx_tab_stops_text_boxes_and_footers() -> None:
    result = analyze(_docx_with_tabs_box_and_header(), "cv.docx", as_of=AS_OF)
    jobs = [(e.title, e.employer, e.location, e.start, e.end, e.is_current) for e in result.experience]
    # The tab keeps "Electrician" and "April 2015" apart: two jobs, titles without dates.
    assert jobs == [
        ("Approved Electrician", "Bayside Electrical Ltd", "Cardiff", "2019-05", None, True),
        ("Electrician", "Morgan & Rees Building Services", "Newport", "2015-04", "2019-04", False),
    ]
    assert result.contact is not None
    assert result.contact.name == "Gareth Pryce"  # from the text box
    assert result.contact.emails == ["gareth.pryce@example.co.uk"]  # from the footer
    assert result.contact.phones  # national number with a trunk 0


# ------------------------------------------------------------------------------------ job shapes


def test_job_block_shapes() -> None:
    # Employer on the line above the title.
    assert _jobs(
        "Department of Social Services    Canberra\nSenior Policy Officer    July 2020 – Present\n"
    ) == [("Senior Policy Officer", "Department of Social Services", "2020-07", None)]
    # "Title at Employer", dates on the next line.
    assert _jobs("Senior Paralegal at Hale Prescott LLP, Boston, MA\nFeb 2020 – Present\n") == [
        ("Senior Paralegal", "Hale Prescott LLP", "2020-02", None)
    ]
    # A dates column read across: city beside the employer, not taken for it.
    assert _jobs("04/2021 – today    Senior Backend Engineer\nBerlin    Zalando SE\n- Built services\n") == [
        ("Senior Backend Engineer", "Zalando SE", "2021-04", None)
    ]
    # Pipes, trailing place after a comma, dates in another language.
    assert _jobs("Master Technician | Mercedes-Benz Niederlassung Stuttgart    02.2019 – heute\n") == [
        ("Master Technician", "Mercedes-Benz Niederlassung Stuttgart", "2019-02", None)
    ]
    assert _jobs("Assistant Store Manager\nBest Buy, Tempe, AZ\nJun 2015 – Jan 2019\n") == [
        ("Assistant Store Manager", "Best Buy", "2015-06", "2019-01")
    ]


def test_location_or_employer() -> None:
    assert (
        is_place("Berlin") and is_place("Toronto, ON") and is_place("Montréal, QC") and is_place("Leeds, UK")
    )
    assert not is_place("Zalando SE") and not is_place("Best Buy, Tempe, AZ") and not is_place("Thames Water")


def test_sidebar_heading_is_not_the_name() -> None:
    header = "CONTACT\nDallas, TX\nSenior Accountant\n"
    assert find_name(header, hint="Daniel Okafor") == "Daniel Okafor"
    assert find_name("Registered Social Worker\nÉmilie Tremblay\n") == "Émilie Tremblay"
    assert find_name("Sophie van Dijk\nFront Office Manager\n") == "Sophie van Dijk"
    assert find_phones("Dublin | 01 555 0187") == ["015550187"]


# ------------------------------------------------------------------------------------- two columns


def _two_column_pdf() -> bytes:
    from reportlab.lib.pagesizes import LETTER
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=LETTER)
    c.setFont("Helvetica-Bold", 22)
    c.drawString(230, 740, "Daniel Okafor")
    left = ["CONTACT", "d.okafor@example.com", "+1 (469) 555-0193", "SKILLS", "NetSuite", "Month-end close",
            "Variance analysis", "US GAAP", "LANGUAGES", "English, Igbo"]  # fmt: skip
    right = ["PROFESSIONAL EXPERIENCE", "Senior Accountant    January 2021 – Present",
             "Lone Star Logistics Inc. · Irving, TX", "Own the month-end close for three entities",
             "Audit Associate    September 2017 – December 2020", "Whitfield & Barnes LLP · Dallas, TX",
             "Audited manufacturing clients under US GAAP", "EDUCATION", "BBA in Accounting",
             "University of North Texas", "2016"]  # fmt: skip
    c.setFont("Helvetica", 9.5)
    for i, line in enumerate(left):
        c.drawString(25, 690 - 13 * i, line)
    for i, line in enumerate(right):
        c.drawString(230, 700 - 15 * i, line)
    c.showPage()
    c.save()
    return buf.getvalue()


def test_two_column_pdf_in_reading_order() -> None:
    result = analyze(_two_column_pdf(), "cv.pdf", as_of=AS_OF)
    assert result.layout is not None and result.layout.multi_column
    assert [(e.title, e.employer) for e in result.experience] == [
        ("Senior Accountant", "Lone Star Logistics Inc."),
        ("Audit Associate", "Whitfield & Barnes LLP"),
    ]
    assert result.contact is not None and result.contact.name == "Daniel Okafor"
    assert {"NetSuite", "Month-end close", "Variance analysis"} <= {s.text for s in result.skills}
    assert result.highest_degree is DegreeLevel.BACHELOR


# -------------------------------------------------------------------------------------- education


def test_degree_wordings() -> None:
    assert degree_level_of("BA (Hons) Psychology, 2:1") is DegreeLevel.BACHELOR
    assert degree_level_of("B.E. Civil Engineering") is DegreeLevel.BACHELOR
    assert degree_level_of("MPharm (Hons) Pharmacy") is DegreeLevel.MASTER
    assert degree_level_of("Advanced Diploma in Medical Laboratory Science") is DegreeLevel.ASSOCIATE
    assert degree_level_of("Higher Certificate in Culinary Arts") is DegreeLevel.NONE
    entries = extract_education("BA (Hons) Psychology, 2:1\nUniversity of Sheffield\n2016\n")
    assert entries and entries[0].institution == "University of Sheffield" and entries[0].end == "2016-12"
