"""The Hugging Face Hub source: harvests through the real client against a local server, listings,
lineage, attribution and adoption, on the shared trending listing (1,000 real repos)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import modelcensus as mc
from hub_server import HubState, api_items, serve_hub
from modelcensus.config import Config
from modelcensus.errors import HarvestStopped, InputFormatError, SourceUnavailableError
from modelcensus.ingest.pipeline import build as build_pipeline
from modelcensus.outputs.cli.app import app
from modelcensus.sources import huggingface as hf

from known_answers import HUB_DERIVATIVES, HUB_DERIVATIVES_RANGE, HUB_DOWNLOADS, HUB_RELATIONS_AT_LEAST, HUB_REPOS

runner = CliRunner()


@pytest.fixture(scope="module")
def items(trending_file: Path) -> list[dict[str, Any]]:
    return api_items(trending_file)


def _config(tmp_path: Path, endpoint: str) -> Config:
    return Config(
        db_path=tmp_path / "hub.duckdb",
        cache_dir=tmp_path / "cache",
        hub_endpoint=endpoint,
        http_timeout_s=1.0,
        http_retries=5,
        http_backoff_s=0.01,
    )


def _stored(census: mc.Census) -> list[tuple[Any, ...]]:
    return census.store.con.execute(
        "SELECT repo_id, author, created_at, downloads, likes, pipeline_tag, license FROM hub_models ORDER BY repo_id"
    ).fetchall()


def test_harvest_is_exact_under_faults(tmp_path: Path, items: list[dict[str, Any]]) -> None:
    faults = ["429", "500", "reset", "truncate", "badjson", "503", "429-ratelimit", "stall"]
    state = HubState(items, faults=list(faults), stall_s=2.0)
    with serve_hub(state) as base:
        config = _config(tmp_path, base)
        with mc.open(config.db_path, config=config) as census:
            report = census.ingest_huggingface()
            result = report.results[0]
            assert result.rows_read == result.records == len(items)
            ids = [r[0] for r in census.store.con.execute("SELECT repo_id FROM hub_models").fetchall()]
    assert sorted(ids) == sorted(i["id"] for i in items)  # every served model, once each
    assert not state.faults  # every fault was met
    assert len(state.requests) == len(items) // 100 + len(faults)


def test_author_limit_sort_and_since(tmp_path: Path, items: list[dict[str, Any]]) -> None:
    state = HubState(items)
    with serve_hub(state) as base:
        q = hf.HarvestQuery(endpoint=base, authors=("Qwen", "google"), sort="downloads")
        h = hf.harvest(q, tmp_path, backoff_s=0.01)
        got = [json.loads(line) for line in h.path.read_text().splitlines()]
        assert {g["author"] for g in got} == {"Qwen", "google"}
        assert len(got) == sum(1 for i in items if i["author"] in ("Qwen", "google"))
        qwen = [g["downloads"] for g in got if g["author"] == "Qwen"]
        assert qwen == sorted(qwen, reverse=True)
        h = hf.harvest(hf.HarvestQuery(endpoint=base, limit=150, sort="downloads"), tmp_path, backoff_s=0.01)
        top = [json.loads(line)["id"] for line in h.path.read_text().splitlines()]
        ranked = sorted(items, key=lambda i: (i["downloads"], i["id"]), reverse=True)
        assert top == [i["id"] for i in ranked[:150]]
        since = hf.date(2026, 4, 1)
        h = hf.harvest(hf.HarvestQuery(endpoint=base, since=since), tmp_path, backoff_s=0.01)
        recent = {json.loads(line)["id"] for line in h.path.read_text().splitlines()}
        assert recent == {i["id"] for i in items if i["createdAt"][:10] >= "2026-04-01"}


def test_crawl_stopped_half_way_and_resumed_equals_uninterrupted(tmp_path: Path, items: list[dict[str, Any]]) -> None:
    with serve_hub(HubState(items)) as base:
        whole = _config(tmp_path / "whole", base)
        with mc.open(whole.db_path, config=whole) as census:
            census.ingest_huggingface()
            expected = _stored(census)
    state = HubState(items, faults=["500"])
    with serve_hub(state) as base:
        config = _config(tmp_path / "resumed", base)
        with mc.open(config.db_path, config=config) as census:
            with pytest.raises(HarvestStopped, match="--resume"):
                census.ingest_huggingface(stop_after_pages=4)
            assert _stored(census) == []  # nothing half-written into the store
            requests_before = len(state.requests)
            census.ingest_huggingface(resume=True)
            assert _stored(census) == expected
            # the resumed crawl asked only for the pages it had not fetched
            assert len(state.requests) - requests_before == len(items) // 100 - 4


def test_permanent_failure_is_clear_and_writes_nothing(tmp_path: Path, items: list[dict[str, Any]]) -> None:
    state = HubState(items, faults=["500"] * 50)
    with serve_hub(state) as base:
        config = _config(tmp_path, base)
        with mc.open(config.db_path, config=config) as census:
            with pytest.raises(SourceUnavailableError, match="HTTP 500"):
                census.ingest_huggingface()
            assert census.sources().empty
    state = HubState(items, faults=["404"])
    with serve_hub(state) as base:
        result = runner.invoke(
            app,
            ["ingest", "huggingface", "--endpoint", base, "--db", str(tmp_path / "x.duckdb")],
            env={"MODELCENSUS_CACHE": str(tmp_path / "c2")},
        )
        assert result.exit_code == 1
        assert result.output.startswith("error:") and "404" in result.output


def test_cli_ingest_through_the_endpoint(tmp_path: Path, items: list[dict[str, Any]]) -> None:
    with serve_hub(HubState(items, faults=["429"])) as base:
        db = tmp_path / "cli.duckdb"
        result = runner.invoke(
            app,
            [
                "ingest",
                "huggingface",
                "--endpoint",
                base,
                "--author",
                "deepseek-ai",
                "--author",
                "Qwen",
                "--limit",
                "40",
                "--db",
                str(db),
            ],
            env={"MODELCENSUS_CACHE": str(tmp_path / "cache")},
        )
        assert result.exit_code == 0, result.output
        with mc.open(db, read_only=True) as census:
            authors = census.store.con.execute("SELECT DISTINCT author FROM hub_models").fetchall()
            assert {a[0] for a in authors} <= {"deepseek-ai", "Qwen"}
            assert census.store.con.execute("SELECT count(*) FROM hub_models").fetchall()[0][0] == 40


def test_listing_shapes_read_the_same(tmp_path: Path, trending_file: Path, items: list[dict[str, Any]]) -> None:
    array = tmp_path / "models.json"
    array.write_text(json.dumps(items))
    jsonl = tmp_path / "models.jsonl"
    jsonl.write_text("\n".join(json.dumps(i) for i in items) + "\n")
    stored = []
    for path in (trending_file, array, jsonl):
        with mc.open(tmp_path / f"{path.name}.duckdb") as census:
            census.ingest_huggingface(path)
            stored.append(_stored(census))
    assert stored[0] == stored[1] == stored[2]
    assert len(stored[0]) == HUB_REPOS


def test_unreadable_items_are_set_aside(tmp_path: Path, items: list[dict[str, Any]]) -> None:
    bad = [dict(i) for i in items[:5]]
    del bad[1]["id"]
    bad[3]["createdAt"] = "not a date"
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(json.dumps(i) for i in bad) + "\n")
    with mc.open(tmp_path / "q.duckdb") as census:
        result = census.ingest_huggingface(path).results[0]
        assert (result.rows_read, result.records, result.quarantined) == (5, 3, 2)
        q = census.quarantine()
        assert list(q["line"]) == [2, 4]
        assert list(q["column_name"]) == ["id", "createdAt"]
        assert q["file"].str.endswith("bad.jsonl").all()
        # the items a one-pass read set apart to count them are gone
        assert census.store.con.execute("SELECT count(*), count(DISTINCT export_id) FROM hub_models").fetchall() == [
            (3, 1)
        ]
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(items[:3])[:-40])
    with mc.open(tmp_path / "b.duckdb") as census, pytest.raises(InputFormatError, match=r"broken\.json"):
        census.ingest_huggingface(
            broken,
        )


def test_a_one_pass_read_reports_what_a_scan_reports(tmp_path: Path, items: list[dict[str, Any]]) -> None:
    """A JSON Lines listing is read in one pass (counted as its rows are inserted), an array scanned first: the same
    counts, date and rows; a repo listed twice counts once (its last listing); a repeat reads nothing new."""
    listed = [*items[:30], dict(items[4], downloads=123_456)]  # pages shifted during a crawl: repo 5 twice
    array = tmp_path / "models.json"
    array.write_text(json.dumps(listed))
    jsonl = tmp_path / "models.jsonl"
    jsonl.write_text("\n".join(json.dumps(i) for i in listed) + "\n")
    seen = []
    for path in (array, jsonl):
        with mc.open(tmp_path / f"{path.name}.duckdb") as census:
            result = census.ingest_huggingface(path).results[0]
            again = census.ingest_huggingface(path).results[0]
            rows = _stored(census)
            exports = census.store.con.execute(
                "SELECT rows_read, records, quarantined, data_date FROM exports"
            ).fetchall()
        assert (result.rows_read, result.records, result.quarantined, result.duplicates) == (31, 30, 0, 0)
        assert again.already_stored and not result.already_stored
        assert (again.rows_read, again.records, again.quarantined, again.data_date) == (
            31,
            30,
            0,
            result.data_date,
        )
        seen.append((result.data_date.value, result.data_date.method, exports, rows))
    assert seen[0] == seen[1]
    assert next(r for r in seen[1][3] if r[0] == items[4]["id"])[3] == 123_456, "the last listing wins"


def test_a_prefetched_digest_is_the_files_and_a_file_changed_since_is_read_again(
    tmp_path: Path, trending_file: Path
) -> None:
    """``ingest huggingface --from FILE`` starts the listing's sha256 (its export id) before the census opens:
    ``file_digest`` takes it, unless the file was written to since, and a failed read is raised where it is asked."""
    import hashlib
    import os

    listing = tmp_path / "listing.json"
    listing.write_bytes(trending_file.read_bytes())
    whole = (hashlib.sha256(listing.read_bytes()).hexdigest(), listing.stat().st_size)
    key = hf.prefetch_digest(listing)
    started = hf._PREFETCHED[key]
    assert hf.prefetch_digest(listing) == key and hf._PREFETCHED[key] is started  # started once
    assert hf.file_digest(listing) == whole
    assert key not in hf._PREFETCHED  # taken
    with hf.prefetched_digest(listing):
        listing.write_bytes(listing.read_bytes() + b" ")  # written to after it was started: the new bytes' digest
        os.utime(listing, ns=(listing.stat().st_atime_ns, listing.stat().st_mtime_ns + 1_000_000))
        assert hf.file_digest(listing) == (hashlib.sha256(listing.read_bytes()).hexdigest(), whole[1] + 1)
        assert key in hf._PREFETCHED  # the old bytes' digest, not taken ...
    assert key not in hf._PREFETCHED  # ... is dropped when the command ends
    before = dict(hf._PREFETCHED)
    assert hf.prefetch_digest(tmp_path / "missing.json") is None  # not a file: nothing started, the read says why
    assert before == hf._PREFETCHED


def test_the_cli_ingest_of_a_file_takes_the_digest_it_started(
    tmp_path: Path, trending_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[Path] = []
    real = hf.prefetch_digest
    monkeypatch.setattr(hf, "prefetch_digest", lambda path: (started.append(path), real(path))[1])
    db = tmp_path / "hub.duckdb"
    done = runner.invoke(app, ["ingest", "huggingface", "--from", str(trending_file), "--db", str(db)])
    assert done.exit_code == 0, done.output
    assert started == [trending_file] and not hf._PREFETCHED
    with mc.open(db, read_only=True) as census:
        stored = census.store.con.execute("SELECT sha256 FROM snapshots WHERE source = 'huggingface'").fetchall()
    assert stored == [(hf._sha256(trending_file)[0],)]


def test_a_digest_started_by_an_ingest_that_fails_is_dropped(tmp_path: Path, trending_file: Path) -> None:
    """An ingest that fails before it asks for the listing's sha256 leaves no digest behind it (nor a later test)."""
    empty = tmp_path / "empty.json"
    empty.touch()
    db = tmp_path / "hub.duckdb"
    failed = runner.invoke(app, ["ingest", "huggingface", "--from", str(empty), "--db", str(db)])
    assert failed.exit_code != 0 and str(empty) in failed.output
    assert not hf._PREFETCHED
    with pytest.raises(RuntimeError), hf.prefetched_digest(trending_file):
        assert hf._PREFETCHED, "started within"
        raise RuntimeError("the ingest failed")
    assert not hf._PREFETCHED


def test_a_broken_line_of_a_json_lines_listing_is_named_and_nothing_is_stored(
    tmp_path: Path, items: list[dict[str, Any]]
) -> None:
    lines = [json.dumps(i) for i in items[:6]]
    lines[3] = '{"id": "someone/model", "downloads": }'  # no value: the listing's line 4
    for blank, line in ((False, 4), (True, 5)):  # a blank line before it: line 5 (DuckDB counts items, not lines)
        path = tmp_path / "cut.jsonl"
        path.write_text("\n".join([lines[0], "", *lines[1:]] if blank else lines) + "\n")
        with mc.open(tmp_path / f"c{line}.duckdb") as census:
            with pytest.raises(InputFormatError, match=r"cut\.jsonl") as raised:
                census.ingest_huggingface(path)
            assert raised.value.line == line
            assert census.store.con.execute("SELECT count(*) FROM hub_models").fetchall() == [(0,)]
            assert census.store.con.execute("SELECT count(*) FROM exports").fetchall() == [(0,)]


def test_other_json_files_are_not_hub_listings(shared: Path) -> None:
    found = [p.name for p, _ in hf.iter_listings(shared)]
    assert found == ["huggingface-trending_2026-05-04.json"]


def test_lineage_edges_and_roots(hub_census: mc.Census) -> None:
    con = hub_census.store.con
    relations = dict(con.execute("SELECT relation, count(*) FROM hub_edges GROUP BY 1").fetchall())
    for relation, least in HUB_RELATIONS_AT_LEAST.items():
        assert relations[relation] > least, relation
    derivatives = con.execute("SELECT count(DISTINCT repo_id) FROM hub_edges").fetchall()[0][0]
    assert HUB_DERIVATIVES_RANGE[0] <= derivatives <= HUB_DERIVATIVES_RANGE[1]
    chain = hub_census.lineage("Jackrong/Qwen3.5-9B-Claude-4.6-Opus-Reasoning-Distilled-v2-GGUF")
    assert list(chain["repo_id"])[-1].startswith("Qwen/")
    assert chain["countries"].iloc[-1] == ["CN"]
    assert chain["relation_to_base"].iloc[0] is not None


def test_ninety_percent_of_downloads_attributed_under_lineage(hub_census: mc.Census) -> None:
    frame = hub_census.count_hub(by="country", metric="downloads", attribution="lineage").frame
    total = frame["denominator"].iloc[0]
    attributed = frame[frame["group"].notna()]["value"].sum()
    assert total == HUB_DOWNLOADS
    assert attributed / total >= 0.90
    unattributed = frame[frame["group"].isna()]
    assert set(unattributed["reason"]) <= {
        "base by an individual account",
        "base by a community group",
        "base by an organization with no country",
        "base by an account the registry does not know",
        "unknown base",
    }
    assert unattributed["group_name"].str.startswith("(unattributed: ").all()


def test_originals_and_derivatives(hub_census: mc.Census) -> None:
    def total(**kw: Any) -> float:
        frame = hub_census.count_hub(by="country", metric="downloads", rule="fractional", **kw).frame
        return float(frame["value"].sum())

    everything, originals, derivatives = total(), total(derivatives="exclude"), total(derivatives="only")
    assert everything == pytest.approx(HUB_DOWNLOADS)
    assert originals + derivatives == pytest.approx(everything)
    split = hub_census.count_hub(by="derivative").frame
    originals = HUB_REPOS - HUB_DERIVATIVES
    assert dict(zip(split["group"], split["value"], strict=True)) == {False: originals, True: HUB_DERIVATIVES}
    assert dict(zip(split["group"], split["share"], strict=True)) == {
        False: originals / HUB_REPOS,
        True: HUB_DERIVATIVES / HUB_REPOS,
    }


def test_base_families_and_organizations(hub_census: mc.Census) -> None:
    families = hub_census.count_hub(by="base-family", metric="models", derivatives="only").frame
    top = dict(zip(families["group"], families["value"], strict=True))
    assert top["Qwen"] > top.get("Llama", 0) and top["Gemma"] > 0
    orgs = hub_census.count_hub(by="organization", metric="downloads").frame
    assert "Qwen Team (Alibaba)" in set(orgs["group"])


def test_cli_count_source_huggingface(hub_census_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "count",
            "--source",
            "huggingface",
            "--by",
            "country",
            "--metric",
            "downloads",
            "--attribution",
            "lineage",
            "--format",
            "json",
            "--db",
            str(hub_census_path),
        ],
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {"group", "count", "share", "denominator", "reason"} <= set(rows[0])
    assert {r["group"] for r in rows} >= {"US", "CN"}
    bad = runner.invoke(
        app, ["count", "--source", "huggingface", "--by", "country", "--notable", "--db", str(hub_census_path)]
    )
    assert bad.exit_code == 1 and "--notable" in bad.output
    table = runner.invoke(
        app,
        [
            "count",
            "--source",
            "huggingface",
            "--by",
            "base-family",
            "--derivatives",
            "only",
            "--db",
            str(hub_census_path),
        ],
    )
    assert table.exit_code == 0 and "Qwen" in table.stdout


def test_cli_lineage_and_resolve_hub(hub_census_path: Path) -> None:
    result = runner.invoke(
        app, ["lineage", "unsloth/Qwen3.6-35B-A3B-GGUF", "--format", "json", "--db", str(hub_census_path)]
    )
    if result.exit_code != 0:  # pick any quantized repo if that one is not in the listing
        with mc.open(hub_census_path, read_only=True) as census:
            repo = census.store.con.execute(
                "SELECT repo_id FROM hub_edges WHERE relation = 'quantized' ORDER BY repo_id LIMIT 1"
            ).fetchall()[0][0]
        result = runner.invoke(app, ["lineage", repo, "--format", "json", "--db", str(hub_census_path)])
    chain = json.loads(result.stdout)
    assert chain[0]["relation_to_base"] == "quantized" and len(chain) >= 2
    out = runner.invoke(app, ["orgs", "resolve", "--hub", "Qwen", "--hub", "bartowski", "--format", "json"])
    rows = {r["name"]: r for r in json.loads(out.stdout)}
    assert rows["Qwen"]["countries"] == ["CN"] and rows["Qwen"]["kind"] == "organization"
    assert rows["bartowski"]["kind"] == "individual" and rows["bartowski"]["countries"] == []
    missing = runner.invoke(app, ["lineage", "nobody/nothing", "--db", str(hub_census_path)])
    assert missing.exit_code == 1 and "not a stored Hub repo" in missing.output


def test_every_trending_author_is_in_the_registry(hub_census: mc.Census, items: list[dict[str, Any]]) -> None:
    authors = {i["author"] for i in items}
    missing = [a for a in authors if hub_census.registry.resolve_hub(a) is None]
    assert missing == []
    for org in hub_census.registry.orgs.values():
        if org.kind in ("individual", "community") and org.file == "hub_accounts.csv":
            assert org.countries == () or org.kind == "community", org.id


def test_epoch_hub_ids_agree_with_the_registry(hub_census: mc.Census) -> None:
    frame = hub_census.hub_disagreements()
    ids = hub_census.models().frame
    assert len(frame) < 0.1 * len(ids)
    assert set(frame["explanation"]) <= {
        "the registry does not know this handle",
        "the handle belongs to another organization than the model's",
    }
    result = runner.invoke(app, ["orgs", "hub-disagreements", "--format", "json", "--db", str(hub_census.path)])
    assert result.exit_code == 0 and isinstance(json.loads(result.stdout), list)


def test_trend_over_repeated_harvests(tmp_path: Path, items: list[dict[str, Any]]) -> None:
    first = tmp_path / "2026-05-01.json"
    first.write_text(json.dumps({"fetchedAt": "2026-05-01T00:00:00Z", "models": items[:500]}))
    later = [dict(i, downloads=i["downloads"] * 2) for i in items]
    second = tmp_path / "2026-06-01.json"
    second.write_text(json.dumps({"fetchedAt": "2026-06-01T00:00:00Z", "models": later}))
    with mc.open(tmp_path / "t.duckdb") as census:
        census.ingest_huggingface(first)
        census.ingest_huggingface(second)
        trend = census.trend(by="country", metric="downloads").frame
        assert [str(d) for d in sorted(set(trend["date"]))] == ["2026-05-01", "2026-06-01"]
        totals = trend.groupby("date")["denominator"].first().tolist()
        assert totals[1] == pytest.approx(2 * sum(i["downloads"] for i in items))
        assert totals[0] == pytest.approx(sum(i["downloads"] for i in items[:500]))
        as_of = census.count_hub(by="country", metric="downloads", as_of="2026-05-15").frame
        assert as_of["denominator"].iloc[0] == pytest.approx(totals[0])
    result = runner.invoke(
        app,
        ["trend", "--by", "country", "--metric", "downloads", "--format", "json", "--db", str(tmp_path / "t.duckdb")],
    )
    assert result.exit_code == 0, result.output
    assert {r["date"] for r in json.loads(result.stdout)} == {"2026-05-01", "2026-06-01"}


def test_a_build_times_the_hub_attribution_apart_from_its_parse_and_store(tmp_path: Path, trending_file: Path) -> None:
    """``build`` reports a Hub listing's ingest (parse, checks, store) and the attribution it runs afterwards
    (lineage roots, handles to organizations) as stages of their own; a listing already stored is not attributed
    again, so its stage stands alone. (The build's pipeline without the stages that keep figures for readers.)"""
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / trending_file.name).symlink_to(trending_file)
    with mc.open(tmp_path / "census.duckdb") as census:
        first = build_pipeline(census.loader, census.linker, folder)
        again = build_pipeline(census.loader, census.linker, folder)
    (result,) = first.ingest.results
    assert [step for step, _ in result.attribution] == ["lineage roots", "handles to organizations"]
    names = [stage for stage, _ in first.stages]
    at = names.index(f"ingest huggingface: {trending_file.name}")
    assert names[at + 1 : at + 3] == [
        "attribute huggingface: lineage roots",
        "attribute huggingface: handles to organizations",
    ]
    assert names[at + 3 :] == ["link", "census records"]
    assert all(seconds >= 0 for _, seconds in first.stages)
    assert dict(first.stages)["attribute huggingface: lineage roots"] == result.attribution[0][1]
    assert again.ingest.results[0].already_stored and again.ingest.results[0].attribution == ()
    assert not [stage for stage, _ in again.stages if stage.startswith("attribute")]
