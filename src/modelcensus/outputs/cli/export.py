"""``modelcensus export``: every stored table as Parquet (what Spark reads), CSV or JSON Lines, with a manifest."""

from pathlib import Path
from typing import Annotated

import typer

from modelcensus.errors import QueryError
from modelcensus.outputs.cli.common import (
    DbOption,
    _census,
    _working,
    app,
    console,
    counted,
    emit,
    err_console,
    handle_errors,
)
from modelcensus.vocabulary import OutputFormat


@app.command()
@handle_errors
def export(
    directory: Annotated[Path, typer.Argument(help="Folder to write (new, empty, or a previous export to replace).")],
    fmt: Annotated[
        str, typer.Option("--format", help="parquet (default; what Spark reads), csv or json (JSON Lines).")
    ] = "parquet",
    db: DbOption = None,
) -> None:
    """Export every table of the store (one file each) and a manifest.json: schema version, exports, row counts."""
    import pandas as pd

    from modelcensus.store.export import EXPORT_FORMATS, MANIFEST  # the store loads here, not at start-up

    if fmt not in EXPORT_FORMATS:
        raise QueryError(
            f"--format must be one of {', '.join(EXPORT_FORMATS)} for export, not {fmt!r}", parameter="format"
        )
    with _census(db) as census, _working("export") as step:
        manifest = census.export(directory, fmt, progress=step)
    tables = pd.DataFrame(
        [{"table": name, "file": entry["file"], "rows": entry["rows"]} for name, entry in manifest["tables"].items()]
    )
    emit(tables, OutputFormat.table, console, title=f"{counted(len(tables), 'table')} exported to {directory} ({fmt})")
    err_console.print(
        f"{int(tables['rows'].sum()):,} rows; {len(manifest['exports'])} source exports; "
        f"manifest {directory / MANIFEST}",
        highlight=False,
    )
