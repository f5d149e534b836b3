"""The auditor's API: a user's decoded event history and who accessed their data. Auditor and admin
roles only; both reads are themselves audited (PersonalDataAccessed)."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status
from fastapi.responses import StreamingResponse

from api.access_audit import audited
from api.auth import CurrentPrincipal, Principal
from api.context import ApiContext
from api.dependencies import USER_ID_PATTERN, Ctx, UserIdPath
from api.errors import responses
from queries.audit import accesses
from schemas.catalog import TOPIC_PARTITIONS
from streams.replay import replay_log

router = APIRouter(prefix="/audit", tags=["audit"])

# The user's data events; reads of their data (the audit topic) are at /audit/access.
DATA_TOPICS = [t for t in TOPIC_PARTITIONS if t != "audit"]


def require_auditor(principal: Principal) -> None:
    if principal.role not in ("auditor", "admin"):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "auditor or admin role required")


def _in_window(event: dict[str, Any], since: datetime | None, until: datetime | None) -> bool:
    at = datetime.fromisoformat(event["occurred_at"]) if "occurred_at" in event else None
    if at is None:
        return since is None and until is None
    return (since is None or at >= since) and (until is None or at <= until)


def _stream(
    ctx: ApiContext, user_id: str, types: set[str], since: datetime | None, until: datetime | None
) -> Iterator[bytes]:
    """NDJSON lines from a thread reading the log (the read blocks; the event loop must not)."""
    lines: queue.Queue[bytes | None] = queue.Queue(maxsize=1000)

    def read() -> None:
        try:
            for event in replay_log(ctx.settings, subject=user_id, topics=DATA_TOPICS):
                if types and event.get("event_type") not in types:
                    continue
                if _in_window(event, since, until):
                    lines.put(json.dumps(event, default=str).encode() + b"\n")
        finally:
            lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    while (line := lines.get()) is not None:
        yield line


@router.get(
    "/users/{user_id}/events",
    responses={200: {"content": {"application/x-ndjson": {}}}, **responses(401, 403, 422, 503)},
    response_class=StreamingResponse,
    dependencies=[audited("audit_events", ("*",), purpose="gdpr_audit")],
)
async def user_events(
    user_id: UserIdPath,
    principal: CurrentPrincipal,
    ctx: Ctx,
    since: Annotated[datetime | None, Query(description="only events that occurred at or after")] = None,
    until: Annotated[datetime | None, Query(description="only events that occurred at or before")] = None,
    event_type: Annotated[list[str] | None, Query(max_length=20)] = None,
) -> StreamingResponse:
    """The user's decoded event history, one JSON object a line, in log order per partition.
    Personal fields read back as null and are listed in `redacted` once the user's key is destroyed."""
    require_auditor(principal)
    return StreamingResponse(
        _stream(ctx, user_id, set(event_type or ()), since, until), media_type="application/x-ndjson"
    )


@router.get(
    "/access",
    responses=responses(401, 403, 422, 503),
    dependencies=[audited("access_log", purpose="gdpr_audit")],
)
async def access_log(
    principal: CurrentPrincipal,
    ctx: Ctx,
    subject: Annotated[str, Query(pattern=USER_ID_PATTERN, description="whose data")],
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """Who read or exported this user's data (newest first), from the notarized access log."""
    require_auditor(principal)
    return {"subject": subject, "accesses": await accesses(ctx, subject, limit)}
