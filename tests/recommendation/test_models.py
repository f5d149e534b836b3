"""Every model on its own: fits, scores every career, and learns something a random ranker cannot."""

from __future__ import annotations

import numpy as np
import pytest

from engines.recommendation.career_index import CareerIndex
from engines.recommendation.domain import Interaction, InteractionKind, UserProfile
from engines.recommendation.ensemble import mean_ndcg
from engines.recommendation.evaluation import cold_start_hit_rate
from engines.recommendation.models.base import Recommender, top_k
from engines.recommendation.models.baselines import PopularityRecommender, RandomRecommender
from engines.recommendation.models.collaborative import ItemKNNRecommender, UserKNNRecommender
from engines.recommendation.models.content import ContentRecommender
from engines.recommendation.models.lightfm_model import LightFMRecommender
from engines.recommendation.models.svd import SVDRecommender
from engines.recommendation.training_data import TrainingData, UserContext
from engines.reference_data.catalog import Career, CareerSkill

MODELS = [
    ContentRecommender,
    ItemKNNRecommender,
    UserKNNRecommender,
    lambda: SVDRecommender(factors=24),
    lambda: LightFMRecommender(epochs=5, components=24),
    PopularityRecommender,
]


@pytest.fixture(scope="module")
def random_ndcg(split) -> float:  # type: ignore[no-untyped-def]
    data, val, _ = split
    return mean_ndcg(RandomRecommender(1).fit(data).score_many(val.contexts), val)


@pytest.mark.parametrize("factory", MODELS)
def test_model_beats_random_on_future(factory, split, random_ndcg) -> None:  # type: ignore[no-untyped-def]
    data, val, _ = split
    model: Recommender = factory().fit(data)
    scores = model.score_many(val.contexts)
    assert scores.shape == (len(val.contexts), data.index.n_items)
    assert np.isfinite(scores).all()
    assert mean_ndcg(scores, val) > 1.5 * random_ndcg, model.name


def test_recommend_excludes_seen(split) -> None:  # type: ignore[no-untyped-def]
    data, val, _ = split
    model = ItemKNNRecommender().fit(data)
    ctx = val.contexts[0]
    recs = model.recommend(ctx, k=10)
    assert len(recs) == 10
    assert not {i for i, _ in recs} & set(ctx.seen_items.tolist())
    assert [s for _, s in recs] == sorted((s for _, s in recs), reverse=True)


def test_top_k_ties_and_exclusion() -> None:
    scores = np.array([0.5, 0.9, 0.9, 0.1])
    assert top_k(scores, 2) == [(1, 0.9), (2, 0.9)]
    assert [i for i, _ in top_k(scores, 3, np.array([1]))] == [2, 0, 3]


def test_item_knn_follows_co_engagement(index) -> None:  # type: ignore[no-untyped-def]
    # Careers 0 and 1 are always engaged together; 2 and 3 together.
    ids = index.career_ids
    events = []
    for u in range(20):
        pair = (0, 1) if u % 2 else (2, 3)
        events += [Interaction(f"x{u}", ids[j], InteractionKind.SAVED, 1000 + u) for j in pair]
    data = TrainingData.build(index, events)
    model = ItemKNNRecommender(shrinkage=0.0).fit(data)
    history = np.zeros(index.n_items, np.float32)
    history[0] = 3.0
    assert model.recommend(UserContext("new", None, history), k=1)[0][0] == 1


def test_content_cold_start_new_user(index) -> None:  # type: ignore[no-untyped-def]
    """A user with no history and most of a career's skills gets that career at the top."""
    assert cold_start_hit_rate(index, sample=60, share=0.8, k=10, seed=1) >= 0.9
    model = ContentRecommender().fit_index(index)
    career = index.careers[5]
    profile = UserProfile("fresh", skills=tuple(s.id for s in career.skills[:15]))
    ranked = model.recommend(UserContext("fresh", profile, np.zeros(index.n_items, np.float32)), k=3)
    assert 5 in [i for i, _ in ranked]


def test_content_resolves_free_text_skill_names(index) -> None:  # type: ignore[no-untyped-def]
    career = index.careers[7]
    by_label = UserProfile("a", skills=tuple(s.label.upper() for s in career.skills))
    cols, unresolved = index.resolve_skills(by_label.skills)
    assert len(cols) == len({s.id for s in career.skills}) and not unresolved


def test_a_clean_label_resolves_to_the_skill_whose_label_has_alternatives_glued_on() -> None:
    # Catalogue labels split from ESCO's run-together text sometimes keep alternative labels
    # ("set up cameras setting up cameras"); the clean label resolves to that skill when it starts no
    # other skill's label, and never shadows an exact name or resolves a single word.
    skills = [
        CareerSkill("s1", "set up cameras setting up cameras", 1.0),
        CareerSkill("s2", "manage staff", 1.0),
        CareerSkill("s3", "manage staff rotas", 1.0),
        CareerSkill("s4", "design thinking creative problem solving", 1.0),
        CareerSkill("s5", "design graphics", 1.0),
    ]
    index = CareerIndex.build([Career("c", "camera operator", "", skills=tuple(skills))])
    cols, unresolved = index.resolve_skills(["Set up  cameras", "manage staff", "design thinking", "design"])
    assert [index.skill_ids[j] for j in cols] == ["s1", "s2", "s4"]
    assert unresolved == ["design"]


def test_lightfm_scores_unknown_user_from_features(split) -> None:  # type: ignore[no-untyped-def]
    data, _, _ = split
    model = LightFMRecommender(epochs=3, components=16).fit(data)
    career = data.index.careers[0]
    profile = UserProfile("nobody", skills=tuple(s.id for s in career.skills), education_level="master")
    s = model.score(UserContext("nobody", profile, np.zeros(data.index.n_items, np.float32)))
    assert s.shape == (data.index.n_items,) and np.isfinite(s).all() and s.std() > 0


def test_random_is_reproducible(split) -> None:  # type: ignore[no-untyped-def]
    data, val, _ = split
    a = RandomRecommender(3).fit(data).score_many(val.contexts[:5])
    b = RandomRecommender(3).fit(data).score_many(val.contexts[:5])
    np.testing.assert_array_equal(a, b)


def test_popularity_orders_by_positive_users(index) -> None:  # type: ignore[no-untyped-def]
    ids = index.career_ids
    events = [Interaction(f"p{u}", ids[4], InteractionKind.VIEWED, u) for u in range(3)]
    events += [Interaction("p9", ids[8], InteractionKind.VIEWED, 9)]
    events += [Interaction(f"d{u}", ids[6], InteractionKind.DISMISSED, u) for u in range(5)]
    model = PopularityRecommender().fit(TrainingData.build(index, events))
    ranked = [i for i, _ in model.recommend(UserContext("z", None, np.zeros(index.n_items, np.float32)), k=2)]
    assert ranked == [4, 8]
