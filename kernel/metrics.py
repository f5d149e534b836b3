"""Prometheus metrics shared by every process (API, worker, CLI); the names are the dashboard contract."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

EVENTS_PRODUCED = Counter(
    "careerstream_events_produced_total", "Events acknowledged by the broker", ["topic"]
)
PRODUCE_FAILURES = Counter(
    "careerstream_produce_failures_total", "Events the broker did not acknowledge", ["topic"]
)
EVENTS_CONSUMED = Counter(
    "careerstream_events_consumed_total", "Events applied by a projection", ["topic", "projection"]
)
EVENTS_SKIPPED = Counter(
    "careerstream_events_skipped_total",
    "Redelivered events a projection had already applied",
    ["topic", "projection"],
)
EVENTS_FENCED = Counter(
    "careerstream_events_fenced_total",
    "Events about a subject the projection had already erased (applied as no-ops)",
    ["topic", "projection"],
)
EVENTS_FAILED = Counter(
    "careerstream_events_failed_total",
    "Events sent to the dead-letter topic",
    ["topic", "projection", "reason"],
)
BATCH_LATENCY = Histogram(
    "careerstream_projection_batch_seconds",
    "Time to apply one batch of events to a projection's stores",
    ["projection"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
EVENT_AGE = Histogram(
    "careerstream_event_age_seconds",
    "occurred_at -> applied, per event",
    ["projection"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
CONSUMER_LAG = Gauge(
    "careerstream_consumer_lag",
    "Log end offset minus next offset to apply",
    ["projection", "topic", "partition"],
)
