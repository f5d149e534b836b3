"""Fixtures for tests that go through the API to the worker and back, on the real broker and stores."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import Role, mint_token
from kernel.config import Settings
from tests.conftest import WorkerProcess


@pytest.fixture(scope="session")
def client(settings: Settings, worker: WorkerProcess) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.fixture(scope="session")
def auth(settings: Settings):  # type: ignore[no-untyped-def]
    def headers(subject: str, role: Role = "user") -> dict[str, str]:
        token = mint_token(settings.jwt_secret, subject, role, settings.jwt_issuer)
        return {"Authorization": f"Bearer {token}"}

    return headers
