"""`careerstream bench search`: a generated catalog through the real event path, then searches via the API.

1. Writes the synthetic catalog as five provider import files (JSONL; one per provider).
2. Ingest (timed): the sync engine reads the files page by page (the file-import adapter), hashes and
   publishes CourseUpserted events to Kafka; a real worker process projects them into Postgres, the
   tantivy index and the generation key. Ingest ends when the projection has applied every event.
3. Re-syncs the unchanged catalog and counts the events it publishes (expected: zero).
4. Starts the real API (uvicorn) and times a fixed query mix over HTTP (keep-alive, stdlib client):
   each query once uncached (its cache entries deleted beforehand, outside the timing) and once cached.

Runs on its own database, topic prefix, Redis prefix and index directory (embedded broker unless
KAFKA_BOOTSTRAP_SERVERS is set), and removes them afterwards.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from pathlib import Path
from typing import Any

import psycopg
from redis import Redis

from api.auth import mint_token
from careerstream.corpora.courses import PROVIDERS, generate_courses
from careerstream.local_broker import broker_for_run, free_port, stop_run_broker, wait_for_port
from connectors.kafka_publisher import KafkaCoursePublisher
from connectors.provider import FileImportProvider
from connectors.sync import SyncEngine, sync_providers
from connectors.sync_state import PostgresSyncStateStore
from engines.course_search.record import CourseRemoval
from kernel.config import Settings, get_settings
from projections.migrate import ensure_database, migrate
from streams.topics import ensure_topics

QUERY_MIX: dict[str, list[dict[str, Any]]] = {
    "single_word": [{"q": t} for t in ("python", "kubernetes", "leadership", "excel", "figma")],
    "multi_word": [
        {"q": t}
        for t in (
            "machine learning python",
            "data pipelines spark",
            "agile project management",
            "react web applications",
        )
    ],
    "typo": [{"q": t} for t in ("pyhton", "kuberntes", "machne lerning", "cybersecurty")],
    "filtered": [
        {"q": "python", "level": "beginner", "free": "true", "max_hours": 20},
        {"q": "sql", "skills": "SQL"},
        {"q": "design", "provider": "edx"},
        {"q": "cloud", "skills": "Terraform,Docker", "level": "advanced,intermediate"},
    ],
    "faceted": [{"q": t} for t in ("data", "security", "marketing strategy")] + [{"level": "advanced"}],
}


def write_catalog(n: int, directory: Path, seed: int = 7) -> dict[str, Path]:
    """The synthetic catalog as one canonical JSONL import file per provider."""
    files = {p: directory / f"{p}.jsonl" for p in PROVIDERS}
    handles = {p: f.open("w", encoding="utf-8") for p, f in files.items()}
    try:
        for c in generate_courses(n, seed):
            row = c.to_payload()
            row["updated_at"] = row.pop("provider_updated_at")
            for drop in ("course_id", "provider", "content_hash"):
                row.pop(drop)
            handles[c.provider].write(json.dumps(row, separators=(",", ":")) + "\n")
    finally:
        for h in handles.values():
            h.close()
    return files


def _applied(database_url: str) -> dict[tuple[str, int], int]:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT topic, partition, next_offset FROM projection_positions WHERE projection='course_catalog'"
        ).fetchall()
    return {(t, int(p)): int(o) for t, p, o in rows}


def _wait_applied(database_url: str, positions: dict[tuple[str, int], int], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        applied = _applied(database_url)
        if all(applied.get(tp, 0) > off for tp, off in positions.items()):
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"projection did not catch up: applied {applied}, wanted past {positions}")
        time.sleep(0.05)


async def _sync(settings: Settings, files: dict[str, Path], publisher: Any) -> list[Any]:

    store = await PostgresSyncStateStore.connect(settings.database_url)
    try:
        engine = SyncEngine(store, publisher, batch_size=2000)
        providers = [FileImportProvider(name, path, page_size=2000) for name, path in files.items()]
        return await sync_providers(engine, providers, full=True)
    finally:
        await store.close()


def _pct(samples: list[float], q: int) -> float:
    return round(statistics.quantiles(samples, n=100, method="inclusive")[q - 1], 2)


def run_search_bench(
    base: Settings, quick: bool = False, rounds: int | None = None, broker_kind: str = "kafka"
) -> dict[str, Any]:
    """Run the whole benchmark; returns one flat JSON-able dict."""

    n = 100_000 if quick else 1_000_000
    rounds = rounds or (10 if quick else 20)
    run = uuid.uuid4().hex[:8]
    workdir = Path(tempfile.mkdtemp(prefix="course_bench_"))
    worker = api = None
    bootstrap, broker = broker_for_run(base.kafka_bootstrap_servers, broker_kind)  # type: ignore[arg-type]
    db_url = psycopg.conninfo.make_conninfo(base.database_url, dbname=f"careerstream_bench_{run}")
    settings = base.model_copy(
        update={
            "kafka_bootstrap_servers": bootstrap,
            "topic_prefix": f"bench{run}",
            "database_url": db_url,
            "redis_prefix": f"bench:{run}:",
            "consumer_rebalance_timeout_ms": 3000,
            "course_index_dir": workdir / "index",
            "api_port": free_port(),
        }
    )
    result: dict[str, Any] = {
        "benchmark": "course_search_e2e",
        "quick": quick,
        "broker": broker_kind if broker else "configured",
    }
    try:
        ensure_database(settings.database_url)
        migrate(settings.database_url)
        ensure_topics(bootstrap, settings.topic_prefix)
        t0 = time.perf_counter()
        files = write_catalog(n, workdir)
        result["generate_s"] = round(time.perf_counter() - t0, 1)

        worker = subprocess.Popen(
            [sys.executable, "-m", "careerstream.cli", "worker"],
            env=settings.as_env(LOG_LEVEL="WARNING", WORKER_PROJECTIONS="course_catalog"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        publisher = KafkaCoursePublisher(settings)

        async def ingest() -> tuple[float, int]:
            # Warm-up: a removal of a course that doesn't exist (a no-op) shows the worker has joined.

            await publisher([], [CourseRemoval("warmup:none", "warmup", "bench warm-up")])
            await asyncio.to_thread(_wait_applied, settings.database_url, dict(publisher.positions), 120)
            published_before = publisher.published
            start = time.perf_counter()
            reports = await _sync(settings, files, publisher)
            if not all(r.ok for r in reports):
                raise RuntimeError(f"sync failed: {[r.error for r in reports if not r.ok]}")
            await asyncio.to_thread(_wait_applied, settings.database_url, dict(publisher.positions), 3600)
            return time.perf_counter() - start, publisher.published - published_before

        async def resync() -> tuple[float, int]:
            before = publisher.published
            start = time.perf_counter()
            reports = await _sync(settings, files, publisher)
            if not all(r.ok for r in reports):
                raise RuntimeError(f"re-sync failed: {[r.error for r in reports if not r.ok]}")
            return time.perf_counter() - start, publisher.published - before

        async def both() -> None:
            ingest_s, published = await ingest()
            result.update(
                courses=n,
                events_published=published,
                ingest_s=round(ingest_s, 1),
                ingest_per_s=round(n / ingest_s),
            )
            resync_s, republished = await resync()
            result.update(resync_unchanged_events=republished, resync_s=round(resync_s, 1))

        try:
            asyncio.run(both())
        finally:
            publisher.close()

        api = subprocess.Popen(
            [sys.executable, "-m", "careerstream.cli", "api"],
            env=settings.as_env(LOG_LEVEL="WARNING"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for_port("127.0.0.1", settings.api_port, 60)
        result.update(
            _time_queries(
                settings, mint_token(settings.jwt_secret, "bench", "service", settings.jwt_issuer), rounds
            )
        )
    finally:
        for proc in (api, worker):
            if proc is not None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
        stop_run_broker(broker)
        with psycopg.connect(
            psycopg.conninfo.make_conninfo(base.database_url, dbname="postgres"), autocommit=True
        ) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "careerstream_bench_{run}" WITH (FORCE)')
        redis = Redis.from_url(settings.redis_url)
        for key in redis.scan_iter(match=f"{settings.redis_prefix}*", count=1000):
            redis.delete(key)
        redis.close()
        shutil.rmtree(workdir, ignore_errors=True)
    return result


class _ApiClient:
    """A keep-alive HTTP/1.1 client for timing: the standard library's, whose own cost per request is
    about a tenth of httpx's (measured here side by side: httpx added ~1.3 ms to a cached search)."""

    def __init__(self, port: int, token: str) -> None:
        self._conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self._headers = {"Authorization": f"Bearer {token}"}

    def search(self, params: dict[str, Any]) -> tuple[float, str, dict[str, Any]]:
        """GET /courses/search: (milliseconds, x-cache header, body)."""
        path = "/courses/search?" + urllib.parse.urlencode(params)
        t0 = time.perf_counter()
        self._conn.request("GET", path, headers=self._headers)
        response = self._conn.getresponse()
        data = response.read()
        took = (time.perf_counter() - t0) * 1000
        if response.status != 200:
            raise RuntimeError(f"search {params} answered {response.status}: {data[:200]!r}")
        return took, response.getheader("x-cache") or "", json.loads(data)

    def close(self) -> None:
        self._conn.close()


def _time_queries(settings: Settings, token: str, rounds: int) -> dict[str, Any]:
    redis = Redis.from_url(settings.redis_url)
    cache_match = f"{settings.redis_prefix}courses:q:*"
    queries = [(cat, q) for cat, qs in QUERY_MIX.items() for q in qs]
    uncached: dict[str, list[float]] = {cat: [] for cat in QUERY_MIX}
    cached: list[float] = []
    totals: dict[str, int] = {}
    client = _ApiClient(settings.api_port, token)
    try:
        for _, params in queries:  # warm-up: first touches of the mmapped index are not representative
            client.search(params)
        for _ in range(rounds):
            for key in redis.scan_iter(match=cache_match, count=1000):
                redis.delete(key)
            for cat, params in queries:
                took, cache, body = client.search(params)
                if cache != "miss":
                    raise RuntimeError(f"expected a cache miss for {params}, got {cache!r}")
                uncached[cat].append(took)
                totals[json.dumps(params, sort_keys=True)] = body["total"]
                took, cache, _ = client.search(params)
                if cache != "hit":
                    raise RuntimeError(f"expected a cache hit for {params}, got {cache!r}")
                cached.append(took)
    finally:
        client.close()
        redis.close()
    every = [x for s in uncached.values() for x in s]
    return {
        "queries": len(every),
        "search_ms_p50": round(statistics.median(every), 2),
        "search_ms_p95": _pct(every, 95),
        "search_ms_p99": _pct(every, 99),
        "cached_ms_p50": round(statistics.median(cached), 2),
        "cached_ms_p95": _pct(cached, 95),
        "search_ms_p95_by_category": {cat: _pct(s, 95) for cat, s in uncached.items()},
        "min_total_hits": min(totals.values()),
    }


def bench_search_command(
    json_output: bool, quick: bool, rounds: int | None = None, broker: str = "kafka"
) -> None:
    """Entry point for `careerstream bench search`."""

    if broker not in ("kafka", "tansu"):
        raise ValueError("--broker: use kafka or tansu")
    result = run_search_bench(get_settings(), quick=quick, rounds=rounds, broker_kind=broker)
    print(json.dumps(result) if json_output else json.dumps(result, indent=2))
