"""After an erasure, a marker planted in every field the contract marks personal (and in the resume's
file name and content) is nowhere: not in any Postgres table, any Redis value, the blob store, the
search index, nor in plaintext in any topic of the log (personal fields there were encrypted under the
key the erasure destroyed). Fields not marked personal (skills, interests, target roles) stay in the
log by design; docs/gdpr.md lists them."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import psycopg
from fastapi.testclient import TestClient
from redis import Redis

from kernel.config import Settings
from streams.log_reader import read_log
from tests.conftest import wait_until
from tests.resume_analysis.builders import make_pdf


def raw(reply: object) -> bytes:
    """redis-py types a reply as `bytes | str` (or wider); a client made without decode_responses
    returns bytes."""
    assert isinstance(reply, bytes), reply
    return reply


def redis_values(redis: Redis, key: bytes) -> bytes:
    kind = redis.type(key)
    if kind == b"string":
        value = redis.get(key)
        return raw(value) if value is not None else b""
    if kind == b"hash":
        return b"".join(raw(k) + raw(v) for k, v in redis.hgetall(key).items())
    if kind == b"list":
        return b"".join(raw(v) for v in redis.lrange(key, 0, -1))
    if kind == b"set":
        return b"".join(raw(m) for m in redis.smembers(key))
    if kind == b"zset":
        return b"".join(raw(m) for m in redis.zrange(key, 0, -1))  # the members (scores are numbers)
    return b""


def files_containing(root: Path, needle: bytes) -> list[Path]:
    if not root.exists():
        return []
    return [p for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]


def test_a_planted_marker_is_nowhere_after_erasure(client: TestClient, auth, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    marker = f"PLANTED{uuid.uuid4().hex}"
    user, h = f"marker-{uuid.uuid4().hex[:6]}", None
    h = auth(user)
    r = client.post("/users", json={"email": f"{marker}@example.org", "display_name": marker}, headers=h)
    assert r.status_code == 202, r.text
    profile = {
        "skills": ["SQL"],
        "location": marker,
        "career_goals": f"become {marker}",
        "salary_expectation": 54321.0,
    }
    r = client.put(f"/users/{user}/profile", json=profile, headers=h)
    token = r.json()["consistency_token"]
    assert (
        client.get(f"/users/{user}/profile", params={"consistency_token": token}, headers=h).json()[
            "location"
        ]
        == marker
    )
    pdf = make_pdf([marker, f"{marker}@example.org", "Experience", f"Engineer, {marker} Ltd, 2019 - 2024"])
    r = client.post(
        f"/users/{user}/resumes",
        files={"file": (f"{marker}.pdf", pdf)},
        data={"target_role": "Data engineer", "job_description": marker},
        headers=h,
    )
    assert r.status_code == 202, r.text
    resume = r.json()["resume_id"]
    url = f"/users/{user}/resumes/{resume}/analysis"
    wait_until(lambda: client.get(url, headers=h).json().get("status") == "done", 60, "the analysis")
    # The marker is really there before the erasure (the scan can find it).
    with psycopg.connect(settings.database_url) as conn:
        found = conn.execute(
            "SELECT count(*) FROM user_profiles t WHERE to_jsonb(t)::text LIKE %s", (f"%{marker}%",)
        )
        assert found.fetchone() == (1,)

    r = client.request("DELETE", f"/users/{user}", headers=h)
    assert r.status_code == 202
    token = r.json()["consistency_token"]
    assert client.get(
        f"/users/{user}/profile", params={"consistency_token": token}, headers=h
    ).status_code in (404, 410)
    wait_until(lambda: client.get(url, headers=h).status_code in (404, 410), 30, "the analysis erased")

    def nowhere() -> list[str]:
        hits = []
        with psycopg.connect(settings.database_url) as conn:
            tables = [
                r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ]
            for table in tables:
                n = conn.execute(
                    f'SELECT count(*) FROM "{table}" t WHERE to_jsonb(t)::text LIKE %s', (f"%{marker}%",)
                )
                if n.fetchone() != (0,):
                    hits.append(f"postgres {table}")
        redis = Redis.from_url(settings.redis_url)
        for key in redis.scan_iter(match=f"{settings.redis_prefix}*", count=1000):
            if marker.encode() in key or marker.encode() in redis_values(redis, key):
                hits.append(f"redis {key!r}")
        hits += [f"blob {p}" for p in files_containing(settings.blob_dir, marker.encode())]
        hits += [f"index {p}" for p in files_containing(settings.course_index_dir, marker.encode())]
        hits += [
            f"log {r.topic}:{r.partition}:{r.offset}"
            for r in read_log(settings)
            if marker.encode() in r.value
        ]
        return hits

    deadline = time.monotonic() + 30
    while (hits := nowhere()) and time.monotonic() < deadline:
        time.sleep(1)
    assert hits == [], f"{marker} still found in: {hits}"
