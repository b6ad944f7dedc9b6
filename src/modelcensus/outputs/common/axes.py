"""Ticks a reader can read: whole years at a sensible step, shares whose tick labels never repeat.

Plotly picks a tick step from the range and writes every tick with the format it is given: a year axis then
reads "2,023.5" between two whole years, and a share axis from 0 to 4.5% written ``.0%`` reads "4%, 4%". Here
the step is chosen first (1, 2 or 5 times a power of ten; for years at least one) and the number of decimals
follows from it, so no two ticks print alike. The report's Plotly figures and the dashboard's (``MC.yearAxis``,
``MC.percentAxis`` in ``common.js``, the same rules) use them; the report's Matplotlib charts use the same steps
through their locators (:mod:`modelcensus.outputs.report.charts`).
"""

from __future__ import annotations

import math
from typing import Any

YEAR_STEPS = (1, 2, 5, 10, 20, 25, 50, 100)
"""The steps of a year axis: a tick every year, every second, fifth, … year."""
MAX_TICKS = 6
"""Intervals of a value axis at most (about six ticks: enough to read a value off, few enough to read)."""


def nice_step(span: float, max_ticks: int = MAX_TICKS) -> float:
    """The smallest step of 1, 2 or 5 times a power of ten that cuts ``span`` in at most ``max_ticks`` parts."""
    if not span > 0 or not math.isfinite(span):
        return 1.0
    raw = span / max(1, max_ticks)
    power = 10.0 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 5, 10):
        if multiple * power >= raw * (1 - 1e-9):
            return float(multiple * power)
    return float(10 * power)  # pragma: no cover - the loop ends at 10


def percent_decimals(step: float) -> int:
    """Decimals of a share axis whose ticks are ``step`` apart (a fraction: 0.005 is half a percent)."""
    if not step > 0:
        return 0
    return max(0, -math.floor(math.log10(step * 100) + 1e-9))


def percent_ticks(top: float, max_ticks: int = MAX_TICKS) -> tuple[float, int]:
    """The tick step and decimals of a share axis from 0 to ``top`` (fractions, 0.05 is 5%)."""
    step = nice_step(top if top > 0 else 1.0, max_ticks)
    return step, percent_decimals(step)


def year_step(first: int, last: int, max_ticks: int = 12) -> int:
    """The step of a year axis from ``first`` to ``last``: every year while that makes at most ``max_ticks``
    ticks, else the smallest of :data:`YEAR_STEPS` that does."""
    span = max(0, int(last) - int(first))
    for step in YEAR_STEPS:
        if span / step <= max_ticks:
            return step
    return YEAR_STEPS[-1]


def plotly_year_axis(first: int, last: int, max_ticks: int = 12) -> dict[str, Any]:
    """A Plotly linear axis of whole years (ticks on multiples of the step, written without a separator)."""
    return {"tickmode": "linear", "tick0": 0, "dtick": year_step(first, last, max_ticks), "tickformat": "d"}


def plotly_percent_axis(top: float, max_ticks: int = MAX_TICKS) -> dict[str, Any]:
    """A Plotly share axis from 0 to about ``top``: its step and a format with as many decimals as it needs."""
    step, decimals = percent_ticks(top, max_ticks)
    return {"tickmode": "linear", "tick0": 0, "dtick": step, "tickformat": f".{decimals}%", "rangemode": "tozero"}
