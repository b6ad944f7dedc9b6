"""The facade: the :class:`Census` object behind ``mc.open(...)``, the only thing outputs talk to.

Read methods return pandas DataFrames whose ``attrs`` carry the figure's provenance: the
definition in words, the counting rule, the attribution, the denominator and the source snapshots.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, cast

import ibis
import pandas as pd

from modelcensus.census_catalog import DefinitionMethods
from modelcensus.census_coverage import CoverageMethods
from modelcensus.census_overview import OverviewMethods
from modelcensus.census_profiles import ProfileMethods
from modelcensus.census_vintages import VintageMethods
from modelcensus.config import Config
from modelcensus.errors import QueryError
from modelcensus.ingest import BuildReport, IngestReport, Progress
from modelcensus.ingest import build as build_census
from modelcensus.metrics import (
    RULE_TEXT,
    CensusTables,
    Filters,
    count_models,
    current_exports,
    hardware_by_vendor,
    model_groups,
    model_statistics,
    select_models,
)
from modelcensus.orgs import Registry, Resolution, load_registry

__all__ = ["BuildReport", "Census", "IngestReport", "build", "load_registry", "open"]
from modelcensus import store_population
from modelcensus.metrics.core import epoch_roles
from modelcensus.metrics.hub import HubFilters, count_hub, trend_hub
from modelcensus.metrics.hub import hub_current as hub_current_table
from modelcensus.provenance import DataDate, DateMethod
from modelcensus.records import country_code, country_name, hardware_vendor, split_list
from modelcensus.sources import epoch, huggingface
from modelcensus.sources.dating import file_date
from modelcensus.store import Store, registry_fingerprint

ProgressFn = Callable[[int], None]


def _execute(expr: Any) -> pd.DataFrame:
    """Run an Ibis expression on its backend; the one place the facade materialises results."""
    frame: pd.DataFrame = expr.execute()
    return frame


def _label(dimension: str, value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return f"(no {dimension.replace('_', ' ')})"
    if dimension == "country":
        return country_name(str(value))
    return str(value)


class Census(ProfileMethods, OverviewMethods, VintageMethods, CoverageMethods, DefinitionMethods):
    """A census store opened for reading (and, unless read-only, for ingesting)."""

    def __init__(
        self, path: Path | str | None = None, *, config: Config | None = None, read_only: bool = False
    ) -> None:
        self.config = config or Config()
        self.path = Path(path) if path is not None else self.config.db_path
        self.store = Store(self.path, read_only=read_only, memory_limit=self.config.duckdb_memory_limit)
        self._backend = ibis.duckdb.from_connection(self.store.con)
        self._registry: Registry | None = None

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Census:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def registry(self) -> Registry:
        if self._registry is None:
            self._registry = load_registry(fuzzy_threshold=self.config.fuzzy_threshold)
        return self._registry

    @property
    def tables(self) -> CensusTables:
        """The stored tables as Ibis tables. The census records behind definitions may be stale here: figures over
        them read :attr:`population_tables`, which brings them up to date first."""
        if self.store.read_only and not self.store.has_table("census_records"):  # a store of an earlier version
            self.store.con.execute(store_population.SCHEMA.format(temp="TEMP"))
        b = self._backend
        return CensusTables(**{name: b.table(name) for name in CensusTables.__dataclass_fields__})

    @property
    def population_tables(self) -> CensusTables:
        """:attr:`tables` with the census records matching the stored exports and links (linkage runs first if
        needed: once per store state)."""
        self.ensure_population()
        return self.tables

    # -- ingest ---------------------------------------------------------------------------------

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
    ) -> IngestReport:
        """Ingest Hub listings from ``path`` (a file or every listing under a folder), or harvest the Hub.

        A live harvest writes its pages to a JSONL snapshot in the cache first and reaches the store
        only once complete; ``resume`` continues the newest unfinished crawl of the same query.
        """
        report = IngestReport()
        if path is not None:
            listings = list(huggingface.iter_listings(path)) if path.is_dir() else [(path, None)]
            if not listings:
                raise QueryError(f"{path}: no Hugging Face model listing found")
            for file, shape in listings:
                read, digest = self._read_listing(file, shape)
                when = read.observed_at or huggingface.file_time(file)
                day = file_date(file, dated, read.data_date)
                export = huggingface.listing_export(read, str(file), when, day, digest)
                report.results.append(self.store.ingest_hub(export, read, self.registry))
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
            raise huggingface.HarvestStopped(harvest)
        read, digest = self._read_listing(harvest.path, "jsonl")
        crawled = harvest.retrieved_at.date()
        harvested = (
            DataDate(dated, DateMethod.OPTION, "given with --dated")
            if dated
            else DataDate(
                crawled, DateMethod.RETRIEVED, f"harvested live from {harvest.location} on {crawled.isoformat()}"
            )
        )
        scope = huggingface.harvest_scope(query, read.stored)
        export = huggingface.listing_export(read, harvest.location, harvest.retrieved_at, harvested, digest, scope)
        report.results.append(self.store.ingest_hub(export, read, self.registry))
        return report

    def _read_listing(self, path: Path, shape: str | None) -> tuple[huggingface.ListingRead, tuple[str, int]]:
        """Scan a listing in the store's engine while its sha256 is computed on another thread."""
        with ThreadPoolExecutor(max_workers=1) as pool:
            digest = pool.submit(huggingface.file_digest, path)
            read = huggingface.read_listing(self.store.con, path, shape)
            return read, digest.result()

    def refresh_registry(self) -> None:
        """Re-resolve stored organization names with the current registry."""
        self.store.refresh_registry(self.registry)

    # -- reading --------------------------------------------------------------------------------

    def _filters(self, **kwargs: Any) -> Filters:
        as_of = kwargs.pop("as_of", None)
        if isinstance(as_of, str):
            try:
                as_of = date.fromisoformat(as_of)
            except ValueError as exc:
                raise QueryError(f"as_of must be a date (YYYY-MM-DD), not {as_of!r}") from exc
        return Filters(as_of=as_of, **{k: v for k, v in kwargs.items() if v is not None})

    def _snapshot_provenance(self, filters: Filters) -> list[dict[str, str]]:
        # the model census reads Epoch's records, from the vintage that holds the population the filters admit
        return self.snapshots_in_force(["epoch"], filters.as_of, epoch_roles(filters.__dict__))

    def count(
        self,
        by: str | Sequence[str] = "country",
        *,
        year: int | None = None,
        since: int | None = None,
        until: int | None = None,
        notable: bool | None = None,
        frontier: bool | None = None,
        large_scale: bool | None = None,
        open_weights: str | None = None,
        domain: str | None = None,
        rule: str = "full",
        attribution: str = "as-published",
        as_of: date | str | None = None,
    ) -> pd.DataFrame:
        """Count and share of models per group.

        Columns: ``group`` (the first dimension of ``by``; ISO code for countries), ``group_name``,
        any further dimensions, ``count``, ``share``, ``denominator`` and ``models`` (distinct
        models in the group). ``attrs`` holds the definition, rule, attribution and snapshots.
        """
        filters = dict(
            year=year,
            since=since,
            until=until,
            notable=notable,
            frontier=frontier,
            large_scale=large_scale,
            open_weights=open_weights,
            domain=domain,
            as_of=as_of,
        )
        frame = self._grouped(count_models, by, rule, attribution, filters)
        if rule != "fractional":
            frame["count"] = frame["count"].round().astype("int64")
        frame["denominator"] = frame["denominator"].astype("int64")
        frame["models"] = frame["models"].astype("int64")
        return frame

    def _finish(self, frame: pd.DataFrame, dims: list[str]) -> pd.DataFrame:
        first = dims[0]
        frame = frame.rename(columns={first: "group"})
        frame = frame.astype({"group": object}).where(frame.notna(), None) if len(frame) else frame
        labels = [_label(first, v) for v in frame["group"]] if len(frame) else []
        frame.insert(1, "group_name", labels)
        for col in dims[1:]:
            if col in ("year",):
                frame[col] = frame[col].astype("Int64")
        ordered = ["group", "group_name", *dims[1:]]
        rest = [c for c in frame.columns if c not in ordered]
        return frame[ordered + rest].reset_index(drop=True)

    def _provenance(self, filters: Filters, rule: str, attribution: str, dims: list[str]) -> dict[str, Any]:
        rule_words = RULE_TEXT[rule]
        return {
            "definition": filters.describe(),
            "by": dims,
            "rule": rule,
            "rule_text": rule_words,
            "attribution": attribution,
            "denominator": "models that pass the filters"
            + (
                " in the same " + "/".join(d for d in dims[1:] if d in ("year", "month", "open_weights"))
                if any(d in ("year", "month", "open_weights") for d in dims[1:])
                else ""
            ),
            "snapshots": (snaps := self._snapshot_provenance(filters)),
            "note": _coverage_note(snaps, epoch_roles(filters.__dict__)),
        }

    def statistics(
        self,
        by: str | Sequence[str] = "country",
        *,
        rule: str = "full",
        attribution: str = "as-published",
        **filters: Any,
    ) -> pd.DataFrame:
        """Models, total and median training compute (FLOP) and parameters per group."""
        return self._grouped(model_statistics, by, rule, attribution, filters)

    def hardware(
        self,
        by: str | Sequence[str] = "country",
        *,
        rule: str = "full",
        attribution: str = "as-published",
        **filters: Any,
    ) -> pd.DataFrame:
        """Models per training-hardware vendor per group (the seed of a domestic-chips view)."""
        frame = self._grouped(hardware_by_vendor, by, rule, attribution, filters)
        frame["vendor"] = frame["vendor"].where(frame["vendor"].notna(), "(not reported)")
        return frame

    def _grouped(
        self, metric: Callable[..., Any], by: str | Sequence[str], rule: str, attribution: str, filters: dict[str, Any]
    ) -> pd.DataFrame:
        """Run a grouped metric of :mod:`modelcensus.metrics` and attach its provenance."""
        dims = [by] if isinstance(by, str) else list(by)
        f = self._filters(**filters)
        frame = self._finish(_execute(metric(self.tables, dims, f, rule, attribution)), dims)
        frame.attrs.update(self._provenance(f, rule, attribution, dims))
        return frame

    def models(
        self,
        *,
        country: str | None = None,
        organization: str | None = None,
        attribution: str = "as-published",
        limit: int | None = None,
        **filters: Any,
    ) -> pd.DataFrame:
        """The models behind a figure, with organizations, countries and source."""
        f = self._filters(**filters)
        t = self.tables
        m = select_models(t, f)
        if country is not None:
            code = _country_arg(country)
            groups = model_groups(t, "country", attribution, f)
            if code is None:
                m = m.anti_join(groups, ["export_id", "model_key"])
            else:
                m = m.semi_join(groups.filter(groups.group == code), ["export_id", "model_key"])
        if organization is not None:
            groups = model_groups(t, "organization", attribution, f)
            needle = organization.casefold()
            m = m.semi_join(groups.filter(groups.group.lower().contains(needle)), ["export_id", "model_key"])
        e = t.exports
        m = (
            m.join(e, "export_id")
            .select(
                "export_id",
                "model_key",
                "name",
                "published_on",
                "organizations",
                "countries_published",
                "country_field",
                "open_weights",
                "notable",
                "frontier",
                "large_scale",
                "parameters",
                "training_compute_flop",
                "link",
                "source",
                "data_date",
                "origins",
            )
            .order_by(["published_on", "name"])
        )
        if limit is not None:
            m = m.limit(limit)
        frame = _execute(m)
        resolved = self._resolved_countries(frame)
        frame.insert(6, "countries_resolved", resolved)
        frame["organizations"] = frame["organizations"].map(lambda v: list(v) if v is not None else [])
        frame["countries_published"] = frame["countries_published"].map(lambda v: list(v) if v is not None else [])
        frame["published_on"] = pd.to_datetime(frame["published_on"]).dt.date
        frame["source"] = frame["source"] + " " + pd.to_datetime(frame["data_date"]).dt.date.astype(str)
        frame = frame.drop(columns=["export_id", "data_date"]).rename(columns={"model_key": "id"})
        frame.attrs.update(
            {
                "definition": f.describe(),
                "attribution": attribution,
                "country": country,
                "organization": organization,
                "snapshots": self._snapshot_provenance(f),
            }
        )
        return frame

    def _resolved_countries(self, frame: pd.DataFrame) -> list[list[str]]:
        resolutions = {
            name: self.registry.resolve(name) for orgs in frame["organizations"] if orgs is not None for name in orgs
        }
        result = []
        for orgs in frame["organizations"]:
            codes: list[str] = []
            for name in orgs if orgs is not None else []:
                res = resolutions[name]
                if res.org:
                    codes.extend(c for c in res.org.countries if c not in codes)
            result.append(codes)
        return result

    def sources(self, as_of: date | str | None = None) -> pd.DataFrame:
        """Stored snapshots and their provenance; ``current`` marks those behind current figures (as of a date).

        ``data_date`` is the file's own data date and ``date_method``/``date_detail`` say how it was found;
        ``export_date`` is the date of the export (vintage) the file belongs to, which orders the vintages."""
        t = self.tables
        f = self._filters(as_of=as_of)
        current = current_exports(t, f.as_of).select("export_id", current_flag=ibis.literal(True))
        x = t.exports.select(
            "export_id",
            "ingested_at",
            export_date=t.exports.data_date,
            export_date_method=t.exports.date_method,
        )
        snaps = t.snapshots
        s = snaps.join(x, "export_id").left_join(current, "export_id")
        frame = _execute(
            s.select(
                snaps.source,
                "role",
                "location",
                "retrieved_at",
                "sha256",
                "bytes",
                "rows",
                "license",
                "credit",
                data_date=snaps.data_date.coalesce(s.export_date),
                date_method=snaps.date_method.coalesce(s.export_date_method).coalesce("unknown"),
                date_detail=snaps.date_detail.coalesce(""),
                export_date=s.export_date,
                ingested_at=s.ingested_at,
                export_id=snaps.export_id,
                current=s.current_flag.fill_null(False),
            ).order_by(["source", "export_date", "data_date", "role"])
        )
        for column in ("data_date", "export_date"):
            frame[column] = [None if pd.isna(v) else pd.Timestamp(v).date() for v in frame[column]]
        return frame

    def quarantine(self, source: str | None = None, as_of: date | str | None = None) -> pd.DataFrame:
        """Rows set aside at ingest, with their source, file, line, column, value and reason; ``source`` keeps
        one source's (``epoch``, ``huggingface``, ``openrouter``, ``lmarena``, ``litellm`` or a tabular list's);
        ``as_of`` those of the exports in force on that date."""
        q = self._backend.table("quarantine")
        x = self._backend.table("exports")
        when = self._filters(as_of=as_of).as_of
        if when is not None:
            q = q.semi_join(current_exports(self.tables, when), "export_id")
        t = q.left_join(x, q.export_id == x.export_id).select(
            source=x.source,
            export_id=q.export_id,
            snapshot_id=q.snapshot_id,
            file=q.file,
            line=q.line,
            column_name=q.column_name,
            value=q.value,
            reason=q.reason,
        )
        if source is not None:
            stored = set(_execute(x.select("source").distinct())["source"])
            if source not in stored | {"epoch", "huggingface", "openrouter", "lmarena", "litellm"}:
                raise QueryError(f"unknown source {source!r}; stored sources: {', '.join(sorted(stored)) or 'none'}")
            t = t.filter(t.source == source)
        return _execute(t.order_by(["source", "file", "line"]))

    def export(self, directory: Path, fmt: str = "parquet") -> dict[str, Any]:
        """Write every stored table to ``directory`` (one Parquet, CSV or JSON Lines file each) and a
        ``manifest.json``; returns the manifest. Spark reads the Parquet export (:mod:`modelcensus.engines`)."""
        from modelcensus.store_export import export_store

        return export_store(self.store.con, directory, fmt, store_path=self.path)

    # -- the Hugging Face Hub -------------------------------------------------------------------

    def _hub_filters(self, **kwargs: Any) -> HubFilters:
        as_of = kwargs.pop("as_of", None)
        f = self._filters(as_of=as_of)
        return HubFilters(
            as_of=f.as_of, one_harvest=self._hub_harvests() == 1, **{k: v for k, v in kwargs.items() if v is not None}
        )

    def _hub_harvests(self) -> int:
        """How many Hub harvests are stored (in Ibis, not SQL: it runs on every engine)."""
        e = self.tables.exports
        hub = e.filter(e.source == "huggingface")
        return int(_execute(hub.aggregate(n=hub.count()))["n"].iloc[0])

    def count_hub(
        self,
        by: str | Sequence[str] = "country",
        *,
        metric: str = "models",
        attribution: str = "resolved",
        rule: str = "full",
        derivatives: str = "include",
        year: int | None = None,
        since: int | None = None,
        until: int | None = None,
        pipeline_tag: str | None = None,
        as_of: date | str | None = None,
    ) -> pd.DataFrame:
        """Repos, downloads or likes on the Hub per group, with unattributed rows and their reason.

        Columns: ``group`` (ISO code for countries), ``group_name``, further dimensions, ``reason``,
        ``value``, ``repos``, ``denominator``, ``share``.
        """
        dims = [by] if isinstance(by, str) else list(by)
        dims = [d.replace("-", "_") for d in dims]
        f = self._hub_filters(
            year=year, since=since, until=until, pipeline_tag=pipeline_tag, derivatives=derivatives, as_of=as_of
        )
        frame = self._finish_hub(_execute(count_hub(self.tables, dims, f, metric, attribution, rule)), dims)
        frame.attrs.update(self._hub_provenance(f, metric, attribution, rule, dims))
        return frame

    def trend(
        self,
        by: str | Sequence[str] = "country",
        *,
        metric: str = "downloads",
        attribution: str = "resolved",
        rule: str = "full",
        derivatives: str = "include",
        pipeline_tag: str | None = None,
        as_of: date | str | None = None,
    ) -> pd.DataFrame:
        """:meth:`count_hub` as of every stored harvest date (up to ``as_of``): downloads (or repos, likes) over
        time. Harvests of unknown date cannot be placed in the series and are left out."""
        dims = [by] if isinstance(by, str) else list(by)
        dims = [d.replace("-", "_") for d in dims]
        until = self._filters(as_of=as_of).as_of
        e = self._backend.table("exports")
        hub = e.filter((e.source == "huggingface") & e.data_date.notnull())
        dates = sorted(_execute(hub.select("data_date").distinct())["data_date"])
        days = [d for d in (pd.Timestamp(x).date() for x in dates) if until is None or d <= until]
        if not days and dates:
            empty = pd.DataFrame(columns=["date", "group", "group_name", "value", "repos", "denominator", "share"])
            empty.attrs.update({"as_of": until.isoformat() if until else None, "snapshots": []})
            return empty
        f = self._hub_filters(pipeline_tag=pipeline_tag, derivatives=derivatives)
        frame = _execute(trend_hub(self.tables, days, dims, f, metric, attribution, rule))
        frame["date"] = pd.to_datetime(frame["date"]).dt.date
        frame = self._finish_hub(frame.sort_values(["date", "value"], ascending=[True, False]), dims)
        frame = frame[["date", *[c for c in frame.columns if c != "date"]]]
        frame.attrs.update(self._hub_provenance(f, metric, attribution, rule, dims))
        return frame

    def _finish_hub(self, frame: pd.DataFrame, dims: list[str]) -> pd.DataFrame:
        frame = self._finish(frame, dims)
        unattributed = frame["group"].isna()
        frame.loc[unattributed, "group_name"] = "(unattributed: " + frame.loc[unattributed, "reason"].astype(str) + ")"
        return frame

    def _hub_provenance(
        self, f: HubFilters, metric: str, attribution: str, rule: str, dims: list[str]
    ) -> dict[str, Any]:
        return {
            "definition": f.describe(),
            "by": dims,
            "metric": metric,
            "rule": rule,
            "rule_text": RULE_TEXT[rule],
            "attribution": attribution,
            "denominator": f"total {metric} of the repos that pass the filters",
            "snapshots": self.snapshots_in_force(["huggingface"], f.as_of),
        }

    def lineage(self, repo_id: str, as_of: date | str | None = None) -> pd.DataFrame:
        """The chain from a repo to its root base model, with each step's relation and developer (each repo at its
        latest observation among the harvests dated on or before ``as_of``)."""
        edges = self._backend.table("hub_edges")
        when = self._filters(as_of=as_of).as_of
        current = _execute(
            hub_current_table(self.tables, when).select("repo_id", "export_id", "author", "downloads", "likes")
        ).set_index("repo_id")
        first = _execute(edges.filter(edges.position == 0).select("export_id", "repo_id", "base_id", "relation"))
        latest = current["export_id"].to_dict()
        bases: dict[str, tuple[str, str]] = {
            str(r.repo_id): (str(r.base_id), str(r.relation))
            for r in first.itertuples()
            if latest.get(r.repo_id) == r.export_id
        }
        if repo_id not in current.index:
            when_text = f" harvested on or before {when.isoformat()}" if when else ""
            raise QueryError(f"{repo_id!r} is not a stored Hub repo{when_text} (ids are case-sensitive: author/name)")
        chain: list[dict[str, Any]] = []
        node: str | None = repo_id
        seen: set[str] = set()
        while node is not None and node not in seen:
            seen.add(node)
            base = bases.get(node)
            author = node.split("/")[0] if "/" in node else None
            org = self.registry.resolve_hub(author) if author else None
            chain.append(
                {
                    "step": len(chain),
                    "repo_id": node,
                    "relation_to_base": base[1] if base else None,
                    "harvested": node in current.index,
                    "author": author,
                    "organization": org.name if org else None,
                    "kind": org.kind if org else None,
                    "countries": list(org.countries) if org else [],
                }
            )
            node = base[0] if base else None
        return pd.DataFrame(chain)

    def resolve_hub(self, handles: Iterable[str]) -> pd.DataFrame:
        """Hub handles → organization, countries, kind (individual and community accounts get no country)."""
        rows = []
        for handle in handles:
            org = self.registry.resolve_hub(handle)
            rows.append(
                {
                    "handle": handle,
                    "resolved": org is not None,
                    "organization": org.name if org else None,
                    "org_id": org.id if org else None,
                    "countries": list(org.countries) if org else [],
                    "kind": org.kind if org else None,
                    "sector": (org.sector or None) if org else None,
                    "note": org.note if org else None,
                }
            )
        return pd.DataFrame(rows)

    def hub_disagreements(self, as_of: date | str | None = None) -> pd.DataFrame:
        """Where Epoch's ``Hugging Face developer id`` and the registry name different organizations."""
        m = self.models(as_of=as_of)
        raw = _execute(self.tables.models.select("model_key", "hf_developer_id"))
        ids = dict(zip(raw["model_key"], raw["hf_developer_id"], strict=False))
        rows: list[dict[str, Any]] = []
        for rec in m.itertuples():
            handle = ids.get(rec.id)
            if not handle or pd.isna(handle):
                continue
            by_handle = self.registry.resolve_hub(str(handle))
            orgs = [self.registry.resolve(o).org for o in cast(list[str], rec.organizations)]
            names = {o.id for o in orgs if o} | {o.parent for o in orgs if o and o.parent}
            if by_handle is not None and (by_handle.id in names or (by_handle.parent in names)):
                continue
            rows.append(
                {
                    "model": rec.name,
                    "hf_developer_id": handle,
                    "organizations": list(cast(list[str], rec.organizations)),
                    "registry_handle_owner": by_handle.name if by_handle else None,
                    "explanation": "the registry does not know this handle"
                    if by_handle is None
                    else "the handle belongs to another organization than the model's",
                }
            )
        return pd.DataFrame(
            rows, columns=["model", "hf_developer_id", "organizations", "registry_handle_owner", "explanation"]
        )

    # -- organizations --------------------------------------------------------------------------

    def resolve(self, names: Iterable[str]) -> list[Resolution]:
        return [self.registry.resolve(n) for n in names]

    def unresolved(self, as_of: date | str | None = None) -> pd.DataFrame:
        """Organization names of current models that the registry does not resolve."""
        f = self._filters(as_of=as_of)
        t = self.tables
        m = select_models(t, f)
        mo = t.model_orgs.semi_join(m, ["export_id", "model_key"])
        res = t.org_resolution
        j = mo.left_join(res, mo.org_name == res.org_name)
        j = j.select(org_name=mo.org_name, org_id=res.org_id, method=res.method.fill_null("unresolved"))
        j = j.filter(j.org_id.isnull())
        out = j.group_by(["org_name", "method"]).agg(models=j.count()).order_by([ibis.desc("models"), "org_name"])
        return _execute(out)

    def disagreements(self, as_of: date | str | None = None) -> pd.DataFrame:
        """Models whose resolved country set differs from the published one, with an explanation."""
        frame = self.models(as_of=as_of)
        rows = []
        for rec in frame.itertuples():
            published = list(cast(list[str], rec.countries_published))
            if not published:
                continue
            resolved = list(cast(list[str], rec.countries_resolved))
            if set(published) == set(resolved):
                continue
            rows.append(
                {
                    "model": rec.name,
                    "published": published,
                    "resolved": resolved,
                    "organizations": list(cast(list[str], rec.organizations)),
                    "published_on": rec.published_on,
                    "explanation": self._explain(
                        list(cast(list[str], rec.organizations)), cast(str | None, rec.country_field)
                    ),
                }
            )
        out = pd.DataFrame(
            rows, columns=["model", "published", "resolved", "organizations", "published_on", "explanation"]
        )
        return out

    def _explain(self, orgs: list[str], country_field: str | None) -> str:
        resolutions = [self.registry.resolve(o) for o in orgs]
        unresolved = [r.name for r in resolutions if r.org is None]
        if unresolved:
            return "unresolved organization(s): " + "; ".join(unresolved)
        tokens = split_list(country_field)
        if len(tokens) != len(orgs):
            return (
                f"source data: the country field lists {len(tokens)} countr{'y' if len(tokens) == 1 else 'ies'} "
                f"for {len(orgs)} organization(s), so it does not line up with them"
            )
        reasons = []
        for res, token in zip(resolutions, tokens, strict=True):
            code = country_code(token)
            assert res.org is not None
            if not isinstance(code, str) or code not in res.org.countries:
                reasons.append(
                    f"{res.name}: source says {token!r}, registry says "
                    f"{'/'.join(res.org.countries) or 'no country'} ({res.org.note})"
                )
        return "; ".join(reasons) or "organization listed twice with different countries"


def _coverage_note(snapshots: list[dict[str, str]], roles: tuple[str, ...]) -> str | None:
    """Say so when the vintage read holds none of the files the population needs (only notable models, say)."""
    held = {s["role"] for s in snapshots if s.get("source") == "epoch"}
    if not held or held & set(roles):
        return None
    return (
        f"the Epoch vintage read holds only its {', '.join(sorted(held))} file(s): models outside them are not "
        f"counted (no export holding the file of {' or '.join(roles)} models was dated that early)"
    )


def _country_arg(value: str) -> str | None:
    """A country given by a user: ISO code or name; ``none`` selects models with no country."""
    if value.strip().casefold() in {"none", "(no country)", "unknown"}:
        return None
    if len(value.strip()) == 2 and value.strip().isalpha():
        return value.strip().upper()
    code = country_code(value)
    if isinstance(code, str):
        return code
    raise QueryError(f"unknown country {value!r}: give an ISO 3166-1 alpha-2 code (CN) or a name")


def open(path: Path | str | None = None, *, read_only: bool = False, config: Config | None = None) -> Census:  # noqa: A001
    """Open (or create) a census store: ``census = mc.open("census.duckdb")``."""
    return Census(path, config=config, read_only=read_only)


def build(
    from_dir: Path | str | None = None,
    *,
    db: Path | str | None = None,
    dated: date | None = None,
    config: Config | None = None,
    progress: Progress | None = None,
) -> BuildReport:
    """The main job from the library: ``mc.build("../shared/data", db="census.duckdb")`` ingests every source
    found under the folder (or every source live) and links them; see :func:`modelcensus.ingest.build`."""
    with Census(db, config=config) as census:
        return build_census(census, Path(from_dir) if from_dir is not None else None, dated=dated, progress=progress)
