"""The `resume_analyses` projection as a pure function: pending -> done/failed, erasure, tombstones."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from projections.framework import DeleteWhere, Effect, InvalidEvent, State, Upsert
from projections.resume_analyses import ERASED_USERS, RESUME_ANALYSES, ResumeAnalysisProjection
from schemas.events import Event, new_event

RID = "5c2b1c1e-4c4e-4d5a-9a55-0f1f6c1d2e3f"


def uploaded(user: str = "u1") -> Event:
    return new_event(
        "ResumeUploaded",
        user,
        {
            "resume_id": RID,
            "blob_sha256": "a" * 64,
            "file_name": "cv.pdf",
            "media_type": "application/pdf",
            "size_bytes": 100,
            "target_role": "data scientist",
        },
        producer="test",
    )


def analyzed(user: str = "u1", status: str = "done") -> Event:
    return new_event(
        "ResumeAnalyzed",
        user,
        {
            "resume_id": RID,
            "status": status,
            "failure_reason": None if status == "done" else "The file is empty.",
            "overall_score": 77.0 if status == "done" else None,
            "skills": ["Python"],
            "analysis": json.dumps({"score": {"overall": 77}}),
            "analyzer_version": "1.0.0",
        },
        producer="test",
    )


def run(events: list[Event]) -> tuple[State, list[object]]:
    projection = ResumeAnalysisProjection()
    tables = {t.name: t for t in projection.tables}
    state = State(tables, {})
    changes: list[object] = []
    for event in events:
        out = projection.apply(state, event)
        state.apply(out)  # type: ignore[arg-type]
        changes.extend(out)
    return state, changes


def test_upload_is_pending_and_asks_for_analysis_then_done() -> None:
    up = uploaded()
    state, changes = run([up])
    row = state.get(RESUME_ANALYSES.name, (RID,))
    assert row is not None and row["status"] == "pending" and row["file_name"] == "cv.pdf"
    assert Effect("analyze_resume", {"event_id": up.event_id, "resume_id": RID}) in changes
    state, _ = run([up, analyzed()])
    row = state.get(RESUME_ANALYSES.name, (RID,))
    assert row is not None and row["status"] == "done" and row["overall_score"] == 77.0
    assert row["analysis"] == {"score": {"overall": 77}} and row["blob_sha256"] == "a" * 64


def test_a_repeated_upload_does_not_reopen_a_finished_analysis() -> None:
    up = uploaded()
    state, changes = run([up, analyzed("u1", "failed"), up])
    row = state.get(RESUME_ANALYSES.name, (RID,))
    assert row is not None and row["status"] == "failed" and row["failure_reason"] == "The file is empty."
    assert sum(isinstance(c, Effect) for c in changes) == 1


def test_erasure_deletes_rows_files_and_ignores_late_events() -> None:
    erase = new_event("ErasureRequested", "u1", {"requested_by": "u1"}, producer="test")
    state, changes = run([uploaded(), erase, analyzed()])
    assert DeleteWhere(RESUME_ANALYSES.name, "user_id", "u1") in changes
    assert Effect("delete_resume_blobs", {"event_id": erase.event_id, "subject_id": "u1"}) in changes
    assert state.get(ERASED_USERS.name, ("u1",)) is not None
    assert state.get(RESUME_ANALYSES.name, (RID,)) is None  # the late ResumeAnalyzed was ignored
    # An event whose personal fields were shredded is ignored too.
    _, changes = run([replace(uploaded("u2"), redacted=frozenset({"file_name"}))])
    assert changes == []


def test_invalid_events_are_refused() -> None:
    with pytest.raises(InvalidEvent):
        run([uploaded("u1"), analyzed("u2")])  # someone else's resume id
    with pytest.raises(InvalidEvent):
        run([analyzed("u1", "exploded")])
    assert all(isinstance(c, Upsert | Effect) for c in run([uploaded()])[1])


def test_nul_characters_never_reach_postgres() -> None:
    up = new_event(
        "ResumeUploaded",
        "u1",
        {**uploaded().payload, "file_name": "cv\x00.pdf", "target_role": "x\x00y"},
        producer="test",
    )
    done = replace(
        analyzed(),
        payload={**analyzed().payload, "analysis": json.dumps({"summary": "a\x00b", "k\x00": ["\x00"]})},
    )
    state, _ = run([up, done])
    row = state.get(RESUME_ANALYSES.name, (RID,))
    assert row is not None and row["file_name"] == "cv.pdf" and row["target_role"] == "xy"
    assert row["analysis"] == {"summary": "ab", "k": [""]}
