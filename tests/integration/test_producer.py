"""The producer resolves a publish only on the broker's acks, returns positions in call order, and
turns a failed delivery into PublishError rather than hanging."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from psycopg_pool import ConnectionPool

from careerstream.local_broker import LocalBroker, free_port
from kernel.config import Settings
from schemas.events import new_event
from schemas.keystore import PostgresKeyStore
from schemas.serde import EventSerde
from streams.log_reader import LogEnds, read_log
from streams.producer import EventProducer, PublishError
from streams.topics import ensure_topics


@pytest.fixture
def serde(settings: Settings) -> Iterator[EventSerde]:
    pool = ConnectionPool(settings.database_url, min_size=1, max_size=2, open=True)
    yield EventSerde(PostgresKeyStore(pool, settings.master_key_bytes()), topic_prefix=settings.topic_prefix)
    pool.close()


async def test_publish_many_returns_each_events_position_in_call_order(
    settings: Settings, serde: EventSerde, local_broker: LocalBroker
) -> None:
    s = settings.model_copy(update={"topic_prefix": settings.topic_prefix + "-producer"})
    ensure_topics(s.kafka_bootstrap_servers, s.topic_prefix)
    producer = EventProducer(s.kafka_bootstrap_servers, serde, s.topic_prefix)
    courses = [f"prov:course-{i % 7}" for i in range(60)]
    events = [
        new_event("CourseRemoved", course, {"provider": "prov", "reason": f"r{i}"}, producer="test")
        for i, course in enumerate(courses)
    ]
    try:
        positions = await producer.publish_many(events)
        assert await producer.publish_many([]) == []
    finally:
        producer.close()

    assert len(positions) == len(events)
    # Order is kept per key: a course's events have increasing offsets on one partition.
    by_course: dict[str, list[tuple[int, int]]] = {}
    for course, pos in zip(courses, positions, strict=True):
        by_course.setdefault(course, []).append((pos.partition, pos.offset))
    for seen in by_course.values():
        assert len({partition for partition, _ in seen}) == 1
        offsets = [offset for _, offset in seen]
        assert offsets == sorted(offsets) and len(set(offsets)) == len(offsets)
    # Each returned position holds exactly the event published at that index.
    logged = {(r.partition, r.offset): serde.decode(r.value).event_id for r in read_log(s, ["courses"])}
    assert [logged[(p.partition, p.offset)] for p in positions] == [e.event_id for e in events]
    # The stall watch's log ends: on Kafka each partition's end is one past its last record. Tansu
    # reports the last batch's base offset + 1 (see streams/log_reader.read_log), never more.
    last = {p.partition: max(q.offset for q in positions if q.partition == p.partition) for p in positions}
    log_ends = LogEnds(s)
    try:
        ends = log_ends.of((positions[0].topic, partition) for partition in last)
        assert log_ends.of([]) == {}
    finally:
        log_ends.close()
    for (_, partition), end in ends.items():
        if local_broker.kind == "kafka":
            assert end == last[partition] + 1
        else:
            assert 0 < end <= last[partition] + 1


async def test_an_undeliverable_batch_raises_publish_error(serde: EventSerde) -> None:
    # Nothing listens on this port, so every record times out in librdkafka's queue.
    producer = EventProducer(
        f"127.0.0.1:{free_port()}", serde, "nowhere", **{"message.timeout.ms": 300, "log_level": 0}
    )
    events = [
        new_event("CourseRemoved", f"p:c{i}", {"provider": "p", "reason": "x"}, producer="t")
        for i in range(5)
    ]
    try:
        with pytest.raises(PublishError, match="timed out"):
            await producer.publish_many(events)
    finally:
        producer.close()
