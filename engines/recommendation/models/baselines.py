"""Popularity and random baselines."""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np

from engines.recommendation.models.base import Recommender
from engines.recommendation.training_data import TrainingData, UserContext


class PopularityRecommender(Recommender):
    """Scores careers by how many users gave them positive feedback."""

    name = "popularity"

    def __init__(self) -> None:
        self.popularity = np.zeros(0, np.float32)

    def fit(self, data: TrainingData) -> PopularityRecommender:
        """Count positive users per career."""
        self.popularity = np.asarray((data.matrix > 0).sum(axis=0), dtype=np.float32).ravel()
        return self

    def score_many(self, users: Sequence[UserContext]) -> np.ndarray:
        """Same popularity vector for everyone."""
        return np.tile(self.popularity, (len(users), 1))


class RandomRecommender(Recommender):
    """Uniform random scores; seeded per user id so results are reproducible."""

    name = "random"

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self.n_items = 0

    def fit(self, data: TrainingData) -> RandomRecommender:
        """Remember the catalog size."""
        self.n_items = data.index.n_items
        return self

    def score_many(self, users: Sequence[UserContext]) -> np.ndarray:
        """Fresh random scores per user."""
        out = np.empty((len(users), self.n_items), np.float32)
        for r, u in enumerate(users):
            rng = np.random.default_rng([self.seed, zlib.crc32(u.user_id.encode())])
            out[r] = rng.random(self.n_items)
        return out
