"""The one place that talks to the storage engine: schema, snapshots, transactions.

One DuckDB file, plain tables any DuckDB client can read. Every ingest is one transaction: it
either lands whole or leaves the store exactly as before. Records are kept per export, so older
exports stay queryable (``as_of``) while the newest one of each source is current.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from modelcensus.errors import StoreError
from modelcensus.orgs import Registry, load_region_groups
from modelcensus.provenance import Export
from modelcensus.records import ModelRecord, QuarantinedRow

SCHEMA_VERSION = "1"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS exports (
    export_id VARCHAR PRIMARY KEY, source VARCHAR NOT NULL, data_date DATE NOT NULL,
    ingested_at TIMESTAMP NOT NULL, rows_read BIGINT, records BIGINT, quarantined BIGINT);
CREATE TABLE IF NOT EXISTS snapshots (
    snapshot_id VARCHAR NOT NULL, export_id VARCHAR NOT NULL, source VARCHAR NOT NULL,
    role VARCHAR, location VARCHAR, member VARCHAR, retrieved_at TIMESTAMP, sha256 VARCHAR,
    bytes BIGINT, rows BIGINT, license VARCHAR, credit VARCHAR,
    PRIMARY KEY (snapshot_id, export_id));
CREATE TABLE IF NOT EXISTS models (
    export_id VARCHAR NOT NULL, model_key VARCHAR NOT NULL, name VARCHAR NOT NULL,
    published_on DATE, year INTEGER, month VARCHAR, parameters DOUBLE,
    training_compute_flop DOUBLE, open_weights VARCHAR, accessibility VARCHAR, notable BOOLEAN,
    frontier BOOLEAN, large_scale BOOLEAN, base_model VARCHAR, organizations VARCHAR[],
    countries_published VARCHAR[], country_field VARCHAR, country_tokens_ignored VARCHAR[], domains VARCHAR[],
    tasks VARCHAR[], training_hardware VARCHAR[], hf_developer_id VARCHAR, link VARCHAR,
    origins VARCHAR[], PRIMARY KEY (export_id, model_key));
CREATE TABLE IF NOT EXISTS model_orgs (
    export_id VARCHAR NOT NULL, model_key VARCHAR NOT NULL, position INTEGER, org_name VARCHAR);
CREATE TABLE IF NOT EXISTS model_countries_published (
    export_id VARCHAR NOT NULL, model_key VARCHAR NOT NULL, position INTEGER, country VARCHAR);
CREATE TABLE IF NOT EXISTS model_domains (
    export_id VARCHAR NOT NULL, model_key VARCHAR NOT NULL, position INTEGER, domain VARCHAR);
CREATE TABLE IF NOT EXISTS model_hardware (
    export_id VARCHAR NOT NULL, model_key VARCHAR NOT NULL, hardware VARCHAR, vendor VARCHAR,
    vendor_country VARCHAR);
CREATE TABLE IF NOT EXISTS quarantine (
    export_id VARCHAR, snapshot_id VARCHAR, file VARCHAR, line INTEGER, column_name VARCHAR,
    value VARCHAR, reason VARCHAR);
CREATE TABLE IF NOT EXISTS organizations (
    org_id VARCHAR PRIMARY KEY, name VARCHAR, sector VARCHAR, parent VARCHAR, file VARCHAR,
    note VARCHAR);
CREATE TABLE IF NOT EXISTS org_countries (org_id VARCHAR, position INTEGER, country VARCHAR);
CREATE TABLE IF NOT EXISTS org_resolution (
    org_name VARCHAR PRIMARY KEY, org_id VARCHAR, method VARCHAR, score DOUBLE);
CREATE TABLE IF NOT EXISTS region_members (region VARCHAR, region_name VARCHAR, country VARCHAR);
"""

TABLES = (
    "meta",
    "exports",
    "snapshots",
    "models",
    "model_orgs",
    "model_countries_published",
    "model_domains",
    "model_hardware",
    "quarantine",
    "organizations",
    "org_countries",
    "org_resolution",
    "region_members",
)


@dataclass(frozen=True)
class IngestResult:
    """What one ingest did: ``rows_read = rows merged into records + quarantined``."""

    export_id: str
    source: str
    data_date: date
    already_stored: bool
    rows_read: int
    records: int
    quarantined: int


class Store:
    """A DuckDB census file."""

    def __init__(self, path: Path | str, *, read_only: bool = False) -> None:
        self.path = Path(path)
        if read_only and not self.path.exists():
            raise StoreError(
                f"{self.path}: no census here yet; run `modelcensus build` (or `modelcensus ingest ...`) first"
            )
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.Error as exc:
            raise StoreError(f"{self.path}: cannot open the census store ({exc})") from exc
        self.read_only = read_only
        if not read_only:
            self.con.execute(SCHEMA)
            self.con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])
        elif not self._has_table("exports"):
            raise StoreError(f"{self.path}: not a modelcensus store (no 'exports' table)")

    def close(self) -> None:
        self.con.close()

    def _scalar(self, sql: str, params: list[object] | None = None) -> object:
        """The first value of a query's first row (all rows fetched: DuckDB wants results finished)."""
        rows = self.con.execute(sql, params or []).fetchall()
        return rows[0][0] if rows else None

    def _has_table(self, name: str) -> bool:
        return bool(self._scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]))

    def has_export(self, export_id: str) -> bool:
        return bool(self._scalar("SELECT count(*) FROM exports WHERE export_id = ?", [export_id]))

    # -- writing -------------------------------------------------------------------------------

    def ingest(
        self,
        export: Export,
        records: list[ModelRecord],
        quarantined: list[QuarantinedRow],
        rows_read: int,
        registry: Registry,
        hardware_vendor: dict[str, tuple[str, str | None]],
    ) -> IngestResult:
        """Store one parsed export in a single transaction; an export already stored is a no-op."""
        export_id = export.export_id
        result = IngestResult(
            export_id,
            export.source,
            export.data_date,
            self.has_export(export_id),
            rows_read,
            len(records),
            len(quarantined),
        )
        if result.already_stored:
            return result
        frames = _record_frames(export_id, records, hardware_vendor)
        self.con.execute("BEGIN TRANSACTION")
        try:
            self.con.execute(
                "INSERT INTO exports VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    export_id,
                    export.source,
                    export.data_date,
                    datetime.now(tz=UTC).replace(tzinfo=None),
                    rows_read,
                    len(records),
                    len(quarantined),
                ],
            )
            for snap in export.snapshots:
                self.con.execute(
                    "INSERT INTO snapshots VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        snap.snapshot_id,
                        export_id,
                        snap.source,
                        snap.role,
                        snap.location,
                        snap.member,
                        snap.retrieved_at.astimezone(UTC).replace(tzinfo=None),
                        snap.sha256,
                        snap.bytes,
                        snap.rows,
                        snap.license,
                        snap.credit,
                    ],
                )
            for table, frame in frames.items():
                if len(frame):
                    self.con.register("incoming", frame)
                    self.con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming")
                    self.con.unregister("incoming")
            if quarantined:
                q = pd.DataFrame(
                    [(export_id, r.snapshot_id, r.file, r.line, r.column, r.value, r.reason) for r in quarantined],
                    columns=["export_id", "snapshot_id", "file", "line", "column_name", "value", "reason"],
                )
                self.con.register("incoming", q)
                self.con.execute("INSERT INTO quarantine BY NAME SELECT * FROM incoming")
                self.con.unregister("incoming")
            self._refresh_registry(registry)
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        return result

    def refresh_registry(self, registry: Registry) -> None:
        """Re-resolve every stored organization name against ``registry`` (one transaction)."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            self._refresh_registry(registry)
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise

    def _refresh_registry(self, registry: Registry) -> None:
        orgs = pd.DataFrame(
            [(o.id, o.name, o.sector, o.parent, o.file, o.note) for o in registry.orgs.values()],
            columns=["org_id", "name", "sector", "parent", "file", "note"],
        )
        countries = pd.DataFrame(
            [(o.id, i, c) for o in registry.orgs.values() for i, c in enumerate(o.countries)],
            columns=["org_id", "position", "country"],
        )
        names = [r[0] for r in self.con.execute("SELECT DISTINCT org_name FROM model_orgs").fetchall()]
        resolutions = [registry.resolve(n) for n in names]
        resolution = pd.DataFrame(
            [(r.name, r.org.id if r.org else None, r.method, r.score) for r in resolutions],
            columns=["org_name", "org_id", "method", "score"],
        )
        regions = pd.DataFrame(
            [(g.group, g.name, c) for g in load_region_groups().values() for c in sorted(g.members)],
            columns=["region", "region_name", "country"],
        )
        for table, frame in (
            ("organizations", orgs),
            ("org_countries", countries),
            ("org_resolution", resolution),
            ("region_members", regions),
        ):
            self.con.execute(f"DELETE FROM {table}")
            if len(frame):
                self.con.register("incoming", frame)
                self.con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming")
                self.con.unregister("incoming")
        self.con.execute(
            "INSERT OR REPLACE INTO meta VALUES ('registry_fingerprint', ?)", [registry_fingerprint(registry)]
        )

    def registry_fingerprint(self) -> str | None:
        value = self._scalar("SELECT value FROM meta WHERE key = 'registry_fingerprint'")
        return None if value is None else str(value)

    def fingerprint(self) -> str:
        """A digest of everything stored; equal before and after a no-op re-ingest."""
        digest = hashlib.sha256()
        for table in TABLES:
            if table == "meta":
                continue
            rows = self.con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
            digest.update(table.encode())
            digest.update(json.dumps(rows, default=str).encode())
        return digest.hexdigest()


def registry_fingerprint(registry: Registry) -> str:
    digest = hashlib.sha256()
    for org in sorted(registry.orgs.values(), key=lambda o: o.id):
        digest.update(repr((org.id, org.name, org.countries, org.sector, org.parent, org.aliases)).encode())
    return digest.hexdigest()[:16]


def _record_frames(
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
