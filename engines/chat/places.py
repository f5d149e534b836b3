"""Places in a chat message: the bot's own short list anywhere, and the resume analysis's gazetteer
(about 36,000 names, many of them also words) only where the message uses them as places."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
from phonenumbers import geocoder

from engines.resume_analysis import place_names

from .nlu import DATA_DIR, normalise
from .vocabulary import COMMON


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
    also words ("Reading", "Mobile", "Nice"), so a chat takes them only after "in", "near" and the like.
    Every country libphonenumber knows is added by its English name ("New Zealand", "Kenya")."""
    names = {normalise(p): p for p in [*place_names(), *country_names()]}
    # Only names of three letters or more once normalised ("Веселе" normalises to nothing).
    return {k: v for k, v in names.items() if len(k) >= 3}


def country_names() -> list[str]:
    """English names of the 245 regions libphonenumber has numbering plans for (its public API: the
    country of each region's example number)."""
    out = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        example = phonenumbers.example_number(region)
        name = geocoder.country_name_for_number(example, "en") if example is not None else ""
        if name:
            out.append(name)
    return out


# Words after which a gazetteer name is a place: "in Leeds", "near cork", "moving to Pune".
# Not "from": where the user comes from is not the place they ask about ("a fresher from Coimbatore").
_BEFORE_A_PLACE = frozenset(["in", "near", "around", "round", "to", "outside", "across"])
# ... and the ones that also precede verbs ("to land a job"): for a user who writes no capitals, only these.
_BEFORE_A_LOWER_CASE_PLACE = frozenset(["in", "near", "around", "round", "outside"])


def shouted_or_titled(text: str) -> bool:
    """ALL CAPS or Every Word Capitalised: capitals that say nothing about names."""
    words = [w for w in re.findall(r"[A-Za-z]+", text) if len(w) > 2]
    return bool(words) and (text.isupper() or all(w[0].isupper() for w in words))


def place(
    text: str, words: list[str], raw_words: list[str], used: set[int], skill_words: set[str]
) -> str | None:
    """The first place a message names: one of the bot's own list anywhere, or a gazetteer place right
    after "in", "near"... (not a skill or career word), written with its capital unless
    the user writes everything in lower case ("in cork"; but "experience in mobile development")."""
    places, more = locations(), gazetteer()
    # Capitals say nothing in all lower case, ALL CAPS or Title Case text.
    lower_writer = text == text.lower() or shouted_or_titled(text)
    # The first place named wins ("in Lyon or only Paris?"), the longer name where two start together.
    found: list[tuple[int, int, str]] = []
    for k in (3, 2, 1):
        for s in range(0, len(words) - k + 1):
            if set(range(s, s + k)) & used:
                continue
            cand = " ".join(words[s : s + k])
            if cand in places:
                found.append((s, -k, places[cand]))
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
                found.append((s, -k, more[cand]))
    if found:
        return min(found)[2]
    # A short follow-up naming only a place: "and Christchurch?", "what about Perth".
    rest = _FOLLOW_UP_LEAD.sub("", " ".join(raw_words))
    short = (
        bool(rest) and len(raw_words) <= 4 and rest in more and not set(rest.split()) & (skill_words | COMMON)
    )
    if short and (lower_writer or re.search(rf"\b{re.escape(more[rest])}\b", text)):
        return more[rest]
    return None


_FOLLOW_UP_LEAD = re.compile(r"^(?:and|or|what about|how about|in|and in|and what about)\s+")
