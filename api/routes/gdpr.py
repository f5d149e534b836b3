"""Right of access / portability: everything the read models hold about a user, as one JSON document
(the rows come from `queries.export`, which finds every read-model table with a `user_id` column).
The event-level audit trail is `careerstream replay --subject`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, status
from fastapi.encoders import jsonable_encoder

from api.access_audit import audited
from api.auth import CurrentPrincipal, authorize
from api.dependencies import Ctx, UserIdPath
from api.errors import responses
from queries.export import read_models_about

router = APIRouter(prefix="/users", tags=["gdpr"])


@router.get(
    "/{user_id}/export",
    responses=responses(401, 403, 404, 422, 503),
    dependencies=[audited("export", ("*",), purpose="gdpr_export")],
)
async def export_user_data(user_id: UserIdPath, principal: CurrentPrincipal, ctx: Ctx) -> dict[str, Any]:
    """Every row about this user in every read model, plus their cached recommendations (404 if none)."""
    authorize(principal, user_id, write=False)
    data = await read_models_about(ctx, user_id)
    if not data:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no data held about user {user_id}")
    return {
        "user_id": user_id,
        "exported_at": datetime.now(UTC).isoformat(),
        "read_models": jsonable_encoder(data),
        "note": "Event-level history: `careerstream replay --subject <user_id>` (auditor role).",
    }
