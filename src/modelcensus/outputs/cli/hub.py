"""CLI commands of the Hugging Face Hub: ingest, lineage, trend, Hub counts and handle resolution."""

from contextlib import nullcontext
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

import modelcensus as mc
from modelcensus.config import Config
from modelcensus.outputs.cli.common import (
    AsOfOption,
    ByOption,
    DatedOption,
    DbOption,
    Filters,
    FormatOption,
    _census,
    _link_stored,
    _progress,
    _report_ingest,
    _writer,
    app,
    console,
    counted,
    emit,
    filter_options,
    handle_errors,
    ingest_app,
    with_coverage,
)
from modelcensus.vocabulary import PLACE_FILTERS, Attribution, Derivatives, HubMetric, OutputFormat

if TYPE_CHECKING:
    from modelcensus.census import Census, IngestReport

MetricOption = Annotated[str | None, typer.Option("--metric", help="Hub: models (repos), downloads (30-day) or likes.")]
DerivativesOption = Annotated[
    str | None, typer.Option("--derivatives", help="Hub: include (default), exclude (originals only) or only.")
]
PipelineOption = Annotated[str | None, typer.Option("--pipeline-tag", help="Hub: only repos of this pipeline tag.")]
HubAttributionOption = Annotated[
    str, typer.Option("--attribution", help="resolved (the publishing organization) or lineage (the root base's).")
]

HUB_TABLE_COLUMNS = ["group", "group_name", "value", "share", "repos", "denominator"]
HANDLE_TABLE_COLUMNS = ["handle", "organization", "countries", "kind", "method", "score", "repos", "downloads"]

hub_app = typer.Typer(
    help="The Hugging Face Hub: the handles the census knows and how each resolved.", no_args_is_help=True
)
app.add_typer(hub_app, name="hub")


@hub_app.command("handles")
@handle_errors
def hub_handles(
    unresolved: Annotated[
        bool, typer.Option("--unresolved", help="Only the handles with no organization and no kind (individual, …).")
    ] = False,
    as_of: AsOfOption = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Every Hub handle the census knows, with its organization, countries, kind, method and score, the most
    downloaded first."""
    with _census(db) as census:
        figure = census.hub_handles(unresolved=unresolved, as_of=as_of)
        frame = figure.frame
        which = "unresolved Hub handle" if unresolved else "Hub handle"
        emit(
            figure,
            fmt,
            console,
            title=counted(len(frame), which),
            columns=HANDLE_TABLE_COLUMNS if fmt is OutputFormat.table else None,
        )


def ingest_hub(census: "Census", path: Path | None, **query: object) -> "IngestReport":
    with _progress("huggingface: harvesting repos" if path is None else "huggingface: reading") as advance:
        report = census.ingest_huggingface(path, progress=advance, **query)  # type: ignore[arg-type]
    _report_ingest(report)
    _link_stored(census, report)
    return report


@ingest_app.command("huggingface")
@handle_errors
def ingest_huggingface(
    from_path: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help="A saved /api/models listing (JSON array), JSONL, or the trending-file shape; "
            "or a folder holding such files. Default: harvest the Hub live.",
        ),
    ] = None,
    endpoint: Annotated[
        str | None, typer.Option("--endpoint", help="Hub URL (default https://huggingface.co or $HF_ENDPOINT).")
    ] = None,
    author: Annotated[list[str] | None, typer.Option("--author", help="Only this author's repos (repeatable).")] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="At most N repos in all.")] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Only repos created on or after this date (YYYY-MM-DD).")
    ] = None,
    sort: Annotated[
        str, typer.Option("--sort", help="createdAt (newest first; a full crawl), downloads, likes or trendingScore.")
    ] = "createdAt",
    resume: Annotated[
        bool,
        typer.Option("--resume", help="Continue the newest unfinished crawl of the same query from its last cursor."),
    ] = False,
    profile_lookups: Annotated[
        int | None,
        typer.Option(
            "--profile-lookups",
            help="Live: ask the Hub for the profile of at most N handles still unresolved, most downloaded first "
            "(default 500; 0: none).",
        ),
    ] = None,
    dated: DatedOption = None,
    db: DbOption = None,
) -> None:
    """Ingest Hugging Face Hub model listings (live through the Hub API, or saved files)."""
    config = Config.from_env(db_path=db, hub_endpoint=endpoint)
    when = _date_arg(since, "--since") if since else None
    day = dated.date() if dated else None
    from modelcensus.store.copy_on_write import copied_ahead

    with copied_ahead(config.db_path):  # the store's working copy made while the command imports and starts
        from modelcensus.sources import huggingface  # a file's sha256 (its export id) read while the census opens

        ahead = huggingface.prefetched_digest(from_path) if from_path is not None else nullcontext()
        with ahead, _writer(config) as census:  # (a folder's listings are hashed as each is read)
            if from_path is not None:
                ingest_hub(census, from_path, dated=day)
            else:
                ingest_hub(
                    census,
                    None,
                    authors=tuple(author or ()),
                    limit=limit,
                    since=when,
                    sort=sort,
                    resume=resume,
                    dated=day,
                    profile_lookups=profile_lookups,
                )


def _date_arg(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise mc.QueryError(
            f"{option} must be a date (YYYY-MM-DD), not {value!r}",
            parameter=option.removeprefix("--").replace("-", "_"),
        ) from None


@app.command()
@handle_errors
def lineage(
    model_id: Annotated[str, typer.Argument(help="A Hub repo id, e.g. unsloth/Qwen3-8B-GGUF.")],
    as_of: AsOfOption = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """The chain from a Hub repo to its root base model, with relations and developers."""
    from modelcensus.records import requested_name

    model_id = requested_name(model_id, None, "the repo id")
    with _census(db) as census:
        emit(census.lineage(model_id, as_of=as_of), fmt, console, title=f"Lineage of {model_id}")


@app.command()
@handle_errors
@filter_options(*PLACE_FILTERS, "rule", "as_of")
def trend(
    by: ByOption = ["country"],  # noqa: B006
    metric: MetricOption = HubMetric.DOWNLOADS.value,
    attribution: HubAttributionOption = Attribution.RESOLVED.value,
    derivatives: DerivativesOption = Derivatives.INCLUDE.value,
    pipeline_tag: PipelineOption = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
    *,
    filters: Filters,
) -> None:
    """Hub adoption over time: the figure as of every stored harvest up to --as-of (repeat harvests to grow the
    series)."""
    from modelcensus.queries import check_dimensions  # the request models load with a request, not at start-up

    check_dimensions(by)
    with _census(db) as census:
        figure = census.trend(
            by,
            metric=metric or HubMetric.DOWNLOADS,
            attribution=attribution,
            derivatives=derivatives or Derivatives.INCLUDE,
            pipeline_tag=pipeline_tag,
            **filters,
        )
        columns = ["date", *HUB_TABLE_COLUMNS] if fmt is OutputFormat.table else None
        if fmt is not OutputFormat.table:
            figure = figure.with_frame(with_coverage(figure))
        emit(figure, fmt, console, title=f"Hugging Face {metric} by {' × '.join(by)} over time", columns=columns)


__all__ = ["DerivativesOption", "MetricOption", "PipelineOption", "hub_app", "ingest_hub"]
