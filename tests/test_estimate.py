"""Multiple-systems estimation on synthetic worlds whose true size is known (seeded numpy, no flaky draws).

Coverage rule: a 95% interval misses the truth one time in twenty, so over five fixed seeds we ask it to
cover on at least four; point estimates must land within the stated tolerance on every seed.
"""

from __future__ import annotations

import itertools
import warnings
from collections import Counter
from collections.abc import Sequence

import ibis
import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import modelcensus as mc
from modelcensus.metrics import estimate as fits
from modelcensus.metrics.estimate import (
    MAX_UNSEEN_RATIO,
    MIN_LISTED,
    MIN_OVERLAP,
    NO_GROUP,
    Estimate,
    capture_histories,
    estimate_by_group,
    estimate_population,
    link_error_sensitivity,
    members_cells,
    pattern_cells,
    pattern_cells_by_group,
    perturb_links,
)
from modelcensus.vocabulary import Period

Cells = dict[tuple[bool, ...], int]
BoolMatrix = npt.NDArray[np.bool_]
TRUTH = 2000
SEEDS = range(5)
ABC = ["a", "b", "c"]
ABCD = ["a", "b", "c", "d"]
GROUP_COLUMNS = ["group", "listed", "estimate", "ci_low", "ci_high", "method", "sources", "trusted", "reason"]


def cells_of(captured: BoolMatrix) -> Cells:
    """Count the capture patterns of the units at least one list saw (the unseen row is what is estimated)."""
    return dict(Counter(tuple(bool(v) for v in row) for row in captured if row.any()))


def independent(ps: Sequence[float], seed: int, n: int = TRUTH) -> BoolMatrix:
    rng = np.random.default_rng(seed)
    return rng.random((n, len(ps))) < np.array(ps)


def dependent(seed: int, n: int = TRUTH) -> BoolMatrix:
    """List b copies list a: 70% of what a lists against 10% of the rest; list c is independent."""
    rng = np.random.default_rng(seed)
    a = rng.random(n) < 0.3
    b = np.where(a, rng.random(n) < 0.7, rng.random(n) < 0.1)
    c = rng.random(n) < 0.4
    return np.column_stack([a, b, c])


def heterogeneous(seed: int, big: Sequence[float], small: Sequence[float], n: int = TRUTH) -> BoolMatrix:
    """A fifth of the models (big labs) are found far more often, by every list, than the rest."""
    rng = np.random.default_rng(seed)
    is_big = rng.random(n) < 0.2
    probs = np.where(is_big[:, None], np.array(big), np.array(small))
    return rng.random((n, len(big))) < probs


def members_of(captured: BoolMatrix, sources: Sequence[str]) -> pd.DataFrame:
    rows = [(f"m{i}", s) for i, row in enumerate(captured) for s, seen in zip(sources, row, strict=True) if seen]
    return pd.DataFrame(rows, columns=["unit", "source"])


def assert_no_number(est: Estimate, *words: str) -> None:
    assert not est.trusted
    assert est.estimate is None and est.ci_low is None and est.ci_high is None
    assert est.reason is not None
    for word in words:
        assert word in est.reason, est.reason


# --- worlds with a known answer -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sources", "ps"), [(ABC, (0.25, 0.4, 0.55)), (ABCD, (0.2, 0.35, 0.5, 0.6))], ids=["3 lists", "4 lists"]
)
def test_independent_lists_recover_the_truth(sources: list[str], ps: tuple[float, ...]) -> None:
    estimates = [estimate_population(cells_of(independent(ps, seed)), sources) for seed in SEEDS]
    for est in estimates:
        assert est.trusted and est.estimate is not None and est.ci_low is not None and est.ci_high is not None
        assert abs(est.estimate - TRUTH) / TRUTH < 0.10
        assert est.listed <= est.ci_low <= est.estimate <= est.ci_high
        assert est.terms == ()
        assert "lists independent, chosen by BIC; 95% profile-likelihood interval" in est.method
    covered = sum(e.ci_low is not None and e.ci_high is not None and e.ci_low <= TRUTH <= e.ci_high for e in estimates)
    assert covered >= 4


def test_two_lists_give_lincoln_petersen() -> None:
    # 180 on list a, 150 on list b, 30 on both: N = 180 · 150 / 30 = 900.
    est = estimate_population({(True, False): 150, (False, True): 120, (True, True): 30}, ["a", "b"])
    assert est.trusted and est.estimate == pytest.approx(900.0, rel=1e-6)
    assert est.ci_low is not None and est.ci_high is not None
    assert 600 < est.ci_low < 900 < est.ci_high < 1400  # skewed up, as profile intervals for N are
    assert "Lincoln–Petersen" in est.method


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(only_a=st.integers(0, 400), only_b=st.integers(0, 400), both=st.integers(0, 200))
def test_two_lists_property(only_a: int, only_b: int, both: int) -> None:
    est = estimate_population({(True, False): only_a, (False, True): only_b, (True, True): both}, ["a", "b"])
    if est.trusted:
        assert est.estimate == pytest.approx((only_a + both) * (only_b + both) / both, rel=1e-6)
        assert est.estimate is not None and est.ci_low is not None and est.ci_high is not None
        assert est.listed <= est.ci_low <= est.estimate <= est.ci_high
    else:
        assert_no_number(est)


PATTERNS3 = [p for p in itertools.product((False, True), repeat=3) if any(p)]


@settings(max_examples=20, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(counts=st.lists(st.integers(0, 150), min_size=7, max_size=7))
def test_three_lists_property(counts: list[int]) -> None:
    """Any table, zero cells included: a number with an ordered interval, or no number and a reason."""
    est = estimate_population(dict(zip(PATTERNS3, counts, strict=True)), ABC)
    if est.trusted:
        assert est.estimate is not None and est.ci_low is not None and est.ci_high is not None
        assert est.listed <= est.ci_low <= est.estimate <= est.ci_high
        assert est.estimate <= (1 + MAX_UNSEEN_RATIO) * est.listed
    else:
        assert_no_number(est)


def test_dependent_lists_need_the_interaction() -> None:
    for seed in SEEDS:
        cells = cells_of(dependent(seed))
        naive = estimate_population(cells, ABC, interactions=[])
        assert naive.estimate is not None and naive.ci_high is not None
        assert naive.estimate < 0.85 * TRUTH and naive.ci_high < TRUTH  # copying inflates overlap: too low
        chosen = estimate_population(cells, ABC)
        assert chosen.terms == ("a×b",)
        assert "interaction a×b, chosen by BIC" in chosen.method
        assert chosen.estimate is not None and chosen.ci_low is not None and chosen.ci_high is not None
        assert abs(chosen.estimate - TRUTH) / TRUTH < 0.075
        assert chosen.ci_low <= TRUTH <= chosen.ci_high


def test_mild_heterogeneity_biases_the_estimate_low_unnoticed() -> None:
    """Big labs found twice as often as the rest: no pair of lists looks dependent enough for BIC to add a
    term, so the independence model is kept, and it is low with an interval that stops short of the truth.
    The module cannot see this; docs/estimate.md says so."""
    for seed in SEEDS:
        est = estimate_population(cells_of(heterogeneous(seed, (0.6, 0.5, 0.7), (0.3, 0.25, 0.35))), ABC)
        assert est.trusted and est.estimate is not None and est.ci_high is not None
        assert est.estimate < TRUTH and est.ci_high < TRUTH


def test_strong_heterogeneity_withholds_the_number_and_states_a_floor() -> None:
    for seed in SEEDS:
        cells = cells_of(heterogeneous(seed, (0.8, 0.7, 0.9, 0.6), (0.2, 0.15, 0.25, 0.1)))
        est = estimate_population(cells, ABCD)
        assert_no_number(est, "far easier to find", "errs low", "at least about")
        assert est.heterogeneity and len(est.terms) >= 3
        assert est.at_least is not None and est.listed < est.at_least < TRUTH
        assert f"{est.at_least:,.0f}" in (est.reason or "")


# --- no number, and why --------------------------------------------------------------------------------------


def test_one_source_gives_no_number() -> None:
    assert_no_number(estimate_population({(True,): 500}, ["a"]), "Fewer than two sources")
    est = estimate_population({(True, False): 500}, ["a", "b"])  # b lists nothing: dropped
    assert_no_number(est, "Fewer than two sources")
    assert est.sources == ("a",)


def test_source_without_records_is_dropped() -> None:
    est = estimate_population({(True, False, False): 150, (False, True, False): 120, (True, True, False): 30}, ABC)
    assert est.trusted and est.sources == ("a", "b") and est.estimate == pytest.approx(900.0, rel=1e-6)
    assert "c dropped: no records" in est.method


def test_no_overlap_gives_no_number() -> None:
    assert_no_number(estimate_population({(True, False): 300, (False, True): 200}, ["a", "b"]), "no upper limit")


def test_too_few_units_give_no_number() -> None:
    cells: Cells = {(True, False): 20, (False, True): 15, (True, True): MIN_LISTED - 36}
    assert_no_number(estimate_population(cells, ["a", "b"]), f"fewer than the {MIN_LISTED}")


def test_too_little_overlap_gives_no_number() -> None:
    cells: Cells = {(True, False): 150, (False, True): 120, (True, True): MIN_OVERLAP - 1}
    assert_no_number(estimate_population(cells, ["a", "b"]), f"at least {MIN_OVERLAP} are needed")


def test_estimate_blowing_up_gives_no_number() -> None:
    # 300 and 300 with 10 in common: N = 9,000, 8,410 unseen for 590 listed.
    est = estimate_population({(True, False): 290, (False, True): 290, (True, True): 10}, ["a", "b"])
    assert_no_number(est, "8,410", f"more than {MAX_UNSEEN_RATIO:g} times")


def test_unbounded_interval_gives_no_number() -> None:
    cells: Cells = {(True, False): 499, (False, True): 499, (True, True): 1}
    est = estimate_population(cells, ["a", "b"], min_overlap=1, max_unseen_ratio=1e9)
    assert_no_number(est, "no upper limit", "no upper end")


def test_failed_fit_gives_no_number() -> None:
    cells: Cells = {(True, False): 150, (False, True): 120, (True, True): 30}
    assert_no_number(estimate_population(cells, ["a", "b"], maxiter=1), "could not be fitted", "did not converge")


def test_aic_and_fixed_interactions() -> None:
    cells = cells_of(dependent(0))
    assert "chosen by AIC" in estimate_population(cells, ABC, criterion="aic").method
    fixed = estimate_population(cells, ABC, interactions=[("b", "a")])
    assert fixed.terms == ("a×b",) and "fixed by the analyst" in fixed.method


@pytest.mark.parametrize(
    ("cells", "sources", "options"),
    [
        ({(False, False): 3}, ["a", "b"], {}),
        ({(True,): 3}, ["a", "b"], {}),
        ({(True, False): -1}, ["a", "b"], {}),
        ({(True, False): 100}, ["a", "a"], {}),
        ({(True, False): 100}, ["a", "b"], {"criterion": "cp"}),
        ({(True, False): 100}, ["a", "b"], {"level": 1.5}),
        ({(True, False): 100, (False, True): 100}, ["a", "b"], {"interactions": [("a", "b")]}),
    ],
)
def test_bad_input_raises(cells: Cells, sources: list[str], options: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        estimate_population(cells, sources, **options)  # type: ignore[arg-type]


def test_to_dict() -> None:
    est = estimate_population({(True, False): 150, (False, True): 120, (True, True): 30}, ["a", "b"])
    d = est.to_dict()
    assert set(d) == {"listed", "estimate", "ci_low", "ci_high", "method", "sources", "trusted", "reason"}
    assert d["listed"] == 300 and d["sources"] == ["a", "b"] and d["reason"] is None


# --- capture histories in Ibis --------------------------------------------------------------------------------


GROUPS = ["US", "CN", "FR", None]


def random_members(seed: int) -> pd.DataFrame:
    """Units on 0–3 of three sources plus an ignored one, in one to two groups or none, with duplicate rows."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(400):
        groups = [GROUPS[j] for j in rng.choice(len(GROUPS), size=rng.integers(1, 3), replace=False)]
        for source in ("epoch", "openrouter", "lmarena", "other"):
            if rng.random() < 0.4:
                rows += [(f"u{i}", source, g) for g in groups] * int(rng.integers(1, 3))
    return pd.DataFrame(rows, columns=["unit", "source", "group"])


def python_counts(df: pd.DataFrame, sources: list[str]) -> dict[object, Cells]:
    """The same count in plain Python: each unit's sources, then one pattern per unit and group."""
    seen: dict[str, set[str]] = {}
    groups: dict[str, set[object]] = {}
    for unit, source, group in df[["unit", "source", "group"]].itertuples(index=False, name=None):
        if source in sources:
            seen.setdefault(unit, set()).add(source)
            groups.setdefault(unit, set()).add(None if group is None or group != group else group)  # NaN: none
    out: dict[object, Cells] = {}
    for unit, srcs in seen.items():
        pattern = tuple(s in srcs for s in sources)
        for group in groups[unit]:
            cells = out.setdefault(group, {})
            cells[pattern] = cells.get(pattern, 0) + 1
    return out


@pytest.mark.parametrize("seed", [0, 1])
def test_capture_histories_match_a_python_count(seed: int) -> None:
    df = random_members(seed)
    sources = ["epoch", "openrouter", "lmarena"]
    table = ibis.memtable(df)
    grouped = capture_histories(table, sources, group_col="group").execute()
    assert list(grouped.columns) == ["group", "in_epoch", "in_openrouter", "in_lmarena", "units"]
    assert pattern_cells_by_group(grouped, sources) == python_counts(df, sources)
    overall = pattern_cells(capture_histories(table, sources).execute(), sources)
    assert overall == python_counts(df.assign(group="all"), sources)["all"]
    assert overall == members_cells(df, sources)


def test_capture_histories_compile_for_spark() -> None:
    expr = capture_histories(ibis.memtable(random_members(0)), ["epoch", "lmarena"], group_col="group")
    assert "GROUP BY" in ibis.to_sql(expr, dialect="pyspark")


def test_estimate_by_group() -> None:
    rng = np.random.default_rng(3)
    frames = []
    for group, n in (("US", 1500), ("CN", 40), (None, 800)):
        df = members_of(rng.random((n, 3)) < np.array([0.3, 0.5, 0.6]), ["epoch", "openrouter", "lmarena"])
        frames.append(df.assign(unit=df["unit"] + f"-{group}", group=group))
    members = ibis.memtable(pd.concat(frames, ignore_index=True))
    sources = ["epoch", "openrouter", "lmarena"]
    table = estimate_by_group(
        capture_histories(members, sources, "group").execute(),
        sources,
        overall=capture_histories(members, sources).execute(),
    )
    assert list(table.columns) == GROUP_COLUMNS
    rows = {g: r for g, r in zip(table["group"], table.to_dict("records"), strict=True)}
    assert table["group"].iloc[0] is None and rows[None]["trusted"]
    assert not rows["CN"]["trusted"] and "fewer than the 50" in rows["CN"]["reason"]
    assert rows[NO_GROUP]["trusted"] and rows["US"]["trusted"]
    assert rows[None]["listed"] == rows["US"]["listed"] + rows["CN"]["listed"] + rows[NO_GROUP]["listed"]
    assert rows["US"]["ci_low"] <= 1500 <= rows["US"]["ci_high"]
    assert rows["US"]["sources"] == "epoch+openrouter+lmarena"


# --- link errors --------------------------------------------------------------------------------------------


SOURCES4 = ["epoch", "huggingface", "openrouter", "lmarena"]


@pytest.fixture(scope="module")
def world_members() -> pd.DataFrame:
    return members_of(independent((0.3, 0.45, 0.5, 0.6), seed=0), SOURCES4)


def test_perturb_links(world_members: pd.DataFrame) -> None:
    by_unit = world_members.groupby("unit")["source"].nunique()
    multi, single = int((by_unit >= 2).sum()), int((by_unit == 1).sum())
    split = perturb_links(world_members, split_rate=0.1, merge_rate=0.0, seed=1)
    assert split["unit"].nunique() == len(by_unit) + round(0.1 * multi)
    merged = perturb_links(world_members, split_rate=0.0, merge_rate=0.1, seed=1)
    assert merged["unit"].nunique() == len(by_unit) - round(0.1 * single)
    for frame in (split, merged):
        assert len(frame) == len(world_members)  # records are relinked, never lost or invented
        assert not frame.duplicated(["unit", "source"]).any()  # a unit still holds one record per source
    again = perturb_links(world_members, split_rate=0.0, merge_rate=0.1, seed=1)
    pd.testing.assert_frame_equal(merged, again)
    with pytest.raises(ValueError):
        perturb_links(world_members, split_rate=1.5, merge_rate=0.0, seed=0)


def test_link_errors_move_the_estimate(world_members: pd.DataFrame) -> None:
    table = link_error_sensitivity(world_members, SOURCES4, rates=(0.02, 0.1))
    # the simulation counts its errors on bits: the same estimates as relinking the records and counting them
    for row in table.to_dict("records")[1:]:
        split, merge = (row["rate"], 0.0) if row["kind"] == "missed links" else (0.0, row["rate"])
        relinked = perturb_links(world_members, split_rate=split, merge_rate=merge, seed=0)
        assert estimate_population(members_cells(relinked, SOURCES4), SOURCES4).estimate == row["estimate"]
    assert list(table["kind"]) == ["none", "missed links", "false links", "missed links", "false links"]
    assert table["trusted"].all()
    base = table["estimate"].iloc[0]
    assert abs(base - TRUTH) / TRUTH < 0.05
    missed = table[table["kind"] == "missed links"].set_index("rate")["change"]
    false = table[table["kind"] == "false links"].set_index("rate")["change"]
    assert 0 < missed[0.02] < missed[0.1]
    assert 0 > false[0.02] > false[0.1]


# --- the fit is statsmodels' GLM ----------------------------------------------------------------------------


def statsmodels_fit(y: npt.NDArray[np.float64], x: npt.NDArray[np.float64], maxiter: int) -> object:
    """statsmodels' Poisson GLM under the checks the estimate applies: its parameters, or why there are none."""
    from statsmodels.genmod.families import Poisson  # type: ignore[import-untyped]
    from statsmodels.genmod.generalized_linear_model import GLM  # type: ignore[import-untyped]
    from statsmodels.tools.sm_exceptions import ConvergenceWarning  # type: ignore[import-untyped]

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            res = GLM(y, x, family=Poisson()).fit(maxiter=maxiter)
        except (np.linalg.LinAlgError, ValueError, FloatingPointError, OverflowError):
            return "failed"
    params, mu = np.asarray(res.params), np.asarray(res.fittedvalues)
    if any(issubclass(w.category, ConvergenceWarning) for w in caught) or not res.converged:
        return "did not converge"
    if not (np.all(np.isfinite(params)) and np.all(np.isfinite(mu))):
        return "diverged"
    if np.max(np.abs(params)) > fits._MAX_ABS_PARAM or np.any((y == 0) & (mu < fits._BOUNDARY)):
        return "boundary"
    return params


def assert_same_fits(cells: Cells, k: int, maxiter: int = 100) -> int:
    """Every candidate of a model selection over these cells: the census's IRLS and statsmodels agree on
    whether there is a fit and, when there is, on its parameters. Returns how many fits agreed on a number."""
    merged, used, _ = fits._tidy_cells(cells, k)
    if len(used) < 2:
        return 0  # screened out before any fit
    patterns = np.array(list(merged), dtype=np.float64)
    y = np.array(list(merged.values()), dtype=np.float64)
    pairs = list(itertools.combinations(range(len(used)), 2)) if len(used) >= 3 else []
    agreed = 0
    for size in range(len(pairs) + 1):
        for cand in itertools.combinations(pairs, size):
            x = fits._design(patterns, cand)
            reference = statsmodels_fit(y, x, maxiter)
            try:
                params, _ = fits._glm(y, x, maxiter)
            except fits._FitError:
                assert isinstance(reference, str), (cells, cand, reference)
                continue
            assert not isinstance(reference, str), (cells, cand, reference)
            np.testing.assert_allclose(params, reference, rtol=1e-7, atol=1e-7)
            agreed += 1
    return agreed


def _census_cells(census: mc.Census) -> tuple[list[str], list[str], list[dict[tuple[bool, ...], int]]]:
    """The all-sources estimate's cells on the shared data: its lists, its four biggest countries, and the cells of
    all models then of each of those countries."""
    listed, groups, chosen = census.coverage._memberships("all-sources", None, Period(), None)
    overall = pattern_cells(capture_histories(listed, chosen).execute(), chosen)
    grouped = pattern_cells_by_group(
        capture_histories(listed.left_join(groups, "unit").drop("unit_right"), chosen, "group").execute(), chosen
    )
    biggest = sorted(grouped, key=lambda g: -sum(grouped[g].values()))[:4]
    return chosen, biggest, [overall, *(grouped[g] for g in biggest)]


def test_the_fit_is_statsmodels_glm_on_the_census_cells(full_census: mc.Census) -> None:
    chosen, biggest, census_cells = _census_cells(full_census)
    assert len(chosen) >= 3 and {"US", "CN"} <= set(biggest)
    for cells in census_cells:
        assert assert_same_fits(cells, len(chosen)) >= 1
    assert assert_same_fits(census_cells[0], len(chosen), maxiter=2) == 0  # both stop short of convergence alike


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(0, 400), min_size=7, max_size=7))
def test_the_fit_is_statsmodels_glm_on_any_three_lists(counts: list[int]) -> None:
    patterns = [p for p in itertools.product((False, True), repeat=3) if any(p)]
    assert_same_fits(dict(zip(patterns, counts, strict=True)), 3)


def every_model_selection(y: npt.NDArray[np.float64], patterns: npt.NDArray[np.float64]) -> tuple[object, float]:
    """The model selection as defined: every set of two-way interactions fitted, failed fits left out, the lowest
    BIC kept (ties to the fewer terms): what ``_select`` must choose while skipping models it knows have no maximum."""
    k = patterns.shape[1]
    pairs = list(itertools.combinations(range(k), 2))
    listed = int(y.sum())
    best = fits._fit(y, patterns, (), "bic", listed, 100)
    for size in range(1, len(pairs) + 1):
        for cand in itertools.combinations(pairs, size):
            try:
                fit = fits._fit(y, patterns, cand, "bic", listed, 100)
            except fits._FitError:
                continue
            if fit.ic < best.ic - 1e-9:
                best = fit
    return best.pairs, best.ic


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.integers(0, 3000), min_size=15, max_size=15),
    st.lists(st.booleans(), min_size=15, max_size=15),
)
def test_skipping_models_above_one_without_a_maximum_changes_no_choice(counts: list[int], zero: list[bool]) -> None:
    # zero cells are what put a maximum at infinity: half the cells may be emptied
    patterns = [p for p in itertools.product((False, True), repeat=4) if any(p)]
    cells = {p: 0 if z else n for p, n, z in zip(patterns, counts, zero, strict=True)}
    merged, used, listed = fits._tidy_cells(cells, 4)
    if len(used) < 3 or listed == 0:
        return
    x = np.array(list(merged), dtype=np.float64)
    y = np.array(list(merged.values()), dtype=np.float64)
    try:
        expected = every_model_selection(y, x)
    except fits._FitError:
        with pytest.raises(fits._FitError):
            fits._select(y, x, "bic", listed, 100)
        return
    chosen = fits._select(y, x, "bic", listed, 100)
    assert chosen.pairs == expected[0]
    assert chosen.ic == pytest.approx(expected[1], rel=1e-12)


def test_the_selection_on_the_census_cells_is_the_every_model_one(full_census: mc.Census) -> None:
    # the shared data's own cells (all models, and each of the four biggest countries): the models skipped for want
    # of a maximum change no choice
    chosen, _, census_cells = _census_cells(full_census)
    compared = 0
    for cells in census_cells:
        merged, used, listed_units = fits._tidy_cells(cells, len(chosen))
        if len(used) < 3:
            continue
        x = np.array(list(merged), dtype=np.float64)
        y = np.array(list(merged.values()), dtype=np.float64)
        pairs, ic = every_model_selection(y, x)
        fit = fits._select(y, x, "bic", listed_units, 100)
        assert fit.pairs == pairs and fit.ic == pytest.approx(ic, rel=1e-12)
        compared += 1
    assert compared >= 3


def test_a_model_without_a_maximum_is_skipped_with_every_model_holding_it() -> None:
    # no model is on both lists 0 and 1: the 0×1 interaction runs to minus infinity, in every model that holds it
    patterns = np.array([p for p in itertools.product((0.0, 1.0), repeat=4) if any(p)])
    y = np.array([0.0 if p[0] and p[1] else 40.0 + 7 * i for i, p in enumerate(patterns)])
    with pytest.raises(fits._AtBoundary):
        fits._fit(y, patterns, ((0, 1),), "bic", int(y.sum()), 100)
    tried: list[tuple[tuple[int, int], ...]] = []
    real_fit = fits._fit

    def counting(*args: object) -> object:
        tried.append(args[2])  # type: ignore[arg-type]
        return real_fit(*args)  # type: ignore[arg-type]

    original, fits._fit = fits._fit, counting  # type: ignore[assignment]
    try:
        chosen = fits._select(y, patterns, "bic", int(y.sum()), 100)
    finally:
        fits._fit = original
    assert ((0, 1),) in tried and (0, 1) not in chosen.pairs
    assert not [t for t in tried if (0, 1) in t and len(t) > 1]  # the 31 models holding 0×1 are never fitted
    assert len(tried) == 64 - 31


@given(st.lists(st.integers(0, 10**7), min_size=1, max_size=16), st.floats(1e-3, 1e7))
def test_the_log_likelihood_is_scipys(counts: list[int], scale: float) -> None:
    from scipy import special

    y = np.array(counts, dtype=np.float64)
    mu = (y + 1.0) * scale
    expected = float(np.sum(special.xlogy(y, mu) - mu - special.gammaln(y + 1.0)))
    assert fits._poisson_llf(y, mu) == pytest.approx(expected, rel=1e-12, abs=1e-6)
