"""The JSON API in-process (FastAPI's TestClient) on the small census (every source, a few hundred models cut from
the shared data): the API answers exactly what the CLI and the library answer on the same store."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import modelcensus as mc
from modelcensus.config import Config
from modelcensus.outputs.api.app import Generations, create_app
from modelcensus.outputs.cli.app import app as cli_app
from modelcensus.outputs.common.count_query import count_figure
from modelcensus.queries import CountRequest
from modelcensus.vocabulary import CountSource

from conftest import ROOT

runner = CliRunner()


def cli_json(db: Path, *args: str) -> object:
    result = runner.invoke(cli_app, [*args, "--format", "json", "--db", str(db)])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def client(small_census_path: Path) -> Iterator[TestClient]:
    # a generous time limit: the machine is shared, and the limit itself is tested below
    with TestClient(create_app(small_census_path, timeout_s=600)) as opened:
        yield opened


def get(client: TestClient, url: str, **params: object) -> object:
    response = client.get(url, params=params)  # type: ignore[arg-type]
    assert response.status_code == 200, response.text
    return response.json()


def test_every_route_answers(client: TestClient, small_census: mc.Census) -> None:
    assert get(client, "/api/health")["status"] == "ok"  # type: ignore[index]
    for url in ("/api/count", "/api/sources", "/api/definitions", "/api/trend"):
        body = get(client, url)
        assert isinstance(body, list) and body, url
    page = get(client, "/api/models", limit=5)
    assert (
        isinstance(page, dict) and len(page["items"]) == 5 and page["total"] == len(small_census.models().frame) > 100
    )
    one = get(client, f"/api/models/{page['items'][0]['id']}")
    assert isinstance(one, dict) and one["records"]
    assert get(client, "/api/definitions/epoch-notable")["filters"] == {"notable": True}  # type: ignore[index]
    frontier = get(client, "/api/frontier")
    assert isinstance(frontier, dict) and frontier["frontier"] and frontier["gap"]
    schema = get(client, "/openapi.json")
    assert isinstance(schema, dict)
    assert {"/api/count", "/api/models", "/api/models/{model_id}", "/api/claims", "/api/frontier"} <= set(
        schema["paths"]
    )
    assert client.get("/docs").status_code == 200


COUNT_CASES = [
    (["--by", "country", "--by", "year"], {"by": ["country", "year"]}),
    (["--by", "country", "--since", "2020", "--notable"], {"by": "country", "since": 2020, "notable": "true"}),
    (
        ["--by", "country", "--rule", "fractional", "--attribution", "resolved", "--year", "2024"],
        {"rule": "fractional", "attribution": "resolved", "year": 2024},
    ),
    (
        ["--source", "huggingface", "--by", "country", "--attribution", "lineage", "--metric", "downloads"],
        {"source": "huggingface", "by": "country", "attribution": "lineage", "metric": "downloads"},
    ),
    (
        ["--source", "huggingface", "--by", "base-family", "--derivatives", "only"],
        {"source": "huggingface", "by": "base-family", "derivatives": "only"},
    ),
    (["--definition", "epoch-notable", "--unit", "family"], {"definition": "epoch-notable", "unit": "family"}),
    (["--definition", "hub-originals", "--since", "2024"], {"definition": "hub-originals", "since": 2024}),
]


@pytest.mark.parametrize(("args", "params"), COUNT_CASES, ids=[" ".join(a) for a, _ in COUNT_CASES])
def test_count_is_exactly_the_cli_json(
    client: TestClient, small_census_path: Path, args: list[str], params: dict[str, object]
) -> None:
    expected = cli_json(small_census_path, "count", *args)
    assert isinstance(expected, list) and expected
    assert get(client, "/api/count", **params) == expected


def test_frontier_and_trend_are_the_cli_json(client: TestClient, small_census_path: Path) -> None:
    frontier = get(client, "/api/frontier", category="full")
    assert isinstance(frontier, dict)
    assert frontier["frontier"] == cli_json(small_census_path, "frontier", "--by", "country")
    assert frontier["gap"] == cli_json(small_census_path, "frontier", "--gap")
    assert {"best_US", "best_CN", "gap"} <= set(frontier["gap"][0])
    trend = get(client, "/api/trend", attribution="lineage")
    assert trend == cli_json(small_census_path, "trend", "--attribution", "lineage")


def test_sources_are_the_cli_json(client: TestClient, small_census_path: Path) -> None:
    assert get(client, "/api/sources") == cli_json(small_census_path, "sources")


@pytest.mark.parametrize(
    ("url", "params", "parameter"),
    [
        ("/api/models", {"country": "XX"}, "country"),
        ("/api/models", {"country": "Atlantis"}, "country"),
        ("/api/models", {"limit": 501}, "limit"),
        ("/api/models", {"offset": -1}, "offset"),
        ("/api/models", {"source": "huggingface", "notable": "true"}, "notable"),
        ("/api/count", {"rule": "weighted"}, "rule"),
        ("/api/count", {"unit": "family"}, "unit"),
        ("/api/count", {"definition": "no-such-definition"}, "definition"),
        ("/api/count", {"year": 2024, "since": 2020}, "year"),
        ("/api/count", {"by": ["country", "year", "month", "open_weights"]}, "by"),
        ("/api/count", {"by": ["country", "organization"]}, "by"),
        ("/api/trend", {"by": ["year", "year"]}, "by"),
        ("/api/count", {"source": "huggingface", "domain": "Language"}, "domain"),
        ("/api/count", {"metric": "downloads"}, "metric"),
        ("/api/count", {"as_of": "yesterday"}, "as_of"),
        ("/api/frontier", {"category": "no-such-arena"}, "category"),
    ],
)
def test_bad_parameters_are_422_naming_the_parameter(
    client: TestClient, url: str, params: dict[str, object], parameter: str
) -> None:
    response = client.get(url, params=params)  # type: ignore[arg-type]
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail[0]["loc"] == ["query", parameter], detail
    assert detail[0]["msg"]


def test_unknown_model_and_definition_are_404(client: TestClient) -> None:
    for url in ("/api/models/no-such-model-anywhere", "/api/models/epoch:No such model", "/api/definitions/nope"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "no" in response.json()["detail"] or "unknown" in response.json()["detail"]


def test_models_behind_a_figure_are_paged(client: TestClient, small_census: mc.Census) -> None:
    counted = get(client, "/api/count", by="country", year=2024)
    assert isinstance(counted, list)
    china = next(row for row in counted if row["group"] == "CN")
    size = china["models"] // 3  # two full pages and a part of a third
    assert size >= 5, "the small census holds enough Chinese models of 2024 for three pages"
    first = get(client, "/api/models", country="CN", year=2024, limit=size)
    second = get(client, "/api/models", country="CN", year=2024, limit=size, offset=size)
    everything = get(client, "/api/models", country="CN", year=2024, limit=500)
    assert isinstance(first, dict) and isinstance(second, dict) and isinstance(everything, dict)
    assert first["total"] == second["total"] == everything["total"] == china["models"]
    assert (first["limit"], first["offset"], second["offset"]) == (size, 0, size)
    ids = [item["id"] for item in first["items"] + second["items"]]
    assert len(ids) == len(set(ids)) == 2 * size
    assert ids == [item["id"] for item in everything["items"][: 2 * size]]
    assert len(everything["items"]) == china["models"] > 2 * size
    assert all("CN" in item["countries"] and item["year"] == 2024 for item in everything["items"])
    library = small_census.models(country="CN", year=2024).frame
    assert sorted(item["source_id"] for item in everything["items"]) == sorted(library["id"])
    # every item opens its canonical model, which holds that record
    item = first["items"][0]
    model = get(client, f"/api/models/{item['id']}")
    assert isinstance(model, dict)
    assert any(r["source_id"] == item["source_id"] for r in model["records"])
    assert model["provenance"] and all(p["sha256"] for p in model["provenance"])
    # past the end: an empty page with the total
    beyond = get(client, "/api/models", country="CN", year=2024, offset=10_000)
    assert isinstance(beyond, dict) and beyond["items"] == [] and beyond["total"] == china["models"]


def test_models_of_a_definition_and_of_the_hub(client: TestClient) -> None:
    counted = get(client, "/api/count", definition="epoch-notable", year=2024)
    assert isinstance(counted, list)
    us = next(row for row in counted if row["group"] == "US")
    page = get(client, "/api/models", definition="epoch-notable", country="US", year=2024, limit=500)
    assert isinstance(page, dict) and page["total"] == us["units"]
    hub = get(client, "/api/count", source="huggingface", by="country")
    assert isinstance(hub, list)
    china = next(row for row in hub if row["group"] == "CN")
    repos = get(client, "/api/models", source="huggingface", country="CN", limit=500)
    assert isinstance(repos, dict) and repos["total"] == china["repos"]
    linked = get(client, f"/api/models/{repos['items'][0]['id']}")
    assert isinstance(linked, dict) and any(r["source"] == "huggingface" for r in linked["records"])


def _walk(client: TestClient, limit: int, **params: object) -> tuple[list[str], int]:
    """Every item id of /api/models by following ``next`` cursors, and how many pages that took."""
    ids: list[str] = []
    after: str | None = None
    pages = 0
    while True:
        page = get(client, "/api/models", limit=limit, **params, **({"after": after} if after else {}))
        assert isinstance(page, dict) and page["offset"] == 0 and len(page["items"]) <= limit
        ids += [item["id"] for item in page["items"]]
        pages += 1
        after = page["next"]
        if after is None:
            return ids, pages
        assert len(page["items"]) == limit, "only the last page is short"


@pytest.mark.parametrize(
    "params",
    [
        {"source": "huggingface", "country": "CN"},  # the Hub's repos: sorted, counted and cut by the engine
        {"definition": "all-sources", "unit": "family", "year": 2024},  # a definition's records at its unit
        {"country": "US", "year": 2024},  # Epoch's models: one frame, a cursor by id
    ],
)
def test_models_pages_follow_their_cursor(client: TestClient, params: dict[str, object]) -> None:
    whole = get(client, "/api/models", limit=500, **params)
    assert isinstance(whole, dict) and whole["next"] is None and 12 < whole["total"] == len(whole["items"])
    size = whole["total"] // 5  # five or six pages (a page is a query: pages of 5 would take minutes)
    ids, pages = _walk(client, size, **params)
    assert ids == [item["id"] for item in whole["items"]]  # the same records, once each, in the same order
    assert pages == -(-whole["total"] // size) >= 5
    by_offset = get(client, "/api/models", limit=5, offset=5, **params)
    first = get(client, "/api/models", limit=5, **params)
    assert isinstance(first, dict) and isinstance(by_offset, dict)
    after_first = get(client, "/api/models", limit=5, after=first["next"], **params)
    assert isinstance(after_first, dict) and after_first["items"] == by_offset["items"]
    assert after_first["total"] == first["total"] == whole["total"]


def test_a_cursor_is_checked(client: TestClient) -> None:
    first = get(client, "/api/models", source="huggingface", limit=5)
    assert isinstance(first, dict) and first["next"]
    for bad in ("not a cursor", "W10", first["next"][:-3]):
        response = client.get("/api/models", params={"source": "huggingface", "limit": 5, "after": bad})
        assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["query", "after"], bad
    both = client.get("/api/models", params={"source": "huggingface", "offset": 5, "after": first["next"]})
    assert both.status_code == 422 and "either offset or after" in both.json()["detail"][0]["msg"]
    epoch = get(client, "/api/models", limit=5)
    assert isinstance(epoch, dict)  # an Epoch cursor does not continue a Hub listing
    crossed = client.get("/api/models", params={"source": "huggingface", "limit": 5, "after": epoch["next"]})
    assert crossed.status_code == 422


def test_canonical_model_is_links_show(client: TestClient, small_census_path: Path) -> None:
    links = cli_json(small_census_path, "links")
    assert isinstance(links, list)
    several = next(m for m in links if len({r["source"] for r in m["records"]}) > 2)
    shown = cli_json(small_census_path, "links", "show", several["id"])
    assert isinstance(shown, dict)
    model = get(client, f"/api/models/{several['id']}")
    assert isinstance(model, dict)
    assert model["id"] == several["id"] and model["name"] == shown["name"]
    assert [(r["source"], r["source_id"]) for r in model["records"]] == [
        (r["source"], r["source_id"]) for r in shown["records"]
    ]
    assert model["evidence"] == shown["evidence"]
    assert {p["source"] for p in model["provenance"]} == {r["source"] for r in model["records"]}


def test_claims(client: TestClient, small_census_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    examples = ROOT / "examples" / "claims.yaml"
    claims = get(client, "/api/claims")
    wanted = yaml.safe_load(examples.read_text(encoding="utf-8"))["claims"]
    assert isinstance(claims, list)
    assert [c["id"] for c in claims] == [c["id"] for c in wanted]
    assert all(c["verdict"] and c["sensitivity"] for c in claims)
    assert claims == cli_json(small_census_path, "check", str(examples))  # the API answers what the CLI prints
    # kept per request (on an app of its own, whose cache the fake below may fill): the same request is not
    # computed again, a request for another date is
    with TestClient(create_app(small_census_path, timeout_s=600)) as fresh:
        assert get(fresh, "/api/claims") == claims
        generation = fresh.app.state.api.generations.peek()  # type: ignore[attr-defined]
        assert generation is not None
        computed: list[object] = []

        def check(path: Path, as_of: object = None) -> list[dict[str, str]]:
            computed.append(as_of)
            return [{"id": "computed", "as_of": str(as_of)}]

        monkeypatch.setattr(generation.census, "check", check)
        assert get(fresh, "/api/claims") == claims and computed == []
        assert get(fresh, "/api/claims", as_of="2025-03-01") == [{"id": "computed", "as_of": "2025-03-01"}]
        assert computed == [date(2025, 3, 1)]


def test_read_only(client: TestClient) -> None:
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        response = client.request(method, "/api/count")
        assert response.status_code == 405, method
        assert response.headers["allow"] == "GET, HEAD"
    head = client.head("/api/definitions")
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) == len(client.get("/api/definitions").content)


def test_a_repeated_request_is_answered_before_routing(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    first = client.get("/api/count", params=[("by", "country"), ("by", "year"), ("notable", "true")])
    assert first.status_code == 200
    api = client.app.state.api  # type: ignore[attr-defined]

    def no_route(*args: object) -> None:
        raise AssertionError("a cached answer went through the route")

    monkeypatch.setattr(api.generations, "acquire", no_route)
    # the same parameters in another order: the same answer, without FastAPI's routing or a generation open
    again = client.get("/api/count?notable=true&by=country&by=year")
    assert again.status_code == 200 and again.content == first.content
    assert again.headers["content-type"] == "application/json"
    head = client.head("/api/count?by=country&notable=true&by=year")
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) == len(first.content)
    monkeypatch.undo()
    # the order of a repeated parameter matters; an error is never kept
    swapped = client.get("/api/count?by=year&by=country&notable=true")
    assert swapped.status_code == 200 and swapped.json() != first.json()
    for _ in range(2):
        assert client.get("/api/count", params={"country": "XX", "source": "nowhere"}).status_code == 422


def test_a_request_over_the_time_limit_is_503(small_census_path: Path) -> None:
    with TestClient(create_app(small_census_path, timeout_s=1e-6)) as slow:
        response = slow.get("/api/trend", params={"metric": "likes"})
    assert response.status_code == 503
    assert "not ready" in response.json()["detail"]


def test_a_missing_store_is_503(tmp_path: Path) -> None:
    with TestClient(create_app(tmp_path / "nothing.duckdb")) as empty:
        response = empty.get("/api/count")
    assert response.status_code == 503 and "no census" in response.json()["detail"]


def test_a_published_store_is_picked_up(tmp_path: Path, small_census_path: Path, epoch_census_path: Path) -> None:
    served = tmp_path / "served.duckdb"
    shutil.copyfile(small_census_path, served)
    with TestClient(create_app(served, timeout_s=600)) as api:
        before = api.get("/api/sources").json()
        hub = api.get("/api/count", params={"source": "huggingface"})
        assert hub.status_code == 200
        # publish another store onto the path the way an ingest does: a complete file, then os.replace
        incoming = tmp_path / "served.duckdb.incoming"
        shutil.copyfile(epoch_census_path, incoming)
        os.replace(incoming, served)
        after = api.get("/api/sources").json()
        with mc.open(epoch_census_path, read_only=True) as census:
            expected = len(census.sources())
            expected_hub = count_figure(census, CountRequest(source=CountSource.HUGGINGFACE)).records()
        assert len(after) == expected != len(before)
        assert {row["source"] for row in after} == {"epoch"}
        now = api.get("/api/count", params={"source": "huggingface"})
        assert now.status_code == 200 and now.json() == expected_hub != hub.json()


def test_an_old_generation_lives_until_its_last_request(tmp_path: Path, epoch_census_path: Path) -> None:
    served = tmp_path / "served.duckdb"
    shutil.copyfile(epoch_census_path, served)
    generations = Generations(served, Config(db_path=served))
    old = generations.acquire()  # a request in flight on the old file
    incoming = tmp_path / "incoming.duckdb"
    shutil.copyfile(epoch_census_path, incoming)
    os.replace(incoming, served)
    with generations.use() as new:
        assert new is not old and new.key != old.key
    assert old.retired
    assert len(old.census.count(by="country").frame) > 10  # still answers: its request keeps it open
    generations.release(old)
    with pytest.raises(Exception):  # noqa: B017  (closed now: DuckDB says so in its own words)
        old.census.count(by="country")
    generations.close()


def test_link_errors_are_the_cli_json(client: TestClient, small_census_path: Path) -> None:
    """``/api/estimate/link-errors`` answers what ``estimate --link-errors --format json`` prints: the estimate as
    linked, then with 1–10% of the links missed or false, for one country (by code or name) and for all models."""
    cli = cli_json(small_census_path, "estimate", "--link-errors", "--country", "China")
    api = get(client, "/api/estimate/link-errors", country="CN")
    assert api == cli
    everything = get(client, "/api/estimate/link-errors")
    for rows in (api, everything):
        assert isinstance(rows, list) and rows[0]["kind"] == "none"
        assert rows[0]["change"] == (None if rows[0]["estimate"] is None else 0.0)  # withheld: no change to give
        assert {r["kind"] for r in rows} == {"none", "missed links", "false links"}
        assert {r["rate"] for r in rows if r["kind"] != "none"} >= {0.01, 0.1}
    assert everything != api
    for bad, field in (
        ({"country": "none"}, "country"),
        ({"country": "XX"}, "country"),
        ({"year": 2024, "since": 2020}, "year"),
    ):
        response = client.get("/api/estimate/link-errors", params=bad)
        assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["query", field], bad
