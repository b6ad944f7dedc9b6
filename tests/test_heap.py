"""The heap of a long-lived process (``outputs/common/heap.py``): a server freezes what its start loaded, once its app
is made; the command freezes what opening the census imported, but only as its own process, never a test's."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from modelcensus.outputs.cli.app import app
from modelcensus.outputs.common import heap


@pytest.fixture()
def unfrozen(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(heap, "_ENTRY_POINT", False)
    gc.unfreeze()
    yield
    gc.unfreeze()  # the test's process lives on: what a test froze is given back to the collector


def test_a_command_in_a_tests_process_leaves_the_heap_alone(unfrozen: None, small_census_path: Path) -> None:
    result = CliRunner().invoke(app, ["count", "--by", "country", "--db", str(small_census_path)])
    assert result.exit_code == 0, result.output
    assert gc.get_freeze_count() == 0
    assert heap.freeze_long_lived() is False and gc.get_freeze_count() == 0


def test_the_command_and_a_server_freeze_what_their_start_loaded(unfrozen: None, small_census_path: Path) -> None:
    assert heap.freeze_long_lived(server=True) is True
    frozen = gc.get_freeze_count()
    assert frozen > 10_000, "the modules a server loaded are frozen"
    gc.unfreeze()
    heap.entered_as_command()
    result = CliRunner().invoke(app, ["count", "--by", "country", "--db", str(small_census_path)])
    assert result.exit_code == 0, result.output
    assert gc.get_freeze_count() > 10_000, "opening the census froze what it imported"


def test_the_command_freezes_in_its_own_process(small_census_path: Path) -> None:
    argv = ["modelcensus", "count", "--by", "country", "--db", str(small_census_path), "--format", "json"]
    code = (
        "import gc, sys\n"
        "from modelcensus.outputs.cli.app import main\n"
        f"sys.argv = {argv!r}\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    assert not exit.code, exit.code\n"
        "print('FROZEN', gc.get_freeze_count(), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    frozen = int(done.stderr.rsplit("FROZEN", 1)[1].split()[0])
    assert frozen > 10_000, done.stderr
