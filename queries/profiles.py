"""The `user_profiles` read model: a user's profile as projected (Postgres is the record)."""

from __future__ import annotations

from typing import Any

from psycopg.rows import dict_row

from projections.user_profiles import USER_PROFILES, UserProfileProjection, public_view
from queries.consistency import wait_until_applied
from queries.stores import ReadStores


async def profile(stores: ReadStores, user_id: str, token: str | None = None) -> dict[str, Any] | None:
    """The user's profile (`public_view`), no older than `token`'s event; None when the user has none."""
    await wait_until_applied(stores, UserProfileProjection, token)
    async with stores.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(f"SELECT * FROM {USER_PROFILES.name} WHERE user_id = %s", (user_id,))
        row = await cur.fetchone()
    return None if row is None else public_view(row)


async def skills_and_targets(stores: ReadStores, user_id: str) -> tuple[list[Any], list[Any]] | None:
    """(skills, target careers) of the user's profile as currently projected; None without a profile.
    No consistency wait: the callers' tokens are for other read models (a course event, say)."""
    async with stores.pool.connection() as conn:
        cur = await conn.execute(
            f"SELECT skills, target_careers FROM {USER_PROFILES.name} WHERE user_id = %s", (user_id,)
        )
        row = await cur.fetchone()
    if row is None:
        return None
    return list(row[0] or []), list(row[1] or [])
