"""The course provider interface and its three adapters.

* ``CourseraCatalogProvider``: ``GET /api/courses.v1?start=&limit=``
  -> ``{"elements", "paging": {"next", "total"}}``,
  static bearer token.
* ``EdxDiscoveryProvider``: OAuth2 client credentials (``POST /oauth2/access_token``), then
  ``GET /api/v1/courses/?page=&page_size=[&modified_since=]`` -> ``{count, next, previous, results}``.
* ``FileImportProvider``: a CSV or JSONL file in the canonical column layout.

Adapters only fetch and page; the shape mapping lives in ``connectors.normalise`` (pure).
"""

from __future__ import annotations

import asyncio
import csv
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import httpx
from pydantic import SecretStr

from connectors.circuit_breaker import CircuitBreaker
from connectors.http_client import (
    ConditionalCache,
    ProviderError,
    ProviderHttpClient,
    ProviderHTTPError,
    ProviderRateLimiter,
)
from connectors.normalise import coursera_to_record, edx_to_record, file_row_to_record
from engines.course_search.record import CourseRecord, MalformedRecord, MalformedRecordError
from kernel.connectors_config import ConnectorsConfig, ProviderConfig, ProviderKind


@dataclass
class CoursePage:
    """One page of a provider listing: the good records, the skipped ones, and the catalog size if known."""

    records: list[CourseRecord] = field(default_factory=list)
    malformed: list[MalformedRecord] = field(default_factory=list)
    total: int | None = None


@runtime_checkable
class CourseProvider(Protocol):
    """What the sync engine needs from a course provider."""

    name: str

    async def authenticate(self) -> None:
        """Obtain/verify credentials (no-op for providers that need none)."""
        ...

    def list_courses(self) -> AsyncIterator[CoursePage]:
        """Every course in the catalog, page by page."""
        ...

    async def get_course(self, provider_course_id: str) -> CourseRecord | None:
        """One course's details, or None if the provider does not know it."""
        ...

    async def check_availability(self, provider_course_id: str) -> str | None:
        """``available``/``upcoming``/``archived``, or None if the course is gone."""
        ...

    def list_changes(self, since: datetime) -> AsyncIterator[CoursePage]:
        """Courses added or modified at or after ``since`` (may include unchanged ones)."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...


def _map_page(
    provider: str, raws: list[Any], mapper: Callable[[Any, str], CourseRecord], id_key: str
) -> tuple[list[CourseRecord], list[MalformedRecord]]:
    """Map raw records one by one: a malformed one is reported and skipped, the rest of the page kept."""
    records: list[CourseRecord] = []
    malformed: list[MalformedRecord] = []
    for raw in raws:
        try:
            records.append(mapper(raw, provider))
        except (MalformedRecordError, KeyError, TypeError, ValueError) as exc:
            raw_id = raw.get(id_key) if isinstance(raw, dict) else None
            malformed.append(MalformedRecord(provider, str(raw_id) if raw_id is not None else None, str(exc)))
    return records, malformed


class BearerTokenAuth:
    """A static bearer token (Coursera-style API keys)."""

    def __init__(self, token: SecretStr) -> None:
        self._token = token

    async def headers(self, client: ProviderHttpClient) -> dict[str, str]:
        """The Authorization header."""
        return {"Authorization": f"Bearer {self._token.get_secret_value()}"}

    async def invalidate(self) -> None:
        """Nothing to renew for a static token; the replayed request will fail again and surface."""


class OAuth2ClientCredentialsAuth:
    """OAuth2 client-credentials tokens, fetched lazily and renewed before expiry or after a 401."""

    # Renew slightly early so a token never expires in flight.
    EXPIRY_MARGIN_S = 30.0

    def __init__(
        self,
        client_id: str,
        client_secret: SecretStr,
        token_path: str = "/oauth2/access_token",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client_id = client_id
        self._client_secret = client_secret
        self._token_path = token_path
        self._clock = clock
        self._token: str | None = None
        self._token_type = "Bearer"
        self._expires_at = 0.0
        self._lock = asyncio.Lock()
        self.tokens_fetched = 0

    async def headers(self, client: ProviderHttpClient) -> dict[str, str]:
        """The Authorization header, fetching a new token first if needed."""
        async with self._lock:
            if self._token is None or self._clock() >= self._expires_at - self.EXPIRY_MARGIN_S:
                await self._fetch(client)
        return {"Authorization": f"{self._token_type} {self._token}"}

    async def invalidate(self) -> None:
        """Drop the token so the next request fetches a fresh one."""
        self._token = None

    async def _fetch(self, client: ProviderHttpClient) -> None:
        response = await client.request(
            "POST",
            self._token_path,
            data={
                "grant_type": "client_credentials",
                "client_id": self._client_id,
                "client_secret": self._client_secret.get_secret_value(),
                "token_type": "jwt",
            },
            authenticated=False,
        )
        body = response.json()
        token = body.get("access_token") if isinstance(body, dict) else None
        if not token:
            raise ProviderError(f"{client.provider}: token endpoint returned no access_token")
        self._token = str(token)
        self._token_type = "JWT" if str(body.get("token_type", "")).lower() == "jwt" else "Bearer"
        self._expires_at = self._clock() + float(body.get("expires_in", 3600))
        self.tokens_fetched += 1


class CourseraCatalogProvider:
    """Adapter for a Coursera-style catalog API (offset paging, bearer token)."""

    def __init__(self, name: str, client: ProviderHttpClient, page_size: int = 100) -> None:
        self.name = name
        self.client = client
        self.page_size = page_size

    async def authenticate(self) -> None:
        """Verify the token with a one-element request."""
        await self.client.get_json("/api/courses.v1", {"start": 0, "limit": 1})

    async def list_courses(self) -> AsyncIterator[CoursePage]:
        """Follow ``paging.next`` offsets until the catalog is exhausted."""
        start: int | None = 0
        while start is not None:
            body = await self.client.get_json("/api/courses.v1", {"start": start, "limit": self.page_size})
            if not isinstance(body, dict) or not isinstance(body.get("elements"), list):
                raise ProviderError(f"{self.name}: unexpected page shape at start={start}")
            paging = body.get("paging") or {}
            records, malformed = _map_page(self.name, body["elements"], coursera_to_record, "id")
            yield CoursePage(records, malformed, paging.get("total"))
            nxt = paging.get("next")
            start = int(nxt) if nxt not in (None, "") and body["elements"] else None

    async def get_course(self, provider_course_id: str) -> CourseRecord | None:
        """``GET /api/courses.v1/{id}``; None on 404 or an empty answer."""
        try:
            body = await self.client.get_json(f"/api/courses.v1/{provider_course_id}")
        except ProviderHTTPError as exc:
            if exc.status == 404:
                return None
            raise
        elements = body.get("elements") if isinstance(body, dict) else None
        return coursera_to_record(elements[0], self.name) if elements else None

    async def check_availability(self, provider_course_id: str) -> str | None:
        """Availability from the course details."""
        course = await self.get_course(provider_course_id)
        return course.availability if course else None

    async def list_changes(self, since: datetime) -> AsyncIterator[CoursePage]:
        """This API has no server-side change filter: list everything, keep records updated since ``since``.

        Records without ``lastUpdatedAt`` are kept (the sync engine's hash check drops unchanged ones).
        """
        since_ms = int(since.timestamp() * 1000)
        async for page in self.list_courses():
            page.records = [
                r for r in page.records if r.provider_updated_at is None or r.provider_updated_at >= since_ms
            ]
            yield page

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self.client.aclose()


class EdxDiscoveryProvider:
    """Adapter for an edX-discovery-style API (page-number paging, OAuth2, ``modified_since``)."""

    def __init__(
        self, name: str, client: ProviderHttpClient, auth: OAuth2ClientCredentialsAuth, page_size: int = 100
    ) -> None:
        self.name = name
        self.client = client
        self.auth = auth
        self.page_size = page_size
        client.auth = auth

    async def authenticate(self) -> None:
        """Fetch an access token now (instead of lazily on the first request)."""
        await self.auth.invalidate()
        await self.auth.headers(self.client)

    async def _pages(self, params: dict[str, Any]) -> AsyncIterator[CoursePage]:
        url: str | None = "/api/v1/courses/"
        query: dict[str, Any] | None = {**params, "page": 1, "page_size": self.page_size}
        while url:
            body = await self.client.get_json(url, query)
            if not isinstance(body, dict) or not isinstance(body.get("results"), list):
                raise ProviderError(f"{self.name}: unexpected page shape at {url}")
            records, malformed = _map_page(self.name, body["results"], edx_to_record, "key")
            yield CoursePage(records, malformed, body.get("count"))
            # ``next`` is an absolute URL that already carries every query parameter.
            url, query = body.get("next"), None

    def list_courses(self) -> AsyncIterator[CoursePage]:
        """Every course, following ``next`` links."""
        return self._pages({})

    def list_changes(self, since: datetime) -> AsyncIterator[CoursePage]:
        """Server-side incremental listing with ``modified_since``."""
        iso = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return self._pages({"modified_since": iso})

    async def get_course(self, provider_course_id: str) -> CourseRecord | None:
        """``GET /api/v1/courses/{key}/``; None on 404."""
        try:
            body = await self.client.get_json(f"/api/v1/courses/{provider_course_id}/")
        except ProviderHTTPError as exc:
            if exc.status == 404:
                return None
            raise
        return edx_to_record(body, self.name)

    async def check_availability(self, provider_course_id: str) -> str | None:
        """Availability of the course's best run."""
        course = await self.get_course(provider_course_id)
        return course.availability if course else None

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self.client.aclose()


class FileImportProvider:
    """Bulk import from a CSV (header row) or JSONL file in the canonical layout (see normalise)."""

    def __init__(self, name: str, path: str | Path, page_size: int = 500) -> None:
        self.name = name
        self.path = Path(path)
        self.page_size = page_size

    async def authenticate(self) -> None:
        """Check the file is readable."""
        if not self.path.is_file():
            raise ProviderError(f"{self.name}: import file {self.path} not found")

    def _rows(self) -> Iterator[tuple[str, Any]]:
        """(position, raw row) pairs; a JSONL line that is not JSON yields its error text as the row."""
        with self.path.open(encoding="utf-8", newline="") as fh:
            if self.path.suffix.lower() == ".csv":
                for lineno, row in enumerate(csv.DictReader(fh), start=2):
                    yield f"line {lineno}", row
            else:
                for lineno, line in enumerate(fh, start=1):
                    if line.strip():
                        try:
                            yield f"line {lineno}", json.loads(line)
                        except json.JSONDecodeError as exc:
                            yield f"line {lineno}", MalformedRecordError(f"invalid JSON: {exc.msg}")

    def _page(self, batch: list[tuple[str, Any]]) -> CoursePage:
        page = CoursePage()
        for where, raw in batch:
            if isinstance(raw, MalformedRecordError):
                page.malformed.append(MalformedRecord(self.name, where, str(raw)))
                continue
            records, malformed = _map_page(self.name, [raw], file_row_to_record, "provider_course_id")
            page.records += records
            page.malformed += [MalformedRecord(m.provider, m.raw_id or where, m.reason) for m in malformed]
        return page

    async def list_courses(self) -> AsyncIterator[CoursePage]:
        """The file in pages of ``page_size`` rows."""
        batch: list[tuple[str, Any]] = []
        for item in self._rows():
            batch.append(item)
            if len(batch) >= self.page_size:
                yield self._page(batch)
                batch = []
                await asyncio.sleep(0)  # let other providers' syncs run between pages
        if batch:
            yield self._page(batch)

    async def list_changes(self, since: datetime) -> AsyncIterator[CoursePage]:
        """Rows whose ``updated_at`` is at/after ``since`` (rows without it are kept)."""
        since_ms = int(since.timestamp() * 1000)
        async for page in self.list_courses():
            page.records = [
                r for r in page.records if r.provider_updated_at is None or r.provider_updated_at >= since_ms
            ]
            yield page

    async def get_course(self, provider_course_id: str) -> CourseRecord | None:
        """Scan the file for one course."""
        async for page in self.list_courses():
            for record in page.records:
                if record.provider_course_id == provider_course_id:
                    return record
        return None

    async def check_availability(self, provider_course_id: str) -> str | None:
        """Availability column of the course's row."""
        course = await self.get_course(provider_course_id)
        return course.availability if course else None

    async def aclose(self) -> None:
        """Nothing to release."""


def build_http_client(
    config: ProviderConfig,
    settings: ConnectorsConfig,
    redis_url: str,
    transport: httpx.AsyncBaseTransport | None = None,
) -> ProviderHttpClient:
    """The safeguarded HTTP client for one provider, as configured."""
    return ProviderHttpClient(
        config.name,
        base_url=config.base_url or "",
        timeout_s=config.timeout_s,
        rate_limiter=ProviderRateLimiter(
            config.rate_limit, redis_url, settings.rate_limit_key_prefix, config.rate_limit_strategy
        ),
        breaker=CircuitBreaker(
            config.name, config.circuit_breaker.failure_threshold, config.circuit_breaker.reset_timeout_s
        ),
        retry=config.retry,
        cache=ConditionalCache(config.conditional_cache_entries),
        transport=transport,
    )


def build_provider(
    config: ProviderConfig,
    settings: ConnectorsConfig,
    redis_url: str,
    transport: httpx.AsyncBaseTransport | None = None,
) -> CourseProvider:
    """The adapter for a configured provider (`redis_url`: where rate limits are shared)."""
    if config.kind is ProviderKind.FILE_IMPORT:
        return FileImportProvider(config.name, config.file_path or "", config.page_size)
    client = build_http_client(config, settings, redis_url, transport)
    if config.kind is ProviderKind.COURSERA_CATALOG:
        if config.token is not None:
            client.auth = BearerTokenAuth(config.token)
        return CourseraCatalogProvider(config.name, client, config.page_size)
    auth = OAuth2ClientCredentialsAuth(config.client_id or "", config.client_secret or SecretStr(""))
    return EdxDiscoveryProvider(config.name, client, auth, config.page_size)
