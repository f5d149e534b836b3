"""`careerstream audit verify`: recompute the access-audit hash chain from the log and compare it with
what the notary stored (streams/audit_notary.py); report the first break."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import psycopg

from kernel.config import Settings
from projections.applier import LogRecord
from streams.audit_notary import GENESIS, chain_sha256, record_sha256
from streams.log_reader import read_log


@dataclass
class ChainBreak:
    topic: str
    partition: int
    offset: int
    problem: str


def verify_chain(settings: Settings) -> tuple[int, ChainBreak | None]:
    """Recompute every partition's chain from the log and compare with `access_log`; returns the number
    of records checked and the first break (None: the chain holds)."""
    with psycopg.connect(settings.database_url) as conn:
        stored = {
            (t, int(p), int(o)): (rh, ch)
            for t, p, o, rh, ch in conn.execute(
                'SELECT topic, partition, "offset", record_sha256, chain_sha256 FROM access_log'
                " WHERE topic = %s",
                (f"{settings.topic_prefix}.audit",),
            )
        }
    return _verify(read_log(settings, ["audit"]), stored)


def _verify(
    records: Iterable[LogRecord], stored: dict[tuple[str, int, int], tuple[str, str]]
) -> tuple[int, ChainBreak | None]:
    last: dict[tuple[str, int], str] = {}
    expected_offset: dict[tuple[str, int], int] = {}
    checked = 0
    for r in _in_partition_order(records):
        tp = (r.topic, r.partition)
        if r.offset != expected_offset.get(tp, r.offset):
            return checked, ChainBreak(
                r.topic, r.partition, r.offset, f"gap: expected offset {expected_offset[tp]}"
            )
        expected_offset[tp] = r.offset + 1
        digest = record_sha256(r.key, r.value)
        chained = chain_sha256(last.get(tp, GENESIS), r.offset, digest)
        row = stored.get((r.topic, r.partition, r.offset))
        if row is None:
            return checked, ChainBreak(r.topic, r.partition, r.offset, "record not notarized")
        if row[0] != digest:
            return checked, ChainBreak(
                r.topic, r.partition, r.offset, "record bytes differ from the notarized hash"
            )
        if row[1] != chained:
            return checked, ChainBreak(r.topic, r.partition, r.offset, "chain hash differs")
        last[tp] = chained
        checked += 1
    notarized_beyond = [k for k in stored if k[2] >= expected_offset.get((k[0], k[1]), 0)]
    if notarized_beyond:
        t, p, o = min(notarized_beyond)
        return checked, ChainBreak(t, p, o, "notarized record missing from the log")
    return checked, None


def _in_partition_order(records: Iterable[LogRecord]) -> Iterator[LogRecord]:
    return iter(sorted(records, key=lambda r: (r.topic, r.partition, r.offset)))
