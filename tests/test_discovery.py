"""`build --from DIR` in the real world: files recognised by content, skipped with a reason, failing alone;
Epoch vintages kept apart; every export dated by --dated, a datapackage.json, the data or its name — never by
the day of ingest."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

import modelcensus as mc
from modelcensus.outputs.cli.app import app
from modelcensus.outputs.cli.core import PARTIAL_EXIT
from modelcensus.provenance import DateMethod
from modelcensus.sources.dating import date_in_name, file_date
from modelcensus.sources.discover import discover

from epoch_fixtures import ROWS, write_export
from known_answers import EPOCH_EXPORT_FILES, VINTAGE_DATES

runner = CliRunner()


def _datapackage(folder: Path, created: dict[str, str | None]) -> None:
    resources = [
        {"name": name.replace("/", "-"), "path": name, **({"created": day} if day else {})}
        for name, day in created.items()
    ]
    (folder / "datapackage.json").write_text(json.dumps({"name": "t", "resources": resources}), encoding="utf-8")


# -- discovery on the shared folder ----------------------------------------------------------------


def test_discovery_of_the_shared_folder(shared: Path) -> None:
    found = discover(shared)
    epoch_exports = found.of("epoch")
    assert len(epoch_exports) == len(VINTAGE_DATES)
    by_size = sorted(len(f.paths) for f in epoch_exports)
    assert by_size == EPOCH_EXPORT_FILES  # the 2025-05-20 notable + large-scale files are one vintage
    skipped = {p.path.relative_to(shared).as_posix(): p.reason for p in found.skipped}
    assert [f.paths for f in found.of("cac-totals")] == [(shared / "reference" / "cac_genai_filing_totals.csv",)]
    assert [f.paths for f in found.of("cac")] == [
        (shared / "cac_filings_partial" / "cac_filings_partial_from_leadingai_book.csv",)
    ]
    assert "reference table" in skipped["cac_filings_partial/cac_attachment_ranges.csv"]
    assert "PROVENANCE.md" in skipped and "not a data file" in skipped["PROVENANCE.md"]
    assert found.metadata == [shared / "datapackage.json"]
    recognised = {p for f in found.found for p in f.paths}
    every_file = {p for p in shared.rglob("*") if p.is_file()}
    assert recognised | {s.path for s in found.skipped} | set(found.metadata) == every_file  # nothing unaccounted


def test_the_shared_build_keeps_vintages_apart_and_dates_every_export_by_its_data(full_census: mc.Census) -> None:
    sources = full_census.sources()
    exports = sources.drop_duplicates("export_id")
    epoch_dates = set(exports.loc[exports["source"] == "epoch", "export_date"])
    assert epoch_dates == set(VINTAGE_DATES)
    today = datetime.now(tz=UTC).date()
    assert today not in set(sources["data_date"])  # never the day of ingest
    arena = exports[exports["source"] == "lmarena"].iloc[0]
    assert arena["export_date"] == date(2025, 12, 11)
    litellm = sources[sources["source"] == "litellm"].iloc[0]
    assert litellm["data_date"] is None and litellm["date_method"] == "unknown"
    assert set(sources.loc[sources["source"] != "litellm", "date_method"]) == {"datapackage"}
    vintage = sources[sources["export_date"] == date(2025, 5, 20)]
    assert sorted(vintage["role"]) == ["large_scale", "notable"] and vintage["export_id"].nunique() == 1


def test_sources_command_shows_how_each_date_was_found(full_census_path: Path) -> None:
    result = runner.invoke(app, ["sources", "--db", str(full_census_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {r["date_method"] for r in rows} == {"datapackage", "unknown"}
    assert all(r["date_detail"] for r in rows)
    table = runner.invoke(app, ["sources", "--db", str(full_census_path)])
    assert "unknown" in table.output and "datapackage" in table.output


# -- the dating order ------------------------------------------------------------------------------


def test_dating_order_option_datapackage_data_name_unknown(tmp_path: Path) -> None:
    folder = write_export(tmp_path / "2025-03-01_mirror")  # a date in the folder name
    csv_file = folder / "all_ai_models.csv"
    newest_modified = max(date.fromisoformat(r[10][:10]) for r in ROWS)  # the fixture's newest 'Last modified'
    # no datapackage: the data itself (Last modified) comes before the name
    with mc.open(tmp_path / "a.duckdb") as census:
        result = census.ingest_epoch(folder).results[0]
    assert result.data_date.value == newest_modified and result.data_date.method is DateMethod.DATA
    # a datapackage above the folder lists the file: its created wins
    _datapackage(tmp_path, {"2025-03-01_mirror/all_ai_models.csv": "2025-02-14"})
    assert file_date(csv_file).value == date(2025, 2, 14)
    assert file_date(csv_file).method is DateMethod.DATAPACKAGE
    # --dated wins over everything
    assert file_date(csv_file, date(2020, 1, 1)).method is DateMethod.OPTION
    # a file with no date in it, no datapackage: its name; nothing at all: unknown
    bare = tmp_path / "x" / "2024-12-31_list.csv"
    bare.parent.mkdir()
    bare.write_text("a\n1\n", encoding="utf-8")
    assert file_date(bare).value == date(2024, 12, 31) and file_date(bare).method is DateMethod.FILE_NAME
    nameless = tmp_path / "x" / "list.csv"
    nameless.write_text("a\n1\n", encoding="utf-8")
    assert file_date(nameless).value is None and file_date(nameless).method is DateMethod.UNKNOWN


def test_a_date_in_the_name_prefers_the_start_and_checks_the_calendar() -> None:
    assert date_in_name(Path("2024-10-18_notable_ai_models.csv")).value == date(2024, 10, 18)  # type: ignore[union-attr]
    assert date_in_name(Path("openrouter-models_2026-05-01.json")).value == date(2026, 5, 1)  # type: ignore[union-attr]
    assert date_in_name(Path("2026-13-45_x.csv")) is None
    assert date_in_name(Path("v20240101.csv")) is None  # not an ISO date


def test_ingest_dated_option_dates_a_catalogue_with_no_date(tmp_path: Path, shared: Path) -> None:
    copy = tmp_path / "catalogue.json"  # a copy outside the shared folder: no datapackage, no date in its name
    shutil.copyfile(shared / "litellm" / "model_prices_and_context_window_backup.json", copy)
    db = tmp_path / "c.duckdb"
    result = runner.invoke(app, ["ingest", "litellm", "--from", str(copy), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "data date unknown" in result.output
    dated = runner.invoke(app, ["ingest", "litellm", "--from", str(copy), "--dated", "2025-11-01", "--db", str(db)])
    assert "already stored" in dated.output  # the same bytes are the same export, whatever it is dated
    with mc.open(tmp_path / "d.duckdb") as census:
        report = census.ingest_litellm(copy, dated=date(2025, 11, 1))
    assert report.results[0].data_date.value == date(2025, 11, 1)


# -- vintages and exports --------------------------------------------------------------------------


def test_files_of_different_dates_in_one_folder_are_different_exports(tmp_path: Path) -> None:
    folder = tmp_path / "epoch"
    write_export(folder)
    (folder / "all_ai_models.csv").rename(folder / "2025-01-10_all_ai_models.csv")
    (folder / "notable_ai_models.csv").rename(folder / "2025-06-10_notable_ai_models.csv")
    found = discover(tmp_path)
    assert sorted(len(f.paths) for f in found.of("epoch")) == [1, 1]
    with mc.open(tmp_path / "c.duckdb") as census:
        census.ingest_epoch(folder)
        exports = census.sources().drop_duplicates("export_id")
    assert len(exports) == 2


# -- failures stay local ---------------------------------------------------------------------------


def _messy_folder(root: Path, shared: Path) -> Path:
    write_export(root / "good_epoch")
    broken = write_export(root / "2025-07-01_broken_epoch", rows=ROWS[:2])
    data = (broken / "all_ai_models.csv").read_bytes()
    (broken / "all_ai_models.csv").write_bytes(data[: len(data) - 40])  # a truncated last record
    (broken / "notable_ai_models.csv").unlink()
    router = (shared / "openrouter" / "openrouter-models_2026-05-01.json").read_bytes()
    (root / "cut_openrouter.json").write_bytes(router[:5000])  # recognised by its keys, cut mid-way
    shutil.copyfile(shared / "openrouter" / "openrouter-models_2026-02-27.json", root / "router.json")
    (root / "notes.md").write_text("# notes\n", encoding="utf-8")
    (root / "table.csv").write_text("as_of_date,value\n2023-08-31,8\n", encoding="utf-8")
    return root


def test_a_broken_file_fails_alone_and_the_build_is_partial(tmp_path: Path, shared: Path) -> None:
    root = _messy_folder(tmp_path / "data", shared)
    db = tmp_path / "c.duckdb"
    result = runner.invoke(app, ["build", "--from", str(root), "--db", str(db)])
    assert result.exit_code == PARTIAL_EXIT, result.output
    out = result.output
    assert "failed: " in out and "2025-07-01_broken_epoch" in out and "truncated" in out
    assert "cut_openrouter.json" in out and "not JSON" in out
    assert "notes.md: not a data file" in out and "table.csv: a table whose columns match no source" in out
    assert "partial build: 2 recognised file(s)" in out
    assert "Traceback" not in out
    with mc.open(db, read_only=True) as census:
        stored = set(census.sources()["source"])
        assert stored == {"epoch", "openrouter"}  # what could be read is stored
        assert len(census.models().frame) == len(ROWS)


def test_a_failed_file_leaves_what_was_stored(tmp_path: Path, shared: Path) -> None:
    db = tmp_path / "c.duckdb"
    with mc.open(db) as census:
        census.ingest_epoch(write_export(tmp_path / "first"))
        before = census.store.fingerprint()
    root = tmp_path / "data"
    root.mkdir()
    (root / "cut.json").write_bytes((shared / "openrouter" / "openrouter-models_2026-05-01.json").read_bytes()[:900])
    result = runner.invoke(app, ["build", "--from", str(root), "--db", str(db)])
    assert result.exit_code == PARTIAL_EXIT
    with mc.open(db, read_only=True) as census:
        assert census.store.fingerprint() == before


def test_build_from_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["build", "--from", str(tmp_path / "nope"), "--db", str(tmp_path / "c.duckdb")])
    assert result.exit_code == 1
    assert "no such folder" in result.output and "Traceback" not in result.output


def test_library_build_returns_the_report(tmp_path: Path, shared: Path) -> None:
    root = _messy_folder(tmp_path / "data", shared)
    report = mc.build(root, db=tmp_path / "lib.duckdb")
    assert report.partial and len(report.failed) == 2
    assert {s.path.name for s in report.skipped} == {"notes.md", "table.csv"}
    assert sum(not r.already_stored for r in report.ingest.results) == 2


# -- stores of the earlier schema ------------------------------------------------------------------


def test_a_schema_1_store_is_migrated_keeping_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE exports (export_id VARCHAR PRIMARY KEY, source VARCHAR NOT NULL, data_date DATE NOT NULL, "
        "ingested_at TIMESTAMP NOT NULL, rows_read BIGINT, records BIGINT, quarantined BIGINT)"
    )
    con.execute(
        "CREATE TABLE snapshots (snapshot_id VARCHAR NOT NULL, export_id VARCHAR NOT NULL, source VARCHAR NOT NULL, "
        "role VARCHAR, location VARCHAR, member VARCHAR, retrieved_at TIMESTAMP, sha256 VARCHAR, bytes BIGINT, "
        "rows BIGINT, license VARCHAR, credit VARCHAR, PRIMARY KEY (snapshot_id, export_id))"
    )
    con.execute("INSERT INTO exports VALUES ('epoch:old', 'epoch', DATE '2025-01-01', now(), 1, 1, 0)")
    con.execute(
        "INSERT INTO snapshots VALUES ('s', 'epoch:old', 'epoch', 'all', 'x.csv', NULL, now(), 'ab', 1, 1, 'l', 'c')"
    )
    con.close()
    with mc.open(path) as census:
        census.ingest_epoch(write_export(tmp_path / "new"))
    with mc.open(path, read_only=True) as census:
        sources = census.sources()
    old = sources[sources["export_id"] == "epoch:old"].iloc[0]
    assert old["export_date"] == date(2025, 1, 1) and old["date_method"] == "unknown"
    assert "before schema 2" in old["date_detail"]
    assert len(sources) == 3


def test_census_records_stored_as_a_table_of_their_own_are_made_again_as_the_view(tmp_path: Path) -> None:
    """Before population version 5 ``census_records`` was a table of its own (each Hub repo's name and unit keys
    written out in full); now it is the view over ``census_record_rows``. A reader of such a store makes its census
    records for itself; a writer drops the old table and stores them again: the same figures either way."""
    path = tmp_path / "c.duckdb"
    with mc.open(path) as census:
        census.ingest_epoch(write_export(tmp_path / "e"))
        census.link()
    with mc.open(path, read_only=True) as census:
        before = census.count("country").frame.to_dict("records")
        records = census.store.con.execute("SELECT * FROM census_records ORDER BY ALL").fetchall()
    assert records and all(r[4] is not None and r[12] is not None for r in records)  # name, canon_release: whole
    con = duckdb.connect(str(path))
    con.execute("DROP VIEW census_records")
    con.execute("CREATE TABLE census_records AS SELECT * FROM census_record_rows")
    con.execute("DROP TABLE census_record_rows")
    con.execute("UPDATE meta SET value = 'made:by:version-4' WHERE key = 'population_key'")
    con.close()
    with mc.open(path, read_only=True) as census:
        assert census.count("country").frame.to_dict("records") == before
    with mc.open(path) as census:
        census.link()
    con = duckdb.connect(str(path), read_only=True)
    kinds = dict(con.execute("SELECT table_name, table_type FROM information_schema.tables").fetchall())
    assert kinds["census_records"] == "VIEW" and kinds["census_record_rows"] == "BASE TABLE"
    assert con.execute("SELECT * FROM census_records ORDER BY ALL").fetchall() == records
    con.close()
    with mc.open(path, read_only=True) as census:
        assert census.count("country").frame.to_dict("records") == before


# -- export writes a datapackage.json --------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_writes_a_datapackage(tmp_path: Path, fmt: str) -> None:
    with mc.open(tmp_path / "c.duckdb") as census:
        census.ingest_epoch(write_export(tmp_path / "e"))
    with mc.open(tmp_path / "c.duckdb", read_only=True) as census:
        manifest = census.export(tmp_path / "out", fmt)
    package = json.loads((tmp_path / "out" / "datapackage.json").read_text(encoding="utf-8"))
    names = {r["path"] for r in package["resources"]}
    assert names == {t["file"] for t in manifest["tables"].values()}
    models = next(r for r in package["resources"] if r["name"] == "models")
    fields = {f["name"]: f["type"] for f in models["schema"]["fields"]}
    assert fields["published_on"] == "date" and fields["organizations"] == "array" and fields["parameters"] == "number"
    assert models["hash"].startswith("sha256:")
    assert models["bytes"] == (tmp_path / "out" / models["path"]).stat().st_size
    assert package["sources"] and all(s["data_date"] for s in package["sources"])
    assert package["licenses"] == [{"name": "CC BY 4.0", "title": "Epoch AI"}]
