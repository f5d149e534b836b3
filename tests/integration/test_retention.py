"""`careerstream retention run` deletes what is past retention (chat history, recommendation history,
resume uploads with their files), keeps what is not, records its cutoffs and publishes a
RetentionApplied audit event with the counts."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

from kernel.config import Settings
from projections.migrate import ensure_database, migrate
from schemas.keystore import PostgresKeyStore
from schemas.serde import EventSerde
from streams.blob_store import LocalBlobStore
from streams.log_reader import read_log
from streams.topics import ensure_topics
from tests.conftest import ROOT, settings_env


@pytest.fixture
def own(settings: Settings, tmp_path: Path) -> Iterator[Settings]:
    run = uuid.uuid4().hex[:8]
    s = settings.model_copy(
        update={
            "database_url": psycopg.conninfo.make_conninfo(settings.database_url, dbname=f"cs_ret_{run}"),
            "topic_prefix": f"ret{run}",
            "blob_dir": tmp_path / "blobs",
        }
    )
    ensure_database(s.database_url)
    migrate(s.database_url)
    ensure_topics(s.kafka_bootstrap_servers, s.topic_prefix)
    yield s
    with psycopg.connect(
        psycopg.conninfo.make_conninfo(s.database_url, dbname="postgres"), autocommit=True
    ) as c:
        c.execute(f'DROP DATABASE IF EXISTS "cs_ret_{run}" WITH (FORCE)')


def test_retention_run_deletes_only_what_is_past_its_period(own: Settings) -> None:
    s = own
    now = datetime.now(UTC)
    old, recent = now - timedelta(days=400), now - timedelta(days=10)
    blobs = LocalBlobStore(s.blob_dir)
    files = {name: hashlib.sha256(name.encode()).hexdigest() for name in ("old", "shared", "recent")}
    for sha in files.values():
        blobs.put("u1", sha, b"ciphertext")
    with psycopg.connect(s.database_url) as conn:
        for rid, sha, at in [
            ("r-old", files["old"], old),
            ("r-old-shared", files["shared"], old),
            ("r-new-shared", files["shared"], recent),
            ("r-recent", files["recent"], recent),
        ]:
            conn.execute(
                "INSERT INTO resume_analyses (resume_id, user_id, status, blob_sha256, uploaded_at)"
                " VALUES (%s, 'u1', 'done', %s, %s)",
                (rid, sha, at),
            )
        for eid, at in [("h-old", now - timedelta(days=200)), ("h-new", recent)]:
            conn.execute(
                "INSERT INTO recommendation_history VALUES ('u1', %s, 'v1', %s, %s)", (eid, at, Jsonb([]))
            )
        for mid, at in [("m-old", now - timedelta(days=100)), ("m-new", recent)]:
            conn.execute(
                "INSERT INTO chat_messages (message_id, conversation_id, user_id, seq, role, text,"
                " occurred_at) VALUES (%s, 'c1', 'u1', 1, 'user', 'hi', %s)",
                (mid, at),
            )

    out = subprocess.run(
        [sys.executable, "-m", "careerstream.cli", "retention", "run"],
        env=settings_env(s),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["deleted"] == {
        "chat_history": 1,
        "recommendation_history": 1,
        "resume_uploads": 2,
        "resume_files": 1,  # the shared file is still used by a recent upload
    }
    with psycopg.connect(s.database_url) as conn:
        assert {r[0] for r in conn.execute("SELECT resume_id FROM resume_analyses")} == {
            "r-new-shared",
            "r-recent",
        }
        assert [r[0] for r in conn.execute("SELECT event_id FROM recommendation_history")] == ["h-new"]
        assert [r[0] for r in conn.execute("SELECT message_id FROM chat_messages")] == ["m-new"]
        runs: dict[str, int] = dict(conn.execute("SELECT rule, deleted FROM retention_runs").fetchall())
    assert runs == {"chat_history": 1, "recommendation_history": 1, "resume_uploads": 2}
    remaining = {p.name for p in s.blob_dir.rglob("*") if p.is_file()}
    assert remaining == {files["shared"], files["recent"]}

    # The run is on the audit topic, counts and policy included.
    with ConnectionPool(s.database_url, min_size=1, max_size=1) as pool:
        serde = EventSerde(PostgresKeyStore(pool, s.master_key_bytes()))
        (event,) = [serde.decode(r.value) for r in read_log(s, ["audit"])]
    assert event.event_type == "RetentionApplied" and event.subject_id == "retention"
    assert event.payload["deleted"]["resume_files"] == 1
    assert event.payload["policy_days"] == {
        "chat_history": 90,
        "recommendation_history": 180,
        "resume_uploads": 365,
    }
