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

_HEADING_LOOKUP: dict[str, str] = {
    phrase: name for name, phrases in SECTION_HEADINGS.items() for phrase in phrases
}
_STRIP = re.compile(r"[^a-z& ]+")


def normalize_heading(line: str) -> str:
    """Lower-case a candidate heading and drop decoration (colons, bullets, rules, letter spacing)."""
    text = line.strip()
    # "E X P E R I E N C E" letter-spaced headings.
    if re.fullmatch(r"(?:[A-Za-z&] )+[A-Za-z&]", text):
        text = text.replace(" ", "")
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
