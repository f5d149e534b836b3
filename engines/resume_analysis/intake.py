"""Intake screening: detect the type from content, refuse bad files with a typed reason, extract the rest.

:func:`screen` is total: for any ``bytes`` it returns either a :class:`~.models.Rejection` or an
:class:`~.models.ExtractedDocument`; it never raises (fuzzed with hypothesis in the tests).
"""

from __future__ import annotations

import io
import logging
import zipfile
from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError, PdfReadError

from .extraction import extract_docx, extract_pdf, extract_txt
from .models import ExtractedDocument, FileType, Rejection, RejectionCode

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class IntakeLimits:
    """Configurable limits; the defaults suit resumes (a few pages, a few images)."""

    max_bytes: int = DEFAULT_MAX_BYTES
    # Zip-bomb guards, checked on the central directory BEFORE anything is decompressed.
    max_uncompressed_bytes: int = 50 * 1024 * 1024
    max_compression_ratio: float = 100.0
    max_zip_entries: int = 2000
    max_pdf_pages: int = 50
    # Below this many non-space characters a PDF is treated as scanned (image only).
    min_text_chars: int = 40


@dataclass(frozen=True)
class Screened:
    """Outcome of :func:`screen`: exactly one of ``document`` / ``rejection`` is set."""

    file_type: FileType | None
    document: ExtractedDocument | None = None
    rejection: Rejection | None = None


WORD_MAIN_CONTENT_TYPE = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
MAX_CONTENT_TYPES_BYTES = 256 * 1024


def sniff_type(data: bytes) -> FileType | None:
    """Detect the file type from its leading magic bytes; ``None`` when it is none we accept.

    PDF: ``%PDF-`` at offset 0, after at most a UTF-8 BOM and whitespace (never "somewhere in the
    first kilobyte": an executable with a PDF inside is not a PDF). DOCX: a zip (``PK\x03\x04`` at
    offset 0) whose ``[Content_Types].xml`` declares a Word main document part. Text: decodes as text.
    """
    head = data[:1024]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if head.lstrip(b" \t\r\n\x0c").startswith(b"%PDF-"):
        return FileType.PDF
    if data[:4] == b"PK\x03\x04":
        return FileType.DOCX if _declares_word_document(data) else None
    if decode_text(data) is not None:
        return FileType.TXT
    return None


def _declares_word_document(data: bytes) -> bool:
    """The zip's ``[Content_Types].xml`` (read only when small) declares a Word main document part."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            info = zf.getinfo("[Content_Types].xml")
            if info.file_size > MAX_CONTENT_TYPES_BYTES:
                return False
            return WORD_MAIN_CONTENT_TYPE in zf.read(info)
    except Exception:
        return False


def _has_part(data: bytes, name: str) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return name in zf.namelist()
    except Exception:
        return False


def decode_text(data: bytes) -> str | None:
    """Decode bytes as text (UTF-8/UTF-16 with BOM, UTF-8, then cp1252) if they look like text."""
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = [("utf-8-sig", data)]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = [("utf-16", data)]
    else:
        if b"\x00" in data:
            return None
        candidates = [("utf-8", data), ("cp1252", data)]
    for encoding, raw in candidates:
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, ValueError):
            continue
        if not text:
            return text
        # Binary data decoded as cp1252 is full of control characters; real text is not.
        controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
        if controls / len(text) > 0.01:
            return None
        return text
    return None


def screen(data: bytes, filename: str = "", limits: IntakeLimits | None = None) -> Screened:
    """Check an upload and extract it. Returns a rejection for every bad case; never raises."""
    limits = limits or IntakeLimits()
    try:
        return _screen(data, limits)
    except Exception as exc:  # last line of defence (incl. RecursionError): treat as corrupt
        log.info("intake: unexpected error on %r: %s", filename, exc)
        return Screened(
            None,
            rejection=Rejection(RejectionCode.CORRUPT_FILE, "The file could not be read; it looks damaged."),
        )


def _reject(file_type: FileType | None, code: RejectionCode, reason: str) -> Screened:
    return Screened(file_type, rejection=Rejection(code, reason))


def _screen(data: bytes, limits: IntakeLimits) -> Screened:
    if not data or not data.strip():
        return _reject(None, RejectionCode.EMPTY_FILE, "The file is empty.")
    if len(data) > limits.max_bytes:
        return _reject(
            None,
            RejectionCode.FILE_TOO_LARGE,
            f"The file is {len(data) / 1048576:.1f} MB; the limit is {limits.max_bytes / 1048576:.1f} MB.",
        )
    file_type = sniff_type(data)
    if file_type is None:
        if data[:4] == b"PK\x03\x04":
            # A zip bomb is refused as one (422) whatever it claims to be; other zips are not Word.
            bomb = _zip_guard(data, limits, None)
            if bomb is not None:
                return bomb
            if _has_part(data, "word/document.xml") and not _has_part(data, "[Content_Types].xml"):
                return _reject(
                    None,
                    RejectionCode.CORRUPT_FILE,
                    "The Word document is damaged: its [Content_Types].xml part is missing.",
                )
            return _reject(
                None,
                RejectionCode.UNSUPPORTED_TYPE,
                "The file is a ZIP archive but not a Word (.docx) document.",
            )
        return _reject(
            None,
            RejectionCode.UNSUPPORTED_TYPE,
            "Unsupported file type: upload a PDF, a Word (.docx) document or plain text.",
        )
    if file_type is FileType.PDF:
        return _screen_pdf(data, limits)
    if file_type is FileType.DOCX:
        return _screen_docx(data, limits)
    text = decode_text(data) or ""
    document = extract_txt(text)
    if len(document.text.strip()) < 1:
        return _reject(FileType.TXT, RejectionCode.EMPTY_FILE, "The text file contains no text.")
    return Screened(FileType.TXT, document=document)


def _screen_pdf(data: bytes, limits: IntakeLimits) -> Screened:

    corrupt = "The PDF is damaged and could not be read. Re-export it from your editor and try again."
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
    except Exception:
        return _reject(FileType.PDF, RejectionCode.CORRUPT_FILE, corrupt)
    try:
        if reader.is_encrypted:
            # Owner-password-only PDFs open with an empty user password; those are fine.
            try:
                opened = bool(reader.decrypt(""))
            except Exception:
                opened = False
            if not opened:
                return _reject(
                    FileType.PDF,
                    RejectionCode.ENCRYPTED_PDF,
                    "The PDF is password-protected. Remove the password and upload it again.",
                )
        pages = len(reader.pages)
    except (FileNotDecryptedError, NotImplementedError):
        return _reject(
            FileType.PDF,
            RejectionCode.ENCRYPTED_PDF,
            "The PDF uses encryption we cannot open. Remove the password and upload it again.",
        )
    except Exception:
        return _reject(FileType.PDF, RejectionCode.CORRUPT_FILE, corrupt)
    if pages == 0:
        return _reject(FileType.PDF, RejectionCode.CORRUPT_FILE, "The PDF has no pages.")
    if pages > limits.max_pdf_pages:
        return _reject(
            FileType.PDF,
            RejectionCode.FILE_TOO_LARGE,
            f"The PDF has {pages} pages; a resume may have at most {limits.max_pdf_pages}.",
        )
    try:
        document = extract_pdf(reader)
    except (FileNotDecryptedError, NotImplementedError):
        return _reject(
            FileType.PDF,
            RejectionCode.ENCRYPTED_PDF,
            "The PDF uses encryption we cannot open. Remove the password and upload it again.",
        )
    except (PdfReadError, Exception):
        return _reject(FileType.PDF, RejectionCode.CORRUPT_FILE, corrupt)
    if sum(1 for ch in document.text if not ch.isspace()) < limits.min_text_chars:
        return _reject(
            FileType.PDF,
            RejectionCode.NO_TEXT_LAYER,
            "The PDF has no text layer (it looks scanned or exported as an image). "
            "Export it from your editor as a text PDF, or upload the .docx.",
        )
    return Screened(FileType.PDF, document=document)


def _zip_guard(data: bytes, limits: IntakeLimits, file_type: FileType | None) -> Screened | None:
    """A zip-bomb rejection from the central directory alone (nothing decompressed), else None."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except Exception:
        return None
    if len(infos) > limits.max_zip_entries:
        return _reject(
            file_type,
            RejectionCode.ZIP_BOMB,
            f"The document contains {len(infos)} parts; that is not a normal Word file.",
        )
    total = sum(info.file_size for info in infos)
    if total > limits.max_uncompressed_bytes:
        return _reject(
            file_type,
            RejectionCode.ZIP_BOMB,
            f"The document would expand to {total / 1048576:.0f} MB; refusing to open it.",
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        # Small parts compress very well legitimately; only large, extreme ratios are suspicious.
        if info.file_size > 1024 * 1024 and ratio > limits.max_compression_ratio:
            return _reject(
                file_type,
                RejectionCode.ZIP_BOMB,
                f"The document part {info.filename!r} expands {ratio:.0f}x; "
                "refusing to open a possible zip bomb.",
            )
    return None


def _screen_docx(data: bytes, limits: IntakeLimits) -> Screened:
    bomb = _zip_guard(data, limits, FileType.DOCX)
    if bomb is not None:
        return bomb
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if zf.testzip() is not None:
                return _reject(
                    FileType.DOCX,
                    RejectionCode.CORRUPT_FILE,
                    "The Word document is damaged (a part fails its checksum).",
                )
    except zipfile.BadZipFile:
        return _reject(FileType.DOCX, RejectionCode.CORRUPT_FILE, "The Word document is damaged.")
    except Exception:
        return _reject(FileType.DOCX, RejectionCode.CORRUPT_FILE, "The Word document is damaged.")
    try:
        document = extract_docx(data)
    except Exception:
        return _reject(
            FileType.DOCX,
            RejectionCode.CORRUPT_FILE,
            "The Word document could not be read. Re-save it as .docx and try again.",
        )
    if not document.text.strip():
        return _reject(FileType.DOCX, RejectionCode.NO_TEXT, "The Word document contains no text.")
    return Screened(FileType.DOCX, document=document)
