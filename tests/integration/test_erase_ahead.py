"""Erasing ahead of a lagging stream (projections/applier.py `erase_ahead`), on real Postgres and Redis:
the recommendations read model lets go of an erased user as soon as the erasure ledger records it,
events of that user still in its stream change nothing, and a batch about the user is ordered against
it by the subject's fence lock."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg_pool import AsyncConnectionPool, ConnectionPool
from redis.asyncio import Redis

from kernel.config import Settings
from projections.applier import BatchApplier, LogRecord, erase_recent_erasures
from projections.migrate import ensure_database, migrate
from projections.postgres_store import lock_rows
from projections.recommendations import RecommendationProjection, cache_key
from schemas.events import Event, new_event
from schemas.keystore import PostgresKeyStore
from schemas.serde import EventSerde
from streams.recs_models import StaticModel, cold_start_engine


class NoDeadLetters:
    async def send(self, record: LogRecord, projection: str, reason: str) -> None:
        raise AssertionError(f"unexpected dead letter: {reason}")


@pytest.fixture(scope="module")
def own_settings(settings: Settings, run_id: str) -> Iterator[Settings]:
    """A database and Redis prefix of this module's own: the session's worker, if running, would also
    erase ahead of its stream the users these tests record in the erasure ledger."""
    url = psycopg.conninfo.make_conninfo(settings.database_url, dbname=f"cs_test_{run_id}_ahead")
    ensure_database(url)
    migrate(url)
    yield settings.model_copy(update={"database_url": url, "redis_prefix": f"{settings.redis_prefix}ahead:"})
    with psycopg.connect(psycopg.conninfo.make_conninfo(url, dbname="postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "cs_test_{run_id}_ahead" WITH (FORCE)')


@pytest.fixture
async def recs(own_settings: Settings) -> AsyncIterator[dict[str, Any]]:
    settings = own_settings
    key_pool = ConnectionPool(settings.database_url, min_size=1, max_size=2, open=True)
    serde = EventSerde(PostgresKeyStore(key_pool, settings.master_key_bytes()))
    pool = AsyncConnectionPool(settings.database_url, min_size=1, max_size=4, open=False)
    await pool.open()
    redis = Redis.from_url(settings.redis_url)
    engine = cold_start_engine(Path(settings.recs_models_dir))
    projection = RecommendationProjection(StaticModel(engine), top_k=5)
    applier = BatchApplier(projection, serde, pool, redis, settings.redis_prefix, NoDeadLetters())
    yield {"applier": applier, "serde": serde, "pool": pool, "redis": redis, "settings": settings}
    await pool.close()
    await redis.aclose()
    key_pool.close()


def batch(serde: EventSerde, topic: str, events: list[Event], start: int) -> list[LogRecord]:
    return [
        LogRecord(topic, 0, start + i, e.subject_id.encode(), serde.encode(e)) for i, e in enumerate(events)
    ]


async def holds(env: dict[str, Any], user: str) -> list[str]:
    """What the recommendations read model still holds of `user`."""
    left = []
    async with env["pool"].connection() as conn:
        for table in ("rec_consent", "rec_user_features", "recommendation_history"):
            cur = await conn.execute(f"SELECT 1 FROM {table} WHERE user_id = %s", (user,))
            if await cur.fetchone():
                left.append(table)
    if await env["redis"].exists(env["settings"].redis_prefix + cache_key(user)):
        left.append("redis")
    return left


def record_erasure(settings: Settings, user: str) -> None:
    """What the erasure process manager writes once the key is destroyed (projections/gdpr.py)."""
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO erasures (user_id, requested_by, requested_at, key_destroyed, event_id)"
            " VALUES (%s, %s, now(), true, %s)",
            (user, user, uuid.uuid4().hex),
        )


async def test_erased_ahead_of_its_stream_and_nothing_comes_back(recs: dict[str, Any]) -> None:
    applier, serde, settings = recs["applier"], recs["serde"], recs["settings"]
    user = f"ahead-{uuid.uuid4().hex[:8]}"
    topic = f"{settings.topic_prefix}-ahead-{uuid.uuid4().hex[:6]}.users"
    profile = {"skills": ["SQL", "Python (computer programming)"]}
    first = [
        new_event(
            "ConsentChanged",
            user,
            {"purpose": "recommendations", "granted": True, "policy_version": "1"},
            producer="t",
        ),
        new_event("ProfileUpdated", user, profile, producer="t"),
    ]
    await applier.apply(batch(serde, topic, first, 0))
    assert await holds(recs, user) == ["rec_consent", "rec_user_features", "recommendation_history", "redis"]

    # The erasure is decided (in the log, key destroyed) while this stream is still behind it.
    record_erasure(settings, user)
    assert await erase_recent_erasures(applier) == [user]
    assert await holds(recs, user) == []
    assert await erase_recent_erasures(applier) == []  # fenced: done once

    # The stream then reaches the user's last profile write and the ErasureRequested itself.
    later = [
        new_event("ProfileUpdated", user, {"skills": ["Java (computer programming)"]}, producer="t"),
        new_event("ErasureRequested", user, {"requested_by": user}, producer="t"),
    ]
    outcome = await applier.apply(batch(serde, topic, later, 2))
    assert outcome.fenced == 1 and outcome.applied == 1  # the write skipped, the erasure passes
    assert await holds(recs, user) == []


async def test_a_batch_about_the_user_finishes_before_the_erasure_runs(recs: dict[str, Any]) -> None:
    applier, settings = recs["applier"], recs["settings"]
    user = f"locked-{uuid.uuid4().hex[:8]}"
    record_erasure(settings, user)
    async with recs["pool"].connection() as conn, conn.transaction():
        # A batch about `user` holds the subject's fence lock from loading its fences to its commit.
        await lock_rows(conn, {(f"fence:{applier.projection.name}", (user,))})
        erasing = asyncio.ensure_future(erase_recent_erasures(applier))
        await asyncio.sleep(0.5)
        assert not erasing.done()  # waits for the batch to commit
    assert await asyncio.wait_for(erasing, 30) == [user]


async def test_an_erasure_in_a_batch_is_carried_out_before_the_batch_holds_its_locks(
    recs: dict[str, Any],
) -> None:
    applier, serde, settings = recs["applier"], recs["serde"], recs["settings"]
    user = f"inbatch-{uuid.uuid4().hex[:8]}"
    topic = f"{settings.topic_prefix}-inbatch-{uuid.uuid4().hex[:6]}.users"
    profile = {"skills": ["SQL"]}
    await applier.apply(batch(serde, topic, [new_event("ProfileUpdated", user, profile, producer="t")], 0))
    assert await holds(recs, user) != []
    # The batch holding the erasure also carries another user's profile write (a recompute). With that
    # user's fence lock held elsewhere the batch cannot commit, yet the erasure is already done.
    other = f"busy-{uuid.uuid4().hex[:8]}"
    events = [
        new_event("ProfileUpdated", other, profile, producer="t"),
        new_event("ErasureRequested", user, {"requested_by": user}, producer="t"),
    ]
    async with recs["pool"].connection() as conn, conn.transaction():
        await lock_rows(conn, {(f"fence:{applier.projection.name}", (other,))})
        applying = asyncio.ensure_future(applier.apply(batch(serde, topic, events, 1)))
        for _ in range(100):
            if not await holds(recs, user):
                break
            await asyncio.sleep(0.05)
        assert await holds(recs, user) == [] and not applying.done()
    outcome = await asyncio.wait_for(applying, 30)
    assert outcome.applied == 2 and await holds(recs, user) == []
