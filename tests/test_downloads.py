"""CSV downloads say what they are: a file name made of the figure, the request and the vintage (in
Content-Disposition), and the figure's provenance in leading ``# `` lines that pandas skips with ``comment="#"``.
Real data: the full census built from ../shared/data; the CLI on the Epoch store."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from modelcensus.outputs.api.app import create_app
from modelcensus.outputs.cli.app import app
from modelcensus.outputs.common.downloads import csv_text, file_name, provenance_lines

PROVENANCE = ("# Definition:", "# Counting rule:", "# Attribution:", "# Sources:", "# Snapshot:", "# Generated:")


@pytest.fixture(scope="module")
def client(full_census_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(full_census_path, timeout_s=600)) as c:
        yield c


def _download(client: TestClient, path: str, **params: Any) -> tuple[str, str, pd.DataFrame]:
    """The file name the server gives, the text and the table as pandas reads it with comment="#"."""
    response = client.get(path, params={**params, "format": "csv"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment; filename=")
    name = disposition.split('filename="', 1)[1].split('"', 1)[0]
    text = response.content.decode("utf-8-sig")
    return name, text, pd.read_csv(io.BytesIO(response.content), comment="#", keep_default_na=False)


def _table_start(text: str) -> int:
    """The line the table starts on, as the second comment line says (1-based)."""
    second = text.splitlines()[1]
    return int(second.split("the table starts on line ", 1)[1].split(".", 1)[0])


def test_count_csv_is_named_and_carries_its_provenance(client: TestClient) -> None:
    name, text, frame = _download(client, "/api/count", by="country", definition="frontier", country="CN")
    assert name == "modelcensus_count_by-country_definition-frontier_CN_2026-03-30.csv"
    rows = client.get("/api/count", params={"by": "country", "definition": "frontier", "country": "CN"}).json()
    assert frame["group"].tolist() == [r["group"] for r in rows]
    assert frame["count"].tolist() == [r["count"] for r in rows]
    lines = text.splitlines()
    start = _table_start(text)
    assert all(line.startswith("# ") for line in lines[: start - 1]) and lines[start - 1].startswith("group,")
    head = "\n".join(lines[: start - 1])
    for item in PROVENANCE:
        assert item in head, item
    assert "# Models: Epoch AI's frontier models" in head  # the definition in words
    assert "# Unit: variant." in head and "# Share denominator: variants admitted by the definition." in head
    assert "Epoch AI (CC BY 4.0): export dated 2026-03-30" in head
    assert "file all_ai_models.csv dated 2026-03-30" in head
    assert f"by modelcensus {version('modelcensus')}" in head
    assert "/work/" not in head and "shared/data" not in head  # a snapshot is named by its file, not its path
    # a spreadsheet reads the same lines: the provenance as rows above the table, no double quote among them
    assert '"' not in head


def test_models_csv_lists_every_model_behind_a_figure(client: TestClient) -> None:
    params = {"since": 2024, "until": 2024, "country": "CN"}
    name, text, frame = _download(client, "/api/models", **params)
    assert name == "modelcensus_models_since-2024_until-2024_CN_2026-03-30.csv"
    count = client.get("/api/count", params={"by": "country", "since": 2024, "until": 2024}).json()
    china = next(r for r in count if r["group"] == "CN")
    assert len(frame) == china["count"] > 100  # every model, not the first page of the JSON
    assert {"name", "published_on", "organizations", "open_weights", "countries"} <= set(frame.columns)
    assert "# Counting rule: full" in text and "the group: country CN" in text.splitlines()[0]
    # list cells as "a; b", as the dashboard shows them
    page = client.get("/api/models", params={**params, "limit": 500}).json()["items"]
    first = {i["id"]: i for i in page}
    for row in frame.head(20).to_dict(orient="records"):
        assert row["organizations"] == "; ".join(first[row["id"]]["organizations"])


@pytest.mark.parametrize(
    ("path", "params", "expected"),
    [
        ("/api/dashboard", {"definition": "epoch-notable", "table": "by_country"}, "modelcensus_count_by-country_"),
        ("/api/dashboard", {"since": 2020, "table": "by_country_year"}, "modelcensus_count_by-country-year_"),
        ("/api/countries/CN", {"table": "top_organizations"}, "modelcensus_country_CN_top-organizations_"),
        ("/api/countries/CN", {"table": "per_year"}, "modelcensus_country_CN_per-year_"),
        ("/api/organizations/DeepSeek", {"table": "models"}, "modelcensus_organization_"),
        ("/api/models/deepseek-v3", {"table": "facts"}, "modelcensus_model_deepseek-v3_facts_"),
        ("/api/models/deepseek-v3", {"table": "records"}, "modelcensus_model_deepseek-v3_records_"),
        ("/api/dashboard/vintages", {}, "modelcensus_vintages_notable-"),
        ("/api/claims", {}, "modelcensus_claims_claims_"),
    ],
)
def test_every_dashboard_table_downloads_with_its_provenance(
    client: TestClient, path: str, params: dict[str, Any], expected: str
) -> None:
    name, text, frame = _download(client, path, **params)
    assert name.startswith(expected) and name.endswith(".csv"), name
    assert len(frame) > 0 and not any(str(c).startswith("#") for c in frame.columns)
    assert "# Sources:" in text and "# Generated:" in text
    assert f"# Request: {path}" in text


def test_a_twin_names_its_tables(client: TestClient) -> None:
    response = client.get("/api/countries/CN", params={"format": "csv", "table": "nope"})
    assert response.status_code == 422
    assert "table must be one of per_year, top_organizations, models" in response.text
    # the JSON answer stays JSON after a CSV of the same route (the cache keeps them apart)
    assert client.get("/api/count", params={"by": "country", "format": "csv"}).status_code == 200
    again = client.get("/api/count", params={"by": "country"})
    assert again.headers["content-type"].startswith("application/json") and isinstance(again.json(), list)


def test_a_cell_holding_a_hash_survives_a_comment_aware_reader() -> None:
    """pandas cuts a line at an unquoted "#" when comment="#": such a cell is quoted."""
    rows = [{"name": "C# model", "organizations": ["A, Inc.", "#hash"], "share": 0.25, "open": True, "n": None}]
    lines = provenance_lines({"definition": 'a "quoted" definition', "snapshots": []}, title="Test")
    text = csv_text(rows, None, lines)
    frame = pd.read_csv(io.StringIO(text.removeprefix("\ufeff")), comment="#")
    assert frame.iloc[0]["name"] == "C# model" and frame.iloc[0]["organizations"] == "A, Inc.; #hash"
    assert frame.iloc[0]["share"] == 0.25 and bool(frame.iloc[0]["open"]) is True
    assert "# Definition: a 'quoted' definition." in text
    assert file_name("count", ["by-country", "definition-my list/2", None, "CN"], "2026-03-30") == (
        "modelcensus_count_by-country_definition-my-list-2_CN_2026-03-30.csv"
    )


def test_cli_csv_starts_with_the_figure_provenance(epoch_census_path: Path) -> None:
    runner = CliRunner()
    common = ["count", "--by", "country", "--since", "2023", "--db", str(epoch_census_path)]
    csv_out = runner.invoke(app, [*common, "--format", "csv"])
    json_out = runner.invoke(app, [*common, "--format", "json"])
    assert csv_out.exit_code == json_out.exit_code == 0, csv_out.output
    assert csv_out.stdout.startswith("# Models by country.")
    for item in PROVENANCE:
        assert item in csv_out.stdout, item
    frame = pd.read_csv(io.StringIO(csv_out.stdout), comment="#", keep_default_na=False)
    rows = json.loads(json_out.stdout)
    assert frame["group_name"].tolist() == [r["group_name"] for r in rows]
    assert frame["count"].tolist() == [r["count"] for r in rows]
    assert str(epoch_census_path.parent) not in csv_out.stdout
