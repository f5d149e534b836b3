"""Which worker processes a stack starts, and the consumer group each joins."""

from __future__ import annotations

import pytest

from careerstream.local_stack import worker_envs
from kernel.config import Settings
from projections.registry import all_projections
from streams.app import consumer_group
from streams.audit_notary import NAME as NOTARY
from streams.worker_projections import worker_process_sets, worker_processes


def test_dedicated_projection_gets_its_own_process_and_the_rest_share_one() -> None:
    sets = worker_process_sets(Settings(dedicated_workers="recommendations"))
    assert [label for label, _ in sets] == ["", "recommendations"]
    rest = sets[0][1].split(",")
    # Every projection runs in exactly one kind of process, and the notary with the rest.
    names = [p.name for p in all_projections()]
    assert sorted([*rest, "recommendations"]) == sorted([*names, NOTARY])
    assert [w for w, _ in worker_processes(Settings(dedicated_workers="recommendations"), copies=2)] == [
        "worker-1",
        "worker-2",
        "worker-recommendations-1",
        "worker-recommendations-2",
    ]


def test_no_dedicated_workers_or_an_explicit_selection_is_one_process() -> None:
    assert worker_process_sets(Settings(dedicated_workers="")) == [("", "")]
    explicit = Settings(dedicated_workers="recommendations", worker_projections="user_profiles")
    assert worker_process_sets(explicit) == [("", "user_profiles")]


def test_unknown_dedicated_projection_is_refused() -> None:
    with pytest.raises(ValueError, match="recomendations"):
        worker_process_sets(Settings(dedicated_workers="recomendations"))


def test_each_projection_set_is_its_own_consumer_group() -> None:
    # Workers of different sets must each read every partition (different groups); copies of one
    # set share them (same group, whatever the order the names were listed in).
    assert consumer_group("p", []) == "p-projections"
    assert consumer_group("p", ["recommendations"]) != consumer_group("p", ["user_profiles", NOTARY])
    assert consumer_group("p", ["b", "a"]) == consumer_group("p", ["a", "b"])


def test_each_worker_of_a_stack_gets_its_own_metrics_port() -> None:
    envs = worker_envs(Settings(dedicated_workers="", worker_metrics_port=9100), {"A": "1"}, workers=2)
    assert [(name, env["WORKER_METRICS_PORT"], env["A"]) for name, env in envs] == [
        ("worker-1", "9100", "1"),
        ("worker-2", "9101", "1"),
    ]
    assert all("WORKER_METRICS_PORT" not in env for _, env in worker_envs(Settings(), {}, workers=2))
