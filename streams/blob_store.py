"""Blob storage for uploaded files (resumes): content-addressed, per owner, encrypted with the owner's key.

Two layers:
- `BlobStore` is the storage interface: opaque bytes under (owner, sha256). `LocalBlobStore` keeps them
  in a directory (the default); an S3 adapter implements the same three calls with keys
  `<owner-hash>/<sha256>` (`delete_owner` = list the prefix + batch delete).
- `PersonalBlobs` puts plaintext in and gets plaintext out: the address is the sha256 of the plaintext,
  the stored bytes are AES-GCM under the owner's data key (`KeyStore.key_for_write`), so
  crypto-shredding the owner makes every stored copy unreadable even before the files are deleted.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kernel.config import Settings
from schemas.keystore import KeyStore

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_CIPHER_VERSION = b"\x01"


class BlobNotFound(KeyError):
    """No blob under this (owner, sha256)."""


class BlobUnreadable(Exception):
    """The blob exists but can't be decrypted (owner erased, or the bytes were tampered with)."""


class BlobStore(Protocol):
    """Opaque bytes per (owner, sha256). Implementations must make `put` atomic and all calls idempotent."""

    def put(self, owner: str, sha256: str, data: bytes) -> None: ...

    def get(self, owner: str, sha256: str) -> bytes: ...

    def delete(self, owner: str, sha256: str) -> bool: ...

    def delete_owner(self, owner: str) -> int: ...


def _check_sha(sha256: str) -> str:
    if not _SHA256.match(sha256):
        raise ValueError(f"not a sha256 hex digest: {sha256!r}")
    return sha256


def owner_prefix(owner: str) -> str:
    """Storage prefix of an owner: a hash, so user ids never become paths (and don't show on disk)."""
    return hashlib.sha256(f"owner:{owner}".encode()).hexdigest()[:32]


class LocalBlobStore:
    """Blobs as files `<root>/<owner-hash>/<sha256>`, written via a temp file + rename."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _dir(self, owner: str) -> Path:
        return self.root / owner_prefix(owner)

    def put(self, owner: str, sha256: str, data: bytes) -> None:
        directory = self._dir(owner)
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, directory / _check_sha(sha256))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, owner: str, sha256: str) -> bytes:
        try:
            return (self._dir(owner) / _check_sha(sha256)).read_bytes()
        except FileNotFoundError as exc:
            raise BlobNotFound(sha256) from exc

    def delete(self, owner: str, sha256: str) -> bool:
        """Remove one blob (retention); True when it existed."""
        path = self._dir(owner) / _check_sha(sha256)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        return True

    def delete_owner(self, owner: str) -> int:
        directory = self._dir(owner)
        if not directory.exists():
            return 0
        count = sum(1 for p in directory.iterdir() if not p.name.startswith(".tmp-"))
        shutil.rmtree(directory, ignore_errors=True)
        return count


def _aad(owner: str, sha256: str) -> bytes:
    return f"blob|{owner}|{sha256}".encode()


class PersonalBlobs:
    """Content-addressed, owner-encrypted blobs on top of any `BlobStore`."""

    def __init__(self, store: BlobStore, keystore: KeyStore) -> None:
        self.store = store
        self.keystore = keystore

    def put(self, owner: str, data: bytes) -> str:
        """Store `data` for `owner`; returns its sha256. Raises `SubjectErased` for an erased owner."""
        sha256 = hashlib.sha256(data).hexdigest()
        nonce = os.urandom(12)
        sealed = AESGCM(self.keystore.key_for_write(owner)).encrypt(nonce, data, _aad(owner, sha256))
        self.store.put(owner, sha256, _CIPHER_VERSION + nonce + sealed)
        return sha256

    def get(self, owner: str, sha256: str) -> bytes:
        """The plaintext; `BlobNotFound` when absent, `BlobUnreadable` when it can't be decrypted."""
        sealed = self.store.get(owner, sha256)
        key = self.keystore.key_for_read(owner)
        if key is None:
            raise BlobUnreadable("the owner's data key was destroyed")
        if sealed[:1] != _CIPHER_VERSION:
            raise BlobUnreadable("unknown blob format")
        try:
            data = AESGCM(key).decrypt(sealed[1:13], sealed[13:], _aad(owner, sha256))
        except InvalidTag as exc:
            raise BlobUnreadable("blob fails authentication") from exc
        if hashlib.sha256(data).hexdigest() != sha256:
            raise BlobUnreadable("content does not match its address")
        return data

    def delete_owner(self, owner: str) -> int:
        """Delete every blob of `owner` (idempotent); returns how many there were."""
        return self.store.delete_owner(owner)


def blob_store_from_settings(settings: Settings) -> BlobStore:
    """The configured store (a local directory; an S3 adapter would be chosen here)."""
    return LocalBlobStore(settings.blob_dir)
