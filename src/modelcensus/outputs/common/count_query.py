"""``count`` as one function: the CLI (``modelcensus count``) and the API (``/api/count``) both call
:func:`count_figure`, so the figures and the JSON they print cannot diverge."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import pandas as pd

from modelcensus.census import Census, Figure, Provenance
from modelcensus.definitions import unit_plural
from modelcensus.errors import QueryError
from modelcensus.outputs.common.render import records

HUB_TABLE_COLUMNS = ["group", "group_name", "value", "share", "repos", "denominator"]
EPOCH_ONLY = ("notable", "frontier", "large_scale", "open_weights", "domain")
HUB_ONLY = ("metric", "derivatives", "pipeline_tag")


def option(parameter: str) -> str:
    """The CLI spelling of a parameter: ``large_scale`` → ``--large-scale``."""
    return "--" + parameter.replace("_", "-")


class ParameterError(QueryError):
    """A count parameter that is wrong or misplaced; ``parameter`` names it (``unit``, ``metric``, …)."""

    parameter: str

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message, parameter=parameter)


def check_dimensions(by: Sequence[str]) -> None:
    """A breakdown names each dimension once (``open-weights`` and ``open_weights`` are one)."""
    names = [b.replace("-", "_") for b in by]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ParameterError("by", f"--by {repeated[0]} is given twice; name each dimension once")


@dataclass(frozen=True)
class CountQuery:
    """The parameters of ``modelcensus count`` (None: the default of the chosen path)."""

    by: tuple[str, ...] = ("country",)
    source: str = "epoch"
    definition: str | None = None
    unit: str | None = None
    year: int | None = None
    since: int | None = None
    until: int | None = None
    notable: bool | None = None
    frontier: bool | None = None
    large_scale: bool | None = None
    open_weights: str | None = None
    domain: str | None = None
    metric: str | None = None
    derivatives: str | None = None
    pipeline_tag: str | None = None
    rule: str = "full"
    attribution: str | None = None
    as_of: str | None = None

    def key(self) -> tuple[Any, ...]:
        """A hashable, normalised form (for caches)."""
        return tuple(getattr(self, f.name) for f in fields(self))

    def check(self) -> None:
        """Reject combinations the chosen path does not take, naming the parameter."""
        check_dimensions(self.by)
        if self.definition is not None:
            if list(self.by) != ["country"]:
                raise ParameterError("by", "--definition counts by country")
            return
        if self.unit is not None:
            raise ParameterError("unit", "--unit applies with --definition")
        if self.source == "huggingface":
            misplaced = [name for name in EPOCH_ONLY if getattr(self, name) is not None]
            if misplaced:
                raise ParameterError(
                    misplaced[0],
                    f"{', '.join(option(n) for n in misplaced)} apply to --source epoch, not to Hugging Face repos",
                )
            return
        if self.source != "epoch":
            raise ParameterError("source", f"--source must be epoch or huggingface, not {self.source!r}")
        misplaced = [name for name in HUB_ONLY if getattr(self, name) is not None]
        if misplaced:
            raise ParameterError(
                misplaced[0], f"{', '.join(option(n) for n in misplaced)} apply to --source huggingface only"
            )


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
    tied = steady[[*crossed, *floats]].astype(str).agg("|".join, axis=1)
    run = (tied != tied.shift()).cumsum()
    order = pd.DataFrame({"run": run, "group": steady["group"].astype(str)}).sort_values(
        ["run", "group"], kind="stable"
    )
    return steady.loc[order.index].reset_index(drop=True)


def count_figure(census: Census, q: CountQuery) -> CountFigure:
    """Run a count on ``census``: by a named definition, over Hub repos, or over Epoch's models."""
    figure = _count_figure(census, q)
    fractional = q.rule == "fractional"
    figure.frame, figure.table = _steady(figure.frame, fractional), _steady(figure.table, fractional)
    return figure


def _count_figure(census: Census, q: CountQuery) -> CountFigure:
    q.check()
    if q.definition is not None:
        rule = None if q.rule == "full" and q.unit is None else q.rule
        figure = census.count_definition(
            q.definition,
            unit=q.unit,
            rule=rule,
            attribution=q.attribution,
            year=q.year,
            since=q.since,
            until=q.until,
            as_of=q.as_of,
        )
        as_of = f", as of {q.as_of}" if q.as_of else ""
        unit = unit_plural(figure.provenance.unit or "model")
        title = f"Models by country: {q.definition} ({unit}{as_of})"
        return CountFigure(figure.frame, figure.frame, title, figure.provenance)
    if q.source == "huggingface":
        metric, attribution = q.metric or "models", q.attribution or "resolved"
        figure = census.count_hub(
            list(q.by),
            metric=metric,
            attribution=attribution,
            rule=q.rule,
            derivatives=q.derivatives or "include",
            year=q.year,
            since=q.since,
            until=q.until,
            pipeline_tag=q.pipeline_tag,
            as_of=q.as_of,
        )
        frame = figure.frame
        extra = [c for c in frame.columns if c not in HUB_TABLE_COLUMNS and c not in ("reason",)]
        return CountFigure(
            frame.assign(count=frame["value"], metric=metric, rule=q.rule, attribution=attribution),
            frame,
            f"Hugging Face {metric} by {' × '.join(q.by)} ({attribution})",
            figure.provenance,
            [*HUB_TABLE_COLUMNS[:2], *extra, *HUB_TABLE_COLUMNS[2:]],
        )
    by = ["open_weights" if b == "open-weights" else b for b in q.by]
    attribution = q.attribution or "as-published"
    figure = census.count(
        by,
        year=q.year,
        since=q.since,
        until=q.until,
        notable=q.notable,
        frontier=q.frontier,
        large_scale=q.large_scale,
        open_weights=q.open_weights,
        domain=q.domain,
        rule=q.rule,
        attribution=attribution,
        as_of=q.as_of,
    )
    frame = figure.frame
    return CountFigure(
        frame.assign(rule=q.rule, attribution=attribution), frame, f"Models by {' × '.join(by)}", figure.provenance
    )
