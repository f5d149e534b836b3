"""Apache Kafka on this machine: fetched from Maven Central once, run as a single-node KRaft broker.

Kafka is the durable default of `careerstream up` and one of the two brokers the integration suite
runs on. The jars come from Maven Central through `pom.xml` beside this file (`mvn
dependency:copy-dependencies` into a cache folder, once); the broker runs them with `java -cp
'<libs>/*' kafka.Kafka`. Its data directory is formatted on first start with a stable cluster id, so
restarting on the same directory keeps every event.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from confluent_kafka.admin import AdminClient

from careerstream.local_broker.ports import wait_for_port

KAFKA_VERSION = "4.4.0"
POM = Path(__file__).with_name("pom.xml")
# Stable across restarts and machines: a directory formatted with it can be reused by any later start.
_CLUSTER_UUID = uuid.uuid5(uuid.NAMESPACE_URL, "careerstream-local")
CLUSTER_ID = base64.urlsafe_b64encode(_CLUSTER_UUID.bytes).decode().rstrip("=")
# "1": start Kafka with the JIT's first tier only (see KafkaNode.quick_start).
QUICK_START_ENV = "CAREERSTREAM_KAFKA_QUICK_START"

LOG4J2 = """\
Configuration:
  Appenders:
    Console:
      name: STDOUT
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Root:
      level: INFO
      AppenderRef:
        - ref: STDOUT
    Logger:
      - name: kafka.request.logger
        level: WARN
      - name: org.apache.kafka.storage.internals.log
        level: WARN
"""


class KafkaUnavailable(RuntimeError):
    """Java or Maven is missing, or the jars could not be fetched."""


def default_cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "careerstream"


def libs_dir(cache_dir: Path) -> Path:
    return cache_dir / f"kafka-{KAFKA_VERSION}" / "libs"


def java_available() -> bool:
    return shutil.which("java") is not None


def fetch_kafka(cache_dir: Path, progress: bool = True) -> Path:
    """The folder of Kafka's jars, fetched from Maven Central on first use (about 40 jars, 30 MB).

    Fetched into a temporary folder and renamed, so an interrupted fetch never looks complete.
    """
    libs = libs_dir(cache_dir)
    if (libs / f"kafka_2.13-{KAFKA_VERSION}.jar").exists():
        return libs
    if not java_available():
        raise KafkaUnavailable("java is not on PATH")
    mvn = shutil.which("mvn")
    if mvn is None:
        raise KafkaUnavailable("mvn (Maven) is not on PATH: it fetches Kafka from Maven Central")
    staging = libs.with_name("libs.partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.parent.mkdir(parents=True, exist_ok=True)
    if progress:
        print(f"fetching Apache Kafka {KAFKA_VERSION} from Maven Central into {libs} (once)", flush=True)
    cmd = [
        mvn,
        "-B",
        "-f",
        str(POM),
        "dependency:copy-dependencies",
        f"-Dkafka.version={KAFKA_VERSION}",
        "-DincludeScope=runtime",
        f"-DoutputDirectory={staging}",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    tail: list[str] = []
    fetched = 0
    for line in proc.stdout:
        tail = [*tail[-30:], line.rstrip()]
        if line.startswith("Downloaded from") and ".jar" in line:
            fetched += 1
            if progress:
                print(f"\r  {fetched} jars fetched", end="", file=sys.stdout, flush=True)
    if proc.wait() != 0:
        raise KafkaUnavailable("Maven could not fetch Kafka:\n" + "\n".join(tail))
    if progress:
        print(f"\r  Kafka {KAFKA_VERSION}: {len(list(staging.glob('*.jar')))} jars ready", flush=True)
    shutil.rmtree(libs, ignore_errors=True)
    staging.rename(libs)
    return libs


@dataclass(frozen=True)
class KafkaNode:
    """One KRaft node acting as broker and controller, listening on loopback."""

    data_dir: Path
    port: int
    controller_port: int
    partitions: int = 6
    heap: str = "768m"
    # Only the JVM's first JIT tier (C1): about half the CPU to start a node and to format its storage
    # (`scripts/kafka_start_cpu.py`; figures in the README), at a slower steady state. The test suite
    # starts a dozen brokers on two cores and sets it (tests/conftest.py); `make run` and the benchmarks
    # do not.
    quick_start: bool = field(default_factory=lambda: os.environ.get(QUICK_START_ENV) == "1")

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def server_properties(self) -> str:
        return "\n".join(
            [
                "process.roles=broker,controller",
                "node.id=1",
                f"controller.quorum.voters=1@127.0.0.1:{self.controller_port}",
                f"listeners=PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}",
                f"advertised.listeners=PLAINTEXT://127.0.0.1:{self.port}",
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                f"log.dirs={self.data_dir / 'log'}",
                f"num.partitions={self.partitions}",
                # Topics come from `careerstream prepare` with their partitions and retention.
                "auto.create.topics.enable=false",
                # One node: every internal topic has one replica.
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                # A lone consumer joins at once instead of waiting 3 s for others.
                "group.initial.rebalance.delay.ms=0",
                # Event topics are the system of record (retention set per topic, forever).
                "log.retention.hours=-1",
                "",
            ]
        )

    def write_config(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        (self.data_dir / "log4j2.yaml").write_text(LOG4J2)
        path = self.data_dir / "server.properties"
        path.write_text(self.server_properties())
        return path

    def java(self, libs: Path, main: str, *args: str) -> list[str]:
        return [
            "java",
            f"-Xms{self.heap}",
            f"-Xmx{self.heap}",
            "-XX:+UseG1GC",
            *(["-XX:TieredStopAtLevel=1"] if self.quick_start else []),
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={self.data_dir / 'log4j2.yaml'}",
            "-cp",
            f"{libs}/*",
            main,
            *args,
        ]

    def format_storage(self, libs: Path) -> bool:
        """Format the log directory on first start; returns False when it already holds a cluster."""
        config = self.write_config()
        if (self.data_dir / "log" / "meta.properties").exists():
            return False
        cmd = self.java(libs, "kafka.tools.StorageTool", "format", "-t", CLUSTER_ID, "-c", str(config))
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0:
            raise KafkaUnavailable(f"formatting {self.data_dir} failed:\n{result.stdout}{result.stderr}")
        return True

    def start(
        self, libs: Path, log_path: Path | None = None, timeout_s: float = 60.0
    ) -> subprocess.Popen[bytes]:
        """Start the node (formatting its storage first if new) and wait until it accepts clients."""
        self.format_storage(libs)
        config = self.data_dir / "server.properties"
        out = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115 - owned by the child
        proc = subprocess.Popen(
            self.java(libs, "kafka.Kafka", str(config)),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_for_port("127.0.0.1", self.port, timeout_s=timeout_s, process=proc)
            wait_until_serving(self.bootstrap, timeout_s=timeout_s)
        except Exception:
            proc.kill()
            proc.wait()
            raise
        return proc


def wait_until_serving(bootstrap: str, timeout_s: float) -> None:
    """The port opens before the broker has registered with its controller; wait for metadata naming
    a broker, so the first topic creation does not race the start."""

    admin = AdminClient({"bootstrap.servers": bootstrap})
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if admin.list_topics(timeout=2).brokers:
                return
        except Exception:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"Kafka on {bootstrap} did not serve metadata within {timeout_s}s")
