"""Career recommendations: the query reads the `recommendations` projection (queries/recommendations.py);
feedback is a command that publishes CareerInteraction events (which the projection folds into the
user's features).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, Field

from api.access_audit import audited
from api.auth import CurrentPrincipal, authorize
from api.commands import publish_command
from api.dependencies import Ctx, RecommendationsToken, UserIdPath
from api.errors import responses
from api.guards import WriteLimited
from api.models import NO_NUL, AcceptedEvent, Strict
from queries import recommendations
from queries.recommendations import NotProcessed

router = APIRouter(prefix="/users", tags=["recommendations"])

Action = Literal["viewed", "saved", "applied", "dismissed", "rated"]


class CourseOut(BaseModel):
    course_id: str
    title: str
    provider: str
    url: str | None = None
    teaches: list[str] = Field(description="The career's missing skills this course covers")


class RecommendationOut(BaseModel):
    career_id: str
    title: str
    score: float
    parts: dict[str, float] = Field(description="Weighted score part of each model (content, lightfm, ...)")
    matching_skills: list[str]
    missing_skills: list[str]
    median_wage_usd: float | None = None
    courses: list[CourseOut] = Field(default_factory=list)


class RecommendationsOut(BaseModel):
    user_id: str
    model_version: str
    computed_at: str
    event_id: str = Field(description="The event whose processing produced this list")
    items: list[RecommendationOut]


class InteractionIn(Strict):
    career_id: str = Field(min_length=1, max_length=200, pattern=NO_NUL, description="ESCO occupation URI")
    action: Action
    rating: int | None = Field(default=None, ge=1, le=5, description="1..5, only with action=rated")
    source: str | None = Field(
        default=None, max_length=40, pattern=NO_NUL, description="recommendations, search, chat, ..."
    )
    model_version: str | None = Field(default=None, max_length=80, pattern=NO_NUL)


@router.get(
    "/{user_id}/recommendations",
    response_model=RecommendationsOut,
    responses=responses(400, 401, 403, 404, 409, 422, 503),
    # Derived from personal data (skills, goals); it returns no personal field itself.
    dependencies=[audited("recommendations")],
)
async def get_recommendations(
    user_id: UserIdPath,
    principal: CurrentPrincipal,
    ctx: Ctx,
    k: Annotated[int, Query(ge=1, le=50)] = 10,
    consistency_token: RecommendationsToken = None,
    courses: Annotated[bool, Query(description="attach courses teaching the missing skills")] = True,
) -> dict[str, Any]:
    """The user's top-k careers with score parts, matching/missing skills and courses for the gaps.

    With `consistency_token` (from a profile update or interaction), the answer reflects that event."""
    authorize(principal, user_id, write=False)
    found = await recommendations.for_user(ctx, user_id, k, courses, consistency_token)
    if found is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            f"no recommendations for user {user_id} yet: update the profile or record an interaction",
        )
    if isinstance(found, NotProcessed):
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"no recommendations for user {user_id}: {found.reason}"
        )
    return found


@router.post(
    "/{user_id}/interactions",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=AcceptedEvent,
    responses=responses(401, 403, 410, 413, 422, 429, 503),
    dependencies=[WriteLimited],
)
async def record_interaction(
    user_id: UserIdPath, body: InteractionIn, principal: CurrentPrincipal, ctx: Ctx
) -> AcceptedEvent:
    """Feedback on a career (CareerInteraction): viewed, saved, applied, dismissed, or rated 1..5."""
    authorize(principal, user_id, write=True)
    if body.action == "rated" and body.rating is None:
        raise HTTPException(422, "action 'rated' needs a rating of 1..5")
    if body.action != "rated" and body.rating is not None:
        raise HTTPException(422, "only action 'rated' takes a rating")
    if not await recommendations.is_known_career(body.career_id):
        raise HTTPException(422, f"unknown career_id {body.career_id!r}")
    return await publish_command(ctx, "CareerInteraction", user_id, body.model_dump())
