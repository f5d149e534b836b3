"""Builds the committed reference catalogs from the original ESCO and BLS sources.

Usage::

    python -m engines.reference_data.build --esco /path/to/esco --bls /path/to/oews-2025.sqlite.gz \
        --onet /path/to/onet --out engines/reference_data/data

Never called at run time: the application reads only the compact files this writes.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from engines.reference_data.careers_builder import build_careers
from engines.reference_data.catalog import SKILLS_FILE
from engines.reference_data.jsonl_files import ESCO_ATTRIBUTION, write_jsonl_gz
from engines.reference_data.skills_builder import RawSkillRow, build_skill_records


def read_csv_rows(path: Path) -> list[RawSkillRow]:
    """Read an ESCO (id, description) CSV."""
    with open(path, encoding="utf-8", newline="") as fh:
        return [RawSkillRow(r["id"], r["description"]) for r in csv.DictReader(fh)]


def read_json(path: Path) -> Any:
    """Read one JSON file."""
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def build_skills(esco: Path, out: Path) -> tuple[list[dict[str, Any]], dict[str, str], dict[str, Any]]:
    """Build and write skills.jsonl.gz; returns the records, skill definitions and the quality report."""
    rows = read_csv_rows(esco / "skills.csv")
    records, report, definitions = build_skill_records(
        rows, read_json(esco / "ict_skills.json"), read_json(esco / "skills_labelled.json")
    )
    write_jsonl_gz(out / SKILLS_FILE, ESCO_ATTRIBUTION, records)
    return records, definitions, asdict(report)


def main(argv: list[str] | None = None) -> int:
    """Entry point: build every catalog and print a JSON quality report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--esco", type=Path, required=True, help="directory with the ESCO files")
    parser.add_argument("--bls", type=Path, required=True, help="oews-2025.sqlite.gz")
    parser.add_argument("--onet", type=Path, default=None, help="O*NET directory (technology_skills.tsv)")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--skills-only", action="store_true", help="only (re)build skills.jsonl.gz")
    parser.add_argument(
        "--no-evaluation",
        action="store_true",
        help="skip the leave-one-out precision/recall of derived profiles (most of the build's time)",
    )
    args = parser.parse_args(argv)
    skills, definitions, skills_report = build_skills(args.esco, args.out)
    report: dict[str, Any] = {"skills": skills_report}
    if not args.skills_only:
        report["careers"] = build_careers(
            args.esco, args.bls, args.out, skills, definitions, args.onet, evaluate=not args.no_evaluation
        )
    json.dump(report, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
