"""`careerstream chaos` scenarios, bounded and small: one stack of their own (this lane's broker kind,
a private Postgres behind a delay proxy, a private Redis, blobs on a small tmpfs, a worker and two API
processes under the `up` supervisor) shared by the module; one test per family of faults. Each
scenario runs light load (20 requests/s, 20 users), injects its fault, waits for recovery, then checks
that no acknowledged write was lost or logged twice and that every read model equals a replay of the
log (streams/projection_replay.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from careerstream.chaos import scenarios
from careerstream.load.stack import RunStack
from kernel.config import Settings
from tests.conftest import selected_broker_kind

RATE = 20.0
USERS = 20

# Open finding (2026-11-30): on Tansu, after the worker was SIGKILLed (it then restarted twice), one
# user's `user_profiles` row differed from the replay of the log in every later check; not diagnosed
# yet (Kafka: all scenarios pass). Kept visible as an expected failure, not skipped.
pytestmark = pytest.mark.xfail(
    selected_broker_kind() == "tansu",
    reason="Tansu: user_profiles differs from a replay after a worker kill (open, see module comment)",
    strict=False,
)


@pytest.fixture(scope="module")
def chaos() -> Iterator[RunStack]:
    stack = scenarios.chaos_stack(Settings(_env_file=None), broker=selected_broker_kind())  # type: ignore[call-arg]
    stack.start()
    yield stack
    stack.stop()


@pytest.fixture(autouse=True)
def short_phases(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scenarios, "BASELINE_S", 2.0)
    monkeypatch.setattr(scenarios, "AFTER_S", 1.0)


def run(stack: RunStack, name: str, verify: bool = True) -> dict[str, Any]:
    result = scenarios.run_scenario(stack, name, rate=RATE, users=USERS, verify=verify)
    print(result)
    if "skipped" in result:
        return result
    assert result["acknowledged_writes"] > 0
    assert result["acknowledged_writes_lost"] == 0, result
    assert result["events_in_log_twice"] == 0, result
    assert result["recover_s"] is not None, result
    assert result["caught_up"], result
    for projection, verdict in result["read_models"].items():
        assert verdict["differences"] == 0, (projection, verdict)
    assert result["ok"], result
    return result


def test_killed_processes_are_restarted_and_lose_nothing(chaos: RunStack) -> None:
    worker = run(chaos, "kill-worker", verify=False)
    assert worker["process_restarts"].get("worker-1", 0) >= 1
    assert worker["errors_during_fault"] == 0  # the API keeps answering; only freshness waits
    api = run(chaos, "kill-api")
    assert api["process_restarts"].get("api-1", 0) >= 1
    # Only requests in flight on the killed process (or its accept queue) fail; api-2 serves the rest.
    assert api["availability"] > 0.9, api
    # The broker kill (`careerstream chaos kill-broker`) is left to test_kill_under_load.py, which
    # kills the Kafka broker under write load with the same checks: it costs a minute here.


def test_store_restarts_recover_and_redis_read_models_come_back(chaos: RunStack) -> None:
    pg = run(chaos, "restart-postgres", verify=False)
    assert pg["recover_s"] < 60
    redis = run(chaos, "restart-redis")
    # The probe reads recommendations of users written before the restart: they are back (restored
    # from Postgres by the worker), and the verifier found every Redis key equal to a replay.
    assert redis["recover_s"] < 60


def test_full_blob_disk_answers_a_clear_error_and_leaves_nothing_half_written(chaos: RunStack) -> None:
    result = run(chaos, "disk-full")
    if "skipped" in result:
        pytest.skip(result["skipped"])
    blobs = result["blobs"]
    assert blobs["temp_files_left"] == 0 and blobs["acknowledged_blobs_missing"] == 0
    assert blobs["unreferenced_blobs"] == 0
    failed = result["errors_by_status"]
    assert all(key == "POST resume: 503" for key in failed), failed  # storage full: 503, never a 500


def test_slow_database_slows_but_fails_nothing(chaos: RunStack) -> None:
    result = run(chaos, "slow-db")
    assert result["availability"] > 0.99, result
