"""Process-wide resources of the API: settings, stores, serde and the producer (built in the lifespan)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from psycopg_pool import AsyncConnectionPool, ConnectionPool
from redis.asyncio import Redis

from careerstream.config import Settings
from schemas.catalog import topic_name
from schemas.events import Event
from schemas.keystore import PostgresKeyStore
from schemas.serde import EventSerde, serde_from_settings
from streams.producer import EventProducer, Position
from streams.runtime import bootstrap_servers


@dataclass
class ApiContext:
    settings: Settings
    key_pool: ConnectionPool
    pool: AsyncConnectionPool
    redis: Redis
    serde: EventSerde
    producer: EventProducer

    @classmethod
    async def open(cls, settings: Settings) -> ApiContext:
        key_pool = ConnectionPool(settings.database_url, min_size=1, max_size=4, open=True)
        keystore = PostgresKeyStore(key_pool, settings.master_key_bytes(), settings.data_key_cache_seconds)
        serde = serde_from_settings(keystore, settings.schema_registry_url, settings.topic_prefix)
        pool = AsyncConnectionPool(settings.database_url, min_size=1, max_size=10, open=False)
        await pool.open()
        redis = Redis.from_url(settings.redis_url)
        producer = EventProducer(bootstrap_servers(settings), serde, settings.topic_prefix)
        return cls(settings, key_pool, pool, redis, serde, producer)

    async def close(self) -> None:
        self.producer.close()
        await self.pool.close()
        await self.redis.aclose()
        self.key_pool.close()

    async def publish(self, event: Event) -> Position:
        return await self.producer.publish(event)

    def topic(self, logical: str) -> str:
        return topic_name(self.settings.topic_prefix, logical)


def get_ctx(request: Request) -> ApiContext:
    ctx: ApiContext = request.app.state.ctx
    return ctx
