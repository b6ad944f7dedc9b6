"""The metric layer on Apache Spark: the full census exported to Parquet, every figure the test suite asks
for computed on DuckDB and on Spark (Ibis's PySpark backend), and the two compared row by row.

Java and pyspark are required: if either is missing, these tests fail (they are never skipped).
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import modelcensus as mc
from modelcensus.engines.spark import java_binary, spark_session
from modelcensus.errors import EngineUnavailableError, StoreOnlyError
from modelcensus.outputs.cli.app import app
from modelcensus.outputs.common.render import records

runner = CliRunner()
pytestmark = pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning")  # pyspark 4.0's toPandas

# Every Census reading call (and variant) that tests/test_metrics.py, test_cli.py, test_epoch_real.py,
# test_epoch_formats.py and test_huggingface.py make, run here on the full census.
CASES: list[tuple[str, dict[str, Any]]] = [
    ("count", {"by": "country"}),
    ("count", {"by": "country", "rule": "fractional"}),
    ("count", {"by": "country", "rule": "primary"}),
    ("count", {"by": "country", "year": 2024}),
    ("count", {"by": "country", "year": 2023}),
    ("count", {"by": "country", "year": 2024, "notable": True}),
    ("count", {"by": "country", "year": 2023, "notable": True}),
    ("count", {"by": "country", "attribution": "resolved"}),
    *[
        ("count", {"by": "country", "since": 2020, "until": 2025, "rule": rule, "attribution": attribution})
        for rule in ("full", "fractional", "primary")
        for attribution in ("as-published", "resolved")
    ],
    ("count", {"by": ["country", "year"]}),
    ("count", {"by": ["country", "year"], "since": 2023}),
    ("count", {"by": "year"}),
    ("count", {"by": "month"}),
    ("count", {"by": "open_weights"}),
    ("count", {"by": "domain"}),
    ("count", {"by": "region"}),
    ("count", {"by": "region", "year": 2024}),
    ("count", {"by": "organization", "attribution": "resolved"}),
    ("count", {"by": "sector", "attribution": "resolved"}),
    ("statistics", {"by": "year"}),
    ("statistics", {"by": "country", "rule": "fractional"}),
    ("statistics", {"by": "country", "year": 2024}),
    ("hardware", {"by": "country"}),
    ("hardware", {"by": "country", "year": 2024}),
    ("models", {}),
    ("models", {"notable": True}),
    ("models", {"country": "none"}),
    ("models", {"country": "CN", "year": 2024, "notable": True}),
    ("models", {"country": "AE", "attribution": "resolved"}),
    ("models", {"open_weights": "yes"}),
    ("models", {"domain": "vision"}),
    ("models", {"frontier": True}),
    ("models", {"large_scale": True}),
    ("models", {"since": 2024, "until": 2024, "notable": True}),
    ("models", {"as_of": "2024-11-01"}),  # the vintage of 2024-10-18 (the notable file)
    ("count", {"by": "year", "as_of": "2025-03-01"}),  # all models from the vintage of 2024-11-25
    ("count_hub", {"by": "country", "metric": "downloads", "attribution": "lineage"}),
    *[
        ("count_hub", {"by": "country", "metric": "downloads", "rule": "fractional", "derivatives": d})
        for d in ("include", "exclude", "only")
    ],
    ("count_hub", {"by": "derivative"}),
    ("count_hub", {"by": "base-family", "metric": "models", "derivatives": "only"}),
    ("count_hub", {"by": "organization", "metric": "downloads"}),
    ("count_hub", {"by": "country", "metric": "downloads", "as_of": "2026-05-15"}),
    ("trend", {"by": "country", "metric": "downloads"}),
    ("sources", {}),
    ("quarantine", {}),
]


def _id(case: tuple[str, dict[str, Any]]) -> str:
    method, kwargs = case
    return method + "(" + ",".join(f"{k}={v}" for k, v in kwargs.items()) + ")"


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    """One local[2] session for the module (startup takes ~10 s); Java and pyspark must be there."""
    java_binary()
    session = spark_session("local[2]")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def parquet_export(full_census_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("export") / "parquet"
    result = runner.invoke(app, ["export", str(target), "--format", "parquet", "--db", str(full_census_path)])
    assert result.exit_code == 0, result.output
    return target


@pytest.fixture(scope="module")
def on_spark(spark: Any, parquet_export: Path) -> Iterator[mc.Census]:
    census = mc.open(parquet_export, engine="spark", spark_session=spark)
    yield census
    census.close()


@pytest.fixture(scope="module")
def on_duckdb(full_census_path: Path) -> Iterator[mc.Census]:
    with mc.open(full_census_path, read_only=True) as census:
        yield census


def _same_value(actual: Any, expected: Any, where: str) -> None:
    if isinstance(expected, float) and isinstance(actual, float | int):
        assert math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-12), where
    elif isinstance(expected, dict) and isinstance(actual, dict):
        assert actual.keys() == expected.keys(), where
        for key in expected:
            _same_value(actual[key], expected[key], f"{where}.{key}")
    elif isinstance(expected, list) and isinstance(actual, list):
        assert len(actual) == len(expected), where
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            _same_value(a, e, f"{where}[{i}]")
    else:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"


def assert_same_frame(actual: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Same columns, same rows in the same order, same values (floats to 1e-9 relative), same provenance."""
    assert list(actual.columns) == list(expected.columns)
    assert len(actual) == len(expected)
    _same_value(records(actual), records(expected), "rows")
    _same_value(actual.attrs, expected.attrs, "attrs")


def test_export_manifest_and_files(full_census_path: Path, parquet_export: Path, tmp_path: Path) -> None:
    manifest = json.loads((parquet_export / "manifest.json").read_text())
    with mc.open(full_census_path, read_only=True) as census:
        con = census.store.con
        stored = {
            t
            for (t,) in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
            ).fetchall()
        }
        assert set(manifest["tables"]) == stored
        for name, entry in manifest["tables"].items():
            count = con.execute(f'SELECT count(*) FROM "{name}"').fetchall()[0][0]
            assert entry["rows"] == count == pq.ParquetFile(parquet_export / entry["file"]).metadata.num_rows, name
        schema_version = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()[0][0]
        exports = con.execute("SELECT export_id FROM exports").fetchall()
        snapshots = con.execute("SELECT count(*) FROM snapshots").fetchall()[0][0]
    assert manifest["format"] == "parquet" and manifest["schema_version"] == schema_version
    assert {e["export_id"] for e in manifest["exports"]} == {e for (e,) in exports}
    assert sum(len(e["snapshots"]) for e in manifest["exports"]) == snapshots
    assert {e["source"] for e in manifest["exports"] if e["current"]} >= {"epoch", "huggingface"}
    for fmt, ext in (("csv", "csv"), ("json", "jsonl")):
        out = tmp_path / fmt
        result = runner.invoke(app, ["export", str(out), "--format", fmt, "--db", str(full_census_path)])
        assert result.exit_code == 0, result.output
        lines = (out / f"models.{ext}").read_text().splitlines()
        assert len(lines) - (fmt == "csv") == manifest["tables"]["models"]["rows"]
    first = json.loads((tmp_path / "json" / "models.jsonl").read_text().splitlines()[0])
    assert isinstance(first["organizations"], list)
    again = runner.invoke(app, ["export", str(tmp_path / "csv"), "--format", "csv", "--db", str(full_census_path)])
    assert again.exit_code == 0, again.output  # a previous export is replaced


def test_export_refuses_a_folder_of_other_files(full_census_path: Path, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = runner.invoke(app, ["export", str(tmp_path), "--db", str(full_census_path)])
    assert result.exit_code == 1 and result.output.startswith("error:") and "not empty" in result.output
    assert (tmp_path / "notes.txt").read_text() == "mine" and len(list(tmp_path.iterdir())) == 1
    bad = runner.invoke(app, ["export", str(tmp_path / "x"), "--format", "xlsx", "--db", str(full_census_path)])
    assert bad.exit_code == 1 and "--format must be one of" in bad.output


def _cli_json(*args: str) -> Any:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_cli_count_engine_spark_prints_the_same_json(
    spark: Any, full_census_path: Path, parquet_export: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MODELCENSUS_CACHE", str(tmp_path / "cache"))
    args = ["count", "--by", "country", "--year", "2024", "--notable", "--format", "json"]
    duck = runner.invoke(app, [*args, "--db", str(full_census_path)])
    assert duck.exit_code == 0, duck.output
    # a DuckDB store: exported to the cache first, then read by Spark
    on_spark = runner.invoke(app, [*args, "--engine", "spark", "--db", str(full_census_path)])
    assert on_spark.exit_code == 0, on_spark.output
    assert on_spark.stdout == duck.stdout
    assert json.loads(duck.stdout)[0]["group"] == "US"
    assert len(list((tmp_path / "cache" / "spark").iterdir())) == 1
    hub = ["count", "--source", "huggingface", "--by", "country", "--metric", "downloads", "--attribution", "lineage"]
    # a Parquet export folder, read in place
    expected = _cli_json(*hub, "--format", "json", "--db", str(full_census_path))
    assert expected, "the Hub figure has rows"
    assert _cli_json(*hub, "--format", "json", "--engine", "spark", "--db", str(parquet_export)) == expected


def test_engine_errors_are_clear(spark: Any, full_census_path: Path, tmp_path: Path, on_spark: mc.Census) -> None:
    bogus = runner.invoke(app, ["count", "--engine", "polars", "--db", str(full_census_path)])
    assert bogus.exit_code == 1 and "engine must be one of duckdb, spark" in bogus.output
    master = runner.invoke(app, ["count", "--spark-master", "local[1]", "--db", str(full_census_path)])
    assert master.exit_code == 1 and "--spark-master applies with --engine spark" in master.output
    csv_export = tmp_path / "csv"
    assert (
        runner.invoke(app, ["export", str(csv_export), "--format", "csv", "--db", str(full_census_path)]).exit_code == 0
    )
    wrong = runner.invoke(app, ["count", "--engine", "spark", "--db", str(csv_export)])
    assert wrong.exit_code == 1 and "Spark reads a Parquet export" in wrong.output
    (tmp_path / "empty").mkdir()
    nothing = runner.invoke(app, ["count", "--engine", "spark", "--db", str(tmp_path / "empty")])
    assert nothing.exit_code == 1 and "no manifest.json here" in nothing.output
    with pytest.raises(StoreOnlyError, match="Parquet export read by Spark"):
        on_spark.refresh_registry()
    with pytest.raises(StoreOnlyError, match="needs the DuckDB store"):
        on_spark.ingest_openrouter(tmp_path / "models.json")


def test_missing_java_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(EngineUnavailableError, match="needs Java 17"):
        java_binary()


# -- every public figure of the facade, on both engines ---------------------------------------------------------

EXAMPLE_CLAIMS = Path(__file__).resolve().parents[1] / "examples" / "claims.yaml"
PRESETS = (
    "all-sources",
    "cac-filed",
    "epoch-all",
    "epoch-notable",
    "frontier",
    "hub-derivatives",
    "hub-originals",
    "large-models",
    "large-scale",
    "open-weights",
)
FIGURES: dict[str, list[dict[str, Any]]] = {
    **{method: [kwargs for m, kwargs in CASES if m == method] for method, _ in CASES},
    "count_definition": [{"name": name, "unit": unit} for name in PRESETS for unit in ("family", "release", "variant")]
    + [{"name": "epoch-all", "rule": "fractional", "year": 2024}, {"name": "epoch-notable", "as_of": "2025-03-01"}],
    "count_definition_by_year": [{"name": "epoch-notable", "since": 2020, "until": 2025}],
    "definition_members": [{"name": "epoch-notable", "country": "CN", "year": 2024}],
    "definitions": [{}],
    "definition": [{"name": "large-models"}],
    "check": [{"path": EXAMPLE_CLAIMS}],
    "frontier": [{}],
    "frontier_gap": [{}],
    "vintage_list": [{}],
    "vintages": [{"by": "country", "year": 2024, "notable": True}],
    "listing_lag": [{"notable": True}],
    "year_status": [{"since": 2021, "until": 2025, "notable": True}],
    "year_statuses": [],  # a view of year_status's frame: compared through it below
    "newest_export_date": [{"sources": ["epoch"]}, {"sources": ["lmarena"], "as_of": None}],
    "next_export_date": [{"sources": ["epoch"], "as_of": date(2024, 11, 1)}],
    "estimate": [{"definition": "large-models"}],
    "estimate_link_sensitivity": [{"definition": "large-models"}],
    "latest_complete_year": [{"sources": ["epoch"]}],
    "concentration": [{"name": "epoch-all", "since": 2020, "until": 2025}],
    "top_organizations": [{"limit": 10}, {"year": 2024}],
    "snapshots_in_force": [{"sources": ["epoch", "huggingface"]}],
    "lineage": [{"repo_id": "llmfan46/Qwen3.6-27B-uncensored-heretic-v2"}],
    "resolve_hub": [{"handles": ["Qwen", "bartowski", "deepseek-ai"]}],
    "hub_disagreements": [{}],
    "resolve": [{"names": ["Zhipu AI", "Alibaba"]}],
    "unresolved": [{}],
    "disagreements": [{}],
    "count_cac": [
        {"by": "country"},
        {"by": "country", "attribution": "resolved", "rule": "fractional"},
        {"by": "province"},
        {"by": "organization"},
        {"by": "month"},
        {"by": "year", "record_type": "registration"},
        {"by": "province", "as_of": "2026-12-31"},
    ],
    "cac_series": [{}, {"record_type": "registration"}],
    "cac_totals": [{}],
    "cac_filings": [{}, {"province": "CN-BJ"}, {"organization": "Baidu"}, {"month": "none"}],
    "cac_unresolved": [{"record_type": "registration"}],
}
STORE_ONLY = {
    "build",
    "ingest_epoch",
    "ingest_huggingface",
    "ingest_openrouter",
    "ingest_litellm",
    "ingest_lmarena",
    "ingest_tabular",
    "ingest_cac",
    "refresh_registry",
    "export",
    "links",
    "source_records",
}
"""What needs the DuckDB store itself: on Spark each raises StoreOnlyError (checked below)."""
NOT_FIGURES = {"close"}
EMPTY_ON_SHARED_DATA = {"unresolved", "cac_unresolved"}
"""The registry resolves every organization of the shared data (the CAC register's providers too, by their Chinese
legal names): the answer is empty on both engines (and computed on Spark without error); tests/test_registry.py and
tests/test_cac.py check unresolved names on data that has some."""
FIGURE_CASES = [(method, kwargs) for method, cases in sorted(FIGURES.items()) for kwargs in cases]
SLOW = {"check"}
"""A check runs ~40 large queries: seconds each on DuckDB, many on a local Spark."""


def _public_methods() -> set[str]:
    return {name for name in dir(mc.Census) if not name.startswith("_") and callable(getattr(mc.Census, name))}


def test_every_public_figure_runs_on_both_engines() -> None:
    """A new public method of the facade fails here until it has a parity case (or is declared store-only)."""
    public = _public_methods()
    assert public == set(FIGURES) | STORE_ONLY | NOT_FIGURES, (
        f"no engine case for: {sorted(public - set(FIGURES) - STORE_ONLY - NOT_FIGURES)}; "
        f"cases for what the facade lacks: {sorted((set(FIGURES) | STORE_ONLY | NOT_FIGURES) - public)}"
    )
    assert all(FIGURES[m] for m in FIGURES if m != "year_statuses")


def _comparable(value: Any) -> Any:
    """A figure as plain data: frames as their rows, figures with their provenance, dataclasses as dicts, dates as
    text."""
    if isinstance(value, pd.DataFrame):
        return {"rows": records(value)}
    frame = getattr(value, "frame", None)
    if isinstance(frame, pd.DataFrame):  # a Figure: its frame and its provenance
        return {"rows": records(frame), "provenance": _comparable(value.provenance)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _comparable(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(k): _comparable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_comparable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _not_empty(value: Any) -> bool:
    if isinstance(value, pd.DataFrame):
        return len(value) > 0
    if isinstance(getattr(value, "frame", None), pd.DataFrame):
        return len(value.frame) > 0
    if isinstance(value, list | tuple | dict):
        return len(value) > 0
    return value is not None


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_store_only_operations_say_so(engine: str, on_duckdb: mc.Census, on_spark: mc.Census, tmp_path: Path) -> None:
    census = on_spark if engine == "spark" else on_duckdb
    if engine == "duckdb":
        assert census.store is not None and len(census.links()) > 0
        return
    for call in (
        lambda: census.refresh_registry(),
        lambda: census.links(),
        lambda: census.source_records(),
        lambda: census.export(tmp_path / "again"),
        lambda: census.build(tmp_path),
        lambda: census.ingest_litellm(tmp_path / "x.json"),
    ):
        with pytest.raises(StoreOnlyError, match="needs the DuckDB store"):
            call()


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, marks=pytest.mark.timeout(1200)) if c[0] in SLOW else c for c in FIGURE_CASES],
    ids=[_id(c) for c in FIGURE_CASES],
)
def test_the_figure_is_the_same_on_both_engines(
    case: tuple[str, dict[str, Any]], on_duckdb: mc.Census, on_spark: mc.Census
) -> None:
    method, kwargs = case
    expected = getattr(on_duckdb, method)(**kwargs)
    actual = getattr(on_spark, method)(**kwargs)
    if method in EMPTY_ON_SHARED_DATA:
        assert not _not_empty(expected) and not _not_empty(actual)
    else:
        assert _not_empty(expected), f"{method}: an empty answer proves nothing"
    if method == "year_status":
        assert _comparable(on_spark.year_statuses(actual)) == _comparable(on_duckdb.year_statuses(expected))
    if method == "check":  # the same JSON, byte for byte, as `modelcensus check --format json` prints it
        assert json.dumps(actual, default=str, sort_keys=True) == json.dumps(expected, default=str, sort_keys=True)
    _same_value(_comparable(actual), _comparable(expected), method)
