"""Skill-gap explanations: which of a career's skills the user has, and which they lack.

One rule (`skill_gap`) serves every reader: the recommendation engine (skills resolved to ESCO ids
through the career index) and the personalised course search (the skills of the user's target careers
the user lacks, matched by label), so "missing skills" mean the same thing everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import cache
from typing import TypedDict

from engines.course_search.schema import skill_key
from engines.recommendation.career_index import CareerIndex
from engines.recommendation.domain import UserProfile
from engines.reference_data.catalog import Career, CareerSkill, careers_by_id

MAX_TARGET_GAP_SKILLS = 30  # missing skills a personalised course search boosts (and explains)


def skill_gap(
    skills: Iterable[CareerSkill], has: Callable[[CareerSkill], bool]
) -> tuple[list[CareerSkill], list[CareerSkill]]:
    """(matching, missing): a career's skills split by whether the user has each, most central
    (highest profile weight) first."""
    matching: list[CareerSkill] = []
    missing: list[CareerSkill] = []
    for s in sorted(skills, key=lambda s: -s.weight):
        (matching if has(s) else missing).append(s)
    return matching, missing


def explain(
    index: CareerIndex, profile: UserProfile | None, career: int, max_missing: int = 5, max_matching: int = 10
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(matching skill labels, missing skill labels) for one career; missing skills are the career's
    skills the user lacks, most central (highest profile weight) first."""
    have: set[int] = set(index.resolve_skills(profile.skills)[0]) if profile else set()
    matching, missing = skill_gap(index.careers[career].skills, lambda s: index.skill_pos.get(s.id) in have)
    return tuple(s.label for s in matching[:max_matching]), tuple(s.label for s in missing[:max_missing])


class MissingSkill(TypedDict):
    """A skill the user lacks and the target careers that need it (as a course search reports it)."""

    skill: str
    careers: list[str]


@cache
def _careers_by_label() -> Mapping[str, Career]:
    return {c.label.casefold(): c for c in careers_by_id().values()}


def target_career(target: str) -> Career | None:
    """A target career as a profile names it: its ESCO id, or its label (any case)."""
    return careers_by_id().get(target) or _careers_by_label().get(target.casefold())


def target_skill_gaps(
    skills: Iterable[object], target_careers: Iterable[object], limit: int = MAX_TARGET_GAP_SKILLS
) -> dict[str, MissingSkill]:
    """skill_key -> MissingSkill: the skills of the user's target careers (ESCO ids or labels; unknown
    ones are ignored) that the user's `skills` lack, heaviest (in any of the careers) first."""
    have = {skill_key(str(s)) for s in skills}
    weighted: dict[str, tuple[float, str, list[str]]] = {}
    for target in target_careers:
        career = target_career(str(target))
        if career is None:
            continue
        for cs in skill_gap(career.skills, lambda s: skill_key(s.label) in have)[1]:
            key = skill_key(cs.label)
            weight, label, careers = weighted.get(key, (0.0, cs.label, []))
            if career.label not in careers:
                careers.append(career.label)
            weighted[key] = (max(weight, cs.weight), label, careers)
    ranked = sorted(weighted.items(), key=lambda kv: (-kv[1][0], kv[0]))[:limit]
    return {key: {"skill": label, "careers": careers} for key, (_, label, careers) in ranked}


def course_hit_reason(
    boosted_by: Iterable[str], gaps: Mapping[str, MissingSkill], personalised: bool
) -> tuple[list[MissingSkill], str]:
    """(why, explanation) of one course search hit: the missing skills it teaches (those that boosted
    it), and a sentence saying so."""
    if not personalised:
        return [], "Ranked by relevance to your search."
    why = [gaps[skill_key(s)] for s in boosted_by if skill_key(s) in gaps]
    if not why:
        return why, "Ranked by relevance; teaches none of the skills you lack for your target careers."
    parts = [f"{w['skill']} (needed for {', '.join(w['careers'])})" for w in why]
    return why, "Ranked higher: teaches skills you lack for your target careers: " + "; ".join(parts)


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
