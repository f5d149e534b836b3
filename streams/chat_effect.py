"""The chatbot's reply effect (`chat_reply`, from the `chat_conversations` projection).

For an accepted ChatMessageReceived it runs the engine (NLU, entities, dialogue plan) on the state the
projection passed, runs the action on the read models (recommendations in Redis, ESCO careers, the
course index / catalog, the latest resume analysis, BLS wages), renders the answer (LLM when configured
and consented, else templates; any LLM failure or timeout falls back to the template), publishes
ChatResponseSent (id derived from the message: a redelivery republishes the same event) and hands the
reply to the waiting API request through Redis: RPUSH on `chat:reply:<message_id>` (kept 5 minutes, so
a request that starts waiting late still finds it) and `chat:head:<conversation>` = accepted version.
LLM tokens are PUBLISHed on `chat:tokens:<message_id>` for the WebSocket.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import psycopg
import psycopg_pool
import structlog
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from engines.chat import ConversationState, default_classifier, plan_turn
from engines.chat.dialogue import TurnPlan, record_answer
from engines.chat.entities import SkillFinder, default_skill_finder, extract, speller
from engines.chat.job_titles import career_index
from engines.chat.places import big_city_names, country_keys, gazetteer, town_names
from engines.chat.respond import careers_for_skills, llm_messages, render, skills_gap
from engines.course_search.query import SearchQuery
from engines.reference_data.catalog import careers_by_id
from projections.course_catalog import GENERATION_KEY
from projections.recommendations import cache_key as recs_key
from projections.registry import runs_projection
from queries.chat import head_key  # the API reads the head this effect writes
from queries.course_index import reader_for
from schemas.events import Event, new_event
from schemas.keystore import SubjectErased
from streams.effect_support import derived_event_id

if TYPE_CHECKING:
    from streams.effect_support import EffectFn
    from streams.runtime import WorkerRuntime

log = structlog.get_logger(__name__)
SORRY = "Sorry, something went wrong on my side and I could not answer that. Please try again."
# Errors that say the stores are unreachable (not something about this message): they propagate.
INFRASTRUCTURE_ERRORS: tuple[type[BaseException], ...] = (
    psycopg.OperationalError,
    psycopg_pool.PoolTimeout,
    RedisConnectionError,
    RedisTimeoutError,
    ConnectionError,
)
PROJECTION = "chat_conversations"
REPLY_TTL_S = 300
HEAD_TTL_S = 24 * 3600


def reply_key(message_id: str) -> str:
    return f"chat:reply:{message_id}"


def tokens_channel(message_id: str) -> str:
    return f"chat:tokens:{message_id}"


@lru_cache(maxsize=1)
def skill_finder() -> SkillFinder:
    return default_skill_finder()


@lru_cache(maxsize=1)
def _careers() -> dict[str, Any]:

    return careers_by_id()


def understand(state: ConversationState, text: str) -> TurnPlan:
    warm()  # waits for the start-up warm-up if it is still running
    pred = default_classifier().predict(text)
    return plan_turn(state, text, pred, extract(text, skill_finder()))


async def _profile(rt: WorkerRuntime, user_id: str) -> dict[str, Any]:
    async with rt.pool.connection() as conn:
        cur = await conn.execute(
            "SELECT skills, target_careers, career_goals, location, years_experience, consents "
            "FROM user_profiles WHERE user_id = %s",
            (user_id,),
        )
        row = await cur.fetchone()
    if not row:
        return {"skills": [], "target_careers": [], "consents": {}}
    consents = row[5] or {}
    return {
        "consents": {k: bool((v or {}).get("granted")) for k, v in consents.items() if isinstance(v, dict)},
        "skills": list(row[0] or []),
        "target_careers": list(row[1] or []),
        "career_goals": row[2],
        "location": row[3],
        "years_experience": row[4],
    }


async def run_action(
    rt: WorkerRuntime, user_id: str, plan: TurnPlan, profile: dict[str, Any]
) -> dict[str, Any] | None:
    slots = plan.state.slots
    have = [*profile.get("skills", []), *plan.state.skill_names]
    career = _careers().get(plan.state.career_id or "")
    if plan.action == "recommend_careers":
        raw = await rt.redis.get(rt.settings.redis_prefix + recs_key(user_id))
        if raw is not None and not slots.get("skills"):
            return {"source": "recommendations", "items": json.loads(raw).get("items", [])[:5]}
        return {
            "source": "skills",
            "items": await asyncio.to_thread(careers_for_skills, have, _careers().values()),
        }
    if plan.action in ("skills_gap", "wages"):
        if career is None:
            return {}
        if plan.action == "skills_gap":
            return skills_gap(career, have)
        return {
            "career": {"id": career.id, "label": career.label},
            "median_wage": career.bls.median_wage if career.bls else None,
            "soc_title": career.bls.title if career.bls else None,
        }
    if plan.action == "courses":
        return await _courses(rt, plan, career, have)
    if plan.action == "resume":
        async with rt.pool.connection() as conn:
            cur = await conn.execute(
                """SELECT resume_id, status, overall_score, skills, analysis, failure_reason
                   FROM resume_analyses WHERE user_id = %s ORDER BY uploaded_at DESC NULLS LAST LIMIT 1""",
                (user_id,),
            )
            row = await cur.fetchone()
        if not row:
            return {}
        analysis = row[4] or {}
        feedback = analysis.get("feedback") or {}
        return {
            "resume_id": row[0],
            "status": row[1],
            "overall_score": row[2],
            "skills": list(row[3] or []),
            "findings": list(feedback.get("suggestions") or [])[:5],
            "failure_reason": row[5],
        }
    return None


async def _courses(rt: WorkerRuntime, plan: TurnPlan, career: Any, have: list[str]) -> dict[str, Any]:
    """Courses from the catalog: the referenced course, or those teaching the topic / the career's
    missing skills (personalised: skills the user has are not asked for)."""
    slots, params = plan.state.slots, plan.params
    last = plan.state.last_list
    if slots.get("course_ref") and last and last["kind"] == "courses" and params.get("ordinal"):
        ids = (
            [last["items"][slots["course_ref"] - 1]["id"]]
            if slots["course_ref"] <= len(last["items"])
            else []
        )
        query, wanted = "that course", []
    else:
        ids = []
        if params.get("topic"):
            wanted, query = [params["topic"]], params["topic"]
        elif career is not None:
            wanted, query = skills_gap(career, have)["missing"][:8], career.label
        else:
            return {"items": [], "query": "that (tell me a career or a skill)"}
    levels = [params["level"]] if params.get("level") else None
    if not ids:
        found = await _search_index(
            rt, query if not wanted or params.get("topic") else "", wanted, params, levels
        )
        if found is not None:
            return {"items": found, "query": query}
    # A course of the list shown (by id), or the index is not there yet: the catalog table.
    async with rt.pool.connection() as conn:
        cur = await conn.execute(
            """SELECT course_id, title, provider, url, level, duration_hours,
                      cardinality(ARRAY(
                          SELECT unnest(skills_lower) INTERSECT SELECT unnest(%(w)s::text[])
                      )) AS hits
               FROM courses
               WHERE (course_id = ANY(%(ids)s) OR skills_lower && %(w)s::text[]
                      OR (%(t)s <> '' AND title ILIKE %(like)s))
                 AND (%(lv)s::text[] IS NULL OR level = ANY(%(lv)s::text[]))
                 AND (%(h)s::real IS NULL OR duration_hours <= %(h)s::real)
               ORDER BY (course_id = ANY(%(ids)s)) DESC, hits DESC, course_id LIMIT 5""",
            {
                "ids": ids,
                "w": [w.lower() for w in wanted],
                "t": query if wanted else "",
                "like": f"%{query}%",
                "lv": levels,
                "h": params.get("max_hours"),
            },
        )
        rows = await cur.fetchall()
    items = [{"course_id": r[0], "title": r[1], "provider": r[2], "url": r[3], "level": r[4]} for r in rows]
    return {"items": items, "query": query}


async def _search_index(
    rt: WorkerRuntime, text: str, wanted: list[str], params: dict[str, Any], levels: list[str] | None
) -> list[dict[str, Any]] | None:
    """The course search engine the API's /courses/search uses (engines.course_search): a topic as
    text, or the career's missing skills as a filter, ranked up by the skills the user lacks
    (personalised). None when this process has no index yet."""

    raw = await rt.redis.get(rt.settings.redis_prefix + GENERATION_KEY)
    generation = raw.decode() if isinstance(raw, bytes) else str(raw or "0")
    query = SearchQuery(
        text=text,
        levels=levels,
        max_duration_hours=params.get("max_hours"),
        skills=None if text else (wanted or None),
        boost_skills=wanted,
        with_facets=False,
        limit=5,
    )
    results = await asyncio.to_thread(reader_for(rt.settings).search, query, generation)
    if results is None:
        return None
    return [
        {"course_id": h.course_id, "title": h.title, "provider": h.provider, "url": h.url, "level": h.level}
        for h in results.hits
    ]


async def _llm_answer(
    rt: WorkerRuntime, plan: TurnPlan, result: Any, template: str, profile: dict[str, Any], message_id: str
) -> str | None:
    """The LLM's answer, streamed token by token to `chat:tokens:<message_id>`; None on any failure."""
    s = rt.settings
    # The OpenAI client takes 0.8 s to import, paid at every worker start, for an LLM few stacks have.
    # lazy: imported when an LLM is asked
    from openai import AsyncOpenAI

    client = AsyncOpenAI(
        api_key=s.openai_api_key or "none",
        base_url=s.openai_base_url or None,
        timeout=s.chat_llm_timeout_s,
        max_retries=0,
    )
    channel = rt.settings.redis_prefix + tokens_channel(message_id)
    try:
        async with asyncio.timeout(s.chat_llm_timeout_s):
            messages: Any = llm_messages(plan, result, template, profile)
            stream = await client.chat.completions.create(
                model=s.openai_model, messages=messages, stream=True, max_tokens=300, temperature=0.2
            )
            parts: list[str] = []
            async for chunk in stream:
                delta = chunk.choices[0].delta.content if chunk.choices else None
                if delta:
                    parts.append(delta)
                    await rt.redis.publish(channel, delta)
        text = "".join(parts).strip()
        return text or None
    except Exception as exc:  # timeouts, HTTP errors, protocol errors: the template answers
        log.warning("chat_llm_failed", error=type(exc).__name__)
        return None
    finally:
        await client.close()


async def _hand_over(rt: WorkerRuntime, message_id: str, reply: dict[str, Any]) -> None:
    key = rt.settings.redis_prefix + reply_key(message_id)
    async with rt.redis.pipeline(transaction=True) as pipe:
        pipe.rpush(key, json.dumps(reply, default=str))
        pipe.expire(key, REPLY_TTL_S)
        await pipe.execute()


async def chat_reply(rt: WorkerRuntime, args: Mapping[str, Any], event: Event) -> None:
    """Answer one accepted message (idempotent: same event id, same hand-over key on a repeat)."""
    started = time.perf_counter()
    user_id, p = event.subject_id, event.payload
    cid, mid = str(args["conversation_id"]), str(args["message_id"])
    if args.get("conflict"):
        await _hand_over(rt, mid, {"status": "conflict", "conversation_id": cid, "version": args["version"]})
        return
    if await asyncio.to_thread(rt.serde.keystore.key_for_read, user_id) is None:
        return  # erased meanwhile
    state = ConversationState.from_dict(dict(args.get("state") or {}))
    state.conversation_id, state.version = cid, int(args["version"])
    text = str(p["text"] or "")
    profile: dict[str, Any] = {}
    result: dict[str, Any] | None = None
    try:
        plan = await asyncio.to_thread(understand, state, text)
        profile = await _profile(rt, user_id)
        result = await run_action(rt, user_id, plan, profile)
        answer, cards, shown = render(plan, result, text)
    except INFRASTRUCTURE_ERRORS:
        raise  # stores unreachable: the worker stops and the message is redelivered
    except Exception:
        # A bug in the engine or an action must not stop the worker (the message would be redelivered
        # forever): the user gets an apology, the state stays as it was, the log has the trace.
        log.exception("chat_reply_failed", conversation_id=cid, message_id=mid)
        plan = TurnPlan("error", 0.0, "error", None, None, state)
        answer, cards, shown, result = SORRY, [], None, None
    source = "template"
    s = rt.settings
    consents = profile.get("consents") or {}
    if (
        (s.openai_base_url or s.openai_api_key)
        and consents.get("llm_feedback")
        and plan.action
        and not plan.ask
    ):
        llm = await _llm_answer(rt, plan, result, answer, profile, mid)
        if llm is not None:
            answer, source = llm, "llm"
    new_state = record_answer(plan.state, answer, shown)
    # Consent decides what the conversation read model keeps; the decision is recorded in the event so a
    # replay keeps the same (see projections/chat_conversations.py).
    history = bool(consents.get("chat_history"))
    details: dict[str, Any] = {
        "state": new_state.to_dict(),
        "cards": cards,
        "source": source,
        "nlu_intent": plan.nlu_intent,
        "history": history,
    }
    if history:
        details.update(user_text=text, user_at=event.occurred_at.isoformat())
    reply = new_event(
        "ChatResponseSent",
        user_id,
        {
            "conversation_id": cid,
            "message_id": f"{mid}:r",
            "in_reply_to": mid,
            "intent": plan.intent,
            "confidence": float(plan.confidence),
            "text": answer,
            "details": json.dumps(details, default=str),
        },
        producer=f"worker:{s.worker_id}",
        caused_by=event,
    )

    try:
        pos = await rt.producer.publish(replace(reply, event_id=derived_event_id(event, "ChatResponseSent")))
    except SubjectErased:
        return
    await rt.redis.set(s.redis_prefix + head_key(cid), str(state.version), ex=HEAD_TTL_S)
    await _hand_over(
        rt,
        mid,
        {
            "status": "ok",
            "conversation_id": cid,
            "message_id": f"{mid}:r",
            "in_reply_to": mid,
            "intent": plan.intent,
            "confidence": plan.confidence,
            "text": answer,
            "cards": cards,
            "source": source,
            "state": {
                "version": state.version,
                "intent": new_state.intent,
                "topic": new_state.topic,
                "slots": new_state.slots,
                "pending_intent": new_state.pending_intent,
            },
            "position": f"{pos.topic}:{pos.partition}:{pos.offset}",
        },
    )
    log.info(
        "chat_replied", intent=plan.intent, source=source, ms=round((time.perf_counter() - started) * 1000, 1)
    )


_WARM_LOCK = threading.Lock()
_WARMED = threading.Event()


def warm() -> None:
    """Load the NLU model, the ESCO careers, the skill matcher and the speller once (single flight:
    the start-up thread and a first message never build them twice)."""
    if _WARMED.is_set():
        return
    with _WARM_LOCK:
        if _WARMED.is_set():
            return
        started = time.perf_counter()
        default_classifier()
        skill_finder()
        _careers()

        career_index()
        speller()
        gazetteer()
        town_names()
        big_city_names()
        country_keys()
        _WARMED.set()
        log.info("chat_engine_ready", ms=round((time.perf_counter() - started) * 1000, 1))


def chat_reply_handler(worker_projections: str) -> EffectFn:
    """The `chat_reply` handler; warms the NLU model and matchers in the background when this worker runs
    the projection, so the first message does not pay for them."""
    if runs_projection(worker_projections, PROJECTION):
        threading.Thread(target=warm, name="warm-chatbot", daemon=True).start()
    return chat_reply
