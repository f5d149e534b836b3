"""Every projection the worker runs, in one list: the worker, replay and reset tools iterate it."""

from __future__ import annotations

from projections.framework import Projection
from projections.gdpr import ErasureProjection
from projections.user_profiles import UserProfileProjection


def all_projections() -> list[Projection]:
    """Fresh instances of every projection."""
    return [UserProfileProjection(), ErasureProjection()]


def erasing_read_models() -> list[str]:
    """Names of read models that delete a user's rows on ErasureRequested (reported in ErasureCompleted)."""
    return [p.name for p in all_projections() if "users" in p.topics and p.tables and p.name != "gdpr_erasures"]
