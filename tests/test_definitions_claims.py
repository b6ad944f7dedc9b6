"""Definitions count exactly what their YAML says; claims get verdicts with sensitivity tables."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import modelcensus as mc
from modelcensus.definitions import load_definitions
from modelcensus.errors import InputFormatError
from modelcensus.linkage import unit_key
from modelcensus.outputs.cli.app import app

from conftest import ROOT
from epoch_fixtures import write_export
from known_answers import NOTABLE_2024_MODELS, NOTABLE_BY_COUNTRY

runner = CliRunner()

HUB_ITEMS = [
    {
        "id": "Qwen/Qwen3-8B",
        "author": "Qwen",
        "createdAt": "2025-04-29T00:00:00Z",
        "downloads": 100,
        "likes": 5,
        "tags": ["license:apache-2.0"],
    },
    {
        "id": "meta-llama/Llama-3.1-8B",
        "author": "meta-llama",
        "createdAt": "2024-07-23T00:00:00Z",
        "downloads": 50,
        "likes": 3,
        "tags": [],
    },
    {
        "id": "bartowski/Qwen3-8B-GGUF",
        "author": "bartowski",
        "createdAt": "2025-05-01T00:00:00Z",
        "downloads": 70,
        "likes": 1,
        "tags": ["base_model:Qwen/Qwen3-8B", "base_model:quantized:Qwen/Qwen3-8B"],
    },
    {
        "id": "someone/llama-tuned",
        "author": "someone",
        "createdAt": "2025-01-01T00:00:00Z",
        "downloads": 9,
        "likes": 0,
        "tags": ["base_model:meta-llama/Llama-3.1-8B", "base_model:finetune:meta-llama/Llama-3.1-8B"],
    },
    {
        "id": "user1/thing",
        "author": "user1",
        "createdAt": "2025-02-01T00:00:00Z",
        "downloads": 3,
        "likes": 0,
        "tags": [],
    },
]


@pytest.fixture()
def fixture_census(tmp_path: Path) -> Iterator[mc.Census]:
    listing = tmp_path / "hub.json"
    listing.write_text(json.dumps(HUB_ITEMS))
    with mc.open(tmp_path / "d.duckdb") as census:
        census.ingest_epoch(write_export(tmp_path / "epoch"))
        census.ingest_huggingface(listing)
        yield census


def _counts(frame) -> dict:  # type: ignore[no-untyped-def]
    return dict(zip(frame["group"], frame["count"], strict=True))


@pytest.mark.parametrize(
    ("preset", "expected", "denominator"),
    [
        ("epoch-all", {"US": 1, "CN": 1, "GB": 1, "CA": 1, "FR": 1, None: 2}, 6),
        ("epoch-notable", {"US": 1, "GB": 1, "CA": 1}, 2),  # the notable file holds Alpha-1 and Gamma
        ("large-scale", {"US": 1, "GB": 1, "CA": 1}, 2),  # >= 1e23 FLOP: Alpha-1 (1e24), Gamma (3e23); not Beta
        ("frontier", {"US": 1}, 1),
        ("open-weights", {"CN": 1}, 1),
        ("hub-originals", {"CN": 1, "US": 1}, 2),  # by organizations only: user1/thing is an individual's
        ("hub-derivatives", {"CN": 1, "US": 1}, 2),  # by the root base's developer (lineage)
        # resolved through the registry: Google DeepMind is US, TII (published "Multinational") is AE
        ("all-sources", {"US": 3, "CN": 2, "CA": 1, "FR": 1, "AE": 1, None: 1}, 8),
    ],
)
def test_each_preset_counts_what_its_yaml_says(
    fixture_census: mc.Census,
    preset: str,
    expected: dict,
    denominator: int,  # type: ignore[type-arg]
) -> None:
    frame = fixture_census.count_definition(preset).frame
    assert _counts(frame) == expected
    assert set(frame["denominator"]) == {denominator}


def test_presets_exist_and_load() -> None:
    names = set(load_definitions())
    assert {
        "epoch-notable",
        "epoch-all",
        "large-scale",
        "frontier",
        "open-weights",
        "hub-originals",
        "all-sources",
    } <= names


def test_user_definitions_and_errors(tmp_path: Path, fixture_census: mc.Census) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text("name: big-open\nsources: [epoch]\nfilters: {min_parameters: 5.0e+9, open_weights: 'yes'}\n")
    found = load_definitions([mine])
    assert found["big-open"].filters == {"min_parameters": 5e9, "open_weights": "yes"}
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nsources: [epoch]\nfilters: {notable: true, colour: red}\n")
    with pytest.raises(InputFormatError, match="colour") as info:
        load_definitions([bad])
    assert info.value.column == "colour" and str(bad) in str(info.value)
    national = tmp_path / "national.yaml"
    national.write_text("name: national\nsources: [epoch]\ncovers: France\n")
    assert load_definitions([national])["national"].covers == "FR"  # a name or a code, kept as the code
    national.write_text("name: national\nsources: [epoch]\ncovers: Atlantis\n")
    with pytest.raises(InputFormatError, match="Atlantis") as info:
        load_definitions([national])
    assert info.value.column == "covers"


@pytest.mark.parametrize(
    ("name", "release", "family"),
    [
        ("Qwen2.5-72B-Instruct", "qwen2-5-72b", "qwen2-5"),
        ("Qwen/Qwen2.5-1.5B-Instruct-AWQ", "qwen2-5-1-5b", "qwen2-5"),
        ("Llama 3.1 405B", "llama-3-1-405b", "llama-3-1"),
        ("Mixtral 8x7B", "mixtral-8x7b", "mixtral"),
        ("gpt-4o-2024-08-06", "gpt-4o", "gpt-4o"),
        ("GLM-4.5-Air", "glm-4-5-air", "glm-4-5-air"),
    ],
)
def test_units(name: str, release: str, family: str) -> None:
    assert unit_key(name, "release") == release
    assert unit_key(name, "family") == family


def test_units_change_the_count(tmp_path: Path) -> None:
    rows = [
        (
            "Qwen2.5-7B",
            "Language",
            "Alibaba",
            "2024-09-19",
            "",
            "7e9",
            "",
            "",
            "",
            "China",
            "2025-01-01 00:00:00+00:00",
            "",
            "Yes",
        ),
        (
            "Qwen2.5-7B-Instruct",
            "Language",
            "Alibaba",
            "2024-09-19",
            "",
            "7e9",
            "",
            "",
            "",
            "China",
            "2025-01-01 00:00:00+00:00",
            "",
            "Yes",
        ),
        (
            "Qwen2.5-72B",
            "Language",
            "Alibaba",
            "2024-09-19",
            "",
            "7e10",
            "",
            "",
            "",
            "China",
            "2025-01-01 00:00:00+00:00",
            "",
            "Yes",
        ),
    ]
    with mc.open(tmp_path / "u.duckdb") as census:
        census.ingest_epoch(write_export(tmp_path / "e", rows=rows))
        counts = {
            u: _counts(census.count_definition("epoch-all", unit=u).frame)["CN"]
            for u in ("variant", "release", "family")
        }
    assert counts == {"variant": 3, "release": 2, "family": 1}


def test_check_examples_on_the_shared_data(full_census_path: Path) -> None:
    result = runner.invoke(
        app, ["check", str(ROOT / "examples" / "claims.yaml"), "--format", "json", "--db", str(full_census_path)]
    )
    assert result.exit_code == 0, result.output
    claims = {c["id"]: c for c in json.loads(result.stdout)}
    assert {"waic-2025-share", "ai-index-2025-us", "ai-index-2025-cn", "hub-derivatives-chinese-bases"} <= set(claims)
    for c in claims.values():
        assert {"id", "claim", "verdict", "figure", "denominator", "evidence", "sensitivity"} <= set(c)
        assert {"at_vintage", "now", "coverage", "explanation"} <= set(c)
        assert c["verdict"] in {"supported", "contradicted", "consistent-at-vintage", "not-checkable"}
        assert len({s["definition"] for s in c["sensitivity"]}) >= 5
        assert {"definition", "rule", "unit", "figure"} <= set(c["sensitivity"][0])
    us = claims["ai-index-2025-us"]
    assert us["now"]["figure"] == NOTABLE_BY_COUNTRY[2024]["US"] and us["denominator"] == NOTABLE_2024_MODELS
    assert len(us["evidence"]) == NOTABLE_BY_COUNTRY[2024]["US"]
    assert claims["ai-index-2025-cn"]["now"]["figure"] == NOTABLE_BY_COUNTRY[2024]["CN"]
    table = runner.invoke(app, ["check", str(ROOT / "examples" / "claims.yaml"), "--db", str(full_census_path)])
    assert table.exit_code == 0 and "Sensitivity of waic-2025-share" in table.stdout
    # cac-filed covers China's register only (0 for any other country by construction): it is no comparable
    # definition for the US claim, whose range it used to open at 0 ("0–421"); for China's claims it still is
    assert load_definitions()["cac-filed"].covers == "CN"
    for c in claims.values():
        cac = [s for s in c["sensitivity"] if s["definition"] == "cac-filed"]
        released = c["id"] != "hub-derivatives-chinese-bases"  # Hub derivatives compare with no release count
        assert cac and all(s["comparable"] is (c["country"] == "CN" and released) for s in cac), c["id"]
        comparable = [s["figure"] for s in c["sensitivity"] if s["comparable"] and s["figure"] is not None]
        assert (c["range_low"], c["range_high"]) == (min(comparable), max(comparable))
    assert all(s["figure"] == 0 for s in us["sensitivity"] if s["definition"] == "cac-filed")
    assert us["range_low"] > 0 and f"give {us['range_low']:,.0f}–" in us["explanation"]


def test_bad_claims_file_names_the_claim_and_field(tmp_path: Path, full_census_path: Path) -> None:
    bad = tmp_path / "claims.yaml"
    bad.write_text(
        "claims:\n  - id: x\n    claim: y\n    metric: ratio\n    country: CN\n    comparison: '>='\n"
        "    value: 1\n    definition: epoch-all\n"
    )
    result = runner.invoke(app, ["check", str(bad), "--db", str(full_census_path)])
    assert result.exit_code == 1
    assert "claim 1" in result.output and "'metric'" in result.output


def test_cli_definitions_and_count_by_definition(full_census_path: Path) -> None:
    listed = runner.invoke(app, ["definitions", "list", "--format", "json"])
    assert {d["name"] for d in json.loads(listed.stdout)} >= {"epoch-notable", "all-sources"}
    shown = runner.invoke(app, ["definitions", "show", "large-scale"])
    assert "min_training_compute_flop" in shown.stdout
    counted = runner.invoke(
        app,
        ["count", "--definition", "epoch-notable", "--year", "2024", "--format", "json", "--db", str(full_census_path)],
    )
    rows = {r["group"]: r for r in json.loads(counted.stdout)}
    assert {c: rows[c]["count"] for c in ("US", "CN")} == NOTABLE_BY_COUNTRY[2024]
    family = runner.invoke(
        app,
        [
            "count",
            "--definition",
            "epoch-notable",
            "--year",
            "2024",
            "--unit",
            "family",
            "--format",
            "json",
            "--db",
            str(full_census_path),
        ],
    )
    assert {r["group"]: r for r in json.loads(family.stdout)}["US"]["count"] <= NOTABLE_BY_COUNTRY[2024]["US"]


def _temporary_tables(census: mc.Census) -> int:
    rows = census.store.con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name LIKE '_modelcensus_%'"
    ).fetchall()
    return int(rows[0][0])


def test_a_population_is_built_once_and_follows_the_data(
    fixture_census: mc.Census, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[object] = []
    materialize = fixture_census.engine.materialize
    monkeypatch.setattr(fixture_census.engine, "materialize", lambda expr: made.append(expr) or materialize(expr))
    assert _counts(fixture_census.count_definition("hub-originals").frame) == {"CN": 1, "US": 1}
    built = len(made)
    assert built == 3 and _temporary_tables(fixture_census) == 3  # members, units, their countries
    # every count, rule, period, country and list of members of it reads the same tables
    assert _counts(fixture_census.count_definition("hub-originals", rule="fractional").frame) == {"CN": 1, "US": 1}
    assert _counts(fixture_census.count_definition("hub-originals", year=2025).frame) == {"CN": 1}
    assert _counts(fixture_census.count_definition("hub-originals", country="CN").frame) == {"CN": 1}
    members = fixture_census.definition_members("hub-originals", country="CN")
    assert list(members["source_id"]) == ["Qwen/Qwen3-8B"]
    assert len(made) == built
    # another attribution reads the same members with their countries under it
    fixture_census.count_definition("hub-originals", attribution="lineage")
    assert len(made) == built + 1
    # new data: the population is built again, the old tables let go
    listing = tmp_path / "more.json"
    listing.write_text(json.dumps([{**HUB_ITEMS[0], "id": "Qwen/Qwen3-14B", "createdAt": "2025-05-02T00:00:00Z"}]))
    fixture_census.ingest_huggingface(listing)
    assert _counts(fixture_census.count_definition("hub-originals").frame) == {"CN": 2, "US": 1}
    assert len(made) == built + 1 + 3 and _temporary_tables(fixture_census) == 3


def test_populations_beyond_the_budget_are_let_go(fixture_census: mc.Census, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("modelcensus.figures.reader.POPULATION_ROWS", 1)
    first = _counts(fixture_census.count_definition("hub-originals").frame)
    epoch = _counts(fixture_census.count_definition("epoch-all").frame)
    assert _temporary_tables(fixture_census) == 3  # only the newest population is kept
    assert _counts(fixture_census.count_definition("hub-originals").frame) == first == {"CN": 1, "US": 1}
    assert epoch == {"US": 1, "CN": 1, "GB": 1, "CA": 1, "FR": 1, None: 2}
