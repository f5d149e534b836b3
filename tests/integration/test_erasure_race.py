"""Erasure cannot be undone by a race: profile writes, interactions and resume uploads stream in for many
users while each user's DELETE lands at a different offset (0-1,000 ms into its stream). Afterwards
no personal data of any of them is left in Postgres, Redis or the blob store, every command after
the DELETE's 202 was refused with 410, and a planted marker value appears in no store."""

from __future__ import annotations

import random
import threading
import time
import uuid

import psycopg
import pytest
from fastapi.testclient import TestClient
from redis import Redis

from engines.reference_data.catalog import load_careers
from kernel.config import Settings
from projections.registry import all_projections
from streams.blob_store import owner_prefix
from tests.conftest import wait_until

USERS = 24


def positions(settings: Settings) -> dict[tuple[str, str, int], int]:
    with psycopg.connect(settings.database_url) as conn:
        rows = conn.execute(
            "SELECT projection, topic, partition, next_offset FROM projection_positions"
        ).fetchall()
    return {(p, t, int(n)): int(o) for p, t, n, o in rows}


def applied_everywhere(settings: Settings, acked: list[tuple[str, int, int]]) -> bool:
    """Every projection reading an acknowledged record's topic has applied it."""
    now = positions(settings)
    for topic, partition, offset in acked:
        logical = topic.rsplit(".", 1)[-1]
        for projection in all_projections():
            if logical in projection.topics and now.get((projection.name, topic, partition), 0) <= offset:
                return False
    return True


def quiet(settings: Settings, for_s: float = 3.0) -> bool:
    """No projection moved for `for_s` (derived events such as ErasureCompleted are applied too)."""
    before = positions(settings)
    time.sleep(for_s)
    return positions(settings) == before


@pytest.mark.parametrize("seed", [7])
# The race's commands and checks read as one story: which command raced, and what each store must hold.
def test_commands_racing_an_erasure_leave_no_personal_data(  # noqa: C901
    client: TestClient, auth, settings: Settings, seed: int
) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    run = uuid.uuid4().hex[:6]
    users = [f"race-{run}-{i}" for i in range(USERS)]
    marker = f"MARKER{uuid.uuid4().hex}"
    career_id = load_careers()[0].id
    acked: list[tuple[str, int, int]] = []
    after_delete: dict[str, list[int]] = {u: [] for u in users}
    deleted_at: dict[str, float] = {}
    lock = threading.Lock()
    svc = auth("race-writer", "service")

    unexpected: list[tuple[str, int, str]] = []

    def record(user: str, r: object, sent_at: float) -> None:
        status = r.status_code  # type: ignore[attr-defined]
        with lock:
            if status not in (202, 410):
                unexpected.append((user, status, r.text[:200]))  # type: ignore[attr-defined]
            if status == 202:
                topic, partition, offset = r.json()["consistency_token"].rsplit(":", 2)  # type: ignore[attr-defined]
                acked.append((topic, int(partition), int(offset)))
            if user in deleted_at and sent_at > deleted_at[user]:
                after_delete[user].append(status)

    def writer(user: str, stop: threading.Event) -> None:
        i = 0
        while not stop.is_set():
            sent = time.monotonic()
            kind = i % 3
            if kind == 0:
                profile = {
                    "skills": ["SQL"],
                    "location": f"{marker}-loc",
                    "career_goals": f"{marker} goals {i}",
                }
                r = client.put(f"/users/{user}/profile", json=profile, headers=svc)
            elif kind == 1:
                body = {"career_id": career_id, "action": "saved", "source": "race"}
                r = client.post(f"/users/{user}/interactions", json=body, headers=svc)
            else:
                text = f"{marker} Resume\nEngineer at Acme 2019-2024\nSkills: Python, SQL\n#{i}".encode()
                r = client.post(
                    f"/users/{user}/resumes", files={"file": (f"{marker}-{i}.txt", text)}, headers=svc
                )
            record(user, r, sent)
            i += 1

    stops = {u: threading.Event() for u in users}
    threads = [threading.Thread(target=writer, args=(u, stops[u])) for u in users]
    for u in users:
        r = client.post(
            "/users",
            json={"user_id": u, "email": f"{marker}@example.org", "display_name": marker},
            headers=svc,
        )
        assert r.status_code == 202, r.text
    for t in threads:
        t.start()

    def eraser(user: str, offset_s: float) -> None:
        time.sleep(offset_s)
        r = client.request("DELETE", f"/users/{user}", headers=svc)
        assert r.status_code == 202, r.text
        with lock:
            deleted_at[user] = time.monotonic()
            topic, partition, offset = r.json()["consistency_token"].rsplit(":", 2)
            acked.append((topic, int(partition), int(offset)))
        time.sleep(0.5)  # keep writing for a while after the 202: all of it must be refused
        stops[user].set()

    erasers = [threading.Thread(target=eraser, args=(u, rng.uniform(0, 1.0))) for u in users]
    for e in erasers:
        e.start()
    for t in [*erasers, *threads]:
        t.join(timeout=120)

    assert unexpected == []  # every command was accepted or refused as gone, never anything else
    # Every command sent after the DELETE's 202 was refused, and some were sent.
    assert all(set(s) <= {410} for s in after_delete.values()), after_delete
    assert sum(len(s) for s in after_delete.values()) > 0
    wait_until(lambda: applied_everywhere(settings, acked), 120, "every accepted command applied")
    wait_until(lambda: quiet(settings), 60, "derived events (analyses, erasure completions) applied")

    with psycopg.connect(settings.database_url) as conn:
        for table, column in (
            ("user_profiles", "user_id"),
            ("rec_user_features", "user_id"),
            ("recommendation_history", "user_id"),
            ("resume_analyses", "user_id"),
        ):
            left = conn.execute(f"SELECT {column} FROM {table} WHERE {column} = ANY(%s)", (users,)).fetchall()
            assert left == [], (table, left)
        keys: dict[str, bytes | None] = dict(
            conn.execute(
                "SELECT subject_id, wrapped_key FROM subject_keys WHERE subject_id = ANY(%s)", (users,)
            ).fetchall()
        )
        assert set(keys) == set(users) and all(v is None for v in keys.values()), "a key survived"
        # The planted marker is nowhere in plaintext: not in any table of the database.
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        for table in tables:
            hit = conn.execute(
                f"SELECT count(*) FROM {table} t WHERE to_jsonb(t)::text LIKE %s", (f"%{marker}%",)
            )
            assert hit.fetchone() == (0,), f"{marker} found in {table}"
    redis = Redis.from_url(settings.redis_url)
    for key in redis.scan_iter(match=f"{settings.redis_prefix}*", count=1000):
        name = key.decode(errors="replace")
        assert not any(u in name for u in users) or "ratelimit" in name, name
        if redis.type(key) == b"string":
            assert marker.encode() not in (redis.get(key) or b""), name
    for u in users:
        assert not (settings.blob_dir / owner_prefix(u)).exists(), f"{u}'s blobs survived"
