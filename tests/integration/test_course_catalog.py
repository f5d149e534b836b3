"""Course catalog end to end: connector events -> Kafka -> worker (Postgres, tantivy, Redis) -> search API."""

from __future__ import annotations

import asyncio
import uuid

import psycopg
from psycopg_pool import ConnectionPool
from pydantic import SecretStr
from redis import Redis

from connectors.http_client import ProviderHttpClient
from connectors.kafka_publisher import KafkaCoursePublisher, removal_event, upsert_event
from connectors.provider import BearerTokenAuth, CourseraCatalogProvider
from connectors.sync import SyncEngine
from connectors.sync_state import PostgresSyncStateStore
from engines.course_search.query import SearchQuery
from engines.course_search.record import CourseRecord, CourseRemoval
from kernel.config import Settings
from projections.course_catalog import GENERATION_KEY
from queries.course_index import CourseIndexReader
from schemas.events import Event
from schemas.keystore import PostgresKeyStore
from schemas.serde import EventSerde
from streams.course_index import rebuild_from_log
from streams.log_reader import read_log
from streams.producer import EventProducer
from tests.conftest import wait_until
from tests.connectors.conftest import FAST_RETRY
from tests.connectors.fake_provider_servers import FakeCourseraApp, FakeServer, coursera_element

CLOUD_DEVELOPER = "http://data.europa.eu/esco/occupation/781a6350-e686-45b9-b075-e4c8d5a05ff7"


def publish(settings: Settings, events: list[Event]) -> list[str]:
    """Publish events as a connector would; returns their consistency tokens."""

    async def go() -> list[str]:
        pool = ConnectionPool(settings.database_url, min_size=1, max_size=2, open=True)
        producer = EventProducer(
            settings.kafka_bootstrap_servers,
            EventSerde(
                PostgresKeyStore(pool, settings.master_key_bytes()), topic_prefix=settings.topic_prefix
            ),
            settings.topic_prefix,
        )
        try:
            return [p.token for p in await producer.publish_many(events)]
        finally:
            producer.close()
            pool.close()

    return asyncio.run(go())


def course(pcid: str, title: str, skills: list[str], **extra: object) -> CourseRecord:
    return CourseRecord.create(
        provider="itest",
        provider_course_id=pcid,
        title=title,
        description=extra.pop("description", f"A course about {title.lower()}."),  # type: ignore[arg-type]
        skills=skills,
        level=extra.pop("level", "beginner"),  # type: ignore[arg-type]
        duration_hours=extra.pop("duration_hours", 8.0),  # type: ignore[arg-type]
        price=0.0,
    )


def search(client, headers, **params):  # type: ignore[no-untyped-def]
    r = client.get("/courses/search", params=params, headers=headers)
    assert r.status_code == 200, r.text
    return r


def test_upsert_update_and_removal_reach_search_and_the_cache_never_serves_a_stale_result(
    client, auth, settings: Settings, worker
) -> None:  # type: ignore[no-untyped-def]
    h = auth("reader")
    word = f"quux{uuid.uuid4().hex[:8]}"  # a word only this test's course contains
    v1 = course("c1", f"Introduction to Kafka Streams {word}", ["Apache Kafka", "Java"])
    (token,) = publish(settings, [upsert_event(v1)])

    r = search(client, h, q=word, consistency_token=token)
    assert r.headers["x-cache"] == "miss"
    body = r.json()
    assert body["total"] == 1
    hit = body["results"][0]
    assert hit["course_id"] == "itest:c1"
    assert hit["title"] == v1.title
    assert f"<b>{word}</b>" in hit["title_highlighted"]
    assert hit["skills"] == ["Apache Kafka", "Java"]
    assert body["facets"]["provider"] == {"itest": 1}
    assert body["facets"]["level"] == {"beginner": 1}
    # A typo still finds it, and the second identical query is served from the cache.
    assert search(client, h, q="kafak streams " + word).json()["total"] == 1
    assert search(client, h, q=word).headers["x-cache"] == "hit"

    details = client.get("/courses/itest:c1", headers=h)
    assert details.status_code == 200, details.text
    assert details.json()["title"] == v1.title and details.json()["content_hash"] == v1.content_hash
    with psycopg.connect(settings.database_url) as conn:
        row = conn.execute("SELECT skills, skills_lower FROM courses WHERE course_id='itest:c1'").fetchone()
    assert row == (["Apache Kafka", "Java"], ["apache kafka", "java"])

    # Update: same course id, new title. Once projected, the same query must show the new title.
    v2 = course("c1", f"Kafka Streams in Production {word}", ["Apache Kafka", "Java"], level="advanced")
    update = upsert_event(v2)
    (token,) = publish(settings, [update])
    r = search(client, h, q=word, consistency_token=token)
    assert r.headers["x-cache"] == "miss"
    assert [x["title"] for x in r.json()["results"]] == [v2.title]
    assert r.json()["facets"]["level"] == {"advanced": 1}
    redis = Redis.from_url(settings.redis_url)
    assert redis.get(settings.redis_prefix + GENERATION_KEY) == update.event_id.encode()
    for _ in range(3):  # repeated, with and without the token: never the old title
        assert [x["title"] for x in search(client, h, q=word).json()["results"]] == [v2.title]
    assert search(client, h, q="introduction " + word).json()["total"] == 0
    assert search(client, h, q=word, level="beginner").json()["total"] == 0

    # Removal: gone from search and from the catalog.
    (token,) = publish(settings, [removal_event(CourseRemoval("itest:c1", "itest", "test"))])
    r = search(client, h, q=word, consistency_token=token)
    assert r.json()["total"] == 0 and r.json()["results"] == []
    assert client.get("/courses/itest:c1", headers=h).status_code == 404


def test_personalised_search_ranks_missing_skills_first_and_explains_why(
    client, auth, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    word = f"zorb{uuid.uuid4().hex[:8]}"
    user = f"learner-{uuid.uuid4().hex[:6]}"
    h = auth(user)
    r = client.post("/users", json={"email": f"{user}@example.org"}, headers=h)
    assert r.status_code == 202, r.text
    profile = {"skills": ["root cause analysis"], "target_careers": [CLOUD_DEVELOPER]}
    r = client.put(f"/users/{user}/profile", json=profile, headers=h)
    assert r.status_code == 202, r.text
    profile_token = r.json()["consistency_token"]
    r = client.get(f"/users/{user}/profile", params={"consistency_token": profile_token}, headers=h)
    assert r.status_code == 200, r.text

    # The plain course matches the text better (word twice, shorter); the other teaches a missing skill.
    plain = course("p1", f"{word} {word}", ["Excel"], description=f"{word} {word}")
    teaching = course(
        "p2", f"{word} and the cloud platform", ["deploy cloud resource", "Root cause analysis"]
    )
    tokens = publish(settings, [upsert_event(plain), upsert_event(teaching)])

    # Two course ids can land on two partitions: a token vouches for its own partition only.
    for token in tokens:
        r = search(client, h, q=word, consistency_token=token)
    unpersonalised = {x["course_id"]: x for x in r.json()["results"]}
    assert set(unpersonalised) == {"itest:p1", "itest:p2"}
    assert r.json()["results"][0]["course_id"] == "itest:p1"

    r = search(client, h, q=word, user_id=user)
    body = r.json()
    assert body["personalised_for"] == user
    assert any(m["skill"] == "deploy cloud resource" for m in body["missing_skills"])
    assert all(m["skill"].lower() != "root cause analysis" for m in body["missing_skills"])  # user has it
    first, second = body["results"]
    assert first["course_id"] == "itest:p2"
    assert first["boosted_by"] == ["deploy cloud resource"]
    assert first["why"] == [{"skill": "deploy cloud resource", "careers": ["cloud software developer"]}]
    assert "deploy cloud resource" in first["explanation"]
    assert "cloud software developer" in first["explanation"]
    assert first["score"] > unpersonalised["itest:p2"]["score"]
    assert second["course_id"] == "itest:p1" and second["why"] == []

    # Personalisation reads the user's profile: only for that user (or services).
    other = auth("someone-else")
    assert (
        client.get("/courses/search", params={"q": word, "user_id": user}, headers=other).status_code == 403
    )
    svc = client.get("/courses/search", params={"q": word, "user_id": user}, headers=auth("svc", "service"))
    assert svc.status_code == 200 and svc.json()["results"][0]["course_id"] == "itest:p2"


def test_bad_search_parameters_are_rejected_with_a_reason(client, auth) -> None:  # type: ignore[no-untyped-def]
    h = auth("reader")
    assert client.get("/courses/search", params={"q": "python"}).status_code == 401
    for params in (
        {"level": "expert"},
        {"size": 0},
        {"size": 51},
        {"page": 0},
        {"max_hours": -1},
        {"provider": "Bad Name!"},
        {"q": "x" * 201},
        {"free": "maybe"},
        {"user_id": "not a valid id"},
        {"page": 1000, "size": 50},
        {"skills": "s" * 101},
    ):
        r = client.get("/courses/search", params=params, headers=h)
        assert r.status_code == 422, (params, r.text)
        assert r.json()["detail"], params
    r = client.get("/courses/search", params={"consistency_token": "garbage"}, headers=h)
    assert r.status_code == 400
    r = client.get("/courses/search", params={"user_id": "nobody-here"}, headers=auth("svc", "service"))
    assert r.status_code == 404
    assert client.get("/courses/no-colon-here", headers=h).status_code == 422
    assert client.get("/courses/itest:does-not-exist", headers=h).status_code == 404


def test_resync_of_an_unchanged_catalog_publishes_nothing(client, auth, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    app = FakeCourseraApp([coursera_element(i) for i in range(25)])

    async def full_sync(server: FakeServer, publisher: KafkaCoursePublisher) -> None:
        http = ProviderHttpClient("coursera", base_url=server.url, retry=FAST_RETRY)
        http.auth = BearerTokenAuth(SecretStr("coursera-secret"))
        provider = CourseraCatalogProvider("coursera", http, page_size=10)
        store = await PostgresSyncStateStore.connect(settings.database_url)
        try:
            report = await SyncEngine(store, publisher, batch_size=10).full_sync(provider)
            assert report.ok and not report.malformed
        finally:
            await provider.aclose()
            await store.close()

    publisher = KafkaCoursePublisher(settings)
    try:
        with FakeServer(app) as server:
            asyncio.run(full_sync(server, publisher))
            assert publisher.published == 25
            asyncio.run(full_sync(server, publisher))
            assert publisher.published == 25, "an unchanged catalog must publish no event"
    finally:
        publisher.close()
    courses_on_log = [r for r in read_log(settings, ["courses"]) if (r.key or b"").startswith(b"coursera:")]
    assert len(courses_on_log) == 25

    # And they were projected: searchable by provider, with the connector's fields.
    h = auth("reader")
    wait_until(
        lambda: search(client, h, provider="coursera").json()["total"] == 25, 60, "25 coursera courses"
    )
    r = search(client, h, q="python", provider="coursera", size=5)
    assert r.json()["total"] == 25 and len(r.json()["results"]) == 5
    assert r.json()["facets"]["provider"] == {"coursera": 25}


def test_a_replica_rebuilds_its_own_index_from_the_log(client, auth, settings: Settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    marker = course("r1", f"Replica check {uuid.uuid4().hex[:8]}", ["Go"])
    gone = course("r2", "Removed before the rebuild", ["Go"])
    tokens = publish(
        settings,
        [
            upsert_event(marker),
            upsert_event(gone),
            removal_event(CourseRemoval("itest:r2", "itest", "test")),
        ],
    )
    h = auth("reader")
    for token in tokens:  # the live projection has applied everything we published
        search(client, h, q="replica", consistency_token=token)
    # ... and every course event earlier tests published, on every partition.
    ends: dict[tuple[str, int], int] = {}
    for record in read_log(settings, ["courses"]):
        ends[(record.topic, record.partition)] = record.offset + 1

    def caught_up() -> bool:
        with psycopg.connect(settings.database_url) as conn:
            rows = conn.execute(
                "SELECT topic, partition, next_offset FROM projection_positions"
                " WHERE projection = 'course_catalog'"
            ).fetchall()
        applied = {(t, p): o for t, p, o in rows}
        return all(applied.get(tp, 0) >= end for tp, end in ends.items())

    wait_until(caught_up, 60, "course_catalog to apply the whole courses log")
    with psycopg.connect(settings.database_url) as conn:
        row = conn.execute("SELECT count(*) FROM courses").fetchone()
    assert row is not None
    catalog_size = int(row[0])

    docs = rebuild_from_log(settings, tmp_path / "replica")
    assert docs == catalog_size  # the index rebuilt from the log holds exactly the catalog of record
    replica = CourseIndexReader(tmp_path / "replica")
    found = replica.search(SearchQuery(text=marker.title), "g")
    assert found is not None and found.hits[0].course_id == "itest:r1"
    removed = replica.search(SearchQuery(text="removed before the rebuild"), "g")
    assert removed is not None and removed.total == 0
    # The rebuild bumped the generation: API processes reload and drop cached results.
    generation = Redis.from_url(settings.redis_url).get(settings.redis_prefix + GENERATION_KEY)
    assert isinstance(generation, bytes) and generation.startswith(b"rebuild:")
