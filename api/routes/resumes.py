"""Resumes: upload (screened by content, stored encrypted, ResumeUploaded) and the analysis query.

Upload answers 413 / 415 / 422 with `{"code", "reason"}` for files the engine's intake refuses (too
large, not a PDF/DOCX/TXT by content, empty, encrypted, corrupt, no text layer, zip bomb); accepted
files go to the blob store under their sha256 and the analysis worker picks up the event. An upload
racing an erasure of the same user answers 410 or succeeds, and leaves no file behind the erasure.
"""

from __future__ import annotations

import asyncio
import errno
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Path, UploadFile, status
from pydantic import BaseModel
from structlog.contextvars import get_contextvars

from api.access_audit import audited, personal_fields
from api.auth import CurrentPrincipal, authorize
from api.commands import erased
from api.context import ApiContext
from api.dependencies import Ctx, ResumeAnalysisToken, UserIdPath
from api.errors import responses
from api.guards import UploadLimited, erasure_started
from api.models import NO_NUL, AcceptedEvent, hostile_value
from engines.resume_analysis import FileType, IntakeLimits, screen
from queries import resumes
from schemas.events import new_event
from schemas.keystore import SubjectErased
from streams.blob_store import PersonalBlobs, blob_store_from_settings

router = APIRouter(prefix="/users", tags=["resumes"])

ResumeIdPath = Annotated[str, Path(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]

MEDIA_TYPES = {
    FileType.PDF: "application/pdf",
    FileType.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileType.TXT: "text/plain",
}
_CHUNK = 256 * 1024


class ResumeAccepted(AcceptedEvent):
    resume_id: str
    blob_sha256: str
    media_type: str
    size_bytes: int


class ResumeAnalysisOut(BaseModel):
    resume_id: str
    user_id: str
    status: str  # pending | done | failed | skipped (no consent for resume_analysis: see failure_reason)
    failure_reason: str | None
    file_name: str | None
    media_type: str | None
    size_bytes: int | None
    target_role: str | None
    overall_score: float | None
    skills: list[str]
    analysis: dict[str, Any] | None
    analyzer_version: str | None
    uploaded_at: str | None
    analyzed_at: str | None


def _clean_file_name(raw: str | None) -> str:
    """The base name without control characters, at most 255 characters ("resume" if nothing is left)."""
    base = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()
    return cleaned[:255] or "resume"


def _reject(code: int, reason_code: str, reason: str) -> HTTPException:
    return HTTPException(code, {"code": reason_code, "reason": reason})


async def _read_capped(upload: UploadFile, limit: int) -> bytes:
    """Read at most `limit` bytes; 413 as soon as the file is longer (never buffers more than that)."""
    chunks: list[bytes] = []
    size = 0
    while chunk := await upload.read(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise _reject(
                status.HTTP_413_CONTENT_TOO_LARGE,
                "file_too_large",
                f"The file is larger than the limit of {limit / 1048576:.1f} MB.",
            )
        chunks.append(chunk)
    return b"".join(chunks)


async def _store_unless_erased(ctx: ApiContext, blobs: PersonalBlobs, user_id: str, data: bytes) -> str:
    """Store the file unless an erasure of the user started (410); see `api.guards` for why checking
    before and after the write leaves no file behind an erasure."""
    if await erasure_started(ctx, user_id):
        raise erased()
    try:
        sha256 = await asyncio.to_thread(blobs.put, user_id, data)
    except SubjectErased as exc:
        raise erased() from exc
    except OSError as exc:
        # The erasure removed the user's folder while the file was being written into it.
        if await erasure_started(ctx, user_id):
            await asyncio.to_thread(blobs.delete_owner, user_id)
            raise erased() from None
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            # Blob storage full (`careerstream chaos disk-full`): the store removed its temp file and
            # nothing was published; say so instead of a bare 500.
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE,
                "resume storage is full; retry later",
                headers={"Retry-After": "30"},
            ) from None
        raise
    if await erasure_started(ctx, user_id):
        await asyncio.to_thread(blobs.delete_owner, user_id)
        raise erased()
    return sha256


@router.post(
    "/{user_id}/resumes",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ResumeAccepted,
    responses=responses(400, 401, 403, 410, 413, 415, 422, 429, 503),
    dependencies=[UploadLimited],
)
async def upload_resume(
    user_id: UserIdPath,
    principal: CurrentPrincipal,
    ctx: Ctx,
    file: Annotated[UploadFile, File(description="PDF, DOCX or TXT (type detected from content)")],
    target_role: Annotated[
        str | None,
        Form(max_length=200, pattern=NO_NUL, description="career id or title to match keywords against"),
    ] = None,
    job_description: Annotated[str | None, Form(max_length=20000, pattern=NO_NUL)] = None,
) -> ResumeAccepted:
    """Upload a resume (ResumeUploaded); poll the analysis with the returned ids and token."""
    authorize(principal, user_id, write=True)
    for name, value in (("target_role", target_role), ("job_description", job_description)):
        problem = hostile_value(value)
        if problem:
            raise HTTPException(422, f"{name}: {problem}")
    limit = ctx.settings.resume_max_bytes
    data = await _read_capped(file, limit)
    file_name = _clean_file_name(file.filename)
    screened = await asyncio.to_thread(screen, data, file_name, IntakeLimits(max_bytes=limit))
    if screened.rejection is not None or screened.file_type is None:
        rejection = screened.rejection
        if rejection is None:
            raise _reject(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, "unsupported_type", "Unsupported file.")
        raise _reject(rejection.http_status, rejection.code.value, rejection.reason)
    blobs = PersonalBlobs(blob_store_from_settings(ctx.settings), ctx.serde.keystore)
    sha256 = await _store_unless_erased(ctx, blobs, user_id, data)
    try:
        resume_id = str(uuid.uuid4())
        event = new_event(
            "ResumeUploaded",
            user_id,
            {
                "resume_id": resume_id,
                "blob_sha256": sha256,
                "file_name": file_name,
                "media_type": MEDIA_TYPES[screened.file_type],
                "size_bytes": len(data),
                "target_role": "".join(ch for ch in target_role or "" if ch.isprintable()).strip() or None,
                "job_description": (job_description or "").strip() or None,
            },
            producer="api",
            correlation_id=get_contextvars().get("correlation_id"),
        )
        pos = await ctx.publish(event)
    except SubjectErased as exc:
        await asyncio.to_thread(blobs.delete_owner, user_id)
        raise erased() from exc
    accepted = AcceptedEvent.of(event.event_id, event.event_type, pos)
    return ResumeAccepted(
        **accepted.model_dump(),
        resume_id=resume_id,
        blob_sha256=sha256,
        media_type=MEDIA_TYPES[screened.file_type],
        size_bytes=len(data),
    )


@router.get(
    "/{user_id}/resumes/{resume_id}/analysis",
    response_model=ResumeAnalysisOut,
    responses=responses(400, 401, 403, 404, 409, 422, 503),
    dependencies=[audited("resume_analyses", personal_fields("resume_analyses"))],
)
async def get_resume_analysis(
    user_id: UserIdPath,
    resume_id: ResumeIdPath,
    principal: CurrentPrincipal,
    ctx: Ctx,
    consistency_token: ResumeAnalysisToken = None,
) -> dict[str, Any]:
    """The analysis of one upload: `pending`, `done` (with the analysis) or `failed` (with the reason).
    With the upload's `consistency_token`, never "not found" for an accepted upload."""
    authorize(principal, user_id, write=False)
    analysis = await resumes.analysis(ctx, user_id, resume_id, consistency_token)
    if analysis is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no resume {resume_id} for user {user_id}")
    return analysis
