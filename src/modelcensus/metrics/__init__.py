"""Counts, shares, statistics and adoption as engine-independent Ibis expressions.

``core`` holds the census of models (Epoch AI's records); ``hub`` the Hugging Face Hub's repos,
their lineage and adoption.
"""

from modelcensus.metrics.core import (
    ATTRIBUTIONS,
    DIMENSIONS,
    RULE_TEXT,
    RULES,
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
    "ATTRIBUTIONS",
    "DIMENSIONS",
    "RULES",
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
