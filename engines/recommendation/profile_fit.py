"""The rest of a profile: education level, years of experience, location, salary expectation, goals.

Skills decide *which* careers fit; these adjust the order a little, each as its own visible score part
(`fit_education`, `fit_seniority`, `fit_salary`, `goals`), and only when the user gave that field:

- **education**: each career gets an estimated usual entry level from its title (a transparent keyword
  rule: "scientist"/"physician" -> master, "engineer"/"analyst" -> bachelor, "technician" -> associate,
  "operator"/"labourer" -> secondary) and its BLS median wage; a user below it is nudged down by the gap.
- **seniority**: titles with manager/director/chief/head/senior/lead are senior roles, trainee/apprentice/
  assistant/junior/helper entry roles; users with 8+ years lean to senior, under 2 years (or students)
  to entry roles.
- **salary** (USD expectations only): the career's median wage in the user's US state when BLS has an
  area figure (else the national median) against the expectation.
- **goals**: TF-IDF cosine between the goals text and the career's text (z-scored like model parts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from engines.recommendation.career_index import CareerIndex
from engines.recommendation.domain import UserProfile
from engines.reference_data.profile_data import load_area_wages

EDUCATION_LEVELS = {"none": 0, "high_school": 1, "associate": 2, "bachelor": 3, "master": 4, "doctorate": 5}
# Model parts are per-user z-scores (a top-10 career sits ~4-12 standard deviations above the mean), so
# these nudge the order among careers of similar skill fit without overriding skills.
W_EDUCATION = 0.5
W_SENIORITY = 0.75
W_SALARY = 0.5
W_GOALS = 0.3

_MASTER = re.compile(
    r"\b(scientist|researcher|professor|lecturer|physician|doctor|surgeon|lawyer|judge|pharmacist|"
    r"psychologist|economist|statistician|dentist|veterinarian|archaeologist|mathematician)\b"
)
_BACHELOR = re.compile(
    r"\b(engineer|developer|analyst|architect|designer|consultant|accountant|teacher|nurse|programmer|"
    r"auditor|planner|manager|director|scientist|specialist|officer|administrator|strategist)\b"
)
_ASSOCIATE = re.compile(r"\b(technician|technologist|paralegal|draughtsperson|drafter)\b")
_SECONDARY = re.compile(
    r"\b(operator|worker|labourer|attendant|helper|cleaner|driver|clerk|cashier|assembler|packer|"
    r"porter|waiter|picker|sorter|loader|hand)\b"
)
_SENIOR = re.compile(r"\b(manager|director|chief|head|senior|lead|principal|supervisor|executive)\b")
_ENTRY = re.compile(r"\b(trainee|apprentice|assistant|junior|helper|intern|aide|attendant)\b")


def education_required(title: str, wage: float | None) -> int:
    """Estimated usual entry education level (0..5) of a career from its title and median wage."""
    t = title.lower()
    if _MASTER.search(t):
        return 4
    if _BACHELOR.search(t) or (wage is not None and wage >= 80_000):
        return 3
    if _ASSOCIATE.search(t):
        return 2
    if _SECONDARY.search(t) or (wage is not None and wage < 40_000):
        return 1
    return 2


def seniority_of(title: str) -> int:
    """0 entry, 1 regular, 2 senior role, from the title."""
    t = title.lower()
    if _SENIOR.search(t):
        return 2
    if _ENTRY.search(t):
        return 0
    return 1


def user_seniority(profile: UserProfile) -> int | None:
    """0 entry, 1 regular, 2 senior; None when neither years nor a student education level is given."""
    years = profile.years_experience
    if years is None:
        return None
    if years < 2:
        return 0
    return 2 if years >= 8 else 1


@dataclass
class CareerFacts:
    """Per-career arrays the fit parts need (built once per index)."""

    education: np.ndarray
    seniority: np.ndarray
    national_wage: np.ndarray  # NaN when unknown
    soc: list[str | None]

    @classmethod
    def build(cls, index: CareerIndex) -> CareerFacts:
        wages = [c.bls.median_wage if c.bls is not None else None for c in index.careers]
        return cls(
            education=np.array(
                [education_required(c.label, w) for c, w in zip(index.careers, wages, strict=True)],
                np.float32,
            ),
            seniority=np.array([seniority_of(c.label) for c in index.careers], np.float32),
            national_wage=np.array([np.nan if w is None else w for w in wages], np.float64),
            soc=[c.bls.soc if c.bls is not None else None for c in index.careers],
        )


_STATE_ABBR = re.compile(r"(?:^|[,\s])([A-Z]{2})\s*$")


def state_of(location: str, area_names: dict[str, str]) -> str | None:
    """BLS state code (FIPS, "48" = Texas) for a free-text US location, or None."""
    text = location.strip()
    if not text:
        return None
    low = text.lower()
    by_lower = {k.lower(): v for k, v in area_names.items()}
    if low in by_lower:
        return by_lower[low]
    abbr_to_state = _state_abbreviations(area_names)
    m = _STATE_ABBR.search(text.upper() if len(text) == 2 else text)
    if m and m.group(1) in abbr_to_state:
        return abbr_to_state[m.group(1)]
    for name, code in by_lower.items():
        if "," not in name and re.search(r"\b" + re.escape(name) + r"\b", low):
            return code
    city = low.split(",")[0].strip()
    for name, code in by_lower.items():
        if "," in name and city and city in name.split(",")[0]:
            return code
    return None


def _state_abbreviations(area_names: dict[str, str]) -> dict[str, str]:
    # Metro names end with the state abbreviation(s): "Abilene, TX" -> TX is the metro's state code.
    out: dict[str, str] = {}
    for name, code in area_names.items():
        if "," in name:
            abbr = name.rsplit(",", 1)[1].strip().split("-")[0]
            if len(abbr) == 2:
                out.setdefault(abbr, code)
    return out


def local_wages(facts: CareerFacts, location: str) -> tuple[np.ndarray, str | None]:
    """Median wage per career in the user's state where BLS has it, else national; and the state code."""

    names, wages = load_area_wages()
    state = state_of(location, names) if location else None
    if state is None:
        return facts.national_wage, None
    out = facts.national_wage.copy()
    for i, soc in enumerate(facts.soc):
        if soc is not None:
            w = wages.get(soc, {}).get(state)
            if w is not None:
                out[i] = w
    return out, state


def fit_parts(
    facts: CareerFacts, profile: UserProfile | None, goals_scores: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """Additive score parts per career for the profile fields the user gave (empty dict: none given)."""
    parts: dict[str, np.ndarray] = {}
    if profile is None:
        return parts
    level = EDUCATION_LEVELS.get(profile.education_level or "")
    if level is not None:
        gap = np.maximum(facts.education - level, 0.0)
        parts["fit_education"] = (W_EDUCATION * np.where(gap == 0, 1.0, -gap)).astype(np.float32)
    sen = user_seniority(profile)
    if sen is not None:
        diff = np.abs(facts.seniority - sen)
        parts["fit_seniority"] = (W_SENIORITY * (1.0 - diff)).astype(np.float32)
    if profile.salary_expectation and (profile.salary_currency or "USD").upper() == "USD":
        wages, _ = local_wages(facts, profile.location)
        expect = float(profile.salary_expectation)
        short = np.clip((expect - wages) / expect, 0.0, 1.0)
        fit = np.where(np.isnan(wages), 0.0, np.where(short <= 0, 1.0, 1.0 - 4.0 * short))
        parts["fit_salary"] = (W_SALARY * np.clip(fit, -1.0, 1.0)).astype(np.float32)
    if goals_scores is not None and (profile.career_goals or "").strip():
        sd = float(goals_scores.std())
        z = (goals_scores - goals_scores.mean()) / (sd if sd > 1e-9 else 1.0)
        parts["goals"] = (W_GOALS * z).astype(np.float32)
    return parts
