"""What the Spark parity tests share (tests/test_spark*.py): the cases and the comparison (the fixtures, one local
Spark session per test process and one Parquet export of the full census per run, are in conftest.py).

Every public figure of the facade runs on DuckDB and on Spark; the cases are split over four test modules by kind
(``SHARDS``), which pytest-xdist runs as one work unit, so one JVM serves them all (conftest.py,
``SPARK_MODULES``); the list of cases is checked against the facade.
"""

from __future__ import annotations

import dataclasses
import json
import math
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

import modelcensus as mc
from modelcensus.outputs.common.render import records

runner = CliRunner()

# The Census reading calls of tests/test_metrics.py, test_cli.py, test_epoch_real.py, test_epoch_formats.py and
# test_huggingface.py, one case per distinct path through the metrics (each rule, attribution, dimension, filter
# kind, period and vintage at least once), run here on the full census. Variants that only change a filter's
# value (2023 for 2024) are left to the DuckDB tests: a Spark case costs seconds.
CASES: list[tuple[str, dict[str, Any]]] = [
    ("count", {"by": "country"}),
    ("count", {"by": "country", "rule": "fractional"}),
    ("count", {"by": "country", "rule": "primary"}),
    ("count", {"by": "country", "year": 2024, "notable": True}),
    ("count", {"by": "country", "attribution": "resolved"}),
    ("count", {"by": "country", "since": 2020, "until": 2025, "rule": "fractional", "attribution": "resolved"}),
    ("count", {"by": "country", "since": 2020, "until": 2025, "rule": "primary", "attribution": "as-published"}),
    ("count", {"by": ["country", "year"], "since": 2023}),
    ("count", {"by": "month"}),
    ("count", {"by": "open_weights"}),
    ("count", {"by": "domain"}),
    ("count", {"by": "region", "year": 2024}),
    ("count", {"by": "organization", "attribution": "resolved"}),
    ("count", {"by": "organization", "country": "CN", "attribution": "resolved"}),
    ("count", {"by": ["organization", "year"], "region": "greater-china", "since": 2023}),
    ("count", {"by": "country", "country": ["CN", "none"]}),
    ("count", {"by": ["region", "year"], "region": "eu27", "attribution": "resolved", "rule": "fractional"}),
    ("count", {"by": "sector", "attribution": "resolved"}),
    ("statistics", {"by": "year"}),
    ("statistics", {"by": "country", "rule": "fractional", "year": 2024}),
    ("hardware", {"by": "country", "year": 2024}),
    ("hardware", {"by": "country", "region": "eu27", "attribution": "resolved"}),
    ("models", {}),
    ("models", {"country": "none"}),
    ("models", {"country": "CN", "year": 2024, "notable": True}),
    ("models", {"country": ["HK", "none"], "year": 2024}),
    ("models", {"region": "g7", "attribution": "resolved", "notable": True}),
    ("models", {"open_weights": "yes", "since": 2024, "until": 2024}),
    ("models", {"domain": "vision", "frontier": True}),
    ("models", {"as_of": "2024-11-01"}),  # the vintage of 2024-10-18 (the notable file)
    ("count", {"by": "year", "as_of": "2025-03-01"}),  # all models from the vintage of 2024-11-25
    ("count_hub", {"by": "country", "metric": "downloads", "attribution": "lineage"}),
    *[
        ("count_hub", {"by": "country", "metric": "downloads", "rule": "fractional", "derivatives": d})
        for d in ("include", "only")
    ],
    ("count_hub", {"by": "base-family", "metric": "models", "derivatives": "only"}),
    ("count_hub", {"by": "country", "metric": "downloads", "as_of": "2026-05-15"}),
    ("count_hub", {"by": "organization", "metric": "downloads", "country": "CN", "attribution": "lineage"}),
    ("count_hub", {"by": "country", "region": "greater-china"}),
    ("trend", {"by": "country", "metric": "downloads"}),
    ("trend", {"by": "organization", "metric": "downloads", "country": "US"}),
    ("sources", {}),
    ("quarantine", {}),
]


def case_id(case: tuple[str, dict[str, Any]]) -> str:
    method, kwargs = case
    return method + "(" + ",".join(f"{k}={v}" for k, v in kwargs.items()) + ")"


def _same_value(actual: Any, expected: Any, where: str) -> None:
    if isinstance(expected, float) and isinstance(actual, float | int):
        assert math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-12), where
    elif isinstance(expected, dict) and isinstance(actual, dict):
        assert actual.keys() == expected.keys(), where
        for key in expected:
            _same_value(actual[key], expected[key], f"{where}.{key}")
    elif isinstance(expected, list) and isinstance(actual, list):
        assert len(actual) == len(expected), where
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            _same_value(a, e, f"{where}[{i}]")
    else:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"


def assert_same_frame(actual: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Same columns, same rows in the same order, same values (floats to 1e-9 relative), same provenance."""
    assert list(actual.columns) == list(expected.columns)
    assert len(actual) == len(expected)
    _same_value(records(actual), records(expected), "rows")
    _same_value(actual.attrs, expected.attrs, "attrs")


# -- every public figure of the facade, on both engines ---------------------------------------------------------

EXAMPLE_CLAIMS = Path(__file__).resolve().parents[1] / "examples" / "claims.yaml"
PRESETS = (
    "all-sources",
    "cac-filed",
    "epoch-all",
    "epoch-notable",
    "frontier",
    "hub-derivatives",
    "hub-originals",
    "large-models",
    "large-scale",
    "open-weights",
)
FIGURES: dict[str, list[dict[str, Any]]] = {
    **{method: [kwargs for m, kwargs in CASES if m == method] for method, _ in CASES},
    "count_definition": [{"name": name, "unit": unit} for name in PRESETS for unit in ("family", "release", "variant")]
    + [{"name": "epoch-all", "rule": "fractional", "year": 2024}, {"name": "epoch-notable", "as_of": "2025-03-01"}]
    + [
        {"name": "all-sources", "country": "CN"},
        {"name": "large-models", "region": "greater-china", "unit": "release"},
    ],
    "count_definition_by_year": [{"name": "epoch-notable", "since": 2020, "until": 2025}],
    "definition_members": [
        {"name": "epoch-notable", "country": "CN", "year": 2024},
        {"name": "all-sources", "country": ["HK", "SG"], "year": 2024},
    ],
    "definition_members_page": [
        {"name": "all-sources", "country": "CN", "limit": 5},
        {"name": "hub-derivatives", "country": "US", "limit": 3, "offset": 2},
    ],
    "tabular_sources": [{}],
    "source_definition": [{"source": "tabular"}],
    "definitions": [{}],
    "definition": [{"name": "large-models"}],
    "check": [{"path": EXAMPLE_CLAIMS}],
    "frontier": [{}],
    "frontier_gap": [{}],
    "vintage_list": [{}],
    "vintages": [
        {"by": "country", "year": 2024, "notable": True},
        {"by": "organization", "year": 2024, "country": "CN", "attribution": "resolved"},
    ],
    "listing_lag": [{"notable": True}, {"country": "CN"}],
    "year_status": [{"since": 2021, "until": 2025, "notable": True}, {"since": 2021, "until": 2025, "country": "CN"}],
    "year_statuses": [],  # a view of year_status's frame: compared through it below
    "newest_export_date": [{"sources": ["epoch"]}, {"sources": ["lmarena"], "as_of": None}],
    "next_export_date": [{"sources": ["epoch"], "as_of": date(2024, 11, 1)}],
    "estimate": [{"definition": "large-models"}],
    "estimate_link_sensitivity": [{"definition": "large-models"}],
    "latest_complete_year": [{"sources": ["epoch"]}],
    "concentration": [{"name": "epoch-all", "since": 2020, "until": 2025}],
    "top_organizations": [
        {"limit": 10, "year": 2024},
        {"limit": 10, "org_country": "CN", "rank_by": "models_with_subsidiaries", "since": 2023},
        {"limit": 10, "country": "CN", "attribution": "resolved"},
    ],
    "snapshots_in_force": [{"sources": ["epoch", "huggingface"]}],
    "lineage": [{"repo_id": "llmfan46/Qwen3.6-27B-uncensored-heretic-v2"}],
    "resolve_hub": [{"handles": ["Qwen", "bartowski", "deepseek-ai"]}],
    "hub_handles": [{}, {"unresolved": True}],
    "hub_disagreements": [{}],
    "resolve": [{"names": ["Zhipu AI", "Alibaba"]}],
    "unresolved": [{}],
    "disagreements": [{}],
    "count_cac": [
        {"by": "country", "attribution": "resolved", "rule": "fractional"},
        {"by": "organization"},
        {"by": "month"},
        {"by": "year", "record_type": "registration"},
        {"by": "province", "as_of": "2026-12-31"},
    ],
    "cac_series": [{}, {"record_type": "registration"}],
    "cac_totals": [{}],
    "cac_filings": [{"province": "CN-BJ"}, {"organization": "Baidu"}, {"month": "none"}],
    "cac_unresolved": [{"record_type": "registration"}],
    "record_facts": [
        {"records": [("epoch", "DeepSeek-V3"), ("huggingface", "deepseek-ai/DeepSeek-V3"), ("lmarena", "deepseek-v3")]},
        {"records": [("epoch", "DeepSeek-V3")], "as_of": "2025-03-01"},
    ],
    "new_models": [
        {},
        {"since": "2026-01-01", "country": "CN"},
        {"since": "2024-11-01", "definition": "epoch-notable"},
    ],
}
STORE_ONLY = {
    "build",
    "ingest_epoch",
    "ingest_huggingface",
    "ingest_openrouter",
    "ingest_litellm",
    "ingest_lmarena",
    "ingest_tabular",
    "ingest_cac",
    "refresh_registry",
    "export",
    "links",
    "link_summary",
    "link",
    "source_records",
}
"""What needs the DuckDB store itself: on Spark each raises StoreOnlyError (checked below)."""
NOT_FIGURES = {"close"}
EMPTY_ON_SHARED_DATA = {"unresolved", "cac_unresolved", "tabular_sources"}
"""The registry resolves every organization of the shared data (the CAC register's providers too, by their Chinese
legal names): the answer is empty on both engines (and computed on Spark without error); tests/test_registry.py and
tests/test_cac.py check unresolved names on data that has some. ``build`` stores no tabular list (a list needs its
column mapping): tests/test_tabular_lists.py ingests some."""
FIGURE_CASES = [(method, kwargs) for method, cases in sorted(FIGURES.items()) for kwargs in cases]
SLOW = {"check"}
"""A check runs ~40 large queries: seconds each on DuckDB, many on a local Spark."""


def _public_methods() -> set[str]:
    return {name for name in dir(mc.Census) if not name.startswith("_") and callable(getattr(mc.Census, name))}


def test_every_public_figure_runs_on_both_engines() -> None:
    """A new public method of the facade fails here until it has a parity case (or is declared store-only)."""
    public = _public_methods()
    assert public == set(FIGURES) | STORE_ONLY | NOT_FIGURES, (
        f"no engine case for: {sorted(public - set(FIGURES) - STORE_ONLY - NOT_FIGURES)}; "
        f"cases for what the facade lacks: {sorted((set(FIGURES) | STORE_ONLY | NOT_FIGURES) - public)}"
    )
    assert all(FIGURES[m] for m in FIGURES if m != "year_statuses")


def _comparable(value: Any) -> Any:
    """A figure as plain data: frames as their rows, figures with their provenance, dataclasses as dicts, dates as
    text."""
    if isinstance(value, pd.DataFrame):
        return {"rows": records(value)}
    frame = getattr(value, "frame", None)
    if isinstance(frame, pd.DataFrame) and hasattr(value, "provenance"):  # a Figure: its frame and its provenance
        return {"rows": records(frame), "provenance": _comparable(value.provenance)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _comparable(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(k): _comparable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_comparable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _not_empty(value: Any) -> bool:
    if isinstance(value, pd.DataFrame):
        return len(value) > 0
    if isinstance(getattr(value, "frame", None), pd.DataFrame):
        return len(value.frame) > 0
    if isinstance(value, list | tuple | dict):
        return len(value) > 0
    return value is not None


DEFINITION_SHARD = {
    "check",
    "source_definition",
    "count_definition_by_year",
    "definition_members",
    "definition_members_page",
    "concentration",
    "estimate",
    "estimate_link_sensitivity",
    "vintages",
    "listing_lag",
    "year_status",
}
"""The figures under a census definition (and the claims check), but ``count_definition``'s grid."""

SHARDS = ("figures-a", "figures-b", "definitions", "count-definition")
"""The parity cases in four test modules by kind (test_spark.py, test_spark_figures.py, test_spark_definitions.py,
test_spark_count_definition.py): each can be run alone (``pytest tests/test_spark_definitions.py``); pytest-xdist
runs the four in one worker, with one JVM."""


def _shard_of(index: int, method: str) -> str:
    if method == "count_definition":
        return "count-definition"
    if method in DEFINITION_SHARD:
        return "definitions"
    return SHARDS[index % 2]


def shard(name: str) -> list[Any]:
    """The parametrised cases of one shard (:data:`SHARDS`), with the long timeout for the slow ones."""
    if name not in SHARDS:
        raise ValueError(f"no shard {name!r}: one of {SHARDS}")
    chosen = [c for i, c in enumerate(FIGURE_CASES) if _shard_of(i, c[0]) == name]
    return [
        pytest.param(c, id=case_id(c), marks=pytest.mark.timeout(1200))
        if c[0] in SLOW
        else pytest.param(c, id=case_id(c))
        for c in chosen
    ]


def assert_same_figure(case: tuple[str, dict[str, Any]], on_duckdb: mc.Census, on_spark: mc.Census) -> None:
    """The figure computed on both engines is the same (rows, values, provenance)."""
    method, kwargs = case
    expected = getattr(on_duckdb, method)(**kwargs)
    actual = getattr(on_spark, method)(**kwargs)
    if method in EMPTY_ON_SHARED_DATA:
        assert not _not_empty(expected) and not _not_empty(actual)
    else:
        assert _not_empty(expected), f"{method}: an empty answer proves nothing"
    if method == "year_status":
        assert _comparable(on_spark.year_statuses(actual)) == _comparable(on_duckdb.year_statuses(expected))
    if method == "check":  # the same JSON, byte for byte, as `modelcensus check --format json` prints it
        assert json.dumps(actual, default=str, sort_keys=True) == json.dumps(expected, default=str, sort_keys=True)
    _same_value(_comparable(actual), _comparable(expected), method)
