"""Entities of a chat message: careers (ESCO titles), skills (the resume analysis matcher), locations,
durations, levels and list references ("the second one"). Typos are tolerated by correcting unknown
words to the nearest word of the career/place vocabulary (edit distance 1, or 2 for long words)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache

from engines.english_words import english_word_frequencies
from engines.resume_analysis import get_skill_matcher
from engines.word_forms import singular

from .job_titles import (
    ASPIRES,
    CAREER_HEADS,
    CHANGE_TO,
    CONSIDERED,
    CURRENT_ROLE,
    WEIGHS_UP,
    CareerIndex,
    CareerRef,
    as_said,
    career_index,
    field_career,
    hiring_side,
    hyphens_as_typed,
    job_frame,
    lone_title,
    one_word_career,
    opening_title,
    said_as_a_job,
    unclipped,
    unnamed_career,
)
from .nlu import fold_accents, normalise
from .places import gazetteer, home_town, locations, place, shouted_or_titled
from .skill_lists import adds_to_list, asks_or_denies, denies, listed_skills, says_own_skills
from .vocabulary import COMMON, SENIORITY

# A skill finder gives each skill in a text as (the matcher's canonical name, the words as written):
# actions need the canonical name ("adobe photoshop"), the conversation remembers what was said.
SkillFinder = Callable[[str], list[tuple[str, str]]]

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
    # Not "the first thing anyone will notice", "the second time".
    r"(?!\s+(?:thing|things|time|times|step|steps|day|days|week|year|impression|place|person|people|few|"
    r"couple|half|question|priority|language)\b)"
    # "the 1st one", and "1st 1" as typed on a phone.
    # ("first 1:1", "first 1-2 years": no item, and normalised they read "first 1 1", "first 1 2")
    r"|\b(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th)\s+(?:one|1(?!\s*\d)|option|course|career|job)\b"
    # "no 2", but not "no, 2 years is too long".
    r"|(?:\b(?:number|option|opt|no(?=\s*[1-5]\b(?!\s*(?:years?|yrs?|months?|weeks?|days?|hours?|more|less|times))))"
    r"|#(?=[1-5]\b(?!\s*(?:priority|concern|thing|reason|goal|choice|fan|issue))))"
    r"\s*([1-5])\b"
    # "1 prob.", "2. how long is it?": a digit alone opening the message.
    r"|^([1-5])\b(?![.,]?\d|\s*(?:years?|yrs?|months?|weeks?|days?|hours?|h|k|x|%|more|less|times|of|and|or|to)\b)"
    r"|\b(?:the|that|this)\s+(last|final|middle)(?:\s+(?:one|option|course|career|job)\b|\W*$)"
    # "last one is online?", "final one" (opening the message, with no "the"; not "last one I had was
    # awful", "final option is to quit", "last one standing")
    r"|^(last|final)\s+(?:one|option|course)(?=\s*$|\s+(?:is(?! to\b)|looks|sounds|seems|pls|please|plz)\b)"
)
# The same in Spanish, Portuguese and French, opening the message ("el segundo, cuanto cuesta?", "a
# primeira", "le dernier"); normalised, so without accents.
_FOREIGN_ORDINALS = {
    **dict.fromkeys(["primero", "primera", "primer", "primeiro", "primeira", "premier", "premiere"], 1),
    **dict.fromkeys(["segundo", "segunda", "second", "seconde", "deuxieme"], 2),
    **dict.fromkeys(["tercero", "tercera", "tercer", "terceiro", "terceira", "troisieme"], 3),
    **dict.fromkeys(["ultimo", "ultima", "dernier", "derniere"], LAST),
}
_FOREIGN_ORDINAL_RE = re.compile(
    rf"^\W*(?:el|la|le|lo|l'|o|a)\s*({'|'.join(_FOREIGN_ORDINALS)})"
    # Only alone ("el segundo, cuanto cuesta?") or before a word for an item or for what the user thinks of
    # it: not "la primera pregunta", "el ultimo puesto que tuve", "a second opinion".
    r"(?=\s*(?:[,.!?;:-]|$)|\s+(?:uno|una|um|uma|curso|cours|opcion|opcao|option|formation|programa|programme|"
    r"es|e|est|me|parece|semble|cuesta|custa|coute|por|svp)\b)"
)
_SPELLED = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_SPELLED_PICK = re.compile(
    r"(?:^|[.,!?]\s*)(?:the\s+)?(?:number|option)\s+(one|two|three|four|five)"
    r"(?=\s*(?:[.!?]|$|,?\s*(?:sounds|looks|seems|please|pls|plz|for me)\b))"
)
# "is the google one free?", "the Open University course": an item of the list shown, by its name.
_NAMED_ITEM = re.compile(
    # ("that dante one sounds useful")
    r"\b(?:the|that|this) ((?:[a-z0-9+#']+ ){0,2}[a-z0-9+#']+) "
    r"(?:one|course|cert|certificate|certification|option|programme|program|degree|thing)\b"
)
# "the cypress is with subtitles?": an item named by a word or two before a verb about it.
_THE_ITEM_IS = re.compile(r"\bthe ((?:[a-z0-9+#']+ )?[a-z0-9+#']+) (?:is|was|has|does|looks|costs|seems)\b")
_NAMED_ACRONYM = re.compile(r"\bthe ([A-Z][A-Z0-9+]{1,7})\b")
_BARE_ACRONYM = re.compile(r"\b([A-Z][A-Z0-9+]{2,7})\b")
_NOT_A_NAME = frozenset(
    [*ORDINALS, "last", "final", "middle", "other", "same", "next", "previous", "new", "only", "this", "that"]
)
_ASKS_FOR_OTHERS = re.compile(
    r"\bwhat else (?:could|can|should|would|might) i(?: \w+ly)? (?:do|be|try|go for)\b"
    r"|\bwhat (?:could|can|should|would|might) i(?: \w+ly)? (?:do|be|try) (?:next|now|instead|after)\b"
    r"|\b(?:other|different|alternative) (?:jobs?|careers?|roles?|options|paths|lines of work)\b"
    r"|\bany (?:\w+ )?(?:jobs|careers|roles|options) for me\b"
)
_FOR_A_WHILE = re.compile(
    # "police constable in manchester 12 years", not "a nurse in 2 years" (a plan).
    r"(?:in (?!\d)\w+ |(?!in |with |within |after )\w+ )?"
    r"(?:for )?(?:\d+|a few|several|many) (?:years?|yrs?|yr)\b"
    r"(?! (?:of )?(?:experience|exp)\b)"
)
_GOING_BACK = re.compile(
    r"\b(?:go|going|get|getting|move|moving|come|coming|head|heading) back (?:in)?to (?:\w+ ){0,2}?(\w+)\b"
    r"(?! (?:after|when|once|if)\b)"
)
# "get into offshore wind as a wind turbine technician", "switch to software testing, as QA tester".
_INTO_AS = re.compile(
    r"\b(?:(?:get|getting|move|moving|go|going) into|(?:switch|switching|move|moving) to) "
    r"(?:\w+ ){1,3}as(?: an?)?$"
)
_WEIGHING_WORDS = frozenset(
    [
        *["good", "better", "right", "smart", "realistic", "sensible", "safe", "wise", "bad"],
        # "would content strategist be an easier step up?"
        *["easier", "easy", "harder", "quicker", "faster", "natural", "logical", "obvious", "bigger"],
        "viable",
    ]
)
_MODALS = "will|would|can|could|should|might|may|must|won't|can't|don't|doesn't|didn't"
# (not "I get to use SQL every day")
_MOVING_INTO = (
    r"(?:(?:switch|switching|move|moving|transition|transitioning|pivot|pivoting|retrain|retraining)"
    r" (?:in)?to"
    r"|(?:get|getting|go|going|break|breaking) into)"
)
_DURATION_RE = re.compile(r"\b(\d{1,3})\s*(hours?|hrs?|h|days?|weeks?|wks?|months?)\b")
_UNIT_HOURS = {"h": 1, "hr": 1, "hour": 1, "day": 8, "week": 10, "wk": 10, "month": 40}


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
    home: str | None = None  # where the user says they are from, when no other place is named
    max_hours: float | None = None
    level: str | None = None
    ordinal: int | None = None  # 1-based, or LAST / MIDDLE of the list shown
    item_words: tuple[str, ...] = ()  # "the google one": words naming an item of the list shown
    points_at_item: bool = False  # the ordinal surely refers to the list ("the first one", "number 2")

    @property
    def target(self) -> CareerRef | None:
        """The career asked about: none when the message only names the user's present job."""
        return next((c for c in self.careers if not c.current), None)

    @property
    def any(self) -> bool:
        return bool(
            self.careers or self.skills or self.location or self.ordinal or self.level or self.max_hours
        )


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class Speller:
    """Corrects a word to the vocabulary (deletion-neighbourhood lookup, SymSpell style): edit distance
    1, or 2 for words of eight letters or more ("vetinary" -> "veterinary")."""

    LONG = 8

    def __init__(
        self,
        vocab: Iterable[str],
        endings_kept: Iterable[str] = (),
        words: Iterable[str] = (),
        frequencies: Mapping[str, int] | None = None,
    ) -> None:
        self.vocab = set(vocab)
        # How often each English word is written (a general corpus): a real word is put right only into
        # a word written far more often ("manger" -> "manager"), not into a rarer one ("sounding" is no
        # typo of "shunting").
        self.frequencies = frequencies or {}
        # English words that are no typo of anything ("worked" is not "worker"): corrected to nothing.
        self.words = set(words)
        # Words not reached by adding or dropping letters at the end: "indian" is no typo of "india",
        # nor "german" of "germany" (place names; their adjectives are words of their own).
        self.endings_kept = set(endings_kept)
        self.index: dict[str, set[str]] = {}
        self.index2: dict[str, set[str]] = {}  # two letters deleted, long words only
        for w in self.vocab:
            ones = {w} | _deletes(w)
            for d in ones:
                self.index.setdefault(d, set()).add(w)
            if len(w) >= self.LONG:
                for d in {dd for one in ones for dd in _deletes(one)}:
                    self.index2.setdefault(d, set()).add(w)

    def _may_become(self, word: str, candidate: str) -> bool:
        """Not a place name reached by adding or dropping letters at the end ("indian", "german")."""
        return not (
            candidate in self.endings_kept and (candidate.startswith(word) or word.startswith(candidate))
        )

    def correct(self, word: str) -> str:
        # Five-letter words were corrected into other words too often ("pivot" -> "pilot").
        if word in self.vocab or word in self.words or word in COMMON or not word.isalpha():
            return word
        # A plural or singular of a known word is no typo: "session" stays (the vocabulary has "sessions").
        if word + "s" in self.vocab or (word.endswith("s") and word[:-1] in self.vocab):
            return word
        # ... nor the plural or third person of an English word: "a few battery installs" (not "installer").
        if word.endswith("s") and word[:-1] in self.words:
            return word
        # Six letters at least; and a word of 30 or more is no typo worth the distance-2 search's cost
        # (its candidates grow with the square of the length).
        if not 6 <= len(word) < 30:
            return word
        cands: set[str] = set()
        for d in {word} | _deletes(word):
            cands |= self.index.get(d, set())
        # Same first letter: people rarely mistype it, and without this "exams" became "texas".
        cands = {
            c for c in cands if abs(len(c) - len(word)) <= 1 and c[0] == word[0] and self._may_become(word, c)
        }
        typed_often = self.frequencies.get(word, 0)
        if typed_often:
            cands = {c for c in cands if self.frequencies.get(c, 0) >= _REAL_WORD_ODDS * typed_often}
            if not cands:
                return word
        if cands:
            return min(cands, key=lambda c: _closeness(word, c))
        if len(word) < self.LONG or _demonym_like(word):
            return word
        ones = {word} | _deletes(word)
        twos = ones | {dd for one in ones for dd in _deletes(one)}
        far = {
            c
            for d in twos
            for c in self.index2.get(d, set()) | self.index.get(d, set())
            if c[0] == word[0]
            and len(c) >= self.LONG
            and self._may_become(word, c)
            and _distance(word, c) <= 2
        }
        return min(far, key=lambda c: _closeness(word, c)) if far else word


# How much more often a word must be written than a real word typed, for the typed one to be taken as
# its typo.
_REAL_WORD_ODDS = 10


def _demonym_like(word: str) -> bool:
    """ "australian", "romanian", "singaporean", "japanese", "polish": adjectives of places, words of
    their own."""
    return word.endswith(("an", "ese", "ish", "ian", "ean"))


def _closeness(typed: str, candidate: str) -> tuple[int, int, int, str]:
    """Sort key of corrections: fewest edits; then one that only adds the letters the user left out
    ("statistican": "statistician", not "statistical"); then the nearest length."""
    letters = iter(candidate)
    only_missing = all(ch in letters for ch in typed)
    return (
        _distance(typed, candidate),
        0 if only_missing else 1,
        abs(len(candidate) - len(typed)),
        candidate,
    )


def _distance(a: str, b: str) -> int:
    """Edit distance with adjacent transpositions (optimal string alignment)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            best = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                best = min(best, prev2[j - 2] + 1)
            row.append(best)
        prev2, prev = prev, row
    return prev[-1]


@lru_cache(maxsize=1)
def speller() -> Speller:
    extra = set(LEVELS) | set(CAREER_HEADS) | {"salary", "course", "resume", "skills", "career", "missing"}
    # Words of courses and applications, so they are not "corrected" into careers ("diploma": "diplomat").
    extra |= {"diploma", "degree", "certificate", "apprenticeship", "masters", "bachelors", "licence"}
    extra |= {"license", "training", "experience", "interview", "internship", "qualification"}
    extra |= {"months", "weeks", "years", "days", "hours"}  # "3 months one": not "3 mounts"
    places = {w for n in locations() for w in n.split() if len(w) >= 5}
    return Speller(
        career_index().vocab | extra | places,
        endings_kept=places,
        words=career_index().prose,
        frequencies=english_word_frequencies(),
    )


_SENTENCE_START = re.compile(r"(?:^\W*|[.!?]\s+\W*|\n\s*\W*)\w")


def default_skill_finder() -> SkillFinder:
    """Skills through the same matcher as resume analysis (engines.resume_analysis public API)."""

    matcher = get_skill_matcher()
    return lambda text: [(m.name, m.text) for m in matcher.find(text)]


def _is_place(name: str) -> bool:
    """A normalised name of the bot's own places or of the gazetteer."""
    return name in locations() or name in gazetteer()


def sentence_starts(text: str, n_words: int) -> frozenset[int]:
    """Indices of the normalised words that open a clause (after . ! ? ; : , a dash, a slash or an opening
    bracket) or a line: a title's words stay within one ("I love marketing, data analyst salary?",
    "Photoshop/Illustrator", "RPN (registered practical nurse)")."""
    out, k = set(), 0
    for part in re.split(r"(?<=[.!?;:,])\s+|\s+[-–—]\s+|\n+|/|\s*\(", text):
        out.add(k)
        k += len(normalise(part).split())
    return frozenset(out) if k == n_words else frozenset()


def _left_behind(career: CareerRef, norm: str, question: int) -> bool:
    """A career named before the user asks what else they could do, and not weighed up ("data analyst
    sounds good. what should I do next?")."""
    name = normalise(career.name)
    at = norm.find(name)
    return 0 <= at < question and not _WEIGHED_UP.match(norm[at + len(name) :])


_WEIGHED_UP = re.compile(r"s?\s+(?:sounds|seems|looks|is (?:good|nice|an option)|would|could|might)\b")


def distinctive(word: str) -> bool:
    """A word that can name an item of a list by itself: a number or a name ("5", "polestar", "cypress"),
    not a word of English prose ("work", "part", "time")."""
    return any(ch.isdigit() for ch in word) or (word not in COMMON and word not in career_index().prose)


def _someone_of_theirs(name: str, norm: str, text: str) -> bool:
    """People the user has ("three of my agents resigned", "my line manager says"): every mention of the
    title comes right after "my", "our"... (not "My nurse friends moved to Dubai, how much does a nurse
    earn there?"), and none names it as a job ("become an agent", "as a manager")."""
    title = re.escape(normalise(name))
    # Sentence by sentence: "at my age. Pilates instructor would be quicker" names no one's instructor.
    said = " | ".join(normalise(part) for part in re.split(r"[.!?;]\s+", text))
    possessed = len(re.findall(rf"\b(?:my|our|his|her|their)(?: \w+)? {title}s?\b", said))
    return (
        possessed > 0
        and possessed == len(re.findall(rf"\b{title}s?\b", said))
        and not re.search(rf"\b(?:become|becoming|be|as|am|i'm|im) (?:an? )?(?:\w+ )?{title}\b", norm)
    )


def _former(career: CareerRef, norm: str) -> CareerRef:
    """The career as the user's past job where "ex-" or "former" comes before its name."""
    prefix = re.match(r"(?:ex|former)[- ]", career.name)
    if prefix:
        return replace(career, name=career.name[prefix.end() :], current=True)
    if re.search(rf"\b(?:ex|former) {re.escape(normalise(career.name))}\b", norm):
        return replace(career, current=True)
    return career


# Right after a title: "Is policy officer realistic without a politics degree?"
_REALISTIC = re.compile(r"(?:realistic|doable|achievable|feasible|viable)\b")


def _weighs_up_a_title(words: list[str], k: int, starts: frozenset[int]) -> bool:
    """ "Thinking (about) (a) X Y." as a whole sentence, X at `k`: one to three words, none a verb's -ing."""
    t = next((t for t in range(max(0, k - 3), k) if words[t] == "thinking" and t in starts), None)
    if t is None or not all(w in ("about", "of", "a", "an") for w in words[t + 1 : k]):
        return False
    end = next((s for s in sorted(starts) if s > k), len(words))
    return 1 <= end - k <= 3 and not any(w.endswith("ing") for w in words[k:end])


def _unknown_title_aimed_at(words: list[str], used: set[int], starts: frozenset[int]) -> int | None:
    """Where the first words no known career took start, after "become a", "be an", "Thinking"..."""
    return next(
        (
            k
            for k in range(1, len(words))
            if words[k] not in COMMON
            and words[k] not in _WEIGHING_WORDS  # "be a realistic move" aims at no career
            and not used & set(range(k, k + 3))  # not "become a better developer": that is a known career
            and (
                ASPIRES.search(" ".join(words[max(0, k - 4) : k]))
                # "Thinking motion designer.": weighing up a title the catalogue does not know, a sentence
                # of its own (not "Thinking of retraining. ...", "i'm thinking about a portfolio career").
                or _weighs_up_a_title(words, k, starts)
            )
        ),
        None,
    )


# One pass over the words in the order that resolves ambiguity (skills as written, then careers, then
# locations, experience, ordinals); split apart, each piece would need the others' leftovers passed in.
# A change of field: "get into", "move into", "switch to", "moving to" (not "getting into", "really into",
# "look into", "got into").
_MOVES_INTO = re.compile(
    r"\b(?:(?:get|go|move|break|transition|switch|pivot) into"
    rf"|(?:{'|'.join(sorted(CHANGE_TO))}) to)$"
)


_BEFORE_BE = frozenset(
    ["wanna", "to", "2", "gonna", "can", "cn", "could", "will", "should", "would", "i'd", "id"]
)


def extract(  # noqa: C901
    text: str, skill_finder: SkillFinder | None = None, index: CareerIndex | None = None
) -> Entities:
    index = index or career_index()
    sp = speller()
    raw_words = normalise(text).split()
    starts = sentence_starts(text, len(raw_words))
    # Words the skill matcher knows as written are never "corrected" ("docker" is not a typo of
    # "locker"), and a phrase that is a skill is not taken for a career ("html").
    found_as_written = skill_finder(" ".join(raw_words)) if skill_finder is not None else []
    known_skills = [k.lower() for name, said in found_as_written for k in (name, said)]
    protected = {w for s in known_skills for w in s.split()}
    # Nor are the items of a list of the user's skills ("I speak German": not "Germany"). The list is
    # parsed again below with what the matcher finds in the corrected words: those finds need the
    # speller, and the speller needs this parse, so one parse cannot serve both (each takes ~0.1 ms).
    listing = listed_skills(text, known_skills)
    listed_items = {normalise(item) for item in (listing[0] if listing else [])}
    protected |= {w for item in listed_items for w in item.split()}
    spell_checked = [w if w in protected else sp.correct(w) for w in raw_words]
    # "i wanna b a pharmacy tech": "b" for "be", as typed on a phone.
    spell_checked = [
        "be" if w == "b" and k and spell_checked[k - 1] in _BEFORE_BE else w
        for k, w in enumerate(spell_checked)
    ]
    words = unclipped(spell_checked, protected, starts)
    norm = " ".join(words)
    ent = Entities()
    # Careers: longest known phrase first, words singularised, seniority words dropped.
    plain = [w for w in (singular(x) if x not in COMMON else x for x in words)]
    i, n = 0, len(plain)
    used: set[int] = set()
    aimed_at: set[str] = set()  # careers named after "become a", "be a"...
    last_end, last_new = -1, False
    while i < n:
        found = None
        for j in range(min(n, i + 6), i, -1):
            # Seniority words are no part of the name, unless the title ends with one ("research
            # associate", "teaching assistant").
            span = [w for k, w in enumerate(plain[i:j]) if w not in SENIORITY or i + k == j - 1]
            if not span or plain[i] in COMMON or plain[j - 1] in COMMON:
                continue
            phrase = " ".join(span)
            # A skill, or an item of the user's list of skills ("... marine first aid and diesel mechanics").
            if (
                phrase in known_skills
                or any(item.endswith(" ".join(raw_words[i:j])) for item in listed_items)
                or (
                    len(span) == 1
                    and not (
                        one_word_career(phrase, index)
                        and said_as_a_job(words, raw_words, i, j, words[j - 1] != raw_words[j - 1])
                    )
                )
            ):
                continue
            hit = index.lookup(phrase)
            if hit is not None:
                name = as_said(phrase, words, i, index, raw_words, starts)
                # Known only as the end of a longer catalogue name, said after "IT": "IT support
                # engineer" is not the "HVAC support engineer" that "support engineer" was found in. A
                # name for it, but no catalogue career, unless the career is one of ICT.
                if (
                    phrase not in index.by_name
                    and "it" in name.split()[: -len(span)]
                    and not {"ict", "it"} & set(normalise(hit[1]).split())
                ):
                    hit = index.by_name.get(name, ("", ""))
                found = (j, CareerRef(hit[0], hit[1], name), len(span))
                break
        if found:
            used.update(range(i, found[0]))
            ref = found[1]
            if last_end == i and last_new and " " not in ent.careers[-1].name:
                # Two names in a row are one title: "electric" + "vehicle technician" (unless the name
                # as said already took the word before it).
                previous = ent.careers.pop()
                if len(ref.name.split()) == found[2]:
                    ref = replace(ref, name=f"{previous.name} {ref.name}")
            # Where the name as said starts ("manual tester": at "manual"), for "I am (a) ..." before it.
            start = i - (len(ref.name.split()) - found[2])
            used.update(range(max(0, start), i))  # its words typed before the catalogue's ("2d")
            before = " ".join(words[max(0, start - 5) : start])
            # "data scientist in pharma be a realistic move": past a place or field first.
            following = re.sub(r"^(?:in|at|for) \w+ ", "", " ".join(words[found[0] : found[0] + 8]))
            # "I'm a nurse", or a title followed by how long: "taxi driver karachi 6 yr".
            current = bool(
                CURRENT_ROLE.search(before) or _FOR_A_WHILE.match(" ".join(words[found[0] : found[0] + 6]))
            )
            # "get into offshore wind as a wind turbine technician"
            into_as = _INTO_AS.search(" ".join(words[max(0, start - 8) : start]))
            weighed = CONSIDERED.match(following) or _REALISTIC.match(following)
            if ASPIRES.search(before) or WEIGHS_UP.search(before) or into_as or weighed:
                aimed_at.add(ref.id)
            known = next((k for k, c in enumerate(ent.careers) if c.id == ref.id), None)
            last_new = known is None
            if known is None:
                ent.careers.append(replace(ref, current=current))
            elif not current:
                # Named again, not as the user's job: it is the one asked about ("I'm a nurse, what
                # do nurses earn?"), by the name it has where the user aims at it ("a staff nurse ...
                # I want to become a critical care nurse": one career of the catalogue, two names).
                name = ref.name if ref.id in aimed_at else ent.careers[known].name
                ent.careers[known] = replace(ent.careers[known], current=False, name=name)
            i = last_end = found[0]
        else:
            i += 1
    # What the user would sound or look like is no career of theirs ("start the cover letter without
    # sounding like a receptionist"); its words stay used, so no title is looked for in them.
    ent.careers = [
        c
        for c in ent.careers
        if not re.search(
            rf"\b(?:sound|sounding|sounds|look|looking|looks) like (?:an? )?{re.escape(c.name)}\b", norm
        )
        and not _someone_of_theirs(c.name, norm, text)
    ]
    # "Cabin crew for 9 years, could I become an air traffic controller?": the career aimed at is the
    # one asked about; the others are the user's own, even where no "I'm a" says so.
    if aimed_at or _unknown_title_aimed_at(words, used, starts) is not None:
        ent.careers = [replace(c, current=c.id not in aimed_at) for c in ent.careers]
    # Words the speller changed are weak evidence of a title, except a long word put right into a word
    # of the careers ("vetinary nurse").
    corrected = {
        k
        for k, (w, r) in enumerate(zip(spell_checked, raw_words, strict=True))
        if w != r and not (len(r) >= 7 and w in index.vocab)
    }
    field = field_career(words, used)
    # "Wedding photographer ... should I switch to product photography?", "get into hgv driving.
    # forklift driver in hull": the field the user moves into is the career aimed at, beside their job;
    # not when a career is aimed at by name ("get into banking as a compliance analyst", "could I become
    # a graphic designer"), nor a field the user is into, looks into or got into (a pastime, a past).
    moving_in = (
        field is not None
        and not aimed_at
        and bool(_MOVES_INTO.search(" ".join(words[max(0, field[0] - 3) : field[0]])))
    )
    if field is not None and moving_in:
        ent.careers = [replace(c, current=True) for c in ent.careers]
    if field is not None and (ent.target is None or moving_in):
        hit = index.lookup(field[2])
        ent.careers.append(CareerRef(*(hit or ("", "")), field[2]))
        used.update(range(field[0], field[1]))
    aimed_unknown = _unknown_title_aimed_at(words, used, starts)
    while ent.target is None:
        # No career the catalogue knows is asked about: keep a job title as the user said it (its
        # actions then say plainly that there is no data for it), rather than the previous career.
        title = (
            unnamed_career(
                plain, corrected, protected, used, starts, {k for k in known_skills if " " not in k}
            )
            or job_frame(words, corrected, used, starts)
            or lone_title(words, raw_words, plain, used)
            or opening_title(text, words, used, _is_place)
        )
        if title is None:
            break
        # Modifiers as typed ("devops", not "devop"), the head noun singular ("engineers").
        start = title[0]
        # "Thinking motion designer.": the weighing word opens the sentence, not the title.
        while (
            start < title[1] - 1
            and words[start] in ("thinking", "about", "of", "a", "an")
            and (start in starts or (start > 0 and words[start - 1] in ("thinking", "about", "of")))
        ):
            start += 1
        modifiers = [w for w in words[start : title[1] - 1] if w not in SENIORITY]
        name = " ".join([*modifiers, plain[title[1] - 1]])
        used.update(range(*title))
        if hiring_side(name, norm) or _someone_of_theirs(name, norm, text):
            continue  # "a recruiter", "the interviewer", "my agents": look on for the career asked about
        # "I'm a ...", or a title followed by where and how long: "helpdesk tech in Tallinn, 2 yrs".
        before = " ".join(words[max(0, title[0] - 5) : title[0]])
        current = bool(
            CURRENT_ROLE.search(before)
            # (not an aim: "how do I become a prompt engineer 2 years from now?")
            or (_FOR_A_WHILE.match(" ".join(words[title[1] : title[1] + 6])) and not ASPIRES.search(before))
            # "Freelance wedding videographer in Bristol. Thinking motion designer.": named before the
            # title the user aims at, it is the user's own.
            or (aimed_unknown is not None and title[1] <= aimed_unknown)
        )
        ent.careers.append(CareerRef("", "", name, current=current))
    ent.careers = [
        replace(c, name=hyphens_as_typed(c.name, text)) for c in ent.careers if not hiring_side(c.name, norm)
    ]
    # "I meant dispatcher, not logistics coordinator": the career named after "not" is not asked about.
    if len(ent.careers) > 1:
        kept = [
            c
            for c in ent.careers
            if not re.search(
                rf"\b(?:not|rather than|instead of) (?:an? )?{re.escape(normalise(c.name))}", norm
            )
        ]
        ent.careers = kept or ent.careers
    # An item of the user's list of skills is no career ("... marine first aid and diesel mechanics").
    ent.careers = [
        c
        for c in ent.careers
        if c.id in aimed_at
        or not any(re.search(rf"\b{re.escape(normalise(c.name))}s?$", i) for i in listed_items)
    ]
    # "ex-dancers", "a former nurse": the user's past job, by its name without the prefix.
    ent.careers = [_former(c, norm) for c in ent.careers]
    # "session guitarist, ... what else could i do": the job named, aimed at by no words, is the one
    # the user wants to leave.
    asks = _ASKS_FOR_OTHERS.search(norm)
    if not aimed_at and asks:
        ent.careers = [
            replace(c, current=True) if _left_behind(c, norm, asks.start()) else c for c in ent.careers
        ]
    # "I was a payroll administrator ... is it realistic to go back into payroll?": a returner asks
    # about the job they held.
    back = _GOING_BACK.search(norm)
    if back and ent.target is None:
        ent.careers = [
            replace(c, current=False)
            if back.group(1) in c.name.split()
            and re.search(
                rf"\b(?:i was|i used to be|i worked as) (?:an? )?{re.escape(normalise(c.name))}\b", norm
            )
            else c
            for c in ent.careers
        ]
    ent.location = place(text, words, raw_words, used, protected, index.prose)
    if ent.location is None:
        ent.home = home_town(text, raw_words, used, protected, index.prose)
    m = _DURATION_RE.search(norm)
    if m:
        unit = m.group(2).rstrip("s")
        unit = {"hr": "h", "hrs": "h", "wks": "wk"}.get(unit, unit)
        ent.max_hours = float(m.group(1)) * _UNIT_HOURS.get(unit, 1)
    for w in words:
        if w in LEVELS:
            ent.level = LEVELS[w]
            break
    # As typed: the speller knows no course names ("the diploma one" is not a "diplomat").
    named = [m.group(1).split() for m in _NAMED_ITEM.finditer(" ".join(raw_words))]
    named = named or [
        m.group(1).split()
        for m in _THE_ITEM_IS.finditer(" ".join(raw_words))
        if any(distinctive(w) for w in m.group(1).split())  # "the cypress is", not "the work is"
    ]
    # "blender studio one is that free": at the start of a message, "the" may be left out before "one".
    opening = re.match(r"((?:[a-z0-9+#']+ ){0,2}[a-z0-9+#']+) one\b", " ".join(raw_words))
    named = named or ([opening.group(1).split()] if opening else [])
    # "the health and safety one": common words inside a name go, a name of common words only is none.
    named = [[w for w in n if w not in COMMON] for n in named if not set(n) & _NOT_A_NAME]
    named = [n for n in named if n]
    # "for the PMP?": an acronym as typed names an item too.
    acronyms = [m.group(1).lower() for m in _NAMED_ACRONYM.finditer(text)]
    named += [[a] for a in acronyms if not _is_place(a)]  # not "the UK"
    if not named and not shouted_or_titled(text):
        # "FMVA sounds more practical", "is BTL1 recognised?": a bare acronym of three or more, as typed,
        # names an item too; it counts only where an item of the list shown carries it (dialogue.py).
        # Not one that is part of a career named ("an ESG analyst").
        in_careers = {w for c in ent.careers for w in c.name.split()}
        bare = [m.group(1).lower() for m in _BARE_ACRONYM.finditer(text)]
        # Nor one of the user's own skills ("I already know SQL, what else?").
        named = [[a] for a in bare if not _is_place(a) and a not in in_careers and a not in protected]
    if named:
        ent.item_words = tuple(named[-1])
        # "the Auckland uni one": a place in an item's name is no place asked about.
        if ent.location and set(normalise(ent.location).split()) <= set(ent.item_words):
            ent.location = None
    # "number three sounds good", "option two please": a number in words only alone in the message and
    # ending what is said of it (not "my number one priority", "number one is way too long").
    ordinals = list(_ORDINAL_RE.finditer(norm))
    spelled = None if ordinals else _SPELLED_PICK.search(norm)
    if spelled:
        ent.ordinal, ent.points_at_item = _SPELLED[spelled.group(1)], True
    # The last reference wins: "not the first one, is number 3 good?"
    for o in ordinals:
        # "the first one", "number 2": surely about the list; "the first step is hard" maybe not.
        after = norm[o.end() :].split()[:1]
        ent.points_at_item = bool(
            o.group(2)
            or o.group(3)
            or o.group(4)
            # "The first. how long is it?" (not "the first step is hard")
            or (o.start() == 0 and bool(re.match(r"^\W*(?:the\s+)?\w+\s*(?:[.,!?;:-]|$)", text.lower())))
            or re.search(r"\b(one|option|course)\b", o.group(0))
            or after in (["one"], ["option"], ["course"])
        )
        word = o.group(1) or o.group(2) or ""
        number = o.group(3) or o.group(4)
        relative = o.group(5) or o.group(6) or ""
        ent.ordinal = ORDINALS.get(word, 0) or int(number or 0) or _RELATIVE.get(relative)
    foreign = None if ordinals or spelled else _FOREIGN_ORDINAL_RE.match(fold_accents(text.lower()))
    if foreign:
        ent.ordinal, ent.points_at_item = _FOREIGN_ORDINALS[foreign.group(1)], True
    if skill_finder is not None:
        career_words = {w for c in ent.careers for w in c.name.split()}
        matched = skill_finder(" ".join(words))
        matched += [k for k in found_as_written if k[0] not in {m[0] for m in matched}]
        # Names that only count with their casing ("Go", "Rust", "Excel": common words in lower case)
        # are lost by normalising; the text as typed still has them, except where a capital says
        # nothing: a sentence's first word ("Go to Dublin"), Title Case or ALL CAPS. Taken only where
        # the user says these are their skills ("I know Go and Rust"), not from any capitalised word
        # ("I'm Ruby").
        claims = says_own_skills(norm)
        own = claims or adds_to_list(norm)
        if own and not shouted_or_titled(text):
            as_typed = _SENTENCE_START.sub(lambda m: m.group(0).lower(), text)
            matched += [k for k in skill_finder(as_typed) if k[0] not in {m[0] for m in matched}]
        # Listed as the user's own: each item as written, under the matcher's name when it knows the
        # item. A message with such a list names the user's skills there; what the matcher finds
        # elsewhere in it is other talk ("but I don't know kubernetes", "before my work history").
        listing = listed_skills(text, [" ".join(w.lower().split()) for _, w in matched])
        listed: list[str] = []
        if listing is not None:
            listed, dropped = listing
            by_surface = {" ".join(w.lower().split()): name for name, w in matched}
            # ... but not a part of an item kept whole ("manhattan" of "manhattan wms").
            inside_dropped = [
                (name, w)
                for name, w in matched
                if any(re.search(rf"\b{re.escape(w.lower())}\b", d) for d in dropped)
                and not any(re.search(rf"\b{re.escape(w.lower())}\b", item) for item in listed)
            ]
            matched = [(by_surface.get(item, item), item) for item in listed] + inside_dropped
        said: dict[str, str] = {}
        for skill, as_written in matched:
            key = skill.lower()
            # A skill that is part of the career's name ("machine learning" in "machine learning
            # engineer") is the career, not a skill the user has.
            typed = set(as_written.lower().split())
            if set(key.split()) <= career_words or (typed and typed <= career_words) or key in COMMON:
                continue
            if ent.location and key == ent.location.lower():
                continue
            # Outside a claim, a skill's name after a modal is a verb: "the AI will finish this job"
            # (not after "to": "I switched to python" names a skill).
            if not (claims or listed) and re.search(
                rf"\b(?:{_MODALS}) {re.escape(as_written.lower())}\b", norm
            ):
                continue
            # Nor is the field the user means to move into: "thinking of switching to data analysis"
            # (the past still names a skill of theirs: "I switched to python").
            if not (claims or listed) and re.search(
                rf"\b{_MOVING_INTO} (?:\w+ )?{re.escape(as_written.lower())}\b", norm
            ):
                continue
            said.setdefault(skill, " ".join(as_written.lower().split()))
        ent.skills = list(said)
        ent.skills_said = list(said.values())
        ent.own_skills = claims or bool(listed)
        ent.denied = denies(norm)
        ent.adds_to_list = (
            adds_to_list(norm) and "?" not in text and not asks_or_denies(norm) and not ent.denied
        )
    return ent
