"""``modelcensus new``: the models that entered the census since a date (or since the previous snapshot)."""

import json
from typing import Annotated

import typer

from modelcensus.outputs.cli.common import (
    CountryOption,
    DbOption,
    FormatOption,
    RegionOption,
    _census,
    _working,
    app,
    console,
    emit,
    handle_errors,
)
from modelcensus.vocabulary import OutputFormat

TABLE_COLUMNS = ["entered_on", "name", "countries", "entered_with", "new_to_source", "published_on", "id"]


@app.command("new")
@handle_errors
def new(
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="The models that entered the census after this date (YYYY-MM-DD): their first stored snapshot is "
            "dated after it. Default: the previous snapshot's date (what the newest snapshot date brought).",
        ),
    ] = None,
    country: CountryOption = None,
    region: RegionOption = None,
    definition: Annotated[
        str | None,
        typer.Option(
            "--definition", help="The census to read: a named definition (default all-sources, every source)."
        ),
    ] = None,
    attribution: Annotated[
        str | None,
        typer.Option(
            "--attribution", help="Whose country: as-published, resolved or lineage (default: the definition's)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON of /api/new (as --format json).")] = False,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """What's new: the models that entered the census since a date, newest first, per country. A model enters on
    the data date of the first stored snapshot that listed it (not the day it was ingested); the output says which
    snapshots are compared and whether each model is new to its source or came with the first snapshot of it."""
    from modelcensus.outputs.common.new_query import new_report  # the facade loads here, not at start-up
    from modelcensus.queries import NewRequest

    q = NewRequest.model_validate(
        {"since": since, "country": country, "region": region, "definition": definition, "attribution": attribution}
    )
    fmt = OutputFormat.json if as_json else fmt
    with _census(db) as census, _working("new: when each model entered the census"):
        if fmt is OutputFormat.json:
            print(json.dumps(new_report(census, q), ensure_ascii=False, indent=2))
            return
        new = census.vintage.new_page(**q.arguments())
    from modelcensus.outputs.common.new_query import by_country, comparison_text

    figure = new.figure
    frame = figure.frame.copy()
    frame["records"] = [[r["ref"] for r in rs] for rs in frame["records"]]
    if fmt is OutputFormat.csv:
        emit(frame, fmt, console)
        return
    import pandas as pd

    console.print(comparison_text(figure), highlight=False)
    countries = pd.DataFrame(by_country(new), columns=["group", "group_name", "models"])
    emit(
        countries,
        fmt,
        console,
        title=f"New models per country ({len(frame):,} models; a model of two countries counts for each)",
    )
    emit(figure.with_frame(frame[TABLE_COLUMNS]), fmt, console, title="New models, newest first")
