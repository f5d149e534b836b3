"""The interface every recommender implements, and top-k selection."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np

from engines.recommendation.training_data import TrainingData, UserContext


class Recommender(ABC):
    """Fit on TrainingData; score users against every career (higher = better)."""

    name: str = "base"

    @abstractmethod
    def fit(self, data: TrainingData) -> Recommender:
        """Learn from interactions and profiles; returns self."""

    @abstractmethod
    def score_many(self, users: Sequence[UserContext]) -> np.ndarray:
        """Scores, shape (len(users), n_careers)."""

    def score(self, user: UserContext) -> np.ndarray:
        """Scores of one user over all careers."""
        return self.score_many([user])[0]

    def recommend(self, user: UserContext, k: int = 10, exclude_seen: bool = True) -> list[tuple[int, float]]:
        """Top-k (career index, score), excluding careers the user already interacted with."""
        scores = self.score(user)
        return top_k(scores, k, user.seen_items if exclude_seen else None)


def top_k(scores: np.ndarray, k: int, exclude: np.ndarray | None = None) -> list[tuple[int, float]]:
    """Indexes of the k highest scores (ties broken by index), skipping `exclude`."""
    s = scores.astype(np.float64, copy=True)
    if exclude is not None and len(exclude):
        s[exclude] = -np.inf
    k = min(k, int(np.isfinite(s).sum()))
    if k <= 0:
        return []
    part = np.argpartition(-s, k - 1)[:k]
    order = part[np.lexsort((part, -s[part]))]
    return [(int(i), float(s[i])) for i in order]


def top_k_matrix(scores: np.ndarray, k: int, exclude: Sequence[np.ndarray]) -> np.ndarray:
    """Row-wise top-k indexes, shape (n_users, k), with per-row exclusions."""
    s = scores.astype(np.float64, copy=True)
    for r, ex in enumerate(exclude):
        if len(ex):
            s[r, ex] = -np.inf
    k = min(k, s.shape[1])
    part = np.argpartition(-s, k - 1, axis=1)[:, :k]
    vals = np.take_along_axis(s, part, axis=1)
    order = np.argsort(-vals, axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1)


def normalise_scores(scores: np.ndarray) -> np.ndarray:
    """Per-user z-score so models with different scales can be summed."""
    mu = scores.mean(axis=1, keepdims=True)
    sd = scores.std(axis=1, keepdims=True)
    return (scores - mu) / np.where(sd > 1e-9, sd, 1.0)
