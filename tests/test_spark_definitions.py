"""Spark parity, second half: every figure under a census definition (``count --definition`` for every preset and
unit, members, concentration, estimates, vintages, the listing lag) and ``check examples/claims.yaml``, the same on
DuckDB and on Spark (JSON byte for byte for the check). The cases and fixtures are in spark_parity.py; the first half
is tests/test_spark.py.
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


@pytest.mark.parametrize("case", shard(definitions=True))
def test_the_figure_is_the_same_on_both_engines(
    case: tuple[str, dict[str, Any]], on_duckdb: mc.Census, on_spark: mc.Census
) -> None:
    assert_same_figure(case, on_duckdb, on_spark)
