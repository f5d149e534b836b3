"""`careerstream bench all`: every benchmark in its own process, JSON per benchmark and one summary table."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

BENCHES = ("pipeline", "recs", "resumes", "search", "gdpr")


def run_all(out_dir: Path, quick: bool, only: list[str] | None = None) -> dict[str, dict[str, object]]:
    """Run the benchmarks one after another (never side by side: they would share two cores)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict[str, object]] = {}
    for name in only or BENCHES:
        cmd = [
            sys.executable,
            "-m",
            "careerstream.cli",
            "bench",
            name,
            "--json",
            *(["--quick"] if quick else []),
        ]
        print(f"bench {name} ...", file=sys.stderr, flush=True)
        started = time.monotonic()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
        if proc.returncode != 0 or not lines:
            results[name] = {"error": (proc.stderr or proc.stdout)[-2000:], "exit_code": proc.returncode}
        else:
            results[name] = json.loads(lines[-1])
        results[name]["wall_s"] = round(time.monotonic() - started, 1)
        (out_dir / f"{name}.json").write_text(json.dumps(results[name], indent=2) + "\n")
    (out_dir / "summary.md").write_text(summary_table(results))
    return results


def summary_table(results: dict[str, dict[str, object]]) -> str:
    """A short markdown table: benchmark, metric, value."""
    lines = ["| benchmark | metric | value |", "| --- | --- | --- |"]
    for name, values in results.items():
        for key, value in values.items():
            if isinstance(value, int | float | bool) or key == "error":
                lines.append(f"| {name} | {key} | {str(value)[:120]} |")
    return "\n".join(lines) + "\n"
