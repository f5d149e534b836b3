"""Security checks (OWASP API Top 10 items that apply): object-level authorization on every route,
per-user rate limits, security headers, no stack traces or secrets in error bodies or logs, JWT checks."""

from __future__ import annotations

import time
from collections.abc import Iterator

import jwt
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from structlog.testing import capture_logs

from api.app import create_app
from api.auth import mint_token
from kernel.config import Settings

RESUME = b"Jane Doe\njane@example.org\nSKILLS\nPython, SQL\n"
# One valid request per (method, route) naming user "bob": every route with a user in its path (or
# query) must be listed, so a new route fails this test until its access control is checked here.
BOB_CALLS: dict[tuple[str, str], dict] = {
    ("POST", "/users"): {"json": {"user_id": "bob", "email": "bob@example.org"}},
    ("PUT", "/users/{user_id}/profile"): {"json": {"skills": ["Python"]}},
    ("GET", "/users/{user_id}/profile"): {},
    ("PUT", "/users/{user_id}/consents/{purpose}"): {"json": {"granted": True, "policy_version": "v1"}},
    ("DELETE", "/users/{user_id}"): {},
    ("GET", "/users/{user_id}/export"): {},
    ("GET", "/users/{user_id}/recommendations"): {},
    ("POST", "/users/{user_id}/interactions"): {
        "json": {"career_id": "http://data.europa.eu/esco/occupation/x", "action": "viewed"}
    },
    ("POST", "/users/{user_id}/resumes"): {"files": {"file": ("cv.txt", RESUME)}},
    ("GET", "/users/{user_id}/resumes/{resume_id}/analysis"): {},
    ("GET", "/courses/search"): {"params": {"user_id": "bob"}},
}
PUBLIC = {"/healthz", "/metrics", "/schemas", "/schemas/{fingerprint}"}


def _url(path: str) -> str:
    return (
        path.replace("{user_id}", "bob")
        .replace("{purpose}", "analytics")
        .replace("{resume_id}", "00000000-0000-4000-8000-000000000000")
    )


def test_every_route_enforces_object_level_authorization(client, auth) -> None:  # type: ignore[no-untyped-def]
    routes = [r for r in client.app.routes if isinstance(r, APIRoute)]
    for route in routes:
        for method in route.methods or ():
            key = (method, route.path)
            if route.path in PUBLIC or route.path == "/courses/{course_id:path}":
                continue  # public, or no personal data (a course)
            assert key in BOB_CALLS, f"{key} is not covered by the BOLA enumeration"
    for (method, path), kwargs in BOB_CALLS.items():
        url = _url(path)
        # No token: 401. Someone else: 403. An auditor writing: 403.
        assert client.request(method, url, **kwargs).status_code == 401, (method, path)
        r = client.request(method, url, headers=auth("mallory"), **kwargs)
        assert r.status_code == 403, (method, path, r.status_code, r.text)
        if method != "GET":
            r = client.request(method, url, headers=auth("auditor-1", "auditor"), **kwargs)
            assert r.status_code == 403, (method, path, r.text)


@pytest.fixture(scope="module")
def limited(settings: Settings, worker) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    s = settings.model_copy(update={"api_write_rate_limit": "3/minute", "api_upload_rate_limit": "2/minute"})
    with TestClient(create_app(s)) as c:
        yield c


def test_writes_and_uploads_are_rate_limited_per_user(limited: TestClient, auth) -> None:  # type: ignore[no-untyped-def]
    h = auth("rl-alice")
    for _ in range(3):
        assert limited.put("/users/rl-alice/profile", json={}, headers=h).status_code == 202
    r = limited.put("/users/rl-alice/profile", json={}, headers=h)
    assert r.status_code == 429, r.text
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    assert r.json()["detail"]["code"] == "rate_limited"
    # Another user has a budget of their own; reads are not limited; services are not limited.
    assert limited.put("/users/rl-bob/profile", json={}, headers=auth("rl-bob")).status_code == 202
    assert limited.get("/users/rl-alice/profile", headers=h).status_code in (200, 404)
    for _ in range(5):
        r = limited.put("/users/rl-alice/profile", json={}, headers=auth("rl-svc", "service"))
        assert r.status_code == 202
    # Uploads have their own, smaller budget.
    files = {"file": ("cv.txt", RESUME)}
    hu = auth("rl-carol")
    assert [
        limited.post("/users/rl-carol/resumes", files=files, headers=hu).status_code for _ in range(3)
    ] == [
        202,
        202,
        429,
    ]


def test_security_headers_on_every_response(client, auth) -> None:  # type: ignore[no-untyped-def]
    responses = [
        client.get("/healthz"),
        client.get("/users/sec-h/profile"),  # 401
        client.get("/users/sec-h/profile", headers=auth("sec-h")),  # 404
        client.put("/users/sec-h/profile", json={"x": 1}, headers=auth("sec-h")),  # 422
        client.get("/nowhere"),  # 404 from the router
    ]
    for r in responses:
        assert r.headers["x-content-type-options"] == "nosniff", r.url
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"] == "no-referrer"
        assert "default-src 'none'" in r.headers["content-security-policy"]
        assert r.headers["cache-control"] == "no-store"
        assert "max-age=" in r.headers["strict-transport-security"]
        assert r.headers["x-correlation-id"]
    docs = client.get("/docs")
    assert docs.status_code == 200 and "frame-ancestors 'none'" in docs.headers["content-security-policy"]


def test_errors_carry_no_stack_trace_or_secret_in_body_or_log(settings: Settings, worker, auth) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings)
    secret = "s3cr3t-password-in-an-exception"

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError(f"database said: {secret} for jane@example.org")

    with TestClient(app, raise_server_exceptions=False) as c, capture_logs() as logs:
        r = c.get("/boom", headers={"x-correlation-id": "corr-boom-1"})
    assert r.status_code == 500
    assert r.json()["detail"]["code"] == "internal_error" and "corr-boom-1" in r.text
    for text in (r.text, repr(logs)):
        assert secret not in text and "jane@example.org" not in text
        assert "Traceback" not in text and "raise RuntimeError" not in text
    assert any(e.get("event") == "unhandled_error" and e.get("error_type") == "RuntimeError" for e in logs)


def test_auth_errors_do_not_echo_tokens_or_secrets(client, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    forged = jwt.encode({"sub": "x", "role": "admin"}, "attacker-key-of-a-recommended-length-32+", "HS256")
    r = client.get("/users/x/profile", headers={"Authorization": f"Bearer {forged}"})
    assert r.status_code == 401
    assert forged not in r.text and settings.jwt_secret not in r.text and settings.master_key not in r.text


def _claims(settings: Settings, **overrides: object) -> dict[str, object]:
    now = int(time.time())
    claims: dict[str, object] = {
        "sub": "jwt-user",
        "role": "user",
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + 600,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")  # HS512 on purpose
def test_jwt_algorithm_expiry_issuer_and_audience_are_checked(client, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    secret = settings.jwt_secret

    def status(token: str) -> int:
        return client.get("/users/jwt-user/profile", headers={"Authorization": f"Bearer {token}"}).status_code

    good = jwt.encode(_claims(settings), secret, "HS256")
    assert status(good) == 404  # accepted (no profile yet)
    assert status(mint_token(secret, "jwt-user", "user", settings.jwt_issuer)) == 404
    header, payload, _ = good.split(".")
    none_alg = jwt.utils.base64url_encode(b'{"alg":"none","typ":"JWT"}').decode()
    rejected = {
        "alg none": f"{none_alg}.{payload}.",
        "alg HS512": jwt.encode(_claims(settings), secret, "HS512"),
        "alg HS384": jwt.encode(_claims(settings), secret, "HS384"),
        "bad signature": f"{header}.{payload}.{'A' * 43}",
        "expired": jwt.encode(_claims(settings, exp=int(time.time()) - 60), secret, "HS256"),
        "no exp": jwt.encode(_claims(settings, exp=None), secret, "HS256"),
        "no iat": jwt.encode(_claims(settings, iat=None), secret, "HS256"),
        "other issuer": jwt.encode(_claims(settings, iss="someone-else"), secret, "HS256"),
        "no issuer": jwt.encode(_claims(settings, iss=None), secret, "HS256"),
        "other audience": jwt.encode(_claims(settings, aud="another-api"), secret, "HS256"),
        "no audience": jwt.encode(_claims(settings, aud=None), secret, "HS256"),
        "unknown role": jwt.encode(_claims(settings, role="root"), secret, "HS256"),
        "not yet valid": jwt.encode(_claims(settings, nbf=int(time.time()) + 600), secret, "HS256"),
    }
    for name, token in rejected.items():
        assert status(token) == 401, name
