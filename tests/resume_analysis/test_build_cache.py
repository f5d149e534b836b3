"""The skill matcher kept on disk between processes (`engines.build_cache`): built once
per set of inputs, loaded after that, rebuilt when an input changes or the file is damaged, and the
loaded matcher finds exactly what a freshly built one finds."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from engines import build_cache
from engines.build_cache import load_or_build
from engines.resume_analysis.skills import SkillMatcher, _catalog_skills, _catalog_tools


class Builds:
    """A build that counts its calls and makes a fresh object each time."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> dict[str, int]:
        self.calls += 1
        return {"built": self.calls}


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv(build_cache.ENV, str(where))
    return where


def test_built_once_then_loaded_and_rebuilt_when_an_input_changes(cache: Path, tmp_path: Path) -> None:
    data = tmp_path / "skills.jsonl"
    data.write_text("a\n")
    build = Builds()
    assert load_or_build("thing", [data], ["lib 1"], build) == {"built": 1}
    assert load_or_build("thing", [data], ["lib 1"], build) == {"built": 1}  # from the file
    assert build.calls == 1
    data.write_text("a\nb\n")
    assert load_or_build("thing", [data], ["lib 1"], build) == {"built": 2}
    assert load_or_build("thing", [data], ["lib 2"], build) == {"built": 3}  # a library upgrade
    # Only the copy of the latest inputs is kept.
    assert len(list(cache.glob("thing-*.pickle"))) == 1
    assert not [p for p in cache.iterdir() if p.name.startswith(".")]  # no temporary files left


def test_storing_one_name_keeps_the_copies_of_a_longer_name(cache: Path, tmp_path: Path) -> None:
    data = tmp_path / "skills.jsonl"
    data.write_text("a\n")
    longer, shorter = Builds(), Builds()
    load_or_build("thing-test", [data], [], longer)
    data.write_text("b\n")
    load_or_build("thing", [data], [], shorter)  # prunes older "thing" copies, not "thing-test"
    data.write_text("a\n")
    assert load_or_build("thing-test", [data], [], longer) == {"built": 1}
    assert longer.calls == 1


def test_a_damaged_file_is_rebuilt_and_replaced(cache: Path, tmp_path: Path) -> None:
    data = tmp_path / "skills.jsonl"
    data.write_text("a\n")
    build = Builds()
    load_or_build("thing", [data], [], build)
    (stored,) = cache.glob("thing-*.pickle")
    stored.write_bytes(b"half a pick")
    assert load_or_build("thing", [data], [], build) == {"built": 2}
    assert pickle.loads(stored.read_bytes()) == {"built": 2}


def test_unreadable_inputs_or_an_empty_setting_build_without_the_cache(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build = Builds()
    assert load_or_build("thing", [tmp_path / "missing"], [], build) == {"built": 1}
    assert not cache.exists()
    monkeypatch.setenv(build_cache.ENV, "")
    data = tmp_path / "skills.jsonl"
    data.write_text("a\n")
    load_or_build("thing", [data], [], build)
    load_or_build("thing", [data], [], build)
    assert build.calls == 3 and not cache.exists()


def test_the_loaded_skill_matcher_finds_what_a_fresh_build_finds(cache: Path) -> None:
    def fresh() -> SkillMatcher:
        return SkillMatcher(_catalog_skills(), tools=_catalog_tools())

    built = load_or_build("skill-matcher-test", [], ["test"], fresh)
    loaded = load_or_build("skill-matcher-test", [], ["test"], fresh)
    assert loaded is not built
    texts = [
        "Skills: Python, Go, R, SQL, Docker, Kubernetes, project management, C++ and C#",
        "I led a team of 5 nurses and did patient assessment and wound care in a busy ward.",
        "Used Microsoft Excel, SAP ERP and Tableau for financial reporting; fluent in German.",
        "Experienced with Node.js, React, AWS Lambda and CI/CD pipelines (GitHub Actions).",
    ]
    for text in texts:
        found = built.find(text)
        assert found, text
        assert loaded.find(text) == found
    assert loaded.resolve("machine learning") == built.resolve("machine learning") is not None
