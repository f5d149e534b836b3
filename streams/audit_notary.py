"""The audit notary: hash-chains the access-audit topic per partition and indexes it for auditors.

For each record of `<prefix>.audit`, in log order per partition:
    record_sha256 = SHA-256(key bytes, value bytes)            (length-prefixed)
    chain_sha256  = SHA-256(previous chain_sha256, offset, record_sha256)
starting from 64 zeros. The hash covers the record's bytes as written, so crypto-shredding (which
changes no byte) leaves the chain verifiable; removing, reordering or altering a record, or a row of
`access_log`, breaks it from there on (`careerstream audit verify`, streams/audit_verify.py,
recomputes it from the log and reports the first break). Rows and the notary's position are written
in one transaction, so a redelivered record is skipped and the chain is computed once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool

from projections.applier import BatchOutcome, DecodeCache, LogRecord
from projections.postgres_store import lock_positions, save_positions
from schemas.serde import EventSerde, PoisonEvent

NAME = "audit_notary"
COLUMNS = (
    "topic",
    "partition",
    "offset",
    "record_sha256",
    "chain_sha256",
    "event_id",
    "subject_id",
    "accessor",
    "accessor_role",
    "resource",
    "fields",
    "purpose",
    "correlation_id",
    "occurred_at",
)
GENESIS = "0" * 64


def record_sha256(key: bytes | None, value: bytes) -> str:
    h = hashlib.sha256()
    for part in (key or b"", value):
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.hexdigest()


def chain_sha256(previous: str, offset: int, record_hash: str) -> str:
    return hashlib.sha256(f"{previous}:{offset}:{record_hash}".encode()).hexdigest()


@dataclass(frozen=True)
class NotarySpec:
    """What the Faust app needs to give the notary an agent (like a projection's name and topics)."""

    name: str = NAME
    topics: tuple[str, ...] = ("audit",)


class AuditNotary:
    """Applies batches of audit records: chain rows into `access_log` (same interface as BatchApplier)."""

    def __init__(self, serde: EventSerde, pool: AsyncConnectionPool) -> None:
        self.serde = serde
        self.pool = pool

    def _columns(self, record: LogRecord) -> dict[str, Any]:
        try:
            event = self.serde.decode(record.value)
        except PoisonEvent:
            return {}  # still chained: the bytes are the record
        p = event.payload
        return {
            "event_id": event.event_id,
            "subject_id": event.subject_id,
            "accessor": p.get("accessor"),
            "accessor_role": p.get("accessor_role"),
            "resource": p.get("resource"),
            "fields": Jsonb(list(p.get("fields") or [])),
            "purpose": p.get("purpose"),
            "correlation_id": event.correlation_id,
            "occurred_at": event.occurred_at,
        }

    async def apply(self, records: Sequence[LogRecord], cache: DecodeCache | None = None) -> BatchOutcome:
        outcome = BatchOutcome()
        if not records:
            return outcome
        async with self.pool.connection() as conn, conn.transaction():
            partitions = {(r.topic, r.partition) for r in records}
            next_offsets = await lock_positions(conn, NAME, partitions)
            last: dict[tuple[str, int], str] = {}
            for topic, partition in partitions:
                cur = await conn.execute(
                    "SELECT chain_sha256 FROM access_log WHERE topic = %s AND partition = %s"
                    ' ORDER BY "offset" DESC LIMIT 1',
                    (topic, partition),
                )
                row = await cur.fetchone()
                last[(topic, partition)] = row[0] if row else GENESIS
            rows = []
            positions: dict[tuple[str, int], int] = {}
            for r in sorted(records, key=lambda r: (r.topic, r.partition, r.offset)):
                tp = (r.topic, r.partition)
                if r.offset < next_offsets[tp]:
                    outcome.skipped += 1
                    continue
                digest = record_sha256(r.key, r.value)
                last[tp] = chain_sha256(last[tp], r.offset, digest)
                where = {"topic": r.topic, "partition": r.partition, "offset": r.offset}
                rows.append({**where, "record_sha256": digest, "chain_sha256": last[tp], **self._columns(r)})
                positions[tp] = r.offset + 1
            if rows:
                columns = [*COLUMNS]
                names = ", ".join(f'"{c}"' for c in columns)
                marks = ", ".join(f"%({c})s" for c in columns)
                async with conn.cursor() as cur:
                    await cur.executemany(
                        f"INSERT INTO access_log ({names}) VALUES ({marks})",
                        [{c: row.get(c) for c in columns} for row in rows],
                    )
            await save_positions(conn, NAME, positions)
        outcome.applied = len(rows)
        return outcome
