"""The `recommendations` read model: a user's served top-K careers, with courses for their skill gaps.

Redis `recs:<user>` is the serving copy; Postgres (`recommendation_history`, `rec_user_features`,
`rec_consent`) is the record. A reader that misses the Redis copy (none computed yet, or Redis lost its
data and the worker has not restored it: streams/redis_recovery.py) reads the same document from
Postgres, built here by the rule the worker's restore uses too (`served_documents`).
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from engines.reference_data.catalog import careers_by_id
from projections import recommendations
from projections.recommendations import RecommendationProjection, cache_key
from queries.consistency import wait_until_applied
from queries.stores import ReadStores

COURSES_PER_CAREER = 3
COURSES_PER_SKILL = 20  # candidates fetched per skill; a career's courses are ranked over their union
COURSE_CACHE_TTL_S = 300.0
TABLE_CHECK_TTL_S = 60.0  # a positive answer is cached this long, a negative one 5 s


@dataclass(frozen=True)
class NotProcessed:
    """The user's recommendations are not computed on purpose (e.g. consent withdrawn): `reason`."""

    reason: str


async def for_user(
    stores: ReadStores, user_id: str, k: int, with_courses: bool = True, token: str | None = None
) -> dict[str, Any] | NotProcessed | None:
    """The user's top-k careers (no older than `token`'s event), each with up to 3 courses teaching its
    missing skills when `with_courses`; NotProcessed, or None when none were computed yet."""
    await wait_until_applied(stores, RecommendationProjection, token)
    raw = await stores.redis.get(stores.settings.redis_prefix + cache_key(user_id))
    if raw is None:
        raw = await latest_document(stores.pool, user_id)
    if raw is None:
        return None
    doc = json.loads(raw)
    if "not_processed" in doc:
        return NotProcessed(str(doc["not_processed"]))
    items = doc["items"][:k]
    if with_courses and items and await _courses_table_exists(stores):
        by_skill = await _courses_by_skill(stores, {s.lower() for it in items for s in it["missing_skills"]})
        for it in items:
            it["courses"] = courses_for(it["missing_skills"], by_skill)
    doc["items"] = items
    return dict(doc)


# --- The served document from Postgres (the API's fallback, the worker's Redis restore) ---


def _utc_iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def recs_document(row: dict[str, Any]) -> str:
    """The `recs:<user>` value the projection wrote for this `recommendation_history` row."""
    doc = {
        "user_id": row["user_id"],
        "model_version": row["model_version"],
        "computed_at": _utc_iso(row["computed_at"]),
        "event_id": row["event_id"],
        "items": row["items"],
    }
    return json.dumps(doc, separators=(",", ":"))


# Each user's served list is the computation caused by the user's last feature event in log order,
# which is the one at `rec_user_features.updated_at` (the last event's time). Ordering by time alone
# is not log order: with several API processes an event created earlier can reach the log later
# (seen under `careerstream chaos kill-broker`).
_LATEST = """SELECT DISTINCT ON (h.user_id) h.user_id, h.event_id, h.model_version, h.computed_at, h.items
    FROM {history} h JOIN {features} f ON f.user_id = h.user_id {where}
    ORDER BY h.user_id, (h.computed_at = f.updated_at) DESC, h.computed_at DESC, h.event_id DESC"""


async def _consent_table(conn: AsyncConnection[Any]) -> str | None:
    """`rec_consent` where it exists (consent for the recommendations purpose)."""
    name = getattr(recommendations, "REC_CONSENT", None)
    if name is None:
        return None
    cur = await conn.execute("SELECT to_regclass(%s) IS NOT NULL", (name.name,))
    row = await cur.fetchone()
    return name.name if row and row[0] else None


def _not_processed(user_id: str) -> str:
    return json.dumps({"user_id": user_id, "not_processed": recommendations.NO_CONSENT})


async def served_documents(conn: AsyncConnection[Any], user_id: str | None) -> list[tuple[str, str]]:
    """(user id, `recs:<user>` document) of one user, or of every user with `user_id=None`, as the
    projection last wrote them (a withdrawn consent's "not processed" marker comes last)."""
    where = "WHERE h.user_id = %s" if user_id is not None else ""
    query = _LATEST.format(
        history=recommendations.RECOMMENDATION_HISTORY.name,
        features=recommendations.REC_USER_FEATURES.name,
        where=where,
    )
    cur = conn.cursor(row_factory=dict_row)
    await cur.execute(query, (user_id,) if user_id is not None else None)
    out = [(r["user_id"], recs_document(r)) for r in await cur.fetchall()]
    consent = await _consent_table(conn)
    if consent is not None:
        # Consent withdrawn: the projection keeps a "not processed" marker instead of a list.
        cur = await conn.execute(
            f"SELECT user_id FROM {consent} WHERE NOT granted"
            + (" AND user_id = %s" if user_id is not None else ""),
            (user_id,) if user_id is not None else None,
        )
        out += [(u, _not_processed(u)) for (u,) in await cur.fetchall()]
    return out


async def latest_document(pool: AsyncConnectionPool, user_id: str) -> str | None:
    """The user's `recs:<user>` document from Postgres, for a reader that missed it in Redis while
    the worker has not restored it yet (None: the user has none)."""
    async with pool.connection() as conn:
        rows = await served_documents(conn, user_id)
    return rows[-1][1] if rows else None


# --- Courses for the missing skills (the `courses` table of the course catalog) ---


@dataclass
class _Courses:
    """Process-wide cache of courses per skill (the catalog changes slowly; skills repeat across users)."""

    table_checked: dict[str, tuple[float, bool]] = field(default_factory=dict)
    by_skill: dict[tuple[str, str], tuple[float, list[dict[str, Any]]]] = field(default_factory=dict)
    career_ids: frozenset[str] | None = None


_cache = _Courses()


async def _courses_table_exists(stores: ReadStores) -> bool:
    now = time.monotonic()
    db = stores.settings.database_url
    hit = _cache.table_checked.get(db)
    if hit is not None and hit[0] > now:
        return hit[1]
    async with stores.pool.connection() as conn:
        cur = await conn.execute("SELECT to_regclass('courses') IS NOT NULL")
        row = await cur.fetchone()
    exists = bool(row and row[0])
    _cache.table_checked[db] = (now + (TABLE_CHECK_TTL_S if exists else 5.0), exists)
    return exists


async def _courses_by_skill(stores: ReadStores, skills: set[str]) -> dict[str, list[dict[str, Any]]]:
    """Candidate courses per lower-cased skill: cached ones, the rest in one query."""
    db = stores.settings.database_url
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
        async with stores.pool.connection() as conn:
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


async def is_known_career(career_id: str) -> bool:
    """Whether `career_id` names a career of the reference catalog (loaded once, off the event loop)."""
    if _cache.career_ids is None:
        _cache.career_ids = await asyncio.to_thread(lambda: frozenset(careers_by_id()))
    return career_id in _cache.career_ids
