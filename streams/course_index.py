"""The course index's writer side: the `course_index` effect and rebuilds from the log.

The `course_catalog` projection returns one `course_index` Effect per batch, whose ops the handler
below applies (delete-by-id + add, so repeating a batch converges) and commits *before* the applier
writes Redis (the catalog generation key) and commits Postgres; API processes read the same directory
through queries/course_index.py. One writer process per directory (tantivy holds a write lock), i.e.
run `course_catalog` in one worker (`WORKER_PROJECTIONS`). Another host builds its own copy with
`careerstream courses rebuild-index` (a replay of the `courses` topic).
"""

from __future__ import annotations

import asyncio
import shutil
import threading
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog
import tantivy
from psycopg_pool import ConnectionPool
from redis import Redis

from engines.course_search.index import CourseSearchIndex, IndexSchemaMismatchError
from engines.course_search.ops import IndexOp, apply_ops, stage_ops
from kernel.config import Settings
from projections.course_catalog import GENERATION_KEY, index_op
from schemas.events import Event
from schemas.serde import PoisonEvent
from streams.connections import build_serde
from streams.log_reader import read_log

if TYPE_CHECKING:
    from streams.runtime import WorkerRuntime

log = structlog.get_logger(__name__)

_writers: dict[Path, CourseSearchIndex] = {}
_writers_lock = threading.Lock()


def writer_index(settings: Settings) -> CourseSearchIndex:
    """The process-wide writable index of this deployment (opened on first use, then kept).

    An index that doesn't exist yet (new host, lost volume) or has an older schema is built from the
    `courses` topic first, so it never misses courses whose positions Postgres already recorded.
    """
    path = settings.course_index_path
    with _writers_lock:
        index = _writers.get(path)
        if index is not None:
            return index
        fresh = not (path.is_dir() and tantivy.Index.exists(str(path)))
        try:
            index = CourseSearchIndex(path, writer_heap_bytes=256_000_000)
        except IndexSchemaMismatchError as exc:
            log.warning("course_index_schema_changed", path=str(path), error=str(exc))
            shutil.rmtree(path)
            index = CourseSearchIndex(path, writer_heap_bytes=256_000_000)
            fresh = True
        if fresh:
            docs = rebuild_into(index, settings)
            log.info("course_index_built_from_log", path=str(path), courses=docs)
        _writers[path] = index
        return index


async def course_index_effect(rt: WorkerRuntime, args: Mapping[str, Any], event: Event) -> None:
    """Effect handler `course_index`: stage the batch's ops on the loop's thread, commit in another.

    tantivy releases the GIL inside every add and delete, so staging from a worker thread pays a GIL
    hand-off per call, up to the interpreter's switch interval (5 ms) whenever the event loop is busy:
    staging 5,000 synthetic courses took 0.09 s alone and 12 s beside a CPU-bound thread. Staging
    costs ~18 us a course on the loop; the commit is one call (one hand-off), so it alone leaves the
    loop and overlaps the batch's Postgres write.
    """
    ops = [item["op"] for item in args["items"]]
    index = await asyncio.to_thread(writer_index, rt.settings)  # the first call may replay the log
    stage_ops(index, ops)
    await asyncio.to_thread(index.commit)


def rebuild_into(index: CourseSearchIndex, settings: Settings, chunk: int = 20_000) -> int:
    """Replace ``index``'s content with the `courses` topic replayed to its end; returns docs."""
    pool = ConnectionPool(settings.database_url, min_size=1, max_size=2, open=True)
    try:
        serde = build_serde(settings, pool)
        index.writer.delete_all_documents()
        ops: list[IndexOp] = []
        for record in read_log(settings, ["courses"]):
            try:
                event = serde.decode(record.value)
            except PoisonEvent:
                continue  # the live projection dead-letters these; they never reach the index
            op = index_op(event)
            if op is not None:
                ops.append(op)
            if len(ops) >= chunk:
                stage_ops(index, ops)
                ops.clear()
        apply_ops(index, ops)
        return index.num_docs
    finally:
        pool.close()


def rebuild_from_log(settings: Settings, path: Path | None = None) -> int:
    """Rebuild a course index from the `courses` topic (replay to the end of the log); returns docs.

    Stop the worker writing ``path`` first (tantivy allows one writer). Afterwards the catalog
    generation key is bumped so API processes reload their searchers and stop using cached results.
    """
    target = path or settings.course_index_path
    if target.exists():
        shutil.rmtree(target)  # also recovers from a schema change
    index = CourseSearchIndex(target, writer_heap_bytes=512_000_000)
    try:
        docs = rebuild_into(index, settings)
    finally:
        index.close()
    redis = Redis.from_url(settings.redis_url)
    try:
        redis.set(settings.redis_prefix + GENERATION_KEY, f"rebuild:{uuid.uuid4()}")
    finally:
        redis.close()
    return docs
