"""Read-your-writes: a query waits (briefly) until the projection has applied the caller's event.

Commands return a consistency token `topic:partition:offset`. A query passing it back is answered only
once the projection's stored next offset for that partition is past the offset, else 409 after the
wait budget, so a client never reads a state older than its own write.
"""

from __future__ import annotations

import asyncio
import time

from fastapi import HTTPException, status
from psycopg_pool import AsyncConnectionPool

from streams.producer import Position


async def projection_offset(pool: AsyncConnectionPool, projection: str, topic: str, partition: int) -> int:
    """The next offset the projection will apply on this partition (0 when it has applied nothing)."""
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT next_offset FROM projection_positions WHERE projection=%s AND topic=%s AND partition=%s",
            (projection, topic, partition),
        )
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def wait_for_token(
    pool: AsyncConnectionPool, projection: str, allowed_topics: set[str], token: str | None, wait_ms: int
) -> None:
    """Return once `projection` has applied the token's event; 400 for a bad token, 409 on timeout."""
    if not token:
        return
    try:
        pos = Position.parse(token)
    except ValueError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"malformed consistency token: {exc}") from exc
    if pos.topic not in allowed_topics:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST,
            f"consistency token is for topic {pos.topic!r}, which {projection} does not read",
        )
    deadline = time.monotonic() + wait_ms / 1000
    delay = 0.005
    while True:
        if await projection_offset(pool, projection, pos.topic, pos.partition) > pos.offset:
            return
        if time.monotonic() >= deadline:
            raise HTTPException(
                status.HTTP_409_CONFLICT,
                f"projection {projection} has not yet applied {token}; retry shortly",
                headers={"Retry-After": "1"},
            )
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.05)
