"""Redis copies of read models come back after Redis lost its data (restart without persistence,
flush, failover to an empty replica).

Redis holds derived copies only (`profile:<user>` of `user_profiles`, `recs:<user>` of
`recommendations`); their record is in Postgres. Before this, a Redis restarted empty left every
user's recommendations missing (404) until that user's next event. Now each worker keeps a marker key
per projection it runs (`cache-epoch:<projection>`); a missing marker means Redis lost what the
projection wrote, and the worker rewrites the projection's keys from Postgres, then sets the marker.
A fresh Redis (first start) goes through the same path and finds nothing or everything to copy.

The copy is taken under a SHARE ROW EXCLUSIVE lock on `projection_positions`: every batch applier
writes that table in the transaction that writes its rows and its Redis keys, so a batch either
committed before the copy reads Postgres, or starts after the copy has written Redis: no stale value
can overwrite a newer one. Appliers wait for the copy (a scan of two tables), once per Redis loss.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import structlog
from psycopg import AsyncConnection
from psycopg.rows import dict_row
from redis.asyncio import Redis

from projections import recommendations, user_profiles
from queries.recommendations import served_documents

log = structlog.get_logger(__name__)

BATCH = 2000


def marker_key(prefix: str, projection: str) -> str:
    return f"{prefix}cache-epoch:{projection}"


async def _profiles(conn: AsyncConnection[Any]) -> list[tuple[str, str]]:
    cur = conn.cursor(row_factory=dict_row)
    await cur.execute(f"SELECT * FROM {user_profiles.USER_PROFILES.name}")
    return [
        (user_profiles.cache_key(r["user_id"]), json.dumps(user_profiles.public_view(r), default=str))
        for r in await cur.fetchall()
    ]


async def _recommendations(conn: AsyncConnection[Any]) -> list[tuple[str, str]]:
    # The documents the API's fallback reads too (queries/recommendations.py): one rule for both.
    return [(recommendations.cache_key(u), doc) for u, doc in await served_documents(conn, None)]


REBUILDERS: dict[str, Callable[[AsyncConnection[Any]], Awaitable[list[tuple[str, str]]]]] = {
    user_profiles.UserProfileProjection.name: _profiles,
    "recommendations": _recommendations,
}


async def restore_if_lost(
    conn: AsyncConnection[Any], redis: Redis, prefix: str, projection: str
) -> int | None:
    """Rewrite `projection`'s Redis keys from Postgres if its marker is gone; the count, or None."""
    rebuild = REBUILDERS.get(projection)
    marker = marker_key(prefix, projection)
    if rebuild is None or await redis.exists(marker):
        return None
    started = time.perf_counter()
    async with conn.transaction():
        await conn.execute("LOCK TABLE projection_positions IN SHARE ROW EXCLUSIVE MODE")
        pairs = await rebuild(conn)
        for i in range(0, len(pairs), BATCH):
            await redis.mset({prefix + k: v for k, v in pairs[i : i + BATCH]})
        await redis.set(marker, datetime.now(UTC).isoformat())
    log.warning(
        "redis_read_model_restored",
        projection=projection,
        keys=len(pairs),
        seconds=round(time.perf_counter() - started, 3),
    )
    return len(pairs)


async def check_once(pool: Any, redis: Redis, prefix: str, projections: Iterable[str]) -> None:
    """One check of every projection's marker (a worker timer calls this every second). Errors are
    logged and retried at the next tick: stores being down is the batch loop's business."""
    names = [p for p in projections if p in REBUILDERS]
    if not names:
        return
    try:
        async with pool.connection() as conn:
            for name in names:
                await restore_if_lost(conn, redis, prefix, name)
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        log.info("redis_recovery_check_failed", error=type(exc).__name__)
