"""`careerstream bench chat`: chatbot reply latency end to end through the API, without and with an LLM.

Runs on the configured broker, or a local broker started for the run (`--broker kafka|tansu`), with its
own topic prefix and database (dropped afterwards). Processes as in production: one worker running the
`chat_conversations` and `user_profiles` projections and one API process (uvicorn), real subprocesses.

- reply_ms_*: client-side time of `POST /users/{id}/chat/messages` (publish ChatMessageReceived -> the
  worker's effect runs NLU, entities, the action on the read models, publishes ChatResponseSent and
  hands the reply over in Redis -> the API answers), one message at a time, in conversations of six
  turns (salary, follow-up location, skills gap, courses, thanks, career advice), after 6 warm-up turns.
- llm_reply_ms_*: the same with the worker configured for a local fake OpenAI-compatible server
  (`careerstream.fake_openai`, streaming SSE, answering at once) and the user's llm_feedback consent:
  the protocol and client overhead, not a real model's generation time.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import psycopg
from redis import Redis

from api.auth import mint_token
from careerstream.bench.harness import percentiles, spawn, stop
from careerstream.bench.pipeline import _db_name, replace_settings
from careerstream.fake_openai import FakeOpenAI
from careerstream.local_broker import BrokerKind, broker_for_run, free_port, stop_run_broker, wait_for_port
from kernel.config import Settings
from projections.migrate import ensure_database, migrate
from streams.topics import ensure_topics

TEXTS = (
    "how much does a data engineer earn?",
    "and in Munich?",
    "what am I missing for that?",
    "any courses for it?",
    "thanks",
    "what could I do with my skills?",
)
WARM_UP = 6


def _converse(
    http: httpx.Client, user: str, n: int, transcript: list[dict[str, Any]] | None = None
) -> tuple[list[float], int, dict[str, int]]:
    """`n` timed turns after the warm-up; the warm-up conversation goes to `transcript` when given."""
    samples: list[float] = []
    errors = 0
    sources: dict[str, int] = {}
    cid: str | None = None
    for i in range(n + WARM_UP):
        body: dict[str, Any] = {"text": TEXTS[i % len(TEXTS)]}
        if i % len(TEXTS) and cid:
            body["conversation_id"] = cid
        t = time.perf_counter()
        r = http.post(f"/users/{user}/chat/messages", params={"wait_ms": 60000}, json=body)
        ms = (time.perf_counter() - t) * 1000
        if r.status_code != 200:
            errors += 1
            continue
        reply = r.json()
        cid = reply["conversation_id"]
        if transcript is not None and i < WARM_UP:
            transcript.append(
                {
                    "you": body["text"],
                    "bot": reply["text"],
                    "intent": reply["intent"],
                    "slots": reply["state"]["slots"],
                    "cards": [c.get("title") for c in reply["cards"]],
                    "ms": round(ms, 1),
                }
            )
        if i >= WARM_UP:
            samples.append(ms)
            sources[reply["source"]] = sources.get(reply["source"], 0) + 1
    return samples, errors, sources


def _user(http: httpx.Client, consents: tuple[str, ...]) -> str:
    user = f"bench-chat-{uuid.uuid4().hex[:8]}"
    http.post("/users", json={"user_id": user, "email": f"{user}@example.com"}).raise_for_status()
    r = http.put(
        f"/users/{user}/profile",
        json={"skills": ["Python", "SQL", "data analysis"], "interests": ["data"], "target_careers": []},
    )
    r.raise_for_status()
    token = r.json()["consistency_token"]
    for purpose in consents:
        r = http.put(f"/users/{user}/consents/{purpose}", json={"granted": True, "policy_version": "1"})
        r.raise_for_status()
        token = r.json()["consistency_token"]
    # A worker that just started loads the chat engine before it joins its group: wait for it.
    deadline = time.monotonic() + 180
    while http.get(f"/users/{user}/profile", params={"consistency_token": token}).status_code != 200:
        if time.monotonic() > deadline:
            raise TimeoutError("the worker did not apply the user's events")
        time.sleep(0.5)
    return user


def run_chat_bench(base: Settings, quick: bool = False, broker_kind: BrokerKind = "kafka") -> dict[str, Any]:
    """Run the chat benchmark; returns one flat JSON-able dict."""
    n = 60 if quick else 300
    run = uuid.uuid4().hex[:8]
    work = Path(f"/tmp/careerstream-bench-chat-{run}")
    work.mkdir(parents=True)
    bootstrap, broker = broker_for_run(base.kafka_bootstrap_servers, broker_kind)
    settings = replace_settings(base, bootstrap, run).model_copy(
        update={
            "worker_projections": "user_profiles,chat_conversations",
            "api_port": free_port(),
            "api_host": "127.0.0.1",
            "openai_base_url": "",
            "openai_api_key": "",
        }
    )
    ensure_database(settings.database_url)
    migrate(settings.database_url)
    ensure_topics(bootstrap, settings.topic_prefix)
    result: dict[str, Any] = {"quick": quick, "broker": broker.kind if broker else "configured"}
    api = worker = None
    try:
        worker = spawn(["worker"], settings, work / "worker.log")
        api = spawn(["api"], settings, work / "api.log")
        wait_for_port(settings.api_host, settings.api_port, timeout_s=60, process=api)
        token = mint_token(settings.jwt_secret, "bench", "service", settings.jwt_issuer, 3600)
        with httpx.Client(
            base_url=f"http://{settings.api_host}:{settings.api_port}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=90,
        ) as http:
            user = _user(http, ())
            transcript: list[dict[str, Any]] = []
            samples, errors, sources = _converse(http, user, n, transcript)
            result["transcript"] = transcript
            result.update(percentiles(samples, "reply_ms"))
            result.update(requests=len(samples), errors=errors, sources=sources)

            with FakeOpenAI() as llm:
                stop([worker], timeout_s=20)
                worker = spawn(
                    ["worker"],
                    settings.model_copy(update={"openai_base_url": llm.base_url, "openai_api_key": "bench"}),
                    work / "worker-llm.log",
                )
                user = _user(http, ("llm_feedback",))
                samples, errors, sources = _converse(http, user, n)
                result.update(percentiles(samples, "llm_reply_ms"))
                result.update(llm_requests=len(samples), llm_errors=errors, llm_sources=sources)
                result["llm_server_calls"] = len(llm.requests)
        result["target_p95_ms"] = 150
        result["target_met"] = bool(result.get("reply_ms_p95", 1e9) < 150 and not result["errors"])
    finally:
        for proc in (api, worker):
            if proc is not None and proc.poll() is None:
                stop([proc], timeout_s=20)
        stop_run_broker(broker)
        clean = Redis.from_url(settings.redis_url)
        for key in clean.scan_iter(match=f"{settings.redis_prefix}*", count=1000):
            clean.delete(key)
        clean.close()
        with psycopg.connect(
            psycopg.conninfo.make_conninfo(settings.database_url, dbname="postgres"), autocommit=True
        ) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{_db_name(run)}" WITH (FORCE)')
    return result
