"""The live download path, against a real HTTP server on 127.0.0.1 serving the real export."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

import modelcensus as mc
from modelcensus.config import Config
from modelcensus.errors import SourceUnavailableError
from modelcensus.outputs.cli.app import app

from httpserver import Payloads, serve
from known_answers import EPOCH_MODELS


@pytest.fixture(scope="module")
def zipped_export(epoch_dir: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in (
            "all_ai_models.csv",
            "notable_ai_models.csv",
            "large_scale_ai_models.csv",
            "frontier_ai_models.csv",
        ):
            zf.write(epoch_dir / name, name)
    return buffer.getvalue()


def _config(tmp_path: Path, url: str) -> Config:
    return Config(
        db_path=tmp_path / "live.duckdb",
        cache_dir=tmp_path / "cache",
        epoch_url=url,
        http_timeout_s=10,
        http_retries=4,
        http_backoff_s=0.01,
    )


def test_live_download_with_transient_faults(tmp_path: Path, zipped_export: bytes, census: mc.Census) -> None:
    payloads = Payloads(routes={"/data/ai_models.zip": zipped_export}, faults=["503", "reset", "truncate", "429"])
    with serve(payloads) as base:
        config = _config(tmp_path, f"{base}/data/ai_models.zip")
        with mc.open(config.db_path, config=config) as live:
            report = live.ingest_epoch()
            assert len(payloads.requests) == 5
            sources = live.sources()
            assert set(sources["location"].str.split("!").str[0]) == {config.epoch_url}
            assert report.results[0].export_id == census.sources()["export_id"].iloc[0]
            assert live.count(by="country", year=2024).frame.equals(census.count(by="country", year=2024).frame)
    assert not list((tmp_path / "cache").rglob("*.part"))


def test_permanent_failure_is_a_clear_error_and_writes_nothing(tmp_path: Path) -> None:
    payloads = Payloads(routes={})
    with serve(payloads) as base:
        config = _config(tmp_path, f"{base}/data/ai_models.zip")
        with mc.open(config.db_path, config=config) as live:
            with pytest.raises(SourceUnavailableError, match="HTTP 404"):
                live.ingest_epoch()
            assert live.sources().empty


def test_retries_are_bounded(tmp_path: Path, zipped_export: bytes) -> None:
    payloads = Payloads(routes={"/z": zipped_export}, faults=["503"] * 10)
    with serve(payloads) as base:
        config = _config(tmp_path, f"{base}/z")
        with mc.open(config.db_path, config=config) as live, pytest.raises(SourceUnavailableError, match="5 attempts"):
            live.ingest_epoch()
    assert len(payloads.requests) == 5


def test_cli_ingest_from_url(tmp_path: Path, zipped_export: bytes) -> None:
    payloads = Payloads(routes={"/ai_models.zip": zipped_export}, faults=["503"])
    with serve(payloads) as base:
        db = tmp_path / "cli.duckdb"
        result = CliRunner().invoke(
            app,
            ["ingest", "epoch", "--url", f"{base}/ai_models.zip", "--db", str(db)],
            env={"MODELCENSUS_CACHE": str(tmp_path / "cache")},
        )
        assert result.exit_code == 0, result.output
        assert f"{EPOCH_MODELS:,} models" in result.output
