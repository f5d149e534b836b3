"""Build ``data/places.txt.gz``: place names (cities, towns, regions) that tell a location from an employer.

Derived from the English geocoding descriptions shipped with the ``phonenumbers`` package (Apache-2.0;
data from Google's libphonenumber), split on commas, plus ISO country names from the same package.
Never called at run time::

    python -m engines.resume_analysis.build_places
"""

from __future__ import annotations

import gzip
from pathlib import Path

from phonenumbers.geodata import GEOCODE_DATA

OUT = Path(__file__).resolve().parent / "data" / "places.txt.gz"
ATTRIBUTION = "# Derived from libphonenumber geocoding data (phonenumbers package, Apache-2.0); modified."


def build() -> list[str]:
    """Sorted unique place names, 3+ characters, starting with a capital letter."""

    names: set[str] = set()
    for langs in GEOCODE_DATA.values():
        description = langs.get("en")
        if not description:
            continue
        for part in description.split(","):
            part = part.strip()
            if 3 <= len(part) <= 40 and part[:1].isupper() and not any(c.isdigit() for c in part):
                names.add(part)
    return sorted(names)


def main() -> int:
    names = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with open(OUT, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(("\n".join([ATTRIBUTION, *names]) + "\n").encode())
    print(f"{len(names)} places -> {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
