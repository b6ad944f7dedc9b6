"""The census population: every record of every stored export, with what definitions and units need.

Definitions, units, vintages, the listing lag, the coverage estimate and claims are all counts over one
derived table pair, so the figures are Ibis expressions over plain tables (DuckDB or Spark) rather than
per-request Python:

- ``census_records``: one row per record of each export (Epoch models of every vintage, Hub repos of every
  harvest, OpenRouter and LMArena entries) with its canonical model, its unit keys, its year and the fields
  definitions filter on (notable, open weights, derivative, large model and why);
- ``census_record_countries``: its countries under each attribution (as-published, resolved, lineage).

They are derived from the stored records and the canonical links, rebuilt when either changes (keyed like the
links), and exported with the rest of the store. ``census_records`` is a view over ``census_record_rows``, stored
with the columns of :data:`SAME_AS` left empty where they equal another column of their row. A record of an older
export only (a model Epoch renamed, a model OpenRouter stopped serving) joins the canonical model of a current record
of its source with the same name key; otherwise it is a canonical model of its own.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import date
from typing import Any

import duckdb
import pandas as pd

from modelcensus import scope
from modelcensus.linkage import CanonicalModel, SourceRecord, developer_by_name, developer_of, name_key, unit_key
from modelcensus.linkage.cac import alias_fingerprint, family_models, link_filing, load_aliases
from modelcensus.orgs import Registry
from modelcensus.store import population_hub
from modelcensus.store.cac import ensure_tables as ensure_cac_tables
from modelcensus.store.frames import sql_text
from modelcensus.store.links import drop_work_tables
from modelcensus.vocabulary import TABULAR_ROLE, Attribution, source_rank

POPULATION_VERSION = "5"
"""Bumped whenever what the census records hold changes, so stored ones are rebuilt."""


def rules_fingerprint() -> str:
    """The population's version, the large-model rules and the CAC alias data: a store built under others is
    rebuilt."""
    digest = hashlib.sha256(POPULATION_VERSION.encode())
    digest.update(json.dumps(scope.rules(), sort_keys=True, default=str).encode())
    digest.update(alias_fingerprint().encode())
    return digest.hexdigest()[:12]


CAC_LINK_COLUMNS = [
    "population_key",
    "export_id",
    "filing_key",
    "record_type",
    "filed_on",
    "family",
    "developer",
    "developer_check",
    "canonical_id",
    "canonical_name",
]
CAC_LINKS_DDL = """
CREATE {temp} TABLE IF NOT EXISTS census_cac_links (
    population_key VARCHAR, export_id VARCHAR NOT NULL, filing_key VARCHAR NOT NULL, record_type VARCHAR,
    filed_on DATE, family VARCHAR, developer VARCHAR, developer_check VARCHAR, canonical_id VARCHAR,
    canonical_name VARCHAR)"""
SCHEMA = (
    """
CREATE {temp} TABLE IF NOT EXISTS census_record_rows (
    population_key VARCHAR, export_id VARCHAR NOT NULL, source VARCHAR NOT NULL, source_id VARCHAR NOT NULL,
    name VARCHAR, canonical_id VARCHAR, canonical_name VARCHAR, published_on DATE, year INTEGER,
    canonical_year INTEGER, rec_release VARCHAR, rec_family VARCHAR, canon_release VARCHAR, canon_family VARCHAR,
    notable BOOLEAN, frontier BOOLEAN, large_scale BOOLEAN, open_weights VARCHAR, domains VARCHAR[],
    training_compute_flop DOUBLE, parameters DOUBLE, derivative BOOLEAN, by_organization BOOLEAN,
    large_model BOOLEAN, large_model_reason VARCHAR, source_rank INTEGER);
CREATE {temp} TABLE IF NOT EXISTS census_record_countries (
    export_id VARCHAR NOT NULL, source VARCHAR NOT NULL, source_id VARCHAR NOT NULL, attribution VARCHAR NOT NULL,
    country VARCHAR NOT NULL, position INTEGER);
"""
    + CAC_LINKS_DDL
    + ";\n"
)
"""The stored tables. ``census_records`` is a view over ``census_record_rows`` (:func:`ensure_view`)."""
SAME_AS = {"name": "source_id", "canon_release": "rec_release", "canon_family": "rec_family"}
"""The columns ``census_record_rows`` leaves empty where they equal another of the same row, which the view puts
back: a Hub repo's name is its id, and a model named after its repo (most of the Hub) has the repo's unit keys. Those
are millions of distinct texts whose compression was a third of the time the rows took to write (never empty
otherwise: a name, id and unit key always has a value)."""


def ensure_view(con: duckdb.DuckDBPyConnection, *, temp: bool = False) -> None:
    """Make ``census_records`` the view over ``census_record_rows``, every column in its order with those of
    :data:`SAME_AS` filled again (what definitions, figures and the exported store read; a temporary one over this
    reader's temporary rows, with ``temp``). A store whose ``census_records`` is still a table of its own (before
    population version 5) has it dropped: census records are derived, and the population key of that store no longer
    matches, so they are made again."""
    rows = "temp.main.census_record_rows" if temp else "census_record_rows"
    if not temp:
        kind = con.execute(
            "SELECT table_type FROM information_schema.tables WHERE table_name = 'census_records' "
            "AND table_catalog = current_database()"
        ).fetchall()
        if kind and kind[0][0] == "VIEW":
            return  # made when the store was first opened by this version
        if kind:
            con.execute("DROP TABLE census_records")
    described = con.execute(f"SELECT * FROM {rows} LIMIT 0").description or []
    columns = ", ".join(f"coalesce({c}, {SAME_AS[c]}) AS {c}" if c in SAME_AS else c for c, *_ in described)
    con.execute(f"CREATE OR REPLACE {'TEMP ' if temp else ''}VIEW census_records AS SELECT {columns} FROM {rows}")


def ensure_cac_links(con: duckdb.DuckDBPyConnection, has_table: Callable[[str], bool]) -> None:
    """A read-only store of an earlier schema has no ``census_cac_links``: this reader gets an empty temporary one."""
    if not has_table("census_cac_links"):
        con.execute(CAC_LINKS_DDL.format(temp="TEMP"))


def cac_links(con: duckdb.DuckDBPyConnection, population_key: str, registry: Registry) -> pd.DataFrame:
    """Every stored CAC filing whose service runs a known model family, with the family's canonical models (one row
    each; a family no other source lists: one row, no canonical model). See :mod:`modelcensus.linkage.cac`."""
    filings = con.execute(
        "SELECT f.export_id, f.filing_key, f.record_type, f.filed_on, f.model_name, e.org_id FROM cac_filings f "
        "LEFT JOIN cac_entities e ON e.entity = f.entity AND e.entity_label = coalesce(f.entity_label, '')"
    ).fetchall()
    members: dict[str, list[CanonicalModel]] = {}
    models: list[CanonicalModel] | None = None
    rows = []
    for export_id, key, record_type, filed_on, model_name, org_id in filings:
        provider = registry.orgs.get(str(org_id)) if org_id else None
        found = link_filing(registry, model_name, provider)
        if found is None:
            continue
        if found.family not in members:
            if models is None:
                models = _developed_models(con)
            members[found.family] = family_models(registry, found.family, models)
        targets: list[CanonicalModel | None] = [*members[found.family]] or [None]
        for model in targets:
            rows.append(
                (
                    population_key,
                    export_id,
                    key,
                    record_type,
                    filed_on,
                    found.family,
                    found.developer,
                    found.check,
                    model.id if model else None,
                    model.name if model else None,
                )
            )
    return pd.DataFrame(rows, columns=CAC_LINK_COLUMNS)


def _developed_models(con: duckdb.DuckDBPyConnection) -> list[CanonicalModel]:
    """The canonical models :func:`~modelcensus.linkage.cac.family_models` may pick: those with a record of a known
    developer whose name a family's model pattern matches (in SQL, when DuckDB reads the patterns), with the
    developers of their records (sorted by id, as linkage gives them)."""
    patterns = [a.models.pattern for a in load_aliases() if a.models is not None]
    where = "TRUE"
    if patterns:
        combined = sql_text("|".join(f"(?:{p})" for p in patterns))
        try:
            con.execute(f"SELECT regexp_matches('', {combined}, 'i')").fetchall()
            where = f"regexp_matches(model_name, {combined}, 'i')"
        except duckdb.Error:  # a pattern RE2 cannot read: every model with a developer is read
            where = "TRUE"
    rows = con.execute(
        f"""
        SELECT model_id, any_value(model_name), list(developer ORDER BY position) FROM canonical_links
        WHERE model_id IN (SELECT model_id FROM canonical_links WHERE developer IS NOT NULL) AND {where}
        GROUP BY model_id ORDER BY model_id
        """
    ).fetchall()
    return [
        CanonicalModel(str(i), str(n), [SourceRecord("", "", "", d) for d in developers]) for i, n, developers in rows
    ]


def date_in_model_name(name: str) -> date | None:
    """The snapshot date an API model name carries (``claude-3-5-sonnet-20240620``), if any."""
    match = re.search(r"(20\d{2})-?(\d{2})-?(\d{2})(?!\d)", name)
    if match:
        try:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            return None
    # Mistral-style YYMM suffixes (mistral-large-2407): the middle of that month
    match = re.search(r"-(2[3-9])(0[1-9]|1[0-2])(?![\d])", name)
    if match:
        return date(2000 + int(match.group(1)), int(match.group(2)), 15)
    return None


def _cell_date(value: object) -> date | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[call-overload]
        return None
    return pd.Timestamp(value).date()  # type: ignore[arg-type]


def catalog_record(registry: Registry, row: Any) -> SourceRecord:
    """A catalogue entry (OpenRouter, LMArena, a tabular list) as linkage sees it: its developer from the Hub handle
    it names, else its vendor prefix, else the organization the source gives or its name gives away; its date from
    the source, else from a date in its API name.

    A tabular list's record is held to what the list states. A developer the list names is its developer, resolved
    or not (unresolved, it gives no resolved country, as in Epoch): the name never overrides it. A developer only
    its name gives away must be of a country the list states, if it states one: ``Llama2-Chinese`` on a list of
    Chinese models is a derivative named after its base, not Meta's (the name file maps ``llama…`` to Meta).
    OpenRouter's and LMArena's organizations are display labels (``Mistral``) that the name file completes."""
    hf_id = str(row.hf_id) if isinstance(row.hf_id, str) and row.hf_id else None
    handles = [hf_id.split("/")[0]] if hf_id else []
    if row.source == "openrouter":
        handles.append(str(row.source_id).split("/")[0])
    listed = row.source not in ("openrouter", "lmarena")  # a tabular list may state the record's countries
    stated = tuple(_list(getattr(row, "countries_published", None))) if listed else ()
    dev: str | None = None
    own: tuple[str, ...] = ()
    for handle in handles:
        dev, own = developer_of(registry, [], handle)
        if dev:
            break
    if dev is None:
        organization = str(row.organization) if isinstance(row.organization, str) and row.organization else None
        named = (
            None
            if listed and organization
            else developer_by_name(str(row.source_id)) or developer_by_name(str(row.name))
        )
        dev, own = developer_of(registry, [organization, named])
        if listed and not organization and stated and not set(own) & set(stated):
            dev, own = None, ()  # the name's developer is of another country than the list states
    day = _cell_date(row.published_on) or date_in_model_name(str(row.source_id))
    slug = _attributes(getattr(row, "attributes", None)).get("canonical_slug")
    aliases = (str(slug),) if isinstance(slug, str) and slug and slug != row.source_id else ()
    return SourceRecord(
        str(row.source), str(row.source_id), str(row.name), dev, hf_id, own, day, aliases=aliases, stated=stated
    )


_EPOCH_SQL = """
SELECT m.export_id, 'epoch' AS source, m.model_key AS source_id, m.name, m.published_on, m.notable, m.frontier,
       m.large_scale, m.open_weights, m.domains, m.training_compute_flop, m.parameters, m.accessibility,
       FALSE AS derivative, TRUE AS by_organization, NULL AS pipeline_tag
FROM models m
"""
_CATALOG_SQL = (
    """
SELECT c.export_id, c.source, c.source_id, c.name, c.organization, c.published_on, c.hf_id, c.open_weights,
       CAST(c.attributes AS VARCHAR) AS attributes, c.countries_published,
       (SELECT list(DISTINCT split_part(g.category, '/', 1)) FROM ratings g
        WHERE g.export_id = c.export_id AND g.source_id = c.source_id) AS arenas
FROM catalog_records c
WHERE c.source IN ('openrouter', 'lmarena')
   OR c.export_id IN (SELECT export_id FROM snapshots WHERE role = '"""
    + TABULAR_ROLE
    + """')
"""
)
# Countries by attribution. Epoch: as published (the source's field) and resolved (the registry's countries
# of each organization). Hub: resolved (the publishing organization's) and lineage (the root base model's
# developer's); individuals and community accounts get none. Catalogues: the developer's (filled in Python).
_COUNTRIES_SQL = """
SELECT export_id, 'epoch' AS source, model_key AS source_id, 'as-published' AS attribution, country,
       min(position) AS position
FROM model_countries_published GROUP BY ALL
UNION ALL
SELECT mo.export_id, 'epoch', mo.model_key, 'resolved', oc.country, min(mo.position * 100 + oc.position)
FROM model_orgs mo JOIN org_resolution r ON r.org_name = mo.org_name JOIN org_countries oc ON oc.org_id = r.org_id
GROUP BY ALL
UNION ALL
SELECT o.export_id, 'huggingface', o.repo_id, a.attribution, o.country, o.position
FROM (SELECT h.export_id, h.repo_id, oc.country, oc.position
      FROM hub_models h JOIN hub_handles k ON k.handle = h.author JOIN ({org}) oc ON oc.org_id = k.org_id
      WHERE k.kind = 'organization') o
CROSS JOIN (VALUES ('resolved'), ('as-published')) a(attribution)
UNION ALL
SELECT h.export_id, 'huggingface', h.repo_id, 'lineage', oc.country, oc.position
FROM hub_models h LEFT JOIN hub_roots r USING (repo_id)
JOIN hub_handles k ON k.handle = coalesce(r.root_author, h.author) JOIN ({org}) oc ON oc.org_id = k.org_id
WHERE k.kind = 'organization'
""".format(org="SELECT org_id, country, min(position) AS position FROM org_countries GROUP BY ALL")
"""The countries of each record under each attribution. A Hub repo's are its publisher's (an organization's) under
``resolved`` and ``as-published`` alike, so they are found once and given both names; under ``lineage``, its root
base model's publisher's. A Hub repo (one per export), its handle and its root are each one row, so its countries need
no grouping over millions of rows: only an organization's own list, in case it names a country twice."""


def _canonical_map(
    con: duckdb.DuckDBPyConnection, rows: pd.DataFrame
) -> tuple[dict[tuple[str, str], str], dict[str, str]]:
    """(source, source_id) → canonical id for every record of the sources but the Hub (whose repos are all linked), and
    canonical id → name."""
    ids: dict[tuple[str, str], str] = {}
    names: dict[str, str] = {}
    by_key: dict[tuple[str, str], str] = {}
    linked = con.execute(
        "SELECT model_id, model_name, source, source_id, name FROM canonical_links "
        "WHERE source <> 'huggingface' ORDER BY model_id, position"
    ).fetchall()
    for model_id, model_name, source, source_id, name in linked:
        names[model_id] = model_name
        ids[(source, source_id)] = model_id
        by_key.setdefault((source, name_key(source_id if source != "epoch" else name)), model_id)
    for source, source_id, name in rows[["source", "source_id", "name"]].drop_duplicates().itertuples(index=False):
        if (source, source_id) in ids:
            continue
        found = by_key.get((source, name_key(source_id if source != "epoch" else name)))
        if found is not None:
            ids[(source, source_id)] = found
        else:
            own = f"{source}:{source_id}"
            ids[(source, source_id)] = own
            names[own] = str(name)
    return ids, names


def _list(value: object) -> list[str]:
    """A list cell as strings (pandas gives lists, arrays, None or NA)."""
    if value is None or isinstance(value, str | float) or value is pd.NA:
        return []
    try:
        return [str(v) for v in value]  # type: ignore[attr-defined]
    except TypeError:
        return []


def _attributes(value: object) -> dict[str, Any]:
    if not isinstance(value, str):
        return {}
    loaded = json.loads(value)
    return loaded if isinstance(loaded, dict) else {}


def _decide(row: Any, output: dict[str, Any]) -> scope.Decision:
    if row.source == "epoch":
        flags = {"notable": bool(row.notable), "frontier": bool(row.frontier), "large_scale": bool(row.large_scale)}
        params = None if pd.isna(row.parameters) else float(row.parameters)
        flop = None if pd.isna(row.training_compute_flop) else float(row.training_compute_flop)
        access = row.accessibility if isinstance(row.accessibility, str) else None
        return scope.epoch(_list(row.domains), params, flop, access, flags)
    if row.source == "huggingface":
        params = None if pd.isna(row.parameters) or not row.parameters else float(row.parameters)
        tag = row.pipeline_tag if isinstance(row.pipeline_tag, str) else None
        return scope.huggingface(str(row.source_id), tag, bool(row.derivative), bool(row.by_organization), params)
    if row.source == "openrouter":
        return scope.openrouter(str(row.source_id), output.get("output_modalities"), output.get("modality"))
    if row.source == "lmarena":
        return scope.lmarena(_list(row.arenas))
    return scope.tabular(str(row.source))


def refresh(con: duckdb.DuckDBPyConnection, population_key: str, registry: Registry, *, temp: bool = False) -> None:
    """Rebuild ``census_records`` and ``census_record_countries`` from the stored records and ``canonical_links`` (in
    the caller's transaction; with ``temp``, as temporary tables that shadow a read-only store's stale ones for this
    connection only). The Hub's rows are made in SQL (:mod:`modelcensus.store.population_hub`)."""
    con.execute(SCHEMA.format(temp="TEMP" if temp else ""))
    if temp:  # a read-only store of an earlier schema: the CAC tables this refresh reads may be missing too
        ensure_view(con, temp=True)  # (a writer made the stored view when it opened the store)
        has = {str(r[0]) for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        ensure_cac_tables(con, has.__contains__)
    epoch = con.execute(_EPOCH_SQL).df()
    catalog = con.execute(_CATALOG_SQL).df()
    catalog_part = catalog.assign(
        notable=None,
        frontier=None,
        large_scale=None,
        domains=pd.Series([[] for _ in range(len(catalog))], dtype=object),
        training_compute_flop=None,
        parameters=None,
        accessibility=None,
        derivative=False,
        by_organization=True,
        pipeline_tag=None,
    )
    rows = pd.concat([epoch, catalog_part], ignore_index=True)
    ids, names = _canonical_map(con, rows)
    decided = [_decide(r, _attributes(getattr(r, "attributes", None))) for r in rows.itertuples(index=False)]
    published = [
        _cell_date(p) or (date_in_model_name(str(s)) if src in ("openrouter", "lmarena") else None)
        for p, s, src in zip(rows["published_on"], rows["source_id"], rows["source"], strict=True)
    ]
    match_names = [
        str(s) if src != "epoch" else str(n)
        for s, n, src in zip(rows["source_id"], rows["name"], rows["source"], strict=True)
    ]
    canonical = [ids[(s, i)] for s, i in zip(rows["source"], rows["source_id"], strict=True)]
    release_of: dict[str, str] = {}
    family_of: dict[str, str] = {}
    for cid in set(canonical):
        name = names.get(cid, cid)
        release_of[cid], family_of[cid] = unit_key(name, "release"), unit_key(name, "family")
    out = pd.DataFrame(
        {
            "population_key": population_key,
            "export_id": rows["export_id"],
            "source": rows["source"],
            "source_id": rows["source_id"],
            "name": rows["name"].astype(str),
            "canonical_id": canonical,
            "canonical_name": [names.get(c, c) for c in canonical],
            "published_on": published,
            "year": [p.year if p else None for p in published],
            "rec_release": [unit_key(n, "release") for n in match_names],
            "rec_family": [unit_key(n, "family") for n in match_names],
            "canon_release": [release_of[c] for c in canonical],
            "canon_family": [family_of[c] for c in canonical],
            "notable": rows["notable"],
            "frontier": rows["frontier"],
            "large_scale": rows["large_scale"],
            "open_weights": rows["open_weights"],
            "domains": rows["domains"],
            "training_compute_flop": rows["training_compute_flop"],
            "parameters": rows["parameters"],
            "derivative": rows["derivative"].astype(bool),
            "by_organization": rows["by_organization"].astype(bool),
            "large_model": [d.admitted for d in decided],
            "large_model_reason": [d.reason for d in decided],
            "source_rank": [source_rank(str(s)) for s in rows["source"]],
        }
    )
    out["year"] = out["year"].astype("Int64")
    out["published_on"] = pd.to_datetime(out["published_on"]).dt.date
    population_hub.prepare(con, temp)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE work_population_other AS "
        "SELECT * EXCLUDE (canonical_year) FROM census_record_rows LIMIT 0"
    )
    _insert(con, "work_population_other", out, by_name=True)
    con.execute("DELETE FROM census_record_rows")
    con.execute("DELETE FROM census_record_countries")
    con.execute("DELETE FROM census_cac_links")
    # a canonical model's year is its earliest member's (of any export): the year it came out. It is found from the
    # records' canonical ids and years alone, then joined: a window over the whole rows would hold millions of wide
    # rows at once (spilled to disk under the store's memory limit; 1.6x the time at 2M repos)
    same = ", ".join(f"nullif(x.{column}, x.{equal}) AS {column}" for column, equal in SAME_AS.items())
    con.execute(
        f"INSERT INTO census_record_rows BY NAME SELECT x.* REPLACE ({same}), "
        "CAST(y.first_year AS INTEGER) AS canonical_year "
        f"FROM (SELECT * FROM work_population_other UNION ALL BY NAME ({population_hub.rows_sql()})) x "
        "LEFT JOIN (SELECT canonical_id, min(year) AS first_year FROM (SELECT canonical_id, year FROM "
        f"work_population_other UNION ALL {population_hub.years_sql()}) GROUP BY canonical_id) y USING (canonical_id)",
        [population_key],
    )
    con.execute(f"INSERT INTO census_record_countries BY NAME {_COUNTRIES_SQL}")
    developer: list[tuple[object, object, object, str, str, int]] = []
    for r in catalog.itertuples(index=False):
        record = catalog_record(registry, r)
        listed = r.source not in ("openrouter", "lmarena")  # a tabular list: it may state countries of its own
        for attribution in Attribution:
            # a catalogue record is its developer's under every attribution; a tabular list's record, as published,
            # has the countries the list gives (a column, or the one country of a national list), if any
            codes = _list(r.countries_published) if listed and attribution == Attribution.AS_PUBLISHED else None
            chosen = record.countries if codes is None else codes
            developer.extend((r.export_id, r.source, r.source_id, attribution, c, i) for i, c in enumerate(chosen))
    columns = ["export_id", "source", "source_id", "attribution", "country", "position"]
    _insert(con, "census_record_countries", pd.DataFrame(developer, columns=columns), by_name=True)
    _insert(con, "census_cac_links", cac_links(con, population_key, registry), by_name=True)
    drop_work_tables(con)


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, by_name: bool = False) -> None:
    if len(frame):
        con.register("incoming_population", frame)
        try:
            con.execute(f"INSERT INTO {table} {'BY NAME ' if by_name else ''}SELECT * FROM incoming_population")
        finally:
            con.unregister("incoming_population")
