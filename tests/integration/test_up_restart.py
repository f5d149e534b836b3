"""`careerstream up` as a person runs it (what `make run` calls): a worker killed with SIGKILL is
restarted by the supervisor (counted in its /metrics), and stopping and starting `up` keeps every
event and read model on Apache Kafka, while on Tansu (in memory) the second start resets every
derived store. Runs in its own folder, so its `var/` (broker log, blobs, index) is its own. Its Kafka runs
with the quick start the whole suite uses (tests/conftest.py: the JIT's first tier only), which `make run`
does not."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from api.auth import mint_token
from careerstream.local_broker import free_port, wait_for_port
from kernel.config import Settings
from tests.conftest import selected_broker_kind, settings_env, wait_until


class Up:
    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.env, self.cwd = env, cwd
        self.log = cwd / "up.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        out = open(self.log, "ab")  # noqa: SIM115 - the child owns it
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "careerstream.cli", "up"],
            env=self.env,
            cwd=self.cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for_port("127.0.0.1", int(self.env["API_PORT"]), timeout_s=180)

    def stop(self) -> None:
        """Ctrl-C, as a person stops it."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGINT)
        self.proc.wait(timeout=90)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def child_pid(self, role: str) -> int:
        assert self.proc is not None
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout
        for pid in out.split():
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            if role.encode() in cmdline and b"careerstream.cli" in cmdline:
                return int(pid)
        raise AssertionError(f"no {role} child of up")


@pytest.fixture
def up(settings: Settings, tmp_path: Path) -> Iterator[Up]:
    run = uuid.uuid4().hex[:8]
    env = settings_env(settings) | {
        "KAFKA_BOOTSTRAP_SERVERS": "",  # `up` starts its own broker
        "LOCAL_BROKER": selected_broker_kind(),
        "EMBEDDED_BROKER_PORT": str(free_port()),
        "DATABASE_URL": psycopg.conninfo.make_conninfo(settings.database_url, dbname=f"cs_up_{run}"),
        "TOPIC_PREFIX": "careerstream",
        "REDIS_PREFIX": f"cstest:up{run}:",
        "API_PORT": str(free_port()),
        "SUPERVISOR_METRICS_PORT": str(free_port()),
        "KAFKA_DATA_DIR": "var/kafka",
        "BLOB_DIR": "var/blobs",
        "COURSE_INDEX_DIR": "var/course_index",
        "FAUST_DATADIR": "var/faust",
        "RECS_MODELS_DIR": "var/models/recs",
        "LOG_LEVEL": "WARNING",
        # One worker for every projection (not the default's second one for recommendations): what is
        # tested is the supervisor and the log, and two workers starting at once on two cores doubled
        # each `up`'s start in CI.
        "DEDICATED_WORKERS": "",
    }
    u = Up(env, tmp_path)
    yield u
    if u.proc is not None and u.proc.poll() is None:
        u.stop()
    # The stack's own lines (supervisor, API, warnings), not the workers' INFO chatter, for a failure.
    print("\n".join(line for line in u.output().splitlines() if "[INFO]" not in line)[-8000:])
    with psycopg.connect(
        psycopg.conninfo.make_conninfo(settings.database_url, dbname="postgres"), autocommit=True
    ) as c:
        c.execute(f'DROP DATABASE IF EXISTS "cs_up_{run}" WITH (FORCE)')


def test_up_restarts_a_killed_worker_and_a_second_up_keeps_the_data_on_kafka(
    up: Up, settings: Settings
) -> None:
    up.start()
    token = mint_token(settings.jwt_secret, "ops", "service", settings.jwt_issuer, 3600)
    api = httpx.Client(
        base_url=f"http://127.0.0.1:{up.env['API_PORT']}",
        headers={"Authorization": f"Bearer {token}"},
        # Longer than the producer's 30 s delivery timeout: a broker that does not acknowledge shows as
        # the API's 503 with its reason, not as the client giving up first.
        timeout=60,
    )
    r = api.post("/users", json={"user_id": "kept-user", "email": "kept@example.org", "display_name": "Kept"})
    assert r.status_code == 202, r.text
    r = api.put("/users/kept-user/profile", json={"skills": ["Python"], "location": "Dublin"})
    assert r.status_code == 202, r.text
    token_written = r.json()["consistency_token"]
    r = api.get("/users/kept-user/profile", params={"consistency_token": token_written})
    assert r.status_code == 200 and r.json()["location"] == "Dublin", r.text

    if up.env["LOCAL_BROKER"] == "kafka":
        # SIGKILL the worker: the supervisor restarts it and counts the restart (the supervisor does not
        # depend on the broker, so the Tansu lane skips this part).
        os.kill(up.child_pid("worker"), signal.SIGKILL)
        wait_until(lambda: "restarted worker-1" in up.output(), 30, "the supervisor to restart the worker")
        metrics = httpx.get(f"http://127.0.0.1:{up.env['SUPERVISOR_METRICS_PORT']}/metrics").text
        assert (
            'careerstream_process_restarts_total{cause="killed by SIGKILL",process="worker-1"} 1.0' in metrics
        )
    r = api.put("/users/kept-user/profile", json={"skills": ["Python", "SQL"], "location": "Cork"})
    assert r.status_code == 202, r.text
    r = api.get("/users/kept-user/profile", params={"consistency_token": r.json()["consistency_token"]})
    assert r.status_code == 200 and r.json()["location"] == "Cork", r.text

    up.stop()
    assert "stopped" in up.output()
    up.start()
    if up.env["LOCAL_BROKER"] == "kafka":
        assert "resetting" not in up.output()
        r = api.get("/users/kept-user/profile")
        assert (
            r.status_code == 200
            and r.json()["location"] == "Cork"
            and r.json()["skills"] == ["Python", "SQL"]
        )
        # The log kept the events too: a write after the restart lands after them.
        r = api.put("/users/kept-user/profile", json={"skills": [], "location": "Galway"})
        assert r.status_code == 202 and int(r.json()["consistency_token"].rsplit(":", 1)[1]) >= 2
    else:
        # Tansu forgot the log: every derived store was reset, and the same user can register again.
        assert "resetting read models, search index, blobs and keys" in up.output()
        assert api.get("/users/kept-user/profile").status_code == 404
        r = api.post(
            "/users", json={"user_id": "kept-user", "email": "kept@example.org", "display_name": "Kept"}
        )
        assert r.status_code == 202, r.text
