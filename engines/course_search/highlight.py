"""Snippets and highlights that also mark typo-matched words (pure functions).

tantivy's own snippet generator only knows the literal query terms, so a search for "pyhton" would
find "Python" but highlight nothing; this highlighter applies the same edit-distance rule as the query.
"""

from __future__ import annotations

import html
import re

from engines.course_search.schema import MAX_TOKEN_LEN, fuzzy_distance

_ALNUM_RUN = re.compile(r"[^\W_]+")


def edit_distance_within(a: str, b: str, limit: int) -> bool:
    """True if the optimal-string-alignment distance (transpositions cost 1) of a and b is <= limit."""
    if a == b:
        return True
    if limit <= 0 or abs(len(a) - len(b)) > limit:
        return False
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return False
        prev2, prev = prev, cur
    return prev[-1] <= limit


def matching_spans(text: str, terms: list[str], fuzzy: bool = True) -> list[tuple[int, int]]:
    """Character spans of the words in ``text`` that match a query term (exactly or within its distance)."""
    spans = []
    for m in _ALNUM_RUN.finditer(text):
        word = m.group(0).lower()
        if len(word) > MAX_TOKEN_LEN:
            continue
        for term in terms:
            if word == term or (fuzzy and edit_distance_within(word, term, fuzzy_distance(term))):
                spans.append(m.span())
                break
    return spans


def _mark(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    out, pos = [], start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(html.escape(text[pos:s]))
        out.append(f"<b>{html.escape(text[s:e])}</b>")
        pos = e
    out.append(html.escape(text[pos:end]))
    return "".join(out)


def highlight(text: str, terms: list[str], fuzzy: bool = True) -> str:
    """The whole text, HTML-escaped, with matching words wrapped in ``<b>``."""
    return _mark(text, matching_spans(text, terms, fuzzy), 0, len(text))


def snippet(text: str, terms: list[str], max_chars: int = 200, fuzzy: bool = True) -> str:
    """A window of about ``max_chars`` around the densest run of matches, highlighted; '…' marks cuts."""
    if not text:
        return ""
    spans = matching_spans(text, terms, fuzzy)
    if len(text) <= max_chars:
        return _mark(text, spans, 0, len(text))
    # Pick the window start (at a match) that covers the most matches.
    best_start, best_count = 0, 0
    for i, (s, _) in enumerate(spans):
        count = sum(1 for s2, e2 in spans[i:] if e2 <= s + max_chars)
        if count > best_count:
            best_start, best_count = s, count
    start = max(0, best_start - max_chars // 4)
    # Snap to word boundaries so the window never cuts a word in half.
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < best_start else start
    end = min(len(text), start + max_chars)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return prefix + _mark(text, spans, start, end) + suffix
