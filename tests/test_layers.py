"""Import rules the import-linter contracts (pyproject.toml, `make lint`) cannot state.

A function-level import hides a dependency from readers and from the layer contracts' view of the
module's top, so one is allowed only with a comment on its line or the line above that says why
(`# lazy: ...`: an optional dependency, or a start-up cost a command should not pay unless used).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = (
    "api",
    "careerstream",
    "connectors",
    "engines",
    "kernel",
    "projections",
    "queries",
    "schemas",
    "streams",
)


def function_level_imports(path: Path) -> list[tuple[int, str]]:
    """(line, statement) of every import inside a function body that carries no `# lazy:` reason."""
    source = path.read_text()
    lines = source.splitlines()
    out = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            if not isinstance(inner, ast.Import | ast.ImportFrom):
                continue
            here = lines[inner.lineno - 1]
            above = lines[inner.lineno - 2] if inner.lineno > 1 else ""
            if "# lazy:" not in here and "# lazy:" not in above:
                out.append((inner.lineno, here.strip()))
    return out


def test_no_unexplained_function_level_imports() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}: {statement}"
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        for line, statement in function_level_imports(path)
    ]
    assert found == [], "function-level imports without a `# lazy:` reason:\n" + "\n".join(found)


def test_import_contracts_hold() -> None:
    """The layer contracts in pyproject.toml: no import points up a layer, engines stay pure,
    projections read no settings (`lint-imports` also runs in `make lint`)."""
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:]


def test_a_layer_violation_is_caught(tmp_path: Path) -> None:
    """The contracts are live: an engine importing the streams layer breaks them."""
    offender = ROOT / "engines" / "_layer_probe.py"
    offender.write_text("import streams.producer  # noqa: F401\n")
    try:
        lint = Path(sys.executable).with_name("lint-imports")
        result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    finally:
        offender.unlink()
    assert result.returncode != 0
    assert "engines._layer_probe -> streams.producer" in result.stdout
