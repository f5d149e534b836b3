"""Redis adapter: applies a batch's cache changes atomically (MULTI/EXEC).

Writes are absolute (SET/DEL), so applying the same batch twice leaves the same values: the batch applier
writes Redis before committing Postgres, and a crash in between is repaired by the redelivery.
"""

from __future__ import annotations

from collections.abc import Sequence

from redis.asyncio import Redis

from projections.framework import CacheDelete, CacheSet, Change


async def write_cache_changes(redis: Redis, prefix: str, changes: Sequence[Change]) -> int:
    """Apply the CacheSet/CacheDelete changes; returns how many were applied."""
    cache_changes = [c for c in changes if isinstance(c, CacheSet | CacheDelete)]
    if not cache_changes:
        return 0
    async with redis.pipeline(transaction=True) as pipe:
        for change in cache_changes:
            if isinstance(change, CacheSet):
                pipe.set(prefix + change.key, change.value, ex=change.ttl_s)
            else:
                pipe.delete(prefix + change.key)
        await pipe.execute()
    return len(cache_changes)
