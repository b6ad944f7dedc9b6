"""The Spark engine: a Parquet export of the store (:mod:`modelcensus.store.export`, on local disk, HDFS or S3)
registered as temporary views of a Spark session and read through Ibis's PySpark backend.

The metrics (:mod:`modelcensus.metrics`) are Ibis expressions over :class:`~modelcensus.metrics.core.CensusTables`,
so every figure runs here unchanged; what needs the store itself (ingest, linkage, refreshing the registry, an
export) raises :class:`~modelcensus.errors.StoreOnlyError`. The census records behind definitions are part of the
export, so definitions and claims run here too.

pyspark is an optional dependency (``pip install 'modelcensus[spark]'``) and needs Java 17; both are
checked before a session starts, with a message that says what to install.
"""

from __future__ import annotations

import hashlib
import importlib.util
import itertools
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from modelcensus.engines import compile_unfused
from modelcensus.errors import EngineUnavailableError, StoreError
from modelcensus.metrics.core import STORED_TABLES, CensusTables
from modelcensus.store.export import MANIFEST, parse_manifest, read_manifest, store_unchanged

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

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
    # and planning a shuffle into several partitions, adaptively, costs more than the shuffle (measured on a
    # definition's count grid: 2.5x faster with one partition and no adaptive execution)
    "spark.sql.shuffle.partitions": "1",
    "spark.sql.adaptive.enabled": "false",
}
_QUIET_LOG4J = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = stderr
appender.console.type = Console
appender.console.name = stderr
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n
logger.repl.name = org.apache.spark.api.python.PythonGatewayServer
logger.repl.level = error
"""
# (a PySpark driver counts as a shell: Spark then prints "Setting default log level to WARN" on stderr unless the
# shell's logger is at the root's level)
_JVM_STARTUP_NOISE = ("WARNING: Using incubator modules:",)
"""Lines Spark's JVM prints on stderr at every start that no log4j setting reaches: the JVM's own warning for the
``--add-modules=jdk.incubator.vector`` Spark 4's launcher always passes."""


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
    adds or overrides settings; its ``spark.driver.extraJavaOptions`` are added to the quiet logging's.
    """
    _require_pyspark()
    java_binary()
    from pyspark.sql import SparkSession

    master = master or DEFAULT_SPARK_MASTER
    builder = SparkSession.builder.master(master).appName(app_name)
    settings = dict(SPARK_CONF)
    quiet = f"-Dlog4j2.configurationFile=file:{_log4j_file()}"
    if master.startswith("local"):
        settings.update(LOCAL_CONF)
    settings.update(conf or {})
    # the driver's Java options given in ``conf`` are added to the quiet logging's, not put in its place
    settings["spark.driver.extraJavaOptions"] = f"{quiet} {settings.get('spark.driver.extraJavaOptions', '')}".strip()
    for key, value in settings.items():
        builder = builder.config(key, value)
    try:
        _start_jvm(master, app_name, settings)
        session = builder.getOrCreate()
    except Exception as exc:  # the JVM's errors arrive as py4j or Spark exceptions of many kinds
        raise EngineUnavailableError(f"cannot start Spark with master {master!r}: {exc}") from exc
    session.sparkContext.setLogLevel("ERROR")
    return session


def _start_jvm(master: str, app_name: str, settings: Mapping[str, str]) -> None:
    """Start Spark's JVM (unless one runs) with its stderr passed on by a thread, less the lines of
    :data:`_JVM_STARTUP_NOISE`: a figure's command prints its answer, not the JVM's start-up warnings, and an
    error of the JVM still reaches stderr."""
    from pyspark import SparkConf, SparkContext
    from pyspark.java_gateway import launch_gateway

    if SparkContext._gateway is not None or "PYSPARK_GATEWAY_PORT" in os.environ:
        return
    spark_conf = SparkConf().setMaster(master).setAppName(app_name)
    for key, value in settings.items():
        spark_conf.set(key, value)
    gateway = launch_gateway(spark_conf, popen_kwargs={"stderr": subprocess.PIPE})  # type: ignore[no-untyped-call]
    threading.Thread(target=_pass_on, args=(gateway.proc.stderr,), name="spark-jvm-stderr", daemon=True).start()
    SparkContext(conf=spark_conf, gateway=gateway)


def _pass_on(stream: IO[bytes]) -> None:
    """Copy the JVM's stderr to ours, line by line, but for its start-up noise."""
    for line in iter(stream.readline, b""):
        text = line.decode("utf-8", "replace")
        if not text.startswith(_JVM_STARTUP_NOISE):
            sys.stderr.write(text)
            sys.stderr.flush()


def _is_uri(location: str | Path) -> bool:
    return "://" in str(location)


def _join(location: str, file: str) -> str:
    return f"{location.rstrip('/')}/{file}"


class SparkEngine:
    """A Parquet export of the census registered in its own Spark session, as Ibis tables.

    ``location`` is a local folder or a URI Spark can read (``hdfs://…``, ``s3a://…``). Each engine
    works in a new session sharing the given one's SparkContext, so two exports never share views.
    An export never changes: there is no store behind it (:attr:`store` is None) and nothing is written.
    """

    name = "spark"

    def __init__(
        self, location: str, session: SparkSession, manifest: dict[str, Any], *, owns_session: bool = False
    ) -> None:
        self.location = location
        self.session = session
        self.manifest = manifest
        self.owns_session = owns_session
        compile_unfused()
        self._backend = ibis.pyspark.connect(session)
        self._cached: dict[str, Any] = {}
        self._names = itertools.count()
        self._tables = CensusTables(**{name: self._backend.table(name) for name in STORED_TABLES})

    @classmethod
    def open(cls, location: str | Path, session: SparkSession, *, owns_session: bool = False) -> SparkEngine:
        where = str(location) if _is_uri(location) else str(Path(location).resolve())
        manifest = _spark_manifest(where, session)
        if manifest["format"] != "parquet":
            raise StoreError(
                f"{_join(where, MANIFEST)}: field 'format' is {manifest['format']!r}; Spark reads a Parquet export "
                "(modelcensus export --format parquet)"
            )
        missing = [n for n in STORED_TABLES if n not in manifest["tables"]]
        if missing:
            raise StoreError(f"{_join(where, MANIFEST)}: field 'tables' lacks {', '.join(missing)}")
        own = session.newSession()
        for name, entry in manifest["tables"].items():
            path = _join(where, entry["file"])
            if not _is_uri(where) and not Path(path).is_file():
                raise StoreError(f"{path}: missing; {_join(where, MANIFEST)} lists it for table {name!r}")
            own.read.parquet(path).createOrReplaceTempView(name)
        return cls(where, own, manifest, owns_session=owns_session)

    @property
    def store(self) -> None:
        return None

    def tables(self) -> CensusTables:
        return self._tables

    def table(self, name: str) -> ir.Table:
        return self._backend.table(name)

    def execute(self, expr: ir.Table) -> pd.DataFrame:
        frame: pd.DataFrame = expr.execute()
        return frame

    def scalar(self, expr: ir.Scalar) -> object:
        return expr.execute()

    def materialize(self, expr: ir.Table) -> ir.Table:
        name = f"_modelcensus_{id(self):x}_{next(self._names)}"
        frame = self.session.sql(str(self._backend.compile(expr))).cache()
        frame.createOrReplaceTempView(name)
        self._cached[name] = frame
        return self._backend.table(name)

    def release(self, table: ir.Table) -> None:
        name = table.op().name  # a DatabaseTable: materialize's own
        frame = self._cached.pop(name, None)
        self.session.catalog.dropTempView(name)
        if frame is not None:
            frame.unpersist()

    def close(self) -> None:
        for name in list(self._cached):
            self.session.catalog.dropTempView(name)
        self._cached.clear()
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


def cached_export(db_path: Path, cache_dir: Path, prepare: Callable[[Path, Path], object]) -> Path:
    """The Parquet export of a DuckDB store, in the cache; written again (by ``prepare(db_path, folder)``) whenever
    the store changed."""
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
    prepare(db_path, folder)
    return folder


def open_spark_engine(
    location: str | Path,
    *,
    master: str | None = None,
    session: SparkSession | None = None,
    cache_dir: Path,
    prepare: Callable[[Path, Path], object],
) -> SparkEngine:
    """A :class:`SparkEngine` over ``location``: a Parquet export (folder or URI) or a DuckDB store, exported to
    ``cache_dir`` first. Without ``session`` one is started on ``master`` and stopped on close (a program's own
    active session is used, never stopped)."""
    if _is_uri(location) or Path(location).is_dir():
        export: str | Path = location
    else:
        export = cached_export(Path(location), cache_dir, prepare)
    if session is None:
        _require_pyspark()
        from pyspark.sql import SparkSession  # pyspark is optional: imported only when Spark is asked for

        session = SparkSession.getActiveSession()
        owns = session is None
    else:
        owns = False
    active = session if session is not None else spark_session(master)
    try:
        return SparkEngine.open(export, active, owns_session=owns)
    except BaseException:
        if owns:
            active.stop()
        raise
