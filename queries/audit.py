"""The notarized access log (`access_log`, written by the worker's audit notary): who read or exported
a user's data."""

from __future__ import annotations

from typing import Any

from psycopg.rows import dict_row

from queries.stores import ReadStores


async def accesses(stores: ReadStores, subject: str, limit: int) -> list[dict[str, Any]]:
    """The latest `limit` accesses to `subject`'s data, newest first (`occurred_at` as ISO 8601)."""
    async with stores.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            "SELECT occurred_at, accessor, accessor_role, resource, fields, purpose, correlation_id,"
            ' topic, partition, "offset", chain_sha256 FROM access_log WHERE subject_id = %s'
            ' ORDER BY occurred_at DESC, "offset" DESC LIMIT %s',
            (subject, limit),
        )
        rows = await cur.fetchall()
    for row in rows:
        row["occurred_at"] = row["occurred_at"].isoformat() if row["occurred_at"] else None
    return rows
