"""Builds careers.jsonl.gz: ESCO occupations + derived skill profiles + BLS OEWS wage matches."""

from __future__ import annotations

import ast
import gzip
import shutil
import sqlite3
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from engines.reference_data.bls_match import MIN_CONFIDENCE, SocOccupation, match_titles
from engines.reference_data.catalog import CAREERS_FILE
from engines.reference_data.esco_text import LabelSplitter, split_occupation
from engines.reference_data.skill_profiles import (
    PROFILE_SIZE,
    TextItem,
    derive_profiles,
    evaluate_profiles,
)

# The wage cap footnote: "equal to or greater than $239,200 per year" is published as "#".
WAGE_CAP = 239200.0
REAL_SKILL_MIN_WEIGHT = 0.3


def read_soc_occupations(sqlite_gz: Path) -> list[SocOccupation]:
    """Detailed SOC occupations (display_level 3) with national all-industry median wage and employment."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "oews.sqlite"
        with gzip.open(sqlite_gz, "rb") as src, open(db, "wb") as dst:
            shutil.copyfileobj(src, dst)
        con = sqlite3.connect(db)
        try:
            rows = con.execute(
                "SELECT o.occupation_code, o.occupation_name, c.v13, c.v01 FROM occupation o "
                "LEFT JOIN cell c ON c.key = 'OEUN0000000000000' || o.occupation_code "
                "WHERE o.display_level = 3"
            ).fetchall()
        finally:
            con.close()
    return [SocOccupation(code, name, _wage(v13), _number(v01)) for code, name, v13, v01 in rows]


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:  # "-" / "*" = not released
        return None


def _wage(value: str | None) -> float | None:
    return WAGE_CAP if value == "#" else _number(value)


def _as_list(value: Any) -> list[str]:
    # The ICT occupations file stores some lists as their Python repr.
    if isinstance(value, str):
        parsed = ast.literal_eval(value) if value.startswith("[") else [value]
        return [str(v) for v in parsed]
    return [str(v) for v in value or []]


def build_careers(
    esco: Path, bls: Path, out: Path, skills: list[dict[str, Any]], definitions: dict[str, str]
) -> dict[str, Any]:
    """Build and write careers.jsonl.gz; return a quality report (profile P/R on 46 real occupations,
    label accuracy on them, BLS match coverage)."""
    import csv
    import json

    from engines.reference_data.build import CAREERS_ATTRIBUTION, write_jsonl_gz

    with open(esco / "occupations.csv", encoding="utf-8", newline="") as fh:
        # /isco/ rows are ISCO classification groups, not occupations.
        raw = [r for r in csv.DictReader(fh) if "/occupation/" in r["id"]]
    with open(esco / "ict_occupations_with_skills.json", encoding="utf-8") as fh:
        ict_occ = {d["uri"]: d for d in json.load(fh)}

    splitter = LabelSplitter.fit(r["description"] for r in raw)
    parsed = [split_occupation(r["description"], splitter) for r in raw]
    occupations = [
        TextItem(r["id"], label, " ".join([label, *alts, definition]))
        for r, (label, alts, definition) in zip(raw, parsed, strict=True)
    ]
    skill_items = [
        TextItem(s["id"], s["label"], " ".join([s["label"], *s["alt_labels"], definitions.get(s["id"], "")]))
        for s in skills
    ]
    profiles = derive_profiles(occupations, skill_items, PROFILE_SIZE)

    # Real relations (by label) for the 46 ICT occupations.
    by_label: dict[str, int] = {}
    for j, s in enumerate(skills):
        for name in (s["label"], *s["alt_labels"]):
            by_label.setdefault(name.lower(), j)
    real: dict[str, list[int]] = {}
    unmapped = 0
    for uri, d in ict_occ.items():
        idx: list[int] = []
        for name in dict.fromkeys(_as_list(d.get("skill")) + _as_list(d.get("knowledge_"))):
            found = by_label.get(name.lower())
            if found is None:
                unmapped += 1
            elif found not in idx:
                idx.append(found)
        real[uri] = idx
    eval_pairs = [(i, real[o.id]) for i, o in enumerate(occupations) if o.id in real]
    evaluation = evaluate_profiles(
        [{j for j, _ in profiles[i].skills} for i, _ in eval_pairs],
        [set(r) for _, r in eval_pairs],
        PROFILE_SIZE,
    )
    label_ok = sum(
        occupations[i].label.lower() == ict_occ[occupations[i].id]["label"].lower() for i, _ in eval_pairs
    )

    matches = match_titles([[label, *alts] for label, alts, _ in parsed], read_soc_occupations(bls))

    records = []
    for i, (occ, (label, alts, definition)) in enumerate(zip(occupations, parsed, strict=True)):
        derived = dict(profiles[i].skills)
        if occ.id in real:
            # Real relations replace the derived profile; derived similarity still orders them.
            chosen = [(j, max(derived.get(j, 0.0), REAL_SKILL_MIN_WEIGHT)) for j in real[occ.id]]
            chosen.sort(key=lambda p: -p[1])
        else:
            chosen = profiles[i].skills
        m = matches[i]
        bls_rec = None
        if m.confidence >= MIN_CONFIDENCE:
            bls_rec = {
                "soc": m.soc.soc,
                "title": m.soc.title,
                "median_wage": m.soc.median_wage,
                "employment": m.soc.employment,
                "confidence": m.confidence,
            }
        records.append(
            {
                "id": occ.id,
                "label": label,
                "description": definition,
                "alt_titles": alts,
                "skills": [
                    {"id": skills[j]["id"], "label": skills[j]["label"], "weight": round(w, 3)}
                    for j, w in chosen
                ],
                "bls": bls_rec,
            }
        )
    write_jsonl_gz(out / CAREERS_FILE, CAREERS_ATTRIBUTION, records)
    return {
        "n_careers": len(records),
        "label_exact_match_on_46": label_ok / max(len(eval_pairs), 1),
        "profile_vs_real_46": asdict(evaluation),
        "real_skill_labels_unmapped": unmapped,
        "bls_matched": sum(r["bls"] is not None for r in records),
        "bls_min_confidence": MIN_CONFIDENCE,
    }
