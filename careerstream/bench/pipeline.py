"""`careerstream bench pipeline`: serde, produce and end-to-end projection throughput, and freshness.

Runs against the configured broker, or an embedded Tansu started for the run, with its own topic
prefix and database so it never touches real data. One worker process, as in production.
Freshness = event created -> visible in the projection (its position committed in Postgres).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import replace

import numpy as np
import psycopg
from psycopg_pool import ConnectionPool

from careerstream.local_broker import BrokerKind, broker_for_run, stop_run_broker
from kernel.config import Settings
from projections.migrate import ensure_database, migrate
from schemas.events import Event, new_event
from schemas.keystore import PostgresKeyStore
from schemas.serde import EventSerde
from streams.producer import EventProducer
from streams.topics import ensure_topics


def _plain_events(n: int, users: int) -> list[Event]:
    """The common case: interactions and profile updates without personal fields."""
    events = []
    for i in range(n):
        user = f"bench-u{i % users}"
        if i % 2:
            events.append(
                new_event(
                    "CareerInteraction",
                    user,
                    {"career_id": f"c{i % 3000}", "action": "viewed"},
                    producer="bench",
                )
            )
        else:
            events.append(
                new_event(
                    "ProfileUpdated",
                    user,
                    {"skills": ["Python", "SQL", f"s{i % 97}"], "interests": ["data"]},
                    producer="bench",
                )
            )
    return events


def _personal_events(n: int, users: int) -> list[Event]:
    return [
        new_event(
            "ProfileUpdated",
            f"bench-u{i % users}",
            {
                "skills": ["Python", "SQL"],
                "location": "Berlin",
                "salary_expectation": 70000.0,
                "career_goals": "lead a data team",
            },
            producer="bench",
        )
        for i in range(n)
    ]


def bench_serde(serde: EventSerde, n: int) -> dict[str, float]:
    plain = _plain_events(n, 1000)
    t0 = time.perf_counter()
    blobs = [serde.encode(e) for e in plain]
    t1 = time.perf_counter()
    for b in blobs:
        serde.decode(b)
    t2 = time.perf_counter()
    personal = _personal_events(n, 1000)
    serde.keystore.warm({e.subject_id for e in personal})
    for e in personal[:1000]:  # mint keys outside the timed loop
        serde.encode(e)
    t3 = time.perf_counter()
    for e in personal:
        serde.decode(serde.encode(e))
    t4 = time.perf_counter()
    return {
        "serde_encode_per_s": round(n / (t1 - t0)),
        "serde_decode_per_s": round(n / (t2 - t1)),
        "serde_roundtrip_per_s": round(n / (t2 - t0)),
        "serde_encrypted_roundtrip_per_s": round(n / (t4 - t3)),
    }


def _applied(database_url: str, projection: str, topic: str) -> dict[int, int]:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT partition, next_offset FROM projection_positions WHERE projection=%s AND topic=%s",
            (projection, topic),
        ).fetchall()
    return {int(p): int(o) for p, o in rows}


async def _end_to_end(
    settings: Settings, producer: EventProducer, n: int, rate: int, seconds: float
) -> dict[str, float]:
    topic = f"{settings.topic_prefix}.users"
    events = [
        new_event("ProfileUpdated", f"e2e-u{i % 2000}", {"skills": ["Go", f"s{i}"]}, producer="bench")
        for i in range(n)
    ]
    start = time.perf_counter()
    await producer.publish_many(events)
    while sum(_applied(settings.database_url, "user_profiles", topic).values()) < n + 1:
        await asyncio.sleep(0.01)
    throughput = n / (time.perf_counter() - start)

    # Freshness at a steady rate below capacity: per event, created -> first poll showing it applied.
    pending: list[tuple[float, int, int]] = []
    interval = 1.0 / rate
    stop_at = time.perf_counter() + seconds
    seq = 0

    in_flight: set[asyncio.Task[None]] = set()
    fed = asyncio.Event()  # set once every publish is acknowledged (and so in `pending`)

    async def publish_one(event: Event, created: float) -> None:
        pos = await producer.publish(event)
        pending.append((created, pos.partition, pos.offset))

    async def feed() -> None:
        # Publishes are fired at the target rate without waiting for each acknowledgement (a client
        # awaiting every ack one by one would cap the rate at 1 / ack latency).
        nonlocal seq
        next_at = time.perf_counter()
        while time.perf_counter() < stop_at:
            event = new_event(
                "ProfileUpdated", f"fresh-u{seq % 500}", {"skills": [f"f{seq}"]}, producer="bench"
            )
            seq += 1
            task = asyncio.create_task(publish_one(event, time.perf_counter()))
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)
            next_at += interval
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
        await asyncio.gather(*in_flight)
        fed.set()

    latencies: list[float] = []

    async def watch() -> None:
        # Until every event was seen applied (a publish still awaiting its ack is not in `pending` yet).
        while time.perf_counter() < stop_at + 5 and (not fed.is_set() or pending):
            applied = await asyncio.to_thread(_applied, settings.database_url, "user_profiles", topic)
            now = time.perf_counter()
            for item in list(pending):
                created, partition, offset = item
                if applied.get(partition, 0) > offset:
                    latencies.append((now - created) * 1000)
                    pending.remove(item)
            await asyncio.sleep(0.002)

    await asyncio.gather(feed(), watch())
    lat = np.array(latencies)
    return {
        "end_to_end_per_s": round(throughput),
        "freshness_ms_p50": round(float(np.percentile(lat, 50)), 1),
        "freshness_ms_p95": round(float(np.percentile(lat, 95)), 1),
        "freshness_ms_p99": round(float(np.percentile(lat, 99)), 1),
        "freshness_events": len(latencies),
        "freshness_rate_per_s": round(seq / seconds),
    }


def run_pipeline_bench(
    base: Settings, quick: bool = False, broker_kind: BrokerKind = "kafka"
) -> dict[str, float]:
    """Run every pipeline benchmark; returns one flat JSON-able dict."""
    n_serde = 20_000 if quick else 100_000
    n_e2e = 20_000 if quick else 100_000
    run = uuid.uuid4().hex[:8]
    bootstrap, broker = broker_for_run(base.kafka_bootstrap_servers, broker_kind)
    settings = replace_settings(base, bootstrap, run)
    ensure_database(settings.database_url)
    migrate(settings.database_url)
    ensure_topics(bootstrap, settings.topic_prefix)
    pool = ConnectionPool(settings.database_url, min_size=1, max_size=2, open=True)
    keystore = PostgresKeyStore(pool, settings.master_key_bytes(), settings.data_key_cache_seconds)
    serde = EventSerde(keystore, topic_prefix=settings.topic_prefix)
    result: dict[str, float] = {"quick": quick}  # type: ignore[dict-item]
    result["broker"] = broker_kind if broker else "configured"  # type: ignore[assignment]
    result.update(bench_serde(serde, n_serde))
    worker = None
    try:
        producer = EventProducer(bootstrap, serde, settings.topic_prefix)

        async def produce_and_e2e() -> dict[str, float]:
            # Produce throughput into a topic no worker reads (activity), awaited acks included.
            events = _plain_events(n_e2e, 5000)
            events = [
                replace(e, event_type="CareerInteraction", payload={"career_id": "c1", "action": "viewed"})
                for e in events
            ]
            t0 = time.perf_counter()
            await producer.publish_many(events)
            out: dict[str, float] = {"produce_per_s": round(n_e2e / (time.perf_counter() - t0))}
            # Warm-up event: the worker is up and has joined the group once it is applied.
            await producer.publish(new_event("ProfileUpdated", "warmup", {"skills": []}, producer="bench"))
            while (
                sum(
                    _applied(
                        settings.database_url, "user_profiles", f"{settings.topic_prefix}.users"
                    ).values()
                )
                < 1
            ):
                await asyncio.sleep(0.05)
            out.update(
                await _end_to_end(
                    settings, producer, n_e2e, rate=500 if quick else 1000, seconds=5 if quick else 15
                )
            )
            return out

        worker = _start_worker(settings)
        result.update(asyncio.run(produce_and_e2e()))
        producer.close()
    finally:
        if worker is not None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=20)
        pool.close()
        stop_run_broker(broker)
        with psycopg.connect(
            psycopg.conninfo.make_conninfo(settings.database_url, dbname="postgres"), autocommit=True
        ) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{_db_name(run)}" WITH (FORCE)')
    return result


def _db_name(run: str) -> str:
    return f"careerstream_bench_{run}"


def replace_settings(base: Settings, bootstrap: str, run: str) -> Settings:
    url = psycopg.conninfo.make_conninfo(base.database_url, dbname=_db_name(run))
    return base.model_copy(
        update={
            "kafka_bootstrap_servers": bootstrap,
            "topic_prefix": f"bench{run}",
            "database_url": url,
            "redis_prefix": f"bench:{run}:",
            "consumer_rebalance_timeout_ms": 3000,
            "worker_batch_within_s": 0.01,
            # The pipeline figure is the user-profile read model's; other features have their own benches.
            "worker_projections": "user_profiles,gdpr_erasures",
        }
    )


def _start_worker(settings: Settings) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "careerstream.cli", "worker"],
        env=settings.as_env(LOG_LEVEL="WARNING"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
