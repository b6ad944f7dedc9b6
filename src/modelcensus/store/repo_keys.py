"""Every stored Hub repo's name keys, computed once: ``hub_repo_keys``.

Linkage (:mod:`.links`) and the census records (:mod:`.population_hub`) read each repo's keys: its name key, compact
key, runs of letters, whether it may carry a year-less date or is a first stable version, its owner, and its
``release`` and ``family`` unit keys (:mod:`modelcensus.linkage.sql`, the SQL twins of
:mod:`modelcensus.linkage.names`).
A repo's keys depend on its id alone, so they are kept: a new listing computes the keys of the repos it brings, not
of the millions already stored. They are kept with the version of the expressions (:data:`VERSION`); another version
computes them all again. A read-only reader of a store whose keys are missing or of another version computes them into
a temporary table of its own.
"""

from __future__ import annotations

import duckdb

from modelcensus.linkage import sql as ls

VERSION = "1"
"""Bumped whenever an expression of :mod:`modelcensus.linkage.sql` changes what it computes."""
META_KEY = "hub_repo_keys_version"
EXPORTS_KEY = "hub_repo_keys_exports"
"""The Hub exports whose repos' keys a writer has made: while they are the stored ones, no repo lacks its keys and
the look for missing ones (millions of ids against millions) is skipped."""
DDL = """
CREATE {temp} TABLE IF NOT EXISTS hub_repo_keys (
    repo_id VARCHAR NOT NULL, plain BOOLEAN, name_key VARCHAR, compact VARCHAR, letters VARCHAR[], dated BOOLEAN,
    first_version BOOLEAN, owner VARCHAR, last_part VARCHAR, own_name BOOLEAN, rec_release VARCHAR,
    rec_family VARCHAR);
"""
_KEYS = """
INSERT INTO {table}
WITH ids AS (SELECT DISTINCT repo_id FROM hub_models WHERE repo_id NOT IN (SELECT repo_id FROM {table})),
parts AS MATERIALIZED (SELECT repo_id, regexp_full_match(repo_id, {plain}) AS plain, {part} AS part FROM ids),
keyed AS MATERIALIZED (SELECT *, {name_key} AS name_key, {dotted} AS d_ FROM parts),
released AS MATERIALIZED (SELECT *, {release} AS r_ FROM keyed)
SELECT repo_id, plain, name_key, {compact} AS compact, {letters} AS letters, {month_day} AS dated,
       ends_with(name_key, '-001') AS first_version, lower(split_part(repo_id, '/', 1)) AS owner,
       regexp_extract(repo_id, '[^/]*$') AS last_part,
       plain AND regexp_matches(regexp_extract(repo_id, '[^/]*$'), '[A-Za-z]') AS own_name,
       replace(r_, '.', '-') AS rec_release, replace({family}, '.', '-') AS rec_family
FROM released
"""


def _insert_missing(con: duckdb.DuckDBPyConnection, table: str) -> None:
    con.execute(
        _KEYS.format(
            table=table,
            plain=ls.text(ls.PLAIN_ID),
            part=ls.name_part("repo_id"),
            name_key=ls.key_of_part("part"),
            dotted=ls.key_of_part("part", keep_dots=True),
            release=ls.release_of_dotted("d_"),
            compact=ls.compact_of_key("name_key"),
            letters=ls.letters_of_part("part"),
            month_day=ls.month_day("repo_id"),
            family=ls.family_of_release("r_"),
        )
    )


def _meta(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    rows = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchall()
    return str(rows[0][0]) if rows else None


def _exports(con: duckdb.DuckDBPyConnection) -> str:
    """The exports the stored repos belong to, as one text (a scan of one column of few values)."""
    rows = con.execute("SELECT coalesce(string_agg(DISTINCT export_id, ',' ORDER BY export_id), '') FROM hub_models")
    return str(rows.fetchall()[0][0])


def ensure(con: duckdb.DuckDBPyConnection, read_only: bool) -> None:
    """Make ``hub_repo_keys`` hold the keys of every stored repo (kept in the store, or for a read-only reader whose
    store lacks some, in a temporary table that stands in for it)."""
    has = {str(r[0]) for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    current = "hub_repo_keys" in has and _meta(con, META_KEY) == VERSION
    exports = _exports(con)
    if current and _meta(con, EXPORTS_KEY) == exports:
        return  # a writer made the keys of every repo of these exports
    if read_only:
        missing = not current or bool(
            con.execute(
                "SELECT count(*) FROM (SELECT DISTINCT repo_id FROM hub_models) m "
                "WHERE repo_id NOT IN (SELECT repo_id FROM hub_repo_keys)"
            ).fetchall()[0][0]
        )
        if missing:
            con.execute(DDL.format(temp="TEMP"))
            _insert_missing(con, "temp.hub_repo_keys")
        return
    con.execute(DDL.format(temp=""))
    if not current:
        con.execute("DELETE FROM hub_repo_keys")
    _insert_missing(con, "hub_repo_keys")
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?), (?, ?)", [META_KEY, VERSION, EXPORTS_KEY, exports])
