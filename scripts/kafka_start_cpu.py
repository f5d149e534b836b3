"""CPU a local Apache Kafka node takes to start, with and without the quick start (the JIT's first tier
only, `CAREERSTREAM_KAFKA_QUICK_START=1`, which the tests set), side by side in one run.

    .venv/bin/python scripts/kafka_start_cpu.py [--starts N]

Prints one JSON line per start: wall seconds to accepting clients, the broker JVM's CPU seconds (from
/proc) and the storage format's (the start's other JVM, a child of this process). Kafka's jars must be
fetched already (`careerstream broker --fetch-only`), or the fetch counts as the format's."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
from pathlib import Path

from careerstream.local_broker import start_local_broker
from careerstream.local_broker.kafka import QUICK_START_ENV


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_start(quick: bool) -> dict[str, object]:
    os.environ[QUICK_START_ENV] = "1" if quick else "0"
    workdir = Path(tempfile.mkdtemp(prefix="kafka-start-"))
    before = os.times()
    started = os.times().elapsed
    broker = start_local_broker("kafka", workdir / "data", log_path=workdir / "kafka.log")
    wall = os.times().elapsed - started
    after = os.times()
    jvm = _cpu_seconds(broker.process.pid)
    broker.stop()
    shutil.rmtree(workdir, ignore_errors=True)
    children = (after.children_user + after.children_system) - (before.children_user + before.children_system)
    return {
        "quick_start": quick,
        "wall_s": round(wall, 2),
        "broker_cpu_s": round(jvm, 2),
        "format_cpu_s": round(children, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--starts", type=int, default=2, help="starts of each kind, alternated")
    args = parser.parse_args()
    for _ in range(args.starts):
        for quick in (False, True):
            print(json.dumps(one_start(quick)), flush=True)


if __name__ == "__main__":
    main()
