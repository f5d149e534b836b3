"""Heading detection: split resume text into canonical sections (experience, education, skills...)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .models import Section

# Canonical section -> heading phrases seen on real resumes (lower case, punctuation stripped).
SECTION_HEADINGS: dict[str, tuple[str, ...]] = {
    "summary": (
        "summary",
        "professional summary",
        "profile",
        "professional profile",
        "about me",
        "about",
        "objective",
        "career objective",
        "career summary",
        "executive summary",
        "overview",
        "personal statement",
        "summary of qualifications",
        "qualifications summary",
    ),
    "experience": (
        "experience",
        "work experience",
        "professional experience",
        "employment history",
        "work history",
        "employment",
        "career history",
        "relevant experience",
        "professional background",
        "experience highlights",
        "positions held",
        "career",
    ),
    "education": (
        "education",
        "education and training",
        "academic background",
        "academic history",
        "qualifications",
        "academic qualifications",
        "education & training",
        "degrees",
    ),
    "skills": (
        "skills",
        "technical skills",
        "core skills",
        "key skills",
        "core competencies",
        "competencies",
        "areas of expertise",
        "expertise",
        "skills & tools",
        "skills and tools",
        "tools",
        "technologies",
        "tech stack",
        "skill set",
        "skills summary",
        "professional skills",
        "tools & technologies",
        "tools and technologies",
        "technical proficiencies",
        "areas of practice",
        "practice areas",
    ),
    "certifications": (
        "certifications",
        "certificates",
        "licenses",
        "licenses and certifications",
        "licenses & certifications",
        "certifications and licenses",
        "certifications & licenses",
        "professional certifications",
        "credentials",
        "training and certifications",
        "accreditations",
    ),
    "projects": ("projects", "selected projects", "key projects", "personal projects", "portfolio"),
    "languages": ("languages", "language skills"),
    "awards": ("awards", "honors", "honours", "awards and honors", "achievements", "accomplishments"),
    "publications": ("publications", "papers", "research"),
    "volunteering": ("volunteering", "volunteer experience", "volunteer work", "community involvement"),
    "interests": ("interests", "hobbies", "hobbies and interests"),
    "contact": (
        "contact",
        "contact information",
        "contact details",
        "personal details",
        "personal information",
    ),
    "references": ("references",),
}

# The last word of a short heading line names its section ("Clinical Experience", "Research Skills",
# "Academic Appointments", "Bar Admissions"), whatever the words in front of it.
_HEAD_NOUNS: dict[str, str] = {
    "experience": "experience",
    "history": "experience",
    "employment": "experience",
    "appointments": "experience",
    "positions": "experience",
    "career": "experience",
    "skills": "skills",
    "competencies": "skills",
    "capabilities": "skills",
    "expertise": "skills",
    "proficiencies": "skills",
    "stack": "skills",
    "certifications": "certifications",
    "certificates": "certifications",
    "licenses": "certifications",
    "licences": "certifications",
    "tickets": "certifications",
    "admissions": "certifications",
    "accreditations": "certifications",
    "credentials": "certifications",
    "summary": "summary",
    "profile": "summary",
    "statement": "summary",
    "objective": "summary",
    "education": "education",
    "languages": "languages",
}
_SMALL_WORDS = frozenset({"and", "&", "of", "the", "in", "for", "de"})
# Words of organisation names: "Ministry of Employment" or "Acme Holdings" is an employer, not a heading.
_ORG_WORDS = frozenset(
    [
        "inc",
        "ltd",
        "llc",
        "plc",
        "gmbh",
        "corporation",
        "company",
        "group",
        "holdings",
        "ministry",
        "department",
        "agency",
        "council",
        "bureau",
        "university",
        "college",
        "school",
        "institute",
        "hospital",
        "clinic",
        "bank",
        "technologies",
        "solutions",
        "services",
    ]
)

_HEADING_LOOKUP: dict[str, str] = {
    phrase: name for name, phrases in SECTION_HEADINGS.items() for phrase in phrases
}
_STRIP = re.compile(r"[^a-z& ]+")


_SPACED = re.compile(r"(?:[^\W\d_&]|&)(?: {1,}(?:[^\W\d_&]|&))+")


def repair_spacing(text: str) -> str:
    """Undo letter spacing: "W O R K   H I S T O R Y" -> "WORK HISTORY",
    "E X P E R I E N C E" -> "EXPERIENCE".

    Letters one space apart belong to one word; a wider gap (two or more spaces) separates words.
    Text that is not letter-spaced is returned unchanged.
    """
    stripped = text.strip()
    if not _SPACED.fullmatch(stripped) or len(stripped) < 5:
        return text
    return " ".join(group.replace(" ", "") for group in re.split(r" {2,}", stripped))


def normalize_heading(line: str) -> str:
    """Lower-case a candidate heading and drop decoration (colons, bullets, rules, letter spacing)."""
    text = repair_spacing(line.strip())
    text = _STRIP.sub(" ", text.lower())
    return " ".join(text.split())


def classify_heading(line: str, hinted: bool = False) -> str | None:
    """Return the canonical section for a heading line, or None if the line is not a heading.

    ``hinted`` says the source formatting marked the line as a heading (style, bold, larger font);
    hinted short lines that are not in the vocabulary become an ``other`` section.
    """
    stripped = line.strip()
    if not stripped or len(stripped) > 48:
        return None
    norm = normalize_heading(stripped)
    if not norm or len(norm.split()) > 5:
        return None
    if norm in _HEADING_LOOKUP:
        return _HEADING_LOOKUP[norm]
    words = norm.split()
    shaped = repair_spacing(stripped)
    if (
        len(words) <= 4
        and words[-1] in _HEAD_NOUNS
        and not any(w in _ORG_WORDS for w in words)
        and not re.search(r"[\d.,;!?]$|\d", stripped)
        and (
            shaped.isupper() or all(w[:1].isupper() for w in shaped.split() if w.lower() not in _SMALL_WORDS)
        )
    ):
        return _HEAD_NOUNS[words[-1]]
    # "Experience:" already handled; also accept "Skills - Tools" style compound headings.
    first = re.split(r"\s*(?:&|and)\s*|\s{2,}", norm)[0]
    if first in _HEADING_LOOKUP and len(norm.split()) <= 3 and stripped.upper() == stripped:
        return _HEADING_LOOKUP[first]
    letters = [c for c in stripped if c.isalpha()]
    if (
        hinted
        and letters
        and not any(c.isdigit() for c in stripped)
        and len(norm.split()) <= 3
        and (stripped.upper() == stripped)
    ):
        return "other"
    return None


def split_sections(text: str, heading_hints: Iterable[str] = ()) -> list[Section]:
    """Find section headings line by line; each section runs until the next heading.

    Text before the first heading is returned as a ``header`` section (name, contact block).
    """
    hints = set(heading_hints)
    sections: list[Section] = []
    offset = 0
    current_name, current_heading, current_start = "header", "", 0
    for line in text.splitlines(keepends=True):
        name = classify_heading(line, hinted=line.strip().lower() in hints)
        if name is not None:
            if offset > current_start or current_name != "header":
                sections.append(Section(current_name, current_heading, current_start, offset))
            current_name, current_heading, current_start = name, line.strip(), offset
        offset += len(line)
    sections.append(Section(current_name, current_heading, current_start, len(text)))
    return [s for s in sections if s.end > s.start]


def section_at(sections: list[Section], position: int) -> str | None:
    """Canonical name of the section containing character ``position``."""
    for section in sections:
        if section.start <= position < section.end:
            return section.name
    return None


def section_text(text: str, sections: list[Section], name: str) -> list[tuple[int, str]]:
    """Bodies (without the heading line) of every section called ``name``, with their start offsets."""
    bodies = []
    for section in sections:
        if section.name != name:
            continue
        chunk = text[section.start : section.end]
        first_newline = chunk.find("\n")
        if section.heading and first_newline >= 0:
            bodies.append((section.start + first_newline + 1, chunk[first_newline + 1 :]))
        elif not section.heading:
            bodies.append((section.start, chunk))
    return bodies
