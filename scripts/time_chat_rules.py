"""Time the chat's NLU in one process: entity extraction and the intent classifier, per message, over the
turns of the thirteenth to sixteenth held-out dialogue sets (296). Prints one line.

    .venv/bin/python scripts/time_chat_rules.py LABEL

To compare two commits side by side, run it once from this checkout and once with `PYTHONPATH` set to a
worktree of the other commit (the dialogue files are read from this checkout either way).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

from engines.chat import default_classifier
from engines.chat.entities import default_skill_finder, extract

DATA = Path(__file__).resolve().parent.parent / "engines" / "chat" / "data"


def main() -> None:
    label = sys.argv[1] if len(sys.argv) > 1 else "this checkout"
    texts = [
        turn["text"]
        for n in (13, 14, 15, 16)
        for line in (DATA / f"dialogues_heldout{n}.jsonl").read_text(encoding="utf-8").splitlines()
        for turn in json.loads(line).get("turns", [])
    ][:300]
    clf, finder = default_classifier(), default_skill_finder()
    for text in texts[:20]:  # warm-up: caches, lazy indexes
        extract(text, finder)
        clf.predict(text)
    extract_ms, predict_ms = [], []
    for text in texts:
        a = time.perf_counter()
        extract(text, finder)
        b = time.perf_counter()
        clf.predict(text)
        c = time.perf_counter()
        extract_ms.append((b - a) * 1000)
        predict_ms.append((c - b) * 1000)

    def p95(xs: list[float]) -> float:
        return sorted(xs)[int(0.95 * len(xs)) - 1]

    extract_line = f"extract p50/p95 {statistics.median(extract_ms):.2f}/{p95(extract_ms):.2f} ms"
    predict_line = f"predict p50/p95 {statistics.median(predict_ms):.2f}/{p95(predict_ms):.2f} ms"
    print(f"{label}: {len(texts)} messages, {extract_line}, {predict_line}")


if __name__ == "__main__":
    main()
