"""Versioned recommendation models: the registry table, the cold-start model and hot swapping in workers.

`careerstream train` saves a bundle under `<recs_models_dir>/<version>/bundle.pkl`, records it in
Postgres `model_versions` and flips it active in one transaction, then NOTIFYs `recs_model`. Every worker
holds an `ActiveModel`: a background thread LISTENs on that channel (and polls every
`recs_model_poll_s` as a fallback), loads a new active bundle off the event loop and swaps one reference.
A batch pins the model it started with, so in-flight batches finish on the old model and no request or
batch ever sees a half-loaded one: rollout without downtime or restart.

Before any model was trained, workers serve the content-based model, which needs no interaction data:
it is built from the career catalog (and cached on disk per catalog fingerprint, since building it takes
seconds and loading the cached copy a fraction of that).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import structlog
from psycopg.types.json import Jsonb

from engines.recommendation.career_index import CareerIndex
from engines.recommendation.engine import BUNDLE_FORMAT, RecommendationEngine
from engines.recommendation.ensemble import EnsembleRecommender
from engines.recommendation.models.content import ContentRecommender
from engines.reference_data.catalog import CAREERS_FILE, DATA_DIR, SKILLS_FILE, load_careers, load_skills

log = structlog.get_logger(__name__)

MODEL_NAME = "recs"
NOTIFY_CHANNEL = "recs_model"
COLD_START_PREFIX = "cold-start-content-"


@dataclass
class StaticModel:
    """A fixed model (unit tests, replay with a chosen version)."""

    engine: RecommendationEngine

    def current(self) -> RecommendationEngine:
        return self.engine


def catalog_fingerprint() -> str:
    """Hash of the committed catalog files: a cached cold-start model is valid for one catalog."""

    h = hashlib.sha256()
    for name in (CAREERS_FILE, SKILLS_FILE):
        h.update((DATA_DIR / name).read_bytes())
    return h.hexdigest()[:12]


def build_index() -> Any:
    """The CareerIndex over the whole catalog (free-text skill names resolve through ESCO labels)."""

    return CareerIndex.build(load_careers(), ((s.id, s.label, s.alt_labels) for s in load_skills()))


def build_cold_start_engine() -> RecommendationEngine:
    """Content-only engine from the catalog: works for brand-new users, needs no training data."""

    index = build_index()
    ensemble = EnsembleRecommender([ContentRecommender().fit_index(index)])
    ensemble.weights = {"content": 1.0}
    engine = RecommendationEngine(index, ensemble, metadata={"kind": "cold-start"})
    engine.version = COLD_START_PREFIX + catalog_fingerprint()
    return engine


def cold_start_engine(cache_dir: Path) -> RecommendationEngine:
    """The cold-start engine, loaded from `<cache_dir>/<version>.pkl` or built and cached there."""
    version = COLD_START_PREFIX + catalog_fingerprint()
    path = Path(cache_dir) / f"{version}.pkl"
    if path.exists():
        try:
            engine = RecommendationEngine.load(path)
            if engine.version == version:
                return engine
        except Exception:  # a corrupt or outdated cache is rebuilt
            log.warning("recs_cold_start_cache_unreadable", path=str(path))
    engine = build_cold_start_engine()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
        tmp.write_bytes(pickle.dumps((BUNDLE_FORMAT, engine), protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, path)
    except OSError:
        log.warning("recs_cold_start_cache_not_written", path=str(path))
    return engine


def active_version(database_url: str, name: str = MODEL_NAME) -> tuple[str, str] | None:
    """(version, path) of the active model, or None when none was trained yet."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        return _active(conn, name)


def _active(conn: psycopg.Connection[Any], name: str) -> tuple[str, str] | None:
    row = conn.execute(
        "SELECT version, path FROM model_versions WHERE name = %s AND active", (name,)
    ).fetchone()
    return (str(row[0]), str(row[1])) if row else None


def register_version(
    database_url: str,
    version: str,
    path: Path,
    metadata: dict[str, Any] | None = None,
    activate: bool = True,
    name: str = MODEL_NAME,
) -> None:
    """Record a saved bundle; with `activate`, make it the only active version and notify workers."""
    with psycopg.connect(database_url) as conn, conn.transaction():
        conn.execute(
            """INSERT INTO model_versions (name, version, path, metadata) VALUES (%s, %s, %s, %s)
               ON CONFLICT (name, version) DO UPDATE SET path = EXCLUDED.path""",
            (name, version, str(path), Jsonb(metadata or {})),
        )
        if activate:
            activate_version(conn, version, name)


def activate_version(conn: psycopg.Connection[Any], version: str, name: str = MODEL_NAME) -> None:
    """Flip the active flag (inside the caller's transaction) and NOTIFY workers at commit."""
    conn.execute("UPDATE model_versions SET active = false WHERE name = %s AND active", (name,))
    cur = conn.execute(
        "UPDATE model_versions SET active = true WHERE name = %s AND version = %s", (name, version)
    )
    if cur.rowcount != 1:
        raise KeyError(f"no model version {name}/{version}")
    conn.execute("SELECT pg_notify(%s, %s)", (NOTIFY_CHANNEL, f"{name}:{version}"))


class ActiveModel:
    """The model a worker uses, hot-swapped in the background when the active version changes."""

    def __init__(
        self, database_url: str, cache_dir: Path, poll_s: float = 10.0, name: str = MODEL_NAME
    ) -> None:
        self.database_url = database_url
        self.cache_dir = Path(cache_dir)
        self.poll_s = poll_s
        self.name = name
        self._engine: RecommendationEngine | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.swaps = 0

    def current(self) -> RecommendationEngine:
        """The model to use now (first call loads it, blocking; later swaps happen in the background)."""
        engine = self._engine
        if engine is not None:
            return engine
        with self._lock:
            if self._engine is None:
                self._engine = self._load_initial()
                self._thread = threading.Thread(target=self._watch, name="recs-model-watch", daemon=True)
                self._thread.start()
            return self._engine

    def start_loading(self) -> None:
        """Begin loading in the background (so a first batch finds the model ready)."""
        if self._engine is None:
            threading.Thread(target=self.current, name="recs-model-load", daemon=True).start()

    def close(self) -> None:
        self._stop.set()

    def _load_initial(self) -> RecommendationEngine:
        try:
            active = active_version(self.database_url, self.name)
        except psycopg.Error:
            log.exception("recs_model_registry_unreadable")
            active = None
        if active is not None:
            try:
                return self._load(*active)
            except Exception:
                log.exception("recs_model_load_failed", version=active[0], path=active[1])
        return cold_start_engine(self.cache_dir)

    @staticmethod
    def _load(version: str, path: str) -> RecommendationEngine:
        engine = RecommendationEngine.load(Path(path))
        if engine.version != version:
            raise ValueError(f"bundle at {path} is version {engine.version}, registry says {version}")
        return engine

    def check(self, conn: psycopg.Connection[Any]) -> bool:
        """Swap to the registry's active version if it differs from ours; True when swapped."""
        active = _active(conn, self.name)
        current = self._engine
        if current is None:
            return False
        if active is None or active[0] == current.version:
            return False
        engine = self._load(*active)  # in this thread: the event loop keeps serving the old model
        old = current.version
        self._engine = engine  # one reference assignment: atomic for readers
        self.swaps += 1
        log.info("recs_model_swapped", old=old, new=engine.version)
        return True

    def _watch(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.database_url, autocommit=True) as conn:
                    conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    while not self._stop.is_set():
                        self.check(conn)
                        # Wakes on NOTIFY from `careerstream train`, else polls every poll_s.
                        for _ in conn.notifies(timeout=self.poll_s, stop_after=1):
                            pass
            except Exception:
                log.exception("recs_model_watch_failed")
                self._stop.wait(min(self.poll_s, 5.0))


_shared: dict[tuple[str, str], ActiveModel] = {}
_shared_lock = threading.Lock()


def shared_active_model(database_url: str, cache_dir: Path, poll_s: float) -> ActiveModel:
    """One ActiveModel per (database, model dir) in a process: projections constructed many times
    (the registry builds fresh instances) share one loaded model and one watcher thread."""
    key = (database_url, str(cache_dir))
    with _shared_lock:
        holder = _shared.get(key)
        if holder is None:
            holder = _shared[key] = ActiveModel(database_url, cache_dir, poll_s)
        return holder
