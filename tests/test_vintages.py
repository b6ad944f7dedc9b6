"""Vintages: one figure per stored Epoch export, and the listing lag that says which years are still filling in.

The shared data holds six Epoch vintages; each test computes what a vintage's own raw files say with the csv
module and compares the census (CLI and library) with it. The listing lag is tested on small synthetic
exports whose back-filling is known by construction.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

import modelcensus as mc
from modelcensus.metrics.completeness import (
    COMPLETE_SHARE,
    MIN_GROUP_FINAL,
    MIN_GROUP_YEARS,
    LagCurve,
    assess,
    months_after_year,
)
from modelcensus.metrics.vintages import DAYS_PER_MONTH, MATURE_MONTHS
from modelcensus.outputs.cli.app import app

from epoch_fixtures import write_export
from known_answers import VINTAGE_DATES

runner = CliRunner()

VINTAGE_KEYS = {
    "export_id",
    "export_date",
    "roles",
    "covers",
    "group",
    "group_name",
    "count",
    "models",
    "denominator",
    "share",
}
COUNTRIES = {"US": "United States of America", "CN": "China"}


def run_json(*args: str) -> Any:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# -- the raw files, read with the csv module only -----------------------------------------------------------


def _name(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _country(row: dict[str, str]) -> str:
    return row.get("Country (from Organization)") or row.get("Country (of organization)") or ""


@dataclass
class RawVintage:
    """What one vintage's files say: every model (merged by name) and whether it is notable."""

    day: date
    roles: set[str] = field(default_factory=set)
    models: dict[str, dict[str, object]] = field(default_factory=dict)

    def add(self, path: Path) -> None:
        lower = path.name.lower()
        role = (
            "notable"
            if "notable_ai_models" in lower
            else "large_scale"
            if "large_scale" in lower
            else "frontier"
            if "frontier" in lower
            else "all"
        )
        self.roles.add(role)
        for row in _rows(path):
            name = _name(row.get("Model") or row.get("System") or "")
            if not name:
                continue
            model = self.models.setdefault(
                name, {"year": None, "country": "", "notable_file": False, "criteria": False}
            )
            model["year"] = model["year"] or (row.get("Publication date") or "")[:4] or None
            model["country"] = model["country"] or _country(row)
            model["notable_file"] = bool(model["notable_file"]) or role == "notable"
            model["criteria"] = bool(model["criteria"]) or bool((row.get("Notability criteria") or "").strip())

    def notable(self, name: str) -> bool:
        model = self.models[name]
        # a vintage with Epoch's notable file: its rows; with only a file of all models: non-empty criteria
        return bool(model["notable_file"] if "notable" in self.roles else model["criteria"])

    def figure(self, year: str, notable: bool) -> dict[str, int]:
        chosen = [m for n, m in self.models.items() if m["year"] == year and (not notable or self.notable(n))]
        out = {code: sum(country in str(m["country"]) for m in chosen) for code, country in COUNTRIES.items()}
        out["models"] = len(chosen)
        return out


@pytest.fixture(scope="module")
def raw_vintages(shared: Path) -> dict[date, RawVintage]:
    epoch = shared / "epoch_ai"
    files = sorted((epoch / "vintages").glob("*.csv")) + sorted(epoch.glob("*_cset_zip/*.csv"))
    out: dict[date, RawVintage] = {}
    for path in files:
        folder = path.parent.name if path.parent.name != "vintages" else path.name
        day = date.fromisoformat(folder[:10])  # every vintage's file (or folder) name starts with its date
        out.setdefault(day, RawVintage(day)).add(path)
    assert list(out) == sorted(VINTAGE_DATES), sorted(out)  # the 2025-05-20 notable and large-scale files are one
    return dict(sorted(out.items()))


# -- vintages on the shared data ------------------------------------------------------------------------------


def test_notable_2024_at_each_vintage_equals_its_own_file(
    raw_vintages: dict[date, RawVintage], full_census_path: Path, full_census: mc.Census
) -> None:
    """Notable models of 2024 read --as-of each vintage's date = that vintage's own file, three ways."""
    db = str(full_census_path)
    rows = run_json("vintages", "--by", "country", "--year", "2024", "--notable", "--format", "json", "--db", db)
    assert isinstance(rows, list) and rows
    assert all(set(r) == VINTAGE_KEYS for r in rows)
    by_date: dict[str, list[dict[str, object]]] = {}
    for r in rows:
        by_date.setdefault(str(r["export_date"]), []).append(r)
    assert list(by_date) == [d.isoformat() for d in raw_vintages], "one figure per vintage, oldest first"
    for day, raw in raw_vintages.items():
        expected = raw.figure("2024", notable=True)
        when = day.isoformat()
        # the vintages command
        at = {r["group"]: r for r in by_date[when]}
        assert {c: at[c]["count"] for c in COUNTRIES} == {c: expected[c] for c in COUNTRIES}, when
        assert {r["denominator"] for r in by_date[when]} == {expected["models"]}
        assert len({r["export_id"] for r in by_date[when]}) == 1
        assert all(r["covers"] is True for r in by_date[when]), "every vintage holds the notable models"
        assert set(by_date[when][0]["roles"]) == raw.roles
        for r in by_date[when]:
            assert r["share"] == pytest.approx(r["count"] / r["denominator"])
        # count --definition epoch-notable --as-of
        counted = run_json(
            "count", "--definition", "epoch-notable", "--year", "2024", "--as-of", when, "--format", "json", "--db", db
        )
        got = {r["group"]: r for r in counted}
        assert {c: got[c]["count"] for c in COUNTRIES} == {c: expected[c] for c in COUNTRIES}, when
        assert got["US"]["denominator"] == expected["models"]
        # the library
        frame = full_census.count(by="country", year=2024, notable=True, as_of=when).frame
        lib = dict(zip(frame["group"], frame["count"], strict=True))
        assert {c: int(lib[c]) for c in COUNTRIES} == {c: expected[c] for c in COUNTRIES}, when
        assert set(frame["denominator"]) == {expected["models"]}
    # the premise: the figures really differ between vintages (Epoch back-fills), so the as-of date matters
    cn = [r.figure("2024", notable=True)["CN"] for r in raw_vintages.values()]
    assert len(set(cn)) >= 4 and cn[-1] > 3 * cn[0], cn


def test_the_vintages_figure_names_each_vintages_files(
    raw_vintages: dict[date, RawVintage], full_census: mc.Census
) -> None:
    """The figure at every vintage states the files it read: each vintage's own, with that vintage's date."""
    figure = full_census.vintages("country", year=2024, notable=True)
    snapshots = figure.provenance.snapshot_list
    assert {s["source"] for s in snapshots} == {"epoch"}
    assert sorted({s["data_date"] for s in snapshots}) == [d.isoformat() for d in raw_vintages]
    for day, raw in raw_vintages.items():
        roles = {s["role"] for s in snapshots if s["data_date"] == day.isoformat()}
        assert raw.roles <= roles, day
    # the same rows as the snapshots in force on each vintage's date (no two vintages here share a date)
    assert snapshots == [s for d in raw_vintages for s in full_census.snapshots_in_force(["epoch"], d)]


def test_all_models_figure_covers_only_vintages_with_a_file_of_all_models(
    raw_vintages: dict[date, RawVintage], full_census: mc.Census, shared: Path
) -> None:
    """An all-models figure at a notable-only vintage is marked ``covers=False``; the 2025-05-20 vintage merges
    its notable and large-scale files by model name (a model in both is one model)."""
    frame = full_census.vintages("country", year=2024).frame
    assert list(frame.columns[:4]) == ["export_id", "export_date", "roles", "covers"]
    for day, raw in raw_vintages.items():
        part = frame[frame["export_date"] == day]
        assert len(part), day
        assert set(part["covers"]) == {"all" in raw.roles}, (day, raw.roles)
        expected = raw.figure("2024", notable=False)
        got = dict(zip(part["group"], part["count"], strict=True))
        assert {c: int(got.get(c, 0)) for c in COUNTRIES} == {c: expected[c] for c in COUNTRIES}, day
        assert set(part["denominator"]) == {expected["models"]}, day
    merged = raw_vintages[date(2025, 5, 20)]
    assert merged.roles == {"notable", "large_scale"}
    files = sorted((shared / "epoch_ai" / "vintages").glob("2025-05-20_*.csv"))
    rows_2024 = sum(r["Publication date"].startswith("2024") for f in files for r in _rows(f))
    models_2024 = merged.figure("2024", notable=False)["models"]
    assert merged.figure("2024", notable=True)["models"] < models_2024 < rows_2024  # a model in both files: once


def test_vintages_table_marks_vintages_that_do_not_cover(full_census_path: Path) -> None:
    result = runner.invoke(app, ["vintages", "--year", "2024", "--db", str(full_census_path)])
    assert result.exit_code == 0, result.output
    assert "2024-10-18 *" in result.stdout and "2026-03-30 *" not in result.stdout
    assert "All models (denominator)" in result.stdout


def test_lag_on_the_shared_data_marks_2025_filling_in(shared: Path, full_census_path: Path) -> None:
    out = run_json("lag", "--notable", "--format", "json", "--db", str(full_census_path))
    assert isinstance(out, dict) and set(out) == {"basis", "years", "observations"}
    years = {y["year"]: y for y in out["years"]}
    raw = _rows(shared / "epoch_ai" / "2026-03-30_cset_zip" / "notable_ai_models.csv")
    listed_2025 = len({_name(r["Model"]) for r in raw if r["Publication date"].startswith("2025")})
    y2025 = years[2025]
    assert y2025["listed"] == listed_2025
    assert y2025["export_date"] == "2026-03-30"
    assert y2025["complete"] is False
    assert y2025["estimate"] > y2025["listed"]
    assert y2025["estimate_low"] <= y2025["estimate"] <= y2025["estimate_high"]
    assert years[2022]["complete"] is True and years[2022]["estimate"] == years[2022]["listed"]
    # the observations: older vintages only, ratio = count / final, lag from the end of the year
    newest = max(str(o["export_date"])[:10] for o in out["observations"])
    assert newest < "2026-03-30"
    for o in out["observations"]:
        assert o["ratio"] == pytest.approx(o["count"] / o["final"])
        day = date.fromisoformat(str(o["export_date"])[:10])
        assert o["lag_months"] == pytest.approx((day - date(o["year"] + 1, 1, 1)).days / DAYS_PER_MONTH)
        assert (date(2026, 3, 30) - date(o["year"] + 1, 1, 1)).days >= int(MATURE_MONTHS * DAYS_PER_MONTH)
    assert "6 vintages" in out["basis"]


# -- the listing lag on a synthetic world with known back-filling ---------------------------------------------

V1, V2, V3 = date(2023, 3, 31), date(2023, 9, 30), date(2024, 6, 30)
WORLD: dict[date, dict[int, int]] = {
    # models of each year listed at each vintage (half US, half China); 2021 and 2022 are complete at V3
    V1: {2021: 18, 2022: 10, 2023: 1},
    V2: {2021: 20, 2022: 16, 2023: 4},
    V3: {2021: 20, 2022: 20, 2023: 12, 2024: 2},
}


def _world_rows(day: date) -> list[tuple[str, ...]]:
    modified = f"{day.isoformat()} 00:00:00+00:00"  # Last modified = the vintage's date: dated by its data
    rows = []
    for year, n in WORLD[day].items():
        for i in range(n):
            org, country = ("OpenAI", "United States of America") if i % 2 == 0 else ("Alibaba", "China")
            rows.append(
                (f"M{year}-{i}", "Language", org, f"{year}-06-01", "", "7e9", "", "", "", country, modified, "", "")
            )
    return rows


def _write_world(root: Path, days: list[date]) -> Path:
    for day in days:
        write_export(root / f"{day.isoformat()}_epoch", notable=False, rows=_world_rows(day))
    return root


@dataclass
class World:
    db: Path
    build_json: dict[str, object]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    """``modelcensus build --from`` over three dated synthetic exports."""
    root = tmp_path_factory.mktemp("lagworld")
    data = _write_world(root / "data", [V1, V2, V3])
    db = root / "census.duckdb"
    result = runner.invoke(app, ["build", "--from", str(data), "--db", str(db), "--format", "json"])
    assert result.exit_code == 0, result.output
    return World(db, json.loads(result.stdout))


@pytest.fixture()
def world_census(world: World) -> Iterator[mc.Census]:
    with mc.open(world.db, read_only=True) as census:
        yield census


def _mature(year: int, newest: date) -> bool:
    return (newest - date(year + 1, 1, 1)).days >= int(MATURE_MONTHS * DAYS_PER_MONTH)


def test_world_is_stored_as_three_dated_vintages(world_census: mc.Census) -> None:
    listing = world_census.vintage_list()
    assert list(listing["export_date"]) == [V1, V2, V3]


def test_lag_observations_of_the_world(world_census: mc.Census) -> None:
    observed, curves = world_census.listing_lag()
    obs = observed.frame
    mature = [y for y in WORLD[V3] if _mature(y, V3)]
    assert mature == [2021, 2022]
    expected = {
        (y, v): (WORLD[v].get(y, 0), WORLD[V3][y], (v - date(y + 1, 1, 1)).days / DAYS_PER_MONTH)
        for y in mature
        for v in (V1, V2)
    }
    got = {(int(r.year), pd.Timestamp(r.export_date).date()): r for r in obs.itertuples(index=False)}
    assert set(got) == set(expected)
    for key, (count, final, lag) in expected.items():
        r = got[key]
        assert (r.count, r.final) == (count, final), key
        assert r.ratio == pytest.approx(count / final)
        assert r.lag_months == pytest.approx(lag)
    curve = curves[""]
    assert curve.vintages == 3 and curve.reference_years == [2021, 2022]
    assert curve.basis().startswith("3 vintages, 2 reference years (2021–2022), 4 observations")


def test_year_status_of_the_world(world_census: mc.Census) -> None:
    status = world_census.year_status(2021, 2024).frame
    years = {int(r.year): r for r in status.itertuples(index=False)}
    assert set(years) == {2021, 2022, 2023, 2024}
    assert all(r.export_date == V3 for r in years.values())
    for year, r in years.items():
        assert r.listed == WORLD[V3][year]
        lag = months_after_year(year, V3)
        assert (r.lag_months == pytest.approx(lag, abs=0.05)) if lag >= 0 else pd.isna(r.lag_months)
    # an old, fully listed year: complete, its estimate is what is listed
    old = years[2021]
    assert old.complete and old.estimate == old.listed == 20
    # a recent year with few listings: still filling in, the estimate above the listing and inside its range;
    # its lag (6 months) lies between the observations of 3 months (half listed) and 9 months (80% listed)
    recent = years[2023]
    lo_share, hi_share = WORLD[V1][2022] / WORLD[V3][2022], WORLD[V2][2022] / WORLD[V3][2022]
    assert not recent.complete
    assert lo_share < recent.share_listed < hi_share
    assert recent.estimate > recent.listed
    assert recent.estimate == pytest.approx(recent.listed / recent.share_listed, abs=0.5)
    assert recent.estimate_low <= recent.estimate <= recent.estimate_high
    assert recent.estimate_low == pytest.approx(recent.listed / hi_share, abs=0.5)
    assert recent.estimate_high == pytest.approx(recent.listed / lo_share, abs=0.5)
    # a year whose lag comes before any observation (it is not even over): no estimate
    young = years[2024]
    assert not young.complete and pd.isna(young.estimate) and young.basis == "the year is not over"
    sentences = [s.describe() for s in world_census.year_statuses(status)]
    assert "2023 is still filling in: 12 listed" in sentences[2]
    assert sentences[0].startswith("2021: complete")


def test_year_status_by_country_reads_the_curve_its_data_can_carry(world_census: mc.Census) -> None:
    status = world_census.year_status(2021, 2024, by="country").frame
    got = {(r.group, int(r.year)): r for r in status.itertuples(index=False)}
    for code in ("US", "CN"):
        assert got[(code, 2023)].listed == WORLD[V3][2023] // 2
        assert not got[(code, 2023)].complete
        assert got[(code, 2023)].estimate > got[(code, 2023)].listed
        assert got[(code, 2021)].complete
    # each country has two reference years of 10 models: fewer than a curve of its own needs, so every country reads
    # the curve of all countries together (its shares are the same in this world)
    assert MIN_GROUP_YEARS > 2 and MIN_GROUP_FINAL > 10
    assert set(status["curve"]) == {"all groups"}


def test_lag_json_shape_on_the_world(world: World, world_census: mc.Census) -> None:
    out = run_json("lag", "--format", "json", "--db", str(world.db))
    assert isinstance(out, dict) and set(out) == {"basis", "years", "observations"}
    assert out["basis"] == world_census.listing_lag()[1][""].basis()
    assert {
        "group",
        "group_name",
        "year",
        "listed",
        "complete",
        "lag_months",
        "share_listed",
        "estimate",
        "estimate_low",
        "estimate_high",
        "basis",
        "export_date",
    } <= set(out["years"][0])
    assert {"year", "export_id", "export_date", "lag_months", "count", "final", "ratio"} <= set(out["observations"][0])
    assert len(out["observations"]) == 4
    years = {y["year"]: y for y in out["years"]}
    assert years[2023]["complete"] is False and years[2023]["estimate"] > years[2023]["listed"]
    assert years[2024]["estimate"] is None
    table = runner.invoke(app, ["lag", "--db", str(world.db)])
    assert table.exit_code == 0, table.output
    assert "2023 is still filling in" in table.stdout


def test_build_headline_marks_only_the_years_filling_in(world: World, world_census: mc.Census) -> None:
    headline = world.build_json["models_by_country_year"]
    assert isinstance(headline, list) and headline
    columns = set(headline[0])
    shown = sorted(int(c.rstrip("*")) for c in columns if c.rstrip("*").isdigit())
    assert shown == [2021, 2022, 2023]  # up to the newest year that is over at the newest vintage (2024-06-30)
    filling = {
        int(r.year)
        for r in world_census.year_status(min(shown), max(shown)).frame.itertuples(index=False)
        if not r.complete
    }
    assert filling == {2023}
    for year in shown:
        assert (f"{year}*" in columns) == (year in filling), columns
        assert (str(year) in columns) == (year not in filling), columns
    total = next(r for r in headline if r["country"] == "All models (denominator)")
    assert [total[str(y)] for y in (2021, 2022)] + [total["2023*"]] == [WORLD[V3][y] for y in shown]
    notes = world.build_json["years_filling_in"]
    assert isinstance(notes, list) and len(notes) == 1
    assert notes[0].startswith("* 2023 is still filling in: 12 listed")


def test_year_status_as_of_reads_only_the_vintages_then(tmp_path: Path, world_census: mc.Census) -> None:
    """Read as of V2, the years' status is what a store holding only V1 and V2 says: no later vintage leaks in."""
    with mc.open(tmp_path / "then.duckdb") as then:
        for day in (V1, V2):
            then.ingest_epoch(_write_world(tmp_path / "then", [day]) / f"{day.isoformat()}_epoch", dated=day)
        expected = then.year_status(2021, 2023).frame
        expected_obs = then.listing_lag()[0].frame
    got = world_census.year_status(2021, 2023, as_of=V2).frame
    columns = ["year", "listed", "complete", "share_listed", "estimate", "estimate_low", "estimate_high", "basis"]
    pd.testing.assert_frame_equal(got[columns], expected[columns], check_dtype=False)
    # as of V2 only 2021 is mature: 2022 (9 months after its end) precedes every observation, so no estimate
    y2022 = got[got["year"] == 2022].iloc[0]
    assert not y2022["complete"] and pd.isna(y2022["estimate"])
    obs = world_census.listing_lag(as_of=V2)[0].frame
    assert len(obs) == len(expected_obs) == 1
    assert all(pd.Timestamp(d).date() <= V2 for d in obs["export_date"])


def test_kept_lag_and_year_status_are_never_stale_nor_shared(tmp_path: Path, world_census: mc.Census) -> None:
    """A census keeps a curve and a year's status while its data stay the same: a caller's changes to an answer
    never reach the next one, and a vintage ingested since is read (the same answers as a store built with it)."""
    with mc.open(tmp_path / "growing.duckdb") as growing:
        for day in (V1, V2):
            growing.ingest_epoch(_write_world(tmp_path / "grow", [day]) / f"{day.isoformat()}_epoch", dated=day)
        before = growing.year_status(2021, 2023).frame.copy()
        mine = growing.year_status(2021, 2023).frame
        mine.loc[:, "listed"] = -1  # a caller changes its own copy
        pd.testing.assert_frame_equal(growing.year_status(2021, 2023).frame, before)
        lag, curves = growing.listing_lag()
        curves.clear()
        assert "" in growing.listing_lag()[1] and len(growing.listing_lag()[0].frame) == len(lag.frame)
        growing.ingest_epoch(_write_world(tmp_path / "grow", [V3]) / f"{V3.isoformat()}_epoch", dated=V3)
        after = growing.year_status(2021, 2023).frame
        columns = ["year", "listed", "complete", "share_listed", "estimate", "estimate_low", "estimate_high", "basis"]
        expected = world_census.year_status(2021, 2023).frame
        pd.testing.assert_frame_equal(after[columns], expected[columns], check_dtype=False)
        assert not after[columns].equals(before[columns])
        assert growing.listing_lag()[1][""].basis() == world_census.listing_lag()[1][""].basis()


def test_lag_cli_as_of_years_match_the_library(world: World, world_census: mc.Census) -> None:
    out = run_json("lag", "--as-of", V2.isoformat(), "--format", "json", "--db", str(world.db))
    years = {y["year"]: y for y in out["years"]}
    assert all(y["export_date"] == V2.isoformat() for y in years.values())
    assert years[2022]["estimate"] is None and years[2022]["listed"] == WORLD[V2][2022]


def test_lag_cli_as_of_observations_are_those_of_the_date(world: World, world_census: mc.Census) -> None:
    out = run_json("lag", "--as-of", V2.isoformat(), "--format", "json", "--db", str(world.db))
    _, curves = world_census.listing_lag(as_of=V2)
    assert out["basis"] == curves[""].basis()
    # as of V2 the one observation is 2021 at V1 against 2021's count at V2 (not at the later V3)
    assert [(o["year"], o["final"]) for o in out["observations"]] == [(2021, WORLD[V2][2021])]


# -- the curve itself -----------------------------------------------------------------------------------------


def _curve(points: list[tuple[int, float, float]]) -> LagCurve:
    obs = pd.DataFrame(
        [
            {"year": y, "export_id": f"e{i}", "lag_months": lag, "ratio": r, "final": 50}
            for i, (y, lag, r) in enumerate(points)
        ]
    )
    return LagCurve.from_observations(obs)


def test_assess_before_any_observation_gives_no_estimate() -> None:
    curve = _curve([(2020, 6.0, 0.5), (2020, 18.0, 0.9), (2019, 30.0, 1.0)])
    # 0.5 months after the year ended: more than WINDOW_MONTHS before the first observation (6 months)
    early = assess(2024, 40, date(2025, 1, 16), curve)
    assert early.lag_months == pytest.approx(0.49, abs=0.01)
    assert not early.complete and early.estimate is None and early.low is None
    assert "no estimate" in early.describe()
    mid = assess(2024, 40, date(2025, 7, 1), curve)  # 6 months: the observation there says half listed
    assert mid.share == pytest.approx(0.5) and mid.estimate == pytest.approx(80)
    late = assess(2021, 40, date(2025, 1, 1), curve)  # 36 months: beyond every observation, all listed
    assert late.complete and late.estimate == 40 and late.share >= COMPLETE_SHARE


def test_a_curve_reads_each_lag_once_and_the_same_as_afresh() -> None:
    # a page reads every year of every country on one curve: the share at a lag is read once, and it is what a
    # curve that read no other lag before says (near observations, interpolated, before and after them all)
    points = [(2020, 6.0, 0.5), (2020, 7.0, 0.6), (2020, 18.0, 0.9), (2019, 30.0, 1.0), (2021, 12.0, 0.7)]
    curve = _curve(points)
    lags = [0.5, 6.5, 15.0, 24.0, 40.0, 6.5, 0.5, 12.0]
    read = [curve.share_at(lag) for lag in lags]
    assert read[0] is None and read[1] is not None and read[2] is not None and "interpolated" in read[2].how
    for lag, share in zip(lags, read, strict=True):
        assert _curve(points).share_at(lag) == share
    assert read[1] is read[5] and sorted(curve._shares) == sorted(set(lags))


def test_no_curve_without_observations() -> None:
    curve = _curve([])
    assert curve.empty and curve.basis() == "no vintages old enough to measure the listing lag"
    status = assess(2024, 10, date(2025, 6, 1), curve)
    assert status.estimate is None and not status.complete


# -- years that cannot be filling in, and estimates with no range ----------------------------------------------


def test_a_year_mature_at_every_vintage_is_complete(full_census: mc.Census) -> None:
    """On the shared data the curve of all models rests on two vintages (2024-11-25, 2026-03-30). A year that had
    ended 12 months before the older one (2017: 83 months before it) is complete, whatever the single reference
    year observed near its lag says (2016 grew from 71 to 89 between the two: a revision, not a lag, which read at
    2017's lag of 99 months called 2017 "still filling in"); the years the older vintage saw young are still read on
    the curve."""
    _, curves = full_census.listing_lag()
    first = curves[""].first_vintage
    listing = full_census.vintage_list()
    assert first == min(d for d, roles in zip(listing["export_date"], listing["roles"], strict=True) if "all" in roles)
    assert first == date(2024, 11, 25)
    status = full_census.year_status(2010, 2026).frame
    years = {int(r.year): r for r in status.itertuples(index=False)}
    for year, r in years.items():
        if months_after_year(year, first) >= MATURE_MONTHS:
            assert r.complete, (year, r.basis)
            assert r.estimate == r.listed and r.basis.startswith("ended at least 12 months before the oldest vintage")
    assert years[2017].complete  # was "still filling in, 99 months after the year ended"
    assert not years[2024].complete and years[2024].estimate > years[2024].listed  # still read on the curve
    by_country = full_census.year_status(2015, 2019, by="country").frame
    assert by_country[by_country["group"].isin(["US", "CN"])]["complete"].all()


def test_the_curve_rule_for_mature_years_on_a_synthetic_curve() -> None:
    obs = pd.DataFrame(
        [
            {"year": y, "export_id": "e0", "lag_months": lag, "ratio": r, "final": 50}
            for y, lag, r in [(2015, 100.0, 0.8), (2016, 88.0, 0.8), (2022, 10.0, 0.6), (2021, 22.0, 0.95)]
        ]
    )
    vintage = date(2023, 11, 1)
    curve = LagCurve.from_observations(obs, first_vintage=vintage)
    old = assess(2016, 40, date(2025, 5, 1), curve)  # 100 months: the curve says 80%, but it ended long before
    assert old.complete and old.estimate == 40 and "2023-11-01" in old.basis
    without = assess(2016, 40, date(2025, 5, 1), LagCurve.from_observations(obs))  # no vintage date: the curve
    assert not without.complete
    young = assess(2023, 30, date(2024, 11, 1), curve)  # 10 months; 2023 was not over at the oldest vintage
    assert not young.complete and young.share == pytest.approx(0.6)


def test_an_estimate_from_one_observation_has_no_range() -> None:
    curve = _curve([(2020, 6.0, 0.5), (2020, 18.0, 0.9), (2019, 30.0, 1.0)])
    one = assess(2024, 40, date(2025, 7, 1), curve)  # 6 months: one observation there
    assert one.estimate == pytest.approx(80) and one.low == one.high and not one.ranged
    sentence = one.describe()
    assert "no range" in sentence and "80–80" not in sentence and "range 80" not in sentence
    assert re.search(r"one observation within 2 months of 5\.9$", one.basis)
    two = _curve([(2020, 6.0, 0.5), (2021, 6.5, 0.4), (2019, 30.0, 1.0)])
    ranged = assess(2024, 40, date(2025, 7, 1), two)
    assert ranged.ranged and "(range 80–100" in ranged.describe()


def test_large_scale_estimates_on_the_shared_data_say_they_have_no_range(full_census: mc.Census) -> None:
    """The large-scale curve has one observation near 3 and near 15 months: the report's sentences for 2024 and
    2025 give the estimate without a range (they read "155–155" and "168–168")."""
    from modelcensus.outputs.report.years import YearMarker

    marker = YearMarker(full_census)
    definition = full_census.definition("large-scale")
    counts = full_census.count_definition_by_year("large-scale", 2020, 2025).frame.groupby("year")["denominator"]
    marks = marker.definition_marks(definition, {int(y): float(c) for y, c in counts.first().items()})
    sentences = marks.sentences("large-scale")
    assert [s.split(" is still")[0] for s in sentences] == ["large-scale in 2024", "large-scale in 2025"]
    for s in sentences:
        assert "no range" in s and "one observation within" in s
        assert not re.search(r"range (\d[\d,]*)–\1\b", s), s


def test_a_year_not_over_has_no_lag(full_census_path: Path) -> None:
    out = run_json("lag", "--format", "json", "--db", str(full_census_path))
    y2026 = next(y for y in out["years"] if y["year"] == 2026)
    assert y2026["lag_months"] is None and y2026["estimate"] is None and y2026["basis"] == "the year is not over"
    assert all(y["lag_months"] >= 0 for y in out["years"] if y["year"] < 2026)
    table = runner.invoke(app, ["lag", "--db", str(full_census_path)])
    assert "-9.1" not in table.stdout
