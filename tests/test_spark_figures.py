"""Spark parity, shard "figures-b": half of the figures outside a census definition (counts, models, the Hub, the
CAC register, organizations…), the same on DuckDB and on Spark. The cases and fixtures are in spark_parity.py; the
other shards are tests/test_spark.py, tests/test_spark_definitions.py and tests/test_spark_count_definition.py.
"""

from __future__ import annotations

from typing import Any

import pytest

import modelcensus as mc
from spark_parity import (
    assert_same_figure,
    shard,
)

pytestmark = pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning")  # pyspark 4.0's toPandas


@pytest.mark.parametrize("case", shard("figures-b"))
def test_the_figure_is_the_same_on_both_engines(
    case: tuple[str, dict[str, Any]], on_duckdb: mc.Census, on_spark: mc.Census
) -> None:
    assert_same_figure(case, on_duckdb, on_spark)
