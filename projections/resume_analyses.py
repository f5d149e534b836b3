"""The resume analysis read model: one row per upload, pending until its analysis arrives.

ResumeUploaded -> row `pending` + the `analyze_resume` effect (the worker runs the engine and publishes
ResumeAnalyzed); ResumeAnalyzed -> row `done` / `failed` with the analysis; ErasureRequested (topic
`users`) -> the user's rows are deleted, a tombstone ignores their resume events still in flight (the
two topics are not ordered with each other), and the `delete_resume_blobs` effect removes the files.
"""

from __future__ import annotations

import json
from typing import Any

from projections.framework import (
    Change,
    DeleteWhere,
    Effect,
    InvalidEvent,
    Key,
    Projection,
    State,
    Table,
    Upsert,
)
from schemas.events import Event
from schemas.payloads import ConsentChangedPayload, ResumeAnalyzedPayload, ResumeUploadedPayload

RESUME_ANALYSES = Table(
    name="resume_analyses",
    key_columns=("resume_id",),
    columns=(
        "resume_id",
        "user_id",
        "status",
        "blob_sha256",
        "file_name",
        "media_type",
        "size_bytes",
        "target_role",
        "failure_reason",
        "overall_score",
        "skills",
        "analysis",
        "analyzer_version",
        "uploaded_at",
        "analyzed_at",
        "last_event_id",
    ),
    json_columns=frozenset({"skills", "analysis"}),
)

ERASED_USERS = Table(
    name="resume_erased_users",
    key_columns=("user_id",),
    columns=("user_id", "erased_at"),
)

CONSENT = Table(
    name="resume_consent",
    key_columns=("user_id",),
    columns=("user_id", "granted", "changed_at"),
)
PURPOSE = "resume_analysis"
NO_CONSENT = f"not processed: no consent for {PURPOSE}"

# `skipped`: uploaded while consent for resume analysis was withdrawn; never analysed.
FINAL_STATUSES = ("done", "failed", "skipped")


def without_nul(value: Any) -> Any:
    """Postgres text and jsonb can't hold NUL characters (PDF text extraction can yield them)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [without_nul(v) for v in value]
    if isinstance(value, dict):
        return {without_nul(k): without_nul(v) for k, v in value.items()}
    return value


def resume_id_of(event: Event) -> str:
    """The upload a ResumeUploaded or ResumeAnalyzed event is about."""
    if event.event_type == "ResumeUploaded":
        return event.payload_as(ResumeUploadedPayload)["resume_id"]
    return event.payload_as(ResumeAnalyzedPayload)["resume_id"]


def empty_row(resume_id: str, user_id: str) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(RESUME_ANALYSES.columns)
    row.update(resume_id=resume_id, user_id=user_id, status="pending", skills=[])
    return row


class ResumeAnalysisProjection(Projection):
    name = "resume_analyses"
    topics = ("resumes", "users")
    tables = (RESUME_ANALYSES, ERASED_USERS, CONSENT)
    event_types = frozenset({"ResumeUploaded", "ResumeAnalyzed", "ErasureRequested", "ConsentChanged"})

    def reads(self, event: Event) -> list[tuple[str, Key]]:
        if event.event_type in ("ResumeUploaded", "ResumeAnalyzed"):
            return [
                (RESUME_ANALYSES.name, (resume_id_of(event),)),
                (ERASED_USERS.name, (event.subject_id,)),
                (CONSENT.name, (event.subject_id,)),
            ]
        if (
            event.event_type == "ConsentChanged"
            and event.payload_as(ConsentChangedPayload)["purpose"] == PURPOSE
        ):
            return [(CONSENT.name, (event.subject_id,))]
        if event.event_type == "ErasureRequested":
            # Not read, but locked: the `resumes` agent's batch about this user must not interleave with
            # the erasure (else an upload projected meanwhile survives it as a "pending" row).
            return [(ERASED_USERS.name, (event.subject_id,))]
        return []

    def apply(self, state: State, event: Event) -> list[Change]:
        user_id = event.subject_id
        if event.event_type == "ErasureRequested":
            return [
                DeleteWhere(RESUME_ANALYSES.name, "user_id", user_id),
                Upsert(ERASED_USERS.name, {"user_id": user_id, "erased_at": event.occurred_at}),
                Effect("delete_resume_blobs", {"event_id": event.event_id, "subject_id": user_id}),
            ]
        if event.event_type == "ConsentChanged":
            change = event.payload_as(ConsentChangedPayload)
            if change["purpose"] != PURPOSE:
                return []
            granted = bool(change["granted"])
            consent_row = {"user_id": user_id, "granted": granted, "changed_at": event.occurred_at}
            changes: list[Change] = [Upsert(CONSENT.name, consent_row)]
            if not granted:
                # Withdrawal removes what was derived for the purpose: analyses and the uploaded files.
                changes += [
                    DeleteWhere(RESUME_ANALYSES.name, "user_id", user_id),
                    Effect("delete_resume_blobs", {"event_id": event.event_id, "subject_id": user_id}),
                ]
            return changes
        if event.event_type not in ("ResumeUploaded", "ResumeAnalyzed"):
            return []
        # Erased already (tombstone), or the key is gone (personal fields redacted): nothing to keep.
        if state.get(ERASED_USERS.name, (user_id,)) is not None or event.redacted:
            return []
        resume_id = str(resume_id_of(event))
        current = state.get(RESUME_ANALYSES.name, (resume_id,))
        if current is not None and current["user_id"] != user_id:
            raise InvalidEvent(f"resume {resume_id} belongs to another user")
        if event.event_type == "ResumeUploaded":
            if current is not None and current["status"] in FINAL_STATUSES:
                return []  # a repeated upload event must not send a finished analysis back to pending
            upload = event.payload_as(ResumeUploadedPayload)
            row = empty_row(resume_id, user_id)
            row.update(
                blob_sha256=upload["blob_sha256"],
                file_name=upload["file_name"],
                media_type=upload["media_type"],
                size_bytes=upload["size_bytes"],
                target_role=upload["target_role"],
                uploaded_at=event.occurred_at,
                last_event_id=event.event_id,
            )
            consent = state.get(CONSENT.name, (user_id,))
            if consent is not None and not consent["granted"]:
                # Not analysed and not kept: the row says why, the file goes.
                row.update(status="skipped", failure_reason=NO_CONSENT, file_name=None, blob_sha256=None)
                return [
                    Upsert(RESUME_ANALYSES.name, without_nul(row)),
                    Effect("delete_resume_blobs", {"event_id": event.event_id, "subject_id": user_id}),
                ]
            return [
                Upsert(RESUME_ANALYSES.name, without_nul(row)),
                Effect("analyze_resume", {"event_id": event.event_id, "resume_id": resume_id}),
            ]
        p = event.payload_as(ResumeAnalyzedPayload)
        status = p["status"]
        if status not in FINAL_STATUSES:
            raise InvalidEvent(f"ResumeAnalyzed.status must be one of {FINAL_STATUSES}, not {status!r}")
        try:
            analysis = json.loads(p["analysis"]) if p["analysis"] else None
        except json.JSONDecodeError as exc:
            raise InvalidEvent(f"ResumeAnalyzed.analysis is not JSON: {exc}") from exc
        row = dict(current) if current is not None else empty_row(resume_id, user_id)
        row.update(
            status=status,
            failure_reason=p["failure_reason"],
            overall_score=p["overall_score"],
            skills=list(p["skills"] or []),
            analysis=analysis,
            analyzer_version=p["analyzer_version"],
            analyzed_at=event.occurred_at,
            last_event_id=event.event_id,
        )
        return [Upsert(RESUME_ANALYSES.name, without_nul(row))]
