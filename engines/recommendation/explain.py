"""Skill-gap explanations: which of a career's skills the user has, and which they lack."""

from __future__ import annotations

from engines.recommendation.career_index import CareerIndex
from engines.recommendation.domain import UserProfile


def explain(
    index: CareerIndex, profile: UserProfile | None, career: int, max_missing: int = 5, max_matching: int = 10
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(matching skill labels, missing skill labels) for one career; missing skills are the career's
    skills the user lacks, most central (highest profile weight) first."""
    c = index.careers[career]
    have: set[int] = set(index.resolve_skills(profile.skills)[0]) if profile else set()
    ranked = sorted(c.skills, key=lambda s: -s.weight)
    matching = [s.label for s in ranked if index.skill_pos.get(s.id) in have]
    missing = [s.label for s in ranked if index.skill_pos.get(s.id) not in have]
    return tuple(matching[:max_matching]), tuple(missing[:max_missing])
