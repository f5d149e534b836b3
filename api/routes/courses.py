"""Course search and details: the route parses and authorises, `queries.courses` reads the tantivy index
(search, cached per catalog generation in Redis) and the `courses` table (details).

With `user_id`, results are personalised: skills the user lacks for their target careers (ESCO career
profiles minus the user's skills) boost the courses that teach them, and every hit says why.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Response, status
from pydantic import BaseModel, Field

from api.auth import CurrentPrincipal, authorize
from api.dependencies import USER_ID_PATTERN, CourseToken, Ctx
from api.errors import responses
from engines.course_search.record import LEVELS
from queries import courses
from queries.courses import CourseSearch

router = APIRouter(prefix="/courses", tags=["courses"])

PROVIDER_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,63}$")
UNPROCESSABLE = 422


def _split(values: list[str] | None, name: str, max_items: int, max_len: int) -> list[str]:
    """Repeated and/or comma-separated query values, trimmed; 422 when too many or too long."""
    out: list[str] = []
    for value in values or []:
        for item in value.split(","):
            item = " ".join(item.split())
            if not item:
                continue
            if len(item) > max_len:
                raise HTTPException(UNPROCESSABLE, f"{name}: values are at most {max_len} characters")
            out.append(item)
    if len(out) > max_items:
        raise HTTPException(UNPROCESSABLE, f"{name}: at most {max_items} values")
    return list(dict.fromkeys(out))


def _parse_search(
    q: str,
    provider: list[str] | None,
    level: list[str] | None,
    max_hours: float | None,
    free: bool | None,
    skills: list[str] | None,
    page: int,
    size: int,
) -> CourseSearch:
    """The search the parameters ask for (lists trimmed and de-duplicated); 422 for a value too long,
    too many values, an unknown level or provider name, or a page past the first 10,000 hits."""
    providers = _split(provider, "provider", 20, 64)
    for p in providers:
        if PROVIDER_PATTERN.fullmatch(p) is None:
            raise HTTPException(UNPROCESSABLE, f"provider: invalid name {p!r}")
    levels = [v.lower() for v in _split(level, "level", len(LEVELS), 20)]
    bad_levels = [v for v in levels if v not in LEVELS]
    if bad_levels:
        raise HTTPException(UNPROCESSABLE, f"level: {bad_levels} not in {list(LEVELS)}")
    skill_filter = _split(skills, "skills", 20, 100)
    if (page - 1) * size >= 10_000:
        raise HTTPException(UNPROCESSABLE, "page * size must stay below 10,000")
    return CourseSearch(q, providers, levels, max_hours, free, skill_filter, page, size)


class CourseSearchOut(BaseModel):
    """The body of a search (served as cached bytes, so documented here rather than validated)."""

    total: int
    page: int
    size: int
    results: list[dict[str, Any]] = Field(description="Hits with highlights, `why` and `explanation`")
    facets: dict[str, Any]
    generation: str
    personalised_for: str | None
    missing_skills: list[dict[str, Any]]
    index_ready: bool
    took_ms: float | None = None


@router.get(
    "/search",
    response_model=None,
    responses={
        200: {"model": CourseSearchOut, "description": "Ranked hits and facet counts"},
        **responses(400, 401, 403, 404, 409, 422, 503),
    },
)
async def search_courses(
    principal: CurrentPrincipal,
    ctx: Ctx,
    q: Annotated[str, Query(max_length=200, description="Free text (typos tolerated)")] = "",
    provider: Annotated[list[str] | None, Query(description="Provider(s); repeat or comma-separate")] = None,
    level: Annotated[list[str] | None, Query(description=f"Level(s): {', '.join(LEVELS)}")] = None,
    max_hours: Annotated[float | None, Query(ge=0, le=100_000, description="Longest duration")] = None,
    free: Annotated[bool | None, Query(description="Only free (true) or paid (false) courses")] = None,
    skills: Annotated[list[str] | None, Query(description="Courses teaching any of these skills")] = None,
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
    size: Annotated[int, Query(ge=1, le=50)] = 10,
    user_id: Annotated[
        str | None, Query(pattern=USER_ID_PATTERN, description="Personalise for this user")
    ] = None,
    consistency_token: CourseToken = None,
) -> Response:
    """Ranked courses with highlights and facet counts; personalised (and explained) with `user_id`."""
    search = _parse_search(q, provider, level, max_hours, free, skills, page, size)
    if user_id is not None:
        authorize(principal, user_id, write=False)
        gaps = await courses.skill_gaps(ctx, user_id)
        if gaps is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no profile for user {user_id}")
        search = replace(search, user_id=user_id, gaps=gaps)
    answer = await courses.search(ctx, search, consistency_token)
    return Response(
        answer.body, media_type="application/json", headers={"x-cache": "hit" if answer.cache_hit else "miss"}
    )


@router.get("/{course_id:path}", responses=responses(400, 401, 404, 409, 422, 503))
async def get_course(
    course_id: Annotated[str, Path(min_length=3, max_length=300)],
    principal: CurrentPrincipal,
    ctx: Ctx,
    consistency_token: CourseToken = None,
) -> dict[str, Any]:
    """One course from the catalog of record (`courses`), by `<provider>:<provider_course_id>`."""
    if ":" not in course_id:
        raise HTTPException(UNPROCESSABLE, "course_id is <provider>:<provider_course_id>")
    course = await courses.course(ctx, course_id, consistency_token)
    if course is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no course {course_id}")
    return course
