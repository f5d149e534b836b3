"""The three adapters against fake providers: auth, paging, incremental listing, malformed records."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr

from connectors.http_client import ProviderHttpClient, ProviderHTTPError
from connectors.provider import (
    BearerTokenAuth,
    CourseProvider,
    CourseraCatalogProvider,
    EdxDiscoveryProvider,
    FileImportProvider,
    OAuth2ClientCredentialsAuth,
    build_provider,
)
from engines.course_search.record import CourseRecord
from kernel.config import Settings
from kernel.connectors_config import ProviderConfig, ProviderKind
from tests.connectors.conftest import FAST_RETRY
from tests.connectors.fake_provider_servers import FakeCourseraApp, FakeEdxApp, FakeServer, coursera_element


def coursera_provider(
    server: FakeServer, token: str = "coursera-secret", page_size: int = 10
) -> CourseraCatalogProvider:
    client = ProviderHttpClient("coursera", base_url=server.url, retry=FAST_RETRY)
    client.auth = BearerTokenAuth(SecretStr(token))
    return CourseraCatalogProvider("coursera", client, page_size)


def edx_provider(server: FakeServer, secret: str = "csecret", page_size: int = 10) -> EdxDiscoveryProvider:
    client = ProviderHttpClient("edx", base_url=server.url, retry=FAST_RETRY)
    return EdxDiscoveryProvider(
        "edx", client, OAuth2ClientCredentialsAuth("cid", SecretStr(secret)), page_size
    )


async def collect(pages) -> tuple[list[CourseRecord], list]:  # type: ignore[no-untyped-def]
    records, malformed = [], []
    async for page in pages:
        records += page.records
        malformed += page.malformed
    return records, malformed


async def test_coursera_pages_through_catalog(coursera: tuple[FakeCourseraApp, FakeServer]) -> None:
    app, server = coursera
    provider = coursera_provider(server)
    assert isinstance(provider, CourseProvider)
    records, malformed = await collect(provider.list_courses())
    await provider.aclose()
    assert [r.provider_course_id for r in records] == [f"crs{i:04d}" for i in range(25)]
    assert malformed == []
    assert [r.query["start"] for r in app.requests] == ["0", "10", "20"]


async def test_coursera_malformed_records_are_skipped_not_fatal() -> None:
    elements = [
        coursera_element(0),
        coursera_element(1, name=None),
        "garbage",
        coursera_element(3, skills=7),
        coursera_element(4),
    ]
    app = FakeCourseraApp(elements)
    with FakeServer(app) as server:
        provider = coursera_provider(server, page_size=10)
        records, malformed = await collect(provider.list_courses())
        await provider.aclose()
    assert [r.provider_course_id for r in records] == ["crs0000", "crs0004"]
    assert [m.raw_id for m in malformed] == ["crs0001", None, "crs0003"]
    assert all(m.reason for m in malformed)


async def test_coursera_bad_token_is_an_error(coursera: tuple[FakeCourseraApp, FakeServer]) -> None:
    _, server = coursera
    provider = coursera_provider(server, token="nope")
    with pytest.raises(ProviderHTTPError) as info:
        await provider.authenticate()
    await provider.aclose()
    assert info.value.status == 401


async def test_coursera_details_and_availability(coursera: tuple[FakeCourseraApp, FakeServer]) -> None:
    _, server = coursera
    provider = coursera_provider(server)
    course = await provider.get_course("crs0002")
    assert course is not None and course.title == "Course 2: Python for Data"
    assert await provider.check_availability("crs0002") == "available"
    assert await provider.get_course("missing") is None
    await provider.aclose()


async def test_coursera_changes_filter_client_side(coursera: tuple[FakeCourseraApp, FakeServer]) -> None:
    _, server = coursera
    provider = coursera_provider(server)
    since = datetime.fromtimestamp((1_700_000_000_000 + 20) / 1000, tz=UTC)
    records, _ = await collect(provider.list_changes(since))
    await provider.aclose()
    assert [r.provider_course_id for r in records] == [f"crs{i:04d}" for i in range(20, 25)]


async def test_edx_oauth_paging_and_single_token(edx: tuple[FakeEdxApp, FakeServer]) -> None:
    app, server = edx
    provider = edx_provider(server)
    records, malformed = await collect(provider.list_courses())
    await provider.aclose()
    assert len(records) == 23 and malformed == []
    assert app.tokens_issued == 1
    token_requests = [r for r in app.requests if r.path == "/oauth2/access_token"]
    assert len(token_requests) == 1
    pages = [r.query.get("page") for r in app.requests if r.path == "/api/v1/courses/"]
    assert pages == ["1", "2", "3"]


async def test_edx_expired_token_is_refreshed(edx: tuple[FakeEdxApp, FakeServer]) -> None:
    app, server = edx
    provider = edx_provider(server)
    await provider.authenticate()
    app.expire_all_tokens()
    course = await provider.get_course("EdX+CS003")
    await provider.aclose()
    assert course is not None and course.title == "Cloud Computing 3"
    assert app.tokens_issued == 2
    assert provider.client.stats.auth_refreshes == 1


async def test_edx_token_renewed_before_expiry() -> None:
    app = FakeEdxApp([], token_ttl_s=20)  # shorter than the 30 s safety margin: renew on every request
    with FakeServer(app) as server:
        app.base_url = server.url
        provider = edx_provider(server)
        await collect(provider.list_courses())
        await collect(provider.list_courses())
        await provider.aclose()
    assert app.tokens_issued == 2


async def test_edx_bad_client_secret(edx: tuple[FakeEdxApp, FakeServer]) -> None:
    _, server = edx
    provider = edx_provider(server, secret="wrong")
    with pytest.raises(ProviderHTTPError) as info:
        await provider.authenticate()
    await provider.aclose()
    assert info.value.status == 401
    assert "wrong" not in repr(provider.auth.__dict__)


async def test_edx_incremental_uses_modified_since(edx: tuple[FakeEdxApp, FakeServer]) -> None:
    app, server = edx
    provider = edx_provider(server)
    records, _ = await collect(provider.list_changes(datetime(2024, 1, 20, tzinfo=UTC)))
    await provider.aclose()
    assert {r.provider_course_id for r in records} == {
        f"EdX+CS{i:03d}" for i in range(23) if 1 + i % 28 >= 20
    }
    listing = [r for r in app.requests if r.path == "/api/v1/courses/"]
    assert all(r.query["modified_since"] == "2024-01-20T00:00:00Z" for r in listing)


async def test_file_import_jsonl_and_csv(tmp_path: Path) -> None:
    jsonl = tmp_path / "courses.jsonl"
    rows = [
        {"provider_course_id": f"f{i}", "title": f"Course {i}", "skills": ["Excel"], "price": 0}
        for i in range(5)
    ]
    jsonl.write_text("\n".join([json.dumps(r) for r in rows] + ["{not json", json.dumps({"title": "no id"})]))
    provider = FileImportProvider("import", jsonl, page_size=2)
    records, malformed = await collect(provider.list_courses())
    assert [r.provider_course_id for r in records] == ["f0", "f1", "f2", "f3", "f4"]
    assert len(malformed) == 2 and malformed[0].raw_id == "line 6"
    assert await provider.check_availability("f3") == "available"

    csv_path = tmp_path / "courses.csv"
    csv_path.write_text(
        "provider_course_id,title,skills,level\nc1,SQL Basics,SQL;Excel,beginner\nc2,,SQL,beginner\n"
    )
    records, malformed = await collect(FileImportProvider("import", csv_path).list_courses())
    assert [r.skills for r in records] == [["Excel", "SQL"]]
    assert malformed[0].raw_id == "c2"


def test_config_from_env_keeps_secrets_secret(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    providers = [
        {
            "name": "edx",
            "kind": "edx_discovery",
            "base_url": "http://x",
            "client_id": "a",
            "client_secret": "s3cr3t",
        },
        {"name": "catalog", "kind": "coursera_catalog", "base_url": "http://y", "token": "t0k3n"},
    ]
    monkeypatch.setenv("CONNECTORS__PROVIDERS", json.dumps(providers))
    monkeypatch.setenv("CONNECTORS__PUBLISH_BATCH_SIZE", "50")
    config_file = tmp_path / "connectors.json"
    config_file.write_text(json.dumps({"publish_batch_size": 10, "max_removal_fraction": 0.2}))
    monkeypatch.setenv("CONNECTORS_FILE", str(config_file))
    config = Settings(_env_file=None).connectors_config()  # type: ignore[call-arg]
    assert config.publish_batch_size == 50  # env wins over the file
    assert config.max_removal_fraction == 0.2
    edx = config.provider("edx")
    assert edx.kind is ProviderKind.EDX_DISCOVERY
    assert "s3cr3t" not in repr(config) and "t0k3n" not in repr(config)
    assert isinstance(
        build_provider(config.provider("catalog"), config, "redis://127.0.0.1:6379/0"),
        CourseraCatalogProvider,
    )
    with pytest.raises(ValueError):
        ProviderConfig(name="bad", kind=ProviderKind.EDX_DISCOVERY, base_url="http://x")
