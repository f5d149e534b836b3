"""What every effect handler shares: its type, and stable ids for the events it derives."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from schemas.events import Event

if TYPE_CHECKING:
    from streams.runtime import WorkerRuntime

EffectFn = Callable[["WorkerRuntime", Mapping[str, Any], Event], Awaitable[None]]

# Event ids of events derived from another event are stable (uuid5 of the cause), so a repeat after a
# redelivery is a recognisable duplicate for every consumer.
_DERIVED_NS = uuid.UUID("6f1c2a4e-2d4b-4e55-9a77-0c6f3a9d8e11")


def derived_event_id(cause: Event, kind: str) -> str:
    """Deterministic id for the event of type `kind` that `cause` gives rise to."""
    return str(uuid.uuid5(_DERIVED_NS, f"{kind}:{cause.event_id}"))
