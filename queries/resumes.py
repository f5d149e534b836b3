"""The `resume_analyses` read model: the analysis of one uploaded resume."""

from __future__ import annotations

from typing import Any

from psycopg.rows import dict_row

from projections.resume_analyses import RESUME_ANALYSES, ResumeAnalysisProjection
from queries.consistency import wait_until_applied
from queries.stores import ReadStores

# Internal columns a reader never gets: where the (encrypted) file is stored, and the projection's
# bookkeeping.
_HIDDEN = frozenset({"blob_sha256", "last_event_id"})


def analysis_view(row: dict[str, Any]) -> dict[str, Any]:
    """The JSON shape of an analysis: timestamps as ISO 8601, `skills` always a list."""
    out = {c: row.get(c) for c in RESUME_ANALYSES.columns if c not in _HIDDEN}
    for ts in ("uploaded_at", "analyzed_at"):
        value = out[ts]
        if value is not None:
            out[ts] = value.isoformat()
    out["skills"] = out["skills"] or []
    return out


async def analysis(
    stores: ReadStores, user_id: str, resume_id: str, token: str | None = None
) -> dict[str, Any] | None:
    """The analysis of the user's upload (`pending`, `done` or `failed`), no older than `token`'s event;
    None when the user has no such upload."""
    await wait_until_applied(stores, ResumeAnalysisProjection, token)
    async with stores.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            f"SELECT * FROM {RESUME_ANALYSES.name} WHERE resume_id = %s AND user_id = %s",
            (resume_id, user_id),
        )
        row = await cur.fetchone()
    return None if row is None else analysis_view(row)
