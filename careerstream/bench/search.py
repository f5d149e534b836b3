"""Benchmark of the course search index: build rate and search latency over a fixed query mix."""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any

import tantivy
import typer
from rich.console import Console
from rich.progress import Progress

from careerstream.corpora.courses import generate_courses
from engines.course_search.index import CourseSearchIndex
from engines.course_search.query import SearchQuery

CHUNK = 50_000


def query_mix() -> dict[str, list[SearchQuery]]:
    """The fixed benchmark queries, by category. Only the 'faceted' ones compute facet counts."""
    return {
        "single_word": [
            SearchQuery(text=t, with_facets=False)
            for t in ("python", "kubernetes", "leadership", "excel", "figma")
        ],
        "multi_word": [
            SearchQuery(text=t, with_facets=False)
            for t in (
                "machine learning python",
                "data pipelines spark",
                "agile project management",
                "react web applications",
            )
        ],
        "typo": [
            SearchQuery(text=t, with_facets=False)
            for t in ("pyhton", "kuberntes", "machne lerning", "cybersecurty")
        ],
        "filtered": [
            SearchQuery(
                text="python", levels=["beginner"], is_free=True, max_duration_hours=20, with_facets=False
            ),
            SearchQuery(text="sql", languages=["es"], with_facets=False),
            SearchQuery(text="design", providers=["edx"], max_price=50, with_facets=False),
            SearchQuery(text="cloud", boost_skills=["Terraform", "Docker"], with_facets=False),
        ],
        "faceted": [SearchQuery(text=t) for t in ("data", "security", "marketing strategy")]
        + [SearchQuery(text="", levels=["advanced"])],
    }


def _percentiles(samples_ms: list[float]) -> dict[str, float]:
    qs = statistics.quantiles(samples_ms, n=100, method="inclusive")
    return {
        "n": len(samples_ms),
        "p50_ms": round(statistics.median(samples_ms), 2),
        "p95_ms": round(qs[94], 2),
        "p99_ms": round(qs[98], 2),
    }


def run_benchmark(n_courses: int, rounds: int, index_dir: Path, seed: int = 7) -> dict[str, Any]:
    """Build an index of ``n_courses`` synthetic courses in ``index_dir`` and time the query mix."""
    index = CourseSearchIndex(index_dir, writer_heap_bytes=512_000_000)
    build_s = 0.0
    with Progress(console=Console(stderr=True)) as progress:  # stdout carries only the JSON
        task = progress.add_task("indexing", total=n_courses)
        for start in range(0, n_courses, CHUNK):
            # Generation is not part of the build rate: materialise the chunk first.
            chunk = [c.to_payload() for c in generate_courses(min(CHUNK, n_courses - start), seed, start)]
            t0 = time.perf_counter()
            index.bulk_add(chunk)
            build_s += time.perf_counter() - t0
            progress.update(task, advance=len(chunk))
        t0 = time.perf_counter()
        index.commit()
        build_s += time.perf_counter() - t0
    # Upserts (replace by id) are slower than the bulk path: measure them on a small batch.
    # Same ids as indexed courses, new content: each one replaces an existing document.
    updates = [c.to_payload() for c in generate_courses(min(5_000, n_courses), seed + 1, 0)]
    t0 = time.perf_counter()
    index.apply(updates)
    index.commit()
    upsert_s = time.perf_counter() - t0
    index.close()

    mix = query_mix()
    for queries in mix.values():  # warm-up: first touches of the mmapped files are not representative
        for q in queries:
            index.search(q)
    samples: dict[str, list[float]] = {name: [] for name in mix}
    for _ in range(rounds):
        for name, queries in mix.items():
            for q in queries:
                t0 = time.perf_counter()
                index.search(q)
                samples[name].append((time.perf_counter() - t0) * 1000)
    size = sum(f.stat().st_size for f in index_dir.rglob("*") if f.is_file())
    return {
        "benchmark": "course_search",
        "courses": n_courses,
        "docs_indexed": index.num_docs,
        "build_s": round(build_s, 2),
        "build_docs_per_s": round(n_courses / build_s),
        "upserts": len(updates),
        "upsert_docs_per_s": round(len(updates) / upsert_s),
        "index_mb": round(size / 1e6, 1),
        "rounds": rounds,
        "latency": {name: _percentiles(s) for name, s in samples.items()},
        "overall": _percentiles([x for s in samples.values() for x in s]),
        "tantivy": getattr(tantivy, "__version__", "unknown"),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }


def bench_search(
    json_output: Annotated[Path | None, typer.Option(help="Also write the JSON result to this file.")] = None,
    quick: Annotated[bool, typer.Option("--quick", help="100k courses instead of 1M.")] = False,
    index_dir: Annotated[
        Path | None, typer.Option(help="Keep the index here (default: temp dir, deleted).")
    ] = None,
    rounds: Annotated[int, typer.Option(help="Repetitions of the query mix.")] = 30,
) -> None:
    """Benchmark the course index: build rate and p50/p95/p99 search latency; prints one JSON object."""
    n = 100_000 if quick else 1_000_000
    workdir = index_dir or Path(tempfile.mkdtemp(prefix="course_search_bench_"))
    try:
        result = run_benchmark(n, rounds, workdir)
    finally:
        if index_dir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    text = json.dumps(result)
    if json_output is not None:
        json_output.write_text(text + "\n", encoding="utf-8")
    print(text)
