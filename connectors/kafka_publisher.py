"""The sync engine's publisher on the event backbone: course changes become CourseUpserted/CourseRemoved.

Events are keyed by course id (``<provider>:<provider_course_id>``), so every change of one course lands
on one partition in order. ``publish`` returns only once the broker acknowledged every event of the
batch: the sync engine saves content hashes after that, so a crash republishes instead of losing.
"""

from __future__ import annotations

from typing import Any

from psycopg_pool import ConnectionPool

from engines.course_search.record import CourseRecord, CourseRemoval
from kernel.config import Settings
from schemas.events import Event, new_event
from streams.connections import bootstrap_servers, build_serde
from streams.producer import EventProducer, Position


def upsert_event(record: CourseRecord) -> Event:
    """CourseUpserted for a record (payload = the record minus course_id, which is the subject)."""
    payload = record.to_payload()
    payload.pop("course_id")
    return new_event("CourseUpserted", record.course_id, payload, producer=f"connector:{record.provider}")


def removal_event(removal: CourseRemoval) -> Event:
    """CourseRemoved for a course that left its provider's catalog."""
    return new_event(
        "CourseRemoved",
        removal.course_id,
        {"provider": removal.provider, "reason": removal.reason},
        producer=f"connector:{removal.provider}",
    )


class KafkaCoursePublisher:
    """A ``PublishFn`` for ``SyncEngine``: publishes to the `courses` topic, awaiting the acks."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.published = 0
        self.positions: dict[tuple[str, int], int] = {}  # (topic, partition) -> highest offset
        self._producer: EventProducer | None = None
        self._key_pool: Any = None

    def _open(self) -> EventProducer:
        if self._producer is None:
            s = self.settings
            # Course events carry no personal field; the keystore is only there because the serde
            # needs one (it is never asked for a key).
            self._key_pool = ConnectionPool(s.database_url, min_size=1, max_size=2, open=True)
            serde = build_serde(s, self._key_pool)
            self._producer = EventProducer(bootstrap_servers(s), serde, s.topic_prefix)
        return self._producer

    async def __call__(self, records: list[CourseRecord], removals: list[CourseRemoval]) -> None:
        events = [upsert_event(r) for r in records] + [removal_event(r) for r in removals]
        if not events:
            return
        positions = await self._open().publish_many(events)
        self._note(positions)
        self.published += len(events)

    def _note(self, positions: list[Position]) -> None:
        for pos in positions:
            tp = (pos.topic, pos.partition)
            self.positions[tp] = max(self.positions.get(tp, -1), pos.offset)

    def close(self) -> None:
        if self._producer is not None:
            self._producer.close()
            self._producer = None
        if self._key_pool is not None:
            self._key_pool.close()
            self._key_pool = None
