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


def _utc_iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def recs_document(row: dict[str, Any]) -> str:
    """The `recs:<user>` value the projection wrote for this `recommendation_history` row."""
    doc = {
        "user_id": row["user_id"],
        "model_version": row["model_version"],
        "computed_at": _utc_iso(row["computed_at"]),
        "event_id": row["event_id"],
        "items": row["items"],
    }
    return json.dumps(doc, separators=(",", ":"))


# Each user's served list is the computation caused by the user's last feature event in log order,
# which is the one at `rec_user_features.updated_at` (the last event's time). Ordering by time alone
# is not log order: with several API processes an event created earlier can reach the log later
# (seen under `careerstream chaos kill-broker`).
_LATEST = """SELECT DISTINCT ON (h.user_id) h.user_id, h.event_id, h.model_version, h.computed_at, h.items
    FROM {history} h JOIN {features} f ON f.user_id = h.user_id {where}
    ORDER BY h.user_id, (h.computed_at = f.updated_at) DESC, h.computed_at DESC, h.event_id DESC"""


async def _consent_table(conn: AsyncConnection[Any]) -> str | None:
    """`rec_consent` where it exists (consent for the recommendations purpose)."""
    name = getattr(recommendations, "REC_CONSENT", None)
    if name is None:
        return None
    cur = await conn.execute("SELECT to_regclass(%s) IS NOT NULL", (name.name,))
    row = await cur.fetchone()
    return name.name if row and row[0] else None


def _not_processed(user_id: str) -> str:
    return json.dumps({"user_id": user_id, "not_processed": recommendations.NO_CONSENT})


async def _recs_rows(conn: AsyncConnection[Any], user_id: str | None) -> list[tuple[str, str]]:
    where = "WHERE h.user_id = %s" if user_id is not None else ""
    query = _LATEST.format(
        history=recommendations.RECOMMENDATION_HISTORY.name,
        features=recommendations.REC_USER_FEATURES.name,
        where=where,
    )
    cur = conn.cursor(row_factory=dict_row)
    await cur.execute(query, (user_id,) if user_id is not None else None)
    out = [(r["user_id"], recs_document(r)) for r in await cur.fetchall()]
    consent = await _consent_table(conn)
    if consent is not None:
        # Consent withdrawn: the projection keeps a "not processed" marker instead of a list.
        cur = await conn.execute(
            f"SELECT user_id FROM {consent} WHERE NOT granted"
            + (" AND user_id = %s" if user_id is not None else ""),
            (user_id,) if user_id is not None else None,
        )
        out += [(u, _not_processed(u)) for (u,) in await cur.fetchall()]
    return out


async def _recommendations(conn: AsyncConnection[Any]) -> list[tuple[str, str]]:
    return [(recommendations.cache_key(u), doc) for u, doc in await _recs_rows(conn, None)]


async def latest_recommendations(pool: Any, user_id: str) -> str | None:
    """The user's `recs:<user>` document from Postgres, for a reader that missed it in Redis while
    the worker has not restored it yet (None: the user has none)."""
    async with pool.connection() as conn:
        rows = await _recs_rows(conn, user_id)
    return rows[-1][1] if rows else None


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
