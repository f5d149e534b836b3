"""Reading the log from the beginning: audit replay (decoded events) and projection rebuilds.

A rebuild drives the same `BatchApplier` and projection functions as the live Faust agents, so a
read model rebuilt from the log is identical to one built live.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator, Sequence
from typing import Any

from confluent_kafka import Consumer, KafkaError, TopicPartition
from psycopg import sql

from careerstream.config import Settings
from projections.applier import DecodeCache, LogRecord
from projections.framework import Projection
from schemas.catalog import TOPIC_PARTITIONS, topic_name
from streams.connections import bootstrap_servers
from streams.runtime import WorkerRuntime


def read_log(settings: Settings, logical_topics: Sequence[str] | None = None) -> Iterator[LogRecord]:
    """Every record of the given topics up to the current end of the log, in log order per partition
    (partitions interleave).

    All non-empty partitions are read at once, in batches. The end is each partition's
    end-of-partition signal (from fetch responses), not ListOffsets: the embedded Tansu broker
    reports the latest offset as the last batch's base offset + 1.
    """
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap_servers(settings),
            "group.id": f"{settings.topic_prefix}-replay",
            "enable.auto.commit": False,
            "enable.partition.eof": True,
            # Answer at once at the end of a partition instead of waiting for more data.
            "fetch.wait.max.ms": 10,
            "queued.max.messages.kbytes": 262144,
        }
    )
    try:
        assigned: list[TopicPartition] = []
        for logical in logical_topics or list(TOPIC_PARTITIONS):
            topic = topic_name(settings.topic_prefix, logical)
            for partition in range(TOPIC_PARTITIONS[logical]):
                low, high = consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=10)
                if high > low:
                    assigned.append(TopicPartition(topic, partition, low))
        if not assigned:
            return
        consumer.assign(assigned)
        open_partitions = {(tp.topic, tp.partition) for tp in assigned}
        idle_since = time.monotonic()
        while open_partitions:
            # `consume` returns when it has num_messages or at the timeout: a short timeout keeps a
            # small log from waiting it out.
            messages = consumer.consume(num_messages=5000, timeout=0.1)
            if not messages:
                if time.monotonic() - idle_since > 5.0:
                    break  # nothing for 5 s: the broker has nothing more to give
                continue
            idle_since = time.monotonic()
            for msg in messages:
                error = msg.error()
                if error is not None:
                    if error.code() == KafkaError._PARTITION_EOF:
                        open_partitions.discard((msg.topic() or "", msg.partition() or 0))
                        continue
                    raise RuntimeError(str(error))
                _kind, timestamp_ms = msg.timestamp()
                yield LogRecord(
                    msg.topic() or "",
                    msg.partition() or 0,
                    msg.offset() or 0,
                    msg.key(),
                    msg.value() or b"",
                    max(0, timestamp_ms),
                )
    finally:
        consumer.close()


def replay_log(
    settings: Settings, subject: str | None = None, topics: Sequence[str] | None = None
) -> Iterator[dict[str, Any]]:
    """Decoded events (personal fields decrypted when the key still exists) for an auditor."""
    from psycopg_pool import ConnectionPool

    from schemas.serde import PoisonEvent
    from streams.connections import build_serde

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
