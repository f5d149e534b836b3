"""Consent gates processing: without consent for resume analysis an upload is not analysed (and says
why), withdrawing it removes the analyses and files kept for it, granting it again resumes."""

from __future__ import annotations

from typing import Any

import psycopg
from fastapi.testclient import TestClient

from kernel.config import Settings
from streams.blob_store import owner_prefix
from tests.conftest import wait_until
from tests.resume_analysis.builders import make_pdf


def consent(client: TestClient, h: dict[str, str], user: str, purpose: str, granted: bool) -> str:
    r = client.put(
        f"/users/{user}/consents/{purpose}", json={"granted": granted, "policy_version": "1"}, headers=h
    )
    assert r.status_code == 202, r.text
    return str(r.json()["consistency_token"])


def analysis(
    client: TestClient, h: dict[str, str], user: str, resume_id: str, token: str | None = None
) -> Any:
    params = {"consistency_token": token} if token else {}
    return client.get(f"/users/{user}/resumes/{resume_id}/analysis", params=params, headers=h)


def upload(client: TestClient, h: dict[str, str], user: str) -> tuple[str, str]:
    pdf = make_pdf(
        ["Jo Bloggs", "jo@example.org", "Experience", "Engineer, Acme, 2019 - 2024", "Skills: SQL"]
    )
    r = client.post(f"/users/{user}/resumes", files={"file": ("cv.pdf", pdf)}, headers=h)
    assert r.status_code == 202, r.text
    return r.json()["resume_id"], r.json()["consistency_token"]


def test_resume_analysis_needs_its_consent(client: TestClient, auth, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    user, h = "consent-cleo", auth("consent-cleo")
    client.post("/users", json={"email": "cleo@example.org"}, headers=h).raise_for_status()

    # Analysed by default (the service the user uploads for).
    first, token = upload(client, h, user)
    wait_until(
        lambda: analysis(client, h, user, first, token).json()["status"] == "done", 60, "first analysis"
    )

    # Withdrawn: the analysis and the files kept for it are gone.
    token = consent(client, h, user, "resume_analysis", False)
    assert analysis(client, h, user, first, token).status_code in (200, 404)
    wait_until(lambda: analysis(client, h, user, first).status_code == 404, 30, "the analysis deleted")
    wait_until(lambda: not (settings.blob_dir / owner_prefix(user)).exists(), 30, "the files deleted")

    # An upload without consent is not analysed and says why; its file is not kept.
    second, token = upload(client, h, user)
    body = wait_until(
        lambda: (b := analysis(client, h, user, second, token).json())["status"] != "pending" and b,
        30,
        "skip",
    )
    assert body["status"] == "skipped"  # type: ignore[index]
    assert body["failure_reason"] == "not processed: no consent for resume_analysis"  # type: ignore[index]
    assert body["analysis"] is None and body["file_name"] is None  # type: ignore[index]
    wait_until(lambda: not (settings.blob_dir / owner_prefix(user)).exists(), 30, "the skipped file deleted")

    # Granted again: the next upload is analysed.
    consent(client, h, user, "resume_analysis", True)
    third, token = upload(client, h, user)
    wait_until(
        lambda: analysis(client, h, user, third, token).json()["status"] == "done", 60, "analysis again"
    )


def test_recommendations_need_their_consent(client: TestClient, auth, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    user, h = "consent-remy", auth("consent-remy")
    client.post("/users", json={"email": "remy@example.org"}, headers=h).raise_for_status()
    profile = {"skills": ["Python", "SQL", "machine learning"], "career_goals": "data science"}

    def recs(token: str) -> Any:
        return client.get(f"/users/{user}/recommendations", params={"consistency_token": token}, headers=h)

    r = client.put(f"/users/{user}/profile", json=profile, headers=h)
    assert recs(r.json()["consistency_token"]).json()["items"]

    token = consent(client, h, user, "recommendations", False)
    answer = recs(token)
    assert answer.status_code == 404 and "no consent for recommendations" in answer.text
    with psycopg.connect(settings.database_url) as conn:
        assert conn.execute(
            "SELECT count(*) FROM rec_user_features WHERE user_id = %s", (user,)
        ).fetchone() == (0,)
        assert conn.execute(
            "SELECT count(*) FROM recommendation_history WHERE user_id = %s", (user,)
        ).fetchone() == (0,)
    # Profile changes are not processed for recommendations meanwhile.
    r = client.put(f"/users/{user}/profile", json={**profile, "skills": ["Go"]}, headers=h)
    assert recs(r.json()["consistency_token"]).status_code == 404

    consent(client, h, user, "recommendations", True)
    r = client.put(f"/users/{user}/profile", json=profile, headers=h)
    assert recs(r.json()["consistency_token"]).json()["items"]
