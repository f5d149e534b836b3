"""Topic administration: create the event topics (before any worker starts) with partitions and retention."""

from __future__ import annotations

import time
from dataclasses import dataclass

import structlog
from confluent_kafka import Consumer, KafkaException, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic, OffsetSpec
from tenacity import retry, retry_if_exception_type, stop_after_delay, wait_exponential

from schemas.catalog import DEAD_LETTER_TOPIC, TOPIC_PARTITIONS, topic_name

log = structlog.get_logger(__name__)

# Event topics are the system of record: keep them forever. Dead letters are kept 30 days.
FOREVER = "-1"
DEAD_LETTER_RETENTION_MS = str(30 * 24 * 3600 * 1000)


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    config: dict[str, str]


def topic_specs(prefix: str) -> list[TopicSpec]:
    """Every topic the system needs."""
    specs = [
        TopicSpec(topic_name(prefix, logical), partitions, {"retention.ms": FOREVER, "retention.bytes": "-1"})
        for logical, partitions in TOPIC_PARTITIONS.items()
    ]
    specs.append(
        TopicSpec(topic_name(prefix, DEAD_LETTER_TOPIC), 1, {"retention.ms": DEAD_LETTER_RETENTION_MS})
    )
    return specs


@retry(
    retry=retry_if_exception_type(KafkaException),
    wait=wait_exponential(multiplier=0.2, max=2),
    stop=stop_after_delay(30),
    reraise=True,
)
def ensure_topics(bootstrap_servers: str, prefix: str) -> list[str]:
    """Create missing topics; returns the names created. Safe to run repeatedly and concurrently."""
    admin = AdminClient({"bootstrap.servers": bootstrap_servers})
    existing = set(admin.list_topics(timeout=10).topics)
    wanted = [s for s in topic_specs(prefix) if s.name not in existing]
    if not wanted:
        _wait_for_leaders(admin, [s.name for s in topic_specs(prefix)])
        return []
    futures = admin.create_topics(
        [NewTopic(s.name, num_partitions=s.partitions, replication_factor=1, config=s.config) for s in wanted]
    )
    created = []
    for name, fut in futures.items():
        try:
            fut.result()
            created.append(name)
        except KafkaException as exc:
            if exc.args and exc.args[0].code() == exc.args[0].TOPIC_ALREADY_EXISTS:
                continue
            raise
    log.info("topics_created", topics=created)
    _wait_for_leaders(admin, [s.name for s in topic_specs(prefix)])
    return created


def _wait_for_leaders(admin: AdminClient, names: list[str], timeout_s: float = 30.0) -> None:
    """Kafka acknowledges CreateTopics before every partition's leader serves it; until then produce
    and ListOffsets answer NOT_LEADER_FOR_PARTITION. Wait until ListOffsets succeeds everywhere.
    (Tansu serves new topics at once.)"""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            topics = admin.list_topics(timeout=10).topics
            partitions = [TopicPartition(name, p) for name in names for p in topics[name].partitions]
            for fut in admin.list_offsets({tp: OffsetSpec.latest() for tp in partitions}).values():
                fut.result()
            return
        except (KafkaException, KeyError) as exc:
            if time.monotonic() > deadline:
                raise KafkaException(f"partitions not served within {timeout_s}s: {exc}") from exc
            time.sleep(0.1)


def log_end_offsets(bootstrap_servers: str, prefix: str) -> dict[tuple[str, int], int]:
    """High watermark of every partition of the event topics (used for lag and 'is the log empty?')."""

    consumer = Consumer({"bootstrap.servers": bootstrap_servers, "group.id": "careerstream-admin-probe"})
    try:
        ends: dict[tuple[str, int], int] = {}
        for spec in topic_specs(prefix):
            for partition in range(spec.partitions):
                _low, high = consumer.get_watermark_offsets(TopicPartition(spec.name, partition), timeout=10)
                ends[(spec.name, partition)] = high
        return ends
    finally:
        consumer.close()
