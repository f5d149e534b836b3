"""BatchApplier guarantees on real Postgres, Redis and Kafka: idempotent replays, skipped event types,
serialised read-modify-write for projections fed by two topics, and refused events dead-lettered."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import psycopg
import pytest
from psycopg_pool import AsyncConnectionPool, ConnectionPool
from redis.asyncio import Redis

from kernel.config import Settings
from projections.applier import BatchApplier, LogRecord
from projections.framework import Change, InvalidEvent, Key, Projection, State, Table, Upsert
from schemas.events import Event, new_event
from schemas.keystore import PostgresKeyStore
from schemas.serde import EventSerde
from streams.dead_letter import KafkaDeadLetterSink
from streams.producer import EventProducer

COUNTS = Table("test_event_counts", ("user_id",), ("user_id", "n", "last_type"))


class CountingProjection(Projection):
    """Counts events per user over two topics: any lost update or double apply shows in `n`."""

    name = "test_counts"
    topics = ("users", "activity")
    tables = (COUNTS,)
    event_types = frozenset({"ProfileUpdated", "CareerInteraction"})

    def reads(self, event: Event) -> list[tuple[str, Key]]:
        return [(COUNTS.name, (event.subject_id,))]

    def apply(self, state: State, event: Event) -> list[Change]:
        if event.payload.get("career_id") == "forbidden":
            raise InvalidEvent("career is forbidden")
        row = state.get(COUNTS.name, (event.subject_id,))
        n = (row["n"] if row else 0) + 1
        last = event.payload.get("source") or event.event_type
        return [Upsert(COUNTS.name, {"user_id": event.subject_id, "n": n, "last_type": last})]


@pytest.fixture
async def env(settings: Settings) -> AsyncIterator[dict[str, Any]]:
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS test_event_counts (user_id text PRIMARY KEY, n int, last_type text)"
        )
    key_pool = ConnectionPool(settings.database_url, min_size=1, max_size=2, open=True)
    serde = EventSerde(PostgresKeyStore(key_pool, settings.master_key_bytes()))
    pool = AsyncConnectionPool(settings.database_url, min_size=2, max_size=4, open=False)
    await pool.open()
    redis = Redis.from_url(settings.redis_url)
    producer = EventProducer(settings.kafka_bootstrap_servers, serde, settings.topic_prefix)
    sink = KafkaDeadLetterSink(producer, f"{settings.topic_prefix}.dead-letter")
    applier = BatchApplier(CountingProjection(), serde, pool, redis, settings.redis_prefix, sink)
    yield {"applier": applier, "serde": serde, "pool": pool}
    producer.close()
    await pool.close()
    await redis.aclose()
    key_pool.close()


def records(
    serde: EventSerde, topic: str, events: list[Event], start: int = 0, partition: int = 0
) -> list[LogRecord]:
    return [
        LogRecord(topic, partition, start + i, e.subject_id.encode(), serde.encode(e))
        for i, e in enumerate(events)
    ]


async def count(pool: AsyncConnectionPool, user: str) -> int | None:
    async with pool.connection() as conn:
        row = await (
            await conn.execute("SELECT n FROM test_event_counts WHERE user_id=%s", (user,))
        ).fetchone()
    return row[0] if row else None


async def test_replaying_a_batch_changes_nothing(env: dict[str, Any]) -> None:
    user = f"idem-{uuid.uuid4().hex[:6]}"
    topic = f"t-{uuid.uuid4().hex[:6]}.users"
    batch = records(
        env["serde"], topic, [new_event("ProfileUpdated", user, {"skills": []}, producer="t")] * 3
    )
    first = await env["applier"].apply(batch)
    again = await env["applier"].apply(batch)
    assert (first.applied, again.applied, again.skipped) == (3, 0, 3)
    assert await count(env["pool"], user) == 3
    # A batch overlapping the applied range applies only the new tail.
    tail = records(
        env["serde"], topic, [new_event("ProfileUpdated", user, {"skills": []}, producer="t")] * 2, 2
    )
    assert (await env["applier"].apply(tail)).applied == 1
    assert await count(env["pool"], user) == 4


async def test_other_event_types_are_skipped_but_advance_the_position(env: dict[str, Any]) -> None:
    user = f"skip-{uuid.uuid4().hex[:6]}"
    topic = f"t-{uuid.uuid4().hex[:6]}.users"
    events = [
        new_event("UserRegistered", user, {"email": "a@b.org"}, producer="t"),
        new_event("ProfileUpdated", user, {"skills": []}, producer="t"),
    ]
    outcome = await env["applier"].apply(records(env["serde"], topic, events))
    assert outcome.applied == 1
    assert await count(env["pool"], user) == 1
    assert (await env["applier"].apply(records(env["serde"], topic, events))).skipped == 2


async def test_concurrent_batches_from_two_topics_do_not_lose_updates(env: dict[str, Any]) -> None:
    user = f"race-{uuid.uuid4().hex[:6]}"
    run = uuid.uuid4().hex[:6]
    batches = []
    for i in range(8):
        topic = f"t-{run}.{'users' if i % 2 else 'activity'}"
        event = (
            new_event("ProfileUpdated", user, {"skills": []}, producer="t")
            if i % 2
            else new_event("CareerInteraction", user, {"career_id": "c", "action": "viewed"}, producer="t")
        )
        # Each batch on its own partition: Kafka delivers one partition in order, never concurrently.
        batches.append(records(env["serde"], topic, [event] * 5, partition=i // 2))
    await asyncio.gather(*(env["applier"].apply(b) for b in batches))
    assert await count(env["pool"], user) == 40


async def test_a_refused_event_is_dead_lettered_and_the_batch_goes_on(env: dict[str, Any]) -> None:
    user = f"dlq-{uuid.uuid4().hex[:6]}"
    topic = f"t-{uuid.uuid4().hex[:6]}.activity"
    events = [
        new_event("CareerInteraction", user, {"career_id": "forbidden", "action": "viewed"}, producer="t"),
        new_event("CareerInteraction", user, {"career_id": "ok", "action": "viewed"}, producer="t"),
    ]
    batch = records(env["serde"], topic, events)
    batch.append(LogRecord(topic, 0, 2, user.encode(), b"\xc3\x01garbage-after-header"))
    outcome = await env["applier"].apply(batch)
    assert (outcome.applied, outcome.dead_lettered) == (1, 2)
    assert await count(env["pool"], user) == 1


async def test_a_record_the_store_refuses_is_dead_lettered_alone(env: dict[str, Any]) -> None:
    """Postgres text can't hold NUL: that one event is dead-lettered, its batch-mates are applied."""
    user = f"nul-{uuid.uuid4().hex[:6]}"
    other = user + "-b"
    topic = f"t-{uuid.uuid4().hex[:6]}.activity"
    events = [
        new_event(
            "CareerInteraction", who, {"career_id": "c", "action": "viewed", "source": src}, producer="t"
        )
        for who, src in ((user, "web"), (other, "bad\x00source"), (user, "chat"))
    ]
    outcome = await env["applier"].apply(records(env["serde"], topic, events))
    assert (outcome.applied, outcome.dead_lettered) == (2, 1)
    assert await count(env["pool"], user) == 2
    assert await count(env["pool"], other) is None
    assert (await env["applier"].apply(records(env["serde"], topic, events))).skipped == 3


async def test_a_projection_bug_on_one_event_parks_that_event_only(env: dict[str, Any]) -> None:
    """An unexpected exception in `apply` dead-letters that event; the rest of the batch is applied."""
    user = f"bug-{uuid.uuid4().hex[:6]}"
    topic = f"t-{uuid.uuid4().hex[:6]}.activity"
    events = [
        new_event(
            "CareerInteraction", user, {"career_id": "c", "action": "viewed", "source": src}, producer="t"
        )
        for src in ("web", "explode", "chat")
    ]
    applier: BatchApplier = env["applier"]
    original = applier.projection.apply

    def buggy(state: State, event: Event) -> list[Change]:
        if event.payload.get("source") == "explode":
            raise ZeroDivisionError("a bug")
        return original(state, event)

    applier.projection.apply = buggy  # type: ignore[method-assign]
    outcome = await applier.apply(records(env["serde"], topic, events))
    assert (outcome.applied, outcome.dead_lettered) == (2, 1)
    assert await count(env["pool"], user) == 2
