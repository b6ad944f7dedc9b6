"""A published claim → a verdict with the figure, the definition, the evidence and a sensitivity table.

A claims file (YAML) states claims as checkable statements::

    claims:
      - id: ai-index-2025-us
        claim: "Notable models of 2024: United States 40"
        source: "Stanford AI Index 2025"
        metric: count            # count or share
        country: US              # ISO code (or name)
        period: {year: 2024}     # or {since: 2020, until: 2025}; empty: all years
        comparison: "=="         # ==, >=, <=, >, <
        value: 40
        tolerance: 0             # allowed absolute difference for ==
        definition: epoch-notable

The verdict is computed under the definition the claimant probably used: ``supported`` when the
comparison holds, ``contradicted`` when it does not, ``undetermined`` when the census holds no unit
under that definition and period. The sensitivity table gives the same figure under every preset
definition, counting rule and unit, so a reader sees the range.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import yaml

from modelcensus.definitions import UnitIndex, count_units, units_behind
from modelcensus.errors import InputFormatError, QueryError
from modelcensus.linkage import UNITS
from modelcensus.metrics.core import RULES
from modelcensus.records import country_code

if TYPE_CHECKING:
    from modelcensus.census_catalog import DefinitionMethods as Census

COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "==": operator.eq,
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
}
CLAIM_KEYS = {"id", "claim", "source", "metric", "country", "period", "comparison", "value", "tolerance", "definition"}


@dataclass(frozen=True)
class Claim:
    id: str
    claim: str
    metric: str
    country: str
    comparison: str
    value: float
    definition: str
    period: dict[str, int] = field(default_factory=dict)
    tolerance: float = 0.0
    source: str = ""


def load_claims(path: Path) -> list[Claim]:
    """Read and validate a claims file; errors name the file, the claim and the field."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InputFormatError(f"cannot read the claims file ({exc})", file=str(path)) from exc
    items = data.get("claims") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise InputFormatError("a claims file is a mapping with a list under 'claims'", file=str(path))
    claims = []
    for index, item in enumerate(items, start=1):
        where = f"{path} (claim {index})"
        if not isinstance(item, dict):
            raise InputFormatError("each claim is a mapping", file=where)
        unknown = set(item) - CLAIM_KEYS
        if unknown:
            raise InputFormatError(
                f"unknown key(s) {', '.join(sorted(unknown))}", file=where, column=sorted(unknown)[0]
            )
        for key in ("id", "claim", "metric", "country", "comparison", "value", "definition"):
            if key not in item:
                raise InputFormatError(f"missing key {key!r}", file=where, column=key)
        if item["metric"] not in ("count", "share"):
            raise InputFormatError("metric must be count or share", file=where, column="metric")
        if item["comparison"] not in COMPARISONS:
            raise InputFormatError(
                f"comparison must be one of {', '.join(COMPARISONS)}", file=where, column="comparison"
            )
        code = country_code(str(item["country"])) if len(str(item["country"])) != 2 else str(item["country"]).upper()
        if not isinstance(code, str):
            raise InputFormatError(f"unknown country {item['country']!r}", file=where, column="country")
        period = dict(item.get("period") or {})
        if set(period) - {"year", "since", "until"}:
            raise InputFormatError("period keys are year, since, until", file=where, column="period")
        claims.append(
            Claim(
                id=str(item["id"]),
                claim=str(item["claim"]),
                metric=str(item["metric"]),
                country=code,
                comparison=str(item["comparison"]),
                value=float(item["value"]),
                definition=str(item["definition"]),
                period={k: int(v) for k, v in period.items()},
                tolerance=float(item.get("tolerance", 0.0)),
                source=str(item.get("source", "")),
            )
        )
    return claims


def _figure(counts: pd.DataFrame, claim: Claim) -> tuple[float | None, int]:
    if counts.empty:
        return None, 0
    denominator = int(counts["denominator"].iloc[0])
    row = counts[counts["group"] == claim.country]
    count = float(row["count"].iloc[0]) if len(row) else 0.0
    if claim.metric == "count":
        return count, denominator
    return (count / denominator if denominator else None), denominator


def _verdict(claim: Claim, figure: float | None, denominator: int) -> str:
    if figure is None or denominator == 0:
        return "undetermined"
    if claim.comparison == "==":
        return "supported" if abs(figure - claim.value) <= claim.tolerance else "contradicted"
    return "supported" if COMPARISONS[claim.comparison](figure, claim.value) else "contradicted"


def evaluate_all(census: Census, claims: list[Claim]) -> list[dict[str, Any]]:
    """Evaluate claims; populations are built once per definition and reused across rules and units."""
    definitions = census.definitions()
    populations: dict[str, pd.DataFrame] = {}
    counted: dict[tuple[str, str, str, tuple[tuple[str, int], ...]], pd.DataFrame] = {}
    indexes: dict[tuple[str, str], UnitIndex] = {}

    def index(name: str, unit: str) -> UnitIndex:
        if (name, unit) not in indexes:
            indexes[(name, unit)] = UnitIndex(population(name), unit)
        return indexes[(name, unit)]

    def population(name: str) -> pd.DataFrame:
        if name not in populations:
            populations[name] = census.population(definitions[name])
        return populations[name]

    results = []
    for claim in claims:
        if claim.definition not in definitions:
            raise QueryError(f"claim {claim.id!r}: unknown definition {claim.definition!r}")
        d = definitions[claim.definition]
        pop = population(d.name)
        counts = count_units(
            pop,
            d.unit,
            d.rule,
            year=claim.period.get("year"),
            since=claim.period.get("since"),
            until=claim.period.get("until"),
            index=index(d.name, d.unit),
        )
        figure, denominator = _figure(counts, claim)
        sensitivity = []
        for other in sorted(definitions.values(), key=lambda x: x.name):
            other_pop = population(other.name)
            for rule in RULES:
                for unit in UNITS:
                    memo = (other.name, unit, rule, tuple(sorted(claim.period.items())))
                    if memo not in counted:
                        counted[memo] = count_units(
                            other_pop,
                            unit,
                            rule,
                            year=claim.period.get("year"),
                            since=claim.period.get("since"),
                            until=claim.period.get("until"),
                            index=index(other.name, unit),
                        )
                    value, base = _figure(counted[memo], claim)
                    sensitivity.append(
                        {"definition": other.name, "rule": rule, "unit": unit, "figure": value, "denominator": base}
                    )
        evidence = units_behind(pop, d.unit, claim.country, **claim.period)
        results.append(
            {
                "id": claim.id,
                "claim": claim.claim,
                "source": claim.source,
                "definition": d.describe(),
                "metric": claim.metric,
                "country": claim.country,
                "period": claim.period,
                "comparison": f"{claim.comparison} {claim.value:g}",
                "verdict": _verdict(claim, figure, denominator),
                "figure": figure,
                "denominator": denominator,
                "evidence": evidence,
                "sensitivity": sensitivity,
            }
        )
    return results
