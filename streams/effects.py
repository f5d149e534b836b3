"""Effect handlers: the side effects projections ask for (`Effect(kind, args)`), run before a batch commits.

Each handler must be idempotent: a batch that crashes before its commit is redelivered and its effects
run again. Handlers get the worker's runtime (producer, keystore, settings) and the causing event.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from engines.course_search.live import course_index_effect
from projections.registry import erasing_read_models
from schemas.events import Event, new_event
from streams import chat_effect, resume_analysis_effect

if TYPE_CHECKING:
    from streams.runtime import WorkerRuntime

EffectFn = Callable[["WorkerRuntime", Mapping[str, Any], Event], Awaitable[None]]

# Event ids of events derived from another event are stable (uuid5 of the cause), so a repeat after a
# redelivery is a recognisable duplicate for every consumer.
_DERIVED_NS = uuid.UUID("6f1c2a4e-2d4b-4e55-9a77-0c6f3a9d8e11")


def derived_event_id(cause: Event, kind: str) -> str:
    """Deterministic id for the event of type `kind` that `cause` gives rise to."""
    return str(uuid.uuid5(_DERIVED_NS, f"{kind}:{cause.event_id}"))


async def destroy_key(rt: WorkerRuntime, args: Mapping[str, Any], event: Event) -> None:
    """Crypto-shred the subject (idempotent)."""
    await asyncio.to_thread(rt.serde.keystore.destroy, str(args["subject_id"]))


async def announce_erasure(rt: WorkerRuntime, args: Mapping[str, Any], event: Event) -> None:
    """Publish ErasureCompleted for an ErasureRequested (same id on every repeat)."""
    completed = new_event(
        "ErasureCompleted",
        event.subject_id,
        {"keys_destroyed": True, "projections_cleared": erasing_read_models()},
        producer=f"worker:{rt.settings.worker_id}",
        caused_by=event,
    )
    await rt.producer.publish(replace(completed, event_id=derived_event_id(event, "ErasureCompleted")))


def effect_handlers() -> dict[str, EffectFn]:
    """Every effect kind a projection may return, by name."""
    return {
        "destroy_key": destroy_key,
        "announce_erasure": announce_erasure,
        "analyze_resume": resume_analysis_effect.analyze_resume_handler(),
        "delete_resume_blobs": resume_analysis_effect.delete_resume_blobs,
        "course_index": course_index_effect,  # issue 5: course search index (engines.course_search.live)
        "chat_reply": chat_effect.chat_reply_handler(),  # issue 13: the career chatbot
    }
