"""CLI commands of the catalogue and leaderboard sources, linkage and the quality frontier."""

import json
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from modelcensus.config import Config
from modelcensus.errors import QueryError, quoted
from modelcensus.outputs.cli.common import (
    AsOfOption,
    DatedOption,
    DbOption,
    FormatOption,
    _census,
    _config,
    _link_stored,
    _report_ingest,
    _working,
    _writer,
    app,
    console,
    counted,
    emit,
    handle_errors,
    ingest_app,
)
from modelcensus.outputs.cli.common import records as as_records
from modelcensus.vocabulary import OutputFormat

if TYPE_CHECKING:
    from modelcensus.census import IngestReport

links_app = typer.Typer(help="Canonical models: one model, many names across sources.", invoke_without_command=True)
app.add_typer(links_app, name="links")

FromOption = Annotated[Path | None, typer.Option("--from", help="A saved copy (file or folder). Default: live.")]


def _day(dated: datetime | None) -> date | None:
    return dated.date() if dated else None


def _ingest(db: Path | None, run: str, *args: object) -> "IngestReport":
    config = Config.from_env(db_path=db)
    with _writer(config) as census:
        report: IngestReport = getattr(census, run)(*args)
        _report_ingest(report)
        _link_stored(census, report)
    return report


@ingest_app.command("openrouter")
@handle_errors
def ingest_openrouter(from_path: FromOption = None, dated: DatedOption = None, db: DbOption = None) -> None:
    """Ingest OpenRouter's model list (https://openrouter.ai/api/v1/models)."""
    _ingest(db, "ingest_openrouter", from_path, _day(dated))


@ingest_app.command("lmarena")
@handle_errors
def ingest_lmarena(
    from_path: FromOption = None,
    dated: DatedOption = None,
    db: DbOption = None,
) -> None:
    """Ingest LMArena's leaderboards, scatterplot data and rating history (a folder is one export). A leaderboard
    carries no date: give --dated, or keep a datapackage.json or a date in the file name beside it."""
    _ingest(db, "ingest_lmarena", from_path, _day(dated))


@ingest_app.command("litellm")
@handle_errors
def ingest_litellm(from_path: FromOption = None, dated: DatedOption = None, db: DbOption = None) -> None:
    """Ingest litellm's provider catalogue (model_prices_and_context_window.json)."""
    _ingest(db, "ingest_litellm", from_path, _day(dated))


@ingest_app.command("tabular")
@handle_errors
def ingest_tabular(
    from_path: Annotated[Path, typer.Option("--from", help="A CSV, JSON or XLSX list.")],
    mapping: Annotated[Path, typer.Option("--mapping", help="The YAML column mapping of the list.")],
    dated: DatedOption = None,
    name: Annotated[
        str | None,
        typer.Option(
            "--name",
            help="The list's source name (default: the mapping's source, else tabular); each name is a list of its "
            "own: count --source NAME.",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Ingest any list of models (a register of approved services, a company's list) with a YAML mapping."""
    _ingest(db, "ingest_tabular", from_path, mapping, _day(dated), name)


@links_app.callback()
@handle_errors
def links(
    ctx: typer.Context, as_of: AsOfOption = None, db: DbOption = None, fmt: FormatOption = OutputFormat.table
) -> None:
    """Canonical models with their records: ``{"id", "name", "records": [{"source", "source_id"}]}``; with
    --as-of, the records of the exports in force on that date, linked as they stood."""
    if ctx.invoked_subcommand is not None:
        return
    with _census(db) as census:
        if fmt is OutputFormat.json or as_of is not None:
            models = census.links(as_of=as_of)
            linked, total = [m for m in models if len({r.source for r in m.records}) > 1], len(models)
        else:  # the models several sources know, and how many there are in all: never every Hub repo one by one
            summary = census.link_summary()
            linked, total = summary.shared, summary.models
    if fmt is OutputFormat.json:
        print(
            json.dumps(
                [
                    {
                        "id": m.id,
                        "name": m.name,
                        "records": [{"source": r.source, "source_id": r.source_id} for r in m.records],
                    }
                    for m in models
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    rows = [
        {"id": m.id, "name": m.name, "sources": sorted({r.source for r in m.records}), "records": len(m.records)}
        for m in linked
    ]
    import pandas as pd

    frame = pd.DataFrame(rows, columns=["id", "name", "sources", "records"])
    title = f"{counted(len(linked), 'canonical model')} known to several sources (of {total:,})"
    emit(frame, fmt, console, title=title)


@links_app.command("passes")
@handle_errors
def links_passes(db: DbOption = None, fmt: FormatOption = OutputFormat.table) -> None:
    """How the stored links were made: each pass of linkage with the record pairs it compared and the links it made
    (``reused``: the models of the last run that linked those records were kept), and the Hub repos that took part
    and that were left alone (a model each)."""
    import pandas as pd

    with _census(db) as census:
        summary = census.link_summary()
    run = summary.run_row
    passes: list[dict[str, Any]] = [{"pass": n, "pairs": p, "links": k, "reused": r} for n, p, k, r in summary.passes]
    if fmt is OutputFormat.json:
        out = {
            "canonical_models": summary.models,
            "shared_models": summary.shared_models,
            "python_stage": summary.python_stage,
            "pairs": sum(p["pairs"] for p in passes),
            "passes": passes,
            **run,
        }
        print(json.dumps(out, ensure_ascii=False, indent=2, default=str))
        return
    frame = pd.DataFrame(passes, columns=["pass", "pairs", "links", "reused"])
    hub = (
        f"; Hub: {run['hub_taking_part']:,} of {run['hub_repos']:,} repos took part, {run['hub_alone']:,} a model each"
        if run
        else ""
    )
    title = (
        f"Linkage: {summary.models:,} canonical models, {summary.shared_models:,} known to several sources; "
        f"{sum(p['pairs'] for p in passes):,} pairs compared{hub}"
    )
    emit(frame, fmt, console, title=title)


@links_app.command("show")
@handle_errors
def links_show(
    name: Annotated[str, typer.Argument(help="A canonical id, a record's id, or a model name.")],
    as_of: AsOfOption = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """One canonical model with all its records and the evidence that linked them."""
    import pandas as pd

    from modelcensus.linkage import name_key  # loaded by the facade already; not at start-up
    from modelcensus.records import requested_name

    name = requested_name(name, None, "the name")
    with _census(db) as census:
        models = census.links(as_of=as_of)
    wanted = name_key(name)
    found = [m for m in models if m.id == name or any(r.source_id == name for r in m.records)]
    found = found or [m for m in models if name_key(m.name) == wanted]
    if not found:
        raise QueryError(f"no canonical model or record named {quoted(name)}")
    model = found[0]
    records = pd.DataFrame(
        [
            {
                "source": r.source,
                "source_id": r.source_id,
                "name": r.name,
                "developer": r.developer,
                "countries": list(r.countries),
                "hub_id": r.hub_id,
            }
            for r in model.records
        ]
    )
    evidence = pd.DataFrame(model.evidence, columns=["left", "right", "rule", "detail"])
    if fmt is OutputFormat.json:
        print(
            json.dumps(
                {"id": model.id, "name": model.name, "records": as_records(records), "evidence": as_records(evidence)},
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    emit(records, fmt, console, title=f"{model.id}: {model.name}")
    emit(evidence, fmt, console, title="Evidence")


@app.command()
@handle_errors
def frontier(
    by: Annotated[str, typer.Option("--by", help="country (the only grouping).")] = "country",
    category: Annotated[
        str,
        typer.Option(
            "--category", help="LMArena category, e.g. full, coding, chinese; prefix another arena as vision/full."
        ),
    ] = "full",
    gap: Annotated[bool, typer.Option("--gap", help="Show the US–China gap over time instead.")] = False,
    as_of: AsOfOption = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """The quality frontier: each country's best-rated LMArena model at each rating date, with its 95% interval;
    each rating is dated by the day it describes (a leaderboard of unknown date is left off the axis)."""
    full = category if "/" in category else f"text/{category}"
    with _census(db) as census:
        if gap:
            figure = census.frontier_gap(category=full, as_of=as_of)
        else:
            figure = census.frontier(by=by, category=full, as_of=as_of)
    emit(figure, fmt, console, title=f"Quality frontier ({full})" + (": US − China" if gap else ""))
    undated = figure.provenance.undated_ratings
    if undated and fmt is OutputFormat.table:
        console.print(f"{undated:,} ratings of unknown date are not shown (give their files a date: --dated)")


definitions_app = typer.Typer(help="Named census definitions: what counts as a model.", no_args_is_help=True)
app.add_typer(definitions_app, name="definitions")


@definitions_app.command("list")
@handle_errors
def definitions_list(db: DbOption = None, fmt: FormatOption = OutputFormat.table) -> None:
    """The preset and user definitions."""
    from modelcensus.definitions import load_definitions

    config = Config.from_env(db_path=db)
    rows = [
        {
            "name": d.name,
            "sources": list(d.sources),
            "filters": d.filters,
            "unit": d.unit,
            "rule": d.rule,
            "attribution": d.attribution,
            "description": d.description,
        }
        for d in load_definitions(config.definition_paths).values()
    ]
    import pandas as pd

    emit(pd.DataFrame(rows), fmt, console, title="Census definitions")


@definitions_app.command("show")
@handle_errors
def definitions_show(name: Annotated[str, typer.Argument(help="A definition's name.")], db: DbOption = None) -> None:
    """One definition as YAML."""
    from modelcensus.definitions import load_definitions
    from modelcensus.records import requested_name

    name = requested_name(name, None, "the definition's name")
    found = load_definitions(Config.from_env(db_path=db).definition_paths)
    if name not in found:
        raise QueryError(f"unknown definition {quoted(name)}; known: {', '.join(sorted(found))}")
    import yaml

    d = found[name]
    print(
        yaml.safe_dump(
            {
                "name": d.name,
                "description": d.description,
                "sources": list(d.sources),
                "filters": d.filters,
                "unit": d.unit,
                "rule": d.rule,
                "attribution": d.attribution,
            },
            sort_keys=False,
            allow_unicode=True,
        ),
        end="",
    )


@app.command()
@handle_errors
def check(
    file: Annotated[Path, typer.Argument(help="A claims file (YAML), e.g. examples/claims.yaml.")],
    as_of: AsOfOption = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Check published claims at their vintage: verdict (supported, contradicted, consistent-at-vintage,
    not-checkable), the figure then, next and now, coverage, an explanation and a sensitivity table per claim."""
    from modelcensus.claims.kept import read_kept_verdicts  # DuckDB alone; not at start-up
    from modelcensus.records import jsonable

    # the verdicts a build kept for this very store, code and claims file are read in SQL alone (a second, where
    # opening the census imports Ibis and pandas first); anything else is checked in full
    results = read_kept_verdicts(_config(db), file) if as_of is None else None
    if results is None:
        with _census(db) as census, _working("check") as step:
            results = census.check(file, as_of=as_of, progress=step)
    if fmt is OutputFormat.json:
        print(json.dumps(jsonable(results), ensure_ascii=False, indent=2))
        return
    import pandas as pd

    from modelcensus.claims import format_figure  # loaded by the facade already; not at start-up

    summary = pd.DataFrame([_summary(r) for r in results])
    emit(summary, fmt, console, title="Claims")
    for r in results:
        table = pd.DataFrame(r["sensitivity"])
        if fmt is OutputFormat.csv:
            emit(table.assign(id=r["id"]), fmt, console)
            continue
        table["figure"] = [format_figure(v, r["metric"]) for v in table["figure"]]
        table["definition"] = [
            d if comparable else f"{d} (not comparable)"
            for d, comparable in zip(table["definition"], table["comparable"], strict=True)
        ]
        wide = table.pivot_table(index="definition", columns=["rule", "unit"], values="figure", aggfunc="first")
        wide.columns = ["/".join(map(str, column)) for column in wide.columns]
        console.print(f"\n{r['id']}: {r['claim']}  →  {r['verdict']}", style="bold", highlight=False)
        console.print(r["explanation"], highlight=False)
        emit(wide.reset_index(), fmt, console, title=f"Sensitivity of {r['id']} (now)")


def _summary(r: dict[str, Any]) -> dict[str, Any]:
    from modelcensus.claims import format_figure

    m, at, cov = r["metric"], r["at_vintage"], r["coverage"] or {}
    value = _claimed(r)
    return {
        "id": r["id"],
        "verdict": r["verdict"],
        "claimed": r["comparison"],
        "at vintage": f"{format_figure(at['figure'], m, value)} ({at['export_date']})" if at else "",
        "next": f"{format_figure(at['next_figure'], m, value)} ({at['next_export_date']})"
        if at and at["next_export_date"]
        else "",
        "now": f"{format_figure(r['now']['figure'], m, value)} ({r['now']['export_date']})",
        "estimate incl. unlisted": _estimate_text(cov.get("estimate"), m),
        "definition": r["definition"].split(" ", 1)[0],
    }


def _estimate_text(estimate: float | None, metric: str) -> str:
    from modelcensus.claims import format_figure

    if estimate is None:
        return "not estimated"
    return format_figure(estimate, metric) if metric == "share" else f"{round(estimate):,}"


def _claimed(r: dict[str, Any]) -> float:
    return float(r["comparison"].split(" ", 1)[1].rstrip("%").replace(",", "")) / (100 if r["metric"] == "share" else 1)
