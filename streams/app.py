"""The Faust application: one agent per projection, each consuming its topics in batches.

Delivery is at-least-once (Faust's exactly-once mode has open duplicate/crash bugs): `take_events`
acks a batch only after the agent has processed it, and the projections' positions in Postgres make
redelivered events no-ops. Topics are created by `careerstream topics` / `up` before workers start;
Faust declares nothing itself.

Run with `careerstream worker`; nothing is built at import (`run_worker` builds the app).
"""

from __future__ import annotations

import asyncio
import atexit
import os
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterable, Mapping
from typing import Any

import faust
import mode.loop
import psycopg
import structlog
from faust.transport.consumer import Consumer
from faust.transport.drivers import aiokafka as driver
from faust.types import TP

from kernel.config import Settings
from kernel.gc_tuning import tune_gc
from kernel.metrics import CONSUMER_LAG
from projections.applier import BatchApplier, DecodeCache, LogRecord, erase_recent_erasures
from projections.framework import Projection
from projections.registry import projection_names, runs_projection
from schemas.catalog import TOPIC_PARTITIONS, topic_name
from streams.audit_notary import NotarySpec
from streams.chat_effect import warm
from streams.connections import bootstrap_servers
from streams.log_reader import LogEnds
from streams.redis_recovery import check_once
from streams.retention import run_and_publish
from streams.runtime import WorkerRuntime
from streams.stall_watch import StallWatch
from streams.worker_projections import projections_for

log = structlog.get_logger(__name__)

NOTARY = NotarySpec()


def _bound_fetch_wait(fetch_max_wait_ms: int) -> None:
    """Faust hard-codes `fetch_max_wait_ms=1500` for its worker consumer. Kafka answers a waiting fetch
    as soon as data arrives, but Tansu (the embedded broker) answers only when the wait expires, which
    made freshness ~750 ms on average there. A shorter wait costs an idle poll per interval; it is a
    setting (`CONSUMER_FETCH_MAX_WAIT_MS`) so a Kafka deployment can keep Faust's value."""

    original = driver.AIOKafkaConsumerThread._create_worker_consumer
    if getattr(original, "_careerstream_wrapped", False):
        return

    def create(self: Any, transport: Any) -> Any:
        consumer = original(self, transport)
        consumer._fetch_max_wait_ms = fetch_max_wait_ms
        return consumer

    create._careerstream_wrapped = True  # type: ignore[attr-defined]
    driver.AIOKafkaConsumerThread._create_worker_consumer = create  # type: ignore[method-assign]


def projection_start_offsets(
    database_url: str, readers_by_topic: Mapping[str, list[str]], assigned: Iterable[TP]
) -> dict[TP, int]:
    """Where each assigned partition must be read from: the lowest next offset of the projections (and
    the audit notary) that read its topic, 0 where one has no position yet."""
    wanted = [tp for tp in assigned if tp.topic in readers_by_topic]
    if not wanted:
        return {}
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT projection, topic, partition, next_offset FROM projection_positions"
            " WHERE topic = ANY(%s)",
            (sorted({tp.topic for tp in wanted}),),
        ).fetchall()
    positions = {(name, topic, int(part)): int(offset) for name, topic, part, offset in rows}
    return {
        tp: min(positions.get((name, tp.topic, tp.partition), 0) for name in readers_by_topic[tp.topic])
        for tp in wanted
    }


def _resume_from_projection_positions(database_url: str, readers_by_topic: Mapping[str, list[str]]) -> None:
    """The log positions that count are the projections' own, in Postgres, written with their rows.
    Faust seeks an assigned partition to the group's committed Kafka offset, and `take_events` acks
    (and so commits) a batch in a `finally` even when the batch was cancelled mid-way (a graceful stop
    or a rebalance): the committed offset can run ahead of what the projections applied. So after
    Faust's seek, every partition is moved back to the lowest projection position where that is
    lower; events below a projection's own position are skipped by its applier, so nothing is
    applied twice and nothing acknowledged is left unapplied."""

    original = Consumer.perform_seek
    if getattr(original, "_careerstream_wrapped", False):
        return

    async def perform_seek(self: Any) -> None:
        await original(self)
        starts = await asyncio.to_thread(
            projection_start_offsets, database_url, readers_by_topic, set(self.assignment())
        )
        for tp, offset in starts.items():
            current = self._read_offset.get(tp)
            if current is None or offset < current:
                log.info("seek_to_projection_position", topic=tp.topic, partition=tp.partition, offset=offset)
                await self.seek(tp, offset)

    perform_seek._careerstream_wrapped = True  # type: ignore[attr-defined]
    Consumer.perform_seek = perform_seek  # type: ignore[method-assign]


def consumer_group(topic_prefix: str, wanted: list[str]) -> str:
    """The Faust app id, i.e. the consumer group: one per set of projections, so workers running
    different sets (see `worker_process_sets`) each read every partition, and workers running the same
    set share them. A worker running everything keeps the original group."""
    base = f"{topic_prefix}-projections"
    return base if not wanted else f"{base}-{'+'.join(sorted(wanted))}"


def create_app(settings: Settings, projections: list[Projection] | None = None) -> faust.App:
    """Build the Faust app and register one agent per topic the selected projections read."""
    wanted = projection_names(settings.worker_projections)
    # The audit notary runs where every projection runs, or where it is named.
    notary = not wanted or NOTARY.name in wanted
    if projections is None:
        projections = projections_for(settings, ",".join(n for n in wanted if n != NOTARY.name))
        if wanted == [NOTARY.name]:
            projections = []
    _bound_fetch_wait(settings.consumer_fetch_max_wait_ms)
    settings.faust_datadir.mkdir(parents=True, exist_ok=True)  # Faust creates only the last level
    brokers = [f"kafka://{h.strip()}" for h in bootstrap_servers(settings).split(",")]
    app = faust.App(
        consumer_group(settings.topic_prefix, wanted),
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
                state["runtime"] = await WorkerRuntime.start(settings, projections, notary=notary)
            return state["runtime"]

    if notary and settings.retention_interval_s > 0:
        # The worker that runs every projection also enforces retention, once per interval (the
        # last run's time is in Postgres, so several such workers still run it about once).
        @app.timer(min(settings.retention_interval_s, 3600.0))
        async def retention() -> None:
            rt = await runtime()
            await run_and_publish(settings, rt.producer, only_if_due=True)

    readers_of: list[Projection | NotarySpec] = [*projections, *([NOTARY] if notary else [])]
    readers_by_topic = {
        topic_name(settings.topic_prefix, logical): [p.name for p in readers_of if logical in p.topics]
        for logical in {t for p in readers_of for t in p.topics}
    }
    _resume_from_projection_positions(settings.database_url, readers_by_topic)
    if settings.stall_restart_s > 0:
        _restart_if_stalled(app, settings, readers_by_topic)
    for logical in sorted({t for p in readers_of for t in p.topics}):
        readers = [p for p in readers_of if logical in p.topics]
        _register_topic_agent(app, settings, logical, readers, runtime)

    cached = [p.name for p in projections]

    erasing_ahead = [p.name for p in projections if p.erases_ahead]
    if erasing_ahead and settings.erase_ahead_interval_s > 0:

        @app.timer(interval=settings.erase_ahead_interval_s)
        async def erase_ahead_of_streams() -> None:
            """Erasures already decided (key destroyed, ledger row written) carried out now in the
            projections whose own stream has not reached them yet (projections/applier.py)."""
            rt = await runtime()
            for name in erasing_ahead:
                applier = rt.appliers[name]
                assert isinstance(applier, BatchApplier)
                try:
                    erased = await erase_recent_erasures(applier)
                except Exception:
                    # An accelerator only (the stream erases in log order anyway): a store that is
                    # down must not crash the worker from here; the next tick tries again.
                    log.warning("erase_ahead_failed", projection=name, exc_info=True)
                    continue
                if erased:
                    log.info("erased_ahead_of_stream", projection=name, subjects=len(erased))

    @app.timer(interval=1.0)
    async def restore_redis_read_models() -> None:
        """Redis lost its data (restarted empty)? Rewrite the read models' keys from Postgres."""

        rt = await runtime()
        await check_once(rt.pool, rt.redis, settings.redis_prefix, cached)

    return app


def _restart_if_stalled(
    app: faust.App, settings: Settings, readers_by_topic: Mapping[str, list[str]]
) -> None:
    """A timer ending the process when it has stalled (see streams/stall_watch.py)."""
    watch = StallWatch()
    log_ends = LogEnds(settings)
    # One client for the process's life; closed at a normal exit (a stall's os._exit needs no tidying).
    atexit.register(log_ends.close)

    every_partition = {
        TP(topic, p)
        for topic in readers_by_topic
        for logical, n in TOPIC_PARTITIONS.items()
        if topic == topic_name(settings.topic_prefix, logical)
        for p in range(n)
    }

    @app.timer(interval=min(10.0, settings.stall_restart_s / 3))
    async def restart_if_stalled() -> None:
        assigned = set(app.consumer.assignment())
        if not assigned:
            # Faust sets `unassigned` when the group gave this worker nothing. CI saw a worker stay so
            # while the group's other member was a killed worker whose session had lapsed across a
            # broker restart: no rebalance ever came. Then the group as a whole is watched: no
            # position moving anywhere while records wait.
            if getattr(app, "unassigned", None) is not True:
                return  # not in the group yet
            assigned = every_partition
        try:
            positions = await asyncio.to_thread(
                projection_start_offsets, settings.database_url, readers_by_topic, assigned
            )
            ends = await asyncio.to_thread(log_ends.of, positions)
        except Exception:
            log.warning("stall_check_failed", exc_info=True)  # a store or the broker is down: not a stall
            return
        stalled = watch.observe(positions, ends, time.monotonic())
        if stalled >= settings.stall_restart_s:
            behind = {
                f"{tp.topic}[{tp.partition}]": ends[tp] - o for tp, o in positions.items() if ends[tp] > o
            }
            log.error("consumer_stalled_restarting", seconds=round(stalled), behind=behind)
            os._exit(75)


# A crashed worker gets this long to stop gracefully, then ends its process (see exit_if_stop_hangs).
CRASH_STOP_BUDGET_S = 5.0


def exit_if_stop_hangs(seconds: float) -> threading.Timer:
    """End the process if it is still alive `seconds` from now. After a Postgres restart under load
    (`careerstream chaos restart-postgres`), Faust's graceful stop following `app.crash` logged its
    steps up to LeaveGroup and then waited forever, so the process never exited and the supervisor
    never restarted it: projections stalled until someone killed it. The failed batch was not
    acknowledged, so ending the process here is as safe as a SIGKILL (test_kill_under_load)."""

    def bail() -> None:
        log.error("worker_stop_timed_out", seconds=seconds)
        os._exit(70)

    timer = threading.Timer(seconds, bail)
    timer.daemon = True
    timer.start()
    return timer


def _register_topic_agent(
    app: faust.App, settings: Settings, logical: str, readers: list[Projection | NotarySpec], runtime: Any
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

    batch_size, within = {
        "courses": (settings.courses_batch_size, settings.courses_batch_within_s),
        "chat": (settings.worker_batch_size, settings.chat_batch_within_s),
    }.get(logical, (settings.worker_batch_size, settings.worker_batch_within_s))

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
                exit_if_stop_hangs(CRASH_STOP_BUDGET_S)
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


def run_worker(settings: Settings, argv: list[str] | None = None) -> None:
    """Build the Faust app for `settings` and run one worker of it (blocking)."""
    tune_gc()
    # uvloop (Faust's `--loop uvloop`): Faust's per-event work is mostly event-loop hops; the course
    # bench ingested 5,144/s on average with it vs 4,711/s with asyncio's loop (4 runs each, 2 pairs
    # alternated).
    mode.loop.use(settings.worker_event_loop)
    app = create_app(settings)
    # Heavy engines load before the worker joins its consumer group: a (re)started or added worker takes
    # partitions only once it can serve them, so a restart or a rebalance never parks a chat message
    # behind a model load.
    if runs_projection(settings.worker_projections, "chat_conversations"):
        warm()
    # --without-web: the CLI otherwise re-enables the web server (port 6066) whatever the app config says.
    sys.argv = ["careerstream-worker", "worker", "--without-web", "-l", "info", *(argv or [])]
    app.main()
