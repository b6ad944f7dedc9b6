"""Catalogue sources in the census, and the quality frontier from LMArena."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

import modelcensus as mc
from modelcensus.outputs.cli.app import app

from known_answers import (
    CHINA_LIST_MODELS,
    FRONTIER_GAP_DATES_AT_LEAST,
    LITELLM_RECORDS,
    LMARENA_TEXT_FULL,
    OPENROUTER_MODELS,
)

runner = CliRunner()


def test_build_stores_every_catalogue(full_census: mc.Census) -> None:
    sources = full_census.sources()
    assert {"epoch", "huggingface", "openrouter", "lmarena", "litellm"} <= set(sources["source"])
    openrouter = sources[sources["source"] == "openrouter"]
    assert len(openrouter) == 2 and openrouter["current"].sum() == 1  # the newer export is current
    current = openrouter[openrouter["current"]]
    assert str(current["location"].iloc[0]).endswith("openrouter-models_2026-05-01.json")


def test_frontier_best_per_country_with_intervals(full_census: mc.Census) -> None:
    frame = full_census.frontier(category="text/full").frame
    assert {"US", "CN"} <= set(frame["group"])
    per_date = frame.groupby(["rated_on", "group"]).size()
    assert (per_date == 1).all()  # one best model per country and date
    latest = frame[frame["rated_on"] == frame["rated_on"].max()].set_index("group")
    assert latest.loc["US", "rating_low"] < latest.loc["US", "rating"] < latest.loc["US", "rating_high"]
    gap = full_census.frontier_gap(category="text/full").frame
    assert len(gap) >= FRONTIER_GAP_DATES_AT_LEAST
    assert (gap["gap"] == gap["rating_US"] - gap["rating_CN"]).all()


def test_frontier_cli(full_census_path: Path) -> None:
    result = runner.invoke(
        app, ["frontier", "--by", "country", "--category", "full", "--format", "json", "--db", str(full_census_path)]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {"rated_on", "group", "model", "rating", "rating_low", "rating_high"} <= set(rows[0])
    gap = runner.invoke(app, ["frontier", "--gap", "--format", "json", "--db", str(full_census_path)])
    assert all("gap" in r for r in json.loads(gap.stdout))


def test_ingest_commands(tmp_path: Path, shared: Path) -> None:
    db = tmp_path / "c.duckdb"
    for args in (
        ["ingest", "openrouter", "--from", str(shared / "openrouter" / "openrouter-models_2026-05-01.json")],
        ["ingest", "lmarena", "--from", str(shared / "lmarena_arena_catalog")],
        ["ingest", "litellm", "--from", str(shared / "litellm" / "model_prices_and_context_window_backup.json")],
        [
            "ingest",
            "tabular",
            "--from",
            str(shared / "china_llm_lists" / "hqwu_awesome_chinese_llm_models.csv"),
            "--mapping",
            str(Path(__file__).resolve().parents[1] / "examples" / "mappings" / "china_llm_list.yaml"),
        ],
    ):
        result = runner.invoke(app, [*args, "--db", str(db)])
        assert result.exit_code == 0, result.output
    with mc.open(db, read_only=True) as census:
        counts = dict(census.store.con.execute("SELECT source, count(*) FROM catalog_records GROUP BY 1").fetchall())
    assert counts["openrouter"] == OPENROUTER_MODELS["openrouter-models_2026-05-01.json"][0]
    assert counts["litellm"] == LITELLM_RECORDS
    assert counts["lmarena"] >= LMARENA_TEXT_FULL
    assert sum(v for k, v in counts.items() if k not in ("openrouter", "litellm", "lmarena")) == CHINA_LIST_MODELS
    again = runner.invoke(
        app,
        [
            "ingest",
            "openrouter",
            "--from",
            str(shared / "openrouter" / "openrouter-models_2026-05-01.json"),
            "--db",
            str(db),
        ],
    )
    assert "already stored" in again.output
    bad = tmp_path / "bad.json"
    bad.write_text('{"data": 5}')
    failed = runner.invoke(app, ["ingest", "openrouter", "--from", str(bad), "--db", str(db)])
    assert failed.exit_code == 1 and "bad.json" in failed.output


def test_an_undated_leaderboard_takes_the_date_given(tmp_path: Path, shared: Path) -> None:
    """A current leaderboard carries no date: ``--dated`` says when its data is from (else the file's time)."""
    db = tmp_path / "census.duckdb"
    for extra in (["--dated", "2025-12-11"], []):
        result = runner.invoke(
            app, ["ingest", "lmarena", "--from", str(shared / "lmarena_arena_catalog"), *extra, "--db", str(db)]
        )
        assert result.exit_code == 0, result.output
        with mc.open(db, read_only=True) as census:
            best = census.frontier().frame
            sources = census.sources()
        assert str(best["rated_on"].max()) == "2025-12-11"  # the same files again: nothing new is stored
        assert "2025-12-11" in {str(d) for d in sources["data_date"]}
    bad = runner.invoke(app, ["ingest", "lmarena", "--dated", "11/12/2025", "--db", str(db)])
    assert bad.exit_code != 0 and "--dated" in bad.output
