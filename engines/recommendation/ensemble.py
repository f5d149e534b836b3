"""Weighted ensemble of recommenders; weights are fitted on a temporal validation split."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from engines.recommendation.domain import Interaction
from engines.recommendation.metrics import ndcg_at_k
from engines.recommendation.models.base import Recommender, normalise_scores, top_k_matrix
from engines.recommendation.training_data import TrainingData, UserContext

GRID = tuple(np.round(np.linspace(0.0, 1.0, 11), 2))


@dataclass
class ValidationSet:
    """Users to validate on, their contexts at the split time and their future positives."""

    contexts: list[UserContext]
    relevant: list[set[int]]


def temporal_split(
    interactions: Sequence[Interaction], quantile: float
) -> tuple[list[Interaction], list[Interaction]]:
    """Interactions before / at-or-after the given timestamp quantile."""
    if not interactions:
        return [], []
    cut = float(np.quantile([i.timestamp for i in interactions], quantile))
    return [i for i in interactions if i.timestamp < cut], [i for i in interactions if i.timestamp >= cut]


def build_validation(
    train: TrainingData, future: Sequence[Interaction], max_users: int | None = None, seed: int = 0
) -> ValidationSet:
    """Users with history in `train` and at least one future positive on an unseen career."""
    rel: dict[str, set[int]] = {}
    for it in future:
        j = train.index.career_pos.get(it.career_id)
        if j is not None and it.is_positive and it.user_id in train.user_pos:
            rel.setdefault(it.user_id, set()).add(j)
    users, sets = [], []
    for uid, items in rel.items():
        ctx = train.context(uid)
        items = items - set(ctx.seen_items.tolist())
        if items and len(ctx.positive_items):
            users.append(ctx)
            sets.append(items)
    if max_users is not None and len(users) > max_users:
        pick = np.random.default_rng(seed).choice(len(users), max_users, replace=False)
        users = [users[i] for i in pick]
        sets = [sets[i] for i in pick]
    return ValidationSet(users, sets)


def mean_ndcg(scores: np.ndarray, val: ValidationSet, k: int = 10) -> float:
    """Mean NDCG@k over validation users, excluding seen careers."""
    tops = top_k_matrix(scores, k, [c.seen_items for c in val.contexts])
    return float(np.mean([ndcg_at_k(list(t), r, k) for t, r in zip(tops, val.relevant, strict=True)]))


def combine(weights: dict[str, float], normed: dict[str, np.ndarray]) -> np.ndarray:
    """Weighted sum of (already normalised) per-model score matrices."""
    out = np.zeros_like(next(iter(normed.values())), dtype=np.float32)
    for name, scores in normed.items():
        if weights.get(name, 0.0):
            out += np.float32(weights[name]) * scores.astype(np.float32)
    return out


def fit_weights(
    model_scores: dict[str, np.ndarray],
    val: ValidationSet,
    k: int = 10,
    rounds: int = 3,
    objective: Callable[[np.ndarray, ValidationSet, int], float] = mean_ndcg,
) -> dict[str, float]:
    """Coordinate ascent over a grid of weights on normalised scores, maximising NDCG@k on validation.
    Starts from uniform weights; a model whose weight drops to 0 is effectively switched off."""
    names = list(model_scores)
    normed = {n: normalise_scores(s) for n, s in model_scores.items()}
    w = dict.fromkeys(names, 1.0 / len(names))

    best = objective(combine(w, normed), val, k)
    for _ in range(rounds):
        improved = False
        for n in names:
            for g in GRID:
                trial = {**w, n: float(g)}
                if sum(trial.values()) <= 0:
                    continue
                value = objective(combine(trial, normed), val, k)
                if value > best + 1e-9:
                    best, w, improved = value, trial, True
        if not improved:
            break
    total = sum(w.values())
    return {n: v / total for n, v in w.items()}


class EnsembleRecommender(Recommender):
    """Sum of per-user z-normalised model scores with validation-fitted weights."""

    name = "ensemble"

    def __init__(
        self,
        models: Sequence[Recommender],
        validation_quantile: float = 0.8,
        max_validation_users: int = 2000,
        seed: int = 0,
    ) -> None:
        self.models = {m.name: m for m in models}
        self.validation_quantile = validation_quantile
        self.max_validation_users = max_validation_users
        self.seed = seed
        self.weights: dict[str, float] = {}
        self.validation_ndcg: dict[str, float] = {}

    def fit(
        self, data: TrainingData, interactions: Sequence[Interaction] | None = None
    ) -> EnsembleRecommender:
        """Fit weights on an inner temporal split of `interactions`, then refit every model on all of
        `data`. Without interactions (no timestamps), weights stay uniform."""
        if interactions:
            inner, future = temporal_split(interactions, self.validation_quantile)
            inner_data = TrainingData.build(data.index, inner, data.profiles)
            val = build_validation(inner_data, future, self.max_validation_users, self.seed)
            if val.contexts:
                scores = {}
                for name, model in self.models.items():
                    clone = copy.deepcopy(model).fit(inner_data)
                    scores[name] = clone.score_many(val.contexts)
                    self.validation_ndcg[name] = mean_ndcg(scores[name], val)
                self.weights = fit_weights(scores, val)
                normed = {n: normalise_scores(s) for n, s in scores.items()}
                self.validation_ndcg["ensemble"] = mean_ndcg(combine(self.weights, normed), val)
        if not self.weights:
            self.weights = {n: 1.0 / len(self.models) for n in self.models}
        for model in self.models.values():
            model.fit(data)
        return self

    def score_parts(self, users: Sequence[UserContext]) -> dict[str, np.ndarray]:
        """Each model's normalised scores (models with zero weight are skipped)."""
        return {
            n: normalise_scores(m.score_many(users))
            for n, m in self.models.items()
            if self.weights.get(n, 0) > 0
        }

    def score_many(self, users: Sequence[UserContext]) -> np.ndarray:
        """Weighted sum of normalised model scores."""
        return combine(self.weights, self.score_parts(users))
