"""Access control from the first endpoint: 401 without a valid token, 403 for someone else's data."""

from __future__ import annotations

import jwt

from kernel.config import Settings


def test_unauthenticated_calls_get_401(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/users/u1/profile").status_code == 401
    assert client.post("/users", json={"email": "x@example.org"}).status_code == 401
    r = client.get("/users/u1/profile", headers={"Authorization": "Bearer not-a-jwt"})
    assert r.status_code == 401 and "invalid token" in r.json()["detail"]


def test_a_token_signed_with_another_key_or_expired_is_rejected(client, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    forged = jwt.encode(
        {"sub": "u1", "role": "admin", "iss": settings.jwt_issuer, "exp": 9999999999},
        "some-other-secret-of-a-recommended-length-32+",
        algorithm="HS256",
    )
    assert client.get("/users/u1/profile", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    expired = jwt.encode(
        {"sub": "u1", "role": "user", "iss": settings.jwt_issuer, "exp": 1},
        settings.jwt_secret,
        algorithm="HS256",
    )
    assert client.get("/users/u1/profile", headers={"Authorization": f"Bearer {expired}"}).status_code == 401


def test_users_reach_only_their_own_data(client, auth) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/users/bob/profile", headers=auth("mallory")).status_code == 403
    assert client.put("/users/bob/profile", json={"skills": []}, headers=auth("mallory")).status_code == 403
    assert client.request("DELETE", "/users/bob", headers=auth("mallory")).status_code == 403
    r = client.post("/users", json={"user_id": "bob", "email": "m@example.org"}, headers=auth("mallory"))
    assert r.status_code == 403


def test_roles(client, auth) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/users/nobody/profile", headers=auth("audit-1", "auditor")).status_code == 404
    assert client.put("/users/nobody/profile", json={}, headers=auth("audit-1", "auditor")).status_code == 403
    r = client.post("/users", json={"email": "svc@example.org"}, headers=auth("signup-service", "service"))
    assert r.status_code == 202 and r.json()["user_id"]


def test_bad_input_gets_a_4xx_with_a_reason(client, auth) -> None:  # type: ignore[no-untyped-def]
    h = auth("val")
    r = client.post("/users", json={"email": "not-an-email"}, headers=h)
    assert r.status_code == 422 and "email" in r.text
    r = client.put("/users/val/profile", json={"years_experience": -3}, headers=h)
    assert r.status_code == 422
    r = client.put("/users/val/profile", json={"unknown_field": 1}, headers=h)
    assert r.status_code == 422
    r = client.get("/users/val/profile", params={"consistency_token": "garbage"}, headers=h)
    assert r.status_code == 400 and "consistency token" in r.json()["detail"]
    r = client.get("/users/val/profile", params={"consistency_token": "other-topic:0:1"}, headers=h)
    assert r.status_code == 400
