"""Which years of a time series are still filling in: the marks the report's charts and the dashboard draw.

Epoch AI back-fills models for years, so a recent year's count is provisional. The census measures how much
of a year's eventual count is listed some months after it ends (:meth:`Census.listing_lag`) and reads each
year's status off that curve (:func:`modelcensus.metrics.completeness.assess`, as :meth:`Census.year_status`
does). Here the status is read for the figure a chart shows (a definition's yearly count, a country's count
under any rule), on the curve of the population that figure counts. Nothing here draws: :mod:`.report` and
:mod:`.dashboard` do. Matplotlib is not imported, so the dashboard can use this module too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from modelcensus.census import Census
from modelcensus.definitions import Definition
from modelcensus.errors import QueryError
from modelcensus.metrics.completeness import LagCurve, YearStatus, assess
from modelcensus.outputs.common.i18n import Words
from modelcensus.vocabulary import MODEL_FILTERS

TINY_DENOMINATOR = 20
"""A year with fewer models than this under a definition gets no share drawn: one model would be 100%."""
LARGE_SCALE_FLOP = 1e23
"""Epoch AI's large-scale threshold: a definition of at least this much training compute reads the listing
lag of Epoch's large-scale models."""
CURVE_FILTERS = MODEL_FILTERS


def parse_date(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise QueryError(f"as_of must be a date (YYYY-MM-DD), not {value!r}", parameter="as_of") from exc


def curve_filters(definition: Definition) -> dict[str, Any] | None:
    """The filters of the listing-lag curve that describes a definition's yearly counts, or None when its
    sources are not Epoch AI's alone (only Epoch's vintages measure a listing lag)."""
    if tuple(definition.sources) != ("epoch",):
        return None
    out: dict[str, Any] = {}
    for key, value in definition.filters.items():
        if key in CURVE_FILTERS:
            out[key] = value
        elif key == "min_training_compute_flop" and float(value) >= LARGE_SCALE_FLOP:
            out["large_scale"] = True
    return out


def curve_words(filters: Mapping[str, Any]) -> str:
    """The population a curve is measured on, in words."""
    if not filters:
        return "all of Epoch AI's models"
    parts = [k.replace("_", "-") if v is True else f"{k.replace('_', ' ')} = {v}" for k, v in filters.items()]
    return "Epoch AI's " + ", ".join(parts) + " models"


@dataclass
class YearMarks:
    """The status of each year of one series, read on one listing-lag curve."""

    statuses: dict[int, YearStatus]
    population: str
    """The population whose curve the statuses are read on (``all of Epoch AI's models``)."""

    def filling(self) -> list[int]:
        """The years still filling in (never called complete), oldest first."""
        return sorted(y for y, s in self.statuses.items() if not s.complete)

    def sentences(self, label: str = "", words: Words | None = None) -> list[str]:
        """One sentence per year still filling in (``2025 is still filling in: 537 listed …``), in the language of
        ``words`` (default English); where there is no range (one observation near the year's lag), the sentence
        says so and what it rests on."""
        out = []
        for year in self.filling():
            s = self.statuses[year]
            detail = s.estimate is not None and not s.ranged
            out.append(words.year_sentence(s, label, detail) if words else s.describe(label, detail=detail))
        return out

    def scaled(self, year: int, value: float) -> tuple[float, float, float] | None:
        """``value`` (a figure of the year: a bar's height) scaled to its estimated final size with the range,
        in the proportions of the year's estimate to its listed count; None when not estimated."""
        s = self.statuses.get(year)
        if s is None or s.complete or s.estimate is None or not s.listed:
            return None
        low = s.low if s.low is not None else s.estimate
        high = s.high if s.high is not None and s.high != float("inf") else s.estimate
        return value * s.estimate / s.listed, value * low / s.listed, value * high / s.listed

    def to_json(self, label: str = "") -> list[dict[str, Any]]:
        return [
            {**s.to_dict(), "sentence": s.describe(label, detail=False), "filling_in": not s.complete}
            for _, s in sorted(self.statuses.items())
        ]


class YearMarker:
    """Reads the status of years off listing-lag curves as the census stood on ``as_of`` (the newest Epoch AI
    export dated on or before it), keeping each curve it reads."""

    def __init__(self, census: Census, as_of: date | str | None = None):
        self.census = census
        self.as_of = parse_date(as_of)
        newest = census.newest_export_date(["epoch"], self.as_of)
        self.when = date.fromisoformat(newest) if newest else None
        self._curves: dict[tuple[Any, ...], dict[str, LagCurve]] = {}

    def curves(self, filters: Mapping[str, Any]) -> dict[str, LagCurve]:
        key = tuple(sorted((k, str(v)) for k, v in filters.items()))
        if key not in self._curves:
            # the curve as the census stood on as_of too: a later vintage must not tell an earlier report's years
            self._curves[key] = self.census.listing_lag(None, as_of=self.as_of, **dict(filters))[1]
        return self._curves[key]

    def marks(self, counts: Mapping[int, float], filters: Mapping[str, Any] | None = None) -> YearMarks:
        """The status of each year of ``counts`` (year → listed figure: all models, a country's, an
        organization's), read on the curve of the whole population ``filters`` admit.

        A part (a country) is read on its population's curve, not on its own: the census's per-country curves
        rest on two vintages and one observation per year, too few for a small country's estimate. With no
        dated Epoch export in force, or no curve (``filters`` None: not Epoch's population), no year is marked:
        none is called complete or filling in without a measure."""
        if filters is None or self.when is None:
            return YearMarks({}, "")
        curve = self.curves(filters)[""]
        statuses = {int(y): assess(int(y), float(c), self.when, curve) for y, c in counts.items()}
        return YearMarks(statuses, curve_words(filters))

    def definition_marks(self, definition: Definition, counts: Mapping[int, float]) -> YearMarks:
        return self.marks(counts, curve_filters(definition))

    def last_complete_year(self, filters: Mapping[str, Any], until: int) -> int | None:
        """The newest year up to ``until`` whose count (of the population ``filters`` admit) is complete."""
        if self.when is None:
            return None
        frame = self.census.year_status(until - 10, until, as_of=self.as_of, **dict(filters)).frame
        done = [int(y) for y, complete in zip(frame["year"], frame["complete"], strict=True) if bool(complete)]
        return max(done) if done else None
