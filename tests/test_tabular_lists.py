"""Tabular lists are sources like any other: a list ingested with ``ingest tabular`` (under its own name) is listed by
``sources``, counted by ``count --source NAME`` and ``models --source NAME`` (CLI and API), linked to the canonical
models of the other sources (``links``), counted by definitions that name it (``all-sources`` counts every list),
and filtered by country like the rest.

The lists are written here from the small census's own Epoch records (their real names, organizations and
countries) plus rows no other source has; the real "Awesome Chinese LLM" list of the shared data is read in place
with the example mapping and linked against the full census.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import modelcensus as mc
from modelcensus.config import Config
from modelcensus.errors import QueryError
from modelcensus.outputs.api.app import create_app
from modelcensus.outputs.cli.app import app
from modelcensus.records import country_name
from modelcensus.sources import tabular

from conftest import ROOT

runner = CliRunner()
MAPPING = """name: Model
id: Model
organization: Developer
country: Country
published_on: Released
open_weights: Open
"""
REGISTER_MAPPING = """name: Service
organization: Company
country_value: {country}
sheet: Approved
license_of_data: "written for this test"
"""


def _cli(db: Path, *args: str) -> Any:
    result = runner.invoke(app, [*args, "--format", "json", "--db", str(db)])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _fails(db: Path, *args: str) -> str:
    result = runner.invoke(app, [*args, "--db", str(db)])
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    return result.output


def _picked(census: mc.Census) -> list[dict[str, Any]]:
    """Epoch models of one organization the registry resolves, with one published country: two of the most
    frequent country, one of another (whatever the small data holds)."""
    frame = census.models().frame
    rows = []
    for r in frame.itertuples():
        orgs, countries = list(r.organizations), list(r.countries_published)
        if len(orgs) != 1 or len(countries) != 1 or r.published_on is None:
            continue
        org = census.registry.resolve(orgs[0]).org
        if org is not None and org.countries:
            rows.append({"name": r.name, "org": orgs[0], "country": countries[0], "day": r.published_on, "id": r.id})
    first = max({r["country"] for r in rows}, key=lambda c: sum(r["country"] == c for r in rows))
    other = next(r for r in rows if r["country"] != first)
    return [*[r for r in rows if r["country"] == first][:2], other]


@pytest.fixture(scope="module")
def lists(small_census_path: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The small census with two lists: ``mylist`` (CSV) and ``register`` (XLSX, one country for every row)."""
    folder = tmp_path_factory.mktemp("tabular")
    db = folder / "census.duckdb"
    shutil.copyfile(small_census_path, db)
    with mc.open(db, read_only=True) as census:
        picked = _picked(census)
    rows = [
        # the country as a name (first two) or as an ISO code (third), as lists spell them
        {"Model": p["name"], "Developer": p["org"], "Country": country_name(p["country"]) if i < 2 else p["country"]}
        | {"Released": p["day"].isoformat(), "Open": "unknown"}
        for i, p in enumerate(picked)
    ]
    rows.append({"Model": "Zorblax-7B", "Developer": "Tiny Startup Nobody Knows", "Country": "", "Released": "2025"})
    rows[-1]["Open"] = "yes"
    with (folder / "mylist.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    (folder / "mylist.yaml").write_text(MAPPING, encoding="utf-8")
    workbook = openpyxl.Workbook()
    sheet = workbook.create_sheet("Approved")
    sheet.append(["Service", "Company"])
    sheet.append([picked[0]["name"], picked[0]["org"]])  # also on mylist: one model, counted once across lists
    sheet.append(["Quuxify Assistant", "Quux Labs"])
    workbook.save(folder / "register.xlsx")
    (folder / "register.yaml").write_text(REGISTER_MAPPING.format(country=picked[0]["country"]), encoding="utf-8")
    for name, data, mapping in (
        ("mylist", "mylist.csv", "mylist.yaml"),
        ("register", "register.xlsx", "register.yaml"),
    ):
        args = ["ingest", "tabular", "--from", str(folder / data), "--mapping", str(folder / mapping)]
        result = runner.invoke(app, [*args, "--name", name, "--db", str(db)])
        assert result.exit_code == 0, result.output
    with mc.open(db) as census:  # link once and keep it, as `build` does
        census.reader.ensure_population()
    return {"db": db, "folder": folder, "picked": picked, "rows": rows}


def _by_group(rows: list[dict[str, Any]]) -> dict[Any, Any]:
    return {r["group"]: r["count"] for r in rows}


def test_a_list_is_listed_and_counted_by_its_name(lists: dict[str, Any]) -> None:
    db, picked = lists["db"], lists["picked"]
    sources = _cli(db, "sources")
    assert {(s["source"], s["role"]) for s in sources} >= {("mylist", "list"), ("register", "list")}
    counted = _cli(db, "count", "--source", "mylist")
    expected: dict[Any, int] = {}
    for p in picked:
        expected[p["country"]] = expected.get(p["country"], 0) + 1
    assert _by_group(counted) == {**expected, None: 1}  # the list's own countries; Zorblax has none
    assert {r["denominator"] for r in counted} == {len(lists["rows"])}
    table = runner.invoke(app, ["count", "--source", "mylist", "--db", str(db)])
    assert table.exit_code == 0 and "Attribution: as-published" in table.stdout and "mylist" in table.stdout
    # resolved: the developer's countries in the registry (Tiny Startup is nobody the registry knows)
    with mc.open(db, read_only=True) as census:
        resolved_expected: dict[Any, int] = {None: 1}
        for p in picked:
            for c in census.registry.resolve(p["org"]).org.countries:  # type: ignore[union-attr]
                resolved_expected[c] = resolved_expected.get(c, 0) + 1
    assert _by_group(_cli(db, "count", "--source", "mylist", "--attribution", "resolved")) == resolved_expected
    first = picked[0]["country"]
    listed = _cli(db, "models", "--source", "mylist", "--country", first)
    assert sorted(m["name"] for m in listed) == sorted(p["name"] for p in picked if p["country"] == first)
    assert {m["source"] for m in listed} == {"mylist"}
    only = _cli(db, "count", "--source", "mylist", "--country", "none")
    assert _by_group(only) == {None: 1} and only[0]["denominator"] == 1


def test_every_list_together_counts_a_model_once(lists: dict[str, Any]) -> None:
    db = lists["db"]
    register = _cli(db, "count", "--source", "register")
    assert _by_group(register) == {lists["picked"][0]["country"]: 2}  # country_value: one country for every row
    together = _cli(db, "count", "--source", "tabular")
    # the model on both lists is one canonical model: 4 rows + 2 rows - 1 shared
    assert {r["denominator"] for r in together} == {len(lists["rows"]) + 2 - 1}
    members = _cli(db, "models", "--source", "tabular")
    assert {m["source"] for m in members} == {"mylist", "register"}
    assert len({m["unit_name"] for m in members}) == len(lists["rows"]) + 2 - 1


def test_a_list_links_to_the_other_sources(lists: dict[str, Any]) -> None:
    db, picked = lists["db"], lists["picked"]
    links = _cli(db, "links")
    by_record = {(r["source"], r["source_id"]): m for m in links for r in m["records"]}
    for p in picked:  # each row named as an Epoch model of the same developer joins that model
        model = by_record[("mylist", p["name"])]
        assert ("epoch", p["id"]) in {(r["source"], r["source_id"]) for r in model["records"]}, p
    zorblax = by_record[("mylist", "Zorblax-7B")]
    assert [r["source"] for r in zorblax["records"]] == ["mylist"]
    table = runner.invoke(app, ["links", "--db", str(db)])
    assert table.exit_code == 0 and "mylist" in table.stdout


def test_definitions_count_the_lists(lists: dict[str, Any], tmp_path: Path) -> None:
    db = lists["db"]
    with mc.open(db, read_only=True) as census:
        members = census.definition_members("all-sources")
        assert {"mylist", "register"} <= set(members["source"])  # all-sources names `tabular`: every list
        zorblax = members[members["name"] == "Zorblax-7B"]
        assert len(zorblax) == 1 and len(members[members["unit"] == zorblax.iloc[0]["unit"]]) == 1
        provenance = census.count_definition("all-sources").provenance
        assert "mylist" in (provenance.definition or "") and "register" in (provenance.definition or "")
    mine = tmp_path / "mine.yaml"
    mine.write_text("name: my-register\nsources: [register, epoch]\nunit: variant\n", encoding="utf-8")
    typo = tmp_path / "typo.yaml"
    typo.write_text("name: typo\nsources: [registre]\n", encoding="utf-8")
    config = Config(definition_paths=(mine, typo))
    with mc.open(db, read_only=True, config=config) as census:
        counted = census.count_definition("my-register")
        units = census.definition_members("my-register")
        assert set(units["source"]) <= {"register", "epoch"} and "register" in set(units["source"])
        assert int(counted.frame["denominator"].iloc[0]) == units["unit"].nunique()
        with pytest.raises(QueryError, match=r"'registre'.*stored lists: mylist, register"):
            census.count_definition("typo")


def test_the_api_counts_and_lists_a_list(lists: dict[str, Any]) -> None:
    db = lists["db"]
    with TestClient(create_app(db, timeout_s=600)) as client:
        count = client.get("/api/count", params={"source": "mylist", "attribution": "resolved"})
        assert count.status_code == 200, count.text
        assert count.json() == _cli(db, "count", "--source", "mylist", "--attribution", "resolved")
        first = lists["picked"][0]["country"]
        page = client.get("/api/models", params={"source": "mylist", "country": first})
        assert page.status_code == 200, page.text
        items = page.json()["items"]
        assert items and {i["source"] for i in items} == {"mylist"} and all(first in i["countries"] for i in items)
        unknown = client.get("/api/count", params={"source": "nosuchlist"})
        assert unknown.status_code == 422 and "stored tabular lists: mylist, register" in unknown.text
        bad = client.get("/api/count", params={"source": "Not A Name"})
        assert bad.status_code == 422


def test_list_names_are_checked(lists: dict[str, Any]) -> None:
    db, folder = lists["db"], lists["folder"]
    assert "unknown source 'nosuchlist'" in _fails(db, "count", "--source", "nosuchlist")
    args = ["ingest", "tabular", "--from", str(folder / "mylist.csv"), "--mapping", str(folder / "mylist.yaml")]
    assert "built-in source" in _fails(db, *args, "--name", "epoch")
    assert "--name" in _fails(db, *args, "--name", "My List!")
    assert "by country" in _fails(db, "count", "--source", "mylist", "--by", "year")
    with pytest.raises(QueryError):
        tabular.named(tabular.load_mapping(folder / "mylist.yaml"), "huggingface")
    assert tabular.named(tabular.load_mapping(folder / "mylist.yaml"), " My  List ").source == "my-list"
    assert _cli(db, "count", "--source", "MyList") == _cli(db, "count", "--source", "mylist")  # one name, any case


def test_the_real_chinese_list_links_to_the_census(full_census_path: Path, shared: Path, tmp_path: Path) -> None:
    """HqWu-HITCS/Awesome-Chinese-LLM (read in place, test-only licence) with the example mapping: every row is
    China's as the list publishes it; a row named as a Chinese model of Epoch AI joins it, a row named as another
    country's model (the list's "Firefly" is YeungNLP's, Epoch AI's is Adobe's) stays apart."""
    db = tmp_path / "census.duckdb"
    shutil.copyfile(full_census_path, db)
    path = shared / "china_llm_lists" / "hqwu_awesome_chinese_llm_models.csv"
    mapping = ROOT / "examples" / "mappings" / "china_llm_list.yaml"
    records, quarantined = tabular.parse(path, tabular.load_mapping(mapping))
    with mc.open(db) as census:
        report = census.ingest_tabular(path, mapping)
        assert report.results[0].records == len(records) and not quarantined
        assert census.tabular_sources() == ["awesome_chinese_llm"]
        counted = census.count_definition(census.source_definition("awesome_chinese_llm")).frame
        assert _by_group(counted.to_dict(orient="records")) == {"CN": len(records)}
        epoch = census.models().frame
        countries = {n.casefold(): set(c) for n, c in zip(epoch["name"], epoch["countries_published"], strict=True)}
        links = census.links()
    model_of = {(r.source, r.source_id): m for m in links for r in m.records}
    chinese = [r for r in records if "CN" in countries.get(r.name.casefold(), set())]
    foreign = [r for r in records if countries.get(r.name.casefold(), {"CN"}).isdisjoint({"CN"})]
    assert chinese and foreign, "the list names Chinese models Epoch AI lists, and one that Epoch AI lists as foreign"
    for r in chinese:
        assert "epoch" in {x.source for x in model_of[(r.source, r.source_id)].records}, r.name
    for r in foreign:
        assert "epoch" not in {x.source for x in model_of[(r.source, r.source_id)].records}, r.name


NAMED_DEVELOPERS = """name,developer
Llama2-Chinese,Chinese Llama Community Nobody Lists
Llama-3-Chinese-8B,FlagAlpha
qwen-chinese-extra,
"""
NAMED_MAPPING = """source: cn_named
name: name
organization: developer
country_value: CN
"""


def test_a_listed_developer_wins_over_the_name(shared: Path, tmp_path: Path) -> None:
    """A derivative named after its base is not its base's developer's. A Chinese list that names each row's
    developer: ``Llama2-Chinese`` of a developer the registry does not know is not Meta's (the name file maps
    ``llama…`` to Meta), so under the resolved attribution it has no country rather than the United States; a
    developer the registry knows gives its country; a row with no developer keeps what its name gives when that
    developer is of the list's country. The shared list names no developer: its ``Llama2-Chinese`` is not Meta's
    either, because the list says its rows are Chinese."""
    db = tmp_path / "census.duckdb"
    (tmp_path / "named.csv").write_text(NAMED_DEVELOPERS, encoding="utf-8")
    (tmp_path / "named.yaml").write_text(NAMED_MAPPING, encoding="utf-8")
    for data, mapping in (
        (tmp_path / "named.csv", tmp_path / "named.yaml"),
        (
            shared / "china_llm_lists" / "hqwu_awesome_chinese_llm_models.csv",
            ROOT / "examples/mappings/china_llm_list.yaml",
        ),
    ):
        result = runner.invoke(
            app, ["ingest", "tabular", "--from", str(data), "--mapping", str(mapping), "--db", str(db)]
        )
        assert result.exit_code == 0, result.output
    with mc.open(db) as census:
        assert census.registry.resolve("Chinese Llama Community Nobody Lists").org is None
        assert census.registry.resolve("FlagAlpha").org.countries == ("CN",)  # type: ignore[union-attr]
    named = {r["name"]: r["countries"] for r in _cli(db, "models", "--source", "cn_named", "--attribution", "resolved")}
    assert named == {"Llama2-Chinese": [], "Llama-3-Chinese-8B": ["CN"], "qwen-chinese-extra": ["CN"]}
    published = _cli(db, "count", "--source", "cn_named", "--by", "country")
    assert _by_group(published) == {"CN": 3}  # as published: the list's own country, whatever the developer
    for source in ("cn_named", "awesome_chinese_llm"):
        resolved = _by_group(_cli(db, "count", "--source", source, "--by", "country", "--attribution", "resolved"))
        assert set(resolved) <= {"CN", None}, (source, resolved)
    us = _cli(db, "models", "--source", "awesome_chinese_llm", "--attribution", "resolved", "--country", "US")
    assert us == []
    args = ["models", "--source", "cn_named", "--attribution", "resolved", "--country", "none", "--db", str(db)]
    table = runner.invoke(app, args)  # Llama2-Chinese alone: one record, said in the singular
    assert table.exit_code == 0 and "1 record of cn_named" in table.stdout and "1 records" not in table.stdout


WORLD_LIST = """name,developer,country,released
GPT-4o,OpenAI,US,2024-05-13
Qwen2.5-72B,Alibaba,CN,2024-09-19
Zorblax-Global-9B,Tiny Startup Nobody Knows,FR,2025-02-01
"""
WORLD_MAPPING = """source: world_list
name: name
organization: developer
country: country
published_on: released
world_sample: true
"""


def test_the_estimate_uses_only_lists_that_declare_themselves(
    full_census_path: Path, shared: Path, tmp_path: Path
) -> None:
    """A list of one country's undated models (the shared Chinese list) is no capture–recapture list for the world:
    stored, it leaves the all-models estimate as it was (it used to add its 51 models to the listed count and
    change the verdict), and the estimate says it left it out and why. A list whose mapping declares
    ``world_sample: true`` joins it; ``--source`` names a list to use whatever it declares."""
    db = tmp_path / "census.duckdb"
    shutil.copyfile(full_census_path, db)
    columns = ["group", "listed", "estimate", "ci_low", "ci_high", "sources", "trusted", "reason"]
    before = _cli(db, "estimate")
    china = shared / "china_llm_lists" / "hqwu_awesome_chinese_llm_models.csv"
    mapping = ROOT / "examples" / "mappings" / "china_llm_list.yaml"
    result = runner.invoke(app, ["ingest", "tabular", "--from", str(china), "--mapping", str(mapping), "--db", str(db)])
    assert result.exit_code == 0, result.output
    after = _cli(db, "estimate")
    assert [{k: r[k] for k in columns} for r in after] == [{k: r[k] for k in columns} for r in before]
    assert after[0]["sources"] == ["epoch", "huggingface", "openrouter", "lmarena"]
    why = after[0]["left_out"]["awesome_chinese_llm"]
    assert why.startswith("covers one country (CN); has no dates; does not declare itself a sample")
    assert all(r["left_out"] == after[0]["left_out"] for r in after)
    table = runner.invoke(app, ["estimate", "--db", str(db)])
    assert "sources used: epoch, huggingface, openrouter, lmarena" in table.stdout
    assert "left out: awesome_chinese_llm (covers one country (CN); has no dates;" in table.stdout
    named = _cli(db, "estimate", "--source", "epoch", "--source", "awesome_chinese_llm")
    assert named[0]["sources"] == ["epoch", "awesome_chinese_llm"] and named[0]["left_out"] == {}
    (tmp_path / "world.csv").write_text(WORLD_LIST, encoding="utf-8")
    (tmp_path / "world.yaml").write_text(WORLD_MAPPING, encoding="utf-8")
    args = ["ingest", "tabular", "--from", str(tmp_path / "world.csv"), "--mapping", str(tmp_path / "world.yaml")]
    result = runner.invoke(app, [*args, "--db", str(db)])
    assert result.exit_code == 0, result.output
    declared = _cli(db, "estimate")
    assert declared[0]["sources"] == ["epoch", "huggingface", "openrouter", "lmarena", "world_list"]
    assert set(declared[0]["left_out"]) == {"awesome_chinese_llm"}
    assert declared[0]["listed"] == before[0]["listed"] + 1  # two of its rows are models the others list


def test_an_ingest_command_links_what_it_stored(small_census_path: Path, shared: Path, tmp_path: Path) -> None:
    """``ingest`` ends as ``build`` does: what it stored is linked and the census records are stored, so a read-only
    reader afterwards reads the links (it used to link the whole store again in memory, once per command); an ingest
    that stored nothing new links nothing."""
    db = tmp_path / "census.duckdb"
    shutil.copyfile(small_census_path, db)
    china = shared / "china_llm_lists" / "hqwu_awesome_chinese_llm_models.csv"
    args = [
        "ingest",
        "tabular",
        "--from",
        str(china),
        "--mapping",
        str(ROOT / "examples" / "mappings" / "china_llm_list.yaml"),
    ]
    first = runner.invoke(app, [*args, "--db", str(db)])
    assert first.exit_code == 0, first.output
    assert ": stored; rows read 51" in first.stderr
    linked = [line for line in first.stderr.splitlines() if line.startswith("linkage: ")]
    assert len(linked) == 1 and "pairs compared" in linked[0], first.stderr
    with mc.open(db, read_only=True) as census:
        linker = census.linker
        key = linker.links_key()
        assert linker.store.has_links(key)
        assert (linker.store.meta("population_key") or "").startswith(f"{key}:")
        assert census.link_summary().run is None  # read, not made
        assert "awesome_chinese_llm" in {r.source for m in census.links() for r in m.records}
    again = runner.invoke(app, [*args, "--db", str(db)])
    assert again.exit_code == 0, again.output
    assert "already stored, nothing changed" in again.stderr and "linkage:" not in again.stderr
