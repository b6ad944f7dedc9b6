"""The report's charts as Plotly figures: the interactive twin of :func:`.charts.matplotlib_figure`, drawn from the
same :class:`~.charts.Chart` (its panels, colours, marks of years still filling in) for the report's HTML page.

Built as plain JSON rather than through ``plotly.graph_objects``, whose validation costs about a second per
chart; the page draws it with the plotly.js bundled in the ``plotly`` package. Every axis has room for its
labels (``automargin``); a share axis has a step and as many decimals as its range needs
(:func:`~modelcensus.outputs.common.axes.plotly_percent_axis`), so no two ticks read alike.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from modelcensus.outputs.common.axes import plotly_percent_axis
from modelcensus.outputs.common.palette import SERIES_COLORS
from modelcensus.outputs.report.charts import Chart, Panel, is_timeline, web_text
from modelcensus.outputs.report.points import point_traces


def plotly_figure(chart: Chart) -> dict[str, Any]:
    """The chart as a Plotly figure (``{"data", "layout"}``, the JSON ``Plotly.newPlot`` takes).

    Built as plain JSON rather than through ``plotly.graph_objects``, whose validation costs about a
    second per chart; the page draws it with the plotly.js bundled in the ``plotly`` package.
    """
    rows, cols = chart.grid()
    hbar = any(p.kind == "hbar" for p in chart.panels)
    gap_x = 0.22 if hbar and cols > 1 else 0.07
    gap_y = 0.3 / rows if rows > 1 else 0.0
    width = (1 - gap_x * (cols - 1)) / cols
    height = (1 - gap_y * (rows - 1)) / rows
    layout: dict[str, Any] = {
        "title": {"text": web_text(chart.title)},
        "barmode": "stack" if any(p.kind in ("stacked_bar", "hbar") for p in chart.panels) else "group",
        "height": 160 + 340 * rows,
        "template": {"layout": {"plot_bgcolor": "white", "paper_bgcolor": "white"}},
        "legend": {"orientation": "h", "y": -0.15 if rows == 1 else -0.08},
        "showlegend": chart.legend,
        "margin": {"l": 60, "r": 20, "t": 80, "b": 60},
        "annotations": [],
        "hovermode": "closest",
    }
    if chart.words is not None and chart.localized:  # decimal and thousands separators of the language
        layout["separators"] = chart.words.decimal_symbol() + chart.words.group_symbol()
    data: list[dict[str, Any]] = []
    shown: set[str] = set()
    for i, panel in enumerate(chart.panels):
        row, col = i // cols, i % cols
        n = "" if i == 0 else str(i + 1)
        x0 = col * (width + gap_x)
        y1 = 1 - row * (height + gap_y)
        grid = {"showgrid": True, "gridcolor": "#e5e5e5", "zeroline": False, "automargin": True}
        xaxis: dict[str, Any] = {"domain": [x0, x0 + width], "anchor": f"y{n}", **grid}
        yaxis: dict[str, Any] = {"domain": [y1 - height, y1], "anchor": f"x{n}", **grid}
        value_axis, category_axis = (xaxis, yaxis) if panel.kind == "hbar" else (yaxis, xaxis)
        value_axis["title"] = {"text": panel.ylabel}
        if panel.percent:
            value_axis.update(plotly_percent_axis(panel.ylim[1] if panel.ylim is not None else value_top(panel)))
        if panel.ylim is not None:
            value_axis["range"] = list(panel.ylim)
        category_axis["type"] = "date" if is_timeline(panel) else "linear" if panel.kind == "points" else "category"
        if is_timeline(panel) and chart.words is not None and chart.localized:
            category_axis["tickformat"] = chart.words.s["plotly_date_axis"]
            category_axis["hoverformat"] = chart.words.s["plotly_date_hover"]
        if panel.xlim is not None:
            category_axis["range"] = [x.isoformat() if isinstance(x, date) else x for x in panel.xlim]
        if panel.note or panel.xlabel:
            text = "<br>".join(web_text(t) for t in (panel.xlabel, panel.note) if t)
            xaxis["title"] = {"text": text, "font": {"size": 11 if panel.note else 12}}
        if panel.kind == "hbar":
            yaxis["autorange"] = "reversed"
            yaxis["automargin"] = True
        layout[f"xaxis{n}"], layout[f"yaxis{n}"] = xaxis, yaxis
        layout["annotations"].append(
            {
                "text": web_text(panel.title),
                "x": x0 + width / 2,
                "y": y1,
                "xref": "paper",
                "yref": "paper",
                "xanchor": "center",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 14},
            }
        )
        traces: list[dict[str, Any]] = []
        for name in panel.data.columns:
            traces.extend(
                _traces(panel, str(name), chart.color(str(name)), str(name) not in shown, chart.partial_label)
            )
            shown.add(str(name))
        for label, trace in [*_mark_traces(panel, chart), *point_traces(panel.points, chart.color)]:
            trace["showlegend"] = label not in shown
            traces.append(trace)
            shown.add(label)
        for trace in traces:
            trace.update({"xaxis": f"x{n}", "yaxis": f"y{n}"})
        data.extend(traces)
        if panel.reference is not None:
            layout.setdefault("shapes", []).append(
                {
                    "type": "line",
                    "xref": f"x{n} domain",
                    "x0": 0,
                    "x1": 1,
                    "yref": f"y{n}",
                    "y0": panel.reference,
                    "y1": panel.reference,
                    "line": {"color": SERIES_COLORS["claimed"], "dash": "dot", "width": 2},
                }
            )
    return {"data": data, "layout": layout}


def value_top(panel: Panel) -> float:
    """The highest value a panel draws: the tallest stack of a stacked panel, else the highest value of any series,
    estimate, reference or point (0 when it draws nothing)."""
    data = panel.data.apply(pd.to_numeric, errors="coerce")
    stacked = panel.kind == "stacked_bar" or (panel.kind == "hbar" and len(data.columns) > 1)
    values = data.clip(lower=0).sum(axis=1, min_count=1) if stacked else data.max(axis=1)
    tops = [float(v) for v in values if pd.notna(v)]
    if panel.estimate is not None and len(panel.estimate):
        tops += [float(v) for v in panel.estimate["high"] if pd.notna(v)]
    if panel.reference is not None:
        tops.append(float(panel.reference))
    tops += [float(p.y) for p in panel.points]
    return max(tops, default=0.0)


def _x(panel: Panel) -> list[Any]:
    if panel.kind == "points":
        return [float(v) for v in panel.data.index]
    return [web_text(str(v)) for v in panel.data.index]


def _traces(
    panel: Panel, name: str, color: str, show_legend: bool, partial_label: str = "still filling in"
) -> list[dict[str, Any]]:
    """A series as Plotly traces: for a line with provisional points, a dashed trace with hollow markers under
    the solid one (which stops at the last final point)."""
    trace = _trace(panel, name, color, show_legend)
    if not panel.partial or panel.kind not in ("line", "bar", "stacked_bar"):
        return [trace]
    partial = [x in panel.partial for x in panel.data.index]
    note = [f"  ({partial_label})" if p else "" for p in partial]
    if panel.kind != "line":
        trace["marker"]["pattern"] = {
            "shape": ["/" if p else "" for p in partial],
            "fgcolor": "white",
            "size": 6,
            "fillmode": "overlay",
        }
        trace["text"] = note
        trace["textposition"] = "none"
        trace["hovertemplate"] = trace["hovertemplate"].replace("<extra>", "%{text}<extra>")
        return [trace]
    dashed = dict(trace)
    dashed.update(
        {
            "line": {"color": color, "dash": "dash"},
            "marker": {
                "color": color,
                "size": [9 if p else 1 for p in partial],
                "symbol": ["circle-open" if p else "circle" for p in partial],
                "line": {"color": color, "width": 2},
            },
            "showlegend": False,
            "text": note,
            "hovertemplate": trace["hovertemplate"].replace("<extra>", "%{text}<extra>"),
        }
    )
    trace["y"] = [None if p else v for v, p in zip(trace["y"], partial, strict=True)]
    trace["hoverinfo"] = "skip"
    trace.pop("hovertemplate")
    return [dashed, trace]


def _mark_traces(panel: Panel, chart: Chart) -> list[tuple[str, dict[str, Any]]]:
    """The legend entry of provisional figures, the estimates with their ranges and the reference line."""
    out: list[tuple[str, dict[str, Any]]] = []
    x = _x(panel)
    if panel.partial and len(x):
        first = x[list(panel.data.index).index(panel.partial[0])] if panel.partial[0] in panel.data.index else x[-1]
        bars = panel.kind in ("bar", "stacked_bar")
        out.append(
            (
                chart.partial_label,
                {
                    "type": "bar" if bars else "scatter",
                    "name": chart.partial_label,
                    "x": [first],
                    "y": [0] if bars else [None],
                    "legendgroup": chart.partial_label,
                    "hoverinfo": "skip",
                    **(
                        {
                            "marker": {
                                "color": "#9a9a9a",
                                "pattern": {"shape": "/", "fgcolor": "white", "fillmode": "overlay"},
                            }
                        }
                        if bars
                        else {
                            "mode": "lines+markers",
                            "line": {"color": "#555555", "dash": "dash"},
                            "marker": {"symbol": "circle-open", "size": 9, "color": "#555555"},
                        }
                    ),
                },
            )
        )
    estimate = panel.estimate
    if estimate is not None and len(estimate):
        where = dict(zip(panel.data.index, x, strict=True))
        rows = [(where[i], r) for i, r in estimate.iterrows() if i in where and pd.notna(r["estimate"])]
        if rows:
            est = [float(r["estimate"]) for _, r in rows]
            low = [float(r["low"]) if pd.notna(r["low"]) else e for (_, r), e in zip(rows, est, strict=True)]
            high = [float(r["high"]) if pd.notna(r["high"]) else e for (_, r), e in zip(rows, est, strict=True)]
            out.append(
                (
                    chart.estimate_label,
                    {
                        "type": "scatter",
                        "mode": "markers",
                        "name": chart.estimate_label,
                        "legendgroup": chart.estimate_label,
                        "x": [p for p, _ in rows],
                        "y": est,
                        "customdata": [[lo, hi] for lo, hi in zip(low, high, strict=True)],
                        "marker": {"symbol": "diamond-open", "size": 9, "color": "#222222"},
                        "error_y": {
                            "type": "data",
                            "symmetric": False,
                            "array": [h - e for e, h in zip(est, high, strict=True)],
                            "arrayminus": [e - lo for e, lo in zip(est, low, strict=True)],
                            "color": "#222222",
                            "thickness": 1.2,
                            "width": 4,
                        },
                        "hovertemplate": f"{chart.estimate_label} %{{x}}: {chart.about_label} %{{y:,.0f}} "
                        "(%{customdata[0]:,.0f}–%{customdata[1]:,.0f})<extra></extra>",
                    },
                )
            )
    if panel.reference is not None and len(x):
        out.append(
            (
                chart.reference_label,
                {  # the legend entry; the line itself is a shape across the panel (see _reference_shape)
                    "type": "scatter",
                    "mode": "lines",
                    "name": chart.reference_label,
                    "legendgroup": chart.reference_label,
                    "x": [x[0]],
                    "y": [panel.reference],
                    "line": {"color": SERIES_COLORS["claimed"], "dash": "dot", "width": 2},
                    "hovertemplate": f"{chart.reference_label}: "
                    + ("%{y:.1%}" if panel.percent else "%{y:,.4~g}")
                    + "<extra></extra>",
                },
            )
        )
    return out


def _trace(panel: Panel, name: str, color: str, show_legend: bool) -> dict[str, Any]:
    data = panel.data
    x = _x(panel)
    y = [None if pd.isna(v) else float(v) for v in data[name]]
    template = "%{y:.1%}" if panel.percent else "%{y:,.4~g}"
    dotted = {"dash": "dot"} if name in panel.dotted else {}
    name = web_text(name)
    common: dict[str, Any] = {"name": name, "legendgroup": name, "showlegend": show_legend}
    if panel.kind in ("line", "points"):
        hover = f"{name} %{{x}}: {template}<extra></extra>"
        mode = "lines" if panel.steps else "lines+markers" if panel.kind == "line" else "markers"
        line = {"color": color, **({"shape": "hv"} if panel.steps else {}), **dotted}
        style = {"line": line} if panel.kind == "line" else {"marker": {"color": color, "opacity": 0.75}}
        return {"type": "scatter", "mode": mode, "x": x, "y": y, **style, **common} | {"hovertemplate": hover}
    if panel.kind == "hbar":
        value = "%{x:.1%}" if panel.percent else "%{x:,.4~g}"
        return {
            "type": "bar",
            "orientation": "h",
            "y": [web_text(label) for label in panel.labels] if panel.labels else x,
            "x": y,
            "marker": {"color": color},
            "hovertemplate": f"{name}: %{{y}}: {value}<extra></extra>",
            **common,
        }
    hover = f"{name} %{{x}}: {template}<extra></extra>"
    return {"type": "bar", "x": x, "y": y, "marker": {"color": color}, "hovertemplate": hover, **common}
