"""Career recommendations: the query reads the `recommendations` projection's Redis copy; feedback is a
command that publishes CareerInteraction events (which the projection folds into the user's features).
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, status
from pydantic import BaseModel, Field
from structlog.contextvars import get_contextvars

from api.access_audit import audited
from api.auth import CurrentPrincipal, authorize
from api.consistency import token_param, wait_for_token
from api.context import ApiContext, get_ctx
from api.errors import responses
from api.guards import WriteLimited
from api.models import NO_NUL, AcceptedEvent, Strict
from engines.reference_data.catalog import careers_by_id
from projections.recommendations import cache_key
from schemas.events import new_event
from schemas.keystore import SubjectErased
from streams.redis_recovery import latest_recommendations

router = APIRouter(prefix="/users", tags=["recommendations"])

Ctx = Annotated[ApiContext, Depends(get_ctx)]
UserIdPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]
TokenQuery = Annotated[
    str | None, token_param("consistency_token from a profile update or an interaction", "users", "activity")
]
Action = Literal["viewed", "saved", "applied", "dismissed", "rated"]

COURSES_PER_CAREER = 3
COURSE_CACHE_TTL_S = 300.0
TABLE_CHECK_TTL_S = 60.0  # a positive answer is cached this long, a negative one 5 s


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


class _Courses:
    """Process-wide cache of courses per skill (the catalog changes slowly; skills repeat across users)."""

    def __init__(self) -> None:
        self.table_checked: dict[str, tuple[float, bool]] = {}
        self.by_skill: dict[tuple[str, str], tuple[float, list[dict[str, Any]]]] = {}
        self.career_ids: frozenset[str] | None = None


_cache = _Courses()
COURSES_PER_SKILL = 20  # candidates fetched per skill; a career's courses are ranked over their union


async def _courses_table_exists(ctx: ApiContext) -> bool:
    now = time.monotonic()
    hit = _cache.table_checked.get(ctx.settings.database_url)
    if hit is not None and hit[0] > now:
        return hit[1]
    async with ctx.pool.connection() as conn:
        cur = await conn.execute("SELECT to_regclass('courses') IS NOT NULL")
        row = await cur.fetchone()
    exists = bool(row and row[0])
    _cache.table_checked[ctx.settings.database_url] = (now + (TABLE_CHECK_TTL_S if exists else 5.0), exists)
    return exists


async def _courses_by_skill(ctx: ApiContext, skills: set[str]) -> dict[str, list[dict[str, Any]]]:
    """Candidate courses per lower-cased skill: cached ones, the rest in one query."""
    db = ctx.settings.database_url
    now = time.monotonic()
    out: dict[str, list[dict[str, Any]]] = {}
    misses = []
    for skill in skills:
        hit = _cache.by_skill.get((db, skill))
        if hit is not None and hit[0] > now:
            out[skill] = hit[1]
        else:
            misses.append(skill)
    if misses:
        async with ctx.pool.connection() as conn:
            cur = await conn.execute(
                """SELECT s, c.course_id, c.title, c.provider, c.url, c.skills_lower
                   FROM unnest(%s::text[]) AS s
                   CROSS JOIN LATERAL (
                       SELECT course_id, title, provider, url, skills_lower FROM courses
                       WHERE skills_lower && ARRAY[s] ORDER BY course_id LIMIT %s) c""",
                (misses, COURSES_PER_SKILL),
            )
            rows = await cur.fetchall()
        found: dict[str, list[dict[str, Any]]] = {m: [] for m in misses}
        for s, course_id, title, provider, url, skills_lower in rows:
            found[s].append(
                {
                    "course_id": course_id,
                    "title": title,
                    "provider": provider,
                    "url": url,
                    "skills": frozenset(skills_lower or ()),
                }
            )
        if len(_cache.by_skill) > 100_000:
            _cache.by_skill.clear()
        for skill, courses in found.items():
            _cache.by_skill[(db, skill)] = (now + COURSE_CACHE_TTL_S, courses)
        out.update(found)
    return out


def courses_for(missing: list[str], by_skill: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Up to 3 courses teaching the most of a career's missing skills (ties: course id)."""
    wanted = {s.lower() for s in missing}
    candidates: dict[str, dict[str, Any]] = {}
    for skill in wanted:
        for course in by_skill.get(skill, ()):
            candidates.setdefault(course["course_id"], course)
    ranked = sorted(candidates.values(), key=lambda c: (-len(wanted & c["skills"]), c["course_id"]))
    return [
        {
            "course_id": c["course_id"],
            "title": c["title"],
            "provider": c["provider"],
            "url": c["url"],
            "teaches": [s for s in missing if s.lower() in c["skills"]],
        }
        for c in ranked[:COURSES_PER_CAREER]
    ]


async def _career_ids() -> frozenset[str]:
    if _cache.career_ids is None:
        ids = await asyncio.to_thread(lambda: frozenset(careers_by_id()))
        _cache.career_ids = ids
    return _cache.career_ids


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
    consistency_token: TokenQuery = None,
    courses: Annotated[bool, Query(description="attach courses teaching the missing skills")] = True,
) -> dict[str, Any]:
    """The user's top-k careers with score parts, matching/missing skills and courses for the gaps.

    With `consistency_token` (from a profile update or interaction), the answer reflects that event."""
    authorize(principal, user_id, write=False)
    await wait_for_token(
        ctx.pool,
        "recommendations",
        ctx.topics("users", "activity"),
        consistency_token,
        ctx.settings.consistency_wait_ms,
    )
    raw = await ctx.redis.get(ctx.settings.redis_prefix + cache_key(user_id))
    if raw is None:
        # Not in Redis: none computed yet, or Redis lost its data (restart) and the worker has not
        # restored it yet (streams/redis_recovery.py). The record is in Postgres either way.
        raw = await latest_recommendations(ctx.pool, user_id)
    if raw is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            f"no recommendations for user {user_id} yet: update the profile or record an interaction",
        )
    doc = json.loads(raw)
    if "not_processed" in doc:
        reason = doc["not_processed"]
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no recommendations for user {user_id}: {reason}")
    items = doc["items"][:k]
    if courses and items and await _courses_table_exists(ctx):
        by_skill = await _courses_by_skill(ctx, {s.lower() for it in items for s in it["missing_skills"]})
        for it in items:
            it["courses"] = courses_for(it["missing_skills"], by_skill)
    doc["items"] = items
    return dict(doc)


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
    if body.career_id not in await _career_ids():
        raise HTTPException(422, f"unknown career_id {body.career_id!r}")
    event = new_event(
        "CareerInteraction",
        user_id,
        body.model_dump(),
        producer="api",
        correlation_id=get_contextvars().get("correlation_id"),
    )
    try:
        pos = await ctx.publish(event)
    except SubjectErased as exc:
        raise HTTPException(status.HTTP_410_GONE, "this user's data was erased") from exc
    return AcceptedEvent.of(event.event_id, event.event_type, pos)
