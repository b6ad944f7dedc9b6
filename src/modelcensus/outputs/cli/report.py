"""``modelcensus report``: the report as a self-contained HTML page, Markdown and PNG/SVG charts."""

from pathlib import Path
from typing import Annotated

import typer

from modelcensus.outputs.cli.common import DbOption, _census, app, console, err_console, handle_errors


@app.command()
@handle_errors
def report(
    out: Annotated[Path, typer.Option("--out", help="Folder to write index.html, report.md and charts/ into.")],
    definition: Annotated[
        list[str] | None,
        typer.Option(
            "--definition",
            help="A census definition to chart side by side (repeatable; see `modelcensus definitions list`). "
            "Default: epoch-notable, epoch-all and large-scale.",
        ),
    ] = None,
    lang: Annotated[
        str,
        typer.Option(
            "--lang",
            metavar="LANG",
            help="Language of the report's words, numbers, dates and country names: en (default), zh (Simplified "
            "Chinese) or id (Indonesian).",
        ),
    ] = "en",
    claims: Annotated[
        Path | None,
        typer.Option("--claims", help="Claims file to check (default: examples/claims.yaml when there is one)."),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="DATE",
            help="Write the report as the census stood on this date (YYYY-MM-DD): every figure reads the newest "
            "export of each source dated on or before it, the years still filling in are those that vintage saw, "
            "claims are checked with that date as now, and the header says 'As of DATE'.",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Write the census report: index.html (opens offline), report.md and every chart as PNG and SVG; with
    --as-of DATE, the report as the census stood on that date."""
    # imported here: Matplotlib costs most of a second, which no other command should pay
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from modelcensus import claims as mc_claims
    from modelcensus.outputs.report.build import STEPS, build_report
    from modelcensus.outputs.report.builder import load_strings
    from modelcensus.outputs.report.years import parse_date

    load_strings(lang)  # an unknown language fails before the store is opened
    parse_date(as_of)  # so does a date that is not one
    columns = (
        SpinnerColumn(),
        TextColumn("report: {task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
    )
    with _census(db) as census, Progress(*columns, TimeElapsedColumn(), console=err_console, transient=True) as bar:
        task = bar.add_task("starting", total=STEPS)
        started = [False]

        def tick(label: str) -> None:
            if started[0]:
                bar.advance(task)
            started[0] = True
            bar.update(task, description=label)

        result = build_report(
            census,
            out,
            definitions=definition or (),
            lang=lang,
            claims=claims if claims is not None else mc_claims.default_claims(),
            db_label=str(census.path),
            progress=tick,
            as_of=as_of,
        )
        bar.advance(task)
    console.print(
        f"wrote {result.html}, {result.markdown} and {len(result.images)} chart files in {result.out / 'charts'} "
        f"({result.seconds:.1f} s)",
        highlight=False,
        soft_wrap=True,
    )
    if result.untranslated:  # a sentence of the census no phrase of the language knows: said, never hidden
        err_console.print(
            f"{len(result.untranslated)} sentence(s) left in English (add a phrase to "
            f"outputs/common/strings/{lang}.yaml): " + " | ".join(result.untranslated),
            highlight=False,
            soft_wrap=True,
        )
