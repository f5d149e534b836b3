"""The Faust application: one agent per projection, each consuming its topics in batches.

Delivery is at-least-once (Faust's exactly-once mode has open duplicate/crash bugs): `take_events`
acks a batch only after the agent has processed it, and the projections' positions in Postgres make
redelivered events no-ops. Topics are created by `careerstream topics` / `up` before workers start;
Faust declares nothing itself.

Run with `careerstream worker` (or `faust -A streams.app worker`).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from typing import Any

import faust
from faust.types import TP
import structlog

from careerstream.config import Settings, get_settings
from careerstream.metrics import CONSUMER_LAG
from projections.applier import LogRecord
from projections.framework import Projection
from projections.registry import all_projections
from schemas.catalog import topic_name
from streams.runtime import WorkerRuntime, bootstrap_servers

log = structlog.get_logger(__name__)


def create_app(settings: Settings, projections: list[Projection] | None = None) -> faust.App:
    """Build the Faust app and register one agent per projection."""
    projections = projections if projections is not None else all_projections()
    brokers = [f"kafka://{h.strip()}" for h in bootstrap_servers(settings).split(",")]
    app = faust.App(
        f"{settings.topic_prefix}-projections",
        broker=brokers,
        key_serializer="raw",
        value_serializer="raw",
        topic_allow_declare=False,
        topic_disable_leader=True,
        web_enabled=False,
        consumer_auto_offset_reset="earliest",
        # Short group timeouts: joining waits about the rebalance timeout, and a killed worker's
        # partitions move after the session timeout.
        broker_session_timeout=settings.consumer_session_timeout_ms / 1000,
        broker_rebalance_timeout=settings.consumer_rebalance_timeout_ms / 1000,
        broker_heartbeat_interval=1.0,
        broker_commit_interval=1.0,
        stream_wait_empty=False,
    )
    state: dict[str, Any] = {"runtime": None, "lock": asyncio.Lock()}

    async def runtime() -> WorkerRuntime:
        async with state["lock"]:
            if state["runtime"] is None:
                state["runtime"] = await WorkerRuntime.start(settings, projections)
            return state["runtime"]

    for projection in projections:
        _register_agent(app, settings, projection, runtime)

    return app


def _register_agent(app: faust.App, settings: Settings, projection: Projection, runtime: Any) -> None:
    topics = [topic_name(settings.topic_prefix, t) for t in projection.topics]
    channel = app.topic(*topics, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")

    async def project(stream: faust.StreamT[bytes]) -> AsyncIterator[None]:
        rt = await runtime()
        applier = rt.appliers[projection.name]
        async for events in stream.take_events(settings.worker_batch_size, within=settings.worker_batch_within_s):
            records = [
                LogRecord(e.message.topic, e.message.partition, e.message.offset, e.message.key, e.message.value)
                for e in events
            ]
            try:
                await applier.apply(records)
            except Exception as exc:
                # Stores unreachable or a bug: stop the worker rather than ack unapplied events.
                # The supervisor restarts it and the batch is redelivered from the last commit.
                log.exception("batch_failed", projection=projection.name, records=len(records))
                await app.crash(exc)
                raise
            _record_lag(app, projection.name, records)
            yield None

    app.agent(channel, name=f"project_{projection.name}")(project)


def _record_lag(app: faust.App, projection: str, records: list[LogRecord]) -> None:
    """Consumer lag per partition from the high-water marks of the consumer's own fetches."""
    last: dict[tuple[str, int], int] = {}
    for r in records:
        last[(r.topic, r.partition)] = max(last.get((r.topic, r.partition), -1), r.offset)
    for (topic, partition), offset in last.items():
        highwater = app.consumer.highwater(TP(topic, partition))
        if highwater is not None:
            CONSUMER_LAG.labels(projection=projection, topic=topic, partition=str(partition)).set(
                max(0, highwater - offset - 1))


app = create_app(get_settings())


def run_worker(argv: list[str] | None = None) -> None:
    """Start a Faust worker for `app` (blocking)."""
    sys.argv = ["careerstream-worker", "worker", "-l", "info", *(argv or [])]
    app.main()
