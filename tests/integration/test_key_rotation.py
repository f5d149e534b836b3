"""Master-key rotation re-wraps every data key online: old events still decode with only the new master
key configured, erased subjects stay erased, and the CLI reports what it did."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg_pool import ConnectionPool

from kernel.config import Settings
from projections.migrate import ensure_database, migrate
from schemas.events import new_event
from schemas.keystore import LocalKeyRing, PostgresKeyStore, master_key_id, rotate_master_key
from schemas.serde import EventSerde
from tests.conftest import ROOT, settings_env


@pytest.fixture
def key_db(settings: Settings) -> Iterator[str]:
    """A database of its own: rotation touches every row of subject_keys."""
    name = f"cs_keys_{uuid.uuid4().hex[:8]}"
    url = psycopg.conninfo.make_conninfo(settings.database_url, dbname=name)
    ensure_database(url)
    migrate(url)
    yield url
    with psycopg.connect(psycopg.conninfo.make_conninfo(url, dbname="postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def profile(user: str) -> object:
    return new_event("ProfileUpdated", user, {"skills": ["SQL"], "location": f"{user}-city"}, producer="test")


def test_rotation_keeps_old_events_readable_and_erased_subjects_erased(key_db: str) -> None:
    old, new = os.urandom(32), os.urandom(32)
    with ConnectionPool(key_db, min_size=1, max_size=2) as pool:
        before = EventSerde(PostgresKeyStore(pool, old))
        encoded = {f"u{i}": before.encode(profile(f"u{i}")) for i in range(120)}  # type: ignore[arg-type]
        before.keystore.destroy("u7")  # erased before the rotation

        ring = LocalKeyRing(new, previous=[old])
        report = rotate_master_key(pool, ring, batch=50)
        assert (report.rewrapped, report.skipped) == (119, 0)
        assert rotate_master_key(pool, ring).rewrapped == 0  # resumable: nothing left to do

        with pool.connection() as conn:
            ids = {
                r[0]
                for r in conn.execute(
                    "SELECT DISTINCT master_key_id FROM subject_keys WHERE wrapped_key IS NOT NULL"
                )
            }
        assert ids == {master_key_id(new)}

        # Only the new master key configured: every old event still decodes, the erased one stays redacted.
        after = EventSerde(PostgresKeyStore(pool, new))
        for user, data in encoded.items():
            event = after.decode(data)
            if user == "u7":
                assert event.redacted == {"location"} and event.payload["location"] is None
            else:
                assert event.payload["location"] == f"{user}-city"
        # New keys are wrapped with the new master key.
        after.encode(profile("fresh"))  # type: ignore[arg-type]
        with pool.connection() as conn:
            row = conn.execute("SELECT master_key_id FROM subject_keys WHERE subject_id = 'fresh'").fetchone()
        assert row == (master_key_id(new),)


def test_a_key_destroyed_during_rotation_is_not_brought_back(key_db: str) -> None:
    old, new = os.urandom(32), os.urandom(32)
    with ConnectionPool(key_db, min_size=1, max_size=2) as pool:
        store = PostgresKeyStore(pool, old)
        store.key_for_write("racer")

        class DestroyingRing(LocalKeyRing):
            def unwrap(self, key_id: str | None, subject_id: str, wrapped: bytes) -> bytes:
                key = super().unwrap(key_id, subject_id, wrapped)
                store.destroy(subject_id)  # the erasure lands between read and write-back
                return key

        report = rotate_master_key(pool, DestroyingRing(new, previous=[old]))
        assert (report.rewrapped, report.skipped) == (0, 1)
        with pool.connection() as conn:
            assert conn.execute(
                "SELECT wrapped_key FROM subject_keys WHERE subject_id='racer'"
            ).fetchone() == (None,)


def test_keys_rotate_command(key_db: str, settings: Settings) -> None:
    old, new = os.urandom(32), os.urandom(32)
    with ConnectionPool(key_db, min_size=1, max_size=1) as pool:
        PostgresKeyStore(pool, old).key_for_write("cli-user")
    env = settings_env(settings) | {
        "DATABASE_URL": key_db,
        "MASTER_KEY": base64.b64encode(new).decode(),
        "PREVIOUS_MASTER_KEYS": base64.b64encode(old).decode(),
    }
    out = subprocess.run(
        [sys.executable, "-m", "careerstream.cli", "keys", "rotate"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {"master_key_id": master_key_id(new), "rewrapped": 1, "skipped": 0}
