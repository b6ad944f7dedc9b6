"""How many models does no source list? Multiple-systems (capture–recapture) estimation over linked sources.

Each source is a list that sees part of one population of models. How much the lists overlap tells how
much of the population they see: if two independent lists each see half the models, a quarter of the
models should be on both; seeing fewer in common means a bigger population. Log-linear models of the
counts of every observed capture pattern (Fienberg 1972; Bishop, Fienberg & Holland 1975) carry this to
K lists and let pairs of lists depend on each other (a list copying another), the unseen all-absent
cell being predicted from the fitted intercept.

The estimate assumes a closed population over the period the lists cover, lists that sample that same
population, no dependence left unmodelled (in particular, every model equally easy to find within a
list: models that are easy to find for every list make the lists overlap more than chance and the
estimate too low) and perfect linkage. ``docs/estimate.md`` says this for readers of the README.

The thresholds below decide when no number is printed; each is a keyword of
:func:`estimate_population` so an analysis can state a different choice.
"""

from __future__ import annotations

import functools
import itertools
import math
import statistics
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import numpy.typing as npt
import pandas as pd

from modelcensus.metrics.core import CensusTables
from modelcensus.metrics.populations import in_force, record_countries
from modelcensus.vocabulary import Attribution

Pattern = tuple[bool, ...]
FloatArray = npt.NDArray[np.float64]

MIN_LISTED = 50
"""Fewest listed models for a number. With up to 2^K−1 = 15 cells for four lists, fewer than 50 units
leave most cells at a handful of models, where the chi-square calibration of the interval and the
choice of interactions by BIC are not to be relied on."""

MIN_OVERLAP = 7
"""Fewest models seen by two or more lists. The overlap is the whole signal; Robson & Regier (1964) found
the two-list estimate nearly unbiased only from about 7 recaptures up, below which one model more or
less in common moves the answer by 15% or more."""

MAX_UNSEEN_RATIO = 5.0
"""Most unseen models per listed one before the number is withheld. Beyond 5, the lists see fewer than 1
model in 6 and the unseen count is mostly extrapolation: a dependence between two lists too weak to
detect from the overlap (odds ratio 1.5) would move it by half, i.e. by more than twice the listed count."""

_UPPER_SEARCH_RATIO = 1000.0
"""Unseen per listed at which the profile search for the interval's upper end gives up: a likelihood still
within the interval there is flat for all practical purposes, so the upper end is called unbounded."""

_EXHAUSTIVE_MAX_PAIRS = 6
"""All subsets of two-way interactions up to 4 lists (64 models); forward selection beyond (5 lists have
1024 subsets, 6 have 32768)."""

_MAX_ABS_PARAM = 40.0
"""A log-linear parameter beyond e^±40 only arises when the maximum sits at infinity (a zero margin)."""

_BOUNDARY = 1e-6
"""A zero cell fitted below this has been pushed to the boundary: the maximum likelihood does not exist."""


_AT_INFINITY = "some combinations of lists hold no models at all, which pushes the fit to infinity"


class _FitError(Exception):
    """A log-linear fit that did not converge or whose maximum lies at infinity."""


class _AtBoundary(_FitError):
    """A fit whose maximum lies at infinity because a zero cell is fitted to zero: the likelihood keeps rising along
    a direction of the design's columns. A model with more columns has that direction too, so it has no maximum
    either (Haberman 1974): the model selection skips every model that holds this one's interactions."""


@dataclass(frozen=True)
class Estimate:
    """The estimated number of models, listed or not, with the words needed to read it."""

    listed: int
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    method: str
    sources: tuple[str, ...]
    trusted: bool
    reason: str | None
    terms: tuple[str, ...] = ()
    level: float = 0.95
    heterogeneity: bool = False
    """Every list shares more models with the others than chance would give (positive interactions linking all
    the lists): the mark of models that are far easier to find than others. The number is then withheld."""
    at_least: float | None = None
    """With ``heterogeneity``: the lower end of the independence model's interval, which uneven catchability
    biases low, so a floor for the total."""

    @property
    def unseen(self) -> float | None:
        return None if self.estimate is None else self.estimate - self.listed

    def to_dict(self) -> dict[str, Any]:
        return {
            "listed": self.listed,
            "estimate": self.estimate,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "method": self.method,
            "sources": list(self.sources),
            "trusted": self.trusted,
            "reason": self.reason,
        }


# -- which tabular lists are lists of the world ------------------------------------------------------------------
#
# A tabular list is a list of someone's choosing: a national register, a list of one country's models, a company's
# inventory. Its overlap with the other sources says how much of *its* population they see, not how much of the
# world's: a list of 51 Chinese models, joined to the estimate, adds 51 listed models and a pattern of overlap that
# the fit reads as a fact about every country and year. So the estimate uses a tabular list only when the list
# declares itself a sample of the world's models (``world_sample: true`` in its mapping, kept as its snapshot's
# scope), and says why it left out each of the others.


def list_profiles(t: CensusTables, lists: Sequence[str], as_of: date | None) -> ir.Table:
    """``(source, records, dated, countries)`` of each tabular list in force on ``as_of``: its records, how many
    carry a date, and the countries it states for them (as published: a column, or the list's one country)."""
    exports = in_force(t, list(lists), as_of).select("export_id")
    r = t.census_records.join(exports, "export_id")
    per_list = r.group_by("source").aggregate(records=r.count(), dated=r.published_on.notnull().sum())
    c = record_countries(t, Attribution.AS_PUBLISHED)
    stated = r.join(c, [r.export_id == c.export_id, r.source == c.source, r.source_id == c.source_id])
    stated = stated.select(source=r.source, country=c.country)
    countries = stated.group_by("source").aggregate(countries=stated.country.collect(distinct=True))
    joined = per_list.left_join(countries, per_list.source == countries.source)
    return joined.select(per_list.source, per_list.records, per_list.dated, countries.countries)


def list_left_out(records: int, dated: int, countries: Sequence[str], declared: bool) -> str | None:
    """Why the all-models estimate leaves a tabular list out (None: it uses it, the list having declared itself a
    sample of the world's models). The reasons name what the list's rows show (one country, no dates)."""
    if declared:
        return None
    why = []
    if len(countries) == 1:
        why.append(f"covers one country ({countries[0]})")
    if records and not dated:
        why.append("has no dates")
    why.append("does not declare itself a sample of the world's models (world_sample: true in its mapping)")
    return "; ".join(why)


def _check_sources(sources: Sequence[str]) -> list[str]:
    names = list(sources)
    if not names or len(set(names)) != len(names) or not all(isinstance(s, str) and s for s in names):
        raise ValueError(f"sources must be distinct non-empty names, not {names!r}")
    return names


def capture_histories(members: ir.Table, sources: Sequence[str], group_col: str | None = None) -> ir.Table:
    """Count units by the exact set of sources that list them (per group), in engine-independent Ibis.

    A group is taken as a property of the unit: its pattern is the same in each of its groups (the sources
    that list it anywhere), so a country's lists are not thinned by which record happened to carry the
    country. Records of sources not named are ignored.
    """
    names = _check_sources(sources)
    records = members.filter(members.unit.notnull(), members.source.isin(names))
    flags = {f"in_{s}": (records.source == s).any() for s in names}
    per_unit = records.group_by("unit").aggregate(**flags)
    keys = list(flags)
    if group_col is not None:
        groups = records.select("unit", group_col).distinct()
        per_unit = groups.join(per_unit, "unit")
        keys = [group_col, *keys]
    return per_unit.group_by(keys).aggregate(units=ibis._.count()).order_by(keys)


def pattern_cells(frame: pd.DataFrame, sources: Sequence[str]) -> dict[Pattern, int]:
    """The executed :func:`capture_histories` (one group, or none) as the cells :func:`estimate_population` takes."""
    cols = [f"in_{s}" for s in _check_sources(sources)]
    cells: dict[Pattern, int] = {}
    for row in frame[[*cols, "units"]].itertuples(index=False, name=None):
        key = tuple(bool(v) for v in row[:-1])
        cells[key] = cells.get(key, 0) + int(row[-1])
    return cells


def pattern_cells_by_group(
    frame: pd.DataFrame, sources: Sequence[str], group_col: str = "group"
) -> dict[Hashable | None, dict[Pattern, int]]:
    """Cells per group; a missing group (units with no country, ...) is the key ``None``."""
    out: dict[Hashable | None, dict[Pattern, int]] = {}
    for group, part in frame.groupby(group_col, dropna=False, sort=True):
        key = group[0] if isinstance(group, tuple) else group
        out[None if pd.isna(key) else key] = pattern_cells(part, sources)
    return out


def members_cells(members_df: pd.DataFrame, sources: Sequence[str]) -> dict[Pattern, int]:
    """Cells straight from a pandas membership frame (unit, source): for simulations, no engine needed. Each unit's
    sources are one bit each, so a membership of hundreds of thousands of units is counted vectorised."""
    names = _check_sources(sources)
    linkage = _Linkage.of(members_df)
    return _mask_cells(linkage, linkage.masks, names)


_DEVIANCE_ATOL = 1e-8
"""IRLS stops when the deviance moves by no more than this between iterations (statsmodels' GLM default)."""


def _glm(y: FloatArray, x: FloatArray, maxiter: int, start: FloatArray | None = None) -> tuple[FloatArray, FloatArray]:
    """Fit a Poisson log-linear model by iteratively reweighted least squares; anything but a clean interior
    maximum raises :class:`_FitError`, because a silently diverged fit would print a confident number that
    means nothing.

    This is statsmodels' ``GLM(y, x, family=Poisson()).fit(maxiter=…, start_params=…)`` step for step: the
    same start (μ = (y + ȳ)/2, or ``start``), the same working response and weights, the same weighted
    least-squares step (:func:`_weighted_least_squares`: a rank-deficient design is no error) and the same stopping
    rule (the deviance still to within 1e-8); ``tests/test_estimate.py`` checks both give the same fits on the
    census's own cells.
    Written out because statsmodels' model objects cost about 2 ms per fit on a 15-cell table, a model
    selection fits 64 and the link-error simulation runs nine selections: 2.5 s of a one-second answer."""
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        try:
            if start is None:
                mu = (y + y.mean()) / 2.0
                eta = np.log(mu)
            else:
                eta = x @ start
                mu = np.exp(eta)
            deviance = _poisson_deviance(y, mu)
            params = np.zeros(x.shape[1])
            converged = False
            for _ in range(maxiter):
                z = eta + (y - mu) / mu  # the working response of the log link; its weights are μ
                params = _weighted_least_squares(x, z, mu)
                eta = x @ params
                mu = np.exp(eta)
                deviance, previous = _poisson_deviance(y, mu), deviance
                if abs(deviance - previous) <= _DEVIANCE_ATOL:
                    converged = True
                    break
        except (np.linalg.LinAlgError, ValueError, FloatingPointError, OverflowError) as exc:
            raise _FitError(f"the fit failed: {exc}") from exc
    if not converged:
        raise _FitError(f"the fit did not converge in {maxiter} iterations")
    if not (np.all(np.isfinite(params)) and np.all(np.isfinite(mu))):
        raise _FitError("the fit diverged")
    if np.any((y == 0) & (mu < _BOUNDARY)):
        raise _AtBoundary(_AT_INFINITY)
    if np.max(np.abs(params)) > _MAX_ABS_PARAM:
        raise _FitError(_AT_INFINITY)
    return params, mu


def _weighted_least_squares(x: FloatArray, z: FloatArray, w: FloatArray) -> FloatArray:
    """argmin Σ w (z − xβ)²: by its normal equations (a tenth of the cost of an SVD on a table this small), or,
    when they are singular, by numpy's minimum-norm ``lstsq`` as statsmodels solves every step."""
    xw = x * w[:, None]
    try:
        return np.asarray(np.linalg.solve(x.T @ xw, xw.T @ z), dtype=np.float64)
    except np.linalg.LinAlgError:
        root = np.sqrt(w)
        return np.asarray(np.linalg.lstsq(x * root[:, None], z * root, rcond=None)[0], dtype=np.float64)


def _poisson_deviance(y: FloatArray, mu: FloatArray) -> float:
    """2 Σ [y log(y/μ) − (y − μ)], a zero count contributing 2μ."""
    positive = y > 0
    return float(2.0 * (np.dot(y[positive], np.log(y[positive] / mu[positive])) - np.sum(y - mu)))


def _design(patterns: FloatArray, pairs: Sequence[tuple[int, int]]) -> FloatArray:
    """Intercept, one main effect per list, one column per two-way interaction (0/1 coding: the all-absent
    pattern is the intercept alone, so exp(intercept) is the unseen count)."""
    cols = [np.ones(len(patterns)), *patterns.T, *(patterns[:, a] * patterns[:, b] for a, b in pairs)]
    return np.column_stack(cols).astype(np.float64)


def _xlogy(y: FloatArray, mu: FloatArray) -> FloatArray:
    """y·log(μ), 0 where y is 0 (scipy.special.xlogy, without half a second of SciPy's import on an answer that needs
    no interval)."""
    positive = y != 0
    return np.where(positive, y * np.log(np.where(positive, mu, 1.0)), 0.0)


def _log_factorial(n: float) -> float:
    return math.lgamma(n + 1.0)


def _poisson_llf(y: FloatArray, mu: FloatArray) -> float:
    return float(np.sum(_xlogy(y, mu) - mu) - sum(_log_factorial(float(v)) for v in y))


@dataclass(frozen=True)
class _Fit:
    pairs: tuple[tuple[int, int], ...]
    params: FloatArray
    ic: float

    @property
    def unseen(self) -> float:
        return math.exp(float(self.params[0]))


def _fit(
    y: FloatArray, patterns: FloatArray, pairs: tuple[tuple[int, int], ...], criterion: str, listed: int, maxiter: int
) -> _Fit:
    x = _design(patterns, pairs)
    params, fitted = _glm(y, x, maxiter)
    penalty = math.log(listed) if criterion == "bic" else 2.0  # BIC's n: captured units, as in Rcapture
    return _Fit(pairs, params, -2.0 * _poisson_llf(y, fitted) + penalty * x.shape[1])


def _select(y: FloatArray, patterns: FloatArray, criterion: str, listed: int, maxiter: int) -> _Fit:
    """The best model by the criterion among main effects plus two-way interactions. Pairs whose fit has
    no interior maximum are skipped, not chosen: their estimate would be an artefact of a zero cell."""
    k = patterns.shape[1]
    pairs = list(itertools.combinations(range(k), 2)) if k >= 3 else []  # K=2: A×B is not identifiable
    best = _fit(y, patterns, (), criterion, listed, maxiter)  # a failure here is the answer: no number

    unbounded: list[frozenset[tuple[int, int]]] = []  # interactions whose model has no maximum (_AtBoundary)

    def attempt(cand: tuple[tuple[int, int], ...]) -> _Fit | None:
        if any(u <= set(cand) for u in unbounded):
            return None
        try:
            return _fit(y, patterns, cand, criterion, listed, maxiter)
        except _AtBoundary:
            unbounded.append(frozenset(cand))
            return None
        except _FitError:
            return None

    if len(pairs) <= _EXHAUSTIVE_MAX_PAIRS:
        for size in range(1, len(pairs) + 1):  # a model's interactions are tried before any model holding them
            for cand in itertools.combinations(pairs, size):
                fit = attempt(cand)
                if fit is not None and fit.ic < best.ic - 1e-9:  # ties go to the fewer terms
                    best = fit
        return best
    while True:
        step = [f for p in pairs if p not in best.pairs if (f := attempt((*best.pairs, p))) is not None]
        challenger = min(step, key=lambda f: f.ic, default=None)
        if challenger is None or challenger.ic >= best.ic - 1e-9:
            return best
        best = challenger


def load_interval_solver() -> None:
    """Import what an estimate's interval is solved with (SciPy's optimizer: 0.5–1 s of import, most of an
    estimate's first answer) now. A server does at its start (:func:`modelcensus.outputs.api.app.create_app`), so
    that no first answer waits for it; a command imports it when it first needs it."""
    import scipy.optimize  # type: ignore[import-untyped]  # noqa: F401


def _profile_interval(
    y: FloatArray, patterns: FloatArray, fit: _Fit, listed: int, level: float, maxiter: int
) -> tuple[float, float]:
    """Profile-likelihood interval for the unseen count (Cormack 1992): the unseen cell is treated as data
    n0, the chosen model refitted on the full 2^K table, and the multinomial log-likelihood of N = listed + n0,
    log N! − log n0! + Σ n·log(μ̂/N), followed out until it drops by chi2_1(level)/2. Returns ``inf`` for an
    upper end the likelihood never reaches."""
    from scipy import optimize  # an estimate's interval only

    full_x = _design(np.vstack([np.zeros(patterns.shape[1]), patterns]), fit.pairs)
    start = [fit.params]

    def loglik(n0: float) -> float:
        yy = np.concatenate([[n0], y])
        try:
            params, mu = _glm(yy, full_x, maxiter, start[0])
        except _FitError:  # the last fit was for a far-off n0 and IRLS overshot from it: start afresh
            params, mu = _glm(yy, full_x, maxiter)
        start[0] = params
        total = listed + n0
        return _log_factorial(total) - _log_factorial(n0) + float(np.sum(_xlogy(yy, mu / total)))

    n0_hat = fit.unseen
    span = 2.0 + 0.01 * n0_hat
    peak = optimize.minimize_scalar(
        lambda n: -loglik(float(n)), bounds=(max(0.0, n0_hat - span), n0_hat + span), method="bounded"
    )
    n_peak, top = (float(peak.x), -float(peak.fun)) if -float(peak.fun) > loglik(n0_hat) else (n0_hat, loglik(n0_hat))
    target = top - _chi2_1(level) / 2.0

    def gap(n0: float) -> float:
        return loglik(n0) - target

    low = 0.0 if gap(0.0) >= 0 else float(optimize.brentq(gap, 0.0, n_peak, xtol=1e-3))
    cap = _UPPER_SEARCH_RATIO * max(listed, 1)
    high = max(2.0 * n_peak, n_peak + 10.0)
    while gap(high) > 0:
        if high >= cap:
            return low, math.inf
        high = min(2.0 * high, cap)
    return low, float(optimize.brentq(gap, n_peak, high, xtol=1e-3))


def _chi2_1(level: float) -> float:
    """The ``level`` quantile of chi-square with one degree of freedom: the square of the standard normal's
    (1 + level)/2 quantile (scipy.stats would cost half a second of import for this one number)."""
    return statistics.NormalDist().inv_cdf((1.0 + level) / 2.0) ** 2


def _screen(n_sources: int, listed: int, overlap: int, min_listed: int, min_overlap: int) -> str | None:
    """Why the counts cannot carry an estimate at all, before any model is fitted."""
    if n_sources < 2:
        return (
            "Fewer than two sources list any of these models. An estimate of the models nobody lists needs at "
            "least two lists to compare."
        )
    if listed < min_listed:
        return (
            f"Only {listed} models are listed, fewer than the {min_listed} needed to estimate how many are missing "
            "with any reliability."
        )
    if overlap == 0:
        return (
            "No model appears in more than one source. With no overlap the lists could each be seeing a tiny slice "
            "of a huge population: the number of missing models has no upper limit."
        )
    if overlap < min_overlap:
        return (
            f"Only {overlap} models appear in more than one source (at least {min_overlap} are needed): the "
            "estimate would hinge on a handful of models."
        )
    return None


def _tidy_cells(cells: Mapping[Pattern, int], k: int) -> tuple[dict[Pattern, int], list[int], int]:
    """Validated counts over the sources that list something (a list that sees nothing says nothing about
    overlap and would pin its main effect at minus infinity), with the indices of those sources."""
    counts = dict.fromkeys((p for p in itertools.product((False, True), repeat=k) if any(p)), 0)
    for key, n in cells.items():
        pattern = tuple(bool(v) for v in key)
        if len(pattern) != k or int(n) != n or n < 0:
            raise ValueError(f"cell {key!r}: {n!r} is not a count of units over {k} sources")
        if not any(pattern):
            if n:
                raise ValueError("the all-absent pattern cannot be observed: it is what is being estimated")
            continue
        counts[pattern] += int(n)
    used = [j for j in range(k) if any(n for p, n in counts.items() if p[j])]
    merged: dict[Pattern, int] = {}
    for p, n in counts.items():
        q = tuple(p[j] for j in used)
        if any(q):
            merged[q] = merged.get(q, 0) + n
    return merged, used, sum(counts.values())


def _spans_all(fit: _Fit, k: int) -> bool:
    """Whether the positive interactions link every list to every other (Chao et al. 2001: heterogeneity makes
    every pair of lists positively dependent; a real dependence between some lists does not link them all)."""
    parent = list(range(k))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for (a, b), coef in zip(fit.pairs, fit.params[1 + k :], strict=True):
        if coef > 0:
            parent[root(a)] = root(b)
    return k >= 3 and len({root(i) for i in range(k)}) == 1


def estimate_population(
    cells: Mapping[Pattern, int],
    sources: Sequence[str],
    *,
    criterion: str = "bic",
    level: float = 0.95,
    interactions: Sequence[tuple[str, str]] | None = None,
    min_listed: int = MIN_LISTED,
    min_overlap: int = MIN_OVERLAP,
    max_unseen_ratio: float = MAX_UNSEEN_RATIO,
    maxiter: int = 100,
) -> Estimate:
    """Estimate how many models exist, listed or not, from the counts of each capture pattern.

    ``cells`` maps a pattern (one bool per source, in the order of ``sources``) to the number of units
    with exactly that pattern; missing patterns count zero. ``interactions`` fixes the two-way terms instead
    of choosing them by ``criterion`` (``[]``: independent lists). The number is withheld, with the reason in
    words, when fewer than two sources have records, fewer than ``min_listed`` units are listed, fewer than
    ``min_overlap`` (or no) units are on two lists or more, the fit fails, positive dependence links every
    list (uneven catchability: the number could be far off either way, so only a floor is stated), the unseen
    count exceeds ``max_unseen_ratio`` × listed, or the interval has no upper end.

    The same counts give the same estimate: the fits (hundreds, with the model selection and the profile
    interval) are made once per process for each distinct input (:func:`_estimate_once`).
    """
    return _estimate_once(
        tuple(cells.items()),
        tuple(sources),
        criterion,
        level,
        None if interactions is None else tuple((a, b) for a, b in interactions),
        min_listed,
        min_overlap,
        max_unseen_ratio,
        maxiter,
    )


@functools.lru_cache(maxsize=4096)
def _estimate_once(
    cells: tuple[tuple[Pattern, int], ...],
    sources: tuple[str, ...],
    criterion: str,
    level: float,
    interactions: tuple[tuple[str, str], ...] | None,
    min_listed: int,
    min_overlap: int,
    max_unseen_ratio: float,
    maxiter: int,
) -> Estimate:
    """:func:`estimate_population` of hashable arguments (an :class:`Estimate` is immutable: one can be shared)."""
    names = _check_sources(sources)
    if criterion not in ("bic", "aic"):
        raise ValueError(f"criterion must be 'bic' or 'aic', not {criterion!r}")
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be between 0 and 1, not {level!r}")
    merged, used, listed = _tidy_cells(dict(cells), len(names))
    used_names = [names[j] for j in used]
    fixed: tuple[tuple[int, int], ...] | None = None
    if interactions is not None:
        pos = {name: i for i, name in enumerate(used_names)}
        if any(a not in pos or b not in pos or a == b for a, b in interactions) or (interactions and len(used) < 3):
            raise ValueError(f"interactions {list(interactions)!r} are not pairs of {len(used)} >= 3 listing sources")
        fixed = tuple(sorted({(min(pos[a], pos[b]), max(pos[a], pos[b])) for a, b in interactions}))
    pct = f"{level * 100:g}%"
    dropped = [s for s in names if s not in used_names]
    lists = ("+".join(used_names) or "no sources") + (
        f" ({', '.join(dropped)} dropped: no records)" if dropped and used_names else ""
    )
    method = f"log-linear Poisson, {lists}, not fitted"

    def no_number(reason: str, **extra: Any) -> Estimate:
        return Estimate(listed, None, None, None, method, tuple(used_names), False, reason, level=level, **extra)

    overlap = sum(n for p, n in merged.items() if sum(p) >= 2)
    reason = _screen(len(used), listed, overlap, min_listed, min_overlap)
    if reason is not None:
        return no_number(reason)
    patterns = np.array(list(merged), dtype=np.float64)
    y = np.array(list(merged.values()), dtype=np.float64)
    try:
        if fixed is None:
            fit = _select(y, patterns, criterion, listed, maxiter)
        else:
            fit = _fit(y, patterns, fixed, criterion, listed, maxiter)
    except _FitError as exc:
        return no_number(f"The statistical model could not be fitted ({exc}), so no number is given.")
    terms = tuple(f"{used_names[a]}×{used_names[b]}" for a, b in fit.pairs)
    chosen = f"chosen by {criterion.upper()}" if fixed is None else "fixed by the analyst"
    if len(used) == 2:
        model = "lists independent (Lincoln–Petersen; two lists cannot show a dependence)"
    elif terms:
        model = f"interaction{'s' if len(terms) > 1 else ''} {', '.join(terms)}, {chosen}"
    else:
        model = f"lists independent, {chosen}"
    method = f"log-linear Poisson, {lists}, {model}; {pct} profile-likelihood interval"

    if _spans_all(fit, len(used)):
        floor: float | None = None
        try:
            base = _fit(y, patterns, (), criterion, listed, maxiter)
            if base.unseen <= max_unseen_ratio * listed:
                floor = listed + _profile_interval(y, patterns, base, listed, level, maxiter)[0]
        except (_FitError, ValueError, RuntimeError):
            pass
        floor_words = (
            f"points to at least about {floor:,.0f} models in all" if floor is not None else "cannot even set a floor"
        )
        return no_number(
            "Some models are far easier to find than others: every list shares more models with the others than "
            "chance would give, as when big labs' models are on every list and small labs' on few. The number of "
            "unlisted models then depends on how that is modelled and could be far off either way. The simplest "
            f"model, which ignores this and so errs low, {floor_words}.",
            terms=terms,
            heterogeneity=True,
            at_least=floor,
        )
    unseen = fit.unseen
    if not math.isfinite(unseen) or unseen > max_unseen_ratio * listed:
        return no_number(
            f"The model puts the number of unlisted models at about {unseen:,.0f}, more than {max_unseen_ratio:g} "
            f"times the {listed:,} listed. The lists overlap too little for such a figure to be more than guesswork.",
            terms=terms,
        )
    try:
        low, high = _profile_interval(y, patterns, fit, listed, level, maxiter)
    except (_FitError, ValueError, RuntimeError) as exc:
        return no_number(f"The uncertainty range could not be computed ({exc}), so no number is given.", terms=terms)
    if not math.isfinite(high):
        return no_number(
            f"The data put no upper limit on the number of missing models (the {pct} interval has no upper end), "
            "so no number is given.",
            terms=terms,
        )
    total = listed + unseen
    return Estimate(
        listed=listed,
        estimate=total,
        ci_low=min(listed + low, total),
        ci_high=max(listed + high, total),
        method=method,
        sources=tuple(used_names),
        trusted=True,
        reason=None,
        terms=terms,
        level=level,
    )


ALL_GROUPS = None
NO_GROUP = "(none)"
"""The label of units with no group, so that a null group cannot be mistaken for the all-groups row."""


def estimate_by_group(
    pattern_frame: pd.DataFrame,
    sources: Sequence[str],
    *,
    group_col: str = "group",
    overall: pd.DataFrame | None = None,
    **options: Any,
) -> pd.DataFrame:
    """One estimate per group of an executed :func:`capture_histories` frame. A unit in several groups
    counts in each, so the all-groups row (group ``None``, first) comes from ``overall``, the ungrouped
    capture histories, never from adding groups up."""
    rows: list[tuple[Hashable | None, Estimate]] = []
    if overall is not None:
        rows.append((ALL_GROUPS, estimate_population(pattern_cells(overall, sources), sources, **options)))
    for group, cells in pattern_cells_by_group(pattern_frame, sources, group_col).items():
        rows.append((NO_GROUP if group is None else group, estimate_population(cells, sources, **options)))
    columns = ["group", "listed", "estimate", "ci_low", "ci_high", "method", "sources", "trusted", "reason"]
    records = [
        {**e.to_dict(), "group": g, "sources": "+".join(e.sources)}
        for g, e in rows  # pandas only lays the estimates out
    ]
    table = pd.DataFrame.from_records(records, columns=columns)
    table["group"] = pd.Series([g for g, _ in rows], dtype=object)  # keeps None, which a str column would make NaN
    return table


@dataclass(frozen=True)
class _Linkage:
    """A membership as arrays: every unit (labels sorted as text) and the sources that list it, one bit each
    (bit ``j``: ``names[j]``, the sources sorted)."""

    units: np.ndarray[Any, Any]
    masks: npt.NDArray[np.int64]
    names: list[str]

    @classmethod
    def of(cls, members_df: pd.DataFrame) -> _Linkage:
        unit_codes, units = pd.factorize(members_df["unit"].astype(str), sort=True)
        source_codes, names = pd.factorize(members_df["source"].astype(str), sort=True)
        masks = np.zeros(len(units), dtype=np.int64)
        np.bitwise_or.at(masks, unit_codes, np.left_shift(1, source_codes.astype(np.int64)))
        return cls(np.asarray(units, dtype=object), masks, [str(n) for n in names])


@dataclass(frozen=True)
class _LinkErrors:
    """Linkage errors drawn on a :class:`_Linkage`: ``splits`` (unit position, source bit) each split one
    source's records off a unit; ``merges`` (unit position, source bit, target position) each merge a unit
    listed by one source into a unit that source does not list."""

    splits: list[tuple[int, int]]
    merges: list[tuple[int, int, int]]

    def masks(self, linkage: _Linkage) -> npt.NDArray[np.int64]:
        """Each unit's sources once the errors are made (units merged away dropped, split-off units added)."""
        masks = linkage.masks.copy()
        for at, j, target in self.merges:
            masks[at] = 0
            masks[target] |= 1 << j
        for at, j in self.splits:
            masks[at] &= ~(1 << j)
        split_off = np.array([1 << j for _, j in self.splits], dtype=np.int64)
        return np.concatenate([masks[masks != 0], split_off])


def _draw_link_errors(linkage: _Linkage, split_rate: float, merge_rate: float, seed: int) -> _LinkErrors:
    """The errors :func:`perturb_links` describes, drawn by position: the units and sources drawn for a seed
    depend only on the sorted units and their sources."""
    for name, rate in (("split_rate", split_rate), ("merge_rate", merge_rate)):
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"{name} must be between 0 and 1, not {rate!r}")
    rng = np.random.default_rng(seed)
    masks = linkage.masks
    listed_by = np.array([bin(m).count("1") for m in range(int(masks.max(initial=0)) + 1)])[masks]
    multi_at = np.flatnonzero(listed_by >= 2)
    bits = range(len(linkage.names))
    splits: list[tuple[int, int]] = []
    for at in rng.choice(multi_at, round(split_rate * len(multi_at)), replace=False):
        mask = int(masks[at])
        splits.append((int(at), int(rng.choice([j for j in bits if mask & (1 << j)]))))
    single_at = np.flatnonzero(listed_by == 1)
    picked = single_at[rng.choice(np.arange(len(single_at)), round(merge_rate * len(single_at)), replace=False)]
    kept = np.ones(len(masks), dtype=bool)
    kept[picked] = False
    bit_of = {int(at): int(masks[at]).bit_length() - 1 for at in picked}
    merges: list[tuple[int, int, int]] = []
    for j in sorted(set(bit_of.values())):  # the sources in name order
        merging = [at for at in bit_of if bit_of[at] == j]
        # a unit merged away is no target (each false link hides exactly one unit); distinct targets: a unit holds
        # one record per source, so two records of one source never merge into it
        pool = np.flatnonzero(kept & ((masks & (1 << j)) == 0))
        targets = rng.choice(pool, min(len(merging), len(pool)), replace=False)
        merges.extend((at, j, int(t)) for at, t in zip(merging, targets, strict=False))
    return _LinkErrors(splits, merges)


def perturb_links(members_df: pd.DataFrame, *, split_rate: float, merge_rate: float, seed: int) -> pd.DataFrame:
    """Simulate linkage errors on a membership frame (unit, source[, group]).

    A missed link (``split_rate`` of the units on two or more sources) splits one source's records off into a
    unit of their own, so one model counts as two and the overlap shrinks: the unseen estimate rises. A false
    link (``merge_rate`` of the units on a single source) merges the unit into a random unit that source does
    not list, so two models count as one and the overlap grows: the estimate falls. Both kinds are drawn from
    the original linkage, so their effects add up rather than interact.
    """
    out = members_df.copy()
    out["unit"] = out["unit"].astype(str)
    linkage = _Linkage.of(out)
    errors = _draw_link_errors(linkage, split_rate, merge_rate, seed)
    units, names = linkage.units, linkage.names
    relabel = {(str(units[at]), names[j]): f"{units[at]}~split~{names[j]}" for at, j in errors.splits}
    relabel.update({(str(units[at]), names[j]): str(units[target]) for at, j, target in errors.merges})
    if relabel:
        moved = pd.DataFrame(
            [(u, s, new) for (u, s), new in relabel.items()], columns=["unit", "source", "relabelled"]
        ).astype({"unit": out["unit"].dtype, "source": out["source"].dtype})
        merged = out.merge(moved, on=["unit", "source"], how="left")
        out["unit"] = merged["relabelled"].fillna(merged["unit"]).to_numpy()
    return out.drop_duplicates().reset_index(drop=True)


def _mask_cells(linkage: _Linkage, masks: npt.NDArray[np.int64], sources: Sequence[str]) -> dict[Pattern, int]:
    """:func:`members_cells` of a membership held as masks: the units listed by one of ``sources`` per pattern."""
    bit = {name: j for j, name in enumerate(linkage.names)}
    chosen = [bit.get(name) for name in sources]
    keep = sum(1 << j for j in chosen if j is not None)
    values, counts = np.unique(masks & keep, return_counts=True)
    return {
        tuple(j is not None and bool(int(m) & (1 << j)) for j in chosen): int(n)
        for m, n in zip(values, counts, strict=True)
        if m
    }


def link_error_sensitivity(
    members_df: pd.DataFrame,
    sources: Sequence[str],
    rates: Iterable[float] = (0.01, 0.02, 0.05, 0.10),
    seed: int = 0,
    **options: Any,
) -> pd.DataFrame:
    """How far the estimate moves under missed and false links at each rate, relative to the linkage as is
    (``change``: estimate / baseline − 1), so a README can say what a given linkage error rate would cost."""
    names = _check_sources(sources)

    # the errors are drawn and counted on the units' source bits: the same draws and cells as perturb_links and
    # members_cells over frames, without relabelling a frame of records per rate
    linkage = _Linkage.of(members_df)

    def row(kind: str, rate: float, errors: _LinkErrors) -> dict[str, Any]:
        est = estimate_population(_mask_cells(linkage, errors.masks(linkage), names), names, **options)
        return {"kind": kind, "rate": rate, **est.to_dict()}

    rows = [row("none", 0.0, _LinkErrors([], []))]
    for rate in rates:
        rows.append(row("missed links", rate, _draw_link_errors(linkage, rate, 0.0, seed)))
        rows.append(row("false links", rate, _draw_link_errors(linkage, 0.0, rate, seed)))
    table = pd.DataFrame(rows)
    base = rows[0]["estimate"]
    table["change"] = [None if base is None or e is None else e / base - 1.0 for e in table["estimate"]]
    table["sources"] = ["+".join(s) for s in table["sources"]]
    return table[["kind", "rate", "listed", "estimate", "ci_low", "ci_high", "change", "trusted", "reason", "method"]]
