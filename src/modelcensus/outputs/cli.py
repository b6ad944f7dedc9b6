"""The ``modelcensus`` command line: organised by noun, every read command with ``--format``."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar

import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

import modelcensus as mc
from modelcensus.census import Census, IngestReport
from modelcensus.config import Config
from modelcensus.errors import ModelCensusError
from modelcensus.outputs.render import OutputFormat, emit, records

app = typer.Typer(
    help="modelcensus: the open, reproducible census of the world's AI models.",
    no_args_is_help=True,
    add_completion=False,
)
ingest_app = typer.Typer(help="Ingest one source into the census store.", no_args_is_help=True)
orgs_app = typer.Typer(help="The organization registry: resolve names, list what is unresolved.", no_args_is_help=True)
app.add_typer(ingest_app, name="ingest")
app.add_typer(orgs_app, name="orgs")


def _console(stderr: bool = False) -> Console:
    """Wide tables when piped (no terminal to measure), the terminal's width otherwise."""
    stream = sys.stderr if stderr else sys.stdout
    return Console(stderr=stderr, width=None if stream.isatty() else 200)


console = _console()
err_console = _console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])

DbOption = Annotated[
    Path | None, typer.Option("--db", help="Census store (DuckDB file). Default ./census.duckdb or $MODELCENSUS_DB.")
]
FormatOption = Annotated[OutputFormat, typer.Option("--format", help="Output format.")]
YearOption = Annotated[int | None, typer.Option("--year", help="Only models published in this year.")]
SinceOption = Annotated[int | None, typer.Option("--since", help="Only models published in or after this year.")]
UntilOption = Annotated[int | None, typer.Option("--until", help="Only models published in or before this year.")]
NotableOption = Annotated[
    bool | None, typer.Option("--notable/--not-notable", help="Only notable (or only non-notable) models.")
]
FrontierOption = Annotated[bool | None, typer.Option("--frontier/--not-frontier", help="Only frontier models.")]
LargeOption = Annotated[
    bool | None,
    typer.Option(
        "--large-scale/--not-large-scale", help="Only large-scale models (>= 1e23 FLOP or in Epoch's large-scale file)."
    ),
]
OpenOption = Annotated[str | None, typer.Option("--open-weights", help="yes, no or unknown.")]
DomainOption = Annotated[str | None, typer.Option("--domain", help="Only models of this domain (e.g. Language).")]
RuleOption = Annotated[str, typer.Option("--rule", help="Counting rule: full, fractional or primary.")]
AttributionOption = Annotated[
    str,
    typer.Option(
        "--attribution",
        help="as-published (the source's country field) or resolved (through the organization registry).",
    ),
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Read the census as it was on this date "
        "(YYYY-MM-DD): the newest export of each source dated on or before it.",
    ),
]


def fail(message: str, code: int = 1) -> None:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def handle_errors(func: F) -> F:
    """Turn the package's errors into a one-line message and a non-zero exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ModelCensusError as exc:
            fail(str(exc).replace("\n", " "))
        except KeyboardInterrupt:
            fail("interrupted; the store is unchanged by the unfinished step", 130)

    return wrapper  # type: ignore[return-value]


def _config(db: Path | None) -> Config:
    return Config.from_env(db_path=db)


@contextmanager
def _census(db: Path | None, read_only: bool = True) -> Iterator[Census]:
    config = _config(db)
    census = mc.open(config.db_path, read_only=read_only, config=config)
    try:
        yield census
    finally:
        census.close()


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int], None]]:
    if not sys.stderr.isatty():
        yield lambda n: None
        return
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        task = progress.add_task(label, total=None, rate="")

        def advance(n: int) -> None:
            progress.advance(task, n)
            elapsed = progress.tasks[0].elapsed or 0
            if elapsed:
                progress.update(task, rate=f"{progress.tasks[0].completed / elapsed:,.0f} rows/s")

        yield advance


def _report_ingest(report: IngestReport) -> None:
    for r in report.results:
        state = "already stored, nothing changed" if r.already_stored else "stored"
        err_console.print(
            f"{r.source} export {r.export_id} (data of {r.data_date}): {state}; rows read {r.rows_read:,} = "
            f"{r.rows_read - r.quarantined:,} merged into {r.records:,} models + {r.quarantined:,} quarantined",
            highlight=False,
        )
    for q in report.quarantined[:20]:
        err_console.print(f"  set aside: {q.file}, line {q.line}, column {q.column!r}: {q.reason}", highlight=False)
    if len(report.quarantined) > 20:
        err_console.print(f"  … and {len(report.quarantined) - 20} more (modelcensus quarantine)")
    if report.unknown_country_tokens:
        tokens = ", ".join(f"{k!r} ×{v}" for k, v in sorted(report.unknown_country_tokens.items()))
        err_console.print(f"  country tokens not recognised (not counted): {tokens}", highlight=False)
    if report.ignored_country_tokens:
        tokens = ", ".join(f"{k!r} ×{v}" for k, v in sorted(report.ignored_country_tokens.items()))
        err_console.print(f"  non-country tokens in the country field (not counted): {tokens}", highlight=False)


def _ingest_epoch(census: Census, path: Path | None) -> IngestReport:
    with _progress("epoch: reading rows") as advance:
        report = census.ingest_epoch(path, progress=advance)
    _report_ingest(report)
    return report


def _headline(census: Census) -> pd.DataFrame:
    """Models by country for the last five complete years (as-published, full counting)."""
    per_year = census.count(by="year")
    per_year = per_year[per_year["group"].notna()]
    if per_year.empty:
        return pd.DataFrame()
    years = per_year.set_index("group")["count"].sort_index()
    last = int(years.index.max())
    if last - 1 in years.index and years[last] < 0.25 * years[last - 1]:
        last -= 1  # the newest year holds only a few early models: not a comparable year
    first = last - 4
    frame = census.count(by=["country", "year"], since=first, until=last)
    pivot = frame.pivot_table(index="group_name", columns="year", values="count", aggfunc="sum", fill_value=0)
    pivot["total"] = pivot.sum(axis=1)
    pivot = pivot.sort_values("total", ascending=False)
    top = pivot.head(12)
    totals = census.count(by="year", since=first, until=last).set_index("group")["count"]
    top.loc["All models (denominator)"] = [*(int(totals.get(y, 0)) for y in pivot.columns[:-1]), int(totals.sum())]
    table = top.reset_index().rename(columns={"group_name": "country"})
    table.columns = [str(c) for c in table.columns]
    table.attrs.update(frame.attrs)
    return table


@app.command()
@handle_errors
def build(
    from_dir: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help="Folder holding saved source files (found by "
            "content anywhere under it). Default: download every source live.",
        ),
    ] = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """The main job: ingest every source and print the headline table (models by country per year)."""
    with _census(db, read_only=False) as census:
        _ingest_epoch(census, from_dir)
        table = _headline(census)
        emit(table, fmt, console, title="Models by country and year (Epoch AI, all models)")


@ingest_app.command("epoch")
@handle_errors
def ingest_epoch(
    from_path: Annotated[
        Path | None,
        typer.Option("--from", help="A zip, CSV or folder of Epoch AI's export. Default: the live download."),
    ] = None,
    url: Annotated[
        str | None, typer.Option("--url", help="Live export URL (default https://epoch.ai/data/ai_models.zip).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Ingest Epoch AI's "Data on AI Models" (CC BY 4.0, credit Epoch AI)."""
    config = Config.from_env(db_path=db, epoch_url=url)
    with mc.open(config.db_path, config=config) as census:
        _ingest_epoch(census, from_path)


ByOption = Annotated[
    list[str],
    typer.Option(
        "--by",
        help="country, region, organization, sector, domain, year, month or open_weights; repeat to cross one "
        "grouping with year/month/open_weights.",
    ),
]


def _grouped(
    method: str,
    title: str,
    by: list[str],
    db: Path | None,
    fmt: OutputFormat,
    rule: str,
    attribution: str,
    filters: dict[str, Any],
) -> None:
    """count, stats and hardware: one grouped figure, with the same filters and provenance."""
    by = ["open_weights" if b == "open-weights" else b for b in by]
    with _census(db) as census:
        frame = getattr(census, method)(by, rule=rule, attribution=attribution, **filters)
        if fmt is not OutputFormat.table:
            frame = frame.assign(rule=rule, attribution=attribution)
        emit(frame, fmt, console, title=f"{title} by {' × '.join(by)}")


@app.command()
@handle_errors
def count(
    by: ByOption,
    year: YearOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    notable: NotableOption = None,
    frontier: FrontierOption = None,
    large_scale: LargeOption = None,
    open_weights: OpenOption = None,
    domain: DomainOption = None,
    rule: RuleOption = "full",
    attribution: AttributionOption = "as-published",
    as_of: AsOfOption = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Count and share of models per group; every share states its denominator."""
    filters = dict(
        year=year,
        since=since,
        until=until,
        notable=notable,
        frontier=frontier,
        large_scale=large_scale,
        open_weights=open_weights,
        domain=domain,
        as_of=as_of,
    )
    _grouped("count", "Models", by, db, fmt, rule, attribution, filters)


@app.command()
@handle_errors
def stats(
    by: ByOption,
    year: YearOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    notable: NotableOption = None,
    frontier: FrontierOption = None,
    large_scale: LargeOption = None,
    open_weights: OpenOption = None,
    domain: DomainOption = None,
    rule: RuleOption = "full",
    attribution: AttributionOption = "as-published",
    as_of: AsOfOption = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Total and median training compute (FLOP) and parameters per group."""
    filters = dict(
        year=year,
        since=since,
        until=until,
        notable=notable,
        frontier=frontier,
        large_scale=large_scale,
        open_weights=open_weights,
        domain=domain,
        as_of=as_of,
    )
    _grouped("statistics", "Training compute and parameters", by, db, fmt, rule, attribution, filters)


@app.command()
@handle_errors
def hardware(
    by: ByOption = ["country"],  # noqa: B006
    year: YearOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    notable: NotableOption = None,
    frontier: FrontierOption = None,
    large_scale: LargeOption = None,
    open_weights: OpenOption = None,
    domain: DomainOption = None,
    rule: RuleOption = "full",
    attribution: AttributionOption = "as-published",
    as_of: AsOfOption = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Models per training-hardware vendor (NVIDIA, Google, Huawei, …) per group."""
    filters = dict(
        year=year,
        since=since,
        until=until,
        notable=notable,
        frontier=frontier,
        large_scale=large_scale,
        open_weights=open_weights,
        domain=domain,
        as_of=as_of,
    )
    _grouped("hardware", "Training hardware by vendor", by, db, fmt, rule, attribution, filters)


@app.command()
@handle_errors
def models(
    country: Annotated[
        str | None, typer.Option("--country", help="ISO code or name; 'none' for models with no country.")
    ] = None,
    organization: Annotated[str | None, typer.Option("--organization", help="Organization name (substring).")] = None,
    year: YearOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    notable: NotableOption = None,
    frontier: FrontierOption = None,
    large_scale: LargeOption = None,
    open_weights: OpenOption = None,
    domain: DomainOption = None,
    attribution: AttributionOption = "as-published",
    as_of: AsOfOption = None,
    limit: Annotated[int | None, typer.Option("--limit", help="At most this many models.")] = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """The models behind a figure, with organization, countries and source."""
    with _census(db) as census:
        frame = census.models(
            country=country,
            organization=organization,
            year=year,
            since=since,
            until=until,
            notable=notable,
            frontier=frontier,
            large_scale=large_scale,
            open_weights=open_weights,
            domain=domain,
            attribution=attribution,
            as_of=as_of,
            limit=limit,
        )
        columns = None
        if fmt is OutputFormat.table:
            columns = [
                "name",
                "published_on",
                "organizations",
                "countries_published",
                "countries_resolved",
                "open_weights",
                "notable",
                "source",
            ]
        emit(frame, fmt, console, title=f"{len(frame)} models", columns=columns)


@app.command()
@handle_errors
def sources(db: DbOption = None, fmt: FormatOption = OutputFormat.table) -> None:
    """Stored snapshots and their provenance (URL or path, retrieval time, sha256, size, rows, licence)."""
    with _census(db) as census:
        frame = census.sources()
        columns = None
        if fmt is OutputFormat.table:
            frame = frame.assign(sha256=frame["sha256"].str[:12])
            columns = [
                "source",
                "role",
                "data_date",
                "current",
                "rows",
                "bytes",
                "sha256",
                "retrieved_at",
                "license",
                "location",
            ]
        emit(frame, fmt, console, title="Source snapshots", columns=columns)


@app.command()
@handle_errors
def quarantine(db: DbOption = None, fmt: FormatOption = OutputFormat.table) -> None:
    """Rows set aside at ingest (file, line, column, reason)."""
    with _census(db) as census:
        emit(census.quarantine(), fmt, console, title="Quarantined rows")


@orgs_app.command("resolve")
@handle_errors
def orgs_resolve(
    names: Annotated[list[str], typer.Argument(help="Organization names as a source spells them.")],
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Resolve names to organizations, countries and sectors (or say unresolved)."""
    registry = mc.census.load_registry(fuzzy_threshold=Config.from_env().fuzzy_threshold)
    rows = []
    for res in (registry.resolve(n) for n in names):
        org = res.org
        rows.append(
            {
                "name": res.name,
                "resolved": org is not None,
                "organization": org.name if org else None,
                "org_id": org.id if org else None,
                "countries": list(org.countries) if org else [],
                "sector": org.sector if org else None,
                "parent": org.parent if org else None,
                "method": res.method,
                "score": res.score,
                "note": org.note if org else None,
            }
        )
    frame = pd.DataFrame(rows)
    emit(
        frame,
        fmt,
        console,
        title="Organization resolution",
        columns=None
        if fmt is not OutputFormat.table
        else ["name", "organization", "countries", "sector", "parent", "method", "score"],
    )
    if any(not r["resolved"] for r in rows):
        raise typer.Exit(3)


@orgs_app.command("unresolved")
@handle_errors
def orgs_unresolved(as_of: AsOfOption = None, db: DbOption = None, fmt: FormatOption = OutputFormat.table) -> None:
    """Organization names in the census that the registry does not resolve (never guessed)."""
    with _census(db) as census:
        emit(census.unresolved(as_of=as_of), fmt, console, title="Unresolved organization names")


@orgs_app.command("disagreements")
@handle_errors
def orgs_disagreements(as_of: AsOfOption = None, db: DbOption = None, fmt: FormatOption = OutputFormat.table) -> None:
    """Models whose resolved country set differs from the source's published one."""
    with _census(db) as census:
        frame = census.disagreements(as_of=as_of)
        emit(frame, fmt, console, title=f"{len(frame)} models where resolved ≠ published countries")


@orgs_app.command("refresh")
@handle_errors
def orgs_refresh(db: DbOption = None) -> None:
    """Re-resolve every stored organization name with the installed registry."""
    with _census(db, read_only=False) as census:
        census.refresh_registry()
        err_console.print(f"re-resolved organization names with {len(census.registry)} registry entries")


def main() -> None:
    app()


__all__ = ["app", "date", "main", "records"]
