"""Sync engine: only real changes are published, removals from full syncs, failures isolated."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import SecretStr

from connectors.circuit_breaker import CircuitBreaker
from connectors.http_client import ProviderHttpClient
from connectors.provider import (
    BearerTokenAuth,
    CourseraCatalogProvider,
    EdxDiscoveryProvider,
    OAuth2ClientCredentialsAuth,
)
from connectors.sync import SyncEngine, SyncFailedError, find_removed, select_changed, sync_providers
from connectors.sync_state import InMemorySyncStateStore, PostgresSyncStateStore, SyncStateStore
from engines.course_search.record import CourseRecord, CourseRemoval
from tests.connectors.conftest import FAST_RETRY
from tests.connectors.fake_provider_servers import (
    FakeCourseraApp,
    FakeEdxApp,
    FakeServer,
    coursera_element,
    edx_course,
)


class Recorder:
    """A publish callback that remembers every batch."""

    def __init__(self, fail: bool = False) -> None:
        self.calls: list[tuple[list[CourseRecord], list[CourseRemoval]]] = []
        self.fail = fail

    async def __call__(self, records: list[CourseRecord], removals: list[CourseRemoval]) -> None:
        if self.fail:
            raise ConnectionError("broker down")
        self.calls.append((records, removals))

    @property
    def upserts(self) -> list[CourseRecord]:
        return [r for recs, _ in self.calls for r in recs]

    @property
    def removals(self) -> list[CourseRemoval]:
        return [r for _, rems in self.calls for r in rems]


def coursera_provider(server: FakeServer, breaker: CircuitBreaker | None = None) -> CourseraCatalogProvider:
    client = ProviderHttpClient("coursera", base_url=server.url, retry=FAST_RETRY, breaker=breaker)
    client.auth = BearerTokenAuth(SecretStr("coursera-secret"))
    return CourseraCatalogProvider("coursera", client, page_size=10)


async def run_full(
    store: SyncStateStore, server: FakeServer, batch_size: int = 10
) -> tuple[Recorder, object]:
    recorder = Recorder()
    provider = coursera_provider(server)
    report = await SyncEngine(store, recorder, batch_size=batch_size).full_sync(provider)
    await provider.aclose()
    return recorder, report


async def check_change_detection(store: SyncStateStore, app: FakeCourseraApp, server: FakeServer) -> None:
    first, report = await run_full(store, server)
    assert len(first.upserts) == 25
    assert [len(recs) for recs, _ in first.calls] == [10, 10, 5]  # batched
    assert report.upserts == 25  # type: ignore[attr-defined]

    again, report = await run_full(store, server)
    assert again.calls == []  # unchanged catalog -> nothing published
    assert report.unchanged == 25  # type: ignore[attr-defined]

    app.elements[3] = coursera_element(3, name="Course 3: Python for Data, 2nd edition")
    app.elements[4] = coursera_element(4, lastUpdatedAt=1)  # timestamp-only change is not a change
    del app.elements[7]
    app.elements.append(coursera_element(99))
    changed, report = await run_full(store, server)
    assert sorted(r.provider_course_id for r in changed.upserts) == ["crs0003", "crs0099"]
    assert changed.removals == [CourseRemoval("coursera:crs0007", "coursera", "missing from full sync")]
    assert report.removals == 1  # type: ignore[attr-defined]

    final, _ = await run_full(store, server)
    assert final.calls == []


async def test_change_detection_in_memory(coursera: tuple[FakeCourseraApp, FakeServer]) -> None:
    app, server = coursera
    await check_change_detection(InMemorySyncStateStore(), app, server)


async def test_change_detection_postgres(coursera: tuple[FakeCourseraApp, FakeServer], clean_pg: str) -> None:
    app, server = coursera
    store = await PostgresSyncStateStore.connect(clean_pg)
    try:
        await check_change_detection(store, app, server)
        assert len(await store.all_course_ids("coursera")) == 25
        assert await store.last_seen_at("coursera") is not None
    finally:
        await store.close()


async def test_malformed_records_reported_rest_published() -> None:
    app = FakeCourseraApp(
        [coursera_element(0), coursera_element(1, level=None, name=""), coursera_element(2)]
    )
    with FakeServer(app) as server:
        recorder, report = await run_full(InMemorySyncStateStore(), server)
    assert [r.provider_course_id for r in recorder.upserts] == ["crs0000", "crs0002"]
    assert [m.raw_id for m in report.malformed] == ["crs0001"]  # type: ignore[attr-defined]


async def test_empty_catalog_does_not_wipe_everything(coursera: tuple[FakeCourseraApp, FakeServer]) -> None:
    app, server = coursera
    store = InMemorySyncStateStore()
    await run_full(store, server)
    app.elements = app.elements[:2]
    recorder, report = await run_full(store, server)
    assert recorder.removals == []
    assert report.withheld_removals == 23  # type: ignore[attr-defined]
    assert len(await store.all_course_ids("coursera")) == 25


async def test_publish_failure_leaves_state_untouched(coursera: tuple[FakeCourseraApp, FakeServer]) -> None:
    _, server = coursera
    store = InMemorySyncStateStore()
    provider = coursera_provider(server)
    with pytest.raises(SyncFailedError) as info:
        await SyncEngine(store, Recorder(fail=True), batch_size=10).full_sync(provider)
    await provider.aclose()
    assert "broker down" in str(info.value.__cause__) or "broker down" in str(info.value.__context__)
    assert await store.all_course_ids("coursera") == set()
    recorder, _ = await run_full(store, server)
    assert len(recorder.upserts) == 25  # everything is published on the next run


async def test_incremental_sync_asks_for_changes_since_last_run() -> None:
    app = FakeEdxApp([edx_course(i, modified="2024-01-01T00:00:00Z") for i in range(5)])
    with FakeServer(app) as server:
        app.base_url = server.url
        store = InMemorySyncStateStore()
        client = ProviderHttpClient("edx", base_url=server.url, retry=FAST_RETRY)
        provider = EdxDiscoveryProvider(
            "edx", client, OAuth2ClientCredentialsAuth("cid", SecretStr("csecret"))
        )
        clock_now = [datetime(2024, 3, 1, tzinfo=UTC)]
        recorder = Recorder()
        engine = SyncEngine(store, recorder, clock=lambda: clock_now[0])
        first = await engine.incremental_sync(provider)  # no state yet -> full
        assert first.mode == "full" and len(recorder.upserts) == 5
        app.courses[2] = edx_course(2, modified="2024-03-05T00:00:00Z", title="Cloud Computing 2 (2024)")
        recorder.calls.clear()
        second = await engine.incremental_sync(provider)
        await provider.aclose()
    assert second.mode == "incremental"
    assert [r.title for r in recorder.upserts] == ["Cloud Computing 2 (2024)"]
    assert app.requests[-1].query["modified_since"] == "2024-02-29T23:50:00Z"  # last seen minus overlap


async def test_failing_provider_does_not_stop_others(coursera: tuple[FakeCourseraApp, FakeServer]) -> None:
    _, good_server = coursera
    bad_app = FakeCourseraApp([coursera_element(1)])
    bad_app.always_fail = 503
    with FakeServer(bad_app) as bad_server:
        bad = coursera_provider(bad_server, CircuitBreaker("bad", failure_threshold=2, reset_timeout_s=60))
        bad.name = "bad"
        good = coursera_provider(good_server)
        recorder = Recorder()
        reports = await sync_providers(SyncEngine(InMemorySyncStateStore(), recorder), [bad, good], full=True)
        await bad.aclose()
        await good.aclose()
    by_name = {r.provider: r for r in reports}
    assert by_name["coursera"].ok and by_name["coursera"].upserts == 25
    assert not by_name["bad"].ok and "CircuitOpenError" in (by_name["bad"].error or "")
    assert bad_app.count() == 2  # the breaker stopped the hammering


def test_pure_helpers() -> None:
    a = CourseRecord.create(provider="p", provider_course_id="1", title="A")
    b = CourseRecord.create(provider="p", provider_course_id="2", title="B")
    assert select_changed([a, b], {a.course_id: a.content_hash}) == [b]
    assert select_changed([a, a], {}) == [a]
    assert find_removed({"p:1", "p:2", "p:3"}, {"p:2"}) == ["p:1", "p:3"]
