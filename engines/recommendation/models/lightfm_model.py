"""LightFM (WARP loss) hybrid: user features (skills, education) and career features (skills)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from lightfm import LightFM
from sklearn.preprocessing import normalize

from engines.recommendation.career_index import CareerIndex
from engines.recommendation.models.base import Recommender
from engines.recommendation.training_data import TrainingData, UserContext

EDUCATION_LEVELS = ("none", "secondary", "vocational", "bachelor", "master", "doctorate")


class LightFMRecommender(Recommender):
    """Users are represented only by features (skills, education, engaged careers) rather than an id
    embedding, so new users and users whose history changed after training are scored consistently."""

    name = "lightfm"

    def __init__(
        self,
        components: int = 48,
        epochs: int = 15,
        learning_rate: float = 0.05,
        item_alpha: float = 1e-6,
        user_alpha: float = 1e-6,
        seed: int = 0,
        threads: int = 2,
    ) -> None:
        self.components = components
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.item_alpha = item_alpha
        self.user_alpha = user_alpha
        self.seed = seed
        self.threads = threads
        self.model: LightFM | None = None
        self.item_embeddings: np.ndarray | None = None
        self.item_biases: np.ndarray | None = None
        self.n_items = 0
        self.n_skills = 0

    # Feature layout for users: [skills | education levels | engaged careers].
    def _user_features(self, data_index: object, users: Sequence[UserContext]) -> sp.csr_matrix:

        assert isinstance(data_index, CareerIndex)
        rows, cols, vals = [], [], []
        offset_edu = self.n_skills
        offset_items = offset_edu + len(EDUCATION_LEVELS)
        for r, u in enumerate(users):
            if u.profile is not None:
                js, _ = data_index.resolve_skills(u.profile.skills)
                rows += [r] * len(js)
                cols += js
                vals += [1.0] * len(js)
                level = u.profile.education_level.lower()
                if level in EDUCATION_LEVELS:
                    rows.append(r)
                    cols.append(offset_edu + EDUCATION_LEVELS.index(level))
                    vals.append(1.0)
            pos = u.positive_items
            rows += [r] * len(pos)
            cols += [offset_items + int(p) for p in pos]
            vals += [1.0] * len(pos)
        m = sp.csr_matrix(
            (vals, (rows, cols)), shape=(len(users), offset_items + self.n_items), dtype=np.float32
        )
        return normalize(m)

    def _item_features(self, data: TrainingData) -> sp.csr_matrix:
        # Identity + skill profile, so unpopular careers borrow strength from their skills.
        ident = sp.identity(self.n_items, format="csr", dtype=np.float32)
        return normalize(sp.hstack([ident, data.index.skill_matrix]).tocsr())

    def fit(self, data: TrainingData) -> LightFMRecommender:
        """Train WARP on binarised positive interactions."""
        self.index = data.index
        self.n_items = data.index.n_items
        self.n_skills = len(data.index.skill_ids)
        users = data.contexts(data.user_ids)
        uf = self._user_features(data.index, users)
        itf = self._item_features(data)
        x = (data.matrix > 0).astype(np.float32).tocoo()
        self.model = LightFM(
            no_components=self.components,
            loss="warp",
            learning_rate=self.learning_rate,
            item_alpha=self.item_alpha,
            user_alpha=self.user_alpha,
            random_state=self.seed,
        )
        self.model.fit(x, user_features=uf, item_features=itf, epochs=self.epochs, num_threads=self.threads)
        biases, emb = self.model.get_item_representations(itf)
        self.item_biases = biases.astype(np.float32)
        self.item_embeddings = emb.astype(np.float32)
        return self

    def score_many(self, users: Sequence[UserContext]) -> np.ndarray:
        """Dot product of feature-built user embeddings with precomputed career embeddings."""
        assert self.model is not None and self.item_embeddings is not None and self.item_biases is not None
        uf = self._user_features(self.index, users)
        user_emb = uf @ self.model.user_embeddings
        return np.asarray(user_emb @ self.item_embeddings.T + self.item_biases[None, :], dtype=np.float32)
