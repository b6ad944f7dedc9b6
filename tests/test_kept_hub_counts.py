"""The Hub counts a build keeps in the store (``HubFigures.keep_counts``): the 30-day downloads of every repo now by
country and by organization, of its own publisher and of its root base model's developer, which every country's and
organization's page shows. A later reader of the same state of the data and code reads the kept frame; it must be the
very frame a reader counts, and a filter, a date, a place, another metric or rule, or a changed store must count
again."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import modelcensus as mc
from modelcensus.figures import hub as hub_module
from modelcensus.figures.hub import KEPT_HUB_COUNTS

from small_data import Calls, kept_keys, store_without_kept


def test_a_build_keeps_the_hubs_downloads_by_country_and_organization(small_census_path: Path) -> None:
    keys = kept_keys(small_census_path, "hub-count")
    assert len(keys) == len(KEPT_HUB_COUNTS) == 4
    with mc.open(small_census_path, read_only=True) as census:
        state = census.reader.state()
    assert {k[2] for k in keys} == {state}, "the key names the state of the data"
    assert {tuple(k[3:]) for k in keys} == set(KEPT_HUB_COUNTS)


def test_kept_counts_are_the_counted_ones_and_are_read_not_counted(
    small_census_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bare = store_without_kept(small_census_path, tmp_path / "bare.duckdb")
    counts = Calls(monkeypatch, hub_module, "count_hub")
    for by, metric, attribution in KEPT_HUB_COUNTS:
        with mc.open(bare, read_only=True) as census:
            counted = census.count_hub(by, metric=metric, attribution=attribution)
        made = counts.made
        assert made >= 1, "a store with nothing kept counts"
        with mc.open(small_census_path, read_only=True) as census:
            kept = census.count_hub(by, metric=metric, attribution=attribution)
        assert counts.made == made, "the kept count is read"
        assert len(counted.frame) > 3 and counted.frame["value"].sum() > 0
        pd.testing.assert_frame_equal(kept.frame, counted.frame)
        assert kept.provenance == counted.provenance


def test_a_filter_a_date_a_place_another_metric_or_rule_count_again(
    small_census_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counts = Calls(monkeypatch, hub_module, "count_hub")
    with mc.open(small_census_path, read_only=True) as census:
        census.count_hub("country", metric="downloads", attribution="lineage", coverage=False)
        assert counts.made == 0
        census.count_hub("country", metric="downloads", attribution="resolved", derivatives="exclude")
        census.count_hub("country", metric="downloads", attribution="resolved", as_of="2026-06-01")
        census.count_hub("country", metric="downloads", attribution="resolved", country="CN")
        census.count_hub("country", metric="models", attribution="resolved")
        census.count_hub("country", metric="downloads", attribution="resolved", rule="fractional")
        census.count_hub(["country", "year"], metric="downloads", attribution="resolved")
        assert counts.made == 6


def test_a_store_changed_after_the_build_counts_its_hub_again(
    changed_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counts = Calls(monkeypatch, hub_module, "count_hub")
    with mc.open(changed_store, read_only=True) as census:
        census.count_hub("country", metric="downloads", attribution="resolved")
    assert counts.made == 1, "kept for the old state: not read"
