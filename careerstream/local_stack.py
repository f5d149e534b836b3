"""`careerstream up`: the whole system on one machine, supervised, stopped cleanly with Ctrl-C.

Starts a local broker (Apache Kafka with its log under `var/kafka` when Java is installed, else the
in-memory Tansu broker; none when KAFKA_BOOTSTRAP_SERVERS points at a cluster), creates the database,
runs migrations, creates topics, then runs the worker(s) and the API as supervised child processes:
one that dies is restarted with backoff, and the broker stops last.

Read models are derived from the log. When the log is empty but the stores still hold data from an
earlier log (Tansu forgot its events, or `var/kafka` was deleted), every derived store is reset:
read models, their positions, Redis keys, the search index, resume blobs and the key store (keys and
erasure tombstones), so no read model points at data that is gone and the erasure ledger and the
key store agree. A log that holds events is never reset.
"""

from __future__ import annotations

import shutil
import signal
import sys
import time
from pathlib import Path

import psycopg
import structlog
from psycopg import sql
from redis import Redis

from careerstream.local_broker import LocalBroker, choose_broker, start_local_broker, wait_for_port
from careerstream.supervisor import ChildSpec, Supervisor
from kernel.config import Settings
from projections.migrate import ensure_database, migrate
from projections.registry import all_projections
from streams.connections import bootstrap_servers
from streams.topics import ensure_topics, log_end_offsets
from streams.worker_projections import worker_processes

log = structlog.get_logger(__name__)


def projection_tables() -> list[str]:
    return [t.name for p in all_projections() for t in p.tables]


def reset_derived_stores(settings: Settings) -> None:
    """Empty every store derived from the log (see the module docstring); they are rebuilt from it."""
    with psycopg.connect(settings.database_url) as conn:
        for table in [
            *projection_tables(),
            "projection_positions",
            "projection_fences",
            "subject_keys",
            "erasure_requests",
        ]:
            conn.execute(sql.SQL("TRUNCATE {}").format(sql.Identifier(table)))
    redis = Redis.from_url(settings.redis_url)
    for key in redis.scan_iter(match=f"{settings.redis_prefix}*", count=1000):
        redis.delete(key)
    redis.close()
    # The search index of this topic prefix, and every resume blob: with an empty log no user exists.
    shutil.rmtree(Path(settings.course_index_dir) / settings.topic_prefix, ignore_errors=True)
    shutil.rmtree(settings.blob_dir, ignore_errors=True)


def stores_hold_data(settings: Settings) -> bool:
    with psycopg.connect(settings.database_url) as conn:
        row = conn.execute(
            "SELECT (SELECT count(*) FROM projection_positions WHERE next_offset > 0)"
            " + (SELECT count(*) FROM subject_keys)"
        ).fetchone()
    return bool(row and row[0]) or any(settings.blob_dir.glob("*/*"))


def prepare(settings: Settings) -> bool:
    """Database, migrations, topics; resets derived stores when the log is empty but they are not.

    Returns True when the stores were reset.
    """
    ensure_database(settings.database_url)
    migrate(settings.database_url)
    bootstrap = bootstrap_servers(settings)
    ensure_topics(bootstrap, settings.topic_prefix)
    log_is_empty = all(end == 0 for end in log_end_offsets(bootstrap, settings.topic_prefix).values())
    if log_is_empty and stores_hold_data(settings):
        print(
            "The event log is empty but the stores hold data from an earlier log: resetting read "
            "models, search index, blobs and keys so the stack stays consistent.",
            flush=True,
        )
        reset_derived_stores(settings)
        return True
    return False


def start_broker_for_stack(settings: Settings) -> LocalBroker:
    """The local broker `up` runs, on the configured port, with a one-line note of which and why."""
    kind, reason = choose_broker(settings.local_broker)
    print(f"broker: {reason}", flush=True)
    var = Path("var")
    var.mkdir(exist_ok=True)
    broker = start_local_broker(
        kind,
        settings.kafka_data_dir if kind == "kafka" else var / "tansu",
        port=settings.embedded_broker_port,
        log_path=var / f"{kind}.log",
        progress=True,
    )
    print(f"{kind} broker on {broker.bootstrap} (log: var/{kind}.log)", flush=True)
    return broker


def worker_envs(settings: Settings, env: dict[str, str], workers: int) -> list[tuple[str, dict[str, str]]]:
    """Each worker process's name and environment: its projections, and its own metrics port when
    WORKER_METRICS_PORT is set (base, base + 1, ...; a shared port made the second worker crash-loop)."""
    out = []
    for k, (name, projections) in enumerate(worker_processes(settings, workers)):
        worker_env = {**env, "WORKER_ID": name, "WORKER_PROJECTIONS": projections}
        if settings.worker_metrics_port:
            worker_env["WORKER_METRICS_PORT"] = str(settings.worker_metrics_port + k)
        out.append((name, worker_env))
    return out


def run_stack(settings: Settings, demo: bool, workers: int = 1) -> int:
    """Run until Ctrl-C (or SIGTERM); children that die are restarted. Returns the exit code."""
    stopping = False

    def on_signal(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    broker = start_broker_for_stack(settings) if settings.broker_is_embedded else None
    supervisor = Supervisor(settings.supervisor_metrics_port)
    try:
        prepare(settings)
        env = settings.as_env(KAFKA_BOOTSTRAP_SERVERS=bootstrap_servers(settings))
        cli = [sys.executable, "-m", "careerstream.cli"]
        for name, worker_env in worker_envs(settings, env, workers):
            if settings.worker_metrics_port:
                print(f"{name} metrics on http://127.0.0.1:{worker_env['WORKER_METRICS_PORT']}/metrics")
            supervisor.start(ChildSpec(name, [*cli, "worker"], worker_env))
        for i in range(max(1, settings.api_processes)):
            name = "api" if settings.api_processes <= 1 else f"api-{i + 1}"
            supervisor.start(ChildSpec(name, [*cli, "api"], env))
        wait_for_port(settings.api_host, settings.api_port, timeout_s=90)
        print(f"API on http://{settings.api_host}:{settings.api_port} (docs at /docs)", flush=True)
        if supervisor.metrics_port:
            print(f"supervisor metrics on http://127.0.0.1:{supervisor.metrics_port}/metrics", flush=True)
        if demo:
            # lazy: optional dependency, imported where its absence is handled
            from careerstream.demo import seed_demo

            seed_demo(settings)
        print("CareerStream is up. Ctrl-C stops everything.", flush=True)
        while not stopping:
            supervisor.check()
            if broker is not None and broker.process.poll() is not None:
                code = broker.process.returncode
                if broker.kind == "tansu":
                    # Its log is gone with it: the read models now describe events that no longer exist.
                    print(
                        f"the Tansu broker exited ({code}) and its in-memory log with it; stopping",
                        flush=True,
                    )
                    return 1
                print(f"the Kafka broker exited ({code}); restarting it on the same log", flush=True)
                supervisor.count_restart("broker", code)
                broker.restart()
            time.sleep(0.5)
        return 0
    finally:
        supervisor.stop_all()
        if broker is not None:
            broker.stop()
            print(f"stopped {broker.kind} broker", flush=True)
