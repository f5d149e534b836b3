"""Neighbourhood collaborative filtering over the implicit-feedback matrix."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from engines.recommendation.models.base import Recommender
from engines.recommendation.training_data import TrainingData, UserContext, history_matrix


def _keep_top_k_per_row(m: np.ndarray, k: int) -> sp.csr_matrix:
    """Sparsify a dense similarity matrix to its k largest entries per row."""
    k = min(k, m.shape[1])
    idx = np.argpartition(-m, k - 1, axis=1)[:, :k]
    rows = np.repeat(np.arange(m.shape[0]), k)
    vals = np.take_along_axis(m, idx, axis=1).ravel()
    out = sp.csr_matrix((vals, (rows, idx.ravel())), shape=m.shape)
    out.eliminate_zeros()
    return out


class ItemKNNRecommender(Recommender):
    """Item-item cosine similarity with shrinkage; a user scores careers similar to what they engaged with."""

    name = "collaborative"

    def __init__(self, neighbours: int = 100, shrinkage: float = 10.0) -> None:
        self.neighbours = neighbours
        self.shrinkage = shrinkage
        self.similarity: sp.csr_matrix | None = None

    def fit(self, data: TrainingData) -> ItemKNNRecommender:
        """Cosine between career columns, shrunk towards 0 when few users co-engaged."""
        x = data.positive_matrix().tocsc()
        co = (x.T @ x).toarray()
        norms = np.sqrt(np.maximum(np.diag(co), 1e-12))
        binary = (x > 0).astype(np.float32)
        support = (binary.T @ binary).toarray()
        denom = support + self.shrinkage
        confidence = np.divide(support, denom, out=np.zeros_like(support), where=denom > 0)
        sim = co / np.outer(norms, norms) * confidence
        np.fill_diagonal(sim, 0.0)
        self.similarity = _keep_top_k_per_row(sim.astype(np.float32), self.neighbours)
        self._similarity_t = self.similarity.T.tocsr()
        return self

    def score_many(self, users: Sequence[UserContext]) -> np.ndarray:
        """history @ similarity."""
        assert self.similarity is not None
        return np.asarray((history_matrix(users) @ self._similarity_t).toarray(), dtype=np.float32)


class UserKNNRecommender(Recommender):
    """User-user cosine neighbours: careers engaged by the k most similar users."""

    name = "user_knn"

    def __init__(self, neighbours: int = 50, batch: int = 512) -> None:
        self.neighbours = neighbours
        self.batch = batch
        self.users: sp.csr_matrix | None = None
        self.user_ids: list[str] = []

    def fit(self, data: TrainingData) -> UserKNNRecommender:
        """Keep the normalised user matrix; neighbours are found at scoring time."""
        self.users = normalize(data.positive_matrix()).tocsr()
        self._users_t = self.users.T.tocsr()
        self.user_ids = data.user_ids
        self._pos = data.user_pos
        return self

    def score_many(self, users: Sequence[UserContext]) -> np.ndarray:
        """Similarity-weighted sum of neighbours' rows (the user itself is never its own neighbour)."""
        assert self.users is not None
        out = np.zeros((len(users), self.users.shape[1]), np.float32)
        for start in range(0, len(users), self.batch):
            chunk = users[start : start + self.batch]
            h = normalize(history_matrix(chunk))
            sims = (h @ self._users_t).toarray()
            for r, u in enumerate(chunk):
                i = self._pos.get(u.user_id)
                if i is not None:
                    sims[r, i] = 0.0
            top = _keep_top_k_per_row(sims, self.neighbours)
            out[start : start + len(chunk)] = (top @ self.users).toarray()
        return out
