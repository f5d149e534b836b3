"""Loader for ``data/tools.jsonl.gz`` (O*NET tools and technologies, see :mod:`tools_build`)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from engines.reference_data.catalog import DATA_DIR, iter_records

TOOLS_FILE = "tools.jsonl.gz"


@dataclass(frozen=True)
class Tool:
    """One product as O*NET names it, with the short forms people write."""

    name: str
    aliases: tuple[str, ...] = ()
    weak: tuple[str, ...] = ()  # short forms that are also ordinary words ("Word", "Access")
    category: str = ""
    occupations: int = 0
    hot: bool = False


@lru_cache(maxsize=2)
def _load(data_dir: Path) -> tuple[Tool, ...]:
    return tuple(
        Tool(
            name=r["name"],
            aliases=tuple(r.get("aliases", ())),
            weak=tuple(r.get("weak", ())),
            category=r.get("category", ""),
            occupations=int(r.get("occupations", 0)),
            hot=bool(r.get("hot", False)),
        )
        for r in iter_records(data_dir / TOOLS_FILE)
    )


def load_tools(data_dir: Path = DATA_DIR) -> list[Tool]:
    """All tools (cached); empty if the file is missing."""
    path = Path(data_dir) / TOOLS_FILE
    if not path.exists():
        return []
    return list(_load(Path(data_dir)))
