"""Offline evaluation: temporal split, ranking/beyond-accuracy metrics per model (the chart: chart.py)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from engines.recommendation.career_index import CareerIndex
from engines.recommendation.domain import Interaction, UserProfile
from engines.recommendation.ensemble import (
    EnsembleRecommender,
    ValidationSet,
    build_validation,
    temporal_split,
)
from engines.recommendation.metrics import (
    average_precision_at_k,
    catalog_coverage,
    intra_list_diversity,
    ndcg_at_k,
    novelty,
    precision_at_k,
    recall_at_k,
)
from engines.recommendation.models import default_models
from engines.recommendation.models.base import Recommender, top_k_matrix
from engines.recommendation.models.baselines import RandomRecommender
from engines.recommendation.models.content import ContentRecommender
from engines.recommendation.training_data import TrainingData, UserContext

Progress = Callable[[str], None]


def evaluate_ranking(
    model: Recommender,
    test: ValidationSet,
    k: int,
    index: CareerIndex,
    popularity: np.ndarray,
    n_users: int,
    batch: int = 1000,
) -> dict[str, float]:
    """Mean precision/recall/NDCG/MAP@k, catalog coverage, intra-list diversity and novelty."""
    vectors = index.normalised_skill_vectors()
    lists: list[list[int]] = []
    for start in range(0, len(test.contexts), batch):
        ctx = test.contexts[start : start + batch]
        tops = top_k_matrix(model.score_many(ctx), k, [c.seen_items for c in ctx])
        lists.extend([list(map(int, t)) for t in tops])
    rel = test.relevant
    return {
        f"precision@{k}": float(
            np.mean([precision_at_k(lst, r, k) for lst, r in zip(lists, rel, strict=True)])
        ),
        f"recall@{k}": float(np.mean([recall_at_k(lst, r, k) for lst, r in zip(lists, rel, strict=True)])),
        f"ndcg@{k}": float(np.mean([ndcg_at_k(lst, r, k) for lst, r in zip(lists, rel, strict=True)])),
        f"map@{k}": float(
            np.mean([average_precision_at_k(lst, r, k) for lst, r in zip(lists, rel, strict=True)])
        ),
        "coverage": catalog_coverage(lists, index.n_items),
        "diversity": float(np.mean([intra_list_diversity(lst, vectors) for lst in lists])),
        "novelty": float(np.mean([novelty(lst, popularity, n_users) for lst in lists])),
    }


def evaluate_models(
    index: CareerIndex,
    profiles: dict[str, UserProfile],
    interactions: Sequence[Interaction],
    k: int = 10,
    seed: int = 7,
    max_test_users: int = 3000,
    lightfm_epochs: int = 15,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Temporal 80/20 split; fit the ensemble (weights on an inner split of the training part), evaluate
    every base model, the ensemble and the random baseline on the held-out future."""
    say = progress or (lambda _m: None)
    train, test = temporal_split(interactions, 0.8)
    data = TrainingData.build(index, train, profiles)
    say("fitting ensemble (inner validation split + refit)")
    t0 = time.perf_counter()
    ensemble = EnsembleRecommender(default_models(seed, lightfm_epochs), seed=seed).fit(data, train)
    train_s = time.perf_counter() - t0
    rand = RandomRecommender(seed).fit(data)
    test_set = build_validation(data, test, max_test_users, seed)
    popularity = np.asarray((data.matrix > 0).sum(axis=0), dtype=np.float64).ravel()
    results: dict[str, dict[str, float]] = {}
    for name, model in [*ensemble.models.items(), ("ensemble", ensemble), ("random", rand)]:
        say(f"evaluating {name}")
        results[name] = evaluate_ranking(model, test_set, k, index, popularity, len(data.user_ids))
    return {
        "models": results,
        "ensemble_weights": ensemble.weights,
        "validation_ndcg": ensemble.validation_ndcg,
        "n_users": len(profiles),
        "n_interactions": len(interactions),
        "n_test_users": len(test_set.contexts),
        "n_careers": index.n_items,
        "train_s": train_s,
    }


def cold_start_hit_rate(
    index: CareerIndex, sample: int = 200, share: float = 0.8, k: int = 10, seed: int = 0
) -> float:
    """For sampled careers, a brand-new user holding `share` of the career's skills: how often does the
    content model rank that career in its top k?"""

    rng = np.random.default_rng(seed)
    model = ContentRecommender().fit_index(index)
    picks = rng.choice(index.n_items, min(sample, index.n_items), replace=False)
    users = []
    for i in picks:
        skills = [s.id for s in index.careers[int(i)].skills]
        n_keep = max(1, round(share * len(skills))) if skills else 0
        keep = rng.choice(len(skills), n_keep, replace=False) if skills else np.zeros(0, int)
        profile = UserProfile(user_id=f"cold{i}", skills=tuple(skills[int(j)] for j in keep))
        users.append(UserContext(profile.user_id, profile, np.zeros(index.n_items, np.float32)))
    tops = top_k_matrix(model.score_many(users), k, [np.zeros(0, int)] * len(users))
    return float(np.mean([int(i) in set(t.tolist()) for i, t in zip(picks, tops, strict=True)]))
