"""The committed compact catalogs are what their build scripts make from the original sources in
`../shared/data` (ESCO, BLS OEWS, O*NET) and from the phonenumbers package: nothing in them was edited by
hand, and a newcomer can rebuild them. The builds are never run by the application (it reads only the
compact files); this test runs them into a temporary folder and compares."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from engines.reference_data import build, tools_build
from engines.reference_data.catalog import DATA_DIR
from engines.resume_analysis import build_places
from tests.conftest import ROOT

SOURCES = ROOT.parent / "shared" / "data"


def _lines(path: Path) -> list[str]:
    return gzip.decompress(path.read_bytes()).decode().splitlines()


@pytest.mark.skipif(not SOURCES.is_dir(), reason=f"the original sources are not at {SOURCES}")
def test_the_committed_catalogs_are_what_the_builds_make_from_the_sources(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sources = [
        "--esco", str(SOURCES / "esco"), "--bls", str(SOURCES / "bls" / "oews-2025.sqlite.gz"),
        "--onet", str(SOURCES / "onet"),
    ]  # fmt: skip
    # The leave-one-out report is `careerstream eval recs`'s and test_real_profiles' subject, not this one's.
    assert build.main([*sources, "--out", str(tmp_path), "--no-evaluation"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["careers"]["n_careers"] == len(_lines(DATA_DIR / "careers.jsonl.gz")) - 1
    assert report["careers"]["profile_vs_real_leave_one_out"] is None
    assert tools_build.main(["--onet", str(SOURCES / "onet"), "--out", str(tmp_path)]) == 0

    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted(p.name for p in DATA_DIR.glob("*.jsonl.gz"))
    for name in written:
        if name == "careers.jsonl.gz":
            continue
        assert _lines(tmp_path / name) == _lines(DATA_DIR / name), name

    # Careers: every field the same; derived skill profiles may differ in the last bit of a float between
    # CPUs (the classifier's features are rounded for that, see skill_profiles._rounded), so the skill
    # lists must agree for all but 1 % of careers.
    rebuilt = [json.loads(line) for line in _lines(tmp_path / "careers.jsonl.gz")[1:]]
    committed = [json.loads(line) for line in _lines(DATA_DIR / "careers.jsonl.gz")[1:]]
    assert [{**c, "skills": None} for c in rebuilt] == [{**c, "skills": None} for c in committed]
    same = sum(
        [s["id"] for s in a["skills"]] == [s["id"] for s in b["skills"]]
        for a, b in zip(rebuilt, committed, strict=True)
    )
    assert same / len(committed) > 0.99


def test_the_committed_place_names_are_what_their_build_makes_from_phonenumbers() -> None:
    # phonenumbers is pinned in pyproject.toml for this: a new release's geocoding names need a rebuild.
    assert _lines(build_places.OUT) == [build_places.ATTRIBUTION, *build_places.build()]
