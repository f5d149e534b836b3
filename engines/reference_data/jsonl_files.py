"""The derived catalogues' file format: an attribution line, then one compact JSON record per line."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ESCO_ATTRIBUTION = (
    "ESCO, © European Union (https://esco.ec.europa.eu), reused with attribution; derived data."
)
CAREERS_ATTRIBUTION = (
    ESCO_ATTRIBUTION + " Wages/employment: U.S. Bureau of Labor Statistics, Occupational Employment and "
    "Wage Statistics (OEWS), May 2025, public domain."
)


def write_jsonl_gz(path: Path, attribution: str, records: Iterable[dict[str, Any]]) -> int:
    """Write an attribution line then one compact JSON record per line; atomic via rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    n = 0
    # mtime=0 keeps the gzip bytes reproducible across rebuilds.
    with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write((json.dumps({"_attribution": attribution}, ensure_ascii=False) + "\n").encode())
        for rec in records:
            gz.write((json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n").encode())
            n += 1
    tmp.replace(path)
    return n
