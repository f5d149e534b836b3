"""Ensemble weight fitting and the ensemble on a simulated world."""

from __future__ import annotations

import numpy as np

from engines.recommendation.ensemble import (
    EnsembleRecommender,
    ValidationSet,
    fit_weights,
    mean_ndcg,
    normalise_scores,
    temporal_split,
)
from engines.recommendation.models.baselines import PopularityRecommender, RandomRecommender
from engines.recommendation.models.collaborative import ItemKNNRecommender
from engines.recommendation.models.content import ContentRecommender
from engines.recommendation.training_data import UserContext


def _toy_validation(n_users: int = 40, n_items: int = 30) -> tuple[ValidationSet, np.ndarray]:
    rng = np.random.default_rng(0)
    contexts = [UserContext(f"u{i}", None, np.zeros(n_items, np.float32)) for i in range(n_users)]
    relevant = [set(rng.choice(n_items, 2, replace=False).tolist()) for _ in range(n_users)]
    oracle = np.zeros((n_users, n_items), np.float32)
    for r, items in enumerate(relevant):
        oracle[r, list(items)] = 1.0
    return ValidationSet(contexts, relevant), oracle


def test_weights_favour_the_better_model() -> None:
    val, oracle = _toy_validation()
    rng = np.random.default_rng(1)
    good = oracle + rng.normal(0, 0.3, oracle.shape)
    noise = rng.normal(0, 1, oracle.shape)
    w = fit_weights({"good": good, "noise": noise}, val)
    assert abs(sum(w.values()) - 1) < 1e-9
    assert w["good"] > 0.5 > w["noise"]
    combined = w["good"] * normalise_scores(good) + w["noise"] * normalise_scores(noise)
    assert mean_ndcg(combined, val) >= mean_ndcg(good, val)


def test_normalise_scores_is_per_user_zscore() -> None:
    z = normalise_scores(np.array([[1.0, 2.0, 3.0], [10.0, 10.0, 10.0]]))
    np.testing.assert_allclose(z[0], [-1.2247449, 0.0, 1.2247449], rtol=1e-6)
    np.testing.assert_allclose(z[1], [0.0, 0.0, 0.0])


def test_temporal_split_respects_time(world) -> None:  # type: ignore[no-untyped-def]
    train, test = temporal_split(world.interactions, 0.8)
    assert max(i.timestamp for i in train) < min(i.timestamp for i in test)
    assert 0.75 < len(train) / len(world.interactions) < 0.85


def test_ensemble_fits_weights_and_beats_its_parts(split) -> None:  # type: ignore[no-untyped-def]
    data, val, train = split
    models = [ContentRecommender(), ItemKNNRecommender(), PopularityRecommender(), RandomRecommender(0)]
    ensemble = EnsembleRecommender(models, max_validation_users=500).fit(data, train)
    assert set(ensemble.weights) == {"content", "collaborative", "popularity", "random"}
    assert ensemble.weights != dict.fromkeys(ensemble.weights, 0.25)  # fitted, not uniform
    assert ensemble.weights["random"] < ensemble.weights["content"]
    ndcg = {n: mean_ndcg(m.score_many(val.contexts), val) for n, m in ensemble.models.items()}
    assert mean_ndcg(ensemble.score_many(val.contexts), val) >= max(ndcg.values()) - 0.01
