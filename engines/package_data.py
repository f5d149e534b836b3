"""Files shipped inside installed packages, found without importing them: a package's `__init__` may be
slow to run (spaCy's language packages) or not needed at all (symspellpy, read for its word counts)."""

from __future__ import annotations

import importlib.util
from pathlib import Path


def package_file(package: str, *parts: str) -> Path:
    """The path of `parts` inside the installed top-level `package` (which may not exist)."""
    spec = importlib.util.find_spec(package)
    folders = spec.submodule_search_locations if spec is not None else None
    return Path(next(iter(folders or []), ""), *parts)
