"""Recommender models sharing the `Recommender` interface (see base.py), and the set the ensemble is
made of."""

from __future__ import annotations

from .base import Recommender
from .baselines import PopularityRecommender
from .collaborative import ItemKNNRecommender, UserKNNRecommender
from .content import ContentRecommender
from .lightfm_model import LightFMRecommender
from .svd import SVDRecommender


def default_models(seed: int = 0, lightfm_epochs: int = 15) -> list[Recommender]:
    """The base models that make up the ensemble."""
    return [
        ContentRecommender(),
        ItemKNNRecommender(),
        UserKNNRecommender(),
        SVDRecommender(seed=seed),
        LightFMRecommender(seed=seed, epochs=lightfm_epochs),
        PopularityRecommender(),
    ]
