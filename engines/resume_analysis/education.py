"""Education entries (degree level, field, institution, dates), certifications and the summary."""

from __future__ import annotations

import re

from .dates import find_date_ranges, find_single_dates
from .experience import is_bullet, strip_bullet
from .models import DegreeLevel, EducationEntry

# Ordered highest first so the first pattern that matches a line decides its level.
_DEGREE_PATTERNS: list[tuple[DegreeLevel, re.Pattern[str]]] = [
    (
        DegreeLevel.DOCTORATE,
        re.compile(
            r"\b(?:ph\.?\s?d\.?|d\.?\s?phil|doctor(?:ate)?\s+(?:of|in)|doctoral|ed\.d\.?|d\.?sc\.?|m\.d\.|j\.d\.|"
            r"juris doctor|doctorate)(?![a-z])",
            re.IGNORECASE,
        ),
    ),
    (
        DegreeLevel.MASTER,
        re.compile(
            r"\b(?:master(?:'?s)?(?:\s+degree|\s+of|\s+in)|masters\b|m\.?\s?sc\.?|m\.s\.|ms\s+(?:in|of)\b|m\.a\.|"
            r"ma\s+in\b|mba\b|m\.b\.a\.|m\.?eng\.?|mph\b|mfa\b|msn\b|ll\.?m\.?|m\.ed\.?|mres\b|mphil\b|"
            r"m\.phil\.?|mpharm\b|mchem\b|mphys\b|msci\b|m\.e\.(?=\s|$)|ma\s*\(hons\)|msc\b)",
            re.IGNORECASE,
        ),
    ),
    (
        DegreeLevel.BACHELOR,
        re.compile(
            r"\b(?:bachelor(?:'?s)?(?:\s+degree|\s+of|\s+in)?|b\.?\s?sc\.?|b\.s\.|bs\s+(?:in|of)\b|b\.a\.|ba\s+(?:in|of)\b|"
            r"b\.?eng\.?|bba\b|b\.b\.a\.|bsn\b|b\.com\b|bcom\b|bfa\b|b\.tech\b|btech\b|"
            r"undergraduate degree|engineer['’]s degree|b\.e\.(?=\s|$)|be\s+in\b|bsc\b|ba\b(?=\s*\(hons\))|"
            r"llb\b|ll\.b\.?)|\(hons\)",
            re.IGNORECASE,
        ),
    ),
    (
        DegreeLevel.ASSOCIATE,
        re.compile(
            r"\b(?:associate(?:'s)?\s+(?:degree|of|in)|a\.a\.s?\.?|a\.s\.|aas\b|associate degree|"
            r"foundation degree|hnd\b|advanced diploma)",
            re.IGNORECASE,
        ),
    ),
    (
        DegreeLevel.HIGH_SCHOOL,
        re.compile(
            r"\b(?:high school|secondary school|ged\b|a-levels?|a levels|abitur|baccalaureate|"
            r"hs diploma|general certificate of secondary education|gcse|btec\b|ncea\b|leaving certificate)",
            re.IGNORECASE,
        ),
    ),
]
_INSTITUTION_RE = re.compile(
    r"\b(?:university|college|institute|school|academy|polytechnic|universit[äa]t|[ée]cole|conservatory|"
    r"seminary|hochschule)\b",
    re.IGNORECASE,
)
_FIELD_RE = re.compile(
    r"\b(?:in|of)\s+([A-Z][A-Za-z&,' ]{2,60}?)(?=\s*(?:[,|;(–—-]|\s{2,}|$|\bfrom\b|\bat\b))"
)
_CERT_HINT = re.compile(
    r"\b(?:certified|certification|certificate|licensed|license|licence)\b", re.IGNORECASE
)


def degree_level_of(line: str) -> DegreeLevel:
    """Degree level named in one line of text (NONE if none)."""
    for level, pattern in _DEGREE_PATTERNS:
        if pattern.search(line):
            # "Doctor of ..." in a job title / "Associate" as a job level never reach here: the patterns
            # require the degree wording ("Associate of", "Doctor of").
            return level
    return DegreeLevel.NONE


def extract_education(body: str) -> list[EducationEntry]:
    """Entries from the education section body: one per line that names a degree or an institution."""
    lines = [strip_bullet(line) if is_bullet(line) else line.strip() for line in body.splitlines()]
    lines = [line for line in lines if line]
    entries: list[EducationEntry] = []
    for i, line in enumerate(lines):
        level = degree_level_of(line)
        if level is DegreeLevel.NONE:
            continue
        # The next line is where a school usually sits under its degree; the previous line comes second.
        following = []
        for nxt in lines[i + 1 : i + 3]:
            if degree_level_of(nxt) is not DegreeLevel.NONE:
                break
            following.append(nxt)
        context = following + lines[max(0, i - 1) : i]
        institution = next((_clean(c) for c in _pieces(line) if _INSTITUTION_RE.search(c)), None)
        if institution is None:
            institution = next(
                (
                    _clean(p)
                    for c in context
                    if c is not line
                    for p in _pieces(c)
                    if _INSTITUTION_RE.search(p) and degree_level_of(p) is DegreeLevel.NONE
                ),
                None,
            )
        start = end = None
        for candidate in (line, *context):
            ranges = find_date_ranges(candidate)
            if ranges:
                start = ranges[0].start.iso()
                end = ranges[0].end.iso() if ranges[0].end else None
                break
            singles = find_single_dates(candidate)
            if singles:
                end = singles[-1][0].iso()
                break
        field_match = _FIELD_RE.search(line)
        degree_piece = next((p for p in _pieces(line) if degree_level_of(p) is level), line)
        entries.append(
            EducationEntry(
                degree_level=level,
                degree=_clean(degree_piece),
                field_of_study=_clean(field_match.group(1)) if field_match else None,
                institution=institution,
                start=start,
                end=end,
            )
        )
    return entries


def highest_degree(entries: list[EducationEntry], full_text: str) -> DegreeLevel:
    """Highest level among entries; without an education section, scan the text with the same patterns."""
    if entries:
        return max(e.degree_level for e in entries)
    best = DegreeLevel.NONE
    for line in full_text.splitlines():
        best = max(best, degree_level_of(line))
    return best


def extract_certifications(cert_body: str | None, full_text: str) -> list[str]:
    """Certification names from the certifications section, else lines that say "certified"."""
    found: list[str] = []
    if cert_body:
        for raw in cert_body.splitlines():
            line = strip_bullet(raw) if is_bullet(raw) else raw.strip()
            line = re.sub(r"\s*[(,|–—-]*\s*(?:\d{1,2}/)?(?:19|20)\d\d\)?\s*$", "", line).strip()
            if 2 < len(line) < 120 and line not in found:
                found.append(line)
        return found
    for raw in full_text.splitlines():
        line = strip_bullet(raw) if is_bullet(raw) else raw.strip()
        if _CERT_HINT.search(line) and len(line.split()) <= 12 and line not in found:
            found.append(line)
    return found


def _pieces(line: str) -> list[str]:
    return [
        p
        for p in re.split(
            r"\s*[|•·–—]\s*|\s{3,}|\t|,\s+(?=[A-Z][a-z]+\s(?:University|College|Institute))|"
            r"\s+-\s+",
            line,
        )
        if p.strip()
    ]


def _clean(text: str) -> str:
    text = re.sub(r"\b(?:19|20)\d\d\b", "", text)
    return text.strip(" ,;:|()-–—")
