"""Date and date-range parsing for resume entries ("Jan 2019 – Present", "03/2017 - 11/2020", "2015-2019")."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {
    "jan": 1,
    "january": 1,
    "feb": 2,
    "february": 2,
    "mar": 3,
    "march": 3,
    "apr": 4,
    "april": 4,
    "may": 5,
    "jun": 6,
    "june": 6,
    "jul": 7,
    "july": 7,
    "aug": 8,
    "august": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "oct": 10,
    "october": 10,
    "nov": 11,
    "november": 11,
    "dec": 12,
    "december": 12,
}
_MONTH_NAME = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_YEAR = r"(?:19[5-9]\d|20[0-4]\d)"
_SINGLE = (
    rf"(?:{_MONTH_NAME}\s*,?\s*{_YEAR}"  # Jan 2019, January, 2019
    rf"|(?:0?[1-9]|1[0-2])\s*[/.]\s*{_YEAR}"  # 01/2019, 1.2019
    rf"|{_YEAR}\s*[-/.]\s*(?:0[1-9]|1[0-2])(?!\d)"  # 2019-01
    rf"|{_YEAR})"  # 2019
)
# "Present" in the words resumes use for it, English and a few other languages (heute, atual, aujourd'hui...).
_PRESENT = (
    r"(?:present|current(?:ly)?|now|today|ongoing|to date|till date|till now|date|"
    r"heute|aktuell|atual|actualidad|actual|presente|aujourd['’]hui|en cours|heden|obecnie|nu)"
)
_SEPARATOR = r"\s*(?:-|–|—|~|to|until|till|through|thru)\s*"
DATE_RANGE_RE = re.compile(
    rf"(?<![\w/])(?P<start>{_SINGLE}){_SEPARATOR}(?P<end>{_SINGLE}|{_PRESENT})(?![\w/])", re.IGNORECASE
)
SINGLE_DATE_RE = re.compile(rf"(?<![\w/])(?P<date>{_SINGLE})(?![\w/])", re.IGNORECASE)
_PRESENT_RE = re.compile(_PRESENT, re.IGNORECASE)


@dataclass(frozen=True)
class YearMonth:
    """A month precision date; ``month_known`` is False for year-only dates."""

    year: int
    month: int
    month_known: bool = True

    def iso(self) -> str:
        """``YYYY-MM``."""
        return f"{self.year:04d}-{self.month:02d}"

    def index(self) -> int:
        """Months since year 0, for differences."""
        return self.year * 12 + (self.month - 1)


@dataclass(frozen=True)
class DateRange:
    """A parsed range; ``end`` is None when it runs to the present."""

    start: YearMonth
    end: YearMonth | None
    is_current: bool
    text: str
    span: tuple[int, int]

    def months(self, as_of: dt.date) -> int:
        """Inclusive length in months (Jan–Dec of one year = 12), using ``as_of`` for "present"."""
        end = self.end or YearMonth(as_of.year, as_of.month)
        return max(0, end.index() - self.start.index() + 1)


def parse_single(text: str, *, is_end: bool = False) -> YearMonth | None:
    """Parse one date expression; year-only dates map to January (start) or December (end)."""
    raw = text.strip().lower().rstrip(".")
    match = re.fullmatch(rf"({_MONTH_NAME})\s*,?\s*({_YEAR})", raw)
    if match:
        month = MONTHS[match.group(1).rstrip(".")]
        return YearMonth(int(match.group(2)), month)
    match = re.fullmatch(rf"(0?[1-9]|1[0-2])\s*[/.]\s*({_YEAR})", raw)
    if match:
        return YearMonth(int(match.group(2)), int(match.group(1)))
    match = re.fullmatch(rf"({_YEAR})\s*[-/.]\s*(0[1-9]|1[0-2])", raw)
    if match:
        return YearMonth(int(match.group(1)), int(match.group(2)))
    match = re.fullmatch(_YEAR, raw)
    if match:
        return YearMonth(int(raw), 12 if is_end else 1, month_known=False)
    return None


def find_date_ranges(text: str) -> list[DateRange]:
    """All date ranges in ``text`` in order of appearance."""
    ranges = []
    for match in DATE_RANGE_RE.finditer(text):
        start = parse_single(match.group("start"))
        end_text = match.group("end")
        current = bool(_PRESENT_RE.fullmatch(end_text.strip()))
        end = None if current else parse_single(end_text, is_end=True)
        if start is None or (end is None and not current):
            continue
        if end is not None and end.index() < start.index():
            continue
        ranges.append(DateRange(start, end, current, match.group(0).strip(), match.span()))
    return ranges


def find_single_dates(text: str) -> list[tuple[YearMonth, tuple[int, int]]]:
    """Stand-alone dates (e.g. a graduation year) with their spans."""
    out = []
    for match in SINGLE_DATE_RE.finditer(text):
        parsed = parse_single(match.group("date"), is_end=True)
        if parsed is not None:
            out.append((parsed, match.span()))
    return out
