"""Runtime configuration, read once from the environment (and an optional `.env`).

Every process of the system (API, workers, CLI) reads the same settings, so the
docker-compose file and the local stack only have to agree on environment variables.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from kernel.connectors_config import ConnectorsConfig

# Only for local development: a fixed, public key so `make run` works out of the box.
# Production deployments must set CAREERSTREAM_MASTER_KEY / CAREERSTREAM_JWT_SECRET.
_DEV_MASTER_KEY = base64.b64encode(hashlib.sha256(b"careerstream-dev-master-key").digest()).decode()
_DEV_JWT_SECRET = "careerstream-dev-jwt-secret-change-me-in-production"


class Settings(BaseSettings):
    """All knobs of CareerStream. Environment variable names are the upper-cased field names."""

    # CONNECTORS__PUBLISH_BATCH_SIZE=100 sets `connectors.publish_batch_size` (nested sections).
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_nested_delimiter="__")

    # Kafka. Empty bootstrap servers means "start a local broker" (careerstream up) on
    # EMBEDDED_BROKER_PORT: Apache Kafka when Java is installed (`auto`), else the in-memory Tansu.
    kafka_bootstrap_servers: str = ""
    embedded_broker_port: int = 19092
    local_broker: Literal["auto", "kafka", "tansu"] = "auto"
    kafka_data_dir: Path = Path("var/kafka")
    topic_prefix: str = "careerstream"
    schema_registry_url: str = ""  # set: Confluent wire format + registry; empty: Avro single-object
    consumer_session_timeout_ms: int = 6000
    consumer_rebalance_timeout_ms: int = 6000
    consumer_fetch_max_wait_ms: int = 20  # see streams.app._bound_fetch_wait

    # Stores.
    database_url: str = "postgresql://postgres@127.0.0.1:5432/careerstream"
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_prefix: str = "cs:"

    # Security.
    master_key: str = Field(default=_DEV_MASTER_KEY, description="base64 of 32 bytes; wraps per-user keys")
    # Comma-separated base64 master keys that still unwrap (during a rotation; see schemas/keystore.py).
    previous_master_keys: str = ""
    data_key_cache_seconds: float = 300.0
    erasure_poll_seconds: float = 1.0
    jwt_secret: str = _DEV_JWT_SECRET
    jwt_issuer: str = "careerstream"
    # Tokens must name this audience (`aud`); `careerstream token` mints it.
    jwt_audience: str = "careerstream-api"

    # API.
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    # API processes behind API_PORT (`up`, `careerstream load`): each binds with SO_REUSEPORT and the
    # kernel spreads connections over them; one that dies is restarted by the supervisor.
    api_processes: int = 1
    consistency_wait_ms: int = 2000
    # Request bodies (issue 15): every JSON body fits in 256 KiB (the largest legitimate one, a full
    # profile, is ~210 KB even with every character \u-escaped); a resume upload may carry the file
    # (`resume_max_bytes`) plus this much for its form fields. Larger bodies: 413, never parsed.
    api_max_body_bytes: int = 256 * 1024
    # Per-user rate limits (`limits` syntax, Redis storage shared by every API process) on commands
    # and on resume uploads; role `user` only (services and admins are trusted backend components).
    api_write_rate_limit: str = "120/minute"
    api_upload_rate_limit: str = "20/minute"

    # Worker.
    worker_id: str = "worker-1"
    # Comma-separated projection names this worker runs (empty = all): lets heavy agents (resume
    # analysis, recommendations) scale on their own workers.
    worker_projections: str = ""
    # Projections that the stack launchers (`up`, `load`, `bench gdpr`) run in worker processes of their
    # own, the rest together in one: a recommendations batch recomputes every user it touched (CPU),
    # and in the same process it held up the users topic's next batch, erasures included (bench gdpr:
    # erasure complete p95 1.1-10 s under 200 profile writes/s). Empty: one worker runs everything.
    dedicated_workers: str = "recommendations"
    # How often a worker looks for erasures its slower projections can carry out ahead of their
    # streams (projections/applier.py `erase_ahead`; one indexed query); 0 turns it off (erasures
    # then wait for the log).
    erase_ahead_interval_s: float = 0.1
    # A worker that applies nothing for this long while its partitions hold records ends its process,
    # for the supervisor to restart it (streams/stall_watch.py); 0 = never.
    stall_restart_s: float = 60.0
    worker_batch_size: int = 2000
    worker_batch_within_s: float = 0.05
    # The courses topic carries bulk provider syncs (thousands of events a second): bigger batches
    # amortise the search index commit and the Postgres round trips per batch (`bench search
    # --quick`: 3,892 courses/s against 3,169-3,362 with the 2,000 / 50 ms default). Catalog
    # freshness tolerates the longer window; user-facing topics keep the short one for
    # read-your-write latency.
    courses_batch_size: int = 5000
    courses_batch_within_s: float = 0.25
    # A chat message waits for its batch's window to close before the bot answers (Faust's
    # `take_events` yields when the batch is full or the window ends): the 50 ms default alone added
    # 25 ms to a reply on average and 50 ms at worst. Chat is a trickle; a short window costs nothing.
    chat_batch_within_s: float = 0.005
    worker_event_loop: Literal["aio", "uvloop"] = "uvloop"  # see streams.app.run_worker
    worker_metrics_port: int = 0  # 0 = do not expose a metrics HTTP server from the worker
    supervisor_metrics_port: int = 9465  # `up`'s restart counters; 0 = not served
    faust_datadir: Path = Path("var/faust")

    # Blob storage (resumes).
    blob_dir: Path = Path("var/blobs")
    # Resume uploads (issue 4): size cap enforced by the API while reading and by the analysis worker.
    resume_max_bytes: int = 5 * 1024 * 1024

    # Course catalog (issue 5): the tantivy search index lives in <course_index_dir>/<topic_prefix>,
    # written by the worker running `course_catalog`, opened read-only by API processes.
    course_index_dir: Path = Path("var/course_index")
    course_search_cache_ttl_s: int = 600

    # Career recommendations (issue 3): versioned model bundles under <recs_models_dir>/<version>/,
    # workers poll (and LISTEN for) the active version and hot-swap it; top-K stored per user.
    recs_models_dir: Path = Path("var/models/recs")
    recs_model_poll_s: float = 10.0
    recs_top_k: int = 20
    recs_min_log_interactions: int = 5000  # fewer in the log: `careerstream train` uses the simulator

    # LLM feedback: no key means the deterministic offline fallback.
    openai_api_key: str = ""
    openai_base_url: str = ""
    openai_model: str = "gpt-4o-mini"
    openai_timeout_s: float = 20.0

    # Career chatbot (issue 13): how long POST /chat/messages waits for the reply (then 504 with the
    # conversation id; the reply still arrives in the conversation), and the LLM budget per answer.
    chat_reply_timeout_ms: int = 5000
    chat_llm_timeout_s: float = 3.0

    # Access audit (api/access_audit.py): off only to measure its cost (`bench gdpr`).
    access_audit: bool = True
    # Retention (issue 14), in days; 0 keeps forever. See streams/retention.py.
    retention_chat_history_days: int = 90
    retention_recommendation_history_days: int = 180
    retention_resume_days: int = 365
    retention_interval_s: float = 86400.0  # the worker's scheduled run; 0 = only `careerstream retention run`

    log_level: str = "INFO"
    log_json: bool = True

    # Course providers (kernel/connectors_config.py): a JSON file, overridden by CONNECTORS__* variables.
    connectors_file: Path | None = None
    connectors: ConnectorsConfig = Field(default_factory=ConnectorsConfig)

    def connectors_config(self, json_path: Path | None = None) -> ConnectorsConfig:
        """The connectors' section: the JSON file (`json_path`, else CONNECTORS_FILE), with every value
        set in the environment winning over the file."""
        path = json_path or self.connectors_file
        if path is None:
            return self.connectors
        from_file = json.loads(Path(path).read_text(encoding="utf-8"))
        return ConnectorsConfig(**{**from_file, **self.connectors.model_dump(exclude_unset=True)})

    @property
    def course_index_path(self) -> Path:
        """This deployment's course index (one per topic prefix): the worker writes, API processes read."""
        return Path(self.course_index_dir) / self.topic_prefix

    @property
    def broker_is_embedded(self) -> bool:
        return not self.kafka_bootstrap_servers

    def as_env(self, **overrides: str) -> dict[str, str]:
        """This process's environment with every setting exported, so a child process reads the same
        configuration (plus `overrides`, e.g. LOG_LEVEL)."""
        env = dict(os.environ)
        # Scalars only: a nested section (connectors) would need its secrets written out, and the child
        # inherits the CONNECTORS_FILE / CONNECTORS__* variables it came from anyway; None is "unset".
        env.update(
            {
                name.upper(): str(value)
                for name, value in self.model_dump().items()
                if value is not None and not isinstance(value, dict | list)
            }
        )
        env.update(overrides)
        return env

    def previous_master_key_bytes(self) -> list[bytes]:
        return [base64.b64decode(k.strip()) for k in self.previous_master_keys.split(",") if k.strip()]

    def master_key_bytes(self) -> bytes:
        key = base64.b64decode(self.master_key)
        if len(key) != 32:
            raise ValueError("CAREERSTREAM master_key must be base64 of exactly 32 bytes")
        return key


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; tests build their own `Settings` instead)."""
    return Settings()
