"""Dataclasses produced by the resume analysis engine.

Everything here is plain data: the engine's functions return these, and ``to_dict`` on
:class:`ResumeAnalysis` turns the whole tree into JSON-safe primitives for the API / event payloads.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from typing import Any, Literal

ANALYZER_VERSION = "1.0.0"


class FileType(enum.StrEnum):
    """Document formats the engine accepts, detected from content (never from the file name)."""

    PDF = "pdf"
    DOCX = "docx"
    TXT = "txt"


class RejectionCode(enum.StrEnum):
    """Why a file was refused at intake; the API maps each to a 4xx status."""

    EMPTY_FILE = "empty_file"
    FILE_TOO_LARGE = "file_too_large"
    UNSUPPORTED_TYPE = "unsupported_type"
    ENCRYPTED_PDF = "encrypted_pdf"
    CORRUPT_FILE = "corrupt_file"
    NO_TEXT_LAYER = "no_text_layer"
    ZIP_BOMB = "zip_bomb"
    NO_TEXT = "no_text"


# 413 for size, 415 for format, 422 for a well-formed request whose document we cannot use.
REJECTION_HTTP_STATUS: dict[RejectionCode, int] = {
    RejectionCode.EMPTY_FILE: 422,
    RejectionCode.FILE_TOO_LARGE: 413,
    RejectionCode.UNSUPPORTED_TYPE: 415,
    RejectionCode.ENCRYPTED_PDF: 422,
    RejectionCode.CORRUPT_FILE: 422,
    RejectionCode.NO_TEXT_LAYER: 422,
    RejectionCode.ZIP_BOMB: 422,
    RejectionCode.NO_TEXT: 422,
}


@dataclass(frozen=True)
class Rejection:
    """A typed, human-readable refusal of an uploaded file."""

    code: RejectionCode
    reason: str

    @property
    def http_status(self) -> int:
        """HTTP status the API should answer with for this rejection."""
        return REJECTION_HTTP_STATUS[self.code]


class DegreeLevel(enum.IntEnum):
    """Highest education level, ordered so ``max()`` picks the highest."""

    NONE = 0
    HIGH_SCHOOL = 1
    ASSOCIATE = 2
    BACHELOR = 3
    MASTER = 4
    DOCTORATE = 5

    @property
    def label(self) -> str:
        """Lower-case wire name (``"bachelor"``...)."""
        return self.name.lower()


@dataclass
class LayoutFacts:
    """Facts about the document's physical layout that matter to ATS parsers."""

    file_type: FileType
    page_count: int
    multi_column: bool = False
    column_count: int = 1
    tables: int = 0
    images: int = 0
    text_boxes: int = 0
    header_footer_text: str = ""
    fonts: list[str] = field(default_factory=list)
    word_count: int = 0
    char_count: int = 0


@dataclass
class ExtractedDocument:
    """Text in reading order plus layout facts, the output of extraction."""

    text: str
    layout: LayoutFacts
    # Paragraph indices / lines the source format itself marked as headings (DOCX heading styles,
    # larger/bold PDF fonts). Section detection uses them as a hint next to its vocabulary.
    heading_hints: frozenset[str] = frozenset()
    # The line set in the largest type near the top (PDF) or the first line of a text box / page header
    # (DOCX): where a designed resume puts the person's name, wherever it sits in reading order.
    name_hint: str | None = None


@dataclass
class Section:
    """A resume section found by heading detection; offsets index into the analysed text."""

    name: str
    heading: str
    start: int
    end: int


@dataclass
class SkillMatch:
    """One skill found in the text, with its best span and a confidence in [0, 1]."""

    name: str
    skill_id: str | None
    confidence: float
    start: int
    end: int
    text: str
    section: str | None
    occurrences: int = 1


@dataclass
class ContactInfo:
    """Contact details; personal data, so it never goes into an LLM prompt."""

    name: str | None = None
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    location: str | None = None
    in_header_footer: bool = False


@dataclass
class ExperienceEntry:
    """One position in the work history."""

    title: str | None
    employer: str | None
    location: str | None = None
    start: str | None = None  # "YYYY-MM"
    end: str | None = None  # "YYYY-MM"; None with is_current=True means "present"
    is_current: bool = False
    months: int | None = None
    date_text: str | None = None
    bullets: list[str] = field(default_factory=list)


@dataclass
class EducationEntry:
    """One education entry (degree, school)."""

    degree_level: DegreeLevel
    degree: str | None = None
    field_of_study: str | None = None
    institution: str | None = None
    start: str | None = None
    end: str | None = None


@dataclass
class Finding:
    """A concrete ATS observation, e.g. "two-column layout: most ATS read across columns"."""

    category: Literal["format", "structure", "keywords", "content"]
    severity: Literal["info", "warning", "critical"]
    code: str
    message: str


@dataclass
class KeywordReport:
    """Keyword match between the resume and a target role / job description."""

    source: Literal["target_skills", "job_description"]
    matched: list[str]
    missing: list[str]
    score: float  # 0-100


@dataclass
class ATSReport:
    """ATS compatibility: sub-scores (0-100) and findings."""

    format_score: float
    structure_score: float
    keyword_score: float | None
    keywords: KeywordReport | None
    findings: list[Finding]


@dataclass
class ScoreBreakdown:
    """Overall 0-100 score with the parts and weights it was computed from."""

    overall: int
    parts: dict[str, float]
    weights: dict[str, float]


@dataclass
class Feedback:
    """Improvement advice; ``source`` says whether an LLM or the rule engine wrote it."""

    source: Literal["llm", "rules"]
    summary: str
    suggestions: list[str]
    model: str | None = None
    fallback_reason: str | None = None


@dataclass
class ResumeAnalysis:
    """Complete result for one uploaded file; ``status == "failed"`` carries the rejection instead."""

    status: Literal["completed", "failed"]
    filename: str
    size_bytes: int
    sha256: str
    file_type: FileType | None = None
    rejection: Rejection | None = None
    layout: LayoutFacts | None = None
    sections: list[Section] = field(default_factory=list)
    contact: ContactInfo | None = None
    summary: str | None = None
    experience: list[ExperienceEntry] = field(default_factory=list)
    education: list[EducationEntry] = field(default_factory=list)
    highest_degree: DegreeLevel = DegreeLevel.NONE
    certifications: list[str] = field(default_factory=list)
    skills: list[SkillMatch] = field(default_factory=list)
    total_experience_months: int = 0
    ats: ATSReport | None = None
    score: ScoreBreakdown | None = None
    feedback: Feedback | None = None
    analyzer_version: str = ANALYZER_VERSION

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict (enums as strings, DegreeLevel as its lower-case name)."""
        out = _jsonable(dataclasses.asdict(self))
        if self.rejection is not None:
            out["rejection"]["http_status"] = self.rejection.http_status
        return out  # type: ignore[no-any-return]


def _jsonable(value: Any) -> Any:
    """Recursively convert enums / frozensets / tuples into JSON primitives."""
    if isinstance(value, DegreeLevel):
        return value.label
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_jsonable(v) for v in value]
        return sorted(items) if isinstance(value, set | frozenset) else items
    return value
