"""`careerstream load`: a stack of its own, a seeded course catalog, then Locust headless.

Steps: start a `RunStack` (own broker, database, topic and Redis prefix, free ports; worker(s) and
API_PROCESSES API processes behind one port); publish the synthetic course catalog through Kafka (the
path a provider sync takes) and wait until it is projected; run Locust's own CLI headless on
`careerstream/load/locustfile.py` (users ramped at `spawn_rate`); then read Locust's CSV/JSON output
and the visibility log, write `load-summary.json`, a latency/throughput plot and keep Locust's CSV and
HTML report, all under the output directory (bench-results/ is not tracked by git).

Rate limits: the stack keeps the production per-user limits (API_WRITE_RATE_LIMIT 120/minute,
API_UPLOAD_RATE_LIMIT 20/minute, role `user`); every simulated user has a `user` token of its own
and acts once per think time, far below them. Nothing is configured away for the load test.
"""

from __future__ import annotations

import asyncio
import csv
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.pyplot as plt
import psycopg

from careerstream.corpora.courses import generate_courses
from careerstream.load.stack import RunStack, StackOptions, env_for_locust
from connectors.kafka_publisher import KafkaCoursePublisher
from kernel.config import Settings

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class LoadPlan:
    users: int = 1000
    duration_s: int = 60
    spawn_rate: float | None = None  # users/s; default: all users within a third of the run (<= 120 s)
    processes: int | None = None  # Locust processes; default 1, 2 above 2,000 users
    api_processes: int = 2
    workers: int = 1
    broker: str = "auto"
    courses: int = 2000
    think_min_s: float = 3.0
    think_max_s: float = 12.0
    out_dir: Path = Path("bench-results/load")
    docs_img: Path | None = None  # also copy the plot here (docs/img/load.png for the README)

    @property
    def rate(self) -> float:
        if self.spawn_rate:
            return self.spawn_rate
        return max(1.0, self.users / min(120.0, max(5.0, self.duration_s / 3)))


def _raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 1 << 20
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def seed_catalog(settings: Settings, n: int, timeout_s: float = 300) -> float:
    """Publish `n` synthetic courses (CourseUpserted, through Kafka) and wait until projected."""

    started = time.monotonic()
    publisher = KafkaCoursePublisher(settings)
    try:
        asyncio.run(publisher(list(generate_courses(n, seed=7, use_reference_skills=True)), []))
    finally:
        publisher.close()
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with psycopg.connect(settings.database_url) as conn:
            row = conn.execute("SELECT count(*) FROM courses").fetchone()
        if row and row[0] >= n:
            return time.monotonic() - started
        time.sleep(0.5)
    raise TimeoutError(f"course catalog not projected after {timeout_s}s")


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def read_visible(out: Path) -> dict[str, list[float]]:
    kinds: dict[str, list[float]] = {}
    for path in out.glob("visible-*.csv"):
        for line in path.read_text().splitlines():
            kind, ms, _ = line.split(",")
            kinds.setdefault(kind, []).append(float(ms))
    return kinds


def plot(out: Path, history_csv: Path, title: str) -> Path | None:
    """Latency percentiles, throughput and users over the run, from Locust's stats history."""
    if not history_csv.exists():
        return None

    matplotlib.use("Agg")

    rows = [r for r in csv.DictReader(history_csv.open()) if r.get("Name") == "Aggregated"]
    if not rows:
        return None
    t0 = int(rows[0]["Timestamp"])
    t = [int(r["Timestamp"]) - t0 for r in rows]

    def col(name: str) -> list[float]:
        out_values = []
        for r in rows:
            try:
                out_values.append(float(r[name]))
            except (KeyError, ValueError):
                out_values.append(float("nan"))
        return out_values

    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(9, 6), sharex=True)
    for name in ("50%", "95%", "99%"):
        ax1.plot(t, col(name), label=f"p{name.rstrip('%')}")
    ax1.set_ylabel("response time (ms)")
    ax1.set_yscale("log")
    ax1.legend(loc="upper left")
    ax1.set_title(title)
    ax2.plot(t, col("Requests/s"), label="requests/s", color="tab:green")
    ax2.plot(t, col("Failures/s"), label="failures/s", color="tab:red")
    ax2.set_ylabel("per second")
    ax2.set_xlabel("seconds since start")
    users_ax = ax2.twinx()
    users_ax.plot(t, col("User Count"), label="users", color="tab:gray", linestyle="--")
    users_ax.set_ylabel("users (dashed)")
    ax2.legend(loc="upper left")
    fig.tight_layout()
    path = out / "load.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def run_load(base: Settings, plan: LoadPlan, progress: Any = print) -> dict[str, Any]:
    """Run the whole load test; returns the summary (also written to <out>/load-summary.json)."""
    _raise_fd_limit()
    out = plan.out_dir
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    stack = RunStack(
        base,
        StackOptions(api_processes=plan.api_processes, workers=plan.workers, broker=plan.broker),
        name="load",
    )
    progress(f"starting a stack of its own ({plan.api_processes} API processes)")
    stack.start()
    workers = stack.worker_ids
    try:
        progress(
            f"stack up: API {stack.api_url}, broker {stack.broker_kind}, {', '.join(workers)}; "
            f"seeding {plan.courses} courses"
        )
        seeded_s = seed_catalog(stack.settings, plan.courses)
        processes = plan.processes or (1 if plan.users <= 2000 else 2)
        args = [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "-u",
            str(plan.users),
            "-r",
            f"{plan.rate:.2f}",
            "-t",
            f"{plan.duration_s}s",
            "--host",
            stack.api_url,
            "--csv",
            str(out / "locust"),
            "--csv-full-history",
            "--html",
            str(out / "report.html"),
            "--only-summary",
            "--stop-timeout",
            "15",
            "--loglevel",
            "WARNING",
            "--exit-code-on-error",
            "0",
        ]
        if processes > 1:
            args += ["--processes", str(processes)]
        env = env_for_locust(stack) | {
            "CS_LOAD_OUT": str(out),
            "LOAD_THINK_MIN_S": str(plan.think_min_s),
            "LOAD_THINK_MAX_S": str(plan.think_max_s),
            "PYTHONPATH": str(ROOT),
        }
        progress(
            f"locust: {plan.users} users ramped at {plan.rate:.1f}/s for {plan.duration_s}s "
            f"({processes} process(es)); report in {out}"
        )
        started = time.time()
        with open(out / "locust.log", "wb") as log:
            code = subprocess.run(args, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT).returncode
        elapsed = time.time() - started
        restarts = dict(stack.supervisor.restart_counts)
    finally:
        stack.stop()
    locust_json = out / "summary-locust.json"
    if code != 0 or not locust_json.exists():
        tail = (out / "locust.log").read_text(errors="replace")[-3000:]
        raise RuntimeError(f"locust exited with {code}:\n{tail}")
    ls = json.loads(locust_json.read_text())
    visible = read_visible(out)
    requests = int(ls["requests"])
    span = max(1e-9, (ls.get("last_request") or time.time()) - (ls.get("started") or started))
    summary: dict[str, Any] = {
        "users": plan.users,
        "duration_s": plan.duration_s,
        "spawn_rate": round(plan.rate, 2),
        "requests": requests,
        "failures": int(ls["failures"]),
        "error_rate": round(ls["failures"] / requests, 6) if requests else None,
        "rps": round(requests / span, 1),
        "read_ms_p50": ls["read"]["p50"],
        "read_ms_p95": ls["read"]["p95"],
        "read_ms_p99": ls["read"]["p99"],
        "write_ack_ms_p50": ls["write"]["p50"],
        "write_ack_ms_p95": ls["write"]["p95"],
        "write_ack_ms_p99": ls["write"]["p99"],
        "write_visible_ms_p50": _pct(visible.get("profile", []), 0.5),
        "write_visible_ms_p95": _pct(visible.get("profile", []), 0.95),
        "write_visible_ms_p99": _pct(visible.get("profile", []), 0.99),
        "visible": {
            kind: {"n": len(v), "p50": _pct(v, 0.5), "p95": _pct(v, 0.95), "p99": _pct(v, 0.99)}
            for kind, v in sorted(visible.items())
        },
        "endpoints": ls["endpoints"],
        "errors": ls["errors"],
        "api_processes": plan.api_processes,
        "workers": plan.workers,
        "worker_processes": workers,
        "locust_processes": processes,
        "broker": stack.broker_kind,
        "courses_seeded": plan.courses,
        "seed_s": round(seeded_s, 1),
        "run_s": round(elapsed, 1),
        "process_restarts": restarts,
        "cpu_count": os.cpu_count(),
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "out_dir": str(out),
    }
    png = plot(
        out, out / "locust_stats_history.csv", f"careerstream load: {plan.users} users, {plan.duration_s} s"
    )
    summary["plot"] = str(png) if png else None
    if png is not None and plan.docs_img is not None:
        plan.docs_img.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(png, plan.docs_img)
    (out / "load-summary.json").write_text(json.dumps(summary, indent=1))
    return summary


def summary_table(summary: dict[str, Any]) -> str:
    lines = [
        f"users {summary['users']}, {summary['requests']} requests, {summary['rps']} req/s, "
        f"error rate {summary['error_rate']}",
        f"reads p50/p95/p99 {summary['read_ms_p50']}/{summary['read_ms_p95']}/{summary['read_ms_p99']} ms; "
        f"write ack {summary['write_ack_ms_p50']}/{summary['write_ack_ms_p95']}/"
        f"{summary['write_ack_ms_p99']} ms; "
        f"profile write -> visible {summary['write_visible_ms_p50']}/{summary['write_visible_ms_p95']}/"
        f"{summary['write_visible_ms_p99']} ms",
        "",
        f"{'endpoint':<48} {'n':>7} {'fail':>6} {'rps':>7} {'p50':>6} {'p95':>6} {'p99':>6}",
    ]
    for e in summary["endpoints"]:
        lines.append(
            f"{e['method'] + ' ' + e['name']:<48} {e['requests']:>7} {e['failures']:>6} {e['rps']:>7} "
            f"{e['p50_ms']:>6} {e['p95_ms']:>6} {e['p99_ms']:>6}"
        )
    for kind, v in summary["visible"].items():
        lines.append(
            f"visible after ack: {kind:<20} n={v['n']} p50={v['p50']} p95={v['p95']} p99={v['p99']} ms"
        )
    lines.append(f"report: {summary['out_dir']} (report.html, locust_*.csv, load.png)")
    return "\n".join(lines)
