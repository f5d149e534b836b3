"""`careerstream` commands of the course catalog (issue 5), registered by careerstream/cli.py."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from careerstream.cli.sync import sync_to_kafka

__all__ = ["bench_search", "rebuild_index", "sync_to_kafka"]


def rebuild_index(
    index_dir: Annotated[
        Path | None, typer.Option(help="Target directory (default: COURSE_INDEX_DIR/TOPIC_PREFIX)")
    ] = None,
) -> None:
    """Rebuild the course search index from the `courses` topic (stop the worker writing it first)."""
    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from kernel.config import get_settings

    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from streams.course_index import rebuild_from_log

    docs = rebuild_from_log(get_settings(), index_dir)
    typer.echo(f"course index rebuilt: {docs} courses")


def bench_search(
    json_output: Annotated[bool, typer.Option("--json", help="One-line JSON")] = False,
    quick: Annotated[bool, typer.Option("--quick", help="100,000 courses instead of 1,000,000")] = False,
    rounds: Annotated[int | None, typer.Option(help="Repetitions of the query mix")] = None,
    broker: Annotated[str, typer.Option(help="Local broker for the run: kafka or tansu")] = "kafka",
) -> None:
    """Catalog through the real event path (sync -> Kafka -> worker), then search latency via the API."""
    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from careerstream.bench.search_e2e import bench_search_command

    bench_search_command(json_output, quick, rounds, broker)
