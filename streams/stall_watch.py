"""A worker that has stopped consuming while its partitions still hold records restarts itself.

Faust over aiokafka can go silent after the broker comes back: the consumer rejoins, seeks, and then
fetches nothing, without an error (faust-streaming/faust#523, open). CI saw it twice in
`test_kill_under_load` after a Kafka restart: the worker applied nothing for minutes and was never
restarted, since it had not crashed. The watch compares the projections' own positions (Postgres) with
the log's end for the partitions this worker holds; when records are left and no position has moved
for `STALL_RESTART_S`, the worker ends its process and the supervisor starts it again, reading from
those positions (as safe as a SIGKILL: nothing unapplied was acknowledged).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from faust.types import TP


@dataclass
class StallWatch:
    """How long a worker has made no progress while records were waiting (pure; fed by a timer)."""

    last: dict[TP, int] = field(default_factory=dict)
    stalled_since: float | None = None

    def observe(self, positions: Mapping[TP, int], ends: Mapping[TP, int], now: float) -> float:
        """Seconds stalled as of `now`: some partition's log end is past its position, and no position
        moved since the previous observation (0 when either is not so)."""
        behind = any(ends.get(tp, 0) > offset for tp, offset in positions.items())
        moved = any(self.last.get(tp) != offset for tp, offset in positions.items())
        self.last = dict(positions)
        if not behind or moved:
            self.stalled_since = None
            return 0.0
        if self.stalled_since is None:
            self.stalled_since = now
        return now - self.stalled_since
