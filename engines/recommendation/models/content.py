"""Content-based recommender: user skills / interests / goals vs. career profiles (works for new users)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from engines.recommendation.career_index import CareerIndex
from engines.recommendation.models.base import Recommender
from engines.recommendation.training_data import TrainingData, UserContext, history_matrix

# Mix of the three content signals. Skills dominate because they are the structured, resolved part
# of a profile; text catches interests/goals; history lets the model follow what a user engaged with.
SKILL_WEIGHT = 0.6
TEXT_WEIGHT = 0.2
HISTORY_WEIGHT = 0.2


def career_document(index: CareerIndex, i: int) -> str:
    """Text used to match a career: titles, definition and skill labels."""
    c = index.careers[i]
    return " ".join([c.label, *c.alt_titles, c.description, *(s.label for s in c.skills)])


class ContentRecommender(Recommender):
    """Cosine similarity of IDF-weighted skill vectors plus TF-IDF text similarity."""

    name = "content"

    def __init__(
        self,
        skill_weight: float = SKILL_WEIGHT,
        text_weight: float = TEXT_WEIGHT,
        history_weight: float = HISTORY_WEIGHT,
    ) -> None:
        self.skill_weight = skill_weight
        self.text_weight = text_weight
        self.history_weight = history_weight
        self.index: CareerIndex | None = None
        self.career_skills: sp.csr_matrix | None = None
        self.vectorizer: TfidfVectorizer | None = None
        self.career_text: sp.csr_matrix | None = None

    def fit(self, data: TrainingData) -> ContentRecommender:
        """Precompute career vectors; interactions are not needed (history is used at scoring time)."""
        return self.fit_index(data.index)

    def fit_index(self, index: CareerIndex) -> ContentRecommender:
        """Precompute career skill and text vectors from the catalog alone."""
        self.index = index
        self.career_skills = index.normalised_skill_vectors()
        self.vectorizer = TfidfVectorizer(
            ngram_range=(1, 2), sublinear_tf=True, stop_words="english", min_df=1, max_features=60000
        )
        self.career_text = normalize(
            self.vectorizer.fit_transform([career_document(index, i) for i in range(index.n_items)])
        ).tocsr()
        # Transposes are materialised once: transposing per call dominated single-user latency.
        self._skills_t = self.career_skills.T.tocsr()
        self._text_t = self.career_text.T.tocsr()
        return self

    def user_skill_vectors(self, users: Sequence[UserContext]) -> sp.csr_matrix:
        """IDF-weighted, normalised vectors of each user's resolved skills."""
        assert self.index is not None
        rows, cols = [], []
        for r, u in enumerate(users):
            if u.profile is None:
                continue
            js, _ = self.index.resolve_skills(u.profile.skills)
            rows.extend([r] * len(js))
            cols.extend(js)
        m = sp.csr_matrix(
            (np.ones(len(rows), np.float32), (rows, cols)), shape=(len(users), len(self.index.skill_ids))
        )
        return normalize(m.multiply(self.index.skill_idf[None, :]).tocsr())

    def user_documents(self, users: Sequence[UserContext]) -> list[str]:
        """Free text of each profile: interests, goals, title and skill names."""
        assert self.index is not None
        docs = []
        for u in users:
            p = u.profile
            if p is None:
                docs.append("")
                continue
            js, unresolved = self.index.resolve_skills(p.skills)
            names = [self.index.skill_labels[j] for j in js] + unresolved
            docs.append(" ".join([*p.interests, p.career_goals, p.current_title, *names]))
        return docs

    def score_many(self, users: Sequence[UserContext]) -> np.ndarray:
        """Weighted sum of skill cosine, text cosine and similarity to positively-engaged careers."""
        assert self.career_skills is not None and self.career_text is not None and self.vectorizer is not None
        skill = (self.user_skill_vectors(users) @ self._skills_t).toarray()
        text_vecs = normalize(self.vectorizer.transform(self.user_documents(users)))
        text = (text_vecs @ self._text_t).toarray()
        scores = self.skill_weight * skill + self.text_weight * text
        if self.history_weight and users:
            h = history_matrix(users)
            # A user's taste profile = mean skill vector of careers they engaged with positively.
            taste = normalize(h @ self.career_skills)
            scores += self.history_weight * (taste @ self._skills_t).toarray()
        return scores.astype(np.float32)
