"""Careers in a chat message: ESCO titles (by label, alternative title or head word) and job titles the
catalogue does not name ("machine learning engineer", "a job as a paralegal"), with the rules that tell
a job used as a job ("a welder") from the same word used otherwise ("tailor my CV")."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from spacy.lang.en.stop_words import STOP_WORDS as ENGLISH_STOP_WORDS

from engines.reference_data.catalog import load_careers
from engines.stop_words import stop_words
from engines.word_forms import singular

from .nlu import normalise
from .vocabulary import COMMON, PAY_WORDS, SENIORITY

# Last words of a job title that name a job alone ("a nurse", "welders"): one word is enough.
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
# Last words of a job title: the specific ones, and those that need a word before them ("data engineer").
CAREER_HEADS = _SPECIFIC_HEADS | frozenset(
    [
        "engineer",
        "developer",
        "designer",
        "manager",
        "analyst",
        "scientist",
        "administrator",
        "consultant",
        "technician",
        "specialist",
        "officer",
        "assistant",
        "tester",
        "writer",
        "editor",
    ]
)


@dataclass(frozen=True)
class CareerRef:
    id: str
    label: str
    name: str  # as the user said it: lowercase, singular, no seniority
    current: bool = False  # the user's own job ("I'm a teacher, would X suit me?"), not the one asked about


_PERSON_ENDING = re.compile(r"(?:er|or|ant|ent|ive|ier|ist|ian)$")
# Heads of catalogue names with such an ending that are things or words of other uses.
_NOT_PERSON_HEADS = frozenset(
    [
        *["equipment", "member", "layer", "monitor", "mirror", "management", "junior", "sewer", "blender"],
        *["tender", "setter", "reader", "lector", "ordinator", "printer", "mixer", "cutter", "grinder"],
        *["checker", "provider", "processor", "maker", "leader", "monitor"],
    ]
)


class CareerIndex:
    """ESCO careers by label and alternative title (labels win), plus a head-word fallback."""

    def __init__(self, careers: Iterable[Any]) -> None:
        careers = list(careers)
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
        counts = Counter(w for n in self.by_name for w in set(n.split()) if len(w) >= 4)
        self.vocab = set(counts) - _catalogue_typos(counts)
        # The words of the careers' descriptions: English as written by ESCO, for the speller to leave.
        # ... and of the BLS titles matched to them: job words ESCO may lack ("sonographer" of
        # "Diagnostic Medical Sonographers" is no typo of "scenographer").
        bls_words = [
            w for c in careers if getattr(c, "bls", None) for w in re.findall(r"[a-z]+", c.bls.title.lower())
        ]
        self.prose = frozenset(
            [w for c in careers for w in re.findall(r"[a-z]+", c.description.lower())]
            + bls_words
            + [singular(w) for w in bls_words]
        )
        # Head nouns of five names or more that name a person ("educator", "surveyor", "installer"), for
        # titles the catalogue does not know ("museum educator").
        heads = Counter(n.split()[-1] for n in self.by_name)
        self.heads = frozenset(
            w for w, k in heads.items() if k >= 5 and _PERSON_ENDING.search(w) and w not in _NOT_PERSON_HEADS
        )

    def lookup(self, phrase: str) -> tuple[str, str] | None:
        words = phrase.split()
        specific = len(words) >= 2 or words[0] in _SPECIFIC_HEADS
        return self.by_name.get(phrase) or (
            self.by_suffix.get(phrase) if words[-1] in CAREER_HEADS and specific else None
        )


def _catalogue_typos(counts: Counter[str]) -> set[str]:
    """Rare words one letter away from a word at least five times as common ("programer" 2 vs
    "programmer" 31, "bookeeper", "developerl" among ESCO's alternative titles): the speller must not
    correct to them."""
    # Words by the words they give with one letter dropped: one pass, not every insertion of every word.
    shorter_of: dict[str, list[str]] = {}
    for word in counts:
        for i in range(len(word)):
            shorter_of.setdefault(word[:i] + word[i + 1 :], []).append(word)
    typos = set()
    for word, n in counts.items():
        floor = max(3, 5 * n)
        dropped = {word[:i] + word[i + 1 :] for i in range(len(word))}  # "developerl" -> "developer"
        longer = shorter_of.get(word, [])  # "programer" <- "programmer"
        if any(counts.get(w, 0) >= floor for w in dropped) or any(counts[w] >= floor for w in longer):
            typos.add(word)
    return typos


_AGENT_NOUN = re.compile(r"(er|or|ist|ian|ant|ent|ess|man|woman|person|ive|ect|ee|eon|ic|ary|ard|ot)$")


def one_word_career(word: str, index: CareerIndex) -> bool:
    """A single word names a career only if it is an ESCO preferred label, a known head word, or looks
    like a person noun ("nurse", "electrician", "accountant"); one-word alternative titles such as
    "experience" or "html" are not careers in a chat."""
    if word in _NOT_PEOPLE:
        return False
    return (
        word in index.labels
        or word in CAREER_HEADS
        or word in _SPECIFIC_HEADS
        or bool(_AGENT_NOUN.search(word))
        or word in {"nurse", "pilot", "chef", "judge", "nanny", "model", "coach", "clerk", "cook"}
    )


# Head nouns of job titles, for careers the catalogue does not name ("machine learning engineer").
_TITLE_HEADS = CAREER_HEADS | frozenset(
    [
        "coordinator",
        "partner",  # "HR business partner"
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
        "rep",  # "medical device sales rep"
    ]
)
# Nouns of a profession by their ending ("embryologist", "sonographer", "paediatrician").
_PERSON_SUFFIX = re.compile(r"..(?:ologist|ographer|ician|iatrist|ist)$")

# Words that qualify a person, not a kind of job ("a good developer", "a remote engineer").
_NOT_MODIFIERS = frozenset(
    [
        *["recognised", "recognized", "accredited"],
        *["thinking", "considering"],  # "Thinking wind turbine tech."
        "decent",
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


_PRONOUNS = frozenset(["i", "you", "he", "she", "we", "they", "them", "us", "me"])

# Words after a title that make it a credential's name: "a food safety supervisor certificate".
_CREDENTIALS = frozenset(
    ["certificate", "cert", "licence", "license", "course", "qualification", "diploma", "training", "exam"]
)


# Words of those lists that English titles use too ("logo designer", "zero waste consultant", "fin ops").
_ENGLISH_TOO = frozenset(["logo", "zero", "fin", "pure", "ag", "sig", "hep", "usa", "mil", "solo", "tech"])


# Clipped words of job titles, put back in full where they end a title ("a hvac tech", "pen tester"): the
# slot keeps the title as a person writes it in full. Well-known clipped titles first ("surg tech" is a
# surgical technologist, the US title), then "tech" after a word of the catalogue's titles.
_CLIPPED_TITLES = {
    ("surg", "tech"): ("surgical", "technologist"),
    ("surg", "techs"): ("surgical", "technologists"),
    ("vet", "tech"): ("veterinary", "technician"),
    ("vet", "techs"): ("veterinary", "technicians"),
    ("pen", "tester"): ("penetration", "tester"),
    ("pen", "testers"): ("penetration", "testers"),
    ("pen", "testing"): ("penetration", "testing"),
}
_CLIPPED_HEADS = {"tech": "technician", "techs": "technicians"}
# "tech" is a technician only as a title's last word, said as one: after "a", "become", "do" ... and a
# word of the catalogue's titles ("a hvac tech", "do hvac techs make"), and not before a word that goes on
# with the title or names an industry's part. Not "I love tech", "work in climate tech", "tech support",
# "uk tech jobs", "a food tech specialist".
_BEFORE_A_CLIPPED_TITLE = frozenset(
    ["a", "an", "as", "the", "become", "becoming", "be", "being", "do", "does", "did", "for", "of", "many",
     "much", "thinking", "considering"]
)  # fmt: skip
_AFTER_TECH_INDUSTRY = frozenset(
    ["industry", "sector", "company", "companies", "firm", "firms", "startup", "startups", "world", "scene",
     "space", "field", "sales", "stack", "skills", "stuff", "background", "side", "support", "giant",
     "giants"]
)  # fmt: skip


def unclipped(words: list[str], kept: Collection[str] = (), starts: Collection[int] = ()) -> list[str]:
    """The words with clipped job words in full ("a hvac tech" -> "a hvac technician", "pen tester" ->
    "penetration tester"), word for word so positions still match the words as typed. Words in `kept`
    (the user's skills, as the matcher or their list names them: "tech pack") stay as they are, and no
    title runs across a sentence (`starts`: "I'm a nurse. Tech jobs pay more?")."""
    out = list(words)
    for k, w in enumerate(words):
        if w in kept or k in starts:
            continue
        after = words[k + 1] if k + 1 < len(words) else ""
        if (w, after) in _CLIPPED_TITLES and k + 1 not in starts:
            out[k], out[k + 1] = _CLIPPED_TITLES[(w, after)]
        elif (
            w in _CLIPPED_HEADS
            and out[k] == w
            and _titled_before(words, k, starts)
            and after not in _AFTER_TECH_INDUSTRY
            and after not in _TITLE_HEADS  # (CAREER_HEADS among them)
        ):
            out[k] = _CLIPPED_HEADS[w]
    return out


def _titled_before(words: list[str], k: int, starts: Collection[int]) -> bool:
    """One or two words of careers' names before word `k` ("hvac tech", "wind turbine tech"), opening a
    clause or after "a", "become", "thinking"..."""
    vocab = career_index().vocab
    for first in (k - 1, k - 2):
        if first < 0 or any(words[j] not in vocab or words[j] in COMMON for j in range(first, k)):
            return False
        if first == 0 or first in starts or words[first - 1] in _BEFORE_A_CLIPPED_TITLE:
            return True
        if k - 1 in starts:
            return False  # no title across a sentence
    return False


@lru_cache(maxsize=1)
def foreign_function_words() -> frozenset[str]:
    """Function words of Spanish, Portuguese, French, Italian and German (spaCy's stop-word lists),
    normalised, less English ones and the words of the catalogue's titles ("chef de cuisine", "au
    pair"): a message that mixes languages puts them before a job's name ("y cuánto gana un
    inspector"), and they make no title. "un" is one, though "UN" is among ESCO's alternative titles."""
    foreign = {normalise(w) for lang in ("es", "pt", "fr", "it", "de") for w in stop_words(lang)}
    title_words = {w for name in career_index().by_name for w in name.split()}
    title_words |= _ENGLISH_TOO
    return frozenset(w for w in foreign if w and " " not in w and w not in ENGLISH_STOP_WORDS) - (
        title_words - {"un"}
    )


def unnamed_career(
    plain: list[str],
    corrected: set[int],
    skill_words: set[str],
    used: set[int],
    starts: Collection[int] = (),
    skill_names: Collection[str] = (),
) -> tuple[int, int] | None:
    """A job title the catalogue does not know: 1-3 modifiers and a title head noun ("ux designer",
    "machine learning engineer", "devops engineer"). Each modifier is a word of a skill the message
    names, or a word as the user typed it (not spell-corrected) that is neither a common word nor one
    that qualifies a person, so "a better developer" is not a career."""
    for end, head in enumerate(plain):
        if (
            not (head in _TITLE_HEADS or head in career_index().heads or _PERSON_SUFFIX.search(head))
            or end in used
            or head in skill_names  # "Photoshop/Illustrator are my daily tools": a skill by its own name
            # "a food safety supervisor certificate" is no career (a head only the catalogue gives)
            or (head not in _TITLE_HEADS and end + 1 < len(plain) and plain[end + 1] in _CREDENTIALS)
        ):
            continue
        start = end
        while start > 0 and end - start < 3 and start - 1 not in used and start not in starts:
            k = start - 1
            word = plain[k]
            typed_title_word = (
                k not in corrected
                and word.isalpha()
                and word not in COMMON
                and word not in SENIORITY
                and word not in _NOT_MODIFIERS
                and word not in foreign_function_words()
            )
            if not (word in skill_words or typed_title_word):
                break
            start = k
        if start < end:
            return start, end + 1
    return None


_BEFORE_A_JOB = frozenset(
    ["a", "an", "the", "as", "become", "becoming", "be", "being", "other", "any", "would", "meant"]
)
_AFTER_A_JOB = PAY_WORDS | frozenset(
    [
        "job",
        "jobs",
        "role",
        "roles",
        "career",
        "careers",
        "position",
        "positions",
        "make",
        "makes",
        "get",
        "course",
        "courses",
    ]
)


_BEFORE_A_GERUND = frozenset(["for", "of", "about", "at", "in", "on", "by", "with", "to", "without", "from"])


_BEFORE_A_TITLE = frozenset(["a", "an", "become", "becoming", "as", "thinking", "considering", "maybe"])
_BE = frozenset(["i'm", "im", "am", "are", "was", "were", "is", "be", "been"])


# Words after which "it" before a career's name is the field, not the pronoun.
_BEFORE_IT_AS_A_FIELD = frozenset(["a", "an", "become", "becoming", "as", "be", "much", "many"])


def as_said(
    phrase: str,
    words: list[str],
    i: int,
    index: CareerIndex,
    typed: list[str] | None = None,
    starts: Collection[int] = (),
) -> str:
    """The career's name as the user said it: a phrase the catalogue knows only by its last words
    ("health nurse" of "mental health nurse", "installer" of "solar panel installer") keeps the words
    typed before it. `typed`: the words before spelling correction (a corrected word is weak evidence)."""
    # A known title of two words or more ("loan officer") keeps only words typed before it that are
    # themselves words of careers' names ("said clinical data manager", "a child protection social
    # worker"), or one word after an article or a verb of aiming ("a mortgage loan officer", "become QA
    # automation engineer").
    known = phrase in index.by_name and " " in phrase
    start = i
    # Not across a sentence: "at my age. Pilates instructor would be quicker" (`starts`).
    while start > 0 and i - start < 2 and start not in starts:
        w = words[start - 1]
        if w == "it" and (start == 1 or words[start - 2] in _BEFORE_IT_AS_A_FIELD):
            # "an it support technician", "become IT support engineer", "how much IT support engineer
            # get": IT, not the pronoun
            start -= 1
            continue
        if (
            w in COMMON
            or w in SENIORITY
            or w in _NOT_MODIFIERS
            or not (w.isalpha() or _DIMENSION.fullmatch(w))
        ):
            break
        if w in _PRONOUNS or (start >= 2 and words[start - 2] in _PRONOUNS):
            break  # a subject and its verb: "what do they ask dispatchers", "do you hire drivers"
        if typed is not None and typed[start - 1] != w and known:
            break  # "a decent ..." is no "a docent ..."
        if known and not (
            w in index.vocab or (start == i and start >= 2 and words[start - 2] in _BEFORE_A_TITLE)
        ):
            break
        if start >= 2 and words[start - 2] == "to":
            break  # a verb: "ready to apply bookkeeper jobs", "trying to move into policy officer roles"
        if w.endswith("ing") and start >= 2 and words[start - 2] in _BEFORE_A_GERUND | _BE:
            break  # a verb ("tips for finding electrician jobs", "I'm thinking network engineer")
        start -= 1
    return " ".join([*words[start:i], phrase])


def hyphens_as_typed(name: str, text: str) -> str:
    """The name with the hyphens the user typed ("non-executive director"): the words come normalised,
    and the slot keeps what was said. A plural in the text ("non-executive directors") still matches."""
    words = name.split()
    if len(words) < 2:
        return name
    pattern = r"([\s-]+)".join(re.escape(w) for w in words)
    m = re.search(rf"(?<![\w-]){pattern}", text.lower())
    if m is None or "-" not in m.group(0):
        return name
    separators = ["-" if "-" in sep else " " for sep in m.groups()]
    return "".join(w + sep for w, sep in zip(words, [*separators, ""], strict=True))


# A field named where a job is meant ("would product management be a good move", "a software
# engineering internship", "a career in nursing"): the person who works in it.
_FIELD_TO_PERSON = {
    "management": "manager",
    "engineering": "engineer",
    "development": "developer",
    "design": "designer",
    "analysis": "analyst",
    "analytics": "analyst",
    "accounting": "accountant",
    "nursing": "nurse",
    "teaching": "teacher",
    "consulting": "consultant",
    "journalism": "journalist",
    "photography": "photographer",
    "architecture": "architect",
    "underwriting": "underwriter",
    "producing": "producer",
    "editing": "editor",
    "auditing": "auditor",
    "recruiting": "recruiter",
    "translating": "translator",
    # Trades and crafts named by their work ("get into hgv driving"); not the pastimes people are "into"
    # (cooking, painting, writing, gardening).
    "driving": "driver",
    "welding": "welder",
    "plumbing": "plumber",
    "carpentry": "carpenter",
    "roofing": "roofer",
    "plastering": "plasterer",
    "bookkeeping": "bookkeeper",
    "hairdressing": "hairdresser",
    "surveying": "surveyor",
    "copywriting": "copywriter",
    "illustration": "illustrator",
    "animation": "animator",
    "interpreting": "interpreter",
    "tutoring": "tutor",
    "programming": "programmer",
    "banking": "banker",
    "farming": "farmer",
}
# "switch to product photography", "moving to welding": a change of field.
CHANGE_TO = frozenset(
    ["switch", "switching", "move", "moving", "transition", "transitioning", "change", "changing", "pivot"]
)
_AFTER_A_FIELD = frozenset(
    ["internship", "internships", "role", "roles", "job", "jobs", "position", "positions", "placement"]
)
_JOB_IN = frozenset(["career", "careers", "job", "jobs", "work", "role", "roles"])
_WOULD_BE_A = frozenset(["a", "an", "the", "good", "right", "better", "worth"])
_FIELD_FRAME = frozenset(["into", "in", "would", "be", "a", "an", "the", "of", "for", "to"])


_INTO_A_PASTIME = frozenset(
    ["really", "im", "i'm", "am", "also", "already", "so", "very", "totally", "quite", "look", "got"]
)


def _changes_to(words: list[str], start: int) -> bool:
    """The words before `start` are "switch to", "moving to"... (not "apply to")."""
    return start >= 2 and words[start - 1] == "to" and words[start - 2] in CHANGE_TO


def field_career(words: list[str], used: set[int]) -> tuple[int, int, str] | None:
    """(start, end, the person's title) of a field named as a job: after "would ... be a", "into", "a
    career in", or before "internship", "role", "jobs"."""
    for end, word in enumerate(words):
        person = _FIELD_TO_PERSON.get(word)
        if person is None or end in used:
            continue
        # One word names the field ("product", "software", "ux"); two would take in verbs ("think ux").
        start = end
        while start > 0 and end - start < 1 and start - 1 not in used:
            w = words[start - 1]
            if w in _FIELD_FRAME or w in COMMON or w in SENIORITY or w in _NOT_MODIFIERS or not w.isalpha():
                break
            start -= 1
        before = words[start - 1] if start else ""
        after = words[end + 1 : end + 3]
        framed = (
            (after[:1] and after[0] in _AFTER_A_FIELD)
            # "is UX design a good career", "UX design is good career change", "design as a career"
            or ("career" in words[end + 1 : end + 5] and after[:1] and after[0] in ("is", "as", "a"))
            # "is motion design a safer bet?"
            or (before == "is" and after[:1] and after[0] in ("a", "an"))
            or (before == "would" and after[:1] == ["be"] and after[1:] and after[1] in _WOULD_BE_A)
            # "Would underwriting suit me better?"
            or (before == "would" and after[:1] in (["suit"], ["fit"]))
            # "get into welding", not a pastime: "I'm really into animation", "already into programming"
            or (before == "into" and (start < 2 or words[start - 2] not in _INTO_A_PASTIME))
            or _changes_to(words, start)
            or (before == "in" and start >= 2 and words[start - 2] in _JOB_IN)
        )
        if framed and (start < end or before in ("in", "into", "would") or _changes_to(words, start)):
            return start, end + 1, " ".join([*words[start:end], person])
    return None


# "2d animator", "3d character artist": a word of the title that is no word of letters.
_DIMENSION = re.compile(r"[23]d")


def said_as_a_job(
    words: list[str], raw_words: list[str], i: int, j: int, spell_corrected: bool = False
) -> bool:
    """Whether a one-word career at words[i:j] is used as a job in this message: "a welder", "as a
    paralegal", "welders", "nurse salary", or the whole message. Many job words are verbs or adjectives
    elsewhere ("tailor my CV", "do you store what I type", "public speaking", "stock management")."""
    if len(words) <= 3:
        return True
    before = words[i - 1] if i > 0 else ""
    if _DIMENSION.fullmatch(before) and i > 1:
        before = words[i - 2]  # "a 2d animator"
    after = words[j] if j < len(words) else ""
    if singular(after) in _TITLE_HEADS:
        return False  # a modifier of a longer title ("an employment lawyer")
    if spell_corrected:
        # A corrected word is weaker evidence: "a physioterapist", not "over the diploma" -> "diplomat".
        return before in ("a", "an", "as") or after in _AFTER_A_JOB
    plural = raw_words[j - 1] != singular(raw_words[j - 1])
    # "Is recruiter a good fit for me?" (a person's name, not "is product management a good fit")
    person = singular(words[j - 1]) in _TITLE_HEADS or singular(words[j - 1]).endswith(
        ("er", "or", "ist", "ian")
    )
    weighed_up = person and bool(CONSIDERED.match(" ".join(words[j : j + 6])))
    return before in _BEFORE_A_JOB or after in _AFTER_A_JOB or plural or weighed_up


_JOB_FRAME = re.compile(
    r"\b(?:job|work|working|career|role|position|become|becoming) as an?$"
    r"|\bbe an?$|\b(?:become|becoming)(?: an?)?$"
)
_ROLE_WORDS = frozenset(["role", "roles", "job", "jobs", "position", "positions"])
# Words after a career the user weighs up: "would occupational therapy assistant be a good move for me?",
# "is nursing a good fit", "X suits me": that career is the one asked about, as with ASPIRES.
CONSIDERED = re.compile(
    r"(?:would |could |might )?(?:be|is) (?:a |an |the )?(?:good|better|right|smart|realistic|sensible) "
    r"(?:move|fit|idea|option|choice|career|path|step|switch|change|transition|pivot)\b"
    # Without "be": "Is supply chain planner good idea for me?", but not "good career options abroad?".
    r"|(?:a |an )?(?:good|better|right|smart) (?:move|fit|idea|choice|step|switch)\b|suits? me\b"
)
# Words before the career a user aims at: "could I become an air traffic controller", "I want to be a
# ...": that career is the one asked about, whatever other job the message names.
ASPIRES = re.compile(
    # "i want be CNC programmer": "to" left out, as second-language writers do.
    r"\b(?:be an?|(?<=want )be|"
    r"(?:become|becoming|switch to|switching to|move into|moving into|get into|getting into|"
    r"move over to|moving over to|"
    r"retrain as|train as|transition to|transition into|"
    r"move up to|moving up to|step up to|progress to|"
    # "got an interview next week for personal banker", "shortlisted for a ... role"
    r"(?:interview|interviews|interviewing|shortlisted|applying|applied)(?: \w+){0,3} for(?: the)?"
    r")(?: an?)?)$"
)
# ... and words that weigh a career up: "I'm thinking network engineer", "considering a ...". Only before
# a career the catalogue knows ("thinking about a portfolio career" names none).
WEIGHS_UP = re.compile(r"\b(?:thinking|thinking about|thinking of|considering|eyeing)(?: an?)?$")


def job_frame(
    words: list[str], corrected: set[int], used: set[int], starts: Collection[int] = ()
) -> tuple[int, int] | None:
    """A job the catalogue does not know and whose title has no head noun, named in a frame that says
    it is a job: "a job as a paralegal", "become an actuary" (1-3 words as typed, up to a common word or
    the clause's end: "be a midwife. yuh tink it suit mi?"), or "into ... roles"."""
    for k in range(1, len(words)):
        if k in used or not _JOB_FRAME.search(" ".join(words[max(0, k - 4) : k])):
            continue
        end = k
        while end < len(words) and end - k < 3:
            w = words[end]
            if w in COMMON or end in corrected or not w.isalpha() or w in _NOT_MODIFIERS:
                break
            if end > k and end in starts:
                break
            end += 1
        if end > k:
            return k, end
    # "went into medical science liaison roles": the kind of job people go into.
    for k in range(1, len(words)):
        if words[k - 1] != "into":
            continue
        for end in range(k + 1, min(k + 4, len(words))):
            title = range(k, end)
            typed = all(words[t].isalpha() and words[t] not in COMMON and t not in corrected for t in title)
            if words[end] in _ROLE_WORDS and not used & set(title) and typed:
                return k, end
    return None


def lone_title(
    words: list[str], raw_words: list[str], plain: list[str], used: set[int]
) -> tuple[int, int] | None:
    """A title head alone that the catalogue does not know, used as a job ("a solicitor", "barristers"),
    or a plural person noun in a question about jobs ("what qualifications do sonographers need?")."""
    about_jobs = bool(set(words) & _JOB_QUESTION)
    for k, word in enumerate(plain):
        if k in used or word in COMMON:
            continue
        if k > 0 and words[k - 1] in _BEFORE_A_CLAUSE:
            continue  # people in a clause: "a certification that recruiters look for"
        if word in _TITLE_HEADS and said_as_a_job(words, raw_words, k, k + 1):
            return k, k + 1
        plural = words[k] != word  # as corrected: "vetinary" is no plural of "veterinary"
        if about_jobs and plural and _AGENT_NOUN.search(word) and len(word) >= 6 and word not in _NOT_PEOPLE:
            return k, k + 1
        # ... or one the user puts right: "sorry, I meant sonographer not radiographer".
        if k > 0 and words[k - 1] == "meant" and _PERSON_SUFFIX.search(word) and word not in _NOT_PEOPLE:
            return k, k + 1
    return None


# "Crop insurance adjuster, does that need a license?", "Care coordinator sounds good": a title the
# message opens with, then a comma or a verb about it.
_OPENING_TITLE = re.compile(
    r"^\W*((?:[A-Za-z-]+\s+){0,3}[A-Za-z-]+)\s*(?:[,?:]|\s-\s|\s+(?:sounds|seems|looks|would|could|might)\b)"
)


def opening_title(
    text: str, words: list[str], used: set[int], is_place: Callable[[str], bool]
) -> tuple[int, int] | None:
    """A title the catalogue does not know that opens the message: 1-4 words, none common, the last a
    person noun ("adjuster", "officer", "embryologist"; one word alone only a title head, not "brilliant,
    thanks"), and no place ("Manchester, what's the pay?")."""
    m = _OPENING_TITLE.match(text)
    if m is None:
        return None
    title = normalise(m.group(1)).split()
    last = singular(title[-1]) if title else ""
    if (
        not title
        or title != words[: len(title)]
        or used & set(range(len(title)))
        or any(w in COMMON or w in _NOT_MODIFIERS for w in title)
        or title[0] in ("number", "option", "no")  # "Number three sounds good": a pick from a list
        or not (
            last in _TITLE_HEADS
            or _PERSON_SUFFIX.search(last)
            or (len(title) > 1 and _AGENT_NOUN.search(last))
        )
        or len(last) < 5
        or last in _NOT_PEOPLE
        or is_place(" ".join(title))
    ):
        return None
    return 0, len(title)


# The other side of hiring: "something an industry recruiter will read", "what will the interviewer ask"
# name people the user deals with, not the career asked about, unless named as a job.
_HIRING_SIDE = frozenset(["recruiter", "interviewer", "employer", "boss", "headhunter", "hiring manager"])


def hiring_side(name: str, norm: str) -> bool:
    """Whether the career named is someone on the other side of hiring, not named as a job."""
    words = name.split()
    head = next((h for h in _HIRING_SIDE if words[-len(h.split()) :] == h.split()), None)
    if head is None:
        return False
    last = re.escape(words[-1])
    as_a_job = (
        re.search(rf"\b(?:become|becoming|be an?|as an?)\b[^.?!]{{0,30}}\b{last}", norm)
        or re.search(rf"\b{last}s? (?:jobs?|roles?|salary|salaries|pay|career|positions?)\b", norm)
        or CONSIDERED.search(norm)
    )  # "is recruiter a good fit for me?"
    return not as_a_job


_BEFORE_A_CLAUSE = frozenset(["that", "which", "who", "whom", "if", "because", "when", "where"])
_NOT_PEOPLE = frozenset(
    [
        *["number", "member", "customer", "computer", "other", "letter", "answer", "matter", "figure"],
        "result",
        # Ending like "mechanic", but things: "Off topic, but ...".
        *["topic", "music", "logic", "clinic", "traffic", "public", "plastic", "fabric", "basic", "comic"],
        # ... and places or things ending like "editor": "a graphic designer at a newspaper".
        *["newspaper", "paper", "water", "power", "center", "centre", "corner", "border", "winter"],
        "summer",
    ]
)
_JOB_QUESTION = PAY_WORDS | frozenset(["qualification", "qualifications"])


@lru_cache(maxsize=1)
def career_index() -> CareerIndex:

    return CareerIndex(load_careers())


# "I'm a nurse", "I work as a welder", "currently an accountant": words just before a career that make it
# the user's present job.
CURRENT_ROLE = re.compile(
    # Not "could I work as a content strategist?"
    r"\b(?<!could )(?<!would )(?<!can )(?<!should )(?<!might )"
    r"(?:i'?m|i am|i'?ve been|i have been|i was|i work as|working as|worked as|currently|at the moment"
    # "after 8 years as an electronics technician", "10 yrs as a welder"
    r"|(?:years?|yrs?|months?) as)"
    r"(?: already| currently| now| still)?(?: an?| the)?$"
)
