"""Redis adapter: applies a batch's cache changes atomically (MULTI/EXEC).

Writes are absolute (SET/DEL), so applying the same batch twice leaves the same values: the batch applier
writes Redis before committing Postgres, and a crash in between is repaired by the redelivery.
"""

from __future__ import annotations

from collections.abc import Sequence

from redis.asyncio import Redis

from projections.framework import CacheDelete, CacheSet, Change


async def write_cache_changes(redis: Redis, prefix: str, changes: Sequence[Change]) -> int:
    """Apply the CacheSet/CacheDelete changes of a coalesced batch; returns how many were applied."""
    cache_changes = [c for c in changes if isinstance(c, CacheSet | CacheDelete)]
    if not cache_changes:
        return 0
    # Changes are coalesced (one per key), so their order doesn't matter: group them into one MSET and
    # one DEL (thousands of single SETs cost more in client-side reply parsing than in Redis).
    plain = {prefix + c.key: c.value for c in cache_changes if isinstance(c, CacheSet) and c.ttl_s is None}
    expiring = [c for c in cache_changes if isinstance(c, CacheSet) and c.ttl_s is not None]
    deleted = [prefix + c.key for c in cache_changes if isinstance(c, CacheDelete)]
    async with redis.pipeline(transaction=True) as pipe:
        if plain:
            pipe.mset(plain)
        for change in expiring:
            pipe.set(prefix + change.key, change.value, ex=change.ttl_s)
        if deleted:
            pipe.delete(*deleted)
        await pipe.execute()
    return len(cache_changes)
