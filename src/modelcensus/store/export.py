"""Export of the store: every table as one Parquet (or CSV, JSON Lines) file, plus ``manifest.json``.

Parquet is what other engines read (Apache Spark through :mod:`modelcensus.engines.spark`, pandas, Polars,
any data lake): the same plain tables as the DuckDB file, with their types (lists stay lists). The
manifest says what was exported and from what: the store's schema version, every source export with
its snapshots, and each table's file, columns and row count, so a reader can check that it holds the
whole census.

An export is written into a private folder beside the target and moved into place at the end: a
failed export leaves the target as it was. A target folder that is neither empty nor a previous
export is refused rather than overwritten.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from modelcensus.errors import QueryError, StoreError
from modelcensus.store import meta as store_meta
from modelcensus.vocabulary import ExportFormat

EXPORT_FORMATS = tuple(ExportFormat)
MANIFEST = "manifest.json"
DATAPACKAGE = "datapackage.json"
MANIFEST_VERSION = 1
_EXTENSIONS = {"parquet": "parquet", "csv": "csv", "json": "jsonl"}


@dataclass(frozen=True)
class ExportedTable:
    name: str
    file: str
    rows: int
    columns: list[dict[str, str]]


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> list[tuple[Any, ...]]:
    return con.execute(sql, params or []).fetchall()


def store_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every base table of the store's current database, so tables added later are exported too, and the temporary
    tables a read-only reader derived (its census records, :mod:`.population`), which stand in for stored ones; not
    the derived tables a build keeps or a reader materialises (names starting with ``_``: :mod:`.kept`). A table read
    through a view (:data:`~modelcensus.store.meta.VIEWS`) is exported as the view."""
    views = ", ".join(_sql_text(v) for v in sorted(store_meta.VIEWS.values()))
    behind = ", ".join(_sql_text(t) for t in sorted(store_meta.VIEWS))
    return [
        str(name)
        for (name,) in _rows(
            con,
            "SELECT DISTINCT table_name FROM information_schema.tables "
            "WHERE (table_catalog = current_database() OR table_catalog = 'temp') "
            "AND table_schema = current_schema() AND table_type IN ('BASE TABLE', 'LOCAL TEMPORARY', 'VIEW') "
            f"AND (table_type <> 'VIEW' OR table_name IN ({views})) AND table_name NOT IN ({behind}) "
            "AND NOT starts_with(table_name, '_') "
            "ORDER BY table_name",
        )
    ]


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    return [(str(name), str(kind)) for name, kind, *_ in _rows(con, f"DESCRIBE {_ident(table)}")]


def _select(table: str, columns: list[tuple[str, str]], fmt: str) -> str:
    """The query a table is copied from: JSON columns become text (Spark and CSV readers know no JSON
    type); in CSV, lists and structs become JSON text, so a value like ``["US", "FR"]`` stays unambiguous."""
    parts = []
    for name, kind in columns:
        col = _ident(name)
        nested = kind.endswith("[]") or kind.startswith(("STRUCT", "MAP"))
        if kind == "JSON" and fmt != "json":
            parts.append(f"CAST({col} AS VARCHAR) AS {col}")
        elif nested and fmt == "csv":
            parts.append(f"CAST(to_json({col}) AS VARCHAR) AS {col}")
        else:
            parts.append(col)
    return f"SELECT {', '.join(parts) or '*'} FROM {_ident(table)}"


def _copy_options(fmt: str) -> str:
    if fmt == "parquet":
        return "FORMAT parquet, COMPRESSION zstd"
    if fmt == "csv":
        return "FORMAT csv, HEADER true"
    return "FORMAT json"


def _exports(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Each stored source export with its snapshots, newest of each source flagged ``current``."""
    exports = _rows(
        con,
        "SELECT export_id, source, data_date, ingested_at, rows_read, records, quarantined, date_method, "
        "row_number() OVER (PARTITION BY source ORDER BY data_date DESC NULLS LAST, ingested_at DESC) = 1 "
        "FROM exports ORDER BY source, data_date, ingested_at",
    )
    snapshots = _rows(
        con,
        "SELECT export_id, snapshot_id, role, location, sha256, bytes, rows, retrieved_at, license, credit, "
        "data_date, date_method FROM snapshots ORDER BY export_id, role, location",
    )
    by_export: dict[str, list[dict[str, Any]]] = {}
    for (
        export_id,
        snapshot_id,
        role,
        location,
        sha256,
        size,
        rows,
        retrieved_at,
        license_,
        credit,
        data_date,
        date_method,
    ) in snapshots:
        by_export.setdefault(str(export_id), []).append(
            {
                "snapshot_id": snapshot_id,
                "role": role,
                "location": location,
                "sha256": sha256,
                "bytes": size,
                "rows": rows,
                "retrieved_at": retrieved_at.isoformat() if retrieved_at is not None else None,
                "license": license_,
                "credit": credit,
                "data_date": data_date.isoformat() if data_date is not None else None,
                "date_method": date_method,
            }
        )
    return [
        {
            "export_id": export_id,
            "source": source,
            "data_date": data_date.isoformat() if data_date is not None else None,
            "date_method": date_method,
            "ingested_at": ingested_at.isoformat(),
            "rows_read": rows_read,
            "records": records,
            "quarantined": quarantined,
            "current": bool(current),
            "snapshots": by_export.get(str(export_id), []),
        }
        for export_id, source, data_date, ingested_at, rows_read, records, quarantined, date_method, current in exports
    ]


def _meta(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return {str(k): str(v) for k, v in _rows(con, "SELECT key, value FROM meta")}


def _prepare_target(target: Path) -> None:
    """Refuse a target that holds anything but a previous export (never overwrite unrelated files)."""
    if target.exists() and not target.is_dir():
        raise StoreError(f"{target}: not a folder; give a folder to export the census into")
    if target.is_dir() and any(target.iterdir()) and not (target / MANIFEST).is_file():
        raise StoreError(
            f"{target}: the folder is not empty and holds no modelcensus export ({MANIFEST}); "
            "choose an empty or new folder"
        )


def export_store(
    con: duckdb.DuckDBPyConnection,
    target: Path,
    fmt: str = "parquet",
    *,
    store_path: Path | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Any]:
    """Write every table of the store behind ``con`` into ``target`` and return the manifest written.

    ``store_path`` is recorded in the manifest (with the file's size and modification time), so a
    cached export can tell whether the store changed since; ``progress`` is told each table as it is written
    ``(table, done, total)``.
    """
    if fmt not in EXPORT_FORMATS:
        raise QueryError(f"export format must be one of {', '.join(EXPORT_FORMATS)}, not {fmt!r}", parameter="format")
    target = Path(target)
    _prepare_target(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = target.with_name(f".{target.name}.partial-{os.getpid()}")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    try:
        tables = []
        names = store_tables(con)
        for done, table in enumerate(names):
            if progress is not None:
                progress(table, done, len(names))
            columns = _columns(con, table)
            file = f"{table}.{_EXTENSIONS[fmt]}"
            expected = int(_rows(con, f"SELECT count(*) FROM {_ident(table)}")[0][0])
            written = _rows(
                con, f"COPY ({_select(table, columns, fmt)}) TO {_sql_text(str(work / file))} ({_copy_options(fmt)})"
            )
            rows = int(written[0][0]) if written else expected
            if rows != expected:
                raise StoreError(f"{work / file}: wrote {rows} rows of table {table!r}, which holds {expected}")
            tables.append(ExportedTable(table, file, rows, [{"name": n, "type": k} for n, k in columns]))
        meta = _meta(con)
        manifest: dict[str, Any] = {
            "modelcensus_export": MANIFEST_VERSION,
            "format": fmt,
            "schema_version": meta.get("schema_version"),
            "registry_fingerprint": meta.get("registry_fingerprint"),
            "exported_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
            "store": _store_identity(store_path) if store_path is not None else None,
            "exports": _exports(con),
            "tables": {
                t.name: {"file": t.file, "rows": t.rows, "columns": t.columns} for t in sorted(tables, key=_by_name)
            },
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        package = datapackage(manifest, work)
        (work / DATAPACKAGE).write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        _move_into_place(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return manifest


_FRICTIONLESS_TYPES = (
    ("BIGINT", "integer"),
    ("INTEGER", "integer"),
    ("DOUBLE", "number"),
    ("FLOAT", "number"),
    ("DECIMAL", "number"),
    ("BOOLEAN", "boolean"),
    ("TIMESTAMP", "datetime"),
    ("DATE", "date"),
    ("JSON", "object"),
)
_MEDIA_TYPES = {"parquet": "application/vnd.apache.parquet", "csv": "text/csv", "json": "application/jsonl"}


def _field_type(duckdb_type: str) -> str:
    """A Frictionless Table Schema type for a DuckDB column type (lists are ``array``, as JSON text in CSV)."""
    if duckdb_type.endswith("[]") or duckdb_type.startswith(("STRUCT", "MAP")):
        return "array" if duckdb_type.endswith("[]") else "object"
    for prefix, kind in _FRICTIONLESS_TYPES:
        if duckdb_type.startswith(prefix):
            return kind
    return "string"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def datapackage(manifest: dict[str, Any], folder: Path) -> dict[str, Any]:
    """A Frictionless Data Package describing an export: one resource per table file (path, format, bytes,
    sha256, Table Schema), the source exports behind it with their data dates, and their licences.

    ``created`` of the package is when the export was written; the data dates are those of the sources
    (each in ``sources``): a table mixes sources, so no single resource date is claimed."""
    fmt = str(manifest["format"])
    sources: list[dict[str, Any]] = []
    licences: dict[str, dict[str, str]] = {}
    for export in manifest["exports"]:
        for snap in export["snapshots"]:
            sources.append(
                {
                    "title": f"{export['source']} export {export['export_id']} ({snap['role']})",
                    "path": snap["location"],
                    "data_date": snap.get("data_date") or export.get("data_date"),
                    "current": export["current"],
                }
            )
            if snap.get("license"):
                licences.setdefault(snap["license"], {"name": snap["license"], "title": snap.get("credit") or ""})
    resources = []
    for name, table in manifest["tables"].items():
        path = folder / table["file"]
        resources.append(
            {
                "name": name.replace("_", "-"),
                "path": table["file"],
                "profile": "tabular-data-resource" if fmt == "csv" else "data-resource",
                "format": "jsonl" if fmt == "json" else fmt,
                "mediatype": _MEDIA_TYPES[fmt],
                "bytes": path.stat().st_size,
                "hash": f"sha256:{_sha256(path)}",
                "rows": table["rows"],
                "schema": {"fields": [{"name": c["name"], "type": _field_type(c["type"])} for c in table["columns"]]},
            }
        )
    return {
        "profile": "data-package",
        "name": "modelcensus-export",
        "title": "modelcensus: the census store's tables",
        "description": "Every table of a modelcensus store; manifest.json holds the same with the store's schema "
        "version. Data dates are the sources' (see sources[].data_date), not the export's.",
        "created": manifest["exported_at"],
        "resources": resources,
        "sources": sources,
        "licenses": sorted(licences.values(), key=lambda item: item["name"]),
    }


def _by_name(table: ExportedTable) -> str:
    return table.name


def _move_into_place(work: Path, target: Path) -> None:
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        os.replace(target, old)
    os.replace(work, target)
    shutil.rmtree(old, ignore_errors=True)


def _store_identity(path: Path) -> dict[str, Any]:
    st = path.stat()
    return {"path": str(path.resolve()), "bytes": st.st_size, "modified_ns": st.st_mtime_ns}


def store_unchanged(manifest: dict[str, Any], path: Path) -> bool:
    """Whether ``manifest`` was exported from the store file at ``path`` as it is now."""
    return bool(path.exists() and manifest.get("store") == _store_identity(path))


def parse_manifest(text: str, where: str) -> dict[str, Any]:
    """A manifest's JSON, checked field by field (``where`` names the file in errors)."""
    try:
        manifest = json.loads(text)
    except json.JSONDecodeError as exc:
        raise StoreError(f"{where}, line {exc.lineno}: not valid JSON ({exc.msg})") from exc
    if not isinstance(manifest, dict) or manifest.get("modelcensus_export") != MANIFEST_VERSION:
        raise StoreError(
            f"{where}: field 'modelcensus_export' is not {MANIFEST_VERSION}; not a modelcensus export manifest"
        )
    tables = manifest.get("tables")
    if not isinstance(tables, dict) or not tables:
        raise StoreError(f"{where}: field 'tables' is missing or empty")
    for name, entry in tables.items():
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("file"), str)
            or not isinstance(entry.get("rows"), int)
        ):
            raise StoreError(f"{where}: field 'tables.{name}' needs a 'file' (text) and 'rows' (integer)")
    if manifest.get("format") not in EXPORT_FORMATS:
        raise StoreError(f"{where}: field 'format' must be one of {', '.join(EXPORT_FORMATS)}")
    return manifest


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of a local export folder."""
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise StoreError(f"{folder}: no {MANIFEST} here; write an export with `modelcensus export --format parquet`")
    return parse_manifest(path.read_text(encoding="utf-8"), str(path))
