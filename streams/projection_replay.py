"""Rebuild one read model from the log into a fresh namespace, optionally as of a past time, and
compare it with the live one row by row (`careerstream replay --projection NAME [--to-time T] [--verify]`).

The rebuild lands in the Postgres schema `replay_<projection>` (every migration applied there) and
under the Redis prefix `<REDIS_PREFIX>replay:<projection>:`, driven by the same `BatchApplier` and
projection functions as the live agents, with effects off (a replay destroys no key, publishes no
event, writes no index) and poison events counted, not dead-lettered again. Data keys stay where
they are (the live `subject_keys`), so personal fields decrypt exactly as they do live and read back
redacted after an erasure. Projections take no wall clock and no randomness, so on a quiet system the
rebuild equals the live read model (`verify` finds no difference).
"""

from __future__ import annotations

import asyncio
import gc
import json
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql
from psycopg_pool import AsyncConnectionPool, ConnectionPool
from redis import Redis
from redis.asyncio import Redis as AsyncRedis

from kernel.config import Settings
from projections.applier import BatchApplier, DecodeCache, LogRecord
from projections.framework import Projection
from projections.migrate import migrate
from schemas.catalog import TOPIC_PARTITIONS
from streams.connections import build_serde
from streams.log_reader import log_size, read_log
from streams.retention import apply_rule, latest_cutoffs, retention_rules
from streams.worker_projections import projections_for

# Records applied per transaction. Larger chunks coalesce more writes to one row (a user's profile
# is written once per chunk, not once per event) and cut round trips: 5,000 -> 20,000 took a
# one-process replay of 100,000 profile events over 1,000 users from ~9,500 to ~12,000 events/s.
CHUNK = 20_000


def replay_schema(projection: Projection) -> str:
    return f"replay_{projection.name}"


def replay_redis_prefix(settings: Settings, projection: Projection) -> str:
    return f"{settings.redis_prefix}replay:{projection.name}:"


def _with_search_path(database_url: str, schema: str) -> str:
    # Unqualified table names resolve to the replay schema first; `subject_keys`, dropped there, to public.
    return psycopg.conninfo.make_conninfo(database_url, options=f"-c search_path={schema},public")


@dataclass
class CountingSink:
    """Poison events seen during a replay (they were dead-lettered when they first arrived)."""

    reasons: list[str] = field(default_factory=list)

    async def send(self, record: LogRecord, projection: str, reason: str) -> None:
        self.reasons.append(reason)


@dataclass
class ReplayReport:
    projection: str
    schema: str
    to_time: str | None
    events_read: int = 0
    applied: int = 0
    dead_letters: int = 0
    seconds: float = 0.0

    @property
    def events_per_s(self) -> float:
        return self.events_read / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "events_per_s": round(self.events_per_s)}


def _prepare_namespace(settings: Settings, projection: Projection) -> str:
    schema = replay_schema(projection)
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    url = _with_search_path(settings.database_url, schema)
    migrate(url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP TABLE {}.subject_keys").format(sql.Identifier(schema)))
    redis = Redis.from_url(settings.redis_url)
    for key in redis.scan_iter(match=f"{replay_redis_prefix(settings, projection)}*", count=1000):
        redis.delete(key)
    redis.close()
    return url


def _chunks(records: Iterator[LogRecord], until_ms: int | None) -> Iterator[list[LogRecord]]:
    chunk: list[LogRecord] = []
    for record in records:
        if until_ms is not None and record.timestamp_ms > until_ms:
            continue
        chunk.append(record)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# Below this many records one process is as fast: forking and opening a process's connections take
# a few hundred ms (measured by a one-off script on 2 cores: 20,000 profile events, ~10,000/s in one
# process vs ~15,000/s in two; 100,000 events, ~11,000/s vs 17,000-23,000/s).
PARALLEL_FROM_RECORDS = 10_000


def auto_processes(settings: Settings, projection: Projection) -> int:
    """Processes for a replay when none are asked for: one per core for a large log, else one."""
    if parallel_partitions(projection) is None:
        return 1
    if log_size(settings, sorted(projection.topics)) < PARALLEL_FROM_RECORDS:
        return 1
    return os.cpu_count() or 1


@contextmanager
def bulk_allocation() -> Iterator[None]:
    """Fewer cyclic garbage collections while a replay runs. A replay allocates a few containers per
    event (record, payload, event, row), and every 700 allocations CPython's collector ran, its older
    generations walking everything alive: the imported projections and catalogues, and the chunk at
    hand. With the objects alive at the start frozen (never scanned again; forked processes inherit
    that) and a young generation of 50,000, a replay of 100,000 profile events went from ~8.6 to
    ~5 CPU seconds in its processes (one-off script, 2 cores). Garbage cycles still get collected,
    later; the settings are restored afterwards."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, threshold[1], threshold[2])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def parallel_partitions(projection: Projection) -> int | None:
    """How many partitions a replay can split among processes: every topic the projection reads has
    that many partitions (keys land on the same partition number in each, so one process holds all
    of a key's events), else None (one process)."""
    counts = {TOPIC_PARTITIONS[t] for t in projection.topics}
    return counts.pop() if len(counts) == 1 else None


async def replay_projection(
    settings: Settings,
    projection: Projection,
    to_time: datetime | None = None,
    progress: Callable[[int], None] | None = None,
    processes: int = 1,
) -> ReplayReport:
    """Rebuild `projection` from the log into its replay namespace; `progress(events_read)` per chunk.

    With `processes` > 1 the partitions are split among that many processes (when the projection's
    topics allow it, see `parallel_partitions`): decoding, decrypting and applying are CPU-bound
    Python, so one process is bound to one core. Each process applies its partitions with the same
    applier; positions and rows are per partition and per key, so the processes never touch the
    same row."""
    url = _prepare_namespace(settings, projection)
    report = ReplayReport(
        projection.name, replay_schema(projection), to_time.isoformat() if to_time else None
    )
    until_ms = int(to_time.timestamp() * 1000) if to_time else None
    partitions = parallel_partitions(projection)
    started = time.perf_counter()
    try:
        with bulk_allocation():
            if processes > 1 and partitions is not None and partitions > 1:
                shares = [list(range(i, partitions, processes)) for i in range(min(processes, partitions))]
                # Forked, not spawned: a spawned process imports the projections again (about 2.5 s,
                # the recommendation model's scikit-learn among them), which ate the gain of a second
                # process on a 100,000-event log. No connection, pool or consumer of ours is open here
                # (the namespace was prepared on connections since closed); each child opens its own
                # and runs its own event loop, and `_forked_child` undoes what a caller's terminal UI
                # (the CLI's progress bar) and event loop left in the process.
                context = multiprocessing.get_context("fork")
                with ProcessPoolExecutor(
                    max_workers=len(shares), mp_context=context, initializer=_forked_child
                ) as pool:
                    futures = [
                        pool.submit(
                            _replay_share, settings.model_dump(), projection.name, url, until_ms, share
                        )
                        for share in shares
                    ]
                    for future in as_completed(futures):
                        read, applied, dead = future.result()
                        report.events_read += read
                        report.applied += applied
                        report.dead_letters += dead
                        if progress is not None:
                            progress(report.events_read)
            else:
                read, applied, dead = await _replay_into(settings, projection, url, until_ms, None, progress)
                report.events_read, report.applied, report.dead_letters = read, applied, dead
    finally:
        report.seconds = round(time.perf_counter() - started, 3)
    _apply_retention(settings, projection)
    return report


def _forked_child() -> None:
    """First thing in a forked replay process: write to the real stdout/stderr, not through a copy of
    the parent's rich console (whose lock its refresh thread may have held at the fork), and let
    Ctrl-C stop the process (the parent's event loop had taken SIGINT over)."""
    sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    signal.signal(signal.SIGINT, signal.default_int_handler)


def _replay_share(
    settings_values: dict[str, Any], name: str, url: str, until_ms: int | None, partitions: list[int]
) -> tuple[int, int, int]:
    """One process's share of a parallel replay (runs in a forked process)."""
    settings = Settings(**settings_values)
    (projection,) = projections_for(settings, name)
    return asyncio.run(_replay_into(settings, projection, url, until_ms, partitions, None))


async def _replay_into(
    settings: Settings,
    projection: Projection,
    url: str,
    until_ms: int | None,
    partitions: list[int] | None,
    progress: Callable[[int], None] | None,
) -> tuple[int, int, int]:
    """Apply the log (`partitions` of the projection's topics, or all) to the replay namespace at
    `url`; (events read, applied, poison events)."""
    key_pool = ConnectionPool(settings.database_url, min_size=1, max_size=2, open=True)
    pool = AsyncConnectionPool(url, min_size=1, max_size=4, open=False)
    await pool.open()
    redis = AsyncRedis.from_url(settings.redis_url)
    sink = CountingSink()
    applier = BatchApplier(
        projection,
        build_serde(settings, key_pool),
        pool,
        redis,
        replay_redis_prefix(settings, projection),
        sink,
        run_effects=False,
        check_order=False,
        observe_age=False,
    )
    chunks = _chunks(read_log(settings, sorted(projection.topics), partitions), until_ms)
    read = applied = 0
    try:
        # Read the next chunk from the log (a thread) while this one is applied.
        upcoming = asyncio.ensure_future(asyncio.to_thread(next, chunks, None))
        while (chunk := await upcoming) is not None:
            upcoming = asyncio.ensure_future(asyncio.to_thread(next, chunks, None))
            cache: DecodeCache = {}
            outcome = await applier.apply(chunk, cache)
            read += len(chunk)
            applied += outcome.applied
            if progress is not None:
                progress(read)
    finally:
        await pool.close()
        await redis.aclose()
        key_pool.close()
    return read, applied, len(sink.reasons)


def _apply_retention(settings: Settings, projection: Projection) -> None:
    """What retention deleted live, delete from the rebuild too (same cutoffs), so the two compare."""
    cutoffs = latest_cutoffs(settings)
    tables = {t.name for t in projection.tables}
    with psycopg.connect(settings.database_url) as conn:
        for rule in retention_rules(settings):
            if rule.table in tables and rule.name in cutoffs:
                apply_rule(conn, rule, cutoffs[rule.name], schema=replay_schema(projection))


@dataclass
class Difference:
    where: str  # table or redis
    what: str  # "only live", "only replay", "differs"
    row: Any


def verify_projection(settings: Settings, projection: Projection, limit: int = 20) -> list[Difference]:
    """Rows (as JSON) of each table and the positions that differ between live and replay; then the
    Redis keys the replay wrote whose live copy differs. Empty: identical."""
    schema = replay_schema(projection)
    differences: list[Difference] = []
    with psycopg.connect(settings.database_url) as conn:
        for table in projection.tables:
            live = sql.SQL("SELECT to_jsonb(t) AS r FROM public.{} t").format(sql.Identifier(table.name))
            rebuilt = sql.SQL("SELECT to_jsonb(t) AS r FROM {}.{} t").format(
                sql.Identifier(schema), sql.Identifier(table.name)
            )
            for label, a, b in (("only live", live, rebuilt), ("only replay", rebuilt, live)):
                query = sql.SQL("SELECT r FROM ({} EXCEPT ALL {}) d LIMIT %s").format(a, b)
                differences += [Difference(table.name, label, r[0]) for r in conn.execute(query, (limit,))]
        positions = sql.SQL(
            "SELECT topic, partition, next_offset FROM {}.projection_positions WHERE projection = %s"
        )
        live_pos = set(
            conn.execute(positions.format(sql.Identifier("public")), (projection.name,)).fetchall()
        )
        replay_pos = set(
            conn.execute(positions.format(sql.Identifier(schema)), (projection.name,)).fetchall()
        )
        differences += [
            Difference("projection_positions", "only live", list(r)) for r in live_pos - replay_pos
        ]
        differences += [
            Difference("projection_positions", "only replay", list(r)) for r in replay_pos - live_pos
        ]
    differences += _redis_differences(settings, projection, limit)
    return differences


def _redis_value(redis: Redis, key: str) -> Any:
    kind = redis.type(key)
    kind = kind.decode() if isinstance(kind, bytes) else kind
    if kind == "string":
        return redis.get(key)
    if kind == "hash":
        return redis.hgetall(key)
    if kind == "zset":
        return redis.zrange(key, 0, -1, withscores=True)
    if kind == "set":
        return sorted(redis.smembers(key))  # type: ignore[arg-type]
    if kind == "list":
        return redis.lrange(key, 0, -1)
    return None


def _same_value(a: Any, b: Any) -> bool:
    """Equal, or both JSON documents with equal content: a copy restored from Postgres (jsonb keeps
    no key order; see streams/redis_recovery.py) holds the same document in another key order."""
    if a == b:
        return True
    if isinstance(a, bytes) and isinstance(b, bytes):
        try:
            return bool(json.loads(a) == json.loads(b))
        except ValueError:
            return False
    return False


def _redis_differences(settings: Settings, projection: Projection, limit: int) -> list[Difference]:
    prefix = replay_redis_prefix(settings, projection)
    redis = Redis.from_url(settings.redis_url)
    out: list[Difference] = []
    try:
        for raw in redis.scan_iter(match=f"{prefix}*", count=1000):
            replay_key = raw.decode()
            live_key = settings.redis_prefix + replay_key.removeprefix(prefix)
            if not _same_value(_redis_value(redis, replay_key), _redis_value(redis, live_key)):
                out.append(Difference("redis", "differs", live_key))
                if len(out) >= limit:
                    break
    finally:
        redis.close()
    return out
