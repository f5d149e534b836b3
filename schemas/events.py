"""The in-process representation of an event: an envelope plus a payload of plain values."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from schemas.catalog import load_catalog


@dataclass(frozen=True)
class Event:
    """One domain event. `payload` holds plain (decrypted) values; `redacted` names personal fields
    whose data key was destroyed (erasure), which decode as None."""

    event_type: str
    subject_id: str
    payload: Mapping[str, Any]
    event_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    occurred_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    correlation_id: str = ""
    causation_id: str | None = None
    producer: str = "api"
    schema_version: int = 0  # 0 = "the current version of this event type", filled by `new_event`
    redacted: frozenset[str] = frozenset()

    @property
    def topic(self) -> str:
        """Logical topic of this event type."""
        return load_catalog().get(self.event_type).topic

    @property
    def occurred_at_ms(self) -> int:
        return int(self.occurred_at.timestamp() * 1000)


def new_event(
    event_type: str,
    subject_id: str,
    payload: Mapping[str, Any],
    *,
    producer: str,
    correlation_id: str | None = None,
    caused_by: Event | None = None,
) -> Event:
    """Create an event of the current schema version; a caused event inherits the correlation id."""
    schema = load_catalog().get(event_type)
    event_id = str(uuid.uuid4())
    if caused_by is not None:
        correlation_id = caused_by.correlation_id
    return Event(
        event_type=event_type,
        subject_id=subject_id,
        payload=dict(payload),
        event_id=event_id,
        correlation_id=correlation_id or event_id,
        causation_id=caused_by.event_id if caused_by else None,
        producer=producer,
        schema_version=schema.version,
    )
