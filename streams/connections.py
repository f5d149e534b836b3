"""The connections every CareerStream process opens: Postgres pools, Redis, the serde (with its key
store) and the Kafka producer. The API and the worker build them the same way, here."""

from __future__ import annotations

from dataclasses import dataclass

from psycopg_pool import AsyncConnectionPool, ConnectionPool
from redis.asyncio import Redis

from kernel.config import Settings
from schemas.keystore import LocalKeyRing, PostgresKeyStore
from schemas.serde import EventSerde, serde_from_settings
from streams.producer import EventProducer


def bootstrap_servers(settings: Settings) -> str:
    """Where Kafka is: the configured cluster, or the embedded broker started by `careerstream up`."""
    return settings.kafka_bootstrap_servers or f"127.0.0.1:{settings.embedded_broker_port}"


def key_ring(settings: Settings) -> LocalKeyRing:
    """The master keys from settings: MASTER_KEY wraps, it and PREVIOUS_MASTER_KEYS unwrap."""
    return LocalKeyRing(settings.master_key_bytes(), settings.previous_master_key_bytes())


def build_serde(settings: Settings, key_pool: ConnectionPool) -> EventSerde:
    """The configured serde over a Postgres key store (key cache and erasure polling from settings)."""
    keystore = PostgresKeyStore(
        key_pool, key_ring(settings), settings.data_key_cache_seconds, settings.erasure_poll_seconds
    )
    return serde_from_settings(keystore, settings.schema_registry_url, settings.topic_prefix)


@dataclass
class Connections:
    settings: Settings
    key_pool: ConnectionPool
    pool: AsyncConnectionPool
    redis: Redis
    serde: EventSerde
    producer: EventProducer

    @classmethod
    async def open_connections(cls, settings: Settings, pool_size: int) -> Connections:
        key_pool = ConnectionPool(settings.database_url, min_size=1, max_size=4, open=True)
        serde = build_serde(settings, key_pool)
        pool = AsyncConnectionPool(settings.database_url, min_size=1, max_size=pool_size, open=False)
        await pool.open()
        redis = Redis.from_url(settings.redis_url)
        producer = EventProducer(bootstrap_servers(settings), serde, settings.topic_prefix)
        return Connections(settings, key_pool, pool, redis, serde, producer)

    async def close(self) -> None:
        """Deliver queued events, then close pools and clients."""
        self.producer.close()
        await self.pool.close()
        await self.redis.aclose()
        self.key_pool.close()
