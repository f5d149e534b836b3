"""Right of access / portability: everything the read models hold about a user, as one JSON document.

The tables come from the projection registry (every table with a `user_id` column), so a new read model
is exported without touching this route. The event-level audit trail is `careerstream replay --subject`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, status
from fastapi.encoders import jsonable_encoder
from psycopg import sql
from psycopg.rows import dict_row

from api.access_audit import audited
from api.auth import CurrentPrincipal, authorize
from api.context import ApiContext, get_ctx
from api.errors import responses
from projections.registry import all_projections

router = APIRouter(prefix="/users", tags=["gdpr"])


def user_tables() -> list[str]:
    """Read-model tables keyed by or filtered on `user_id`."""
    return sorted({t.name for p in all_projections() for t in p.tables if "user_id" in t.columns})


@router.get(
    "/{user_id}/export",
    responses=responses(401, 403, 404, 422, 503),
    dependencies=[audited("export", ("*",), purpose="gdpr_export")],
)
async def export_user_data(
    user_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")],
    principal: CurrentPrincipal,
    ctx: Annotated[ApiContext, Depends(get_ctx)],
) -> dict[str, Any]:
    """Every row about this user in every read model, plus their cached recommendations (404 if none)."""
    authorize(principal, user_id, write=False)
    data: dict[str, list[dict[str, Any]]] = {}
    async with ctx.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        for table in user_tables():
            await cur.execute(
                sql.SQL("SELECT * FROM {} WHERE user_id = %s").format(sql.Identifier(table)), (user_id,)
            )
            rows = await cur.fetchall()
            if rows:
                data[table] = rows
    if not data:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no data held about user {user_id}")
    return {
        "user_id": user_id,
        "exported_at": datetime.now(UTC).isoformat(),
        "read_models": jsonable_encoder(data),
        "note": "Event-level history: `careerstream replay --subject <user_id>` (auditor role).",
    }
