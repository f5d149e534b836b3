"""Truncated SVD (pure SVD) over the implicit matrix; users are folded in from their history."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.decomposition import TruncatedSVD

from engines.recommendation.models.base import Recommender
from engines.recommendation.training_data import TrainingData, UserContext, history_matrix


class SVDRecommender(Recommender):
    """score = h V^T V: projects a user's history onto the top latent career factors."""

    name = "svd"

    def __init__(self, factors: int = 48, seed: int = 0) -> None:
        self.factors = factors
        self.seed = seed
        self.components: np.ndarray | None = None

    def fit(self, data: TrainingData) -> SVDRecommender:
        """Factorise the log-damped positive matrix."""
        x = data.positive_matrix()
        k = max(1, min(self.factors, min(x.shape) - 1))
        svd = TruncatedSVD(n_components=k, random_state=self.seed, algorithm="randomized", n_iter=7)
        svd.fit(x)
        self.components = svd.components_.astype(np.float32)
        return self

    def score_many(self, users: Sequence[UserContext]) -> np.ndarray:
        """Fold-in: (h V^T) V."""
        assert self.components is not None
        h = history_matrix(users)
        return np.asarray((h @ self.components.T) @ self.components, dtype=np.float32)
