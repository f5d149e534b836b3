"""Highlighter, synthetic generator and benchmark harness."""

from __future__ import annotations

from pathlib import Path

from careerstream.bench.search import query_mix, run_benchmark
from careerstream.corpora.courses import generate_courses
from engines.course_search.highlight import edit_distance_within, highlight, snippet
from engines.course_search.schema import query_terms, tokenize


def test_edit_distance() -> None:
    assert edit_distance_within("python", "pyhton", 1)  # transposition counts once
    assert edit_distance_within("kubernetes", "kubernets", 1)
    assert not edit_distance_within("python", "java", 2)
    assert not edit_distance_within("sql", "sqk", 0)


def test_highlight_escapes_html() -> None:
    assert highlight("C++ & <Python>", ["python"]) == "C++ &amp; &lt;<b>Python</b>&gt;"


def test_snippet_windows_around_matches() -> None:
    text = ("filler " * 60) + "the Kubernetes cluster runs Kubernetes pods " + ("tail " * 60)
    out = snippet(text, ["kubernetes"], max_chars=80)
    assert out.startswith("…") and out.endswith("…")
    assert out.count("<b>Kubernetes</b>") == 2
    assert len(out.replace("<b>", "").replace("</b>", "")) <= 82


def test_query_terms() -> None:
    assert tokenize("Data-Science, C++ 101") == ["data", "science", "c", "101"]
    assert query_terms("introduction to the cloud") == ["introduction", "cloud"]
    assert query_terms("the") == ["the"]


def test_generator_is_deterministic_and_valid() -> None:
    a = [c.to_payload() for c in generate_courses(200, seed=9)]
    b = [c.to_payload() for c in generate_courses(200, seed=9)]
    assert a == b
    assert len({c["course_id"] for c in a}) == 200
    assert all(c["title"] and len(c["skills"]) >= 2 for c in a)
    assert {c["level"] for c in a} >= {"beginner", "intermediate", "advanced"}
    assert a != [c.to_payload() for c in generate_courses(200, seed=10)]


def test_benchmark_harness_reports_percentiles(tmp_path: Path) -> None:
    result = run_benchmark(n_courses=2_000, rounds=2, index_dir=tmp_path / "bench")
    assert result["docs_indexed"] == 2_000
    assert set(result["latency"]) == set(query_mix())
    for stats in result["latency"].values():
        assert stats["n"] == 2 * 4 or stats["n"] == 2 * 5
        assert 0 < stats["p50_ms"] <= stats["p95_ms"] <= stats["p99_ms"]
