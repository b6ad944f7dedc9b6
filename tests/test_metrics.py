"""Counting rules, shares, groups and statistics on a small export the tests write."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

import modelcensus as mc
from modelcensus.errors import QueryError

from epoch_fixtures import write_export


@pytest.fixture()
def small(tmp_path: Path) -> Iterator[mc.Census]:
    with mc.open(tmp_path / "small.duckdb") as census:
        census.ingest_epoch(write_export(tmp_path / "e"))
        yield census


def _counts(frame) -> dict:  # type: ignore[no-untyped-def]
    return dict(zip(frame["group"], frame["count"], strict=True))


def test_full_counts_a_model_once_per_country(small: mc.Census) -> None:
    figure = small.count(by="country")
    frame = figure.frame
    counts = _counts(frame)
    assert counts == {"US": 1, "CN": 1, "GB": 1, "CA": 1, "FR": 1, None: 2}
    assert set(frame["denominator"]) == {6}
    assert frame.set_index("group").loc["GB", "share"] == pytest.approx(1 / 6)
    assert "models that pass the filters" in (figure.provenance.denominator or "")


def test_fractional_splits_a_model_among_its_countries(small: mc.Census) -> None:
    counts = _counts(small.count(by="country", rule="fractional").frame)
    assert counts["GB"] == pytest.approx(0.5) and counts["CA"] == pytest.approx(0.5)
    assert sum(counts.values()) == pytest.approx(6)


def test_primary_counts_the_first_organizations_country(small: mc.Census) -> None:
    counts = _counts(small.count(by="country", rule="primary").frame)
    assert counts.get("GB") == 1 and "CA" not in counts
    assert sum(counts.values()) == 6


def test_models_without_country_are_a_row_not_dropped(small: mc.Census) -> None:
    frame = small.count(by="country", year=2024).frame
    row = frame[frame["group"].isna()]
    assert list(row["group_name"]) == ["(no country)"]
    assert int(row["count"].iloc[0]) == 2  # Epsilon (empty) and Zeta (Multinational only)
    assert set(small.models(country="none").frame["name"]) == {"Epsilon", "Zeta"}


def test_filters(small: mc.Census) -> None:
    assert _counts(small.count(by="country", year=2023).frame) == {"GB": 1, "CA": 1, "FR": 1}
    assert set(small.models(open_weights="yes").frame["name"]) == {"Beta-7B"}
    assert set(small.models(domain="vision").frame["name"]) == {"Beta-7B", "Gamma"}
    assert set(small.models(frontier=True).frame["name"]) == {"Alpha-1"}
    assert set(small.models(large_scale=True).frame["name"]) == {"Alpha-1", "Gamma"}
    assert set(small.models(since=2024, until=2024, notable=True).frame["name"]) == {"Alpha-1"}


def test_breakdown_by_year_has_a_denominator_per_year(small: mc.Census) -> None:
    frame = small.count(by=["country", "year"]).frame
    per_year = frame.groupby("year")["denominator"].unique().map(list).to_dict()
    assert per_year == {2023: [2], 2024: [4]}


def test_a_time_breakdown_shares_all_models(small: mc.Census) -> None:
    figure = small.count(by="year")
    frame = figure.frame
    shares = dict(zip(frame["group"], frame["share"], strict=True))
    assert shares == {2024: pytest.approx(4 / 6), 2023: pytest.approx(2 / 6)}
    assert figure.provenance.denominator == "models that pass the filters"


def test_other_dimensions(small: mc.Census) -> None:
    assert _counts(small.count(by="open_weights").frame) == {"yes": 1, "no": 2, "unknown": 3}
    domains = _counts(small.count(by="domain").frame)
    assert domains["Language"] == 4 and domains["Vision"] == 2
    regions = _counts(small.count(by="region").frame)
    assert regions["EU-27"] == 1  # France
    assert regions["G7"] == 3  # US, GB+CA (once), France
    orgs = _counts(small.count(by="organization", attribution="resolved").frame)
    assert orgs["Some Unknown Lab (unresolved)"] == 1
    sectors = _counts(small.count(by="sector", attribution="resolved").frame)
    assert sectors["academia"] == 2 and sectors["industry"] >= 3
    months = _counts(small.count(by="month").frame)
    assert months["2024-03"] == 1


def test_resolved_attribution_uses_the_registry(small: mc.Census) -> None:
    counts = _counts(small.count(by="country", attribution="resolved").frame)
    assert counts["AE"] == 1  # Technology Innovation Institute (published as "Multinational")
    assert counts[None] == 1  # only the unknown lab is left without a country
    # Zeta has no published country ("Multinational" only), so it is no disagreement; Gamma's source
    # says Google DeepMind is British, the registry (like Epoch's real data) says US: listed, explained
    disagreements = small.disagreements()
    assert list(disagreements["model"]) == ["Gamma"]
    assert disagreements["explanation"][0].startswith("Google DeepMind: source says 'United Kingdom")
    assert small.models(country="AE", attribution="resolved").frame["name"].tolist() == ["Zeta"]


def test_statistics(small: mc.Census) -> None:
    stats = small.statistics(by="year").frame.set_index("group")
    assert stats.loc[2024, "models"] == 4
    assert stats.loc[2024, "total_training_compute_flop"] == pytest.approx(1e24 + 5e22)
    assert stats.loc[2024, "median_training_compute_flop"] == pytest.approx((1e24 + 5e22) / 2)
    assert stats.loc[2023, "median_parameters"] == pytest.approx(7e9)
    fractional = small.statistics(by="country", rule="fractional").frame.set_index("group")
    assert fractional.loc["GB", "total_training_compute_flop"] == pytest.approx(1.5e23)


def test_hardware_vendors(small: mc.Census) -> None:
    hw = small.hardware(by="country").frame
    vendors = {(g, v): m for g, v, m in zip(hw["group"], hw["vendor"], hw["models"], strict=True)}
    assert vendors[("US", "NVIDIA")] == 1
    assert vendors[("CN", "Huawei")] == 1
    assert vendors[("GB", "Google")] == 1
    assert hw.set_index("vendor").loc["Huawei", "vendor_country"] == "CN"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"by": "planet"}, "cannot group by"),
        ({"by": ["country", "organization"]}, "at most one"),
        ({"by": "country", "rule": "half"}, "rule must be"),
        ({"by": "country", "attribution": "guess"}, "attribution must be"),
        ({"by": "country", "open_weights": "maybe"}, "open_weights must be"),
        ({"by": "country", "year": 2024, "since": 2020}, "either year"),
        ({"by": "country", "as_of": "yesterday"}, "as_of must be a date"),
    ],
)
def test_bad_requests_are_query_errors(small: mc.Census, kwargs: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(QueryError, match=message):
        small.count(**kwargs)


def test_a_figure_carries_its_provenance_and_its_json_keeps_the_keys(small: mc.Census) -> None:
    """The provenance is typed (dates, tuples) and its JSON has the keys the CLI and API printed before it was:
    a stated field that is empty (a count's note, a models list's country) stays as null; others are left out."""
    count = small.count(by=["country", "year"], notable=True)
    assert isinstance(count, mc.Figure) and isinstance(count.provenance, mc.Provenance)
    assert count.provenance.by == ("country", "year") and count.provenance.rule == "full"
    out = count.provenance.to_dict()
    assert list(out) == ["definition", "by", "rule", "rule_text", "attribution", "denominator", "snapshots", "note"]
    assert out["by"] == ["country", "year"] and out["note"] is None
    assert out["denominator"] == "models that pass the filters in the same year"
    assert {s["source"] for s in out["snapshots"]} == {"epoch"}
    listed = small.models(organization="Alpha").provenance.to_dict()
    assert list(listed) == ["definition", "attribution", "snapshots", "note", "country", "organization"]
    assert listed["country"] is None and listed["organization"] == "Alpha"
    assert "'Alpha' is not in the registry" in listed["note"]  # how the organization filter read the name
    empty = mc.Provenance()
    assert empty.to_dict() == {} and empty.snapshot_list == []
    dated = mc.Provenance(as_of=date(2025, 1, 1), by=("country",), stated_when_empty=("note",))
    assert dated.to_dict() == {"by": ["country"], "as_of": "2025-01-01", "note": None}


def _many_figures(census: mc.Census) -> dict[str, object]:
    """Figures of every kind, as plain data."""
    out: dict[str, object] = {}
    for name, figure in (
        ("by country", census.count("country", rule="fractional", attribution="resolved")),
        ("by country and year", census.count(["country", "year"])),
        ("definition", census.count_definition("all-sources", unit="family")),
        ("hub lineage", census.count_hub("country", metric="downloads", attribution="lineage")),
        ("hub organizations", census.count_hub("organization", derivatives="only")),
        ("frontier", census.frontier()),
        ("top organizations", census.top_organizations(10, org_country="CN")),
        ("models", census.models(country="CN")),
        ("lag", census.listing_lag("country")[0]),
        ("estimate", census.estimate(definition="large-models")),
    ):
        # rounded: DuckDB sums floats in the order its threads finish, whatever the SQL
        frame = figure.frame
        floats = frame.select_dtypes("float").columns
        frame = frame.assign(**{c: frame[c].round(9) for c in floats})
        out[name] = [frame.astype(str).to_dict(orient="records"), figure.provenance.to_dict()]
    page = census.definition_members_page("hub-derivatives", limit=20, country="CN")
    out["members"] = [page.total, page.frame.astype(str).to_dict(orient="records")]
    return out


def test_unfused_sql_gives_the_rows_fused_sql_gives(small_census_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The engines have Ibis compile each step as its own SELECT (faster to compile); the figures are those of the
    fused SQL Ibis writes by default."""
    import ibis

    from modelcensus.engines import duckdb as duckdb_engine

    with mc.open(small_census_path, read_only=True) as census:
        assert ibis.options.sql.fuse_selects is False
        unfused = _many_figures(census)
    monkeypatch.setattr(duckdb_engine, "compile_unfused", lambda: None)
    monkeypatch.setattr(ibis.options.sql, "fuse_selects", True)
    with mc.open(small_census_path, read_only=True) as census:
        fused = _many_figures(census)
    assert fused == unfused
    assert all(rows for rows, _ in (v for k, v in fused.items() if k != "members")), "every figure has rows"


def test_the_stored_tables_are_described_as_ibis_describes_them(small_census_path: Path) -> None:
    """The engine describes the stored tables in one catalog query (``DuckDBEngine._described``), not one ``DESCRIBE``
    each: the very tables Ibis makes, for a reader and a writer, and a reader's temporary table in place of the
    stored one of its name, as SQL reads it."""
    from modelcensus.metrics.core import STORED_TABLES

    with mc.open(small_census_path, read_only=True) as census:
        engine = census.reader.engine
        engine.tables()  # its temporary stand-ins made, if any
        described = engine._described(STORED_TABLES)  # type: ignore[attr-defined]
        ibis_tables = {name: engine._backend.table(name) for name in STORED_TABLES}  # type: ignore[attr-defined]
        assert {n: t.op() for n, t in described.items()} == {n: t.op() for n, t in ibis_tables.items()}
        engine.store.con.execute("CREATE TEMP TABLE census_records AS SELECT 1 AS only_column")
        shadowed = engine._described(("census_records", "exports"))  # type: ignore[attr-defined]
        assert shadowed["census_records"].columns == ("only_column",)
        assert shadowed["census_records"].op() == engine._backend.table("census_records").op()  # type: ignore[attr-defined]
        assert shadowed["exports"].op() == ibis_tables["exports"].op()
