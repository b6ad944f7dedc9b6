"""The dashboard's pages, static assets and JSON twins, in-process (create_app): on the small census (every source,
a few hundred models cut from the shared data) they must agree with the library on the same store; the vintages
twin is also checked on the full census against the known answers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import modelcensus as mc
from modelcensus.outputs.api.app import create_app
from modelcensus.outputs.web.pages import PLOTLY_JS, STATIC

from known_answers import NOTABLE_2024_AT_VINTAGE, VINTAGE_DATES

PAGES = ["/", "/countries/CN", "/organizations/OpenAI", "/models/epoch:GPT-4", "/vintages", "/claims"]


@pytest.fixture(scope="module")
def client(small_census_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(small_census_path)) as test_client:
        yield test_client


def _get(client: TestClient, url: str, **params: Any) -> Any:
    response = client.get(url, params=params)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("path", PAGES)
def test_pages_are_html_that_load_only_local_assets(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/static/plotly.min.js" in assets
    for asset in assets:
        assert asset.startswith(("/", "#", "data:")), f"{path} references a non-local asset {asset}"
        if asset.startswith("/static/"):
            assert client.get(asset).status_code == 200, asset


def test_plotly_is_served_from_the_installed_package(client: TestClient) -> None:
    response = client.get("/static/plotly.min.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.content == PLOTLY_JS.read_bytes()
    assert client.get("/static/../api.py").status_code == 404
    assert client.get("/static/nothing.js").status_code == 404


def test_own_scripts_fetch_only_this_server() -> None:
    """The pages' scripts name no external URL (plotly.js is the package's own file, not ours)."""
    for script in STATIC.glob("*.js"):
        text = script.read_text(encoding="utf-8")
        assert not re.search(r"https?://", text), f"{script.name} names an external URL"
        for url in re.findall(r'getJSON\("([^"]+)"', text):
            assert url.startswith("/api/"), url


def test_dashboard_twin_carries_the_count_json_and_its_provenance(client: TestClient) -> None:
    twin = _get(client, "/api/dashboard", since=2023, until=2024)
    count = _get(client, "/api/count", by="country", since=2023, until=2024)
    assert twin["by_country"]["rows"] == count
    provenance = twin["by_country"]["provenance"]
    assert provenance["rule"] == "full" and provenance["attribution"] == "as-published"
    assert "2023" in provenance["definition"] and "2024" in provenance["definition"]
    assert {s["credit"] for s in provenance["snapshots"]} == {"Epoch AI"}
    by_year = _get(client, "/api/count", by=["country", "year"], since=2023, until=2024)
    leaders = [r["group"] for r in count if r["group"] is not None][:6]
    assert twin["by_country_year"]["rows"] == [r for r in by_year if r["group"] in leaders]
    assert {r["year"] for r in twin["by_country_year"]["rows"]} == {2023, 2024}


def test_dashboard_twin_follows_rule_attribution_definition_and_source(client: TestClient) -> None:
    fractional = _get(client, "/api/dashboard", rule="fractional", attribution="resolved")
    expected = _get(client, "/api/count", by="country", rule="fractional", attribution="resolved")
    # fractional weights are float sums, whose last digits vary with DuckDB's parallel aggregation
    assert fractional["by_country"]["rows"] == [
        {k: pytest.approx(v, rel=1e-9) if isinstance(v, float) else v for k, v in row.items()} for row in expected
    ]
    total = sum(r["count"] for r in fractional["by_country"]["rows"])
    assert total == pytest.approx(fractional["by_country"]["rows"][0]["denominator"])  # fractional adds up
    defined = _get(client, "/api/dashboard", definition="epoch-notable", unit="family")
    assert defined["by_country"]["rows"] == _get(client, "/api/count", definition="epoch-notable", unit="family")
    assert defined["by_country"]["provenance"]["unit"] == "family"
    assert defined["by_country_year"] is None
    hub = _get(client, "/api/dashboard", source="huggingface", attribution="lineage", metric="downloads")
    assert hub["by_country"]["rows"] == _get(
        client, "/api/count", source="huggingface", attribution="lineage", metric="downloads"
    )
    assert hub["by_country"]["provenance"]["metric"] == "downloads"


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"since": 2025, "until": 2020}, "since"),
        ({"unit": "family"}, "unit"),
        ({"rule": "most"}, "rule"),
        ({"definition": "no-such-definition"}, "definition"),
    ],
)
def test_dashboard_twin_rejects_bad_filters_naming_them(
    client: TestClient, params: dict[str, Any], parameter: str
) -> None:
    response = client.get("/api/dashboard", params=params)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail[0]["loc"][-1] == parameter, detail


def test_country_profile_agrees_with_the_census(client: TestClient, small_census_path: Path) -> None:
    profile = _get(client, "/api/countries/CN")
    assert (profile["code"], profile["name"]) == ("CN", "China")
    assert _get(client, "/api/countries/China")["code"] == "CN"
    with mc.open(small_census_path, read_only=True) as census:
        by_year = census.count(["country", "year"]).frame
        cn = by_year[by_year["group"] == "CN"]
        models = census.models(country="CN").frame
        lineage = census.count_hub("country", metric="downloads", attribution="lineage").frame
        frontier = census.frontier().frame
        registry = census.registry
    assert {r["year"]: r["count"] for r in profile["per_year"]} == {
        int(r.year): float(r.count) for r in cn.itertuples()
    }
    assert profile["models_total"] == len(models) == profile["share"]["models"]
    ow = profile["open_weights"]
    assert ow["yes"] + ow["no"] + ow["unknown"] == len(models)
    assert ow["share_open"] == pytest.approx(ow["yes"] / (ow["yes"] + ow["no"]), abs=1e-4)
    assert profile["top_organizations"], "a country with models has organizations"
    counts = [o["models"] for o in profile["top_organizations"]]
    assert counts == sorted(counts, reverse=True)
    for org in profile["top_organizations"]:
        resolved = registry.resolve(org["organization"]).org
        assert resolved is not None and "CN" in resolved.countries, org
    expected = lineage[lineage["group"] == "CN"].iloc[0]
    assert profile["hub"]["lineage"]["downloads"] == int(expected["value"])
    newest = frontier[frontier["group"] == "CN"].sort_values("rated_on").iloc[-1]
    assert profile["frontier"]["model"] == newest["model"]
    assert profile["frontier"]["rating_low"] <= profile["frontier"]["rating"] <= profile["frontier"]["rating_high"]
    assert len(profile["models"]) == min(100, len(models))
    assert all("CN" in m["countries"] for m in profile["models"])


def test_organization_profile(client: TestClient, small_census: mc.Census) -> None:
    profile = _get(client, "/api/organizations/OpenAI", limit=500)
    assert profile["name"] == "OpenAI" and [c["code"] for c in profile["countries"]] == ["US"]
    assert sum(r["models"] for r in profile["per_year"]) == profile["models_total"] == len(profile["models"])
    counted = small_census.count(by="organization", attribution="resolved").frame.set_index("group")
    assert profile["models_total"] == counted.loc["OpenAI", "models"] > 10
    assert all(any("OpenAI" in o for o in m["organizations"]) for m in profile["models"])
    assert profile["hub"]["published"]["downloads"] > 0
    # the same organization by id and by another spelling
    assert _get(client, "/api/organizations/openai")["models_total"] == profile["models_total"]


def test_organization_profile_counts_its_subsidiaries(client: TestClient, small_census_path: Path) -> None:
    profile = _get(client, "/api/organizations/Alibaba")
    with mc.open(small_census_path, read_only=True) as census:
        subsidiaries = {o.name for o in census.registry.orgs.values() if o.parent == profile["id"]}
        own = census.count_hub("organization", metric="downloads", attribution="resolved").frame
    assert subsidiaries, "the registry gives Alibaba subsidiaries (its Qwen team)"
    groups = set(profile["hub"]["published"]["groups"])
    assert groups <= {profile["name"], *subsidiaries} and len(groups) > 1
    assert profile["hub"]["published"]["downloads"] == int(own[own["group"].isin(groups)]["value"].sum())


@pytest.mark.parametrize("path", ["/api/countries/XX", "/api/organizations/No Such Lab Anywhere"])
def test_unknown_profiles_are_404_with_a_message(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "unknown" in response.json()["detail"]


def test_twins_are_read_only(client: TestClient) -> None:
    assert client.post("/api/dashboard").status_code == 405
    assert client.post("/countries/CN").status_code == 405


# -- years still filling in, vintages, the listing lag ---------------------------------------------------


def _statuses(census: mc.Census, since: int, until: int, **filters: Any) -> dict[int, Any]:
    return {s.year: s for s in census.year_statuses(census.year_status(since, until, **filters))}


def test_dashboard_twin_marks_the_years_still_filling_in(client: TestClient, small_census_path: Path) -> None:
    twin = _get(client, "/api/dashboard", since=2015, until=2025)
    years = twin["years"]
    with mc.open(small_census_path, read_only=True) as census:
        statuses = _statuses(census, 2015, 2025)
    filling = sorted(y for y, s in statuses.items() if not s.complete)
    assert years["measured"] and years["filling_in"] == filling and 2025 in filling
    assert years["sentences"] == [statuses[y].describe(detail=False) for y in filling]
    by_year = {r["year"]: r for r in years["years"]}
    for year, status in statuses.items():  # never complete where the census says it is filling in
        assert by_year[year]["filling_in"] is (not status.complete), year
        assert by_year[year]["estimate"] == status.to_dict()["estimate"], year
    # each leading country's series: the same years filling in, with an estimate above the listed count
    for group, points in years["series"].items():
        marked = [p["year"] for p in points if p["filling_in"]]
        assert set(marked) <= set(filling), group
        for p in points:
            if p["filling_in"] and p["estimate"] is not None and p["count"]:
                assert p["estimate_low"] <= p["estimate"] <= p["estimate_high"]
                assert p["estimate"] >= p["count"]
    us = years["by_country"]["US"]
    us_rows = [r for r in twin["by_country_year"]["rows"] if r["group"] == "US"]
    assert us["filling"] == sum(r["count"] for r in us_rows if r["year"] in filling)
    hub = _get(client, "/api/dashboard", source="huggingface")
    assert hub["years"]["measured"] is False and hub["years"]["filling_in"] == []


def test_profiles_mark_the_years_still_filling_in(client: TestClient, small_census_path: Path) -> None:
    profile = _get(client, "/api/countries/CN")
    years = profile["years"]
    with mc.open(small_census_path, read_only=True) as census:
        statuses = _statuses(census, 2015, 2025)
    series = {p["year"]: p for p in years["series"]}
    assert [p["year"] for p in years["series"]] == [r["year"] for r in profile["per_year"]]
    for year, status in statuses.items():
        if year in series:
            assert series[year]["filling_in"] is (not status.complete), year
    assert any(s.startswith("China in 2025 is still filling in") for s in years["sentences"])
    org = _get(client, "/api/organizations/OpenAI")
    assert any(p["filling_in"] for p in org["years"]["series"])
    assert all(s.startswith("OpenAI in ") for s in org["years"]["sentences"])


@pytest.mark.parametrize("store", ["small", "full"])
def test_vintages_twin(store: str, request: pytest.FixtureRequest) -> None:
    """The twin is the library's vintages and listing lag, on the small census and on the full one, where the
    counts are the known answers of each vintage's own file."""
    path: Path = request.getfixturevalue(f"{store}_census_path")
    with TestClient(create_app(path)) as client:
        twin = _get(client, "/api/dashboard/vintages")
    assert twin["year"] == 2024 and twin["countries"] == ["US", "CN"]
    with mc.open(path, read_only=True) as census:
        frame = census.vintages("country", year=2024, notable=True).frame
        _, curves = census.listing_lag(notable=True)
    for code in ("US", "CN"):
        mine = frame[frame["group"] == code]
        assert [v["counts"][code] for v in twin["vintages"]] == list(mine["count"]), code
    cn = frame[frame["group"] == "CN"]
    assert [v["export_date"] for v in twin["vintages"]] == [str(d) for d in cn["export_date"]]
    assert [v["export_date"] for v in twin["vintages"]] == [d.isoformat() for d in VINTAGE_DATES]
    if store == "full":
        for code, known in NOTABLE_2024_AT_VINTAGE.items():
            assert [v["counts"][code] for v in twin["vintages"]] == list(known), code
    sources = twin["provenance"]["sources_text"]
    assert sources.startswith(f"Sources: Epoch AI (CC BY 4.0): export dated {VINTAGE_DATES[0]}")
    notable = next(p for p in twin["lag"] if p["definition"] == "epoch-notable")
    assert notable["basis"] == curves[""].basis()
    assert len(notable["observations"]) == len(curves[""].observations)
    assert 2025 in notable["filling_in"]
    if store == "full":
        assert notable["filling_in"] == [2025]


def test_hub_provenance_names_scope_and_date(client: TestClient, small_census: mc.Census) -> None:
    hub = _get(client, "/api/dashboard", source="huggingface")
    snapshots = hub["by_country"]["provenance"]["snapshots"]
    repos = int(small_census.count_hub(by="derivative").frame["repos"].sum())  # the small copy of the listing
    assert snapshots and all(s["scope"].startswith(f"a listing of {repos:,} trending repos") for s in snapshots)
    assert all(s["data_date"] == "2026-05-04" for s in snapshots)
    common = (STATIC / "common.js").read_text(encoding="utf-8")
    assert "MC.describeSources" in common and "s.scope" in common


def test_profiles_read_the_census_as_it_stood_on_a_date(client: TestClient, small_census_path: Path) -> None:
    """``as_of`` on a country's and an organization's profile: every figure of it as the census stood then (the
    Epoch vintage in force, no Hub harvest yet, the ratings of days up to it), the years marked on that vintage."""
    when = "2024-11-01"  # Epoch's notable file of 2024-10-18 in force; the Hub listing came later
    now, then = _get(client, "/api/countries/CN"), _get(client, "/api/countries/CN", as_of=when)
    with mc.open(small_census_path, read_only=True) as census:
        models = census.models(country="CN", as_of=when).frame
        by_country = census.count("country", as_of=when).frame
        top = census.top_organizations(10, org_country="CN", rank_by="models_with_subsidiaries", as_of=when).frame
    assert then["models_total"] == len(models) < now["models_total"]
    assert then["share"]["denominator"] == int(by_country["denominator"].max()) < now["share"]["denominator"]
    assert [o["organization"] for o in then["top_organizations"]] == list(top["organization"])
    assert then["hub"] is None and now["hub"] is not None  # no Hub harvest stored on that date
    assert max(r["year"] for r in then["per_year"]) <= 2024
    org_now, org_then = (
        _get(client, "/api/organizations/DeepSeek"),
        _get(client, "/api/organizations/DeepSeek", as_of=when),
    )
    assert org_then["models_total"] < org_now["models_total"] and org_then["hub"] is None
    before = _get(client, "/api/countries/CN", as_of="1990-01-01")
    assert before["models_total"] == 0 and before["per_year"] == []
    bad = client.get("/api/countries/CN", params={"as_of": "May"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "as_of"]


def test_the_dashboard_figures_as_of_a_date(client: TestClient, small_census_path: Path) -> None:
    """``/api/dashboard?as_of=``: the figures ``/api/count`` gives on that date, the date echoed in ``params``."""
    when = "2024-11-01"
    now, then = _get(client, "/api/dashboard"), _get(client, "/api/dashboard", as_of=when)
    assert then["params"]["as_of"] == when and "as_of" not in now["params"]
    assert then["by_country"]["rows"] == _get(client, "/api/count", by="country", as_of=when)
    assert then["by_country"]["rows"] != now["by_country"]["rows"]
    with mc.open(small_census_path, read_only=True) as census:
        then_total = int(census.count("country", as_of=when).frame["denominator"].max())
    assert max(r["denominator"] for r in then["by_country"]["rows"]) == then_total
    hub = _get(client, "/api/dashboard", source="huggingface", as_of=when)
    assert hub["by_country"]["rows"] == []  # no Hub harvest stored on that date
    bad = client.get("/api/dashboard", params={"as_of": "May"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "as_of"]
