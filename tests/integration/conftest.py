"""Fixtures for tests that go through the API to the worker and back, on the real broker and stores."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import Role, mint_token
from careerstream.local_broker import free_port, wait_for_port
from kernel.config import Settings
from tests.conftest import ROOT, WorkerProcess, settings_env


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


@dataclass
class ApiServer:
    """`careerstream api` as a process of its own, for clients that speak HTTP (a fuzzer, the terminal
    chat), and its log."""

    url: str
    log: Path


@pytest.fixture(scope="module")
def api_server(
    settings: Settings, worker: WorkerProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ApiServer]:
    # `worker`: a chat message waits for the worker's reply; without one it would answer 504.
    port = free_port()
    env = settings_env(settings)
    # Rate limits apply to role `user`; keep them out of the way of clients that send many requests.
    env.update(
        API_PORT=str(port),
        API_HOST="127.0.0.1",
        CONSISTENCY_WAIT_MS="200",
        API_WRITE_RATE_LIMIT="100000/minute",
        API_UPLOAD_RATE_LIMIT="100000/minute",
    )
    log_path = tmp_path_factory.mktemp("api") / "api.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "careerstream.cli", "api"],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        # `process`: an API that dies at start fails the wait at once, not after 60 s.
        wait_for_port("127.0.0.1", port, timeout_s=60, process=proc)
        yield ApiServer(f"http://127.0.0.1:{port}", log_path)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
