"""What the benchmarks that start their own stack share: CLI child processes and percentile summaries."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from kernel.config import Settings


def spawn(args: list[str], settings: Settings, log: Path, **env: str) -> subprocess.Popen[bytes]:
    """`careerstream <args>` in a process group of its own (so `stop` reaches its children), with
    `settings` as its environment (warnings only, unless `env` says otherwise, plus the rest of `env`)
    and its output appended to `log`."""
    out = open(log, "ab")  # noqa: SIM115 - the child owns it
    return subprocess.Popen(
        [sys.executable, "-m", "careerstream.cli", *args],
        env=settings.as_env(**{"LOG_LEVEL": "WARNING", **env}),
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(procs: Iterable[subprocess.Popen[bytes]], timeout_s: float = 30.0) -> None:
    """SIGTERM each still-running process group, SIGKILL it if it outlives `timeout_s`."""
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def percentiles(samples: list[float], prefix: str) -> dict[str, float]:
    """`{prefix}_p50`, `_p95` and `_p99` of `samples`, rounded to 0.01."""
    a = np.array(samples)
    return {f"{prefix}_p{q}": round(float(np.percentile(a, q)), 2) for q in (50, 95, 99)}


SERVICE_PROCESSES = ("postgres", "java", "redis-server", "tansu")


def service_cpu_seconds(names: Iterable[str] = SERVICE_PROCESSES) -> float:
    """CPU seconds (user + system) used so far by the running processes with these command names
    (Postgres backends, the Kafka JVM, Redis) and by their children that ended (the postmaster counts
    the backends of closed connections): read from /proc, so a difference over a run shows what the
    services spent on it. Only meaningful on an otherwise quiet machine."""
    wanted = set(names)
    ticks = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as f:
                stat = f.read()
        except OSError:
            continue  # ended meanwhile
        # comm is in parentheses and may hold spaces; utime, stime, cutime, cstime are fields 14-17.
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        if comm in wanted:
            fields = stat[stat.rindex(")") + 2 :].split()
            ticks += sum(int(v) for v in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def process_cpu_seconds() -> float:
    """CPU seconds of this process and of its children that ended (e.g. forked replay processes)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime
