"""The `careerstream` command line."""

from __future__ import annotations

import json
import signal
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


@app.callback()
def _logging() -> None:
    """Logs go to stderr for every command, so `--json` output on stdout stays machine-readable."""
    from careerstream.logs import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)


@app.command()
def up(
    demo: Annotated[bool, typer.Option(help="Seed demo data once the API is up")] = False,
    workers: Annotated[int, typer.Option(min=1, max=8)] = 1,
) -> None:
    """Run the whole system: local broker (unless KAFKA_BOOTSTRAP_SERVERS is set), worker(s), API."""
    from careerstream.local_stack import run_stack

    raise typer.Exit(run_stack(get_settings(), demo=demo, workers=workers))


@app.command()
def broker(
    kind: Annotated[str, typer.Option("--kind", help="kafka or tansu")] = "kafka",
    port: Annotated[int | None, typer.Option(help="Client port (default EMBEDDED_BROKER_PORT)")] = None,
    fetch_only: Annotated[bool, typer.Option("--fetch-only", help="Fetch Kafka's jars, then exit")] = False,
) -> None:
    """Run a local broker in the foreground: Apache Kafka (KRaft, log under KAFKA_DATA_DIR; fetched
    from Maven Central on first use) or the in-memory Tansu. Ctrl-C stops it."""
    from careerstream.local_broker import start_local_broker
    from careerstream.local_broker.kafka import default_cache_dir, fetch_kafka

    if fetch_only:
        typer.echo(f"Kafka jars in {fetch_kafka(default_cache_dir(), progress=True)}")
        return
    settings = get_settings()
    if kind not in ("kafka", "tansu"):
        raise typer.BadParameter("use kafka or tansu", param_hint="--kind")
    data_dir = settings.kafka_data_dir if kind == "kafka" else Path("var/tansu")
    b = start_local_broker(
        kind,  # type: ignore[arg-type]
        data_dir,
        port=port or settings.embedded_broker_port,
        log_path=data_dir / f"{kind}.log",
        progress=True,
    )
    typer.echo(f"{kind} broker on {b.bootstrap} (data and log: {data_dir}); Ctrl-C stops it")
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # SIGTERM stops it like Ctrl-C
    try:
        code = b.process.wait()
        typer.echo(f"broker exited with {code}", err=True)
    except KeyboardInterrupt:
        pass
    finally:
        b.stop()
        typer.echo("stopped")


@app.command()
def worker() -> None:
    """Run one Faust worker (projections)."""
    settings = get_settings()
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
    from careerstream.gc_tuning import tune_gc

    settings = get_settings()
    tune_gc()
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
def docs_events(out: Path = Path("docs")) -> None:
    """Regenerate the event contract docs (events.md, asyncapi.yaml) from the Avro schemas."""
    from schemas.asyncapi import render_asyncapi
    from schemas.event_docs import render_event_catalog

    out.mkdir(parents=True, exist_ok=True)
    prefix = get_settings().topic_prefix
    (out / "events.md").write_text(render_event_catalog(prefix))
    (out / "asyncapi.yaml").write_text(render_asyncapi(prefix))
    typer.echo(f"wrote {out / 'events.md'} and {out / 'asyncapi.yaml'}")


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
    broker: Annotated[str, typer.Option(help="Local broker for the run: kafka or tansu")] = "kafka",
) -> None:
    """Serde, produce and end-to-end projection throughput and freshness."""
    from careerstream.bench_pipeline import run_pipeline_bench

    if broker not in ("kafka", "tansu"):
        raise typer.BadParameter("use kafka or tansu", param_hint="--broker")
    result = run_pipeline_bench(get_settings(), quick=quick, broker_kind=broker)  # type: ignore[arg-type]
    typer.echo(json.dumps(result) if json_output else json.dumps(result, indent=2))


# Resume analysis (issue 4): `resume analyze FILE --json`, `eval resumes --json`, `bench resumes --json`.
from engines.resume_analysis import cli as resume_cli  # noqa: E402 - registration block

resume_app = typer.Typer(help="Resume analysis.", no_args_is_help=True)
app.add_typer(resume_app, name="resume")
resume_app.command("analyze")(resume_cli.resume_analyze)
eval_app.command("resumes")(resume_cli.eval_resumes)
bench_app.command("resumes")(resume_cli.bench_resumes)

# Career recommendations (issue 3): `train`, `eval recs --json`, `bench recs --json [--quick]`.
from careerstream import recs_commands  # noqa: E402 - registration block

app.command("train")(recs_commands.train)
eval_app.command("recs")(recs_commands.eval_recs)
bench_app.command("recs")(recs_commands.bench_recs)

# Course catalog (issue 5): `sync PROVIDER [--full]`, `courses rebuild-index`, `bench search --json`.
from engines.course_search import commands as course_commands  # noqa: E402 - registration block

courses_app = typer.Typer(help="Course catalog and search index.", no_args_is_help=True)
app.add_typer(courses_app, name="courses")
app.command("sync")(course_commands.sync_to_kafka)
courses_app.command("rebuild-index")(course_commands.rebuild_index)
bench_app.command("search")(course_commands.bench_search)


@bench_app.command("all")
def bench_all(
    json_output: Annotated[bool, typer.Option("--json")] = False,
    quick: Annotated[bool, typer.Option("--quick")] = False,
    out: Annotated[Path, typer.Option(help="Where <bench>.json and summary.md go")] = Path("bench-results"),
) -> None:
    """Run every benchmark (pipeline, recs, resumes, search); JSON per benchmark plus a summary table."""
    from careerstream.bench_all import run_all, summary_table

    results = run_all(out, quick)
    typer.echo(json.dumps(results) if json_output else summary_table(results))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
