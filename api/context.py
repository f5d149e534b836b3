"""Process-wide resources of the API: settings, stores, serde and the producer (built in the lifespan)."""

from __future__ import annotations

from dataclasses import dataclass

from kernel.config import Settings
from schemas.events import Event
from schemas.keystore import SubjectErased
from streams.connections import Connections
from streams.producer import Position

# Topics keyed by user id: their commands stop at the erasure fence.
USER_TOPICS = frozenset({"users", "activity", "resumes", "chat"})


@dataclass
class ApiContext(Connections):
    @classmethod
    async def open(cls, settings: Settings) -> ApiContext:
        c = await Connections.open_connections(settings, pool_size=10)
        return cls(c.settings, c.key_pool, c.pool, c.redis, c.serde, c.producer)

    async def publish(self, event: Event) -> Position:
        """Publish a command's event, unless its user's erasure was requested (then SubjectErased,
        which routes answer with 410). ErasureRequested itself always goes through."""
        fenced = event.topic in USER_TOPICS and event.event_type != "ErasureRequested"
        if fenced and await self.erasure_started(event.subject_id):
            raise SubjectErased(event.subject_id)
        return await self.producer.publish(event)

    async def erasure_started(self, user_id: str) -> bool:
        """True once an erasure was requested (`erasure_requests`) or carried out (key destroyed)."""
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT EXISTS (SELECT 1 FROM erasure_requests WHERE user_id = %s)"
                " OR EXISTS (SELECT 1 FROM subject_keys WHERE subject_id = %s AND destroyed_at IS NOT NULL)",
                (user_id, user_id),
            )
            row = await cur.fetchone()
        return bool(row and row[0])
