"""A worker killed mid-stream (SIGKILL, no cleanup) resumes without losing or double-applying events."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator

import psycopg
import pytest
from psycopg_pool import ConnectionPool

from kernel.config import Settings
from schemas.events import new_event
from schemas.keystore import PostgresKeyStore
from schemas.serde import EventSerde
from streams.log_reader import read_log
from streams.producer import EventProducer
from streams.topics import ensure_topics
from tests.conftest import WorkerProcess, wait_until

USERS = 150
EVENTS = 6000
# The workers run the projection the counts are read from (and the erasures it obeys): what is under
# test is the applier's offsets and idempotence, which every projection shares. With all of them (the
# recommendations recomputed for every batch, the chat engine loaded at each start) a worker took about
# 35 s to apply the 6,000 events on a 2-core machine, and 20 s more to start.
ONLY_PROFILES = {"worker_projections": "user_profiles,gdpr_erasures"}


@pytest.fixture
def isolated(settings: Settings, tmp_path) -> Iterator[tuple[Settings, WorkerProcess]]:  # type: ignore[no-untyped-def]
    """Own topics (and so its own consumer group) so the counts below are exact."""
    s = settings.model_copy(update={"topic_prefix": settings.topic_prefix + "-crash", **ONLY_PROFILES})
    ensure_topics(s.kafka_bootstrap_servers, s.topic_prefix)
    w = WorkerProcess(s, tmp_path / "worker.log")
    yield s, w
    w.stop()
    print(w.log()[-4000:])  # shown by pytest when the test failed


def applied_count(s: Settings) -> int:
    with psycopg.connect(s.database_url) as conn:
        row = conn.execute(
            "SELECT coalesce(sum(next_offset), 0) FROM projection_positions WHERE projection='user_profiles' "
            "AND topic = %s",
            (f"{s.topic_prefix}.users",),
        ).fetchone()
    return int(row[0]) if row else 0


async def produce(s: Settings, plan: list[tuple[str, int]], chunk: int, pause_s: float) -> None:
    pool = ConnectionPool(s.database_url, min_size=1, max_size=2, open=True)
    producer = EventProducer(
        s.kafka_bootstrap_servers, EventSerde(PostgresKeyStore(pool, s.master_key_bytes())), s.topic_prefix
    )
    try:
        for start in range(0, len(plan), chunk):
            events = [
                new_event(
                    "ProfileUpdated",
                    user,
                    {"skills": [f"skill-{seq}"], "location": f"city-{seq}"},
                    producer="test",
                )
                for user, seq in plan[start : start + chunk]
            ]
            await producer.publish_many(events)
            await asyncio.sleep(pause_s)
    finally:
        producer.close()
        pool.close()


def test_kill_and_restart_mid_stream_ends_identical(isolated: tuple[Settings, WorkerProcess]) -> None:
    s, worker = isolated
    rng = random.Random(3)
    plan = [(f"crash-u{rng.randrange(USERS)}", seq) for seq in range(EVENTS)]
    expected_count: dict[str, int] = {}
    expected_last: dict[str, int] = {}
    for user, seq in plan:
        expected_count[user] = expected_count.get(user, 0) + 1
        expected_last[user] = seq

    # First third of the stream before the worker starts, the rest while it runs and while it is dead.
    asyncio.run(produce(s, plan[: EVENTS // 3], chunk=1000, pause_s=0))
    worker.start()
    wait_until(lambda: applied_count(s) > 0, 120, "the worker to start applying")
    asyncio.run(produce(s, plan[EVENTS // 3 : 2 * EVENTS // 3], chunk=250, pause_s=0.05))
    worker.kill()
    killed_at = applied_count(s)
    assert 0 < killed_at < EVENTS, "the kill must land mid-stream"
    asyncio.run(produce(s, plan[2 * EVENTS // 3 :], chunk=1000, pause_s=0))

    worker.start()
    # A restarted worker loads its engines before it joins (tens of seconds on a busy 2-core machine).
    wait_until(lambda: applied_count(s) >= EVENTS, 240, f"all {EVENTS} events applied after restart")

    with psycopg.connect(s.database_url) as conn:
        rows = conn.execute(
            "SELECT user_id, events_applied, skills, location FROM user_profiles"
            " WHERE user_id LIKE 'crash-u%%'"
        ).fetchall()
    assert len(rows) == len(expected_count)
    for user_id, events_applied, skills, location in rows:
        assert events_applied == expected_count[user_id], f"{user_id}: applied twice or lost"
        assert skills == [f"skill-{expected_last[user_id]}"]
        assert location == f"city-{expected_last[user_id]}"  # decrypted personal field
    assert sum(1 for _ in read_log(s, ["users"])) == EVENTS == applied_count(s)


def test_two_workers_share_partitions_through_rebalances_and_a_kill(
    settings: Settings,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    """A second worker joins (rebalance), the first is killed (its partitions move after the session
    timeout): every event is applied exactly once across both."""
    s = settings.model_copy(update={"topic_prefix": settings.topic_prefix + "-pair", **ONLY_PROFILES})
    ensure_topics(s.kafka_bootstrap_servers, s.topic_prefix)
    first, second = WorkerProcess(s, tmp_path / "w1.log"), WorkerProcess(s, tmp_path / "w2.log")
    rng = random.Random(5)
    plan = [(f"pair-u{rng.randrange(USERS)}", seq) for seq in range(3000)]
    expected_count: dict[str, int] = {}
    for user, _seq in plan:
        expected_count[user] = expected_count.get(user, 0) + 1
    try:
        first.start()
        asyncio.run(produce(s, plan[:1000], chunk=200, pause_s=0.02))
        wait_until(lambda: applied_count(s) > 0, 120, "the first worker to apply")
        second.start()  # joins the group: partitions are split between the two
        asyncio.run(produce(s, plan[1000:2000], chunk=100, pause_s=0.05))
        first.kill()
        asyncio.run(produce(s, plan[2000:], chunk=200, pause_s=0.02))
        wait_until(lambda: applied_count(s) >= len(plan), 240, "every event applied by the survivor")
    finally:
        first.stop()
        second.stop()
        print(first.log()[-3000:], second.log()[-3000:])
    with psycopg.connect(s.database_url) as conn:
        rows = conn.execute(
            "SELECT user_id, events_applied FROM user_profiles WHERE user_id LIKE 'pair-u%%'"
        ).fetchall()
    assert dict(rows) == expected_count
    assert applied_count(s) == len(plan)
