"""Projection building blocks: a projection is a pure function (state, event) -> changes.

A projection never does I/O. It declares which rows it needs to see (`reads`), receives them through a
read-only `State`, and returns `Change`s. Store adapters apply the changes; the `BatchApplier` loads
state, folds a batch of events through the projection and commits rows and log positions together.
The same projection code serves the live Faust agent, the replay tool and the unit tests.

Idempotency rules every projection follows:
- Postgres changes are absolute (upsert the whole row, delete by key), never increments of unknown base;
- Redis changes are absolute too (set / delete): re-applying a batch after a crash rewrites the same values;
- effects (publishing an event, destroying a key) must be safe to repeat.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from schemas.events import Event

Key = tuple[Any, ...]
Row = Mapping[str, Any]


@dataclass(frozen=True)
class Table:
    """A Postgres table a projection owns. `json_columns` are stored as JSONB."""

    name: str
    key_columns: tuple[str, ...]
    columns: tuple[str, ...]
    json_columns: frozenset[str] = frozenset()

    def key_of(self, row: Row) -> Key:
        # Called twice per change of a batch; a generator expression here was 7% of a replay.
        columns = self.key_columns
        if len(columns) == 1:
            return (row[columns[0]],)
        return tuple([row[c] for c in columns])


@dataclass(frozen=True)
class Upsert:
    """Make the row with this key equal to `row` (which includes the key columns)."""

    table: str
    row: Row


@dataclass(frozen=True)
class Delete:
    """Delete the row with this key (no-op when absent)."""

    table: str
    key: Key


@dataclass(frozen=True)
class DeleteWhere:
    """Delete every row whose `column` equals `value` (erasure of all of a user's rows)."""

    table: str
    column: str
    value: Any


@dataclass(frozen=True)
class CacheSet:
    """Set a Redis key (under the configured prefix) to a value, optionally with a TTL."""

    key: str
    value: str
    ttl_s: int | None = None


@dataclass(frozen=True)
class CacheDelete:
    """Delete a Redis key (under the configured prefix)."""

    key: str


@dataclass(frozen=True)
class Effect:
    """A side effect run before the batch commits (must be idempotent): `kind` selects the handler.

    `args["event_id"]` names the causing event. A `batched` effect runs once per batch for all the
    effects of its kind: the handler gets `{"event_id": <first cause>, "items": [args, ...]}` in log
    order (e.g. one search-index commit per batch instead of one per event).
    """

    kind: str
    args: Mapping[str, Any] = field(default_factory=dict)
    batched: bool = False


def merge_batched_effects(changes: Sequence[Change]) -> list[Change]:
    """Replace the batched effects of each kind by one effect, at the place of the first."""
    items: dict[str, list[Mapping[str, Any]]] = {}
    for ch in changes:
        if isinstance(ch, Effect) and ch.batched:
            items.setdefault(ch.kind, []).append(ch.args)
    out: list[Change] = []
    for ch in changes:
        if isinstance(ch, Effect) and ch.batched:
            if ch.kind in items:
                group = items.pop(ch.kind)
                out.append(Effect(ch.kind, {"event_id": group[0]["event_id"], "items": group}))
            continue
        out.append(ch)
    return out


Change = Upsert | Delete | DeleteWhere | CacheSet | CacheDelete | Effect


class InvalidEvent(Exception):
    """A well-formed event the projection must refuse (fails domain validation): it is dead-lettered."""


class State:
    """Rows visible to a projection: what the store held before the batch plus the batch's own changes."""

    def __init__(self, tables: Mapping[str, Table], rows: Mapping[tuple[str, Key], Row | None]) -> None:
        self._tables = tables
        self._rows: dict[tuple[str, Key], Row | None] = dict(rows)

    def get(self, table: str, key: Key) -> Row | None:
        """The current row, or None when absent (or deleted earlier in this batch)."""
        return self._rows.get((table, key))

    def apply(self, changes: Iterable[Change]) -> None:
        """Fold changes in so later events of the same batch see them."""
        for change in changes:
            if isinstance(change, Upsert):
                table = self._tables[change.table]
                self._rows[(change.table, table.key_of(change.row))] = dict(change.row)
            elif isinstance(change, Delete):
                self._rows[(change.table, change.key)] = None
            elif isinstance(change, DeleteWhere):
                for (tname, key), row in list(self._rows.items()):
                    if tname == change.table and row is not None and row.get(change.column) == change.value:
                        self._rows[(tname, key)] = None


class Projection(ABC):
    """A read model. Subclasses set `name`, `topics` (logical topics) and `tables`."""

    name: str
    topics: tuple[str, ...]
    tables: tuple[Table, ...] = ()
    # Event types `apply` reacts to (None = all). Others are skipped from the wire header alone,
    # without decoding or decrypting: most projections care about a few types of a busy topic.
    event_types: frozenset[str] | None = None

    @property
    def concurrent_topics(self) -> bool:
        """Fed by several topics, i.e. by several agents at once: its state rows need locking."""
        return len(self.topics) > 1

    def reads(self, event: Event) -> Sequence[tuple[str, Key]]:
        """Rows (table, key) that `apply` will look at for this event; loaded once per batch."""
        return ()

    @abstractmethod
    def apply(self, state: State, event: Event) -> list[Change]:
        """Changes this event makes to the read model. Pure: no I/O, no clock, no randomness."""

    # True when `erase` gives every change that removes a subject from this read model whatever its
    # state: the applier may then carry out an erasure as soon as it is decided, ahead of the
    # ErasureRequested in this projection's own (lagging) stream (see `applier.erase_ahead`).
    erases_ahead: bool = False

    def erase(self, subject_id: str) -> list[Change]:
        """The changes that remove everything this read model holds of a subject (with `erases_ahead`)."""
        return []

    def finish_batch(self, state: State, events: Sequence[Event]) -> list[Change]:
        """Changes computed once per batch, after every event was applied (state includes them all).

        For work worth doing once per key per batch rather than once per event, e.g. recomputing a
        user's recommendations at their last event. Pure, like `apply`. Default: nothing.
        """
        return []


def coalesce(changes: Sequence[Change], tables: Mapping[str, Table]) -> list[Change]:
    """Drop row and cache writes that a later write to the same key overwrites; keep the order of the rest.

    Every row or cache write is absolute, so only the last one per key matters (a DeleteWhere later in
    the list still runs after it). Batching is where the throughput comes from: 2,000 profile updates of
    300 users become 300 upserts.
    """
    seen_rows: set[tuple[str, Key]] = set()
    seen_cache: set[str] = set()
    kept: list[Change] = []
    for ch in reversed(changes):
        if isinstance(ch, Upsert | Delete):
            key = tables[ch.table].key_of(ch.row) if isinstance(ch, Upsert) else ch.key
            if (ch.table, key) in seen_rows:
                continue
            seen_rows.add((ch.table, key))
        elif isinstance(ch, CacheSet | CacheDelete):
            if ch.key in seen_cache:
                continue
            seen_cache.add(ch.key)
        kept.append(ch)
    kept.reverse()
    return kept
