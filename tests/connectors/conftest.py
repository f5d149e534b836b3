"""Fixtures for connector tests: fake provider servers, a private Redis key prefix, a private database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest

from kernel.connectors_config import RetryConfig
from tests.connectors.fake_provider_servers import (
    FakeCourseraApp,
    FakeEdxApp,
    FakeServer,
    coursera_element,
    edx_course,
)

TEST_DB = "helper_c_connectors_test"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/0"

# Tiny backoffs keep retry tests fast; the behaviour under test is the same.
FAST_RETRY = RetryConfig(max_attempts=4, backoff_base_s=0.01, backoff_max_s=0.05, max_retry_after_s=5)


@pytest.fixture
def redis_prefix() -> str:
    """A Redis key prefix no other test run (or agent) shares."""
    return f"helper_c_test:{uuid.uuid4().hex}"


@pytest.fixture
def coursera() -> Iterator[tuple[FakeCourseraApp, FakeServer]]:
    app = FakeCourseraApp([coursera_element(i) for i in range(25)])
    with FakeServer(app) as server:
        yield app, server


@pytest.fixture
def edx() -> Iterator[tuple[FakeEdxApp, FakeServer]]:
    app = FakeEdxApp([edx_course(i, modified=f"2024-01-{1 + i % 28:02d}T00:00:00Z") for i in range(23)])
    with FakeServer(app) as server:
        app.base_url = server.url
        yield app, server


@pytest.fixture(scope="session")
def pg_dsn() -> str:
    """DSN of a database private to these tests (created on first use)."""
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (TEST_DB,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{TEST_DB}"')
    return f"postgresql://postgres@127.0.0.1:5432/{TEST_DB}"


@pytest.fixture
def clean_pg(pg_dsn: str) -> str:
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS connector_sync_state")
    return pg_dsn
