"""``--as-of`` on every read command: accepted, it changes the answer where the census then held other exports,
and a malformed date is a one-line error (exit code 1, no traceback). On the census built from the shared data.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from click.testing import Result
from typer.testing import CliRunner

import modelcensus as mc
from modelcensus.errors import QueryError
from modelcensus.outputs.cli.app import app

from conftest import ROOT
from known_answers import AS_OF_EARLY_2025, VINTAGE_DATES

runner = CliRunner()

AS_OF = AS_OF_EARLY_2025  # between the Epoch exports of 2025-02-24 and 2025-05-20; before every Hub/OpenRouter file
IN_FORCE = str(VINTAGE_DATES[3])  # the Epoch export in force on AS_OF
BEFORE_ALL = "2020-01-01"  # before every stored export
MALFORMED = "2025-02-30"
CLAIMS = str(ROOT / "examples" / "claims.yaml")

# every read command of the store; "{repo}" is a derivative repo of the shared Hub listing
COMMANDS: dict[str, list[str]] = {
    "count": ["count"],
    "count-huggingface": ["count", "--source", "huggingface"],
    "count-epoch-notable": ["count", "--definition", "epoch-notable"],
    "stats": ["stats", "--by", "country"],
    "hardware": ["hardware"],
    "models": ["models"],
    "sources": ["sources"],
    "quarantine": ["quarantine"],
    "orgs-unresolved": ["orgs", "unresolved"],
    "orgs-disagreements": ["orgs", "disagreements"],
    "orgs-hub-disagreements": ["orgs", "hub-disagreements"],
    "links": ["links"],
    "frontier": ["frontier"],
    "frontier-gap": ["frontier", "--gap"],
    "trend": ["trend"],
    "lineage": ["lineage", "{repo}"],
    "check": ["check", CLAIMS],
    "lag": ["lag"],
    "estimate": ["estimate"],
}
# commands whose whole answer is checked against their plain answer (check is slow: see its own test)
COMPARED = [c for c in COMMANDS if c != "check"]


@pytest.fixture(scope="module")
def repo(shared: Path) -> str:
    """The first quantized derivative in the shared Hub listing (its lineage has two steps)."""
    listing = json.loads((shared / "hf_hub_starscreener" / "huggingface-trending_2026-05-04.json").read_text())
    for item in listing["models"]:
        if any(t.startswith("base_model:quantized:") for t in item.get("tags", [])):
            return str(item["id"])
    raise AssertionError("no quantized derivative in the shared Hub listing")


_RUNS: dict[tuple[str, ...], Result] = {}


def invoke(db: Path, repo: str, name: str, *extra: str) -> Result:
    """The command's JSON answer (each distinct command line runs once per module: some relink every source)."""
    args = tuple([*(a.replace("{repo}", repo) for a in COMMANDS[name]), *extra, "--format", "json", "--db", str(db)])
    if args not in _RUNS:
        _RUNS[args] = runner.invoke(app, list(args))
    return _RUNS[args]


def ok(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def one_line_error(result: Result) -> str:
    """A handled error: exit code 1, one line on stderr, no traceback, nothing on stdout."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output and result.stdout == ""
    return lines[0]


@pytest.mark.parametrize("name", COMPARED)
def test_as_of_is_accepted_and_changes_the_answer(name: str, full_census_path: Path, repo: str) -> None:
    now = ok(invoke(full_census_path, repo, name))
    then = invoke(full_census_path, repo, name, "--as-of", AS_OF)
    if name == "lineage":  # the repo was harvested on 2026-05-04: as of 2025-03-01 the census did not hold it
        assert repo in one_line_error(then)
        later = ok(invoke(full_census_path, repo, name, "--as-of", "2026-06-01"))
        assert later == now  # after the harvest: as now
        return
    answer = ok(then)
    assert answer or now, f"{name}: empty now and then, so the comparison would prove nothing"
    assert answer != now, f"{name} --as-of {AS_OF} gives the same answer as now"


@pytest.mark.parametrize("name", list(COMMANDS))
def test_malformed_as_of_is_a_one_line_error(name: str, full_census_path: Path, repo: str) -> None:
    line = one_line_error(invoke(full_census_path, repo, name, "--as-of", MALFORMED))
    assert MALFORMED in line and "YYYY-MM-DD" in line


EMPTY_BEFORE_ALL = [
    "count",
    "count-huggingface",
    "count-epoch-notable",
    "models",
    "orgs-disagreements",
    "frontier",
    "trend",
]


@pytest.mark.parametrize("name", EMPTY_BEFORE_ALL)
def test_as_of_before_every_export_is_empty(name: str, full_census_path: Path, repo: str) -> None:
    assert ok(invoke(full_census_path, repo, name, "--as-of", BEFORE_ALL)) == []


@pytest.mark.parametrize("name", ["lag", "frontier-gap", "lineage"])
def test_as_of_before_every_export_is_a_one_line_error_where_nothing_can_be_said(
    name: str, full_census_path: Path, repo: str
) -> None:
    one_line_error(invoke(full_census_path, repo, name, "--as-of", BEFORE_ALL))


def test_estimate_and_sources_before_every_export(full_census_path: Path, repo: str) -> None:
    rows = ok(invoke(full_census_path, repo, "estimate", "--as-of", BEFORE_ALL))
    assert [r["listed"] for r in rows] == [0] and rows[0]["estimate"] is None
    assert {r["current"] for r in ok(invoke(full_census_path, repo, "sources", "--as-of", BEFORE_ALL))} == {False}


def test_sources_as_of_marks_the_newest_export_of_each_source_then(full_census_path: Path, repo: str) -> None:
    rows = ok(invoke(full_census_path, repo, "sources", "--as-of", AS_OF))
    newest: dict[str, str] = {}
    for r in rows:
        if r["data_date"] is not None and r["data_date"] <= AS_OF:
            newest[r["source"]] = max(newest.get(r["source"], ""), r["data_date"])
    assert newest == {"epoch": IN_FORCE}  # nothing else of the shared data is that old
    for r in rows:
        assert r["current"] == (r["data_date"] is not None and newest.get(r["source"]) == r["data_date"]), r


def test_count_as_of_is_the_library_figure_at_that_vintage(full_census_path: Path, full_census: mc.Census) -> None:
    rows = ok(runner.invoke(app, ["count", "--as-of", AS_OF, "--format", "json", "--db", str(full_census_path)]))
    frame = full_census.count(by="country", as_of=AS_OF).frame
    assert {r["group"]: r["count"] for r in rows} == {
        g: int(c) for g, c in zip(frame["group"], frame["count"], strict=True)
    }
    now = full_census.count(by="country").frame
    assert int(frame["denominator"].iloc[0]) < int(now["denominator"].iloc[0])
    assert full_census.count(by="country", as_of=date.fromisoformat(AS_OF)).frame.equals(frame)


def test_count_definition_as_of(full_census: mc.Census) -> None:
    then = full_census.count_definition("epoch-notable", year=2024, as_of=AS_OF)
    at_vintage = full_census.count_definition("epoch-notable", year=2024, as_of=IN_FORCE)
    now = full_census.count_definition("epoch-notable", year=2024)
    pd.testing.assert_frame_equal(then.frame, at_vintage.frame)  # nothing new between the export and the date read
    assert then.provenance.as_of == date.fromisoformat(AS_OF) and now.provenance.as_of is None
    assert then.provenance.to_dict()["as_of"] == AS_OF and now.provenance.to_dict()["as_of"] is None
    assert [s["source"] for s in then.provenance.snapshot_list] == ["epoch"]
    assert int(then.frame["denominator"].iloc[0]) < int(now.frame["denominator"].iloc[0])
    with pytest.raises(QueryError, match="as_of must be a date"):
        full_census.count_definition("epoch-notable", as_of=MALFORMED)


def test_frontier_as_of_keeps_only_ratings_of_days_up_to_it(full_census: mc.Census, shared: Path) -> None:
    cut = date(2025, 1, 1)
    now = full_census.frontier(category="text/full").frame
    figure = full_census.frontier(category="text/full", as_of="2025-01-01")
    then = figure.frame
    assert figure.provenance.as_of == cut
    assert len(then) and max(then["rated_on"]) <= cut < max(now["rated_on"])
    # the ratings of those days are the same as now: nothing of a later day leaks back
    earlier = now[now["rated_on"] <= cut].reset_index(drop=True)
    pd.testing.assert_frame_equal(then.reset_index(drop=True), earlier)
    # the dated history file has snapshots on these days
    history = (shared / "lmarena_history_nakasyou" / "result.csv").read_text().splitlines()[1:]
    days = {date(int(d[:4]), int(d[4:6]), int(d[6:8])) for d in (line.split(",", 1)[0] for line in history)}
    assert set(then["rated_on"]) == {d for d in days if d <= cut}


def test_check_as_of_reads_now_as_it_stood_then(full_census_path: Path, tmp_path: Path) -> None:
    """``check --as-of`` reads "now" as the census stood on that date; a claim about a source not stored then is
    not-checkable (it was a crash, then "contradicted", before). Three of the example claims (check is slow)."""
    examples = yaml.safe_load(Path(CLAIMS).read_text(encoding="utf-8"))
    wanted = ("ai-index-2025-us", "ai-index-2025-cn", "hub-derivatives-chinese-bases")
    examples["claims"] = [c for c in examples["claims"] if c["id"] in wanted]
    assert len(examples["claims"]) == 3
    path = tmp_path / "claims.yaml"
    path.write_text(yaml.safe_dump(examples), encoding="utf-8")
    result = runner.invoke(
        app, ["check", str(path), "--as-of", AS_OF, "--format", "json", "--db", str(full_census_path)]
    )
    claims = {c["id"]: c for c in ok(result)}
    for c in claims.values():
        assert c["now"]["export_date"] is None or c["now"]["export_date"] <= AS_OF, c["id"]
    for cid in ("ai-index-2025-us", "ai-index-2025-cn"):
        c = claims[cid]
        assert c["now"]["export_date"] == c["at_vintage"]["export_date"] == IN_FORCE
        assert c["now"]["figure"] == c["at_vintage"]["figure"] == c["figure"]
    hub = claims["hub-derivatives-chinese-bases"]
    assert hub["now"] == {"export_date": None, "figure": None, "denominator": 0}
    assert hub["verdict"] == "not-checkable"


def test_links_as_of_lists_only_records_of_exports_then(full_census_path: Path, repo: str) -> None:
    models = ok(invoke(full_census_path, repo, "links", "--as-of", AS_OF))
    assert {r["source"] for m in models for r in m["records"]} == {"epoch"}


@pytest.mark.parametrize("as_of", [None, AS_OF, "2024-11-30"])
@pytest.mark.parametrize(
    ("sources", "roles"),
    [(["epoch"], ("notable",)), (["epoch", "huggingface", "openrouter"], None), (["cac", "lmarena"], None), ([], None)],
)
def test_snapshots_in_force_of_some_sources_are_those_sources_read_alone(
    full_census: mc.Census, sources: list[str], roles: tuple[str, ...] | None, as_of: str | None
) -> None:
    """The snapshots of every source are read once per date and kept; a figure's own sources are picked from them:
    the same rows, in the same order, as reading those sources' exports alone."""
    from modelcensus.metrics.populations import in_force

    when = None if as_of is None else date.fromisoformat(as_of)
    alone = in_force(full_census.reader.tables, sources, when, roles).select("export_id").execute()
    s = full_census.reader.engine.table("snapshots")
    expected = s.filter(s.export_id.isin(list(alone["export_id"]))).select("source", "role", "location").execute()
    got = full_census.snapshots_in_force(sources, as_of, roles)
    assert sorted((r["source"], r["role"], r["location"]) for r in got) == sorted(
        expected.itertuples(index=False, name=None)
    )
    assert [r["source"] for r in got] == sorted(r["source"] for r in got)
    if as_of is None:
        assert {r["source"] for r in got} == set(sources)  # every source here is stored
    if got:  # each caller gets its own copy: changing it changes no later answer
        first = got[0]["source"]
        got[0]["source"] = "changed"
        assert full_census.snapshots_in_force(sources, as_of, roles)[0]["source"] == first
