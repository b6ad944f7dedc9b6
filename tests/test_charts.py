"""Charts that neither mislead nor are unreadable: the specs the report draws (Plotly and Matplotlib) and the palette
the dashboard gets, checked as data (``test_charts_browser.py`` checks the drawn pages in Chromium).

- ticks: whole years at a sensible step; share axes whose labels never repeat (the decimals follow the step);
- one colour per country, the same in the report's Plotly and Matplotlib charts and in the dashboard's pages;
- shares never stacked: a line per country (or, at one date, a bar per country), so nothing reads as 125%;
- years still filling in marked (dashed, hollow), and shares of years with fewer than ``TINY_DENOMINATOR`` models
  not drawn.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from matplotlib.colors import to_hex

import modelcensus as mc
from modelcensus.outputs.api.app import create_app
from modelcensus.outputs.common.axes import (
    nice_step,
    percent_decimals,
    percent_ticks,
    plotly_percent_axis,
    plotly_year_axis,
    year_step,
)
from modelcensus.outputs.common.palette import (
    COUNTRY_COLORS,
    FALLBACK,
    OTHER,
    UNKNOWN,
    country_color,
    fallback_index,
    palette_json,
)
from modelcensus.outputs.report.builder import ReportBuilder, load_strings
from modelcensus.outputs.report.charts import Chart, Panel, matplotlib_figure
from modelcensus.outputs.report.interactive import plotly_figure
from modelcensus.outputs.report.years import TINY_DENOMINATOR

MAJOR = ("CN", "US", "GB", "FR", "DE", "CA", "KR", "JP", "IL", "IN", "AE", "SG", "TW", "HK")


def _percent_labels(step: float, decimals: int, top: float) -> list[str]:
    """The tick labels a share axis with this step and format prints from 0 to ``top``, as Plotly's d3 format
    (and Python's) writes them."""
    count = round(top / step) + 1
    return [f"{i * step:.{decimals}%}" for i in range(count)]


# -- ticks ----------------------------------------------------------------------------------------------------


def test_nice_steps_and_decimals_known_answers() -> None:
    assert nice_step(100, 5) == 20 and nice_step(0.045, 6) == 0.01 and nice_step(1.0, 6) == 0.2
    assert nice_step(0, 6) == 1.0 and nice_step(float("nan"), 6) == 1.0
    assert percent_decimals(0.01) == 0 and percent_decimals(0.005) == 1 and percent_decimals(0.0005) == 2
    # the Hong Kong page's share axis (0 to 4.5%) printed "4%, 4%": a step of 1% prints whole percents
    assert percent_ticks(0.045) == (0.01, 0)
    assert percent_ticks(0.012) == (0.002, 1)
    assert year_step(2023, 2025) == 1 and year_step(2014, 2025) == 1
    assert year_step(1946, 2030) == 10 and year_step(1946, 2030, 4) == 25
    assert plotly_year_axis(2023, 2025) == {"tickmode": "linear", "tick0": 0, "dtick": 1, "tickformat": "d"}


@pytest.mark.parametrize("top", [0.0005, 0.003, 0.012, 0.045, 0.07, 0.19, 0.38, 0.67, 1.0, 1.3])
def test_share_axis_ticks_never_repeat(top: float) -> None:
    axis = plotly_percent_axis(top)
    decimals = int(re.fullmatch(r"\.(\d)%", axis["tickformat"]).group(1))  # type: ignore[union-attr]
    labels = _percent_labels(axis["dtick"], decimals, top + axis["dtick"])
    assert len(set(labels)) == len(labels), labels
    assert 2 <= len(labels) <= 8, labels  # enough ticks to read a value off, few enough to read


def test_year_steps_fit_the_width() -> None:
    for first in range(1940, 2026, 3):
        for ticks in (3, 6, 12, 20):
            step = year_step(first, 2026, ticks)
            assert step >= 1 and float(step).is_integer()
            assert (2026 - first) / step <= ticks or step == 100


def _share_chart(values: list[float]) -> Chart:
    data = pd.DataFrame({"Hong Kong": values}, index=list(range(2014, 2014 + len(values))))
    panel = Panel("share", data, "share of models", percent=True, kind="line")
    return Chart("hk", "Hong Kong's share", [panel], footer=["Definition: all models"])


def test_matplotlib_and_plotly_share_ticks_do_not_repeat() -> None:
    """The Hong Kong case: shares between 1.9% and 4.9%; neither output may print two ticks alike."""
    chart = _share_chart([0.049, 0.025, 0.045, 0.024, 0.023, 0.02, 0.023, 0.019, 0.042, 0.022])
    fig = matplotlib_figure(chart)
    fig.canvas.draw()
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert len(labels) >= 3 and all(label.endswith("%") for label in labels), labels
    assert len(set(labels)) == len(labels), labels
    assert ax.get_ylim()[1] >= 0.049
    spec = plotly_figure(chart)
    axis = spec["layout"]["yaxis"]
    assert axis["tickformat"] == ".0%" and axis["dtick"] == 0.01 and axis["automargin"] is True
    assert spec["layout"]["xaxis"]["automargin"] is True


def test_small_shares_keep_their_decimals() -> None:
    chart = _share_chart([0.001, 0.004, 0.006, 0.009])
    fig = matplotlib_figure(chart)
    fig.canvas.draw()
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels() if t.get_text()]
    assert len(set(labels)) == len(labels) and any("." in label for label in labels), labels
    assert plotly_figure(chart)["layout"]["yaxis"]["tickformat"] == ".1%"
    assert chart.share_label(0.003) == "0.3%" and chart.share_label(0.0004) == "<0.1%"
    assert chart.share_label(0.4) == "40%"


# -- one palette ----------------------------------------------------------------------------------------------


def test_the_palette_gives_every_major_country_its_own_fixed_colour() -> None:
    assert set(MAJOR) <= set(COUNTRY_COLORS)
    colors = [country_color(c) for c in MAJOR]
    assert len(set(colors)) == len(colors)
    assert OTHER not in colors and UNKNOWN not in colors and OTHER != UNKNOWN
    # the six drawn together most often take Okabe and Ito's colour-blind-safe set
    assert [country_color(c) for c in ("US", "CN", "GB", "FR", "DE", "CA")] == [
        "#0072B2",
        "#D55E00",
        "#009E73",
        "#CC79A7",
        "#E69F00",
        "#56B4E9",
    ]
    assert country_color(None) == country_color("") == country_color("None") == UNKNOWN
    assert country_color("cn") == country_color("CN")
    # a country without a fixed colour: always the same one of the fallback colours
    assert country_color("BR") == FALLBACK[fallback_index("BR")] == country_color("BR")
    assert fallback_index("BR") == (ord("B") + ord("R")) % len(FALLBACK)
    assert palette_json()["countries"]["CN"] == country_color("CN")


@pytest.fixture(scope="module")
def countries_chart(epoch_census_path: Path) -> tuple[Chart, dict[int, Any], list[int]]:
    """The report's countries chart (epoch-all and large-scale side by side) on the real Epoch export, with the
    yearly denominators of large-scale and the years epoch-all's count still fills in."""
    with mc.open(epoch_census_path, read_only=True) as census:
        builder = ReportBuilder(census, load_strings("en"), ["epoch-all", "large-scale"], None)
        section = builder.countries()
        chart = section.blocks[0].chart
        assert chart is not None
        units = builder.definition_frame("large-scale").groupby("year")["denominator"].first()
        filling = builder.definition_marks("epoch-all").filling()
    return chart, {int(y): float(v) for y, v in units.items()}, filling


def _trace_color(trace: dict[str, Any]) -> str:
    color = (trace.get("line") or {}).get("color") or (trace.get("marker") or {}).get("color")
    assert isinstance(color, str), trace
    return color.upper()


def test_a_country_has_one_colour_in_plotly_matplotlib_and_the_dashboard(
    countries_chart: tuple[Chart, dict[int, Any], list[int]], small_census_path: Path
) -> None:
    chart, _, _ = countries_chart
    expected = {"China": country_color("CN"), "United States": country_color("US"), "Other": OTHER}
    # the report's Plotly twin: every trace of China (bars and lines, all panels) in China's colour
    spec = plotly_figure(chart)
    for name, color in expected.items():
        traces = [t for t in spec["data"] if t.get("name") == name]
        assert len(traces) >= 4, name  # two count panels, two share panels (lines: a solid and a dashed trace)
        assert {_trace_color(t) for t in traces} == {color.upper()}, name
    # the PNG/SVG: Matplotlib's bars and lines of China in the same colour
    fig = matplotlib_figure(chart)
    legend = fig.legends[0]
    handles = dict(zip([t.get_text() for t in legend.get_texts()], legend.legend_handles, strict=True))
    for name, color in expected.items():
        handle = handles[name]
        drawn = handle.get_color() if hasattr(handle, "get_color") else handle.get_facecolor()
        assert to_hex(drawn).upper() == color.upper(), name
    line_colors = {to_hex(line.get_color()).upper() for ax in fig.axes for line in ax.get_lines()}
    assert country_color("CN").upper() in line_colors
    bar_colors = {to_hex(p.get_facecolor()).upper() for ax in fig.axes for p in ax.patches}
    assert country_color("CN").upper() in bar_colors
    # the dashboard: every page carries the same palette for its scripts
    with TestClient(create_app(small_census_path)) as client:
        for path in ("/", "/countries/CN", "/organizations/DeepSeek", "/vintages", "/claims"):
            html = client.get(path).text
            found = re.search(r"<script>MC\.setPalette\((\{.*?\})\);</script>", html)
            assert found is not None, path
            assert json.loads(found.group(1)) == palette_json(), path


# -- shares never stacked; years still filling in marked; tiny denominators left out ----------------------------


def test_shares_are_lines_never_a_stack_above_100_percent(
    countries_chart: tuple[Chart, dict[int, Any], list[int]],
) -> None:
    chart, _, _ = countries_chart
    shares = [p for p in chart.panels if p.percent]
    assert len(shares) == 2
    for panel in shares:
        assert panel.kind == "line", panel.title
        assert "lines" in panel.title
        # under full counting the shares of a year add up to more than 100%: stacked, they would read as 125%
        assert panel.data.sum(axis=1).max() > 1.0
    spec = plotly_figure(chart)
    share_axes = {f"x{i + 1}" if i else "x" for i, p in enumerate(chart.panels) if p.percent}
    drawn = [t for t in spec["data"] if t.get("xaxis") in share_axes]
    assert drawn and all(t["type"] == "scatter" for t in drawn), {t["type"] for t in drawn}


def test_no_report_chart_stacks_shares(hub_census: mc.Census) -> None:
    """Every share panel of the Hub section: a stack only where its parts are of one whole (originals and
    derivatives), adding up to at most 100%; shares of countries are lines or one bar per country."""
    builder = ReportBuilder(hub_census, load_strings("en"), ["epoch-all"], None)
    charts = [b.chart for b in builder.hub().blocks if b.chart is not None]
    assert {c.name for c in charts} == {"hub_derivatives", "hub_lineage", "hub_downloads"}
    for chart in charts:
        for panel in chart.panels:
            if not panel.percent:
                continue
            stacked = panel.kind == "stacked_bar" or (panel.kind == "hbar" and len(panel.data.columns) > 1)
            parts = panel.data.notna() & (panel.data != 0)
            if stacked and parts.sum(axis=1).max() > 1:  # several parts in one bar: they must be of one whole
                assert panel.data.fillna(0).sum(axis=1).max() <= 1.0 + 1e-9, (chart.name, panel.title)
    downloads = next(c for c in charts if c.name == "hub_downloads")
    for panel in downloads.panels:
        one_per_bar = (panel.data.notna() & (panel.data != 0)).sum(axis=1).max() <= 1
        assert panel.kind == "line" or (panel.kind == "hbar" and one_per_bar), panel.title
        if panel.kind == "hbar":  # each country's bar in its own colour
            assert list(panel.data.columns) == list(panel.data.index)


def test_years_still_filling_in_are_dashed_and_hollow_on_the_share_lines(
    countries_chart: tuple[Chart, dict[int, Any], list[int]],
) -> None:
    chart, _, filling = countries_chart
    assert filling, "the real export has years still filling in"
    panel = next(p for p in chart.panels if p.percent and p.title.startswith("epoch-all"))
    years = list(panel.data.index)
    assert panel.partial == [y for y in filling if y in years]
    index = chart.panels.index(panel)
    axis = f"x{index + 1}" if index else "x"
    spec = plotly_figure(chart)
    lines = [t for t in spec["data"] if t.get("xaxis") == axis and t["type"] == "scatter" and t.get("line")]
    dashed = [t for t in lines if t["line"].get("dash") == "dash" and isinstance(t["marker"]["symbol"], list)]
    solid = [t for t in lines if t["line"].get("dash") is None and t.get("name") in panel.data.columns]
    assert dashed and solid
    for trace in dashed:
        hollow = [x for x, s in zip(trace["x"], trace["marker"]["symbol"], strict=True) if s == "circle-open"]
        assert hollow == [str(y) for y in panel.partial], trace["name"]
    for trace in solid:  # the solid line stops before the first year still filling in
        drawn = [x for x, y in zip(trace["x"], trace["y"], strict=True) if y is not None]
        assert not set(drawn) & {str(y) for y in panel.partial}, trace["name"]
    legend = [t["name"] for t in spec["data"] if t.get("showlegend") is not False]
    assert chart.partial_label in legend
    # the static image: a dashed line and hollow markers for the same years
    fig = matplotlib_figure(chart)
    ax = fig.axes[index]
    assert any(line.get_linestyle() == "--" for line in ax.get_lines())
    hollow = [line for line in ax.get_lines() if line.get_markerfacecolor() == "white" and len(line.get_xdata())]
    assert hollow and all(len(line.get_xdata()) == len(panel.partial) for line in hollow)


def test_shares_of_tiny_denominators_are_not_drawn(
    countries_chart: tuple[Chart, dict[int, Any], list[int]],
) -> None:
    chart, units, _ = countries_chart
    panel = next(p for p in chart.panels if p.percent and p.title.startswith("large-scale"))
    tiny = [y for y in panel.data.index if 0 < units.get(int(y), 0) < TINY_DENOMINATOR]
    assert tiny, "large-scale has years of very few models"
    for year in tiny:
        assert panel.data.loc[year].isna().all(), year
    assert f"fewer than {TINY_DENOMINATOR} models" in panel.note
    spec = plotly_figure(chart)
    index = chart.panels.index(panel)
    axis = f"x{index + 1}" if index else "x"
    for trace in spec["data"]:
        if trace.get("xaxis") == axis and trace["type"] == "scatter" and trace.get("y"):
            shown = {x for x, y in zip(trace["x"], trace["y"], strict=True) if y is not None}
            assert not shown & {str(y) for y in tiny}, trace.get("name")
