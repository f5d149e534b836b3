"""The simulator is deterministic and its users behave according to skill fit."""

from __future__ import annotations

import numpy as np

from careerstream.corpora.career_world import simulate


def test_same_seed_same_world(index) -> None:  # type: ignore[no-untyped-def]
    a = simulate(index, 50, seed=11)
    b = simulate(index, 50, seed=11)
    c = simulate(index, 50, seed=12)
    assert a.interactions == b.interactions and a.profiles == b.profiles
    assert a.interactions != c.interactions


def test_users_engage_with_careers_that_fit_their_skills(index, world) -> None:  # type: ignore[no-untyped-def]
    # Share of engaged careers that share a skill with the user's profile vs. random careers.
    rng = np.random.default_rng(0)
    career_skills = [{s.id for s in c.skills} for c in index.careers]
    engaged = overlap_random = 0
    n = 0
    for it in world.interactions[:3000]:
        skills = set(world.profiles[it.user_id].skills)
        engaged += bool(skills & career_skills[index.career_pos[it.career_id]])
        overlap_random += bool(skills & career_skills[int(rng.integers(index.n_items))])
        n += 1
    assert engaged / n > 2 * overlap_random / n


def test_profiles_and_timestamps(world) -> None:  # type: ignore[no-untyped-def]
    p = next(iter(world.profiles.values()))
    assert p.skills and p.education_level and p.current_title
    by_user: dict[str, list[int]] = {}
    for it in world.interactions:
        by_user.setdefault(it.user_id, []).append(it.timestamp)
    assert all(ts == sorted(ts) for ts in by_user.values())
