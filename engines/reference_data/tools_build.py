"""Build ``data/tools.jsonl.gz``: the tools and technologies people list on resumes, from O*NET.

Usage (never at run time; the application reads only the compact file this writes)::

    python -m engines.reference_data.tools_build --onet ../shared/data/onet --out engines/reference_data/data

Source: O*NET Technology Skills (``technology_skills.tsv``: occupation x example product, e.g.
"Autodesk AutoCAD", "Dassault Systemes SolidWorks"), CC BY 4.0. Each distinct product becomes one record
with the short forms people write: the product name without its vendor ("AutoCAD", "SolidWorks").
A vendor is a capitalised first word (or two) that starts several products and is not an ordinary
word. Generic category rows ("Cost estimating software") are dropped. A short form that is also an
ordinary English word ("Word", "Access", "Project") is marked ``weak``: the matcher accepts it only in a
skills list, with its capital letter. Ordinary words are the lower-case words of the ESCO preferred
skill labels
(``skills.jsonl.gz``, already derived) and spaCy's English stop words.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from spacy.lang.en.stop_words import STOP_WORDS

from engines.reference_data.catalog import DATA_DIR, SKILLS_FILE, iter_records
from engines.reference_data.jsonl_files import write_jsonl_gz

TOOLS_FILE = "tools.jsonl.gz"
ONET_ATTRIBUTION = (
    "This file includes information from the O*NET Database (Technology Skills) by the U.S. Department "
    "of Labor, Employment and Training Administration (USDOL/ETA), used under the CC BY 4.0 license "
    "(https://creativecommons.org/licenses/by/4.0/). O*NET is a trademark of USDOL/ETA. Modified: "
    "products deduplicated, vendor-less short names derived, generic categories dropped, occupations "
    "reduced to counts. USDOL/ETA has not approved, endorsed, or tested these modifications."
)
_TOKEN = re.compile(r"[A-Za-z][A-Za-z'-]*")


def common_words(skills_path: Path) -> set[str]:
    """Lower-case words of ordinary English: ESCO label words plus spaCy stop words."""

    words = {w.lower() for w in STOP_WORDS}
    for rec in iter_records(skills_path):
        for token in _TOKEN.findall(rec["label"]):
            if token.islower():
                words.add(token)
    return words


def _is_named(token: str, common: set[str]) -> bool:
    """A token that names a thing: internal capitals, digits, all caps, or a capitalised non-word."""
    if any(c.isdigit() for c in token):
        return True
    if len(token) > 1 and token.isupper():
        return True
    if any(c.isupper() for c in token[1:]):
        return True
    return token[:1].isupper() and token.lower() not in common


def _distinctive(token: str) -> bool:
    """Internal capitals, digits or a 4+ letter acronym: not an ordinary word in any casing."""
    core = token.strip("().,")
    return (
        any(c.isdigit() for c in core)
        or (any(c.isupper() for c in core[1:]) and not core.isupper())
        or (core.isupper() and len(core) >= 4)
    )


def _is_generic(name: str, common: set[str]) -> bool:
    tokens = name.split()
    return not any(_is_named(t.strip("(),"), common) for t in tokens)


def build_tools(onet: Path, skills_path: Path) -> list[dict[str, Any]]:
    """One record per O*NET product: name, short forms, weak short forms, category, counts."""
    common = common_words(skills_path)
    with open(onet / "technology_skills.tsv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    occupations: dict[str, set[str]] = defaultdict(set)
    category: dict[str, Counter[str]] = defaultdict(Counter)
    hot: dict[str, bool] = defaultdict(bool)
    for row in rows:
        name = " ".join(row["Example"].split())
        occupations[name].add(row["O*NET-SOC Code"])
        category[name][row["Commodity Title"]] += 1
        hot[name] |= row.get("Hot Technology") == "Y"
    starts: Counter[str] = Counter()
    for name in occupations:
        tokens = name.split()
        for i in (1, 2):
            if len(tokens) > i:
                starts[" ".join(tokens[:i])] += 1
    vendors = {
        prefix for prefix, n in starts.items() if n >= 2 and all(t[:1].isupper() for t in prefix.split())
    }
    records = []
    for name in sorted(occupations):
        if _is_generic(name, common):
            continue
        tokens = name.split()
        aliases: list[str] = []
        vendor_names: list[str] = []
        for i in (1, 2):
            prefix = " ".join(tokens[:i])
            if len(tokens) > i and prefix in vendors:
                short = " ".join(tokens[i:])
                if (
                    len(short) < 2
                    or not tokens[i][:1].isupper()
                    or (" " in short and _is_generic(short, common))
                ):
                    continue
                aliases.append(short)
                head = short.split()[0]
                if " " in short and len(head) >= 3 and (head.isupper() or any(c.isupper() for c in head[1:])):
                    aliases.append(
                        head
                    )  # "IBM SPSS Statistics" -> "SPSS", "Autodesk AutoCAD Civil 3D" -> "AutoCAD"
                if i == 1 and _is_named(prefix, common):
                    vendor_names.append(prefix)  # "ANSYS", "Epic", "SAP": the vendor's name for its products
        # "ESRI ArcGIS software" -> "ArcGIS": trailing category words are not part of what people write.
        for alias in list(aliases) or [name]:
            trimmed = re.sub(r"(?:\s+(?:software|systems?|suite|platform|application))+$", "", alias)
            if trimmed != alias and len(trimmed) >= 2:
                aliases.append(trimmed)
        # "Human resource information system (HRIS)": the acronym is what people write.
        acronym = re.search(r"\(([A-Z][A-Za-z0-9&/-]{1,9})\)\s*$", name)
        if acronym:
            aliases.append(acronym.group(1))
        aliases = [a for a in dict.fromkeys([*aliases, *vendor_names]) if a != name]
        # One plain word ("Excel", "Maple", "Star", "Chef") or a short acronym ("CPA") is only believable in
        # a skills list; "AutoCAD", "SolidWorks", "MATLAB", "3ds Max" are distinctive anywhere.
        weak = [a for a in (name, *aliases) if " " not in a and (not _distinctive(a) or a in vendor_names)]
        records.append(
            {
                "name": name,
                "aliases": aliases,
                "weak": weak,
                "category": category[name].most_common(1)[0][0],
                "occupations": len(occupations[name]),
                "hot": hot[name],
            }
        )
    return records


def main(argv: list[str] | None = None) -> int:
    """Entry point: write tools.jsonl.gz and print counts."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--onet", type=Path, required=True, help="directory with technology_skills.tsv")
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="output directory")
    parser.add_argument("--skills", type=Path, default=DATA_DIR / SKILLS_FILE, help="derived ESCO skills")
    args = parser.parse_args(argv)
    records = build_tools(args.onet, args.skills)
    n = write_jsonl_gz(args.out / TOOLS_FILE, ONET_ATTRIBUTION, records)
    aliases = sum(len(r["aliases"]) for r in records)
    print(f"{n} tools, {aliases} short forms -> {args.out / TOOLS_FILE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
