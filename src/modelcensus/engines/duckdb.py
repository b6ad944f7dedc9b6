"""The default engine: the DuckDB store itself, read through Ibis's DuckDB backend."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pandas as pd

from modelcensus.metrics.core import CensusTables
from modelcensus.store import Store


class DuckDBEngine:
    """Figures over the DuckDB store: the same connection the store writes with, so a reader sees its own ingest."""

    name = "duckdb"

    def __init__(self, store: Store) -> None:
        self._store = store
        self.location = str(store.path)
        self._backend = ibis.duckdb.from_connection(store.con)

    @property
    def store(self) -> Store:
        return self._store

    def tables(self) -> CensusTables:
        self._store.ensure_population_tables()
        return CensusTables(**{name: self._backend.table(name) for name in CensusTables.__dataclass_fields__})

    def table(self, name: str) -> ir.Table:
        return self._backend.table(name)

    def execute(self, expr: ir.Table) -> pd.DataFrame:
        frame: pd.DataFrame = expr.execute()
        return frame

    def scalar(self, expr: ir.Scalar) -> object:
        return expr.execute()

    def close(self) -> None:
        self._store.close()
