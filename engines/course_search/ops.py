"""Index operations in log order, and applying a batch of them to an index idempotently."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from engines.course_search.index import CourseSearchIndex

# An index op: ("upsert", course document with course_id) or ("remove", course_id).
IndexOp = tuple[str, Any]


def last_op_per_course(ops: Iterable[IndexOp]) -> tuple[list[Mapping[str, Any]], list[str]]:
    """Upserts and removals, keeping only the last op of each course (ops are in log order)."""
    latest: dict[str, IndexOp] = {}
    for kind, value in ops:
        course_id = value["course_id"] if kind == "upsert" else value
        latest.pop(course_id, None)  # re-insert so dict order follows the last op
        latest[course_id] = (kind, value)
    upserts = [v for k, v in latest.values() if k == "upsert"]
    removals = [v for k, v in latest.values() if k == "remove"]
    return upserts, removals


def stage_ops(index: CourseSearchIndex, ops: Sequence[IndexOp]) -> int:
    """Stage a batch of ops without committing; idempotent (replace by id, delete by id)."""
    upserts, removals = last_op_per_course(ops)
    return index.apply(upserts, removals)


def apply_ops(index: CourseSearchIndex, ops: Sequence[IndexOp]) -> int:
    """Stage and commit a batch of ops."""
    count = stage_ops(index, ops)
    index.commit()
    return count
