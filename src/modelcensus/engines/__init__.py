"""Where figures run: an :class:`Engine` gives the metrics the store's tables as Ibis tables and executes
their expressions.

- :class:`~modelcensus.engines.duckdb.DuckDBEngine` (the default) reads the DuckDB store itself and is the only
  engine that can also write it (ingest, linkage, exports);
- :class:`~modelcensus.engines.spark.SparkEngine` reads a Parquet export of the store (local, HDFS, S3) in a
  Spark session, for those who outgrow one machine.

The :class:`~modelcensus.census.Census` is composed with one of them (``mc.open(path, engine="spark")``); the
metrics (:mod:`modelcensus.metrics`) never know which.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from modelcensus.vocabulary import EngineName, choose

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd

    from modelcensus.metrics.core import CensusTables
    from modelcensus.store import Store

ENGINES = tuple(EngineName)
"""The engines ``mc.open(..., engine=)`` and the CLI's ``--engine`` accept."""


def compile_unfused() -> None:
    """Have Ibis compile each step of an expression as a SELECT of its own (``ibis.options.sql.fuse_selects =
    False``, for the whole process: every engine sets it when it is made). Fusing consecutive SELECTs only makes
    the SQL shorter to read; both engines plan the nested form as fast, and the rows are the same. Its rewrite pass
    was about a third of compiling a figure, and compiling most of a first answer at 2,000,000 Hub repos: a page
    of several figures answers a fifth to a quarter sooner without it (docs/benchmarks-product.md)."""
    import ibis

    ibis.options.sql.fuse_selects = False


class Engine(Protocol):
    """What the census needs of an engine: its tables, a way to run an expression, and to let go."""

    name: str
    """``duckdb`` or ``spark``."""
    location: str
    """The store file or the export folder/URI the tables come from."""

    @property
    def store(self) -> Store | None:
        """The writable/readable DuckDB store behind the tables, or None when the engine reads an export."""

    def tables(self) -> CensusTables:
        """The stored tables the metrics see, as Ibis tables of this engine."""

    def table(self, name: str) -> ir.Table:
        """One stored table by name."""

    def execute(self, expr: ir.Table) -> pd.DataFrame:
        """Run an Ibis table expression on this engine: the one place figures are materialised."""

    def scalar(self, expr: ir.Scalar) -> object:
        """Run an Ibis scalar expression (a count, a maximum) on this engine."""

    def materialize(self, expr: ir.Table) -> ir.Table:
        """Run ``expr`` once into a temporary table of this engine's session and return that table: what several
        figures read (a definition's population) is built once, and the expressions over it stay small."""

    def release(self, table: ir.Table) -> None:
        """Drop a table :meth:`materialize` made (its rows are no longer read)."""

    def close(self) -> None:
        """Release the connection (and a Spark session this engine started)."""


def check_engine(name: str) -> str:
    """``name`` if it is a known engine, else a :class:`~modelcensus.errors.QueryError` naming the choices."""
    return choose(EngineName, name, "engine")
