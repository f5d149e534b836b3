"""The stall watch's rule (pure): stalled only while records wait and no position moves."""

from __future__ import annotations

from faust.types import TP

from streams.stall_watch import StallWatch

A, B = TP("t", 0), TP("t", 1)


def test_stalled_only_while_records_wait_and_no_position_moves() -> None:
    watch = StallWatch()
    assert watch.observe({A: 5, B: 3}, {A: 9, B: 3}, now=0.0) == 0.0  # first look: nothing to compare
    assert watch.observe({A: 5, B: 3}, {A: 9, B: 3}, now=10.0) == 0.0  # stall starts here
    assert watch.observe({A: 5, B: 3}, {A: 9, B: 3}, now=25.0) == 15.0
    assert watch.observe({A: 6, B: 3}, {A: 9, B: 3}, now=30.0) == 0.0  # a position moved
    assert watch.observe({A: 6, B: 3}, {A: 9, B: 3}, now=40.0) == 0.0
    assert watch.observe({A: 6, B: 3}, {A: 9, B: 3}, now=70.0) == 30.0


def test_caught_up_is_never_stalled() -> None:
    watch = StallWatch()
    for now in (0.0, 100.0, 200.0):
        assert watch.observe({A: 9, B: 3}, {A: 9, B: 3}, now=now) == 0.0
