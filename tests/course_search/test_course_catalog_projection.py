"""The course_catalog projection (pure) and the index effect's ops (idempotent, one commit per batch)."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.kafka_publisher import removal_event, upsert_event
from engines.course_search.index import CourseSearchIndex
from engines.course_search.ops import apply_ops, last_op_per_course
from engines.course_search.query import SearchQuery
from engines.course_search.record import CourseRecord, CourseRemoval
from projections.course_catalog import (
    COURSES,
    GENERATION_KEY,
    INDEX_EFFECT,
    CourseCatalogProjection,
    index_document,
    index_op,
)
from projections.framework import CacheSet, Delete, Effect, InvalidEvent, State, Upsert, merge_batched_effects
from queries.course_index import CourseIndexReader


def record(pcid: str, title: str, skills: list[str] | None = None) -> CourseRecord:
    return CourseRecord.create(
        provider="acme", provider_course_id=pcid, title=title, skills=skills or ["Machine  Learning", "SQL"]
    )


def fresh_state() -> State:
    return State({COURSES.name: COURSES}, {})


def test_upsert_row_effect_and_generation() -> None:
    projection = CourseCatalogProjection()
    event = upsert_event(record("1", "Deep Learning"))
    changes = projection.apply(fresh_state(), event)
    effect, upsert, generation = changes
    assert isinstance(effect, Effect) and effect.kind == INDEX_EFFECT
    assert effect.args["event_id"] == event.event_id
    assert isinstance(upsert, Upsert)
    assert upsert.row["course_id"] == "acme:1"
    assert upsert.row["skills"] == ["Machine Learning", "SQL"]
    assert upsert.row["skills_lower"] == ["machine learning", "sql"]
    assert upsert.row["updated_at"] == event.occurred_at
    assert generation == CacheSet(GENERATION_KEY, event.event_id)
    assert effect.batched and effect.args["op"] == ("upsert", index_document(dict(upsert.row)))


def test_one_index_effect_per_batch_carries_every_op_in_order() -> None:
    projection = CourseCatalogProjection()
    state = fresh_state()
    first = projection.apply(state, upsert_event(record("1", "Deep Learning")))
    second = projection.apply(state, upsert_event(record("1", "Deep Learning, 2nd edition")))
    third = projection.apply(state, removal_event(CourseRemoval("acme:2", "acme", "gone")))
    effects = merge_batched_effects(first + second + third)
    merged = [c for c in effects if isinstance(c, Effect)]
    assert len(merged) == 1
    ops = [item["op"] for item in merged[0].args["items"]]
    assert [kind for kind, _ in ops] == ["upsert", "upsert", "remove"]
    assert isinstance(third[1], Delete) and third[1].key == ("acme:2",)
    upserts, removals = last_op_per_course(ops)
    assert [u["title"] for u in upserts] == ["Deep Learning, 2nd edition"] and removals == ["acme:2"]
    assert merged[0].args["event_id"] == first[0].args["event_id"]  # type: ignore[union-attr]


def test_an_upsert_without_title_is_refused() -> None:
    event = upsert_event(record("1", "Title"))
    broken = type(event)(**{**event.__dict__, "payload": {**event.payload, "title": "  "}})
    with pytest.raises(InvalidEvent):
        CourseCatalogProjection().apply(fresh_state(), broken)


def test_index_ops_are_idempotent_and_the_reader_follows_generations(tmp_path: Path) -> None:
    ops = [index_op(upsert_event(record(str(i), f"Course {i} on Rust"))) for i in range(5)]
    ops.append(index_op(removal_event(CourseRemoval("acme:4", "acme", "gone"))))
    batch = [op for op in ops if op is not None]
    index = CourseSearchIndex(tmp_path)
    apply_ops(index, batch)
    reader = CourseIndexReader(tmp_path)
    found = reader.search(SearchQuery(text="rust"), "g1")
    assert found is not None and found.total == 4
    apply_ops(index, batch)  # a redelivered batch converges on the same content
    apply_ops(index, [op for op in batch if op[0] == "upsert"][:1])
    same_generation = reader.search(SearchQuery(text="rust"), "g1")
    assert same_generation is not None and same_generation.total == 4
    new = index_op(upsert_event(record("9", "Rust for embedded")))
    assert new is not None
    apply_ops(index, [new])
    after = reader.search(SearchQuery(text="rust embedded"), "g2")
    assert after is not None and [h.course_id for h in after.hits] == ["acme:9"]
    index.close()
    assert CourseIndexReader(tmp_path / "missing").search(SearchQuery(text="rust"), "g") is None
