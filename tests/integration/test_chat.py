"""The chatbot end to end: API -> ChatMessageReceived -> worker effect -> ChatResponseSent -> API, on the
real broker, Postgres and Redis; actions on real read models; consent, erasure, TTL expiry; a worker
restart and a rebalance mid-conversation; the LLM path with a local fake OpenAI-compatible server; and
the read model rebuilt from the log equal to the live one."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import threading
import time
import uuid
import zlib
from typing import Any

import psycopg
from fastapi.testclient import TestClient
from psycopg_pool import ConnectionPool
from redis import Redis

from careerstream.fake_openai import FakeOpenAI
from connectors.kafka_publisher import upsert_event
from engines.course_search.record import CourseRecord
from kernel.config import Settings
from projections.chat_conversations import CONTEXT_TTL_S, ChatConversationProjection, context_key
from schemas.events import Event
from schemas.keystore import PostgresKeyStore
from schemas.serde import EventSerde
from streams.producer import EventProducer
from streams.projection_replay import replay_projection, verify_projection
from tests.conftest import ROOT, WorkerProcess, settings_env, wait_until
from tests.integration.conftest import ApiServer

ESCO = "http://data.europa.eu/esco/occupation/"
# First reply after a worker (re)start may wait for the engine's warm-up (NLU model, ESCO skill
# matcher): generous, but bounded.
FIRST_WAIT_MS = 60000


def publish(settings: Settings, events: list[Event]) -> list[str]:
    """Publish events as a connector would; returns their consistency tokens."""

    async def go() -> list[str]:
        pool = ConnectionPool(settings.database_url, min_size=1, max_size=2, open=True)
        serde = EventSerde(
            PostgresKeyStore(pool, settings.master_key_bytes()), topic_prefix=settings.topic_prefix
        )
        producer = EventProducer(settings.kafka_bootstrap_servers, serde, settings.topic_prefix)
        try:
            return [p.token for p in await producer.publish_many(events)]
        finally:
            producer.close()
            pool.close()

    return asyncio.run(go())


def new_user(
    client: TestClient, auth: Any, consents: tuple[str, ...] = (), user: str | None = None
) -> tuple[str, dict[str, str]]:
    user = user or f"chat-{uuid.uuid4().hex[:8]}"
    h = auth(user)
    r = client.post("/users", json={"email": f"{user}@example.com"}, headers=h)
    assert r.status_code == 202, r.text
    token = r.json()["consistency_token"]
    for purpose in consents:
        r = client.put(
            f"/users/{user}/consents/{purpose}", json={"granted": True, "policy_version": "1"}, headers=h
        )
        assert r.status_code == 202, r.text
        token = r.json()["consistency_token"]
    # A worker that just (re)started loads the chat engine before it joins: allow for it.
    wait_until(
        lambda: (
            client.get(f"/users/{user}/profile", params={"consistency_token": token}, headers=h).status_code
            == 200
        ),
        120,
        "the user's profile",
    )
    return user, h


def say(
    client: TestClient, h: dict[str, str], user: str, text: str, cid: str | None = None, wait_ms: int = 20000
) -> dict[str, Any]:
    body: dict[str, Any] = {"text": text}
    if cid:
        body["conversation_id"] = cid
    r = client.post(f"/users/{user}/chat/messages", params={"wait_ms": wait_ms}, json=body, headers=h)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def sql(settings: Settings, query: str, *args: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(settings.database_url) as conn:
        return conn.execute(query, args).fetchall()


def conversation_row(settings: Settings, cid: str) -> tuple[Any, ...] | None:
    rows = sql(
        settings, "SELECT version, answered, state FROM chat_conversations WHERE conversation_id=%s", cid
    )
    return rows[0] if rows else None


def answered(settings: Settings, cid: str, n: int) -> bool:
    row = conversation_row(settings, cid)
    return bool(row and row[1] >= n)


def test_conversation_remembers_and_answers_from_data(client: TestClient, auth, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    user, h = new_user(client, auth)
    body = say(client, h, user, "how much does a data engineer earn?", wait_ms=FIRST_WAIT_MS)
    cid = body["conversation_id"]
    assert body["intent"] == "salary_info" and body["state"]["slots"]["target_career"] == "data engineer"
    assert body["cards"] and all(c["career_id"].startswith(ESCO) for c in body["cards"])
    assert "$" in body["text"]
    body = say(client, h, user, "and in Munich?", cid)
    assert body["intent"] == "salary_info" and body["state"]["slots"]["location"] == "Munich"
    assert "no wage data for Munich" in body["text"]
    # A bare answer to a clarifying question keeps the pending intent.
    body = say(client, h, user, "what am I missing for that?", cid)
    assert body["intent"] == "skill_gap" and body["cards"][0]["missing_skills"]
    # A stale expected version is refused with 409 and the conversation id.
    r = client.post(
        f"/users/{user}/chat/messages",
        json={"text": "hi", "conversation_id": cid, "expected_version": 0},
        headers=h,
    )
    assert r.status_code == 409 and r.json()["detail"]["conversation_id"] == cid
    # Another user can't read it, nor write to it.
    assert (
        client.get(f"/users/{user}/chat/conversations/{cid}", headers=auth("someone-else")).status_code == 403
    )
    wait_until(lambda: answered(settings, cid, 3), 20, "the third answer to be projected")
    r = client.get(f"/users/{user}/chat/conversations", headers=h)
    assert [c["conversation_id"] for c in r.json()["conversations"]] == [cid]
    conv = client.get(f"/users/{user}/chat/conversations/{cid}", headers=h).json()
    assert conv["version"] == 3 and conv["answered"] == 3 and conv["state"]["slots"]["location"] == "Munich"


def test_terminal_chat_as_a_person_uses_it(
    api_server: ApiServer, client: TestClient, auth: Any, settings: Settings
) -> None:
    """`careerstream chat USER` against a real API process: lines typed at `you>`, each reply after
    `bot>` with its cards as a table, one conversation carried across the lines, end of input ends it."""
    user, _h = new_user(client, auth)
    done = subprocess.run(
        [sys.executable, "-m", "careerstream.cli", "chat", user, "--url", api_server.url],
        input="how much does a data engineer earn?\n\nand in Munich?\n",
        env=settings_env(settings) | {"COLUMNS": "200"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    # Input is piped, so each prompt ends without a line break: "you> bot> The median ...".
    replies = [part.splitlines()[0] for part in out.split("bot> ")[1:]]
    assert len(replies) == 2 and out.count("you> ") == 4, out  # the empty line is skipped, not sent
    assert "$" in replies[0] and "no wage data for Munich" in replies[1]
    # The card table: its header row and a career row with an ESCO id.
    assert re.search(r"# +\S +type +\S +title +\S +id", out) and re.search(rf"career +\S .+{ESCO}", out)

    def listed() -> list[dict[str, Any]]:
        r = client.get(f"/users/{user}/chat/conversations", headers=auth(user))
        return r.json()["conversations"]  # type: ignore[no-any-return]

    wait_until(listed, 20, "the conversation to be projected")
    # One conversation: the client carried its id from the first reply to the second message.
    [conversation] = listed()
    cid = conversation["conversation_id"]
    wait_until(lambda: answered(settings, cid, 2), 20, "both answers to be projected")


def test_reply_timeout_is_a_504_with_the_conversation_id(
    client: TestClient, auth, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    user, h = new_user(client, auth)
    r = client.post(f"/users/{user}/chat/messages?wait_ms=1", json={"text": "hello"}, headers=h)
    assert r.status_code == 504, r.text
    detail = r.json()["detail"]
    assert detail["code"] == "reply_timeout" and detail["conversation_id"] and detail["message_id"]
    # The reply still lands in the conversation.
    wait_until(lambda: answered(settings, detail["conversation_id"], 1), 30, "the late reply")


def test_actions_on_real_read_models(client: TestClient, auth, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    user, h = new_user(client, auth)
    r = client.put(
        f"/users/{user}/profile",
        json={"skills": ["Python", "SQL", "data analysis"], "interests": ["data"], "target_careers": []},
        headers=h,
    )
    assert r.status_code == 202, r.text
    redis = Redis.from_url(settings.redis_url)
    recs_key = f"{settings.redis_prefix}recs:{user}"
    wait_until(lambda: redis.get(recs_key), 60, "the user's recommendations")

    # Career recommendations: the cards are the user's top-K from the recommendations read model.
    body = say(client, h, user, "what could I do with my skills?", wait_ms=FIRST_WAIT_MS)
    cid = body["conversation_id"]

    recs = [it["career_id"] for it in json.loads(redis.get(recs_key) or b"{}")["items"]]
    assert body["intent"] == "career_advice" and body["cards"]
    assert [c["career_id"] for c in body["cards"]] == recs[: len(body["cards"])]

    # Skills gap for a named career, from its ESCO profile and the user's skills.
    body = say(client, h, user, "what am I missing to become a data engineer?", cid)
    assert body["intent"] == "skill_gap"
    (card,) = body["cards"]
    assert card["career_id"].startswith(ESCO) and card["title"] == "data engineer"
    missing = card["missing_skills"]
    assert missing and not {m.lower() for m in missing} & {"python", "sql"}

    # Course search, personalised: courses teaching the missing skills, from the catalog read model.
    tag = uuid.uuid4().hex[:6]
    courses = [
        CourseRecord.create(
            provider="chat",
            provider_course_id=f"{tag}-{i}",
            title=f"Chat test course {i} {tag}",
            description="A course.",
            skills=missing[:3] if i == 0 else missing[:2],
            level="beginner",
            duration_hours=10.0,
            price=0.0,
        )
        for i in range(2)
    ]
    tokens = publish(settings, [upsert_event(c) for c in courses])
    client.get(
        f"/courses/{courses[-1].course_id}", params={"consistency_token": tokens[-1]}, headers=h
    ).raise_for_status()
    body = say(client, h, user, "any courses for that?", cid)
    assert body["intent"] == "course_recommendation"
    ids = [c["course_id"] for c in body["cards"]]
    assert ids[:2] == [courses[0].course_id, courses[1].course_id]
    known = {r[0] for r in sql(settings, "SELECT course_id FROM courses WHERE course_id = ANY(%s)", ids)}
    assert known == set(ids)  # never an invented course
    # "the second one" resolves against the list just shown.
    body = say(client, h, user, "and the second one?", cid)
    assert body["state"]["slots"]["course_ref"] == 2
    assert [c["course_id"] for c in body["cards"]] == [courses[1].course_id]

    # The latest resume analysis.
    resume = (
        b"Jane Doe\njane@example.com\n\nEXPERIENCE\nData Analyst, Acme (2019 - 2024)\n"
        b"- Built SQL reports and Python ETL jobs for 40 stores.\n\nSKILLS\nPython, SQL, Tableau, Excel\n\n"
        b"EDUCATION\nBSc Statistics, 2018\n"
    )
    r = client.post(
        f"/users/{user}/resumes", files={"file": ("cv.txt", resume, "application/octet-stream")}, headers=h
    )
    assert r.status_code == 202, r.text
    resume_id = r.json()["resume_id"]

    def analysed() -> bool:
        got = client.get(f"/users/{user}/resumes/{resume_id}/analysis", headers=h)
        return got.status_code == 200 and got.json()["status"] == "done"

    wait_until(analysed, 120, "the resume analysis")
    body = say(client, h, user, "can you review my cv?", cid)
    assert body["intent"] == "resume_feedback"
    (card,) = body["cards"]
    assert card["resume_id"] == resume_id and "Python" in card["skills"]

    # Wages (BLS) with no data for a location: said plainly.
    body = say(client, h, user, "how much does a data scientist make in Tokyo?", cid)
    assert body["intent"] == "salary_info" and "no wage data for Tokyo" in body["text"]
    # Job-search tips.
    body = say(client, h, user, "how do I prepare for a job interview?", cid)
    assert body["intent"] == "job_search_tips" and "interview" in body["text"].lower()
    redis.close()


def test_history_is_kept_only_with_consent(client: TestClient, auth, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    user, h = new_user(client, auth)
    cid = say(client, h, user, "how much does a nurse earn?", wait_ms=FIRST_WAIT_MS)["conversation_id"]
    wait_until(lambda: answered(settings, cid, 1), 20, "the answer")
    row = conversation_row(settings, cid)
    assert row is not None and all("text" not in t for t in row[2]["turns"])
    assert sql(settings, "SELECT count(*) FROM chat_messages WHERE conversation_id=%s", cid) == [(0,)]

    r = client.put(
        f"/users/{user}/consents/chat_history", json={"granted": True, "policy_version": "1"}, headers=h
    )
    token = r.json()["consistency_token"]
    client.get(f"/users/{user}/profile", params={"consistency_token": token}, headers=h).raise_for_status()
    say(client, h, user, "and a pharmacist?", cid)
    wait_until(lambda: answered(settings, cid, 2), 20, "the second answer")
    conv = client.get(f"/users/{user}/chat/conversations/{cid}", headers=h).json()
    first = conv["messages"][0]
    assert (first["role"], first["text"]) == ("user", "and a pharmacist?")
    assert [m["role"] for m in conv["messages"]] == ["user", "bot"]


def test_erasure_removes_conversations(client: TestClient, auth, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    user, h = new_user(client, auth, consents=("chat_history",))
    cid = say(client, h, user, "hello there", wait_ms=FIRST_WAIT_MS)["conversation_id"]
    wait_until(lambda: answered(settings, cid, 1), 20, "the answer")
    redis = Redis.from_url(settings.redis_url)
    ctx = settings.redis_prefix + context_key(cid)
    assert redis.exists(ctx)
    assert sql(settings, "SELECT count(*) FROM chat_messages WHERE user_id=%s", user) == [(2,)]

    r = client.request("DELETE", f"/users/{user}", json={"reason": "leaving"}, headers=h)
    assert r.status_code == 202, r.text

    def gone() -> bool:
        left = sql(
            settings,
            "SELECT (SELECT count(*) FROM chat_conversations WHERE user_id=%s)"
            " + (SELECT count(*) FROM chat_messages WHERE user_id=%s)",
            user,
            user,
        )
        return left == [(0,)] and not redis.exists(ctx)

    wait_until(gone, 30, "the conversations to be erased")
    r = client.post(f"/users/{user}/chat/messages", json={"text": "hi", "conversation_id": cid}, headers=h)
    assert r.status_code == 410, r.text
    redis.close()


def test_context_ttl_and_expiry(client: TestClient, auth, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    """The Redis context expires (TTL); the conversation goes on from its Postgres state and the context
    comes back with the next answer."""
    user, h = new_user(client, auth)
    cid = say(client, h, user, "how much does a data engineer earn?", wait_ms=FIRST_WAIT_MS)[
        "conversation_id"
    ]
    wait_until(lambda: answered(settings, cid, 1), 20, "the answer")
    redis = Redis.from_url(settings.redis_url)
    ctx = settings.redis_prefix + context_key(cid)
    assert 0 < redis.ttl(ctx) <= CONTEXT_TTL_S
    redis.pexpire(ctx, 200)
    wait_until(lambda: not redis.exists(ctx), 5, "the context to expire")
    body = say(client, h, user, "and in Berlin?", cid)
    assert body["intent"] == "salary_info" and body["state"]["slots"]["target_career"] == "data engineer"
    wait_until(lambda: redis.exists(ctx), 20, "the context to come back")
    assert json.loads(redis.get(ctx) or b"{}")["slots"]["location"] == "Berlin"
    redis.close()


def test_worker_restart_mid_conversation(
    client: TestClient, auth, settings: Settings, worker: WorkerProcess
) -> None:  # type: ignore[no-untyped-def]
    """SIGKILL the worker right after a reply (its batch may not be committed: the message is redelivered
    and answered again with the same event id); the next message is published while no worker runs and
    the API waits, bounded: the restarted worker answers it from the state the first turn left. If the
    restart (engine load before joining the group) outlasts the API's bound, the answer is a 504 with
    the ids and the reply still lands in the conversation."""
    user, h = new_user(client, auth)
    cid = say(client, h, user, "how much does a data engineer earn?", wait_ms=FIRST_WAIT_MS)[
        "conversation_id"
    ]
    worker.kill()
    restart = threading.Timer(1.0, worker.start)
    restart.start()
    try:
        r = client.post(
            f"/users/{user}/chat/messages",
            params={"wait_ms": 60000},
            json={"text": "and in Munich?", "conversation_id": cid},
            headers=h,
        )
    finally:
        restart.join()
    if r.status_code == 504:
        assert r.json()["detail"]["conversation_id"] == cid
        wait_until(lambda: answered(settings, cid, 2), 120, "the reply after the restart")
        state = client.get(f"/users/{user}/chat/conversations/{cid}", headers=h).json()["state"]
        slots = state["slots"]
    else:
        assert r.status_code == 200, r.text
        assert r.json()["state"]["version"] == 2
        slots = r.json()["state"]["slots"]
    assert slots["target_career"] == "data engineer" and slots["location"] == "Munich"
    body = say(client, h, user, "thanks!", cid, wait_ms=FIRST_WAIT_MS)
    assert body["intent"] == "thanks" and body["state"]["version"] == 3
    wait_until(lambda: answered(settings, cid, 3), 20, "three answers")
    row = conversation_row(settings, cid)
    assert row is not None and row[0] == row[1] == 3  # each message answered exactly once


# This test found that a worker leaving mid-batch lost records on Kafka: faust's take_events acks a
# cancelled batch, so the committed offset ran ahead of the projections. Workers now resume from the
# projections' own positions (streams/app.py, _resume_from_projection_positions).
def test_rebalance_mid_conversation(
    client: TestClient, auth, settings: Settings, worker: WorkerProcess, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """A second worker joins the group (partitions move) and leaves again while conversations go on:
    every message gets exactly one answer, and both workers answered some."""
    # One user per partition of the chat topic (librdkafka's default partitioner: CRC32 of the key).
    by_partition: dict[int, str] = {}
    while len(by_partition) < 3:
        candidate = f"chat-{uuid.uuid4().hex[:8]}"
        by_partition.setdefault(zlib.crc32(candidate.encode()) % 3, candidate)
    users = [new_user(client, auth, user=u) for u in by_partition.values()]
    cids = {u: say(client, h, u, "hi", wait_ms=FIRST_WAIT_MS)["conversation_id"] for u, h in users}
    sent = dict.fromkeys(cids, 1)

    def round_trip(text: str) -> None:
        for u, h in users:
            say(client, h, u, text, cids[u], wait_ms=FIRST_WAIT_MS)
            sent[u] += 1

    second = WorkerProcess(settings, tmp_path / "worker2.log")
    second.start()
    try:
        deadline = time.monotonic() + 180
        while "Worker ready" not in second.log():  # conversations go on while it loads and joins
            assert time.monotonic() < deadline, "the second worker did not join"
            round_trip("how much does a nurse earn?")
            time.sleep(1.0)  # under the per-user write rate limit (120/minute)
        for _ in range(3):
            round_trip("and in Berlin?")
        stopper = threading.Timer(0.5, second.stop)
        stopper.start()
        for _ in range(3):  # while it leaves
            round_trip("what am I missing for that?")
        stopper.join()
    finally:
        second.stop()
    round_trip("thanks")
    for u, cid in cids.items():
        deadline = time.monotonic() + 30
        while not answered(settings, cid, sent[u]) and time.monotonic() < deadline:
            time.sleep(0.1)
        row = conversation_row(settings, cid)
        assert row is not None and row[0] == row[1] == sent[u], (
            row and row[:2],
            sent[u],
            _log_view(settings, u),
        )
    assert "chat_replied" in second.log(), "the second worker never took a chat partition"


def _log_view(settings: Settings, user: str) -> dict[str, Any]:
    """What the log holds for a user's chat (to explain a count that does not add up)."""
    from streams.replay import replay_log

    events = list(replay_log(settings, subject=user, topics=["chat"]))
    asked = [e["payload"]["message_id"] for e in events if e["event_type"] == "ChatMessageReceived"]
    replies = [e["payload"]["in_reply_to"] for e in events if e["event_type"] == "ChatResponseSent"]
    positions = sql(
        settings,
        "SELECT partition, next_offset FROM projection_positions WHERE projection='chat_conversations'"
        " AND topic LIKE %s ORDER BY partition",
        "%.chat",
    )
    return {
        "messages": len(asked),
        "distinct_messages": len(set(asked)),
        "replies": len(replies),
        "unanswered": [m for m in asked if m not in replies],
        "offsets": [(e["event_type"][4:8], e["partition"], e["offset"], e["producer"]) for e in events][-12:],
        "positions": positions,
    }


def test_llm_answers_through_a_fake_openai_server(
    client: TestClient, auth, settings: Settings, worker: WorkerProcess, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """With an OpenAI-compatible server configured and the llm_feedback consent, the answer is the model's
    (streamed); without the consent, or when the server fails, the template answers."""
    with FakeOpenAI() as llm:
        worker.stop()
        llm_worker = WorkerProcess(
            settings.model_copy(update={"openai_base_url": llm.base_url, "openai_api_key": "test"}),
            tmp_path / "llm-worker.log",
        )
        llm_worker.start()
        try:
            user, h = new_user(client, auth, consents=("llm_feedback",))
            body = say(client, h, user, "how much does a data engineer earn?", wait_ms=FIRST_WAIT_MS)
            assert body["source"] == "llm" and body["text"].startswith("(fake LLM)")
            assert "data engineer" in body["text"]
            assert body["cards"][0]["career_id"].startswith(ESCO)  # cards stay the data's
            assert len(llm.requests) == 1 and llm.requests[0]["stream"] is True
            # The WebSocket streams the model's tokens, then the whole reply.
            with client.websocket_connect(f"/users/{user}/chat/ws", headers=h) as ws:
                ws.send_json(
                    {
                        "text": "how much does a software developer earn?",
                        "conversation_id": body["conversation_id"],
                    }
                )
                frames = [ws.receive_json()]
                while frames[-1]["type"] == "token":
                    frames.append(ws.receive_json())
            assert frames[-1]["type"] == "reply" and frames[-1]["source"] == "llm", frames[-1]
            tokens = [f["text"] for f in frames if f["type"] == "token"]
            assert len(tokens) >= 3 and frames[-1]["text"].startswith("".join(tokens[:3]).strip())
            llm.requests.clear()
            # No consent: nothing is sent.
            other, h2 = new_user(client, auth)
            assert say(client, h2, other, "how much does a nurse earn?")["source"] == "template"
            assert llm.requests == []
            # The server fails: the template answers.
            llm.mode = "fail"
            body = say(client, h, user, "and a nurse?", body["conversation_id"])
            assert body["source"] == "template" and "$" in body["text"]
            assert len(llm.requests) == 1
        finally:
            llm_worker.stop()
            worker.start()


def test_rebuild_by_replay_equals_the_live_read_model(client: TestClient, auth, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    """Run last: every conversation of the session, rebuilt from the log, equals the live read model."""
    user, h = new_user(client, auth, consents=("chat_history",))
    cid = say(client, h, user, "what am I missing to become a data engineer?", wait_ms=FIRST_WAIT_MS)[
        "conversation_id"
    ]
    say(client, h, user, "any courses for that?", cid)
    wait_until(lambda: answered(settings, cid, 2), 20, "two answers")
    projection = ChatConversationProjection()

    def unsettled() -> list[tuple[Any, ...]]:
        return sql(
            settings,
            "SELECT conversation_id, version, answered FROM chat_conversations WHERE version <> answered",
        )

    deadline = time.monotonic() + 60
    while unsettled() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not unsettled(), unsettled()
    time.sleep(1.0)
    report = asyncio.run(replay_projection(settings, projection))
    assert report.applied > 0
    differences = verify_projection(settings, projection)
    assert differences == [], differences[:3]
