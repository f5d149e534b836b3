"""ProviderHttpClient against a real local server: retries, Retry-After, breaker, ETags, timeouts, rates."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from pydantic import SecretStr

from connectors.circuit_breaker import CircuitBreaker, CircuitOpenError, CircuitState
from connectors.http_client import (
    ProviderHttpClient,
    ProviderHTTPError,
    ProviderRateLimiter,
    RetryableHTTPError,
    parse_retry_after,
)
from connectors.provider import BearerTokenAuth
from kernel.connectors_config import RetryConfig
from tests.connectors.conftest import FAST_RETRY, REDIS_URL
from tests.connectors.fake_provider_servers import FakeCourseraApp, FakeServer

Servers = tuple[FakeCourseraApp, FakeServer]


def client_for(server: FakeServer, **kwargs: object) -> ProviderHttpClient:
    kwargs.setdefault("retry", FAST_RETRY)
    client = ProviderHttpClient("coursera", base_url=server.url, **kwargs)  # type: ignore[arg-type]
    client.auth = BearerTokenAuth(SecretStr("coursera-secret"))
    return client


async def test_retries_5xx_then_succeeds(coursera: Servers) -> None:
    app, server = coursera
    app.fail_queue.extend([(500, None), (503, None)])
    async with client_for(server) as client:
        body = await client.get_json("/api/courses.v1", {"start": 0, "limit": 5})
    assert len(body["elements"]) == 5
    assert client.stats.retries == 2
    assert app.count("/api/courses.v1") == 3


async def test_gives_up_after_max_attempts(coursera: Servers) -> None:
    app, server = coursera
    app.always_fail = 502
    async with client_for(server, breaker=CircuitBreaker("coursera", failure_threshold=100)) as client:
        with pytest.raises(RetryableHTTPError) as info:
            await client.get_json("/api/courses.v1")
    assert info.value.status == 502
    assert app.count() == FAST_RETRY.max_attempts


async def test_429_waits_for_retry_after(coursera: Servers) -> None:
    app, server = coursera
    app.fail_queue.append((429, "1"))
    async with client_for(server) as client:
        started = time.monotonic()
        await client.get_json("/api/courses.v1")
        elapsed = time.monotonic() - started
    first, second = app.requests[0].at, app.requests[1].at
    assert second - first >= 1.0  # the server asked for one second and got it
    assert elapsed >= 1.0


async def test_retry_after_beyond_limit_fails_fast(coursera: Servers) -> None:
    app, server = coursera
    app.fail_queue.append((429, "3600"))
    async with client_for(server) as client:
        with pytest.raises(RetryableHTTPError):
            await client.get_json("/api/courses.v1")
    assert app.count() == 1


async def test_client_errors_are_not_retried(coursera: Servers) -> None:
    app, server = coursera
    async with ProviderHttpClient("coursera", base_url=server.url, retry=FAST_RETRY) as client:
        client.auth = BearerTokenAuth(SecretStr("wrong"))
        with pytest.raises(ProviderHTTPError) as info:
            await client.get_json("/api/courses.v1")
    assert info.value.status == 401
    assert "wrong" not in str(info.value)
    assert app.count() == 2  # the original and one replay after "renewing" the credentials


async def test_circuit_opens_and_fails_fast(coursera: Servers) -> None:
    app, server = coursera
    app.always_fail = 500
    breaker = CircuitBreaker("coursera", failure_threshold=3, reset_timeout_s=60)
    async with client_for(
        server, breaker=breaker, retry=RetryConfig(max_attempts=10, backoff_base_s=0.01)
    ) as client:
        with pytest.raises(CircuitOpenError):
            await client.get_json("/api/courses.v1")
        assert breaker.state is CircuitState.OPEN
        hits = app.count()
        with pytest.raises(CircuitOpenError):
            await client.get_json("/api/courses.v1")
    assert hits == 3
    assert app.count() == 3  # the open circuit kept us off the server


async def test_conditional_get_uses_etag(coursera: Servers) -> None:
    app, server = coursera
    async with client_for(server) as client:
        first = await client.get_json("/api/courses.v1", {"start": 0, "limit": 3})
        second = await client.get_json("/api/courses.v1", {"start": 0, "limit": 3})
    assert first == second
    assert client.stats.not_modified == 1
    assert app.requests[1].headers.get("If-None-Match") is not None


async def test_slow_response_times_out_and_is_retried(coursera: Servers) -> None:
    app, server = coursera
    app.delay_s = 0.5
    async with client_for(
        server, timeout_s=0.1, retry=RetryConfig(max_attempts=2, backoff_base_s=0.01)
    ) as client:
        with pytest.raises(httpx.TimeoutException):
            await client.get_json("/api/courses.v1")
    assert app.count() == 2


async def test_rate_limit_is_shared_between_clients(coursera: Servers, redis_prefix: str) -> None:
    """Two clients (as two processes would) draw on one Redis-backed budget of 4 requests/second."""
    app, server = coursera
    clients = [
        client_for(server, rate_limiter=ProviderRateLimiter("4/second", REDIS_URL, redis_prefix))
        for _ in range(2)
    ]
    started = time.monotonic()
    await asyncio.gather(*(c.get_json("/api/courses.v1", {"start": i}) for i in range(6) for c in clients))
    elapsed = time.monotonic() - started
    for c in clients:
        await c.aclose()
    times = sorted(r.at for r in app.requests)
    assert len(times) == 12
    # Moving window: never more than 4 requests inside any one-second span. Unshared, two clients would
    # send 8 at once. Arrival times at the server lag the limiter's grants by scheduling delays that grow
    # when the machine is busy (0.8 s failed once beside a CPU-bound job), hence the tolerance.
    assert all(times[i + 4] - times[i] >= 0.5 for i in range(len(times) - 4))
    assert elapsed >= 2.0
    assert sum(c.stats.rate_limit_wait_s for c in clients) > 0


def test_parse_retry_after() -> None:
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
