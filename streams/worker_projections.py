"""Projections ready to apply events: the registry's instances given what only a process has (the
recommendations model, shared per process and hot-swapped by its watcher thread)."""

from __future__ import annotations

from kernel.config import Settings
from projections.framework import Projection
from projections.registry import selected_projections
from streams.recs_models import shared_active_model


def projections_for(settings: Settings, names: str = "") -> list[Projection]:
    """The projections named (comma-separated; empty: all), wired to this deployment's model."""
    model = shared_active_model(settings.database_url, settings.recs_models_dir, settings.recs_model_poll_s)
    return selected_projections(names, recs_model=model, recs_top_k=settings.recs_top_k)
