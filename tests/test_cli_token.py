"""`careerstream token`: the development bearer token the README's curl lines use."""

from __future__ import annotations

from typer.testing import CliRunner

from api.auth import decode_token
from careerstream.cli import app
from kernel.config import get_settings


def test_token_is_signed_for_the_subject_and_role_and_refuses_unknown_roles() -> None:
    runner = CliRunner()
    done = runner.invoke(app, ["token", "alice", "--role", "auditor", "--ttl", "60"])
    assert done.exit_code == 0, done.output
    settings = get_settings()
    principal = decode_token(
        settings.jwt_secret, done.output.strip(), settings.jwt_issuer, settings.jwt_audience
    )
    assert (principal.subject, principal.role) == ("alice", "auditor")

    refused = runner.invoke(app, ["token", "alice", "--role", "superuser"])
    # A usage error naming the role (rich may wrap the message), not a traceback.
    assert refused.exit_code == 2 and "superuser" in refused.output and "--role" in refused.output
    assert refused.exception is None or isinstance(refused.exception, SystemExit)
