"""Domain types of the recommendation engine (plain dataclasses; pydantic lives at the API edge)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class InteractionKind(StrEnum):
    """What a user did with a career."""

    VIEWED = "viewed"
    SAVED = "saved"
    APPLIED = "applied"
    DISMISSED = "dismissed"
    RATED = "rated"


# Implicit-feedback strength of each kind; a rating uses RATING_WEIGHTS instead.
KIND_WEIGHTS: dict[InteractionKind, float] = {
    InteractionKind.VIEWED: 1.0,
    InteractionKind.SAVED: 3.0,
    InteractionKind.APPLIED: 5.0,
    InteractionKind.DISMISSED: -2.0,
    InteractionKind.RATED: 0.0,
}
RATING_WEIGHTS: dict[int, float] = {1: -2.0, 2: -1.0, 3: 1.0, 4: 3.0, 5: 5.0}


@dataclass(frozen=True)
class UserProfile:
    """What the engine knows about a user. `skills` are ESCO skill URIs or free-text skill names."""

    user_id: str
    skills: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()
    career_goals: str = ""
    education_level: str = ""
    years_experience: float | None = None  # None: not given
    current_title: str = ""
    location: str = ""  # free text: "Austin, TX", "Texas", "Seattle-Tacoma-Bellevue, WA"
    salary_expectation: float | None = None  # yearly, in salary_currency
    salary_currency: str = ""


@dataclass(frozen=True, slots=True)
class Interaction:
    """One user-career event; `timestamp` in epoch milliseconds."""

    user_id: str
    career_id: str
    kind: InteractionKind
    timestamp: int
    rating: int | None = None

    @property
    def weight(self) -> float:
        """Implicit-feedback weight of this event (negative for dismissals and bad ratings)."""
        if self.kind is InteractionKind.RATED:
            return RATING_WEIGHTS.get(int(self.rating or 3), 0.0)
        return KIND_WEIGHTS[self.kind]

    @property
    def is_positive(self) -> bool:
        """True when the event signals interest (used as relevance in evaluation)."""
        return self.weight > 0


@dataclass(frozen=True)
class Recommendation:
    """One recommended career with the per-model parts of its score and a skill-gap explanation."""

    career_id: str
    score: float
    parts: dict[str, float] = field(default_factory=dict)
    matching_skills: tuple[str, ...] = ()
    missing_skills: tuple[str, ...] = ()
    why: str = ""
