"""Entities of a chat message: careers (ESCO titles), skills (the resume analysis matcher), locations,
durations, levels and list references ("the second one"). Typos are tolerated by correcting unknown
words to the nearest word of the career/skill vocabulary (edit distance 1, or 2 for long words)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from engines.reference_data.catalog import load_careers
from engines.resume_analysis import get_skill_matcher, place_names

from .nlu import DATA_DIR, normalise

# A skill finder gives each skill in a text as (the matcher's canonical name, the words as written):
# actions need the canonical name ("adobe photoshop"), the conversation remembers what was said.
SkillFinder = Callable[[str], list[tuple[str, str]]]

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
        "grad",
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
# Positions counted from the end or the middle of the list shown; the dialogue resolves them against it.
LAST, MIDDLE = -1, -2
_RELATIVE = {"last": LAST, "final": LAST, "middle": MIDDLE}
_ORDINAL_RE = re.compile(
    r"(?:\bthe\s+|^)(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th)\b"
    r"|\b(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th)\s+(?:one|option|course|career|job)\b"
    r"|\b(?:number|no|#)\s*([1-5])\b"
    r"|\bthe\s+(last|final|middle)(?:\s+(?:one|option|course|career|job)\b|\W*$)"
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


@lru_cache(maxsize=1)
def gazetteer() -> dict[str, str]:
    """Normalised name -> as listed: the resume analysis's place names (about 36,000 cities, regions and
    countries from libphonenumber's geocoding data; engines/resume_analysis/build_places.py). Many are
    also words ("Reading", "Mobile", "Nice"), so a chat takes them only after "in", "near" and the like."""
    names = {normalise(p): p for p in place_names()}
    # Only names of three letters or more once normalised ("Веселе" normalises to nothing).
    return {k: v for k, v in names.items() if len(k) >= 3}


# Words after which a gazetteer name is a place: "in Leeds", "near cork", "moving to Pune".
# Not "from": where the user comes from is not the place they ask about ("a fresher from Coimbatore").
_BEFORE_A_PLACE = frozenset(["in", "near", "around", "round", "to", "outside", "across"])
# ... and the ones that also precede verbs ("to land a job"): for a user who writes no capitals, only these.
_BEFORE_A_LOWER_CASE_PLACE = frozenset(["in", "near", "around", "round", "outside"])


@dataclass(frozen=True)
class CareerRef:
    id: str
    label: str
    name: str  # as the user said it: lowercase, singular, no seniority
    current: bool = False  # the user's own job ("I'm a teacher, would X suit me?"), not the one asked about


@dataclass
class Entities:
    """What a message names. `careers` in the order written; `target` is the one it asks about (a
    career other than the user's present job when it names both)."""

    careers: list[CareerRef] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)  # canonical names (the skill matcher's)
    skills_said: list[str] = field(default_factory=list)  # the same skills as the user wrote them
    own_skills: bool = False  # the user says they have these skills
    adds_to_list: bool = False  # "also X", "and Y too": more of what the user was listing
    denied: bool = False  # "I don't know X", "do I need Y": not skills the user has
    location: str | None = None
    max_hours: float | None = None
    level: str | None = None
    ordinal: int | None = None  # 1-based, or LAST / MIDDLE of the list shown

    @property
    def target(self) -> CareerRef | None:
        """The career asked about: none when the message only names the user's present job."""
        return next((c for c in self.careers if not c.current), None)

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


# Head nouns of job titles, for careers the catalogue does not name ("machine learning engineer").
_TITLE_HEADS = _CAREER_HEADS | frozenset(
    [
        "coordinator",
        "representative",
        "advisor",
        "adviser",
        "therapist",
        "researcher",
        "strategist",
        "marketer",
        "recruiter",
        "planner",
        "inspector",
        "operator",
        "hygienist",
        "agent",
        "broker",
        "clerk",
        "producer",
        "artist",
        "photographer",
        "counsellor",
        "counselor",
        "instructor",
        "trainer",
        "auditor",
        "economist",
        "statistician",
        "psychologist",
        "surgeon",
        "doctor",
        "physician",
        "worker",
        "owner",
        "lead",
        "driver",
        "fitter",
        "investigator",
        "practitioner",
        "solicitor",
        "barrister",
        "paramedic",
    ]
)
# Nouns of a profession by their ending ("embryologist", "sonographer", "paediatrician").
_PERSON_SUFFIX = re.compile(r"..(?:ologist|ographer|ician|iatrist|ist)$")

# Words that qualify a person, not a kind of job ("a good developer", "a remote engineer").
_NOT_MODIFIERS = frozenset(
    [
        "new",
        "old",
        "big",
        "top",
        "bad",
        "own",
        "our",
        "his",
        "her",
        "its",
        "two",
        "few",
        "good",
        "better",
        "best",
        "great",
        "real",
        "successful",
        "professional",
        "experienced",
        "qualified",
        "certified",
        "skilled",
        "proper",
        "full",
        "part",
        "time",
        "remote",
        "freelance",
        "local",
        "certain",
        "different",
        "other",
        "same",
        "such",
        "typical",
        "average",
        "normal",
        "decent",
        "happy",
        "proud",
        "young",
    ]
)


def _unnamed_career(
    plain: list[str], corrected: set[int], skill_words: set[str], used: set[int]
) -> tuple[int, int] | None:
    """A job title the catalogue does not know: 1-3 modifiers and a title head noun ("ux designer",
    "machine learning engineer", "devops engineer"). Each modifier is a word of a skill the message
    names, or a word as the user typed it (not spell-corrected) that is neither a common word nor one
    that qualifies a person, so "a better developer" is not a career."""
    for end, head in enumerate(plain):
        if not (head in _TITLE_HEADS or _PERSON_SUFFIX.search(head)) or end in used:
            continue
        start = end
        while start > 0 and end - start < 3 and start - 1 not in used:
            k = start - 1
            word = plain[k]
            typed_title_word = (
                k not in corrected
                and word.isalpha()
                and word not in COMMON
                and word not in SENIORITY
                and word not in _NOT_MODIFIERS
            )
            if not (word in skill_words or typed_title_word):
                break
            start = k
        if start < end:
            return start, end + 1
    return None


_BEFORE_A_JOB = frozenset(
    ["a", "an", "the", "as", "become", "becoming", "be", "being", "other", "any", "would"]
)
_AFTER_A_JOB = frozenset(
    [
        "salary",
        "salaries",
        "pay",
        "paid",
        "wage",
        "wages",
        "job",
        "jobs",
        "role",
        "roles",
        "career",
        "careers",
        "position",
        "positions",
        "earn",
        "earns",
        "make",
        "makes",
        "get",
        "course",
        "courses",
    ]
)


_BEFORE_A_GERUND = frozenset(["for", "of", "about", "at", "in", "on", "by", "with", "to", "without", "from"])


def _as_said(phrase: str, words: list[str], i: int, index: CareerIndex) -> str:
    """The career's name as the user said it: a phrase the catalogue knows only by its last words
    ("health nurse" of "mental health nurse", "installer" of "solar panel installer") keeps the words
    typed before it."""
    if phrase in index.by_name and " " in phrase:
        return phrase
    start = i
    while start > 0 and i - start < 2:
        w = words[start - 1]
        if w in COMMON or w in SENIORITY or w in _NOT_MODIFIERS or not w.isalpha():
            break
        if w.endswith("ing") and start >= 2 and words[start - 2] in _BEFORE_A_GERUND:
            break  # a verb ("tips for finding electrician jobs"), unlike "an engineering manager"
        start -= 1
    return " ".join([*words[start:i], phrase])


def _said_as_a_job(
    words: list[str], raw_words: list[str], i: int, j: int, spell_corrected: bool = False
) -> bool:
    """Whether a one-word career at words[i:j] is used as a job in this message: "a welder", "as a
    paralegal", "welders", "nurse salary", or the whole message. Many job words are verbs or adjectives
    elsewhere ("tailor my CV", "do you store what I type", "public speaking", "stock management")."""
    if len(words) <= 3:
        return True
    before = words[i - 1] if i > 0 else ""
    after = words[j] if j < len(words) else ""
    if _singular(after) in _TITLE_HEADS:
        return False  # a modifier of a longer title ("an employment lawyer")
    if spell_corrected:
        # A corrected word is weaker evidence: "a physioterapist", not "over the diploma" -> "diplomat".
        return before in ("a", "an", "as") or after in _AFTER_A_JOB
    plural = raw_words[j - 1] != _singular(raw_words[j - 1])
    return before in _BEFORE_A_JOB or after in _AFTER_A_JOB or plural


_JOB_FRAME = re.compile(r"\b(?:job|work|working|career|role|position|become|becoming) as an?$|\bbecome an?$")


def _job_frame(words: list[str], corrected: set[int], used: set[int]) -> tuple[int, int] | None:
    """A job the catalogue does not know and whose title has no head noun, named in a frame that says
    it is a job: "a job as a paralegal", "become an actuary" (1-3 words as typed, up to a common word)."""
    for k in range(1, len(words)):
        if k in used or not _JOB_FRAME.search(" ".join(words[max(0, k - 4) : k])):
            continue
        end = k
        while end < len(words) and end - k < 3:
            w = words[end]
            if w in COMMON or end in corrected or not w.isalpha() or w in _NOT_MODIFIERS:
                break
            end += 1
        if end > k:
            return k, end
    return None


def _lone_title(
    words: list[str], raw_words: list[str], plain: list[str], used: set[int]
) -> tuple[int, int] | None:
    """A title head alone that the catalogue does not know, used as a job ("a solicitor", "barristers"),
    or a plural person noun in a question about jobs ("what qualifications do sonographers need?")."""
    about_jobs = bool(set(words) & _JOB_QUESTION)
    for k, word in enumerate(plain):
        if k in used or word in COMMON:
            continue
        if word in _TITLE_HEADS and _said_as_a_job(words, raw_words, k, k + 1):
            return k, k + 1
        plural = raw_words[k] != word
        if about_jobs and plural and _AGENT_NOUN.search(word) and len(word) >= 6 and word not in _NOT_PEOPLE:
            return k, k + 1
    return None


_NOT_PEOPLE = frozenset(
    ["number", "member", "customer", "computer", "other", "letter", "answer", "matter", "figure", "result"]
)
_JOB_QUESTION = frozenset(
    ["earn", "earns", "paid", "pay", "salary", "salaries", "wage", "wages", "qualification", "qualifications"]
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
        # Five-letter words were corrected into other words too often ("pivot" -> "pilot").
        if word in self.vocab or word in COMMON or len(word) < 6 or not word.isalpha():
            return word
        cands: set[str] = set()
        for d in {word} | _deletes(word):
            cands |= self.index.get(d, set())
        # Same first letter: people rarely mistype it, and without this "exams" became "texas".
        cands = {c for c in cands if abs(len(c) - len(word)) <= 1 and c[0] == word[0]}
        return min(cands, key=lambda c: (abs(len(c) - len(word)), c)) if cands else word


@lru_cache(maxsize=1)
def speller() -> Speller:
    extra = set(LEVELS) | set(_CAREER_HEADS) | {"salary", "course", "resume", "skills", "career", "missing"}
    return Speller(career_index().vocab | extra | {w for n in locations() for w in n.split() if len(w) >= 5})


# "I'm a nurse", "I work as a welder", "currently an accountant": words just before a career that make it
# the user's present job.
_CURRENT_ROLE = re.compile(
    r"\b(?:i'?m|i am|i'?ve been|i have been|i was|i work as|working as|worked as|currently|at the moment)"
    r"(?: already| currently| now| still)?(?: an?)?$"
)

# A statement listing the user's own skills, and what ends the list.
_LISTS_SKILLS = re.compile(
    r"\b(?:i(?:'m|'ve| am| have)?(?: also| already| really| pretty| quite| very)? (?:know|use|used|speak|"
    r"have|got|listed|(?:good|decent|great|strong|skilled|experienced) (?:at|with|in)|familiar with|"
    r"proficient (?:in|with)|fluent in|work(?:ed)? with|experience (?:in|with)|(?:trained|qualified) in)"
    r"|\bi(?:'ve| have)(?: also| already)? (?:done|run|led|built)"
    r"|my skills(?: section)? (?:are|include|includes|lists?)|someone with|background in"
    r"|(?:^|, )(?:good|great) (?:at|with))\s+"
)
_LIST_END = re.compile(
    r"\s+(?:but|though|although|however|if|so|because|since|while|when|where|which|what|how|then|"
    r"and i|and i'm|and im|and my)\b|[.?!;:()]|\s[-–—]\s"
)
_ITEM_SPLIT = re.compile(r"\s*(?:,|/|&|\+|\band\b|\bor\b)\s*")
_ITEM_LEAD = re.compile(
    r"^(?:(?:also|and|some|basic|a bit of|a little|a little bit of|bits of|good|strong|solid|"
    r"(?:have )?(?:some |a lot of )?experience (?:in|with)|knowledge of|skills (?:in|like)|"
    r"know|used|use|have|had|done|did)\s+)+"
)
_ITEM_TAIL = re.compile(
    r"(?:\s+(?:fluently|well|too|as well|already|though|a bit|a little|daily|every day|at work|on it|"
    r"on my cv|on there|in my job|at my job|on site|at home|before|at school|at uni|at college|"
    r"under my belt|experience|skills|knowledge|inside out))+$"
)
# "a forklift licence": an article before a credential is no reason to drop it (as it is for "a question").
_CREDENTIAL = re.compile(
    r"^(?:a|an)\s+(.+\b(?:licence|license|certificate|certification|card|qualification))$"
)
_NOT_IN_A_SKILL = frozenset(
    [
        "been",
        "any",
        "tips",
        "advice",
        "question",
        "i",
        "you",
        "me",
        "my",
        "it",
        "that",
        "this",
        "what",
        "which",
        "how",
        "why",
        "where",
        "who",
        "for",
        "looking",
        "want",
        "need",
        "am",
        "is",
        "are",
        "do",
        "does",
        "can",
        "could",
        "would",
        "should",
        "will",
        "job",
        "jobs",
        "career",
        "careers",
        "role",
        "roles",
        "the",
        "a",
        "an",
        "not",
        "no",
        "never",
        "don't",
    ]
)


def _listed_skills(text: str, known: Iterable[str] = ()) -> tuple[list[str], list[str]] | None:
    """Items of a list the user gives as their own skills, as written, lower case: "I'm good with
    customer service, cash handling and stock management" -> the three phrases, whether or not the
    skill matcher knows them (as the resume analysis takes the items of a skills section); `known`
    skill names with "and" in them ("health and safety") stay whole. Items that are not skills ("a
    question", "not flutter", "5 years") are dropped; the second list holds those not denied, in which
    a skill the matcher knows still counts ("5 years of experience with python"). None: the message
    gives no such list."""
    lowered = text.lower().replace("’", "'")
    for name in known:
        if " and " in name:
            lowered = lowered.replace(name, name.replace(" and ", "\x00"))
    items: list[str] = []
    dropped: list[str] = []
    triggers = list(_LISTS_SKILLS.finditer(lowered))
    if not triggers:
        return None
    for trigger in triggers:
        rest = lowered[trigger.end() :]
        end = _LIST_END.search(rest)
        for item in _ITEM_SPLIT.split(rest[: end.start()] if end else rest):
            item = item.replace("\x00", " and ")
            item = _ITEM_TAIL.sub("", _ITEM_LEAD.sub("", " ".join(item.split())))
            item = _CREDENTIAL.sub(r"\1", item)
            words = item.split()
            if (
                not words
                or len(words) > 4
                or set(words) & _NOT_IN_A_SKILL
                or not item[0].isalpha()
                or any(w.isdigit() for w in words)
            ):
                # Not a denied item, nor a thing the user has ("a second interview for ...").
                if words and not _DENIAL.search(item) and words[0] not in ("a", "an", "the"):
                    dropped.append(item)
                continue
            items.append(item)
    return list(dict.fromkeys(items)), dropped


_SENTENCE_START = re.compile(r"(?:^\W*|[.!?]\s+\W*|\n\s*\W*)\w")


def _shouted_or_titled(text: str) -> bool:
    """ALL CAPS or Every Word Capitalised: capitals that say nothing about names."""
    words = [w for w in re.findall(r"[A-Za-z]+", text) if len(w) > 2]
    return bool(words) and (text.isupper() or all(w[0].isupper() for w in words))


def default_skill_finder() -> SkillFinder:
    """Skills through the same matcher as resume analysis (engines.resume_analysis public API)."""

    matcher = get_skill_matcher()
    return lambda text: [(m.name, m.text) for m in matcher.find(text)]


def _place(
    text: str, words: list[str], raw_words: list[str], used: set[int], skill_words: set[str]
) -> str | None:
    """The place a message names: one of the bot's own list anywhere (longest first), else a gazetteer
    place right after "in", "near"... (not a skill or career word), written with its capital unless
    the user writes everything in lower case ("in cork"; but "experience in mobile development")."""
    places, more = locations(), gazetteer()
    # Capitals say nothing in all lower case, ALL CAPS or Title Case text.
    lower_writer = text == text.lower() or _shouted_or_titled(text)
    for k in (3, 2, 1):
        for s in range(0, len(words) - k + 1):
            if set(range(s, s + k)) & used:
                continue
            cand = " ".join(words[s : s + k])
            if cand in places:
                return places[cand]
    for k in (3, 2, 1):
        for s in range(1, len(raw_words) - k + 1):
            span = raw_words[s : s + k]
            before = _BEFORE_A_LOWER_CASE_PLACE if lower_writer else _BEFORE_A_PLACE
            if raw_words[s - 1] not in before or set(range(s, s + k)) & used:
                continue
            cand = " ".join(span)
            if cand not in more or set(span) & (skill_words | COMMON):
                continue
            # Followed by another capitalised word it is part of a longer name ("English Literature").
            if lower_writer or re.search(rf"\b{re.escape(more[cand])}\b(?!\s+[A-Z])", text):
                return more[cand]
    # A short follow-up naming only a place: "and Christchurch?", "what about Perth".
    rest = _FOLLOW_UP_LEAD.sub("", " ".join(raw_words))
    short = (
        bool(rest) and len(raw_words) <= 4 and rest in more and not set(rest.split()) & (skill_words | COMMON)
    )
    if short and (lower_writer or re.search(rf"\b{re.escape(more[rest])}\b", text)):
        return more[rest]
    return None


_FOLLOW_UP_LEAD = re.compile(r"^(?:and|or|what about|how about|in|and in|and what about)\s+")


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
    found_as_written = skill_finder(" ".join(raw_words)) if skill_finder is not None else []
    known_skills = [k.lower() for name, said in found_as_written for k in (name, said)]
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
            if phrase in known_skills or (
                len(span) == 1
                and not (
                    _one_word_career(phrase, index)
                    and _said_as_a_job(words, raw_words, i, j, words[j - 1] != raw_words[j - 1])
                )
            ):
                continue
            hit = index.lookup(phrase)
            if hit is not None:
                found = (j, CareerRef(hit[0], hit[1], _as_said(phrase, words, i, index)))
                break
        if found:
            used.update(range(i, found[0]))
            # Where the name as said starts ("manual tester": at "manual"), for "I am (a) ..." before it.
            extra_words = len(found[1].name.split()) - len(
                [w for w in plain[i : found[0]] if w not in SENIORITY]
            )
            start = i - extra_words
            current = bool(_CURRENT_ROLE.search(" ".join(words[max(0, start - 4) : start])))
            known = next((k for k, c in enumerate(ent.careers) if c.id == found[1].id), None)
            if known is None:
                ent.careers.append(replace(found[1], current=current))
            elif not current:
                # Named again, not as the user's job: it is the one asked about ("I'm a nurse, what
                # do nurses earn?").
                ent.careers[known] = replace(ent.careers[known], current=False)
            i = found[0]
        else:
            i += 1
    corrected = {k for k, (w, r) in enumerate(zip(words, raw_words, strict=True)) if w != r}
    while ent.target is None:
        # No career the catalogue knows is asked about: keep a job title as the user said it (its
        # actions then say plainly that there is no data for it), rather than the previous career.
        title = (
            _unnamed_career(plain, corrected, protected, used)
            or _job_frame(words, corrected, used)
            or _lone_title(words, raw_words, plain, used)
        )
        if title is None:
            break
        # Modifiers as typed ("devops", not "devop"), the head noun singular ("engineers").
        modifiers = [w for w in words[title[0] : title[1] - 1] if w not in SENIORITY]
        name = " ".join([*modifiers, plain[title[1] - 1]])
        current = bool(_CURRENT_ROLE.search(" ".join(words[max(0, title[0] - 4) : title[0]])))
        ent.careers.append(CareerRef("", "", name, current=current))
        used.update(range(*title))
    ent.location = _place(text, words, raw_words, used, protected)
    m = _DURATION_RE.search(norm)
    if m:
        unit = m.group(2).rstrip("s")
        unit = {"hr": "h", "hrs": "h", "wks": "wk"}.get(unit, unit)
        ent.max_hours = float(m.group(1)) * _UNIT_HOURS.get(unit, 1)
    for w in words:
        if w in LEVELS:
            ent.level = LEVELS[w]
            break
    # The last reference wins: "not the first one, is number 3 good?"
    for o in _ORDINAL_RE.finditer(norm):
        word = o.group(1) or o.group(2) or ""
        ent.ordinal = ORDINALS.get(word, 0) or int(o.group(3) or 0) or _RELATIVE.get(o.group(4) or "")
    if skill_finder is not None:
        career_words = {w for c in ent.careers for w in c.name.split()}
        matched = skill_finder(" ".join(words))
        matched += [k for k in found_as_written if k[0] not in {m[0] for m in matched}]
        # Names that only count with their casing ("Go", "Rust", "Excel": common words in lower case)
        # are lost by normalising; the text as typed still has them, except where a capital says
        # nothing: a sentence's first word ("Go to Dublin"), Title Case or ALL CAPS. Taken only where
        # the user says these are their skills ("I know Go and Rust"), not from any capitalised word
        # ("I'm Ruby").
        own = bool(_OWN_SKILLS.search(norm)) or bool(_ADDS_TO_LIST.search(norm))
        if own and not _shouted_or_titled(text):
            as_typed = _SENTENCE_START.sub(lambda m: m.group(0).lower(), text)
            matched += [k for k in skill_finder(as_typed) if k[0] not in {m[0] for m in matched}]
        # Listed as the user's own: each item as written, under the matcher's name when it knows the
        # item. A message with such a list names the user's skills there; what the matcher finds
        # elsewhere in it is other talk ("but I don't know kubernetes", "before my work history").
        listing = _listed_skills(text, [" ".join(w.lower().split()) for _, w in matched])
        listed: list[str] = []
        if listing is not None:
            listed, dropped = listing
            by_surface = {" ".join(w.lower().split()): name for name, w in matched}
            inside_dropped = [
                (name, w)
                for name, w in matched
                if any(re.search(rf"\b{re.escape(w.lower())}\b", d) for d in dropped)
            ]
            matched = [(by_surface.get(item, item), item) for item in listed] + inside_dropped
        said: dict[str, str] = {}
        for skill, as_written in matched:
            key = skill.lower()
            # A skill that is part of the career's name ("machine learning" in "machine learning
            # engineer") is the career, not a skill the user has.
            if set(key.split()) <= career_words or key in COMMON:
                continue
            if ent.location and key == ent.location.lower():
                continue
            said.setdefault(skill, " ".join(as_written.lower().split()))
        ent.skills = list(said)
        ent.skills_said = list(said.values())
        ent.own_skills = bool(_OWN_SKILLS.search(norm)) or bool(listed)
        ent.denied = bool(_DENIAL.search(norm))
        ent.adds_to_list = (
            bool(_ADDS_TO_LIST.search(norm))
            and "?" not in text
            and not _NOT_A_LISTING.search(norm)
            and not ent.denied
        )
    return ent
