"""Per-package line coverage from `coverage json` output, as a Markdown table (`make coverage` prints it).

    python scripts/coverage_table.py bench-results/coverage.json

Packages are the top-level folders (the layers); the last row is the whole source. The modules with the
most missed lines follow, since they say where a test would gain the most.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

WORST = 12


def main(path: str) -> None:
    report = json.loads(Path(path).read_text())
    by_package: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for name, data in report["files"].items():
        summary = data["summary"]
        row = by_package[name.split("/", 1)[0]]
        row[0] += summary["num_statements"]
        row[1] += summary["covered_lines"]
    print("| package | statements | covered | coverage |")
    print("|---|---:|---:|---:|")
    for package, (statements, covered) in sorted(by_package.items()):
        print(f"| {package} | {statements:,} | {covered:,} | {100 * covered / max(statements, 1):.1f} % |")
    totals = report["totals"]
    print(
        f"| **all** | {totals['num_statements']:,} | {totals['covered_lines']:,} | "
        f"**{totals['percent_covered']:.1f} %** |"
    )
    print(f"\nThe {WORST} modules with the most lines no test runs:")
    missed = sorted(report["files"].items(), key=lambda kv: -kv[1]["summary"]["missing_lines"])[:WORST]
    for name, data in missed:
        s = data["summary"]
        print(f"  {name}: {s['missing_lines']} of {s['num_statements']} lines missed")


if __name__ == "__main__":
    main(sys.argv[1])
