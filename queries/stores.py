"""What a query reads through: the settings, the Postgres pool and Redis of the calling process.

A protocol rather than a class of its own: the API's context (`api.context.ApiContext`) already holds
these, and queries sit below the API (they cannot import it), so they name only what they use.
"""

from __future__ import annotations

from typing import Protocol

from psycopg_pool import AsyncConnectionPool
from redis.asyncio import Redis

from kernel.config import Settings


class ReadStores(Protocol):
    @property
    def settings(self) -> Settings: ...

    @property
    def pool(self) -> AsyncConnectionPool: ...

    @property
    def redis(self) -> Redis: ...
