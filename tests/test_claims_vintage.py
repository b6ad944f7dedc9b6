"""Claims read at their vintage: verdicts from a fixed vocabulary, figures then, next and now, coverage and
explanations; the verdict rules one by one; figures printed as readers write them; dates in claims files."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import modelcensus as mc
from modelcensus.claims.model import VERDICTS, Claim, format_figure, holds, load_claims, verdict_of
from modelcensus.errors import InputFormatError
from modelcensus.outputs.cli.app import app

from conftest import ROOT
from epoch_fixtures import write_export
from known_answers import AS_OF_EARLY_2025, NOTABLE_2024_AT_VINTAGE, VINTAGE_DATES

runner = CliRunner()
CLAIMS = ROOT / "examples" / "claims.yaml"
AI_INDEX = ("ai-index-2025-us", "ai-index-2025-cn")
WAIC = ("waic-2025-share", "waic-2025-count")


@pytest.fixture(scope="module")
def checked(full_census_path: Path) -> dict[str, dict[str, Any]]:
    """``modelcensus check examples/claims.yaml --format json`` on the census of the shared data, run once."""
    result = runner.invoke(app, ["check", str(CLAIMS), "--format", "json", "--db", str(full_census_path)])
    assert result.exit_code == 0, result.output
    return {c["id"]: c for c in json.loads(result.stdout)}


# -- (a) the example claims on the shared data -----------------------------------------------------------------


def test_every_claim_has_a_verdict_an_explanation_and_the_figure_now(checked: dict[str, dict[str, Any]]) -> None:
    assert {*AI_INDEX, *WAIC} <= set(checked)
    for c in checked.values():
        assert c["verdict"] in VERDICTS
        assert isinstance(c["explanation"], str) and c["explanation"].endswith(".") and len(c["explanation"]) > 40
        assert {"export_date", "figure"} <= set(c["now"])
        assert c["now"]["export_date"] is not None and c["now"]["figure"] is not None


def test_ai_index_claims_are_consistent_at_their_vintage(
    checked: dict[str, dict[str, Any]], full_census: mc.Census
) -> None:
    """The AI Index read Epoch's data of early 2025: the claimed 40 (US) and 15 (China) lie between the export of
    2025-02-24 and the next one of 2025-05-20, and the figures are those vintages' counts."""
    vintage = full_census.vintages("country", year=2024, notable=True).frame
    at = {(str(r.export_date), r.group): int(r.count) for r in vintage.itertuples(index=False)}
    newest = str(max(vintage["export_date"]))
    claims = {c.id: c for c in load_claims(CLAIMS)}
    then, following = str(VINTAGE_DATES[3]), str(VINTAGE_DATES[4])
    for cid in AI_INDEX:
        c, claim = checked[cid], claims[cid]
        assert c["verdict"] == "consistent-at-vintage", c["explanation"]
        v = c["at_vintage"]
        assert (v["as_of"], v["export_date"], v["next_export_date"]) == (AS_OF_EARLY_2025, then, following)
        assert v["figure"] == c["figure"] == at[(then, claim.country)] == NOTABLE_2024_AT_VINTAGE[claim.country][3]
        assert v["next_figure"] == at[(following, claim.country)] == NOTABLE_2024_AT_VINTAGE[claim.country][4]
        assert (c["now"]["export_date"], c["now"]["figure"]) == (newest, at[(newest, claim.country)])
        assert v["figure"] < claim.value <= v["next_figure"]  # between the vintages, and not equal to the first
        assert f"data of {then}, in force on {AS_OF_EARLY_2025}" in c["explanation"]
        assert f"the figure was {v['figure']:.0f}, {v['next_figure']:.0f} at the next ({following})" in c["explanation"]
        assert c["coverage"]["method"] == "none"  # one source's own list: nothing to estimate


def test_waic_claims_carry_coverage(checked: dict[str, dict[str, Any]]) -> None:
    for cid in WAIC:
        c = checked[cid]
        cov = c["coverage"]
        assert {"listed", "estimate", "ci_low", "ci_high", "method", "sources"} <= set(cov)
        assert set(cov["sources"]) == {"epoch", "huggingface", "openrouter", "lmarena"}
        assert c["at_vintage"]["export_date"] <= "2025-07-27" < c["at_vintage"]["next_export_date"]
        if cov["estimate"] is not None:
            assert cov["ci_low"] <= cov["estimate"] <= cov["ci_high"]
            assert cov["estimate"] >= cov["listed"]  # models no source lists only add
    count = checked["waic-2025-count"]
    # the sources list far fewer Chinese large models than 1,509: an open-world count above what is listed is
    # beyond what they can see, never contradicted by it
    assert count["figure"] < 1509 and count["verdict"] == "not-checkable"


def test_each_figure_is_labelled_with_the_vintage_it_reads(
    checked: dict[str, dict[str, Any]], full_census: mc.Census
) -> None:
    """A claim's export dates (then and now) are those of the snapshots its definition's figure reads: for
    large-models (all models) as of 2025-07-27 that is Epoch's file of all models of 2024-11-25, not the
    notable and large-scale files of 2025-05-20 that do not hold the population."""
    newest: dict[tuple[str, date | None], str | None] = {}
    for claim in load_claims(CLAIMS):
        c = checked[claim.id]
        for as_of in {None, claim.as_of}:
            if (claim.definition, as_of) not in newest:
                snaps = full_census.count_definition(claim.definition, as_of=as_of).provenance.snapshot_list
                dated = [s["data_date"] for s in snaps if s["data_date"] != "unknown"]
                newest[(claim.definition, as_of)] = max(dated) if dated else None
        assert c["now"]["export_date"] == newest[(claim.definition, None)], claim.id
        if claim.as_of is not None:
            assert c["at_vintage"]["export_date"] == newest[(claim.definition, claim.as_of)], claim.id
            assert f"data of {c['at_vintage']['export_date']}, in force on" in c["explanation"]


def test_verdicts_follow_from_the_figures(checked: dict[str, dict[str, Any]], full_census: mc.Census) -> None:
    """Each verdict of the run is what :func:`verdict_of` says of the figures the run reports."""
    definitions = full_census.definitions()
    for claim in load_claims(CLAIMS):
        c = checked[claim.id]
        v = c["at_vintage"]
        in_force = (v["export_date"] if v else c["now"]["export_date"]) is not None
        again = verdict_of(
            claim,
            c["figure"],
            v["next_figure"] if v else None,
            in_force,
            c["coverage"],
            len(definitions[claim.definition].sources) > 1,
        )
        assert again == c["verdict"], claim.id


# -- (b) the verdict rules, one by one ------------------------------------------------------------------------


def claim(value: float = 40, comparison: str = "==", metric: str = "count", **kw: Any) -> Claim:
    base: dict[str, Any] = dict(
        id="c", claim="x", metric=metric, country="CN", comparison=comparison, value=value, definition="d"
    )
    return Claim(**{**base, **kw})


DATED = {"as_of": date(2025, 3, 1)}
NO_COVERAGE = {"listed": None, "estimate": None, "ci_low": None, "ci_high": None, "method": "none"}


def test_holds() -> None:
    assert holds(claim(40), 40) is True
    assert holds(claim(40), 39) is False
    assert holds(claim(40, tolerance=1), 39) is True
    assert holds(claim(40, ">="), 41) is True and holds(claim(40, ">="), 39.9) is False
    assert holds(claim(40, "<"), 40) is False and holds(claim(40, "<="), 40) is True
    assert holds(claim(0.4, ">", "share"), 0.41) is True
    assert holds(claim(40), None) is None


def test_supported() -> None:
    assert verdict_of(claim(40, **DATED), 40, 48, True, NO_COVERAGE, False) == "supported"
    assert verdict_of(claim(30, ">="), 40, None, True, None, True) == "supported"


def test_contradicted_closed_definition_outside_both_vintages() -> None:
    # one source's own list (closed): 40 is neither the figure then (39) nor between it and the next (38)
    assert verdict_of(claim(40, **DATED), 39, 38, True, NO_COVERAGE, False) == "contradicted"
    # a count above what a closed list holds is contradicted (nothing beyond the list is counted)
    assert verdict_of(claim(1509, ">=", **DATED), 131, 138, True, NO_COVERAGE, False) == "contradicted"
    # without as_of there is no next vintage to be consistent with
    assert verdict_of(claim(40), 39, None, True, NO_COVERAGE, False) == "contradicted"


def test_consistent_at_vintage() -> None:
    assert verdict_of(claim(40, **DATED), 39, 48, True, NO_COVERAGE, False) == "consistent-at-vintage"
    assert verdict_of(claim(15, **DATED), 10, 24, True, NO_COVERAGE, False) == "consistent-at-vintage"
    assert verdict_of(claim(40, **DATED), 48, 39, True, NO_COVERAGE, False) == "consistent-at-vintage"  # fell
    # the next figure alone does not make a claim without as_of consistent
    assert verdict_of(claim(40), 39, 48, True, NO_COVERAGE, False) == "contradicted"


def test_not_checkable_without_an_export_in_force() -> None:
    assert verdict_of(claim(40, **DATED), None, 57, False, NO_COVERAGE, False) == "not-checkable"
    # nothing in force is never "supported" either, whatever the figure
    assert verdict_of(claim(40, **DATED), 40, 40, False, NO_COVERAGE, False) == "not-checkable"
    assert verdict_of(claim(0.4, ">=", "share"), None, None, False, NO_COVERAGE, False) == "not-checkable"


def test_not_checkable_inside_the_coverage_interval_never_contradicted() -> None:
    coverage = {"listed": 404, "estimate": 450.0, "ci_low": 421.0, "ci_high": 491.0, "method": "log-linear"}
    for open_world in (True, False):
        for comparison, value in (("==", 480), (">=", 480), ("<=", 430)):
            c = claim(value, comparison, **DATED)
            figure = 404 if comparison != "<=" else 460
            assert not holds(c, figure)
            assert verdict_of(c, figure, figure, True, coverage, open_world) == "not-checkable", (comparison, value)
    # outside the interval, below what is listed: contradicted even in an open world
    assert verdict_of(claim(300, "==", **DATED), 404, 404, True, coverage, True) == "contradicted"
    assert verdict_of(claim(300, "<=", **DATED), 404, 404, True, coverage, True) == "contradicted"


def test_not_checkable_open_world_count_above_what_is_listed() -> None:
    coverage = {"listed": 404, "estimate": 450.0, "ci_low": 421.0, "ci_high": 491.0, "method": "log-linear"}
    assert verdict_of(claim(1509, ">=", **DATED), 131, 138, True, coverage, True) == "not-checkable"
    assert verdict_of(claim(1509, "==", **DATED), 131, 138, True, coverage, True) == "not-checkable"
    # the same claim about a closed list is contradicted
    assert verdict_of(claim(1509, ">=", **DATED), 131, 138, True, coverage, False) == "contradicted"
    # an open-world share with the estimates withheld cannot be settled; with them, it can
    share = claim(0.40, ">=", "share", **DATED)
    assert verdict_of(share, 0.33, 0.32, True, {**NO_COVERAGE, "method": "log-linear"}, True) == "not-checkable"
    settled = {"estimate": 0.34, "ci_low": 0.33, "ci_high": 0.36}
    assert verdict_of(share, 0.33, 0.32, True, settled, True) == "contradicted"


def test_format_figure() -> None:
    assert format_figure(914, "count") == "914"
    assert format_figure(914.0, "count") == "914"
    assert format_figure(1509, "count") == "1,509"
    assert format_figure(0.26, "share") == "26.0%"
    assert format_figure(None, "share") == "n/a"
    # against a threshold: enough digits to tell the side, never a rounding onto the threshold itself
    near = format_figure(0.39996, "share", 0.40)
    assert near != "40.0%" and near != format_figure(0.40, "share", 0.40)
    assert float(near.rstrip("%")) < 40
    assert float(format_figure(0.40004, "share", 0.40).rstrip("%")) > 40
    assert format_figure(0.40, "share", 0.40) == "40.0%"
    assert format_figure(0.326, "share", 0.40) == "32.6%"  # far from it: one decimal
    assert format_figure(39.999, "count", 40) not in ("40", "40.0", "40.00")
    assert format_figure(1508.6, "count", 1509) == "1,508.6"


# -- (c) dates in claims files ------------------------------------------------------------------------------------

GOOD = """\
claims:
  - id: dated
    claim: "China released 1,509 large AI models (to 2025-07-27)"
    metric: count
    country: China
    period: {until: 2025-07-27}
    comparison: ">="
    value: 1509
    definition: large-models
    as_of: 2025-07-27
    published: "2025-07-28"
  - id: years
    claim: "x"
    metric: share
    country: us
    period: {since: 2020, until: "2024"}
    comparison: "<"
    value: 0.5
    definition: epoch-all
  - id: date-bounds
    claim: "y"
    metric: count
    country: CN
    period: {since: 2024-01-01, until: "2024-06-30"}
    comparison: "=="
    value: 1
    definition: epoch-all
"""


def test_claims_file_with_dates_loads(tmp_path: Path) -> None:
    path = tmp_path / "claims.yaml"
    path.write_text(GOOD, encoding="utf-8")
    dated, years, bounds = load_claims(path)
    assert dated.country == "CN" and dated.period == {"until": date(2025, 7, 27)}
    assert dated.as_of == date(2025, 7, 27) and dated.published == date(2025, 7, 28)
    assert years.country == "US" and years.period == {"since": 2020, "until": 2024}
    assert years.as_of is None and years.published is None
    assert bounds.period == {"since": date(2024, 1, 1), "until": date(2024, 6, 30)}


def test_date_periods_count_by_publication_date(tmp_path: Path) -> None:
    """A period of dates keeps models published inside it (the fixture's Chinese model came out 2024-06-01)."""
    path = tmp_path / "claims.yaml"
    path.write_text(GOOD, encoding="utf-8")
    bounds = load_claims(path)[2]
    with mc.open(tmp_path / "c.duckdb") as census:
        census.ingest_epoch(write_export(tmp_path / "e"))
        assert census.claims.claim_figure(bounds, "epoch-all") == 1
        earlier = Claim(**{**bounds.__dict__, "period": {"since": date(2024, 1, 1), "until": date(2024, 5, 31)}})
        assert census.claims.claim_figure(earlier, "epoch-all") == 0


BAD_FIELDS = [
    ("as_of", "    as_of: 2025-02-30\n"),
    ("as_of", "    as_of: yesterday\n"),
    ("published", "    published: 2025-13-01\n"),
    ("period", "    period: {until: 2025-02-30}\n"),
    ("period", "    period: {since: July 2025}\n"),
]


@pytest.mark.parametrize(("field", "line"), BAD_FIELDS)
def test_bad_dates_name_the_claim_and_field(tmp_path: Path, field: str, line: str, full_census_path: Path) -> None:
    path = tmp_path / "claims.yaml"
    path.write_text(
        GOOD + "  - id: broken\n    claim: z\n    metric: count\n    country: CN\n"
        "    comparison: '>='\n    value: 1\n    definition: epoch-all\n" + line,
        encoding="utf-8",
    )
    with pytest.raises(InputFormatError) as caught:
        load_claims(path)
    assert caught.value.column == field
    assert "(claim 4)" in str(caught.value) and "YYYY-MM-DD" in str(caught.value)
    result = runner.invoke(app, ["check", str(path), "--db", str(full_census_path)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert result.stderr.count("\n") == 1 and "(claim 4)" in result.stderr and repr(field) in result.stderr
