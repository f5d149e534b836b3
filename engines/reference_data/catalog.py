"""Loaders for the compact, committed reference catalogs (ESCO skills and careers, BLS OEWS wages).

Files are gzip JSON-lines whose first line is an attribution record ``{"_attribution": ...}``;
loaders skip it. Results are cached: the catalogs are immutable at run time.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
SKILLS_FILE = "skills.jsonl.gz"
CAREERS_FILE = "careers.jsonl.gz"


@dataclass(frozen=True)
class Skill:
    """One ESCO skill or knowledge concept."""

    id: str
    label: str
    alt_labels: tuple[str, ...] = ()
    type: str = "skill"
    ict: bool = False


@dataclass(frozen=True)
class CareerSkill:
    """A skill in a career's profile; weight in (0, 1], higher = more central to the career."""

    id: str
    label: str
    weight: float


@dataclass(frozen=True)
class BlsMatch:
    """The BLS SOC occupation matched to a career, with national median wage and employment."""

    soc: str
    title: str
    median_wage: float | None
    employment: float | None
    confidence: float


@dataclass(frozen=True)
class Career:
    """One ESCO occupation with its derived (or, for 46 ICT occupations, real) skill profile."""

    id: str
    label: str
    description: str
    alt_titles: tuple[str, ...] = ()
    skills: tuple[CareerSkill, ...] = field(default_factory=tuple)
    bls: BlsMatch | None = None
    profile_source: str = "derived"  # "esco": real ESCO relations; "derived": learned from text


def iter_records(path: Path) -> Iterator[dict[str, Any]]:
    """Yield the JSON records of a catalog file, skipping the attribution line."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            record = json.loads(line)
            if "_attribution" in record:
                continue
            yield record


def read_attribution(path: Path) -> str:
    """Return the attribution text stored in a catalog file's first line."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return str(json.loads(fh.readline())["_attribution"])


def skill_from_record(rec: dict[str, Any]) -> Skill:
    """Build a Skill from one JSON record."""
    return Skill(
        id=rec["id"],
        label=rec["label"],
        alt_labels=tuple(rec.get("alt_labels", ())),
        type=rec.get("type", "skill"),
        ict=bool(rec.get("ict", False)),
    )


def career_from_record(rec: dict[str, Any]) -> Career:
    """Build a Career from one JSON record."""
    bls = rec.get("bls")
    return Career(
        id=rec["id"],
        label=rec["label"],
        description=rec.get("description", ""),
        alt_titles=tuple(rec.get("alt_titles", ())),
        skills=tuple(CareerSkill(s["id"], s["label"], float(s["weight"])) for s in rec.get("skills", ())),
        bls=BlsMatch(**bls) if bls else None,
        profile_source=str(rec.get("profile_source", "derived")),
    )


@lru_cache(maxsize=4)
def _load_skills(data_dir: Path) -> tuple[Skill, ...]:
    return tuple(skill_from_record(r) for r in iter_records(data_dir / SKILLS_FILE))


@lru_cache(maxsize=4)
def _load_careers(data_dir: Path) -> tuple[Career, ...]:
    return tuple(career_from_record(r) for r in iter_records(data_dir / CAREERS_FILE))


def load_skills(data_dir: Path = DATA_DIR) -> list[Skill]:
    """All ESCO skills (cached). Returns a new list each call; the Skill objects are shared and frozen."""
    return list(_load_skills(Path(data_dir)))


def load_careers(data_dir: Path = DATA_DIR) -> list[Career]:
    """All ESCO careers with skill profiles and BLS wage data (cached)."""
    return list(_load_careers(Path(data_dir)))


@lru_cache(maxsize=4)
def skills_by_id(data_dir: Path = DATA_DIR) -> dict[str, Skill]:
    """Skill lookup by ESCO URI (cached)."""
    return {s.id: s for s in _load_skills(Path(data_dir))}


@lru_cache(maxsize=4)
def careers_by_id(data_dir: Path = DATA_DIR) -> dict[str, Career]:
    """Career lookup by ESCO URI (cached)."""
    return {c.id: c for c in _load_careers(Path(data_dir))}
