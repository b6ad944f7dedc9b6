"""The one place that talks to the storage engine: schema, snapshots, transactions.

One DuckDB file, plain tables any DuckDB client can read. Every ingest is one transaction: it
either lands whole or leaves the store exactly as before. Records are kept per export, so older
exports stay queryable (``as_of``) while the newest one of each source is current.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from modelcensus.errors import StoreError
from modelcensus.linkage import CanonicalModel, SourceRecord
from modelcensus.orgs import Registry, load_region_groups
from modelcensus.provenance import DataDate, DateMethod, Export
from modelcensus.records import CatalogRecord, ModelRecord, QuarantinedRow, RatingRecord, base_families
from modelcensus.sources.cac import CacRead
from modelcensus.sources.cac_totals import TotalsRead
from modelcensus.sources.hub_profiles import HubProfile
from modelcensus.sources.huggingface import SET_ASIDE, ListingRead, count_inserted, edges_sql, listing_error
from modelcensus.store import cac as store_cac
from modelcensus.store import handles as store_handles
from modelcensus.store import kept as store_kept
from modelcensus.store import links as store_links
from modelcensus.store import meta as store_meta
from modelcensus.store import population as store_population
from modelcensus.store import population_hub as store_population_hub
from modelcensus.store.copy_on_write import NO_FSYNC, WorkingCopy
from modelcensus.store.frames import (
    HUB_LATEST_MANY,
    HUB_LATEST_ONE,
    HUB_ROOTS_SQL,
    family_case,
    record_frames,
)
from modelcensus.store.links import LinkSummary

SCHEMA_VERSION = "2"

SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS exports (
    export_id VARCHAR PRIMARY KEY, source VARCHAR NOT NULL, data_date DATE,
    ingested_at TIMESTAMP NOT NULL, rows_read BIGINT, records BIGINT, quarantined BIGINT,
    date_method VARCHAR, date_detail VARCHAR);
CREATE TABLE IF NOT EXISTS snapshots (
    snapshot_id VARCHAR NOT NULL, export_id VARCHAR NOT NULL, source VARCHAR NOT NULL,
    role VARCHAR, location VARCHAR, member VARCHAR, retrieved_at TIMESTAMP, sha256 VARCHAR,
    bytes BIGINT, rows BIGINT, license VARCHAR, credit VARCHAR,
    data_date DATE, date_method VARCHAR, date_detail VARCHAR, scope VARCHAR,
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
CREATE TABLE IF NOT EXISTS hub_models (
    export_id VARCHAR NOT NULL, repo_id VARCHAR NOT NULL, author VARCHAR, created_at TIMESTAMP,
    last_modified TIMESTAMP, downloads BIGINT, downloads_all_time BIGINT, likes BIGINT,
    trending_score DOUBLE, pipeline_tag VARCHAR, library_name VARCHAR, gated VARCHAR,
    license VARCHAR, parameters BIGINT, base_tags VARCHAR[], base_models JSON);
CREATE TABLE IF NOT EXISTS hub_edges (
    export_id VARCHAR NOT NULL, repo_id VARCHAR NOT NULL, base_id VARCHAR NOT NULL, relation VARCHAR,
    position INTEGER);
CREATE TABLE IF NOT EXISTS hub_roots (
    repo_id VARCHAR, root_id VARCHAR, root_author VARCHAR, depth INTEGER, relation VARCHAR, family VARCHAR);
CREATE TABLE IF NOT EXISTS catalog_records (
    export_id VARCHAR NOT NULL, source VARCHAR NOT NULL, source_id VARCHAR NOT NULL, name VARCHAR,
    organization VARCHAR, published_on DATE, hf_id VARCHAR, open_weights VARCHAR, license VARCHAR,
    countries_published VARCHAR[], attributes JSON, line INTEGER);
CREATE TABLE IF NOT EXISTS ratings (
    export_id VARCHAR NOT NULL, source VARCHAR NOT NULL, source_id VARCHAR NOT NULL, category VARCHAR,
    rated_on DATE, rating DOUBLE, rating_low DOUBLE, rating_high DOUBLE);
"""
    + store_links.LINKS_DDL.format(temp="")
    + store_links.SCHEMA.format(temp="")
    + store_population.SCHEMA.format(temp="")
    + store_handles.SCHEMA
    + store_cac.SCHEMA
)

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
    "hub_models",
    "hub_edges",
    "hub_roots",
    "hub_handles",
    "hub_profiles",
    "catalog_records",
    "ratings",
    *store_cac.TABLES,
)


@dataclass(frozen=True)
class IngestResult:
    """What one ingest did: ``rows_read = rows merged into records + quarantined``."""

    export_id: str
    source: str
    data_date: DataDate
    already_stored: bool
    rows_read: int
    records: int
    quarantined: int
    unit: str = "models"
    """What ``records`` counts; ``duplicates``: rows that listed a record already read (among the rows stored)."""
    duplicates: int = 0
    attribution: tuple[tuple[str, float], ...] = ()
    """The attribution an ingest ran after storing its rows, each step with its seconds (a Hub listing: its
    repos' lineage roots, then every handle resolved to an organization); a build reports them as stages of
    their own, apart from the parse and store."""


class Store:
    """A DuckDB census file, written copy-on-write.

    A writer works on a private copy beside the file (``census.duckdb.writing-<pid>``) under an exclusive
    lock (``census.duckdb.lock``), and :meth:`close` publishes it with an atomic ``os.replace``: a process
    killed at any point leaves the published file as it was. Readers open the published file directly
    (attached read-only to a private in-memory database, so a reopen after a publish sees the new file,
    not DuckDB's cached instance of the old one) and work while a writer is active.
    """

    def __init__(self, path: Path | str, *, read_only: bool = False, memory_limit: str | None = None) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self._copy: WorkingCopy | None = None
        self._reader_tables_made = False
        self._temp_generation = 0
        self._kept_index: bool | None = None
        config: dict[str, str | bool | int | float | list[str]] = {"memory_limit": memory_limit} if memory_limit else {}
        if read_only:
            if not self.path.exists():
                raise StoreError(
                    f"{self.path}: no census here yet; run `modelcensus build` (or `modelcensus ingest ...`) first"
                )
            try:
                self.con = store_meta.attach_read_only(self.path, config)
            except duckdb.Error as exc:
                raise StoreError(f"{self.path}: cannot open the census store ({exc})") from exc
            if not self._has_table("exports"):
                self.con.close()
                raise StoreError(f"{self.path}: not a modelcensus store (no 'exports' table)")
            self._finalizer = weakref.finalize(self, self.con.close)
            return
        self._copy = WorkingCopy.start(self.path)
        try:
            self.con = duckdb.connect(str(self._copy.work_path), config=config)
            self.con.execute(store_meta.QUIET)
            self.con.execute(NO_FSYNC)
            self.con.execute(SCHEMA)
            self._migrate()
            store_population.ensure_view(self.con)
            self.con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])
        except duckdb.Error as exc:
            self._copy.discard()
            raise StoreError(f"{self.path}: cannot open the census store ({exc})") from exc
        self._copy.con = self.con
        # Publish even if the caller never closes (the interpreter's exit runs it); close() runs it first.
        self._finalizer = weakref.finalize(self, self._copy.publish)

    def _migrate(self) -> None:
        """Bring a store of an earlier schema up to this one, keeping what it holds.

        Version 2 dates exports and snapshots honestly: ``data_date`` may be unknown (NULL) and each date
        keeps how it was found (``date_method``, ``date_detail``). Dates of version 1 are kept, marked as
        found by an earlier version (they may be the day of ingest: re-ingest the files to re-date them).
        """
        for table in ("exports", "snapshots"):
            columns = {str(r[0]) for r in self.con.execute(f"DESCRIBE {table}").fetchall()}
            if table == "snapshots" and "data_date" not in columns:
                self.con.execute("ALTER TABLE snapshots ADD COLUMN data_date DATE")
            if table == "snapshots" and "scope" not in columns:
                self.con.execute("ALTER TABLE snapshots ADD COLUMN scope VARCHAR")
            for column in ("date_method", "date_detail"):
                if column not in columns:
                    self.con.execute(f"ALTER TABLE {table} ADD COLUMN {column} VARCHAR")
            if "date_method" not in columns:
                self.con.execute(
                    f"UPDATE {table} SET date_method = 'unknown', date_detail = "
                    "'dated by modelcensus before schema 2 (perhaps the day of ingest)' WHERE date_method IS NULL"
                )
        nullable = self.con.execute(
            "SELECT is_nullable FROM information_schema.columns "
            "WHERE table_name = 'exports' AND column_name = 'data_date'"
        ).fetchall()
        if nullable and nullable[0][0] == "NO":
            self.con.execute("ALTER TABLE exports ALTER COLUMN data_date DROP NOT NULL")
        store_handles.migrate(self.con)

    @property
    def work_path(self) -> Path | None:
        """The private copy a writer works on (None when read-only)."""
        return self._copy.work_path if self._copy else None

    def close(self) -> None:
        """Close; a writer checkpoints its copy and atomically publishes it onto the path."""
        self._finalizer()

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One DuckDB transaction: it commits whole or rolls back, leaving the store as it was."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

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
        frames = record_frames(export_id, records, hardware_vendor)
        with self._transaction():
            self._insert_export(export, rows_read, len(records), len(quarantined))
            for table, frame in frames.items():
                self._insert_frame(table, frame)
            self._insert_quarantine(export_id, quarantined)
            self._refresh_registry(registry)
        return result

    def ingest_catalog(
        self,
        export: Export,
        records: list[CatalogRecord],
        ratings: list[RatingRecord],
        quarantined: list[QuarantinedRow],
        rows_read: int,
        registry: Registry,
    ) -> IngestResult:
        """Store a catalogue or leaderboard export (OpenRouter, LMArena, litellm, tabular) in one transaction."""
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
        catalog = pd.DataFrame(
            [
                (
                    export_id,
                    r.source,
                    r.source_id,
                    r.name,
                    r.organization,
                    r.published_on,
                    r.hf_id,
                    r.open_weights.value,
                    r.license,
                    r.countries_published,
                    json.dumps(r.attributes, default=str),
                    r.line,
                )
                for r in records
            ],
            columns=[
                "export_id",
                "source",
                "source_id",
                "name",
                "organization",
                "published_on",
                "hf_id",
                "open_weights",
                "license",
                "countries_published",
                "attributes",
                "line",
            ],
        )
        rated = pd.DataFrame(
            [
                (export_id, r.source, r.source_id, r.category, r.rated_on, r.rating, r.rating_low, r.rating_high)
                for r in ratings
            ],
            columns=["export_id", "source", "source_id", "category", "rated_on", "rating", "rating_low", "rating_high"],
        )
        with self._transaction():
            self._insert_export(export, rows_read, len(records), len(quarantined))
            self._insert_frame("catalog_records", catalog)
            self._insert_frame("ratings", rated)
            self._insert_quarantine(export_id, quarantined)
            self._refresh_registry(registry)
        return result

    def _insert_frame(self, table: str, frame: pd.DataFrame) -> None:
        if len(frame):
            self.con.register("incoming", frame)
            try:
                self.con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming")
            finally:
                self.con.unregister("incoming")

    def _insert_quarantine(self, export_id: str, quarantined: list[QuarantinedRow]) -> None:
        frame = pd.DataFrame(
            [(export_id, r.snapshot_id, r.file, r.line, r.column, r.value, r.reason) for r in quarantined],
            columns=["export_id", "snapshot_id", "file", "line", "column_name", "value", "reason"],
        )
        self._insert_frame("quarantine", frame)

    def ingest_hub(
        self, export_of: Callable[[ListingRead], Export], read: ListingRead, registry: Registry
    ) -> IngestResult:
        """Store a Hub listing in one transaction, parsing it once straight into ``hub_models``; ``export_of``
        gives its provenance from its read once counted (a one-pass read is counted from the rows inserted:
        :func:`~modelcensus.sources.huggingface.count_inserted`; its export id is the file's either way).

        Lineage edges, roots and the resolution of Hub handles are then recomputed.
        """
        provisional = export_of(read)  # a one-pass read is not counted yet: only its id (the file's) is final
        export_id = provisional.export_id
        if self.has_export(export_id):
            return self._stored_result(export_id, provisional)
        where = f"export_id = '{export_id}'"  # an id this package made: hex digits only
        with self._transaction():
            try:
                # a counted read keeps the items without a problem; a one-pass read inserts the others apart, to
                # count them (count_inserted deletes them)
                self.con.execute(
                    "INSERT INTO hub_models SELECT CASE WHEN problem IS NULL THEN $1 ELSE $2 END AS export_id, "
                    "coalesce(repo_id, '') AS repo_id, author, created_at, last_modified, downloads, "
                    "downloads_all_time, likes, trending_score, pipeline_tag, library_name, gated, license, "
                    f"parameters, base_tags, base_models FROM ({read.relation}) WHERE $3 OR problem IS NULL",
                    [export_id, export_id + SET_ASIDE, not read.counted],
                )
            except duckdb.Error as exc:
                raise listing_error(exc, read.path) from exc
            read = count_inserted(self.con, read, "hub_models", export_id)
            export = export_of(read)
            self._insert_export(export, read.rows_read, read.stored, read.quarantined)
            if read.duplicates:  # a repo listed twice (pages shifted during a crawl): its last listing wins
                self.con.execute(
                    "DELETE FROM hub_models WHERE export_id = ? AND rowid NOT IN "
                    "(SELECT max(rowid) FROM hub_models WHERE export_id = ? GROUP BY repo_id)",
                    [export_id, export_id],
                )
            self.con.execute(f"INSERT INTO hub_edges SELECT '{export_id}', * FROM ({edges_sql('hub_models', where)})")
            if read.quarantine:
                frame = pd.DataFrame(read.quarantine, columns=["line", "column_name", "value", "reason"])
                frame.insert(0, "file", str(read.path))
                frame.insert(0, "snapshot_id", export.snapshots[0].snapshot_id)
                frame.insert(0, "export_id", export_id)
                self._insert_frame("quarantine", frame)
            started = time.perf_counter()
            self._refresh_hub_roots()
            rooted = time.perf_counter()
            self._refresh_registry(registry)
            attribution = (
                ("lineage roots", round(rooted - started, 3)),
                ("handles to organizations", round(time.perf_counter() - rooted, 3)),
            )
        return IngestResult(
            export_id,
            export.source,
            export.data_date,
            False,
            read.rows_read,
            read.stored,
            read.quarantined,
            attribution=attribution,
        )

    def _stored_result(self, export_id: str, export: Export) -> IngestResult:
        """What an ingest of an export already stored reports: its counts and date as stored."""
        rows_read, records, quarantined, day, method, detail = self.con.execute(
            "SELECT rows_read, records, quarantined, data_date, date_method, date_detail FROM exports "
            "WHERE export_id = ?",
            [export_id],
        ).fetchall()[0]
        when = DataDate(day, DateMethod(method), detail or "") if method else export.data_date
        return IngestResult(export_id, export.source, when, True, int(rows_read), int(records), int(quarantined))

    def ingest_cac(self, export: Export, read: CacRead, registry: Registry) -> IngestResult:
        """Store the CAC register read from some attachments (one export) in one transaction."""
        frame = store_cac.filings_frame(export.export_id, read.filings)
        counts = (read.rows_read, len(read.filings), "filings and registrations", len(read.duplicates))
        return self._ingest_tables(export, counts, {"cac_filings": frame}, read.quarantined, registry)

    def ingest_cac_totals(self, export: Export, read: TotalsRead) -> IngestResult:
        """Store a table of the CAC register's published totals (one export) in one transaction."""
        frame = store_cac.totals_frame(export.export_id, read.totals)
        counts = (read.rows_read, len(read.totals), "published totals", 0)
        return self._ingest_tables(export, counts, {"cac_totals": frame}, read.quarantined, None)

    def _ingest_tables(
        self,
        export: Export,
        counts: tuple[int, int, str, int],
        frames: dict[str, pd.DataFrame],
        quarantined: list[QuarantinedRow],
        registry: Registry | None,
    ) -> IngestResult:
        """Store one export's frames in one transaction (a no-op when stored); ``counts``: rows read, records,
        their unit, duplicates."""
        rows_read, records, unit, duplicates = counts
        stored = self.has_export(export.export_id)
        where = (export.export_id, export.source, export.data_date, stored)
        result = IngestResult(*where, rows_read, records, len(quarantined), unit, duplicates)
        if stored:
            return result
        with self._transaction():
            self._insert_export(export, rows_read, records, len(quarantined))
            for table, frame in frames.items():
                self._insert_frame(table, frame)
            self._insert_quarantine(export.export_id, quarantined)
            if registry is not None:
                self._refresh_registry(registry)
        return result

    def _insert_export(self, export: Export, rows_read: int, records: int, quarantined: int) -> None:
        self.con.execute(
            "INSERT INTO exports BY NAME SELECT ? AS export_id, ? AS source, CAST(? AS DATE) AS data_date, "
            "? AS ingested_at, ? AS rows_read, ? AS records, ? AS quarantined, ? AS date_method, ? AS date_detail",
            [
                export.export_id,
                export.source,
                export.data_date.value,
                datetime.now(tz=UTC).replace(tzinfo=None),
                rows_read,
                records,
                quarantined,
                export.data_date.method.value,
                export.data_date.detail,
            ],
        )
        for snap in export.snapshots:
            self.con.execute(
                "INSERT INTO snapshots BY NAME SELECT ? AS snapshot_id, ? AS export_id, ? AS source, ? AS role, "
                "? AS location, ? AS member, ? AS retrieved_at, ? AS sha256, ? AS bytes, ? AS rows, ? AS license, "
                "? AS credit, CAST(? AS DATE) AS data_date, ? AS date_method, ? AS date_detail, ? AS scope",
                [
                    snap.snapshot_id,
                    export.export_id,
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
                    snap.data_date.value,
                    snap.data_date.method.value,
                    snap.data_date.detail,
                    snap.scope,
                ],
            )

    def _refresh_hub_roots(self) -> None:
        """Recompute the lineage root and base family of every stored repo."""
        harvests = self._scalar("SELECT count(*) FROM exports WHERE source = 'huggingface'")
        latest, drop = (
            (HUB_LATEST_ONE, "DROP VIEW hub_latest;") if harvests == 1 else (HUB_LATEST_MANY, "DROP TABLE hub_latest;")
        )
        self.con.execute(latest + HUB_ROOTS_SQL.format(family=family_case("root_id", base_families())) + drop)

    def save_hub_profiles(self, profiles: list[HubProfile], registry: Registry) -> None:
        """Keep the Hub profiles a live harvest fetched and resolve the handles again with them (one transaction)."""
        with self._transaction():
            store_handles.save_profiles(self.con, profiles)
            store_handles.refresh(self.con, registry, store_handles.registry_fingerprint(registry))

    def resolved_handles(self) -> int:
        """How many stored handles have an organization or a kind (an individual's, a community group's)."""
        return int(str(self._scalar("SELECT count(*) FROM hub_handles WHERE org_id IS NOT NULL OR kind IS NOT NULL")))

    def handles_to_profile(self, limit: int) -> list[str]:
        """Unresolved handles no profile was fetched for, the most downloaded first (:mod:`.handles`)."""
        return store_handles.to_profile(self.con, limit)

    def refresh_registry(self, registry: Registry) -> None:
        """Re-resolve every stored organization name against ``registry`` (one transaction)."""
        with self._transaction():
            self._refresh_registry(registry)

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
            ("cac_entities", store_cac.entities_frame(self.con, registry)),
        ):
            self.con.execute(f"DELETE FROM {table}")
            self._insert_frame(table, frame)
        fingerprint = store_handles.registry_fingerprint(registry)
        store_handles.refresh(self.con, registry, fingerprint)
        self.con.execute("INSERT OR REPLACE INTO meta VALUES ('registry_fingerprint', ?)", [fingerprint])

    def registry_fingerprint(self) -> str | None:
        value = self._scalar("SELECT value FROM meta WHERE key = 'registry_fingerprint'")
        return None if value is None else str(value)

    # -- linkage results (derived: a cache of linkage.link over the stored records) -------------------

    def has_links(self, links_key: str) -> bool:
        """Whether the store (or this reader) holds the canonical links of one state of the store."""
        if not self._has_table("canonical_links"):
            return False
        return bool(self._scalar("SELECT count(*) FROM canonical_links WHERE links_key = ? LIMIT 1", [links_key]))

    def link(
        self,
        links_key: str,
        others: list[SourceRecord],
        registry: Registry,
        probabilistic: bool = True,
        *,
        stage_population: bool = False,
    ) -> store_links.LinkRun:
        """Link the stored records (:mod:`modelcensus.store.links`) and keep the result, replacing any other (one
        transaction); a read-only store keeps it in temporary tables of this reader. ``stage_population``: a writer
        whose census records are saved next (:meth:`save_population`, before anything else is written) makes their
        Hub repos while it links (:func:`modelcensus.store.population_hub.stage`); :meth:`drop_staged_population`
        after."""
        if self.read_only:
            self.con.execute(store_links.LINKS_DDL.format(temp="TEMP") + store_links.SCHEMA.format(temp="TEMP"))
            return store_links.run(
                self.con, registry, links_key, others, reuse=False, probabilistic=probabilistic, read_only=True
            )
        beside = functools.partial(store_population_hub.stage, self.con) if stage_population else None
        with self._transaction():
            return store_links.run(self.con, registry, links_key, others, probabilistic=probabilistic, beside=beside)

    def drop_staged_population(self) -> None:
        """Drop what :meth:`link` made ahead for the census records, if they did not take it."""
        if not self.read_only:
            store_population_hub.drop_staged(self.con)

    def link_as_of(self, others: list[SourceRecord], registry: Registry, as_of: date) -> list[CanonicalModel]:
        """The canonical models of the records in force on a date, linked afresh (not kept)."""
        tables = ("link_as_of_links", "link_as_of_evidence")
        ddl = store_links.LINKS_DDL.replace("canonical_links", tables[0]).replace("link_evidence", tables[1])
        self.con.execute(ddl.format(temp="TEMP"))
        store_links.run(
            self.con, registry, "as-of", others, as_of=as_of, tables=tables, reuse=False, read_only=self.read_only
        )
        models = store_links.load_models(self.con, *tables, "as-of")
        self.con.execute(f"DROP TABLE temp.{tables[0]}; DROP TABLE temp.{tables[1]}")
        return models

    def link_summary(self, links_key: str, run: store_links.LinkRun | None = None) -> LinkSummary:
        """How many canonical models the stored links make, which several sources know, and how the run that made
        them went (:func:`modelcensus.store.links.summary`)."""
        return store_links.summary(self.con, links_key, run)

    def link_table(self, links_key: str) -> pd.DataFrame:
        """One row per record: its canonical model id and name, source and id."""
        frame: pd.DataFrame = self.con.execute(
            "SELECT model_id AS id, model_name AS name, source, source_id FROM canonical_links WHERE links_key = ? "
            "ORDER BY model_id, position",
            [links_key],
        ).df()
        return frame

    def load_links(self, links_key: str, only: set[str] | None = None) -> list[CanonicalModel] | None:
        """The canonical models saved for ``links_key`` (``only``: those of these ids), or None when the store has
        none for it."""
        if not self.has_links(links_key):
            return None
        return store_links.load_models(self.con, "canonical_links", "link_evidence", links_key, only)

    def linked_model_id(self, links_key: str, ref: str) -> str | None:
        """The id of the canonical model ``ref`` names: a model's id, else the model of the record
        ``source:source_id`` (the first by id, if several); None when none does."""
        source, _, source_id = ref.partition(":")
        found = self._scalar(
            "SELECT model_id FROM canonical_links WHERE links_key = $1 AND (model_id = $2 OR (source = $3 AND "
            "source_id = $4)) ORDER BY model_id = $2 DESC, model_id LIMIT 1",
            [links_key, ref, source, source_id],
        )
        return None if found is None else str(found)

    def meta(self, key: str) -> str | None:
        value = self._scalar("SELECT value FROM meta WHERE key = ?", [key])
        return None if value is None else str(value)

    def set_meta(self, key: str, value: str) -> None:
        """Set one ``meta`` value (a writer's)."""
        if self.read_only:
            raise StoreError(f"{self.path}: opened read-only; {key!r} is recorded by a writer")
        self.con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])

    def has_table(self, name: str) -> bool:
        return self._has_table(name)

    def ensure_population_tables(self) -> None:
        """A read-only store of an earlier schema has no census-record tables: this reader gets empty temporary ones
        (filled by :mod:`modelcensus.linking` when a figure needs them). Once per reader: the attached file does not
        change under it."""
        if self._reader_tables_made:
            return
        if self.read_only and not self.has_table("census_records"):
            self.con.execute(store_population.SCHEMA.format(temp="TEMP"))
            store_population.ensure_view(self.con, temp=True)
        if self.read_only:
            store_cac.ensure_tables(self.con, self.has_table)
            store_population.ensure_cac_links(self.con, self.has_table)
            self._reader_tables_made = True
            self.temp_tables_made()

    def temp_tables_made(self) -> None:
        """Say that this reader made temporary tables that stand in for stored ones: the tables it describes change
        (:attr:`shape`)."""
        self._temp_generation += 1

    @property
    def shape(self) -> str | None:
        """What identifies the tables a read-only reader sees (the attached file cannot change under it: only the
        temporary tables it makes itself, :meth:`temp_tables_made`); None for a writer, whose tables change with
        what it writes."""
        return f"read-only:{self._temp_generation}" if self.read_only else None

    def export_ids(self) -> list[str]:
        return store_meta.export_ids(self.con)

    def hub_authors(self, as_of: date | None = None) -> list[tuple[str, str]]:
        """Every Hub repo harvested on or before ``as_of`` (ever, without it) with its author."""
        rows = self.con.execute(
            "SELECT DISTINCT repo_id, author FROM hub_models JOIN exports USING (export_id) "
            "WHERE ? IS NULL OR data_date <= ? ORDER BY repo_id, author",
            [as_of, as_of],
        ).fetchall()
        return [(str(repo), str(author)) for repo, author in rows]

    def current_catalog(self, sources: tuple[str, ...], as_of: date | None = None) -> pd.DataFrame:
        """The catalogue records of each source's newest export dated on or before ``as_of``."""
        placeholders = ", ".join("?" for _ in sources)
        frame: pd.DataFrame = self.con.execute(
            f"""
            SELECT c.* FROM catalog_records c JOIN (
                SELECT export_id FROM exports WHERE source IN ({placeholders}) AND (? IS NULL OR data_date <= ?)
                QUALIFY row_number() OVER (PARTITION BY source ORDER BY data_date DESC NULLS LAST, ingested_at DESC) = 1
            ) USING (export_id)
            """,
            [*sources, as_of, as_of],
        ).df()
        return frame

    def kept(self, keys: list[str]) -> dict[str, tuple[str, int]]:
        """The derived tables a build kept for ``keys`` (:mod:`modelcensus.store.kept`): ``{key: (table, rows)}``.
        Whether the store keeps any is asked once by a reader (its attached file cannot change), every time by a
        writer."""
        if self._kept_index is None or not self.read_only:
            self._kept_index = store_kept.has_index(self.con)
        return store_kept.lookup(self.con, keys) if self._kept_index else {}

    def kept_row(self, key: str) -> tuple[object, ...] | None:
        """The one row a build kept for ``key`` (:func:`modelcensus.store.kept.kept_row`); None when none was kept."""
        return store_kept.kept_row(self.con, key)

    def keep(self, key: str, sql: str, params: Sequence[object] | None = None) -> tuple[str, int]:
        """Keep the result of ``sql`` (with ``params``) as a derived table for ``key`` (a writer's): its name and
        rows."""
        if self.read_only:
            raise StoreError(f"{self.path}: opened read-only; derived tables are kept by a writer (build)")
        with self._transaction():
            return store_kept.keep(self.con, key, sql, params)

    def drop_kept(self, keys: list[str]) -> int:
        """Drop the derived tables kept for other keys than ``keys``: how many."""
        if self.read_only:
            return 0
        with self._transaction():
            return store_kept.drop_all_but(self.con, keys)

    def save_population(self, key: str, registry: Registry) -> None:
        """Rebuild the census records for one state of the store (see :mod:`modelcensus.store.population`)."""
        with self._transaction():
            store_population.refresh(self.con, key, registry)
            self.con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [store_meta.POPULATION_KEY, key])

    def fingerprint(self) -> str:
        """A digest of everything stored; equal before and after a no-op re-ingest.

        Each table's rows are hashed as JSON inside DuckDB and combined in sorted order (the rows' order does not
        matter; a row stored twice does). The wall-clock time of each ingest (``exports.ingested_at``) is left
        out: two runs that store the same data have the same fingerprint.
        """
        digest = hashlib.sha256()
        for table in TABLES:
            if table == "meta":
                continue
            columns = "* EXCLUDE (ingested_at)" if table == "exports" else "*"
            rows, combined = self.con.execute(
                "SELECT count(*), md5(coalesce(string_agg(h, '' ORDER BY h), '')) FROM "
                f"(SELECT md5(CAST(to_json(t) AS VARCHAR)) AS h FROM (SELECT {columns} FROM {table}) t)"
            ).fetchall()[0]
            digest.update(f"{table}:{rows}:{combined};".encode())
        return digest.hexdigest()
