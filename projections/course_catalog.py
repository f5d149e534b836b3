"""The course catalog read model: Postgres `courses` (catalog of record), the search index, the cache key.

CourseUpserted -> upsert the course row; CourseRemoved -> delete it. The tantivy search index is
maintained by the `course_index` effect (delete-by-id + add, committed before Redis and Postgres are
written), and every batch sets the catalog generation key in Redis to its last event id: API processes
key cached query results by generation, so a result cached before an update is unreachable once the
update is projected (and they reload their index searcher when the generation changes).

Each course event returns a batched `course_index` effect carrying its index op; the applier merges
them into one call per batch (log order kept), so the index is committed once per batch. The ops are a
function of the batch alone, so a redelivered batch produces the same effect.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from engines.course_search.ops import IndexOp
from engines.course_search.record import CourseRecord
from engines.course_search.schema import skill_key
from projections.framework import (
    CacheSet,
    Change,
    Delete,
    Effect,
    InvalidEvent,
    Projection,
    State,
    Table,
    Upsert,
)
from schemas.events import Event
from schemas.payloads import CourseUpsertedPayload


def _course_columns() -> tuple[str, ...]:
    """The `courses` row: the published course record's fields, plus the lower-cased skills the skill
    filter uses and the time of the event that wrote it (one list of fields, in engines/course_search)."""
    columns = [f.name for f in fields(CourseRecord)]
    columns.insert(columns.index("skills") + 1, "skills_lower")
    return (*columns, "updated_at")


COURSES = Table(
    name="courses",
    key_columns=("course_id",),
    columns=_course_columns(),
    json_columns=frozenset({"skills"}),
)

# Redis key (under the configured prefix) holding the newest projected course event id.
GENERATION_KEY = "courses:generation"
INDEX_EFFECT = "course_index"


def course_row(event: Event) -> dict[str, Any]:
    """The `courses` row of a CourseUpserted (InvalidEvent when it can't describe a course)."""
    p = event.payload_as(CourseUpsertedPayload)
    title = (p["title"] or "").strip()
    if not title:
        raise InvalidEvent("CourseUpserted without a title")
    if not p["provider"] or not p["provider_course_id"]:
        raise InvalidEvent("CourseUpserted without provider / provider_course_id")
    skills = [str(s) for s in p["skills"] or []]
    return {
        "course_id": event.subject_id,
        "provider": p["provider"],
        "provider_course_id": p["provider_course_id"],
        "title": title,
        "description": p["description"] or "",
        "url": p["url"],
        "skills": skills,
        "skills_lower": list(dict.fromkeys(skill_key(s) for s in skills)),
        "level": p["level"] or "unknown",
        "language": p["language"] or "en",
        "duration_hours": p["duration_hours"],
        "price": p["price"],
        "currency": p["currency"],
        "is_free": bool(p["is_free"]),
        "availability": p["availability"] or "available",
        "provider_updated_at": p["provider_updated_at"],
        "content_hash": p["content_hash"],
        "updated_at": event.occurred_at,
    }


def index_document(row: dict[str, Any]) -> dict[str, Any]:
    """What the search index stores for a course (a CourseRecord-like payload)."""
    return {k: v for k, v in row.items() if k not in ("skills_lower", "updated_at", "provider_updated_at")}


def index_op(event: Event) -> IndexOp | None:
    """The search-index op of a course event (None: not a course event, or one that describes no
    course, which `apply` refuses). The live projection and the index rebuild both use this."""
    if event.event_type == "CourseUpserted":
        try:
            return ("upsert", index_document(course_row(event)))
        except InvalidEvent:
            return None
    if event.event_type == "CourseRemoved":
        return ("remove", event.subject_id)
    return None


class CourseCatalogProjection(Projection):
    name = "course_catalog"
    topics = ("courses",)
    tables = (COURSES,)
    event_types = frozenset({"CourseUpserted", "CourseRemoved"})

    def apply(self, state: State, event: Event) -> list[Change]:
        changes: list[Change]
        if event.event_type == "CourseUpserted":
            changes = [Upsert(COURSES.name, course_row(event))]  # raises InvalidEvent: dead-lettered
        elif event.event_type == "CourseRemoved":
            changes = [Delete(COURSES.name, (event.subject_id,))]
        else:
            return []
        op = index_op(event)
        changes.insert(0, Effect(INDEX_EFFECT, {"event_id": event.event_id, "op": op}, batched=True))
        changes.append(CacheSet(GENERATION_KEY, event.event_id))
        return changes
