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
import mode.loop
import structlog
from faust.types import TP

from careerstream.config import Settings, get_settings
from careerstream.gc_tuning import tune_gc
from careerstream.metrics import CONSUMER_LAG
from projections.applier import DecodeCache, LogRecord
from projections.framework import Projection
from projections.registry import selected_projections
from schemas.catalog import topic_name
from streams.connections import bootstrap_servers
from streams.runtime import WorkerRuntime

log = structlog.get_logger(__name__)


def _bound_fetch_wait(fetch_max_wait_ms: int) -> None:
    """Faust hard-codes `fetch_max_wait_ms=1500` for its worker consumer. Kafka answers a waiting fetch
    as soon as data arrives, but Tansu (the embedded broker) answers only when the wait expires, which
    made freshness ~750 ms on average there. A shorter wait costs an idle poll per interval; it is a
    setting (`CONSUMER_FETCH_MAX_WAIT_MS`) so a Kafka deployment can keep Faust's value."""
    from faust.transport.drivers import aiokafka as driver

    original = driver.AIOKafkaConsumerThread._create_worker_consumer
    if getattr(original, "_careerstream_wrapped", False):
        return

    def create(self: Any, transport: Any) -> Any:
        consumer = original(self, transport)
        consumer._fetch_max_wait_ms = fetch_max_wait_ms
        return consumer

    create._careerstream_wrapped = True  # type: ignore[attr-defined]
    driver.AIOKafkaConsumerThread._create_worker_consumer = create  # type: ignore[method-assign]


def create_app(settings: Settings, projections: list[Projection] | None = None) -> faust.App:
    """Build the Faust app and register one agent per topic the selected projections read."""
    projections = (
        projections if projections is not None else selected_projections(settings.worker_projections)
    )
    _bound_fetch_wait(settings.consumer_fetch_max_wait_ms)
    settings.faust_datadir.mkdir(parents=True, exist_ok=True)  # Faust creates only the last level
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
        # Faust keeps nothing we need on disk (no tables) but wants a directory of its own.
        datadir=str(settings.faust_datadir),
    )
    state: dict[str, Any] = {"runtime": None, "lock": asyncio.Lock()}

    async def runtime() -> WorkerRuntime:
        async with state["lock"]:
            if state["runtime"] is None:
                state["runtime"] = await WorkerRuntime.start(settings, projections)
            return state["runtime"]

    for logical in sorted({t for p in projections for t in p.topics}):
        readers = [p for p in projections if logical in p.topics]
        _register_topic_agent(app, settings, logical, readers, runtime)

    return app


def _register_topic_agent(
    app: faust.App, settings: Settings, logical: str, readers: list[Projection], runtime: Any
) -> None:
    """One agent per topic: Faust's per-event stream cost is paid once, each record is decoded once,
    and the batch goes to every projection reading the topic concurrently (their Postgres waits
    overlap). A projection reading several topics locks its state rows (see BatchApplier)."""
    channel = app.topic(
        topic_name(settings.topic_prefix, logical),
        key_type=bytes,
        value_type=bytes,
        key_serializer="raw",
        value_serializer="raw",
    )

    batch_size, within = (
        (settings.courses_batch_size, settings.courses_batch_within_s)
        if logical == "courses"
        else (settings.worker_batch_size, settings.worker_batch_within_s)
    )

    async def project(stream: faust.StreamT[bytes]) -> AsyncIterator[None]:
        rt = await runtime()
        appliers = [rt.appliers[p.name] for p in readers]
        # take_events (missing from the StreamT protocol) acks a batch only after this loop body ran.
        async for events in stream.take_events(batch_size, within=within):  # type: ignore[attr-defined]
            records = [
                LogRecord(
                    e.message.topic, e.message.partition, e.message.offset, e.message.key, e.message.value
                )
                for e in events
            ]
            cache: DecodeCache = {}
            try:
                await asyncio.gather(*(applier.apply(records, cache) for applier in appliers))
            except Exception as exc:
                # Stores unreachable or a bug: stop the worker rather than ack unapplied events.
                # The supervisor restarts it and the batch is redelivered from the last commit.
                log.exception("batch_failed", topic=logical, records=len(records))
                await app.crash(exc)
                raise
            for p in readers:
                _record_lag(app, p.name, records)
            yield None

    app.agent(channel, name=f"project_{logical}")(project)


def _record_lag(app: faust.App, projection: str, records: list[LogRecord]) -> None:
    """Consumer lag per partition from the high-water marks of the consumer's own fetches."""
    last: dict[tuple[str, int], int] = {}
    for r in records:
        last[(r.topic, r.partition)] = max(last.get((r.topic, r.partition), -1), r.offset)
    for (topic, partition), offset in last.items():
        highwater = app.consumer.highwater(TP(topic, partition))
        if highwater is not None:
            CONSUMER_LAG.labels(projection=projection, topic=topic, partition=str(partition)).set(
                max(0, highwater - offset - 1)
            )


app = create_app(get_settings())


def run_worker(argv: list[str] | None = None) -> None:
    """Start a Faust worker for `app` (blocking)."""
    tune_gc()
    # uvloop (Faust's `--loop uvloop`): Faust's per-event work is mostly event-loop hops; the course
    # bench ingested 5,144/s on average with it vs 4,711/s with asyncio's loop (4 runs each, 2 pairs
    # alternated).
    mode.loop.use(get_settings().worker_event_loop)
    # --without-web: the CLI otherwise re-enables the web server (port 6066) whatever the app config says.
    sys.argv = ["careerstream-worker", "worker", "--without-web", "-l", "info", *(argv or [])]
    app.main()
