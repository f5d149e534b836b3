"""The `careerstream` command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from careerstream.config import get_settings

app = typer.Typer(
    help="CareerStream: event-sourced career platform backend.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
bench_app = typer.Typer(help="Benchmarks (JSON results).", no_args_is_help=True)
eval_app = typer.Typer(help="Quality evaluations (JSON results).", no_args_is_help=True)
app.add_typer(bench_app, name="bench")
app.add_typer(eval_app, name="eval")


@app.command()
def up(
    demo: Annotated[bool, typer.Option(help="Seed demo data once the API is up")] = False,
    workers: Annotated[int, typer.Option(min=1, max=8)] = 1,
) -> None:
    """Run the whole system: embedded broker (unless KAFKA_BOOTSTRAP_SERVERS is set), worker(s), API."""
    from careerstream.local_stack import run_stack

    raise typer.Exit(run_stack(get_settings(), demo=demo, workers=workers))


@app.command()
def worker() -> None:
    """Run one Faust worker (projections)."""
    from careerstream.logs import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    if settings.worker_metrics_port:
        from prometheus_client import start_http_server

        start_http_server(settings.worker_metrics_port)
    from streams.app import run_worker

    run_worker()


@app.command()
def api() -> None:
    """Run the query/command API (uvicorn)."""
    import uvicorn

    from api.app import create_app
    from careerstream.logs import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    uvicorn.run(create_app(settings), host=settings.api_host, port=settings.api_port, log_config=None)


@app.command()
def prepare() -> None:
    """Create the database, run migrations and create topics (what `up` does before starting processes)."""
    from careerstream.local_stack import prepare as prepare_stack

    reset = prepare_stack(get_settings())
    typer.echo("prepared" + (" (projections reset)" if reset else ""))


@app.command()
def token(
    subject: str,
    role: Annotated[str, typer.Option(help="user | service | auditor | admin")] = "user",
    ttl: Annotated[int, typer.Option(help="seconds")] = 3600,
) -> None:
    """Mint a development bearer token."""
    from api.auth import mint_token

    settings = get_settings()
    typer.echo(mint_token(settings.jwt_secret, subject, role, settings.jwt_issuer, ttl))  # type: ignore[arg-type]


@app.command("docs-events")
def docs_events(out: Path = Path("docs/events.md")) -> None:
    """Regenerate the event catalog (docs/events.md) from the Avro schemas."""
    from schemas.event_docs import render_event_catalog

    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_event_catalog(get_settings().topic_prefix))
    typer.echo(f"wrote {out}")


@app.command()
def replay(
    subject: Annotated[str | None, typer.Option(help="Only events of this subject")] = None,
    topic: Annotated[list[str] | None, typer.Option(help="Logical topics (default: all)")] = None,
) -> None:
    """Audit replay: read the log from the beginning and print decoded events as JSON lines."""
    from streams.replay import replay_log

    for event in replay_log(get_settings(), subject=subject, topics=topic):
        typer.echo(json.dumps(event, default=str))


@bench_app.command("pipeline")
def bench_pipeline(
    json_output: Annotated[bool, typer.Option("--json")] = False,
    quick: Annotated[bool, typer.Option("--quick")] = False,
) -> None:
    """Serde, produce and end-to-end projection throughput and freshness."""
    from careerstream.bench_pipeline import run_pipeline_bench

    result = run_pipeline_bench(get_settings(), quick=quick)
    typer.echo(json.dumps(result) if json_output else json.dumps(result, indent=2))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
