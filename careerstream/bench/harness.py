"""What the benchmarks that start their own stack share: CLI child processes and percentile summaries."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from kernel.config import Settings


def spawn(args: list[str], settings: Settings, log: Path) -> subprocess.Popen[bytes]:
    """`careerstream <args>` in a process group of its own (so `stop` reaches its children), with
    `settings` as its environment and its output appended to `log`."""
    out = open(log, "ab")  # noqa: SIM115 - the child owns it
    return subprocess.Popen(
        [sys.executable, "-m", "careerstream.cli", *args],
        env=settings.as_env(LOG_LEVEL="WARNING"),
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
