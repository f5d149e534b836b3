"""`careerstream chaos [--all | SCENARIO]`: faults under load, each bounded and self-stopping, all on
loopback, against a stack of its own (own broker, private Postgres behind a delay proxy, private Redis,
blobs on a small tmpfs, one worker and two API processes under the `up` supervisor).

For each scenario: steady load for `BASELINE_S`, the fault, then probes until the system answers a
write and a read that carries the write's consistency token again (`recover_s`, from the fault's
start); the load goes on for `AFTER_S`, stops, the read models catch up with the log, and then:

- errors: failed requests (any status but 2xx, or no response) from the fault's start to recovery;
  availability over the whole scenario window;
- acknowledged writes lost: acknowledged event ids missing from the log (and events in it twice);
- read models equal a replay: every read model is rebuilt from the log into `replay_<name>` and
  compared row by row and key by key with the live one (`streams/projection_replay.py`).
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import signal
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import psycopg
from psycopg_pool import ConnectionPool

from careerstream.chaos.load import ChaosLoad
from careerstream.load.stack import RunStack, StackOptions
from kernel.config import Settings
from projections.registry import selected_projections
from streams.blob_store import owner_prefix
from streams.connections import build_serde
from streams.log_reader import read_log
from streams.projection_replay import Difference, replay_projection, verify_projection
from streams.worker_projections import projections_for

BASELINE_S = 4.0
AFTER_S = 3.0
RECOVERY_TIMEOUT_S = 120.0
PROJECTIONS = ("user_profiles", "recommendations", "resume_analyses")
TOPICS = ("users", "activity", "resumes")
SCENARIOS = (
    "kill-worker",
    "kill-api",
    "kill-broker",
    "restart-postgres",
    "restart-redis",
    "disk-full",
    "slow-db",
)


@dataclass
class Fault:
    name: str
    inject: Callable[[RunStack, ChaosLoad], str | None]  # returns a note, or raises Skip
    hold_s: float = 0.0
    uploads: bool = False


class Skip(Exception):
    pass


def chaos_stack(base: Settings, broker: str = "auto") -> RunStack:
    return RunStack(
        base,
        StackOptions(
            api_processes=2,
            workers=1,
            broker=broker,
            private_postgres=True,
            private_redis=True,
            db_delay_ms=150.0,
            blob_fs_mb=8,
            worker_projections=",".join(PROJECTIONS) + ",gdpr_erasures",
            overrides={"consistency_wait_ms": 3000, "recs_model_poll_s": 60.0},
        ),
        name="chaos",
    )


# ---- faults -----------------------------------------------------------------------------------


def _kill_child(stack: RunStack, name: str) -> str:
    pid = stack.pid(name)
    os.killpg(pid, signal.SIGKILL)
    return f"SIGKILL {name} (pid {pid}); the supervisor restarts it"


def kill_worker(stack: RunStack, load: ChaosLoad) -> str:
    return _kill_child(stack, "worker-1")


def kill_api(stack: RunStack, load: ChaosLoad) -> str:
    return _kill_child(stack, "api-1") + "; api-2 keeps serving the port"


def kill_broker(stack: RunStack, load: ChaosLoad) -> str:
    assert stack.broker is not None
    if stack.broker.kind != "kafka":
        raise Skip(
            "Tansu keeps its log in memory: killing it is a log loss by design, not a fault to survive"
        )
    stack.broker.kill()
    time.sleep(3)
    stack.broker.restart()
    return "SIGKILL the Kafka broker, restarted on the same log 3 s later"


def restart_postgres(stack: RunStack, load: ChaosLoad) -> str:
    assert stack.postgres is not None
    started = time.monotonic()
    stack.postgres.restart()
    return f"pg_ctl restart -m fast of the private Postgres ({time.monotonic() - started:.1f} s)"


def restart_redis(stack: RunStack, load: ChaosLoad) -> str:
    assert stack.redis_server is not None
    stack.redis_server.restart_empty()
    return "SIGKILL the private redis-server (no persistence) and start it again empty"


def disk_full(stack: RunStack, load: ChaosLoad) -> str:
    if stack.blob_fs is None:
        raise Skip(f"could not mount a tmpfs for the blobs ({stack.blob_fs_error}); not simulated")
    filler = stack.blob_fs / "filler"
    with open(filler, "wb") as fh:
        try:
            while True:
                fh.write(b"\0" * (1 << 20))
                fh.flush()
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise
    stack._chaos_filler = filler  # type: ignore[attr-defined]
    return f"blob filesystem (tmpfs, {stack.options.blob_fs_mb} MB) filled to ENOSPC for the hold, then freed"


def slow_db(stack: RunStack, load: ChaosLoad) -> str:
    assert stack.db_proxy is not None
    stack.db_proxy.send_signal(signal.SIGUSR1)
    return f"+{stack.options.db_delay_ms:.0f} ms on every Postgres reply (delay proxy) for the hold"


def _end_fault(stack: RunStack, name: str) -> None:
    if name == "disk-full":
        filler = getattr(stack, "_chaos_filler", None)
        if filler is not None:
            Path(filler).unlink(missing_ok=True)
    elif name == "slow-db" and stack.db_proxy is not None:
        stack.db_proxy.send_signal(signal.SIGUSR2)


FAULTS = {
    "kill-worker": Fault("kill-worker", kill_worker),
    "kill-api": Fault("kill-api", kill_api),
    "kill-broker": Fault("kill-broker", kill_broker),
    "restart-postgres": Fault("restart-postgres", restart_postgres),
    "restart-redis": Fault("restart-redis", restart_redis),
    "disk-full": Fault("disk-full", disk_full, hold_s=6.0, uploads=True),
    "slow-db": Fault("slow-db", slow_db, hold_s=8.0),
}

# ---- probes and checks ------------------------------------------------------------------------


def probe(stack: RunStack, load: ChaosLoad, user: str, recs_users: list[str]) -> bool:
    """A write, then a read carrying its consistency token; and recommendations of a few users
    written before the fault (so a read model that went missing is not 'recovered')."""
    headers = load.headers(user)
    try:
        r = httpx.put(
            f"{stack.api_url}/users/{user}/profile", json={"skills": ["Python"]}, headers=headers, timeout=10
        )
        if r.status_code != 202:
            return False
        load.acked[r.json()["event_id"]] = user
        token = r.json()["consistency_token"]
        g = httpx.get(
            f"{stack.api_url}/users/{user}/profile",
            params={"consistency_token": token},
            headers=headers,
            timeout=10,
        )
        if g.status_code != 200:
            return False
        for other in recs_users:
            if (
                httpx.get(
                    f"{stack.api_url}/users/{other}/recommendations?k=1&courses=false",
                    headers=load.headers(other),
                    timeout=10,
                ).status_code
                != 200
            ):
                return False
    except httpx.HTTPError:
        return False
    return True


def _log_state(settings: Settings) -> tuple[Counter[str], dict[tuple[str, int], int]]:
    """Event ids in the log (with counts) and each partition's end (last offset + 1)."""

    ends: dict[tuple[str, int], int] = {}
    ids: Counter[str] = Counter()
    with ConnectionPool(settings.database_url, min_size=1, max_size=2, open=True) as pool:
        serde = build_serde(settings, pool)
        for record in read_log(settings, list(TOPICS)):
            tp = (record.topic, record.partition)
            ends[tp] = max(ends.get(tp, 0), record.offset + 1)
            try:
                ids[serde.decode(record.value).event_id] += 1
            except Exception:
                ids["<undecodable>"] += 1
    return ids, ends


def _positions(settings: Settings) -> dict[tuple[str, str, int], int]:
    with psycopg.connect(settings.database_url) as conn:
        rows = conn.execute(
            "SELECT projection, topic, partition, next_offset FROM projection_positions"
        ).fetchall()
    return {(p, t, n): int(o) for p, t, n, o in rows}


def catch_up(stack: RunStack, timeout_s: float = 120.0) -> tuple[Counter[str], bool]:
    """Wait until every projection has applied the whole log (and the log stopped growing: resume
    analyses publish their results). Returns the log's event ids and whether it caught up."""

    settings = stack.settings
    topics_of = {p.name: set(p.topics) for p in selected_projections(",".join(PROJECTIONS))}
    deadline = time.monotonic() + timeout_s
    last_ends: dict[tuple[str, int], int] | None = None
    while True:
        ids, ends = _log_state(settings)
        positions = _positions(settings)
        prefix = settings.topic_prefix + "."
        behind = [
            (name, topic, part)
            for name, topics in topics_of.items()
            for (topic, part), end in ends.items()
            if topic.removeprefix(prefix) in topics and positions.get((name, topic, part), 0) < end
        ]
        if not behind and ends == last_ends:
            return ids, True
        if time.monotonic() > deadline:
            return ids, False
        last_ends = ends
        time.sleep(1.0)


def verify_read_models(settings: Settings) -> dict[str, Any]:

    out: dict[str, Any] = {}
    for projection in projections_for(settings, ",".join(PROJECTIONS)):
        try:
            report = asyncio.run(replay_projection(settings, projection))
            differences = verify_projection(settings, projection, limit=1_000_000)
        except Exception as exc:  # reported, and the scenario fails: the verifier could not run
            out[projection.name] = {"differences": -1, "error": f"{type(exc).__name__}: {exc}"[:300]}
            continue
        # `recommendation_history` keeps one row per computation, and the projection computes once
        # per user per batch: live batches (up to 2,000 events within 50 ms) and the replay's
        # 5,000-event chunks end at different events, so each side holds rows for intermediate
        # states the other never computed. What must agree is each user's newest row (what is
        # served; its Redis copy is compared key by key as well): compared separately below.
        intermediate = [d for d in differences if d.where == "recommendation_history"]
        differences = [d for d in differences if d not in intermediate]
        if intermediate:
            differences += latest_history_differences(settings)
        out[projection.name] = {
            "events_replayed": report.events_read,
            **({"history_rows_of_intermediate_batches": len(intermediate)} if intermediate else {}),
            "differences": len(differences),
            "examples": [
                {"where": d.where, "what": d.what, "row": str(d.row)[:200]} for d in differences[:3]
            ],
        }
    return out


def latest_history_differences(settings: Settings) -> list[Any]:
    """Users whose newest `recommendation_history` row differs between live and replay."""

    # The served computation: the one caused by the user's last feature event (see redis_recovery).
    newest = """SELECT to_jsonb(t) FROM (SELECT DISTINCT ON (h.user_id) h.user_id, h.event_id,
                h.model_version, h.computed_at, h.items
                FROM {0}.recommendation_history h JOIN {0}.rec_user_features f ON f.user_id = h.user_id
                ORDER BY h.user_id, (h.computed_at = f.updated_at) DESC, h.computed_at DESC,
                h.event_id DESC) t"""
    live, replay = newest.format("public"), newest.format("replay_recommendations")
    out = []
    with psycopg.connect(settings.database_url) as conn:
        for label, a, b in (("only live", live, replay), ("only replay", replay, live)):
            for (row,) in conn.execute(f"{a} EXCEPT ALL {b}"):  # type: ignore[call-overload]
                out.append(Difference("recommendation_history (newest per user)", label, row))
    return out


def blob_check(stack: RunStack, load: ChaosLoad) -> dict[str, Any]:
    """Nothing half-written: no temp files left, every acknowledged upload's blob present, and no
    blob that no acknowledged upload refers to."""

    root = Path(stack.settings.blob_dir)
    files = [p for p in root.glob("*/*") if p.is_file()]
    temps = [p for p in files if p.name.startswith(".tmp-")]
    expected = {root / owner_prefix(u.user) / u.sha256 for u in load.uploaded}
    present = {p for p in files if not p.name.startswith(".tmp-")}
    return {
        "acknowledged_uploads": len(load.uploaded),
        "temp_files_left": len(temps),
        "acknowledged_blobs_missing": len(expected - present),
        "unreferenced_blobs": len(present - expected),
    }


def run_scenario(
    stack: RunStack, name: str, rate: float = 40.0, users: int = 60, verify: bool = True
) -> dict[str, Any]:
    """One scenario (see the module docstring). `verify=False` skips the replay comparison (a later
    scenario's comparison covers this one's writes too: read models are cumulative)."""
    began = time.monotonic()
    fault = FAULTS[name]
    load = ChaosLoad(stack.settings, stack.api_url, users=users, rate=rate, uploads=fault.uploads)
    seed_users(stack, load)
    restarts_before = dict(stack.supervisor.restart_counts)
    load.start()
    time.sleep(BASELINE_S)
    injected = time.monotonic()
    result: dict[str, Any] = {"scenario": name}
    try:
        result["fault"] = fault.inject(stack, load)
    except Skip as why:
        load.stop()
        return {"scenario": name, "skipped": str(why)}
    if fault.hold_s:
        time.sleep(fault.hold_s)
        _end_fault(stack, name)
    fault_ended = time.monotonic()
    probe_user = f"{stack.settings.topic_prefix}-probe-{name}"
    recs_users = [load.user(i) for i in range(3)]
    recovered = None
    while time.monotonic() - injected < RECOVERY_TIMEOUT_S:
        if probe(stack, load, probe_user, recs_users):
            recovered = time.monotonic()
            break
        time.sleep(0.2)
    time.sleep(AFTER_S)
    load.stop()
    ended = time.monotonic()
    window = [s for s in load.samples if s.t >= injected - BASELINE_S]
    until = recovered or ended
    during = [s for s in load.samples if injected <= s.t <= until]
    failed = [s for s in during if not s.ok]
    ids, caught_up = catch_up(stack)
    lost = [e for e in load.acked if e not in ids]
    twice = sum(1 for n in ids.values() if n > 1)
    result.update(
        {
            "requests": len(window),
            "errors_during_fault": len(failed),
            "errors_by_status": dict(Counter(f"{s.kind}: {s.status}" for s in failed)),
            "errors_in_window_by_status": dict(Counter(f"{s.kind}: {s.status}" for s in window if not s.ok)),
            "availability": round(sum(s.ok for s in window) / len(window), 5) if window else None,
            "fault_s": round(fault_ended - injected, 2),
            "recover_s": round(recovered - injected, 2) if recovered else None,
            "acknowledged_writes": len(load.acked),
            "acknowledged_writes_lost": len(lost),
            "events_in_log_twice": twice,
            "caught_up": caught_up,
            "read_models": verify_read_models(stack.settings) if verify else {},
            "process_restarts": {
                k: v - restarts_before.get(k, 0)
                for k, v in stack.supervisor.restart_counts.items()
                if v - restarts_before.get(k, 0)
            },
        }
    )
    if fault.uploads:
        result["blobs"] = blob_check(stack, load)
    result["scenario_s"] = round(time.monotonic() - began, 1)
    result["ok"] = bool(
        recovered
        and not lost
        and not twice
        and caught_up
        and all(v["differences"] == 0 for v in result["read_models"].values())
        and (
            not fault.uploads or not any(v for k, v in result["blobs"].items() if k != "acknowledged_uploads")
        )
    )
    return result


def seed_users(stack: RunStack, load: ChaosLoad, timeout_s: float = 180.0) -> None:
    """Each simulated user has a profile (and so recommendations) before the load starts. A 503 or a
    dropped connection (the previous scenario's store or process may still be recovering) is retried
    as a client would; a seed that is not applied in time fails the scenario, since its checks would
    then measure the previous fault's recovery instead of this one's."""
    deadline = time.monotonic() + timeout_s
    tokens = []
    for i in range(load.users):
        user = load.user(i)
        r = _retry_until(
            deadline,
            partial(
                httpx.put,
                f"{stack.api_url}/users/{user}/profile",
                json={"skills": ["Python", "SQL"], "location": "seed"},
                headers=load.headers(user),
                timeout=30,
            ),
        )
        load.acked[r.json()["event_id"]] = user
        tokens.append((user, r.json()["consistency_token"]))
    for user, token in tokens:
        _retry_until(
            deadline,
            partial(
                httpx.get,
                f"{stack.api_url}/users/{user}/recommendations",
                params={"consistency_token": token, "k": 1, "courses": "false"},
                headers=load.headers(user),
                timeout=30,
            ),
        )


def _retry_until(deadline: float, call: Callable[[], httpx.Response]) -> httpx.Response:
    """`call()` until it answers 2xx; 404 and 409 (not projected yet), 503 and transport errors are retried
    until `deadline`, anything else raises at once."""
    while True:
        try:
            r = call()
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
        else:
            if r.is_success:
                return r
            if r.status_code not in (404, 409, 503) or time.monotonic() > deadline:
                r.raise_for_status()
        time.sleep(0.2)


def run_chaos(base: Settings, names: list[str], rate: float = 40.0, progress: Any = print) -> dict[str, Any]:

    logging.getLogger("httpx").setLevel(logging.WARNING)
    stack = chaos_stack(base)
    progress("starting a chaos stack of its own (private Postgres + delay proxy, private Redis, tmpfs blobs)")
    started = time.monotonic()
    stack.start()
    results = []
    try:
        progress(
            f"stack up in {time.monotonic() - started:.0f} s: API {stack.api_url}, broker {stack.broker_kind}"
        )
        for name in names:
            progress(f"scenario {name} ...")
            result = run_scenario(stack, name, rate=rate)
            progress(f"scenario {name}: {_one_line(result)}")
            results.append(result)
    finally:
        failed = any(not r.get("ok", True) for r in results)
        stack.stop(keep_workdir=failed)
        if failed:
            progress(f"a scenario failed: process logs kept in {stack.workdir}")
    return {
        "broker": stack.broker_kind,
        "load_rate_per_s": rate,
        "scenarios": results,
        "ok": all(r.get("ok", True) for r in results),
        "cpu_count": os.cpu_count(),
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
    }


def _one_line(r: dict[str, Any]) -> str:
    if "skipped" in r:
        return f"skipped ({r['skipped']})"
    checked = r["read_models"]
    diffs = sum(v["differences"] for v in checked.values()) if checked else "not checked"
    return (
        f"{'ok' if r['ok'] else 'FAILED'}: errors {r['errors_during_fault']} ({r['errors_by_status']}), "
        f"availability {r['availability']}, recover {r['recover_s']} s, "
        f"lost {r['acknowledged_writes_lost']}, read-model differences {diffs}"
    )


def fault_table(summary: dict[str, Any]) -> str:
    head = ("scenario", "ok", "requests", "errors", "avail", "recover s", "lost", "diffs")
    lines = ["{:<18} {:<4} {:>8} {:>7} {:>8} {:>9} {:>5} {:>5}".format(*head)]
    for r in summary["scenarios"]:
        if "skipped" in r:
            lines.append(f"{r['scenario']:<18} skipped: {r['skipped']}")
            continue
        checked = r["read_models"]
        diffs = sum(v["differences"] for v in checked.values()) if checked else "-"
        row = (
            r["scenario"], "yes" if r["ok"] else "NO", r["requests"], r["errors_during_fault"],
            str(r["availability"]), str(r["recover_s"]), r["acknowledged_writes_lost"], diffs,
        )  # fmt: skip
        lines.append("{:<18} {:<4} {:>8} {:>7} {:>8} {:>9} {:>5} {:>5}".format(*row))
    return "\n".join(lines)
