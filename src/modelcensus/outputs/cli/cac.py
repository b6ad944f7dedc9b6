"""CLI commands of China's CAC register: ``ingest cac``, ``cac series``, ``cac totals``, ``cac unresolved`` (the
counts are ``count --source cac``, the filings behind them ``models --source cac``)."""

from pathlib import Path
from typing import Annotated

import typer

from modelcensus.config import Config
from modelcensus.errors import QueryError
from modelcensus.outputs.cli.common import (
    AsOfOption,
    DatedOption,
    DbOption,
    FormatOption,
    _census,
    _link_stored,
    _report_ingest,
    _writer,
    app,
    console,
    emit,
    handle_errors,
    ingest_app,
)
from modelcensus.vocabulary import CacRecordType, OutputFormat, either

cac_app = typer.Typer(
    help="China's CAC register of generative-AI services: a filing is a service (a provider and its model), not a "
    "model.",
    no_args_is_help=True,
)
app.add_typer(cac_app, name="cac")

RecordTypeOption = Annotated[
    str,
    typer.Option(
        "--record-type",
        help=f"{either(CacRecordType)}: filings (备案, national) or registrations (登记, local apps calling a filed "
        "model); never added together.",
    ),
]
SERIES_TABLE = [
    "month",
    "new",
    "cumulative",
    "highest_sequence",
    "published_total",
    "published_kind",
    "published_reliability",
    "coverage",
]
TOTALS_TABLE = [
    "as_of_text",
    "filed_text",
    "filed_kind",
    "registered_text",
    "reliability",
    "stored_filed",
    "highest_filed_sequence",
    "stored_registered",
    "publisher",
]


@ingest_app.command("cac")
@handle_errors
def ingest_cac(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="More attachments or folders (so that `--from a.xlsx b.xlsx` reads both).", show_default=False
        ),
    ] = None,
    from_paths: Annotated[
        list[Path] | None,
        typer.Option(
            "--from",
            help="A CAC attachment (xlsx, or CSV exported from one), a table of published totals, or a folder of "
            "them; repeat for several attachments (they are deltas: merged, each filing once).",
        ),
    ] = None,
    urls: Annotated[
        list[str] | None,
        typer.Option(
            "--url",
            help="Live: a CAC notice page (its attachment links are followed) or an attachment URL; repeatable. "
            "Default: the notices this version knows.",
        ),
    ] = None,
    dated: DatedOption = None,
    db: DbOption = None,
) -> None:
    """Ingest China's CAC register of generative-AI services: filings (备案) and registrations (登记) kept apart,
    each provider resolved to a registry organization; rows that cannot be read are set aside with file, row,
    field and reason."""
    files = [*(from_paths or []), *(paths or [])]
    if files and urls:
        raise QueryError("give --from (saved attachments) or --url (live), not both", parameter="url")
    config = Config.from_env(db_path=db)
    with _writer(config) as census:
        report = census.ingest_cac(files, urls=urls or [], dated=dated.date() if dated else None)
        _report_ingest(report)
        _link_stored(census, report)


@cac_app.command("series")
@handle_errors
def cac_series(
    record_type: RecordTypeOption = CacRecordType.FILING.value,
    as_of: AsOfOption = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """The register month by month (new, cumulative, highest sequence number) beside its published totals, each
    with its reliability; coverage = cumulative / published."""
    with _census(db) as census:
        figure = census.cac_series(record_type=record_type, as_of=as_of)
    columns = SERIES_TABLE if fmt is OutputFormat.table else None
    emit(
        figure,
        fmt,
        console,
        title=f"CAC register: {record_type}s by month, beside the published totals",
        columns=columns,
    )


@cac_app.command("totals")
@handle_errors
def cac_totals(as_of: AsOfOption = None, db: DbOption = None, fmt: FormatOption = OutputFormat.table) -> None:
    """The register's published totals as read (date, count, what kind of count), with their source and
    reliability, beside the filings stored by each date."""
    with _census(db) as census:
        figure = census.cac_totals(as_of=as_of)
    columns = TOTALS_TABLE if fmt is OutputFormat.table else None
    emit(figure, fmt, console, title="CAC register: published totals", columns=columns)


@cac_app.command("unresolved")
@handle_errors
def cac_unresolved(
    record_type: RecordTypeOption = CacRecordType.FILING.value,
    as_of: AsOfOption = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Providers of filings that the registry does not resolve (never guessed), with their filings."""
    with _census(db) as census:
        figure = census.cac_unresolved(record_type=record_type, as_of=as_of)
    emit(figure, fmt, console, title=f"CAC providers the registry does not resolve ({record_type}s)")
