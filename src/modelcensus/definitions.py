"""Named, declarative census definitions: what counts as "a model".

A definition is a YAML file: its sources, filters (notable, frontier, open weights, minimum training
compute or parameters, originals only, …), the unit counted, the counting rule and the attribution.
Presets ship in ``definitions_data/``; users add their own files.

Units (:func:`unit_key`):

- ``variant``: every checkpoint a source lists (``Qwen2.5-72B-Instruct``, ``Qwen2.5-72B-Instruct-AWQ``);
- ``release``: a variant without its post-training or packaging suffix (``Qwen2.5-72B``);
- ``family``: a release without its size (``Qwen2.5``).

A unit's countries are the union of its members'; a unit's year is its earliest member's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from modelcensus.errors import InputFormatError, QueryError
from modelcensus.linkage import UNITS, unit_key
from modelcensus.metrics.core import RULES
from modelcensus.records import country_name

SOURCES = ("epoch", "huggingface", "openrouter", "lmarena")
FILTERS = {
    "notable": bool,
    "frontier": bool,
    "large_scale": bool,
    "open_weights": str,
    "domain": str,
    "min_training_compute_flop": float,
    "min_parameters": float,
    "originals_only": bool,
    "derivatives_only": bool,
}
KEYS = {"name", "description", "sources", "filters", "unit", "rule", "attribution"}


@dataclass(frozen=True)
class Definition:
    """A named census definition."""

    name: str
    description: str
    sources: tuple[str, ...]
    filters: dict[str, Any] = field(default_factory=dict)
    unit: str = "variant"
    rule: str = "full"
    attribution: str = "as-published"
    file: str = ""

    def describe(self) -> str:
        parts = [f"{', '.join(self.sources)}"]
        parts += [f"{k}={v}" for k, v in self.filters.items()]
        return f"{self.name} ({'; '.join(parts)}; unit {self.unit}; rule {self.rule}; attribution {self.attribution})"


def _load(text: str, where: str) -> Definition:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputFormatError(f"not valid YAML ({exc})", file=where) from exc
    if not isinstance(data, dict):
        raise InputFormatError("a definition is a mapping of keys", file=where)
    unknown = set(data) - KEYS
    if unknown:
        raise InputFormatError(f"unknown key(s) {', '.join(sorted(unknown))}", file=where, column=sorted(unknown)[0])
    for required in ("name", "sources"):
        if required not in data:
            raise InputFormatError(f"missing key {required!r}", file=where, column=required)
    sources = tuple(data["sources"])
    bad = [s for s in sources if s not in SOURCES]
    if bad:
        raise InputFormatError(f"unknown source {bad[0]!r} (one of {', '.join(SOURCES)})", file=where, column="sources")
    filters = dict(data.get("filters") or {})
    for key, value in filters.items():
        if key not in FILTERS:
            raise InputFormatError(f"unknown filter {key!r} (one of {', '.join(FILTERS)})", file=where, column=key)
        if FILTERS[key] is float:
            filters[key] = float(value)
        elif not isinstance(value, FILTERS[key]):
            raise InputFormatError(f"filter {key!r} must be a {FILTERS[key].__name__}", file=where, column=key)
    definition = Definition(
        name=str(data["name"]),
        description=str(data.get("description", "")),
        sources=sources,
        filters=filters,
        unit=str(data.get("unit", "variant")),
        rule=str(data.get("rule", "full")),
        attribution=str(data.get("attribution", "as-published")),
        file=where,
    )
    if definition.unit not in UNITS:
        raise InputFormatError(f"unit must be one of {', '.join(UNITS)}", file=where, column="unit")
    if definition.rule not in RULES:
        raise InputFormatError(f"rule must be one of {', '.join(RULES)}", file=where, column="rule")
    if definition.attribution not in ("as-published", "resolved", "lineage"):
        raise InputFormatError(
            "attribution must be as-published, resolved or lineage", file=where, column="attribution"
        )
    return definition


def load_definitions(extra: Iterable[Path] = ()) -> dict[str, Definition]:
    """The presets plus user files (a YAML file or a folder of them); a user file may override a preset."""
    found: dict[str, Definition] = {}
    folder = resources.files("modelcensus.definitions_data")
    for item in sorted(folder.iterdir(), key=lambda f: f.name):
        if item.name.endswith((".yaml", ".yml")):
            d = _load(item.read_text(encoding="utf-8"), f"preset {item.name}")
            found[d.name] = d
    for path in extra:
        files = sorted(path.glob("*.y*ml")) if path.is_dir() else [path]
        for file in files:
            d = _load(file.read_text(encoding="utf-8"), str(file))
            found[d.name] = d
    return found


def with_unit_keys(population: pd.DataFrame) -> pd.DataFrame:
    """Add the ``variant``, ``release`` and ``family`` key of every record (computed once per population).

    A variant is the record itself (``id``: its source and the source's id), so two records that one
    source keeps apart are never merged by spelling; releases and families come from the names.
    """
    if "unit_family" in population.columns:
        return population
    names = population["name"].astype(str)
    return population.assign(
        unit_variant=population["id"] if "id" in population.columns else [unit_key(n, "variant") for n in names],
        unit_release=[unit_key(n, "release") for n in names],
        unit_family=[unit_key(n, "family") for n in names],
    )


class UnitIndex:
    """A population grouped at one unit, once: the units (name, year) and their (unit, country, order)
    rows, each unit's countries in the order its members list them. Periods and rules then only filter."""

    def __init__(self, population: pd.DataFrame, unit: str) -> None:
        if unit not in UNITS:
            raise QueryError(f"unit must be one of {', '.join(UNITS)}, not {unit!r}")
        frame = with_unit_keys(population)
        key = f"unit_{unit}"
        self.units = frame.groupby(key).agg(name=("name", "first"), year=("year", "min"))
        rows = frame[[key, "countries"]].explode("countries").dropna().drop_duplicates()
        rows = rows.rename(columns={key: "unit", "countries": "country"})
        rows["order"] = rows.groupby("unit").cumcount()
        self.rows = rows

    def select(self, period: dict[str, int | None]) -> tuple[pd.DataFrame, pd.DataFrame]:
        units = self.units
        if period.get("year") is not None:
            units = units[units["year"] == period["year"]]
        if period.get("since") is not None:
            units = units[units["year"] >= period["since"]]
        if period.get("until") is not None:
            units = units[units["year"] <= period["until"]]
        return units, self.rows[self.rows["unit"].isin(units.index)]


def count_units(
    population: pd.DataFrame,
    unit: str,
    rule: str,
    year: int | None = None,
    since: int | None = None,
    until: int | None = None,
    index: UnitIndex | None = None,
) -> pd.DataFrame:
    """Count a population (columns ``name``, ``year``, ``countries``) by country at a unit, under a rule.

    Returns ``group, group_name, count, units, denominator, share`` with a no-country row; the
    denominator is the number of units.
    """
    if rule not in RULES:
        raise QueryError(f"rule must be one of {', '.join(RULES)}, not {rule!r}")
    columns = ["group", "group_name", "count", "units", "denominator", "share"]
    if population.empty:
        return pd.DataFrame(columns=columns)
    units, rows = (index or UnitIndex(population, unit)).select({"year": year, "since": since, "until": until})
    denominator = len(units)
    if rule == "primary":
        rows = rows[rows["order"] == 0]
    n = rows.groupby("unit")["country"].transform("count")
    rows = rows.assign(weight=1.0 / n if rule == "fractional" else 1.0)
    counted = rows.groupby("country").agg(count=("weight", "sum"), units=("unit", "nunique")).reset_index()
    counted = counted.rename(columns={"country": "group"})
    without = denominator - rows["unit"].nunique()
    if without:
        counted = pd.concat(
            [counted, pd.DataFrame([{"group": None, "count": float(without), "units": without}])], ignore_index=True
        )
    counted["group_name"] = [country_name(g) for g in counted["group"]]
    counted["denominator"] = denominator
    counted["share"] = counted["count"] / denominator if denominator else float("nan")
    return counted[columns].sort_values("count", ascending=False).reset_index(drop=True)


def units_behind(population: pd.DataFrame, unit: str, country: str | None, **period: int | None) -> list[str]:
    """The units (their first member's name) counted for a country: the evidence of a figure."""
    units, rows = UnitIndex(population, unit).select(period)
    if country is None:
        hit = units.index.difference(pd.Index(rows["unit"].unique()))
    else:
        hit = pd.Index(rows.loc[rows["country"] == country, "unit"].unique())
    return sorted(units.loc[hit, "name"].astype(str))
