"""docker-compose.yml can't run here (no Docker engine), so check that it agrees with the code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from careerstream.local_broker.kafka import KAFKA_VERSION, KafkaNode
from kernel.config import Settings
from schemas.catalog import TOPIC_PARTITIONS

ROOT = Path(__file__).resolve().parents[1]
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def env_of(service: str) -> dict[str, str]:
    return {k: str(v) for k, v in SERVICES[service]["environment"].items()}


def test_the_stack_has_kafka_postgres_redis_workers_and_the_api() -> None:
    assert {"kafka", "postgres", "redis", "prepare", "worker", "api"} <= set(SERVICES)
    assert SERVICES["kafka"]["image"].startswith("apache/kafka:")
    assert env_of("kafka")["KAFKA_PROCESS_ROLES"] == "broker,controller"  # KRaft, no ZooKeeper
    assert env_of("kafka")["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"  # topics come from `prepare`


def test_compose_runs_the_kafka_version_and_settings_of_the_local_broker_and_the_tests() -> None:
    assert SERVICES["kafka"]["image"] == f"apache/kafka:{KAFKA_VERSION}"
    local = dict(
        line.split("=", 1)
        for line in KafkaNode(Path("/data"), 9092, 9093).server_properties().splitlines()
        if line and "=" in line
    )
    compose = {k.removeprefix("KAFKA_").lower().replace("_", "."): str(v) for k, v in env_of("kafka").items()}
    for key in (
        "process.roles",
        "controller.listener.names",
        "offsets.topic.replication.factor",
        "transaction.state.log.replication.factor",
        "transaction.state.log.min.isr",
        "share.coordinator.state.topic.replication.factor",
        "share.coordinator.state.topic.min.isr",
        "group.initial.rebalance.delay.ms",
        "num.partitions",
        "auto.create.topics.enable",
        "log.retention.hours",
    ):
        assert compose[key] == local[key], key


def test_every_app_environment_variable_is_a_setting() -> None:
    fields = {name.upper() for name in Settings.model_fields}
    for service in ("prepare", "worker", "api"):
        unknown = set(env_of(service)) - fields
        assert not unknown, f"{service} sets {unknown}, which kernel/config.py does not read"


def test_addresses_and_ports_agree() -> None:
    api = env_of("api")
    assert api["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
    assert "9092:9092" in SERVICES["kafka"]["ports"]
    assert api["DATABASE_URL"].startswith("postgresql://") and "@postgres:5432/" in api["DATABASE_URL"]
    assert "5432:5432" in SERVICES["postgres"]["ports"]
    assert api["REDIS_URL"] == "redis://redis:6379/0" and "6379:6379" in SERVICES["redis"]["ports"]
    assert f"{api['API_PORT']}:{api['API_PORT']}" in SERVICES["api"]["ports"]
    assert SERVICES["api"]["command"] == ["careerstream", "api"]
    assert SERVICES["worker"]["command"] == ["careerstream", "worker"]
    worker_metrics = env_of("worker")["WORKER_METRICS_PORT"]
    assert f"{worker_metrics}:{worker_metrics}" in SERVICES["worker"]["ports"]


def test_workers_start_only_after_topics_and_migrations() -> None:
    assert SERVICES["prepare"]["command"] == ["careerstream", "prepare"]
    for service in ("worker", "api"):
        assert SERVICES[service]["depends_on"]["prepare"]["condition"] == "service_completed_successfully"
    assert TOPIC_PARTITIONS  # `prepare` creates these with their partition counts


def test_secrets_are_required_not_defaulted() -> None:
    api = env_of("api")
    assert api["MASTER_KEY"].startswith("${") and ":?" in api["MASTER_KEY"]
    assert api["JWT_SECRET"].startswith("${") and ":?" in api["JWT_SECRET"]
