"""A fast start: ``modelcensus --help`` (and every command's ``--help``) imports none of the heavy modules (the store,
Ibis, pandas, SciPy, Matplotlib, FastAPI…), which only the commands that use them load. A check of what is
imported, not a timing: the time is measured by ``bench/bench_startup.py`` against a bare Python."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import modelcensus as mc

SRC = Path(mc.__file__).parents[1]
HEAVY = (
    "ibis",
    "pandas",
    "numpy",
    "duckdb",
    "splink",
    "plotly",
    "matplotlib",
    "fastapi",
    "uvicorn",
    "scipy",
    "statsmodels",
    "pyspark",
    "modelcensus.census",
)

EVERY_HELP = """
import json, sys
from typer.main import get_command
from typer.testing import CliRunner
from modelcensus.outputs.cli.app import app

def commands(command, path):
    yield path
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from commands(sub, [*path, name])

runner = CliRunner()
asked = []
for path in commands(get_command(app), []):
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, (path, result.output)
    asked.append(" ".join(path))
print(json.dumps({"asked": asked, "modules": sorted(sys.modules)}))
"""


def _python(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, check=True, timeout=120)


def _heavy(modules: set[str]) -> list[str]:
    return sorted(h for h in HEAVY if h in modules or any(m.startswith(f"{h}.") for m in modules))


def test_modelcensus_help_imports_no_heavy_module() -> None:
    done = _python("-X", "importtime", "-m", "modelcensus", "--help")
    assert "Usage" in done.stdout and "count" in done.stdout
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "modelcensus.outputs.cli.app" in imported  # the list is read: the CLI was imported
    assert _heavy(imported) == []
    # nor the lighter ones only some commands need: definitions (YAML), the package's metadata (a download's
    # provenance), the claims and store packages (``check`` reads kept verdicts with DuckDB alone), Rich's progress
    # bars (drawn by a command at work) and the rendering of answers with the records' and sources' text
    unneeded = (
        *("yaml", "importlib.metadata", "modelcensus.definitions", "modelcensus.claims", "modelcensus.store"),
        *("rich.progress", "modelcensus.outputs.common.render", "modelcensus.records", "modelcensus.provenance"),
    )
    assert sorted(m for m in unneeded if m in imported) == []


def test_every_command_help_imports_no_heavy_module() -> None:
    out = json.loads(_python("-c", EVERY_HELP).stdout)
    assert {"count", "models", "check", "serve", "report", "ingest epoch", "orgs resolve"} <= set(out["asked"])
    assert _heavy(set(out["modules"])) == []


def test_the_package_names_its_facade_and_loads_it_on_first_use() -> None:
    """``import modelcensus`` is light; ``mc.open`` (and the other names of the facade) still work and load it."""
    code = (
        "import sys, modelcensus as mc\n"
        "before = 'modelcensus.census' in sys.modules\n"
        "names = [n for n in mc.__all__ if n != '__version__' and getattr(mc, n) is None]\n"
        "print(before, 'modelcensus.census' in sys.modules, mc.open is mc.census.open, names)\n"
    )
    assert _python("-c", code).stdout.split() == ["False", "True", "True", "[]"]


def test_the_claims_and_store_packages_load_their_heavy_modules_on_first_use() -> None:
    """``check`` reads the verdicts a build kept with :mod:`modelcensus.claims.kept` alone: importing it (and the
    light store modules it uses) loads neither the figures nor the store; the packages' names still work."""
    heavy = ("ibis", "pandas", "modelcensus.store.core", "modelcensus.claims.figures")
    code = (
        "import sys\n"
        "from modelcensus.claims.kept import read_kept_verdicts\n"
        f"light = [m for m in {heavy!r} if m in sys.modules]\n"
        "from modelcensus.claims import ClaimFigures, format_figure\n"
        "from modelcensus.store import Store\n"
        "from modelcensus.claims.check import check\n"
        "loaded = 'modelcensus.store.core' in sys.modules\n"
        "print(light, loaded, Store.__module__, callable(check), format_figure(0.25, 'share'))\n"
    )
    assert _python("-c", code).stdout.split() == ["[]", "True", "modelcensus.store.core", "True", "25.0%"]


def test_the_commands_annotations_are_read_once_at_import() -> None:
    """Typer reads every command's signature to build the app, on every start: with postponed annotations (``from
    __future__ import annotations``) it compiles and evaluates each option's text again (50 ms of ``--help`` here).
    The CLI's modules write their annotations as objects; a name known only to the type checker is quoted."""
    cli = SRC / "modelcensus" / "outputs" / "cli"
    postponed = [p.name for p in sorted(cli.glob("*.py")) if "from __future__ import annotations" in p.read_text()]
    assert postponed == []
    code = (
        "from typer.main import get_command\n"
        "from modelcensus.outputs.cli.app import app\n"
        "print(len(get_command(app).commands))\n"
    )
    assert int(_python("-c", code).stdout) >= 10  # every command's signature evaluates without the type checker
