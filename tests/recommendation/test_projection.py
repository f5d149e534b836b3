"""The recommendations projection without I/O: feature folding, once-per-user-per-batch recomputation,
pinned model per batch, erasure and validation (the stream path itself is in tests/integration)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from engines.recommendation.career_index import CareerIndex
from engines.recommendation.engine import RecommendationEngine
from engines.recommendation.ensemble import EnsembleRecommender
from engines.recommendation.models.content import ContentRecommender
from projections.framework import CacheDelete, CacheSet, DeleteWhere, InvalidEvent, State, Upsert
from projections.recommendations import (
    HISTORY_LIMIT,
    REC_USER_FEATURES,
    RECOMMENDATION_HISTORY,
    RecommendationProjection,
    profile_of,
)
from schemas.events import Event, new_event
from streams.recs_models import StaticModel

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def content_engine(index: CareerIndex, version: str) -> RecommendationEngine:
    ensemble = EnsembleRecommender([ContentRecommender().fit_index(index)])
    ensemble.weights = {"content": 1.0}
    return RecommendationEngine(index, ensemble, version=version)


@pytest.fixture(scope="module")
def engine(index: CareerIndex) -> RecommendationEngine:
    return content_engine(index, "v-test")


def ev(event_type: str, user: str, payload: dict, minute: int = 0) -> Event:  # type: ignore[type-arg]
    e = new_event(event_type, user, payload, producer="test")
    return Event(**{**e.__dict__, "occurred_at": T0 + timedelta(minutes=minute)})


def run_batch(projection: RecommendationProjection, state: State, events: list[Event]) -> list[list]:  # type: ignore[type-arg]
    """What BatchApplier does: apply() per event, then finish_batch() (the last list returned)."""
    out: list[list] = []  # type: ignore[type-arg]
    applied = []
    for e in events:
        try:
            changes = projection.apply(state, e)
        except InvalidEvent:
            out.append([])
            continue
        state.apply(changes)
        out.append(changes)
        applied.append(e)
    final = projection.finish_batch(state, applied)
    state.apply(final)
    out.append(final)
    return out


def new_state(projection: RecommendationProjection) -> State:
    return State({t.name: t for t in projection.tables}, {})


def test_a_batch_recomputes_each_user_once_at_their_last_event(index, engine) -> None:  # type: ignore[no-untyped-def]
    career = index.careers[5]
    skills = [s.label for s in career.skills]
    projection = RecommendationProjection(StaticModel(engine), top_k=10)
    events = [
        ev("ProfileUpdated", "a", {"skills": ["nothing relevant"], "interests": []}, 0),
        ev("ProfileUpdated", "b", {"skills": skills[:2], "interests": []}, 1),
        ev("ProfileUpdated", "a", {"skills": skills, "interests": ["x"], "career_goals": "g"}, 2),
        ev(
            "AssessmentCompleted",
            "b",
            {"assessment_id": "1", "assessment_type": "skills", "scores": {}, "skills_verified": skills[2:4]},
            3,
        ),
    ]
    out = run_batch(projection, new_state(projection), events)
    caches = [[c for c in changes if isinstance(c, CacheSet)] for changes in out]
    assert [len(c) for c in caches] == [0, 0, 0, 0, 2]  # one computation per user, after the batch
    doc = json.loads(next(c for c in caches[-1] if c.key == "recs:a").value)
    assert doc["model_version"] == "v-test" and doc["event_id"] == events[2].event_id
    assert doc["computed_at"] == events[2].occurred_at.isoformat()
    assert career.id in [i["career_id"] for i in doc["items"]]  # computed on the last profile
    item = next(i for i in doc["items"] if i["career_id"] == career.id)
    assert item["matching_skills"] and item["parts"]["content"] == item["score"]
    history = [
        c
        for c in out[-1]
        if isinstance(c, Upsert) and c.table == RECOMMENDATION_HISTORY.name and c.row["user_id"] == "a"
    ]
    assert history[0].row["event_id"] == events[2].event_id and history[0].row["items"] == doc["items"]
    # b's features hold the profile and the verified skills; both count for the model.
    b = next(c for c in out[3] if isinstance(c, Upsert) and c.table == REC_USER_FEATURES.name).row
    assert profile_of(b).skills == tuple(skills[:4])


def test_apply_is_deterministic_given_the_model(index, engine) -> None:  # type: ignore[no-untyped-def]
    events = [ev("ProfileUpdated", "d", {"skills": [s.label for s in index.careers[9].skills][:5]})]
    first = run_batch(
        RecommendationProjection(StaticModel(engine), 10),
        State({t.name: t for t in (REC_USER_FEATURES, RECOMMENDATION_HISTORY)}, {}),
        events,
    )
    second = run_batch(
        RecommendationProjection(StaticModel(engine), 10),
        State({t.name: t for t in (REC_USER_FEATURES, RECOMMENDATION_HISTORY)}, {}),
        events,
    )
    assert first == second


def test_the_model_is_pinned_for_a_whole_batch(index, engine) -> None:  # type: ignore[no-untyped-def]
    other = content_engine(index, "v-next")

    class Swapping:
        """Swaps to the next version after every call, like a hot swap landing mid-batch."""

        def __init__(self) -> None:
            self.models = [engine, other]

        def current(self) -> RecommendationEngine:
            return self.models.pop(0) if len(self.models) > 1 else self.models[0]

    projection = RecommendationProjection(Swapping(), 5)
    state = new_state(projection)
    batch = [ev("ProfileUpdated", u, {"skills": ["welding"]}, i) for i, u in enumerate("pqr")]
    versions = {
        json.loads(c.value)["model_version"]
        for changes in run_batch(projection, state, batch)
        for c in changes
        if isinstance(c, CacheSet)
    }
    assert versions == {"v-test"}
    second = run_batch(projection, state, [ev("ProfileUpdated", "p", {"skills": ["welding"]}, 9)])
    assert (
        json.loads(next(c for c in second[-1] if isinstance(c, CacheSet)).value)["model_version"] == "v-next"
    )


def test_interactions_course_completions_and_bounded_history(index, engine) -> None:  # type: ignore[no-untyped-def]
    projection = RecommendationProjection(StaticModel(engine), 5)
    state = new_state(projection)
    cid = index.careers[1].id
    events = [
        ev("CareerInteraction", "h", {"career_id": cid, "action": "viewed"}, i)
        for i in range(HISTORY_LIMIT + 5)
    ]
    events.append(ev("CareerInteraction", "h", {"career_id": cid, "action": "rated", "rating": 4}, 500))
    events.append(
        ev("CourseEnrollment", "h", {"course_id": "p:1", "status": "enrolled", "skills": ["a"]}, 501)
    )
    events.append(
        ev("CourseEnrollment", "h", {"course_id": "p:1", "status": "completed", "skills": ["Welding"]}, 502)
    )
    run_batch(projection, state, events)
    row = state.get(REC_USER_FEATURES.name, ("h",))
    assert row is not None
    assert len(row["history"]) == HISTORY_LIMIT and row["history"][-1] == {
        "c": cid,
        "a": "rated",
        "t": events[-3].occurred_at_ms,
        "r": 4,
    }
    assert row["skills"]["learned"] == ["Welding"]  # enrolment alone teaches nothing
    doc = json.loads(state_cache(projection, state, "h"))
    assert cid not in [
        i["career_id"] for i in doc["items"]
    ]  # careers already engaged with are not re-offered


def state_cache(projection: RecommendationProjection, state: State, user: str) -> str:
    """Recompute from the stored features (what the last event of a batch does)."""
    row = state.get(REC_USER_FEATURES.name, (user,))
    assert row is not None
    changes = projection.recompute(projection.model_source.current(), row, ev("ProfileUpdated", user, {}))
    return next(c.value for c in changes if isinstance(c, CacheSet))


def test_erasure_deletes_features_history_and_cache(engine) -> None:  # type: ignore[no-untyped-def]
    projection = RecommendationProjection(StaticModel(engine), 5)
    state = new_state(projection)
    out = run_batch(
        projection,
        state,
        [
            ev("ProfileUpdated", "e", {"skills": ["welding"]}),
            ev("ErasureRequested", "e", {"requested_by": "e"}),
        ],
    )
    assert not any(isinstance(c, CacheSet) for changes in out for c in changes)  # erased: nothing computed
    assert DeleteWhere(RECOMMENDATION_HISTORY.name, "user_id", "e") in out[1]
    assert CacheDelete("recs:e") in out[1]
    assert state.get(REC_USER_FEATURES.name, ("e",)) is None


@pytest.mark.parametrize(
    "payload",
    [
        {"career_id": "c", "action": "liked"},
        {"career_id": "c", "action": "rated"},
        {"career_id": "c", "action": "viewed", "rating": 3},
        {"career_id": "c", "action": "rated", "rating": 9},
    ],
)
def test_invalid_interactions_are_refused(engine, payload) -> None:  # type: ignore[no-untyped-def]
    projection = RecommendationProjection(StaticModel(engine), 5)
    state = new_state(projection)
    good = ev("ProfileUpdated", "v", {"skills": ["welding"]})
    bad = ev("CareerInteraction", "v", payload, 1)
    with pytest.raises(InvalidEvent):
        projection.apply(state, bad)
    out = run_batch(projection, state, [good, bad])
    # The refused event is dead-lettered by the applier; the valid one before it carries the recomputation.
    assert out[1] == [] and any(isinstance(c, CacheSet) for c in out[-1])
