"""Country and region filters on every figure, the organization table's registry columns, and one explained total
per organization across pages.

On the small census (real rows of every source): each filtered figure is checked against the models (units, repos)
behind it, listed through another path (``models``, the unfiltered figure's row, the region file), never against a
number written here.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import modelcensus as mc
from modelcensus.orgs import load_region_groups
from modelcensus.outputs.api.app import create_app
from modelcensus.outputs.cli.app import app
from modelcensus.outputs.web.profiles import Profiles

runner = CliRunner()


def _cli(db: Path, *args: str) -> Any:
    result = runner.invoke(app, [*args, "--format", "json", "--db", str(db)])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _table(db: Path, *args: str) -> str:
    result = runner.invoke(app, [*args, "--db", str(db)])
    assert result.exit_code == 0, result.output
    return " ".join(result.stdout.split())  # the caption wraps: compare its words


def _error(db: Path, *args: str) -> str:
    result = runner.invoke(app, [*args, "--db", str(db)])
    assert result.exit_code == 1 and result.output.startswith("error:"), result.output
    return result.output


@pytest.mark.parametrize("attribution", ["as-published", "resolved"])
def test_top_organizations_of_a_country(small_census_path: Path, attribution: str) -> None:
    """``count --by organization --country CN`` ranks the organizations of China's models: each organization's
    models are those of `models --country CN` that list it; the share is of China's models."""
    db = small_census_path
    rows = _cli(db, "count", "--by", "organization", "--country", "CN", "--attribution", attribution)
    models = _cli(db, "models", "--country", "CN", "--attribution", attribution)
    assert rows and {r["denominator"] for r in rows} == {len(models)}
    counted = {r["group"]: r["models"] for r in rows}
    if attribution == "as-published":
        expected = Counter(name for m in models for name in set(m["organizations"]))
        assert counted == dict(expected)
    else:
        with mc.open(db, read_only=True) as census:
            names = {n: census.registry.resolve(n).org for m in models for n in m["organizations"]}
        labels = {n: (o.name if o else f"{n} (unresolved)") for n, o in names.items()}
        expected = Counter(label for m in models for label in {labels[n] for n in m["organizations"]})
        assert counted == dict(expected)
    assert [r["count"] for r in rows] == sorted((r["count"] for r in rows), reverse=True)
    with mc.open(db, read_only=True) as census:
        registry = census.registry
        for r in rows:  # the registry's columns: one name, the organization's own countries, its family
            org = registry.orgs.get(r["org_id"]) if r["org_id"] else None
            resolved = registry.resolve(r["group"]).org if attribution == "as-published" else org
            assert (org is None) == (resolved is None) == (r["organization"] is None), r
            if org is not None:
                assert r["organization"] == org.name and r["countries"] == list(org.countries)
                assert r["models_with_subsidiaries"] >= r["models"]
    caption = _table(db, "count", "--by", "organization", "--country", "CN", "--attribution", attribution)
    words = "as published" if attribution == "as-published" else "resolved through the organization registry"
    assert f"Models: of China ({words})." in caption
    assert "co-developed one of them is counted too" in caption and "models_with_subsidiaries" in caption


def test_several_countries_a_region_and_none(small_census_path: Path) -> None:
    db = small_census_path
    every = _cli(db, "models")
    published = [set(m["countries_published"]) for m in every]

    def denominator(*args: str) -> int:
        rows = _cli(db, "count", *args)
        return int(rows[0]["denominator"]) if rows else 0

    assert denominator("--country", "CN", "--country", "Hong Kong") == sum(bool(c & {"CN", "HK"}) for c in published)
    assert denominator("--country", "none") == sum(not c for c in published)
    for region in ("eu27", "EU-27", "Greater China"):
        members = next(g for g in load_region_groups().values() if region in (g.group, g.name)).members
        assert denominator("--region", region) == sum(bool(c & members) for c in published) > 0
    caption = _table(db, "count", "--region", "greater-china")
    assert "Models: of Greater China (as published)." in caption
    assert "unknown country 'XX'" in _error(db, "count", "--country", "XX")
    assert "unknown region 'atlantis'; region groups: africa" in _error(db, "count", "--region", "atlantis")
    assert "either country or region" in _error(db, "count", "--country", "CN", "--region", "eu27")


def test_every_figure_takes_the_filter(small_census_path: Path) -> None:
    """statistics, hardware, vintages, top organizations, definitions and Hub counts read only that country's."""
    db = small_census_path
    with mc.open(db, read_only=True) as census:
        us = len(census.models(country="US").frame)
        assert census.statistics("year", country="US").frame["models"].sum() == us
        listed = census.models(country="US").frame
        hardware = census.hardware("country", country="US").frame
        assert "US" in set(hardware["group"]) and set(hardware["group"]) <= set().union(*listed["countries_published"])
        vintages = census.vintages("country", country="US", attribution="resolved").frame
        newest = vintages[vintages["export_id"] == vintages["export_id"].iloc[-1]]
        assert set(newest["denominator"]) == {len(census.models(country="US", attribution="resolved").frame)}
        top = census.top_organizations(20, country="US").frame
        assert set(top["denominator"]) == {us}
        resolved = {n: census.registry.resolve(n).org for names in listed["organizations"] for n in names}
        ids = Counter(i for names in listed["organizations"] for i in {o.id for n in names for o in [resolved[n]] if o})
        assert dict(zip(top["org_id"], top["models"], strict=True)) == {i: ids[i] for i in top["org_id"]}
        assert top.iloc[0]["models"] == max(ids.values())
        whole = census.count_definition("all-sources").frame.set_index("group")
        only = census.count_definition("all-sources", country="CN")
        assert set(only.frame["denominator"]) == {whole.loc["CN", "units"]}
        assert only.frame.set_index("group").loc["CN", "share"] == 1.0
        assert "units of China (resolved through the organization registry)" in (only.provenance.definition or "")
        members = census.definition_members("all-sources", country=["CN"])
        assert members["unit"].nunique() == whole.loc["CN", "units"]
        hub = census.count_hub("country").frame.set_index("group")
        cn_hub = census.count_hub("organization", country="CN")
        assert set(cn_hub.frame["denominator"]) == {hub.loc["CN", "value"]}
        assert "of China (resolved through the organization registry)" in (cn_hub.provenance.definition or "")


def test_the_time_series_commands_take_the_filter(small_census_path: Path) -> None:
    """``lag``, ``vintages`` and ``trend`` read the same country's models (repos) as ``count`` does."""
    db = small_census_path
    per_year = {r["group"]: r["count"] for r in _cli(db, "count", "--by", "year", "--country", "CN")}
    years = _cli(db, "lag", "--country", "CN")["years"]
    assert years and all(y["listed"] == per_year.get(y["year"], 0) for y in years)
    vintages = _cli(db, "vintages", "--country", "CN", "--attribution", "resolved")
    newest = [v for v in vintages if v["export_id"] == vintages[-1]["export_id"]]
    assert {v["denominator"] for v in newest} == {
        len(_cli(db, "models", "--country", "CN", "--attribution", "resolved"))
    }
    whole = {r["group"]: r["value"] for r in _cli(db, "trend", "--metric", "models")}
    cn = _cli(db, "trend", "--metric", "models", "--country", "CN")
    assert cn and {r["denominator"] for r in cn} == {whole["CN"]}


def test_the_api_takes_the_same_filters(small_census_path: Path) -> None:
    db = small_census_path
    with TestClient(create_app(db, timeout_s=600)) as client:
        params: dict[str, Any] = {"by": "organization", "country": ["CN", "HK"], "attribution": "resolved"}
        response = client.get("/api/count", params=params)
        assert response.status_code == 200, response.text
        cli = _cli(
            db, "count", "--by", "organization", "--country", "CN", "--country", "HK", "--attribution", "resolved"
        )
        assert response.json() == cli
        page = client.get("/api/models", params={"region": "eu27", "limit": 500})
        assert page.status_code == 200 and page.json()["total"] == len(_cli(db, "models", "--region", "eu27"))
        bad = client.get("/api/count", params={"region": "atlantis"})
        assert bad.status_code == 422 and "unknown region" in bad.text


def test_one_organization_one_total_on_every_page(small_census_path: Path) -> None:
    """Alibaba on China's page counts what its own page counts (its subsidiaries included); the organization table
    of ``count --by organization`` names it the same way and carries both totals."""
    with mc.open(small_census_path, read_only=True) as census:
        pages = Profiles(census)
        china = pages.country_profile("CN", since=2020)
        listed = {o["org_id"]: o for o in china["top_organizations"]}
        assert "alibaba" in listed, "the small census holds Alibaba's models"
        plain = next(i for i, o in listed.items() if o["models"] == o["models_own"])
        for org_id, row in ((i, listed[i]) for i in ("alibaba", plain)):  # with subsidiaries' models, and without
            page = pages.organization_profile(org_id, since=2020)
            assert (row["organization"], row["models"]) == (page["name"], page["models_total"]), org_id
            assert row["models_own"] == page["models_own"] <= page["models_total"]
        assert listed["alibaba"]["models"] > listed["alibaba"]["models_own"], "Alibaba's subsidiaries have models"
        assert "models_with_subsidiaries" in (china["top_organizations_note"] or "")
        table = census.count("organization", country="CN", since=2020).frame
        alibaba = table[table["org_id"] == "alibaba"]
        assert set(alibaba["organization"]) == {listed["alibaba"]["organization"]}
        assert set(alibaba["models_with_subsidiaries"]) == {listed["alibaba"]["models"]}
        assert alibaba["models"].sum() >= listed["alibaba"]["models_own"]
