"""Counts, shares, statistics and adoption as engine-independent Ibis expressions.

``core`` holds the census of models (Epoch AI's records); ``hub`` the Hugging Face Hub's repos,
their lineage and adoption. The vocabulary they take (rules, attributions, dimensions) is
:mod:`modelcensus.vocabulary`.
"""

from modelcensus.metrics.core import (
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

__all__ = [
    "RULE_TEXT",
    "CensusTables",
    "Filters",
    "count_models",
    "current_exports",
    "hardware_by_vendor",
    "model_groups",
    "model_statistics",
    "select_models",
]
