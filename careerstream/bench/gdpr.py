"""`careerstream bench gdpr --json [--quick] [--broker kafka|tansu]`: the GDPR targets of issue 14.

On a stack of its own (local broker, the worker processes `up` starts, two API processes: one with the
access audit on, one with it off), measured in one run:
- erasure: for each of N users (profile, registration, an uploaded resume analysed), the time from the
  DELETE's 202 to the erasure being complete in every store (key destroyed, profile, analyses and
  recommendation features gone, Redis keys gone, files gone), while other users keep writing profiles;
- replay: `replay_projection("user_profiles")` over a log of M profile events, events/s;
- access audit: GET /users/{id}/profile latency with the audit on vs off, interleaved.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import psycopg
from psycopg_pool import ConnectionPool
from redis import Redis

from api.auth import mint_token
from careerstream.bench.harness import percentiles, process_cpu_seconds, service_cpu_seconds, spawn, stop
from careerstream.bench.pipeline import _db_name, replace_settings
from careerstream.local_broker import BrokerKind, broker_for_run, free_port, stop_run_broker, wait_for_port
from kernel.config import Settings
from projections.migrate import ensure_database, migrate
from schemas.events import new_event
from schemas.keystore import PostgresKeyStore
from schemas.serde import EventSerde
from streams.blob_store import owner_prefix
from streams.producer import EventProducer
from streams.projection_replay import replay_projection
from streams.topics import ensure_topics
from streams.worker_projections import projections_for, worker_processes

RESUME = b"Jo Bloggs\njo@example.org\nExperience\nData engineer, Acme, 2019 - 2024\nSkills: SQL, Python\n"


def _still_holding(s: Settings, conn: psycopg.Connection[Any], redis: Redis, user: str) -> list[str]:
    """The stores that still hold something of `user` (empty: the erasure is complete). `conn` is
    autocommit and stays open across polls: a connection per poll cost the stack under test a Postgres
    backend start every few milliseconds."""
    left = []
    destroyed = conn.execute(
        "SELECT destroyed_at IS NOT NULL FROM subject_keys WHERE subject_id = %s", (user,)
    ).fetchone()
    if not destroyed or not destroyed[0]:
        left.append("subject_keys")
    for table in ("user_profiles", "resume_analyses", "rec_user_features"):
        if conn.execute(f"SELECT 1 FROM {table} WHERE user_id = %s", (user,)).fetchone():
            left.append(table)
    left += [k.decode() for k in redis.scan_iter(match=f"{s.redis_prefix}*:{user}", count=1000)]
    if (s.blob_dir / owner_prefix(user)).exists():
        left.append("blobs")
    return left


def _background_writes(api: str, token: str, done_event: threading.Event, rate: float) -> tuple[int, float]:
    """Profile writes of 200 other users at `rate` per second until `done_event`, open loop (a write is sent
    on schedule whether or not earlier ones were answered, up to 64 in flight), so the load does not
    ease off when the stack slows down. Returns (writes answered, seconds)."""

    async def run() -> tuple[int, float]:
        in_flight = asyncio.Semaphore(64)
        done = 0

        async def put(client: httpx.AsyncClient, i: int) -> None:
            nonlocal done
            async with in_flight:
                body = {"skills": ["SQL"], "location": f"c{i}"}
                await client.put(f"/users/bg-{i % 200}/profile", json=body)
                done += 1

        async with httpx.AsyncClient(
            base_url=api, headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as client:
            start, sent, tasks = time.monotonic(), 0, set()
            while not done_event.is_set():
                while sent < (time.monotonic() - start) * rate:
                    task = asyncio.create_task(put(client, sent))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
                    sent += 1
                await asyncio.sleep(0.005)
            elapsed = time.monotonic() - start
            await asyncio.gather(*tasks)
        return done, elapsed

    return asyncio.run(run())


# A script of phases (stack, erasures, audit cost, replay) reading top to bottom; their branches are
# `quick` sizes and per-phase cleanup, not logic worth naming.
def run_gdpr_bench(base: Settings, quick: bool = False, broker_kind: BrokerKind = "kafka") -> dict[str, Any]:
    n_erase = 30 if quick else 100
    n_replay = 20_000 if quick else 100_000
    n_reads = 300 if quick else 1000
    run = uuid.uuid4().hex[:8]
    work = Path(f"/tmp/careerstream-bench-gdpr-{run}")
    work.mkdir(parents=True)
    bootstrap, broker = broker_for_run(base.kafka_bootstrap_servers, broker_kind)
    s = replace_settings(base, bootstrap, run).model_copy(
        update={
            "worker_projections": "",
            "api_port": free_port(),
            "blob_dir": work / "blobs",
            "course_index_dir": work / "index",
            "faust_datadir": work / "faust",
            "retention_interval_s": 0.0,
        }
    )
    off = s.model_copy(update={"api_port": free_port(), "access_audit": False})
    ensure_database(s.database_url)
    migrate(s.database_url)
    ensure_topics(bootstrap, s.topic_prefix)
    procs = [
        spawn(
            ["worker"],
            s.model_copy(update={"worker_id": wid, "worker_projections": only}),
            work / f"{wid}.log",
        )
        for wid, only in worker_processes(s)
    ]
    procs.append(spawn(["api"], s, work / "api.log"))
    procs.append(spawn(["api"], off, work / "api-off.log"))
    result: dict[str, Any] = {"quick": quick, "broker": broker_kind if broker else "configured"}
    redis = Redis.from_url(s.redis_url)
    token = mint_token(s.jwt_secret, "bench", "service", s.jwt_issuer, 3600, s.jwt_audience)
    try:
        for port in (s.api_port, off.api_port):
            wait_for_port("127.0.0.1", port, timeout_s=120)
        api = f"http://127.0.0.1:{s.api_port}"
        with httpx.Client(base_url=api, headers={"Authorization": f"Bearer {token}"}, timeout=60) as http:
            users = [f"gdpr-{i}" for i in range(n_erase)]
            last: dict[str, tuple[str, str]] = {}
            for u in users:
                http.post("/users", json={"user_id": u, "email": f"{u}@example.org"}).raise_for_status()
                http.put(
                    f"/users/{u}/profile", json={"skills": ["SQL"], "location": "Oslo"}
                ).raise_for_status()
                r = http.post(f"/users/{u}/resumes", files={"file": ("cv.txt", RESUME)})
                r.raise_for_status()
                last[u] = (r.json()["resume_id"], r.json()["consistency_token"])
            for u, (rid, tok) in last.items():  # seeded and analysed before the erasures start
                url = f"/users/{u}/resumes/{rid}/analysis"
                deadline = time.monotonic() + 180  # the first answer waits for the worker to start
                while http.get(url, params={"consistency_token": tok}).status_code == 409:
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"{url} not applied")
                while http.get(url).json().get("status") == "pending" and time.monotonic() < deadline:
                    time.sleep(0.05)

            # Access audit cost: the same read through the audited and the unaudited API, interleaved.
            on_ms: list[float] = []
            off_ms: list[float] = []
            with httpx.Client(
                base_url=f"http://127.0.0.1:{off.api_port}", headers={"Authorization": f"Bearer {token}"}
            ) as http_off:
                for i in range(n_reads):
                    for client, samples in ((http, on_ms), (http_off, off_ms)):
                        t0 = time.perf_counter()
                        client.get(f"/users/{users[i % len(users)]}/profile").raise_for_status()
                        samples.append((time.perf_counter() - t0) * 1000)
            result.update(percentiles(on_ms, "read_audited_ms"))
            result.update(percentiles(off_ms, "read_unaudited_ms"))
            result["audit_added_ms_p95"] = round(
                result["read_audited_ms_p95"] - result["read_unaudited_ms_p95"], 2
            )

            # Erasure under load: background profile writes while each user is erased in turn.
            writes_done = threading.Event()
            bg_count: list[tuple[int, float]] = []
            bg = threading.Thread(
                target=lambda: bg_count.append(_background_writes(api, token, writes_done, 200.0))
            )
            bg.start()
            erase_ms: list[float] = []
            last_held: Counter[str] = Counter()  # which store was the last to let go, per user
            poll = psycopg.connect(s.database_url, autocommit=True)
            try:
                for u in users:
                    r = http.delete(f"/users/{u}")
                    r.raise_for_status()
                    t0 = time.perf_counter()
                    held: list[str] = []
                    while left := _still_holding(s, poll, redis, u):
                        if time.perf_counter() - t0 > 30:
                            raise TimeoutError(f"{u} not erased within 30 s: still in {left}")
                        held = left
                        time.sleep(0.005)
                    erase_ms.append((time.perf_counter() - t0) * 1000)
                    last_held.update(h.removeprefix(s.redis_prefix).split(":")[0] for h in held)
            finally:
                poll.close()
                writes_done.set()
                bg.join()
            result.update(percentiles(erase_ms, "erasure_complete_ms"))
            result["erasure_users"] = len(erase_ms)
            result["erasure_last_held_by"] = dict(last_held.most_common())
            writes, seconds = bg_count[0] if bg_count else (0, 1.0)
            result["background_writes"] = writes
            result["background_writes_per_s"] = round(writes / seconds, 1)

        # Replay throughput over a log of n_replay profile events (1,000 users), with the worker and
        # the APIs stopped first: the worker would otherwise project the same events (recomputing
        # recommendations for each) on the cores the replay is measured on.
        stop(procs)

        async def publish() -> None:
            with ConnectionPool(s.database_url, min_size=1, max_size=2) as pool:
                producer = EventProducer(
                    bootstrap, EventSerde(PostgresKeyStore(pool, s.master_key_bytes())), s.topic_prefix
                )
                events = [
                    new_event(
                        "ProfileUpdated",
                        f"r{i % 1000}",
                        {"skills": ["SQL"], "location": f"c{i}"},
                        producer="bench",
                    )
                    for i in range(n_replay)
                ]
                for start in range(0, n_replay, 5000):
                    await producer.publish_many(events[start : start + 5000])
                producer.close()

        asyncio.run(publish())
        # One process, then one per core, side by side in the same run; with the CPU each spent
        # (the replay's processes, and Postgres + the broker + Redis), per event: what bounds the
        # rate on this machine is cores / CPU per event.
        for processes in sorted({1, os.cpu_count() or 1}):
            (projection,) = projections_for(s, "user_profiles")
            own, services = process_cpu_seconds(), service_cpu_seconds()
            report = asyncio.run(replay_projection(s, projection, processes=processes))
            own, services = process_cpu_seconds() - own, service_cpu_seconds() - services
            result["replay_events"] = report.events_read
            result[f"replay_events_per_s_{processes}p"] = round(report.events_per_s)
            per_event = 1e6 / max(report.events_read, 1)
            result[f"replay_cpu_us_per_event_{processes}p"] = {
                "replay_processes": round(own * per_event, 1),
                "services": round(services * per_event, 1),
            }
        result["cores"] = os.cpu_count()
        result["replay_events_per_s"] = max(
            v for k, v in result.items() if k.startswith("replay_events_per_s_")
        )
    finally:
        stop(procs)
        redis.close()
        stop_run_broker(broker)
        with psycopg.connect(
            psycopg.conninfo.make_conninfo(s.database_url, dbname="postgres"), autocommit=True
        ) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{_db_name(run)}" WITH (FORCE)')
    result["targets_met"] = (
        result["erasure_complete_ms_p95"] < 1000
        and result["replay_events_per_s"] >= 20_000
        and result["audit_added_ms_p95"] < 1.0
    )
    return result
