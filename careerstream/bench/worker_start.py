"""`careerstream bench worker-start`: how long a started or restarted worker takes to be ready.

A worker is ready when Faust logs `[^Worker]: Ready`: it has loaded its engines (streams/app.py loads
the chat engine before joining), joined its consumer group and been given partitions. Until then, the
events of those partitions wait, so this time bounds how soon a killed worker's partitions are served
again (the supervisor restarts it at once).

Two kinds of start, alternated in one run (the same machine load for both):
- `kept`: the engines' built parts (skill matcher, intent classifier, gazetteer, career embeddings)
  read from the build cache (`engines.build_cache`), as on every start after a machine's first;
- `built`: an empty cache directory, so each part is built again, as on a fresh machine's first start.

Each start runs every projection, as `careerstream worker` does by default, against its own topics and
database on the configured broker, or on a local broker started for the run.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from statistics import median
from typing import Any

import psycopg

from careerstream.bench.harness import spawn, stop
from careerstream.bench.pipeline import _db_name, replace_settings
from careerstream.local_broker import BrokerKind, broker_for_run, stop_run_broker
from engines.build_cache import ENV as CACHE_ENV
from kernel.config import Settings
from projections.migrate import ensure_database, migrate
from streams.topics import ensure_topics

READY = "[^Worker]: Ready"
TIMEOUT_S = 300.0


def time_to_ready(settings: Settings, log: Path, env: dict[str, str]) -> dict[str, Any]:
    """Start one `careerstream worker`, wait until it is ready, stop it. Returns the seconds from
    spawning the process to ready, and the chat engine's load time as the worker logged it."""
    began = time.perf_counter()
    # Faust logs `Ready` at INFO; JSON lines carry the chat engine's load time.
    proc = spawn(["worker"], settings, log, LOG_LEVEL="INFO", LOG_JSON="true", **env)
    try:
        while READY not in log.read_text(errors="replace"):
            if proc.poll() is not None:
                raise RuntimeError(f"the worker exited with {proc.returncode}; see {log}")
            if time.perf_counter() - began > TIMEOUT_S:
                raise TimeoutError(f"the worker was not ready within {TIMEOUT_S:.0f} s; see {log}")
            time.sleep(0.05)
        ready_s = time.perf_counter() - began
    finally:
        stop([proc], timeout_s=30)
    engine_ms = None
    for line in log.read_text(errors="replace").splitlines():
        if '"chat_engine_ready"' in line and line.startswith("{"):
            engine_ms = json.loads(line)["ms"]
    return {"ready_s": round(ready_s, 2), "chat_engine_s": round(engine_ms / 1000, 2) if engine_ms else None}


def run_worker_start_bench(
    base: Settings, runs: int = 3, broker_kind: BrokerKind = "kafka"
) -> dict[str, Any]:
    """`runs` starts of each kind, alternated, after one untimed start that fills the kept cache."""
    run = uuid.uuid4().hex[:8]
    work = Path(tempfile.mkdtemp(prefix=f"careerstream-bench-start-{run}-"))
    bootstrap, broker = broker_for_run(base.kafka_bootstrap_servers, broker_kind)
    settings = replace_settings(base, bootstrap, run).model_copy(
        update={"worker_projections": "", "faust_datadir": work / "faust"}
    )
    ensure_database(settings.database_url)
    migrate(settings.database_url)
    ensure_topics(bootstrap, settings.topic_prefix)
    samples: dict[str, list[dict[str, Any]]] = {"kept": [], "built": []}
    try:
        time_to_ready(settings, work / "warm-up.log", {})
        for i in range(runs):
            samples["kept"].append(time_to_ready(settings, work / f"kept-{i}.log", {}))
            empty = work / f"cache-{i}"
            samples["built"].append(time_to_ready(settings, work / f"built-{i}.log", {CACHE_ENV: str(empty)}))
            shutil.rmtree(empty, ignore_errors=True)
    finally:
        stop_run_broker(broker)
        with psycopg.connect(
            psycopg.conninfo.make_conninfo(settings.database_url, dbname="postgres"), autocommit=True
        ) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{_db_name(run)}" WITH (FORCE)')
        shutil.rmtree(work, ignore_errors=True)
    out: dict[str, Any] = {"runs": runs, "broker": broker.kind if broker else "configured"}
    for kind, rows in samples.items():
        out[kind] = {
            "ready_s_median": round(median(r["ready_s"] for r in rows), 2),
            "ready_s": [r["ready_s"] for r in rows],
            "chat_engine_s": [r["chat_engine_s"] for r in rows],
        }
    return out
