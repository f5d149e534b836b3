"""Property-based API fuzzing (schemathesis) against a real `careerstream api` process: whatever the
input, valid or not, the API answers with a documented status, content type, headers and body, and
never a 5xx. Every schemathesis check runs; examples are bounded so the run stays well under a minute."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.result import Ok

from api.auth import mint_token
from careerstream.local_broker import free_port, wait_for_port
from kernel.config import Settings
from tests.conftest import ROOT, settings_env

API_LOGS: dict[str, Path] = {}


@pytest.fixture(scope="module")
def api_url(settings: Settings, worker: object, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # `worker`: a chat message waits for the worker's reply; without one it would answer 504.
    port = free_port()
    env = settings_env(settings)
    # Rate limits apply to role `user`; the fuzzer is a service, but keep them out of the way anyway.
    env.update(
        API_PORT=str(port),
        API_HOST="127.0.0.1",
        CONSISTENCY_WAIT_MS="200",
        API_WRITE_RATE_LIMIT="100000/minute",
        API_UPLOAD_RATE_LIMIT="100000/minute",
    )
    log_path = tmp_path_factory.mktemp("api") / "api.log"
    log = open(log_path, "wb")  # noqa: SIM115 - owned by the child
    proc = subprocess.Popen(
        [sys.executable, "-m", "careerstream.cli", "api"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    wait_for_port("127.0.0.1", port, timeout_s=60)
    url = f"http://127.0.0.1:{port}"
    API_LOGS[url] = log_path
    yield url
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=15)


EXAMPLES = {GenerationMode.POSITIVE: 12, GenerationMode.NEGATIVE: 8}
# Schema-valid input may still be refused with a documented 422 where the rule is beyond JSON Schema
# (an ESCO career id that does not exist, `rating` only with action `rated`, a course id without its
# provider, page x size past 10,000), and an uploaded file's content may be refused with 413 / 415 / 422
# (any bytes are a schema-valid `binary`): positive data may answer those, never 400 or a 5xx.
FUZZ_CONFIG = schemathesis.Config.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": [
                    "2xx",
                    "3xx",
                    "401",
                    "403",
                    "404",
                    "409",
                    "410",
                    "413",
                    "415",
                    "422",
                    "429",
                ]
            }
        }
    }
)


def test_no_input_makes_the_api_fail(api_url: str, settings: Settings) -> None:
    token = mint_token(settings.jwt_secret, "fuzz-service", "service", settings.jwt_issuer)
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_url(f"{api_url}/openapi.json", config=FUZZ_CONFIG)
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result  # the document itself is valid
        operations.append(result.ok())
    assert len(operations) >= 15
    started = time.monotonic()

    for operation in operations:
        for mode, examples in EXAMPLES.items():
            # The token is fixed, not generated: negating it would only retest 401 (test_security.py).
            @given(case=operation.as_strategy(generation_mode=mode, headers=headers))
            @hypothesis_settings(
                max_examples=examples,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                derandomize=True,
                database=None,
            )
            def check(case) -> None:  # type: ignore[no-untyped-def]
                # No `checks=`: every check schemathesis has (server errors, status codes, content
                # types, headers, response schemas, negative data rejected, auth not ignored, ...).
                case.call_and_validate()

            try:
                check()
            except Unsatisfiable:
                # Nothing to negate: the operation takes no parameters and no body.
                assert mode is GenerationMode.NEGATIVE, operation.label
    assert time.monotonic() - started < 60
    # Whatever the input, the API's log holds no stack trace and no secret.
    log = API_LOGS[api_url].read_text(errors="replace")
    assert "Traceback" not in log
    assert token not in log and settings.jwt_secret not in log and settings.master_key not in log
