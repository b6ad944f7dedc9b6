"""Which engine runs the metrics: DuckDB (the store itself, the default) or Apache Spark.

The metric layer (:mod:`modelcensus.metrics`) is Ibis expressions over :class:`CensusTables`, so the
same functions run on any Ibis backend. On Spark, the tables are a Parquet export of the store
(:mod:`modelcensus.store_export`, on local disk, HDFS or S3) registered as temporary views of a
Spark session and read through Ibis's PySpark backend; :class:`SparkCensus` is the read-only
:class:`~modelcensus.census.Census` over them, whose pandas post-processing (labels, provenance,
types) is the facade's own. Only reading methods work on Spark: ingesting, linkage and definitions
need the DuckDB store.

pyspark is an optional dependency (``pip install 'modelcensus[spark]'``) and needs Java 17; both are
checked before a session starts, with a message that says what to install.
"""

from __future__ import annotations

import copy
import hashlib
import importlib.util
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis

from modelcensus.census import Census
from modelcensus.config import Config
from modelcensus.errors import ModelCensusError, QueryError, StoreError
from modelcensus.metrics import CensusTables, Filters
from modelcensus.store import Store
from modelcensus.store_export import MANIFEST, export_store, parse_manifest, read_manifest, store_unchanged

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

ENGINES = ("duckdb", "spark")
DEFAULT_SPARK_MASTER = "local[2]"
SPARK_CONF: dict[str, str] = {
    "spark.sql.shuffle.partitions": "4",  # census tables are small: Spark's default 200 partitions is all overhead
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",  # the store's timestamps are UTC without a zone
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}
LOCAL_CONF: dict[str, str] = {
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    # Census tables are thousands of rows: compiling Java for every query costs more than it saves
    # (measured: about 30 % less driver CPU over the test suite's figures). Cluster masters keep Spark's defaults.
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.codegen.factoryMode": "NO_CODEGEN",
}
_QUIET_LOG4J = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = stderr
appender.console.type = Console
appender.console.name = stderr
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n
"""


class EngineUnavailableError(ModelCensusError, RuntimeError):
    """The chosen engine cannot start here (pyspark or Java missing, master unreachable)."""


def check_engine(name: str) -> str:
    if name not in ENGINES:
        raise QueryError(f"engine must be one of {', '.join(ENGINES)}, not {name!r}")
    return name


def java_binary() -> str:
    """The ``java`` Spark will start (``$JAVA_HOME/bin/java``, else the one on PATH)."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").is_file():
        return str(Path(home) / "bin" / "java")
    found = shutil.which("java")
    if found is None:
        raise EngineUnavailableError(
            "the Spark engine needs Java 17 (a JDK or JRE): install it "
            "(e.g. `apt-get install openjdk-17-jre-headless`) or set JAVA_HOME"
        )
    return found


def _require_pyspark() -> None:
    if importlib.util.find_spec("pyspark") is None:
        raise EngineUnavailableError(
            "the Spark engine needs pyspark and Ibis's PySpark backend: pip install 'modelcensus[spark]'"
        )


def _log4j_file() -> Path:
    """A log4j2 configuration that keeps Spark's JVM to errors, on stderr (stdout stays the output's)."""
    path = Path(tempfile.gettempdir()) / f"modelcensus-log4j2-{os.getuid()}.properties"
    if not path.is_file() or path.read_text() != _QUIET_LOG4J:
        path.write_text(_QUIET_LOG4J)
    return path


def spark_session(
    master: str | None = None, *, app_name: str = "modelcensus", conf: Mapping[str, str] | None = None
) -> SparkSession:
    """A Spark session for the census: ``local[2]`` by default, 4 shuffle partitions, no UI, quiet logs.

    ``master`` is any Spark master URL (``local[4]``, ``spark://host:7077``, ``yarn``, ``k8s://…``). A
    local master binds the driver to 127.0.0.1 and runs without code generation (:data:`LOCAL_CONF`); a
    cluster's executors must reach the driver, so there it binds, and plans, as Spark decides. ``conf``
    adds or overrides settings.
    """
    _require_pyspark()
    java_binary()
    from pyspark.sql import SparkSession

    master = master or DEFAULT_SPARK_MASTER
    builder = SparkSession.builder.master(master).appName(app_name)
    settings = dict(SPARK_CONF)
    settings["spark.driver.extraJavaOptions"] = f"-Dlog4j2.configurationFile=file:{_log4j_file()}"
    if master.startswith("local"):
        settings.update(LOCAL_CONF)
    settings.update(conf or {})
    for key, value in settings.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # the JVM's errors arrive as py4j or Spark exceptions of many kinds
        raise EngineUnavailableError(f"cannot start Spark with master {master!r}: {exc}") from exc
    session.sparkContext.setLogLevel("ERROR")
    return session


def _is_uri(location: str | Path) -> bool:
    return "://" in str(location)


def _join(location: str, file: str) -> str:
    return f"{location.rstrip('/')}/{file}"


@dataclass
class SparkEngine:
    """A Parquet export of the census registered in its own Spark session, as Ibis tables.

    ``location`` is a local folder or a URI Spark can read (``hdfs://…``, ``s3a://…``). Each engine
    works in a new session sharing the given one's SparkContext, so two exports never share views.
    """

    location: str
    session: SparkSession
    manifest: dict[str, Any]
    backend: Any
    tables: CensusTables
    owns_session: bool = False

    @classmethod
    def open(cls, location: str | Path, session: SparkSession, *, owns_session: bool = False) -> SparkEngine:
        where = str(location) if _is_uri(location) else str(Path(location).resolve())
        manifest = _spark_manifest(where, session)
        if manifest["format"] != "parquet":
            raise StoreError(
                f"{_join(where, MANIFEST)}: field 'format' is {manifest['format']!r}; Spark reads a Parquet export "
                "(modelcensus export --format parquet)"
            )
        own = session.newSession()
        for name, entry in manifest["tables"].items():
            path = _join(where, entry["file"])
            if not _is_uri(where) and not Path(path).is_file():
                raise StoreError(f"{path}: missing; {_join(where, MANIFEST)} lists it for table {name!r}")
            own.read.parquet(path).createOrReplaceTempView(name)
        missing = [n for n in CensusTables.__dataclass_fields__ if n not in manifest["tables"]]
        if missing:
            raise StoreError(f"{_join(where, MANIFEST)}: field 'tables' lacks {', '.join(missing)}")
        backend = ibis.pyspark.connect(own)
        tables = CensusTables(**{name: backend.table(name) for name in CensusTables.__dataclass_fields__})
        return cls(where, own, manifest, backend, tables, owns_session)

    def close(self) -> None:
        for name in self.manifest["tables"]:
            self.session.catalog.dropTempView(name)
        if self.owns_session:
            self.session.stop()


def _spark_manifest(location: str, session: SparkSession) -> dict[str, Any]:
    if not _is_uri(location):
        return read_manifest(Path(location))
    where = _join(location, MANIFEST)
    try:
        row = session.read.text(where, wholetext=True).first()
    except Exception as exc:  # Spark reports a missing path or an unknown filesystem as its own exception
        raise StoreError(f"{where}: cannot be read by Spark ({str(exc).splitlines()[0]})") from exc
    if row is None:
        raise StoreError(f"{where}: empty")
    return parse_manifest(str(row[0]), where)


class SparkCensus(Census):
    """A read-only census whose metrics run on Spark: the facade's reading methods, unchanged."""

    def __init__(self, engine: SparkEngine, *, config: Config | None = None) -> None:
        self.config = config or Config()
        self.path = Path(engine.location)
        self.engine = engine
        self._backend = engine.backend
        self._registry = None
        self._snapshots: dict[date | None, list[dict[str, Any]]] = {}
        self._harvests: int | None = None
        self._in_force: dict[tuple[tuple[str, ...], str, tuple[str, ...]], list[dict[str, str]]] = {}

    @property
    def tables(self) -> CensusTables:
        return self.engine.tables

    # An export never changes, and each Spark query costs seconds: what every figure asks again is asked once.

    def _snapshot_provenance(self, filters: Filters) -> list[dict[str, Any]]:
        if filters.as_of not in self._snapshots:
            self._snapshots[filters.as_of] = super()._snapshot_provenance(filters)
        return copy.deepcopy(self._snapshots[filters.as_of])

    def _hub_harvests(self) -> int:
        if self._harvests is None:
            self._harvests = super()._hub_harvests()
        return self._harvests

    def snapshots_in_force(
        self, sources: Sequence[str], as_of: date | str | None = None, roles: tuple[str, ...] | None = None
    ) -> list[dict[str, str]]:
        key = (tuple(sources), str(as_of), tuple(roles or ()))
        if key not in self._in_force:
            self._in_force[key] = super().snapshots_in_force(sources, as_of, roles)
        return copy.deepcopy(self._in_force[key])

    def close(self) -> None:
        self.engine.close()

    def __getattr__(self, name: str) -> Any:
        if name == "store":
            raise QueryError(
                f"this census is a Parquet export read by Spark ({self.engine.location}): it answers counts, "
                "statistics, hardware, models, Hub counts and trends; open the DuckDB store for anything else"
            )
        raise AttributeError(name)


def cached_export(db_path: Path, cache_dir: Path) -> Path:
    """The Parquet export of a DuckDB store, in the cache; written again whenever the store changed."""
    db_path = Path(db_path)
    if not db_path.is_file():
        raise StoreError(f"{db_path}: no census here yet; run `modelcensus build` (or `modelcensus ingest ...`) first")
    resolved = str(db_path.resolve())
    folder = Path(cache_dir) / "spark" / f"{db_path.stem}-{hashlib.sha256(resolved.encode()).hexdigest()[:12]}"
    if (folder / MANIFEST).is_file():
        try:
            if store_unchanged(read_manifest(folder), db_path):
                return folder
        except StoreError:
            pass  # a damaged cache entry is simply written again
    if folder.exists() and not (folder / MANIFEST).is_file():
        shutil.rmtree(folder)  # an unfinished cache entry
    store = Store(db_path, read_only=True)
    try:
        export_store(store.con, folder, "parquet", store_path=db_path)
    finally:
        store.close()
    return folder


def open_spark_census(
    location: str | Path,
    *,
    master: str | None = None,
    session: SparkSession | None = None,
    config: Config | None = None,
) -> SparkCensus:
    """A :class:`SparkCensus` over ``location``: a Parquet export (folder or URI) or a DuckDB store,
    exported to the cache first. Without ``session`` one is started on ``master`` and stopped on close."""
    config = config or Config()
    if _is_uri(location) or Path(location).is_dir():
        export: str | Path = location
    else:
        export = cached_export(Path(location), config.cache_dir)
    if session is None:
        _require_pyspark()
        from pyspark.sql import SparkSession

        session = SparkSession.getActiveSession()  # a program's own session is used, never stopped
        owns = session is None
    else:
        owns = False
    active = session if session is not None else spark_session(master)
    try:
        engine = SparkEngine.open(export, active, owns_session=owns)
    except BaseException:
        if owns:
            active.stop()
        raise
    return SparkCensus(engine, config=config)


def open_census(
    db_path: Path, *, engine: str = "duckdb", spark_master: str | None = None, config: Config | None = None
) -> Census:
    """The census at ``db_path`` on the chosen engine (what the CLI's ``--engine`` selects)."""
    check_engine(engine)
    if engine == "duckdb":
        if spark_master is not None:
            raise QueryError("--spark-master applies with --engine spark")
        return Census(db_path, config=config, read_only=True)
    return open_spark_census(db_path, master=spark_master, config=config)
