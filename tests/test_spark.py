"""The metric layer on Apache Spark: the full census exported to Parquet, every figure the test suite asks
for computed on DuckDB and on Spark (Ibis's PySpark backend), and the two compared row by row.

This module holds the export, the CLI's ``--engine spark``, the errors, the check that every public figure of the
facade has a case, and a quarter of the cases (shard "figures-a"); tests/test_spark_figures.py,
tests/test_spark_definitions.py and tests/test_spark_count_definition.py run the others (cases in spark_parity.py,
fixtures in conftest.py).

Java and pyspark are required: if either is missing, these tests fail (they are never skipped).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import modelcensus as mc
from modelcensus.engines.spark import java_binary
from modelcensus.errors import EngineUnavailableError, StoreOnlyError
from modelcensus.outputs.cli.app import app
from modelcensus.store import meta as store_meta
from spark_parity import (
    FIGURE_CASES,
    FIGURES,
    NOT_FIGURES,
    SHARDS,
    STORE_ONLY,
    assert_same_figure,
    shard,
)

from conftest import ROOT

runner = CliRunner()
pytestmark = pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning")  # pyspark 4.0's toPandas


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
        derived = {t for t in stored if t.startswith("_")}  # what a build keeps for readers (store/kept.py)
        assert "_kept" in derived
        # a table read through a view is exported as the view: census_records, every column whole
        assert set(manifest["tables"]) == {store_meta.VIEWS.get(t, t) for t in stored - derived}
        assert "census_record_rows" in stored and "census_records" not in stored
        empty = "count(*) FILTER (WHERE name IS NULL OR canon_release IS NULL OR canon_family IS NULL)"
        assert con.execute(f"SELECT {empty} FROM census_record_rows").fetchall()[0][0] > 0  # left for the view
        assert con.execute(f"SELECT {empty} FROM census_records").fetchall()[0][0] == 0
        exported = pq.read_table(parquet_export / manifest["tables"]["census_records"]["file"])
        assert exported.column("name").null_count == exported.column("canon_release").null_count == 0
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
    spark: Any,
    full_census_path: Path,
    small_census_path: Path,
    parquet_export: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MODELCENSUS_CACHE", str(tmp_path / "cache"))
    args = ["count", "--by", "country", "--year", "2024", "--notable", "--format", "json"]
    duck = runner.invoke(app, [*args, "--db", str(small_census_path)])
    assert duck.exit_code == 0, duck.output
    # a DuckDB store (the small census: its export is quick): exported to the cache first, then read by Spark
    on_spark = runner.invoke(app, [*args, "--engine", "spark", "--db", str(small_census_path)])
    assert on_spark.exit_code == 0, on_spark.output
    assert on_spark.stdout == duck.stdout
    assert json.loads(duck.stdout)[0]["group"] == "US"
    assert len(list((tmp_path / "cache" / "spark").iterdir())) == 1
    hub = ["count", "--source", "huggingface", "--by", "country", "--metric", "downloads", "--attribution", "lineage"]
    # a Parquet export folder, read in place
    expected = _cli_json(*hub, "--format", "json", "--db", str(full_census_path))
    assert expected, "the Hub figure has rows"
    assert _cli_json(*hub, "--format", "json", "--engine", "spark", "--db", str(parquet_export)) == expected


QUIET_START = """
import sys, time
from modelcensus.engines.spark import spark_session
session = spark_session("local[1]")
assert session.range(3).count() == 3
session.sparkContext._jvm.java.lang.System.err.println("an error line of the JVM")
time.sleep(1)  # the thread passing the JVM's stderr on
session.stop()
print("done")
"""


def test_spark_starts_without_jvm_noise_on_stderr(tmp_path: Path) -> None:
    """A command on Spark prints its answer: the JVM's start-up lines (the incubator-module warning, "Setting
    default log level", log4j's profile, NativeCodeLoader) stay off stderr, and what the JVM writes there later
    (an error) still reaches it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", QUIET_START], capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "done\n"
    assert done.stderr == "an error line of the JVM\n", done.stderr


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


@pytest.mark.parametrize("case", shard("figures-a"))
def test_the_figure_is_the_same_on_both_engines(
    case: tuple[str, dict[str, Any]], on_duckdb: mc.Census, on_spark: mc.Census
) -> None:
    assert_same_figure(case, on_duckdb, on_spark)


def test_the_shards_hold_every_case_once() -> None:
    ids = [param.id for name in SHARDS for param in shard(name)]
    assert len(ids) == len(FIGURE_CASES) == len(set(ids))
    assert all(shard(name) for name in SHARDS)
    with pytest.raises(ValueError, match="no shard"):
        shard("figures")


def test_java_options_given_to_a_session_keep_the_quiet_logging(monkeypatch: pytest.MonkeyPatch) -> None:
    """``spark_session(conf={"spark.driver.extraJavaOptions": ...})`` adds to the driver's Java options the option that
    quiets the JVM's logging; it does not replace it (the JVM is not started here: the settings it would get are)."""
    from modelcensus.engines import spark as spark_engine

    seen: dict[str, str] = {}

    def capture(master: str, app_name: str, settings: dict[str, str]) -> None:
        seen.update(settings)
        raise RuntimeError("not started in this test")

    monkeypatch.setattr(spark_engine, "_start_jvm", capture)
    with pytest.raises(EngineUnavailableError, match="not started in this test"):
        spark_engine.spark_session("local[1]", conf={"spark.driver.extraJavaOptions": "-XX:+UseSerialGC"})
    options = seen["spark.driver.extraJavaOptions"].split()
    assert options[0].startswith("-Dlog4j2.configurationFile=file:") and options[1:] == ["-XX:+UseSerialGC"]
    seen.clear()
    with pytest.raises(EngineUnavailableError):
        spark_engine.spark_session("local[1]")
    assert seen["spark.driver.extraJavaOptions"].startswith("-Dlog4j2.configurationFile=file:")
    assert " " not in seen["spark.driver.extraJavaOptions"]
