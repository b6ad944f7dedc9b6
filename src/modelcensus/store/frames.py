"""How stored rows are laid out: model records as the frames of the store's tables, SQL text literals, and the
base-family CASE expression the Hub's lineage roots use."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import pyarrow as pa

from modelcensus.records import ModelRecord


def record_frames(
    export_id: str, records: Iterable[ModelRecord], hardware_vendor: dict[str, tuple[str, str | None]]
) -> dict[str, pd.DataFrame]:
    models: list[dict[str, object]] = []
    orgs: list[tuple[str, str, int, str]] = []
    countries: list[tuple[str, str, int, str]] = []
    domains: list[tuple[str, str, int, str]] = []
    hardware: list[tuple[str, str, str, str, str | None]] = []
    for r in records:
        models.append(
            {
                "export_id": export_id,
                "model_key": r.key,
                "name": r.name,
                "published_on": r.published_on,
                "year": r.published_on.year if r.published_on else None,
                "month": r.published_on.strftime("%Y-%m") if r.published_on else None,
                "parameters": r.parameters,
                "training_compute_flop": r.training_compute_flop,
                "open_weights": r.open_weights.value,
                "accessibility": r.accessibility,
                "notable": r.notable,
                "frontier": r.frontier,
                "large_scale": r.large_scale,
                "base_model": r.base_model,
                "organizations": r.organizations,
                "countries_published": r.countries_published,
                "country_field": r.country_field,
                "country_tokens_ignored": r.country_tokens_ignored,
                "domains": r.domains,
                "tasks": r.tasks,
                "training_hardware": r.training_hardware,
                "hf_developer_id": r.hf_developer_id,
                "link": r.link,
                "origins": r.origins,
            }
        )
        orgs.extend((export_id, r.key, i, o) for i, o in enumerate(r.organizations))
        countries.extend((export_id, r.key, i, c) for i, c in enumerate(r.countries_published))
        domains.extend((export_id, r.key, i, d) for i, d in enumerate(r.domains))
        for hw in r.training_hardware:
            vendor, vendor_country = hardware_vendor.get(hw, ("(unknown vendor)", None))
            hardware.append((export_id, r.key, hw, vendor, vendor_country))
    frame = pd.DataFrame(models)
    if len(frame):
        frame["year"] = frame["year"].astype("Int64")
        frame["published_on"] = pd.to_datetime(frame["published_on"]).dt.date
    return {
        "models": frame,
        "model_orgs": pd.DataFrame(orgs, columns=["export_id", "model_key", "position", "org_name"]),
        "model_countries_published": pd.DataFrame(countries, columns=["export_id", "model_key", "position", "country"]),
        "model_domains": pd.DataFrame(domains, columns=["export_id", "model_key", "position", "domain"]),
        "model_hardware": pd.DataFrame(
            hardware, columns=["export_id", "model_key", "hardware", "vendor", "vendor_country"]
        ),
    }


# The lineage root of every repo: follow each repo's first base (in its latest observation) through
# the repos the census knows, up to 64 steps; a base the census has not harvested is a root itself.
# The base family is the first pattern of base_families.csv that the root's id matches (matched once per root: the
# derivatives of a few well-known bases share them). An original with no family needs no row (it is its own root):
# readers take a missing row as exactly that.
# A repo's latest observation is that of its export of the latest data date (then ingest time, then id), found by
# each export's rank: the largest of a few integers per repo, not of a date-and-time pair over millions of rows.
HUB_LATEST_ONE = """
CREATE OR REPLACE TEMP VIEW hub_latest AS SELECT repo_id, export_id FROM hub_models;
CREATE OR REPLACE TEMP TABLE hub_first_base AS SELECT repo_id, base_id, relation FROM hub_edges WHERE position = 0;
"""
HUB_LATEST_MANY = """
CREATE OR REPLACE TEMP TABLE hub_latest AS
WITH ranked AS (
    SELECT export_id, CAST(row_number() OVER (
        ORDER BY coalesce(data_date, DATE '0001-01-01'), ingested_at, export_id) AS INTEGER) AS n
    FROM exports
), newest AS (
    SELECT m.repo_id, max(r.n) AS n FROM hub_models m JOIN ranked r USING (export_id) GROUP BY m.repo_id
)
SELECT w.repo_id, r.export_id FROM newest w JOIN ranked r USING (n);
CREATE OR REPLACE TEMP TABLE hub_first_base AS
SELECT e.repo_id, e.base_id, e.relation FROM hub_edges e JOIN hub_latest l USING (repo_id, export_id)
WHERE e.position = 0;
"""
HUB_ROOTS_SQL = """
CREATE OR REPLACE TABLE hub_roots AS
WITH RECURSIVE walk(repo_id, cur, depth) AS (
    SELECT repo_id, base_id, 1 FROM hub_first_base
    UNION ALL
    SELECT w.repo_id, b.base_id, w.depth + 1 FROM walk w JOIN hub_first_base b ON b.repo_id = w.cur
    WHERE w.depth < 64
), walked AS (
    SELECT repo_id, arg_max(cur, depth) AS root_id, CAST(max(depth) AS INTEGER) AS depth FROM walk GROUP BY repo_id
), roots AS (
    SELECT l.repo_id, coalesce(w.root_id, l.repo_id) AS root_id, coalesce(w.depth, 0) AS depth
    FROM hub_latest l LEFT JOIN walked w USING (repo_id)
), families AS (
    SELECT root_id, {family} AS family FROM (SELECT DISTINCT root_id FROM roots)
)
SELECT r.repo_id, r.root_id,
       CASE WHEN contains(r.root_id, '/') THEN split_part(r.root_id, '/', 1) END AS root_author,
       r.depth, b.relation, f.family
FROM roots r JOIN families f USING (root_id) LEFT JOIN hub_first_base b USING (repo_id)
WHERE r.depth > 0 OR f.family IS NOT NULL;
DROP TABLE hub_first_base;
"""


def sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def family_case(column: str, families: list[tuple[str, str]]) -> str:
    """A SQL CASE giving the first family whose pattern matches ``column`` (one combined pre-check first)."""
    if not families:
        return "CAST(NULL AS VARCHAR)"
    combined = "|".join(f"({pattern})" for pattern, _ in families)
    arms = " ".join(
        f"WHEN regexp_matches({column}, {sql_text(pattern)}, 'i') THEN {sql_text(family)}"
        for pattern, family in families
    )
    return f"CASE WHEN NOT regexp_matches({column}, {sql_text(combined)}, 'i') THEN NULL {arms} END"


def frame_bytes(frame: pd.DataFrame) -> bytes:
    """A frame as Arrow IPC bytes, with pandas' own description of its columns: :func:`frame_from_bytes` gives back the
    same frame, dtypes included (a kept figure is read as the one computed)."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue().to_pybytes())


def frame_from_bytes(data: bytes) -> pd.DataFrame:
    table = pa.ipc.open_stream(data).read_all()
    frame: pd.DataFrame = table.to_pandas()
    described = (table.schema.pandas_metadata or {}).get("columns", [])
    for column in described:
        name = column.get("field_name")
        if column.get("numpy_type") == "object" and name in frame.columns and frame[name].dtype != object:
            # text kept from an object column (pandas reads it back as its string dtype): as it was, None for null
            frame[name] = pd.Series(table.column(name).to_pylist(), dtype=object, index=frame.index)
    return frame
