"""Linkage that scales with what can match (:mod:`modelcensus.linkage.blocking`, :mod:`modelcensus.store.links`).

The store path chooses the Hub repos that take part in SQL and names every other repo in SQL; these tests hold it to
the full path (:func:`modelcensus.linkage.link` over every record, Hub repos one by one) on the shared data and on a
synthetic listing (``bench/hub_synth.py``), hold every SQL key to its Python twin, the SQL choice to its Python
reference, and an incremental link (a new export linked onto stored links) to a full relink.
"""

from __future__ import annotations

import collections
import csv
import importlib.util
import json
import random
import re
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

import modelcensus as mc
from modelcensus.linkage import CanonicalModel, SourceRecord, link
from modelcensus.linkage import blocking as lb
from modelcensus.linkage import sql as ls
from modelcensus.linkage.names import (
    compact_key,
    lineage_name,
    month_day,
    name_key,
    release_key,
    snapshot_key,
    token_key,
    unit_key,
)
from modelcensus.linkage.vetoes import name_parts
from modelcensus.outputs.cli.app import app
from modelcensus.store import links as store_links

from conftest import ROOT, shared_data

runner = CliRunner()
SPLINK_NUMBERS = re.compile(r"match probability [0-9.]+ \(weight -?[0-9.]+\)")


def _load_generator() -> Any:
    spec = importlib.util.spec_from_file_location("hub_synth", ROOT / "bench" / "hub_synth.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hub_synth = _load_generator()


def _synthetic(path: Path, rows: int, seed: int = 7) -> Path:
    """A synthetic Hub listing of ``rows`` repos (``bench/hub_synth.py``, fitted on the shared trending listing)."""
    trending = shared_data() / "hf_hub_starscreener" / "huggingface-trending_2026-05-04.json"
    return Path(hub_synth.generate(trending, path, rows, seed=seed))


def _odd_names(n: int) -> list[str]:
    """Ids built from the pieces name keys treat specially: versions, sizes, dates, post-training and packaging words,
    separators doubled or at the ends, a vendor or none."""
    rng = random.Random(11)
    pieces = [
        "Qwen2.5", "7B", "1.5b", "Instruct", "it", "chat", "GGUF", "bf16", "v0.1", "v1.0", "v1", "2024-08-06",
        "20240806", "0314", "03-25", "2410", "a3b", "8x7B", "e4b", "17b-128e", "preview", "exp", "latest", "hf", "001",
        "Llama", "llama-3.1", "tulu", "nemotron", "c4ai", "base", "mini", "Aug-2024", "no-thinking", "x", "2.0", "_",
        "model", "gpt-4", "1106", "preview", "imagen-4.0", "generate", "ultra", "Stable-Diffusion", "v35", "3.5",
    ]  # fmt: skip
    seps = ["-", "_", ".", "--", "-_", "__", "/"]
    out = []
    for _ in range(n):
        parts = rng.sample(pieces, rng.randint(1, 5))
        body = "".join(p + rng.choice(seps) for p in parts)[:-1] if len(parts) > 1 else parts[0]
        vendor = rng.choice(["", "", "org/", "Org-AI/", "a.b/", "x/y/", "123/"])
        out.append(vendor + rng.choice(["", "", "-", "_", "."]) + body + rng.choice(["", "", "-", "."]))
    return out


def _letters(key: str) -> set[str]:
    return set(re.findall("[a-z]+", key))


def test_every_sql_key_is_its_python_twin(shared: Path, tmp_path: Path) -> None:
    """Name, compact and unit keys, runs of letters, year-less dates and first versions: SQL and Python agree on every
    plain id of the shared listing, a synthetic listing, every plain name of the other shared sources, and thousands
    of ids made of the pieces the keys treat specially."""
    trending = json.loads((shared / "hf_hub_starscreener" / "huggingface-trending_2026-05-04.json").read_text())
    names = {m["id"] for m in trending["models"]}
    listing = _synthetic(tmp_path / "hub.jsonl", 3000)
    names |= {json.loads(line)["id"] for line in listing.read_text().splitlines()}
    for row in json.loads((shared / "openrouter" / "openrouter-models_2026-02-27.json").read_text())["data"]:
        names |= {row["id"], row["name"], row.get("hugging_face_id") or "x"}
    with (shared / "epoch_ai" / "2026-03-30_cset_zip" / "all_ai_models.csv").open(encoding="utf-8-sig") as handle:
        names |= {row["Model"] for row in csv.DictReader(handle)}
    names |= set(_odd_names(4000))
    plain = sorted(n for n in names if re.fullmatch(ls.PLAIN_ID, n))
    assert len(plain) > 7000
    con = duckdb.connect()
    con.execute("CREATE TABLE n AS SELECT unnest(?::VARCHAR[]) AS s", [plain])
    rows = con.execute(
        f"SELECT s, {ls.name_key('s')}, {ls.name_key('s', keep_dots=True)}, {ls.compact_key('s')}, "
        f"{ls.unit_key('s', 'release')}, {ls.unit_key('s', 'family')}, {ls.letters('s')}, {ls.month_day('s')}, "
        f"{ls.first_version('s')}, {ls.key_or_model('s')}, {ls.units_select('release', 'family')} "
        f"FROM {ls.units_from('n', 's')} ORDER BY s"
    ).fetchall()
    wrong = []
    for s, key, dotted, compact, release, family, runs, dated, first, base, release2, family2 in rows:
        if (release2, family2) != (release, family):
            wrong.append((s, "the unit keys computed once differ", release2, family2))
        expected = (
            name_key(s),
            name_key(s, keep_dots=True),
            compact_key(s),
            unit_key(s, "release"),
            unit_key(s, "family"),
            name_key(s).endswith("-001"),
            name_key(s) or "model",
        )
        if (key, dotted, compact, release, family, first, base) != expected:
            wrong.append((s, (key, dotted, compact, release, family, first, base), expected))
        record = SourceRecord("huggingface", s, s.split("/")[-1], "alibaba")
        if month_day(record) is not None and not dated:
            wrong.append((s, "year-less date missed"))
        keys = [token_key(s, "alibaba"), snapshot_key(s, "alibaba"), release_key(lineage_name(s, "alibaba") or s)]
        keys += [token_key(s), " ".join(name_parts(s, "alibaba").words)]
        if not set().union(*(_letters(k) for k in keys)) <= set(runs):
            wrong.append((s, "a key's letters are not among the id's", runs))
    assert not wrong, wrong[:10]


def _signature(models: list[CanonicalModel], mask_splink: bool = False) -> list[Any]:
    def detail(rule: str, text: str) -> str:
        return SPLINK_NUMBERS.sub("…", text) if mask_splink and rule.startswith("splink") else text

    return sorted(
        (
            m.id,
            m.name,
            tuple((r.source, r.source_id, r.name, r.developer, r.hub_id, tuple(r.countries)) for r in m.records),
            tuple((left, right, rule, detail(rule, text)) for left, right, rule, text in m.evidence),
        )
        for m in models
    )


def test_the_full_path_and_the_store_path_agree_on_the_shared_data(full_census_path: Path) -> None:
    """Every source of the shared data: linking every record in Python (the Hub's repos one by one) and the store's
    path (the Hub's repos chosen and named in SQL) make the same canonical models, with the same links by the same
    rules. The probabilistic stage learns from the records that take part, not from every Hub repo, so the match
    probability it reports may differ in the last digits."""
    with mc.open(full_census_path, read_only=True) as census:
        records = census.source_records()
        stored = census.links()
        summary = census.link_summary()
    full = link(records)
    assert _signature(stored, mask_splink=True) == _signature(full, mask_splink=True)
    assert len(full) == summary.models > 4000 and summary.shared_models > 300
    hub = sum(1 for r in records if r.source == "huggingface")
    assert summary.run_row["hub_repos"] == hub and summary.run_row["hub_taking_part"] < hub / 2


def _store_with_listing(tmp_path: Path, base: Path, listing: Path) -> Path:
    target = tmp_path / "census.duckdb"
    shutil.copyfile(base, target)
    with mc.open(target) as census:
        census.ingest_huggingface(listing)
    return target


@pytest.fixture(scope="module")
def synthetic_store(full_census_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The full shared build plus a synthetic listing of 4,000 repos (individuals' and organizations' alike)."""
    folder = tmp_path_factory.mktemp("synthetic")
    return _store_with_listing(folder, full_census_path, _synthetic(folder / "hub.jsonl", 4000))


def test_the_sql_choice_is_its_python_reference(synthetic_store: Path) -> None:
    """The repos SQL chooses (and the base checkpoints among them) are those the Python reference chooses looking at
    every repo's keys one by one, on the shared listing and a synthetic one together."""
    with mc.open(synthetic_store, read_only=True) as census:
        registry, store = census.registry, census.store
        others = census.linker.other_records()
        authors: dict[str, set[str]] = collections.defaultdict(set)
        for repo, author in store.con.execute("SELECT DISTINCT repo_id, author FROM hub_models").fetchall():
            authors[repo].add(author)
        hub = [store_links.hub_record(registry, r, a) for r, a in store.hub_authors()]
        expected, base = lb.taking_part(others, hub, authors)
        store_links.prepare_hub(store.con, registry, None, read_only=True)
        chosen, blocked = store_links.candidates(store.con, registry, lb.wanted(others))
    assert sorted((r.source_id, r.developer) for r in chosen) == sorted((r.source_id, r.developer) for r in expected)
    assert blocked.base == base
    assert 100 < len(chosen) < len(hub) / 10 and blocked.repos == len({r.source_id for r in hub}) > 4900


def test_the_deterministic_passes_agree_on_a_synthetic_listing(synthetic_store: Path, tmp_path: Path) -> None:
    """Shared data and a synthetic listing, the deterministic passes only: the store's path is the full path exactly
    (evidence and ids included), though it compared the synthetic repos with nothing."""
    target = tmp_path / "census.duckdb"
    shutil.copyfile(synthetic_store, target)
    with mc.open(target) as census:
        records = census.source_records()
        run = census.store.link("deterministic", census.linker.other_records(), census.registry, probabilistic=False)
        stored = census.store.load_links("deterministic")
    assert stored is not None
    assert _signature(stored) == _signature(link(records, probabilistic=False))
    assert run.hub_alone > 4000 and run.passes[0].name == store_links.BLOCKING_PASS


def _compare_stores(a: Path, b: Path) -> None:
    """Two stores hold the same links, evidence and census records."""
    con = duckdb.connect()
    con.execute(f"ATTACH '{a}' AS a (READ_ONLY)")
    con.execute(f"ATTACH '{b}' AS b (READ_ONLY)")
    for table, skip in (
        ("canonical_links", "links_key"),
        ("link_evidence", "links_key"),
        ("census_records", "population_key"),
        ("census_record_countries", None),
    ):
        cols = f"* EXCLUDE ({skip})" if skip else "*"
        for x, y in (("a", "b"), ("b", "a")):
            extra = con.execute(
                f"SELECT count(*) FROM (SELECT {cols} FROM {x}.{table} EXCEPT ALL SELECT {cols} FROM {y}.{table})"
            ).fetchall()[0][0]
            assert extra == 0, f"{table}: {extra} rows of {x} not in {y}"


def _build(folder: Path, db: Path) -> None:
    result = runner.invoke(app, ["build", "--from", str(folder), "--db", str(db)])
    assert result.exit_code == 0, result.output


def test_a_new_epoch_vintage_linked_onto_stored_links_is_a_full_relink(
    small_data: Path, small_census_path: Path, tmp_path: Path
) -> None:
    """Build without Epoch's newest export, then ingest it (its records linked onto the stored state): the links and
    census records equal a build of everything at once (the session's ``build --from`` the same folder)."""
    newest = small_data / "epoch_ai" / "2026-03-30_cset_zip"
    partial = tmp_path / "partial"
    shutil.copytree(
        small_data, partial, ignore=lambda d, names: ["2026-03-30_cset_zip"] if d.endswith("epoch_ai") else []
    )
    _build(partial, tmp_path / "incremental.duckdb")
    with mc.open(tmp_path / "incremental.duckdb") as census:
        before = census.link_summary()
        census.ingest_epoch(newest)
        after = census.link_summary()
        census.linker.ensure_population()
        counted = store_links.summary(census.store.con, after.links_key)  # counted again from the stored links
    assert after.links_key != before.links_key and after.python_stage == "linked"
    assert after.run is not None and counted.run is None  # the run's own counts, and the stored links' agree
    run = (after.run.models, after.run.shared_models)
    assert (after.models, after.shared_models) == (counted.models, counted.shared_models) == run
    assert [m.id for m in after.shared] == [m.id for m in counted.shared] and len(after.shared) == run[1] > 10
    _compare_stores(tmp_path / "incremental.duckdb", small_census_path)


def test_a_new_listing_of_repos_nobody_else_names_is_named_in_sql_only(
    small_data: Path, small_census_path: Path, tmp_path: Path
) -> None:
    """A second Hub listing whose repos share no key with any other source's record: the Python stage keeps the models
    it stored (``reused``), the new repos are named set-based, and the result equals a build of everything at once.
    The store it is ingested into is the session's ``build --from`` the small data, copied."""
    listing = _synthetic(tmp_path / "synthetic.jsonl", 3000, seed=3)
    individuals = [line for line in listing.read_text().splitlines() if json.loads(line)["author"].startswith("user")]
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "hub-extra.jsonl").write_text("\n".join(individuals) + "\n", encoding="utf-8")
    shutil.copyfile(small_census_path, tmp_path / "incremental.duckdb")
    with mc.open(tmp_path / "incremental.duckdb") as census:
        census.ingest_huggingface(extra / "hub-extra.jsonl")
        after = census.link_summary()
        census.linker.ensure_population()
    assert after.python_stage == "reused" and all(reused for name, *_, reused in after.passes[1:])
    everything = tmp_path / "everything"
    shutil.copytree(small_data, everything)
    shutil.copy(extra / "hub-extra.jsonl", everything / "hub-extra.jsonl")
    _build(everything, tmp_path / "full.duckdb")
    _compare_stores(tmp_path / "incremental.duckdb", tmp_path / "full.duckdb")
    with mc.open(tmp_path / "full.duckdb", read_only=True) as census:
        assert census.link_summary().run_row["hub_alone"] >= len(individuals)


def test_the_passes_and_their_pairs_are_kept_and_shown(small_census_path: Path) -> None:
    """``links passes``: each pass with the pairs it compared and the links it made, in the table and the JSON;
    ``build --format json`` carries the same, with each stage's seconds."""
    result = runner.invoke(app, ["links", "passes", "--db", str(small_census_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    names = [p["pass"] for p in out["passes"]]
    assert names[0] == store_links.BLOCKING_PASS and "name + developer" in names and "splink" in names
    assert out["pairs"] == sum(p["pairs"] for p in out["passes"]) > 0
    assert sum(p["links"] for p in out["passes"][1:]) > 0 and out["hub_repos"] > out["hub_taking_part"] > 0
    table = runner.invoke(app, ["links", "passes", "--db", str(small_census_path)])
    assert table.exit_code == 0 and "pairs compared" in table.stdout and "name + developer" in table.stdout


def test_repo_keys_are_looked_for_only_when_the_stored_exports_change(monkeypatch: pytest.MonkeyPatch) -> None:
    """A writer records the Hub exports whose repos' keys it made: a later ``ensure`` with the same exports (the
    census records after the links, in one ingest) does not look for missing keys among millions of ids again; a new
    export's repos get theirs, and a reader of such a store trusts them too."""
    from modelcensus.store import repo_keys

    con = duckdb.connect()
    con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.execute("CREATE TABLE hub_models (export_id VARCHAR, repo_id VARCHAR)")
    con.execute("INSERT INTO hub_models VALUES ('huggingface:a', 'Qwen/Qwen2.5-7B'), ('huggingface:a', 'x/y-1')")
    looks: list[str] = []
    original = repo_keys._insert_missing

    def counted(c: duckdb.DuckDBPyConnection, table: str) -> None:
        looks.append(table)
        original(c, table)

    monkeypatch.setattr(repo_keys, "_insert_missing", counted)
    repo_keys.ensure(con, read_only=False)
    repo_keys.ensure(con, read_only=False)
    repo_keys.ensure(con, read_only=True)
    assert looks == ["hub_repo_keys"], "made once for these exports"
    con.execute("INSERT INTO hub_models VALUES ('huggingface:b', 'Qwen/Qwen2.5-7B'), ('huggingface:b', 'z/new-2')")
    repo_keys.ensure(con, read_only=False)
    assert looks == ["hub_repo_keys"] * 2, "a new export: looked for again"
    keyed = {r[0] for r in con.execute("SELECT repo_id FROM hub_repo_keys").fetchall()}
    assert keyed == {"Qwen/Qwen2.5-7B", "x/y-1", "z/new-2"}
    assert con.execute("SELECT count(*) FROM hub_repo_keys").fetchall()[0][0] == 3, "no repo keyed twice"


def _census_records_digest(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int, str]]:
    """Each census-record table's rows and a digest of them (row order ignored)."""
    found = []
    for table in ("census_records", "census_record_countries", "census_cac_links"):
        rows, digest = con.execute(
            "SELECT count(*), md5(coalesce(string_agg(h, '' ORDER BY h), '')) FROM "
            f"(SELECT md5(CAST(to_json(t) AS VARCHAR)) AS h FROM {table} t)"
        ).fetchall()[0]
        found.append((table, int(rows), str(digest)))
    return found


def test_the_hubs_census_records_made_while_linking_are_those_made_after(
    synthetic_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer's link makes the Hub's repos of the census records while the Python stage clusters (on a thread of
    its own), and the refresh that follows takes them: the census records are those a refresh made afresh from the
    stored links gives, and nothing made ahead is left; when the refresh fails, what was made ahead is dropped."""
    from modelcensus.store import population as store_population
    from modelcensus.store import population_hub

    target = tmp_path / "census.duckdb"
    shutil.copyfile(synthetic_store, target)
    made: list[int] = []
    stage, drop = population_hub.stage, population_hub.drop_staged

    def staging(con: duckdb.DuckDBPyConnection) -> None:
        stage(con)
        made.append(int(con.execute(f"SELECT count(*) FROM temp.{population_hub.STAGED}").fetchall()[0][0]))

    def dropping(con: duckdb.DuckDBPyConnection) -> None:
        left = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [population_hub.STAGED])
        made.append(-int(left.fetchall()[0][0]))  # -0: the refresh took it
        drop(con)

    monkeypatch.setattr(population_hub, "stage", staging)
    monkeypatch.setattr(population_hub, "drop_staged", dropping)
    with mc.open(target) as census:
        census.link()
        assert made[0] > 4000 and made[1:] == [0]  # every stored repo, made ahead and taken
        con = census.store.con
        staged = _census_records_digest(con)
        key = census.store.meta("population_key")
        assert key is not None and staged[0][1] > 8000
        census.store.save_population(key, census.registry)  # afresh, from the stored links: nothing made ahead
        assert len(made) == 2 and _census_records_digest(con) == staged

        def refresh(*args: object, **kwargs: object) -> None:
            raise RuntimeError("the refresh failed")

        monkeypatch.setattr(store_population, "refresh", refresh)
        con.execute("DELETE FROM canonical_links")  # linked again below, and the census records made again
        con.execute("DELETE FROM meta WHERE key = 'population_key'")
        census.linker.population_key = None
        with pytest.raises(RuntimeError, match="the refresh failed"):
            census.link()
        assert made[2] > 4000 and made[3] == -1  # made ahead, not taken, dropped
        tables = con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()
        assert (population_hub.STAGED,) not in tables
