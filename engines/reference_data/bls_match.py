"""Matches ESCO occupation titles to BLS SOC detailed occupations by title similarity (pure logic)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from engines.word_forms import singular

# Below this cosine the best SOC title is usually a different job (checked by eye on a sample).
MIN_CONFIDENCE = 0.5


@dataclass
class SocOccupation:
    """One BLS detailed occupation with its national, all-industry numbers."""

    soc: str
    title: str
    median_wage: float | None
    employment: float | None


@dataclass
class SocMatch:
    """Best SOC for one career and the cosine similarity that chose it."""

    soc: SocOccupation
    confidence: float


def _normalise_title(title: str) -> str:
    # SOC titles are plural and often "X and Y"; ESCO titles are singular. Strip plurals per word.
    return " ".join(singular(w) for w in title.lower().replace(",", " ").replace("/", " ").split())


def match_titles(titles: Sequence[Sequence[str]], socs: Sequence[SocOccupation]) -> list[SocMatch]:
    """For each career (given as its label followed by alt titles) return the SOC with the highest
    character-n-gram TF-IDF cosine over any of its titles. The label counts fully, alt titles at 0.9
    because they are noisier (some are heuristic splits)."""
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 4), sublinear_tf=True)
    soc_texts = [_normalise_title(s.title) for s in socs]
    title_texts = [_normalise_title(t) for ts in titles for t in ts]
    vec.fit(soc_texts + title_texts)
    soc_m = vec.transform(soc_texts)
    # Every title in one transform (one call per career was most of the match's 14 s); rows by career.
    all_titles = vec.transform(title_texts)
    starts = np.cumsum([0, *(len(ts) for ts in titles)])
    out = []
    for k, ts in enumerate(titles):
        m = all_titles[starts[k] : starts[k + 1]]
        sims = (m @ soc_m.T).toarray()
        if len(ts) > 1:
            sims[1:] *= 0.9
        flat = int(np.argmax(sims))
        row, col = divmod(flat, sims.shape[1])
        out.append(SocMatch(socs[col], round(float(sims[row, col]), 4)))
    return out
