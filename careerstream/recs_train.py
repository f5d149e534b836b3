"""`careerstream train`: retrain the recommender from the event log, save a version, roll it out.

Training data is the event log itself (topics `users` and `activity`, decoded with the serde, folded
with the same feature code as the live projection; erased users are left out). When the log holds fewer
than `recs_min_log_interactions` career interactions (a fresh deployment, a demo), the documented
simulator (`careerstream.corpora.career_world`) provides users instead, so the collaborative and learned
models still have something to learn from. The bundle is saved under
`<recs_models_dir>/<version>/bundle.pkl`, recorded in `model_versions` and made active; workers pick it
up without a restart (see `streams.recs_models`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from psycopg_pool import ConnectionPool

from careerstream.corpora.career_world import simulate
from engines.recommendation.domain import Interaction, InteractionKind, UserProfile
from engines.recommendation.engine import RecommendationEngine
from kernel.config import Settings
from projections.framework import InvalidEvent
from projections.recommendations import FEATURE_EVENTS, fold_features, profile_of, validate
from schemas.serde import PoisonEvent
from streams.connections import build_serde
from streams.log_reader import read_log
from streams.recs_models import build_index, register_version

Say = Callable[[str], None]


def log_training_data(settings: Settings) -> tuple[dict[str, UserProfile], list[Interaction]]:
    """Profiles and interactions of every non-erased user, from the whole log."""

    features: dict[str, dict[str, Any]] = {}
    interactions: list[Interaction] = []
    erased: set[str] = set()
    pool = ConnectionPool(settings.database_url, min_size=1, max_size=2, open=True)
    try:
        serde = build_serde(settings, pool)
        for record in read_log(settings, ["users", "activity"]):
            try:
                event = serde.decode(record.value)
            except PoisonEvent:
                continue
            if event.event_type == "ErasureRequested":
                erased.add(event.subject_id)
                continue
            if event.event_type not in FEATURE_EVENTS:
                continue
            try:
                validate(event)
            except InvalidEvent:
                continue
            features[event.subject_id] = fold_features(features.get(event.subject_id), event)
            if event.event_type == "CareerInteraction":
                p = event.payload
                interactions.append(
                    Interaction(
                        event.subject_id,
                        p["career_id"],
                        InteractionKind(p["action"]),
                        event.occurred_at_ms,
                        p.get("rating"),
                    )
                )
    finally:
        pool.close()
    profiles = {u: profile_of(row) for u, row in features.items() if u not in erased}
    return profiles, [i for i in interactions if i.user_id not in erased]


def save_version(engine: RecommendationEngine, models_dir: Path) -> tuple[str, Path]:
    """Save atomically to `<models_dir>/<version>/bundle.pkl`; returns (version, path)."""
    models_dir = Path(models_dir)
    staging = models_dir / f".staging-{os.getpid()}.pkl"
    version = engine.save(staging)
    final = models_dir / version / "bundle.pkl"
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staging, final)
    return version, final.resolve()


def train_and_register(
    settings: Settings,
    source: str = "auto",
    sim_users: int = 10_000,
    seed: int = 7,
    lightfm_epochs: int = 15,
    models_dir: Path | None = None,
    activate: bool = True,
    say: Say | None = None,
) -> dict[str, Any]:
    """Train on the log (or the simulator), save, register and (by default) activate a new version.

    `source`: "log", "simulator", or "auto" (the log when it has enough interactions)."""

    say = say or (lambda _m: None)
    say("loading catalog")
    index = build_index()
    profiles: dict[str, UserProfile] = {}
    interactions: list[Interaction] = []
    log_interactions = 0
    if source in ("auto", "log"):
        say("reading the event log")
        profiles, interactions = log_training_data(settings)
        log_interactions = len(interactions)
    used = "log"
    if source == "simulator" or (source == "auto" and log_interactions < settings.recs_min_log_interactions):
        say(f"simulating {sim_users} users")
        world = simulate(index, sim_users, seed=seed)
        profiles, interactions, used = world.profiles, world.interactions, "simulator"
    say(f"training on {len(profiles)} users, {len(interactions)} interactions")
    t0 = time.perf_counter()
    engine = RecommendationEngine.train(
        index, profiles, interactions, seed=seed, lightfm_epochs=lightfm_epochs
    )
    train_s = time.perf_counter() - t0
    engine.metadata.update(source=used, seed=seed)
    say("saving")
    version, path = save_version(engine, models_dir or settings.recs_models_dir)
    meta = {
        "source": used,
        "users": len(profiles),
        "interactions": len(interactions),
        "log_interactions": log_interactions,
        "train_s": round(train_s, 2),
        "weights": engine.ensemble.weights,
    }
    register_version(settings.database_url, version, path, meta, activate=activate)
    return {"version": version, "path": str(path), "active": activate, **meta}
