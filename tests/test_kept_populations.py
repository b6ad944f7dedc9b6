"""Populations a build keeps in the store (``store/kept.py``): read by every later reader, never stale, never exported.

A build keeps each definition's population (members, units, countries); a reader's figures over a definition start
from those tables instead of computing the population again. The figures must be the very same as without them,
and a store whose data changed after the build (a new ingest) must not read them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

import modelcensus as mc
from modelcensus.config import Config
from modelcensus.figures import reader as reader_module
from modelcensus.store import registry_fingerprint

from small_data import Calls, store_without_kept


def _kept(path: Path) -> list[tuple[str, str, int]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return [
            (str(k), str(n), int(r)) for k, n, r in con.execute("SELECT key, table_name, rows FROM _kept").fetchall()
        ]
    finally:
        con.close()


def _figures(census: mc.Census) -> dict[str, Any]:
    """Figures over definitions, as plain data: counts under several units, rules and attributions, members."""
    out: dict[str, Any] = {}
    for name in ("all-sources", "epoch-notable", "large-models", "hub-originals"):
        for unit, rule, attribution in (
            (None, None, None),
            ("family", "fractional", "resolved"),
            ("release", "full", "as-published"),
        ):
            frame = census.count_definition(name, unit=unit, rule=rule, attribution=attribution).frame
            out[f"{name}/{unit}/{rule}/{attribution}"] = frame.to_dict(orient="records")
    for by, attribution, derivatives in (
        ("country", "resolved", "include"),
        ("country", "lineage", "only"),
        ("base_family", "resolved", "exclude"),
        ("organization", "lineage", "include"),
    ):
        hub = census.count_hub(by, attribution=attribution, derivatives=derivatives, metric="downloads").frame
        out[f"hub/{by}/{attribution}/{derivatives}"] = hub.to_dict(orient="records")
    page = census.definition_members_page("all-sources", limit=25, country="CN")
    out["members"] = [page.total, page.frame.astype(str).to_dict(orient="records")]
    out["by_year"] = census.count_definition_by_year("epoch-notable", 2020, 2025).frame.to_dict(orient="records")
    frontier = census.frontier()
    out["frontier"] = [frontier.frame.to_dict(orient="records"), frontier.provenance.to_dict()]
    return json.loads(json.dumps(out, default=str))


def test_a_build_keeps_every_definitions_population(small_census_path: Path) -> None:
    kept = _kept(small_census_path)
    with mc.open(small_census_path, read_only=True) as census:
        names = set(census.definitions())
    keys = [json.loads(k) for k, _, _ in kept]
    # members, units and countries under two or three attributions, for every definition with its own population
    assert {k[-1] for k in keys} >= {"members", "units", "as-published", "resolved", "lineage"}
    members = [k for k in keys if k[-1] == "members"]
    assert len(members) >= len(names) - 2  # two presets may share a population (same sources and filters)
    assert any(k[2] == ["huggingface"] and k[3] == "{}" for k in members), "every Hub repo is kept too"
    assert all(r >= 0 for _, _, r in kept) and sum(r for _, _, r in kept) > 0


def test_kept_populations_give_the_same_figures_and_are_read_not_computed(
    small_census_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bare = store_without_kept(small_census_path, tmp_path / "bare.duckdb")

    counting = Calls(monkeypatch, reader_module, "population_members")
    with mc.open(bare, read_only=True) as census:
        expected = _figures(census)
    computed = counting.made
    counting.made = 0
    with mc.open(small_census_path, read_only=True) as census:
        assert census.tables.hub_now is not None, "today's Hub repos with their lineage are kept"
        assert census.tables.lmarena_countries is not None, "so are the LMArena models' countries"
        actual = _figures(census)
    with mc.open(bare, read_only=True) as census:
        assert census.tables.hub_now is None and census.tables.lmarena_countries is None
    assert actual["frontier"][0], "the small census has a frontier to compare"
    assert actual == expected
    assert computed >= 4  # without kept tables every population is computed
    assert counting.made == 0, "with kept tables, no population of the default date is computed"


def test_a_store_changed_after_the_build_does_not_read_what_was_kept(
    small_census_path: Path, changed_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    changed = changed_store
    counting = Calls(monkeypatch, reader_module, "population_members")
    with mc.open(changed, read_only=True) as census:
        after = census.count_definition("all-sources").frame
    assert counting.made >= 1, "a changed store computes its populations again"
    with mc.open(small_census_path, read_only=True) as census:
        before = census.count_definition("all-sources").frame
    assert after["denominator"].iloc[0] >= 1 and before["denominator"].iloc[0] >= 1
    with mc.open(changed) as census:  # a writer keeps populations for the new state again
        assert [n for n, _ in census.reader.keep_populations()]
    counting.made = 0
    with mc.open(changed, read_only=True) as census:
        again = census.count_definition("all-sources").frame
    assert again.equals(after)
    assert counting.made == 0
    populations = [
        [k for k, _, _ in _kept(p) if json.loads(k)[0] not in ("verdicts", "estimate", "listing-lag", "hub-count")]
        for p in (changed, small_census_path)
    ]
    assert len(populations[0]) == len(populations[1]), "what was kept for the old state is dropped"


def test_kept_tables_are_left_out_of_exports(small_census_path: Path, tmp_path: Path) -> None:
    with mc.open(small_census_path, read_only=True) as census:
        manifest = census.export(tmp_path / "export")
    names = list(manifest["tables"])
    assert "census_records" in names
    assert not [n for n in names if n.startswith("_")]
    assert not list((tmp_path / "export").glob("_*"))


def test_a_reader_names_its_links_without_loading_the_registry(small_census_path: Path, tmp_path: Path) -> None:
    """The links' key names the registry by its fingerprint; a build records the fingerprint of the registry made of
    its inputs (the package and the configured files), so a reader of the same inputs counts without loading the
    registry (a third of a second of every first answer), and a reader of other inputs loads its own."""
    with mc.open(small_census_path, read_only=True) as census:
        counted = census.count_definition("all-sources").frame
        assert census.reader._registry is None, "the registry was loaded"
        key = census.reader.linker.links_key()  # type: ignore[union-attr]
        assert census.registry is not None  # loading it now gives the same key
        assert census.reader.registry_fingerprint() == registry_fingerprint(census.registry)
    mine = tmp_path / "mine.csv"
    mine.write_text(
        "id,name,countries,sector,parent,aliases,hub_handles,note\nmy-lab,My Lab,NZ,academia,,Ma Lab,,a test lab\n",
        encoding="utf-8",
    )
    with mc.open(small_census_path, read_only=True, config=Config(registry_paths=(mine,))) as census:
        assert census.reader.linker.links_key() != key  # type: ignore[union-attr]
        assert census.reader._registry is not None, "other inputs: the registry is loaded"
    with mc.open(small_census_path, read_only=True) as census:
        assert census.count_definition("all-sources").frame.equals(counted)
