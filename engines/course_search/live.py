"""The course index as a live projection: the worker writes it, API processes read it.

Writer side: the `course_catalog` projection returns one `course_index` Effect per batch, whose ops the
handler below applies (delete-by-id + add, so repeating a batch converges) and commits *before* the
applier writes Redis (the catalog generation key) and commits Postgres. Reader side: an API process
opens the same directory read-only and reloads its searcher when the generation in Redis changes, so
a query that sees the new generation always searches a commit that contains it.

One directory per topic prefix (`<course_index_dir>/<topic_prefix>`); one writer process per directory
(tantivy holds a write lock), i.e. run `course_catalog` in one worker (`WORKER_PROJECTIONS`). Another
host builds its own copy with `careerstream courses rebuild-index` (a replay of the `courses` topic).
"""

from __future__ import annotations

import asyncio
import shutil
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog
import tantivy

from engines.course_search.index import CourseSearchIndex, IndexSchemaMismatchError
from engines.course_search.query import SearchQuery, SearchResults

if TYPE_CHECKING:
    from careerstream.config import Settings
    from schemas.events import Event
    from streams.runtime import WorkerRuntime

log = structlog.get_logger(__name__)

# An index op: ("upsert", course payload with course_id) or ("remove", course_id).
IndexOp = tuple[str, Any]


def index_path(settings: Settings) -> Path:
    """Where this deployment's course index lives (one per topic prefix)."""
    return Path(settings.course_index_dir) / settings.topic_prefix


_writers: dict[Path, CourseSearchIndex] = {}
_writers_lock = threading.Lock()


def writer_index(settings: Settings) -> CourseSearchIndex:
    """The process-wide writable index of this deployment (opened on first use, then kept).

    An index that doesn't exist yet (new host, lost volume) or has an older schema is built from the
    `courses` topic first, so it never misses courses whose positions Postgres already recorded.
    """
    path = index_path(settings)
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


def last_op_per_course(ops: Iterable[IndexOp]) -> tuple[list[Mapping[str, Any]], list[str]]:
    """Upserts and removals, keeping only the last op of each course (ops are in log order)."""
    latest: dict[str, IndexOp] = {}
    for kind, value in ops:
        course_id = value["course_id"] if kind == "upsert" else value
        latest.pop(course_id, None)  # re-insert so dict order follows the last op
        latest[course_id] = (kind, value)
    upserts = [v for k, v in latest.values() if k == "upsert"]
    removals = [v for k, v in latest.values() if k == "remove"]
    return upserts, removals


def stage_ops(index: CourseSearchIndex, ops: Sequence[IndexOp]) -> int:
    """Stage a batch of ops without committing; idempotent (replace by id, delete by id)."""
    upserts, removals = last_op_per_course(ops)
    return index.apply(upserts, removals)


def apply_ops(index: CourseSearchIndex, ops: Sequence[IndexOp]) -> int:
    """Stage and commit a batch of ops."""
    count = stage_ops(index, ops)
    index.commit()
    return count


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


class CourseIndexReader:
    """Read-only access to the index for an API process; reloads when the catalog generation changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._index: CourseSearchIndex | None = None
        self._generation: str | None = None
        self._lock = threading.Lock()

    def _current(self, generation: str) -> CourseSearchIndex | None:
        with self._lock:
            if self._index is None:
                try:
                    self._index = CourseSearchIndex.open_reader(self.path)
                except (FileNotFoundError, IndexSchemaMismatchError):
                    return None  # nothing projected yet, or the worker is rebuilding it
                self._generation = generation
            elif generation != self._generation:
                self._index.reload()
                self._generation = generation
            return self._index

    def search(self, query: SearchQuery, generation: str) -> SearchResults | None:
        """Search the commit at least as new as ``generation``; None when no index exists yet."""
        for attempt in range(2):
            index = self._current(generation)
            if index is None:
                return None
            try:
                return index.search(query)
            except ValueError:
                # A merge in the writer removed a segment file this reader had not opened yet: reopen.
                if attempt:
                    raise
                log.warning("course_index_reopen", path=str(self.path))
                with self._lock:
                    self._index = None
        return None


_readers: dict[Path, CourseIndexReader] = {}


def reader_for(settings: Settings) -> CourseIndexReader:
    """The process-wide reader of this deployment's index."""
    path = index_path(settings)
    reader = _readers.get(path)
    if reader is None:
        reader = _readers.setdefault(path, CourseIndexReader(path))
    return reader


def rebuild_into(index: CourseSearchIndex, settings: Settings, chunk: int = 20_000) -> int:
    """Replace ``index``'s content with the `courses` topic replayed to its end; returns docs."""
    from psycopg_pool import ConnectionPool

    from schemas.serde import PoisonEvent
    from streams.connections import build_serde
    from streams.replay import read_log

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
    import uuid

    from redis import Redis

    target = path or index_path(settings)
    if target.exists():
        shutil.rmtree(target)  # also recovers from a schema change
    index = CourseSearchIndex(target, writer_heap_bytes=512_000_000)
    try:
        docs = rebuild_into(index, settings)
    finally:
        index.close()
    redis = Redis.from_url(settings.redis_url)
    try:
        redis.set(settings.redis_prefix + "courses:generation", f"rebuild:{uuid.uuid4()}")
    finally:
        redis.close()
    return docs


def index_op(event: Event) -> IndexOp | None:
    """The index op of a course event, as the live projection derives it (None: not a course event)."""
    from projections.course_catalog import course_row, index_document
    from projections.framework import InvalidEvent

    if event.event_type == "CourseUpserted":
        try:
            return ("upsert", index_document(course_row(event)))
        except InvalidEvent:
            return None
    if event.event_type == "CourseRemoved":
        return ("remove", event.subject_id)
    return None
