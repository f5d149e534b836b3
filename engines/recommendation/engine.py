"""The trained, versioned recommendation bundle the service calls: recommend, save, load."""

from __future__ import annotations

import hashlib
import os
import pickle
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import sklearn

from engines.recommendation.career_index import CareerIndex
from engines.recommendation.domain import Interaction, Recommendation, UserProfile
from engines.recommendation.ensemble import EnsembleRecommender
from engines.recommendation.explain import explain, why
from engines.recommendation.models import default_models
from engines.recommendation.models.base import top_k
from engines.recommendation.models.content import ContentRecommender
from engines.recommendation.profile_fit import CareerFacts, fit_parts
from engines.recommendation.sparse_rows import tfidf_rows
from engines.recommendation.training_data import TrainingData, UserContext

BUNDLE_FORMAT = 1


@dataclass
class RecommendationEngine:
    """Career index + fitted ensemble + version id. Immutable once trained: retrain a new bundle in the
    background, `save` it, then swap the reference (or `load` it elsewhere) atomically."""

    index: CareerIndex
    ensemble: EnsembleRecommender
    version: str = ""
    trained_at_ms: int = 0
    metadata: dict[str, object] = field(default_factory=dict)

    @classmethod
    def train(
        cls,
        index: CareerIndex,
        profiles: dict[str, UserProfile],
        interactions: Sequence[Interaction],
        seed: int = 0,
        lightfm_epochs: int = 15,
    ) -> RecommendationEngine:
        """Fit the ensemble (weights on an inner temporal split) on all interactions."""
        data = TrainingData.build(index, interactions, profiles)
        ensemble = EnsembleRecommender(default_models(seed, lightfm_epochs), seed=seed).fit(
            data, interactions
        )
        return cls(
            index,
            ensemble,
            trained_at_ms=int(time.time() * 1000),
            metadata={"n_users": len(data.user_ids), "n_interactions": len(interactions)},
        )

    def context(
        self, profile: UserProfile | None, history: Sequence[Interaction] = (), user_id: str | None = None
    ) -> UserContext:
        """Build a scoring context from a profile and the user's interactions (any age)."""
        uid = user_id or (profile.user_id if profile else "")
        vec = np.zeros(self.index.n_items, np.float32)
        for it in history:
            j = self.index.career_pos.get(it.career_id)
            if j is not None:
                vec[j] += it.weight
        return UserContext(uid, profile, vec)

    def recommend(
        self,
        profile: UserProfile | None,
        history: Sequence[Interaction] = (),
        k: int = 10,
        exclude_seen: bool = True,
        max_missing: int = 5,
        explain_why: bool = True,
    ) -> list[Recommendation]:
        """Top-k careers with per-model score parts and skill-gap explanations."""
        ctx = self.context(profile, history)
        # One user at a time (the projection recomputes per profile write), scikit-learn's input and
        # parameter checks were a quarter of the cost; the inputs are our own finite vectors. Same
        # results (tests/recommendation/test_engine.py). Thread-local setting.
        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
            parts = self.score_parts(profile, ctx)
        total = sum(parts.values())
        ranked = top_k(np.asarray(total), k, ctx.seen_items if exclude_seen else None)
        out = []
        for i, score in ranked:
            matching, missing = explain(self.index, profile, i, max_missing)
            career_parts = {n: round(float(s[i]), 6) for n, s in parts.items()}
            career = self.index.careers[i]
            out.append(
                Recommendation(
                    career_id=self.index.career_ids[i],
                    score=round(score, 6),
                    parts=career_parts,
                    matching_skills=matching,
                    missing_skills=missing,
                    why=why(career_parts, matching, len(career.skills), career.profile_source)
                    if explain_why
                    else "",
                )
            )
        return out

    def score_parts(self, profile: UserProfile | None, ctx: UserContext) -> dict[str, np.ndarray]:
        """Weighted per-model parts plus the profile-fit parts, one array over all careers each;
        a career's score is their sum (what `recommend` ranks by)."""
        parts = {n: self.ensemble.weights[n] * s[0] for n, s in self.ensemble.score_parts([ctx]).items()}
        parts.update(fit_parts(self.facts, profile, self._goals_scores(profile)))
        return parts

    @property
    def facts(self) -> CareerFacts:
        """Per-career facts for the profile-fit parts (built on first use; bundles predating them work)."""
        facts = self.__dict__.get("_facts")
        if facts is None:
            facts = CareerFacts.build(self.index)
            self.__dict__["_facts"] = facts
        return facts

    def _goals_scores(self, profile: UserProfile | None) -> np.ndarray | None:
        """Cosine of the goals text with every career's text (content model's TF-IDF), if any."""
        content = self.ensemble.models.get("content")
        if profile is None or not (profile.career_goals or "").strip():
            return None
        if not isinstance(content, ContentRecommender) or content.vectorizer is None:
            return None
        vec = tfidf_rows(content.vectorizer, [profile.career_goals])
        return np.asarray((vec @ content._text_t).toarray()[0], np.float32)

    def save(self, path: Path) -> str:
        """Write the bundle atomically (temp file + rename); sets and returns the version id
        `<UTC timestamp>-<sha256 prefix of the payload>`."""
        self.version = ""
        payload = pickle.dumps((BUNDLE_FORMAT, self), protocol=pickle.HIGHEST_PROTOCOL)
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(self.trained_at_ms / 1000 or time.time()))
        self.version = f"{stamp}-{hashlib.sha256(payload).hexdigest()[:12]}"
        payload = pickle.dumps((BUNDLE_FORMAT, self), protocol=pickle.HIGHEST_PROTOCOL)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + f".tmp{os.getpid()}")
        tmp.write_bytes(payload)
        os.replace(tmp, path)
        return self.version

    @classmethod
    def load(cls, path: Path) -> RecommendationEngine:
        """Load a bundle written by `save`. Only load files this service wrote (pickle executes code)."""
        fmt, engine = pickle.loads(Path(path).read_bytes())
        if fmt != BUNDLE_FORMAT or not isinstance(engine, cls):
            raise ValueError(f"unsupported recommendation bundle format {fmt!r}")
        return engine
