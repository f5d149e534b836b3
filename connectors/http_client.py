"""Good-citizen HTTP for provider APIs.

Every request of a ``ProviderHttpClient`` goes through, in order:

1. the provider's circuit breaker (fail fast while the provider is down);
2. a rate limit shared by all processes (``limits`` with Redis storage: one budget per provider);
3. conditional GETs (ETag / Last-Modified remembered in a small LRU; a 304 is served from it);
4. timeouts, and retries with exponential backoff + jitter on 429/5xx/transport errors, waiting at
   least the server's ``Retry-After``;
5. one token refresh and replay on 401 when the provider has expiring credentials.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
import limits
import limits.aio.strategies as aio_strategies
import structlog
from limits.storage import storage_from_string
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt

from connectors.circuit_breaker import CircuitBreaker
from kernel.connectors_config import RetryConfig

log = structlog.get_logger(__name__)

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})

_STRATEGIES: dict[str, type[aio_strategies.RateLimiter]] = {
    "moving-window": aio_strategies.MovingWindowRateLimiter,
    "fixed-window": aio_strategies.FixedWindowRateLimiter,
    "sliding-window-counter": aio_strategies.SlidingWindowCounterRateLimiter,
}


class ProviderError(RuntimeError):
    """A provider call that failed for good (after retries, or not retryable)."""


class ProviderHTTPError(ProviderError):
    """The provider answered with an error status."""

    def __init__(self, provider: str, status: int, url: str, retry_after: float | None = None) -> None:
        super().__init__(f"{provider}: HTTP {status} for {url}")
        self.provider = provider
        self.status = status
        self.url = url
        self.retry_after = retry_after


class RetryableHTTPError(ProviderHTTPError):
    """A 429/5xx answer: worth retrying after a pause."""


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date); None if absent/invalid."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class ProviderRateLimiter:
    """A request budget per provider, shared across processes through the ``limits`` storage (Redis)."""

    def __init__(
        self,
        rate: str,
        storage_url: str = "redis://127.0.0.1:6379/0",
        key_prefix: str = "careerstream:ratelimit",
        strategy: str = "moving-window",
    ) -> None:
        self.item = limits.parse(rate)
        if storage_url.startswith("memory://"):
            storage = storage_from_string("async+memory://")
        else:
            uri = storage_url if storage_url.startswith("async+") else f"async+{storage_url}"
            storage = storage_from_string(uri, implementation="redispy", key_prefix=key_prefix)
        self._limiter = _STRATEGIES[strategy](storage)  # type: ignore[arg-type]

    async def acquire(self, key: str) -> float:
        """Wait until one request for ``key`` fits in the budget, take it; returns the seconds waited."""
        waited = 0.0
        while not await self._limiter.hit(self.item, key):
            stats = await self._limiter.get_window_stats(self.item, key)
            delay = min(max(0.005, stats.reset_time - time.time()), float(self.item.get_expiry()))
            # Jitter so that many waiting workers do not all stampede at the same instant.
            delay += random.uniform(0, 0.02)
            await asyncio.sleep(delay)
            waited += delay
        return waited


@dataclass
class _CachedResponse:
    etag: str | None
    last_modified: str | None
    status: int
    headers: list[tuple[str, str]]
    content: bytes


class ConditionalCache:
    """A small LRU of validators + bodies for conditional GETs (``If-None-Match``/``If-Modified-Since``)."""

    def __init__(self, max_entries: int = 256) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[str, _CachedResponse] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def validators(self, key: str) -> dict[str, str]:
        """Headers that make a GET for ``key`` conditional (empty if nothing is cached)."""
        entry = self._entries.get(key)
        if entry is None:
            return {}
        self._entries.move_to_end(key)
        headers = {}
        if entry.etag:
            headers["If-None-Match"] = entry.etag
        if entry.last_modified:
            headers["If-Modified-Since"] = entry.last_modified
        return headers

    def store(self, key: str, response: httpx.Response) -> None:
        """Remember a 200 response that carries a validator."""
        etag, last_modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
        if self.max_entries <= 0 or response.status_code != 200 or not (etag or last_modified):
            return
        self._entries[key] = _CachedResponse(
            etag, last_modified, response.status_code, list(response.headers.items()), response.content
        )
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def replay(self, key: str, request: httpx.Request) -> httpx.Response | None:
        """The cached response for ``key`` (used when the server answers 304 Not Modified)."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        return httpx.Response(entry.status, headers=entry.headers, content=entry.content, request=request)


class ProviderAuth(Protocol):
    """Credentials for a provider: request headers, and a way to drop them when the server rejects them."""

    async def headers(self, client: ProviderHttpClient) -> dict[str, str]:
        """Authorization headers for the next request (may fetch a token)."""
        ...

    async def invalidate(self) -> None:
        """Forget the current credentials (after a 401) so the next ``headers`` call renews them."""
        ...


@dataclass
class ClientStats:
    """Counters a client keeps about its own traffic (handy for tests and sync reports)."""

    requests: int = 0
    retries: int = 0
    not_modified: int = 0
    auth_refreshes: int = 0
    rate_limit_wait_s: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)


class ProviderHttpClient:
    """An httpx.AsyncClient wrapped with rate limit, retries, conditional cache and circuit breaker."""

    def __init__(
        self,
        provider: str,
        *,
        base_url: str = "",
        timeout_s: float = 15.0,
        rate_limiter: ProviderRateLimiter | None = None,
        breaker: CircuitBreaker | None = None,
        retry: RetryConfig | None = None,
        cache: ConditionalCache | None = None,
        auth: ProviderAuth | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.provider = provider
        self.rate_limiter = rate_limiter
        self.breaker = breaker or CircuitBreaker(provider)
        self.retry = retry or RetryConfig()
        self.cache = cache if cache is not None else ConditionalCache()
        self.auth = auth
        self.stats = ClientStats()
        self._http = httpx.AsyncClient(
            base_url=base_url,
            timeout=httpx.Timeout(timeout_s),
            transport=transport,
            headers={"User-Agent": "careerstream-connector/0.1"},
        )

    async def __aenter__(self) -> ProviderHttpClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the underlying connection pool."""
        await self._http.aclose()

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        backoff = min(self.retry.backoff_max_s, self.retry.backoff_base_s * 2 ** (state.attempt_number - 1))
        backoff = random.uniform(backoff / 2, backoff)  # "equal jitter"
        if isinstance(exc, ProviderHTTPError) and exc.retry_after is not None:
            # The server said when to come back: never earlier than that.
            return exc.retry_after + random.uniform(0, 0.05)
        return backoff

    def _stop(self, state: RetryCallState) -> bool:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, ProviderHTTPError) and (exc.retry_after or 0) > self.retry.max_retry_after_s:
            return True
        return stop_after_attempt(self.retry.max_attempts)(state)

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        authenticated: bool = True,
    ) -> httpx.Response:
        """Send a request with all the safeguards; returns a 2xx response (304s replayed from cache).

        Raises ``CircuitOpenError`` while the breaker is open, ``ProviderHTTPError`` for a final error
        status, ``httpx.TransportError`` (e.g. timeouts) once retries are exhausted.
        """
        retrying = AsyncRetrying(
            retry=retry_if_exception_type((RetryableHTTPError, httpx.TransportError)),
            stop=self._stop,
            wait=self._wait,
            reraise=True,
            before_sleep=self._before_sleep,
        )
        async for attempt in retrying:
            with attempt:
                return await self._attempt(method, url, params, data, headers, authenticated)
        raise AssertionError("unreachable: tenacity re-raises the last error")  # pragma: no cover

    def _before_sleep(self, state: RetryCallState) -> None:
        self.stats.retries += 1
        exc = state.outcome.exception() if state.outcome else None
        log.info(
            "provider_retry",
            provider=self.provider,
            attempt=state.attempt_number,
            error=type(exc).__name__,
            status=getattr(exc, "status", None),
            sleep_s=round(state.upcoming_sleep, 3),
        )

    async def _attempt(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None,
        data: Mapping[str, Any] | None,
        extra_headers: Mapping[str, str] | None,
        authenticated: bool,
    ) -> httpx.Response:
        refreshed = False
        while True:
            self.breaker.before_call()
            if self.rate_limiter is not None:
                self.stats.rate_limit_wait_s += await self.rate_limiter.acquire(self.provider)
            request = self._http.build_request(method, url, params=params, data=data)
            cache_key = str(request.url) if method.upper() == "GET" else None
            if cache_key is not None:
                request.headers.update(self.cache.validators(cache_key))
            if extra_headers:
                request.headers.update(extra_headers)
            if authenticated and self.auth is not None:
                request.headers.update(await self.auth.headers(self))
            self.stats.requests += 1
            try:
                response = await self._http.send(request)
            except httpx.TransportError:
                self.breaker.record_failure()
                raise
            status = response.status_code
            self.stats.statuses[status] = self.stats.statuses.get(status, 0) + 1
            if status == 401 and authenticated and self.auth is not None and not refreshed:
                # Token expired or revoked: renew once and replay; a second 401 is a real error.
                refreshed = True
                self.stats.auth_refreshes += 1
                await self.auth.invalidate()
                continue
            if status in RETRYABLE_STATUSES:
                self.breaker.record_failure()
                raise RetryableHTTPError(
                    self.provider,
                    status,
                    _safe_url(request),
                    parse_retry_after(response.headers.get("Retry-After")),
                )
            # Any other answer means the provider is up, even a 4xx about our request.
            self.breaker.record_success()
            if status == 304 and cache_key is not None:
                cached = self.cache.replay(cache_key, request)
                if cached is not None:
                    self.stats.not_modified += 1
                    return cached
            if status >= 400:
                raise ProviderHTTPError(self.provider, status, _safe_url(request))
            if cache_key is not None:
                self.cache.store(cache_key, response)
            return response

    async def get_json(self, url: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET and decode JSON."""
        response = await self.request("GET", url, params=params)
        return response.json()


def _safe_url(request: httpx.Request) -> str:
    # Query strings can carry credentials on some APIs; keep them out of errors and logs.
    return str(request.url.copy_with(query=None))
