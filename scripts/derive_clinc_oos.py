"""Derive the chatbot's compact out-of-scope file from CLINC150's out-of-scope queries.

    .venv/bin/python scripts/derive_clinc_oos.py SOURCE_DIR OUT_FILE
    (e.g. /work/shared/data/clinc150 engines/chat/data/clinc_oos.jsonl)

SOURCE_DIR holds `oos.json` and `README.md` (the snapshot's README lists the queries that are in scope
for a career bot and the borderline ones). Decisions, kept here:
- the 25 queries the README calls career intents are dropped (they are not out of scope for us);
- the 24 borderline ones (education, learning, resume printing, side hustles...) are dropped too: the
  bot handles some of them (courses, resumes) and not others, so they are neither trained nor scored;
- `oos_train` -> split `train`, `oos_val` -> `validation`, every 6th `oos_test` query -> `test` (about
  160; the rest are kept as `test_extra`, scored by `careerstream eval chat` as an extra OOS recall).
The output is JSONL: an attribution line, then `{"text", "split"}` lines. Run-time code reads only it.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ATTRIBUTION = (
    "Out-of-scope queries from CLINC150 (Larson et al., 2019), CC BY 3.0, "
    "https://github.com/clinc/oos-eval (data_full.json at 828f8093932c8fe6ca7936c3d2e52903b1c523de)"
)


def excluded_queries(readme: str) -> set[str]:
    """Every query quoted in the README's JSON blocks (in-scope and borderline lists)."""
    out: set[str] = set()
    for block in re.findall(r"```json\n(.*?)```", readme, flags=re.S):
        for texts in json.loads(block).values():
            out.update(texts)
    return out


def derive(source: Path, out: Path) -> dict[str, int]:
    data = json.loads((source / "oos.json").read_text())
    skip = excluded_queries((source / "README.md").read_text())
    counts: dict[str, int] = {}
    lines = [json.dumps({"_attribution": ATTRIBUTION})]
    for key, split in (("oos_train", "train"), ("oos_val", "validation"), ("oos_test", "test")):
        kept = [t for t in data[key] if t not in skip]
        for i, text in enumerate(kept):
            s = split if split != "test" or i % 6 == 0 else "test_extra"
            counts[s] = counts.get(s, 0) + 1
            lines.append(json.dumps({"text": text, "split": s}))
    counts["excluded"] = len(skip)
    out.write_text("\n".join(lines) + "\n")
    return counts


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    print(derive(Path(sys.argv[1]), Path(sys.argv[2])))
