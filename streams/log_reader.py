"""Reading topics from the beginning to the current end of the log, outside any consumer group's
offsets (replays, rebuilds, audits, verifiers)."""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import TypeVar

from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition
from tenacity import retry, retry_if_exception, stop_after_delay, wait_exponential

from kernel.config import Settings
from projections.applier import LogRecord
from schemas.catalog import TOPIC_PARTITIONS, topic_name
from streams.connections import bootstrap_servers


def read_log(
    settings: Settings,
    logical_topics: Sequence[str] | None = None,
    partitions: Collection[int] | None = None,
) -> Iterator[LogRecord]:
    """Every record of the given topics (only `partitions`, when given) up to the current end of the
    log, in log order per partition (partitions interleave).

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
        assigned = [
            TopicPartition(topic, partition, low)
            for topic, partition, low, high in _extents(consumer, settings, logical_topics, partitions)
            if high > low
        ]
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


def log_size(settings: Settings, logical_topics: Sequence[str]) -> int:
    """Records currently in the given topics (sum of watermark differences over their partitions)."""
    if not logical_topics:
        return 0
    consumer = Consumer({"bootstrap.servers": bootstrap_servers(settings), "group.id": "log-size"})
    try:
        return sum(max(0, high - low) for _, _, low, high in _extents(consumer, settings, logical_topics))
    finally:
        consumer.close()


PartitionKey = TypeVar("PartitionKey", bound=tuple[str, int])


class LogEnds:
    """The high watermark (next offset to be written) of partitions, through one client kept for the
    caller's life: a check every few seconds (streams/stall_watch.py) would otherwise connect to the
    broker each time. librdkafka reconnects by itself after a broker restart."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._consumer: Consumer | None = None

    def of(self, partitions: Iterable[PartitionKey]) -> dict[PartitionKey, int]:
        """Each (topic, partition)'s high watermark; keys as given (Faust's TP is such a tuple)."""
        if self._consumer is None:
            self._consumer = Consumer(
                {
                    "bootstrap.servers": bootstrap_servers(self._settings),
                    "group.id": f"{self._settings.topic_prefix}-log-ends",
                }
            )
        return {tp: _watermarks(self._consumer, tp[0], tp[1])[1] for tp in partitions}

    def close(self) -> None:
        if self._consumer is not None:
            self._consumer.close()
            self._consumer = None


# Answers while a partition's leadership moves (a broker restart, a controller election): asking again
# a moment later succeeds. Any other error is real and raised at once.
_LEADER_MOVING = frozenset(
    {
        KafkaError.NOT_LEADER_FOR_PARTITION,
        KafkaError.LEADER_NOT_AVAILABLE,
        KafkaError._TRANSPORT,
    }
)


def _leader_moving(exc: BaseException) -> bool:
    return isinstance(exc, KafkaException) and exc.args[0].code() in _LEADER_MOVING


@retry(
    retry=retry_if_exception(_leader_moving),
    wait=wait_exponential(multiplier=0.2, max=2),
    stop=stop_after_delay(30),
    reraise=True,
)
def _watermarks(consumer: Consumer, topic: str, partition: int) -> tuple[int, int]:
    low, high = consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=10)
    return int(low), int(high)


def _extents(
    consumer: Consumer,
    settings: Settings,
    logical_topics: Sequence[str] | None,
    partitions: Collection[int] | None = None,
) -> Iterator[tuple[str, int, int, int]]:
    """(topic, partition, low, high watermark) of each partition of the topics (all when None)."""
    for logical in logical_topics or list(TOPIC_PARTITIONS):
        topic = topic_name(settings.topic_prefix, logical)
        for partition in range(TOPIC_PARTITIONS[logical]):
            if partitions is None or partition in partitions:
                yield topic, partition, *_watermarks(consumer, topic, partition)
