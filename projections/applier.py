"""Applies batches of log records to one projection: decode, skip what was applied, fold, commit.

One batch = one Postgres transaction:
1. lock the projection's positions for the batch's partitions and drop records below them (redeliveries);
2. decode the rest; records that can't be decoded or that the projection refuses go to the dead-letter sink;
3. load the rows the projection reads, fold every event through `apply`, coalesce the changes;
4. run effects, write Redis, then write rows and the new positions, and commit.
A crash anywhere before the commit leaves Postgres untouched and the records are redelivered; every
step before the commit is idempotent, so the retry converges on the same state.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import psycopg
import structlog
from psycopg_pool import AsyncConnectionPool
from redis.asyncio import Redis
from structlog.contextvars import bound_contextvars

from kernel.metrics import (
    BATCH_LATENCY,
    EVENT_AGE,
    EVENTS_CONSUMED,
    EVENTS_FAILED,
    EVENTS_FENCED,
    EVENTS_SKIPPED,
)
from projections.framework import (
    Effect,
    InvalidEvent,
    Projection,
    State,
    coalesce,
    merge_batched_effects,
)
from projections.postgres_store import (
    load_fences,
    load_rows,
    lock_positions,
    lock_rows,
    recently_erased_unfenced,
    save_fences,
    save_positions,
    write_changes,
)
from projections.redis_store import write_cache_changes
from schemas.events import Event
from schemas.serde import EventSerde, PoisonEvent

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class LogRecord:
    """A record as read from Kafka."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    timestamp_ms: int = 0  # the record's Kafka timestamp (producer create time); 0 when unknown


class DeadLetterSink(Protocol):
    async def send(self, record: LogRecord, projection: str, reason: str) -> None: ...


# Decoded records shared by the projections of one topic: position -> (event, poison reason).
DecodeCache = dict[tuple[str, int, int], tuple[Event | None, str | None]]

EffectHandler = Callable[[Mapping[str, Any], Event], Awaitable[None]]


@dataclass
class BatchOutcome:
    applied: int = 0
    skipped: int = 0
    dead_lettered: int = 0
    fenced: int = 0  # events about subjects this projection has seen erased: applied as no-ops


# Events that pass the erasure fence: the erasure itself (idempotent) and its completion, which holds
# no personal data.
FENCE_PASSES = frozenset({"ErasureRequested", "ErasureCompleted"})


class PositionGap(RuntimeError):
    """A live batch does not continue a partition from the projection's stored position."""


class BatchApplier:
    """Applies batches to one projection; the Faust agent and the replay tool both drive it."""

    def __init__(
        self,
        projection: Projection,
        serde: EventSerde,
        pool: AsyncConnectionPool,
        redis: Redis,
        redis_prefix: str,
        dead_letters: DeadLetterSink,
        effects: Mapping[str, EffectHandler] | None = None,
        run_effects: bool = True,
        check_order: bool = True,
        observe_age: bool = True,
    ) -> None:
        self.projection = projection
        self.serde = serde
        self.pool = pool
        self.redis = redis
        self.redis_prefix = redis_prefix
        self.dead_letters = dead_letters
        self.effects = dict(effects or {})
        # A replay into a fresh namespace must not touch the world (no keys destroyed, no events
        # published, no index written): it applies rows and cache changes only.
        self.run_effects = run_effects
        # Live consumers must deliver each partition in order from the stored position (_in_order);
        # a replay reads the log itself and may skip records on purpose (`--to-time`).
        self.check_order = check_order
        # Event age (now minus occurred_at) measures a live consumer's lag; in a replay it is only the
        # log's age, and observing it per event cost a replay about 2% of its time.
        self.observe_age = observe_age
        self.tables = {t.name: t for t in projection.tables}
        # The erasure fence: a projection that handles ErasureRequested ignores every later event about
        # an erased subject, whatever its topic, so a command racing an erasure (accepted before the
        # DELETE, published after it) cannot re-create personal data. Replays apply the same rule, so
        # they end in the same state whichever topic they read first.
        self.fenced = projection.event_types is None or "ErasureRequested" in projection.event_types
        # Erasing ahead of the log (`erase_ahead`) and a batch must not interleave for one subject: both
        # take the subject's fence lock, the batch for its whole transaction.
        self.erases_ahead = self.fenced and projection.erases_ahead
        self.locks_fences = projection.concurrent_topics or self.erases_ahead

    def _decode_all(
        self, records: Sequence[LogRecord], cache: DecodeCache | None = None
    ) -> list[tuple[LogRecord, Event | None, str | None]]:
        wanted = self.projection.event_types
        if wanted is not None:
            # Skip other event types from the wire header alone (an unknown header still goes on to
            # decode, which dead-letters it). Their positions still advance with the batch.
            kinds = [self.serde.event_type_of(r.value) for r in records]
            records = [r for r, kind in zip(records, kinds, strict=True) if kind is None or kind in wanted]
        # One keystore round trip per batch instead of one per subject.
        self.serde.keystore.warm({r.key.decode(errors="replace") for r in records if r.key})
        out: list[tuple[LogRecord, Event | None, str | None]] = []
        for record in records:
            where = (record.topic, record.partition, record.offset)
            hit = cache.get(where) if cache is not None else None
            if hit is None:
                hit = self._decode(record)
                if cache is not None:
                    cache[where] = hit
            out.append((record, *hit))
        return out

    def _decode(self, record: LogRecord) -> tuple[Event | None, str | None]:
        try:
            event = self.serde.decode(record.value)
        except PoisonEvent as exc:
            return None, exc.reason
        if record.key is not None and record.key.decode(errors="replace") != event.subject_id:
            return None, "message key does not match the event's subject_id"
        return event, None

    async def apply(self, records: Sequence[LogRecord], cache: DecodeCache | None = None) -> BatchOutcome:
        """Apply one batch (records of any partitions, in log order per partition).

        `cache` lets the projections of one topic share decoding (each record is decoded once).
        When Postgres refuses the batch's data (a value it can't store, a violated constraint), the
        batch is re-applied record by record and the record it refuses alone is dead-lettered, so one
        bad event never stalls the stream. Connection errors still propagate (the worker restarts).
        """
        if self.erases_ahead:
            # Erasures in this batch are carried out first, in a short transaction of their own: the
            # batch holds its subjects' fence locks until it commits, after recomputing every user it
            # touched (up to a second under load), and the erasure would wait for all of that.
            await erase_ahead(self, self._erasures_in(records, cache))
        try:
            return await self._apply(records, cache, refused=None)
        except (psycopg.DataError, psycopg.IntegrityError) as exc:
            if len(records) == 1:
                log.warning("store_refused_event", projection=self.projection.name, error=str(exc))
                return await self._apply(records, cache, refused=f"store refused the event: {exc}")
            total = BatchOutcome()
            for record in records:
                one = await self.apply([record], cache)
                total.applied += one.applied
                total.skipped += one.skipped
                total.dead_lettered += one.dead_lettered
            return total

    def _erasures_in(self, records: Sequence[LogRecord], cache: DecodeCache | None) -> list[str]:
        """Subjects of the ErasureRequested events among `records` (told by the wire header, then
        decoded, so a record whose key and subject disagree does not count)."""
        erasures = [r for r in records if self.serde.event_type_of(r.value) == "ErasureRequested"]
        decoded = self._decode_all(erasures, cache) if erasures else []
        return sorted(
            {e.subject_id for _, e, _ in decoded if e is not None and e.event_type == "ErasureRequested"}
        )

    def _in_order(
        self, records: Sequence[LogRecord], next_offsets: Mapping[tuple[str, int], int]
    ) -> list[LogRecord]:
        """The records to apply: per partition, the ones continuing exactly from the stored position
        (records below it are redeliveries, skipped). A record past the position with the ones between
        missing means the consumer delivered out of log order (records fetched before a seek back to
        the projections' positions, see streams/app.py); applying it would move the position past
        records never applied, so the batch is refused and the worker restarts from its positions.
        Offsets within a partition are contiguous (idempotent producers, no transactions); a position
        of 0 accepts any first offset (the log may start later after retention)."""
        expected = dict(next_offsets)
        fresh = []
        for r in records:
            tp = (r.topic, r.partition)
            want = expected[tp]
            if r.offset < want:
                continue
            if r.offset > want and want > 0 and self.check_order:
                raise PositionGap(
                    f"{self.projection.name}: {tp[0]}[{tp[1]}] at {want}, delivered {r.offset} first"
                )
            fresh.append(r)
            expected[tp] = r.offset + 1
        return fresh

    async def _run_effects(self, changes: Sequence[Any], events: Sequence[Event]) -> None:
        if not self.run_effects:
            return
        by_id = {e.event_id: e for e in events}
        for change in changes:
            if isinstance(change, Effect):
                cause = by_id[change.args["event_id"]]
                # Logs written by the handler carry the correlation id of the request behind it.
                with bound_contextvars(correlation_id=cause.correlation_id, event_id=cause.event_id):
                    await self.effects[change.kind](change.args, cause)

    # The batch's one transaction, step by step as the module docstring lists them; each step's branch
    # (redelivery, fence, poison, refusal) must sit inside the transaction it belongs to.
    async def _apply(  # noqa: C901
        self, records: Sequence[LogRecord], cache: DecodeCache | None, refused: str | None
    ) -> BatchOutcome:
        outcome = BatchOutcome()
        if not records:
            return outcome
        name = self.projection.name
        started = time.perf_counter()
        async with self.pool.connection() as conn, conn.transaction():
            next_offsets = await lock_positions(conn, name, {(r.topic, r.partition) for r in records})
            fresh = self._in_order(records, next_offsets)
            outcome.skipped = len(records) - len(fresh)
            if outcome.skipped:
                EVENTS_SKIPPED.labels(topic=records[0].topic, projection=name).inc(outcome.skipped)
            decoded = self._decode_all(fresh, cache)
            wanted = {w for _, ev, _ in decoded if ev is not None for w in self.projection.reads(ev)}
            subjects = {ev.subject_id for _, ev, _ in decoded if ev is not None} if self.fenced else set()
            if self.locks_fences:
                # The fence of a subject is read and written under the same lock as its rows.
                await lock_rows(conn, wanted | {(f"fence:{name}", (s,)) for s in subjects})
            fenced = await load_fences(conn, name, subjects) if subjects else set()
            new_fences: set[str] = set()
            state = State(self.tables, await load_rows(conn, self.tables, wanted) if wanted else {})
            changes = []
            events: list[Event] = []
            for record, event, poison in decoded:
                if refused is not None and event is not None:
                    event, poison = None, refused
                if event is not None and event.subject_id in fenced and event.event_type not in FENCE_PASSES:
                    outcome.fenced += 1
                    EVENTS_FENCED.labels(topic=record.topic, projection=name).inc()
                    continue
                if event is not None:
                    try:
                        event_changes = self.projection.apply(state, event)
                    except InvalidEvent as exc:
                        poison = f"rejected by {name}: {exc}"
                    except Exception as exc:
                        # `apply` is pure, so nothing was half-applied: park the event rather than stall
                        # every projection behind it; the traceback goes to the log for a fix and replay.
                        log.exception("projection_failed_on_event", projection=name, event_id=event.event_id)
                        poison = f"{name} failed on this event: {type(exc).__name__}: {exc}"
                    else:
                        state.apply(event_changes)
                        changes.extend(event_changes)
                        events.append(event)
                        if self.fenced and event.event_type == "ErasureRequested":
                            fenced.add(event.subject_id)
                            new_fences.add(event.subject_id)
                if poison is not None:
                    await self.dead_letters.send(record, name, poison)
                    EVENTS_FAILED.labels(topic=record.topic, projection=name, reason=poison[:40]).inc()
                    outcome.dead_lettered += 1
            # In a thread: a recommendations batch recomputes every user it touched (CPU for up to a
            # second under load), and on the loop it would hold up the worker's other agents and
            # timers (erasing ahead of the stream among them). Pure, so any thread will do.
            final = await asyncio.to_thread(self.projection.finish_batch, state, events) if events else []
            state.apply(final)
            changes.extend(final)
            changes = merge_batched_effects(coalesce(changes, self.tables))
            # Effects (e.g. the search index commit, mostly outside the GIL) overlap the Postgres
            # write; both finish before Redis and the positions are written and the transaction
            # commits, so a crash anywhere before the commit redelivers the batch (effects are
            # idempotent). This cut the course bench's batch time by the index commit's wait.
            await _all_finished(self._run_effects(changes, events), write_changes(conn, self.tables, changes))
            await write_cache_changes(self.redis, self.redis_prefix, changes)
            new_positions: dict[tuple[str, int], int] = {}
            for r in fresh:
                tp = (r.topic, r.partition)
                new_positions[tp] = max(new_positions.get(tp, 0), r.offset + 1)
            await save_fences(conn, name, new_fences)
            await save_positions(conn, name, new_positions)
        outcome.applied = len(events)
        if self.observe_age:
            now = time.time()
            age = EVENT_AGE.labels(projection=name)  # one label lookup per batch, not per event
            for event in events:
                age.observe(max(0.0, now - event.occurred_at.timestamp()))
        for topic, count in Counter(event.topic for event in events).items():
            EVENTS_CONSUMED.labels(topic=topic, projection=name).inc(count)
        BATCH_LATENCY.labels(projection=name).observe(time.perf_counter() - started)
        return outcome


async def erase_ahead(applier: BatchApplier, subjects: Sequence[str]) -> list[str]:
    """Carry out, now, the erasure of subjects whose ErasureRequested is already in the log (the erasure
    ledger recorded it, or the batch at hand holds it) but not yet applied by this projection, and
    fence them; returns the subjects erased here. Only for projections whose erasure does not depend on state
    (`Projection.erases_ahead`).

    Why it is exact: when the stream reaches the subject's events, the fence skips every one of them
    and the ErasureRequested deletes nothing more, so the read model ends as a replay of the log ends
    (the subject's events before its erasure only ever touched rows the erasure deletes). The
    subject's fence lock, which a batch holds from loading its fences to its commit, orders this
    against a batch about the same subject: one that committed first has its rows deleted here, one
    that starts after sees the fence."""
    if not applier.erases_ahead or not subjects:
        return []
    name = applier.projection.name
    async with applier.pool.connection() as conn, conn.transaction():
        # The mode every batch takes on the positions table (lock_positions inserts): the Redis
        # recovery (streams/redis_recovery.py) excludes it, so it never copies rows this is deleting.
        await conn.execute("LOCK TABLE projection_positions IN ROW EXCLUSIVE MODE")
        await lock_rows(conn, {(f"fence:{name}", (s,)) for s in subjects})
        todo = sorted(set(subjects) - await load_fences(conn, name, subjects))
        changes = [c for s in todo for c in applier.projection.erase(s)]
        await write_changes(conn, applier.tables, changes)
        await write_cache_changes(applier.redis, applier.redis_prefix, changes)
        await save_fences(conn, name, todo)
    return todo


async def erase_recent_erasures(applier: BatchApplier, within_s: float = 600.0) -> list[str]:
    """`erase_ahead` for the subjects the erasure ledger recorded in the last `within_s` seconds and
    this projection has not fenced yet (older ones its stream has long reached; the window is on the
    request's event time, so an erasure manager lagging longer than that leaves them to the batch
    path). A worker timer."""
    if not applier.erases_ahead:
        return []
    async with applier.pool.connection() as conn:
        subjects = await recently_erased_unfenced(conn, applier.projection.name, within_s)
    return await erase_ahead(applier, subjects)


async def _all_finished(*steps: Awaitable[None]) -> None:
    """Run steps concurrently and wait for every one to end before raising the first failure, so a
    retry never starts while a step of the failed attempt (e.g. an index write in a thread) still runs."""
    results = await asyncio.gather(*steps, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
