"""What the sync engine remembers between runs: the last published content hash of every course.

``SyncStateStore`` is the protocol; ``InMemorySyncStateStore`` serves tests and dry runs;
``PostgresSyncStateStore`` keeps it in its own table ``connector_sync_state`` (psycopg 3, async).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

import psycopg

DDL = """
CREATE TABLE IF NOT EXISTS connector_sync_state (
    provider      text        NOT NULL,
    course_id     text        NOT NULL,
    content_hash  text        NOT NULL,
    seen_at       timestamptz NOT NULL,
    PRIMARY KEY (provider, course_id)
)
"""


class SyncStateStore(Protocol):
    """Per-provider map course_id -> (content_hash, seen_at)."""

    async def get_hashes(self, provider: str, course_ids: Sequence[str]) -> dict[str, str]:
        """Stored hashes for those of ``course_ids`` that are known."""
        ...

    async def save(self, provider: str, hashes: Sequence[tuple[str, str]], seen_at: datetime) -> None:
        """Insert or update (course_id, content_hash) pairs, stamping them seen at ``seen_at``."""
        ...

    async def all_course_ids(self, provider: str) -> set[str]:
        """Every course id known for the provider."""
        ...

    async def delete(self, provider: str, course_ids: Iterable[str]) -> None:
        """Forget courses (after their removal was published)."""
        ...

    async def last_seen_at(self, provider: str) -> datetime | None:
        """When the provider's most recently saved course was seen (start point for incremental sync)."""
        ...


class InMemorySyncStateStore:
    """A dict-backed store for tests and dry runs."""

    def __init__(self) -> None:
        self._state: dict[str, dict[str, tuple[str, datetime]]] = {}

    async def get_hashes(self, provider: str, course_ids: Sequence[str]) -> dict[str, str]:
        """Stored hashes for the known ids."""
        known = self._state.get(provider, {})
        return {cid: known[cid][0] for cid in course_ids if cid in known}

    async def save(self, provider: str, hashes: Sequence[tuple[str, str]], seen_at: datetime) -> None:
        """Upsert hashes."""
        known = self._state.setdefault(provider, {})
        for cid, digest in hashes:
            known[cid] = (digest, seen_at)

    async def all_course_ids(self, provider: str) -> set[str]:
        """Known ids."""
        return set(self._state.get(provider, {}))

    async def delete(self, provider: str, course_ids: Iterable[str]) -> None:
        """Forget ids."""
        known = self._state.get(provider, {})
        for cid in course_ids:
            known.pop(cid, None)

    async def last_seen_at(self, provider: str) -> datetime | None:
        """Latest seen_at."""
        known = self._state.get(provider, {})
        return max((seen for _, seen in known.values()), default=None)


class PostgresSyncStateStore:
    """``connector_sync_state`` in Postgres. Open with ``await PostgresSyncStateStore.connect(dsn)``."""

    def __init__(self, conn: psycopg.AsyncConnection) -> None:
        self._conn = conn

    @classmethod
    async def connect(cls, conninfo: str) -> PostgresSyncStateStore:
        """Connect (autocommit: every call is its own transaction) and create the table if missing."""
        conn = await psycopg.AsyncConnection.connect(conninfo, autocommit=True)
        store = cls(conn)
        await store.ensure_schema()
        return store

    async def ensure_schema(self) -> None:
        """Create the table if it does not exist."""
        await self._conn.execute(DDL)

    async def close(self) -> None:
        """Close the connection."""
        await self._conn.close()

    async def get_hashes(self, provider: str, course_ids: Sequence[str]) -> dict[str, str]:
        """Stored hashes for the known ids (one round trip)."""
        cur = await self._conn.execute(
            "SELECT course_id, content_hash FROM connector_sync_state"
            " WHERE provider = %s AND course_id = ANY(%s)",
            (provider, list(course_ids)),
        )
        return {cid: digest for cid, digest in await cur.fetchall()}

    async def save(self, provider: str, hashes: Sequence[tuple[str, str]], seen_at: datetime) -> None:
        """Upsert hashes in one statement (unnest keeps it a single round trip for a whole batch)."""
        if not hashes:
            return
        await self._conn.execute(
            """
            INSERT INTO connector_sync_state (provider, course_id, content_hash, seen_at)
            SELECT %s, cid, digest, %s FROM unnest(%s::text[], %s::text[]) AS t(cid, digest)
            ON CONFLICT (provider, course_id)
            DO UPDATE SET content_hash = EXCLUDED.content_hash, seen_at = EXCLUDED.seen_at
            """,
            (provider, seen_at, [c for c, _ in hashes], [d for _, d in hashes]),
        )

    async def all_course_ids(self, provider: str) -> set[str]:
        """Known ids."""
        cur = await self._conn.execute(
            "SELECT course_id FROM connector_sync_state WHERE provider = %s", (provider,)
        )
        return {row[0] for row in await cur.fetchall()}

    async def delete(self, provider: str, course_ids: Iterable[str]) -> None:
        """Forget ids."""
        ids = list(course_ids)
        if ids:
            await self._conn.execute(
                "DELETE FROM connector_sync_state WHERE provider = %s AND course_id = ANY(%s)",
                (provider, ids),
            )

    async def last_seen_at(self, provider: str) -> datetime | None:
        """Latest seen_at for the provider."""
        cur = await self._conn.execute(
            "SELECT max(seen_at) FROM connector_sync_state WHERE provider = %s", (provider,)
        )
        row = await cur.fetchone()
        return row[0] if row else None
