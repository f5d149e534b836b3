"""A Kafka-protocol broker on this machine: Apache Kafka (durable, the default) or Tansu (in memory).

`careerstream up`, `careerstream broker`, the benchmarks and the test suite start brokers through
`start_local_broker`, so all of them run the same Kafka version with the same settings.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from careerstream.local_broker.kafka import (
    KafkaNode,
    KafkaUnavailable,
    default_cache_dir,
    fetch_kafka,
    java_available,
)
from careerstream.local_broker.ports import free_port, wait_for_port
from careerstream.local_broker.tansu import start_tansu

BrokerKind = Literal["kafka", "tansu"]
BrokerPreference = Literal["auto", "kafka", "tansu"]

__all__ = [
    "BrokerKind",
    "BrokerPreference",
    "KafkaUnavailable",
    "LocalBroker",
    "broker_for_run",
    "choose_broker",
    "free_port",
    "start_local_broker",
    "stop_run_broker",
    "wait_for_port",
]


def choose_broker(preference: BrokerPreference) -> tuple[BrokerKind, str]:
    """Which broker to run, and a one-line reason to print."""
    if preference == "tansu":
        return "tansu", "Tansu (in memory, as configured: events are lost when it stops)"
    if preference == "kafka" or java_available():
        return "kafka", "Apache Kafka (durable log under the data directory)"
    return "tansu", (
        "java not found: falling back to the in-memory Tansu broker; events are lost when it stops "
        "(install Java 17 for the durable Apache Kafka broker)"
    )


@dataclass
class LocalBroker:
    """A running local broker process."""

    kind: BrokerKind
    port: int
    process: subprocess.Popen[bytes]
    data_dir: Path
    log_path: Path | None
    libs: Path | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def kill(self) -> None:
        """SIGKILL, like a crashed machine (Kafka recovers its log on the next start)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self, timeout_s: float = 30.0) -> None:
        """Controlled shutdown (Kafka flushes its log and closes cleanly)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                self.kill()

    def restart(self) -> None:
        """Start the same broker again on the same port and data (Kafka only: Tansu forgets)."""
        self.stop()
        self.process = _start(self.kind, self.port, self.data_dir, self.log_path, self.libs)


def _start(
    kind: BrokerKind, port: int, data_dir: Path, log_path: Path | None, libs: Path | None
) -> subprocess.Popen[bytes]:
    if kind == "tansu":
        return start_tansu(port, log_path)
    assert libs is not None
    return _kafka_node(data_dir, port).start(libs, log_path)


def _kafka_node(data_dir: Path, port: int) -> KafkaNode:
    # The controller listens on the next port; the node's own files remember neither port.
    return KafkaNode(data_dir=data_dir, port=port, controller_port=port + 1)


def start_local_broker(
    kind: BrokerKind,
    data_dir: Path,
    port: int | None = None,
    log_path: Path | None = None,
    cache_dir: Path | None = None,
    progress: bool = False,
) -> LocalBroker:
    """Start a broker on 127.0.0.1 (a free port pair when `port` is None) and wait until it serves."""
    if port is None:
        port = _free_port_pair()
    data_dir.mkdir(parents=True, exist_ok=True)
    libs = fetch_kafka(cache_dir or default_cache_dir(), progress=progress) if kind == "kafka" else None
    process = _start(kind, port, data_dir, log_path, libs)
    return LocalBroker(kind, port, process, data_dir, log_path, libs)


def _free_port_pair() -> int:
    """A free port whose successor is free too (Kafka's controller listens there)."""
    while True:
        port = free_port()
        if port < 65535:
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port + 1))
                    return port
                except OSError:
                    continue


def broker_for_run(configured_bootstrap: str, kind: BrokerKind) -> tuple[str, LocalBroker | None]:
    """For a benchmark: the configured cluster if there is one, else a fresh local broker of `kind`
    (its own temporary data directory, removed with it by the caller's `stop_run_broker`)."""
    if configured_bootstrap:
        return configured_bootstrap, None
    workdir = Path(tempfile.mkdtemp(prefix=f"careerstream-{kind}-"))
    broker = start_local_broker(kind, workdir / "data", log_path=workdir / f"{kind}.log")
    return broker.bootstrap, broker


def stop_run_broker(broker: LocalBroker | None) -> None:
    if broker is not None:
        broker.stop()
        shutil.rmtree(broker.data_dir.parent, ignore_errors=True)
