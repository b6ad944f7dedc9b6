"""Epoch exports of other dates and shapes, and malformed ones, on fixtures the tests write."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

import modelcensus as mc
from modelcensus.errors import InputFormatError
from modelcensus.outputs.cli.app import app
from modelcensus.sources import epoch

from epoch_fixtures import ALL_HEADER, ROWS, all_rows, write_csv, write_export

runner = CliRunner()


def _counts(census: mc.Census, **kw: object) -> dict[object, object]:
    frame = census.count(by="country", **kw).frame  # type: ignore[arg-type]
    return dict(zip(frame["group"], frame["count"], strict=True))


def test_older_country_column_name_and_non_country_tokens(tmp_path: Path) -> None:
    folder = write_export(tmp_path / "old", country_header="Country (from Organization)")
    with mc.open(tmp_path / "c.duckdb") as census:
        report = census.ingest_epoch(folder)
        assert report.ignored_country_tokens == {"Multinational": 1}
        counts = _counts(census)
        assert counts["US"] == 1 and counts["CN"] == 1 and counts["GB"] == 1 and counts["CA"] == 1
        # Zeta's only country token is "Multinational": it lands in the no-country row with Epsilon
        assert counts[None] == 2


def test_columns_added_and_removed_are_tolerated(tmp_path: Path) -> None:
    header = [*ALL_HEADER, "A brand new column"]
    rows = [[*r, "x"] for r in all_rows()]
    drop = [header.index("Training hardware"), header.index("Frontier model")]
    header = [h for i, h in enumerate(header) if i not in drop]
    rows = [[c for i, c in enumerate(r) if i not in drop] for r in rows]
    write_csv(tmp_path / "e" / "all_ai_models.csv", header, rows)
    with mc.open(tmp_path / "c.duckdb") as census:
        census.ingest_epoch(tmp_path / "e")
        assert len(census.models().frame) == len(ROWS)


def test_export_without_notable_file_uses_notability_criteria(tmp_path: Path) -> None:
    folder = write_export(tmp_path / "e", notable=False)
    with mc.open(tmp_path / "c.duckdb") as census:
        census.ingest_epoch(folder)
        assert set(census.models(notable=True).frame["name"]) == {"Alpha-1", "Gamma"}


def test_notable_file_defines_notable_when_present(tmp_path: Path) -> None:
    folder = write_export(tmp_path / "e", notable=False)
    header = ALL_HEADER
    write_csv(folder / "notable_ai_models.csv", header, [all_rows()[0]])
    with mc.open(tmp_path / "c.duckdb") as census:
        census.ingest_epoch(folder)
        assert set(census.models(notable=True).frame["name"]) == {"Alpha-1"}


def test_missing_required_column_names_file_and_column(tmp_path: Path) -> None:
    header = [h for h in ALL_HEADER if h != "Publication date"]
    idx = ALL_HEADER.index("Publication date")
    rows = [[c for i, c in enumerate(r) if i != idx] for r in all_rows()]
    path = write_csv(tmp_path / "e" / "all_ai_models.csv", header, rows)
    with pytest.raises(InputFormatError) as info:
        epoch.parse_export([epoch.RawFile(path.name, str(path), path.read_bytes(), epoch._file_time(path))])
    assert info.value.column == "Publication date"
    assert str(path) in str(info.value)


def test_truncated_file_fails_naming_the_line(tmp_path: Path) -> None:
    folder = write_export(tmp_path / "e", notable=False)
    data = (folder / "all_ai_models.csv").read_bytes()
    (folder / "all_ai_models.csv").write_bytes(data[: int(len(data) * 0.6)])
    with pytest.raises(InputFormatError) as info:
        epoch.parse_export(epoch.discover(folder)[0])
    assert info.value.line is not None and info.value.line > 1
    assert "truncated" in str(info.value)


def test_truncated_inside_a_quoted_field(tmp_path: Path) -> None:
    folder = write_export(tmp_path / "e", notable=False)
    text = (folder / "all_ai_models.csv").read_text()
    (folder / "all_ai_models.csv").write_text(text + 'Omega,"Language,Vis')
    with pytest.raises(InputFormatError) as info:
        epoch.parse_export(epoch.discover(folder)[0])
    assert info.value.line == len(ROWS) + 2


def test_malformed_export_leaves_store_unchanged_and_exits_nonzero(tmp_path: Path) -> None:
    db = tmp_path / "c.duckdb"
    good = write_export(tmp_path / "good")
    assert runner.invoke(app, ["ingest", "epoch", "--from", str(good), "--db", str(db)]).exit_code == 0
    with mc.open(db, read_only=True) as census:
        before = census.store.fingerprint()
    bad = tmp_path / "bad"
    header = [h for h in ALL_HEADER if h != "Organization"]
    idx = ALL_HEADER.index("Organization")
    write_csv(bad / "all_ai_models.csv", header, [[c for i, c in enumerate(r) if i != idx] for r in all_rows()])
    result = runner.invoke(app, ["ingest", "epoch", "--from", str(bad / "all_ai_models.csv"), "--db", str(db)])
    assert result.exit_code != 0
    message = result.output.strip()
    assert "all_ai_models.csv" in message and "'Organization'" in message
    assert "Traceback" not in message
    with mc.open(db, read_only=True) as census:
        assert census.store.fingerprint() == before


def test_truncated_zip_is_a_clear_error(tmp_path: Path) -> None:
    folder = write_export(tmp_path / "e")
    archive = tmp_path / "ai_models.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in folder.iterdir():
            zf.write(f, f.name)
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])
    result = runner.invoke(app, ["ingest", "epoch", "--from", str(archive), "--db", str(tmp_path / "c.duckdb")])
    assert result.exit_code != 0
    assert "ai_models.zip" in result.output


def test_unparseable_values_are_set_aside_not_fatal(tmp_path: Path) -> None:
    rows = [list(r) for r in ROWS]
    rows[1][3] = "sometime in 2024"  # Beta-7B: bad publication date
    rows[3][5] = "seven billion"  # Delta: bad parameter count
    folder = write_export(tmp_path / "e", notable=False, rows=[tuple(r) for r in rows])
    with mc.open(tmp_path / "c.duckdb") as census:
        report = census.ingest_epoch(folder)
        assert len(report.quarantined) == 2
        by_line = {q.line: q for q in report.quarantined}
        assert by_line[3].column == "Publication date" and "sometime" in by_line[3].value
        assert by_line[5].column == "Parameters"
        assert all(q.file.endswith("all_ai_models.csv") for q in report.quarantined)
        assert set(census.models().frame["name"]) == {"Alpha-1", "Gamma", "Epsilon", "Zeta"}
        result = report.results[0]
        assert result.rows_read == len(ROWS) == result.records + result.quarantined
        assert len(census.quarantine()) == 2


def test_content_recognition_ignores_other_files(tmp_path: Path) -> None:
    write_export(tmp_path / "data" / "somewhere" / "deep")
    (tmp_path / "data" / "other.csv").write_text("a,b\n1,2\n")
    renamed = tmp_path / "data" / "x" / "export-2024.csv"
    renamed.parent.mkdir(parents=True)
    renamed.write_bytes((tmp_path / "data" / "somewhere" / "deep" / "all_ai_models.csv").read_bytes())
    exports = epoch.discover(tmp_path / "data")
    assert sorted(len(e) for e in exports) == [1, 2]


def test_as_of_reads_an_older_export(tmp_path: Path) -> None:
    old_rows = [(*r[:10], "2024-12-31 00:00:00+00:00", *r[11:]) for r in ROWS[:3]]
    older = write_export(tmp_path / "2025-01", rows=old_rows)
    newer = write_export(tmp_path / "2025-06")
    with mc.open(tmp_path / "c.duckdb") as census:
        census.ingest_epoch(newer)
        census.ingest_epoch(older)  # ingested later, but its data is older: it does not supersede
        assert len(census.models().frame) == len(ROWS)
        assert len(census.models(as_of="2025-01-01").frame) == 3
        assert census.models(as_of="2024-01-01").frame.empty
        sources = census.sources()
        assert sources.groupby("export_date")["current"].all().to_dict() == {
            sources["export_date"].min(): False,
            sources["export_date"].max(): True,
        }
        assert set(sources["date_method"]) == {"data"}  # each file dated by its own newest 'Last modified'
        assert sources["data_date"].min() == date(2024, 12, 31)
