"""What the CLI's commands share: the Typer apps, consoles, options, error handling and progress.

Start-up time: the CLI's modules import only what ``--help`` needs (Typer, Rich's console, the vocabulary, the
configuration). Rich's progress bars load when a command draws one; the rendering of answers (the records' and
sources' text) when a command prints, through :func:`emit`, :func:`records` and :func:`with_coverage`. The facade
(:func:`modelcensus.open`: the store, Ibis, pandas, SciPy, seconds of imports) loads through the lazy ``modelcensus``
package when a command first opens the census, and a command imports the other heavy modules it needs in its body.
"""

import functools
import inspect
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.text import Text

import modelcensus as mc
from modelcensus.config import Config
from modelcensus.errors import ModelCensusError, QueryError
from modelcensus.outputs.common.heap import freeze_long_lived
from modelcensus.vocabulary import MODEL_DIMENSIONS, OpenWeights, OutputFormat, Rule, either

if TYPE_CHECKING:
    import pandas as pd

    from modelcensus.census import Census, Figure, IngestReport
    from modelcensus.ingest import Failure
    from modelcensus.provenance import DataDate

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
    """Wide tables when piped (no terminal to measure), the terminal's width otherwise. Markup is off: what the
    CLI prints is data (a model named ``Flux.1 [pro]``, a name given as ``[bold]X[/bold]``), styled only through
    ``style=`` and :class:`~rich.text.Text`, never by brackets in the text."""
    stream = sys.stderr if stderr else sys.stdout
    return Console(stderr=stderr, width=None if stream.isatty() else 200, markup=False)


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
OpenOption = Annotated[str | None, typer.Option("--open-weights", help=f"{either(OpenWeights)}.")]
DomainOption = Annotated[str | None, typer.Option("--domain", help="Only models of this domain (e.g. Language).")]
CountryOption = Annotated[
    list[str] | None,
    typer.Option(
        "--country",
        help="Only models of this country, under the attribution (ISO code or name; repeat for several; 'none': "
        "with no country).",
    ),
]
RegionOption = Annotated[
    str | None,
    typer.Option("--region", help="Only models of a region group (eu27, greater-china, g7, …), under the attribution."),
]
RuleOption = Annotated[str, typer.Option("--rule", help=f"Counting rule: {either(Rule)}.")]
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


DatedOption = Annotated[
    datetime | None,
    typer.Option(
        "--dated",
        formats=["%Y-%m-%d"],
        help="The date the data describes (YYYY-MM-DD), overriding every other way of dating it "
        "(a datapackage.json, the data itself, a date in the file name).",
    ),
]


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``1 record``, ``2 records``, ``1,000 models``: a count with its noun in the number it takes."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def fail(message: str, code: int = 1) -> None:
    # the message is text, not markup: "modelcensus[spark]" or a model named "Flux.1 [pro]" print as they are
    err_console.print(Text.assemble(("error:", "bold red"), " ", message), highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def option(parameter: str) -> str:
    """The CLI spelling of a request parameter: ``large_scale`` → ``--large-scale``."""
    return "--" + parameter.replace("_", "-")


def error_text(exc: ModelCensusError) -> str:
    """One line; a :class:`QueryError` names the option at fault: ``--rule must be …`` for ``rule must be …``,
    ``--country: unknown country 'XX'`` where the message does not start with the parameter's name."""
    text = str(exc).replace("\n", " ")
    parameter = exc.parameter if isinstance(exc, QueryError) else None
    if not parameter or option(parameter) in text:
        return text
    if text.startswith(f"{parameter} "):
        return option(parameter) + text.removeprefix(parameter)
    return f"{option(parameter)}: {text}"


def handle_errors(func: F) -> F:
    """Turn the package's errors into a one-line message and a non-zero exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ModelCensusError as exc:
            fail(error_text(exc))
        except ValueError as exc:
            # a request (modelcensus.queries) the options make is not valid: pydantic's ValidationError, a
            # ValueError; pydantic and the request models load with the first request, not at start-up
            from pydantic import ValidationError

            if not isinstance(exc, ValidationError):
                raise
            from modelcensus.queries import request_error

            fail(error_text(request_error(exc)))
        except OSError as exc:  # a file the command reads or writes that the package did not check: still one line
            where = f"{exc.filename}: " if exc.filename else ""
            fail(f"{where}{exc.strerror or exc}")
        except KeyboardInterrupt:
            fail(
                "interrupted; the store is unchanged by the unfinished step (a Hub crawl continues with --resume)", 130
            )

    return wrapper  # type: ignore[return-value]


def _config(db: Path | None) -> Config:
    return Config.from_env(db_path=db)


EngineOption = Annotated[
    str,
    typer.Option(
        "--engine",
        help="duckdb (the store, default) or spark: the same metrics on Apache Spark over a Parquet export "
        "(--db names a DuckDB store, exported to the cache first, or a `modelcensus export` folder or URI).",
    ),
]
SparkMasterOption = Annotated[
    str | None,
    typer.Option(
        "--spark-master", help="With --engine spark: the Spark master URL (default local[2]; spark://host:7077, yarn)."
    ),
]


@contextmanager
def _census(
    db: Path | None, read_only: bool = True, *, engine: str = "duckdb", spark_master: str | None = None
) -> "Iterator[Census]":
    config = _config(db)
    if engine == "duckdb" and spark_master is not None:
        raise QueryError("--spark-master applies with --engine spark", parameter="spark_master")
    with _opened(config, read_only, engine, spark_master) as census:
        yield census


@contextmanager
def _writer(config: Config) -> "Iterator[Census]":
    """The census at ``config.db_path`` opened for writing (:func:`_opened`)."""
    with _opened(config, False) as census:
        yield census


@contextmanager
def _opened(
    config: Config, read_only: bool, engine: str = "duckdb", spark_master: str | None = None
) -> "Iterator[Census]":
    """The census opened, and closed at the end. A writer's working copy is made on a thread while the command imports
    the store, Ibis and pandas (:func:`~modelcensus.store.copy_on_write.copied_ahead`: a large store's copy takes
    seconds, mostly the disk's)."""
    from modelcensus.store.copy_on_write import copied_ahead

    writing = not read_only and engine == "duckdb"
    with copied_ahead(config.db_path) if writing else nullcontext():
        with _working("opening the census"):  # the first open imports the store, Ibis and pandas: seconds
            census = mc.open(
                config.db_path, read_only=read_only, config=config, engine=engine, spark_master=spark_master
            )
        freeze_long_lived()  # the imports above live as long as the command: its collections need not scan them
        try:
            yield census
        finally:
            census.close()


def _interactive() -> bool:
    """Progress is drawn only on a terminal: piped or captured, stderr gets the results' messages alone."""
    return sys.stderr.isatty()


Step = Callable[[str, int, int], None]
"""Told ``(what is being done, steps done, steps in all)`` as a command works; 0 steps in all: not known."""


@contextmanager
def _working(label: str) -> Iterator[Step]:
    """A progress line on stderr while a command works (a spinner, the step, ``done/total`` once the library tells
    it, the time elapsed): on a terminal only, and gone before the command prints its results. Yields the
    :data:`Step` callback the library's ``progress=`` parameters take."""
    if not _interactive():
        yield lambda description, done, total: None
        return
    from rich import progress as bars

    columns = (bars.SpinnerColumn(), bars.TextColumn("{task.description}", markup=False), bars.BarColumn())
    counted = bars.TextColumn("{task.fields[counted]}", markup=False)
    with bars.Progress(*columns, counted, bars.TimeElapsedColumn(), console=err_console, transient=True) as progress:
        task = progress.add_task(label, total=None, counted="")

        def step(description: str, done: int, total: int) -> None:
            progress.update(
                task,
                description=f"{label}: {description}",
                completed=done,
                total=total or None,
                counted=f"{done}/{total}" if total else "",
            )

        yield step


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int], None]]:
    if not _interactive():
        yield lambda n: None
        return
    from rich import progress as bars

    with bars.Progress(
        bars.SpinnerColumn(),
        bars.TextColumn("{task.description}", markup=False),
        bars.BarColumn(),
        bars.MofNCompleteColumn(),
        bars.TextColumn("{task.fields[rate]}"),
        bars.TimeElapsedColumn(),
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


def _dated(when: "DataDate") -> str:
    """``data of 2026-03-30, dated by datapackage`` (the details are in ``modelcensus sources``)."""
    if when.value is None:
        return "data date unknown"
    return f"data of {when.value.isoformat()}, dated by {when.method.value}"


def failure_text(failure: "Failure") -> str:
    """``path: what went wrong`` (the message already names the file when the parser knew it)."""
    return failure.message if failure.message.startswith(failure.location) else f"{failure.location}: {failure.message}"


def _link_stored(census: "Census", report: "IngestReport") -> None:
    """After an ingest that stored something new, link it (only what changed is linked again) and store the census
    records behind definitions, as ``build`` does: the readers that follow read the links instead of each making
    them again in memory. Said in one line on stderr; an ingest that stored nothing new links nothing."""
    if all(r.already_stored for r in report.results):
        return
    with _working("linkage") as step:
        step("linking what was stored and keeping the census records", 0, 0)
        summary = census.link()
    pairs = sum(p for _, p, _, _ in summary.passes)
    compared = f"{pairs:,} pairs compared" if summary.run is not None else "already linked"
    err_console.print(
        f"linkage: {summary.models:,} canonical models, {summary.shared_models:,} known to several sources; "
        f"{compared} (modelcensus links passes)",
        highlight=False,
        markup=False,
    )


def _report_ingest(report: "IngestReport") -> None:
    for r in report.results:
        state = "already stored, nothing changed" if r.already_stored else "stored"
        repeated = f" ({r.duplicates:,} listing a record already read)" if r.duplicates else ""
        err_console.print(
            f"{r.source} export {r.export_id} ({_dated(r.data_date)}): {state}; rows read "
            f"{r.rows_read:,} = {r.rows_read - r.quarantined:,}{repeated} merged into {r.records:,} {r.unit} + "
            f"{r.quarantined:,} quarantined",
            highlight=False,
            markup=False,
        )
    if report.profiles:
        p = report.profiles
        asked = sum(p.get(k, 0) for k in ("organization", "user", "missing", "failed"))
        err_console.print(
            f"huggingface: asked the Hub about {asked:,} unresolved handles: {p.get('organization', 0):,} "
            f"organizations, {p.get('user', 0):,} users, "
            f"{p.get('missing', 0):,} gone, {p.get('failed', 0):,} failed; {p.get('resolved', 0):,} handles resolved",
            highlight=False,
            markup=False,
        )
    for failure in report.failed:
        err_console.print(f"failed: {failure_text(failure)}", style="bold red", highlight=False, markup=False)
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


ByOption = Annotated[
    list[str],
    typer.Option(
        "--by",
        help=f"{either(MODEL_DIMENSIONS)}; repeat to cross one grouping with year/month/open_weights.",
    ),
]

# -- the filters shared by the read commands, as one decorator (after sqlite-utils' ``output_options``) ------------

Filters = dict[str, Any]
"""The shared filter options a command was given, by parameter name (``None``: not given)."""

SHARED_OPTIONS: dict[str, tuple[Any, Any]] = {
    "year": (YearOption, None),
    "since": (SinceOption, None),
    "until": (UntilOption, None),
    "notable": (NotableOption, None),
    "frontier": (FrontierOption, None),
    "large_scale": (LargeOption, None),
    "open_weights": (OpenOption, None),
    "domain": (DomainOption, None),
    "country": (CountryOption, None),
    "region": (RegionOption, None),
    "rule": (RuleOption, Rule.FULL.value),
    "as_of": (AsOfOption, None),
}
"""Each shared option: its Typer annotation (option name and help) and its default."""


def filter_options(*names: str) -> Callable[[F], F]:
    """Give a command the shared options ``names`` (of :data:`SHARED_OPTIONS`, in this order, before ``--db``):
    the command declares a keyword-only ``filters: Filters`` and receives them there as one mapping, so the
    options, their help and their defaults are written once for every command that filters."""

    def decorate(func: F) -> F:
        signature = inspect.signature(func, eval_str=True)
        own = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in signature.parameters.values()]
        own = [p for p in own if p.name != "filters"]
        shared = [
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                default=SHARED_OPTIONS[name][1],
                annotation=SHARED_OPTIONS[name][0],
            )
            for name in names
        ]
        at = next((i for i, p in enumerate(own) if p.name == "db"), len(own))
        parameters = [*own[:at], *shared, *own[at:]]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            filters = {name: kwargs.pop(name) for name in names}
            return func(*args, filters=filters, **kwargs)

        # Typer reads the options from the signature: the command's own parameters and the shared ones
        wrapper.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        wrapper.__annotations__ = {p.name: p.annotation for p in parameters} | {"return": signature.return_annotation}
        return wrapper  # type: ignore[return-value]

    return decorate


# -- printing answers: the rendering module loads when a command first prints -------------------------------------


def emit(
    data: "pd.DataFrame | Figure",
    fmt: OutputFormat,
    console: Console,
    title: str | None = None,
    columns: list[str] | None = None,
) -> None:
    """:func:`modelcensus.outputs.common.render.emit`."""
    from modelcensus.outputs.common import render

    render.emit(data, fmt, console, title, columns)


def records(frame: "pd.DataFrame") -> list[dict[str, Any]]:
    """:func:`modelcensus.outputs.common.render.records`."""
    from modelcensus.outputs.common import render

    return render.records(frame)


def with_coverage(figure: "Figure", frame: "pd.DataFrame | None" = None) -> "pd.DataFrame":
    """:func:`modelcensus.outputs.common.render.with_coverage`."""
    from modelcensus.outputs.common import render

    return render.with_coverage(figure, frame)
