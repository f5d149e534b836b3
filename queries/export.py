"""Right of access / portability: every row the read models hold about a user.

The tables come from the projection registry (every table with a `user_id` column), so a new read model
is exported without touching this module. The event-level audit trail is `careerstream replay --subject`.
"""

from __future__ import annotations

from typing import Any

from psycopg import sql
from psycopg.rows import dict_row

from projections.registry import all_projections
from queries.stores import ReadStores


def user_tables() -> list[str]:
    """Read-model tables keyed by or filtered on `user_id`."""
    return sorted({t.name for p in all_projections() for t in p.tables if "user_id" in t.columns})


async def read_models_about(stores: ReadStores, user_id: str) -> dict[str, list[dict[str, Any]]]:
    """Table name -> the user's rows, for every read-model table holding any (empty: nothing held)."""
    data: dict[str, list[dict[str, Any]]] = {}
    async with stores.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        for table in user_tables():
            await cur.execute(
                sql.SQL("SELECT * FROM {} WHERE user_id = %s").format(sql.Identifier(table)), (user_id,)
            )
            rows = await cur.fetchall()
            if rows:
                data[table] = rows
    return data
