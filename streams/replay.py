"""Audit replay (decoded events) and projection rebuilds, from the log read by streams/log_reader.py.

A rebuild drives the same `BatchApplier` and projection functions as the live Faust agents, so a
read model rebuilt from the log is identical to one built live.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from typing import Any

from psycopg import sql
from psycopg_pool import ConnectionPool

from kernel.config import Settings
from projections.applier import DecodeCache, LogRecord
from projections.framework import Projection
from schemas.serde import PoisonEvent
from streams.connections import build_serde
from streams.log_reader import read_log
from streams.runtime import WorkerRuntime


def replay_log(
    settings: Settings, subject: str | None = None, topics: Sequence[str] | None = None
) -> Iterator[dict[str, Any]]:
    """Decoded events (personal fields decrypted when the key still exists) for an auditor."""

    pool = ConnectionPool(settings.database_url, min_size=1, max_size=2, open=True)
    try:
        serde = build_serde(settings, pool)
        for record in read_log(settings, topics):
            if subject is not None and record.key != subject.encode():
                continue
            base = {"topic": record.topic, "partition": record.partition, "offset": record.offset}
            try:
                event = serde.decode(record.value)
            except PoisonEvent as exc:
                yield {**base, "poison": exc.reason}
                continue
            yield {
                **base,
                "event_type": event.event_type,
                "event_id": event.event_id,
                "subject_id": event.subject_id,
                "occurred_at": event.occurred_at.isoformat(),
                "correlation_id": event.correlation_id,
                "causation_id": event.causation_id,
                "producer": event.producer,
                "schema_version": event.schema_version,
                "payload": dict(event.payload),
                "redacted": sorted(event.redacted),
            }
    finally:
        pool.close()


async def rebuild(settings: Settings, projections: list[Projection], batch_size: int = 2000) -> int:
    """Empty the given projections and re-apply the whole log to them; returns events read."""
    runtime = await WorkerRuntime.start(settings, projections)
    try:
        async with runtime.pool.connection() as conn:
            for projection in projections:
                for table in projection.tables:
                    await conn.execute(sql.SQL("TRUNCATE {}").format(sql.Identifier(table.name)))
                for bookkeeping in ("projection_positions", "projection_fences"):
                    await conn.execute(
                        sql.SQL("DELETE FROM {} WHERE projection = %s").format(sql.Identifier(bookkeeping)),
                        (projection.name,),
                    )
        count = 0
        topics = sorted({t for p in projections for t in p.topics})
        batch: list[LogRecord] = []

        async def flush() -> None:
            cache: DecodeCache = {}
            for projection in projections:
                mine = [r for r in batch if r.topic.rsplit(".", 1)[-1] in projection.topics]
                await runtime.appliers[projection.name].apply(mine, cache)
            batch.clear()

        for record in await asyncio.to_thread(lambda: list(read_log(settings, topics))):
            batch.append(record)
            count += 1
            if len(batch) >= batch_size:
                await flush()
        await flush()
        return count
    finally:
        await runtime.close()
