"""Chart builders for the report: one :class:`Chart` drawn as a Matplotlib figure (PNG, SVG) here, and as a Plotly
figure by :mod:`.interactive`.

A chart is data, not drawing code: panels of wide frames (one row per x value, one column per series)
and the provenance lines every image carries in its footer. The report decides what to show; these
modules only draw it, the same way for the static and the interactive output: the same colours (a country's
is fixed, :mod:`modelcensus.outputs.common.palette`), the same marks of years still filling in, share axes whose
ticks never repeat (:mod:`modelcensus.outputs.common.axes`).
"""

from __future__ import annotations

import html
import math
import re
import textwrap
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal

import matplotlib

matplotlib.use("Agg")  # no display: files only

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter, FuncFormatter, MaxNLocator

from modelcensus.errors import ModelCensusError
from modelcensus.outputs.common.axes import MAX_TICKS, percent_decimals
from modelcensus.outputs.common.i18n import Words
from modelcensus.outputs.common.palette import EXTRA, OTHER, SERIES_COLORS
from modelcensus.outputs.report.points import Point, draw_points

Kind = Literal["stacked_bar", "bar", "hbar", "line", "points"]

PALETTE = list(EXTRA)
"""Colours of a series no one gave a colour (countries and known series have theirs: :mod:`..common.palette`)."""
GREY = OTHER

CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "WenQuanYi Zen Hei", "PingFang SC", "SimHei")
"""Fonts with the glyphs of Simplified Chinese, in order of preference (Debian's fonts-noto-cjk has the first)."""
CJK_LANGUAGES = ("zh",)
"""Languages whose charts need a CJK font: without one their words would be drawn as empty boxes."""
FOOTER_CHARS_PER_IN = 17  # characters of 7-pt footer text per inch of figure width
PANEL_HEIGHT_IN = 3.3
FOOTER_LINE_IN = 0.135


@dataclass
class Panel:
    """One subplot: ``data`` has the x values as index and one column per series."""

    title: str
    data: pd.DataFrame
    ylabel: str = ""
    percent: bool = False
    kind: Kind = "stacked_bar"
    labels: list[str] | None = None
    """Per-bar labels for ``hbar`` panels (e.g. a country and sector beside an organization)."""
    ylim: tuple[float, float] | None = None
    """Fixed value-axis limits, so that panels of one chart compare (e.g. 0–1 for shares and indices)."""
    partial: list[Any] = field(default_factory=list)
    """x values whose figures are provisional (years still filling in): hatched bars, hollow points on a dashed
    segment, never drawn like the rest."""
    estimate: pd.DataFrame | None = None
    """Per x value, ``estimate, low, high``: the estimated final figure and its range, drawn as an error bar."""
    reference: float | None = None
    """A value to compare the series with (a claimed figure), drawn as a dotted horizontal line."""
    note: str = ""
    """A short remark printed under the panel (e.g. which shares are not drawn, and why)."""
    xlabel: str = ""
    xlim: tuple[Any, Any] | None = None
    """Fixed x-axis limits: numbers, or dates on a time axis (panels of one chart over the same period)."""
    integer: bool = False
    """Whole-number ticks on the value axis (a count of a few: never 2.5 services)."""
    steps: bool = False
    """Lines drawn as steps (a running count that holds between the x values), not as slopes."""
    dotted: tuple[str, ...] = ()
    """Series drawn dotted (a bound or a reference beside the main series)."""
    points: list[Point] = field(default_factory=list)
    """Figures stated elsewhere, drawn as points beside the series (:mod:`.points`)."""


@dataclass
class Chart:
    """A titled grid of panels with one legend and a provenance footer."""

    name: str
    title: str
    panels: list[Panel]
    footer: list[str] = field(default_factory=list)
    columns: int = 0
    """Panels per row (0: all in one row, up to three)."""
    colors: dict[str, str] = field(default_factory=dict)
    legend: bool = True
    width_in: float = 12.0
    partial_label: str = "still filling in"
    estimate_label: str = "estimated final count (range)"
    reference_label: str = "claimed value"
    about_label: str = "about"
    words: Words | None = None
    """The language of the chart's numbers and dates (None: English as Python writes it)."""

    @property
    def localized(self) -> bool:
        return self.words is not None and not self.words.english

    def percent(self, value: float, _pos: Any = None, decimals: int = 0) -> str:
        if self.words is not None and self.localized:
            return self.words.percent(value, decimals)
        return _percent(value, decimals=decimals)

    def share_label(self, value: float) -> str:
        """A share printed beside a bar: whole percents, one decimal under 1% (0.3%, never a "0%" bar that is
        not empty), "<0.1%" below that."""
        if 0 < value < 0.001:
            return "<" + self.percent(0.001, decimals=1)
        return self.percent(value, decimals=1 if 0 < value < 0.01 else 0)

    def thousands(self, value: float, _pos: Any = None) -> str:
        return self.words.compact(value) if self.words is not None and self.localized else _thousands(value)

    def grid(self) -> tuple[int, int]:
        cols = self.columns or min(3, len(self.panels))
        return math.ceil(len(self.panels) / cols), cols

    def series(self) -> list[str]:
        names: list[str] = []
        for panel in self.panels:
            names.extend(str(c) for c in panel.data.columns if str(c) not in names)
        return names

    def color(self, name: str) -> str:
        if name in self.colors:
            return self.colors[name]
        free = [c for c in PALETTE if c not in self.colors.values()]
        index = self.series().index(name) if name in self.series() else 0
        return free[index % len(free)] if free else PALETTE[index % len(PALETTE)]


def _percent(value: float, _pos: Any = None, decimals: int = 0) -> str:
    return f"{value:.{decimals}%}"


class ShareFormatter(Formatter):
    """Share ticks with as many decimals as their step needs (0.5% apart: "0.5%, 1.0%"; never "4%, 4%")."""

    def __init__(self, chart: Chart):
        self.chart = chart
        self.decimals = 0

    def set_locs(self, locs: Any) -> None:
        super().set_locs(locs)
        ordered = sorted(float(v) for v in locs)
        steps = [b - a for a, b in pairwise(ordered) if b > a]
        self.decimals = percent_decimals(min(steps)) if steps else 0

    def __call__(self, x: float, pos: Any = None) -> str:
        return self.chart.percent(x, decimals=self.decimals)


def value_locator(percent: bool, integer: bool = False) -> MaxNLocator:
    """Ticks of a value axis: about six, at steps of 1, 2 or 5 times a power of ten (a share's decimals follow
    from its step: :class:`ShareFormatter`)."""
    return MaxNLocator(nbins=MAX_TICKS, steps=[1, 2, 5, 10], integer=integer and not percent)


def _thousands(value: float, _pos: Any = None) -> str:
    if abs(value) >= 1e9:
        return f"{value / 1e9:g}B"
    if abs(value) >= 1e6:
        return f"{value / 1e6:g}M"
    if abs(value) >= 1e4:
        return f"{value / 1e3:g}k"
    return f"{value:g}"


class FontError(ModelCensusError, RuntimeError):
    """No font can draw the chart's words (a Chinese report without a CJK font installed)."""


def cjk_family() -> str:
    """The name of an installed CJK font for Matplotlib; fonts installed after Matplotlib cached its list of
    fonts are found too. None installed is a clear error: the charts would show empty boxes."""
    names = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in names:
            return family
    for path in font_manager.findSystemFonts():
        if "cjk" in Path(path).name.lower() or any(f.replace(" ", "") in Path(path).name for f in CJK_FAMILIES):
            font_manager.fontManager.addfont(path)
    names = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in names:
            return family
    raise FontError(
        "no CJK font for the charts of a Chinese report (looked for "
        + ", ".join(CJK_FAMILIES)
        + "): install one, e.g. `apt install fonts-noto-cjk` on Debian or Ubuntu"
    )


def font_settings(words: Words | None, wide: bool = False) -> dict[Any, Any]:
    """Matplotlib settings for a chart's language: a CJK font first for Chinese (its Latin glyphs match),
    Matplotlib's own font otherwise (English unchanged unless its chart has Chinese words, ``wide``: 备案; others
    fall back to a CJK font when one is installed, for names written in Chinese)."""
    if (words is None or words.english) and not wide:
        return {}
    if words is not None and words.lang in CJK_LANGUAGES:
        return {"font.family": [cjk_family(), "DejaVu Sans"]}
    try:
        return {"font.family": ["DejaVu Sans", cjk_family()]}
    except FontError:
        return {}


def _mpl(text: str) -> str:
    """Text drawn by Matplotlib as written: a ``$`` (a claim's "$5B") is not the start of mathtext."""
    return text.replace("$", r"\$")


def web_text(text: str) -> str:
    """Text drawn by Plotly as written: its labels take a little HTML, which text from the data must not carry."""
    return html.escape(text, quote=False).replace("\n", "<br>")


_WIDE = re.compile(
    "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]"
)
_TOKENS = re.compile(f"{_WIDE.pattern}[，。；：、！？）》」』”’]*|\\s+|[^\\s{_WIDE.pattern[1:-1]}]+")


def display_width(text: str) -> int:
    """Columns ``text`` takes: a Chinese character two, others one."""
    return len(text) + len(_WIDE.findall(text))


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` columns. Text with Chinese (Japanese, Korean) characters is broken
    between any two of them, each two columns wide, never before a closing mark (，。）); other text as
    :func:`textwrap.wrap` breaks it."""
    if not _WIDE.search(text):
        return textwrap.wrap(text, width)
    lines: list[str] = []
    line, used = "", 0
    for token in _TOKENS.findall(text):
        size = display_width(token)
        if used + size > width and line.strip():
            lines.append(line.rstrip())
            line, used = "", 0
            if token.isspace():
                continue
        line, used = line + token, used + size
    if line.strip():
        lines.append(line.rstrip())
    return lines


def footer_lines(chart: Chart) -> list[str]:
    width = int(chart.width_in * FOOTER_CHARS_PER_IN)
    lines: list[str] = []
    for line in chart.footer:
        lines.extend(wrap(line, width) or [""])
    return lines


def matplotlib_figure(chart: Chart) -> Figure:
    """The chart as a Matplotlib figure (Agg), its footer stating the provenance."""
    rows, cols = chart.grid()
    footer = footer_lines(chart)
    title_in = 0.55
    entries = [*chart.series(), *_extra_entries(chart)]
    ncol = _legend_columns(chart.width_in, entries)
    legend_rows = math.ceil(len(entries) / ncol) if chart.legend else 0
    legend_in = 0.3 + 0.22 * legend_rows if chart.legend else 0.0
    footer_in = 0.25 + FOOTER_LINE_IN * len(footer)
    note_in = 0.3 if any(p.note or p.xlabel for p in chart.panels) else 0.0
    last_row = chart.panels[(rows - 1) * cols :]
    bottom_note_in = note_in if any(p.note or p.xlabel for p in last_row) else 0.0
    height = title_in + rows * PANEL_HEIGHT_IN + (rows - 1) * note_in + bottom_note_in + legend_in + footer_in
    fig = plt.figure(figsize=(chart.width_in, height), dpi=100)
    top = 1 - title_in / height
    rotated = any(
        p.kind not in ("hbar", "points") and len(p.data.index) > 6 and not is_timeline(p) for p in chart.panels
    )
    bottom = (legend_in + footer_in + (0.85 if rotated else 0.5) + bottom_note_in) / height
    hspace = 0.6 + (0.15 if note_in else 0.0)
    grid = fig.add_gridspec(rows, cols, left=0.07, right=0.98, top=top, bottom=bottom, hspace=hspace, wspace=0.28)
    labels = [str(label) for p in chart.panels if p.kind == "hbar" for label in (p.labels or p.data.index)]
    if labels:  # room for the bar labels left of every column of panels
        label_in = 0.25 + 0.065 * max(display_width(label) for label in labels)
        axis_in = (chart.width_in * 0.96 - cols * label_in) / cols
        grid.update(left=label_in / chart.width_in, wspace=(label_in + 0.2) / max(axis_in, 0.5))
    fig.suptitle(_mpl(chart.title), fontsize=13, fontweight="bold", y=1 - 0.12 / height, va="top")
    handles: dict[str, Any] = {}
    for i, panel in enumerate(chart.panels):
        ax = fig.add_subplot(grid[i // cols, i % cols])
        _draw_panel(ax, panel, chart, handles)
    if chart.legend and handles:
        fig.legend(
            list(handles.values()),
            [_mpl(label) for label in handles],
            loc="lower center",
            bbox_to_anchor=(0.5, (footer_in + 0.05) / height),
            ncol=min(ncol, len(handles)),
            frameon=False,
            fontsize=9,
        )
    fig.text(
        0.01,
        0.1 / height,
        _mpl("\n".join(footer)),
        fontsize=7,
        color="#444444",
        va="bottom",
        ha="left",
        linespacing=1.35,
    )
    return fig


def _legend_columns(width_in: float, entries: list[str]) -> int:
    """Legend entries per row: up to six, as many as fit the figure's width side by side (long labels, as
    Indonesian writes them, take fewer per row)."""
    widths = sorted((0.5 + 0.065 * display_width(e) for e in entries), reverse=True)
    for ncol in range(min(6, len(entries)), 1, -1):
        if sum(widths[:ncol]) <= 0.95 * width_in:
            return ncol
    return 1


def _extra_entries(chart: Chart) -> list[str]:
    """Legend entries beyond the series: provisional figures, estimates, a reference value, points."""
    out = list(dict.fromkeys(p.series for panel in chart.panels for p in panel.points))
    if any(p.partial for p in chart.panels):
        out.append(chart.partial_label)
    if any(p.estimate is not None and len(p.estimate) for p in chart.panels):
        out.append(chart.estimate_label)
    if any(p.reference is not None for p in chart.panels):
        out.append(chart.reference_label)
    return out


def _draw_panel(ax: Any, panel: Panel, chart: Chart, handles: dict[str, Any]) -> None:
    data = panel.data
    ax.set_title(_mpl(panel.title), fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="x" if panel.kind == "hbar" else "y", color="#e5e5e5", linewidth=0.6)
    ax.set_axisbelow(True)
    if panel.note or panel.xlabel:
        text = _mpl("\n".join(t for t in (panel.xlabel, panel.note) if t))
        ax.set_xlabel(text, fontsize=7 if panel.note else 9, color="#8a4b00" if panel.note else "black")
    if data.empty:
        ax.text(0.5, 0.5, "—", ha="center", va="center", transform=ax.transAxes)
        return
    positions: list[Any] = list(range(len(data.index)))
    labels = [str(x) for x in data.index]
    timeline = is_timeline(panel)
    if timeline:  # dates on a time scale: uneven gaps between ratings show as such
        positions = list(pd.to_datetime(pd.Series(data.index)))
    if panel.kind == "points":
        positions = [float(x) for x in data.index]
    partial = [x in panel.partial for x in data.index]
    if panel.kind in ("line", "points"):
        for name in data.columns:
            values = data[name].to_numpy(dtype=float)
            _draw_line(ax, panel, positions, values, partial, chart.color(str(name)), str(name) in panel.dotted)
            handles.setdefault(str(name), ax.lines[-1] if panel.kind == "line" else ax.collections[-1])
    elif panel.kind == "hbar":
        bottoms = [0.0] * len(data.index)
        for name in data.columns:
            values = data[name].fillna(0).to_numpy(dtype=float)
            drawn = [i for i, v in enumerate(data[name]) if pd.notna(v)]  # an empty part is not drawn: its edge
            bars = ax.barh(  # would stop the axis at the bar's end, leaving no room for the label beside it
                [positions[i] for i in drawn],
                [values[i] for i in drawn],
                left=[bottoms[i] for i in drawn],
                color=chart.color(str(name)),
                height=0.7,
            )
            handles.setdefault(str(name), bars)
            bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
        ax.set_yticks(positions, [_mpl(str(label)) for label in (panel.labels or labels)], fontsize=8)
        ax.invert_yaxis()
        parts = int((data.fillna(0) != 0).sum(axis=1).max()) > 1 if len(data.index) else False
        if panel.percent and parts:  # parts of a whole: label each part, not the 100% total
            left = [0.0] * len(data.index)
            for name in data.columns:
                for pos, value in enumerate(data[name].fillna(0).to_numpy(dtype=float)):
                    if value >= 0.04:
                        label = chart.share_label(value)
                        ax.text(left[pos] + value / 2, pos, label, ha="center", va="center", fontsize=8)
                    left[pos] += value
        else:
            for pos, total in zip(positions, bottoms, strict=True):
                label = " " + (chart.share_label(total) if panel.percent else chart.thousands(total))
                ax.text(total, pos, label, va="center", fontsize=7)
        ax.margins(x=0.12)
    else:
        stacked = panel.kind == "stacked_bar"
        n = len(data.columns)
        width = 0.8 if stacked else 0.8 / max(n, 1)
        bottoms = [0.0] * len(data.index)
        for j, name in enumerate(data.columns):
            values = data[name].fillna(0).to_numpy(dtype=float)
            x = positions if stacked else [p - 0.4 + width * (j + 0.5) for p in positions]
            bars = ax.bar(x, values, width=width, bottom=bottoms if stacked else None, color=chart.color(str(name)))
            for patch, provisional in zip(bars.patches, partial, strict=True):
                if provisional:  # a year still filling in: hatched, never drawn like a complete one
                    patch.set_hatch("////")
                    patch.set_edgecolor("white")
                    patch.set_linewidth(0.0)
            handles.setdefault(str(name), bars)
            if stacked:
                bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    _draw_marks(ax, panel, chart, positions, handles)
    if panel.points:
        at = dict(zip(data.index, positions, strict=True))
        draw_points(ax, panel.points, lambda x: at.get(x, pd.Timestamp(x) if timeline else x), chart.color, handles)
        ax.margins(y=0.14)  # room for the points' labels
    if timeline:
        locator = mdates.AutoDateLocator(maxticks=12)  # type: ignore[no-untyped-call]
        ax.xaxis.set_major_locator(locator)
        if chart.words is not None and chart.localized:  # month names of the chart's language
            words = chart.words
            ax.xaxis.set_major_formatter(
                FuncFormatter(lambda x, _pos: words.month(mdates.num2date(x)))  # type: ignore[no-untyped-call]
            )
        else:
            ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
        ax.tick_params(axis="x", labelsize=8)
        if panel.xlim is not None:
            ax.set_xlim(*(pd.Timestamp(x) for x in panel.xlim))
    elif panel.kind == "points":
        ax.tick_params(axis="x", labelsize=8)
        if panel.xlim is not None:
            ax.set_xlim(*panel.xlim)
    elif panel.kind != "hbar":
        if panel.kind == "line" and len(labels) <= 4:
            ax.margins(x=0.12)  # a few categories: room for their labels at the ends
        step = max(1, math.ceil(len(labels) / 12))
        ax.set_xticks(
            positions[::step],
            [_mpl(label) for label in labels[::step]],
            fontsize=8,
            rotation=45 if len(labels) > 6 else 0,
        )
    if panel.kind != "hbar":
        ax.yaxis.set_major_formatter(ShareFormatter(chart) if panel.percent else FuncFormatter(chart.thousands))
        ax.yaxis.set_major_locator(value_locator(panel.percent, panel.integer))
        ax.tick_params(axis="y", labelsize=8)
        ax.set_ylabel(panel.ylabel, fontsize=9)
        if panel.ylim is not None:
            ax.set_ylim(*panel.ylim)
    else:
        ax.xaxis.set_major_formatter(ShareFormatter(chart) if panel.percent else FuncFormatter(chart.thousands))
        ax.xaxis.set_major_locator(value_locator(panel.percent))
        ax.tick_params(axis="x", labelsize=8)
        ax.set_xlabel(panel.ylabel, fontsize=9)


def _draw_line(
    ax: Any, panel: Panel, positions: list[Any], values: Any, partial: list[bool], color: str, dotted: bool = False
) -> None:
    """A series: solid with filled markers where figures are final, dashed with hollow markers into the points
    that are provisional; ``points`` panels draw the markers alone; steps and dotted series as the panel says."""
    if panel.kind == "points":
        ax.scatter(positions, values, s=14, color=color, alpha=0.75, linewidths=0)
        return
    solid = [float("nan") if p else v for v, p in zip(values, partial, strict=True)]
    if any(partial):
        ax.plot(positions, values, linestyle="--", linewidth=1.2, color=color)
        hollow = [(x, v) for x, v, p in zip(positions, values, partial, strict=True) if p]
        ax.plot(
            [x for x, _ in hollow],
            [v for _, v in hollow],
            linestyle="none",
            marker="o",
            markersize=5,
            markerfacecolor="white",
            markeredgecolor=color,
            markeredgewidth=1.2,
        )
    style = {"drawstyle": "steps-post"} if panel.steps else {"marker": "o", "markersize": 3}
    ax.plot(positions, solid, color=color, linestyle=":" if dotted else "-", **style)


def _draw_marks(ax: Any, panel: Panel, chart: Chart, positions: list[Any], handles: dict[str, Any]) -> None:
    """The legend entry of provisional figures, the estimates' error bars and the reference line of a panel."""
    from matplotlib.patches import Patch

    if panel.partial:
        handles.setdefault(
            chart.partial_label,
            Patch(facecolor="#9a9a9a", edgecolor="white", hatch="////", label=chart.partial_label)
            if panel.kind in ("stacked_bar", "bar")
            else ax.plot([], [], linestyle="--", marker="o", markerfacecolor="white", color="#555555")[0],
        )
    estimate = panel.estimate
    if estimate is not None and len(estimate):
        where = {x: positions[i] for i, x in enumerate(panel.data.index)}
        rows = [(where[x], r) for x, r in estimate.iterrows() if x in where and pd.notna(r["estimate"])]
        if rows:
            est = [float(r["estimate"]) for _, r in rows]
            low = [float(r["low"]) if pd.notna(r["low"]) else e for (_, r), e in zip(rows, est, strict=True)]
            high = [float(r["high"]) if pd.notna(r["high"]) else e for (_, r), e in zip(rows, est, strict=True)]
            bars = ax.errorbar(
                [x for x, _ in rows],
                est,
                yerr=[
                    [e - lo for e, lo in zip(est, low, strict=True)],
                    [h - e for e, h in zip(est, high, strict=True)],
                ],
                fmt="D",
                markersize=4,
                color="#222222",
                markerfacecolor="white",
                capsize=3,
                linewidth=1.0,
                zorder=5,
            )
            handles.setdefault(chart.estimate_label, bars)
    if panel.reference is not None:
        line = ax.axhline(panel.reference, color=SERIES_COLORS["claimed"], linestyle=":", linewidth=1.4, zorder=4)
        handles.setdefault(chart.reference_label, line)


def is_timeline(panel: Panel) -> bool:
    """A line panel indexed by dates (the quality frontier): drawn on a time axis, not as categories."""
    index = panel.data.index
    return panel.kind == "line" and len(index) > 0 and all(isinstance(v, date) for v in index)


def save_images(chart: Chart, directory: Path) -> tuple[Path, Path]:
    """Write the chart as ``NAME.png`` and ``NAME.svg``.

    The SVG keeps its words as text (searchable, and its footer readable by tools); it names generic
    font families and loads nothing.
    """
    directory.mkdir(parents=True, exist_ok=True)
    png, svg = directory / f"{chart.name}.png", directory / f"{chart.name}.svg"
    with plt.rc_context({"svg.fonttype": "none", **font_settings(chart.words, _has_wide(chart))}):
        fig = matplotlib_figure(chart)
        try:
            fig.savefig(png, format="png", dpi=100, metadata={"Software": None})
            fig.savefig(svg, format="svg", metadata={"Date": None})
        finally:
            plt.close(fig)
    return png, svg


def _has_wide(chart: Chart) -> bool:
    """Whether the chart writes Chinese (Japanese, Korean) characters anywhere: its words need a CJK font."""
    texts = [chart.title, *chart.footer, *chart.series()]
    for panel in chart.panels:
        texts += [panel.title, panel.note, panel.xlabel, *(panel.labels or []), *(str(x) for x in panel.data.index)]
        texts += [p.label for p in panel.points]
    return any(_WIDE.search(text) for text in texts)
