"""The estimate a build keeps in the store (``CoverageFigures.keep_estimate``): the estimate of all models, which
``modelcensus estimate``, ``/api/estimate`` and the dashboard answer without a definition, is fitted once by
``build``; a later reader of the same state of the data and code reads it. It must be the very estimate a reader
fits, and another definition, period, list of sources, date or a changed store must fit again."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

import modelcensus as mc
from modelcensus.figures.coverage import KEPT_ESTIMATE, CoverageFigures
from modelcensus.outputs.cli.app import app
from modelcensus.vocabulary import Period

from small_data import kept_keys, store_without_kept

runner = CliRunner()


def _estimate_keys(path: Path) -> list[list[Any]]:
    return kept_keys(path, "estimate")


class _Fits:
    """Counts the estimates a reader fits rather than reads (``refuse``: fitting fails the test)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, refuse: bool = False) -> None:
        self.made = 0
        original = CoverageFigures._estimate_table

        def fit(figures: CoverageFigures, *args: Any) -> Any:
            self.made += 1
            if refuse:
                raise AssertionError("fitted, not read")
            return original(figures, *args)

        monkeypatch.setattr(CoverageFigures, "_estimate_table", fit)


def test_a_build_keeps_the_estimate_of_all_models_as_a_reader_fits_it(
    small_census_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = _estimate_keys(small_census_path)
    assert len(keys) == 1 and KEPT_ESTIMATE in keys[0][3], keys
    fits = _Fits(monkeypatch)
    with mc.open(small_census_path, read_only=True) as census:
        kept = census.estimate()
        assert fits.made == 0, "the kept estimate is read"
        assert keys[0][2] == census.reader.state()
    bare = store_without_kept(small_census_path, tmp_path / "bare.duckdb")
    with mc.open(bare, read_only=True) as census:
        fitted = census.estimate()
    assert fits.made == 1
    assert len(kept.frame) > 1 and kept.frame["listed"].iloc[0] > 0
    pd.testing.assert_frame_equal(kept.frame, fitted.frame)
    assert kept.provenance == fitted.provenance
    # the command prints the same JSON, byte for byte, whether it read or fitted
    printed = [
        runner.invoke(app, ["estimate", "--format", "json", "--db", str(db)]) for db in (small_census_path, bare)
    ]
    assert all(r.exit_code == 0 for r in printed), [r.output for r in printed]
    assert printed[0].stdout == printed[1].stdout and json.loads(printed[0].stdout)[0]["group_name"] == "all models"


@pytest.mark.parametrize(
    "asked",
    [
        {"period": Period(year=2024)},
        {"sources": ["epoch", "huggingface"]},
        {"as_of": "2026-05-01"},
        {"definition": "large-models"},
    ],
    ids=["a-year", "some-sources", "a-date", "another-definition"],
)
def test_another_estimate_is_fitted(small_census_path: Path, monkeypatch: pytest.MonkeyPatch, asked: Any) -> None:
    fits = _Fits(monkeypatch)
    with mc.open(small_census_path, read_only=True) as census:
        census.estimate()
        assert fits.made == 0
        census.estimate(**asked)
    assert fits.made == 1


def test_a_store_changed_after_the_build_fits_its_estimate_again(
    small_census_path: Path, changed_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    changed = changed_store
    fits = _Fits(monkeypatch)
    with mc.open(changed, read_only=True) as census:
        assert _estimate_keys(changed)[0][2] != census.reader.state()
        census.estimate()
    assert fits.made == 1, "the estimate kept for the state before is not read"


def test_keeping_the_estimate_needs_a_writable_store(small_census_path: Path) -> None:
    with mc.open(small_census_path, read_only=True) as census, pytest.raises(mc.StoreError, match="read-only"):
        census.coverage.keep_estimate()
