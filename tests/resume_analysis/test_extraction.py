"""Extraction: reading order and layout facts from real PDF and DOCX files."""

from __future__ import annotations

from engines.resume_analysis.intake import screen
from engines.resume_analysis.models import ExtractedDocument, FileType

from .builders import RESUME_LINES, make_docx, make_pdf


def _doc(data: bytes) -> ExtractedDocument:
    document = screen(data, "x").document
    assert document is not None
    return document


def test_pdf_one_column_text_in_order() -> None:
    doc = _doc(make_pdf(RESUME_LINES))
    lines = [line for line in doc.text.splitlines() if line.strip()]
    assert lines[:3] == RESUME_LINES[:3]
    assert doc.layout.file_type is FileType.PDF and doc.layout.page_count == 1
    assert not doc.layout.multi_column
    assert any("Helvetica" in f for f in doc.layout.fonts)


def test_pdf_two_columns_detected_and_read_column_by_column() -> None:
    left = [f"Skill item {i}" for i in range(22)]
    right = [f"Experience line {i} with more words" for i in range(22)]
    doc = _doc(make_pdf(RESUME_LINES[:2], two_columns=(left, right)))
    assert doc.layout.multi_column and doc.layout.column_count == 2
    text = doc.text
    # Whole left column first, then the right one; never "Skill item 0 Experience line 0" on one line.
    assert text.index("Skill item 21") < text.index("Experience line 0")
    assert "Skill item 0 Experience" not in text


def test_pdf_header_band_reported() -> None:
    doc = _doc(make_pdf(RESUME_LINES[2:], header="Jane Doe | jane@example.com | 555-201-7788"))
    assert "jane@example.com" in doc.layout.header_footer_text
    assert "jane@example.com" in doc.text


def test_docx_paragraphs_tables_header_fonts() -> None:
    data = make_docx(RESUME_LINES, header="Jane Doe | jane@x.io", table=[["2019 - 2021", "Data Engineer"]])
    doc = _doc(data)
    assert doc.layout.file_type is FileType.DOCX
    assert doc.layout.tables == 1
    assert doc.layout.header_footer_text.startswith("Jane Doe | jane@x.io")
    assert doc.text.index("Jane Doe | jane@x.io") < doc.text.index("SUMMARY")
    assert "Data Engineer" in doc.text and "2019 - 2021" in doc.text
    assert "summary" in doc.heading_hints  # Heading style marks headings
    assert doc.layout.fonts  # at least the Normal style font


def test_docx_section_columns_and_text_boxes() -> None:
    doc = _doc(make_docx(RESUME_LINES, columns=2))
    assert doc.layout.multi_column and doc.layout.column_count == 2
    # A text box: inject a w:txbxContent paragraph into the body XML.
    import io

    import docx
    from docx.oxml import parse_xml

    d = docx.Document(io.BytesIO(make_docx(RESUME_LINES)))
    box = parse_xml(
        '<w:p xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:r><w:pict>'
        "<w:txbxContent><w:p><w:r><w:t>Boxed contact: box@example.com</w:t></w:r></w:p></w:txbxContent>"
        "</w:pict></w:r></w:p>"
    )
    d.element.body.insert(0, box)
    buf = io.BytesIO()
    d.save(buf)
    boxed = _doc(buf.getvalue())
    assert boxed.layout.text_boxes == 1
    assert "box@example.com" in boxed.text


def test_txt_layout_is_minimal() -> None:
    doc = _doc("\r\n".join(RESUME_LINES).encode())
    assert doc.layout.file_type is FileType.TXT and "\r" not in doc.text
    assert doc.layout.word_count == len(" ".join(RESUME_LINES).split())


def test_pdf_pypdf_reads_the_text_when_pdfminer_cannot(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import engines.resume_analysis.extraction as extraction

    def pdfminer_fails(_data: bytes) -> None:
        raise ValueError("pdfminer cannot read this file")

    monkeypatch.setattr(extraction, "read_pdf", pdfminer_fails)
    doc = _doc(make_pdf(RESUME_LINES))
    lines = [line.strip() for line in doc.text.splitlines() if line.strip()]
    assert lines[:3] == RESUME_LINES[:3]
    assert doc.layout.page_count == 1 and not doc.layout.multi_column and doc.layout.fonts == []
    assert doc.layout.word_count == sum(len(line.split()) for line in lines)
