"""Shared fixtures: the real shared data (read in place, never copied) and the censuses built from it.

Every store here is built once per session and read by every module that needs it:

- ``full_census_path``: ``modelcensus build --from ../shared/data``, every source; the known answers
  (``known_answers.py``) are checked on it;
- ``epoch_census_path``: the real 2026-03-30 Epoch export alone; ``hub_census_path``: that store plus the
  shared Hub listing;
- ``small_census_path``: ``build --from`` a small copy of the shared data cut at test time (``small_data.py``),
  for the tests of shape and behaviour (API, dashboard, report rendering) that need every source but not every row.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

import modelcensus as mc
from modelcensus.outputs.cli.app import app

from small_data import write_small_data

ROOT = Path(__file__).resolve().parents[1]


def shared_data() -> Path:
    """``../shared/data`` beside the project root (or $MODELCENSUS_SHARED_DATA); missing data fails loudly."""
    path = Path(os.environ.get("MODELCENSUS_SHARED_DATA", ROOT.parent / "shared" / "data"))
    if not (path / "epoch_ai").is_dir():
        pytest.fail(f"shared data not found at {path}: the tests read real data from ../shared/data", pytrace=False)
    return path


@pytest.fixture(scope="session")
def shared() -> Path:
    return shared_data()


@pytest.fixture(scope="session")
def epoch_dir(shared: Path) -> Path:
    return shared / "epoch_ai" / "2026-03-30_cset_zip"


@pytest.fixture(scope="session")
def epoch_census_path(tmp_path_factory: pytest.TempPathFactory, epoch_dir: Path) -> Path:
    """A census store holding the real 2026-03-30 Epoch export (all four files), built once."""
    path = tmp_path_factory.mktemp("census") / "census.duckdb"
    with mc.open(path) as census:
        report = census.ingest_epoch(epoch_dir)
        assert len(report.results) == 1
    return path


@pytest.fixture(scope="session")
def trending_file(shared: Path) -> Path:
    return shared / "hf_hub_starscreener" / "huggingface-trending_2026-05-04.json"


@pytest.fixture(scope="session")
def hub_census_path(tmp_path_factory: pytest.TempPathFactory, trending_file: Path, epoch_census_path: Path) -> Path:
    """A census holding the real Epoch export and the shared Hub trending listing: the Epoch store, copied, then
    the listing ingested, once."""
    path = tmp_path_factory.mktemp("hub") / "census.duckdb"
    shutil.copyfile(epoch_census_path, path)
    with mc.open(path) as census:
        census.ingest_huggingface(trending_file)
    return path


@pytest.fixture()
def hub_census(hub_census_path: Path) -> Iterator[mc.Census]:
    with mc.open(hub_census_path, read_only=True) as opened:
        yield opened


@dataclass(frozen=True)
class Build:
    """A store made by ``modelcensus build --from``, and what the command printed on stdout (the headline)."""

    path: Path
    stdout: str


def _build(source: Path, path: Path) -> Build:
    result = CliRunner().invoke(app, ["build", "--from", str(source), "--db", str(path)])
    assert result.exit_code == 0, result.output
    return Build(path, result.stdout)


@pytest.fixture(scope="session")
def full_build(tmp_path_factory: pytest.TempPathFactory, shared: Path) -> Build:
    """``modelcensus build --from ../shared/data``: every source, built once for the whole session."""
    return _build(shared, tmp_path_factory.mktemp("full") / "census.duckdb")


@pytest.fixture(scope="session")
def full_census_path(full_build: Build) -> Path:
    return full_build.path


@pytest.fixture()
def full_census(full_census_path: Path) -> Iterator[mc.Census]:
    with mc.open(full_census_path, read_only=True) as opened:
        yield opened


@pytest.fixture(scope="session")
def small_data(tmp_path_factory: pytest.TempPathFactory, shared: Path) -> Path:
    """A small copy of the shared data, cut from the real files (see ``small_data.py``)."""
    return write_small_data(shared, tmp_path_factory.mktemp("small-data"))


@pytest.fixture(scope="session")
def small_census_path(tmp_path_factory: pytest.TempPathFactory, small_data: Path) -> Path:
    """``modelcensus build --from`` the small copy: every source, a few hundred models, built once."""
    return _build(small_data, tmp_path_factory.mktemp("small") / "census.duckdb").path


@pytest.fixture()
def small_census(small_census_path: Path) -> Iterator[mc.Census]:
    with mc.open(small_census_path, read_only=True) as opened:
        yield opened


@pytest.fixture()
def census(epoch_census_path: Path) -> Iterator[mc.Census]:
    with mc.open(epoch_census_path, read_only=True) as opened:
        yield opened


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the user's environment or cache."""
    for name in ("MODELCENSUS_DB", "MODELCENSUS_CACHE", "MODELCENSUS_EPOCH_URL", "HF_ENDPOINT", "HF_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf_home"))
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
