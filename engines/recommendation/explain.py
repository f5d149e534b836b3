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


PART_REASONS = {
    "content": "your skills and words match what this career does",
    "collaborative": "people with similar interests engaged with it",
    "user_knn": "users like you engaged with it",
    "svd": "it fits the pattern of careers you engaged with",
    "lightfm": "it fits your profile and history",
    "popularity": "it is popular",
    "fit_education": "your education level fits",
    "fit_seniority": "its seniority fits your years of experience",
    "fit_salary": "its median wage meets your salary expectation",
    "goals": "it matches your career goals",
}


def why(parts: dict[str, float], matching: tuple[str, ...], n_skills: int, source: str) -> str:
    """One sentence: the skills in common, then the score parts that pushed the career up most."""
    bits = []
    if matching:
        shown = ", ".join(matching[:3])
        bits.append(f"you have {len(matching)} of its {n_skills} listed skills ({shown})")
    ranked = sorted((v, k) for k, v in parts.items() if v > 0 and k in PART_REASONS)
    bits.extend(PART_REASONS[k] for _, k in reversed(ranked[-2:]))
    against = [k for k, v in parts.items() if v < 0 and k.startswith("fit_")]
    text = "; ".join(bits)
    if against:
        text += " (but: " + ", ".join(k.removeprefix("fit_") for k in against) + " fit is weak)"
    if source == "derived":
        text += ". Its skill list is derived from ESCO/O*NET texts, not an official relation list."
    return text[:1].upper() + text[1:] if text else ""
