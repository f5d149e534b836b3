"""The `careerstream` command line."""

from __future__ import annotations

import json
import signal
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from careerstream.cli import chat as chat_cli
from careerstream.cli import courses as courses_cli
from careerstream.cli import recs as recs_cli
from careerstream.cli import resume as resume_cli
from kernel.config import get_settings

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
    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from kernel.logs import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)


@app.command()
def up(
    demo: Annotated[bool, typer.Option(help="Seed demo data once the API is up")] = False,
    workers: Annotated[int, typer.Option(min=1, max=8)] = 1,
) -> None:
    """Run the whole system: local broker (unless KAFKA_BOOTSTRAP_SERVERS is set), worker(s), API."""
    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
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
    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from careerstream.local_broker import start_local_broker

    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
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
        # lazy: a command imports only what it runs (start-up of `careerstream --help`)
        from prometheus_client import start_http_server

        start_http_server(settings.worker_metrics_port)
    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from streams.app import run_worker

    run_worker(settings)


@app.command()
def api() -> None:
    """Run the query/command API (uvicorn)."""
    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    import uvicorn

    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from api.app import create_app

    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from kernel.gc_tuning import tune_gc

    settings = get_settings()
    tune_gc()
    if settings.api_processes <= 1:
        uvicorn.run(create_app(settings), host=settings.api_host, port=settings.api_port, log_config=None)
        return
    # One of API_PROCESSES processes sharing the port (SO_REUSEPORT; see careerstream/load/serve.py).
    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from careerstream.load.serve import serve_reuse_port

    serve_reuse_port(create_app(settings), settings.api_host, settings.api_port)


@app.command()
def prepare() -> None:
    """Create the database, run migrations and create topics (what `up` does before starting processes)."""
    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
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
    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from api.auth import mint_token

    settings = get_settings()
    try:
        token = mint_token(
            settings.jwt_secret,
            subject,
            role,  # type: ignore[arg-type]
            settings.jwt_issuer,
            ttl,
            settings.jwt_audience,
        )
    except ValueError as e:  # an unknown role: say which ones exist, not a traceback
        raise typer.BadParameter(str(e), param_hint="--role") from e
    typer.echo(token)


@app.command("docs-events")
def docs_events(out: Path = Path("docs")) -> None:
    """Regenerate what is made from the schemas: schemas/payloads.py (typed payloads), events.md,
    asyncapi.yaml and gdpr.md (records of processing). Uses the default settings, so the committed
    docs do not depend on a local .env."""
    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from careerstream.gdpr_docs import render_gdpr_doc

    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from kernel.config import Settings

    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from schemas.asyncapi import render_asyncapi

    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from schemas.event_docs import render_event_catalog

    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from schemas.payload_codegen import main as write_payloads

    write_payloads([])  # schemas/payloads.py: the typed payloads, from the same .avsc files
    out.mkdir(parents=True, exist_ok=True)
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    (out / "events.md").write_text(render_event_catalog(defaults.topic_prefix))
    (out / "asyncapi.yaml").write_text(render_asyncapi(defaults.topic_prefix))
    (out / "gdpr.md").write_text(render_gdpr_doc(defaults))
    typer.echo(f"wrote {out / 'events.md'}, {out / 'asyncapi.yaml'} and {out / 'gdpr.md'}")


@app.command()
def replay(
    subject: Annotated[str | None, typer.Option(help="Only events of this subject")] = None,
    topic: Annotated[list[str] | None, typer.Option(help="Logical topics (default: all)")] = None,
    projection: Annotated[
        str | None, typer.Option(help="Rebuild this read model into schema replay_<name> instead")
    ] = None,
    to_time: Annotated[
        datetime | None, typer.Option(help="With --projection: only events published up to this time")
    ] = None,
    verify: Annotated[bool, typer.Option(help="With --projection: compare with the live read model")] = False,
    processes: Annotated[
        int,
        typer.Option(
            help="With --projection: processes sharing the partitions (default: one per core "
            "when the log holds 50,000 records or more, else one)"
        ),
    ] = 0,
) -> None:
    """Audit replay: print the decoded log as JSON lines; or rebuild one read model from the log
    (--projection, with progress) and compare it row by row with the live one (--verify; exit 1 on
    any difference)."""
    settings = get_settings()
    if projection is None:
        # lazy: a command imports only what it runs (start-up of `careerstream --help`)
        from streams.replay import replay_log

        for event in replay_log(settings, subject=subject, topics=topic):
            typer.echo(json.dumps(event, default=str))
        return
    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    import asyncio

    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from rich.progress import Progress

    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from streams.projection_replay import auto_processes, replay_projection, verify_projection

    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from streams.worker_projections import projections_for

    (chosen,) = projections_for(settings, projection)
    if to_time is not None and to_time.tzinfo is None:
        to_time = to_time.astimezone()  # a time without zone is local time, as a person types it
    with Progress(transient=True) as bar:
        task = bar.add_task(f"replaying {chosen.name}", total=None)
        report = asyncio.run(
            replay_projection(
                settings,
                chosen,
                to_time,
                progress=lambda n: bar.update(task, completed=n),
                processes=processes or auto_processes(settings, chosen),
            )
        )
    typer.echo(json.dumps(report.as_dict()))
    if verify:
        differences = verify_projection(settings, chosen)
        for d in differences:
            typer.echo(json.dumps({"table": d.where, "difference": d.what, "row": d.row}, default=str))
        typer.echo(json.dumps({"verified": not differences, "differences": len(differences)}))
        raise typer.Exit(1 if differences else 0)


audit_app = typer.Typer(help="Access audit (GDPR).", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the access-audit hash chain from the log; exit 1 and name the first break if any."""
    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from streams.audit_verify import verify_chain

    checked, first_break = verify_chain(get_settings())
    result: dict[str, object] = {"records_checked": checked, "chain_intact": first_break is None}
    if first_break is not None:
        result["first_break"] = first_break.__dict__
    typer.echo(json.dumps(result))
    raise typer.Exit(0 if first_break is None else 1)


retention_app = typer.Typer(help="Retention of personal data (GDPR).", no_args_is_help=True)
app.add_typer(retention_app, name="retention")


@retention_app.command("run")
def retention_run() -> None:
    """Delete what is past retention (RETENTION_* settings) and publish a RetentionApplied audit event;
    prints the counts as JSON."""
    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    import asyncio

    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from psycopg_pool import ConnectionPool

    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from streams.connections import bootstrap_servers, build_serde

    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from streams.producer import EventProducer

    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from streams.retention import run_and_publish

    settings = get_settings()

    async def run() -> dict[str, object]:
        with ConnectionPool(settings.database_url, min_size=1, max_size=2) as pool:
            producer = EventProducer(
                bootstrap_servers(settings), build_serde(settings, pool), settings.topic_prefix
            )
            try:
                report = await run_and_publish(settings, producer)
            finally:
                producer.close()
        assert report is not None
        return report.as_dict()

    typer.echo(json.dumps(asyncio.run(run())))


keys_app = typer.Typer(help="Master keys (crypto-shredding).", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Re-wrap every data key under MASTER_KEY (the old key in PREVIOUS_MASTER_KEYS); online, resumable."""
    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from psycopg_pool import ConnectionPool

    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from rich.progress import Progress

    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from schemas.keystore import rotate_master_key

    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from streams.connections import key_ring

    settings = get_settings()
    ring = key_ring(settings)
    with ConnectionPool(settings.database_url, min_size=1, max_size=1) as pool, Progress() as bar:
        task = bar.add_task("re-wrapping data keys", total=None)
        report = rotate_master_key(
            pool, ring, progress=lambda done, total: bar.update(task, completed=done, total=total)
        )
    typer.echo(
        json.dumps(
            {"master_key_id": ring.current_id, "rewrapped": report.rewrapped, "skipped": report.skipped}
        )
    )


@bench_app.command("pipeline")
def bench_pipeline(
    json_output: Annotated[bool, typer.Option("--json")] = False,
    quick: Annotated[bool, typer.Option("--quick")] = False,
    broker: Annotated[str, typer.Option(help="Local broker for the run: kafka or tansu")] = "kafka",
) -> None:
    """Serde, produce and end-to-end projection throughput and freshness."""
    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from careerstream.bench.pipeline import run_pipeline_bench

    if broker not in ("kafka", "tansu"):
        raise typer.BadParameter("use kafka or tansu", param_hint="--broker")
    result = run_pipeline_bench(get_settings(), quick=quick, broker_kind=broker)  # type: ignore[arg-type]
    typer.echo(json.dumps(result) if json_output else json.dumps(result, indent=2))


@bench_app.command("gdpr")
def bench_gdpr(
    json_output: Annotated[bool, typer.Option("--json")] = False,
    quick: Annotated[bool, typer.Option("--quick")] = False,
    broker: Annotated[str, typer.Option(help="Local broker for the run: kafka or tansu")] = "kafka",
) -> None:
    """Erasure completion under load, replay throughput, and the access audit's cost on a read."""
    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from careerstream.bench.gdpr import run_gdpr_bench

    if broker not in ("kafka", "tansu"):
        raise typer.BadParameter("use kafka or tansu", param_hint="--broker")
    result = run_gdpr_bench(get_settings(), quick=quick, broker_kind=broker)  # type: ignore[arg-type]
    typer.echo(json.dumps(result) if json_output else json.dumps(result, indent=2))


@bench_app.command("worker-start")
def bench_worker_start(
    json_output: Annotated[bool, typer.Option("--json")] = False,
    runs: Annotated[int, typer.Option(min=1, help="Starts of each kind")] = 3,
    broker: Annotated[str, typer.Option(help="Local broker for the run: kafka or tansu")] = "kafka",
) -> None:
    """Seconds from starting a worker to its being ready, with the engines' built parts read from the
    build cache and built afresh (an empty cache), alternated."""
    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from careerstream.bench.worker_start import run_worker_start_bench

    if broker not in ("kafka", "tansu"):
        raise typer.BadParameter("use kafka or tansu", param_hint="--broker")
    result = run_worker_start_bench(get_settings(), runs=runs, broker_kind=broker)  # type: ignore[arg-type]
    typer.echo(json.dumps(result) if json_output else json.dumps(result, indent=2))


# Resume analysis (issue 4): `resume analyze FILE --json`, `eval resumes --json`, `bench resumes --json`.

resume_app = typer.Typer(help="Resume analysis.", no_args_is_help=True)
app.add_typer(resume_app, name="resume")
resume_app.command("analyze")(resume_cli.resume_analyze)
eval_app.command("resumes")(resume_cli.eval_resumes)
bench_app.command("resumes")(resume_cli.bench_resumes)

# Career recommendations (issue 3): `train`, `eval recs --json`, `bench recs --json [--quick]`.

app.command("chat")(chat_cli.chat)
eval_app.command("chat")(chat_cli.eval_chat)
bench_app.command("chat")(chat_cli.bench_chat)

app.command("train")(recs_cli.train)
app.command("recommend")(recs_cli.recommend)
eval_app.command("recs")(recs_cli.eval_recs)
bench_app.command("recs")(recs_cli.bench_recs)

# Course catalog (issue 5): `sync PROVIDER [--full]`, `courses rebuild-index`, `bench search --json`.

courses_app = typer.Typer(help="Course catalog and search index.", no_args_is_help=True)
app.add_typer(courses_app, name="courses")
app.command("sync")(courses_cli.sync_to_kafka)
courses_app.command("rebuild-index")(courses_cli.rebuild_index)
bench_app.command("search")(courses_cli.bench_search)


@app.command()
def load(
    quick: Annotated[bool, typer.Option("--quick", help="1,000 users for 60 s")] = False,
    users: Annotated[int | None, typer.Option(help="Concurrent simulated users (default 10,000)")] = None,
    duration: Annotated[int | None, typer.Option(help="Seconds of load (default 300)")] = None,
    spawn_rate: Annotated[float | None, typer.Option(help="Users started per second")] = None,
    processes: Annotated[
        int | None, typer.Option(help="Locust processes (default 1; 2 above 2,000 users)")
    ] = None,
    api_processes: Annotated[int, typer.Option(help="API processes behind one port")] = 2,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
    broker: Annotated[str, typer.Option(help="auto | kafka | tansu")] = "auto",
    courses: Annotated[int, typer.Option(help="Synthetic courses seeded through Kafka first")] = 2000,
    out: Annotated[
        Path | None, typer.Option(help="Report directory (default bench-results/load-<users>u)")
    ] = None,
    docs_img: Annotated[bool, typer.Option(help="Also copy the plot to docs/img/load.png")] = False,
    json_output: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Load test: a stack of its own, a seeded catalog, Locust headless with simulated users; prints
    requests/s, p50/p95/p99 per endpoint, error rate and write-to-visible times (CSV/HTML/PNG kept)."""
    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from careerstream.load.runner import LoadPlan, run_load, summary_table

    n = users or (1000 if quick else 10_000)
    plan = LoadPlan(
        users=n,
        duration_s=duration or (60 if quick else 300),
        spawn_rate=spawn_rate,
        processes=processes,
        api_processes=api_processes,
        workers=workers,
        broker=broker,
        courses=courses,
        out_dir=out or Path(f"bench-results/load-{n}u"),
        docs_img=Path("docs/img/load.png") if docs_img else None,
    )
    result = run_load(get_settings(), plan, progress=lambda m: typer.echo(m, err=True))
    if json_output:
        slim = {k: v for k, v in result.items() if k not in ("endpoints", "errors")}
        typer.echo(json.dumps(result, indent=1), err=True)
        typer.echo(json.dumps(slim))
    else:
        typer.echo(summary_table(result))


@app.command()
def chaos(
    scenario: Annotated[
        str | None,
        typer.Argument(
            help="kill-worker | kill-api | kill-broker | restart-postgres | restart-redis | disk-full "
            "| slow-db"
        ),
    ] = None,
    all_scenarios: Annotated[bool, typer.Option("--all", help="Every scenario in turn")] = False,
    rate: Annotated[float, typer.Option(help="Background load, requests per second")] = 40.0,
    json_output: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Faults under load against a stack of its own (all on loopback, each bounded): errors during the
    fault, time to recover, acknowledged writes lost, read models compared with a replay of the log."""
    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from careerstream.chaos.scenarios import SCENARIOS, fault_table, run_chaos

    if all_scenarios == (scenario is not None):
        raise typer.BadParameter("name one scenario or pass --all", param_hint="SCENARIO")
    if scenario is not None and scenario not in SCENARIOS:
        raise typer.BadParameter(f"one of {', '.join(SCENARIOS)}", param_hint="SCENARIO")
    names = list(SCENARIOS) if all_scenarios else [scenario]
    summary = run_chaos(get_settings(), names, rate=rate, progress=lambda m: typer.echo(m, err=True))  # type: ignore[arg-type]
    typer.echo(
        json.dumps(summary) if json_output else fault_table(summary) + "\n" + json.dumps(summary, indent=1)
    )
    raise typer.Exit(0 if summary["ok"] else 1)


@bench_app.command("all")
def bench_all(
    json_output: Annotated[bool, typer.Option("--json")] = False,
    quick: Annotated[bool, typer.Option("--quick")] = False,
    out: Annotated[Path, typer.Option(help="Where <bench>.json and summary.md go")] = Path("bench-results"),
) -> None:
    """Run every benchmark (pipeline, recs, resumes, search); JSON per benchmark plus a summary table."""
    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from careerstream.bench.suite import run_all, summary_table

    results = run_all(out, quick)
    typer.echo(json.dumps(results) if json_output else summary_table(results))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
