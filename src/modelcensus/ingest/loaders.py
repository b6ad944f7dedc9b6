"""Sources → records → store: each source read (a saved file or the live source) and stored as one export, in its
own transaction, dated in the documented order.

A :class:`Loader` writes the DuckDB store; it is what ``mc.open(path)`` uses for ``census.ingest_*`` and what
the ``build`` pipeline (:mod:`.pipeline`) drives.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

from modelcensus.config import Config
from modelcensus.errors import HarvestStopped, InputFormatError, QueryError
from modelcensus.ingest.reports import Failure, IngestReport
from modelcensus.orgs import Registry
from modelcensus.provenance import DataDate, DateMethod, Export, SourceSnapshot, export_date, sha256_bytes
from modelcensus.records import CatalogRecord, QuarantinedRow, RatingRecord, hardware_vendor
from modelcensus.sources import cac, cac_totals, epoch, hub_profiles, huggingface, litellm, lmarena, openrouter, tabular
from modelcensus.sources.dating import declared_rights, file_date
from modelcensus.sources.files import readable
from modelcensus.sources.http import download, fetched_from, live_date
from modelcensus.store import Store, registry_fingerprint

Digest = tuple[str, int]
"""A file's sha256 and size."""

ProgressFn = Callable[[int], None]


@dataclass(frozen=True)
class CatalogFile:
    """One file of a catalogue export, with what its snapshot records of it: the rows it holds, its licence and
    credit."""

    path: Path
    location: str
    data: bytes
    role: str
    when: DataDate
    rows: int
    license: str
    credit: str
    scope: str = ""


def _file_time(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)


def _snapshot(
    source: str,
    role: str,
    path: Path,
    location: str,
    data: bytes,
    rows: int,
    license_: str,
    credit: str,
    when: DataDate,
) -> SourceSnapshot:
    return SourceSnapshot(
        source, role, location, _file_time(path), sha256_bytes(data), len(data), rows, license_, credit, data_date=when
    )


class Loader:
    """Reads sources into the store, resolving organizations with the registry as it goes."""

    def __init__(self, store: Store, registry: Callable[[], Registry], config: Config) -> None:
        self.store = store
        self._registry = registry
        self.config = config

    @property
    def registry(self) -> Registry:
        return self._registry()

    def ingest_epoch(
        self,
        path: Path | None = None,
        progress: ProgressFn | None = None,
        dated: date | None = None,
        exports: list[list[epoch.RawFile]] | None = None,
    ) -> IngestReport:
        """Ingest Epoch AI exports from ``path`` (zip, CSV or folder; each export of its own date is a vintage),
        ``exports`` already found, or the live download."""
        if exports is not None:
            return self.store_epoch([epoch.parse_export(files, progress) for files in exports])
        if path is not None:
            readable(path, folder=True)
        if path is None:
            files = epoch.fetch_live(
                self.config.epoch_url,
                self.config.cache_dir,
                timeout_s=self.config.http_timeout_s,
                retries=self.config.http_retries,
                backoff_s=self.config.http_backoff_s,
            )
            if dated is not None:
                files = [replace(f, fixed_date=DataDate(dated, DateMethod.OPTION, "given with --dated")) for f in files]
            exports = [files]
        else:
            exports = epoch.discover(path, dated)
            if not exports:
                raise QueryError(f"{path}: no Epoch AI model export found (looked for CSV files with Epoch's columns)")
        return self.store_epoch([epoch.parse_export(files, progress) for files in exports])

    def store_epoch(self, parsed: list[epoch.ParsedExport]) -> IngestReport:
        """Store parsed Epoch exports, oldest first, each in its own transaction."""
        parsed.sort(key=lambda p: p.export.data_date.value or date.min)
        report = IngestReport()
        for p in parsed:
            vendors = {hw: hardware_vendor(hw) for r in p.records for hw in r.training_hardware}
            report.results.append(
                self.store.ingest(p.export, p.records, p.quarantined, p.rows_read, self.registry, vendors)
            )
            report.quarantined.extend(p.quarantined)
            for token, n in p.unknown_country_tokens.items():
                report.unknown_country_tokens[token] = report.unknown_country_tokens.get(token, 0) + n
            for token, n in p.ignored_country_tokens.items():
                report.ignored_country_tokens[token] = report.ignored_country_tokens.get(token, 0) + n
        if self.store.registry_fingerprint() != registry_fingerprint(self.registry):
            self.store.refresh_registry(self.registry)  # the registry changed since these exports were stored
        return report

    def ingest_huggingface(
        self,
        path: Path | None = None,
        *,
        endpoint: str | None = None,
        authors: Sequence[str] = (),
        limit: int | None = None,
        since: date | None = None,
        sort: str = "createdAt",
        resume: bool = False,
        progress: ProgressFn | None = None,
        stop_after_pages: int | None = None,
        dated: date | None = None,
        profile_lookups: int | None = None,
    ) -> IngestReport:
        """Ingest Hub listings from ``path`` (a file or every listing under a folder), or harvest the Hub.

        A live harvest writes its pages to a JSONL snapshot in the cache first and reaches the store
        only once complete; ``resume`` continues the newest unfinished crawl of the same query. It then asks the
        Hub for the profile of up to ``profile_lookups`` handles still unresolved (default: the configured
        ``hub_profile_lookups``; 0: none): see :meth:`lookup_hub_profiles`.
        """
        report = IngestReport()
        if path is not None:
            readable(path, folder=True)
            listings = list(huggingface.iter_listings(path)) if path.is_dir() else [(path, None)]
            if not listings:
                raise QueryError(f"{path}: no Hugging Face model listing found")
            for file, shape in listings:
                read, digest = self._read_listing(file, shape)

                def export_of(read: huggingface.ListingRead, file: Path = file, digest: Digest = digest) -> Export:
                    when = read.observed_at or huggingface.file_time(file)
                    day = file_date(file, dated, read.data_date)
                    return huggingface.listing_export(read, str(file), when, day, digest)

                report.results.append(self.store.ingest_hub(export_of, read, self.registry))
            return report
        query = huggingface.HarvestQuery(
            endpoint=endpoint or self.config.hub_endpoint, authors=tuple(authors), sort=sort, limit=limit, since=since
        )
        harvest = huggingface.harvest(
            query,
            self.config.cache_dir,
            resume=resume,
            retries=self.config.http_retries,
            backoff_s=self.config.http_backoff_s,
            timeout_s=self.config.http_timeout_s,
            on_page=progress,
            stop_after_pages=stop_after_pages,
        )
        if not harvest.location:
            raise HarvestStopped(harvest)
        read, digest = self._read_listing(harvest.path, "jsonl")
        crawled = harvest.retrieved_at.date()
        harvested = (
            DataDate(dated, DateMethod.OPTION, "given with --dated")
            if dated
            else DataDate(
                crawled, DateMethod.RETRIEVED, f"harvested live from {harvest.location} on {crawled.isoformat()}"
            )
        )

        def harvested_export(read: huggingface.ListingRead) -> Export:
            scope = huggingface.harvest_scope(query, read.stored)
            return huggingface.listing_export(read, harvest.location, harvest.retrieved_at, harvested, digest, scope)

        report.results.append(self.store.ingest_hub(harvested_export, read, self.registry))
        report.profiles = self.lookup_hub_profiles(query.endpoint, profile_lookups)
        return report

    def lookup_hub_profiles(self, endpoint: str, limit: int | None = None) -> dict[str, int]:
        """Ask the Hub for the profile of each handle still unresolved (the most downloaded first, at most ``limit``,
        by default the configured ``hub_profile_lookups``), keep the answers and resolve the handles again."""
        limit = self.config.hub_profile_lookups if limit is None else limit
        handles = self.store.handles_to_profile(limit) if limit > 0 else []
        if not handles:
            return {}
        resolved_before = self.store.resolved_handles()
        lookup = hub_profiles.fetch_profiles(
            endpoint, handles, retries=self.config.http_retries, backoff_s=self.config.http_backoff_s
        )
        self.store.save_hub_profiles(lookup.profiles, self.registry)
        counts = {kind: sum(p.kind == kind for p in lookup.profiles) for kind in hub_profiles.PROFILE_KINDS}
        counts["failed"] = len(lookup.failed)
        counts["resolved"] = self.store.resolved_handles() - resolved_before
        return counts

    def _read_listing(self, path: Path, shape: str | None) -> tuple[huggingface.ListingRead, Digest]:
        """Read a listing: a JSON Lines file in one pass (the store counts its rows as it inserts them; its sha256,
        the export's id, first), another file scanned in the store's engine while its sha256 is computed on
        another thread."""
        shape = shape or huggingface.detect_shape(path)
        if shape == "jsonl":
            return huggingface.read_listing(self.store.con, path, shape, one_pass=True), huggingface.file_digest(path)
        with ThreadPoolExecutor(max_workers=1) as pool:
            digest = pool.submit(huggingface.file_digest, path)
            read = huggingface.read_listing(self.store.con, path, shape)
            return read, digest.result()

    def refresh_registry(self) -> None:
        """Re-resolve stored organization names with the current registry."""
        self.store.refresh_registry(self.registry)

    def _fetch(self, url: str, name: str) -> tuple[Path, DataDate]:
        when = datetime.now(tz=UTC)
        dest = self.config.cache_dir / name.split("/")[0] / f"{when:%Y%m%dT%H%M%SZ}-{name.split('/')[-1]}"
        path = download(
            url,
            dest,
            timeout_s=self.config.http_timeout_s,
            retries=self.config.http_retries,
            backoff_s=self.config.http_backoff_s,
        )
        return path, live_date(path, when)

    def _store_catalog(
        self,
        source: str,
        files: list[tuple[Path, str, bytes, str, DataDate]] | list[CatalogFile],
        records: list[CatalogRecord],
        ratings: list[RatingRecord],
        quarantined: list[QuarantinedRow],
        license_: str,
        credit: str,
        rows_read: int,
        dated: date | None = None,
    ) -> IngestReport:
        """Store one export of a catalogue source. A file given as a :class:`CatalogFile` keeps its own row count,
        licence and credit (an export may join files of several upstreams: LMArena's catalog and a history kept
        by someone else); a bare tuple is the export's only file, with the export's."""
        snapshots = tuple(
            replace(
                _snapshot(source, f.role, f.path, f.location, f.data, f.rows, f.license, f.credit, f.when),
                scope=f.scope,
            )
            if isinstance(f, CatalogFile)
            else _snapshot(source, f[3], f[0], f[1], f[2], rows_read, license_, credit, f[4])
            for f in files
        )
        when = DataDate(dated, DateMethod.OPTION, "given with --dated") if dated else export_date(snapshots)
        export = Export(source, when, snapshots)
        report = IngestReport()
        report.results.append(
            self.store.ingest_catalog(export, records, ratings, quarantined, rows_read, self.registry)
        )
        report.quarantined.extend(quarantined)
        return report

    def _local_or_live(self, path: Path | None, url: str, name: str, dated: date | None) -> tuple[Path, DataDate]:
        """A saved file (its date found in the documented order later) or a live download and its date."""
        if path is None:
            return self._fetch(url, name)
        return readable(path), DataDate(dated, DateMethod.OPTION, "given with --dated") if dated else DataDate(None)

    def ingest_openrouter(self, path: Path | None = None, dated: date | None = None) -> IngestReport:
        """OpenRouter's model list (``{"data": [...]}`` or a bare list), live or from a saved file.

        Dated by ``dated``, a datapackage, the newest ``created`` of its models (a lower bound), the file name."""
        file, fixed = self._local_or_live(path, openrouter.URL, "openrouter/models.json", dated)
        data = file.read_bytes()
        if not openrouter.looks_like(data):
            raise InputFormatError("not an OpenRouter /api/v1/models listing", file=str(file))
        records = openrouter.parse(data, str(file))
        created = [r.published_on for r in records if r.published_on]
        itself = (
            DataDate(max(created), DateMethod.DATA, "the newest 'created' of its models (the listing is no older)")
            if created
            else None
        )
        when = self._date(path, file, fixed, itself)
        return self._store_catalog(
            "openrouter",
            [(file, str(path or openrouter.URL), data, "models", when)],
            records,
            [],
            [],
            openrouter.LICENSE,
            openrouter.CREDIT,
            len(records),
        )

    @staticmethod
    def _date(path: Path | None, file: Path, fixed: DataDate, itself: DataDate | None) -> DataDate:
        """``--dated`` first; for a live download the data's own date, else what the download says; for a
        saved file the documented order (datapackage, the data, the name)."""
        if fixed.method is DateMethod.OPTION and fixed.value is not None:
            return fixed
        if path is None:
            return itself if itself is not None else fixed
        return file_date(file, None, itself)

    def ingest_litellm(self, path: Path | None = None, dated: date | None = None) -> IngestReport:
        """The litellm provider catalogue (a deployment and pricing view: no developer, no country, no date)."""
        file, fixed = self._local_or_live(path, litellm.URL, "litellm/model_prices_and_context_window.json", dated)
        data = file.read_bytes()
        if not litellm.looks_like(data):
            raise InputFormatError("not a litellm model_prices_and_context_window catalogue", file=str(file))
        records = litellm.parse(data, str(file))
        return self._store_catalog(
            "litellm",
            [(file, str(path or litellm.URL), data, "catalogue", self._date(path, file, fixed, None))],
            records,
            [],
            [],
            litellm.LICENSE,
            litellm.CREDIT,
            len(records),
        )

    def ingest_lmarena(
        self,
        path: Path | None = None,
        dated: date | None = None,
        files: list[Path] | None = None,
        tolerate: bool = False,
    ) -> IngestReport:
        """LMArena: leaderboards (ratings with intervals), the scatterplot (organization, licence) and the
        dated rating history; a folder (or the live catalog, or ``files``) is one export.

        A leaderboard carries no date: its ratings are dated by ``dated``, its resource in a datapackage, or a
        date in its name; a live fetch by the server's Last-Modified, else the day it was fetched. A leaderboard
        of unknown date is stored with its ratings undated (the frontier cannot place them in time)."""
        fixed: dict[Path, DataDate] = {}
        if files is not None:
            chosen = list(files)
        elif path is None:
            chosen = []
            for name in lmarena.LIVE_FILES:
                fetched, when = self._fetch(lmarena.BASE_URL + name, f"lmarena/{name}")
                chosen.append(fetched)
                fixed[fetched] = when
        elif readable(path, folder=True).is_dir():
            chosen = [p for p in sorted(path.rglob("*")) if p.is_file() and p.suffix.lower() in {".json", ".csv"}]
        else:
            chosen = [path]
        records: list[CatalogRecord] = []
        ratings: list[RatingRecord] = []
        used: list[CatalogFile] = []
        failed: list[Failure] = []
        for file in chosen:
            try:
                self._lmarena_file(file, path, files, dated, fixed, records, ratings, used)
            except InputFormatError as exc:
                if not tolerate:
                    raise
                failed.append(Failure("lmarena", str(file), str(exc)))
        if not used:
            if failed:
                raise InputFormatError(f"no LMArena file could be read ({failed[0].message})", file=failed[0].location)
            raise InputFormatError("no LMArena leaderboard, scatterplot or history file found", file=str(path))
        listed = {r.source_id for r in records}
        records.extend(r for r in lmarena.catalog_from_leaderboards(ratings) if r.source_id not in listed)
        report = self._store_catalog(
            "lmarena",
            used,
            records,
            ratings,
            [],
            lmarena.LICENSE,
            lmarena.CREDIT,
            len(records) + len(ratings),
            dated,
        )
        report.failed.extend(failed)
        return report

    def _lmarena_file(
        self,
        file: Path,
        path: Path | None,
        files: list[Path] | None,
        dated: date | None,
        fixed: dict[Path, DataDate],
        records: list[CatalogRecord],
        ratings: list[RatingRecord],
        used: list[CatalogFile],
    ) -> None:
        """Read one LMArena file into ``records``/``ratings`` and note it in ``used``, with the rows it holds and
        its own licence and credit: the history is nakasyou's (MIT), not the arena-catalog's."""
        data = file.read_bytes()
        kind = lmarena.kind_of(file, data)
        if kind is None and path is None:  # a fetched or chosen file must be used
            raise InputFormatError("not an LMArena leaderboard or scatterplot (cut or garbled?)", file=str(file))
        if kind is None:
            return
        itself = None
        rows = 0
        if kind == "history":
            history = lmarena.parse_history(data, str(file))
            ratings.extend(history)
            rows = lmarena.history_rows(data)
            days = [r.rated_on for r in history if r.rated_on]
            itself = DataDate(max(days), DateMethod.DATA, "the newest date of its rows") if days else None
        when = self._date(
            None if file in fixed else file,
            file,
            DataDate(dated, DateMethod.OPTION, "given with --dated") if dated else fixed.get(file, DataDate(None)),
            itself,
        )
        if kind == "scatterplot":
            listed = lmarena.parse_scatterplot(data, str(file))
            records.extend(listed)
            rows = len(listed)
        elif kind != "history":
            board = lmarena.parse_leaderboard(data, str(file), when.value, kind.removeprefix("leaderboard:"))
            ratings.extend(board)
            rows = len(board)
        license_, credit = lmarena.rights_of(kind)
        used.append(CatalogFile(file, str(file), data, kind, when, rows, license_, credit))

    def ingest_tabular(
        self, path: Path, mapping: Path, dated: date | None = None, name: str | None = None
    ) -> IngestReport:
        """Any CSV / JSON / XLSX list with a YAML column mapping (a register, a company's own list, …), stored as
        the source ``name`` (else the mapping's ``source``, else ``tabular``): each name is a list of its own."""
        readable(path)
        spec = tabular.named(tabular.load_mapping(readable(mapping)), name)
        records, quarantined = tabular.parse(path, spec)
        data = path.read_bytes()
        rows = len(records) + len(quarantined)
        when = file_date(path, dated)
        listed = CatalogFile(
            path, str(path), data, tabular.ROLE, when, rows, spec.license_of_data, spec.credit, spec.scope
        )
        return self._store_catalog(
            spec.source, [listed], records, [], quarantined, spec.license_of_data, spec.credit, rows
        )

    def ingest_cac(
        self, paths: Sequence[Path] = (), *, urls: Sequence[str] = (), dated: date | None = None
    ) -> IngestReport:
        """China's CAC register: its attachments (xlsx or CSV; a folder: every attachment in it, recognised by
        content) read together as one export (they are deltas: merged, each filing once), and tables of its
        published totals (each an export of ``cac-totals``). Without ``paths``, the live attachments: those of the
        CAC notice pages or attachment ``urls`` (default :attr:`~modelcensus.config.Config.cac_urls`).

        Each attachment is dated by ``dated``, a datapackage, its newest filing date (a lower bound), its name;
        a live one by the server's Last-Modified, else the day it was fetched."""
        retrieved = datetime.now(tz=UTC)
        live = not paths
        files = cac.downloaded(cac.fetch(self.config, urls)) if live else _cac_files(paths)
        totals = [f for f in files if cac_totals.is_totals(f)]
        attachments = [f for f in files if f not in totals]
        report = IngestReport()
        if attachments:
            reads = [cac.read_file(f) for f in attachments]
            merged = cac.merge(reads)
            snapshots = []
            for file, one in zip(attachments, reads, strict=True):
                days = [x.filed_on for x in one.filings if x.filed_on]
                itself = DataDate(max(days), DateMethod.DATA, "the newest filing date of its rows") if days else None
                when = self._cac_date(file, live, retrieved, dated, itself)
                location = fetched_from(file) if live else None
                license_, credit = (None if live else declared_rights(file)) or (cac.LICENSE, cac.CREDIT)
                snapshots.append(
                    _snapshot(
                        cac.SOURCE,
                        cac.ROLE,
                        file,
                        location or str(file),
                        file.read_bytes(),
                        one.rows_read,
                        license_,
                        credit or cac.CREDIT,
                        when,
                    )
                )
            export = Export(cac.SOURCE, _dated(dated) or export_date(snapshots), tuple(snapshots))
            report.results.append(self.store.ingest_cac(export, merged, self.registry))
            report.quarantined.extend(merged.quarantined)
        for file in totals:
            read = cac_totals.read(file)
            when = self._cac_date(file, live, retrieved, dated, None)
            snap = _snapshot(
                cac_totals.SOURCE,
                cac_totals.ROLE,
                file,
                fetched_from(file) or str(file),
                file.read_bytes(),
                read.rows_read,
                cac_totals.LICENSE,
                cac_totals.CREDIT,
                when,
            )
            report.results.append(self.store.ingest_cac_totals(Export(cac_totals.SOURCE, when, (snap,)), read))
            report.quarantined.extend(read.quarantined)
        return report

    @staticmethod
    def _cac_date(file: Path, live: bool, retrieved: datetime, dated: date | None, itself: DataDate | None) -> DataDate:
        if dated is not None:
            return DataDate(dated, DateMethod.OPTION, "given with --dated")
        if live:
            return live_date(file, retrieved)
        return file_date(file, None, itself)


def _dated(dated: date | None) -> DataDate | None:
    return DataDate(dated, DateMethod.OPTION, "given with --dated") if dated is not None else None


def _cac_files(paths: Sequence[Path]) -> list[Path]:
    """The files given: a file as it is (it must be a CAC attachment or totals table), a folder's CAC files."""
    files: list[Path] = []
    for path in paths:
        if readable(path, folder=True).is_dir():
            found = [
                p
                for p in sorted(path.rglob("*"))
                if p.is_file() and (cac_totals.is_totals(p) or cac.kind_of(p) == "attachment")
            ]
            if not found:
                raise InputFormatError(
                    "no CAC attachment or table of published totals found in the folder", file=str(path)
                )
            files.extend(found)
        else:
            files.append(path)
    return list(dict.fromkeys(files))
