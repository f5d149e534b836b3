"""Publishing a command's event from a route: the request's correlation id goes with it, and a user
whose erasure has started answers 410 (`ApiContext.publish` refuses the event)."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, status
from structlog.contextvars import get_contextvars

from api.context import ApiContext
from api.models import AcceptedEvent
from schemas.events import new_event
from schemas.keystore import SubjectErased


def erased() -> HTTPException:
    """The answer to a command about a user whose data was (or is being) erased."""
    return HTTPException(status.HTTP_410_GONE, "this user's data was erased")


async def publish_command(
    ctx: ApiContext, event_type: str, user_id: str, payload: dict[str, Any]
) -> AcceptedEvent:
    """Publish the event; where it landed and its consistency token, or 410 for an erased user."""
    # The request's correlation id (bound by the middleware) follows the event through the system.
    event = new_event(
        event_type, user_id, payload, producer="api", correlation_id=get_contextvars().get("correlation_id")
    )
    try:
        pos = await ctx.publish(event)
    except SubjectErased as exc:
        raise erased() from exc
    return AcceptedEvent.of(event.event_id, event_type, pos)
