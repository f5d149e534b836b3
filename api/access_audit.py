"""Access audit: every successful read or export of a person's data through the API becomes a
`PersonalDataAccessed` event on the audit topic (who, role, whose data, which read model and personal
fields, purpose, when, correlation id), hash-chained per partition by the worker's audit notary.

The event is published after the response is sent (a FastAPI background task, so a read pays no
broker round trip); a read that fails (403, 404, 409) records nothing. A process killed between the
response and the broker's acknowledgement can lose that one record; failures are logged and counted
in `careerstream_audit_publish_failures_total`.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

import structlog
from fastapi import BackgroundTasks, Depends, Request
from prometheus_client import Counter
from structlog.contextvars import get_contextvars

from api.auth import CurrentPrincipal, Principal
from api.context import ApiContext
from api.dependencies import Ctx
from projections.registry import all_projections
from schemas.catalog import load_catalog
from schemas.events import new_event

log = structlog.get_logger(__name__)

AUDIT_FAILURES = Counter(
    "careerstream_audit_publish_failures_total", "Access-audit events the broker did not acknowledge"
)

PURPOSE_BY_ROLE = {
    "user": "self_service",
    "service": "service",
    "auditor": "gdpr_audit",
    "admin": "operations",
}


@cache
def personal_fields(projection_name: str) -> tuple[str, ...]:
    """Personal fields (schema marks) of the event types a read model is built from."""
    (projection,) = [p for p in all_projections() if p.name == projection_name]
    catalog = load_catalog()
    types: Iterable[str] = projection.event_types or catalog.by_name
    return tuple(sorted({f for t in types for f in catalog.get(t).personal_fields}))


async def publish_access(
    ctx: ApiContext, principal: Principal, subject_id: str, resource: str, fields: list[str], purpose: str,
    method: str, path: str, correlation_id: str | None,
) -> None:  # fmt: skip
    event = new_event(
        "PersonalDataAccessed",
        subject_id,
        {
            "accessor": principal.subject,
            "accessor_role": principal.role,
            "resource": resource,
            "fields": fields,
            "purpose": purpose,
            "http_method": method,
            "path": path,
        },
        producer="api",
        correlation_id=correlation_id,
    )
    try:
        await ctx.producer.publish(event)
    except Exception as exc:
        AUDIT_FAILURES.inc()
        log.error("access_audit_failed", error=str(exc), subject_id=subject_id, resource=resource)


def audited(resource: str, fields: tuple[str, ...] = (), purpose: str | None = None) -> Any:
    """Route dependency: on success, record that the caller read `resource` about the user in the path
    (or the `subject` query parameter)."""

    async def record(
        request: Request,
        background: BackgroundTasks,
        principal: CurrentPrincipal,
        ctx: Ctx,
    ) -> None:
        subject = request.path_params.get("user_id") or request.query_params.get("subject")
        if not subject or not ctx.settings.access_audit:
            return
        background.add_task(
            publish_access,
            ctx,
            principal,
            subject,
            resource,
            list(fields),
            purpose or PURPOSE_BY_ROLE.get(principal.role, principal.role),
            request.method,
            request.url.path,
            get_contextvars().get("correlation_id"),
        )

    return Depends(record)
