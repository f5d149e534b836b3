"""Leave-one-out evaluation on real occupations' skill sets (`eval recs` section `real_profiles`).

For each occupation with real ESCO skill relations: rebuild the whole catalogue as if its relations were
unknown (its profile derived like any other career's; the neighbour evidence and the classifier of the
derivation refitted without it), then ask the cold-start engine, through the same `recommend` call the
projection uses, for a new user whose skills are 40% / 70% / 100% of the occupation's real skill
*labels* as published (free text, resolved like any typed skill). Reports hit@1, hit@10, MRR, the share
of top-10 slots taken by real-relation careers next to their share of the careers matching the profile
(at least one skill in common), and derived-vs-real precision/recall of the held-out profiles.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from engines.recommendation.career_index import CareerIndex
from engines.recommendation.domain import UserProfile
from engines.recommendation.engine import RecommendationEngine
from engines.recommendation.ensemble import EnsembleRecommender
from engines.recommendation.models.base import normalise_scores
from engines.recommendation.models.content import MEANING_WEIGHT, ContentRecommender
from engines.recommendation.training_data import UserContext
from engines.reference_data.catalog import Career, load_skills
from engines.reference_data.derivation import (
    REAL_SOURCE,
    CatalogueDeriver,
    best_sibling_copy,
    candidate_recall,
    precision_recall,
)
from engines.reference_data.profile_data import load_real_relations

SHARES = (0.4, 0.7, 1.0)
K = 10
CANDIDATES = 100
# Weights of the content model's meaning part (embedding cosine) tried on every case: the sweep shows how
# the figures depend on it, and the nested estimate picks the weight on the other occupations for each one.
MEANING_SWEEP = (0.0, 10.0, 15.0, 20.0, 30.0, 45.0, 70.0)
# Profiles drawn per occupation and share. Which of its skills a user happens to type moves a hit rate over
# 46 occupations by a few hundredths (one occupation is 0.022), so the figures average several draws.
DRAWS = 5


def content_engine(
    careers: Sequence[Career], text_from: RecommendationEngine | None = None
) -> RecommendationEngine:
    """The cold-start engine (content model only) over a catalogue, as workers build it. `text_from`
    reuses the (profile-independent) text side of an engine over the same careers."""
    index = CareerIndex.build(careers, ((s.id, s.label, s.alt_labels) for s in load_skills()))
    base = text_from.ensemble.models["content"] if text_from is not None else None
    assert base is None or isinstance(base, ContentRecommender)
    ensemble = EnsembleRecommender([ContentRecommender().fit_index(index, text_from=base)])
    ensemble.weights = {"content": 1.0}
    return RecommendationEngine(index, ensemble, metadata={"kind": "cold-start"})


def sample_labels(labels: Sequence[str], share: float, rng: np.random.Generator) -> list[str]:
    """`share` of the labels (at least one), in random order."""
    n = max(1, round(share * len(labels)))
    return [labels[int(j)] for j in rng.choice(len(labels), n, replace=False)]


def _case(engine: RecommendationEngine, target: str, labels: list[str]) -> dict[str, Any]:
    profile = UserProfile(user_id="loo", skills=tuple(labels))
    top = [r.career_id for r in engine.recommend(profile, k=K)]
    ctx = engine.context(profile)
    parts = engine.score_parts(profile, ctx)
    total = np.sum(list(parts.values()), axis=0)
    t = engine.index.career_pos[target]
    content = engine.ensemble.models["content"]
    assert isinstance(content, ContentRecommender)
    # The total with the content part recomputed at each weight of its meaning part.
    weight = engine.ensemble.weights["content"]
    rest = total - parts["content"]
    lexical = normalise_scores(content.lexical_scores([ctx]))
    meaning = content.meaning_scores([ctx])
    sweep = {w: _rank(rest + weight * normalise_scores(lexical + w * meaning)[0], t) for w in MEANING_SWEEP}
    return {"rank": _rank(total, t), "sweep": sweep, **source_shares(engine, profile, top)}


def _rank(scores: np.ndarray, target: int) -> int:
    return int((scores > scores[target]).sum()) + 1


def _figures(ranks: np.ndarray) -> dict[str, float]:
    return {
        "hit@1": round(float(np.mean(ranks <= 1)), 4),
        "hit@10": round(float(np.mean(ranks <= K)), 4),
        "mrr": round(float(np.mean(1.0 / ranks)), 4),
    }


def meaning_weight_figures(cases: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The sweep's figures per weight, and the nested estimate: for each occupation the weight with the
    best MRR on the *other* occupations, scored on this one (what choosing the weight on these data
    would give for an occupation it was not chosen on). Cases of one occupation (its draws) share its
    `occupation` key; a case without one is an occupation of its own."""
    by_weight = np.array([[c["sweep"][w] for c in cases] for w in MEANING_SWEEP], float)
    groups = [c.get("occupation", ("case", i)) for i, c in enumerate(cases)]
    nested = np.empty(len(cases))
    chosen = []
    for g in dict.fromkeys(groups):
        mine = np.array([x == g for x in groups])
        best = int(np.argmax((1.0 / by_weight[:, ~mine]).mean(axis=1)))
        nested[mine] = by_weight[best, mine]
        chosen.append(MEANING_SWEEP[best])
    return {
        "sweep": {str(w): _figures(by_weight[k]) for k, w in enumerate(MEANING_SWEEP)},
        "nested": {**_figures(nested), "weights_chosen": sorted(set(chosen))},
    }


def _draws_of(share: float, draws: int) -> int:
    """All of the skills typed (100 %) is one profile whatever the draw: drawn once."""
    return 1 if share >= 1.0 else draws


def share_figures(cases: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Hit rates and MRR over every case of one share (all occupations, all draws), each draw's alone,
    and the top-10 share of real-relation careers beside their share among the matching candidates."""
    ranks = np.array([c["rank"] for c in cases], float)
    top_share = float(np.mean([c["top10_real"] for c in cases]))
    cand_share = float(np.mean([c["candidates_real"] for c in cases]))
    draws = 1 + max(c["draw"] for c in cases)
    by_draw = [_figures(np.array([c["rank"] for c in cases if c["draw"] == d], float)) for d in range(draws)]
    return {
        **_figures(ranks),
        # The same figures for each draw alone: how far one draw of typed skills can move them.
        "hit@1_by_draw": [f["hit@1"] for f in by_draw],
        "hit@10_by_draw": [f["hit@10"] for f in by_draw],
        "median_rank": float(np.median(ranks)),
        "top10_share_real_relation": round(top_share, 4),
        "candidates_share_real_relation": round(cand_share, 4),
        "share_ratio": round(top_share / cand_share, 2) if cand_share else None,
    }


def source_shares(
    engine: RecommendationEngine, profile: UserProfile, top_ids: Sequence[str]
) -> dict[str, float]:
    """Share of real-relation careers in a top list, and among the profile's matching candidates: the
    CANDIDATES careers whose own titles/definition best match the profile's words (a source-blind
    pool: it does not look at any skill profile)."""

    index = engine.index
    real = np.array([c.profile_source == REAL_SOURCE for c in index.careers])
    content = engine.ensemble.models["content"]
    assert isinstance(content, ContentRecommender)
    ctx = UserContext(profile.user_id, profile, np.zeros(index.n_items, np.float32))
    text = content.text_scores([ctx])[0]
    pool = np.argsort(-text)[:CANDIDATES]
    top = [index.career_pos[c] for c in top_ids]
    return {
        "top10_real": float(real[top].mean()) if top else 0.0,
        "candidates_real": float(real[pool].mean()),
    }


def evaluate_real_profiles(
    deriver: CatalogueDeriver | None = None,
    seed: int = 7,
    limit: int | None = None,
    progress: Callable[[str], None] | None = None,
    draws: int = DRAWS,
) -> dict[str, Any]:
    """Leave-one-out over the real-relation occupations (all, or the first `limit`), `draws` typed
    profiles per occupation and share."""

    say = progress or (lambda _m: None)
    t0 = time.perf_counter()
    cd = deriver or CatalogueDeriver.from_data_dir()
    rels = {r.id: r for r in load_real_relations()}
    held = sorted(cd.real)[:limit] if limit else sorted(cd.real)
    cases: dict[float, list[dict[str, Any]]] = {s: [] for s in SHARES}
    derived_loo: dict[int, list[tuple[int, float]]] = {}
    worst: list[tuple[str, float]] = []
    skill_pos = {s.id: j for j, s in enumerate(cd.skills)}
    base: RecommendationEngine | None = None
    for n, i in enumerate(held, 1):
        career = cd.careers[i]
        say(f"leave-one-out {n}/{len(held)}: {career.label}")
        catalogue = cd.catalogue(hidden={i})
        derived_loo[i] = [(skill_pos[s.id], s.weight) for s in catalogue[i].skills]
        engine = content_engine(catalogue, text_from=base)
        base = base or engine
        labels = list(rels[career.id].labels)
        for share in SHARES:
            # Each occupation and share draws from its own generator, so draw d is the same profile
            # whatever --draws is (comparable between runs).
            rng = np.random.default_rng([seed, n, round(share * 100)])
            drawn = [
                {**_case(engine, career.id, sample_labels(labels, share, rng)), "occupation": n, "draw": d}
                for d in range(_draws_of(share, draws))
            ]
            cases[share] += drawn
            if share == 0.7:
                worst.append((career.label, float(np.median([c["rank"] for c in drawn]))))
    precision, recall = precision_recall(derived_loo, {i: cd.real[i] for i in held})
    sibling_precision, sibling_recall = best_sibling_copy(cd.real, held)
    out: dict[str, Any] = {
        "n_occupations": len(held),
        "catalogue_careers": len(cd.careers),
        "real_relation_careers": len(cd.real),
        "derived_profile_leave_one_out": {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "profile_size": len(next(iter(derived_loo.values()))) if derived_loo else 0,
            # What to read these two against: how many real relations are candidates at all, and what
            # copying the real profile of the best-matching other occupation (an oracle) would score.
            "candidate_recall": round(candidate_recall(cd, held), 4),
            "text_candidate_recall": round(candidate_recall(cd, held, text_only=True), 4),
            "best_sibling_copy": {
                "precision": round(sibling_precision, 4),
                "recall": round(sibling_recall, 4),
            },
        },
        "by_share": {},
        "seed": seed,
        "draws": draws,
        "seconds": round(time.perf_counter() - t0, 1),
    }
    out["meaning_weight"] = {"used": MEANING_WEIGHT}
    for share, cs in cases.items():
        out["meaning_weight"][f"{int(share * 100)}%"] = meaning_weight_figures(cs)
        out["by_share"][f"{int(share * 100)}%"] = share_figures(cs)
    out["worst_at_70%"] = sorted(worst, key=lambda w: -w[1])[:8]
    return out
