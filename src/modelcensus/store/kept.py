"""Derived tables kept in the store: what a build computes once so that every later reader starts from it.

A definition's population (its admitted records with their units, and the units' countries) takes a pass over the
census records; over two million Hub repos that pass is seconds, and every new reader (a CLI command, a server
process) would pay it again on its first figure. ``build`` keeps each definition's population as ordinary tables of
the store (``_kept_<digest>``), indexed in ``_kept`` by a key that names the state of the data and the code that
computed them: a reader finds a table only when both are still the same, so a kept table is never read stale (a new
ingest or a new version of the population code gives new keys; the old tables are dropped by the next build).

A build keeps the verdicts of the example claims the same way (one row of JSON, keyed by the state of the data, a
digest of the whole package, the configured registry files and the claims file with the definitions): see
:func:`modelcensus.claims.check.keep_verdicts`, and :mod:`modelcensus.claims.kept` for ``check`` reading them with
this module and :mod:`.meta` alone (they import DuckDB, nothing of the store).

Tables whose names start with ``_`` are derived: exports and fingerprints of the store leave them out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

import duckdb

INDEX = "_kept"
PREFIX = "_kept_"


def has_index(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the store keeps derived tables at all (a catalog query: a reader asks once)."""
    rows = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [INDEX]).fetchall()
    return bool(rows[0][0])


def lookup(con: duckdb.DuckDBPyConnection, keys: Iterable[str]) -> dict[str, tuple[str, int]]:
    """The kept tables of ``keys`` there are, ``{key: (table name, rows)}`` (the index exists: :func:`has_index`)."""
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return {}
    marks = ", ".join("?" for _ in wanted)
    rows = con.execute(f"SELECT key, table_name, rows FROM {INDEX} WHERE key IN ({marks})", wanted).fetchall()
    return {str(key): (str(name), int(count)) for key, name, count in rows}


def kept_row(con: duckdb.DuckDBPyConnection, key: str) -> tuple[object, ...] | None:
    """The row kept for ``key`` when a build kept one value under it (verdicts, an estimate, a listing lag: one row
    each); None when the store keeps nothing for it."""
    found = lookup(con, [key]) if has_index(con) else {}
    if key not in found:
        return None
    rows = con.execute(f'SELECT * FROM "{found[key][0]}"').fetchall()  # fetched to the end: the connection is free
    return tuple(rows[0]) if rows else None


def keep(con: duckdb.DuckDBPyConnection, key: str, sql: str, params: Sequence[object] | None = None) -> tuple[str, int]:
    """Run ``sql`` (with ``params``) into a kept table for ``key`` (replacing one kept before for it): its name and
    rows."""
    name = PREFIX + hashlib.sha256(key.encode()).hexdigest()[:24]
    con.execute(f"CREATE TABLE IF NOT EXISTS {INDEX} (key VARCHAR PRIMARY KEY, table_name VARCHAR, rows BIGINT)")
    con.execute(f'CREATE OR REPLACE TABLE "{name}" AS {sql}', list(params or []))
    rows = int(con.execute(f'SELECT count(*) FROM "{name}"').fetchall()[0][0])
    con.execute(f"INSERT OR REPLACE INTO {INDEX} VALUES (?, ?, ?)", [key, name, rows])
    return name, rows


def drop_all_but(con: duckdb.DuckDBPyConnection, keys: Iterable[str]) -> int:
    """Drop every kept table whose key is not among ``keys`` (another state of the data, or code): how many."""
    if not has_index(con):
        return 0
    keep_keys = set(keys)
    stale = [(k, n) for k, n in con.execute(f"SELECT key, table_name FROM {INDEX}").fetchall() if k not in keep_keys]
    for key, name in stale:
        con.execute(f'DROP TABLE IF EXISTS "{name}"')
        con.execute(f"DELETE FROM {INDEX} WHERE key = ?", [key])
    orphans = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE starts_with(table_name, ?) AND table_name NOT IN "
        f"(SELECT table_name FROM {INDEX})",
        [PREFIX],
    ).fetchall()
    for (name,) in orphans:
        con.execute(f'DROP TABLE IF EXISTS "{name}"')
    return len(stale) + len(orphans)
