"""The dead-letter topic: poison records are copied there, byte for byte, with the reason in headers."""

from __future__ import annotations

import time

import structlog

from projections.applier import LogRecord
from streams.producer import EventProducer

log = structlog.get_logger(__name__)

# Header names are part of the public contract of the dead-letter topic.
H_REASON = "dlq.reason"
H_PROJECTION = "dlq.projection"
H_TOPIC = "dlq.source.topic"
H_PARTITION = "dlq.source.partition"
H_OFFSET = "dlq.source.offset"
H_AT = "dlq.at_ms"


class KafkaDeadLetterSink:
    """Publishes poison records to `<prefix>.dead-letter` and waits for the broker's acknowledgement,
    so the batch that skips them commits only once they are safe."""

    def __init__(self, producer: EventProducer, topic: str) -> None:
        self._producer = producer
        self.topic = topic

    async def send(self, record: LogRecord, projection: str, reason: str) -> None:
        headers: list[tuple[str, str | bytes | None]] = [
            (H_REASON, reason.encode()),
            (H_PROJECTION, projection.encode()),
            (H_TOPIC, record.topic.encode()),
            (H_PARTITION, str(record.partition).encode()),
            (H_OFFSET, str(record.offset).encode()),
            (H_AT, str(int(time.time() * 1000)).encode()),
        ]
        await self._producer.publish_raw(self.topic, record.key, record.value, headers)
        log.warning(
            "dead_lettered",
            projection=projection,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            reason=reason,
        )
