"""`careerstream up` never leaves read models describing a log that no longer exists."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg_pool import ConnectionPool
from redis import Redis

from careerstream.local_stack import prepare
from kernel.config import Settings
from schemas.events import new_event
from schemas.keystore import PostgresKeyStore
from schemas.serde import EventSerde
from streams.producer import EventProducer


@pytest.fixture
def fresh(settings: Settings, tmp_path: Path) -> Iterator[Settings]:
    """Own database, topic prefix, Redis prefix, blobs and index: `prepare` may reset all of them."""
    run = uuid.uuid4().hex[:8]
    url = psycopg.conninfo.make_conninfo(settings.database_url, dbname=f"cs_stack_{run}")
    s = settings.model_copy(
        update={
            "database_url": url,
            "topic_prefix": f"stack{run}",
            "redis_prefix": f"cstest:stack{run}:",
            "blob_dir": tmp_path / "blobs",
            "course_index_dir": tmp_path / "index",
        }
    )
    yield s
    with psycopg.connect(psycopg.conninfo.make_conninfo(url, dbname="postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "cs_stack_{run}" WITH (FORCE)')


def test_an_empty_log_resets_every_derived_store(fresh: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert prepare(fresh) is False  # first start: creates database, tables and topics
    with psycopg.connect(fresh.database_url) as conn:
        conn.execute("INSERT INTO user_profiles (user_id, email) VALUES ('ghost', 'g@example.org')")
        conn.execute("INSERT INTO projection_positions VALUES ('user_profiles', 'old.users', 0, 42, now())")
        conn.execute("INSERT INTO erasures VALUES ('erased', 'erased', now(), true, 'e1')")
        # A destroyed key (erasure tombstone) from the old log: kept, it would block re-registration.
        conn.execute("INSERT INTO subject_keys (subject_id, destroyed_at) VALUES ('erased', now())")
    redis = Redis.from_url(fresh.redis_url)
    redis.set(f"{fresh.redis_prefix}profile:ghost", "{}")
    index = fresh.course_index_dir / fresh.topic_prefix
    index.mkdir(parents=True)
    (index / "meta.json").write_text("{}")
    blob = fresh.blob_dir / "gh" / "ghost"
    blob.mkdir(parents=True)
    (blob / "resume").write_bytes(b"old")

    assert prepare(fresh) is True
    assert "resetting read models" in capsys.readouterr().out
    with psycopg.connect(fresh.database_url) as conn:
        for table in ("user_profiles", "projection_positions", "erasures", "subject_keys"):
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table
    assert redis.get(f"{fresh.redis_prefix}profile:ghost") is None
    assert not index.exists()
    assert not fresh.blob_dir.exists()
    assert prepare(fresh) is False  # nothing left to reset


def test_a_log_with_events_keeps_the_projections(fresh: Settings) -> None:
    prepare(fresh)
    pool = ConnectionPool(fresh.database_url, min_size=1, max_size=1, open=True)
    producer = EventProducer(
        fresh.kafka_bootstrap_servers,
        EventSerde(PostgresKeyStore(pool, fresh.master_key_bytes())),
        fresh.topic_prefix,
    )
    asyncio.run(producer.publish(new_event("ProfileUpdated", "kept", {"skills": []}, producer="test")))
    producer.close()
    pool.close()
    with psycopg.connect(fresh.database_url) as conn:
        conn.execute("INSERT INTO user_profiles (user_id) VALUES ('kept')")
        conn.execute("INSERT INTO projection_positions VALUES ('user_profiles', 'x.users', 0, 1, now())")
    assert prepare(fresh) is False
    with psycopg.connect(fresh.database_url) as conn:
        assert conn.execute("SELECT count(*) FROM user_profiles").fetchone() == (1,)
