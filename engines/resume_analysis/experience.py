"""Work-experience entries: split the experience section into positions and parse each header.

Resumes write a position header in many shapes ("Title | Company | Jan 2019 – Present",
"Company — City" over "Title   01/2019 – 06/2021", "Title at Company (2019–2021)", dates first...).
The parser is a small state machine over lines (bullets vs. header lines vs. descriptions) and then
classifies header chunks as title / employer / location with role and organisation vocabularies.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from .dates import DateRange, find_date_ranges
from .job_words import ORG_WORDS, ROLE_WORDS
from .models import ExperienceEntry
from .places import is_place

# Bullet glyphs, including symbol-font private-use glyphs (U+F0B7 and friends) that PDF producers emit.
BULLET_RE = re.compile(r"^\s*(?:[•●○◦▪▫■□►▸➢➤✓✔\-–—*·>\uf000-\uf0ff]|o(?=\s)|\d{1,2}[.)](?=\s))\s*")

# Head nouns and modifiers of job titles (lower case). A chunk with one of these is very likely a title.
SENIORITY_WORDS = frozenset(
    ["senior", "junior", "jr", "sr", "principal", "staff", "lead", "chief", "head", "entry-level", "graduate"]
)
_CHUNK_SPLIT = re.compile(r"\s+[|•·–—]\s+|\s*\|\s*|\t+|\s{3,}|\s+-\s+|\s+@\s+|\s+at\s+(?=[A-Z])")
_LOCATION_CHUNK = re.compile(
    r"^(?:remote|hybrid|on-?site|[A-Z][a-zA-Z.'-]+(?:\s[A-Z][a-zA-Z.'-]+){0,2},\s*(?:[A-Z]{2}|[A-Z][a-zA-Z]+"
    r"(?:\s[A-Z][a-zA-Z]+)?))$",
    re.IGNORECASE,
)


@dataclass
class _RawEntry:
    header: list[str] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    dates: DateRange | None = None


def is_bullet(line: str) -> bool:
    """Line starts with a bullet glyph, dash or list number."""
    return bool(BULLET_RE.match(line)) and len(BULLET_RE.sub("", line, count=1).strip()) > 0


def strip_bullet(line: str) -> str:
    """Remove a leading bullet glyph."""
    return BULLET_RE.sub("", line, count=1).strip()


def _is_description(line: str) -> bool:
    """Sentences, not headers: long, or mostly lower-case words (titles and names are Title Case)."""
    words = line.split()
    if len(words) > 14:
        return True
    if len(words) < 3 or (len(words) <= 5 and title_score(line) > 0):
        return False
    lower = sum(1 for w in words if w[:1].islower())
    return lower / len(words) >= 0.5


def merge_wrapped_lines(lines: list[str]) -> list[str]:
    """Undo line wrapping from PDF text: lower-case continuations and dates split across lines.

    "• Built services with Python, serving 25K" + "users" becomes one bullet; "May 2020 to Dec" + "2021"
    becomes one date range.
    """
    out: list[str] = []
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if out and line[:1].islower() and not is_bullet(line):
            out[-1] = f"{out[-1]} {line}"
            continue
        if out and not find_date_ranges(out[-1]) and not find_date_ranges(line):
            # Table cells wrap independently: merge the first cells ("May 2020 to Dec" + "2022").
            prev_cells, cells = (
                re.split(r"\s{4,}", out[-1], maxsplit=1),
                re.split(r"\s{4,}", line, maxsplit=1),
            )
            joined = f"{prev_cells[0]} {cells[0]}"
            ranges = find_date_ranges(joined)
            if ranges and ranges[0].span[0] < len(prev_cells[0]) < ranges[0].span[1]:
                out[-1] = "    ".join([joined, *prev_cells[1:]])
                if len(cells) > 1:
                    out.append(cells[1])
                continue
        out.append(line)
    return out


def title_score(chunk: str) -> float:
    """How much a text chunk looks like a job title (0 = not at all)."""
    words = [w.strip(".,()").lower() for w in chunk.split()]
    if not words:
        return 0.0
    score = 0.0
    if any(w in ROLE_WORDS for w in words):
        score += 2.0
        if words[-1] in ROLE_WORDS or (len(words) > 2 and words[-2] in ROLE_WORDS):
            score += 0.5
    if any(w in SENIORITY_WORDS for w in words):
        score += 0.5
    if any(w in ORG_WORDS for w in words):
        score -= 1.0
    return score


def employer_score(chunk: str) -> float:
    """How much a text chunk looks like an organisation name."""
    words = [w.strip(".,()") for w in chunk.split()]
    if not words:
        return 0.0
    score = 0.0
    lowered = [w.lower() for w in words]
    if any(w in ORG_WORDS for w in lowered) or "&" in chunk:
        score += 2.0
    if all(w[:1].isupper() or not w[:1].isalpha() for w in words):
        score += 0.5
    if any(w in ROLE_WORDS for w in lowered):
        score -= 1.0
    return score


def _is_location(chunk: str) -> bool:
    return is_place(chunk)


def _chunks(header_lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in header_lines:
        # "(Berlin)" is a location chunk of its own; "(Year 4)" stays part of the title.
        line = re.sub(
            r"\s*[(\[]([^()\[\]]*)[)\]]",
            lambda m: f" | {m.group(1)}" if is_place(m.group(1)) else m.group(0),
            line,
        )
        for piece in _CHUNK_SPLIT.split(line):
            piece = piece.strip(" ,;:-–—|")
            if not piece:
                continue
            # "Senior Engineer, Acme Corp": split a comma when both sides are meaningful and the
            # right side is not a location ("Berlin, Germany") or legal suffix ("Acme, Inc.").
            if "," in piece and not _is_location(piece):
                head, _, tail = piece.rpartition(",")
                if head.strip() and _is_location(tail) and not _is_location(head):
                    # "Kerry Group plc, Dublin", "University of Nigeria, Nsukka, Nsukka": trailing place.
                    out.extend([*_chunks([head]), tail.strip()])
                    continue
                left, right = (p.strip() for p in piece.split(",", 1))
                right_is_suffix = right.lower().rstrip(".") in {
                    "inc",
                    "llc",
                    "ltd",
                    "co",
                    "corp",
                    "plc",
                    "gmbh",
                }
                if left and right and not right_is_suffix:
                    if _is_location(right):
                        out.extend([left, right])
                        continue
                    if title_score(left) > 0 or title_score(right) > 0:
                        out.extend([left, right])
                        continue
            out.append(piece)
    return out


def parse_header(header_lines: list[str]) -> tuple[str | None, str | None, str | None]:
    """(title, employer, location) from an entry's header lines with the dates already removed."""
    chunks = [c for c in _chunks(header_lines) if c and not re.fullmatch(r"[\d\s/.\-–]+", c)]
    places = [c for c in chunks if _is_location(c)]
    # Two places ("Summit" and "Portland, OR"): the one with a region is the location.
    location = next((c for c in places if "," in c), places[0]) if places else None
    rest = [c for c in chunks if c != location]
    if not rest:
        return None, None, location
    title_idx = max(
        range(len(rest)), key=lambda i: (title_score(rest[i]) - employer_score(rest[i]) * 0.5, -i)
    )
    title: str | None = rest[title_idx]
    if title_score(rest[title_idx]) <= 0:
        # No role word anywhere: the first chunk is most often the title in that case.
        title_idx = 0
        title = rest[0]
    others = [c for i, c in enumerate(rest) if i != title_idx]
    employer = max(others, key=lambda c: (employer_score(c), -others.index(c))) if others else None
    if employer is None and location is not None and "," not in location:
        # "Senior Data Scientist at Oakridge": with no other candidate, a one-word name that is also a
        # place ("Summit", "Oakridge") is the employer; "Portland, OR" stays a location.
        employer, location = location, None
    return title, employer, location


def split_entries(body: str) -> list[_RawEntry]:
    """Group experience-section lines into raw entries (header lines, bullets, dates)."""
    entries: list[_RawEntry] = []
    pending: list[str] = []
    header_open = False
    for line in merge_wrapped_lines(body.splitlines()):
        ranges = find_date_ranges(line)
        if is_bullet(line) and not ranges:
            if pending:
                entries.append(_RawEntry(header=pending))
                pending = []
            if entries:
                entries[-1].bullets.append(strip_bullet(line))
            header_open = False
        elif ranges:
            text_without_dates = strip_bullet(line.replace(ranges[0].text, " ")).strip(" |,–—-")
            if header_open and entries and entries[-1].dates is None and len(entries[-1].header) <= 2:
                # "Title / Company" block followed by its dates on the next line.
                entries[-1].header.append(text_without_dates)
                entries[-1].dates = ranges[0]
            else:
                entries.append(_RawEntry(header=[*pending, text_without_dates], dates=ranges[0]))
            pending = []
            header_open = True
        elif (
            entries
            and _is_location(line)
            and not pending
            and not any(_is_location(c) for c in _chunks(entries[-1].header))
        ):
            entries[-1].header.append(line)  # "Portland, OR" under a job: its location, not a new job
        elif _is_description(line):
            if pending and entries and not header_open:
                entries[-1].bullets.extend(pending)
                pending = []
            if entries:
                entries[-1].bullets.append(strip_bullet(line))
            header_open = False
        elif (
            header_open
            and entries
            and len([c for c in _chunks([h for h in entries[-1].header if h]) if not _is_location(c)]) < 2
        ):
            entries[-1].header.append(line)
        else:
            header_open = False
            pending.append(line)
            if len(pending) > 3:  # stray lines (e.g. an intro paragraph): keep the latest few only
                pending = pending[-3:]
    if pending:
        entries.append(_RawEntry(header=pending))
    return [e for e in entries if any(h.strip() for h in e.header)]


def extract_experience(body: str, as_of: dt.date) -> list[ExperienceEntry]:
    """Parse the experience section body into :class:`ExperienceEntry` records."""
    out = []
    for raw in split_entries(body):
        title, employer, location = parse_header([h for h in raw.header if h.strip()])
        dates = raw.dates
        out.append(
            ExperienceEntry(
                title=title,
                employer=employer,
                location=location,
                start=dates.start.iso() if dates else None,
                end=dates.end.iso() if dates and dates.end else None,
                is_current=bool(dates and dates.is_current),
                months=dates.months(as_of) if dates else None,
                date_text=dates.text if dates else None,
                bullets=raw.bullets,
            )
        )
    return out


def total_months(entries: list[ExperienceEntry]) -> int:
    """Months of experience with overlapping positions counted once."""
    covered: set[int] = set()
    for entry in entries:
        if entry.start is None or entry.months is None:
            continue
        year, month = (int(p) for p in entry.start.split("-"))
        base = year * 12 + month - 1
        covered.update(range(base, base + entry.months))
    return len(covered)
