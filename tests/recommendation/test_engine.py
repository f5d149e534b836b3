"""Trained bundle: recommendations with explanations, save/load round trip with a version id."""

from __future__ import annotations

import re

import numpy as np
import pytest

from engines.recommendation.domain import Interaction, InteractionKind, UserProfile
from engines.recommendation.engine import RecommendationEngine
from engines.recommendation.explain import explain


@pytest.fixture(scope="module")
def engine(index, world) -> RecommendationEngine:  # type: ignore[no-untyped-def]
    return RecommendationEngine.train(index, world.profiles, world.interactions[:8000], lightfm_epochs=3)


def test_recommend_returns_parts_and_skill_gaps(engine, world) -> None:  # type: ignore[no-untyped-def]
    uid = next(iter(world.profiles))
    history = [i for i in world.interactions if i.user_id == uid]
    recs = engine.recommend(world.profiles[uid], history, k=5)
    assert len(recs) == 5
    seen = {i.career_id for i in history}
    assert not {r.career_id for r in recs} & seen
    assert [r.score for r in recs] == sorted((r.score for r in recs), reverse=True)
    for r in recs:
        assert set(r.parts) <= {
            "content",
            "collaborative",
            "user_knn",
            "svd",
            "lightfm",
            "popularity",
            "fit_education",
            "fit_seniority",
            "fit_salary",
            "goals",
        }
        assert r.score == pytest.approx(sum(r.parts.values()), abs=1e-4)


def test_explanations_rank_missing_skills_by_weight(index) -> None:  # type: ignore[no-untyped-def]
    career = index.careers[3]
    ranked = sorted(career.skills, key=lambda s: -s.weight)
    have = ranked[1]
    profile = UserProfile("e", skills=(have.id,))
    matching, missing = explain(index, profile, 3, max_missing=3)
    assert matching == (have.label,)
    assert missing == tuple(s.label for s in ranked if s.id != have.id)[:3]


def test_new_user_without_history_gets_recommendations(engine, index) -> None:  # type: ignore[no-untyped-def]
    career = index.careers[10]
    profile = UserProfile("brand-new", skills=tuple(s.id for s in career.skills))
    recs = engine.recommend(profile, k=10)
    assert career.id in {r.career_id for r in recs}


def test_save_load_round_trip(engine, world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bundle.pkl"
    version = engine.save(path)
    assert re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{12}", version)
    loaded = RecommendationEngine.load(path)
    assert loaded.version == version
    assert loaded.ensemble.weights == engine.ensemble.weights
    uid = list(world.profiles)[1]
    history = [Interaction(uid, engine.index.career_ids[0], InteractionKind.SAVED, 1)]
    a = engine.recommend(world.profiles[uid], history)
    b = loaded.recommend(world.profiles[uid], history)
    assert [r.career_id for r in a] == [r.career_id for r in b]
    np.testing.assert_allclose([r.score for r in a], [r.score for r in b], rtol=1e-5)
    assert not list(tmp_path.glob("*.tmp*"))  # atomic write leaves no temp file


def test_skipping_sklearn_checks_changes_no_score(engine, world) -> None:  # type: ignore[no-untyped-def]
    """`recommend` turns scikit-learn's input checks off for speed; the scores must be the ones the
    checked path computes, for users with and without histories."""
    by_user: dict[str, list[Interaction]] = {}
    for it in world.interactions:
        by_user.setdefault(it.user_id, []).append(it)
    for uid in list(world.profiles)[:40]:
        profile, history = world.profiles[uid], by_user.get(uid, [])
        ctx = engine.context(profile, history)
        checked = sum(engine.score_parts(profile, ctx).values())  # checks on: the default config
        recs = engine.recommend(profile, history, k=10)
        assert recs, uid
        for r in recs:
            assert r.score == round(float(checked[engine.index.career_pos[r.career_id]]), 6)
