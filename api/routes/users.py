"""Users and profiles: commands publish events; queries read the `user_profiles` projection."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, status

from api.access_audit import audited, personal_fields
from api.auth import CurrentPrincipal, authorize
from api.commands import publish_command
from api.dependencies import Ctx, ProfileToken, UserIdPath
from api.errors import responses
from api.guards import WriteLimited, mark_erasure, unmark_erasure
from api.models import AcceptedEvent, Consent, ErasureIn, ProfileIn, ProfileOut, RegisterUser, UserCreated
from queries import profiles

router = APIRouter(prefix="/users", tags=["users"])

PURPOSES = ("recommendations", "resume_analysis", "llm_feedback", "chat_history", "analytics", "marketing")
Purpose = Annotated[
    Literal["recommendations", "resume_analysis", "llm_feedback", "chat_history", "analytics", "marketing"],
    Path(description="Processing purpose"),
]

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
    accepted = await publish_command(
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
    return await publish_command(ctx, "ProfileUpdated", user_id, body.cleaned())


@router.get(
    "/{user_id}/profile",
    response_model=ProfileOut,
    responses=responses(400, 401, 403, 404, 409, 422, 503),
    dependencies=[audited("user_profiles", personal_fields("user_profiles"))],
)
async def get_profile(
    user_id: UserIdPath, principal: CurrentPrincipal, ctx: Ctx, consistency_token: ProfileToken = None
) -> dict[str, Any]:
    """The user's profile as projected; with `consistency_token`, no older than that write."""
    authorize(principal, user_id, write=False)
    profile = await profiles.profile(ctx, user_id, consistency_token)
    if profile is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no profile for user {user_id}")
    return profile


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
    return await publish_command(
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
        return await publish_command(ctx, "ErasureRequested", user_id, payload)
    except Exception:
        if fenced_here:
            await unmark_erasure(ctx, user_id)
        raise
