"""Is a year still filling in? The listing-lag curve, and a year's estimated final count with a range.

The observations come from :func:`modelcensus.metrics.vintages.lag_observations` (one per reference year and
older vintage: the lag in months after the year ended and the share of the year's newest count then listed).
For a year read ``lag`` months after it ended, the share it has probably reached is the median of the
observations within ``WINDOW_MONTHS`` of that lag (or, with none so close, the medians of the nearest
observed lags on either side, interpolated); the range is the spread of those observations. The estimated
final count is the listed count over that share, its range the listed count over the high and the low share.

The "final" count is what the newest export lists: a source that keeps back-filling for longer than the
stored vintages span makes every estimate here a lower bound, and the caption says on how many vintages and
reference years the curve rests.

Two kinds of year are not read on the curve. A year that has not ended is not over (no lag, no estimate: its count
still grows as models come out, not only as the source lists them). A year that had ended at least
``MATURE_MONTHS`` before the oldest vintage the curve rests on is complete: every vintage saw it mature, so its
count differs between vintages by the source's revisions (a re-scoped list, a model found late), not by a listing
lag that the vintages watched run; the curve's few observations at such long lags are single reference years, and
reading one as "82% listed, 99 months after the year" would call a year of 2017 still filling in in 2026.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from modelcensus.metrics.vintages import MATURE_MONTHS

WINDOW_MONTHS = 2.0
"""Observations this close to a year's lag describe it (vintages are a few months apart)."""
COMPLETE_SHARE = 0.9
"""A year whose likely share of its eventual count is at least this is called complete (a source may still add
a few percent for years: Epoch added 7% to 2021's models between late 2024 and 2026)."""
MIN_GROUP_YEARS = 4
"""A group (a country) gets its own curve when at least this many of its reference years have a final count
of at least ``MIN_GROUP_FINAL``; otherwise it reads the curve of all groups together."""
MIN_GROUP_FINAL = 20
MIN_REFERENCE_FINAL = 10
"""Reference years with fewer models than this (the 1950s hold one or two) say nothing about a share: left out."""


@dataclass(frozen=True)
class ShareAtLag:
    share: float
    low: float
    high: float
    observations: int
    how: str


@dataclass
class LagCurve:
    """The observations behind a listing-lag curve and what they rest on."""

    observations: pd.DataFrame
    vintages: int
    reference_years: list[int] = field(default_factory=list)
    first_vintage: date | None = None
    """The date of the oldest vintage the curve is measured over (None: not known): a year that ended
    ``MATURE_MONTHS`` before it is complete (see the module docstring)."""
    _shares: dict[float, ShareAtLag | None] = field(default_factory=dict, init=False, repr=False, compare=False)
    """:meth:`share_at` per lag already read: a page reads every year of every country on one curve, at a few lags."""

    @classmethod
    def from_observations(
        cls, obs: pd.DataFrame, min_final: int = MIN_REFERENCE_FINAL, first_vintage: date | None = None
    ) -> LagCurve:
        if len(obs):
            obs = obs[obs["final"] >= min_final][["year", "export_id", "lag_months", "ratio"]].copy()
        vintages = int(obs["export_id"].nunique()) + 1 if len(obs) else 0  # the older ones and the newest
        years = sorted({int(y) for y in obs["year"]}) if len(obs) else []
        return cls(obs, vintages, years, first_vintage)

    def mature_throughout(self, year: int) -> bool:
        """Whether ``year`` had ended at least ``MATURE_MONTHS`` before the oldest vintage (see the module
        docstring): its count is revised, not filled in."""
        return self.first_vintage is not None and months_after_year(year, self.first_vintage) >= MATURE_MONTHS

    @property
    def empty(self) -> bool:
        return len(self.observations) == 0

    def basis(self) -> str:
        if self.empty:
            return "no vintages old enough to measure the listing lag"
        return (
            f"{self.vintages} vintages, {len(self.reference_years)} reference years "
            f"({self.reference_years[0]}–{self.reference_years[-1]}), {len(self.observations)} observations"
        )

    def share_at(self, lag: float) -> ShareAtLag | None:
        """The share of a year's eventual count listed ``lag`` months after it ended (None: not measurable)."""
        if lag not in self._shares:
            self._shares[lag] = self._share_at(lag)
        return self._shares[lag]

    def _share_at(self, lag: float) -> ShareAtLag | None:
        if self.empty:
            return None
        obs = self.observations
        near = obs[(obs["lag_months"] - lag).abs() <= WINDOW_MONTHS]
        if len(near):
            ratios = near["ratio"]
            return ShareAtLag(
                float(ratios.median()),
                float(ratios.min()),
                float(ratios.max()),
                len(near),
                f"{'one observation' if len(near) == 1 else f'{len(near)} observations'} within {WINDOW_MONTHS:g} "
                f"months of {lag:.1f}",
            )
        below, above = obs[obs["lag_months"] < lag], obs[obs["lag_months"] > lag]
        if below.empty:
            return None  # earlier in a year than any vintage saw one: nothing to go on
        if above.empty:  # older than every reference year measured: nothing says it is still filling in
            return ShareAtLag(1.0, 1.0, 1.0, 0, "older than every lag observed")
        lo_lag, hi_lag = float(below["lag_months"].max()), float(above["lag_months"].min())
        lo = obs[(obs["lag_months"] - lo_lag).abs() <= WINDOW_MONTHS / 2]["ratio"]
        hi = obs[(obs["lag_months"] - hi_lag).abs() <= WINDOW_MONTHS / 2]["ratio"]
        w = (lag - lo_lag) / (hi_lag - lo_lag)
        mid = (1 - w) * float(lo.median()) + w * float(hi.median())
        return ShareAtLag(
            mid,
            min(float(lo.min()), float(hi.min())),
            max(float(lo.max()), float(hi.max())),
            len(lo) + len(hi),
            f"interpolated between lags {lo_lag:.1f} and {hi_lag:.1f} months",
        )


@dataclass(frozen=True)
class YearStatus:
    """How complete a year's count is at a vintage, and what it will probably be."""

    year: int
    listed: float
    lag_months: float | None
    """Months from the end of the year to the vintage; None while the year has not ended."""
    complete: bool
    share: float | None
    estimate: float | None
    low: float | None
    high: float | None
    basis: str

    def to_dict(self) -> dict[str, object]:
        return {
            "year": self.year,
            "listed": self.listed,
            "lag_months": None if self.lag_months is None else round(self.lag_months, 1),
            "complete": self.complete,
            "share_listed": None if self.share is None else round(self.share, 3),
            "estimate": None if self.estimate is None else round(self.estimate),
            "estimate_low": None if self.low is None else round(self.low),
            "estimate_high": None if self.high is None else round(self.high),
            "basis": self.basis,
        }

    @property
    def ranged(self) -> bool:
        """Whether the estimate has a range: the share it rests on was read on observations that differ (one
        observation, or several that agree, give a single value, and ``low``–``high`` would be a point)."""
        return self.estimate is not None and self.low != self.high

    def describe(self, label: str = "", detail: bool = True) -> str:
        """One sentence: ``2025 is still filling in: 537 listed …; the final count will probably be …``."""
        who = f"{label} in {self.year}" if label else str(self.year)
        if self.complete:
            return f"{who}: complete (listed {self.listed:,.0f}; {self.basis})"
        if self.estimate is None or self.lag_months is None:
            return (
                f"{who} is still filling in: {self.listed:,.0f} listed; no estimate of its final count ({self.basis})"
            )
        basis = f"; {self.basis}" if detail else ""
        head = (
            f"{who} is still filling in: {self.listed:,.0f} listed {self.lag_months:.0f} months after the year "
            f"ended; final count probably about {self.estimate:,.0f}"
        )
        if not self.ranged:
            return f"{head} (no range: the share listed at this lag is a single value{basis})"
        high = "unbounded" if self.high is None or math.isinf(self.high) else f"{self.high:,.0f}"
        return f"{head} (range {self.low:,.0f}–{high}{basis})"


def months_after_year(year: int, when: date) -> float:
    return (when - date(year + 1, 1, 1)).days / 30.4375


def assess(year: int, listed: float, when: date, curve: LagCurve) -> YearStatus:
    """A year's status at a vintage dated ``when``, read on ``curve``."""
    lag = months_after_year(year, when)
    if lag < 0:
        return YearStatus(year, listed, None, False, None, None, None, None, "the year is not over")
    if curve.mature_throughout(year):
        assert curve.first_vintage is not None
        basis = f"ended at least {MATURE_MONTHS} months before the oldest vintage ({curve.first_vintage.isoformat()})"
        return YearStatus(year, listed, lag, True, None, listed, listed, listed, basis)
    at = curve.share_at(lag)
    if at is None or at.share <= 0:
        return YearStatus(year, listed, lag, False, None, None, None, None, curve.basis())
    basis = f"listing lag from {curve.basis()}; {at.how}"
    if at.share >= COMPLETE_SHARE:
        return YearStatus(year, listed, lag, True, at.share, listed, listed, listed, basis)
    high = listed / at.low if at.low > 0 else math.inf
    low = listed / at.high if at.high > 0 else listed
    return YearStatus(year, listed, lag, False, at.share, listed / at.share, max(low, listed), high, basis)
