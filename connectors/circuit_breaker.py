"""A per-provider circuit breaker (pure state machine, injectable clock).

closed -> (N consecutive failures) -> open -> (cool-down elapsed) -> half-open -> one probe:
success closes it, failure re-opens it. While open, calls fail immediately with ``CircuitOpenError``
so a dead provider costs nothing and never holds up the other providers' syncs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum


class CircuitState(StrEnum):
    """Breaker states."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitOpenError(RuntimeError):
    """Raised instead of calling a provider whose breaker is open."""

    def __init__(self, name: str, retry_in_s: float) -> None:
        super().__init__(f"circuit for {name} is open; next probe in {retry_in_s:.1f}s")
        self.name = name
        self.retry_in_s = retry_in_s


class CircuitBreaker:
    """Counts consecutive failures of one provider and short-circuits calls while it is down."""

    def __init__(
        self,
        name: str,
        failure_threshold: int = 5,
        reset_timeout_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.failure_threshold = failure_threshold
        self.reset_timeout_s = reset_timeout_s
        self._clock = clock
        self._state = CircuitState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._probe_in_flight = False

    @property
    def state(self) -> CircuitState:
        """Current state, moving open -> half-open once the cool-down has elapsed."""
        if self._state is CircuitState.OPEN and self._clock() - self._opened_at >= self.reset_timeout_s:
            self._state = CircuitState.HALF_OPEN
            self._probe_in_flight = False
        return self._state

    @property
    def consecutive_failures(self) -> int:
        """Failures since the last success."""
        return self._failures

    def before_call(self) -> None:
        """Raise ``CircuitOpenError`` unless a call may go ahead now (half-open lets one probe through)."""
        state = self.state
        if state is CircuitState.OPEN:
            raise CircuitOpenError(self.name, self.reset_timeout_s - (self._clock() - self._opened_at))
        if state is CircuitState.HALF_OPEN:
            if self._probe_in_flight:
                raise CircuitOpenError(self.name, 0.0)
            self._probe_in_flight = True

    def record_success(self) -> None:
        """A call succeeded: close the circuit and reset the failure count."""
        self._state = CircuitState.CLOSED
        self._failures = 0
        self._probe_in_flight = False

    def record_failure(self) -> None:
        """A call failed: open the circuit at the threshold, or straight away after a failed probe."""
        self._failures += 1
        if self._state is CircuitState.HALF_OPEN or self._failures >= self.failure_threshold:
            self._state = CircuitState.OPEN
            self._opened_at = self._clock()
            self._probe_in_flight = False
