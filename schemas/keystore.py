"""Per-subject data keys for crypto-shredding, kept in Postgres and wrapped by a master key.

Erasure destroys a subject's key (the row keeps a tombstone so that no new key is ever minted for an
erased subject); every personal field ever written for that subject becomes unreadable while the
rest of each event in the immutable log stays decodable.

Master keys sit behind `KeyWrapper`: `LocalKeyRing` holds them in process memory (from settings); a
KMS adapter (AWS KMS, Vault transit, ...) implements the same two calls. Rotation re-wraps every data
key under the current master key without downtime (`rotate_master_key`): the data keys themselves do
not change, so every event ever written still decrypts, and caches stay valid.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from psycopg_pool import ConnectionPool


class SubjectErased(Exception):
    """Raised when writing personal data for a subject whose key was destroyed."""


class KeyStore(Protocol):
    """What the serde needs from a key store."""

    def key_for_write(self, subject_id: str) -> bytes: ...

    def key_for_read(self, subject_id: str) -> bytes | None: ...

    def warm(self, subject_ids: Iterable[str]) -> None: ...

    def destroy(self, subject_id: str) -> bool: ...


def wrap_key(master: bytes, subject_id: str, data_key: bytes) -> bytes:
    """AES-GCM-wrap a data key; the subject id is authenticated so a key can't be moved to another subject."""
    nonce = os.urandom(12)
    return nonce + AESGCM(master).encrypt(nonce, data_key, subject_id.encode())


def unwrap_key(master: bytes, subject_id: str, wrapped: bytes) -> bytes:
    """Inverse of `wrap_key`."""
    return AESGCM(master).decrypt(wrapped[:12], wrapped[12:], subject_id.encode())


class KeyWrapper(Protocol):
    """Wraps and unwraps data keys under master keys it manages (a local key ring, or a KMS)."""

    @property
    def current_id(self) -> str:
        """Id of the master key new data keys are wrapped with."""
        ...

    def wrap(self, subject_id: str, data_key: bytes) -> tuple[str, bytes]:
        """(master key id, wrapped data key) under the current master key."""
        ...

    def unwrap(self, key_id: str | None, subject_id: str, wrapped: bytes) -> bytes:
        """The data key; `key_id` None means "wrapped before ids were recorded"."""
        ...


def master_key_id(master: bytes) -> str:
    """A short public id of a master key (a hash; reveals nothing usable about the key)."""
    return hashlib.sha256(b"careerstream-master-key-id:" + master).hexdigest()[:16]


class LocalKeyRing:
    """Master keys held in memory: the current one wraps, the current and previous ones unwrap.

    Rotation without downtime: give every process MASTER_KEY=<new> and PREVIOUS_MASTER_KEYS=<old>, run
    `careerstream keys rotate`, then drop the old key from PREVIOUS_MASTER_KEYS."""

    def __init__(self, current: bytes, previous: Sequence[bytes] = ()) -> None:
        for key in (current, *previous):
            if len(key) != 32:
                raise ValueError("a master key is 32 bytes")
        self._current = current
        self._by_id = {master_key_id(k): k for k in (*previous, current)}

    @property
    def current_id(self) -> str:
        return master_key_id(self._current)

    def wrap(self, subject_id: str, data_key: bytes) -> tuple[str, bytes]:
        return self.current_id, wrap_key(self._current, subject_id, data_key)

    def unwrap(self, key_id: str | None, subject_id: str, wrapped: bytes) -> bytes:
        if key_id is not None:
            master = self._by_id.get(key_id)
            if master is None:
                raise KeyError(f"master key {key_id} is not configured (PREVIOUS_MASTER_KEYS?)")
            return unwrap_key(master, subject_id, wrapped)
        for master in self._by_id.values():
            try:
                return unwrap_key(master, subject_id, wrapped)
            except InvalidTag:
                continue
        raise KeyError(f"no configured master key unwraps the key of {subject_id}")


def as_key_wrapper(master: bytes | KeyWrapper) -> KeyWrapper:
    return LocalKeyRing(master) if isinstance(master, bytes) else master


@dataclass
class _Cached:
    key: bytes | None  # None = destroyed
    at: float


class PostgresKeyStore:
    """Key store on the `subject_keys` table with an in-process cache.

    The cache keeps the serde fast (no round trip per event). Erasures reach every process through one
    cheap query per `erasure_poll_seconds` (keys destroyed since the last poll are evicted), so no
    process encrypts or decrypts with a destroyed key for longer than that, whatever the number of
    subjects. The process that destroys a key drops it from its cache at once.
    """

    # Destroyed rows are re-read with this overlap, so a destroy whose transaction committed after its
    # destroyed_at timestamp (a long transaction) is still seen by the next poll.
    _POLL_OVERLAP = "10 seconds"

    def __init__(
        self,
        pool: ConnectionPool,
        master_key: bytes | KeyWrapper,
        cache_seconds: float = 300.0,
        erasure_poll_seconds: float = 1.0,
    ) -> None:
        self._pool = pool
        self._wrapper = as_key_wrapper(master_key)
        self._ttl = cache_seconds
        self._poll_every = erasure_poll_seconds
        self._cache: dict[str, _Cached] = {}
        self._lock = threading.Lock()
        self._last_poll = 0.0
        self._poll_cursor: Any = None  # database time of the last poll

    def _cached(self, subject_id: str) -> _Cached | None:
        entry = self._cache.get(subject_id)
        if entry is not None and time.monotonic() - entry.at < self._ttl:
            return entry
        return None

    def _remember(self, subject_id: str, key: bytes | None) -> None:
        with self._lock:
            self._cache[subject_id] = _Cached(key, time.monotonic())

    def _poll_erasures(self) -> None:
        now = time.monotonic()
        if now - self._last_poll < self._poll_every:
            return
        self._last_poll = now
        with self._pool.connection() as conn:
            if self._poll_cursor is None:
                row = conn.execute("SELECT now()").fetchone()
                self._poll_cursor = row[0] if row else None
                return
            rows = conn.execute(
                f"""SELECT subject_id, now() FROM subject_keys
                    WHERE destroyed_at > %s - interval '{self._POLL_OVERLAP}'""",
                (self._poll_cursor,),
            ).fetchall()
            if not rows:
                row = conn.execute("SELECT now()").fetchone()
                self._poll_cursor = row[0] if row else self._poll_cursor
                return
        for subject_id, db_now in rows:
            self._remember(subject_id, None)
            self._poll_cursor = db_now

    def key_for_write(self, subject_id: str) -> bytes:
        """The subject's key, minted on first use. Raises `SubjectErased` after erasure."""
        self._poll_erasures()
        entry = self._cached(subject_id)
        if entry is None:
            self._load([subject_id])
            entry = self._cached(subject_id)
        if entry is not None:
            if entry.key is None:
                raise SubjectErased(subject_id)
            return entry.key
        key_id, wrapped = self._wrapper.wrap(subject_id, AESGCM.generate_key(bit_length=256))
        with self._pool.connection() as conn:
            # ON CONFLICT DO NOTHING + re-read: two processes minting at once agree on one key.
            conn.execute(
                "INSERT INTO subject_keys (subject_id, wrapped_key, master_key_id) VALUES (%s, %s, %s)"
                " ON CONFLICT DO NOTHING",
                (subject_id, wrapped, key_id),
            )
        self._load([subject_id])
        entry = self._cached(subject_id)
        if entry is None or entry.key is None:
            raise SubjectErased(subject_id)
        return entry.key

    def key_for_read(self, subject_id: str) -> bytes | None:
        """The subject's key, or None when it was destroyed (or never existed)."""
        self._poll_erasures()
        entry = self._cached(subject_id)
        if entry is None:
            self._load([subject_id])
            entry = self._cached(subject_id)
        return entry.key if entry is not None else None

    def warm(self, subject_ids: Iterable[str]) -> None:
        """Load the keys of many subjects in one query (the worker calls this once per batch)."""
        self._poll_erasures()
        self._load([s for s in set(subject_ids) if self._cached(s) is None])

    def _load(self, wanted: list[str]) -> None:
        if not wanted:
            return
        with self._pool.connection() as conn:
            rows = conn.execute(
                "SELECT subject_id, wrapped_key, master_key_id FROM subject_keys WHERE subject_id = ANY(%s)",
                (wanted,),
            ).fetchall()
        for subject_id, wrapped, key_id in rows:
            key = self._wrapper.unwrap(key_id, subject_id, bytes(wrapped)) if wrapped is not None else None
            self._remember(subject_id, key)

    def destroy(self, subject_id: str) -> bool:
        """Crypto-shred a subject (table `subject_keys`, see migrations). Idempotent.

        Returns False when the subject never had a key (a tombstone is still written)."""
        with self._pool.connection() as conn:
            cur = conn.execute(
                """INSERT INTO subject_keys (subject_id, wrapped_key, destroyed_at) VALUES (%s, NULL, now())
                   ON CONFLICT (subject_id) DO UPDATE SET wrapped_key = NULL,
                       destroyed_at = COALESCE(subject_keys.destroyed_at, now())
                   RETURNING (xmax <> 0)""",
                (subject_id,),
            )
            row = cur.fetchone()
        self._remember(subject_id, None)
        return bool(row and row[0])


@dataclass
class RotationReport:
    rewrapped: int = 0
    skipped: int = 0  # destroyed (erased) or changed by another process while being re-wrapped


def rotate_master_key(
    pool: ConnectionPool,
    wrapper: KeyWrapper,
    batch: int = 500,
    progress: Callable[[int, int], None] | None = None,
) -> RotationReport:
    """Re-wrap every live data key not yet under the current master key; online and resumable.

    Each row is updated only if it still holds the wrapped key that was read (compare-and-set), so a
    key destroyed by an erasure meanwhile is never brought back. `progress(done, total)` is called per batch.
    """
    report = RotationReport()
    current = wrapper.current_id
    with pool.connection() as conn:
        row = conn.execute(
            "SELECT count(*) FROM subject_keys WHERE wrapped_key IS NOT NULL"
            " AND master_key_id IS DISTINCT FROM %s",
            (current,),
        ).fetchone()
    total = int(row[0]) if row else 0
    after = ""
    while True:
        with pool.connection() as conn:
            rows = conn.execute(
                "SELECT subject_id, wrapped_key, master_key_id FROM subject_keys"
                " WHERE wrapped_key IS NOT NULL AND master_key_id IS DISTINCT FROM %s AND subject_id > %s"
                " ORDER BY subject_id LIMIT %s",
                (current, after, batch),
            ).fetchall()
            if not rows:
                return report
            for subject_id, wrapped, key_id in rows:
                data_key = wrapper.unwrap(key_id, subject_id, bytes(wrapped))
                new_id, rewrapped = wrapper.wrap(subject_id, data_key)
                cur = conn.execute(
                    "UPDATE subject_keys SET wrapped_key = %s, master_key_id = %s"
                    " WHERE subject_id = %s AND wrapped_key = %s",
                    (rewrapped, new_id, subject_id, wrapped),
                )
                if cur.rowcount == 1:
                    report.rewrapped += 1
                else:
                    report.skipped += 1
            after = rows[-1][0]
        if progress is not None:
            progress(report.rewrapped + report.skipped, total)


class InMemoryKeyStore:
    """A key store for unit tests and the serde benchmark's baseline; same semantics, no persistence."""

    def __init__(self) -> None:
        self._keys: dict[str, bytes | None] = {}

    def key_for_write(self, subject_id: str) -> bytes:
        if subject_id in self._keys and self._keys[subject_id] is None:
            raise SubjectErased(subject_id)
        key = self._keys.get(subject_id)
        if key is None:
            key = self._keys[subject_id] = AESGCM.generate_key(bit_length=256)
        return key

    def key_for_read(self, subject_id: str) -> bytes | None:
        return self._keys.get(subject_id)

    def warm(self, subject_ids: Iterable[str]) -> None:
        return None

    def destroy(self, subject_id: str) -> bool:
        existed = self._keys.get(subject_id) is not None
        self._keys[subject_id] = None
        return existed
