"""PDF reading order from word positions (pdfminer.six through pdfplumber).

Lines are rebuilt from words on a shared baseline; small-caps runs ("S" + "UMMARY" in two sizes) are
joined, letter-spaced headings ("W O R K   H I S T O R Y") are repaired, wide gaps become a tab-like
separator (four spaces), and a page with two text columns (a sidebar, a right-hand column) is read
column by column between full-width lines, instead of across the gutter.
"""

from __future__ import annotations

import io
import itertools
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pdfplumber

_HEADER_BAND = 0.07
_FOOTER_BAND = 0.06
COLUMN_GAP = "    "
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


@dataclass
class Word:
    """One word with its box (pdfplumber coordinates: top-down) and font."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    font: str


@dataclass
class Line:
    """Words sharing a baseline, left to right."""

    words: list[Word]

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def x0(self) -> float:
        return min(w.x0 for w in self.words)

    def text(self) -> str:
        return _join_words(self.words)


@dataclass
class PageText:
    """Reading-order text of one page plus layout facts."""

    text: str
    header_footer: list[str]
    heading_hints: set[str]
    columns: int
    fonts: Counter[str]
    largest: list[tuple[float, str]]  # (font size, line text) of the page's lines


def _is_bold(font: str) -> bool:
    low = font.lower()
    return "bold" in low or "black" in low or "heavy" in low or "semibold" in low


def _join_words(words: list[Word]) -> str:
    words = sorted(words, key=lambda w: w.x0)
    singles = [w for w in words if len(w.text) == 1 and w.text.isalpha()]
    if len(words) >= 4 and len(singles) >= 0.6 * len(words):
        return _join_spaced(words)
    out = ""
    prev: Word | None = None
    for w in words:
        if prev is not None:
            gap = w.x0 - prev.x1
            size = max(prev.size, w.size) or 10.0
            small_caps = (
                len(prev.text) == 1 and prev.text.isupper() and w.text.isupper() and w.size < prev.size * 0.92
            )
            if gap > max(size * 0.9, 6.0):
                out = out.rstrip() + COLUMN_GAP
            elif gap > size * 0.1 and not (small_caps and gap < size * 0.3):
                out += " "
            # else: touching glyph runs (small caps, kerning) belong to one word
        out += w.text
        prev = w
    return out.strip()


def _join_spaced(words: list[Word]) -> str:
    """Letter-spaced text: letters close together form a word, wider gaps separate words."""
    gaps = [b.x0 - a.x1 for a, b in itertools.pairwise(words)]
    positive = sorted(g for g in gaps if g > 0)
    base = positive[len(positive) // 4] if positive else 1.0
    out = words[0].text
    for gap, w in zip(gaps, words[1:], strict=False):
        out += (" " if gap > max(base * 1.7, base + 3.0) else "") + w.text
    return out


def _lines(words: list[Word]) -> list[Line]:
    """Group words into lines by baseline (bottom), tolerant to mixed sizes on one line."""
    lines: list[Line] = []
    for w in sorted(words, key=lambda w: (round(w.bottom, 1), w.x0)):
        if lines and abs(lines[-1].words[-1].bottom - w.bottom) <= max(2.0, 0.25 * w.size):
            lines[-1].words.append(w)
        else:
            lines.append(Line([w]))
    for line in lines:
        line.words.sort(key=lambda w: w.x0)
    return lines


def find_gutter(words: list[Word], width: float, height: float) -> float | None:
    """x of the gutter between two text columns, or None for a one-column page.

    A gutter is the widest vertical strip (inside the middle 70% of the page) that no word crosses
    except on a few full-width lines, with substantial text on both sides over a common vertical range.
    A side made mostly of dates (a dates column, right-aligned dates) is read across, row by row.
    """
    if len(words) < 20:
        return None
    lo, hi = int(width * 0.15), int(width * 0.85)
    occupied = [0] * (hi - lo + 1)
    for w in words:
        a, b = max(lo, int(w.x0) + 1), min(hi, int(w.x1) - 1)
        for x in range(a, b + 1):
            occupied[x - lo] += 1
    limit = max(1, int(0.01 * len(words)))
    best: tuple[int, float] | None = None
    start = None
    for i, count in enumerate([*occupied, limit + 1]):
        if count <= limit and start is None:
            start = i
        elif count > limit and start is not None:
            span = i - start
            if span >= 8 and (best is None or span > best[0]):
                best = (span, lo + (start + i - 1) / 2.0)
            start = None
    if best is None:
        return None
    gutter = best[1]
    left = [w for w in words if w.x1 <= gutter]
    right = [w for w in words if w.x0 >= gutter]
    if len(left) < 10 or len(right) < 10:
        return None
    extents = [max(w.bottom for w in side) - min(w.top for w in side) for side in (left, right)]
    overlap = min(max(w.bottom for w in left), max(w.bottom for w in right)) - max(
        min(w.top for w in left), min(w.top for w in right)
    )
    if overlap < 0.5 * min(extents) or min(extents) < height * 0.12:
        return None
    for side in (left, right):
        side_lines = [line.text() for line in _lines(side)]
        dated = sum(1 for t in side_lines if _YEAR.search(t))
        if dated >= 0.4 * len(side_lines):
            return None
    return gutter


def _ordered_text(words: list[Word], gutter: float | None) -> list[Line]:
    """Lines in reading order: column by column between full-width lines when there is a gutter."""
    all_lines = _lines(words)
    if gutter is None:
        return all_lines
    out: list[Line] = []
    block: list[Line] = []

    def flush() -> None:
        block_words = [w for line in block for w in line.words]
        out.extend(_lines([w for w in block_words if w.x1 <= gutter + 0.5]))
        out.extend(_lines([w for w in block_words if w.x1 > gutter + 0.5]))
        block.clear()

    for line in all_lines:
        if any(w.x0 < gutter < w.x1 for w in line.words):
            flush()
            out.append(line)
        else:
            block.append(line)
    flush()
    return out


_CID = re.compile(r"\(cid:\d+\)")


def _glyph_text(text: str, font: str) -> str:
    """Symbol-font glyphs ("n" in ZapfDingbats) and unmapped glyphs ("(cid:127)") are bullets."""
    if "dingbat" in font.lower() or ("symbol" in font.lower() and len(text) == 1):
        return "•"
    return _CID.sub("•", text)


def read_page(page: Any) -> PageText:
    """Reading-order text of one pdfplumber page."""
    raw = page.extract_words(x_tolerance=2.5, y_tolerance=3, extra_attrs=["size", "fontname"])
    words = [
        Word(
            _glyph_text(str(w["text"]), str(w.get("fontname") or "")),
            float(w["x0"]),
            float(w["x1"]),
            float(w["top"]),
            float(w["bottom"]),
            float(w.get("size") or 10.0),
            str(w.get("fontname") or "").split("+", 1)[-1],
        )
        for w in raw
        if str(w["text"]).strip()
    ]
    height, width = float(page.height), float(page.width)
    fonts: Counter[str] = Counter()
    for w in words:
        if w.font:
            fonts[w.font] += len(w.text)
    top_band = [w for w in words if w.bottom < height * _HEADER_BAND]
    bottom_band = [w for w in words if w.top > height * (1 - _FOOTER_BAND)]
    band_ids = {id(w) for w in (*top_band, *bottom_band)}
    body = [w for w in words if id(w) not in band_ids]
    gutter = find_gutter(body, width, height)
    lines = [*_lines(top_band), *_ordered_text(body, gutter), *_lines(bottom_band)]
    sizes = [w.size for w in body if w.size > 0]
    median = statistics.median(sizes) if sizes else 10.0
    hints: set[str] = set()
    largest: list[tuple[float, str]] = []
    for line in lines:
        text = line.text()
        if not text:
            continue
        size = max(w.size for w in line.words)
        largest.append((size, text))
        if len(text.split()) <= 6 and (
            all(w.size > median * 1.12 for w in line.words) or all(_is_bold(w.font) for w in line.words)
        ):
            hints.add(text.strip().lower())
    bands = [t for t in (_lines_text(top_band), _lines_text(bottom_band)) if t]
    text = "\n".join(line.text() for line in lines if line.text())
    return PageText(text, bands, hints, 2 if gutter is not None else 1, fonts, largest)


def _lines_text(words: list[Word]) -> str:
    return "\n".join(line.text() for line in _lines(words) if line.text())


def read_pdf(data: bytes) -> list[PageText]:
    """Every page of a PDF in reading order (raises on files pdfminer cannot parse)."""

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [read_page(page) for page in pdf.pages]
