"""The applier takes each partition's records in log order from the stored position (projections/applier.py
`_in_order`): redeliveries are skipped, and a record delivered past a hole is refused."""

from __future__ import annotations

from typing import Any, cast

import pytest

from projections.applier import BatchApplier, LogRecord, PositionGap
from projections.user_profiles import UserProfileProjection


def applier(check_order: bool = True) -> BatchApplier:
    # `_in_order` touches no store: the stores are not needed to check it.
    none = cast(Any, None)
    return BatchApplier(UserProfileProjection(), none, none, none, "", none, check_order=check_order)


def records(*offsets: tuple[int, int]) -> list[LogRecord]:
    return [LogRecord("t.users", p, o, b"u", b"") for p, o in offsets]


def test_redeliveries_are_skipped_and_each_partition_continues_from_its_position() -> None:
    batch = records((0, 3), (0, 4), (1, 7), (0, 5), (1, 8), (0, 5))
    fresh = applier()._in_order(batch, {("t.users", 0): 4, ("t.users", 1): 7})
    assert [(r.partition, r.offset) for r in fresh] == [(0, 4), (1, 7), (0, 5), (1, 8)]


def test_a_record_past_a_hole_is_refused() -> None:
    # Position 100, but 200 arrives first (fetched before the worker sought back to its positions):
    # applying it would record 201 and skip 100..199 for good.
    with pytest.raises(PositionGap):
        applier()._in_order(records((0, 200), (0, 100)), {("t.users", 0): 100})
    with pytest.raises(PositionGap):
        applier()._in_order(records((0, 100), (0, 102)), {("t.users", 0): 100})


def test_a_partition_never_applied_starts_where_the_log_starts() -> None:
    fresh = applier()._in_order(records((0, 40), (0, 41)), {("t.users", 0): 0})
    assert [r.offset for r in fresh] == [40, 41]


def test_a_replay_may_skip_records_on_purpose() -> None:
    # `replay --to-time` leaves out records published after the time.
    fresh = applier(check_order=False)._in_order(records((0, 5), (0, 9)), {("t.users", 0): 5})
    assert [r.offset for r in fresh] == [5, 9]
