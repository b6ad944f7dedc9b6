"""The ``modelcensus`` command line: organised by noun, every read command with ``--format``."""

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

import modelcensus as mc
from modelcensus.config import Config
from modelcensus.errors import QueryError
from modelcensus.outputs.cli.common import (
    AsOfOption,
    AttributionOption,
    ByOption,
    DatedOption,
    DbOption,
    EngineOption,
    Filters,
    FormatOption,
    SparkMasterOption,
    _census,
    _link_stored,
    _progress,
    _report_ingest,
    _working,
    _writer,
    app,
    console,
    counted,
    emit,
    err_console,
    failure_text,
    filter_options,
    handle_errors,
    ingest_app,
    orgs_app,
    records,
)
from modelcensus.outputs.cli.hub import DerivativesOption, MetricOption, PipelineOption
from modelcensus.vocabulary import (
    MODEL_FILTERS,
    PERIOD_FILTERS,
    PLACE_FILTERS,
    Attribution,
    CacRecordType,
    CountSource,
    OutputFormat,
    Unit,
    either,
)

if TYPE_CHECKING:
    from modelcensus.census import Census, Figure, IngestReport
    from modelcensus.orgs import Registry, Resolution
    from modelcensus.queries import ModelsRequest


def _ingest_epoch(census: "Census", path: Path | None, dated: date | None = None) -> "IngestReport":
    with _progress("epoch: reading rows") as advance:
        report = census.ingest_epoch(path, progress=advance, dated=dated)
    _report_ingest(report)
    _link_stored(census, report)
    return report


def _headline(census: "Census") -> "tuple[Figure, list[str]]":
    """Models by country for the last five years up to the newest one that is over (as-published, full
    counting), with the years still filling in marked (``2025*``) and a sentence each: the listed count and the
    estimate of its final count from the listing lag."""
    import pandas as pd

    newest = census.newest_export_date(["epoch"])
    if newest is None:
        return mc.Figure(pd.DataFrame(), mc.Provenance()), []
    when = date.fromisoformat(newest)
    last = when.year if (when.month, when.day) == (12, 31) else when.year - 1
    first = last - 4
    figure = census.count(by=["country", "year"], since=first, until=last)
    frame = figure.frame
    if frame.empty:
        return mc.Figure(pd.DataFrame(), mc.Provenance()), []
    statuses = census.year_statuses(census.year_status(first, last))
    filling = {s.year for s in statuses if not s.complete}
    pivot = frame.pivot_table(index="group_name", columns="year", values="count", aggfunc="sum", fill_value=0)
    pivot["total"] = pivot.sum(axis=1)
    pivot = pivot.sort_values("total", ascending=False)
    top = pivot.head(12)
    totals = census.count(by="year", since=first, until=last).frame.set_index("group")["count"]
    top.loc["All models (denominator)"] = [*(int(totals.get(y, 0)) for y in pivot.columns[:-1]), int(totals.sum())]
    table = top.reset_index().rename(columns={"group_name": "country"})
    table.columns = [f"{c}*" if isinstance(c, int) and c in filling else str(c) for c in table.columns]
    notes = [f"* {s.describe(detail=False)} (modelcensus lag)" for s in statuses if not s.complete]
    return figure.with_frame(table), notes


HUB_COLUMNS = ["group", "group_name", "value", "share", "repos", "denominator"]
PARTIAL_EXIT = 4
"""``build``'s exit code when some recognised file (or live source) could not be read: the rest is stored."""


def _hub_headline(census: "Census") -> "Figure | None":
    """Hub downloads by lineage origin, or None when no Hub listing is stored."""
    try:
        figure = census.count_hub(by="country", metric="downloads", attribution="lineage")
    except QueryError:
        return None
    if figure.empty:
        return None
    return figure


def _linkage_out(result: Any) -> dict[str, Any]:
    """What a build's linkage made, and the pairs each pass compared (``links passes``)."""
    links = result.links
    passes = [{"pass": n, "pairs": p, "links": k, "reused": r} for n, p, k, r in links.passes] if links else []
    return {
        "canonical_models": result.canonical_models,
        "shared_models": result.shared_models,
        "python_stage": links.python_stage if links else None,
        "pairs": sum(p["pairs"] for p in passes),
        "passes": passes,
    }


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
    dated: DatedOption = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """The main job: ingest every source and print the headline tables (models by country per year; Hub
    downloads by the country of the base model they build on).

    Files it does not recognise are listed as skipped, with the reason; a recognised file that cannot be read
    fails alone (the rest is stored) and the exit code is 4 (a partial build)."""
    with _census(db, read_only=False) as census:
        result = census.build(
            from_dir, dated=dated.date() if dated else None, progress=_progress, on_ingest=_report_ingest
        )
        for skipped in result.skipped:
            err_console.print(f"skipped: {skipped.path}: {skipped.reason}", highlight=False, markup=False)
        if result.discovery is not None:
            for meta in result.discovery.metadata:
                err_console.print(f"read for dates: {meta}", highlight=False, markup=False)
        pairs = sum(p for _, p, _, _ in result.links.passes) if result.links else 0
        err_console.print(
            f"linkage: {result.canonical_models:,} canonical models, {result.shared_models:,} known to several "
            f"sources; {pairs:,} pairs compared (modelcensus links, links passes)",
            highlight=False,
        )
        err_console.print(
            "stages: " + "; ".join(f"{stage} {seconds:,.1f} s" for stage, seconds in result.stages),
            highlight=False,
            markup=False,
        )
        with _working("build: the headline tables"):
            table, notes = _headline(census)
            hub = _hub_headline(census)
        if fmt is OutputFormat.json:
            print(
                json.dumps(
                    {
                        "models_by_country_year": records(table.frame),
                        "years_filling_in": notes,
                        "hub_downloads_by_lineage_origin": records(hub.frame) if hub is not None else [],
                        "linkage": _linkage_out(result),
                        "stages": [{"stage": stage, "seconds": seconds} for stage, seconds in result.stages],
                        "skipped": [{"path": str(s.path), "reason": s.reason} for s in result.skipped],
                        "failed": [{"source": f.source, "path": f.location, "error": f.message} for f in result.failed],
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
        else:
            emit(table, fmt, console, title="Models by country and year (Epoch AI, all models)")
            for note in notes:
                console.print(note, highlight=False, markup=False)
            if hub is not None:
                emit(
                    hub,
                    fmt,
                    console,
                    title="Hugging Face Hub: 30-day downloads by lineage origin (the country of "
                    "the root base model's developer)",
                    columns=None if fmt is OutputFormat.csv else HUB_COLUMNS,
                )
    if result.partial:
        for failure in result.failed:
            err_console.print(f"failed: {failure_text(failure)}", style="bold red", highlight=False, markup=False)
        err_console.print(
            f"partial build: {len(result.failed)} recognised file(s) could not be read; everything else is stored "
            f"(exit code {PARTIAL_EXIT})",
            highlight=False,
        )
        raise typer.Exit(PARTIAL_EXIT)


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
    dated: DatedOption = None,
    db: DbOption = None,
) -> None:
    """Ingest Epoch AI's "Data on AI Models" (CC BY 4.0, credit Epoch AI); files of different dates are
    different exports (vintages)."""
    config = Config.from_env(db_path=db, epoch_url=url)
    with _writer(config) as census:
        _ingest_epoch(census, from_path, dated.date() if dated else None)


def _grouped(method: str, title: str, db: Path | None, fmt: OutputFormat, values: dict[str, Any]) -> None:
    """stats and hardware: one grouped figure of Epoch AI's models, with a count's filters and provenance."""
    q = mc.CountRequest.model_validate(values)
    by = [str(b) for b in q.by]
    attribution = q.attribution or Attribution.AS_PUBLISHED
    with _census(db) as census:
        figure: Figure = getattr(census, method)(by, rule=q.rule, attribution=attribution, **q.filters())
        if fmt is not OutputFormat.table:
            figure = figure.with_frame(figure.frame.assign(rule=q.rule, attribution=attribution))
        emit(figure, fmt, console, title=f"{title} by {' × '.join(by)}")


@app.command()
@handle_errors
@filter_options(*PERIOD_FILTERS, *MODEL_FILTERS, *PLACE_FILTERS, "rule", "as_of")
def count(
    by: ByOption = ["country"],  # noqa: B006
    source: Annotated[
        str,
        typer.Option(
            "--source",
            help="epoch (models), huggingface (Hub repos), cac (CAC filings: services, not models), tabular (every "
            "stored tabular list) or one tabular list's name (modelcensus sources).",
        ),
    ] = "epoch",
    record_type: Annotated[
        str | None,
        typer.Option("--record-type", help="cac: filing (备案, default) or registration (登记), never added together."),
    ] = None,
    definition: Annotated[
        str | None, typer.Option("--definition", help="Count under a named definition (modelcensus definitions list).")
    ] = None,
    unit: Annotated[str | None, typer.Option("--unit", help=f"With --definition: {either(Unit)}.")] = None,
    metric: MetricOption = None,
    derivatives: DerivativesOption = None,
    pipeline_tag: PipelineOption = None,
    attribution: Annotated[
        str | None,
        typer.Option(
            "--attribution",
            help="epoch: as-published (the source's country field, default) or resolved (registry). huggingface: "
            "resolved (the publishing organization, default) or lineage (the root base model's developer). cac: "
            "as-published (the register's country: China) or resolved (the provider's organization).",
        ),
    ] = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
    engine: EngineOption = "duckdb",
    spark_master: SparkMasterOption = None,
    *,
    filters: Filters,
) -> None:
    """Count and share of models (or Hub repos, downloads, likes) per group; every share states its denominator."""
    from modelcensus.outputs.common.count_query import count_figure  # with the facade: not at start-up

    q = mc.CountRequest.model_validate(
        dict(
            by=by,
            source=source,
            record_type=record_type,
            definition=definition,
            unit=unit,
            metric=metric,
            derivatives=derivatives,
            pipeline_tag=pipeline_tag,
            attribution=attribution,
            **filters,
        )
    )
    with _census(db, engine=engine, spark_master=spark_master) as census, _working("count"):
        figure = count_figure(census, q)
    if fmt is OutputFormat.table:
        emit(figure.shown(), fmt, console, title=figure.title, columns=figure.columns)
    else:
        emit(figure.figure(), fmt, console, title=figure.title)


@app.command()
@handle_errors
@filter_options(*PERIOD_FILTERS, *MODEL_FILTERS, *PLACE_FILTERS, "rule", "as_of")
def stats(
    by: ByOption,
    attribution: AttributionOption = "as-published",
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
    *,
    filters: Filters,
) -> None:
    """Total and median training compute (FLOP) and parameters per group."""
    values = dict(by=by, attribution=attribution, **filters)
    _grouped("statistics", "Training compute and parameters", db, fmt, values)


@app.command()
@handle_errors
@filter_options(*PERIOD_FILTERS, *MODEL_FILTERS, *PLACE_FILTERS, "rule", "as_of")
def hardware(
    by: ByOption = ["country"],  # noqa: B006
    attribution: AttributionOption = "as-published",
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
    *,
    filters: Filters,
) -> None:
    """Models per training-hardware vendor (NVIDIA, Google, Huawei, …) per group."""
    values = dict(by=by, attribution=attribution, **filters)
    _grouped("hardware", "Training hardware by vendor", db, fmt, values)


@app.command()
@handle_errors
@filter_options(*PERIOD_FILTERS, *MODEL_FILTERS, *PLACE_FILTERS, "as_of")
def models(
    organization: Annotated[str | None, typer.Option("--organization", help="Organization name (substring).")] = None,
    attribution: AttributionOption = "as-published",
    limit: Annotated[int | None, typer.Option("--limit", help="At most this many models.")] = None,
    source: Annotated[
        str,
        typer.Option(
            "--source",
            help="epoch (models), cac (the CAC filings behind a count --source cac), tabular (every tabular list's "
            "records) or one tabular list's name.",
        ),
    ] = "epoch",
    province: Annotated[
        str | None, typer.Option("--province", help="cac: a province (CN-BJ, Beijing, 北京); 'none' for no province.")
    ] = None,
    month: Annotated[
        str | None, typer.Option("--month", help="cac: month of filing (YYYY-MM); 'none' for undated filings.")
    ] = None,
    record_type: Annotated[
        str | None, typer.Option("--record-type", help="cac: filing (default) or registration.")
    ] = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
    *,
    filters: Filters,
) -> None:
    """The models behind a figure, with organization, countries and source (with --source cac: the filings)."""
    q = mc.ModelsRequest.model_validate(
        dict(
            organization=organization,
            attribution=attribution,
            source=source,
            province=province,
            month=month,
            record_type=record_type,
            **filters,
        )
    )
    if q.source == CountSource.CAC:
        _cac_filings(q, limit, db, fmt)
        return
    if q.tabular:
        _list_records(q, limit, db, fmt)
        return
    if q.source != CountSource.EPOCH:
        raise QueryError(
            "models lists epoch models, cac filings or a tabular list's records (Hub repos: /api/models)",
            parameter="source",
        )
    with _census(db) as census:
        figure = census.models(
            organization=q.organization,
            attribution=q.attribution or Attribution.AS_PUBLISHED,
            limit=limit,
            **q.filters(),
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
        emit(figure, fmt, console, title=counted(len(figure.frame), "model"), columns=columns)


CAC_FILING_COLUMNS = [
    "sequence_label",
    "filing_number",
    "filed_on",
    "province",
    "model_name",
    "entity",
    "organization",
    "method",
    "family",
    "linked_models",
]


LIST_COLUMNS = ["name", "source", "source_id", "published_on", "countries", "unit_name"]


def _list_records(q: "ModelsRequest", limit: int | None, db: Path | None, fmt: OutputFormat) -> None:
    """``models --source NAME`` (or ``tabular``): the records of a tabular list behind a ``count --source NAME``."""
    import pandas as pd  # loaded with a command, not at start-up

    with _census(db) as census:
        definition = census.source_definition(str(q.source))
        frame = census.definition_members(
            definition,
            country=q.country or "*",
            region=q.region,
            unit=q.unit,
            attribution=q.attribution,
            year=q.year,
            since=q.since,
            until=q.until,
            as_of=q.as_of,
        )
    frame = frame if limit is None else frame.head(limit)
    frame["published_on"] = [None if pd.isna(d) else pd.Timestamp(d).date() for d in frame["published_on"]]
    columns = LIST_COLUMNS if fmt is OutputFormat.table else None
    emit(frame, fmt, console, title=f"{counted(len(frame), 'record')} of {q.source}", columns=columns)


def _cac_filings(q: "ModelsRequest", limit: int | None, db: Path | None, fmt: OutputFormat) -> None:
    """``models --source cac``: the filings behind a CAC count."""
    from modelcensus.outputs.common.count_query import cac_filing_filters  # loaded with a command, not at start-up

    with _census(db) as census:
        figure = census.cac_filings(**cac_filing_filters(q), limit=limit)
    columns = CAC_FILING_COLUMNS if fmt is OutputFormat.table else None
    kind = q.record_type or CacRecordType.FILING
    title = f"{counted(len(figure.frame), f'CAC {kind}')} (services, not models)"
    emit(figure, fmt, console, title=title, columns=columns)


@app.command()
@handle_errors
def sources(as_of: AsOfOption = None, db: DbOption = None, fmt: FormatOption = OutputFormat.table) -> None:
    """Stored snapshots and their provenance: the data date of each file and how it was found (--dated, a
    datapackage.json, the data itself, the file name, or unknown), the export (vintage) it belongs to, URL or
    path, retrieval time, sha256, size, rows, licence."""
    with _census(db) as census:
        frame = census.sources(as_of=as_of)
        columns = None
        if fmt is OutputFormat.table:
            frame = frame.assign(
                sha256=frame["sha256"].str[:12],
                data_date=[str(d) if d is not None else "unknown" for d in frame["data_date"]],
                export_date=[str(d) if d is not None else "unknown" for d in frame["export_date"]],
            )
            columns = [
                "source",
                "role",
                "data_date",
                "date_method",
                "export_date",
                "current",
                "rows",
                "sha256",
                "license",
                "location",
            ]
        emit(
            frame,
            fmt,
            console,
            title="Source snapshots (data_date: when the data was true; how it was found)",
            columns=columns,
        )


@app.command()
@handle_errors
def quarantine(
    source: Annotated[
        str | None,
        typer.Option(
            "--source", help="Only this source's rows: epoch, huggingface, openrouter, lmarena, litellm, cac, …"
        ),
    ] = None,
    as_of: AsOfOption = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Rows set aside at ingest (source, file, line, column, value, reason); with --as-of, those of the exports
    in force on that date."""
    with _census(db) as census:
        emit(census.quarantine(source, as_of=as_of), fmt, console, title="Quarantined rows")


def _names_in_file(path: Path, column: str | None) -> list[str]:
    """One name a line (blank lines and ``#`` comments skipped), or a column of a CSV file (``--column``, default
    the first)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise QueryError(f"cannot read {path}: {exc.strerror}", parameter="file") from exc
    if path.suffix.lower() != ".csv":
        return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    reader = csv.DictReader(io.StringIO(text))
    fields = reader.fieldnames or []
    chosen = column or (fields[0] if fields else None)
    if chosen is None or chosen not in fields:
        raise QueryError(f"{path}: no column {chosen!r}; columns: {', '.join(fields)}", parameter="column")
    return [row[chosen].strip() for row in reader if (row.get(chosen) or "").strip()]


def _resolution_row(res: "Resolution", registry: "Registry") -> dict[str, Any]:
    org = res.org
    return {
        "name": res.name,
        "resolved": org is not None,
        "organization": org.name if org else None,
        "org_id": org.id if org else None,
        "countries": list(org.countries) if org else [],
        "sector": (org.sector or None) if org else None,
        "parent": org.parent if org else None,
        "kind": org.kind if org else None,
        "method": res.method,
        "score": res.score,
        "candidates": [f"{registry.get(i).name} ({i})" for i in res.candidates],
        "note": org.note if org else None,
    }


@orgs_app.command("resolve")
@handle_errors
def orgs_resolve(
    names: Annotated[list[str] | None, typer.Argument(help="Organization names as a source spells them.")] = None,
    hub: Annotated[
        list[str] | None, typer.Option("--hub", help="A Hugging Face handle to resolve (repeatable).")
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="Resolve every name of a file: one name a line, or a column of a CSV file."),
    ] = None,
    column: Annotated[
        str | None,
        typer.Option("--column", help="With --file FILE.csv: the column of names (default: the first)."),
    ] = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Resolve names (or Hub handles) to organizations, countries, sectors and kinds, each with its method and score;
    an ambiguous name lists the organizations it could be, an unresolved one says so (exit code 3 if any)."""
    given = [*(names or []), *(_names_in_file(file, column) if file else [])]
    if not given and not hub:
        raise QueryError("give organization names, a file of names with --file, or Hub handles with --hub")
    config = Config.from_env()
    registry = mc.census.load_registry(fuzzy_threshold=config.fuzzy_threshold)
    rows = [_resolution_row(registry.resolve(n), registry) for n in given]
    handles = mc.census.HandleResolver(registry)
    for hub_res in (handles.resolve(h) for h in hub or []):
        org = hub_res.org
        rows.append(
            {
                "name": hub_res.handle,
                "resolved": hub_res.resolved,
                "organization": org.name if org else None,
                "org_id": org.id if org else None,
                "countries": list(hub_res.countries),
                "sector": (org.sector or None) if org else None,
                "parent": org.parent if org else None,
                "kind": hub_res.kind,
                "method": hub_res.method,
                "score": hub_res.score,
                "note": org.note if org else None,
                "candidates": [],
            }
        )
    import pandas as pd

    frame = pd.DataFrame(rows)
    table_columns = ["name", "organization", "countries", "sector", "kind", "parent", "method", "score", "candidates"]
    emit(
        frame,
        fmt,
        console,
        title="Organization resolution",
        columns=table_columns if fmt is OutputFormat.table else None,
    )
    unresolved = [r["name"] for r in rows if not r["resolved"] and r["method"] != "ambiguous"]
    ambiguous = [r["name"] for r in rows if r["method"] == "ambiguous"]
    if fmt is OutputFormat.table or len(rows) > 1:
        err_console.print(
            f"{counted(len(rows), 'name')}: {len(rows) - len(unresolved) - len(ambiguous)} resolved, "
            f"{len(ambiguous)} ambiguous, {len(unresolved)} unresolved"
        )
        for label, listed in (("ambiguous", ambiguous), ("unresolved", unresolved)):
            if listed:
                err_console.print(f"{label}: " + "; ".join(listed), markup=False)
    if unresolved or ambiguous:
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
        emit(frame, fmt, console, title=f"{counted(len(frame), 'model')} where resolved ≠ published countries")


@orgs_app.command("hub-disagreements")
@handle_errors
def orgs_hub_disagreements(
    as_of: AsOfOption = None, db: DbOption = None, fmt: FormatOption = OutputFormat.table
) -> None:
    """Epoch models whose "Hugging Face developer id" the registry gives to another organization (or not at all)."""
    with _census(db) as census:
        frame = census.hub_disagreements(as_of=as_of)
        emit(frame, fmt, console, title=f"{counted(len(frame), 'Epoch Hub id')} the registry disagrees with")


@orgs_app.command("refresh")
@handle_errors
def orgs_refresh(db: DbOption = None) -> None:
    """Re-resolve every stored organization name with the installed registry."""
    with _census(db, read_only=False) as census:
        census.refresh_registry()
        err_console.print(f"re-resolved organization names with {len(census.registry)} registry entries")
