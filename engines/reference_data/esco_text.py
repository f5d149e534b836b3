"""Heuristics that recover labels from ESCO's run-together CSV descriptions.

The ESCO CSV export concatenates ``preferred label``, the alternative labels and the
definition into one string without separators. This module splits them back apart using
statistics learned from the corpus itself:

* the definition starts at the first Title-case word that commonly opens definitions
  (proper nouns in labels such as "Apache Maven" are skipped because they are followed
  by another capitalised word or rarely open a definition);
* label boundaries are scored with P(word ends a label) * P(word starts a label), both
  estimated from the first and last words of every label section in the corpus, with a
  bonus when the next label repeats the stem of the first word (skills usually repeat
  their verb: "assess water quality assessing water quality ...").

Pure functions only; the build script does the I/O.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Container, Iterable
from dataclasses import dataclass, field

# Grid-tuned on the 871 ICT skills whose clean labels are known (see the build report).
BOUNDARY_THRESHOLD = -6.0
STEM_BONUS = 4.0
REPEAT_BONUS = 1.0
MIN_STARTER_COUNT = 3
MAX_ALT_LABEL_WORDS = 6


def normalise_space(text: str) -> str:
    """Collapse all whitespace (including non-breaking spaces) to single spaces."""
    return " ".join(text.replace("\xa0", " ").split())


def _is_title(token: str) -> bool:
    return token[:1].isupper() and (len(token) == 1 or token[1:2].islower())


def _definition_candidates(tokens: list[str]) -> list[int]:
    """Indexes where a definition could start: a Title-case word, not a repeated proper noun,
    not followed by another capitalised word (multi-word proper nouns like "Apache Maven")."""
    out = []
    for i in range(1, len(tokens)):
        tok = tokens[i]
        if not _is_title(tok) or tok in tokens[:i]:
            continue
        if i + 1 < len(tokens) and _is_title(tokens[i + 1]):
            continue
        out.append(i)
    return out


@dataclass
class LabelSplitter:
    """Splits ESCO run-together descriptions; statistics are fitted on the whole CSV column."""

    starters: Counter[str] = field(default_factory=Counter)
    first: Counter[str] = field(default_factory=Counter)
    last: Counter[str] = field(default_factory=Counter)
    total: Counter[str] = field(default_factory=Counter)
    threshold: float = BOUNDARY_THRESHOLD
    stem_bonus: float = STEM_BONUS
    repeat_bonus: float = REPEAT_BONUS

    @classmethod
    def fit(cls, descriptions: Iterable[str]) -> LabelSplitter:
        """Learn definition starters and label start/end word statistics from raw descriptions."""
        token_lists = [normalise_space(d).split() for d in descriptions]
        splitter = cls()
        for toks in token_lists:
            cands = _definition_candidates(toks)
            if cands:
                splitter.starters[toks[cands[0]].lower()] += 1
        for toks in token_lists:
            section = toks[: splitter.definition_start(toks)]
            if not section:
                continue
            splitter.first[section[0].lower()] += 1
            splitter.last[section[-1].lower()] += 1
            splitter.total.update(t.lower() for t in section)
        return splitter

    def definition_start(self, tokens: list[str]) -> int:
        """Index of the first definition token (len(tokens) when there is no definition)."""
        cands = _definition_candidates(tokens)
        for i in cands:
            if self.starters[tokens[i].lower()] >= MIN_STARTER_COUNT:
                return i
        return cands[0] if cands else len(tokens)

    def _boundary_score(self, section: list[str], k: int) -> float:
        """Log-score that a new label starts at section[k]."""
        prev, nxt = section[k - 1].lower(), section[k].lower()
        p_end = (self.last[prev] + 0.1) / (self.total[prev] + 1)
        p_start = (self.first[nxt] + 0.1) / (self.total[nxt] + 1)
        bonus = self.stem_bonus if nxt[:4] == section[0].lower()[:4] else 0.0
        # Synonym labels often swap only the verb: "tend huller machine | mind huller machine".
        lower = [t.lower() for t in section]
        repeat = 0
        for m in range(1, 4):
            if k - m >= 0 and k + 1 + m <= len(lower) and lower[k - m : k] == lower[k + 1 : k + 1 + m]:
                repeat = m
        return math.log(p_end) + math.log(p_start) + bonus + self.repeat_bonus * repeat

    def segment(self, section: list[str]) -> list[str]:
        """Split a label section into labels at every confident boundary."""
        labels: list[str] = []
        start = 0
        for k in range(1, len(section)):
            if self._boundary_score(section, k) > self.threshold:
                labels.append(" ".join(section[start:k]))
                start = k
        if section:
            labels.append(" ".join(section[start:]))
        return labels

    def split(self, description: str) -> tuple[str, list[str], str]:
        """Return (preferred label, alternative labels, definition) for one CSV description."""
        tokens = normalise_space(description).split()
        d = self.definition_start(tokens)
        labels = self.segment(tokens[:d])
        definition = " ".join(tokens[d:])
        if not labels:
            return definition, [], definition
        return labels[0], labels[1:], definition


def clean_alt_labels(label: str, alts: Iterable[str], max_words: int = MAX_ALT_LABEL_WORDS) -> list[str]:
    """Deduplicate alternative labels case-insensitively, dropping the preferred label itself,
    one-letter noise and over-long phrases (a PhraseMatcher should only see short, meaningful terms)."""
    seen = {label.lower()}
    out = []
    for alt in alts:
        alt = normalise_space(alt).strip(" ,;")
        key = alt.lower()
        if len(alt) < 2 or key in seen or len(alt.split()) > max_words:
            continue
        seen.add(key)
        out.append(alt)
    return out


def _singular(word: str) -> str:
    w = word.lower()
    for suffix in ("ies", "es", "s"):
        if w.endswith(suffix) and len(w) > len(suffix) + 2:
            return w[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return w


def _plural_of(one: str, other: str) -> bool:
    """`other` is `one` or its plural: "concierge"/"concierges", "nanny"/"nannies", "fireman"/"firemen"."""
    return (
        other == one
        or other in (one + "s", one + "es")
        or (one.endswith("y") and other == one[:-1] + "ies")
        or (one.endswith("man") and other == one[:-3] + "men")
        or _singular(one) == _singular(other)
    )


def _pieces(tokens: list[str]) -> list[tuple[str, int, int]]:
    """Words and slashes of `tokens`, each with its token and part index: "steward/ship" gives
    ("steward", t, 0), ("/", t, 1), ("ship", t, 1). In a definition "and" / "or" join like a slash
    ("ship stewards and ship stewardesses" for "ship steward/ship stewardess")."""
    out = []
    for t, token in enumerate(tokens):
        for j, part in enumerate(token.lower().strip(",.;").split("/")):
            if j:
                out.append(("/", t, j))
            out.append(("/" if part in ("and", "or") else part, t, j))
    return out


def _matched_label(section: list[str], definition: list[str]) -> tuple[list[str], list[str]]:
    """The label: the longest start of `section` that the definition opens with, plural-tolerant and
    part by part across slashes ("head waiter/head waitress" by "Head waiters/waitresses ...": "head
    waiter"), and the rest of the section (the alternative labels), the unmatched part of a split token
    first."""
    ours, theirs = _pieces(section), _pieces(definition[: len(section) + 8])
    m = 0
    while m < min(len(ours), len(theirs)) and (
        ours[m][0] == theirs[m][0] == "/"
        or ("/" not in (ours[m][0], theirs[m][0]) and _plural_of(ours[m][0], theirs[m][0]))
    ):
        m += 1
    while m and ours[m - 1][0] == "/":
        m -= 1
    if m == 0:
        return [], section
    _, t, j = ours[m - 1]
    parts = section[t].split("/")
    if j == len(parts) - 1:  # the whole token matched
        return section[: t + 1], section[t + 1 :]
    return [*section[:t], "/".join(parts[: j + 1])], ["/".join(parts[j + 1 :]), *section[t + 1 :]]


def split_occupation(description: str, splitter: LabelSplitter) -> tuple[str, list[str], str]:
    """Return (preferred label, alternative titles, definition) for an ESCO occupation description.

    Occupation definitions open with the plural of the label ("Technical directors realise ..."),
    so the definition starts at the last capitalised word sharing the label's first stem, and the
    label is the longest prefix of the label section that matches the definition's opening words
    (plural-tolerant); among several candidate starts the one repeating most of the label wins.
    Falls back to the generic LabelSplitter when that pattern is absent."""
    tokens = normalise_space(description).split()
    if not tokens:
        return "", [], ""
    stem = tokens[0].lower()[:4]
    starts = [
        i
        for i in range(1, len(tokens))
        if tokens[i][:1].isupper() and tokens[i].lower()[:4] == stem and len(tokens) - i >= 5
    ]

    # A capitalised label word right after a sentence end opens a later sentence of the definition
    # ("Boom operators set up ... platform. ... Boom operators are also responsible ..."), not the
    # definition itself: taking it lost the definition's opening sentences (the most telling ones) into
    # the alternative titles for 457 of 3,658 occupations.
    starts = [i for i in starts if not tokens[i - 1].endswith((".", "!", "?"))] or starts
    if starts:
        # The definition repeats the whole label; alt titles may share only its first word ("ICT").
        d = max(starts, key=lambda i: (len(_matched_label(tokens[:i], tokens[i:])[0]), i))
        label_tokens, rest = _matched_label(tokens[:d], tokens[d:])
    else:
        d, label_tokens, rest = splitter.definition_start(tokens), [], tokens
    section = tokens[:d]
    definition = tokens[d:]
    # A label never runs into the next title that starts with the same word.
    repeat = next((j for j in range(1, len(section)) if section[j].lower() == section[0].lower()), None)
    if repeat is not None and len(label_tokens) > repeat:
        label_tokens, rest = section[:repeat], section[repeat:]
    if not label_tokens:
        labels = splitter.segment(section)
        label, rest = (labels[0], section[len(labels[0].split()) :]) if labels else ("", [])
    else:
        label = " ".join(label_tokens)
    alts = []
    label_stems = {w.lower()[:4] for w in label.split() if len(w) >= 4}
    for alt in splitter.segment(rest):
        words = alt.split()
        # Single stray words are usually segmentation debris ("medical", "nuclear") unless they
        # clearly name the same job as the label.
        if len(words) >= 2 or (words and words[0].lower()[:4] in label_stems) or alt.isupper():
            alts.append(alt)
    return label, clean_alt_labels(label, alts), " ".join(definition)


# Shortest typed name resolved as the start of a longer skill label: one word ("design", "manage") starts
# too many labels to name one skill.
MIN_PREFIX_WORDS = 2


def unique_label_prefixes(labels: Iterable[tuple[str, str]], taken: Container[str]) -> dict[str, str]:
    """Lower-cased word prefixes (MIN_PREFIX_WORDS words or more, shorter than the label) of (preferred
    label, skill id) pairs that start the label of exactly one skill and are no skill's name -> that id.

    Why: the catalogue's preferred labels come from ESCO's run-together CSV text, and for some skills the
    split left alternative labels glued on ("set up cameras setting up cameras", "monitor system
    performance system logging"), so the clean label a user types ("set up cameras") matched no name:
    35 of the 79 published real-relation labels that matched nothing resolve this way, each to its own
    skill (the other 44 start no label)."""
    owners: dict[str, set[str]] = {}
    for label, sid in labels:
        words = label.lower().split()
        for k in range(MIN_PREFIX_WORDS, len(words)):
            owners.setdefault(" ".join(words[:k]), set()).add(sid)
    return {p: next(iter(ids)) for p, ids in owners.items() if len(ids) == 1 and p not in taken}
