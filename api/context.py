"""Process-wide resources of the API: settings, stores, serde and the producer (built in the lifespan)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from careerstream.config import Settings
from schemas.catalog import topic_name
from schemas.events import Event
from streams.connections import Connections
from streams.producer import Position


@dataclass
class ApiContext(Connections):
    @classmethod
    async def open(cls, settings: Settings) -> ApiContext:
        c = await Connections.open_connections(settings, pool_size=10)
        return cls(c.settings, c.key_pool, c.pool, c.redis, c.serde, c.producer)

    async def publish(self, event: Event) -> Position:
        return await self.producer.publish(event)

    def topic(self, logical: str) -> str:
        return topic_name(self.settings.topic_prefix, logical)


async def get_ctx(request: Request) -> ApiContext:
    ctx: ApiContext = request.app.state.ctx
    return ctx
