"""The listing lag a build keeps in the store (``VintageFigures.keep_listing_lags``): the curves of every Epoch AI
model and of the notable ones, on which a country's, an organization's, the dashboard's and the vintages page's
years are read, are counted once by ``build``; a later reader of the same state of the data and code reads their
observations and fits the same curve. They must be the very figure and curve a reader counts, and other filters, a
grouping, a date or a changed store must count again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import modelcensus as mc
from modelcensus.figures.vintages import KEPT_LAGS, VintageFigures

from small_data import Calls, kept_keys, store_without_kept


def _same_curve(a: Any, b: Any) -> None:
    pd.testing.assert_frame_equal(a.observations.reset_index(drop=True), b.observations.reset_index(drop=True))
    assert (a.vintages, a.reference_years, a.first_vintage) == (b.vintages, b.reference_years, b.first_vintage)


def test_a_build_keeps_the_listing_lag_of_all_and_of_notable_models(small_census_path: Path) -> None:
    keys = kept_keys(small_census_path, "listing-lag")
    assert len(keys) == len(KEPT_LAGS) == 2
    with mc.open(small_census_path, read_only=True) as census:
        state = census.reader.state()
    assert {k[2] for k in keys} == {state}, "the key names the state of the data"


def test_kept_lags_are_the_counted_ones_and_are_read_not_counted(
    small_census_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bare = store_without_kept(small_census_path, tmp_path / "bare.duckdb")
    counts = Calls(monkeypatch, VintageFigures, "_listing_lag")
    for filters in ({}, {"notable": True}):
        with mc.open(bare, read_only=True) as census:
            counted, counted_curves = census.listing_lag(None, **filters)
            counted_status = census.year_status(2020, 2025, **filters).frame
        made = counts.made
        with mc.open(small_census_path, read_only=True) as census:
            kept, kept_curves = census.listing_lag(None, **filters)
            kept_status = census.year_status(2020, 2025, **filters).frame  # read on the kept curve
        assert counts.made == made, "the kept lag is read"
        pd.testing.assert_frame_equal(kept_status, counted_status)
        assert len(counted.frame) > 10
        pd.testing.assert_frame_equal(kept.frame, counted.frame)
        assert kept.provenance == counted.provenance
        assert set(kept_curves) == {""} and set(counted_curves) == {""}
        _same_curve(kept_curves[""], counted_curves[""])


def test_other_filters_a_grouping_or_a_date_count_again(
    small_census_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counts = Calls(monkeypatch, VintageFigures, "_listing_lag")
    with mc.open(small_census_path, read_only=True) as census:
        census.listing_lag(None, notable=None, frontier=None)  # no filter said: the kept one
        assert counts.made == 0
        census.listing_lag(None, frontier=True)
        census.listing_lag("country")
        census.listing_lag(None, as_of="2025-06-01")
        assert counts.made == 3


def test_a_store_changed_after_the_build_counts_its_lag_again(
    changed_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counts = Calls(monkeypatch, VintageFigures, "_listing_lag")
    with mc.open(changed_store, read_only=True) as census:
        census.listing_lag(None)
    assert counts.made == 1, "kept for the old state: not read"
