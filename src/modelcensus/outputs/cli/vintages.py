"""CLI commands of vintages, the listing lag and coverage: ``vintages``, ``lag``, ``estimate``."""

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from modelcensus.errors import QueryError
from modelcensus.outputs.cli.common import (
    AsOfOption,
    AttributionOption,
    DbOption,
    Filters,
    FormatOption,
    _census,
    _working,
    app,
    console,
    emit,
    filter_options,
    handle_errors,
)
from modelcensus.vocabulary import (
    MODEL_FILTERS,
    PERIOD_FILTERS,
    PLACE_FILTERS,
    VINTAGE_DIMENSIONS,
    OutputFormat,
    Period,
    either,
    unit_plural,
)

if TYPE_CHECKING:
    import pandas as pd

VINTAGE_JSON = [
    "export_id",
    "export_date",
    "roles",
    "covers",
    "group",
    "group_name",
    "count",
    "models",
    "denominator",
    "share",
]


@app.command()
@handle_errors
@filter_options(*PERIOD_FILTERS, *MODEL_FILTERS, *PLACE_FILTERS, "rule")
def vintages(
    by: Annotated[str, typer.Option("--by", help=f"{either(VINTAGE_DIMENSIONS)}.")] = "country",
    attribution: AttributionOption = "as-published",
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
    *,
    filters: Filters,
) -> None:
    """The figure at every stored Epoch AI vintage, oldest first: how a year's count grew as the source back-filled
    it (e.g. notable models of 2024 by country). A vintage whose files do not hold the whole population is marked."""
    by = "open_weights" if by == "open-weights" else by
    with _census(db) as census, _working("vintages: the figure at every vintage"):
        figure = census.vintages(by, attribution=attribution, **filters)
    frame = figure.frame
    if fmt is not OutputFormat.table:
        emit(frame[[c for c in VINTAGE_JSON if c in frame.columns]], fmt, console)
        return
    label = {
        e: f"{d or 'undated'}{'' if c else ' *'}"
        for e, d, c in frame[["export_id", "export_date", "covers"]].drop_duplicates().itertuples(index=False)
    }
    wide = frame.assign(vintage=frame["export_id"].map(label)).pivot_table(
        index="group_name", columns="vintage", values="count", aggfunc="sum", fill_value=0, sort=False
    )
    wide = wide[list(dict.fromkeys(label[e] for e in frame["export_id"]))]
    wide = wide.sort_values(wide.columns[-1], ascending=False)
    totals = frame.drop_duplicates("export_id").set_index("export_id")["denominator"]
    wide.loc["All models (denominator)"] = [int(totals[e]) for e in dict.fromkeys(frame["export_id"])]
    table = wide.reset_index().rename(columns={"group_name": by})
    table.columns = [str(c) for c in table.columns]
    partial = [label[e] for e in dict.fromkeys(frame["export_id"]) if label[e].endswith("*")]
    needs = " or ".join(figure.provenance.needs_roles or ())
    note = f"; * a vintage whose files do not hold the whole population (it needs a file of {needs} models)"
    note = note if partial else ""
    emit(
        figure.with_frame(table),
        fmt,
        console,
        title=f"Models by {by} at each stored Epoch AI vintage (export date){note}",
    )


@app.command()
@handle_errors
@filter_options(*MODEL_FILTERS, *PLACE_FILTERS)
def lag(
    since: Annotated[
        int | None, typer.Option("--since", help="First year to assess (default: five years back).")
    ] = None,
    until: Annotated[int | None, typer.Option("--until", help="Last year to assess (default: the newest).")] = None,
    by: Annotated[str | None, typer.Option("--by", help="Assess each country (country) on its own curve.")] = None,
    as_of: AsOfOption = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
    *,
    filters: Filters,
) -> None:
    """The listing lag: what share of a year's eventual count Epoch AI listed N months after the year ended
    (measured on the stored vintages), and each recent year's status: complete, or still filling in with the
    listed count and an estimate of its final count with a range."""
    # the vintage queries load with the facade: imported by the commands that run them, not at start-up
    from modelcensus.outputs.common.vintage_query import lag_frames, lag_report

    with _census(db) as census:
        if fmt is OutputFormat.json:
            with _working("lag: the listing lag over the vintages"):
                report = lag_report(census, since, until, by, as_of, filters)
            print(json.dumps(report, ensure_ascii=False, indent=2))
            return
        with _working("lag: the listing lag over the vintages"):
            _, curves, status = lag_frames(census, since, until, by, as_of, filters)
            statuses = census.year_statuses(status)
    if fmt is OutputFormat.csv:
        emit(status.frame, fmt, console)
        return
    curve = _curve_table(curves[""].observations)
    emit(
        curve,
        fmt,
        console,
        title=f"Listing lag: share of a year's newest count listed N months after it ended ({curves[''].basis()})",
    )
    columns = [
        "group_name",
        "year",
        "listed",
        "complete",
        "lag_months",
        "share_listed",
        "estimate",
        "estimate_low",
        "estimate_high",
    ]
    shown = status.frame[[c for c in columns if c in status.frame.columns]]
    export_date = status.provenance.export_date
    emit(
        shown,
        fmt,
        console,
        title=f"Years at the vintage of {export_date.isoformat() if export_date else None}: complete, or still "
        "filling in",
    )
    for s in statuses if not by else []:
        if not s.complete:
            console.print(s.describe(), highlight=False, markup=False)


LAG_BINS = [
    (-12, 0, "during the year"),
    (0, 3, "0–3"),
    (3, 6, "3–6"),
    (6, 12, "6–12"),
    (12, 24, "12–24"),
    (24, 36, "24–36"),
    (36, 600, "36 and more"),
]


def _curve_table(observations: "pd.DataFrame") -> "pd.DataFrame":
    """The observations of all groups in bins of months after the year's end: how many, and the share listed."""
    import pandas as pd

    obs = observations
    rows = []
    for low, high, label in LAG_BINS:
        part = obs[(obs["lag_months"] >= low) & (obs["lag_months"] < high)]["ratio"] if len(obs) else pd.Series()
        if len(part):
            rows.append(
                {
                    "months after the year": label,
                    "observations": len(part),
                    "median share listed": round(float(part.median()), 3),
                    "lowest": round(float(part.min()), 3),
                    "highest": round(float(part.max()), 3),
                }
            )
    return pd.DataFrame(rows)


@app.command()
@handle_errors
@filter_options(*PERIOD_FILTERS)
def estimate(
    by: Annotated[str, typer.Option("--by", help="country (the only grouping).")] = "country",
    source: Annotated[
        list[str] | None, typer.Option("--source", help="Use only these of the definition's sources (repeatable).")
    ] = None,
    definition: Annotated[
        str, typer.Option("--definition", help="A definition over several linked sources (default all-sources).")
    ] = "all-sources",
    as_of: AsOfOption = None,
    link_errors: Annotated[
        bool,
        typer.Option(
            "--link-errors",
            help="Instead: how the estimate moves if 1–10% of the links were missed or false (with --country, "
            "that country's estimate).",
        ),
    ] = False,
    country: Annotated[
        str | None, typer.Option("--country", help="With --link-errors: one country (ISO code or name).")
    ] = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
    *,
    filters: Filters,
) -> None:
    """How many models exist, including those no source lists: multiple-systems (capture–recapture) estimation
    over the linked sources, with a 95% interval; withheld, with the reason, where it must not be trusted."""
    year, since, until = filters["year"], filters["since"], filters["until"]
    if year is not None and (since is not None or until is not None):
        raise QueryError("give either --year, or --since/--until, not both", parameter="year")
    if by != "country":
        raise QueryError("the estimate is by country", parameter="by")
    if country is not None and not link_errors:
        raise QueryError("--country applies with --link-errors (the estimate lists every country)", parameter="country")
    import pandas as pd

    from modelcensus.outputs.common.vintage_query import ESTIMATE_COLUMNS, estimate_rows

    if link_errors:
        _link_errors(db, definition, Period(year, since, until), country, as_of, fmt)
        return
    with _census(db) as census:
        if fmt is OutputFormat.json:
            with _working("estimate: linking the sources, fitting the models"):
                rows = estimate_rows(census, definition, source, year, since, until, as_of)
            print(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        with _working("estimate: linking the sources, fitting the models"):
            figure = census.estimate(
                by=by, sources=source, definition=definition, period=Period(year, since, until), as_of=as_of
            )
    table = figure.frame
    if fmt is OutputFormat.csv:
        left = ["; ".join(f"{k}: {v}" for k, v in d.items()) for d in table["left_out"]]
        shown = table.assign(sources=[s.replace("+", "; ") for s in table["sources"]], left_out=left)
        emit(shown[ESTIMATE_COLUMNS], fmt, console)
        return
    shown = table.assign(
        estimate=[_rounded(v) for v in table["estimate"]],
        ci_low=[_rounded(v) for v in table["ci_low"]],
        ci_high=[_rounded(v) for v in table["ci_high"]],
    )
    shown = shown[["group_name", "listed", "estimate", "ci_low", "ci_high", "sources", "reason"]]
    shown = pd.concat([shown.iloc[:1], shown.iloc[1:].sort_values(["listed", "group_name"], ascending=[False, True])])
    p = figure.provenance
    emit(
        shown,
        fmt,
        console,
        title=f"Models including those no source lists: {(p.definition or '').split(' ', 1)[0]}, {p.period}, "
        f"{unit_plural(p.unit or 'model')} (95% intervals; see docs/estimate.md)",
    )
    first = table.iloc[0]
    console.print(f"method (all models): {first['method']}", highlight=False, markup=False)
    console.print(f"sources used: {', '.join(p.sources or ())}", highlight=False, markup=False)
    for name, why in first["left_out"].items():
        console.print(f"left out: {name} ({why})", highlight=False, markup=False)


def _link_errors(
    db: Path | None, definition: str, period: Period, country: str | None, as_of: str | None, fmt: OutputFormat
) -> None:
    from modelcensus.outputs.common.vintage_query import link_error_frame
    from modelcensus.records import is_missing, requested_country

    with _census(db) as census, _working("estimate: the estimate under link errors"):
        moved = link_error_frame(census, definition, period, country, as_of)
    if fmt is not OutputFormat.table:
        emit(moved, fmt, console)
        return
    code = requested_country(country) if country is not None else None
    shown = moved.assign(
        estimate=[_rounded(v) for v in moved["estimate"]],
        change=["—" if is_missing(v) else f"{v:+.1%}" for v in moved["change"]],
    )[["kind", "rate", "listed", "estimate", "change", "reason"]]
    who = code or "all models"
    emit(shown, fmt, console, title=f"How the estimate of {who} ({definition}) moves with link errors")


def _rounded(value: object) -> str:
    from modelcensus.records import is_missing

    if is_missing(value):
        return "—"
    return f"{round(float(value)):,}"  # type: ignore[arg-type]
