"""Property-based API fuzzing (schemathesis) against a real `careerstream api` process: whatever the
input, the API answers with a documented status and never a 5xx."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error

from api.auth import mint_token
from careerstream.config import Settings
from careerstream.local_stack import wait_for_port
from tests.conftest import ROOT, free_port, settings_env


@pytest.fixture(scope="module")
def api_url(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    env = settings_env(settings)
    env.update(API_PORT=str(port), API_HOST="127.0.0.1", CONSISTENCY_WAIT_MS="200")
    log = open(tmp_path_factory.mktemp("api") / "api.log", "wb")  # noqa: SIM115 - owned by the child
    proc = subprocess.Popen(
        [sys.executable, "-m", "careerstream.cli", "api"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    wait_for_port("127.0.0.1", port, timeout_s=60)
    yield f"http://127.0.0.1:{port}"
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=15)


def test_no_input_makes_the_api_fail(api_url: str, settings: Settings) -> None:
    token = mint_token(settings.jwt_secret, "fuzz-service", "service", settings.jwt_issuer)
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_url(f"{api_url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8

    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case) -> None:  # type: ignore[no-untyped-def]
            case.call_and_validate(headers=headers, checks=[not_a_server_error])

        check()
