"""Per-subject data keys for crypto-shredding, kept in Postgres and wrapped by a master key.

Erasure destroys a subject's key (the row keeps a tombstone so that no new key is ever minted for an
erased subject); every personal field ever written for that subject becomes unreadable while the
rest of each event in the immutable log stays decodable.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

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
        master_key: bytes,
        cache_seconds: float = 300.0,
        erasure_poll_seconds: float = 1.0,
    ) -> None:
        self._pool = pool
        self._master = master_key
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
        fresh = AESGCM.generate_key(bit_length=256)
        with self._pool.connection() as conn:
            # ON CONFLICT DO NOTHING + re-read: two processes minting at once agree on one key.
            conn.execute(
                "INSERT INTO subject_keys (subject_id, wrapped_key) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                (subject_id, wrap_key(self._master, subject_id, fresh)),
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
                "SELECT subject_id, wrapped_key FROM subject_keys WHERE subject_id = ANY(%s)", (wanted,)
            ).fetchall()
        for subject_id, wrapped in rows:
            key = unwrap_key(self._master, subject_id, bytes(wrapped)) if wrapped is not None else None
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
