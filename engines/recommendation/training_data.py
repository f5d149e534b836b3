"""Interaction matrix and user contexts built from raw interactions (the models' common input)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from engines.recommendation.career_index import CareerIndex
from engines.recommendation.domain import Interaction, UserProfile


@dataclass
class UserContext:
    """Everything a model may use to score one user: profile (may be None) and interaction history
    as a dense vector of summed implicit weights over careers (zeros for a brand-new user)."""

    user_id: str
    profile: UserProfile | None
    history: np.ndarray

    @property
    def positive_items(self) -> np.ndarray:
        """Career indexes with net-positive feedback."""
        return np.flatnonzero(self.history > 0)

    @property
    def seen_items(self) -> np.ndarray:
        """Career indexes with any feedback (excluded from recommendations)."""
        return np.flatnonzero(self.history != 0)


@dataclass
class TrainingData:
    """Users x careers implicit-feedback matrix plus profiles, over a fixed CareerIndex."""

    index: CareerIndex
    user_ids: list[str]
    user_pos: dict[str, int]
    matrix: sp.csr_matrix  # summed weights, may be negative
    profiles: dict[str, UserProfile] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        index: CareerIndex,
        interactions: Iterable[Interaction],
        profiles: Mapping[str, UserProfile] | None = None,
    ) -> TrainingData:
        """Aggregate interactions (unknown careers are ignored) into a CSR matrix."""
        user_pos: dict[str, int] = {}
        rows, cols, vals = [], [], []
        for it in interactions:
            j = index.career_pos.get(it.career_id)
            if j is None:
                continue
            rows.append(user_pos.setdefault(it.user_id, len(user_pos)))
            cols.append(j)
            vals.append(it.weight)
        profiles = dict(profiles or {})
        for uid in profiles:
            user_pos.setdefault(uid, len(user_pos))
        m = sp.csr_matrix((vals, (rows, cols)), shape=(len(user_pos), index.n_items), dtype=np.float32)
        m.sum_duplicates()
        return cls(index=index, user_ids=list(user_pos), user_pos=user_pos, matrix=m, profiles=profiles)

    def positive_matrix(self) -> sp.csr_matrix:
        """Net-positive feedback only, log-damped so one applied-to career does not drown the rest."""
        m = self.matrix.copy()
        m.data = np.log1p(np.maximum(m.data, 0.0)).astype(np.float32)
        m.eliminate_zeros()
        return m

    def context(self, user_id: str, profile: UserProfile | None = None) -> UserContext:
        """Context of a user as of this training data (zero history if unknown)."""
        i = self.user_pos.get(user_id)
        history = (
            self.matrix.getrow(i).toarray().ravel()
            if i is not None
            else np.zeros(self.index.n_items, np.float32)
        )
        return UserContext(user_id, profile or self.profiles.get(user_id), history)

    def contexts(self, user_ids: Sequence[str]) -> list[UserContext]:
        """Contexts of several users."""
        return [self.context(u) for u in user_ids]


def history_matrix(contexts: Sequence[UserContext], positive_only: bool = True) -> sp.csr_matrix:
    """Stack context histories into a CSR matrix (log-damped positives, as in positive_matrix)."""
    h = np.vstack([c.history for c in contexts]) if contexts else np.zeros((0, 0), np.float32)
    if positive_only:
        h = np.where(h > 0, np.log1p(np.maximum(h, 0)), 0.0)
    return sp.csr_matrix(h.astype(np.float32))
