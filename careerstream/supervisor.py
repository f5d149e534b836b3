"""Child processes of `careerstream up`: restarted with backoff when they die, stopped in reverse order.

A worker or API process that exits (crash, OOM kill, SIGKILL) is restarted instead of stopping the
stack: the worker resumes from its projections' positions, so nothing acknowledged is lost or applied
twice. Each restart logs the exit cause and counts in `careerstream_process_restarts_total`, served
by the supervisor's own /metrics (`SUPERVISOR_METRICS_PORT`).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter as Tally
from collections.abc import Callable
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, start_http_server

# Backoff between restarts of one child: doubles per quick death, back to the start once the child
# has stayed up for HEALTHY_AFTER_S.
FIRST_BACKOFF_S = 0.5
MAX_BACKOFF_S = 30.0
HEALTHY_AFTER_S = 60.0


def exit_cause(returncode: int | None) -> str:
    """`exit code 3`, `killed by SIGKILL`, ... for a finished process's return code."""
    if returncode is None:
        return "running"
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit code {returncode}"


@dataclass
class ChildSpec:
    name: str
    args: list[str]
    env: dict[str, str]


@dataclass
class _Child:
    spec: ChildSpec
    process: subprocess.Popen[bytes]
    started_at: float
    backoff_s: float = FIRST_BACKOFF_S
    restart_at: float | None = None  # set while waiting out the backoff


def spawn(spec: ChildSpec) -> subprocess.Popen[bytes]:
    # Own process group, so Ctrl-C reaches the supervisor (which stops children in order), not children first.
    return subprocess.Popen(spec.args, env=spec.env, start_new_session=True)


@dataclass
class Supervisor:
    """Starts children, restarts the ones that die (call `check` periodically), stops them all."""

    metrics_port: int = 0
    clock: Callable[[], float] = time.monotonic
    children: list[_Child] = field(default_factory=list)
    restart_counts: Tally[str] = field(default_factory=Tally)

    def __post_init__(self) -> None:
        self.registry = CollectorRegistry()
        self.restarts = Counter(
            "careerstream_process_restarts_total",
            "Child processes of `careerstream up` restarted after they exited",
            ["process", "cause"],
            registry=self.registry,
        )
        if self.metrics_port:
            start_http_server(self.metrics_port, addr="127.0.0.1", registry=self.registry)

    def start(self, spec: ChildSpec) -> None:
        self.children.append(_Child(spec, spawn(spec), self.clock()))
        print(f"started {spec.name}", flush=True)

    def count_restart(self, name: str, returncode: int | None) -> None:
        self.restart_counts[name] += 1
        self.restarts.labels(process=name, cause=exit_cause(returncode)).inc()

    def check(self) -> None:
        """Schedule a restart for every child that exited; restart those whose backoff has passed."""
        now = self.clock()
        for child in self.children:
            if child.restart_at is None and child.process.poll() is not None:
                if now - child.started_at >= HEALTHY_AFTER_S:
                    child.backoff_s = FIRST_BACKOFF_S
                cause = exit_cause(child.process.returncode)
                print(f"{child.spec.name} exited ({cause}); restarting in {child.backoff_s:.1f}s", flush=True)
                self.count_restart(child.spec.name, child.process.returncode)
                child.restart_at = now + child.backoff_s
                child.backoff_s = min(child.backoff_s * 2, MAX_BACKOFF_S)
            elif child.restart_at is not None and now >= child.restart_at:
                child.process = spawn(child.spec)
                child.started_at = now
                child.restart_at = None
                print(f"restarted {child.spec.name}", flush=True)

    def stop_all(self, timeout_s: float = 15.0) -> None:
        """SIGTERM every child in reverse start order (API before workers), then wait; SIGKILL laggards."""
        for child in reversed(self.children):
            if child.process.poll() is None:
                os.killpg(child.process.pid, signal.SIGTERM)
        for child in reversed(self.children):
            try:
                child.process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                os.killpg(child.process.pid, signal.SIGKILL)
                child.process.wait()
            print(f"stopped {child.spec.name}", flush=True)
