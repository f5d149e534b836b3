"""Place names (from ``data/places.txt.gz``, see :mod:`build_places`) and the location test built on them."""

from __future__ import annotations

import gzip
import re
from functools import lru_cache
from pathlib import Path

from .contact import COUNTRIES, US_STATES

_DATA = Path(__file__).resolve().parent / "data" / "places.txt.gz"
# Canadian provinces and Australian states, written after a city like US states.
REGION_CODES = frozenset(
    {"ON", "QC", "BC", "AB", "MB", "SK", "NS", "NB", "NL", "PE", "YT", "NT", "NU"}
    | {"NSW", "VIC", "QLD", "WA", "SA", "TAS", "ACT", "NT"}
)
_WORD = r"[^\W\d_][\w.'’-]*"
_PLACE_SHAPE = re.compile(rf"^{_WORD}(?:\s+(?:{_WORD}))*$")
_ORG_HINTS = frozenset(
    [
        "inc",
        "llc",
        "ltd",
        "limited",
        "plc",
        "gmbh",
        "ag",
        "sa",
        "corp",
        "corporation",
        "company",
        "group",
        "bank",
        "hospital",
        "university",
        "college",
        "school",
        "council",
        "department",
        "services",
        "solutions",
        "systems",
        "agency",
        "trust",
        "institute",
        "clinic",
        "centre",
        "center",
        "association",
        "authority",
        "ministry",
        "pty",
    ]
)


def region_abbreviations() -> frozenset[str]:
    """US states' and Canadian/Australian regions' abbreviations, in capitals ("TN", "NSW")."""
    return frozenset(US_STATES) | REGION_CODES


def place_name_inputs() -> list[Path]:
    """The files `place_names` is made from (the keys of anything built from it and kept on disk)."""
    return [_DATA, Path(__file__), Path(__file__).with_name("contact.py")]


@lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    """Cities, towns and regions (case-sensitive, as written), plus country names."""
    names: set[str] = set()
    try:
        with gzip.open(_DATA, "rt", encoding="utf-8") as fh:
            names.update(line.strip() for line in fh if line.strip() and not line.startswith("#"))
    except OSError:
        pass
    names.update(c.title() for c in COUNTRIES)
    return frozenset(names)


def _is_region(text: str) -> bool:
    text = text.strip(" .")
    return text in US_STATES or text in REGION_CODES or text.lower() in COUNTRIES or text in place_names()


def is_place(text: str) -> bool:
    """True for "Berlin", "Leeds, UK", "Toronto, ON", "New York, NY", "Remote":
    a location, not an employer."""
    text = text.strip(" ()·|,;")
    if not text or len(text) > 48:
        return False
    if text.lower() in {"remote", "hybrid", "on-site", "onsite", "home-based"}:
        return True
    parts = [p.strip() for p in text.split(",")]
    if any(not p or not _PLACE_SHAPE.match(p) for p in parts) or len(parts) > 3:
        return False
    words = {w.lower().strip(".") for p in parts for w in p.split()}
    if words & _ORG_HINTS:
        return False
    if len(parts) == 1:
        return parts[0] in place_names() or parts[0].lower() in COUNTRIES or parts[0] in US_STATES
    head, *regions = parts
    if len(head.split()) > 4:
        return False
    last = regions[-1].strip(" .")
    coded = last in US_STATES or last in REGION_CODES or last.lower() in COUNTRIES
    if len(parts) == 3:
        return head in place_names() and all(_is_region(r) for r in regions)
    # "Leeds, UK", "Toronto, ON": a region code or country vouches for the town; otherwise the town
    # itself must be a known place ("Galway, Connacht").
    return coded or (head in place_names() and _is_region(last))
