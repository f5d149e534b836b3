"""Content-based recommender: user skills / interests / goals vs. career profiles (works for new users)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from engines.recommendation.career_index import CareerIndex
from engines.recommendation.models.base import Recommender, normalise_scores
from engines.recommendation.sparse_rows import l2_rows, tfidf_rows
from engines.recommendation.training_data import TrainingData, UserContext, history_matrix
from engines.reference_data.catalog import load_skills
from engines.reference_data.esco_text import unique_label_prefixes
from engines.reference_data.profile_data import load_skill_definitions
from engines.text_embedding import embed, embed_kept

# Mix of the three content signals. Text matches the user's words (skill names as typed, each skill's
# ESCO definition, interests, goals) against the career's *own* text (titles and definition): it is
# the same for every career whatever its skill profile came from, so it carries no source bias. The
# skill-profile cosine adds the resolved skills (real ESCO relations for 46 careers, derived for the
# rest); with more weight it would favour the careers whose profiles share the user's vocabulary
# (leave-one-out on real occupations: text-first ranking hit@10 0.85 at 70% of skills vs 0.70 skill-first).
SKILL_WEIGHT = 0.2
TEXT_WEIGHT = 0.6
HISTORY_WEIGHT = 0.2
# Meaning: cosine of the profile's and the career's own text in WordLlama's embedding space
# (`text_embedding`), which relates words TF-IDF treats as unrelated ("Python" and "software
# developer"). Like the text part it reads only the career's titles and definition: no source bias.
# Pooled-token embeddings of any two texts are alike (cosines vary about a ninth as much across careers as
# the other parts do), hence the large weight. Chosen on the leave-one-out of real occupations: mean MRR
# over the 40/70/100 % profiles is flat from 15 to 45 (0.541-0.546, vs 0.510 without); 30 is its middle
# (README: the figures with and without, and the weight chosen on the other occupations for each one).
MEANING_WEIGHT = 30.0


def career_document(index: CareerIndex, i: int) -> str:
    """Text used to match a career: its titles and definition (not its skill profile)."""
    c = index.careers[i]
    return " ".join([c.label, *c.alt_titles, c.description])


def skill_glossary() -> dict[str, str]:
    """Lower-cased ESCO skill label / alt label -> "label definition" (every catalog skill)."""

    try:
        definitions = load_skill_definitions()
    except OSError:
        definitions = {}
    out: dict[str, str] = {}
    docs: dict[str, str] = {}
    for s in load_skills():
        doc = docs[s.id] = f"{s.label} {definitions.get(s.id, '')}".strip()
        for name in (s.id, s.label, *s.alt_labels):
            out.setdefault(name.lower(), doc)
    # A clean label typed for a skill whose catalogue label has alternative labels glued on (what
    # `CareerIndex.resolve_skills` also accepts) reads that skill's definition too.
    for prefix, sid in unique_label_prefixes(((s.label, s.id) for s in load_skills()), out).items():
        out[prefix] = docs[sid]
    return out


class ContentRecommender(Recommender):
    """Cosine similarity of IDF-weighted skill vectors plus TF-IDF text similarity."""

    name = "content"

    def __init__(
        self,
        skill_weight: float = SKILL_WEIGHT,
        text_weight: float = TEXT_WEIGHT,
        history_weight: float = HISTORY_WEIGHT,
        meaning_weight: float = MEANING_WEIGHT,
    ) -> None:
        self.skill_weight = skill_weight
        self.text_weight = text_weight
        self.history_weight = history_weight
        self.meaning_weight = meaning_weight
        self.career_meaning: np.ndarray | None = None  # unit rows, one per career
        self.index: CareerIndex | None = None
        self.career_skills: sp.csr_matrix | None = None
        self.vectorizer: TfidfVectorizer | None = None
        self.career_text: sp.csr_matrix | None = None
        self.glossary: dict[str, str] = {}
        self._text_t: sp.csr_matrix | None = None
        self._skills_t: sp.csr_matrix | None = None

    def fit(self, data: TrainingData) -> ContentRecommender:
        """Precompute career vectors; interactions are not needed (history is used at scoring time)."""
        return self.fit_index(data.index)

    def fit_index(
        self, index: CareerIndex, text_from: ContentRecommender | None = None
    ) -> ContentRecommender:
        """Precompute career skill and text vectors from the catalog alone. `text_from`: reuse the text
        side of a model fitted on a catalogue with the same careers in the same order (the text part reads
        only titles and definitions, so it is identical; used when only skill profiles change)."""
        self.index = index
        self.career_skills = index.normalised_skill_vectors()
        if text_from is not None and text_from.index is not None:
            assert text_from.index.career_ids == index.career_ids
            self.glossary = text_from.glossary
            self.vectorizer = text_from.vectorizer
            self.career_text = text_from.career_text
            self._text_t = text_from._text_t
            self.career_meaning = getattr(text_from, "career_meaning", None)
        else:
            self.glossary = skill_glossary()
            self.vectorizer = TfidfVectorizer(
                ngram_range=(1, 2), sublinear_tf=True, stop_words="english", min_df=1, max_features=60000
            )
            documents = [career_document(index, i) for i in range(index.n_items)]
            self.career_text = normalize(self.vectorizer.fit_transform(documents)).tocsr()
            # Transposes are materialised once: transposing per call dominated single-user latency.
            self._text_t = self.career_text.T.tocsr()
            self.career_meaning = embed_kept("career-meaning", documents)
        self._skills_t = self.career_skills.T.tocsr()
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
        weights = np.asarray(self.index.skill_idf, np.float32)[np.asarray(cols, dtype=np.intp)]
        m = sp.csr_matrix((weights, (rows, cols)), shape=(len(users), len(self.index.skill_ids)))
        return l2_rows(m)

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

    def user_glossary_documents(self, users: Sequence[UserContext]) -> list[str]:
        """Each profile's skills expanded with their ESCO definitions (what the skill is about)."""
        glossary = getattr(self, "glossary", {})
        docs = []
        for u in users:
            skills = u.profile.skills if u.profile is not None else ()
            docs.append(" ".join(glossary.get(s.lower(), s) for s in skills))
        return docs

    def text_scores(self, users: Sequence[UserContext]) -> np.ndarray:
        """Text part alone: mean cosine of the typed words and of the skills' definitions with each
        career's own text (independent of how the career's skill profile was obtained)."""
        assert self.vectorizer is not None and self._text_t is not None
        text_vecs = tfidf_rows(self.vectorizer, self.user_documents(users))
        gloss_vecs = tfidf_rows(self.vectorizer, self.user_glossary_documents(users))
        return np.asarray(
            0.5 * ((text_vecs @ self._text_t).toarray() + (gloss_vecs @ self._text_t).toarray())
        )

    def meaning_scores(self, users: Sequence[UserContext]) -> np.ndarray:
        """Embedding cosine of each profile's words with each career's own text (zeros for a model
        fitted before the part existed)."""
        assert self.index is not None
        meaning = getattr(self, "career_meaning", None)
        if meaning is None:
            return np.zeros((len(users), self.index.n_items), np.float32)
        return embed(self.user_documents(users)) @ meaning.T

    def lexical_scores(self, users: Sequence[UserContext]) -> np.ndarray:
        """Weighted sum of skill cosine, text cosine and similarity to positively-engaged careers."""
        assert self.career_skills is not None and self.career_text is not None and self.vectorizer is not None
        assert self._skills_t is not None
        skill = (self.user_skill_vectors(users) @ self._skills_t).toarray()
        text = self.text_scores(users)
        scores = self.skill_weight * skill + self.text_weight * text
        if self.history_weight and users:
            h = history_matrix(users)
            # A user's taste profile = mean skill vector of careers they engaged with positively.
            taste = l2_rows(h @ self.career_skills)
            scores += self.history_weight * (taste @ self._skills_t).toarray()
        return np.asarray(scores)

    def score_many(self, users: Sequence[UserContext]) -> np.ndarray:
        """The lexical parts, plus the meaning part when it has a weight."""
        scores = self.lexical_scores(users)
        meaning_weight = getattr(self, "meaning_weight", 0.0)
        if meaning_weight:
            # The lexical parts on the scale the ensemble puts every model on (per-user z-scores), so
            # the weight means the same for every profile; the cosine keeps its own small spread.
            scores = normalise_scores(scores) + meaning_weight * self.meaning_scores(users)
        return scores.astype(np.float32)
