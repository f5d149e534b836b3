"""Career recommendations on the stream: per-user features and each user's fresh top-K.

Folds ProfileUpdated (topic `users`), AssessmentCompleted, CareerInteraction and CourseEnrollment
(topic `activity`) into `rec_user_features`, then recomputes the user's top-K with the current model:
Redis `recs:<user_id>` (serving: JSON with model_version, computed_at, event_id, items) and
`recommendation_history` (one row per computation, keyed by the causing event). ErasureRequested deletes
all three and the user's consent row (`erase`, also run ahead of the stream: projections/applier.py).

Coalescing: `apply` folds every event into the features; `finish_batch` computes recommendations once
per user, at the user's last event of the batch (2,000 interactions of 300 users = 300 model calls),
with one model for the whole batch, so a hot swap never changes the model mid-batch. Given the model,
both are deterministic (no clock: computed_at is the causing event's time).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from engines.recommendation.domain import Interaction, InteractionKind, UserProfile
from engines.recommendation.engine import RecommendationEngine
from projections.framework import (
    CacheDelete,
    CacheSet,
    Change,
    Delete,
    DeleteWhere,
    InvalidEvent,
    Key,
    Projection,
    State,
    Table,
    Upsert,
)
from schemas.events import Event
from schemas.payloads import (
    AssessmentCompletedPayload,
    CareerInteractionPayload,
    ConsentChangedPayload,
    CourseEnrollmentPayload,
    ProfileUpdatedPayload,
)

REC_USER_FEATURES = Table(
    name="rec_user_features",
    key_columns=("user_id",),
    columns=("user_id", "skills", "interests", "goals", "education", "history", "updated_at"),
    json_columns=frozenset({"skills", "interests", "history"}),
)
RECOMMENDATION_HISTORY = Table(
    name="recommendation_history",
    key_columns=("user_id", "event_id"),
    columns=("user_id", "event_id", "model_version", "computed_at", "items"),
    json_columns=frozenset({"items"}),
)

FEATURE_EVENTS = frozenset({"ProfileUpdated", "AssessmentCompleted", "CareerInteraction", "CourseEnrollment"})
ACTIONS = frozenset(k.value for k in InteractionKind)
REC_CONSENT = Table(
    name="rec_consent",
    key_columns=("user_id",),
    columns=("user_id", "granted", "changed_at"),
)
PURPOSE = "recommendations"
NO_CONSENT = f"not processed: no consent for {PURPOSE}"

HISTORY_LIMIT = 200  # most recent career interactions kept per user
SKILLS_LIMIT = 300  # per source
INTEREST_THRESHOLD = 0.6  # interest-assessment dimensions at or above this score become interests


def cache_key(user_id: str) -> str:
    return f"recs:{user_id}"


def _union(first: Sequence[str], more: Sequence[str], limit: int = SKILLS_LIMIT) -> list[str]:
    """Order-preserving case-insensitive union."""
    seen = {s.lower() for s in first}
    out = list(first)
    for s in more:
        if s and s.lower() not in seen:
            seen.add(s.lower())
            out.append(s)
    return out[-limit:]


def validate(event: Event) -> None:
    """Domain checks of the events this projection folds (InvalidEvent -> dead letter)."""
    if event.event_type == "CareerInteraction":
        p = event.payload_as(CareerInteractionPayload)
        if p["action"] not in ACTIONS:
            raise InvalidEvent(f"action {p['action']!r} is not one of {sorted(ACTIONS)}")
        rating = p["rating"]
        if p["action"] == "rated" and (rating is None or not 1 <= int(rating) <= 5):
            raise InvalidEvent("a rated interaction needs a rating of 1..5")
        if p["action"] != "rated" and rating is not None:
            raise InvalidEvent("only rated interactions carry a rating")


def empty_features(user_id: str) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "skills": {"profile": [], "verified": [], "learned": []},
        "interests": {"profile": [], "assessed": []},
        "goals": None,
        "education": None,
        "history": [],
        "updated_at": None,
    }


def _number(value: Any) -> float | None:
    try:
        return float(value) if value is not None and value != "" else None
    except (TypeError, ValueError):  # redacted personal fields
        return None


def profile_context(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Years of experience, location and salary expectation of a ProfileUpdated payload (None when
    absent or redacted)."""
    location = payload.get("location")
    return {
        "years": _number(payload.get("years_experience")),
        "location": location if isinstance(location, str) else None,
        "salary": _number(payload.get("salary_expectation")),
        "currency": payload.get("salary_currency"),
    }


def fold_features(current: Mapping[str, Any] | None, event: Event) -> dict[str, Any]:
    """The user's features after `event` (one of FEATURE_EVENTS). Absolute: a whole new row."""
    row = dict(current) if current is not None else empty_features(event.subject_id)
    skills = {**empty_features("")["skills"], **dict(row.get("skills") or {})}
    interests = {**empty_features("")["interests"], **dict(row.get("interests") or {})}
    history = list(row.get("history") or [])
    if event.event_type == "ProfileUpdated":
        profile = event.payload_as(ProfileUpdatedPayload)
        skills["profile"] = list(profile["skills"] or [])[:SKILLS_LIMIT]
        interests["profile"] = list(profile["interests"] or [])[:SKILLS_LIMIT]
        # No column of its own: years, location and salary ride in the interests JSON document.
        interests["context"] = profile_context(profile)
        row["goals"] = profile["career_goals"]  # None when erased/redacted
        row["education"] = profile["education_level"]
    elif event.event_type == "AssessmentCompleted":
        assessment = event.payload_as(AssessmentCompletedPayload)
        skills["verified"] = _union(skills["verified"], list(assessment["skills_verified"] or []))
        if assessment["assessment_type"] == "interests":
            scores = dict(assessment["scores"] or {})
            strong = sorted(
                (d for d, s in scores.items() if s >= INTEREST_THRESHOLD), key=lambda d: -scores[d]
            )
            interests["assessed"] = _union(interests["assessed"], strong)
    elif event.event_type == "CourseEnrollment":
        enrollment = event.payload_as(CourseEnrollmentPayload)
        if enrollment["status"] == "completed":
            skills["learned"] = _union(skills["learned"], list(enrollment["skills"] or []))
    elif event.event_type == "CareerInteraction":
        interaction = event.payload_as(CareerInteractionPayload)
        item: dict[str, Any] = {
            "c": interaction["career_id"],
            "a": interaction["action"],
            "t": event.occurred_at_ms,
        }
        if interaction["rating"] is not None:
            item["r"] = int(interaction["rating"])
        history = [*history, item][-HISTORY_LIMIT:]
    row.update(skills=skills, interests=interests, history=history, updated_at=event.occurred_at)
    return row


def profile_of(row: Mapping[str, Any]) -> UserProfile:
    """The engine's view of a features row."""
    skills = dict(row.get("skills") or {})
    interests = dict(row.get("interests") or {})
    merged = _union(
        _union(list(skills.get("profile") or []), list(skills.get("verified") or []), 10_000),
        list(skills.get("learned") or []),
        10_000,
    )
    context = dict(interests.get("context") or {})
    return UserProfile(
        user_id=str(row["user_id"]),
        skills=tuple(merged),
        interests=tuple(_union(list(interests.get("profile") or []), list(interests.get("assessed") or []))),
        career_goals=str(row.get("goals") or ""),
        education_level=str(row.get("education") or ""),
        years_experience=_number(context.get("years")),
        location=str(context.get("location") or ""),
        salary_expectation=_number(context.get("salary")),
        salary_currency=str(context.get("currency") or ""),
    )


def interactions_of(row: Mapping[str, Any]) -> list[Interaction]:
    """The user's recent career interactions, as engine Interactions."""
    return [
        Interaction(str(row["user_id"]), h["c"], InteractionKind(h["a"]), int(h["t"]), h.get("r"))
        for h in row.get("history") or []
    ]


def recommendation_items(
    engine: RecommendationEngine, row: Mapping[str, Any], k: int
) -> list[dict[str, Any]]:
    """Top-k careers for a features row, JSON-ready."""
    recs = engine.recommend(profile_of(row), interactions_of(row), k=k)
    careers = engine.index.careers
    pos = engine.index.career_pos
    items = []
    for r in recs:
        career = careers[pos[r.career_id]]
        item: dict[str, Any] = {
            "career_id": r.career_id,
            "title": career.label,
            "score": r.score,
            "parts": r.parts,
            "matching_skills": list(r.matching_skills),
            "missing_skills": list(r.missing_skills),
        }
        if career.bls is not None and career.bls.median_wage is not None:
            item["median_wage_usd"] = career.bls.median_wage
        if r.why:
            item["why"] = r.why
        items.append(item)
    return items


class ModelSource(Protocol):
    """What the projection needs: the model to use for the next batch (a loaded model that the
    worker hot-swaps, or a fixed one in tests and replays)."""

    def current(self) -> RecommendationEngine: ...


class RecommendationProjection(Projection):
    name = "recommendations"
    topics = ("users", "activity")
    tables = (REC_USER_FEATURES, RECOMMENDATION_HISTORY, REC_CONSENT)
    # Its recomputes make it the projection most likely to lag behind an erasure.
    erases_ahead = True

    def __init__(self, model: ModelSource | None = None, top_k: int = 10) -> None:
        # The registry builds instances without a model where only names, topics and tables are
        # needed; whoever applies events hands one in (streams/worker_projections.py).
        self._model_source = model
        self.top_k = top_k

    @property
    def model_source(self) -> ModelSource:
        if self._model_source is None:
            raise RuntimeError(
                "the recommendations projection was built without a model source: "
                "build projections to apply with streams.worker_projections.projections_for(settings)"
            )
        return self._model_source

    def reads(self, event: Event) -> list[tuple[str, Key]]:
        consent = (REC_CONSENT.name, (event.subject_id,))
        if (
            event.event_type == "ConsentChanged"
            and event.payload_as(ConsentChangedPayload)["purpose"] == PURPOSE
        ):
            return [(REC_USER_FEATURES.name, (event.subject_id,)), consent]
        if event.event_type not in FEATURE_EVENTS and event.event_type != "ErasureRequested":
            return []
        return [(REC_USER_FEATURES.name, (event.subject_id,)), consent]

    def apply(self, state: State, event: Event) -> list[Change]:
        user_id = event.subject_id
        if event.event_type == "ErasureRequested":
            return self.erase(user_id)
        if event.event_type == "ConsentChanged":
            change = event.payload_as(ConsentChangedPayload)
            if change["purpose"] != PURPOSE:
                return []
            granted = bool(change["granted"])
            consent = {"user_id": user_id, "granted": granted, "changed_at": event.occurred_at}
            if granted:
                return [Upsert(REC_CONSENT.name, consent), CacheDelete(cache_key(user_id))]
            # Withdrawn: what was derived for the purpose goes; the cache says why there is nothing.
            return [
                Upsert(REC_CONSENT.name, consent),
                Delete(REC_USER_FEATURES.name, (user_id,)),
                DeleteWhere(RECOMMENDATION_HISTORY.name, "user_id", user_id),
                CacheSet(cache_key(user_id), json.dumps({"user_id": user_id, "not_processed": NO_CONSENT})),
            ]
        if event.event_type not in FEATURE_EVENTS:
            return []
        consent_row = state.get(REC_CONSENT.name, (user_id,))
        if consent_row is not None and not consent_row["granted"]:
            return []  # no consent: the profile is not processed for recommendations
        validate(event)
        row = fold_features(state.get(REC_USER_FEATURES.name, (user_id,)), event)
        return [Upsert(REC_USER_FEATURES.name, row)]

    def erase(self, subject_id: str) -> list[Change]:
        return [
            Delete(REC_CONSENT.name, (subject_id,)),
            Delete(REC_USER_FEATURES.name, (subject_id,)),
            DeleteWhere(RECOMMENDATION_HISTORY.name, "user_id", subject_id),
            CacheDelete(cache_key(subject_id)),
        ]

    def finish_batch(self, state: State, events: Sequence[Event]) -> list[Change]:
        """Recompute each user's top-K once, at their last feature event of the batch, with one model
        for the whole batch (a hot swap never changes the model mid-batch)."""
        last: dict[str, Event] = {}
        for event in events:
            if event.event_type in FEATURE_EVENTS:
                last[event.subject_id] = event
            elif event.event_type == "ErasureRequested":
                last.pop(event.subject_id, None)
        if not last:
            return []
        engine = self.model_source.current()
        changes: list[Change] = []
        for user_id, event in last.items():
            row = state.get(REC_USER_FEATURES.name, (user_id,))
            if row is not None:
                changes.extend(self.recompute(engine, row, event))
        return changes

    def recompute(self, engine: RecommendationEngine, row: Mapping[str, Any], event: Event) -> list[Change]:
        """Top-K for the user's current features, for Redis and the history table."""
        items = recommendation_items(engine, row, self.top_k)
        doc = {
            "user_id": event.subject_id,
            "model_version": engine.version,
            "computed_at": event.occurred_at.isoformat(),
            "event_id": event.event_id,
            "items": items,
        }
        return [
            CacheSet(cache_key(event.subject_id), json.dumps(doc, separators=(",", ":"))),
            Upsert(
                RECOMMENDATION_HISTORY.name,
                {
                    "user_id": event.subject_id,
                    "event_id": event.event_id,
                    "model_version": engine.version,
                    "computed_at": event.occurred_at,
                    "items": items,
                },
            ),
        ]
