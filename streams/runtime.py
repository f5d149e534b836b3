"""The resources a worker process shares between its agents: pools, clients, serde, producer, appliers."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import structlog
from psycopg_pool import AsyncConnectionPool, ConnectionPool
from redis.asyncio import Redis

from careerstream.config import Settings
from projections.applier import BatchApplier, EffectHandler
from projections.framework import Projection
from schemas.catalog import DEAD_LETTER_TOPIC, topic_name
from schemas.keystore import PostgresKeyStore
from schemas.serde import EventSerde, serde_from_settings
from streams.dead_letter import KafkaDeadLetterSink
from streams.effects import effect_handlers
from streams.producer import EventProducer

log = structlog.get_logger(__name__)


def bootstrap_servers(settings: Settings) -> str:
    """Where Kafka is: the configured cluster, or the embedded broker started by `careerstream up`."""
    return settings.kafka_bootstrap_servers or f"127.0.0.1:{settings.embedded_broker_port}"


@dataclass
class WorkerRuntime:
    settings: Settings
    key_pool: ConnectionPool
    pool: AsyncConnectionPool
    redis: Redis
    serde: EventSerde
    producer: EventProducer
    appliers: dict[str, BatchApplier] = field(default_factory=dict)

    @classmethod
    async def start(cls, settings: Settings, projections: list[Projection]) -> WorkerRuntime:
        key_pool = ConnectionPool(settings.database_url, min_size=1, max_size=4, open=True)
        keystore = PostgresKeyStore(key_pool, settings.master_key_bytes(), settings.data_key_cache_seconds)
        serde = serde_from_settings(keystore, settings.schema_registry_url, settings.topic_prefix)
        pool = AsyncConnectionPool(settings.database_url, min_size=1, max_size=8, open=False)
        await pool.open()
        redis = Redis.from_url(settings.redis_url)
        producer = EventProducer(bootstrap_servers(settings), serde, settings.topic_prefix)
        runtime = cls(settings, key_pool, pool, redis, serde, producer)
        sink = KafkaDeadLetterSink(producer, topic_name(settings.topic_prefix, DEAD_LETTER_TOPIC))
        effects: dict[str, EffectHandler] = {
            kind: functools.partial(handler, runtime) for kind, handler in effect_handlers().items()
        }
        for projection in projections:
            runtime.appliers[projection.name] = BatchApplier(
                projection, serde, pool, redis, settings.redis_prefix, sink, effects
            )
        return runtime

    async def close(self) -> None:
        self.producer.close()
        await self.pool.close()
        await self.redis.aclose()
        self.key_pool.close()
