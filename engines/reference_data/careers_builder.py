"""Builds careers.jsonl.gz: ESCO occupations + derived skill profiles + BLS OEWS wage matches."""

from __future__ import annotations

import ast
import csv
import gzip
import json
import shutil
import sqlite3
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from engines.reference_data.bls_match import MIN_CONFIDENCE, SocOccupation, match_titles
from engines.reference_data.catalog import CAREERS_FILE, BlsMatch, Career, skill_from_record
from engines.reference_data.derivation import (
    CatalogueDeriver,
    leave_one_out_profiles,
    precision_recall,
)
from engines.reference_data.esco_text import LabelSplitter, split_occupation
from engines.reference_data.jsonl_files import CAREERS_ATTRIBUTION, write_jsonl_gz
from engines.reference_data.profile_data import (
    RealRelations,
    read_area_wages,
    read_onet_tools,
    write_profile_inputs,
)

# The wage cap footnote: "equal to or greater than $239,200 per year" is published as "#".
WAGE_CAP = 239200.0


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
    esco: Path,
    bls: Path,
    out: Path,
    skills: list[dict[str, Any]],
    definitions: dict[str, str],
    onet: Path | None = None,
    evaluate: bool = True,
) -> dict[str, Any]:
    """Build and write careers.jsonl.gz and the compact profile inputs (profile_data.py); return a quality
    report (BLS match coverage and, when `evaluate`, leave-one-out profile P/R on the real-relation
    occupations: 46 refits of the classifier, most of the build's time)."""

    with open(esco / "occupations.csv", encoding="utf-8", newline="") as fh:
        # /isco/ rows are ISCO classification groups, not occupations.
        raw = [r for r in csv.DictReader(fh) if "/occupation/" in r["id"]]
    with open(esco / "ict_occupations_with_skills.json", encoding="utf-8") as fh:
        ict_occ = {d["uri"]: d for d in json.load(fh)}

    splitter = LabelSplitter.fit(r["description"] for r in raw)
    parsed = [split_occupation(r["description"], splitter) for r in raw]
    matches = match_titles([[label, *alts] for label, alts, _ in parsed], read_soc_occupations(bls))
    careers: list[Career] = []
    for r, (label, alts, definition), m in zip(raw, parsed, matches, strict=True):
        bls_rec = None
        if m.confidence >= MIN_CONFIDENCE:
            bls_rec = BlsMatch(m.soc.soc, m.soc.title, m.soc.median_wage, m.soc.employment, m.confidence)
        careers.append(Career(r["id"], label, definition, tuple(alts), (), bls_rec))

    # Real relations (by label) for the ICT occupations: labels kept as published, plus resolved URIs.
    by_label: dict[str, str] = {}
    for s in skills:
        for name in (s["label"], *s["alt_labels"]):
            by_label.setdefault(name.lower(), s["id"])
    relations: list[RealRelations] = []
    unmapped = 0
    for uri, d in ict_occ.items():
        labels = list(dict.fromkeys(_as_list(d.get("skill")) + _as_list(d.get("knowledge_"))))
        ids: list[str] = []
        for name in labels:
            found = by_label.get(name.lower())
            if found is None:
                unmapped += 1
            elif found not in ids:
                ids.append(found)
        relations.append(RealRelations(uri, str(d["label"]), tuple(labels), tuple(ids)))

    socs = {c.bls.soc for c in careers if c.bls is not None}
    onet_tools = read_onet_tools(onet, socs) if onet is not None else {}
    area_names, area_wages = read_area_wages(bls, socs)
    counts = write_profile_inputs(out, definitions, onet_tools, relations, area_names, area_wages)

    skill_objs = [skill_from_record(s) for s in skills]
    onet_t = {k: tuple((a, b, int(c)) for a, b, c in v) for k, v in onet_tools.items()}
    cd = CatalogueDeriver.build(careers, skill_objs, definitions, onet_t, relations)
    catalogue = cd.catalogue()
    records = []
    for c in catalogue:
        records.append(
            {
                "id": c.id,
                "label": c.label,
                "description": c.description,
                "alt_titles": list(c.alt_titles),
                "skills": [{"id": s.id, "label": s.label, "weight": s.weight} for s in c.skills],
                "profile_source": c.profile_source,
                "bls": asdict(c.bls) if c.bls is not None else None,
            }
        )
    write_jsonl_gz(out / CAREERS_FILE, CAREERS_ATTRIBUTION, records)
    evaluation: dict[str, Any] | None = None
    if evaluate:
        loo = leave_one_out_profiles(cd)
        precision, recall = precision_recall(loo, cd.real)
        evaluation = {
            "n_occupations": len(cd.real),
            "profile_size": len(next(iter(loo.values()))) if loo else 0,
            "precision": precision,
            "recall": recall,
        }
    return {
        "n_careers": len(records),
        "profile_vs_real_leave_one_out": evaluation,
        "real_skill_labels_unmapped": unmapped,
        "compact_inputs": counts,
        "bls_matched": sum(r["bls"] is not None for r in records),
        "bls_min_confidence": MIN_CONFIDENCE,
    }
