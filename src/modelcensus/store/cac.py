"""The CAC register in the store: its filings and registrations (``cac_filings``, one row per filing of each
export, the two lists kept apart by ``record_type``), each provider resolved to a registry organization
(``cac_entities``, re-resolved whenever the registry changes), and the published totals (``cac_totals``).

Attachments are deltas, so the register as of a date is every CAC export dated on or before it, each filing
once (its newest export's row): see :mod:`modelcensus.metrics.cac`. The same files ingested again are the same
export (its id is the hash of its files): a no-op.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import pandas as pd

from modelcensus.orgs import Registry
from modelcensus.sources.cac import CacFiling
from modelcensus.sources.cac_totals import PublishedTotal

TABLES_DDL = {
    "cac_filings": """
CREATE {temp} TABLE IF NOT EXISTS cac_filings (
    export_id VARCHAR NOT NULL, filing_key VARCHAR NOT NULL, record_type VARCHAR NOT NULL, sequence INTEGER,
    sequence_label VARCHAR, filing_number VARCHAR, country VARCHAR, province_code VARCHAR, province VARCHAR,
    province_zh VARCHAR, model_name VARCHAR, entity VARCHAR NOT NULL, entity_label VARCHAR, filed_on DATE,
    year INTEGER, month VARCHAR, list_title VARCHAR, file VARCHAR, sheet VARCHAR, line INTEGER, note VARCHAR,
    snapshot_id VARCHAR)""",
    "cac_entities": """
CREATE {temp} TABLE IF NOT EXISTS cac_entities (
    entity VARCHAR NOT NULL, entity_label VARCHAR NOT NULL, org_id VARCHAR, method VARCHAR, score DOUBLE,
    resolved_by VARCHAR)""",
    "cac_totals": """
CREATE {temp} TABLE IF NOT EXISTS cac_totals (
    export_id VARCHAR NOT NULL, line INTEGER, as_of DATE, as_of_text VARCHAR, precision VARCHAR,
    filed BIGINT, filed_kind VARCHAR, filed_text VARCHAR, registered BIGINT, registered_kind VARCHAR,
    registered_text VARCHAR, new_filed BIGINT, new_registered BIGINT, statement VARCHAR, publisher VARCHAR,
    url VARCHAR, found_via VARCHAR, notes VARCHAR, reliability VARCHAR, approximate BOOLEAN)""",
}
SCHEMA = ";\n".join(ddl.format(temp="") for ddl in TABLES_DDL.values()) + ";\n"
TABLES = tuple(TABLES_DDL)


def ensure_tables(con: duckdb.DuckDBPyConnection, has_table: Callable[[str], bool]) -> None:
    """A read-only store of an earlier schema has no CAC tables: this reader gets empty temporary ones."""
    for name, ddl in TABLES_DDL.items():
        if not has_table(name):
            con.execute(ddl.format(temp="TEMP"))


def filings_frame(export_id: str, filings: list[CacFiling]) -> pd.DataFrame:
    rows = [
        (
            export_id,
            f.key,
            f.record_type.value,
            f.sequence,
            f.sequence_label,
            f.filing_number,
            f.country,
            f.province.code if f.province else None,
            (f.province.name_en or f.province.name_zh) if f.province else None,
            f.province.name_zh if f.province else None,
            f.model_name,
            f.entity,
            f.entity_label,
            f.filed_on,
            f.filed_on.year if f.filed_on else None,
            f.filed_on.strftime("%Y-%m") if f.filed_on else None,
            f.title,
            f.file,
            f.sheet,
            f.line,
            f.note,
            f.snapshot_id,
        )
        for f in filings
    ]
    columns = [
        "export_id",
        "filing_key",
        "record_type",
        "sequence",
        "sequence_label",
        "filing_number",
        "country",
        "province_code",
        "province",
        "province_zh",
        "model_name",
        "entity",
        "entity_label",
        "filed_on",
        "year",
        "month",
        "list_title",
        "file",
        "sheet",
        "line",
        "note",
        "snapshot_id",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({"sequence": "Int64", "year": "Int64", "line": "Int64"})


def totals_frame(export_id: str, totals: list[PublishedTotal]) -> pd.DataFrame:
    rows = [
        (
            export_id,
            t.line,
            t.as_of,
            t.as_of_text,
            t.precision,
            t.filed.value,
            t.filed.kind,
            t.filed.text,
            t.registered.value,
            t.registered.kind,
            t.registered.text,
            t.new_filed,
            t.new_registered,
            t.statement,
            t.publisher,
            t.url,
            t.found_via,
            t.notes,
            t.reliability,
            t.approximate,
        )
        for t in totals
    ]
    columns = [
        "export_id",
        "line",
        "as_of",
        "as_of_text",
        "precision",
        "filed",
        "filed_kind",
        "filed_text",
        "registered",
        "registered_kind",
        "registered_text",
        "new_filed",
        "new_registered",
        "statement",
        "publisher",
        "url",
        "found_via",
        "notes",
        "reliability",
        "approximate",
    ]
    return pd.DataFrame(rows, columns=columns).astype(
        {"filed": "Int64", "registered": "Int64", "new_filed": "Int64", "new_registered": "Int64"}
    )


def entities_frame(con: duckdb.DuckDBPyConnection, registry: Registry) -> pd.DataFrame:
    """Every stored provider resolved with the registry: its filed (Chinese) name first; when that does not
    resolve, the English label the file itself gives (the book layout), the method saying so (``label: exact``).
    Unresolved providers are kept (``org_id`` null) with the resolver's method (``unresolved``, ``ambiguous``).
    ``entity_label`` is empty (not null) where the file gives none, so that filings join it by equality."""
    pairs = con.execute("SELECT DISTINCT entity, coalesce(entity_label, '') FROM cac_filings ORDER BY ALL").fetchall()
    rows: list[tuple[object, ...]] = []
    for entity, label in pairs:
        own = registry.resolve(str(entity))
        if own.org is None and label:
            by_label = registry.resolve(str(label))
            if by_label.org is not None:
                rows.append((entity, label, by_label.org.id, f"label: {by_label.method}", by_label.score, "label"))
                continue
        rows.append((entity, label, own.org.id if own.org else None, own.method, own.score, "entity"))
    return pd.DataFrame(rows, columns=["entity", "entity_label", "org_id", "method", "score", "resolved_by"])
