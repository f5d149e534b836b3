"""Benchmark helpers: training time and single-user top-k latency (engine side, no I/O)."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np

from careerstream.corpora.career_world import SimulatedWorld, simulate
from engines.recommendation.career_index import CareerIndex
from engines.recommendation.domain import Interaction
from engines.recommendation.engine import RecommendationEngine


@dataclass
class LatencyStats:
    """Latency percentiles in milliseconds over `n` calls."""

    n: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float


def time_training(
    index: CareerIndex, n_users: int, seed: int = 7, lightfm_epochs: int = 15
) -> tuple[RecommendationEngine, SimulatedWorld, float, float]:
    """Simulate `n_users` users, train the engine; returns (engine, world, simulate_s, train_s)."""
    t0 = time.perf_counter()
    world = simulate(index, n_users, seed=seed)
    t1 = time.perf_counter()
    engine = RecommendationEngine.train(
        index, world.profiles, world.interactions, seed=seed, lightfm_epochs=lightfm_epochs
    )
    return engine, world, t1 - t0, time.perf_counter() - t1


def time_recommend(
    engine: RecommendationEngine,
    world: SimulatedWorld,
    n_calls: int = 300,
    k: int = 10,
    seed: int = 0,
    changed_profile: bool = True,
) -> LatencyStats:
    """Latency of one `recommend` call for random users, with their full history. With
    `changed_profile`, each call gets a profile with one extra skill, so nothing can be cached and the
    content part is recomputed as it would be after a profile update."""
    rng = np.random.default_rng(seed)
    by_user: dict[str, list[Interaction]] = {}
    for it in world.interactions:
        by_user.setdefault(it.user_id, []).append(it)
    users = list(world.profiles)
    samples = []
    skill_ids = engine.index.skill_ids
    for _ in range(n_calls):
        uid = users[int(rng.integers(len(users)))]
        p = world.profiles[uid]
        if changed_profile:
            p = replace(p, skills=(*p.skills, skill_ids[int(rng.integers(len(skill_ids)))]))
        t = time.perf_counter()
        engine.recommend(p, by_user.get(uid, ()), k=k)
        samples.append((time.perf_counter() - t) * 1000)
    a = np.array(samples)
    return LatencyStats(
        n_calls,
        float(np.percentile(a, 50)),
        float(np.percentile(a, 95)),
        float(np.percentile(a, 99)),
        float(a.mean()),
    )
