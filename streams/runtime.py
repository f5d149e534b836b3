"""The resources a worker process shares between its agents: pools, clients, serde, producer, appliers."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import structlog

from kernel.config import Settings
from projections.applier import BatchApplier, BatchOutcome, DecodeCache, EffectHandler, LogRecord
from projections.framework import Projection
from schemas.catalog import DEAD_LETTER_TOPIC, topic_name
from streams.audit_notary import NAME, AuditNotary
from streams.connections import Connections
from streams.dead_letter import KafkaDeadLetterSink
from streams.effects import effect_handlers

log = structlog.get_logger(__name__)


class RecordApplier(Protocol):
    """Applies a batch of log records: a projection's `BatchApplier`, or the audit notary."""

    async def apply(self, records: Sequence[LogRecord], cache: DecodeCache | None = None) -> BatchOutcome: ...


@dataclass
class WorkerRuntime(Connections):
    appliers: dict[str, RecordApplier] = field(default_factory=dict)

    @classmethod
    async def start(
        cls, settings: Settings, projections: list[Projection], notary: bool = False
    ) -> WorkerRuntime:
        c = await Connections.open_connections(settings, pool_size=8)
        runtime = cls(c.settings, c.key_pool, c.pool, c.redis, c.serde, c.producer)
        serde, pool, redis, producer = c.serde, c.pool, c.redis, c.producer
        sink = KafkaDeadLetterSink(producer, topic_name(settings.topic_prefix, DEAD_LETTER_TOPIC))
        effects: dict[str, EffectHandler] = {
            kind: functools.partial(handler, runtime)
            for kind, handler in effect_handlers(settings.worker_projections).items()
        }
        for projection in projections:
            runtime.appliers[projection.name] = BatchApplier(
                projection, serde, pool, redis, settings.redis_prefix, sink, effects
            )
        if notary:
            runtime.appliers[NAME] = AuditNotary(serde, pool)
        loop = type(asyncio.get_running_loop())
        log.info("worker_runtime_started", projections=sorted(runtime.appliers), event_loop=loop.__module__)
        return runtime
