"""Entities of a chat message: careers (ESCO titles), skills (the resume analysis matcher), locations,
durations, levels and list references ("the second one"). Typos are tolerated by correcting unknown
words to the nearest word of the career/skill vocabulary (edit distance 1, or 2 for long words)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from engines.reference_data.catalog import load_careers
from engines.resume_analysis import get_skill_matcher

from .nlu import DATA_DIR, normalise

SkillFinder = Callable[[str], list[str]]

SENIORITY = frozenset(
    [
        "senior",
        "junior",
        "lead",
        "principal",
        "chief",
        "head",
        "staff",
        "entry",
        "level",
        "mid",
        "intern",
        "trainee",
        "graduate",
        "assistant",
        "associate",
        "sr",
        "jr",
    ]
)
LEVELS = {
    "beginner": "beginner",
    "beginners": "beginner",
    "intro": "beginner",
    "introductory": "beginner",
    "basic": "beginner",
    "basics": "beginner",
    "starter": "beginner",
    "intermediate": "intermediate",
    "advanced": "advanced",
    "expert": "advanced",
}
ORDINALS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "fifth": 5,
    "5th": 5,
}
_ORDINAL_RE = re.compile(
    r"\b(?:the\s+)?(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th)(?:\s+(?:one|option|course|career|job))?\b"
    r"|\b(?:number|no|#)\s*([1-5])\b"
)
_DURATION_RE = re.compile(r"\b(\d{1,3})\s*(hours?|hrs?|h|days?|weeks?|wks?|months?)\b")
_UNIT_HOURS = {"h": 1, "hr": 1, "hour": 1, "day": 8, "week": 10, "wk": 10, "month": 40}
_OWN_SKILLS = re.compile(
    r"\b(i know|i can|i have|i've|i am good at|i'm good at|my skills|skilled in|experience (?:in|with)|"
    r"familiar with|i use|i used|i work with|i worked with|background in|proficient in)\b"
)
# "also linux and python", "and some docker too": a message that adds to a list goes on with the
# user's own skills (the dialogue adds them only where the user already has some, see dialogue.py).
_ADDS_TO_LIST = re.compile(r"^(also|and|plus)\b|\b(too|as well)$")
# ... but not a question or a denial ("and do I need docker?", "and I don't know docker").
_NOT_A_LISTING = re.compile(r"\b(do|does|is|are|should|need|needed|needs|missing|learn|what|which|how|why)\b")
_DENIAL = re.compile(
    r"\b(don't|dont|do not|not|no|never|without|lack|lacking|need|needed|needs|missing|learn|require|"
    r"required)\b"
)
COMMON = frozenset(
    [
        "what",
        "which",
        "who",
        "how",
        "much",
        "many",
        "does",
        "do",
        "did",
        "earn",
        "earns",
        "make",
        "makes",
        "salary",
        "salaries",
        "pay",
        "paid",
        "wage",
        "wages",
        "for",
        "the",
        "a",
        "an",
        "and",
        "or",
        "in",
        "at",
        "to",
        "of",
        "on",
        "is",
        "are",
        "be",
        "been",
        "i",
        "me",
        "my",
        "you",
        "your",
        "it",
        "that",
        "this",
        "those",
        "these",
        "with",
        "about",
        "any",
        "some",
        "course",
        "courses",
        "training",
        "learn",
        "learning",
        "job",
        "jobs",
        "role",
        "roles",
        "career",
        "careers",
        "skill",
        "skills",
        "missing",
        "need",
        "needs",
        "needed",
        "required",
        "ready",
        "become",
        "want",
        "like",
        "would",
        "could",
        "should",
        "can",
        "will",
        "there",
        "here",
        "what's",
        "whats",
        "im",
        "i'm",
        "am",
        "one",
        "ones",
        "next",
        "more",
        "most",
        "best",
        "good",
        "well",
        "get",
        "got",
        "give",
        "tell",
        "show",
        "find",
        "help",
        "please",
        "thanks",
        "hi",
        "hello",
        "hey",
        "bye",
    ]
)
_CAREER_HEADS = frozenset(
    [
        "engineer",
        "developer",
        "designer",
        "manager",
        "analyst",
        "scientist",
        "teacher",
        "nurse",
        "architect",
        "administrator",
        "consultant",
        "technician",
        "accountant",
        "electrician",
        "plumber",
        "welder",
        "lawyer",
        "pharmacist",
        "journalist",
        "programmer",
        "specialist",
        "officer",
        "assistant",
        "dentist",
        "pilot",
        "mechanic",
        "physiotherapist",
        "tester",
        "writer",
        "editor",
    ]
)

_SPECIFIC_HEADS = frozenset(
    [
        "teacher",
        "nurse",
        "dentist",
        "pilot",
        "mechanic",
        "accountant",
        "electrician",
        "plumber",
        "welder",
        "lawyer",
        "pharmacist",
        "journalist",
        "physiotherapist",
        "architect",
        "programmer",
    ]
)


@lru_cache(maxsize=1)
def locations() -> dict[str, str]:
    """Normalised place name -> display name (packaged gazetteer)."""
    out = {}
    for line in (DATA_DIR / "locations.txt").read_text(encoding="utf-8").splitlines():
        name = line.strip()
        if name and not name.startswith("#"):
            out[normalise(name)] = name
    return out


@dataclass(frozen=True)
class CareerRef:
    id: str
    label: str
    name: str  # as the user said it: lowercase, singular, no seniority


@dataclass
class Entities:
    careers: list[CareerRef] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    own_skills: bool = False  # the user says they have these skills
    adds_to_list: bool = False  # "also X", "and Y too": more of what the user was listing
    denied: bool = False  # "I don't know X", "do I need Y": not skills the user has
    location: str | None = None
    max_hours: float | None = None
    level: str | None = None
    ordinal: int | None = None

    @property
    def any(self) -> bool:
        return bool(
            self.careers or self.skills or self.location or self.ordinal or self.level or self.max_hours
        )


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class CareerIndex:
    """ESCO careers by label and alternative title (labels win), plus a head-word fallback."""

    def __init__(self, careers: Iterable[Any]) -> None:
        self.by_name: dict[str, tuple[str, str]] = {}
        labels: dict[str, tuple[str, str]] = {}
        for c in careers:
            for alt in c.alt_titles:
                self.by_name.setdefault(normalise(alt), (c.id, c.label))
            labels[normalise(c.label)] = (c.id, c.label)
        self.by_name.update(labels)
        self.labels = frozenset(labels)
        # "teacher" -> the shortest known name ending with it ("primary school teacher" vs longer ones).
        self.by_suffix: dict[str, tuple[str, str]] = {}
        for name in sorted(self.by_name, key=lambda n: (len(n), n)):
            words = name.split()
            for k in range(1, min(3, len(words))):
                self.by_suffix.setdefault(" ".join(words[-k:]), self.by_name[name])
        self.vocab = {w for n in self.by_name for w in n.split() if len(w) >= 4}

    def lookup(self, phrase: str) -> tuple[str, str] | None:
        words = phrase.split()
        specific = len(words) >= 2 or words[0] in _SPECIFIC_HEADS
        return self.by_name.get(phrase) or (
            self.by_suffix.get(phrase) if words[-1] in _CAREER_HEADS and specific else None
        )


_AGENT_NOUN = re.compile(r"(er|or|ist|ian|ant|ent|ess|man|woman|person|ive|ect|ee|eon|ic|ary|ard|ot)$")


def _one_word_career(word: str, index: CareerIndex) -> bool:
    """A single word names a career only if it is an ESCO preferred label, a known head word, or looks
    like a person noun ("nurse", "electrician", "accountant"); one-word alternative titles such as
    "experience" or "html" are not careers in a chat."""
    return (
        word in index.labels
        or word in _CAREER_HEADS
        or word in _SPECIFIC_HEADS
        or bool(_AGENT_NOUN.search(word))
        or word in {"nurse", "pilot", "chef", "judge", "nanny", "model", "coach", "clerk", "cook"}
    )


@lru_cache(maxsize=1)
def career_index() -> CareerIndex:

    return CareerIndex(load_careers())


class Speller:
    """Corrects a word to the vocabulary (deletion-neighbourhood lookup, SymSpell style)."""

    def __init__(self, vocab: Iterable[str]) -> None:
        self.vocab = set(vocab)
        self.index: dict[str, set[str]] = {}
        for w in self.vocab:
            for d in {w} | _deletes(w):
                self.index.setdefault(d, set()).add(w)

    def correct(self, word: str) -> str:
        if word in self.vocab or word in COMMON or len(word) < 5 or not word.isalpha():
            return word
        cands: set[str] = set()
        for d in {word} | _deletes(word):
            cands |= self.index.get(d, set())
        cands = {c for c in cands if abs(len(c) - len(word)) <= 1}
        return min(cands, key=lambda c: (abs(len(c) - len(word)), c)) if cands else word


@lru_cache(maxsize=1)
def speller() -> Speller:
    extra = set(LEVELS) | set(_CAREER_HEADS) | {"salary", "course", "resume", "skills", "career", "missing"}
    return Speller(career_index().vocab | extra | {w for n in locations() for w in n.split() if len(w) >= 5})


_SENTENCE_START = re.compile(r"(?:^\W*|[.!?]\s+\W*|\n\s*\W*)\w")


def _shouted_or_titled(text: str) -> bool:
    """ALL CAPS or Every Word Capitalised: capitals that say nothing about names."""
    words = [w for w in re.findall(r"[A-Za-z]+", text) if len(w) > 2]
    return bool(words) and (text.isupper() or all(w[0].isupper() for w in words))


def default_skill_finder() -> SkillFinder:
    """Skills through the same matcher as resume analysis (engines.resume_analysis public API)."""

    matcher = get_skill_matcher()
    return lambda text: [m.name for m in matcher.find(text)]


# One pass over the words in the order that resolves ambiguity (skills as written, then careers, then
# locations, experience, ordinals); split apart, each piece would need the others' leftovers passed in.
def extract(  # noqa: C901
    text: str, skill_finder: SkillFinder | None = None, index: CareerIndex | None = None
) -> Entities:
    index = index or career_index()
    sp = speller()
    raw_words = normalise(text).split()
    # Words the skill matcher knows as written are never "corrected" ("docker" is not a typo of
    # "locker"), and a phrase that is a skill is not taken for a career ("html").
    known_skills = [s.lower() for s in skill_finder(" ".join(raw_words))] if skill_finder is not None else []
    protected = {w for s in known_skills for w in s.split()}
    words = [w if w in protected else sp.correct(w) for w in raw_words]
    norm = " ".join(words)
    ent = Entities()
    # Careers: longest known phrase first, words singularised, seniority words dropped.
    plain = [w for w in (_singular(x) if x not in COMMON else x for x in words)]
    i, n = 0, len(plain)
    used: set[int] = set()
    while i < n:
        found = None
        for j in range(min(n, i + 6), i, -1):
            span = [w for w in plain[i:j] if w not in SENIORITY]
            if not span or plain[i] in COMMON or plain[j - 1] in COMMON:
                continue
            phrase = " ".join(span)
            if phrase in known_skills or (len(span) == 1 and not _one_word_career(phrase, index)):
                continue
            hit = index.lookup(phrase)
            if hit is not None:
                found = (j, CareerRef(hit[0], hit[1], phrase))
                break
        if found:
            used.update(range(i, found[0]))
            if found[1].id not in {c.id for c in ent.careers}:
                ent.careers.append(found[1])
            i = found[0]
        else:
            i += 1
    places = locations()
    for k in (3, 2, 1):
        for s in range(0, len(words) - k + 1):
            if set(range(s, s + k)) & used:
                continue
            cand = " ".join(words[s : s + k])
            if cand in places:
                ent.location = places[cand]
                break
        if ent.location:
            break
    m = _DURATION_RE.search(norm)
    if m:
        unit = m.group(2).rstrip("s")
        unit = {"hr": "h", "hrs": "h", "wks": "wk"}.get(unit, unit)
        ent.max_hours = float(m.group(1)) * _UNIT_HOURS.get(unit, 1)
    for w in words:
        if w in LEVELS:
            ent.level = LEVELS[w]
            break
    o = _ORDINAL_RE.search(norm)
    if o:
        ent.ordinal = ORDINALS.get(o.group(1) or "", 0) or int(o.group(2) or 0) or None
    if skill_finder is not None:
        career_words = {w for c in ent.careers for w in c.name.split()}
        skills = []
        matched = skill_finder(" ".join(words))
        matched += [k for k in skill_finder(" ".join(raw_words)) if k not in matched]
        # Names that only count with their casing ("Go", "Rust", "Excel": common words in lower case)
        # are lost by normalising; the text as typed still has them, except where a capital says
        # nothing: a sentence's first word ("Go to Dublin"), Title Case or ALL CAPS. Taken only where
        # the user says these are their skills ("I know Go and Rust"), not from any capitalised word
        # ("I'm Ruby").
        own = bool(_OWN_SKILLS.search(norm)) or bool(_ADDS_TO_LIST.search(norm))
        if own and not _shouted_or_titled(text):
            as_typed = _SENTENCE_START.sub(lambda m: m.group(0).lower(), text)
            matched += [k for k in skill_finder(as_typed) if k not in matched]
        for skill in matched:
            key = skill.lower()
            if key in career_words or key in (c.name for c in ent.careers) or key in COMMON:
                continue
            if ent.location and key == ent.location.lower():
                continue
            skills.append(skill)
        ent.skills = list(dict.fromkeys(skills))
        ent.own_skills = bool(_OWN_SKILLS.search(norm))
        ent.denied = bool(_DENIAL.search(norm))
        ent.adds_to_list = (
            bool(_ADDS_TO_LIST.search(norm))
            and "?" not in text
            and not _NOT_A_LISTING.search(norm)
            and not ent.denied
        )
    return ent
