"""Points drawn beside a panel's series: figures stated elsewhere (a register's published totals beside the rows the
census stores), each with its own label, the words shown when pointed at, and whether it is a bound.

A point is not a series: published figures come at their own dates, from several publishers of unequal
reliability, and a bound ("at least 490") is not a count. :mod:`.charts` draws the points of a panel the same way
in the static (Matplotlib) and the interactive (Plotly) output, through the two functions here.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class Point:
    """One figure beside a series: at ``x`` (a value of the panel's axis), of height ``y``."""

    x: Any
    y: float
    series: str
    """The legend entry (and colour) the point belongs to."""
    label: str = ""
    """Short text printed above the point (its figure as stated: ``302``, ``≥ 490``)."""
    hover: str = ""
    """What the point says when pointed at (its date, source and reliability), lines joined by newlines."""
    bound: bool = False
    """A lower bound (drawn as a hollow triangle pointing up), not a count."""


def draw_points(
    ax: Any,
    points: Sequence[Point],
    position: Callable[[Any], Any],
    color: Callable[[str], str],
    handles: dict[str, Any],
) -> None:
    """The points on a Matplotlib axis, each series once in the legend (``handles``), labels above them."""
    for series in dict.fromkeys(p.series for p in points):
        mine = [p for p in points if p.series == series]
        bound = mine[0].bound
        drawn = ax.scatter(
            [position(p.x) for p in mine],
            [p.y for p in mine],
            s=42 if bound else 30,
            marker="^" if bound else "o",
            facecolors="white" if bound else color(series),
            edgecolors=color(series),
            linewidths=1.4,
            zorder=6,
        )
        handles.setdefault(series, drawn)
        for p in mine:
            if p.label:
                ax.annotate(
                    p.label,
                    (position(p.x), p.y),
                    textcoords="offset points",
                    xytext=(-5, 3) if p.bound else (0, 6),
                    ha="right" if p.bound else "center",
                    fontsize=7,
                    color="#333333",
                )


def point_traces(points: Sequence[Point], color: Callable[[str], str]) -> list[tuple[str, dict[str, Any]]]:
    """The points as Plotly scatter traces (one per series: ``(legend entry, trace)``), their words on hover."""
    out = []
    for series in dict.fromkeys(p.series for p in points):
        mine = [p for p in points if p.series == series]
        bound = mine[0].bound
        name = html.escape(series, quote=False)
        out.append(
            (
                series,
                {
                    "type": "scatter",
                    "mode": "markers+text",
                    "name": name,
                    "legendgroup": name,
                    "x": [_x(p.x) for p in mine],
                    "y": [p.y for p in mine],
                    "text": [html.escape(p.label, quote=False) for p in mine],
                    "textposition": "middle left" if bound else "top center",
                    "textfont": {"size": 10, "color": "#333333"},
                    "hovertext": [html.escape(p.hover, quote=False).replace("\n", "<br>") for p in mine],
                    "hovertemplate": "%{hovertext}<extra></extra>",
                    "marker": {
                        "symbol": "triangle-up-open" if bound else "circle",
                        "size": 10 if bound else 8,
                        "color": color(series),
                        "line": {"color": color(series), "width": 2},
                    },
                },
            )
        )
    return out


def _x(value: Any) -> Any:
    """An x value as Plotly takes it: a date as ISO text (the axis is a date axis), anything else as text."""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return html.escape(str(value), quote=False)
