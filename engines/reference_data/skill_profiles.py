"""Derives occupation → skill profiles from text, and scores them against real ESCO relations.

ESCO's occupations.csv carries no occupation-skill relations, so each occupation's profile is
derived from (a) TF-IDF cosine similarity between the occupation's text (label, alt titles,
definition) and each skill's text (label, alt labels, definition), and (b) a bonus for skills whose
label literally occurs in the occupation text. The 46 ICT occupations with real relations are used
both to replace the derived profile and to measure precision/recall of the derivation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

PROFILE_SIZE = 20
MENTION_BONUS = 0.15
CHUNK = 256


@dataclass
class TextItem:
    """Anything with an id and a bag of text to match on."""

    id: str
    label: str
    text: str


@dataclass
class DerivedProfile:
    """Top skills for one occupation: (skill index, weight in (0, 1]) sorted by weight desc."""

    skills: list[tuple[int, float]]


def _mention_pattern(label: str) -> re.Pattern[str] | None:
    # Only multi-word labels: single words ("design") would match almost every definition.
    if len(label.split()) < 2:
        return None
    return re.compile(r"\b" + re.escape(label.lower()) + r"\b")


def derive_profiles(
    occupations: Sequence[TextItem],
    skills: Sequence[TextItem],
    size: int = PROFILE_SIZE,
    mention_bonus: float = MENTION_BONUS,
) -> list[DerivedProfile]:
    """Rank skills for every occupation by TF-IDF cosine + literal-mention bonus; keep the top `size`.

    Weights are scores divided by the occupation's best score, so the top skill has weight 1."""
    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, stop_words="english", min_df=2)
    vec.fit([s.text for s in skills] + [o.text for o in occupations])
    skill_m = vec.transform([s.text for s in skills])
    occ_m = vec.transform([o.text for o in occupations])
    patterns = [(j, s.label.lower(), _mention_pattern(s.label)) for j, s in enumerate(skills)]
    checks = [(j, low, p) for j, low, p in patterns if p is not None]
    profiles: list[DerivedProfile] = []
    for start in range(0, len(occupations), CHUNK):
        sims = (occ_m[start : start + CHUNK] @ skill_m.T).toarray()
        for r in range(sims.shape[0]):
            text = occupations[start + r].text.lower()
            row = sims[r]
            for j, low, pat in checks:
                # Cheap substring test first; the regex only confirms word boundaries.
                if low in text and pat.search(text):
                    row[j] += mention_bonus
            top = np.argsort(-row)[:size]
            best = float(row[top[0]]) if len(top) and row[top[0]] > 0 else 1.0
            profiles.append(
                DerivedProfile([(int(j), round(float(row[j]) / best, 4)) for j in top if row[j] > 0])
            )
    return profiles


@dataclass
class ProfileEvaluation:
    """Derived vs. real occupation-skill relations (micro-averaged over occupations)."""

    n_occupations: int
    profile_size: int
    precision: float
    recall: float
    mean_real_skills: float


def evaluate_profiles(derived: Sequence[set[int]], real: Sequence[set[int]], size: int) -> ProfileEvaluation:
    """Precision = share of derived skills that are real; recall = share of real skills derived."""
    hits = sum(len(d & r) for d, r in zip(derived, real, strict=True))
    n_derived = sum(len(d) for d in derived)
    n_real = sum(len(r) for r in real)
    return ProfileEvaluation(
        n_occupations=len(real),
        profile_size=size,
        precision=hits / max(n_derived, 1),
        recall=hits / max(n_real, 1),
        mean_real_skills=n_real / max(len(real), 1),
    )
