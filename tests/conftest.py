"""Shared fixtures: the real shared data (read in place, never copied) and a census built from it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

import modelcensus as mc

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
def hub_census_path(tmp_path_factory: pytest.TempPathFactory, trending_file: Path, epoch_dir: Path) -> Path:
    """A census holding the real Epoch export and the shared Hub trending listing, built once."""
    path = tmp_path_factory.mktemp("hub") / "census.duckdb"
    with mc.open(path) as census:
        census.ingest_epoch(epoch_dir)
        census.ingest_huggingface(trending_file)
    return path


@pytest.fixture()
def hub_census(hub_census_path: Path) -> Iterator[mc.Census]:
    with mc.open(hub_census_path, read_only=True) as opened:
        yield opened


@pytest.fixture(scope="session")
def full_census_path(tmp_path_factory: pytest.TempPathFactory, shared: Path) -> Path:
    """``modelcensus build --from ../shared/data``: every source, built once."""
    from typer.testing import CliRunner

    from modelcensus.outputs.cli.app import app

    path = tmp_path_factory.mktemp("full") / "census.duckdb"
    result = CliRunner().invoke(app, ["build", "--from", str(shared), "--db", str(path)])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture()
def full_census(full_census_path: Path) -> Iterator[mc.Census]:
    with mc.open(full_census_path, read_only=True) as opened:
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
