"""Every projection the worker runs, in one list: the worker, replay and reset tools iterate it."""

from __future__ import annotations

from projections.chat_conversations import ChatConversationProjection
from projections.course_catalog import CourseCatalogProjection
from projections.framework import Projection
from projections.gdpr import ErasureProjection
from projections.recommendations import ModelSource, RecommendationProjection
from projections.resume_analyses import ResumeAnalysisProjection
from projections.user_profiles import UserProfileProjection


def all_projections(recs_model: ModelSource | None = None, recs_top_k: int = 10) -> list[Projection]:
    """Fresh instances of every projection. Without `recs_model` the recommendations projection
    describes itself (name, topics, tables) but cannot apply events."""
    return [
        UserProfileProjection(),
        ErasureProjection(),
        RecommendationProjection(recs_model, recs_top_k),
        ResumeAnalysisProjection(),
        CourseCatalogProjection(),
        ChatConversationProjection(),  # issue 13: the career chatbot
    ]


def projection_names(names: str) -> list[str]:
    """The names in a comma-separated list (`WORKER_PROJECTIONS`, `DEDICATED_WORKERS`), in order,
    each once, blanks dropped."""
    return list(dict.fromkeys(n.strip() for n in names.split(",") if n.strip()))


def runs_projection(worker_projections: str, name: str) -> bool:
    """Whether a worker with this `WORKER_PROJECTIONS` (empty: all) runs the projection `name`."""
    wanted = projection_names(worker_projections)
    return not wanted or name in wanted


def selected_projections(
    names: str, recs_model: ModelSource | None = None, recs_top_k: int = 10
) -> list[Projection]:
    """The projections named in a comma-separated list (empty: all). Unknown names are an error."""
    projections = all_projections(recs_model, recs_top_k)
    if not names.strip():
        return projections
    wanted = set(projection_names(names))
    unknown = wanted - {p.name for p in projections}
    if unknown:
        raise ValueError(f"unknown projection(s) {sorted(unknown)}; known: {[p.name for p in projections]}")
    return [p for p in projections if p.name in wanted]


def erasing_read_models() -> list[str]:
    """Names of read models that delete a user's rows on ErasureRequested (reported in ErasureCompleted)."""
    return [
        p.name for p in all_projections() if "users" in p.topics and p.tables and p.name != "gdpr_erasures"
    ]
