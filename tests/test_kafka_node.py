"""The local Kafka node's command line: the quick start (first JIT tier only) is the tests' choice."""

from __future__ import annotations

from pathlib import Path

import pytest

from careerstream.local_broker.kafka import QUICK_START_ENV, KafkaNode


def test_quick_start_only_where_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(QUICK_START_ENV, raising=False)
    plain = KafkaNode(Path("/data"), 9092, 9093).java(Path("/libs"), "kafka.Kafka")
    assert "-XX:TieredStopAtLevel=1" not in plain  # `make run`, the benchmarks
    monkeypatch.setenv(QUICK_START_ENV, "1")
    quick = KafkaNode(Path("/data"), 9092, 9093).java(Path("/libs"), "kafka.Kafka")
    assert quick == [*plain[:4], "-XX:TieredStopAtLevel=1", *plain[4:]]
    assert quick[-1] == "kafka.Kafka"
