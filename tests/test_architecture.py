"""The shape of the house: imports point down the data flow, the facade stays slim, modules stay readable."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import modelcensus as mc

SRC = Path(mc.__file__).parent
MODULES = sorted(SRC.rglob("*.py"))
LAZY_FOR_SPEED = "outputs/cli/"
"""The only modules that may import modelcensus modules inside a function: the CLI's, for start-up time (``--help``
and every command must not pay for the store, Ibis, pandas, Matplotlib or FastAPI that only some commands use). The
CLI is the top of the import graph, so an import deferred there cannot hide a circle."""


def test_import_contracts_hold() -> None:
    """import-linter's layers contracts (pyproject.toml): no circle, no upward import."""
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--no-cache"], capture_output=True, text=True, cwd=SRC.parents[1], check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 3 kept, 0 broken." in done.stdout


def test_the_facade_is_slim_and_no_module_is_two() -> None:
    assert len((SRC / "census.py").read_text().splitlines()) <= 300
    long = {str(p.relative_to(SRC)): n for p in MODULES if (n := len(p.read_text().splitlines())) > 800}
    assert not long, f"modules over 800 lines: {long}"


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(SRC)) for p in MODULES])
def test_no_import_hides_inside_a_function(path: Path) -> None:
    """An import inside a function is how a circle hides; only the documented lazy CLI imports may do it (and only of
    optional third-party engines such as pyspark)."""
    tree = ast.parse(path.read_text())
    hidden = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom) and (inner.module or "").startswith("modelcensus"):
                    hidden.append(f"line {inner.lineno}: from {inner.module}")
    if not str(path.relative_to(SRC)).startswith(LAZY_FOR_SPEED):
        assert not hidden, hidden
