"""Projections ready to apply events: the registry's instances given what only a process has (the
recommendations model, shared per process and hot-swapped by its watcher thread)."""

from __future__ import annotations

from kernel.config import Settings
from projections.framework import Projection
from projections.registry import all_projections, projection_names, selected_projections
from streams.audit_notary import NAME as NOTARY_NAME
from streams.recs_models import shared_active_model


def projections_for(settings: Settings, names: str = "") -> list[Projection]:
    """The projections named (comma-separated; empty: all), wired to this deployment's model."""
    model = shared_active_model(settings.database_url, settings.recs_models_dir, settings.recs_model_poll_s)
    return selected_projections(names, recs_model=model, recs_top_k=settings.recs_top_k)


def worker_process_sets(settings: Settings) -> list[tuple[str, str]]:
    """(label, `WORKER_PROJECTIONS`) of each kind of worker process a stack starts: the projections
    named in `dedicated_workers` one process each (labelled by name), everything else (the audit
    notary included) in one more (label ""). A worker with an explicit `worker_projections` is one
    process running exactly those."""
    if settings.worker_projections.strip():
        return [("", settings.worker_projections)]
    dedicated = projection_names(settings.dedicated_workers)
    if not dedicated:
        return [("", "")]
    names = [p.name for p in all_projections()]
    unknown = set(dedicated) - set(names)
    if unknown:
        raise ValueError(f"DEDICATED_WORKERS names unknown projection(s) {sorted(unknown)}; known: {names}")
    rest = [n for n in names if n not in dedicated] + [NOTARY_NAME]
    return [("", ",".join(rest)), *((n, n) for n in dedicated)]


def worker_processes(settings: Settings, copies: int = 1) -> list[tuple[str, str]]:
    """(WORKER_ID, WORKER_PROJECTIONS) of every worker process a stack starts: `copies` of each set
    (copies of a set share its partitions)."""
    return [
        (f"worker-{label}-{i + 1}" if label else f"worker-{i + 1}", projections)
        for label, projections in worker_process_sets(settings)
        for i in range(copies)
    ]
