"""Blob store: content addressing, per-owner encryption, crypto-shredding and deletion."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from schemas.keystore import InMemoryKeyStore, SubjectErased
from streams.blob_store import BlobNotFound, BlobUnreadable, LocalBlobStore, PersonalBlobs, owner_prefix


def test_round_trip_is_content_addressed_and_encrypted(tmp_path: Path) -> None:
    keys = InMemoryKeyStore()
    blobs = PersonalBlobs(LocalBlobStore(tmp_path), keys)
    data = b"Jane Doe\njane@example.org\nSKILLS\nPython"
    sha = blobs.put("u1", data)
    assert sha == hashlib.sha256(data).hexdigest()
    assert blobs.put("u1", data) == sha  # same content, same address
    stored = (tmp_path / owner_prefix("u1") / sha).read_bytes()
    assert b"jane@example.org" not in stored
    assert blobs.get("u1", sha) == data
    with pytest.raises(BlobNotFound):
        blobs.get("u1", "0" * 64)
    with pytest.raises(BlobNotFound):
        blobs.get("u2", sha)  # per owner: another user's address finds nothing


def test_tampered_or_moved_blobs_are_unreadable(tmp_path: Path) -> None:
    keys = InMemoryKeyStore()
    store = LocalBlobStore(tmp_path)
    blobs = PersonalBlobs(store, keys)
    sha = blobs.put("u1", b"resume one")
    sealed = bytearray(store.get("u1", sha))
    sealed[-1] ^= 1
    store.put("u1", sha, bytes(sealed))
    with pytest.raises(BlobUnreadable):
        blobs.get("u1", sha)
    keys.key_for_write("u2")
    store.put("u2", sha, store.get("u1", sha))  # ciphertext copied under another owner
    with pytest.raises(BlobUnreadable):
        blobs.get("u2", sha)


def test_erasure_shreds_and_deletes(tmp_path: Path) -> None:
    keys = InMemoryKeyStore()
    blobs = PersonalBlobs(LocalBlobStore(tmp_path), keys)
    sha = blobs.put("u1", b"resume one")
    blobs.put("u1", b"resume two")
    other = blobs.put("u2", b"resume of someone else")
    keys.destroy("u1")
    with pytest.raises(BlobUnreadable):
        blobs.get("u1", sha)
    with pytest.raises(SubjectErased):
        blobs.put("u1", b"new")
    assert blobs.delete_owner("u1") == 2
    assert blobs.delete_owner("u1") == 0  # idempotent
    assert blobs.get("u2", other) == b"resume of someone else"


def test_owner_ids_never_become_paths(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    store.put("..", "a" * 64, b"x")
    assert [p.parent for p in tmp_path.rglob("a" * 64)] == [tmp_path / owner_prefix("..")]
    with pytest.raises(ValueError):
        store.put("u1", "../../etc/passwd", b"x")
