"""Intake screening: type sniffing, every rejection case, and a fuzz test that it never raises."""

from __future__ import annotations

import io
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engines.resume_analysis.intake import IntakeLimits, decode_text, screen, sniff_type
from engines.resume_analysis.models import FileType, RejectionCode

from .builders import RESUME_LINES, make_docx, make_pdf

PDF = make_pdf(RESUME_LINES)
DOCX = make_docx(RESUME_LINES)


def test_sniffs_by_content_not_name() -> None:
    assert sniff_type(PDF) is FileType.PDF
    assert sniff_type(DOCX) is FileType.DOCX
    assert sniff_type(b"Jane Doe\nEngineer\n") is FileType.TXT
    assert sniff_type(b"\x89PNG\r\n\x1a\n" + bytes(range(256))) is None
    # A PDF uploaded as "resume.docx" is still a PDF.
    assert screen(PDF, "resume.docx").file_type is FileType.PDF


def test_valid_files_are_extracted() -> None:
    for data in (PDF, DOCX, "\n".join(RESUME_LINES).encode()):
        result = screen(data, "x")
        assert result.rejection is None and result.document is not None
        assert "jane.doe@example.com" in result.document.text


def test_empty_and_whitespace_files() -> None:
    assert screen(b"", "a.pdf").rejection.code is RejectionCode.EMPTY_FILE  # type: ignore[union-attr]
    assert screen(b"  \n\t ", "a.txt").rejection.code is RejectionCode.EMPTY_FILE  # type: ignore[union-attr]


def test_size_cap_is_configurable() -> None:
    rejection = screen(PDF, "a.pdf", IntakeLimits(max_bytes=1000)).rejection
    assert rejection is not None and rejection.code is RejectionCode.FILE_TOO_LARGE
    assert rejection.http_status == 413 and "limit" in rejection.reason
    assert screen(PDF, "a.pdf").rejection is None  # default 5 MB cap admits it


def test_unsupported_binary_and_non_word_zip() -> None:
    png = screen(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "photo.pdf").rejection
    assert png is not None and png.code is RejectionCode.UNSUPPORTED_TYPE and png.http_status == 415
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("notes.txt", "hello")
    rejection = screen(buf.getvalue(), "x.docx").rejection
    assert rejection is not None and rejection.code is RejectionCode.UNSUPPORTED_TYPE


def test_encrypted_pdf_rejected() -> None:
    data = make_pdf(RESUME_LINES, encrypt="s3cret")
    rejection = screen(data, "locked.pdf").rejection
    assert rejection is not None and rejection.code is RejectionCode.ENCRYPTED_PDF
    assert "password" in rejection.reason.lower()


def test_corrupt_pdf_rejected() -> None:
    rejection = screen(PDF[: len(PDF) // 3], "broken.pdf").rejection
    assert rejection is not None
    assert rejection.code in (RejectionCode.CORRUPT_FILE, RejectionCode.NO_TEXT_LAYER)
    garbage = screen(b"%PDF-1.7\n" + bytes(range(256)) * 4, "garbage.pdf").rejection
    assert garbage is not None and garbage.code is RejectionCode.CORRUPT_FILE


def test_scanned_pdf_without_text_layer_rejected() -> None:
    from reportlab.lib.pagesizes import LETTER
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=LETTER)
    c.rect(50, 50, 400, 600, fill=1)  # a "scan": drawing only, no text objects
    c.showPage()
    c.save()
    rejection = screen(buf.getvalue(), "scan.pdf").rejection
    assert rejection is not None and rejection.code is RejectionCode.NO_TEXT_LAYER
    assert "text layer" in rejection.reason


def test_docx_zip_bomb_rejected_before_decompressing() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"<w:document>" + b" " * (8 * 1024 * 1024))
    data = buf.getvalue()
    assert len(data) < 100_000
    rejection = screen(data, "bomb.docx", IntakeLimits(max_uncompressed_bytes=4 * 1024 * 1024)).rejection
    assert rejection is not None and rejection.code is RejectionCode.ZIP_BOMB
    # Default limits: the total is fine (8 MB) but the ratio of that one part is absurd.
    rejection = screen(data, "bomb.docx").rejection
    assert rejection is not None and rejection.code is RejectionCode.ZIP_BOMB


def test_corrupt_docx_rejected() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", "<not-xml")
    rejection = screen(buf.getvalue(), "bad.docx").rejection
    assert rejection is not None and rejection.code is RejectionCode.CORRUPT_FILE
    truncated = screen(DOCX[: len(DOCX) // 2], "cut.docx").rejection
    assert truncated is not None
    assert truncated.code in (RejectionCode.CORRUPT_FILE, RejectionCode.UNSUPPORTED_TYPE)


def test_text_decoding() -> None:
    assert decode_text("Müller – Engineer".encode()) == "Müller – Engineer"
    assert decode_text("Müller".encode("utf-16")) == "Müller"
    assert decode_text("Café résumé".encode("cp1252")) == "Café résumé"
    assert decode_text(bytes(range(0, 32)) * 10) is None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096))
def test_screen_never_raises_on_random_bytes(data: bytes) -> None:
    result = screen(data, "fuzz")
    assert (result.document is None) != (result.rejection is None)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from([PDF, DOCX]),
    st.integers(min_value=0, max_value=20_000),
    st.binary(min_size=1, max_size=64),
)
def test_screen_never_raises_on_mutated_documents(base: bytes, position: int, patch: bytes) -> None:
    position = position % len(base)
    data = base[:position] + patch + base[position + len(patch) :]
    result = screen(data, "fuzz")
    assert (result.document is None) != (result.rejection is None)
    if result.rejection is not None:
        assert result.rejection.reason and result.rejection.http_status in (413, 415, 422)
