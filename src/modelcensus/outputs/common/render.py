"""Render DataFrames as a Rich table, CSV or JSON; JSON keeps lists and writes dates as ISO text.

Data is printed as data: every cell, title, caption and header is a Rich :class:`~rich.text.Text`, never markup, so
a model named ``Flux.1 [pro]`` keeps its brackets. pandas and NumPy are imported by the functions that use them (they
are loaded already wherever a frame exists): the CLI imports this module to start, and starts in a fraction of a
second.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from modelcensus.errors import QueryError
from modelcensus.outputs.common.downloads import csv_text, provenance_lines
from modelcensus.provenance import describe_sources
from modelcensus.records import jsonable
from modelcensus.vocabulary import OutputFormat, unit_plural

if TYPE_CHECKING:
    import pandas as pd

    from modelcensus.census import Figure


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``frame`` as JSON objects (:func:`~modelcensus.records.jsonable`)."""
    return [jsonable(row) for row in frame.to_dict(orient="records")]


def unprocessable_detail(exc: QueryError, where: str = "query") -> list[dict[str, Any]]:
    """A request's error as the API's 422 detail: the parameter it names is the field (``["query", "country"]``;
    ``where`` is ``path`` for a parameter of the path), as FastAPI reports the errors of its own validation."""
    loc = [where, exc.parameter] if exc.parameter else [where]
    return [{"loc": loc, "msg": str(exc), "type": "value_error", "input": None}]


def _cell(value: Any, column: str) -> str:
    value = jsonable(value)
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float):
        if column == "share":
            return f"{value:.1%}"
        if abs(value) >= 1e6:
            return f"{value:.3g}"
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return str(value)


def caption(figure: Figure) -> str:
    """The provenance lines printed under a figure's table: what is counted (a named definition in words, then its
    specification), the unit, the counting rule in words, the attribution, the share's denominator, the sources
    with their dates, a note, the date read as of."""
    p = figure.provenance
    lines = []
    if p.description:
        lines.append(f"Models: {_sentence(p.description)}")
        lines.append(f"Definition: {_sentence(p.definition or p.definition_name or '')}")
    elif p.definition:
        lines.append(f"Models: {_sentence(p.definition)}")
    if p.unit:
        lines.append(f"Unit: {p.unit}" + (f"; {unit_plural(p.unit)} {p.period}." if p.period else "."))
    if p.metric:
        lines.append(f"Metric: {p.metric}.")
    if p.rule:
        lines.append(f"Counting rule: {p.rule}" + (f" ({p.rule_text})." if p.rule_text else "."))
    if p.attribution:
        lines.append(f"Attribution: {p.attribution}.")
    if p.denominator and "share" in figure.frame.columns:
        lines.append(f"Share denominator: {p.denominator}.")
    if p.coverage:
        lines.append(coverage_text(p.coverage[-1], dated=len(p.coverage) > 1))
    if p.snapshots:
        lines.append(describe_sources(p.snapshot_list))
    if p.note:
        lines.append(f"Note: {_sentence(p.note)}")
    if p.as_of:
        lines.append(
            f"As the census stood on {p.as_of.isoformat()} (the newest export of each source dated on or before)."
        )
    return "\n".join(lines)


def _percent(value: Any) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def coverage_text(c: dict[str, Any], dated: bool = False) -> str:
    """A Hub figure's coverage in words: the shares of its repos and downloads attributed to a country and to an
    organization (a trend states its newest date's)."""
    whose = "their root base's developer" if c.get("attribution") == "lineage" else "their publisher"
    when = f" on {c['date']} (each date's in the JSON)" if dated and c.get("date") else ""
    return (
        f"Coverage{when}: {_percent(c['repos_share_country'])} of {c['repos']:,} repos and "
        f"{_percent(c['downloads_share_country'])} of downloads attributed to a country through {whose}; "
        f"{_percent(c['repos_share_organization'])} and {_percent(c['downloads_share_organization'])} to an "
        "organization."
    )


COVERAGE_COLUMNS = {
    "repos_share_country": "repos_with_country_share",
    "downloads_share_country": "downloads_with_country_share",
    "repos_share_organization": "repos_with_organization_share",
    "downloads_share_organization": "downloads_with_organization_share",
}
"""The coverage of a Hub figure as the JSON rows carry it: the provenance's shares under these names."""


def with_coverage(figure: Figure, frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """The rows of a Hub figure (or ``frame``) with its coverage shares in every row (a trend's row: its date's)."""
    rows = (figure.frame if frame is None else frame).copy()
    entries = figure.provenance.coverage or ()
    if not entries:
        return rows
    if "date" in rows.columns and len(entries) > 1:
        by_date = {e["date"]: e for e in entries}
        dates = rows["date"].map(lambda d: d.isoformat() if hasattr(d, "isoformat") else str(d))
        for key, column in COVERAGE_COLUMNS.items():
            rows[column] = dates.map(lambda d, k=key: by_date.get(d, {}).get(k))
    else:
        for key, column in COVERAGE_COLUMNS.items():
            rows[column] = entries[-1][key]
    return rows


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def emit(
    data: pd.DataFrame | Figure,
    fmt: OutputFormat,
    console: Console,
    title: str | None = None,
    columns: list[str] | None = None,
) -> None:
    """Print a table in the chosen format (JSON and CSV go to stdout unstyled); a :class:`Figure`'s table has its
    provenance as a caption, and its CSV as leading ``# `` lines. The title, caption, headers and cells are text,
    never Rich markup."""
    import numpy as np
    import pandas as pd

    figure = None if isinstance(data, pd.DataFrame) else data
    frame = data if isinstance(data, pd.DataFrame) else data.frame
    shown = frame[columns] if columns else frame
    if fmt is OutputFormat.json:
        print(json.dumps(records(shown), ensure_ascii=False, indent=2))
        return
    if fmt is OutputFormat.csv and figure is not None:
        # a figure's CSV says where it came from: its provenance in leading "# " lines (see docs/downloads.md)
        lines = provenance_lines(figure.provenance.to_dict(), title=title or "A figure of modelcensus")
        print(csv_text(records(shown), list(shown.columns), lines, bom=False).replace("\r\n", "\n"), end="")
        return
    if fmt is OutputFormat.csv:
        out = shown.copy()
        for col in out.columns:
            if out[col].map(lambda v: isinstance(v, list | np.ndarray)).any():
                out[col] = out[col].map(lambda v: "; ".join(map(str, v)) if v is not None else "")
        print(out.to_csv(index=False), end="")
        return
    text = caption(figure) if figure is not None else ""
    table = Table(
        title=Text(title, style="table.title") if title else None,
        caption=Text(text, style="table.caption") if text else None,
        caption_justify="left",
    )
    for col in shown.columns:
        numeric = pd.api.types.is_numeric_dtype(shown[col]) and not pd.api.types.is_bool_dtype(shown[col])
        table.add_column(Text(str(col)), justify="right" if numeric else "left", overflow="fold")
    for row in shown.itertuples(index=False):
        table.add_row(*[Text(_cell(v, str(c))) for v, c in zip(row, shown.columns, strict=True)])
    console.print(table)
