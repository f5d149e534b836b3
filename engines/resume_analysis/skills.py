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
from typing import Any, Literal, Protocol

from .models import Section, SkillMatch
from .sections import section_at
from .tech_aliases import CASE_SENSITIVE_ALIASES, SKILLS_SECTION_ONLY, TECH_ALIASES

log = logging.getLogger(__name__)

PhraseKind = Literal["alias", "label", "alt"]
_PRIORITY: dict[str, int] = {"alias": 3, "label": 2, "alt": 1}
_BASE_CONFIDENCE: dict[str, float] = {"alias": 0.9, "label": 0.85, "alt": 0.75}
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


def display_name(label: str) -> str:
    """Human name for an ESCO label: drop disambiguating parentheses ("Python (computer programming)")."""
    return re.sub(r"\s*\([^)]*\)\s*$", "", label).strip() or label


class SkillMatcher:
    """Finds skills in text. Build once (it compiles every phrase) and reuse."""

    def __init__(
        self, skills: Iterable[SkillRecord], tech_aliases: dict[str, tuple[str, ...]] | None = None
    ) -> None:
        import spacy
        from spacy.matcher import PhraseMatcher

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

    # ------------------------------------------------------------------------------------------ build

    def _single_lower_word(self, span: Any, phrase: _Phrase) -> bool:
        """A one-word ESCO label written in lower case in the catalog ("data", "team", "marketing")."""
        return len(span) == 1 and phrase.kind != "alias" and self.concepts[phrase.concept].name.islower()

    def _norm(self, phrase: str) -> str:
        return " ".join(t.lower_ for t in self.nlp.make_doc(phrase))

    def _add_phrase(
        self, phrase: str, concept: str, kind: PhraseKind, *, case_sensitive: bool = False, weak: bool = False
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
        self._phrases[norm] = _Phrase(concept, kind, phrase if case_sensitive else None, weak)

    def _add_esco_phrase(self, phrase: str, concept: str, kind: PhraseKind) -> None:
        from spacy.lang.en.stop_words import STOP_WORDS

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

    def find(
        self, text: str, sections: list[Section] | None = None, min_confidence: float = MIN_CONFIDENCE
    ) -> list[SkillMatch]:
        """Skills in ``text``, one :class:`SkillMatch` per concept, highest confidence first."""
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
            if any(a <= span.start_char < b for a, b in heading_spans):
                continue
            section = section_at(sections, span.start_char) if sections else "skills"
            if (phrase.weak or self._single_lower_word(span, phrase)) and section != "skills":
                continue  # "R", "Go", "team", "data": only believable inside a skills list
            taken.update(range(start, end))
            hits.setdefault(phrase.concept, []).append((span, section, phrase))
        results = []
        for concept_key, occurrences in hits.items():
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


_MATCHER: SkillMatcher | None = None
_LOCK = threading.Lock()


def _catalog_skills() -> list[Any]:
    try:
        from engines.reference_data.catalog import load_skills
    except ImportError:  # pragma: no cover - reference_data ships with the project
        log.warning("skill catalog unavailable; matching tech aliases only")
        return []
    try:
        return list(load_skills())
    except (OSError, ValueError) as exc:
        log.warning("skill catalog unreadable (%s); matching tech aliases only", exc)
        return []


def get_skill_matcher() -> SkillMatcher:
    """Process-wide matcher over the ESCO catalog plus tech aliases, built on first use."""
    global _MATCHER
    if _MATCHER is None:
        with _LOCK:
            if _MATCHER is None:
                _MATCHER = SkillMatcher(_catalog_skills())
    return _MATCHER
