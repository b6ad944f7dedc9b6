"""The Hub counts a build keeps in the store (``HubFigures.keep_counts``): the 30-day downloads of every repo now by
country and by organization, of its own publisher and of its root base model's developer, which every country's and
organization's page shows. A later reader of the same state of the data and code reads the kept frame; it must be the
very frame a reader counts, and a filter, a date, a place, another metric or rule, or a changed store must count
again."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

import modelcensus as mc
from modelcensus.figures import hub as hub_module
from modelcensus.figures.hub import KEPT_HUB_COUNTS
from modelcensus.store.core import Store

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


def test_a_listing_ingested_and_not_linked_is_counted_without_linking_first(
    small_census_path: Path, trending_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Hub count needs no links: after a library ingest of a new listing (not linked yet), the count is made from
    the repos at once, not after linking the census and storing its records (at 2M repos 1.5 s, not 28 s), and it is
    the count the census gives once linked."""
    store = tmp_path / "census.duckdb"
    shutil.copyfile(small_census_path, store)
    listing = json.loads(trending_file.read_text("utf-8"))
    later = tmp_path / "later.json"
    models = [{**m, "downloads": (m.get("downloads") or 0) * 3} for m in listing["models"][::2]]
    later.write_text(json.dumps({"fetchedAt": "2026-07-01T00:00:00Z", "models": models}), encoding="utf-8")
    links = Calls(monkeypatch, Store, "link")
    populations = Calls(monkeypatch, Store, "save_population")
    counts = Calls(monkeypatch, hub_module, "count_hub")
    with mc.open(store) as census:
        census.ingest_huggingface(later)
        assert not census.reader.population_current()
        by, metric, attribution = KEPT_HUB_COUNTS[0]
        before = census.count_hub(by, metric=metric, attribution=attribution)
        assert (links.made, populations.made, counts.made) == (0, 0, 1), "counted, nothing linked or stored"
        assert not census.reader.population_current()
        census.link()
        assert (links.made, populations.made) == (1, 1) and census.reader.population_current()
        after = census.count_hub(by, metric=metric, attribution=attribution)
    assert before.frame["value"].sum() > 0
    pd.testing.assert_frame_equal(before.frame, after.frame)
