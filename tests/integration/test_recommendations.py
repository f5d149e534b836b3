"""Recommendations end to end on the real broker, Postgres and Redis: profile update -> worker recomputes
-> API serves (with the consistency token); feedback -> CareerInteraction -> features; retraining ->
new version active -> the running worker serves it without a restart; erasure clears everything."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import psycopg
import pytest
from redis import Redis

from careerstream.recs_train import log_training_data, train_and_register
from engines.reference_data.catalog import Career, load_careers
from kernel.config import Settings
from streams.recs_models import COLD_START_PREFIX, active_version
from tests.conftest import WorkerProcess, wait_until

RUN = uuid.uuid4().hex[:6]


@pytest.fixture(scope="module")
def career() -> Career:
    """A real ESCO occupation with a rich skill profile (fixed pick, not a hard-coded answer)."""
    return next(c for c in load_careers() if len(c.skills) >= 12 and "ICT" not in c.label)


def profile_for(career: Career) -> dict:  # type: ignore[type-arg]
    """A new user holding most of the occupation's skills (as free-text labels, like a user types them;
    the API keeps 100 characters of a skill, so longer ESCO labels are left out)."""
    ranked = sorted((s for s in career.skills if len(s.label) <= 100), key=lambda s: -s.weight)
    return {"skills": [s.label for s in ranked[: int(len(ranked) * 0.8)]], "interests": []}


def db(settings: Settings, query: str, *params: object) -> list[tuple]:  # type: ignore[type-arg]
    with psycopg.connect(settings.database_url) as conn:
        return conn.execute(query, params).fetchall()  # type: ignore[arg-type]


def test_profile_update_ranks_the_matching_career_and_attaches_courses(  # type: ignore[no-untyped-def]
    client, auth, settings: Settings, career: Career
) -> None:
    user = f"recs-ann-{RUN}"
    h = auth(user)
    profile = profile_for(career)
    missing = [s.label for s in career.skills if s.label not in profile["skills"]]
    # A course teaching the skills the user lacks (the course catalog is another read model).
    course_id = f"test:{RUN}"
    db(
        settings,
        """INSERT INTO courses (course_id, provider, provider_course_id, title, url, skills_lower)
           VALUES (%s, 'test', %s, 'Closing the gap', 'https://example.org/c', %s) RETURNING 1""",
        course_id,
        RUN,
        [m.lower() for m in missing],
    )
    r = client.put(f"/users/{user}/profile", json=profile, headers=h)
    assert r.status_code == 202, r.text
    token, event_id = r.json()["consistency_token"], r.json()["event_id"]

    r = client.get(f"/users/{user}/recommendations", params={"k": 10, "consistency_token": token}, headers=h)
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["event_id"] == event_id and doc["model_version"].startswith(COLD_START_PREFIX)
    ids = [i["career_id"] for i in doc["items"]]
    assert len(ids) == 10 and career.id in ids
    item = doc["items"][ids.index(career.id)]
    assert set(item["matching_skills"]) <= set(profile["skills"]) and item["matching_skills"]
    assert item["missing_skills"] and set(item["missing_skills"]) <= set(missing)
    assert item["parts"]["content"] == pytest.approx(item["score"], abs=1e-4)
    assert item["courses"][0]["course_id"] == course_id
    assert item["courses"][0]["teaches"] == item["missing_skills"]
    # Served from Redis; the same list is in the Postgres history, keyed by the causing event.
    cached = json.loads(
        Redis.from_url(settings.redis_url).get(f"{settings.redis_prefix}recs:{user}") or b"{}"
    )
    assert cached["event_id"] == doc["event_id"]
    rows = db(settings, "SELECT event_id, items FROM recommendation_history WHERE user_id = %s", user)
    assert [(e, [i["career_id"] for i in items][:10]) for e, items in rows] == [(doc["event_id"], ids)]
    assert (
        client.get(f"/users/{user}/recommendations", params={"k": 3}, headers=h).json()["items"][2][
            "career_id"
        ]
        == ids[2]
    )
    # Another user may not read them.
    assert client.get(f"/users/{user}/recommendations", headers=auth("mallory")).status_code == 403


def test_feedback_is_an_event_that_changes_the_features(client, auth, settings: Settings, career) -> None:  # type: ignore[no-untyped-def]
    user = f"recs-bob-{RUN}"
    h = auth(user)
    r = client.put(f"/users/{user}/profile", json=profile_for(career), headers=h)
    client.get(
        f"/users/{user}/recommendations",
        params={"consistency_token": r.json()["consistency_token"]},
        headers=h,
    ).raise_for_status()
    body = {"career_id": career.id, "action": "rated", "rating": 5, "source": "recommendations"}
    r = client.post(f"/users/{user}/interactions", json=body, headers=h)
    assert r.status_code == 202, r.text
    accepted = r.json()
    assert accepted["event_type"] == "CareerInteraction"
    assert accepted["topic"] == f"{settings.topic_prefix}.activity"
    r = client.get(
        f"/users/{user}/recommendations",
        params={"consistency_token": accepted["consistency_token"]},
        headers=h,
    )
    doc = r.json()
    assert doc["event_id"] == accepted["event_id"]  # recomputed because of the feedback
    assert career.id not in [i["career_id"] for i in doc["items"]]  # already engaged with
    (history,) = db(settings, "SELECT history FROM rec_user_features WHERE user_id = %s", user)[0]
    assert [(x["c"], x["a"], x.get("r")) for x in history] == [(career.id, "rated", 5)]

    bad = [
        ({"career_id": career.id, "action": "rated"}, "needs a rating"),
        ({"career_id": career.id, "action": "viewed", "rating": 2}, "only action 'rated'"),
        ({"career_id": "http://example.org/not-a-career", "action": "viewed"}, "unknown career_id"),
        ({"career_id": career.id, "action": "liked"}, "action"),
        ({"career_id": career.id, "action": "rated", "rating": 6}, "rating"),
    ]
    for payload, reason in bad:
        r = client.post(f"/users/{user}/interactions", json=payload, headers=h)
        assert r.status_code == 422 and reason in r.text, (payload, r.text)


def test_erasure_clears_features_history_and_cache(client, auth, settings: Settings, career) -> None:  # type: ignore[no-untyped-def]
    user = f"recs-eve-{RUN}"
    h = auth(user)
    r = client.put(f"/users/{user}/profile", json=profile_for(career), headers=h)
    r = client.get(
        f"/users/{user}/recommendations",
        params={"consistency_token": r.json()["consistency_token"]},
        headers=h,
    )
    assert r.status_code == 200
    r = client.delete(f"/users/{user}", headers=h)
    assert r.status_code == 202
    r = client.get(
        f"/users/{user}/recommendations",
        params={"consistency_token": r.json()["consistency_token"]},
        headers=h,
    )
    assert r.status_code == 404
    assert Redis.from_url(settings.redis_url).get(f"{settings.redis_prefix}recs:{user}") is None
    assert db(settings, "SELECT 1 FROM rec_user_features WHERE user_id = %s", user) == []
    assert db(settings, "SELECT 1 FROM recommendation_history WHERE user_id = %s", user) == []


def test_retraining_rolls_out_a_new_version_without_restart(  # type: ignore[no-untyped-def]
    client, auth, settings: Settings, worker: WorkerProcess, career, tmp_path: Path
) -> None:
    # The log holds the users above: training reads them back (erased users left out).
    profiles, interactions = log_training_data(settings)
    assert f"recs-ann-{RUN}" in profiles and f"recs-eve-{RUN}" not in profiles
    assert (f"recs-bob-{RUN}", career.id) in {(i.user_id, i.career_id) for i in interactions}

    before = active_version(settings.database_url)
    # Too few interactions in the log: `auto` falls back to the simulator (kept tiny here).
    result = train_and_register(
        settings, source="auto", sim_users=300, seed=3, lightfm_epochs=2, models_dir=tmp_path
    )
    assert result["source"] == "simulator" and result["active"]
    assert active_version(settings.database_url) == (result["version"], result["path"]) != before
    assert Path(result["path"]).is_file()

    served = f"recs-ann-{RUN}"
    user = f"recs-dan-{RUN}"
    h = auth(user)

    def served_by_new_version() -> bool:
        # Existing recommendations stay readable throughout the rollout (no downtime).
        assert client.get(f"/users/{served}/recommendations", headers=auth(served)).status_code == 200
        r = client.put(f"/users/{user}/profile", json=profile_for(career), headers=h)
        doc = client.get(
            f"/users/{user}/recommendations",
            params={"consistency_token": r.json()["consistency_token"]},
            headers=h,
        ).json()
        return bool(doc["model_version"] == result["version"])

    wait_until(served_by_new_version, timeout_s=60, what="the worker to serve the new model version")
    assert worker.proc is not None and worker.proc.poll() is None  # same process, never restarted
    doc = client.get(f"/users/{user}/recommendations", headers=h).json()
    assert set().union(*(i["parts"] for i in doc["items"])) > {"content"}  # the trained ensemble's parts
