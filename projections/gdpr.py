"""The erasure process manager: on ErasureRequested it destroys the user's data key (crypto-shredding),
records the erasure in a ledger without personal data, and announces ErasureCompleted.

Each read model deletes its own rows when it sees ErasureRequested; this projection only does what no
read model can: the key and the announcement. Both effects are idempotent (destroying twice is a no-op;
ErasureCompleted gets an event id derived from the request, so a repeat is a recognisable duplicate).
"""

from __future__ import annotations

from projections.framework import Change, Effect, Projection, State, Table, Upsert
from schemas.events import Event
from schemas.payloads import ErasureRequestedPayload

ERASURES = Table(
    name="erasures",
    key_columns=("user_id",),
    columns=("user_id", "requested_by", "requested_at", "key_destroyed", "event_id"),
)


class ErasureProjection(Projection):
    name = "gdpr_erasures"
    topics = ("users",)
    tables = (ERASURES,)
    event_types = frozenset({"ErasureRequested"})

    def apply(self, state: State, event: Event) -> list[Change]:
        if event.event_type != "ErasureRequested":
            return []
        return [
            Effect("destroy_key", {"event_id": event.event_id, "subject_id": event.subject_id}),
            Upsert(
                ERASURES.name,
                {
                    "user_id": event.subject_id,
                    "requested_by": event.payload_as(ErasureRequestedPayload)["requested_by"],
                    "requested_at": event.occurred_at,
                    "key_destroyed": True,
                    "event_id": event.event_id,
                },
            ),
            Effect("announce_erasure", {"event_id": event.event_id, "subject_id": event.subject_id}),
        ]
