"""``count`` as one function: the CLI (``modelcensus count``) and the API (``/api/count``) both call
:func:`count_figure` with one :class:`~modelcensus.queries.CountRequest`, so the figures and the JSON they print
cannot diverge."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from modelcensus.census import Census, Figure, Provenance
from modelcensus.outputs.common.render import records, with_coverage
from modelcensus.queries import CountRequest, ModelsRequest
from modelcensus.vocabulary import Attribution, CacRecordType, CountSource, Derivatives, HubMetric, Rule, unit_plural

HUB_TABLE_COLUMNS = ["group", "group_name", "value", "share", "repos", "denominator"]


@dataclass
class CountFigure:
    """A count: ``frame`` as JSON and CSV show it, ``table`` (with ``title`` and ``columns``) as the table does,
    and where it came from (``provenance``, the table's caption)."""

    frame: pd.DataFrame
    table: pd.DataFrame
    title: str
    provenance: Provenance
    columns: list[str] | None = None

    def shown(self) -> Figure:
        """The table with its provenance, as ``modelcensus count`` prints it."""
        return Figure(self.table, self.provenance)

    def figure(self) -> Figure:
        """The rows JSON and CSV show, with their provenance (the CSV's leading ``# `` lines)."""
        return Figure(self.frame, self.provenance)

    def records(self) -> list[dict[str, Any]]:
        """What ``modelcensus count --format json`` prints (and ``/api/count`` answers)."""
        return records(self.frame)


def _steady(frame: pd.DataFrame, fractional: bool) -> pd.DataFrame:
    """Float figures rounded to 10 decimals, ties in group order: the engine sums fractions in parallel, in no
    fixed order, so the last bits of a fractional count (and so the order of equal counts) vary from run to
    run; the printed figure must not."""
    floats = [c for c in frame.columns if pd.api.types.is_float_dtype(frame[c])]
    if not floats or frame.empty:
        return frame
    steady = frame.copy()
    steady[floats] = steady[floats].round(10)
    if not fractional:
        return steady
    # Rows the rounding leaves tied (adjacent, equal figures) came in the engine's order: order them by group.
    crossed = [c for c in steady.columns if c not in floats and c not in ("group", "group_name")]
    crossed = [c for c in crossed if not pd.api.types.is_integer_dtype(steady[c]) or c == "year"]
    tied = steady[[*crossed, *floats]].map(str).agg("|".join, axis=1)  # each cell as text, missing ones too
    run = (tied != tied.shift()).cumsum()
    order = pd.DataFrame({"run": run, "group": steady["group"].astype(str)}).sort_values(
        ["run", "group"], kind="stable"
    )
    return steady.loc[order.index].reset_index(drop=True)


def count_figure(census: Census, q: CountRequest) -> CountFigure:
    """Run a count on ``census``: by a named definition, over Hub repos, or over Epoch's models."""
    figure = _count_figure(census, q)
    fractional = q.rule == Rule.FRACTIONAL
    figure.frame, figure.table = _steady(figure.frame, fractional), _steady(figure.table, fractional)
    return figure


def _count_figure(census: Census, q: CountRequest) -> CountFigure:
    if q.definition is not None or q.tabular:
        rule = None if q.rule == Rule.FULL and q.unit is None else q.rule
        name = q.definition if q.definition is not None else str(q.source)
        figure = census.count_definition(
            q.definition if q.definition is not None else census.source_definition(name),
            unit=q.unit,
            rule=rule,
            attribution=q.attribution,
            year=q.year,
            since=q.since,
            until=q.until,
            as_of=q.as_of,
            **q.place(),
        )
        as_of = f", as of {q.as_of}" if q.as_of else ""
        unit = unit_plural(figure.provenance.unit or "model")
        title = f"Models by country: {name} ({unit}{as_of})"
        return CountFigure(figure.frame, figure.frame, title, figure.provenance)
    by = [str(b) for b in q.by]
    if q.source == CountSource.HUGGINGFACE:
        metric, attribution = q.metric or HubMetric.MODELS, q.attribution or Attribution.RESOLVED
        figure = census.count_hub(
            by,
            metric=metric,
            attribution=attribution,
            rule=q.rule,
            derivatives=q.derivatives or Derivatives.INCLUDE,
            year=q.year,
            since=q.since,
            until=q.until,
            pipeline_tag=q.pipeline_tag,
            as_of=q.as_of,
            **q.place(),
        )
        frame = figure.frame
        extra = [c for c in frame.columns if c not in HUB_TABLE_COLUMNS and c not in ("reason",)]
        return CountFigure(
            with_coverage(figure).assign(count=frame["value"], metric=metric, rule=q.rule, attribution=attribution),
            frame,
            f"Hugging Face {metric} by {' × '.join(by)} ({attribution})",
            figure.provenance,
            [*HUB_TABLE_COLUMNS[:2], *extra, *HUB_TABLE_COLUMNS[2:]],
        )
    if q.source == CountSource.CAC:
        attribution, record_type = q.attribution or Attribution.AS_PUBLISHED, q.record_type or CacRecordType.FILING
        figure = census.count_cac(
            by,
            record_type=record_type,
            rule=q.rule,
            attribution=attribution,
            year=q.year,
            since=q.since,
            until=q.until,
            as_of=q.as_of,
        )
        frame = figure.frame
        return CountFigure(
            frame.assign(record_type=record_type, rule=q.rule, attribution=attribution),
            frame,
            f"CAC register: {record_type}s by {' × '.join(by)} (a filing is a service, not a model)",
            figure.provenance,
        )
    attribution = q.attribution or Attribution.AS_PUBLISHED
    figure = census.count(by, rule=q.rule, attribution=attribution, **q.filters())
    frame = figure.frame
    return CountFigure(
        frame.assign(rule=q.rule, attribution=attribution), frame, f"Models by {' × '.join(by)}", figure.provenance
    )


def cac_filing_filters(q: ModelsRequest) -> dict[str, Any]:
    """``Census.cac_filings`` arguments for a request (``/api/cac/filings``, ``models --source cac``)."""
    return {
        "country": q.country[0] if q.country else None,
        "province": q.province,
        "organization": q.organization,
        "month": q.month,
        "record_type": q.record_type or CacRecordType.FILING,
        "attribution": q.attribution or Attribution.AS_PUBLISHED,
        "year": q.year,
        "since": q.since,
        "until": q.until,
        "as_of": q.as_of,
    }
