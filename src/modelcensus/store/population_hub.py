"""The Hub's census records, set-based: one row per stored repo, made by DuckDB from the listing and the links.

Every other source's records are few and judged in Python (:mod:`modelcensus.store.population`); the Hub's are
millions, so their row of ``census_records`` is one SQL statement: the canonical model from ``canonical_links``, the
unit keys from :mod:`modelcensus.linkage.sql` (the Python functions for an id that is not plain), the large-model
decision of :func:`modelcensus.scope.huggingface` as a ``CASE`` whose every reason but the size's is constant, and
the size's reason, which needs the parameters or a size in the name, decided in Python for the organizations'
originals with a language or multimodal pipeline tag only.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from modelcensus import scope
from modelcensus.linkage import sql as ls
from modelcensus.linkage import unit_key
from modelcensus.store import repo_keys
from modelcensus.vocabulary import source_rank

_HUB = """
CREATE OR REPLACE TEMP TABLE {table} AS
SELECT h.export_id, h.repo_id, CAST(h.created_at AS DATE) AS published_on, CAST(h.parameters AS DOUBLE) AS parameters,
       coalesce(r.depth, 0) > 0 AS derivative, coalesce(k.kind = 'organization', FALSE) AS by_organization,
       h.pipeline_tag, coalesce(list_contains({tags}, h.pipeline_tag), FALSE) AS language_tag, y.plain,
       y.rec_release, y.rec_family, y.last_part, y.own_name
FROM hub_models h LEFT JOIN hub_roots r USING (repo_id) LEFT JOIN hub_handles k ON k.handle = h.author
JOIN hub_repo_keys y USING (repo_id)
"""
_OWN = "(source = 'huggingface' AND regexp_full_match(source_id, {plain}) AND model_name = regexp_extract(source_id, "
_OWN += "'[^/]*$') AND regexp_matches(model_name, '[A-Za-z]'))"
"""A Hub record of a model named after the repo's own name (the text after ``/``, with a letter): the model's unit keys
are the repo's (:func:`~modelcensus.linkage.names.name_key` drops the vendor)."""
_LINKS = """
SELECT source_id AS repo_id, min(model_id) AS model_id, arg_min(model_name, model_id) AS model_name
FROM canonical_links WHERE source = 'huggingface' GROUP BY source_id
"""
"""Each Hub repo's canonical model (one, the same in every query that reads it)."""
_ROWS = (
    """
WITH links AS ("""
    + _LINKS
    + """)
SELECT ? AS population_key, h.export_id, 'huggingface' AS source, h.repo_id AS source_id, h.repo_id AS name,
       l.model_id AS canonical_id, l.model_name AS canonical_name, h.published_on, year(h.published_on) AS year,
       CASE WHEN h.plain THEN h.rec_release ELSE u.release END AS rec_release,
       CASE WHEN h.plain THEN h.rec_family ELSE u.family END AS rec_family,
       CASE WHEN h.own_name AND l.model_name = h.last_part THEN h.rec_release ELSE c.release END AS canon_release,
       CASE WHEN h.own_name AND l.model_name = h.last_part THEN h.rec_family ELSE c.family END AS canon_family,
       CAST(NULL AS BOOLEAN) AS notable, CAST(NULL AS BOOLEAN) AS frontier, CAST(NULL AS BOOLEAN) AS large_scale,
       'yes' AS open_weights, CAST([] AS VARCHAR[]) AS domains, CAST(NULL AS DOUBLE) AS training_compute_flop,
       h.parameters, h.derivative, h.by_organization,
       CASE WHEN h.derivative OR NOT h.by_organization OR NOT h.language_tag THEN FALSE ELSE d.admitted END
           AS large_model,
       CASE WHEN h.derivative THEN {derivative}
            WHEN NOT h.by_organization THEN {individual}
            WHEN NOT h.language_tag THEN 'pipeline tag ' || coalesce(nullif(h.pipeline_tag, ''), '(none)') || {tag}
            ELSE d.reason END AS large_model_reason,
       {rank} AS source_rank
FROM work_population_hub h JOIN links l USING (repo_id)
LEFT JOIN work_population_units c ON c.canonical_id = l.model_id
LEFT JOIN work_population_hub_units u ON u.repo_id = h.repo_id
LEFT JOIN work_population_hub_decided d ON d.repo_id = h.repo_id AND d.parameters IS NOT DISTINCT FROM h.parameters
    AND d.pipeline_tag IS NOT DISTINCT FROM h.pipeline_tag
"""
)


def _reasons() -> dict[str, str]:
    """The constant reasons of :func:`modelcensus.scope.huggingface`, read from the function itself (the tag's
    reason around a marker the tag stands in for)."""
    derivative = scope.huggingface("x", None, True, True, None)
    individual = scope.huggingface("x", None, False, False, None)
    tag = scope.huggingface("x", "\x00", False, True, None)
    assert not (derivative.admitted or individual.admitted or tag.admitted)
    return {
        "derivative": ls.text(derivative.reason),
        "individual": ls.text(individual.reason),
        "tag": ls.text(tag.reason.split("\x00", 1)[1]),
    }


def _frame(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame, columns: str) -> None:
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} ({columns})")
    if len(frame):
        con.register("work_population_incoming", frame)
        try:
            con.execute(f"INSERT INTO {name} SELECT * FROM work_population_incoming")
        finally:
            con.unregister("work_population_incoming")


STAGED = "staged_population_hub"
"""The Hub's repos of the census records made ahead (:func:`stage`), for the refresh that follows to take."""


def _repos(con: duckdb.DuckDBPyConnection, table: str, read_only: bool) -> None:
    tags = scope.rules()["huggingface"]["pipeline_tags"]
    repo_keys.ensure(con, read_only)
    con.execute(_HUB.format(table=table, tags=ls.text_list([str(t) for t in tags])))


def stage(con: duckdb.DuckDBPyConnection) -> None:
    """Make the Hub's repos of the census records (with their lineage depth, publisher's kind and unit keys) ahead,
    from what is stored now: the links are not among what they are made of, so a writer makes them while it links
    (:func:`modelcensus.store.links.run`'s ``beside``). :func:`prepare` takes them; :func:`drop_staged` drops them if
    it does not (the refresh must follow at once: the stored repos, roots and handles are not checked again)."""
    _repos(con, STAGED, False)


def drop_staged(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"DROP TABLE IF EXISTS temp.{STAGED}")


def prepare(con: duckdb.DuckDBPyConnection, read_only: bool = False) -> None:
    """The temporary tables the Hub's rows are made from: the repos with their lineage depth, publisher's kind and unit
    keys (those :func:`stage` made, if it did), the unit keys of the canonical models not named after a repo's own
    name (those linked to other sources) and of the repos whose ids are not plain, and the size decisions."""
    staged = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = ?", [STAGED]
    ).fetchall()[0][0]
    if staged:
        con.execute("DROP TABLE IF EXISTS temp.work_population_hub")
        con.execute(f"ALTER TABLE temp.{STAGED} RENAME TO work_population_hub")
    else:
        _repos(con, "work_population_hub", read_only)
    plain = f"regexp_full_match(coalesce(model_name, ''), {ls.text(ls.PLAIN_ID)})"
    own = _OWN.format(plain=ls.text(ls.PLAIN_ID))
    # the canonical models of Hub repos not named after the repo's own name (most of the Hub is), found in one pass over
    # the millions of links and read twice below: those whose names need Python's unit keys, and the others
    con.execute(
        "CREATE OR REPLACE TEMP TABLE work_population_wanted AS SELECT DISTINCT model_id, model_name "
        f"FROM canonical_links WHERE source = 'huggingface' AND NOT {own}"
    )
    wanted = "work_population_wanted"
    other = con.execute(f"SELECT model_id, model_name FROM {wanted} WHERE NOT {plain}").fetchall()
    units = pd.DataFrame(
        [(str(i), unit_key(str(n), "release"), unit_key(str(n), "family")) for i, n in other],
        columns=["canonical_id", "release", "family"],
        dtype=object,
    )
    _frame(con, "work_population_units", units, "canonical_id VARCHAR, release VARCHAR, family VARCHAR")
    names = f"(SELECT * FROM {wanted} WHERE {plain})"
    con.execute(
        f"INSERT INTO work_population_units SELECT model_id, {ls.units_select('release', 'family')} "
        f"FROM {ls.units_from(names, 'model_name')}"
    )
    odd = [
        str(r[0]) for r in con.execute("SELECT DISTINCT repo_id FROM work_population_hub WHERE NOT plain").fetchall()
    ]
    repo_units = pd.DataFrame(
        [(r, unit_key(r, "release"), unit_key(r, "family")) for r in odd],
        columns=["repo_id", "release", "family"],
        dtype=object,
    )
    _frame(con, "work_population_hub_units", repo_units, "repo_id VARCHAR, release VARCHAR, family VARCHAR")
    sized = con.execute(
        "SELECT DISTINCT repo_id, parameters, pipeline_tag FROM work_population_hub "
        "WHERE NOT derivative AND by_organization AND language_tag"
    ).fetchall()
    decided = []
    for repo_id, parameters, tag in sized:
        params = None if parameters is None or parameters != parameters or not parameters else float(parameters)
        d = scope.huggingface(str(repo_id), tag, False, True, params)
        decided.append((repo_id, parameters, tag, d.admitted, d.reason))
    _frame(
        con,
        "work_population_hub_decided",
        pd.DataFrame(decided, columns=["repo_id", "parameters", "pipeline_tag", "admitted", "reason"]).astype(
            {"repo_id": object, "parameters": "float64", "pipeline_tag": object, "admitted": bool, "reason": object}
        ),
        "repo_id VARCHAR, parameters DOUBLE, pipeline_tag VARCHAR, admitted BOOLEAN, reason VARCHAR",
    )


_YEARS = f"SELECT l.model_id, year(h.published_on) FROM work_population_hub h JOIN ({_LINKS}) l USING (repo_id)"


def years_sql() -> str:
    """The canonical id and year of each of the Hub's census records (those :func:`rows_sql` makes), alone: what a
    canonical model's first year is found from without holding the whole rows."""
    return _YEARS


def rows_sql() -> str:
    """The SELECT of the Hub's census records (``canonical_year`` aside); its one parameter is the population key."""
    return _ROWS.format(rank=source_rank("huggingface"), **_reasons())
