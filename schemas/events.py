"""The in-process representation of an event: an envelope plus a payload of plain values."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any, TypeVar, cast

from schemas.catalog import load_catalog, may_be_omitted
from schemas.payloads import PAYLOAD_TYPES

P = TypeVar("P", bound=Mapping[str, object])


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

    @classmethod
    def decoded(
        cls,
        event_type: str,
        subject_id: str,
        payload: Mapping[str, Any],
        event_id: str,
        occurred_at: datetime,
        correlation_id: str,
        causation_id: str | None,
        producer: str,
        schema_version: int,
        redacted: frozenset[str],
    ) -> Event:
        """The serde's constructor, every field given: it skips the frozen dataclass's `__init__`,
        which sets each field through `object.__setattr__` and was about a tenth of a replay's time.
        The result is an ordinary frozen `Event` (equal to one built by `Event(...)`, tested)."""
        event = object.__new__(cls)
        event.__dict__.update(
            event_type=event_type,
            subject_id=subject_id,
            payload=payload,
            event_id=event_id,
            occurred_at=occurred_at,
            correlation_id=correlation_id,
            causation_id=causation_id,
            producer=producer,
            schema_version=schema_version,
            redacted=redacted,
        )
        return event

    @property
    def topic(self) -> str:
        """Logical topic of this event type."""
        return load_catalog().get(self.event_type).topic

    @property
    def occurred_at_ms(self) -> int:
        return int(self.occurred_at.timestamp() * 1000)

    def payload_as(self, payload_type: type[P]) -> P:
        """The payload typed as its event type's TypedDict from schemas/payloads.py, so mypy checks the
        field names and types a reader uses: `event.payload_as(ProfileUpdatedPayload)["skills"]`.

        Every field a producer may omit is present, as in a decoded event: a payload built in process
        by `new_event` gets the Avro default (null when there is none) for what it left out, the value
        the serde would write and a reader resolving an older schema would fill in. A decoded payload
        is already complete and comes back as is. TypeError when `payload_type` is not this event
        type's payload (a reader that checked the wrong event type).
        """
        expected = PAYLOAD_TYPES.get(self.event_type)
        if payload_type is not expected:
            raise TypeError(
                f"{self.event_type} payload read as {payload_type.__name__}; "
                f"its type is {expected.__name__ if expected else 'unknown'}"
            )
        fills = _omittable(self.event_type)
        if self.payload.keys() >= fills.keys():  # decoded payloads are complete: no set is built
            return cast(P, self.payload)
        omitted = fills.keys() - self.payload.keys()
        # Copies: a default list or dict must not be shared between events (a reader may change it).
        return cast(P, {**self.payload, **{name: copy.deepcopy(fills[name]) for name in omitted}})


@cache
def _omittable(event_type: str) -> dict[str, Any]:
    """Payload fields a producer may leave out -> what stands in for them (the Avro default, or null)."""
    schema = load_catalog().get(event_type)
    return {
        f["name"]: f.get("default")
        for f in schema.raw["fields"]
        if f["name"] in schema.payload_field_set and may_be_omitted(f)
    }


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
