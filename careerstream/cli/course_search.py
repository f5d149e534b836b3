"""CLI entry points of the course search engine (plain typer-annotated functions)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer

from careerstream.bench.search import bench_search
from engines.course_search.index import CourseSearchIndex
from engines.course_search.query import SearchQuery

__all__ = ["bench_search", "rebuild_course_index", "search_courses"]


def rebuild_course_index(
    index_dir: Annotated[Path, typer.Argument(help="Index directory (one per replica).")],
    courses_jsonl: Annotated[Path, typer.Argument(help="CourseRecord payloads, one JSON object per line.")],
) -> None:
    """Rebuild a course index from scratch from a JSONL dump of course payloads."""

    def payloads() -> Iterator[dict[str, Any]]:
        with courses_jsonl.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    yield json.loads(line)

    index = CourseSearchIndex(index_dir)
    count = index.rebuild(payloads())
    index.close()
    typer.echo(f"indexed {count} courses into {index_dir}")


def search_courses(
    index_dir: Annotated[Path, typer.Argument(help="Index directory.")],
    text: Annotated[str, typer.Argument(help="Search text.")] = "",
    level: Annotated[list[str] | None, typer.Option(help="Filter by level (repeatable).")] = None,
    free: Annotated[bool | None, typer.Option("--free/--paid", help="Only free / only paid courses.")] = None,
    boost_skill: Annotated[list[str] | None, typer.Option(help="Skill to boost (repeatable).")] = None,
    limit: Annotated[int, typer.Option(help="Results per page.")] = 10,
) -> None:
    """Search a course index and print the results as JSON."""
    index = CourseSearchIndex(index_dir)
    results = index.search(
        SearchQuery(
            text=text, levels=level or None, is_free=free, boost_skills=boost_skill or [], limit=limit
        )
    )
    typer.echo(json.dumps(asdict(results), indent=2))
