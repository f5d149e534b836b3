"""The read side of the course index: an API process (or the chat effect) opens the worker's index
directory read-only and reloads its searcher when the catalog generation in Redis changes, so a query
that sees the new generation always searches a commit that contains it."""

from __future__ import annotations

import threading
from pathlib import Path

import structlog

from engines.course_search.index import CourseSearchIndex, IndexSchemaMismatchError
from engines.course_search.query import SearchQuery, SearchResults
from kernel.config import Settings

log = structlog.get_logger(__name__)


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
    path = settings.course_index_path
    reader = _readers.get(path)
    if reader is None:
        reader = _readers.setdefault(path, CourseIndexReader(path))
    return reader
