"""Document builders for the resume analysis tests (real PDF/DOCX bytes)."""

from __future__ import annotations

import io


def make_pdf(
    lines: list[str],
    *,
    header: str | None = None,
    two_columns: tuple[list[str], list[str]] | None = None,
    encrypt: str | None = None,
) -> bytes:
    """Draw text lines with reportlab's canvas (one column, optional header band or two columns)."""
    from reportlab.lib.pagesizes import LETTER
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=LETTER, encrypt=encrypt)
    _width, height = LETTER
    c.setFont("Helvetica", 10)
    if header:
        c.drawString(72, height - 30, header)
    y = height - 80
    for line in lines:
        c.drawString(72, y, line)
        y -= 14
    if two_columns:
        left, right = two_columns
        y0 = y - 10
        for i, line in enumerate(left):
            c.drawString(50, y0 - 14 * i, line)
        for i, line in enumerate(right):
            c.drawString(260, y0 - 14 * i, line)
    c.showPage()
    c.save()
    return buf.getvalue()


def make_docx(
    paragraphs: list[str],
    *,
    header: str | None = None,
    table: list[list[str]] | None = None,
    columns: int = 1,
) -> bytes:
    import docx
    from docx.oxml.ns import qn

    d = docx.Document()
    if header:
        d.sections[0].header.paragraphs[0].text = header
    for text in paragraphs:
        if text.isupper():
            d.add_heading(text, level=2)
        else:
            d.add_paragraph(text)
    if table:
        t = d.add_table(rows=0, cols=len(table[0]))
        for row in table:
            cells = t.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                cell.text = value
    if columns > 1:
        sect = d.sections[0]._sectPr
        cols = sect.find(qn("w:cols"))
        if cols is None:
            cols = sect.makeelement(qn("w:cols"), {})
            sect.append(cols)
        cols.set(qn("w:num"), str(columns))
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


RESUME_LINES = [
    "Jane Doe",
    "Austin, TX | jane.doe@example.com | (512) 555-0147 | github.com/janedoe",
    "SUMMARY",
    "Backend engineer with seven years of experience building data platforms.",
    "EXPERIENCE",
    "Senior Software Engineer | Northwind Analytics Inc. | Jan 2020 - Present",
    "- Built Kafka pipelines on k8s processing 2M events per day",
    "- Migrated Postgres clusters to AWS, cutting cost by 30%",
    "Software Engineer, Globex Corporation",
    "03/2016 - 12/2019",
    "- Developed REST APIs in Java for 40 internal teams",
    "EDUCATION",
    "B.Sc. in Computer Science, University of Texas, 2015",
    "SKILLS",
    "Python, Go, SQL, Docker, Kubernetes, project management",
]
