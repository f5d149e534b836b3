"""Course search and details: the tantivy index (search) and the `courses` table (details).

Query results are cached in Redis under a key that includes the catalog generation (the newest course
event the `course_catalog` projection applied, written by the worker after the index commit and before
the Postgres commit): once an update is projected, every query computes a new key, so a result cached
before the update can never be served again. An API process reloads its index searcher when it sees a
new generation, so the search it caches under that generation includes the update.

With `user_id`, results are personalised: skills the user lacks for their target careers (ESCO career
profiles minus the user's skills) boost the courses that teach them, and every hit says why.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Response, status
from psycopg.rows import dict_row
from pydantic import BaseModel, Field

from api.auth import CurrentPrincipal, authorize
from api.consistency import token_param, wait_for_token
from api.context import ApiContext, get_ctx
from api.errors import responses
from engines.course_search.query import SearchQuery
from engines.course_search.record import LEVELS
from engines.course_search.schema import skill_key
from engines.reference_data.catalog import careers_by_id
from projections.course_catalog import COURSES, GENERATION_KEY
from queries.course_index import reader_for

router = APIRouter(prefix="/courses", tags=["courses"])

Ctx = Annotated[ApiContext, Depends(get_ctx)]
TokenQuery = Annotated[str | None, token_param("consistency_token of a course event", "courses")]
PROVIDER_PATTERN = r"^[a-z0-9][a-z0-9_\-]{0,63}$"
MAX_BOOST_SKILLS = 30
CACHE_PREFIX = "courses:q:"
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


def _career_index() -> tuple[dict[str, Any], dict[str, Any]]:

    by_id = careers_by_id()
    by_label = {c.label.casefold(): c for c in by_id.values()}
    return by_id, by_label


def missing_skills(profile: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """skill_key -> {skill, careers}: skills of the user's target careers the user doesn't have.

    Target careers are ESCO ids (or labels); skills are ordered by their weight in the career profile.
    """
    by_id, by_label = _career_index()
    have = {skill_key(str(s)) for s in profile.get("skills") or []}
    weighted: dict[str, tuple[float, str, list[str]]] = {}
    for target in profile.get("target_careers") or []:
        career = by_id.get(str(target)) or by_label.get(str(target).casefold())
        if career is None:
            continue
        for cs in career.skills:
            key = skill_key(cs.label)
            if key in have:
                continue
            weight, label, careers = weighted.get(key, (0.0, cs.label, []))
            if career.label not in careers:
                careers.append(career.label)
            weighted[key] = (max(weight, cs.weight), label, careers)
    ranked = sorted(weighted.items(), key=lambda kv: (-kv[1][0], kv[0]))[:MAX_BOOST_SKILLS]
    return {key: {"skill": label, "careers": careers} for key, (_, label, careers) in ranked}


async def _profile(ctx: ApiContext, user_id: str) -> dict[str, Any]:
    async with ctx.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute("SELECT skills, target_careers FROM user_profiles WHERE user_id = %s", (user_id,))
        row = await cur.fetchone()
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no profile for user {user_id}")
    return dict(row)


def _explain(hit: dict[str, Any], missing: dict[str, dict[str, Any]], personalised: bool) -> None:
    if not personalised:
        hit["why"] = []
        hit["explanation"] = "Ranked by relevance to your search."
        return
    why = [missing[skill_key(s)] for s in hit["boosted_by"] if skill_key(s) in missing]
    hit["why"] = why
    if why:
        parts = [f"{w['skill']} (needed for {', '.join(w['careers'])})" for w in why]
        hit["explanation"] = "Ranked higher: teaches skills you lack for your target careers: " + "; ".join(
            parts
        )
    else:
        hit["explanation"] = (
            "Ranked by relevance; teaches none of the skills you lack for your target careers."
        )


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
        str | None, Query(pattern=r"^[A-Za-z0-9_.:-]{1,64}$", description="Personalise for this user")
    ] = None,
    consistency_token: TokenQuery = None,
) -> Response:
    """Ranked courses with highlights and facet counts; personalised (and explained) with `user_id`."""
    providers = _split(provider, "provider", 20, 64)
    for p in providers:
        if not _matches(PROVIDER_PATTERN, p):
            raise HTTPException(UNPROCESSABLE, f"provider: invalid name {p!r}")
    levels = [v.lower() for v in _split(level, "level", len(LEVELS), 20)]
    bad_levels = [v for v in levels if v not in LEVELS]
    if bad_levels:
        raise HTTPException(UNPROCESSABLE, f"level: {bad_levels} not in {list(LEVELS)}")
    skill_filter = _split(skills, "skills", 20, 100)
    if (page - 1) * size >= 10_000:
        raise HTTPException(UNPROCESSABLE, "page * size must stay below 10,000")
    missing: dict[str, dict[str, Any]] = {}
    if user_id is not None:
        authorize(principal, user_id, write=False)
        missing = missing_skills(await _profile(ctx, user_id))
    await wait_for_token(
        ctx.pool,
        "course_catalog",
        ctx.topics("courses"),
        consistency_token,
        ctx.settings.consistency_wait_ms,
    )
    request_key = json.dumps(
        [
            q.strip(),
            providers,
            levels,
            max_hours,
            free,
            skill_filter,
            page,
            size,
            user_id,  # the body names the user: never share a personalised entry between users
            missing,  # a profile change changes the missing skills, hence the key
        ],
        sort_keys=True,
        separators=(",", ":"),
    )
    digest = hashlib.blake2b(request_key.encode(), digest_size=16).hexdigest()
    # One round trip: the current generation and the entry cached under it (if any).
    raw_generation, cached = await _lookup_script(ctx)(
        keys=[ctx.settings.redis_prefix + GENERATION_KEY],
        args=[f"{ctx.settings.redis_prefix}{CACHE_PREFIX}", digest],
    )
    generation = raw_generation.decode() if isinstance(raw_generation, bytes) else str(raw_generation)
    cache_key = f"{ctx.settings.redis_prefix}{CACHE_PREFIX}{generation}:{digest}"
    if cached:
        return Response(cached, media_type="application/json", headers={"x-cache": "hit"})
    query = SearchQuery(
        text=q,
        providers=providers or None,
        levels=levels or None,
        max_duration_hours=max_hours,
        is_free=free,
        skills=skill_filter or None,
        boost_skills=[m["skill"] for m in missing.values()],
        offset=(page - 1) * size,
        limit=size,
    )
    results = await asyncio.to_thread(reader_for(ctx.settings).search, query, generation)
    body: dict[str, Any] = {
        "total": 0,
        "page": page,
        "size": size,
        "results": [],
        "facets": {},
        "generation": generation,
        "personalised_for": user_id,
        "missing_skills": list(missing.values()),
        "index_ready": results is not None,
    }
    if results is not None:
        hits = [asdict(h) for h in results.hits]
        for hit in hits:
            _explain(hit, missing, user_id is not None)
        body.update(
            total=results.total, results=hits, facets=results.facets, took_ms=round(results.took_ms, 2)
        )
    data = json.dumps(body, separators=(",", ":")).encode()
    await ctx.redis.set(cache_key, data, ex=ctx.settings.course_search_cache_ttl_s)
    return Response(data, media_type="application/json", headers={"x-cache": "miss"})


# Reads the generation and the entry cached under it atomically, in one round trip. The entry key is
# derived inside the script (standalone Redis; on Redis Cluster, hash-tag the prefix instead).
_LOOKUP_LUA = """
local generation = redis.call('GET', KEYS[1]) or '0'
local cached = redis.call('GET', ARGV[1] .. generation .. ':' .. ARGV[2]) or ''
return {generation, cached}
"""
_scripts: dict[int, Any] = {}


def _lookup_script(ctx: ApiContext) -> Any:
    script = _scripts.get(id(ctx.redis))
    if script is None:
        script = _scripts[id(ctx.redis)] = ctx.redis.register_script(_LOOKUP_LUA)
    return script


def _matches(pattern: str, value: str) -> bool:

    return re.fullmatch(pattern, value) is not None


def _course_view(row: dict[str, Any]) -> dict[str, Any]:
    out = {c: row.get(c) for c in COURSES.columns if c != "skills_lower"}
    for ts in ("provider_updated_at", "updated_at"):
        value = out.get(ts)
        if value is not None:
            out[ts] = value.isoformat()
    return out


@router.get("/{course_id:path}", responses=responses(400, 401, 404, 409, 422, 503))
async def get_course(
    course_id: Annotated[str, Path(min_length=3, max_length=300)],
    principal: CurrentPrincipal,
    ctx: Ctx,
    consistency_token: TokenQuery = None,
) -> dict[str, Any]:
    """One course from the catalog of record (`courses`), by `<provider>:<provider_course_id>`."""
    if ":" not in course_id:
        raise HTTPException(UNPROCESSABLE, "course_id is <provider>:<provider_course_id>")
    await wait_for_token(
        ctx.pool,
        "course_catalog",
        ctx.topics("courses"),
        consistency_token,
        ctx.settings.consistency_wait_ms,
    )
    async with ctx.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(f"SELECT * FROM {COURSES.name} WHERE course_id = %s", (course_id,))
        row = await cur.fetchone()
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no course {course_id}")
    return _course_view(row)
