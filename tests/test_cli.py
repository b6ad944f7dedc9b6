"""The CLI in-process: JSON shapes are a public contract, errors are one line and a non-zero exit."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import modelcensus as mc
from modelcensus.metrics.core import RULE_TEXT
from modelcensus.outputs.cli.app import app

from conftest import Build
from known_answers import NOTABLE_2024_MODELS, NOTABLE_BY_COUNTRY

runner = CliRunner()


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_count_json_matches_the_library(epoch_census_path: Path, census: mc.Census) -> None:
    out = json.loads(
        run(
            "count",
            "--by",
            "country",
            "--year",
            "2024",
            "--notable",
            "--format",
            "json",
            "--db",
            str(epoch_census_path),
        )
    )
    assert {"group", "count", "share", "denominator"} <= set(out[0])
    by_group = {row["group"]: row for row in out}
    assert {c: by_group[c]["count"] for c in ("US", "CN")} == NOTABLE_BY_COUNTRY[2024]
    assert by_group["US"]["denominator"] == NOTABLE_2024_MODELS
    library = census.count(by="country", year=2024, notable=True).frame
    assert [r["count"] for r in out] == list(library["count"])
    assert [r["group"] for r in out] == list(library["group"])


@pytest.mark.parametrize("rule", ["full", "fractional", "primary"])
@pytest.mark.parametrize("attribution", ["as-published", "resolved"])
def test_count_rules_and_attributions(epoch_census_path: Path, census: mc.Census, rule: str, attribution: str) -> None:
    out = json.loads(
        run(
            "count",
            "--by",
            "country",
            "--since",
            "2020",
            "--until",
            "2025",
            "--rule",
            rule,
            "--attribution",
            attribution,
            "--format",
            "json",
            "--db",
            str(epoch_census_path),
        )
    )
    total = sum(r["count"] for r in out)
    denominator = out[0]["denominator"]
    if rule == "full":
        assert total > denominator
    else:
        assert total == pytest.approx(denominator)
    # the models with no country under this attribution: one row (group null) that counts each of them once
    unattributed = [r for r in out if r["group"] is None]
    no_country = census.models(country="none", since=2020, until=2025, attribution=attribution).frame
    assert len(unattributed) == 1 and len(no_country) > 0
    assert unattributed[0]["count"] == len(no_country), attribution


def test_count_csv_and_table(epoch_census_path: Path) -> None:
    csv_out = run(
        "count", "--by", "country", "--by", "year", "--since", "2023", "--format", "csv", "--db", str(epoch_census_path)
    )
    lines = csv_out.splitlines()
    header = next(i for i, line in enumerate(lines) if not line.startswith("# "))
    assert lines[header].startswith("group,group_name,year,count")
    assert f"the table starts on line {header + 1}" in lines[1] and "Counting rule: full" in csv_out
    table = run("count", "--by", "region", "--year", "2024", "--db", str(epoch_census_path))
    assert "EU-27" in table and "Counting rule: full" in table and "Epoch AI (CC BY 4.0)" in table


def test_count_definition_caption_states_the_full_provenance(epoch_census_path: Path) -> None:
    """Under a named definition the caption says what ``count`` says without one, and more: the definition in
    words and as specified, the unit, the rule in words, the attribution, the denominator, the sources dated."""
    table = " ".join(run("count", "--definition", "epoch-notable", "--db", str(epoch_census_path)).split())
    assert "Models: Notable models in Epoch AI's database" in table
    assert "Definition: epoch-notable (epoch; notable=True; unit variant; rule full; attribution as-published)" in table
    assert "Unit: variant; variants of all years." in table
    assert f"Counting rule: full ({RULE_TEXT['full']})." in table
    assert "Attribution: as-published." in table
    assert "Share denominator: variants admitted by the definition." in table
    assert "Sources: Epoch AI (CC BY 4.0): export dated 2026-03-30." in table
    overridden = " ".join(
        run(
            "count",
            "--definition",
            "epoch-notable",
            "--unit",
            "family",
            "--rule",
            "fractional",
            "--year",
            "2024",
            "--db",
            str(epoch_census_path),
        ).split()
    )
    assert "Models by country: epoch-notable (families)" in overridden
    assert "unit family; rule fractional; attribution as-published)" in overridden  # as counted, not as defined
    assert "Unit: family; families of 2024." in overridden
    assert f"Counting rule: fractional ({RULE_TEXT['fractional']})." in overridden
    assert "Share denominator: families admitted by the definition." in overridden
    assert "Sources: Epoch AI (CC BY 4.0): export dated 2026-03-30." in overridden


def test_models_behind_a_figure(epoch_census_path: Path) -> None:
    out = json.loads(
        run(
            "models",
            "--country",
            "CN",
            "--year",
            "2024",
            "--notable",
            "--format",
            "json",
            "--db",
            str(epoch_census_path),
        )
    )
    assert len(out) == NOTABLE_BY_COUNTRY[2024]["CN"]
    assert all("CN" in m["countries_published"] for m in out)
    assert all(m["source"].startswith("epoch ") and m["organizations"] for m in out)
    table = run("models", "--country", "China", "--year", "2024", "--notable", "--db", str(epoch_census_path))
    assert "Qwen" in table


def test_sources(epoch_census_path: Path) -> None:
    out = json.loads(run("sources", "--format", "json", "--db", str(epoch_census_path)))
    assert {r["role"] for r in out} == {"all", "notable", "large_scale", "frontier"}
    assert all(len(r["sha256"]) == 64 and r["license"] == "CC BY 4.0" for r in out)


def test_orgs_resolve(tmp_path: Path) -> None:
    out = json.loads(run("orgs", "resolve", "Alibaba", "DeepMind", "--format", "json"))
    assert [r["countries"] for r in out] == [["CN"], ["GB"]]
    assert all(r["sector"] == "industry" for r in out)
    result = runner.invoke(app, ["orgs", "resolve", "Nonexistent Lab of Nowhere", "--format", "json"])
    assert result.exit_code == 3
    assert json.loads(result.stdout)[0]["resolved"] is False


def test_orgs_unresolved_and_disagreements(epoch_census_path: Path) -> None:
    unresolved = json.loads(run("orgs", "unresolved", "--format", "json", "--db", str(epoch_census_path)))
    assert isinstance(unresolved, list)
    dis = json.loads(run("orgs", "disagreements", "--format", "json", "--db", str(epoch_census_path)))
    assert dis and {"model", "published", "resolved"} <= set(dis[0])
    assert all(set(d["published"]) != set(d["resolved"]) for d in dis)


def test_stats_and_hardware(epoch_census_path: Path) -> None:
    stats = json.loads(
        run("stats", "--by", "country", "--year", "2024", "--format", "json", "--db", str(epoch_census_path))
    )
    assert stats[0]["group"] == "US" and stats[0]["median_training_compute_flop"] > 0
    hw = json.loads(
        run("hardware", "--by", "country", "--year", "2024", "--format", "json", "--db", str(epoch_census_path))
    )
    assert any(r["vendor"] == "Huawei" and r["group"] == "CN" for r in hw)


def test_build_from_dir_prints_the_headline(full_build: Build, shared: Path, tmp_path: Path) -> None:
    """The session's ``build --from ../shared/data`` printed the headline; run again over its store (a copy:
    everything already stored), ``--format json`` gives the same tables as data."""
    assert "United States" in full_build.stdout and "China" in full_build.stdout
    assert "All models (denominator)" in full_build.stdout
    assert "Counting rule: full" in full_build.stdout
    assert "Hugging Face Hub: 30-day downloads by lineage origin" in full_build.stdout
    db = tmp_path / "b.duckdb"
    shutil.copyfile(full_build.path, db)
    again = runner.invoke(app, ["build", "--from", str(shared), "--db", str(db), "--format", "json"])
    assert again.exit_code == 0, again.output
    out = json.loads(again.stdout)
    years = [k for k in out["models_by_country_year"][0] if k.rstrip("*").isdigit()]
    assert len(years) == 5
    filling = [k for k in years if k.endswith("*")]  # the years Epoch is still filling in are marked
    assert filling and filling == years[-len(filling) :]
    assert len(out["years_filling_in"]) == len(filling)
    assert all("still filling in" in note and "probably about" in note for note in out["years_filling_in"])
    hub = {row["group"]: row for row in out["hub_downloads_by_lineage_origin"]}
    assert hub["CN"]["value"] > 0 and hub["US"]["value"] > 0
    assert out["skipped"] and out["failed"] == []


@pytest.mark.parametrize(
    "args",
    [
        ["count", "--by", "planet"],
        ["count", "--by", "country", "--rule", "half"],
        ["count", "--by", "country", "--as-of", "soon"],
        ["models", "--country", "Atlantis"],
    ],
)
def test_bad_options_are_one_line_errors(epoch_census_path: Path, args: list[str]) -> None:
    result = runner.invoke(app, [*args, "--db", str(epoch_census_path)])
    assert result.exit_code == 1
    assert result.output.startswith("error:")
    assert "Traceback" not in result.output


def test_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["count", "--by", "country", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1
    assert "modelcensus build" in result.output
    assert not (tmp_path / "none.duckdb").exists()
