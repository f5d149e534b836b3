"""Users end to end: API command -> Avro event on Kafka -> Faust worker -> Postgres/Redis -> API query."""

from __future__ import annotations

import json

import psycopg
from confluent_kafka import Consumer, TopicPartition
from redis import Redis

from kernel.config import Settings
from schemas.catalog import topic_name
from streams.replay import replay_log
from tests.conftest import record_headers, wait_until

PROFILE = {
    "skills": ["Python", "SQL", " python ", "Data analysis"],
    "interests": ["machine learning"],
    "education_level": "master",
    "years_experience": 5,
    "location": "Lyon",
    "salary_expectation": 65000,
    "salary_currency": "EUR",
    "career_goals": "Become a data engineer",
    "target_careers": [],
}


def test_register_update_and_read_your_own_write(client, auth, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    h = auth("alice")
    r = client.post("/users", json={"email": "alice@example.org", "display_name": "Alice"}, headers=h)
    assert r.status_code == 202, r.text
    created = r.json()
    assert created["user_id"] == "alice"
    assert created["topic"] == topic_name(settings.topic_prefix, "users")
    assert created["consistency_token"] == f"{created['topic']}:{created['partition']}:{created['offset']}"

    r = client.put("/users/alice/profile", json=PROFILE, headers=h)
    assert r.status_code == 202, r.text
    token = r.json()["consistency_token"]

    r = client.get("/users/alice/profile", params={"consistency_token": token}, headers=h)
    assert r.status_code == 200, r.text
    profile = r.json()
    assert profile["email"] == "alice@example.org"
    assert profile["display_name"] == "Alice"
    assert profile["skills"] == ["Python", "SQL", "Data analysis"]  # trimmed, de-duplicated
    assert profile["location"] == "Lyon"
    assert profile["salary_expectation"] == 65000
    assert profile["career_goals"] == "Become a data engineer"

    # The Redis copy of the read model carries the same profile.
    cached = Redis.from_url(settings.redis_url).get(f"{settings.redis_prefix}profile:alice")
    assert cached is not None and json.loads(cached)["skills"] == profile["skills"]
    # The correlation id of the request travelled with the event.
    events = [e for e in replay_log(settings, subject="alice", topics=["users"])]
    assert [e["event_type"] for e in events][:2] == ["UserRegistered", "ProfileUpdated"]
    assert all(e["correlation_id"] for e in events)


def test_consents_are_projected(client, auth) -> None:  # type: ignore[no-untyped-def]
    h = auth("carol")
    client.post("/users", json={"email": "carol@example.org"}, headers=h).raise_for_status()
    r = client.put(
        "/users/carol/consents/llm_feedback", json={"granted": True, "policy_version": "2026-01"}, headers=h
    )
    assert r.status_code == 202
    r = client.get(
        "/users/carol/profile", params={"consistency_token": r.json()["consistency_token"]}, headers=h
    )
    assert r.json()["consents"]["llm_feedback"]["granted"] is True
    assert (
        client.put(
            "/users/carol/consents/mind_reading", json={"granted": True, "policy_version": "1"}, headers=h
        ).status_code
        == 422
    )


def test_a_poison_event_lands_in_the_dead_letter_topic_and_the_stream_goes_on(
    client,
    auth,
    settings: Settings,  # type: ignore[no-untyped-def]
) -> None:
    from confluent_kafka import Producer

    users = topic_name(settings.topic_prefix, "users")
    producer = Producer({"bootstrap.servers": settings.kafka_bootstrap_servers})
    delivered: list[tuple[int | None, int | None]] = []  # (partition, offset) as the delivery report has them
    producer.produce(
        users,
        key=b"dave",
        value=b"\xc3\x01not-really-avro",
        on_delivery=lambda err, msg: delivered.append((msg.partition(), msg.offset())),
    )
    producer.flush(10)
    partition, offset = delivered[0]

    # The stream goes on: dave's later events are applied.
    h = auth("dave")
    client.post("/users", json={"email": "dave@example.org"}, headers=h).raise_for_status()
    r = client.put("/users/dave/profile", json={"skills": ["Go"]}, headers=h)
    r = client.get(
        "/users/dave/profile", params={"consistency_token": r.json()["consistency_token"]}, headers=h
    )
    assert r.status_code == 200 and r.json()["skills"] == ["Go"]

    dlq = topic_name(settings.topic_prefix, "dead-letter")
    consumer = Consumer({"bootstrap.servers": settings.kafka_bootstrap_servers, "group.id": "dlq-test"})
    consumer.assign([TopicPartition(dlq, 0, 0)])
    found: dict[str, dict[str, str]] = {}

    def poll_dead_letters() -> bool:
        msg = consumer.poll(0.5)
        if msg is not None and not msg.error():
            headers = {k: v.decode() for k, v in record_headers(msg).items()}
            if headers["dlq.source.offset"] == str(offset) and headers["dlq.source.partition"] == str(
                partition
            ):
                assert msg.value() == b"\xc3\x01not-really-avro"
                assert msg.key() == b"dave"
                found[headers["dlq.projection"]] = headers
        return {"user_profiles", "gdpr_erasures"} <= set(found)

    wait_until(poll_dead_letters, 30, "dead-letter records from both projections")
    consumer.close()
    assert "unknown schema fingerprint" in found["user_profiles"]["dlq.reason"]
    assert found["user_profiles"]["dlq.source.topic"] == users


def test_erasure_destroys_the_key_and_clears_the_read_model(client, auth, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    h = auth("erin")
    client.post(
        "/users", json={"email": "erin@example.org", "display_name": "Erin"}, headers=h
    ).raise_for_status()
    r = client.put("/users/erin/profile", json=PROFILE, headers=h)
    client.get(
        "/users/erin/profile", params={"consistency_token": r.json()["consistency_token"]}, headers=h
    ).raise_for_status()

    r = client.request("DELETE", "/users/erin", json={"reason": "leaving"}, headers=h)
    assert r.status_code == 202
    token = r.json()["consistency_token"]
    r = client.get("/users/erin/profile", params={"consistency_token": token}, headers=h)
    assert r.status_code == 404
    assert Redis.from_url(settings.redis_url).get(f"{settings.redis_prefix}profile:erin") is None

    def key_destroyed() -> bool:
        with psycopg.connect(settings.database_url) as conn:
            row = conn.execute(
                "SELECT wrapped_key IS NULL FROM subject_keys WHERE subject_id='erin'"
            ).fetchone()
        return bool(row and row[0])

    wait_until(key_destroyed, 30, "erin's data key to be destroyed")

    # The immutable log still decodes; only personal fields are gone.
    events = {e["event_type"]: e for e in replay_log(settings, subject="erin", topics=["users"])}
    registered, updated = events["UserRegistered"], events["ProfileUpdated"]
    assert registered["payload"]["email"] is None and "email" in registered["redacted"]
    assert updated["payload"]["location"] is None and updated["payload"]["career_goals"] is None
    assert updated["payload"]["skills"] == ["Python", "SQL", "Data analysis"]
    completed = wait_until(
        lambda: next(
            (
                e
                for e in replay_log(settings, subject="erin", topics=["users"])
                if e["event_type"] == "ErasureCompleted"
            ),
            None,
        ),
        30,
        "ErasureCompleted",
    )
    assert completed["causation_id"] == events["ErasureRequested"]["event_id"]  # type: ignore[index]
    assert "user_profiles" in completed["payload"]["projections_cleared"]  # type: ignore[index]

    # No process accepts new personal data for an erased user (writes revalidate the key within 1 s).
    wait_until(
        lambda: client.put("/users/erin/profile", json=PROFILE, headers=h).status_code == 410,
        5,
        "the API to refuse personal data for an erased user",
    )


def test_schemas_are_served(client) -> None:  # type: ignore[no-untyped-def]
    listing = client.get("/schemas").json()
    assert {s["event_type"] for s in listing} >= {"UserRegistered", "ProfileUpdated"}
    fp = next(s["fingerprint"] for s in listing if s["event_type"] == "ProfileUpdated")
    schema = client.get(f"/schemas/{fp}").json()
    assert schema["name"] == "ProfileUpdated"
    assert client.get("/schemas/0000000000000000").status_code == 404


def test_health_and_metrics(client, auth) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/healthz").json()["status"] == "ok"
    client.post("/users", json={"email": "m@example.org"}, headers=auth("metrics-user")).raise_for_status()
    text = client.get("/metrics").text
    assert "careerstream_events_produced_total" in text


def test_a_user_exports_everything_the_read_models_hold_about_them(client, auth) -> None:  # type: ignore[no-untyped-def]
    h = auth("frank")
    client.post(
        "/users", json={"email": "frank@example.org", "display_name": "Frank"}, headers=h
    ).raise_for_status()
    r = client.put("/users/frank/profile", json={"skills": ["Python"], "location": "Oslo"}, headers=h)
    token = r.json()["consistency_token"]
    client.get("/users/frank/profile", params={"consistency_token": token}, headers=h).raise_for_status()

    export = client.get("/users/frank/export", headers=h)
    assert export.status_code == 200
    models = export.json()["read_models"]
    profile = models["user_profiles"][0]
    assert profile["email"] == "frank@example.org" and profile["location"] == "Oslo"
    assert all(row["user_id"] == "frank" for rows in models.values() for row in rows)
    assert client.get("/users/frank/export", headers=auth("mallory")).status_code == 403
    assert client.get("/users/frank/export", headers=auth("audit-2", "auditor")).status_code == 200
    assert client.get("/users/nobody-at-all/export", headers=auth("nobody-at-all")).status_code == 404


def test_the_request_correlation_id_is_echoed_and_carried_by_the_event(  # type: ignore[no-untyped-def]
    client, auth, settings: Settings
) -> None:
    h = auth("gwen")
    r = client.post(
        "/users", json={"email": "gwen@example.org"}, headers={**h, "x-correlation-id": "trace-gwen-1"}
    )
    assert r.status_code == 202, r.text
    assert r.headers["x-correlation-id"] == "trace-gwen-1"
    # Without one, the API makes one up (a UUID) and still echoes it.
    generated = client.get("/healthz").headers["x-correlation-id"]
    assert len(generated) == 36 and generated.count("-") == 4
    events = list(replay_log(settings, subject="gwen", topics=["users"]))
    assert [e["correlation_id"] for e in events if e["event_type"] == "UserRegistered"] == ["trace-gwen-1"]
