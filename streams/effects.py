"""Effect handlers: the side effects projections ask for (`Effect(kind, args)`), run before a batch commits.

Each handler must be idempotent: a batch that crashes before its commit is redelivered and its effects
run again. Handlers get the worker's runtime (producer, keystore, settings) and the causing event.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from projections.registry import erasing_read_models
from schemas.events import Event, new_event
from streams import chat_effect, resume_analysis_effect
from streams.course_index import course_index_effect
from streams.effect_support import EffectFn, derived_event_id

if TYPE_CHECKING:
    from streams.runtime import WorkerRuntime


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


def effect_handlers(worker_projections: str) -> dict[str, EffectFn]:
    """Every effect kind a projection may return, by name (`worker_projections`: the projections this
    process runs, empty for all; heavy handlers warm their models only where they will be used)."""
    return {
        "destroy_key": destroy_key,
        "announce_erasure": announce_erasure,
        "analyze_resume": resume_analysis_effect.analyze_resume_handler(worker_projections),
        "delete_resume_blobs": resume_analysis_effect.delete_resume_blobs,
        "course_index": course_index_effect,  # issue 5: course search index (streams.course_index)
        "chat_reply": chat_effect.chat_reply_handler(worker_projections),  # issue 13: the career chatbot
    }
