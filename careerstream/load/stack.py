"""A complete CareerStream stack of its own for a load or fault run: its own broker, database, topic
prefix, Redis prefix, blob and index directories and free ports; worker(s) and several API processes
(SO_REUSEPORT on one port) under the same `Supervisor` as `careerstream up`. Optionally a private
Postgres and Redis server (`careerstream chaos` restarts and slows them), so shared instances are
never touched."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
from redis import Redis

from careerstream.load.services import PrivatePostgres, PrivateRedis
from careerstream.local_broker import (
    BrokerKind,
    LocalBroker,
    choose_broker,
    free_port,
    start_local_broker,
    wait_for_port,
)
from careerstream.supervisor import ChildSpec, Supervisor
from kernel.config import Settings
from projections.migrate import ensure_database, migrate
from streams.topics import ensure_topics
from streams.worker_projections import worker_processes

CLI = [sys.executable, "-m", "careerstream.cli"]


@dataclass
class StackOptions:
    api_processes: int = 2
    workers: int = 1
    broker: str = "auto"  # auto | kafka | tansu
    private_postgres: bool = False
    private_redis: bool = False
    worker_projections: str = ""  # empty: all
    overrides: dict[str, Any] = field(default_factory=dict)
    # With a private Postgres: reach it through careerstream/chaos/delay_proxy.py adding this many ms
    # per server reply while slowed (SIGUSR1 on, SIGUSR2 off): the "slow database" fault.
    db_delay_ms: float | None = None
    # Resume blobs on a tmpfs of this size (MB), so "disk full" can be a real ENOSPC.
    blob_fs_mb: int | None = None
    log_level: str = "WARNING"


def _logged(args: list[str], log: Path) -> list[str]:
    """Run `args` with stdout and stderr appended to `log` (the supervisor's children inherit ours)."""
    return ["/bin/sh", "-c", f'exec "$@" >>{shlex.quote(str(log))} 2>&1', "sh", *args]


class RunStack:
    """Start with `start()`, stop (and remove everything it created) with `stop()`."""

    def __init__(self, base: Settings, options: StackOptions, name: str = "load") -> None:
        self.base = base
        self.options = options
        self.run = f"{name}{uuid.uuid4().hex[:8]}"
        self.workdir = Path(tempfile.mkdtemp(prefix=f"careerstream-{name}-"))
        self.workdir.chmod(0o755)  # a private Postgres runs as the postgres user and must reach its dir
        self.postgres: PrivatePostgres | None = None
        self.redis_server: PrivateRedis | None = None
        self.broker: LocalBroker | None = None
        self.supervisor = Supervisor()
        self._stop_checking = threading.Event()
        self._checker: threading.Thread | None = None
        self.settings: Settings = base
        self.worker_ids: list[str] = []  # the worker processes `start` launched
        self.paused_checks = threading.Event()
        self.db_proxy: subprocess.Popen[bytes] | None = None
        self.blob_fs: Path | None = None
        self.blob_fs_error: str | None = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.api_port}"

    @property
    def broker_kind(self) -> BrokerKind:
        assert self.broker is not None
        return self.broker.kind

    def start(self) -> None:
        o = self.options
        database_url = psycopg.conninfo.make_conninfo(self.base.database_url, dbname=f"cs_{self.run}")
        redis_url = self.base.redis_url
        if o.private_postgres:
            self.postgres = PrivatePostgres(self.workdir / "postgres")
            self.postgres.init()
            self.postgres.start()
            database_url = self.postgres.url(f"cs_{self.run}")
            if o.db_delay_ms is not None:
                port = free_port()
                self.db_proxy = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "careerstream.chaos.delay_proxy",
                        str(port),
                        str(self.postgres.port),
                        str(o.db_delay_ms),
                    ],
                    start_new_session=True,
                )
                wait_for_port("127.0.0.1", port, timeout_s=20, process=self.db_proxy)
                database_url = f"postgresql://postgres@127.0.0.1:{port}/cs_{self.run}"
        if o.blob_fs_mb:
            blobs = self.workdir / "blobs"
            blobs.mkdir()
            mounted = subprocess.run(
                ["mount", "-t", "tmpfs", "-o", f"size={o.blob_fs_mb}m", "tmpfs", str(blobs)],
                capture_output=True,
            )
            self.blob_fs = blobs if mounted.returncode == 0 else None
            self.blob_fs_error = mounted.stderr.decode(errors="replace").strip() or None
        if o.private_redis:
            self.redis_server = PrivateRedis(self.workdir / "redis")
            self.redis_server.start()
            redis_url = self.redis_server.url
        kind, _ = choose_broker(o.broker)  # type: ignore[arg-type]
        self.broker = start_local_broker(kind, self.workdir / "broker", log_path=self.workdir / f"{kind}.log")
        wait_for_port("127.0.0.1", self.broker.port, timeout_s=120, process=self.broker.process)
        self.settings = self.base.model_copy(
            update={
                "kafka_bootstrap_servers": self.broker.bootstrap,
                "topic_prefix": self.run,
                "database_url": database_url,
                "redis_url": redis_url,
                "redis_prefix": f"cs{self.run}:",
                "api_host": "127.0.0.1",
                "api_port": free_port(),
                "api_processes": o.api_processes,
                "worker_projections": o.worker_projections,
                "blob_dir": self.workdir / "blobs",
                "course_index_dir": self.workdir / "index",
                "faust_datadir": self.workdir / "faust",
                "recs_models_dir": self.workdir / "models",
                "kafka_data_dir": self.workdir / "broker",
                "supervisor_metrics_port": 0,
                "worker_metrics_port": 0,
                **o.overrides,
            }
        )
        s = self.settings
        ensure_database(s.database_url)
        migrate(s.database_url)
        ensure_topics(s.kafka_bootstrap_servers, s.topic_prefix)
        env = s.as_env(LOG_LEVEL=o.log_level, LOG_JSON="true")
        for name, projections in worker_processes(s, o.workers):
            self.worker_ids.append(name)
            self.supervisor.start(
                ChildSpec(
                    name,
                    _logged([*CLI, "worker"], self.workdir / f"{name}.log"),
                    {**env, "WORKER_ID": name, "WORKER_PROJECTIONS": projections},
                )
            )
        for i in range(o.api_processes):
            name = f"api-{i + 1}"
            self.supervisor.start(ChildSpec(name, _logged([*CLI, "api"], self.workdir / f"{name}.log"), env))
        self._checker = threading.Thread(target=self._check, daemon=True)
        self._checker.start()
        wait_for_port("127.0.0.1", s.api_port, timeout_s=120)
        self.wait_healthy(120)

    def _check(self) -> None:
        while not self._stop_checking.wait(0.2):
            if not self.paused_checks.is_set():
                self.supervisor.check()

    def wait_healthy(self, timeout_s: float) -> None:

        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.api_url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"API not healthy after {timeout_s}s (logs in {self.workdir})")

    def pid(self, name: str) -> int:
        return next(c.process.pid for c in self.supervisor.children if c.spec.name == name)

    def names(self, prefix: str) -> list[str]:
        return [c.spec.name for c in self.supervisor.children if c.spec.name.startswith(prefix)]

    def stop(self, keep_workdir: bool = False) -> None:
        self._stop_checking.set()
        if self._checker is not None:
            self._checker.join()
        self.supervisor.stop_all()
        if self.broker is not None:
            self.broker.stop()
        s = self.settings
        if self.postgres is not None:
            self.postgres.destroy()
        else:
            try:
                admin = psycopg.conninfo.make_conninfo(s.database_url, dbname="postgres")
                with psycopg.connect(admin, autocommit=True) as c:
                    c.execute(f'DROP DATABASE IF EXISTS "cs_{self.run}" WITH (FORCE)')
            except psycopg.Error:
                pass
        if self.db_proxy is not None:
            self.db_proxy.kill()
            self.db_proxy.wait()
        if self.blob_fs is not None:
            subprocess.run(["umount", "-l", str(self.blob_fs)], capture_output=True)
        if self.redis_server is not None:
            self.redis_server.stop()
        else:
            try:
                redis = Redis.from_url(s.redis_url)
                for key in redis.scan_iter(match=f"{s.redis_prefix}*", count=1000):
                    redis.delete(key)
                redis.close()
            except Exception:
                pass
        if not keep_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def log_tail(self, name: str, lines: int = 40) -> str:
        path = self.workdir / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def env_for_locust(stack: RunStack) -> dict[str, str]:
    s = stack.settings
    return {
        **os.environ,
        "CS_LOAD_JWT_SECRET": s.jwt_secret,
        "CS_LOAD_JWT_ISSUER": s.jwt_issuer,
        "CS_LOAD_JWT_AUDIENCE": s.jwt_audience,
        "CS_LOAD_RUN": stack.run,
    }
