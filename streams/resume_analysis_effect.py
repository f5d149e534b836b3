"""Effects of the `resume_analyses` projection: analyse an uploaded resume; delete an erased user's files.

`analyze_resume` reads and decrypts the blob, runs the engine in a thread and publishes ResumeAnalyzed
with an id derived from the upload, so a redelivered upload republishes the same event. It never
raises for a bad file or an engine error: those become ResumeAnalyzed(status=failed, failure_reason),
so nothing a user uploads can stop the worker. LLM feedback is used only when an API key is configured
AND the user granted the `llm_feedback` consent; otherwise the engine's rule-based feedback is used.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import structlog

from engines.reference_data.catalog import load_careers
from engines.resume_analysis import ANALYZER_VERSION, IntakeLimits, LLMSettings, analyze, get_skill_matcher
from kernel.config import Settings
from projections.registry import runs_projection
from schemas.events import Event, new_event
from schemas.keystore import SubjectErased
from schemas.payloads import ResumeUploadedPayload
from streams.blob_store import BlobNotFound, BlobUnreadable, PersonalBlobs, blob_store_from_settings
from streams.effect_support import derived_event_id

if TYPE_CHECKING:
    from streams.effect_support import EffectFn
    from streams.runtime import WorkerRuntime

log = structlog.get_logger(__name__)

TARGET_SKILLS = 20  # skills of a career's profile checked as keywords (highest weight first)
PROJECTION = "resume_analyses"


@lru_cache(maxsize=1)
def _career_index() -> dict[str, Any]:

    index: dict[str, Any] = {}
    for career in load_careers():
        for name in (*career.alt_titles, career.label):  # labels win over alternative titles
            index[name.strip().lower()] = career
        index[career.id] = career
    return index


def target_career(target_role: str | None) -> tuple[dict[str, str] | None, list[str] | None]:
    """The career a target role names (by ESCO id, label or alternative title) and its top skills."""
    if not target_role or not target_role.strip():
        return None, None
    career = _career_index().get(target_role.strip()) or _career_index().get(target_role.strip().lower())
    if career is None:
        return None, None
    skills = [s.label for s in sorted(career.skills, key=lambda s: -s.weight)[:TARGET_SKILLS]]
    return {"id": career.id, "label": career.label}, skills


def _failed(resume_id: str, reason: str, analysis: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "resume_id": resume_id,
        "status": "failed",
        "failure_reason": reason,
        "overall_score": None,
        "skills": [],
        "analysis": json.dumps(analysis) if analysis is not None else None,
        "analyzer_version": ANALYZER_VERSION,
    }


def run_analysis(
    data: bytes,
    payload: Mapping[str, Any],
    event: Event,
    settings: Settings,
    llm: LLMSettings | None,
    no_llm_reason: str | None = None,
) -> dict[str, Any]:
    """ResumeAnalyzed payload for one file (blocking; the effect runs it in a thread). Never raises.

    `no_llm_reason` (no_api_key / no_consent) is recorded as the rule feedback's fallback reason."""
    resume_id = str(payload["resume_id"])
    try:
        career, skills = target_career(payload.get("target_role"))
        result = analyze(
            data,
            str(payload.get("file_name") or ""),
            target_skills=skills,
            job_description=payload.get("job_description"),
            llm=llm,
            limits=IntakeLimits(max_bytes=settings.resume_max_bytes),
            as_of=event.occurred_at.date(),  # the same upload always analyses the same way
        )
        analysis = result.to_dict()
        analysis["target_career"] = career
        if llm is None and no_llm_reason and analysis.get("feedback"):
            analysis["feedback"]["fallback_reason"] = no_llm_reason
    except Exception as exc:  # an engine bug on one file must not stop the stream
        log.exception("resume_analysis_crashed", resume_id=resume_id)
        return _failed(resume_id, f"The analysis failed unexpectedly ({type(exc).__name__}).")
    if result.status != "completed" or result.score is None:
        reason = result.rejection.reason if result.rejection else "Nothing could be read from the file."
        return _failed(resume_id, reason, analysis)
    return {
        "resume_id": resume_id,
        "status": "done",
        "failure_reason": None,
        "overall_score": float(result.score.overall),
        "skills": [s.name for s in result.skills],
        "analysis": json.dumps(analysis, ensure_ascii=False),
        "analyzer_version": result.analyzer_version,
    }


async def _llm_for(rt: WorkerRuntime, user_id: str) -> tuple[LLMSettings | None, str | None]:
    """LLM settings when configured and the user consented to LLM feedback; else None and why not."""
    s = rt.settings
    if not s.openai_api_key:
        return None, "no_api_key"
    async with rt.pool.connection() as conn:
        cur = await conn.execute(
            "SELECT (consents->'llm_feedback'->>'granted')::boolean FROM user_profiles WHERE user_id = %s",
            (user_id,),
        )
        row = await cur.fetchone()
    if not (row and row[0]):
        return None, "no_consent"
    return LLMSettings(
        api_key=s.openai_api_key,
        base_url=s.openai_base_url or None,
        model=s.openai_model,
        timeout_s=s.openai_timeout_s,
    ), None


async def analyze_resume(rt: WorkerRuntime, args: Mapping[str, Any], event: Event) -> None:
    """Analyse the upload `event` and publish ResumeAnalyzed (same event id on every repeat)."""
    user_id = event.subject_id
    p = event.payload_as(ResumeUploadedPayload)
    if await asyncio.to_thread(rt.serde.keystore.key_for_read, user_id) is None:
        return  # erased meanwhile: nothing may be written for this user any more
    blobs = PersonalBlobs(blob_store_from_settings(rt.settings), rt.serde.keystore)
    try:
        data = await asyncio.to_thread(blobs.get, user_id, str(p["blob_sha256"]))
    except BlobNotFound:
        payload = _failed(str(p["resume_id"]), "The uploaded file is no longer available.")
    except (BlobUnreadable, ValueError) as exc:  # ValueError: not a sha256 address
        payload = _failed(str(p["resume_id"]), f"The uploaded file could not be read back ({exc}).")
    else:
        llm, no_llm_reason = await _llm_for(rt, user_id)
        payload = await asyncio.to_thread(run_analysis, data, p, event, rt.settings, llm, no_llm_reason)
    analyzed = new_event(
        "ResumeAnalyzed", user_id, payload, producer=f"worker:{rt.settings.worker_id}", caused_by=event
    )

    try:
        await rt.producer.publish(replace(analyzed, event_id=derived_event_id(event, "ResumeAnalyzed")))
    except SubjectErased:
        log.info("resume_analysis_dropped_user_erased", resume_id=p["resume_id"])


async def delete_resume_blobs(rt: WorkerRuntime, args: Mapping[str, Any], event: Event) -> None:
    """Delete every stored file of an erased user (idempotent)."""
    store = blob_store_from_settings(rt.settings)
    deleted = await asyncio.to_thread(store.delete_owner, str(args["subject_id"]))
    log.info("resume_blobs_deleted", count=deleted)


def _warm_matcher_if_needed(worker_projections: str) -> None:
    """Build the skill matcher (~3 s, ~250 MB) in the background when this worker runs the projection,
    so the first upload does not pay for it."""
    if runs_projection(worker_projections, PROJECTION):
        threading.Thread(target=get_skill_matcher, name="warm-skill-matcher", daemon=True).start()


def analyze_resume_handler(worker_projections: str) -> EffectFn:
    """The `analyze_resume` handler; called once at worker start (`effect_handlers`), it starts warming."""
    _warm_matcher_if_needed(worker_projections)
    return analyze_resume
