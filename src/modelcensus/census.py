"""The facade: the :class:`Census` behind ``mc.open(...)``, the only thing outputs talk to.

It opens an engine (:mod:`modelcensus.engines`: the DuckDB store, or a Parquet export on Spark), composes the
figure classes of :mod:`modelcensus.figures` and :mod:`modelcensus.claims` over one shared reader, the loaders of
:mod:`modelcensus.ingest` and the linker of :mod:`modelcensus.linking`, and delegates to them. Figure methods
return a :class:`~modelcensus.figures.figure.Figure`: the frame and its :class:`~modelcensus.figures.figure.Provenance`
(definition, rule, attribution, unit, denominator, snapshots with their dates). What only the store can do (ingest,
linkage, exports) raises :class:`~modelcensus.errors.StoreOnlyError` on Spark.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from modelcensus.claims import ClaimFigures, kept_by_build
from modelcensus.claims.check import check as check_claims
from modelcensus.config import Config
from modelcensus.engines import Engine, check_engine
from modelcensus.engines.duckdb import DuckDBEngine
from modelcensus.engines.spark import open_spark_engine
from modelcensus.errors import QueryError, StoreOnlyError
from modelcensus.figures.cac import CacFigures
from modelcensus.figures.catalog import CatalogFigures
from modelcensus.figures.coverage import CoverageFigures
from modelcensus.figures.figure import Figure, Provenance
from modelcensus.figures.hub import HubFigures
from modelcensus.figures.models import ModelFigures
from modelcensus.figures.overview import OverviewFigures
from modelcensus.figures.reader import Reader
from modelcensus.figures.vintages import VintageFigures
from modelcensus.ingest import BuildReport, IngestReport, Loader, Progress
from modelcensus.ingest import build as build_pipeline
from modelcensus.linking import Linker
from modelcensus.orgs import Registry, load_registry
from modelcensus.orgs.handles import HandleResolver
from modelcensus.store import Store
from modelcensus.store.export import export_store

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from modelcensus.linkage import CanonicalModel, SourceRecord
    from modelcensus.metrics.core import CensusTables

__all__ = [
    "BuildReport",
    "Census",
    "Figure",
    "HandleResolver",
    "IngestReport",
    "Provenance",
    "build",
    "load_registry",
    "open",
]

P = ParamSpec("P")
R = TypeVar("R")


def _to(part: str, method: Callable[Concatenate[Any, P], R]) -> Callable[Concatenate[Census, P], R]:
    """A facade method that calls ``method`` on the part ``part`` of the census (signature and docs kept)."""
    name = method.__name__

    @functools.wraps(method)
    def call(self: Census, /, *args: P.args, **kwargs: P.kwargs) -> R:
        result: R = getattr(getattr(self, part), name)(*args, **kwargs)
        return result

    return call


class Census:
    """A census opened for reading (and, on DuckDB unless read-only, for ingesting)."""

    def __init__(
        self,
        engine: Engine | Path | str | None = None,
        *,
        config: Config | None = None,
        read_only: bool = False,
    ) -> None:
        """``Census(engine)`` over any :class:`~modelcensus.engines.Engine`; ``Census(path)`` over the DuckDB store
        at ``path`` (the configured store without one), created unless ``read_only``."""
        self.config = config or Config()
        if engine is None or isinstance(engine, Path | str):
            where = Path(engine) if engine is not None else self.config.db_path
            engine = DuckDBEngine(Store(where, read_only=read_only, memory_limit=self.config.duckdb_memory_limit))
        self.engine: Engine = engine
        self.path = Path(engine.location)
        self.reader = Reader(engine, self.config)
        self.figures = ModelFigures(self.reader)
        self.hub = HubFigures(self.reader, self.figures)
        self.catalog = CatalogFigures(self.reader)
        self.vintage = VintageFigures(self.reader)
        self.coverage = CoverageFigures(self.reader)
        self.overview = OverviewFigures(self.reader, self.catalog, self.figures)
        self.claims = ClaimFigures(self.reader, self.coverage)
        self.cac = CacFigures(self.reader)

    def close(self) -> None:
        self.engine.close()

    def __enter__(self) -> Census:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- what the parts share --------------------------------------------------------------------------

    @property
    def registry(self) -> Registry:
        return self.reader.registry

    @property
    def store(self) -> Store:
        """The DuckDB store (:class:`~modelcensus.errors.StoreOnlyError` on an engine that reads an export)."""
        return self.reader.require_store("the store")

    @property
    def tables(self) -> CensusTables:
        return self.reader.tables

    @property
    def population_tables(self) -> CensusTables:
        return self.reader.population_tables

    @property
    def loader(self) -> Loader:
        return Loader(self.reader.require_store("ingest"), lambda: self.registry, self.config)

    @property
    def linker(self) -> Linker:
        linker = self.reader.linker
        if linker is None:
            raise StoreOnlyError("linkage", self.engine.location)
        return linker

    # -- ingest (the DuckDB store) --------------------------------------------------------------------

    def build(
        self,
        from_dir: Path | None = None,
        *,
        dated: date | None = None,
        progress: Progress | None = None,
        on_ingest: Callable[[IngestReport], None] | None = None,
    ) -> BuildReport:
        """The main job (:func:`~.ingest.build`): ingest, link, keep for readers (:func:`~.claims.kept_by_build`)."""
        keep, linker = kept_by_build(self.claims), self.linker
        return build_pipeline(self.loader, linker, from_dir, keep, dated=dated, progress=progress, on_ingest=on_ingest)

    ingest_epoch = _to("loader", Loader.ingest_epoch)
    ingest_huggingface = _to("loader", Loader.ingest_huggingface)
    ingest_openrouter = _to("loader", Loader.ingest_openrouter)
    ingest_litellm = _to("loader", Loader.ingest_litellm)
    ingest_lmarena = _to("loader", Loader.ingest_lmarena)
    ingest_tabular = _to("loader", Loader.ingest_tabular)
    ingest_cac = _to("loader", Loader.ingest_cac)
    refresh_registry = _to("loader", Loader.refresh_registry)

    def export(
        self, directory: Path, fmt: str = "parquet", progress: Callable[[str, int, int], None] | None = None
    ) -> dict[str, Any]:
        """Write every stored table to ``directory`` (one Parquet, CSV or JSON Lines file each) and a ``manifest.json``
        (returned) for Spark (:mod:`modelcensus.engines.spark`), the census records behind definitions brought up to
        date first; ``progress`` is told each table ``(table, done, total)``."""
        store = self.reader.require_store("export")
        self.reader.ensure_population()
        return export_store(store.con, directory, fmt, store_path=self.path, progress=progress)

    # -- linkage --------------------------------------------------------------------------------------
    link_summary, link = _to("linker", Linker.update), _to("linker", Linker.link)

    def links(self, as_of: date | str | None = None) -> list[CanonicalModel]:
        """Canonical models with their records across sources and the evidence that linked them."""
        return self.linker.links(self.reader.as_of(as_of))

    def source_records(self, as_of: date | str | None = None) -> list[SourceRecord]:
        """Every current record (as of a date: in force then) of every linked source, as linkage sees it."""
        return self.linker.source_records(self.reader.as_of(as_of))

    # -- the census of models --------------------------------------------------------------------------

    count = _to("figures", ModelFigures.count)
    statistics = _to("figures", ModelFigures.statistics)
    hardware = _to("figures", ModelFigures.hardware)
    models = _to("figures", ModelFigures.models)
    sources = _to("figures", ModelFigures.sources)
    quarantine = _to("figures", ModelFigures.quarantine)
    resolve = _to("figures", ModelFigures.resolve)
    unresolved = _to("figures", ModelFigures.unresolved)
    disagreements = _to("figures", ModelFigures.disagreements)
    snapshots_in_force = _to("reader", Reader.snapshots_in_force)

    # -- the Hugging Face Hub ---------------------------------------------------------------------------

    count_hub = _to("hub", HubFigures.count_hub)
    trend = _to("hub", HubFigures.trend)
    lineage = _to("hub", HubFigures.lineage)
    resolve_hub = _to("hub", HubFigures.resolve_hub)
    hub_handles = _to("hub", HubFigures.hub_handles)
    hub_disagreements = _to("hub", HubFigures.hub_disagreements)

    # -- China's CAC register (a filing is a service, not a model) ----------------------------------------

    count_cac = _to("cac", CacFigures.count_cac)
    cac_series = _to("cac", CacFigures.cac_series)
    cac_totals = _to("cac", CacFigures.cac_totals)
    cac_filings = _to("cac", CacFigures.cac_filings)
    cac_unresolved = _to("cac", CacFigures.cac_unresolved)

    # -- definitions, the frontier ----------------------------------------------------------------------

    definitions = _to("reader", Reader.definitions)
    definition = _to("reader", Reader.definition)
    tabular_sources = _to("catalog", CatalogFigures.tabular_sources)
    source_definition = _to("catalog", CatalogFigures.source_definition)
    count_definition = _to("catalog", CatalogFigures.count_definition)
    count_definition_by_year = _to("catalog", CatalogFigures.count_definition_by_year)
    definition_members = _to("catalog", CatalogFigures.definition_members)
    definition_members_page = _to("catalog", CatalogFigures.definition_members_page)
    record_facts = _to("catalog", CatalogFigures.record_facts)
    frontier = _to("catalog", CatalogFigures.frontier)
    frontier_gap = _to("catalog", CatalogFigures.frontier_gap)

    # -- vintages, coverage, overview ---------------------------------------------------------------------

    vintage_list = _to("vintage", VintageFigures.vintage_list)
    vintages = _to("vintage", VintageFigures.vintages)
    listing_lag = _to("vintage", VintageFigures.listing_lag)
    new_models = _to("vintage", VintageFigures.new_models)
    year_status = _to("vintage", VintageFigures.year_status)
    year_statuses = _to("vintage", VintageFigures.year_statuses)
    newest_export_date = _to("coverage", CoverageFigures.newest_export_date)
    next_export_date = _to("coverage", CoverageFigures.next_export_date)
    estimate = _to("coverage", CoverageFigures.estimate)
    estimate_link_sensitivity = _to("coverage", CoverageFigures.estimate_link_sensitivity)
    latest_complete_year = _to("overview", OverviewFigures.latest_complete_year)
    concentration = _to("overview", OverviewFigures.concentration)
    top_organizations = _to("overview", OverviewFigures.top_organizations)

    # -- claims ---------------------------------------------------------------------------------------------

    def check(
        self, path: Path | str, as_of: date | str | None = None, progress: Callable[[str, int, int], None] | None = None
    ) -> list[dict[str, Any]]:
        """Verdicts on the claims of a claims file, at their vintage, with figures, coverage, evidence and
        sensitivity tables; ``as_of`` reads "now" as the census stood on that date; ``progress`` is told each step
        ``(step, done, total)``."""
        return check_claims(self.claims, Path(path), as_of, progress)


def open(  # noqa: A001
    path: Path | str | None = None,
    *,
    read_only: bool = False,
    config: Config | None = None,
    engine: str = "duckdb",
    spark_master: str | None = None,
    spark_session: SparkSession | None = None,
) -> Census:
    """Open a census: ``mc.open("census.duckdb")`` (created if missing), or the same store (or a Parquet export,
    local or a URI) on Spark with ``engine="spark"`` (``spark_master`` or a ``spark_session`` of your own)."""
    check_engine(engine)
    config = config or Config()
    if engine == "duckdb":
        if spark_master is not None or spark_session is not None:
            raise QueryError("spark_master and spark_session apply with engine='spark'", parameter="spark_master")
        return Census(path, config=config, read_only=read_only)
    location = path if path is not None else config.db_path
    engine_ = open_spark_engine(
        location, master=spark_master, session=spark_session, cache_dir=config.cache_dir, prepare=_prepared
    )
    return Census(engine_, config=config)


def _prepared(db_path: Path, target: Path) -> None:
    """Export a DuckDB store for Spark, its census records brought up to date first."""
    with Census(db_path, read_only=True) as census:
        census.export(target, "parquet")


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
        return census.build(Path(from_dir) if from_dir is not None else None, dated=dated, progress=progress)
