"""The connectors' section of the settings: which providers exist, how to reach them, credentials.

Part of the one settings system (kernel/config.py `Settings.connectors`): filled from the JSON file
named by ``CONNECTORS_FILE`` and/or environment variables ``CONNECTORS__<FIELD>`` (``CONNECTORS__PROVIDERS``
takes a JSON list); values set in the environment win over the file. The stores (Postgres for sync
state, Redis for shared rate limits) are the deployment's own (``DATABASE_URL``, ``REDIS_URL``).
Secrets are ``SecretStr`` so they print as ``**********`` in reprs, logs and tracebacks.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator


class ProviderKind(StrEnum):
    """Which adapter speaks to a provider."""

    COURSERA_CATALOG = "coursera_catalog"
    EDX_DISCOVERY = "edx_discovery"
    FILE_IMPORT = "file_import"


class RetryConfig(BaseModel):
    """Retry policy for 429/5xx/transport errors."""

    max_attempts: int = Field(default=5, ge=1)
    backoff_base_s: float = Field(default=0.5, gt=0)
    backoff_max_s: float = Field(default=30.0, gt=0)
    # A Retry-After longer than this is not waited out: the request fails and the breaker counts it.
    max_retry_after_s: float = Field(default=120.0, gt=0)


class CircuitBreakerConfig(BaseModel):
    """Per-provider breaker: opens after N consecutive failures, probes again after the cool-down."""

    failure_threshold: int = Field(default=5, ge=1)
    reset_timeout_s: float = Field(default=30.0, gt=0)


class ProviderConfig(BaseModel):
    """One course provider."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$")
    kind: ProviderKind
    enabled: bool = True
    base_url: str | None = None
    token: SecretStr | None = None  # bearer token (Coursera-style)
    client_id: str | None = None  # OAuth2 client credentials (edX-style)
    client_secret: SecretStr | None = None
    file_path: str | None = None  # CSV or JSONL (bulk file import)
    page_size: int = Field(default=100, ge=1, le=1000)
    timeout_s: float = Field(default=15.0, gt=0)
    # limits-library notation, e.g. "10/second", "600/minute"; shared by all processes through Redis.
    rate_limit: str = "10/second"
    rate_limit_strategy: Literal["moving-window", "fixed-window", "sliding-window-counter"] = "moving-window"
    retry: RetryConfig = Field(default_factory=lambda: RetryConfig())
    circuit_breaker: CircuitBreakerConfig = Field(default_factory=lambda: CircuitBreakerConfig())
    conditional_cache_entries: int = Field(default=256, ge=0)

    @model_validator(mode="after")
    def _check_kind_fields(self) -> ProviderConfig:
        if self.kind in (ProviderKind.COURSERA_CATALOG, ProviderKind.EDX_DISCOVERY) and not self.base_url:
            raise ValueError(f"provider {self.name}: base_url is required for {self.kind}")
        if self.kind is ProviderKind.EDX_DISCOVERY and not (self.client_id and self.client_secret):
            raise ValueError(f"provider {self.name}: client_id and client_secret are required")
        if self.kind is ProviderKind.FILE_IMPORT and not self.file_path:
            raise ValueError(f"provider {self.name}: file_path is required for file_import")
        return self


class ConnectorsConfig(BaseModel):
    """All connector settings."""

    providers: list[ProviderConfig] = Field(default_factory=list)
    rate_limit_key_prefix: str = "careerstream:ratelimit"
    publish_batch_size: int = Field(default=500, ge=1)
    # A full sync that would remove more than this share of known courses is treated as a provider
    # outage (an empty or truncated catalog), and its removals are withheld.
    max_removal_fraction: float = Field(default=0.5, ge=0, le=1)

    def provider(self, name: str) -> ProviderConfig:
        """The configured provider called ``name`` (KeyError if unknown)."""
        for p in self.providers:
            if p.name == name:
                return p
        raise KeyError(f"unknown provider {name!r}; configured: {[p.name for p in self.providers]}")
