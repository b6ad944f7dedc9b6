"""The default engine: the DuckDB store itself, read through Ibis's DuckDB backend."""

from __future__ import annotations

import itertools

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import ibis.expr.schema as sch
import ibis.expr.types as ir
import pandas as pd

from modelcensus.engines import compile_unfused
from modelcensus.metrics.core import STORED_TABLES, CensusTables
from modelcensus.store import Store


class DuckDBEngine:
    """Figures over the DuckDB store: the same connection the store writes with, so a reader sees its own ingest."""

    name = "duckdb"

    def __init__(self, store: Store) -> None:
        self._store = store
        self.location = str(store.path)
        compile_unfused()
        self._backend = ibis.duckdb.from_connection(store.con)
        self._tables: tuple[str, CensusTables] | None = None
        self._names = itertools.count()

    @property
    def store(self) -> Store:
        return self._store

    def tables(self) -> CensusTables:
        """The stored tables, described once per state of the schema (describing each of them is a query: a
        figure asks for the tables several times)."""
        self._store.ensure_population_tables()
        shape = self._store.shape or self._schema_fingerprint()
        if self._tables is None or self._tables[0] != shape:
            tables = CensusTables(**self._described(STORED_TABLES))
            self._tables = (shape, tables)
        return self._tables[1]

    def _described(self, names: tuple[str, ...]) -> dict[str, ir.Table]:
        """Ibis tables of ``names``, described in one catalog query where Ibis asks DuckDB once per table (``DESCRIBE``)
        and parses every column's type again: a tenth of a second of every new reader's first figure. A name is read
        as the SQL it compiles to reads it: a temporary table first (a read-only reader's own census records), else
        the table of the database in use. The schemas are Ibis's own (``tests/test_metrics.py`` compares them); a view
        (``census_records``) is described by Ibis: the catalog does not say which of its columns cannot be empty."""
        marks = ", ".join("?" for _ in names)
        rows = self._store.con.execute(
            "SELECT table_name, database_name = 'temp' AS temporary, column_name, data_type, is_nullable, "
            "EXISTS (SELECT 1 FROM duckdb_views() v WHERE v.database_name = c.database_name "
            "AND v.schema_name = c.schema_name AND v.view_name = c.table_name) AS is_view "
            "FROM duckdb_columns() c WHERE table_name IN (" + marks + ") AND (database_name = 'temp' OR "
            "(database_name = current_database() AND schema_name = current_schema())) "
            "ORDER BY table_name, temporary DESC, column_index",
            list(names),
        ).fetchall()
        columns: dict[str, list[tuple[str, str, bool]]] = {}
        chosen: dict[str, bool] = {}
        views: set[str] = set()
        for table, temporary, column, data_type, nullable, is_view in rows:
            if chosen.setdefault(table, temporary) == temporary:  # a temporary table hides the stored one
                columns.setdefault(table, []).append((column, data_type, nullable))
                if is_view:
                    views.add(table)
        missing = [name for name in names if name not in columns or name in views]
        for name in views:
            del columns[name]
        types = self._backend.compiler.type_mapper
        parsed: dict[tuple[str, bool], dt.DataType] = {}
        out = {name: self._backend.table(name) for name in missing}  # Ibis says what is wrong with them
        for name, described in columns.items():
            schema = {}
            for column, data_type, nullable in described:
                if (data_type, nullable) not in parsed:
                    parsed[(data_type, nullable)] = types.from_string(data_type, nullable=nullable)
                schema[column] = parsed[(data_type, nullable)]
            out[name] = ops.DatabaseTable(
                name, schema=sch.Schema(schema), source=self._backend, namespace=ops.Namespace()
            ).to_expr()
        return out

    def _schema_fingerprint(self) -> str:
        """Every table's and temporary table's columns and types, in one query: what the Ibis tables describe."""
        names = ", ".join(f"'{name}'" for name in STORED_TABLES)
        rows = self._store.con.execute(
            "SELECT string_agg(database_name || '.' || table_name || '.' || column_name || ':' || data_type, ','"
            " ORDER BY database_name, table_name, column_index) "
            f"FROM duckdb_columns() WHERE table_name IN ({names})"
        ).fetchall()
        return str(rows[0][0])

    def table(self, name: str) -> ir.Table:
        return self._backend.table(name)

    def execute(self, expr: ir.Table) -> pd.DataFrame:
        frame: pd.DataFrame = expr.execute()
        return frame

    def scalar(self, expr: ir.Scalar) -> object:
        return expr.execute()

    def materialize(self, expr: ir.Table) -> ir.Table:
        name = f"_modelcensus_{id(self):x}_{next(self._names)}"
        sql = self._backend.compile(expr)
        self._store.con.execute(f'CREATE TEMP TABLE "{name}" AS {sql}')
        return self._backend.table(name)

    def kept(self, keys: list[str]) -> dict[str, tuple[ir.Table, int]]:
        """The tables a build kept for ``keys`` (see :mod:`modelcensus.store.kept`), with their rows."""
        return {key: (self._backend.table(name), rows) for key, (name, rows) in self._store.kept(keys).items()}

    def keep(self, expr: ir.Table, key: str) -> tuple[ir.Table, int]:
        """Run ``expr`` into a table kept in the store for ``key`` (a writer's): the table and its rows."""
        name, rows = self._store.keep(key, str(self._backend.compile(expr)))
        return self._backend.table(name), rows

    def release(self, table: ir.Table) -> None:
        name = table.op().name  # a DatabaseTable: materialize's own
        self._store.con.execute(f'DROP TABLE IF EXISTS temp.main."{name}"')

    def close(self) -> None:
        self._store.close()
