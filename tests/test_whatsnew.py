"""What's new: when each model entered the census, through the facade, the CLI, the API, the Atom feed; and the
country filter of /api/trend, /api/vintages and /api/lag; and /docs's schema for the bundled Swagger UI.

On the small census (real rows of every source, every Epoch vintage and both OpenRouter lists, cut from the shared
data): each answer is checked against the snapshots themselves, read another way (the raw OpenRouter files, the
Epoch models of an older vintage through ``Census.models``), never against a number written here.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import modelcensus as mc
from modelcensus.errors import QueryError
from modelcensus.orgs import load_region_groups
from modelcensus.outputs.api.app import create_app
from modelcensus.outputs.api.docs import openapi_30
from modelcensus.outputs.api.feeds import atom_feed
from modelcensus.outputs.cli.app import app

runner = CliRunner()
ATOM = "{http://www.w3.org/2005/Atom}"
EVERY = "1900-01-01"


@pytest.fixture(scope="module")
def client(small_census_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(small_census_path, timeout_s=600)) as c:
        yield c


@pytest.fixture(scope="module")
def every(small_census_path: Path) -> mc.Figure:
    """Every model of the small census with the day it entered."""
    with mc.open(small_census_path, read_only=True) as census:
        return census.new_models(EVERY)


def _openrouter_ids(small_data: Path, day: str) -> set[str]:
    items = json.loads((small_data / "openrouter" / f"openrouter-models_{day}.json").read_text(encoding="utf-8"))
    return {str(i["id"]) for i in (items["data"] if isinstance(items, dict) else items)}


def _model_with(frame: pd.DataFrame, ref: str) -> pd.Series[Any]:
    found = frame[[any(r["ref"] == ref for r in records) for records in frame["records"]]]
    assert len(found) == 1, ref
    return found.iloc[0]


def test_a_model_enters_on_the_data_date_of_its_first_snapshot_not_the_day_of_ingest(
    small_census_path: Path, every: mc.Figure
) -> None:
    frame = every.frame
    with mc.open(small_census_path, read_only=True) as census:
        sources = census.sources()
    dated = sources[sources["source"].isin(["epoch", "huggingface", "openrouter", "lmarena"])]
    data_dates = {d for d in pd.to_datetime(dated["export_date"]).dt.date if not pd.isna(d)}
    ingested = {date.today()}  # the small census is built by this session
    assert set(frame["entered_on"]) <= data_dates and len(set(frame["entered_on"])) >= len(data_dates) - 2
    assert not set(frame["entered_on"]) & ingested, "the day of ingest is never a model's date"
    for records, entered_on in zip(frame["records"], frame["entered_on"], strict=True):
        assert min(r["first_listed"] for r in records) == entered_on
        assert all(r["first_listed"] <= r["last_listed"] for r in records)
    assert frame["id"].is_unique
    assert list(frame["entered_on"]) == sorted(frame["entered_on"], reverse=True)


def test_models_openrouter_added_are_new_to_it_since_its_earlier_list(small_data: Path, every: mc.Figure) -> None:
    """The models that entered with OpenRouter's list of 2026-05-01 are exactly the ones that list added to the list
    of 2026-02-27, less those another source listed earlier; each says so (new to its source since 2026-02-27)."""
    frame = every.frame
    added = _openrouter_ids(small_data, "2026-05-01") - _openrouter_ids(small_data, "2026-02-27")
    assert added, "the small data keeps some models OpenRouter added"
    may = date(2026, 5, 1)
    entered = frame[(frame["entered_on"] == may) & frame["entered_with"].map(lambda s: "openrouter" in s)]
    assert len(entered) > 0
    for item in entered.itertuples(index=False):
        assert item.new_to_source and item.previous_snapshot == date(2026, 2, 27), item.id
        listed_then = {r["source_id"] for r in item.records if r["source"] == "openrouter" and r["first_listed"] == may}
        assert listed_then and listed_then <= added, item.id
    for source_id in added:
        model = _model_with(frame, f"openrouter:{source_id}")
        assert model["entered_on"] <= may
        earlier = [r for r in model["records"] if r["first_listed"] < may]
        assert (model["entered_on"] == may) == (not earlier), source_id
    first_list = frame[
        (frame["entered_on"] == date(2026, 2, 27)) & frame["entered_with"].map(lambda s: s == ["openrouter"])
    ]
    assert len(first_list) > 0 and not first_list["new_to_source"].any()  # the first stored list: not news
    assert first_list["previous_snapshot"].isna().all()


def test_epoch_back_fill_is_new_to_the_source_since_the_older_vintage_that_would_have_held_it(
    small_census_path: Path, every: mc.Figure
) -> None:
    """A model that entered with Epoch's vintage of 2026-03-30 and is new to it since 2024-11-25 (its newest earlier
    file of all models) is in no older vintage of that file; one new since 2025-05-20 is a notable model the notable
    file of that day did not list."""
    frame = every.frame
    march = frame[(frame["entered_on"] == date(2026, 3, 30)) & frame["entered_with"].map(lambda s: s == ["epoch"])]
    assert march["new_to_source"].all(), "Epoch's earlier files of all models could have held every one of them"
    with mc.open(small_census_path, read_only=True) as census:
        all_of_2024 = set(census.models(as_of="2024-11-30").frame["id"])
        notable_2025 = set(census.models(as_of="2025-05-21", notable=True).frame["id"])
    seen = {str(p) for p in march["previous_snapshot"]}
    assert seen <= {"2024-11-25", "2025-05-20"} and len(seen) == 2
    for item in march.itertuples(index=False):
        keys = {r["source_id"] for r in item.records if r["source"] == "epoch"}
        assert not keys & all_of_2024, item.id
        if str(item.previous_snapshot) == "2025-05-20":
            assert not keys & notable_2025, item.id


def test_since_defaults_to_the_previous_snapshot_and_the_output_says_what_is_compared(
    small_census_path: Path, every: mc.Figure
) -> None:
    with mc.open(small_census_path, read_only=True) as census:
        figure = census.new_models()
        days = sorted({date.fromisoformat(c["data_date"]) for c in every.provenance.compared or ()})
        p = figure.provenance
        assert p.entered_after == days[-2]
        assert list(figure.frame["id"]) == list(every.frame[every.frame["entered_on"] > days[-2]]["id"])
        compared = list(p.compared or ())
        assert {c["side"] for c in compared if date.fromisoformat(c["data_date"]) > days[-2]} == {"after"}
        assert sum(c["models_entered"] for c in compared if c["side"] == "before") == 0
        assert sum(c["models_entered"] for c in compared) >= len(figure.frame)
        assert "previous snapshot" in (p.note or "") and "not the day the file was ingested" in (p.note or "")
        later = census.new_models(date(2026, 3, 1))
        assert set(later.frame["id"]) == set(every.frame[every.frame["entered_on"] > date(2026, 3, 1)]["id"])
        assert census.new_models("2100-01-01").frame.empty


def test_a_page_paged_by_the_engine_is_the_slice_of_the_whole_with_the_whole_counted(
    small_census_path: Path, every: mc.Figure
) -> None:
    """``new_page`` pages in the engine: each page is the same slice of the whole figure (order, rows, lists), and
    the total, the count per country and the models entered with each snapshot are those of every page, as counted
    here from the whole figure's own rows."""
    frame = every.frame
    counted: Counter[str | None] = Counter()
    for countries in frame["countries"]:
        counted.update(set(countries) or {None})
    entered: Counter[tuple[str, str]] = Counter()
    for sources, day in zip(frame["entered_with"], frame["entered_on"], strict=True):
        entered.update((s, day.isoformat()) for s in sources)
    assert None in counted and len(counted) > 5, "the small census has models of many countries and of none"
    with mc.open(small_census_path, read_only=True) as census:
        for offset, limit in ((0, 7), (40, 25), (len(frame) - 3, 10)):
            page = census.vintage.new_page(EVERY, limit=limit, offset=offset)
            assert page.total == len(frame)
            pd.testing.assert_frame_equal(page.figure.frame, frame[offset : offset + limit].reset_index(drop=True))
            assert page.figure.provenance == every.provenance
            assert dict(zip(page.by_country["group"], page.by_country["models"], strict=True)) == counted
            assert list(page.by_country["models"]) == sorted(page.by_country["models"], reverse=True)
        got = {(c["source"], c["data_date"]): c["models_entered"] for c in every.provenance.compared or ()}
        assert {k: v for k, v in got.items() if v} == dict(entered)
        china = census.vintage.new_page(EVERY, country="CN", limit=5)
        assert china.total == sum("CN" in c for c in frame["countries"]) > 5 and len(china.figure.frame) == 5
        assert china.by_country.iloc[0].tolist() == ["CN", china.total]


def test_country_and_region_keep_the_models_of_those_countries(small_census_path: Path, every: mc.Figure) -> None:
    frame = every.frame
    with mc.open(small_census_path, read_only=True) as census:
        china = census.new_models(EVERY, country="CN")
        assert list(china.frame["id"]) == [i for i, c in zip(frame["id"], frame["countries"], strict=True) if "CN" in c]
        assert len(china.frame) > 0 and "of China (resolved" in (china.provenance.definition or "")
        greater = census.new_models(EVERY, region="greater-china")
        wanted = next(g for g in load_region_groups().values() if g.group == "greater-china").members
        assert set(greater.frame["id"]) == {
            i for i, c in zip(frame["id"], frame["countries"], strict=True) if wanted & set(c)
        }
        nowhere = census.new_models(EVERY, country="none")
        assert set(nowhere.frame["id"]) == {i for i, c in zip(frame["id"], frame["countries"], strict=True) if not c}
        published = census.new_models(EVERY, country="CN", attribution="as-published")
        assert published.provenance.attribution == "as-published" and len(published.frame) > 0
        notable = census.new_models(EVERY, definition="epoch-notable")
        assert notable.provenance.definition_name == "epoch-notable"
        assert all(s == ["epoch"] for s in notable.frame["entered_with"])
        with pytest.raises(QueryError, match="unknown country 'XX'"):
            census.new_models(country="XX")
        with pytest.raises(QueryError, match="since must be a date"):
            census.new_models("yesterday")
        with pytest.raises(QueryError, match="unknown definition"):
            census.new_models(definition="nope")


def test_the_cli_prints_what_the_api_answers(small_census_path: Path, client: TestClient) -> None:
    db = str(small_census_path)
    result = runner.invoke(app, ["new", "--since", "2026-01-01", "--country", "CN", "--json", "--db", db])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    same = runner.invoke(app, ["new", "--since", "2026-01-01", "--country", "China", "--format", "json", "--db", db])
    assert json.loads(same.stdout) == printed
    answered = client.get("/api/new", params={"since": "2026-01-01", "country": "CN", "limit": 5000}).json()
    assert answered["items"] == printed["items"] and answered["total"] == printed["total"] == len(printed["items"]) > 0
    assert answered["compared"] == printed["compared"] and answered["by_country"] == printed["by_country"]
    assert printed["since"] == "2026-01-01" and printed["default_since"] is False
    assert printed["comparison"].startswith("Models first listed by a snapshot dated after 2026-01-01 (")
    assert printed["by_country"][0]["group"] == "CN" and printed["by_country"][0]["models"] == printed["total"]
    table = runner.invoke(app, ["new", "--since", "2026-01-01", "--country", "CN", "--db", db])
    assert table.exit_code == 0, table.output
    words = " ".join(table.stdout.split())
    assert printed["comparison"] in words and printed["items"][0]["name"] in words
    csv = runner.invoke(app, ["new", "--since", "2026-01-01", "--country", "CN", "--format", "csv", "--db", db])
    assert csv.stdout.splitlines()[0].startswith("id,name,entered_on,") and len(csv.stdout.splitlines()) > 1
    bad = runner.invoke(app, ["new", "--country", "XX", "--db", db])
    assert bad.exit_code == 1 and bad.output.startswith("error: --country: unknown country 'XX'"), bad.output
    bad = runner.invoke(app, ["new", "--since", "2026-13-01", "--db", db])
    assert bad.exit_code == 1 and "--since must be a date (YYYY-MM-DD)" in bad.output, bad.output


def test_api_pages_and_refuses_what_it_cannot_answer(client: TestClient) -> None:
    whole = client.get("/api/new", params={"since": EVERY, "limit": 5000}).json()
    pages = [
        client.get("/api/new", params={"since": EVERY, "limit": 100, "offset": o}).json() for o in range(0, 300, 100)
    ]
    assert [i for p in pages for i in p["items"]] == whole["items"][:300]
    assert {p["total"] for p in pages} == {whole["total"]}
    default = client.get("/api/new").json()
    assert (
        default["default_since"] is True and default["since"] == sorted({c["data_date"] for c in whole["compared"]})[-2]
    )
    for params, field in (
        ({"country": "XX"}, "country"),
        ({"region": "atlantis"}, "region"),
        ({"since": "2026-02-30"}, "since"),
        ({"country": "CN", "region": "eu27"}, "region"),
        ({"attribution": "nobody"}, "attribution"),
    ):
        answer = client.get("/api/new", params=params)
        assert answer.status_code == 422, params
        assert answer.json()["detail"][0]["loc"] == ["query", field], answer.json()
    unknown = client.get("/api/new", params={"definition": "nope"})
    assert unknown.status_code == 422 and "unknown definition" in unknown.text


def _feed(client: TestClient, **params: Any) -> ET.Element:
    answer = client.get("/feeds/new.atom", params=params)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/atom+xml")
    return ET.fromstring(answer.content)


def test_the_atom_feed_is_valid_and_links_to_model_pages_and_records(client: TestClient) -> None:
    report = client.get("/api/new", params={"since": EVERY, "country": "CN", "limit": 5000}).json()
    feed = _feed(client, since=EVERY, country="CN", limit=40)
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}id") == f"http://testserver/feeds/new.atom?since={EVERY}&country=CN&limit=40"
    assert feed.findtext(f"{ATOM}title") == "modelcensus: models new to the census of China"
    assert feed.findtext(f"{ATOM}subtitle") == report["comparison"]
    assert feed.findtext(f"{ATOM}author/{ATOM}name") == "modelcensus"
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links["self"] == feed.findtext(f"{ATOM}id")
    assert links["alternate"] == f"http://testserver/new?since={EVERY}&country=CN"
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == min(40, report["total"]) > 0
    newest = max(i["entered_on"] for i in report["items"])
    assert feed.findtext(f"{ATOM}updated") == f"{newest}T00:00:00Z"
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == len(ids)
    for entry, item in zip(entries, report["items"], strict=False):
        assert entry.findtext(f"{ATOM}title") == item["name"]
        assert entry.findtext(f"{ATOM}updated") == f"{item['entered_on']}T00:00:00Z"
        page = next(link for link in entry.findall(f"{ATOM}link") if link.get("rel") == "alternate")
        assert (
            page.get("href") == f"http://testserver/models/{quote(item['id'], safe='')}" == entry.findtext(f"{ATOM}id")
        )
        assert client.get(urlsplit(page.get("href") or "").path).status_code == 200
        related = [link for link in entry.findall(f"{ATOM}link") if link.get("rel") == "related"]
        assert [link.get("href") for link in related] == [
            f"http://testserver/api/models/{quote(r['ref'], safe='')}" for r in item["records"]
        ]
        assert {c.get("term") for c in entry.findall(f"{ATOM}category")} == set(item["countries"]) >= {"CN"}
        assert entry.find(f"{ATOM}summary").get("type") == "text"  # type: ignore[union-attr]
        assert f"Entered the census on {item['entered_on']}" in (entry.findtext(f"{ATOM}summary") or "")
    for entry in entries[:8]:  # each link answers: the model page's twin names the model, each record finds it
        item_id = (entry.findtext(f"{ATOM}id") or "").rsplit("/models/", 1)[1]
        model = client.get(f"/api/models/{item_id}")
        assert model.status_code == 200 and quote(model.json()["id"], safe="") == item_id
        for link in entry.findall(f"{ATOM}link"):
            if link.get("rel") == "related":
                assert client.get(urlsplit(link.get("href") or "").path).status_code == 200
    unknown = client.get("/feeds/new.atom", params={"country": "XX"})
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"] == ["query", "country"]


def test_the_feed_escapes_what_sources_write(client: TestClient) -> None:
    """A name or id with markup in it is text in the feed, as it was given."""
    report = client.get("/api/new", params={"since": EVERY, "limit": 3}).json()
    hostile = '<b onload="x()">Q&A</b> ]]> \'"'
    report["items"][0] = {**report["items"][0], "name": hostile}
    report["items"][0]["records"] = [
        {**report["items"][0]["records"][0], "source_id": hostile, "ref": "epoch:" + hostile}
    ]
    body = atom_feed(
        report, base="http://h", self_url="http://h/feeds/new.atom?x=<&>", page_url="http://h/new", place=None
    )
    feed = ET.fromstring(body)
    entry = feed.findall(f"{ATOM}entry")[0]
    assert entry.findtext(f"{ATOM}title") == hostile and feed.findtext(f"{ATOM}id") == "http://h/feeds/new.atom?x=<&>"
    assert not feed.findall(f".//{ATOM}b") and not feed.findall(".//b")
    related = next(link for link in entry.findall(f"{ATOM}link") if link.get("rel") == "related")
    assert related.get("href") == "http://h/api/models/" + quote("epoch:" + hostile, safe="")
    assert hostile in (related.get("title") or "")


def test_a_model_no_snapshot_lists_now_still_has_its_page(client: TestClient, every: mc.Figure) -> None:
    gone = every.frame[~every.frame["listed_now"]]
    assert len(gone) > 0, "the small census keeps models an older snapshot listed and the newest does not"
    for item in gone.head(5).itertuples(index=False):
        answer = client.get(f"/api/models/{quote(item.id, safe='')}")
        assert answer.status_code == 200, answer.text
        model = answer.json()
        assert model["id"] == item.id and [r["source_id"] for r in model["records"]] == [
            r["source_id"] for r in item.records
        ]
        last = max(r["last_listed"] for r in item.records)
        assert model["provenance"] and max(p["data_date"] for p in model["provenance"]) == last.isoformat()
    assert client.get("/api/models/no-such-model-anywhere").status_code == 404


@pytest.mark.parametrize(
    ("route", "params", "call"),
    [
        ("/api/trend", {"by": "organization", "metric": "downloads"}, "trend"),
        ("/api/vintages", {"by": "organization", "year": 2024}, "vintages"),
        ("/api/lag", {}, "lag"),
    ],
)
def test_trend_vintages_and_lag_take_the_country(
    client: TestClient, small_census_path: Path, route: str, params: dict[str, Any], call: str
) -> None:
    every_country = client.get(route, params=params)
    china = client.get(route, params={**params, "country": "CN"})
    both = client.get(route, params={**params, "country": ["CN", "Hong Kong"]})
    region = client.get(route, params={**params, "region": "greater-china"})
    assert {r.status_code for r in (every_country, china, both, region)} == {200}
    assert china.json() != every_country.json()
    with mc.open(small_census_path, read_only=True) as census:
        if call == "trend":
            expected = census.trend("organization", metric="downloads", country="CN").frame
            assert [r["group"] for r in china.json()] == list(expected["group"])
            assert 0 < sum(r["value"] for r in china.json()) < sum(r["value"] for r in every_country.json())
        elif call == "vintages":
            expected = census.vintages("organization", year=2024, country=["CN"]).frame
            assert [(r["export_id"], r["group"], r["count"]) for r in china.json()] == list(
                zip(expected["export_id"], expected["group"], expected["count"], strict=True)
            )
        else:
            years = {y["year"]: y["listed"] for y in china.json()["years"]}
            per_year = census.count("year", country="CN").frame
            listed = dict(zip(per_year["group"], per_year["count"], strict=True))
            assert years and all(v == listed.get(y, 0) for y, v in years.items())
    for bad, field in (({"country": "XX"}, "country"), ({"country": "CN", "region": "eu27"}, "region")):
        answer = client.get(route, params={**params, **bad})
        assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["query", field], answer.text


def test_docs_read_a_30_rendition_of_the_schema(client: TestClient) -> None:
    own = client.get("/openapi.json").json()
    rendition = client.get("/docs/openapi-3.0.json").json()
    assert own["openapi"].startswith("3.1") and rendition["openapi"] == "3.0.3"
    assert rendition["paths"].keys() == own["paths"].keys() and "/api/new" in own["paths"]
    text = json.dumps(rendition)
    assert '{"type": "null"}' not in text and '"const"' not in text
    since = next(p for p in rendition["paths"]["/api/new"]["get"]["parameters"] if p["name"] == "since")
    assert since["schema"]["type"] == "string" and since["schema"]["nullable"] is True
    converted = openapi_30({"properties": {"n": {"anyOf": [{"type": "integer"}, {"type": "null"}], "title": "N"}}})
    assert converted["properties"]["n"] == {"type": "integer", "title": "N", "nullable": True}
    page = client.get("/docs")
    assert page.status_code == 200 and "/docs/static/swagger-ui-bundle.js" in page.text and "cdn" not in page.text
    assert client.get("/docs/static/swagger-ui-bundle.js").status_code == 200
    assert client.get("/docs/static/swagger-ui.css").headers["content-type"].startswith("text/css")
    assert client.get("/docs/static/index.html").status_code == 404


def test_the_page_downloads_as_csv_with_its_provenance(client: TestClient) -> None:
    params = {"since": "2026-01-01", "country": "CN", "limit": 50}
    page = client.get("/api/new", params=params).json()
    answer = client.get("/api/new", params={**params, "format": "csv"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    disposition = answer.headers["content-disposition"]
    assert "modelcensus_new_models_" in disposition and "CN" in disposition
    text = answer.content.decode("utf-8-sig")
    assert text.startswith("# Models that entered the census after 2026-01-01")
    frame = pd.read_csv(io.StringIO(text), comment="#")
    assert list(frame["id"]) == [item["id"] for item in page["items"]]
    refs = [str(v) for v in frame["records"]]
    assert refs == ["; ".join(r["ref"] for r in item["records"]) for item in page["items"]]
    compared = pd.read_csv(
        io.StringIO(client.get("/api/new", params={**params, "format": "csv", "table": "compared"}).text), comment="#"
    )
    assert len(compared) == len(page["compared"])
    wrong = client.get("/api/new", params={**params, "format": "csv", "table": "nope"})
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["loc"] == ["query", "table"]
