"""Linkage over the store, set-based where the Hub is: which repos take part, and one canonical model for each other.

:mod:`modelcensus.linkage.blocking` says which Hub repos linkage must see; here DuckDB finds them among every stored
repo, and names every other repo (a canonical model of its own) in SQL, so the Hub's millions of repos are never
compared, nor made into Python objects, one by one:

1. ``work_link_hub``: every Hub repo (harvested on or before a date, or ever) with its developer (the registry's
   reviewed handles), its name key, compact key, runs of letters and flags (:mod:`modelcensus.linkage.sql`);
2. the repos that take part: those another source names, those whose name or compact key is another source's
   record's, those a Hub-only rule may join, and, decided in Python with their keys, the few whose letters hold a
   wanted key's (:func:`candidates`);
3. the records that take part are linked in Python (:func:`modelcensus.linkage.rules.cluster`); every model is then
   named in one pass in the order of precedence (:mod:`modelcensus.linkage.models`): the first model with a name key
   takes it, the others add their source and id (those few are named in Python);
4. the canonical links are written: the linked models' rows from Python, one row per other repo from SQL
   (:func:`write`), with the pairs each pass compared (``link_passes``) and what the run did (``link_runs``).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import duckdb
import pandas as pd

from modelcensus.linkage import LINKAGE_VERSION, CanonicalModel, SourceRecord, Tally, developer_of
from modelcensus.linkage import blocking as lb
from modelcensus.linkage import sql as ls
from modelcensus.linkage.models import Evidence, PassCount, base_id, counting, next_free, priority, suffixed_id
from modelcensus.linkage.names import alias_patterns, prefix_words
from modelcensus.linkage.rules import Group, cluster
from modelcensus.orgs import Registry
from modelcensus.store import repo_keys
from modelcensus.vocabulary import source_rank

SCHEMA = """
CREATE {temp} TABLE IF NOT EXISTS link_passes (
    links_key VARCHAR NOT NULL, position INTEGER, pass VARCHAR, pairs BIGINT, links BIGINT, reused BOOLEAN);
CREATE {temp} TABLE IF NOT EXISTS link_runs (
    links_key VARCHAR NOT NULL, ran_at TIMESTAMP, records BIGINT, hub_repos BIGINT, hub_taking_part BIGINT,
    hub_alone BIGINT, models BIGINT, shared_models BIGINT, python_stage VARCHAR, seconds DOUBLE);
"""
LINKS_DDL = """
CREATE {temp} TABLE IF NOT EXISTS canonical_links (
    links_key VARCHAR NOT NULL, model_id VARCHAR NOT NULL, model_name VARCHAR, position INTEGER,
    source VARCHAR NOT NULL, source_id VARCHAR NOT NULL, name VARCHAR, developer VARCHAR, hub_id VARCHAR,
    countries VARCHAR[], published_on DATE);
CREATE {temp} TABLE IF NOT EXISTS link_evidence (
    links_key VARCHAR NOT NULL, model_id VARCHAR NOT NULL, position INTEGER, left_record VARCHAR,
    right_record VARCHAR, rule VARCHAR, detail VARCHAR);
"""
STAGE_KEY = "link_stage"
"""The ``meta`` key of the digest of what the Python stage last linked (its records, the Hub's base checkpoints
among them, the linkage version): an equal digest reuses its models."""

_PAIRS = """
CREATE OR REPLACE TEMP TABLE work_link_pairs AS
SELECT DISTINCT m.repo_id, m.author FROM hub_models m JOIN exports x USING (export_id)
WHERE CAST(? AS DATE) IS NULL OR x.data_date <= CAST(? AS DATE)
"""
_HUB = """
CREATE OR REPLACE TEMP TABLE work_link_hub AS
WITH repos AS (SELECT repo_id, any_value(author) AS author, count(*) AS authors FROM work_link_pairs GROUP BY repo_id)
SELECT r.repo_id, r.author,
       r.authors = 1 AND r.author IS NOT NULL AND k.plain AND regexp_full_match(r.author, {plain}) AS plain,
       d.developer, d.countries, k.name_key, k.compact, k.letters, k.dated, k.first_version, k.owner
FROM repos r JOIN hub_repo_keys k USING (repo_id) LEFT JOIN work_link_developers d ON d.handle = lower(r.author);
"""


@dataclass
class Blocked:
    """The Hub repos that take part in linkage, and how the SQL blocking found them."""

    base: frozenset[str] = frozenset()
    """The base checkpoints (:func:`~modelcensus.linkage.blocking.hub_base`) among them and the repos sources name."""
    repos: int = 0
    maybe: int = 0
    """Repos the letters join found for Python to decide."""
    pairs: int = 0
    """(repo, wanted key) pairs the SQL joins compared."""


def developers(registry: Registry) -> pd.DataFrame:
    """Every reviewed Hub handle (case-folded) with the developer linkage gives its repos and that organization's own
    countries (:func:`~modelcensus.linkage.developer_of`): the same as it gives them one by one."""
    rows = []
    for handle in registry.hub_handle_keys():
        developer, countries = developer_of(registry, [], handle)
        if developer is not None:
            rows.append((handle, developer, list(countries)))
    frame = pd.DataFrame(rows, columns=["handle", "developer", "countries"])
    return frame.astype({"handle": str, "developer": str})


def _register(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> None:
    """A temporary table holding a frame."""
    con.register("work_link_incoming", frame)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM work_link_incoming")
    finally:
        con.unregister("work_link_incoming")


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    if len(frame):
        con.register("work_link_incoming", frame)
        try:
            con.execute(f"INSERT INTO {table} SELECT * FROM work_link_incoming")
        finally:
            con.unregister("work_link_incoming")


def prepare_hub(con: duckdb.DuckDBPyConnection, registry: Registry, as_of: date | None, read_only: bool = False) -> int:
    """Make ``work_link_hub``: every Hub repo harvested on or before ``as_of`` (ever, without it) with its author,
    developer and keys (:mod:`.repo_keys`, computed for the repos not seen before); returns how many."""
    repo_keys.ensure(con, read_only)
    _register(con, "work_link_developers", developers(registry))
    con.execute(_PAIRS, [as_of, as_of])
    con.execute(_HUB.format(plain=ls.text(ls.PLAIN_ID)))
    con.execute(
        "CREATE OR REPLACE TEMP TABLE work_link_runs AS "
        "SELECT repo_id, developer, unnest(letters) AS letter FROM work_link_hub WHERE plain"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE work_link_letter_counts AS SELECT letter, count(*) AS n FROM work_link_runs "
        "GROUP BY letter"
    )
    return int(con.execute("SELECT count(*) FROM work_link_hub").fetchall()[0][0])


def _wanted_tables(con: duckdb.DuckDBPyConnection, w: lb.Wanted) -> None:
    _register(con, "work_link_wanted_ids", pd.DataFrame({"id": sorted(w.hub_ids)}, dtype=object))
    names = pd.DataFrame(sorted(w.name_keys, key=str), columns=["developer", "key"], dtype=object)
    _register(con, "work_link_wanted_names", names)
    compact = pd.DataFrame(sorted(w.compact_keys), columns=["developer", "key"], dtype=object)
    _register(con, "work_link_wanted_compact", compact)
    _register(con, "work_link_wanted_dated", pd.DataFrame({"developer": sorted(w.dated)}, dtype=object))
    _register_letters(con, "work_link_wanted_letters", w.letter_keys)


def _register_letters(con: duckdb.DuckDBPyConnection, name: str, keys: set[tuple[str | None, tuple[str, ...]]]) -> None:
    """Wanted runs of letters, each with the run fewest repos have as the anchor the repos are joined on (none: any
    repo of the developer, or any repo at all, may have the key)."""
    rows = [(i, developer, list(runs)) for i, (developer, runs) in enumerate(sorted(keys, key=str))]
    frame = pd.DataFrame(rows, columns=["i", "developer", "letters"]).astype({"developer": object})
    con.execute("CREATE OR REPLACE TEMP TABLE work_link_keys (i BIGINT, developer VARCHAR, letters VARCHAR[])")
    _insert(con, "work_link_keys", frame)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {name} AS
        WITH runs AS (
            SELECT k.i, r.letter, coalesce(c.n, 0) AS n FROM (SELECT i, unnest(letters) AS letter FROM work_link_keys) r
            JOIN work_link_keys k USING (i) LEFT JOIN work_link_letter_counts c USING (letter)
        ), rarest AS (
            SELECT i, min(letter) AS anchor FROM runs WHERE (i, n) IN (SELECT i, min(n) FROM runs GROUP BY i) GROUP BY i
        )
        SELECT k.developer, a.anchor, k.letters FROM work_link_keys k LEFT JOIN rarest a USING (i)
        """
    )


DROPPABLE = ls.text_list(sorted(lb.DROPPABLE | prefix_words()))

_SURE = """
SELECT repo_id FROM work_link_hub WHERE NOT plain
UNION SELECT h.repo_id FROM work_link_hub h JOIN work_link_wanted_ids w ON w.id = lower(h.repo_id)
UNION SELECT h.repo_id FROM work_link_hub h JOIN work_link_wanted_names w ON w.key = h.name_key
      WHERE h.plain AND h.developer IS NOT NULL AND (w.developer IS NULL OR w.developer = h.developer)
UNION SELECT h.repo_id FROM work_link_hub h JOIN work_link_wanted_compact w
      ON w.key = h.compact AND w.developer = h.developer WHERE h.plain
UNION SELECT repo_id FROM work_link_hub WHERE plain AND developer IS NOT NULL AND first_version
"""
"""Repos that take part for sure: ids that are not plain, repos a source names, equal name or compact keys, first
stable versions (and, below, those a vendor alias applies to)."""
_DATED = """
SELECT h.repo_id FROM work_link_hub h JOIN work_link_wanted_dated w ON w.developer = h.developer
WHERE h.plain AND h.dated
"""
"""Repos that may carry a year-less date their developer's dated records are compared with (Python decides)."""


def _letters_join(table: str, keys: str) -> str:
    """Plain repos of ``table`` whose runs of letters hold those of a wanted key of ``keys`` (joined on the key's
    anchor); a key without letters takes every repo of its developer, or, for any developer, every repo whose letters
    a key may all drop."""
    return f"""
    SELECT DISTINCT h.repo_id FROM work_link_runs a
    JOIN {keys} w ON w.anchor = a.letter AND (w.developer IS NULL OR w.developer = a.developer)
    JOIN {table} h ON h.repo_id = a.repo_id
    WHERE list_has_all(h.letters, w.letters)
    UNION
    SELECT h.repo_id FROM {table} h JOIN {keys} w ON w.anchor IS NULL AND w.developer = h.developer WHERE h.plain
    UNION
    SELECT h.repo_id FROM {table} h WHERE h.plain AND EXISTS (SELECT 1 FROM {keys} w
        WHERE w.anchor IS NULL AND w.developer IS NULL)
      AND list_bool_and(list_transform(h.letters, lambda t: list_contains({DROPPABLE}, t)
          OR regexp_matches(t, {ls.text(lb.MONTH_WORD)}) OR coalesce(t = h.developer, FALSE))) IS NOT FALSE
    """


def _records(con: duckdb.DuckDBPyConnection, repos: str, registry: Registry) -> list[SourceRecord]:
    """Hub repos (a query of ``repo_id``) as linkage sees them: one record per (repo, author), as
    :meth:`~modelcensus.linking.Linker.source_records` gives them."""
    rows = con.execute(
        f"SELECT DISTINCT p.repo_id, p.author FROM work_link_pairs p JOIN ({repos}) c USING (repo_id) ORDER BY 1, 2"
    ).fetchall()
    return [hub_record(registry, str(repo), str(author)) for repo, author in rows]


def hub_record(registry: Registry, repo_id: str, author: str) -> SourceRecord:
    developer, countries = developer_of(registry, [], author)
    return SourceRecord("huggingface", repo_id, repo_id.split("/")[-1], developer, None, countries)


def candidates(con: duckdb.DuckDBPyConnection, registry: Registry, w: lb.Wanted) -> tuple[list[SourceRecord], Blocked]:
    """The Hub repos that take part in linkage (as linkage sees them) and how they were found (``work_link_hub``
    first)."""
    blocked = Blocked(repos=int(con.execute("SELECT count(*) FROM work_link_hub").fetchall()[0][0]))
    _wanted_tables(con, w)
    aliases = alias_patterns("huggingface")
    hits = " OR ".join(ls.full_match("name_key", p) for p in aliases) or "FALSE"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE work_link_taking_part AS {_SURE} "
        f"UNION SELECT repo_id FROM work_link_hub WHERE plain AND ({hits})"
    )
    maybe = f"SELECT repo_id FROM ({_letters_join('work_link_hub', 'work_link_wanted_letters')} UNION {_DATED}) " + (
        "WHERE repo_id NOT IN (SELECT repo_id FROM work_link_taking_part)"
    )
    found = _records(con, maybe, registry)
    blocked.maybe = len({r.source_id for r in found})
    keep = sorted({r.source_id for r in found if lb.takes_part(w, r)})
    _add(con, keep)
    hub = _records(con, "SELECT repo_id FROM work_link_taking_part", registry)
    targets = lb.alias_targets(hub)
    if targets:  # the repos a vendor alias stands for
        _register(con, "work_link_alias_targets", pd.DataFrame({"key": sorted(targets)}, dtype=object))
        con.execute(
            "INSERT INTO work_link_taking_part SELECT h.repo_id FROM work_link_hub h JOIN work_link_alias_targets t "
            "ON t.key = h.name_key WHERE h.plain AND h.repo_id NOT IN (SELECT repo_id FROM work_link_taking_part)"
        )
    hub = _records(con, "SELECT repo_id FROM work_link_taking_part", registry)
    groups = lb.snapshot_groups(hub)
    keys: set[tuple[str | None, tuple[str, ...]]] = set()
    for developer, key in groups:
        runs = lb.letters(key)
        if runs is not None:
            keys.add((developer, runs))
    if keys:  # the other repos of the snapshot groups of the repos that take part
        _register_letters(con, "work_link_group_letters", keys)
        more = f"SELECT repo_id FROM ({_letters_join('work_link_hub', 'work_link_group_letters')}) " + (
            "WHERE repo_id NOT IN (SELECT repo_id FROM work_link_taking_part)"
        )
        extra = _records(con, more, registry)
        blocked.maybe += len({r.source_id for r in extra})
        _add(con, sorted({r.source_id for r in extra if lb.in_snapshot_group(groups, r)}))
        hub = _records(con, "SELECT repo_id FROM work_link_taking_part", registry)
    blocked.base = _hub_base(con, [r.source_id for r in hub], sorted(w.hub_ids))
    blocked.pairs = _blocking_pairs(con)
    return hub, blocked


def _add(con: duckdb.DuckDBPyConnection, repos: list[str]) -> None:
    _insert(con, "work_link_taking_part", pd.DataFrame({"repo_id": repos}, dtype=object))


def _blocking_pairs(con: duckdb.DuckDBPyConnection) -> int:
    """The (repo, wanted key) pairs the SQL joins compared: repos meeting a wanted key's anchor, name or compact key."""
    row = con.execute(
        """
        SELECT (SELECT count(*) FROM work_link_runs a JOIN work_link_wanted_letters w
                ON w.anchor = a.letter AND (w.developer IS NULL OR w.developer = a.developer))
             + (SELECT count(*) FROM work_link_hub h JOIN work_link_wanted_names w ON w.key = h.name_key)
             + (SELECT count(*) FROM work_link_hub h JOIN work_link_wanted_compact w ON w.key = h.compact)
        """
    ).fetchall()
    return int(row[0][0])


def _hub_base(con: duckdb.DuckDBPyConnection, taking_part: list[str], named: list[str]) -> frozenset[str]:
    """The base checkpoints among the repos that take part and the repos sources name: the owners' repos that may be
    their post-trained forms are found in SQL (a post-training word and every run of letters of the plain key)."""
    mine = sorted({r.casefold() for r in [*taking_part, *named]})
    wanted: list[tuple[str, list[str]]] = []
    for repo in mine:
        org, key, tuned = lb.plain_form(repo)
        runs = lb.letters(key)
        if not tuned and runs is not None:
            wanted.append((org, list(runs)))
    if not wanted:
        return lb.hub_base(mine, [])
    _register(con, "work_link_wanted_siblings", pd.DataFrame(wanted, columns=["org", "letters"]))
    siblings = con.execute(
        f"""
        SELECT DISTINCT h.repo_id FROM work_link_hub h JOIN work_link_wanted_siblings w ON w.org = h.owner
        WHERE h.plain AND list_has_any({ls.id_letters("h.repo_id")}, {ls.text_list(sorted(lb.TUNED))})
          AND list_has_all({ls.id_letters("h.repo_id")}, w.letters)
        """
    ).fetchall()
    return lb.hub_base(mine, [str(r[0]) for r in siblings])


def name_all(
    con: duckdb.DuckDBPyConnection, groups: list[tuple[list[SourceRecord], list[Evidence]]]
) -> tuple[list[str], int]:
    """Name every canonical model in one pass in the order of precedence: the groups linked in Python, and one model
    for each Hub repo that took no part. Returns the groups' ids; ``work_link_names`` holds the other repos' ids."""
    heads = [sorted(members, key=priority)[0] for members, _ in groups]
    frame = pd.DataFrame(
        [(i, *priority(h), base_id(h)) for i, h in enumerate(heads)],
        columns=["grp", "rank", "source", "source_id", "base"],
    ).astype({"grp": "int64", "rank": "int64", "source": object, "source_id": object, "base": object})
    _register(con, "work_link_groups", frame)
    hub_rank = source_rank("huggingface")
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE work_link_heads AS
        SELECT *, row_number() OVER (PARTITION BY base ORDER BY rank, source, source_id) AS n FROM (
            SELECT grp, rank, source, source_id, base FROM work_link_groups
            UNION ALL
            SELECT NULL, {hub_rank}, 'huggingface', repo_id, coalesce(nullif(name_key, ''), 'model') FROM work_link_hub
            WHERE repo_id NOT IN (SELECT repo_id FROM work_link_taking_part))
        """
    )
    later = con.execute(
        "SELECT grp, source, source_id, base FROM work_link_heads WHERE n > 1 ORDER BY rank, source, source_id"
    ).fetchall()
    used: set[str] = set()
    named: list[tuple[Any, str, str]] = []
    for grp, source, source_id, base in later:
        canonical = next_free(suffixed_id(str(base), str(source), str(source_id)), used)
        used.add(canonical)
        named.append((grp, str(source_id), canonical))
    ids = [str(b) for b in frame["base"]]
    alone: list[tuple[str, str]] = []
    for grp, source_id, canonical in named:
        if grp is None:
            alone.append((source_id, canonical))
        else:
            ids[int(grp)] = canonical
    con.execute("CREATE OR REPLACE TEMP TABLE work_link_names (repo_id VARCHAR, model_id VARCHAR)")
    _insert(con, "work_link_names", pd.DataFrame(alone, columns=["repo_id", "model_id"], dtype=object))
    shared = sum(1 for members, _ in groups if len({r.source for r in members}) > 1)
    return ids, shared


def write(
    con: duckdb.DuckDBPyConnection,
    links_key: str,
    groups: list[tuple[list[SourceRecord], list[Evidence]]],
    ids: list[str],
    tables: tuple[str, str] = ("canonical_links", "link_evidence"),
) -> int:
    """Replace the canonical links and their evidence with the groups' rows and one row per Hub repo that took no
    part (:func:`name_all` first); returns the number of canonical models."""
    links, evidence = tables
    rows = []
    proof: list[tuple[Any, ...]] = []
    for (members, found), model_id in zip(groups, ids, strict=True):
        members = sorted(members, key=priority)
        for i, r in enumerate(members):
            rows.append(
                (
                    links_key,
                    model_id,
                    members[0].name,
                    i,
                    r.source,
                    r.source_id,
                    r.name,
                    r.developer,
                    r.hub_id,
                    list(r.countries),
                    r.published_on,
                )
            )
        proof.extend((links_key, model_id, i, *e) for i, e in enumerate(found))
    columns = [
        "links_key",
        "model_id",
        "model_name",
        "position",
        "source",
        "source_id",
        "name",
        "developer",
        "hub_id",
        "countries",
        "published_on",
    ]
    frame = pd.DataFrame(rows, columns=columns).astype(
        {"model_name": object, "name": object, "developer": object, "hub_id": object}
    )
    frame["published_on"] = pd.to_datetime(frame["published_on"]).dt.date
    con.execute(f"DELETE FROM {links}")
    con.execute(f"DELETE FROM {evidence}")
    _insert(con, links, frame)
    con.execute(
        f"""
        INSERT INTO {links}
        SELECT ?, coalesce(n.model_id, coalesce(nullif(h.name_key, ''), 'model')), regexp_extract(h.repo_id, '[^/]*$'),
               0, 'huggingface', h.repo_id, regexp_extract(h.repo_id, '[^/]*$'), h.developer, NULL,
               coalesce(h.countries, []), NULL
        FROM work_link_hub h LEFT JOIN work_link_names n USING (repo_id)
        WHERE h.repo_id NOT IN (SELECT repo_id FROM work_link_taking_part)
        """,
        [links_key],
    )
    columns = ["links_key", "model_id", "position", "left_record", "right_record", "rule", "detail"]
    _insert(con, evidence, pd.DataFrame(proof, columns=columns))
    alone = con.execute(
        "SELECT count(*) FROM work_link_hub WHERE repo_id NOT IN (SELECT repo_id FROM work_link_taking_part)"
    ).fetchall()[0][0]
    return len(groups) + int(alone)


def stored_groups(
    con: duckdb.DuckDBPyConnection, records: list[SourceRecord]
) -> list[tuple[list[SourceRecord], list[Evidence]]] | None:
    """The groups the stored canonical links hold for ``records`` (the Python stage's records, unchanged since), in
    the order of their first records; None when some record is missing."""
    by_key = {(r.source, r.source_id): r for r in records}
    if len(by_key) != len(records):
        return None  # a repo listed under two authors: two records with one id, linked afresh
    _register(con, "work_link_stage_keys", pd.DataFrame(list(by_key), columns=["source", "source_id"], dtype=object))
    rows = con.execute(
        "SELECT l.model_id, l.source, l.source_id FROM canonical_links l "
        "JOIN work_link_stage_keys k USING (source, source_id) ORDER BY l.model_id, l.position"
    ).fetchall()
    members: dict[str, list[SourceRecord]] = {}
    seen = 0
    for model_id, source, source_id in rows:
        members.setdefault(str(model_id), []).append(by_key[(str(source), str(source_id))])
        seen += 1
    if seen != len(records):
        return None
    evidence: dict[str, list[Evidence]] = {}
    for model_id, left, right, rule, detail in con.execute(
        "SELECT model_id, left_record, right_record, rule, detail FROM link_evidence ORDER BY model_id, position"
    ).fetchall():
        if str(model_id) in members:
            evidence.setdefault(str(model_id), []).append((str(left), str(right), str(rule), str(detail)))
    groups = [(sorted(m, key=priority), evidence.get(k, [])) for k, m in members.items()]
    groups.sort(key=lambda g: priority(g[0][0]))
    return groups


def save_run(con: duckdb.DuckDBPyConnection, done: LinkRun) -> None:
    """Keep the pairs each pass compared and what the run did (replacing an earlier run's)."""
    con.execute("DELETE FROM link_passes")
    con.execute("DELETE FROM link_runs")
    reused = done.python_stage == "reused"
    for i, p in enumerate(done.passes):
        again = reused and p.name != BLOCKING_PASS
        row = [done.links_key, i, p.name, p.pairs, p.links, again]
        con.execute("INSERT INTO link_passes VALUES (?, ?, ?, ?, ?, ?)", row)
    con.execute(
        "INSERT INTO link_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            done.links_key,
            datetime.now(tz=UTC).replace(tzinfo=None),
            done.records,
            done.hub_repos,
            done.hub_taking_part,
            done.hub_alone,
            done.models,
            done.shared_models,
            done.python_stage,
            done.seconds,
        ],
    )


def stored_passes(con: duckdb.DuckDBPyConnection) -> list[PassCount]:
    """The passes of the last run that linked in Python (what a reusing run reports again)."""
    rows = con.execute(
        "SELECT pass, pairs, links FROM link_passes WHERE pass <> ? ORDER BY position", [BLOCKING_PASS]
    ).fetchall()
    return [PassCount(str(n), int(p), int(k)) for n, p, k in rows]


def models_of(rows: list[tuple[Any, ...]]) -> list[CanonicalModel]:
    """Canonical models from rows of ``canonical_links`` (ordered by model and position)."""
    models: dict[str, CanonicalModel] = {}
    for model_id, model_name, source, source_id, name, developer, hub_id, countries, published_on in rows:
        model = models.setdefault(model_id, CanonicalModel(model_id, model_name))
        model.records.append(
            SourceRecord(source, source_id, name, developer, hub_id, tuple(countries or ()), published_on)
        )
    return list(models.values())


@dataclass(frozen=True)
class LinkRun:
    """What one linkage run did: the models it made, the records it linked in Python, the Hub repos it left to SQL,
    and the pairs each pass compared (``reused``: the Python stage's models were those already stored)."""

    links_key: str
    models: int
    shared_models: int
    records: int
    hub_repos: int
    hub_taking_part: int
    hub_alone: int
    passes: list[PassCount]
    python_stage: str
    seconds: float

    @property
    def pairs(self) -> int:
        return sum(p.pairs for p in self.passes)


BLOCKING_PASS = "hub blocking (SQL)"


def stage_digest(records: list[SourceRecord], base: frozenset[str]) -> str:
    """What the Python stage links, as a digest: its records (every field), the base checkpoints among their repos
    and the linkage version."""
    digest = hashlib.sha256(f"{LINKAGE_VERSION}|".encode())
    for r in sorted(records, key=priority):
        digest.update(repr(r).encode())
    digest.update(repr(sorted(base)).encode())
    return digest.hexdigest()[:24]


def run(
    con: duckdb.DuckDBPyConnection,
    registry: Registry,
    links_key: str,
    others: list[SourceRecord],
    *,
    as_of: date | None = None,
    tables: tuple[str, str] = ("canonical_links", "link_evidence"),
    reuse: bool = True,
    probabilistic: bool = True,
    read_only: bool = False,
    beside: Callable[[], None] | None = None,
) -> LinkRun:
    """Link the stored records: ``others`` (every source's but the Hub's) and the Hub repos (harvested on or before
    ``as_of``), into ``tables``. With ``reuse``, a Python stage whose records are those it linked last
    (:data:`STAGE_KEY`) keeps its models, and only the Hub repos that take no part are named again;
    ``probabilistic=False`` leaves out the Splink stage (and reuses nothing); ``read_only``: the store cannot keep
    the repos' keys (:mod:`.repo_keys`); ``beside``: more work on ``con`` (SQL), done while the Python stage clusters.

    The Python stage's work (what the other sources' records look for, then the clustering) runs on a thread of its
    own while this thread runs SQL on ``con`` (the Hub's repos and their keys, then ``beside``): it holds the GIL and
    DuckDB lets it go, so both cores work where one would wait."""
    started = time.perf_counter()
    w, hub_repos = _beside(lambda: lb.wanted(others), lambda: prepare_hub(con, registry, as_of, read_only))
    hub, blocked = candidates(con, registry, w)
    records = [*others, *hub]
    reuse = reuse and probabilistic
    digest = stage_digest(records, blocked.base)
    groups = None
    if reuse and _meta(con, STAGE_KEY) == digest:
        groups = stored_groups(con, records)
    blocking = PassCount(BLOCKING_PASS, blocked.pairs, len({r.source_id for r in hub}))
    if groups is None:
        tally = Tally()

        def clustered() -> list[Group]:
            with counting(tally):  # (the tally is the thread's: a context variable)
                return cluster(records, probabilistic, hub_base=blocked.base)

        groups = _beside(clustered, beside or _nothing)[0]
        passes, stage = [blocking, *tally.passes], "linked"
    else:
        if beside is not None:
            beside()
        passes, stage = [blocking, *stored_passes(con)], "reused"
    ids, shared = name_all(con, groups)
    models = write(con, links_key, groups, ids, tables)
    if reuse:
        con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [STAGE_KEY, digest])
    taking_part = len({r.source_id for r in hub})
    done = LinkRun(
        links_key,
        models,
        shared,
        len(records),
        hub_repos,
        taking_part,
        hub_repos - taking_part,
        passes,
        stage,
        round(time.perf_counter() - started, 3),
    )
    if tables == ("canonical_links", "link_evidence"):
        save_run(con, done)
    drop_work_tables(con)
    return done


T = TypeVar("T")
U = TypeVar("U")


def _nothing() -> None:
    return None


def _beside(python: Callable[[], T], sql: Callable[[], U]) -> tuple[T, U]:
    """``python()`` on a thread of its own while ``sql()`` runs on this one (the one that uses the connection); both
    results. An error of either is raised once both are done."""
    with ThreadPoolExecutor(1, thread_name_prefix="modelcensus-linkage") as pool:
        future = pool.submit(python)
        done = sql()
        return future.result(), done


def drop_work_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the temporary ``work_`` tables linkage and the census records are made with (an export copies a
    reader's temporary tables: only those that stand in for stored ones may remain)."""
    rows = con.execute(
        "SELECT DISTINCT table_name FROM information_schema.tables WHERE table_catalog = 'temp' "
        "AND table_name LIKE 'work\\_%' ESCAPE '\\'"
    ).fetchall()
    for (name,) in rows:
        con.execute(f"DROP TABLE IF EXISTS temp.{name}")


def _meta(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    rows = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchall()
    return str(rows[0][0]) if rows else None


@dataclass(frozen=True)
class LinkSummary:
    """The stored links of one state of the store: how many canonical models, how many several sources know, and the
    passes of the run that made them, each ``(pass, pairs compared, links made, reused)``; ``run``: the run that made
    them just now, if one did."""

    links_key: str
    models: int
    shared_models: int
    passes: list[tuple[str, int, int, bool]]
    run: LinkRun | None = None
    python_stage: str | None = None
    """``linked`` when the Python stage linked its records, ``reused`` when it kept the models stored for them."""
    shared: list[CanonicalModel] = field(default_factory=list)
    """The canonical models several sources know (with their records and evidence)."""
    run_row: dict[str, Any] = field(default_factory=dict)
    """The stored run (``link_runs``): when, records linked in Python, Hub repos that took part or were left alone,
    seconds; empty for links made before runs were recorded."""


def summary(con: duckdb.DuckDBPyConnection, links_key: str, run: LinkRun | None = None) -> LinkSummary:
    """The stored links of ``links_key`` summed up (``run``: the run that made them just now, if one did)."""
    if run is not None and run.links_key == links_key:
        # the run counted its models as it wrote them: only those several sources know are looked up, and each of
        # them has a record of a source other than the Hub (the few thousand, not the millions of repos)
        several = [
            r[0]
            for r in con.execute(
                "SELECT model_id FROM canonical_links WHERE links_key = $1 AND model_id IN (SELECT model_id FROM "
                "canonical_links WHERE links_key = $1 AND source <> 'huggingface') GROUP BY model_id "
                "HAVING min(source) <> max(source)",
                [links_key],
            ).fetchall()
        ]
        models, shared = run.models, len(several)
    else:  # one pass over the links (millions with the Hub): the models, and those several sources know
        models, shared, several = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE several), coalesce(list(model_id) FILTER (WHERE several), []) "
            "FROM (SELECT model_id, min(source) <> max(source) AS several FROM canonical_links WHERE links_key = ? "
            "GROUP BY model_id)",
            [links_key],
        ).fetchall()[0]
    passes: list[tuple[str, int, int, bool]] = []
    row: dict[str, Any] = {}
    has = {str(r[0]) for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    if "link_passes" in has:
        passes = [
            (str(n), int(p), int(k), bool(r))
            for n, p, k, r in con.execute(
                "SELECT pass, pairs, links, reused FROM link_passes WHERE links_key = ? ORDER BY position", [links_key]
            ).fetchall()
        ]
        found = con.execute("SELECT * FROM link_runs WHERE links_key = ?", [links_key])
        names = [d[0] for d in found.description or []]
        row = {n: v for rows in found.fetchall()[:1] for n, v in zip(names, rows, strict=True)}
    wanted = {str(m) for m in several}
    shared_models = load_models(con, "canonical_links", "link_evidence", links_key, wanted)
    stage = run.python_stage if run else row.get("python_stage")
    return LinkSummary(links_key, int(models), int(shared), passes, run, stage, shared_models, row)


def load_models(
    con: duckdb.DuckDBPyConnection, links: str, evidence: str, links_key: str, only: set[str] | None = None
) -> list[CanonicalModel]:
    """The canonical models of a links table and its evidence (``only``: those of these ids), by id."""
    where = ""
    if only is not None:
        _register(con, "work_link_wanted_models", pd.DataFrame({"model_id": sorted(only)}, dtype=object))
        where = " AND model_id IN (SELECT model_id FROM work_link_wanted_models)"
    rows = con.execute(
        "SELECT model_id, model_name, source, source_id, name, developer, hub_id, countries, published_on "
        f"FROM {links} WHERE links_key = ?{where} ORDER BY model_id, position",
        [links_key],
    ).fetchall()
    models = {m.id: m for m in models_of(rows)}
    for model_id, left, right, rule, detail in con.execute(
        f"SELECT model_id, left_record, right_record, rule, detail FROM {evidence} WHERE links_key = ?{where} "
        "ORDER BY model_id, position",
        [links_key],
    ).fetchall():
        models[model_id].evidence.append((left, right, rule, detail))
    drop_work_tables(con)
    return list(models.values())
