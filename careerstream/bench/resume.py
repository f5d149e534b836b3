"""Throughput benchmark of :func:`analyze` on generated resumes (no LLM, one process)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from careerstream.corpora.resumes import CorpusItem, generate_resume
from engines.resume_analysis.analyzer import analyze
from engines.resume_analysis.skills import get_skill_matcher


def bench_items(n: int, seed: int = 10_000) -> list[CorpusItem]:
    """Half PDF, half DOCX long-form (~2 page) resumes across all layouts (``n`` items)."""
    formats = ("pdf", "docx")
    return [generate_resume(seed + i, file_format=formats[i % 2], long_form=True) for i in range(n)]


def run_benchmark(n: int, *, on_item: Callable[[], None] | None = None) -> dict[str, float | int]:
    """Time ``analyze`` per resume after warming the skill matcher; returns p50/p95 ms and resumes/min."""
    build_start = time.perf_counter()
    get_skill_matcher()
    matcher_build_ms = (time.perf_counter() - build_start) * 1000
    items = bench_items(n)
    analyze(items[0].data, items[0].filename)  # warm caches (lazy imports, first-parse costs)
    durations = []
    pages = []
    wall_start = time.perf_counter()
    for item in items:
        start = time.perf_counter()
        result = analyze(item.data, item.filename)
        durations.append((time.perf_counter() - start) * 1000)
        pages.append(result.layout.page_count if result.layout else 0)
        if on_item:
            on_item()
    wall = time.perf_counter() - wall_start
    ordered = sorted(durations)
    p95_index = max(0, round(0.95 * len(ordered)) - 1)
    return {
        "resumes": n,
        "mean_pages": round(statistics.mean(pages), 2),
        "analysis_ms_p50": round(statistics.median(ordered), 2),
        "analysis_ms_p95": round(ordered[p95_index], 2),
        "analysis_ms_max": round(ordered[-1], 2),
        "resumes_per_min": round(n / wall * 60, 1),
        "matcher_build_ms": round(matcher_build_ms, 1),
    }
