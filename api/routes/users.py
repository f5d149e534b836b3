"""Users and profiles: commands publish events; queries read the `user_profiles` projection."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, status
from psycopg.rows import dict_row
from structlog.contextvars import get_contextvars

from api.access_audit import audited, personal_fields
from api.auth import CurrentPrincipal, authorize
from api.consistency import token_param, wait_for_token
from api.context import ApiContext, get_ctx
from api.errors import responses
from api.guards import WriteLimited, mark_erasure, unmark_erasure
from api.models import AcceptedEvent, Consent, ErasureIn, ProfileIn, ProfileOut, RegisterUser, UserCreated
from projections.user_profiles import USER_PROFILES, public_view
from schemas.events import new_event
from schemas.keystore import SubjectErased

router = APIRouter(prefix="/users", tags=["users"])

Ctx = Annotated[ApiContext, Depends(get_ctx)]
UserIdPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]
TokenQuery = Annotated[str | None, token_param("consistency_token from a command", "users")]
PURPOSES = ("recommendations", "resume_analysis", "llm_feedback", "chat_history", "analytics", "marketing")
Purpose = Annotated[
    Literal["recommendations", "resume_analysis", "llm_feedback", "chat_history", "analytics", "marketing"],
    Path(description="Processing purpose"),
]


async def _publish(
    ctx: ApiContext, event_type: str, user_id: str, payload: dict[str, Any], correlation_id: str | None = None
) -> AcceptedEvent:
    # The request's correlation id (bound by the middleware) follows the event through the system.
    correlation_id = correlation_id or get_contextvars().get("correlation_id")
    event = new_event(event_type, user_id, payload, producer="api", correlation_id=correlation_id)
    try:
        pos = await ctx.publish(event)
    except SubjectErased as exc:
        raise HTTPException(status.HTTP_410_GONE, "this user's data was erased") from exc
    return AcceptedEvent.of(event.event_id, event_type, pos)


COMMAND_ERRORS = responses(401, 403, 410, 413, 422, 429, 503)


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=UserCreated,
    responses=COMMAND_ERRORS,
    dependencies=[WriteLimited],
)
async def register_user(body: RegisterUser, principal: CurrentPrincipal, ctx: Ctx) -> UserCreated:
    """Register a user (UserRegistered). A `user` token registers itself; services may register anyone."""
    if principal.role == "user":
        user_id = body.user_id or principal.subject
        authorize(principal, user_id, write=True)
    elif principal.role in ("service", "admin"):
        user_id = body.user_id or str(uuid.uuid4())
    else:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "auditors have read-only access")
    accepted = await _publish(
        ctx,
        "UserRegistered",
        user_id,
        {
            "email": body.email,
            "display_name": body.display_name,
            "locale": body.locale,
            "registered_via": "api",
        },
    )
    return UserCreated(user_id=user_id, **accepted.model_dump())


@router.put(
    "/{user_id}/profile",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=AcceptedEvent,
    responses=COMMAND_ERRORS,
    dependencies=[WriteLimited],
)
async def update_profile(
    user_id: UserIdPath, body: ProfileIn, principal: CurrentPrincipal, ctx: Ctx
) -> AcceptedEvent:
    """Replace the user's career profile (ProfileUpdated)."""
    authorize(principal, user_id, write=True)
    return await _publish(ctx, "ProfileUpdated", user_id, body.cleaned())


@router.get(
    "/{user_id}/profile",
    response_model=ProfileOut,
    responses=responses(400, 401, 403, 404, 409, 422, 503),
    dependencies=[audited("user_profiles", personal_fields("user_profiles"))],
)
async def get_profile(
    user_id: UserIdPath, principal: CurrentPrincipal, ctx: Ctx, consistency_token: TokenQuery = None
) -> dict[str, Any]:
    """The user's profile as projected; with `consistency_token`, no older than that write."""
    authorize(principal, user_id, write=False)
    await wait_for_token(
        ctx.pool, "user_profiles", ctx.topics("users"), consistency_token, ctx.settings.consistency_wait_ms
    )
    async with ctx.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(f"SELECT * FROM {USER_PROFILES.name} WHERE user_id = %s", (user_id,))
        row = await cur.fetchone()
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no profile for user {user_id}")
    return public_view(row)


@router.put(
    "/{user_id}/consents/{purpose}",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=AcceptedEvent,
    responses=COMMAND_ERRORS,
    dependencies=[WriteLimited],
)
async def change_consent(
    user_id: UserIdPath, purpose: Purpose, body: Consent, principal: CurrentPrincipal, ctx: Ctx
) -> AcceptedEvent:
    """Grant or withdraw consent for one processing purpose (ConsentChanged)."""
    authorize(principal, user_id, write=True)
    if purpose not in PURPOSES:
        raise HTTPException(422, f"purpose must be one of {PURPOSES}")
    return await _publish(
        ctx,
        "ConsentChanged",
        user_id,
        {
            "purpose": purpose,
            "granted": body.granted,
            "policy_version": body.policy_version,
        },
    )


@router.delete(
    "/{user_id}",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=AcceptedEvent,
    responses=COMMAND_ERRORS,
    dependencies=[WriteLimited],
)
async def request_erasure(
    user_id: UserIdPath, principal: CurrentPrincipal, ctx: Ctx, body: ErasureIn | None = None
) -> AcceptedEvent:
    """Right to erasure (ErasureRequested): the worker destroys the user's key and clears read models.

    From this request on, every command about the user answers 410 (see `api.guards`)."""
    authorize(principal, user_id, write=True)
    fenced_here = await mark_erasure(ctx, user_id)
    payload = {"requested_by": principal.subject, "reason": body.reason if body else None}
    try:
        return await _publish(ctx, "ErasureRequested", user_id, payload)
    except Exception:
        if fenced_here:
            await unmark_erasure(ctx, user_id)
        raise
