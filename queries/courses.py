"""Course search and details: the tantivy index (search) and the `courses` table (details).

Query results are cached in Redis under a key that includes the catalog generation (the newest course
event the `course_catalog` projection applied, written by the worker after the index commit and before
the Postgres commit): once an update is projected, every query computes a new key, so a result cached
before the update can never be served again. An API process reloads its index searcher when it sees a
new generation (`queries.course_index`), so the search it caches under that generation includes the
update.

Personalised searches boost the courses teaching the skills the user lacks for their target careers
(`skill_gaps`, computed by `engines.recommendation.explain`), and every hit says why.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from psycopg.rows import dict_row

from engines.course_search.query import SearchQuery
from engines.recommendation.explain import MissingSkill, course_hit_reason, target_skill_gaps
from projections.course_catalog import COURSES, GENERATION_KEY, CourseCatalogProjection
from queries.consistency import wait_until_applied
from queries.course_index import reader_for
from queries.profiles import skills_and_targets
from queries.stores import ReadStores

CACHE_PREFIX = "courses:q:"


@dataclass(frozen=True)
class CourseSearch:
    """A search as the caller asked it (validated and normalised by the API)."""

    text: str = ""
    providers: list[str] = field(default_factory=list)
    levels: list[str] = field(default_factory=list)
    max_hours: float | None = None
    free: bool | None = None
    skills: list[str] = field(default_factory=list)
    page: int = 1
    size: int = 10
    # Personalised for this user, boosting these missing skills (`skill_gaps`); None: not personalised.
    user_id: str | None = None
    gaps: Mapping[str, MissingSkill] = field(default_factory=dict)


@dataclass(frozen=True)
class SearchAnswer:
    """The response body as JSON bytes (what the cache holds), and whether it came from the cache."""

    body: bytes
    cache_hit: bool


async def skill_gaps(stores: ReadStores, user_id: str) -> dict[str, MissingSkill] | None:
    """The skills the user lacks for their target careers (skill key -> skill and careers, the most
    central first); None when the user has no profile."""
    profile = await skills_and_targets(stores, user_id)
    if profile is None:
        return None
    skills, targets = profile
    return target_skill_gaps(skills, targets)


def _request_digest(search: CourseSearch) -> str:
    request_key = json.dumps(
        [
            search.text.strip(),
            search.providers,
            search.levels,
            search.max_hours,
            search.free,
            search.skills,
            search.page,
            search.size,
            search.user_id,  # the body names the user: never share a personalised entry between users
            search.gaps,  # a profile change changes the missing skills, hence the key
        ],
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.blake2b(request_key.encode(), digest_size=16).hexdigest()


async def search(stores: ReadStores, search: CourseSearch, token: str | None = None) -> SearchAnswer:
    """Ranked courses with highlights and facet counts (cached per catalog generation), no older than
    `token`'s course event; each hit explains its rank (`why`, `explanation`)."""
    await wait_until_applied(stores, CourseCatalogProjection, token)
    settings = stores.settings
    digest = _request_digest(search)
    # One round trip: the current generation and the entry cached under it (if any).
    raw_generation, cached = await _lookup_script(stores)(
        keys=[settings.redis_prefix + GENERATION_KEY],
        args=[f"{settings.redis_prefix}{CACHE_PREFIX}", digest],
    )
    generation = raw_generation.decode() if isinstance(raw_generation, bytes) else str(raw_generation)
    if cached:
        return SearchAnswer(cached, cache_hit=True)
    query = SearchQuery(
        text=search.text,
        providers=search.providers or None,
        levels=search.levels or None,
        max_duration_hours=search.max_hours,
        is_free=search.free,
        skills=search.skills or None,
        boost_skills=[m["skill"] for m in search.gaps.values()],
        offset=(search.page - 1) * search.size,
        limit=search.size,
    )
    results = await asyncio.to_thread(reader_for(settings).search, query, generation)
    body: dict[str, Any] = {
        "total": 0,
        "page": search.page,
        "size": search.size,
        "results": [],
        "facets": {},
        "generation": generation,
        "personalised_for": search.user_id,
        "missing_skills": list(search.gaps.values()),
        "index_ready": results is not None,
    }
    if results is not None:
        hits = [asdict(h) for h in results.hits]
        for hit in hits:
            hit["why"], hit["explanation"] = course_hit_reason(
                hit["boosted_by"], search.gaps, search.user_id is not None
            )
        body.update(
            total=results.total, results=hits, facets=results.facets, took_ms=round(results.took_ms, 2)
        )
    data = json.dumps(body, separators=(",", ":")).encode()
    cache_key = f"{settings.redis_prefix}{CACHE_PREFIX}{generation}:{digest}"
    await stores.redis.set(cache_key, data, ex=settings.course_search_cache_ttl_s)
    return SearchAnswer(data, cache_hit=False)


# Reads the generation and the entry cached under it atomically, in one round trip. The entry key is
# derived inside the script (standalone Redis; on Redis Cluster, hash-tag the prefix instead).
_LOOKUP_LUA = """
local generation = redis.call('GET', KEYS[1]) or '0'
local cached = redis.call('GET', ARGV[1] .. generation .. ':' .. ARGV[2]) or ''
return {generation, cached}
"""
_scripts: dict[int, Any] = {}


def _lookup_script(stores: ReadStores) -> Any:
    """The lookup script registered on this Redis client (once per client)."""
    script = _scripts.get(id(stores.redis))
    if script is None:
        script = _scripts[id(stores.redis)] = stores.redis.register_script(_LOOKUP_LUA)
    return script


def _course_view(row: dict[str, Any]) -> dict[str, Any]:
    out = {c: row.get(c) for c in COURSES.columns if c != "skills_lower"}
    for ts in ("provider_updated_at", "updated_at"):
        value = out.get(ts)
        if value is not None:
            out[ts] = value.isoformat()
    return out


async def course(stores: ReadStores, course_id: str, token: str | None = None) -> dict[str, Any] | None:
    """One course from the catalog of record, no older than `token`'s course event; None if absent."""
    await wait_until_applied(stores, CourseCatalogProjection, token)
    async with stores.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(f"SELECT * FROM {COURSES.name} WHERE course_id = %s", (course_id,))
        row = await cur.fetchone()
    return None if row is None else _course_view(row)
