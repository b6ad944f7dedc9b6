"""The keys of the store's ``meta`` table that say which state its data are in, and that state read in SQL alone: a
light module, so that a command that only looks up what a build kept (:mod:`modelcensus.claims.kept`) reads it
without loading the store, pandas or Ibis."""

from __future__ import annotations

from pathlib import Path

import duckdb

QUIET = "SET enable_progress_bar = false"
"""The CLI draws its own progress lines; DuckDB's bar for a long statement would land in piped output."""

POPULATION_KEY = "population_key"
"""The key of the census records behind definitions: the links, the population rules and the Hub handles they were
made under (:meth:`modelcensus.linking.Linker.ensure_population`)."""
REGISTRY_INPUTS_KEY = "registry_inputs"
"""``<digest of the registry's inputs>|<the registry's fingerprint>``: the fingerprint of the registry made of those
inputs (the package and the configured files, :func:`modelcensus.provenance.inputs_digest`), recorded by a writer so
that a reader of the same inputs names the links without loading the registry."""
HANDLES_FINGERPRINT_KEY = "hub_handles_fingerprint"
"""A digest of the stored resolutions of Hub handles: what the census records depend on besides the exports."""
VIEWS = {"census_record_rows": "census_records"}
"""A stored table and the view every reader reads it through (:func:`modelcensus.store.population.ensure_view`): what an
export of the store writes is the view, under its name."""


def export_ids(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The ids of the stored exports, in order."""
    return [str(export_id) for (export_id,) in con.execute("SELECT export_id FROM exports ORDER BY 1").fetchall()]


def value(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    """One ``meta`` value (None when it was never set)."""
    rows = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchall()
    return None if not rows or rows[0][0] is None else str(rows[0][0])


def data_state(export_ids: list[str], population_key: str | None) -> str:
    """What identifies the state of the data: the stored exports and the key of the census records made of them
    (:meth:`modelcensus.figures.reader.Reader.state`)."""
    return f"{','.join(export_ids)}|{population_key}"


def attach_read_only(
    path: Path, config: dict[str, str | bool | int | float | list[str]] | None = None
) -> duckdb.DuckDBPyConnection:
    """A private in-memory database with the store at ``path`` attached read-only as ``census`` and in use: a reopen
    after a writer's publish sees the new file, not DuckDB's cached instance of the old one, and a writer may be at
    work meanwhile. Raises :class:`duckdb.Error` when the file cannot be attached."""
    con = duckdb.connect(":memory:", config=config or {})
    try:
        con.execute(QUIET)
        con.execute("ATTACH '" + str(path).replace("'", "''") + "' AS census (READ_ONLY)")
        con.execute("USE census")
    except BaseException:
        con.close()
        raise
    return con
