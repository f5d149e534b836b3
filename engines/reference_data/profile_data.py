"""Compact inputs for deriving occupation skill profiles and for fitting careers to a whole user profile.

Written by the build (``python -m engines.reference_data.build ...``) from the original sources, read at
run time from ``engines/reference_data/data`` only:

- ``skill_texts.jsonl.gz``: ``{id, d}``: each ESCO skill's definition (labels are in skills.jsonl.gz).
- ``onet_tech.jsonl.gz``: ``{soc, tools: [[example, commodity title, hot 0/1], ...]}``: O*NET
  Technology Skills of the SOC occupations some career is matched to (CC BY 4.0, modified: trimmed).
- ``real_relations.jsonl.gz``: ``{id, label, labels: [...], skills: [...]}``: the ESCO ICT occupations
  that carry real occupation→skill relations: the skill labels as published (what a person would type)
  and the ESCO skill URIs they resolve to.
- ``area_wages.jsonl.gz``: first record ``{areas: {name: state code}}`` (states and metro areas), then
  ``{soc, w: {state code: annual median wage}}`` (BLS OEWS May 2025, state level).
"""

from __future__ import annotations

import csv
import gzip
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from engines.reference_data.catalog import DATA_DIR, iter_records
from engines.reference_data.jsonl_files import ESCO_ATTRIBUTION, write_jsonl_gz

SKILL_TEXTS_FILE = "skill_texts.jsonl.gz"
ONET_FILE = "onet_tech.jsonl.gz"
REAL_RELATIONS_FILE = "real_relations.jsonl.gz"
AREA_WAGES_FILE = "area_wages.jsonl.gz"

ONET_ATTRIBUTION = (
    "This includes information from the O*NET Database by the U.S. Department of Labor, Employment and "
    "Training Administration (USDOL/ETA). Used under the CC BY 4.0 license. O*NET® is a trademark of "
    "USDOL/ETA. Modified: only Example, Commodity Title and Hot Technology of SOC codes matched to ESCO."
)
BLS_ATTRIBUTION = "U.S. Bureau of Labor Statistics, OEWS May 2025 (state annual median wages), public domain."
ESCO_REAL_ATTRIBUTION = "ESCO, © European Union (https://esco.ec.europa.eu), reused with attribution."


@dataclass(frozen=True)
class RealRelations:
    """One occupation with real ESCO skill relations."""

    id: str
    label: str
    labels: tuple[str, ...]  # the skill labels as published (what a person would type)
    skills: tuple[str, ...]  # the ESCO skill URIs those labels resolve to


# ------------------------------------------------------------------------------------------ build side


def read_onet_tools(onet_dir: Path, socs: set[str]) -> dict[str, list[list[Any]]]:
    """O*NET technology examples per 6-digit SOC code (only the wanted codes)."""
    out: dict[str, list[list[Any]]] = {}
    with open(onet_dir / "technology_skills.tsv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            soc = row["O*NET-SOC Code"][:7].replace("-", "")
            if soc not in socs:
                continue
            tools = out.setdefault(soc, [])
            item = [row["Example"].strip(), row["Commodity Title"].strip(), int(row["Hot Technology"] == "Y")]
            if item not in tools:
                tools.append(item)
    return out


def read_area_wages(sqlite_gz: Path, socs: set[str]) -> tuple[dict[str, str], dict[str, dict[str, float]]]:
    """(area name -> state code for states and metro areas, soc -> {state code: median wage})."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "oews.sqlite"
        with gzip.open(sqlite_gz, "rb") as src, open(db, "wb") as dst:
            shutil.copyfileobj(src, dst)
        con = sqlite3.connect(db)
        try:
            areas = con.execute("SELECT area_code, areatype_code, state_code, area_name FROM area").fetchall()
            rows = con.execute("SELECT key, v13 FROM cell WHERE key LIKE 'OEUS%'").fetchall()
        finally:
            con.close()
    state_of_area = {code: st for code, kind, st, _ in areas if kind == "S"}
    names = {name: st for _, kind, st, name in areas if kind in ("S", "M")}
    wages: dict[str, dict[str, float]] = {}
    for key, v13 in rows:
        # OEU S <area 7> <industry 6> <soc 6>
        area, industry, soc = key[4:11], key[11:17], key[17:23]
        if industry != "000000" or soc not in socs or area not in state_of_area:
            continue
        try:
            wage = 239200.0 if v13 == "#" else float(v13)
        except (TypeError, ValueError):
            continue
        wages.setdefault(soc, {})[state_of_area[area]] = wage
    return names, wages


def write_profile_inputs(
    out: Path,
    definitions: dict[str, str],
    onet: dict[str, list[list[Any]]],
    real: Iterable[RealRelations],
    area_names: dict[str, str],
    area_wages: dict[str, dict[str, float]],
) -> dict[str, int]:
    """Write the four compact files; returns record counts."""

    counts = {
        SKILL_TEXTS_FILE: write_jsonl_gz(
            out / SKILL_TEXTS_FILE,
            ESCO_ATTRIBUTION,
            ({"id": k, "d": v} for k, v in sorted(definitions.items()) if v),
        ),
        ONET_FILE: write_jsonl_gz(
            out / ONET_FILE, ONET_ATTRIBUTION, ({"soc": k, "tools": v} for k, v in sorted(onet.items()))
        ),
        REAL_RELATIONS_FILE: write_jsonl_gz(
            out / REAL_RELATIONS_FILE,
            ESCO_REAL_ATTRIBUTION,
            (
                {"id": r.id, "label": r.label, "labels": list(r.labels), "skills": list(r.skills)}
                for r in real
            ),
        ),
        AREA_WAGES_FILE: write_jsonl_gz(
            out / AREA_WAGES_FILE,
            BLS_ATTRIBUTION,
            [{"areas": dict(sorted(area_names.items()))}]
            + [{"soc": k, "w": dict(sorted(v.items()))} for k, v in sorted(area_wages.items())],
        ),
    }
    return counts


# ---------------------------------------------------------------------------------------- run-time side


@lru_cache(maxsize=2)
def load_skill_definitions(data_dir: Path = DATA_DIR) -> dict[str, str]:
    """ESCO skill URI -> definition."""
    return {r["id"]: r["d"] for r in iter_records(Path(data_dir) / SKILL_TEXTS_FILE)}


@lru_cache(maxsize=2)
def load_onet_tools(data_dir: Path = DATA_DIR) -> dict[str, tuple[tuple[str, str, int], ...]]:
    """6-digit SOC -> O*NET technology examples (example, commodity title, hot)."""
    return {
        r["soc"]: tuple((str(a), str(b), int(c)) for a, b, c in r["tools"])
        for r in iter_records(Path(data_dir) / ONET_FILE)
    }


@lru_cache(maxsize=2)
def load_real_relations(data_dir: Path = DATA_DIR) -> tuple[RealRelations, ...]:
    """The occupations with real ESCO skill relations."""
    return tuple(
        RealRelations(r["id"], r["label"], tuple(r["labels"]), tuple(r["skills"]))
        for r in iter_records(Path(data_dir) / REAL_RELATIONS_FILE)
    )


@lru_cache(maxsize=2)
def load_area_wages(data_dir: Path = DATA_DIR) -> tuple[dict[str, str], dict[str, dict[str, float]]]:
    """(area name -> state code, soc -> {state code: annual median wage})."""
    names: dict[str, str] = {}
    wages: dict[str, dict[str, float]] = {}
    for r in iter_records(Path(data_dir) / AREA_WAGES_FILE):
        if "areas" in r:
            names = dict(r["areas"])
        else:
            wages[r["soc"]] = {k: float(v) for k, v in r["w"].items()}
    return names, wages
