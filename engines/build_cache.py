"""A built object kept on disk between processes, keyed by everything its build reads.

The skill matcher tokenises ~77,000 ESCO, O*NET and alias phrases with spaCy when it is built: about
9 s of CPU on a two-core machine, paid again by every worker that analyses resumes or chats, at every
start and restart. Unpickling the built matcher takes about 2.3 s. The careers' sentence embeddings
(`text_embedding.embed_kept`) take about a second to compute and milliseconds to load. A restarted
worker is back sooner, and a stack's processes stop competing for the CPU at start-up.

The file's name is a hash of the build's inputs (data files and the modules holding the build rules,
the library versions), so a changed catalogue or rule builds afresh and an old file is never read. It
is written to a temporary file and renamed, so a process never reads half a file while another writes
it. Pickle runs code when loaded: the directory must be the user's own (the default is under
`~/.cache`), never one that others can write. `CAREERSTREAM_CACHE_DIR=""` turns the cache off.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

ENV = "CAREERSTREAM_CACHE_DIR"


def cache_dir() -> Path | None:
    """Where built objects are kept: `CAREERSTREAM_CACHE_DIR`, else `$XDG_CACHE_HOME/careerstream`
    (`~/.cache/careerstream`); None when the variable is set empty (no cache)."""
    configured = os.environ.get(ENV)
    if configured is not None:
        return Path(configured) if configured.strip() else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "careerstream"


def input_key(files: Iterable[Path], versions: Iterable[str]) -> str:
    """A hash of the files' bytes and the version strings (raises OSError for a missing file)."""
    digest = hashlib.sha256()
    for version in (*versions, f"python {sys.version_info[:2]}", f"pickle {pickle.HIGHEST_PROTOCOL}"):
        digest.update(version.encode() + b"\0")
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


def load_or_build(name: str, files: Iterable[Path], versions: Iterable[str], build: Callable[[], T]) -> T:
    """The object `build` makes from `files`: loaded from the cache when built before from the same
    inputs, else built and stored. Any cache trouble (unreadable inputs, a corrupt or unwritable file)
    falls back to building; the cache only ever saves time."""
    where = cache_dir()
    if where is None:
        return build()
    try:
        path = where / f"{name}-{input_key(files, versions)}.pickle"
    except OSError as exc:
        log.warning("%s: inputs unreadable (%s); building without the cache", name, exc)
        return build()
    if path.exists():
        try:
            with path.open("rb") as fh:
                loaded: T = pickle.load(fh)
            return loaded
        except Exception as exc:
            log.warning("%s: cached copy unreadable (%s); rebuilding", name, exc)
    built = build()
    _store(built, path)
    return built


def _store(built: object, path: Path) -> None:
    """Write atomically, then drop the copies built from older inputs (each is tens of MB)."""
    tmp: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False) as fh:
            tmp = Path(fh.name)
            pickle.dump(built, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        tmp = None
        prefix = path.name.rsplit("-", 1)[0]
        # Exactly `{name}-{32 hex}.pickle`: "skill-matcher-test-..." is another name's copy.
        for old in path.parent.glob(f"{prefix}-{'[0-9a-f]' * 32}.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError) as exc:
        log.warning("%s: could not store the built copy (%s)", path.name, exc)
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
