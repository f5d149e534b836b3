"""Skill matching: a spaCy PhraseMatcher (attr LOWER) over ESCO labels/alt labels plus curated tech aliases.

The pipeline is ``spacy.blank("en")`` (tokenizer only), so no model download is ever needed; it is built
once per process (:func:`get_skill_matcher`) because compiling ~60k phrases takes a couple of seconds.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

import spacy
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.matcher import PhraseMatcher

from engines.build_cache import load_or_build
from engines.reference_data.catalog import DATA_DIR, SKILLS_FILE, load_skills
from engines.reference_data.tools_catalog import TOOLS_FILE, load_tools

from .job_words import ROLE_WORDS
from .models import Section, SkillMatch
from .sections import section_at
from .tech_aliases import CASE_SENSITIVE_ALIASES, SKILLS_SECTION_ONLY, TECH_ALIASES

log = logging.getLogger(__name__)

PhraseKind = Literal["alias", "tool", "label", "alt"]
_PRIORITY: dict[str, int] = {"alias": 4, "tool": 3, "label": 2, "alt": 1}
_BASE_CONFIDENCE: dict[str, float] = {"alias": 0.9, "tool": 0.85, "label": 0.85, "alt": 0.75}
# ESCO alternative labels are loose paraphrases ("give medication"); in prose they are inferred, not
# claimed, so when the resume has a skills list they only count inside it. Preferred labels, tools and
# aliases count anywhere.
# A skills-list item that is only one of these words names no skill ("data", "design", "team").
GENERIC_WORDS = frozenset(
    [
        "data",
        "design",
        "team",
        "work",
        "skills",
        "skill",
        "tools",
        "tool",
        "experience",
        "other",
        "others",
        "various",
        "etc",
        "software",
        "systems",
        "system",
        "management",
        "development",
        "operations",
        "business",
        "general",
        "strong",
        "excellent",
        "good",
        "basic",
        "advanced",
        "knowledge",
        "technical",
        "soft",
        "hard",
        "professional",
        "key",
        "core",
        "computer",
        "it",
    ]
)
_ITEM_SPLIT = re.compile(r"\s*[,;|•·●▪]\s*|\t+|\s{3,}|\s+[–—]\s+")
_LIST_SEP = re.compile(r"[,;|•·]")
_GROUP_PREFIX = re.compile(r"^\s*([^:]{2,40}):\s+(?=\S)")
# Sections whose mentions are about something else (a degree name, a certificate title, a contact line).
_DISCOUNTED_SECTIONS = {
    "education",
    "certifications",
    "header",
    "contact",
    "interests",
    "references",
    "languages",
    "awards",
    "publications",
}
MIN_CONFIDENCE = 0.5
_MAX_PHRASE_TOKENS = 8


class ToolRecord(Protocol):
    """What the matcher needs from a tool (``engines.reference_data.tools_catalog.Tool`` fits)."""

    @property
    def name(self) -> str: ...

    @property
    def aliases(self) -> Sequence[str]: ...

    @property
    def weak(self) -> Sequence[str]: ...


class SkillRecord(Protocol):
    """What the matcher needs from a catalog skill (``engines.reference_data.catalog.Skill`` fits)."""

    @property
    def id(self) -> str: ...

    @property
    def label(self) -> str: ...

    @property
    def alt_labels(self) -> Sequence[str]: ...


@dataclass(frozen=True)
class SkillConcept:
    """A skill the matcher can report: canonical display name plus ESCO id when known."""

    key: str
    name: str
    skill_id: str | None


@dataclass(frozen=True)
class _Phrase:
    concept: str
    kind: PhraseKind
    exact: str | None  # set when the phrase only matches with exactly this casing
    weak: bool  # ambiguous as plain English: only counts inside a skills section
    capital: bool = False  # a product name: only matches when written with a capital letter


def display_name(label: str) -> str:
    """Human name for an ESCO label: drop disambiguating parentheses ("Python (computer programming)")."""
    return re.sub(r"\s*\([^)]*\)\s*$", "", label).strip() or label


class SkillMatcher:
    """Finds skills in text. Build once (it compiles every phrase) and reuse."""

    def __init__(
        self,
        skills: Iterable[SkillRecord],
        tech_aliases: dict[str, tuple[str, ...]] | None = None,
        tools: Iterable[ToolRecord] = (),
    ) -> None:

        self.nlp = spacy.blank("en")
        self.concepts: dict[str, SkillConcept] = {}
        self._phrases: dict[str, _Phrase] = {}
        aliases = TECH_ALIASES if tech_aliases is None else tech_aliases
        skill_list = sorted(skills, key=lambda s: s.id)
        esco_by_name: dict[str, SkillRecord] = {}
        for skill in skill_list:
            esco_by_name.setdefault(display_name(skill.label).lower(), skill)
        for skill in skill_list:
            for alt in skill.alt_labels:
                esco_by_name.setdefault(alt.lower(), skill)

        linked: dict[str, str] = {}  # ESCO id -> tech display name
        for name in sorted(aliases):
            esco = esco_by_name.get(name.lower())
            key = esco.id if esco is not None else f"tech:{name.lower()}"
            if esco is not None:
                linked[esco.id] = name
            self.concepts[key] = SkillConcept(key, name, esco.id if esco is not None else None)
            self._add_phrase(
                name,
                key,
                "alias",
                case_sensitive=name in CASE_SENSITIVE_ALIASES,
                weak=name in SKILLS_SECTION_ONLY,
            )
            for alias in aliases[name]:
                self._add_phrase(
                    alias,
                    key,
                    "alias",
                    case_sensitive=alias in CASE_SENSITIVE_ALIASES,
                    # "golang" is unambiguous even in prose; only the bare short forms ("Go", "R") are weak.
                    weak=name in SKILLS_SECTION_ONLY
                    and (alias in CASE_SENSITIVE_ALIASES or alias.lower() == name.lower()),
                )
        for tool in sorted(tools, key=lambda t: t.name):
            esco = esco_by_name.get(tool.name.lower())
            key = esco.id if esco is not None else f"onet:{tool.name.lower()}"
            if key not in self.concepts:
                self.concepts[key] = SkillConcept(key, tool.name, esco.id if esco is not None else None)
            for written in (tool.name, *tool.aliases):
                self._add_phrase(
                    written,
                    key,
                    "tool",
                    case_sensitive=written in tool.weak or len(written) <= 3 or written.isupper(),
                    weak=written in tool.weak,
                    capital=" " not in written,
                )
        for skill in skill_list:
            if skill.id not in self.concepts:
                self.concepts[skill.id] = SkillConcept(
                    skill.id, linked.get(skill.id, display_name(skill.label)), skill.id
                )
            self._add_esco_phrase(skill.label, skill.id, "label")
            for alt in skill.alt_labels:
                self._add_esco_phrase(alt, skill.id, "alt")

        self.matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        by_concept: dict[str, list[str]] = {}
        for norm, phrase in self._phrases.items():
            by_concept.setdefault(phrase.concept, []).append(norm)
        for concept, norms in by_concept.items():
            self.matcher.add(concept, list(self.nlp.tokenizer.pipe(norms)))  # type: ignore[union-attr]
        self._by_name = {c.name.lower(): c for c in self.concepts.values()}
        # Every ESCO label and alternative label, single words included: too ambiguous to search prose
        # with, but a listed item that is exactly one of them names that ESCO skill.
        self._esco_by_name = {name: self.concepts[skill.id] for name, skill in esco_by_name.items()}

    # ------------------------------------------------------------------------------------------ build

    def _single_lower_word(self, span: Any, phrase: _Phrase) -> bool:
        """A one-word ESCO label written in lower case in the catalog ("data", "team", "marketing")."""
        return len(span) == 1 and phrase.kind != "alias" and self.concepts[phrase.concept].name.islower()

    def _norm(self, phrase: str) -> str:
        return " ".join(t.lower_ for t in self.nlp.make_doc(phrase))

    def _add_phrase(
        self,
        phrase: str,
        concept: str,
        kind: PhraseKind,
        *,
        case_sensitive: bool = False,
        weak: bool = False,
        capital: bool = False,
    ) -> None:
        phrase = " ".join(phrase.split())
        if len(phrase) < 1:
            return
        norm = self._norm(phrase)
        if not norm or len(norm.split()) > _MAX_PHRASE_TOKENS:
            return
        existing = self._phrases.get(norm)
        if existing is not None and _PRIORITY[existing.kind] >= _PRIORITY[kind]:
            return
        self._phrases[norm] = _Phrase(concept, kind, phrase if case_sensitive else None, weak, capital)

    def _add_esco_phrase(self, phrase: str, concept: str, kind: PhraseKind) -> None:

        phrase = " ".join(phrase.split())
        if len(phrase) < 2:
            return
        tokens = phrase.split()
        if all(t.lower() in STOP_WORDS for t in tokens):
            return
        weak = False
        case_sensitive = False
        if len(tokens) == 1:
            proper = phrase != phrase.lower()  # "Ansible", "ABAP", "AngularJS": names of things
            if kind == "alt" and not proper:
                return  # single ordinary words ("absorb", "access") are far too ambiguous
            if proper and len(phrase) <= 3:
                case_sensitive = True  # "ML", "ODI", "TLS" must be written in capitals
            if len(phrase) <= 2:
                weak = True
        self._add_phrase(phrase, concept, kind, case_sensitive=case_sensitive, weak=weak)

    # ---------------------------------------------------------------------------------------- queries

    def resolve(self, name: str) -> SkillConcept | None:
        """Map a free-text skill name (e.g. from a target-role list) to a known concept."""
        norm = self._norm(name)
        phrase = self._phrases.get(norm)
        if phrase is not None:
            return self.concepts[phrase.concept]
        return self._by_name.get(name.strip().lower())

    def skill_list_items(self, text: str, sections: list[Section]) -> list[tuple[int, int, str]]:
        """Items of the skills lists: (start, end, text as written), one per list item.

        A skills section is read as a list: lines, bullets, "Group: a, b, c" lines, items separated by
        commas, semicolons, pipes, bullets, tabs or wide gaps. Each short item is a skill even when no
        vocabulary knows it; sentences are left to vocabulary matching, and an item that is only a
        generic word ("data", "team") or reads like a job title is not a skill.
        """

        items: list[tuple[int, int, str]] = []
        seen: set[str] = set()
        for body, positions in _logical_lines(text, sections):
            lead = re.match(r"^\s*(?:[•●○◦▪■►▸➢➤✓✔*·>\-–—\uf000-\uf0ff]\s*)?", body)
            pos = lead.end() if lead else 0
            group = _GROUP_PREFIX.match(body[pos:])
            if group and len(group.group(1).split()) <= 4:
                pos += group.end()
            last = pos
            pieces: list[tuple[int, int]] = []
            for sep in _ITEM_SPLIT.finditer(body, pos):
                if sep.start() == sep.end():
                    continue
                pieces.append((last, sep.start()))
                last = sep.end()
            pieces.append((last, len(body)))
            for a, b in pieces:
                raw = body[a:b]
                item = " ".join(raw.strip(" .:").split())
                if not item:
                    continue
                a += len(raw) - len(raw.lstrip(" .:"))
                words = item.split()
                if len(words) > 6 or len(item) > 60 or item.endswith(":"):
                    continue
                low = [w.lower().strip("().") for w in words]
                if len(low) == 1 and low[0] in GENERIC_WORDS:
                    continue
                known = self.resolve(item)
                if known is None and len(words) >= 3 and low[-1] in ROLE_WORDS:
                    continue  # "High School Mathematics Teacher": a headline or job title, not a skill
                key = self._norm(item)
                if key in seen:
                    continue
                seen.add(key)
                end = min(b, len(positions)) - 1
                items.append((positions[a], positions[max(a, end)] + 1, item))
        return items

    # The matching passes (skills lists, tools/technologies, ESCO labels, confidence, dedupe) run in one
    # function on purpose: their order is the precedence between them.
    def find(  # noqa: C901
        self, text: str, sections: list[Section] | None = None, min_confidence: float = MIN_CONFIDENCE
    ) -> list[SkillMatch]:
        """Skills in ``text``, one :class:`SkillMatch` per skill, highest confidence first.

        Items of a skills list are skills as written (linked to a catalog concept when one has that
        name); elsewhere, tools, technologies and ESCO preferred labels are found anywhere, ESCO
        alternative labels only when the resume has no skills list.
        """
        listed = self.skill_list_items(text, sections) if sections else []
        doc = self.nlp.make_doc(text)
        raw = self.matcher(doc)
        # Longest match wins where phrases overlap ("machine learning engineer" beats "machine learning").
        raw_sorted = sorted(raw, key=lambda m: (-(m[2] - m[1]), m[1]))
        taken: set[int] = set()
        # Heading lines ("Work History", "Marketing Experience") name sections, not skills.
        heading_spans = [
            (s.start, text.find("\n", s.start) % (len(text) + 1)) for s in sections or [] if s.heading
        ]
        hits: dict[str, list[tuple[Any, str | None, _Phrase]]] = {}
        for _match_id, start, end in raw_sorted:
            if any(i in taken for i in range(start, end)):
                continue
            span = doc[start:end]
            phrase = self._phrases.get(" ".join(t.lower_ for t in span))
            if phrase is None:
                continue
            if phrase.exact is not None and span.text != phrase.exact:
                continue
            if phrase.capital and not span.text[:1].isupper():
                continue
            if any(a <= span.start_char < b for a, b in heading_spans):
                continue
            if len(span) == 1 and span.text.lower() in GENERIC_WORDS:
                continue  # "data", "design", "team": never a skill on their own
            if any(a <= span.start_char and span.end_char <= b for a, b, _ in listed):
                continue  # inside a listed item: the item itself is the skill
            section = section_at(sections, span.start_char) if sections else "skills"
            if (phrase.weak or self._single_lower_word(span, phrase)) and section != "skills":
                continue  # "R", "Go", "team", "data": only believable inside a skills list
            if listed and phrase.kind == "alt" and section != "skills":
                continue
            taken.update(range(start, end))
            hits.setdefault(phrase.concept, []).append((span, section, phrase))
        results = []
        by_text: dict[str, list[tuple[Any, str | None, _Phrase]]] = {}
        for occurrences in hits.values():
            for occ in occurrences:
                by_text.setdefault(self._norm(occ[0].text), []).append(occ)
        used_concepts: set[str] = set()
        for start_char, end_char, item in listed:
            concept = self.resolve(item) or self._esco_by_name.get(" ".join(item.lower().split()))
            prose = list(by_text.get(self._norm(item), []))
            if concept is not None and concept.key in hits:
                prose = hits.pop(concept.key)
                used_concepts.add(concept.key)
            else:
                for occ in prose:
                    same = hits.get(occ[2].concept, [])
                    if occ in same:
                        same.remove(occ)
            n = 1 + len(prose)
            results.append(
                SkillMatch(
                    name=concept.name if concept is not None else item,
                    skill_id=concept.skill_id if concept is not None else None,
                    confidence=0.99 if n > 1 else 0.95,
                    start=start_char,
                    end=end_char,
                    text=item,
                    section="skills",
                    occurrences=n,
                )
            )
        for concept_key, occurrences in hits.items():
            if not occurrences or concept_key in used_concepts:
                continue
            concept = self.concepts[concept_key]
            best_kind = max((p.kind for _, _, p in occurrences), key=lambda k: _PRIORITY[k])
            confidence = _BASE_CONFIDENCE[best_kind]
            sections_seen = {s for _, s, _ in occurrences}
            if all(self._single_lower_word(sp, p) for sp, _, p in occurrences):
                confidence -= 0.2  # a bare common word, even in a skills list, is weaker evidence
            if "skills" in sections_seen:
                confidence += 0.1
            elif sections_seen <= _DISCOUNTED_SECTIONS:
                confidence -= 0.45
            if len(occurrences) >= 2:
                confidence += 0.05
            confidence = round(min(confidence, 0.99), 3)
            if confidence < min_confidence:
                continue
            # Report the occurrence in the skills section if there is one, else the first.
            span, section, _ = min(occurrences, key=lambda o: (o[1] != "skills", o[0].start))
            results.append(
                SkillMatch(
                    name=concept.name,
                    skill_id=concept.skill_id,
                    confidence=confidence,
                    start=span.start_char,
                    end=span.end_char,
                    text=span.text,
                    section=section,
                    occurrences=len(occurrences),
                )
            )
        results.sort(key=lambda m: (-m.confidence, m.start))
        return results


def _logical_lines(text: str, sections: list[Section]) -> list[tuple[str, list[int]]]:
    """Body lines of the skills sections, with a wrapped list line joined to its continuation.

    "..., Estimation and" + "costing, ..." is one item across a line break: a comma-separated line
    that does not end with a separator continues on the next line when that line starts in lower
    case, or when it is itself part of the comma list and the first line is long (wrapped at the
    margin). Each line comes with the text offset of every character.
    """
    out: list[tuple[str, list[int]]] = []
    for section in sections:
        if section.name != "skills":
            continue
        offset = section.start
        raw_lines = text[section.start : section.end].splitlines(keepends=True)
        lines: list[tuple[str, list[int]]] = []
        for i, line in enumerate(raw_lines):
            start = offset
            offset += len(line)
            if i == 0 and section.heading:
                continue
            body = line.rstrip("\n")
            if body.strip():
                lines.append((body, list(range(start, start + len(body)))))
        merged: list[tuple[str, list[int]]] = []
        last_len = 0
        for body, positions in lines:
            if merged:
                prev, prev_pos = merged[-1]
                stripped = body.lstrip()
                continues = (
                    _LIST_SEP.search(prev)
                    and not re.search(r"[,;|:•·]\s*$", prev)
                    and not _GROUP_PREFIX.match(stripped)
                    and (stripped[:1].islower() or (bool(_LIST_SEP.search(stripped)) and last_len >= 60))
                )
                if continues:
                    lead = len(body) - len(stripped)
                    merged[-1] = (f"{prev} {stripped}", [*prev_pos, prev_pos[-1] + 1, *positions[lead:]])
                    last_len = len(body)
                    continue
            merged.append((body, positions))
            last_len = len(body)
        out.extend(merged)
    return out


_MATCHER: SkillMatcher | None = None
_LOCK = threading.Lock()
# What the process-wide matcher is built from: the catalogues, and the modules with the build rules.
_BUILD_INPUTS = (
    DATA_DIR / SKILLS_FILE,
    DATA_DIR / TOOLS_FILE,
    Path(__file__),
    Path(__file__).with_name("tech_aliases.py"),
)


def _catalog_skills() -> list[Any]:
    try:
        return list(load_skills())
    except (OSError, ValueError) as exc:
        log.warning("skill catalog unreadable (%s); matching tech aliases only", exc)
        return []


def _catalog_tools() -> list[Any]:
    try:
        return list(load_tools())
    except (OSError, ValueError) as exc:  # pragma: no cover - the file ships with the project
        log.warning("tool catalog unreadable (%s); matching without O*NET tools", exc)
        return []


def get_skill_matcher() -> SkillMatcher:
    """Process-wide matcher over ESCO skills, O*NET tools and tech aliases, built on first use."""
    global _MATCHER
    if _MATCHER is None:
        with _LOCK:
            if _MATCHER is None:
                _MATCHER = load_or_build(
                    "skill-matcher",
                    _BUILD_INPUTS,
                    [f"spacy {spacy.__version__}"],
                    lambda: SkillMatcher(_catalog_skills(), tools=_catalog_tools()),
                )
    return _MATCHER
