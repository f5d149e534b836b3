"""Shared fixtures: a small slice of the real career catalog and a simulated world over it."""

from __future__ import annotations

import pytest

from careerstream.corpora.career_world import SimulatedWorld, simulate
from engines.recommendation.career_index import CareerIndex
from engines.recommendation.ensemble import build_validation, temporal_split
from engines.recommendation.training_data import TrainingData
from engines.reference_data.catalog import load_careers

N_CAREERS = 300
N_USERS = 1500


@pytest.fixture(scope="session")
def index() -> CareerIndex:
    return CareerIndex.build(load_careers()[:N_CAREERS])


@pytest.fixture(scope="session")
def world(index: CareerIndex) -> SimulatedWorld:
    return simulate(index, N_USERS, seed=3)


@pytest.fixture(scope="session")
def split(index: CareerIndex, world: SimulatedWorld):  # type: ignore[no-untyped-def]
    """(training data, held-out validation set, training interactions)."""
    train, future = temporal_split(world.interactions, 0.8)
    data = TrainingData.build(index, train, world.profiles)
    return data, build_validation(data, future, max_users=600, seed=0), train
