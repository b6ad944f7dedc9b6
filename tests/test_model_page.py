"""What the dashboard says about a model: the models listed under a definition carry their date, organizations and
openness from the store; a model's page gives its parameters, training compute and arena rating, each with its
unit and the record and file it came from, or "not listed". Real data: the full census built from ../shared/data.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
from fastapi.testclient import TestClient

import modelcensus as mc
from modelcensus.outputs.api.app import create_app


@pytest.fixture(scope="module")
def client(full_census_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(full_census_path, timeout_s=600)) as c:
        yield c


def _get(client: TestClient, path: str, **params: Any) -> Any:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_models_under_a_definition_carry_date_organizations_and_openness(
    client: TestClient, full_census_path: Path
) -> None:
    page = _get(client, "/api/models", definition="frontier", country="CN", limit=500)
    items = page["items"]
    assert page["total"] == len(items) == 7
    by_name = {i["name"]: i for i in items}
    # ERNIE 3.0 Titan as Epoch AI lists it in the 2026-03-30 export (the store's models and model_orgs tables)
    with duckdb.connect(str(full_census_path), read_only=True) as con:
        (export_id,) = con.execute(
            "SELECT export_id FROM exports WHERE source = 'epoch' ORDER BY data_date DESC LIMIT 1"
        ).fetchone() or ("",)
        stored = {
            name: (str(published), orgs, ow, notable)
            for name, published, orgs, ow, notable in con.execute(
                "SELECT name, published_on, organizations, open_weights, notable FROM models WHERE export_id = ?",
                [export_id],
            ).fetchall()
        }
    for name, item in by_name.items():
        published, orgs, open_weights, notable = stored[name]
        assert item["published_on"] == published  # a date, not a timestamp
        assert item["organizations"] == orgs and item["organizations"]
        assert item["open_weights"] == open_weights and item["notable"] == notable
    assert by_name["ERNIE 3.0 Titan"]["organizations"] == ["Baidu", "Peng Cheng Laboratory"]
    assert by_name["ERNIE 3.0 Titan"]["published_on"] == "2021-12-23"
    # every source of a definition of several sources: a Hub repo's organization is its author, OpenRouter's its
    # developer; Epoch's notable flag is null where a source has none
    mixed = _get(client, "/api/models", definition="all-sources", country="CN", limit=500)["items"]
    hub = [i for i in mixed if i["source"] == "huggingface"]
    assert hub and all(i["organizations"] == [i["source_id"].split("/")[0]] for i in hub)
    assert all(i["open_weights"] == "yes" and i["notable"] is None for i in hub)
    openrouter = [i for i in mixed if i["source"] == "openrouter"]
    assert openrouter and all(i["organizations"] and i["published_on"] for i in openrouter)


def test_model_facts_name_their_source(client: TestClient, full_census_path: Path) -> None:
    model = _get(client, "/api/models/deepseek-v3")
    facts = model["facts"]
    assert {r["source"] for r in model["records"]} == {"epoch", "huggingface", "openrouter", "lmarena"}
    with duckdb.connect(str(full_census_path), read_only=True) as con:
        params, compute = con.execute(
            "SELECT parameters, training_compute_flop FROM models JOIN exports USING (export_id) "
            "WHERE model_key = 'DeepSeek-V3' ORDER BY data_date DESC LIMIT 1"
        ).fetchone() or (None, None)
        rating, low, high, rated_on = con.execute(
            "SELECT rating, rating_low, rating_high, rated_on FROM ratings WHERE source_id = 'deepseek-v3' "
            "AND category = 'text/full' ORDER BY rated_on DESC LIMIT 1"
        ).fetchone() or (None, None, None, None)
    (p,) = facts["parameters"]["values"]
    assert facts["parameters"]["unit"] == "parameters"
    assert p["value"] == params == 671e9
    assert (p["source"], p["source_id"], p["credit"], p["data_date"], p["file"]) == (
        "epoch",
        "DeepSeek-V3",
        "Epoch AI",
        "2026-03-30",
        "all_ai_models.csv",
    )
    (c,) = facts["training_compute"]["values"]
    assert facts["training_compute"]["unit"] == "FLOP" and c["value"] == compute == 3.3e24
    # the rating of the text arena at the board's own day, with its interval and the board's file
    (r,) = facts["rating"]["values"]
    assert r["value"] == round(rating, 1) == 1333.1 and (r["low"], r["high"]) == (round(low, 1), round(high, 1))
    assert (r["category"], r["arena"], r["rated_on"]) == ("text/full", "LMArena text arena", str(rated_on))
    assert (r["source"], r["source_id"], r["file"]) == ("lmarena", "deepseek-v3", "leaderboard-text.json")
    # an Epoch AI model with no parameter count and no rating: nothing is made up
    spp = _get(client, "/api/models/epoch:SPPNet")["facts"]
    assert spp["parameters"]["values"] == [] and spp["rating"]["values"] == []
    assert spp["training_compute"]["values"][0]["value"] == pytest.approx(3.411072e18)


def test_model_facts_read_the_vintage_asked_for(full_census_path: Path) -> None:
    """Epoch AI revised DeepSeek-V3's training compute between vintages: the figure read as of a date is that
    vintage's, and says so."""
    with mc.open(full_census_path, read_only=True) as census:
        now = census.record_facts([("epoch", "DeepSeek-V3")]).frame
        then = census.record_facts([("epoch", "DeepSeek-V3")], as_of="2025-03-01").frame
    compute_now = now[now["fact"] == "training_compute"].iloc[0]
    compute_then = then[then["fact"] == "training_compute"].iloc[0]
    assert (compute_now["value"], str(compute_now["data_date"])) == (3.3e24, "2026-03-30")
    assert (compute_then["value"], str(compute_then["data_date"])) == (4.56e24, "2025-02-24")


def test_one_model_is_read_alone_as_the_whole_list_of_links_finds_it(full_census_path: Path) -> None:
    """A model's page reads its one canonical model from the stored links (a model's id, or a record's
    ``source:source_id``), not every model: the same model the whole list finds, for every kind of reference."""
    with mc.open(full_census_path, read_only=True) as census:
        models = census.links()
        by_record: dict[str, Any] = {}
        for m in models:
            for r in m.records:
                by_record.setdefault(f"{r.source}:{r.source_id}", m)
        by_id = {m.id: m for m in models}
        shared = [m for m in models if len({r.source for r in m.records}) >= 3][:5]
        alone = [m for m in models if len(m.records) == 1][:3]
        assert shared and alone
        refs = [m.id for m in shared + alone]
        refs += [f"{r.source}:{r.source_id}" for m in shared for r in m.records]
        for ref in refs:
            expected = by_id.get(ref) or by_record[ref]
            found = census.linker.model(ref)
            assert found is not None and found.id == expected.id, ref
            assert found.records == expected.records and found.evidence == expected.evidence, ref
        assert census.linker.model("epoch:no such model") is None
        assert census.linker.model("") is None


def test_a_model_no_snapshot_lists_now_is_found_alone_as_in_every_model_ever_listed(full_census_path: Path) -> None:
    """A model's page for a model no snapshot in force lists reads it from the models ever listed, narrowed to the
    one asked for in the engine: the same rows as the whole list, by canonical id or by record."""
    from modelcensus.figures.new import EVERY_MODEL

    with mc.open(full_census_path, read_only=True) as census:
        every = census.new_models(EVERY_MODEL).frame
        gone = every[~every["listed_now"]]
        assert len(gone) > 0, "the shared data has models an older snapshot listed and no current one does"
        for _, row in gone.head(3).iterrows():
            for ref in [row["id"], *(r["ref"] for r in row["records"])]:
                named = zip(every["id"], every["records"], strict=True)
                expected = every[[i == ref or any(r["ref"] == ref for r in rs) for i, rs in named]]
                found = census.vintage.ever_listed(ref).frame
                pd.testing.assert_frame_equal(found.reset_index(drop=True), expected.reset_index(drop=True))
        assert census.vintage.ever_listed("epoch:no such model").frame.empty
    with TestClient(create_app(full_census_path, timeout_s=600)) as client:
        ref = gone.iloc[0]["records"][0]["ref"]
        page = _get(client, f"/api/models/{ref}")
        assert page["evidence"] == [] and {r["source_id"] for r in page["records"]} >= {ref.partition(":")[2]}
