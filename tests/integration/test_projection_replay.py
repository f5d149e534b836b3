"""`careerstream replay --projection NAME [--to-time T] --verify`: a read model rebuilt from the log into
a fresh namespace equals the live one (erasures included), and as of a past time it shows the past."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from psycopg_pool import ConnectionPool

from kernel.config import Settings
from projections.migrate import ensure_database, migrate
from projections.registry import selected_projections
from schemas.events import Event, new_event
from schemas.keystore import PostgresKeyStore
from schemas.serde import EventSerde
from streams.producer import EventProducer
from streams.projection_replay import replay_projection, verify_projection
from streams.topics import ensure_topics
from tests.conftest import ROOT, WorkerProcess, settings_env, wait_until


@pytest.fixture
def own(settings: Settings, tmp_path: Path) -> Iterator[Settings]:
    """Own database and topics: the live read model holds exactly this test's log."""
    run = uuid.uuid4().hex[:8]
    s = settings.model_copy(
        update={
            "database_url": psycopg.conninfo.make_conninfo(settings.database_url, dbname=f"cs_replay_{run}"),
            "topic_prefix": f"replay{run}",
            "redis_prefix": f"cstest:replay{run}:",
            "worker_projections": "user_profiles,gdpr_erasures",
            "faust_datadir": tmp_path / "faust",
        }
    )
    ensure_database(s.database_url)
    migrate(s.database_url)
    ensure_topics(s.kafka_bootstrap_servers, s.topic_prefix)
    yield s
    with psycopg.connect(
        psycopg.conninfo.make_conninfo(s.database_url, dbname="postgres"), autocommit=True
    ) as c:
        c.execute(f'DROP DATABASE IF EXISTS "cs_replay_{run}" WITH (FORCE)')


def publish(s: Settings, events: list[Event]) -> None:
    with ConnectionPool(s.database_url, min_size=1, max_size=2) as pool:
        producer = EventProducer(
            s.kafka_bootstrap_servers,
            EventSerde(PostgresKeyStore(pool, s.master_key_bytes())),
            s.topic_prefix,
        )
        asyncio.run(producer.publish_many(events))
        producer.close()


def applied(s: Settings) -> int:
    with psycopg.connect(s.database_url) as conn:
        row = conn.execute(
            "SELECT coalesce(sum(next_offset), 0) FROM projection_positions"
            " WHERE projection = 'user_profiles'"
        ).fetchone()
    return int(row[0]) if row else 0


def location(s: Settings, schema: str, user: str) -> object:
    with psycopg.connect(s.database_url) as conn:
        row = conn.execute(
            f"SELECT location FROM {schema}.user_profiles WHERE user_id = %s", (user,)
        ).fetchone()
    return row[0] if row else None


def test_replay_equals_the_live_read_model_and_shows_the_past(own: Settings, tmp_path: Path) -> None:
    s = own
    (projection,) = selected_projections("user_profiles")
    users = [f"r{i}" for i in range(30)]
    first = [
        new_event("ProfileUpdated", u, {"skills": ["SQL"], "location": f"{u}-before"}, producer="t")
        for u in users
    ]
    publish(s, first)
    time.sleep(1.5)  # record timestamps are milliseconds: leave a clear gap for --to-time
    cut = datetime.now(UTC)
    time.sleep(1.5)
    second = [
        new_event("ProfileUpdated", u, {"skills": ["Go"], "location": f"{u}-after"}, producer="t")
        for u in users
    ]
    erase = new_event("ErasureRequested", "r0", {"requested_by": "r0"}, producer="t")
    publish(s, [*second, erase])

    worker = WorkerProcess(s, tmp_path / "worker.log")
    worker.start()
    try:
        # ... and the ErasureCompleted the worker publishes itself: the system is quiet after that.
        wait_until(lambda: applied(s) >= len(first) + len(second) + 2, 90, "the worker to apply the log")
    finally:
        worker.stop()
    assert location(s, "public", "r0") is None and location(s, "public", "r1") == "r1-after"

    report = asyncio.run(replay_projection(s, projection))
    # The log also holds the ErasureCompleted the worker published: as many records as the live read
    # model consumed.
    assert report.events_read == applied(s) == len(first) + len(second) + 2 and report.dead_letters == 0
    assert verify_projection(s, projection) == []
    assert location(s, "replay_user_profiles", "r1") == "r1-after"
    assert location(s, "replay_user_profiles", "r0") is None  # the erasure is in the log: replayed too

    # As of the cut: every profile shows its first location, and verify reports the difference.
    past = asyncio.run(replay_projection(s, projection, to_time=cut))
    assert past.events_read == len(first)
    assert location(s, "replay_user_profiles", "r1") == "r1-before"
    # r0's profile existed then, but its key is destroyed now: the past shows no personal data either.
    with psycopg.connect(s.database_url) as conn:
        row = conn.execute(
            "SELECT skills, location FROM replay_user_profiles.user_profiles WHERE user_id = 'r0'"
        )
        assert row.fetchone() == (["SQL"], None)
    assert any(d.where == "user_profiles" for d in verify_projection(s, projection))

    # The command line: progress on stderr, one JSON report, then the verdict (exit 0 when identical).
    out = subprocess.run(
        [sys.executable, "-m", "careerstream.cli", "replay", "--projection", "user_profiles", "--verify"],
        env=settings_env(s),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    assert lines[0]["events_read"] == applied(s)
    assert lines[-1] == {"verified": True, "differences": 0}

    # Split among two forked processes (a partition each share), through the command line, whose
    # progress bar runs a thread while the processes fork: the same rebuild, no difference.
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "careerstream.cli",
            "replay",
            "--projection",
            "user_profiles",
            "--processes",
            "2",
            "--verify",
        ],
        env=settings_env(s),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    assert lines[0]["events_read"] == applied(s)
    assert lines[-1] == {"verified": True, "differences": 0}
