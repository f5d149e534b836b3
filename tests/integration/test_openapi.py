"""The OpenAPI document tells the truth: every route documents the error statuses it really returns,
with their body models; every 422 has one shape; /metrics is text; public routes are the README's."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.errors import ErrorOut, ValidationErrorOut
from kernel.config import Settings
from tests.conftest import ROOT

PUBLIC = {"/healthz", "/metrics", "/schemas", "/schemas/{fingerprint}", "/openapi.json"}


@pytest.fixture(scope="module")
def doc(settings: Settings) -> dict[str, Any]:
    return create_app(settings).openapi()


def _operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m.upper(), path, op) for path, ops in doc["paths"].items() for m, op in ops.items()]


def _ref(response: dict[str, Any]) -> str:
    return str(response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", ""))


def test_every_route_documents_its_errors_with_models(doc: dict[str, Any]) -> None:
    for method, path, op in _operations(doc):
        codes = set(op["responses"])
        params = op.get("parameters", [])
        if path not in PUBLIC:
            assert op.get("security"), (method, path)
            assert {"401", "503"} <= codes, (method, path, codes)
        if "{user_id}" in path:
            assert "403" in codes, (method, path)
        if params or "requestBody" in op:
            assert "422" in codes, (method, path)
        if "requestBody" in op:
            assert {"413", "422"} <= codes, (method, path)
        if method != "GET":
            assert {"410", "429"} <= codes, (method, path)
            assert "Retry-After" in op["responses"]["429"]["headers"]
        if any(p["name"] == "consistency_token" for p in params):
            assert {"400", "409"} <= codes, (method, path)
        for code, response in op["responses"].items():
            if code == "422":
                assert _ref(response).endswith("/ValidationErrorOut"), (method, path)
            elif code.startswith("4"):
                assert _ref(response).endswith("/ErrorOut"), (method, path, code)
    assert "415" in doc["paths"]["/users/{user_id}/resumes"]["post"]["responses"]
    assert "HTTPValidationError" not in doc["components"]["schemas"]  # FastAPI's default 422 is gone


def test_consistency_tokens_document_their_pattern(doc: dict[str, Any], settings: Settings) -> None:
    param = next(
        p
        for p in doc["paths"]["/users/{user_id}/profile"]["get"]["parameters"]
        if p["name"] == "consistency_token"
    )
    pattern = next(s for s in param["schema"]["anyOf"] if s.get("type") == "string")["pattern"]
    users = f"{settings.topic_prefix}.users"
    assert re.fullmatch(pattern, f"{users}:5:0") and re.fullmatch(pattern, f"{users}:0:123")
    for bad in (f"{users}:6:0", f"{users}:0:-1", f"{users}:0:01", f"{settings.topic_prefix}.courses:0:1"):
        assert not re.fullmatch(pattern, bad), bad


def test_metrics_are_documented_as_text(doc: dict[str, Any], client) -> None:  # type: ignore[no-untyped-def]
    content = doc["paths"]["/metrics"]["get"]["responses"]["200"]["content"]
    assert list(content) == ["text/plain"]
    r = client.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    assert "503" in doc["paths"]["/healthz"]["get"]["responses"]


def test_real_error_bodies_match_their_documented_models(client: TestClient, auth) -> None:  # type: ignore[no-untyped-def]
    h = auth("oa-user")
    validation = [
        client.put("/users/oa-user/profile", json={"years_experience": -1}, headers=h),  # pydantic
        client.put("/users/oa-user/consents/nope", json={"granted": True, "policy_version": "v"}, headers=h),
        client.post("/users/oa-user/interactions", json={"career_id": "x", "action": "viewed"}, headers=h),
        client.post("/users/oa-user/resumes", files={"file": ("e.txt", b"   ")}, headers=h),  # intake
        client.get("/courses/search", params={"level": "wizard"}, headers=h),
    ]
    for r in validation:
        assert r.status_code == 422, r.text
        ValidationErrorOut.model_validate(r.json())
    assert validation[3].json()["detail"]["code"] == "empty_file"
    others = [
        client.get("/users/oa-user/profile"),  # 401
        client.get("/users/someone/profile", headers=h),  # 403
        client.get("/users/oa-user/profile", headers=h),  # 404
        client.get("/users/oa-user/profile", params={"consistency_token": "x:0:0"}, headers=h),  # 400
        client.post(
            "/users/oa-user/resumes", files={"file": ("a.pdf", b"\x89PNG\r\n\x1a\n" + bytes(64))}, headers=h
        ),
    ]
    assert [r.status_code for r in others] == [401, 403, 404, 400, 415]
    for r in others:
        ErrorOut.model_validate(r.json())


def test_schemas_are_public_in_code_and_readme(doc: dict[str, Any], client) -> None:  # type: ignore[no-untyped-def]
    assert "security" not in doc["paths"]["/schemas"]["get"]
    assert client.get("/schemas").status_code == 200
    readme = (ROOT / "README.md").read_text()
    public_line = next(line for line in readme.splitlines() if "needs `Authorization: Bearer" in line)
    assert "`/schemas`" in public_line, public_line
