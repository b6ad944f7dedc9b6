"""Checking a claims file: a verdict per claim at its vintage, with figures then, next and now, coverage, evidence
and a sensitivity table; verdicts are computed once per state of the data in a process."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from modelcensus.claims.figures import ClaimFigures
from modelcensus.claims.kept import claims_digest, kept_verdicts, verdicts_key
from modelcensus.claims.model import (
    Claim,
    comparable_definitions,
    default_claims,
    explain,
    format_figure,
    load_claims,
    verdict_of,
)
from modelcensus.errors import ModelCensusError, QueryError, StoreError
from modelcensus.figures.hub import HubFigures
from modelcensus.figures.models import ModelFigures
from modelcensus.figures.reader import parse_as_of
from modelcensus.figures.vintages import VintageFigures
from modelcensus.metrics.core import epoch_roles
from modelcensus.records import is_missing, stable
from modelcensus.vocabulary import Period, Rule, Unit

Progress = Callable[[str, int, int], None]
"""Told ``(the step, steps done, steps in all)`` as a check proceeds (0 in all: not known yet); it changes nothing
in the verdicts."""


def _silent(step: str, done: int, total: int) -> None:
    pass


def check(
    census: ClaimFigures, path: Path, as_of: date | str | None = None, progress: Progress | None = None
) -> list[dict[str, Any]]:
    """Verdicts on the claims of a claims file, at their vintage, with figures, coverage, evidence and
    sensitivity tables; ``as_of`` reads "now" as the census stood on that date. ``progress`` is told each step
    (the census records behind definitions, each definition's counts, each claim)."""
    tell = progress or _silent
    claims = load_claims(path)
    when = parse_as_of(as_of)
    tell("the census records behind definitions", 0, 0)
    census.reader.ensure_population()
    key = (census.reader.engine.location, census.reader.state(), claims_digest(census.definitions(), path), when)
    if key not in _CHECKED:
        kept = _kept_verdicts(census, path) if when is None else None
        _CHECKED[key] = kept if kept is not None else stable(evaluate_all(census, claims, when, tell))
        while len(_CHECKED) > 8:
            _CHECKED.pop(next(iter(_CHECKED)))
    return copy.deepcopy(_CHECKED[key])


def keep_verdicts(census: ClaimFigures, path: Path, progress: Progress | None = None) -> int:
    """Check a claims file now and keep its verdicts in the store (a writer's; ``build`` keeps those of the example
    claims the dashboard serves), so that a later ``check`` of the same file on the same state of the data reads
    them instead of computing them again: how many verdicts. The key names the state of the data, the package's
    code, the configured registry files and the claims file with the definitions (:mod:`.kept`): a verdict is never
    read stale, and ``check`` finds it in SQL alone."""
    store = census.reader.require_store("keeping verdicts")
    if store.read_only:  # said before the seconds of checking, not after
        raise StoreError(f"{store.path}: opened read-only; verdicts are kept by a writer (build)")
    census.reader.ensure_population()
    state, digest = census.reader.state(), claims_digest(census.definitions(), path)
    verdicts = stable(evaluate_all(census, load_claims(path), None, progress))
    key = verdicts_key(store.con, census.reader.config, path)
    store.keep(key, "SELECT ?::VARCHAR AS verdicts", [json.dumps(verdicts)])
    _CHECKED[(census.reader.engine.location, state, digest, None)] = verdicts
    return len(verdicts)


def kept_by_build(census: ClaimFigures) -> list[tuple[str, Callable[[], object]]]:
    """What a build keeps in the store for its readers once it has linked, stage by stage: every definition's
    population (:meth:`~modelcensus.figures.reader.Reader.keep_populations`), the estimate of all models
    (:meth:`~modelcensus.figures.coverage.CoverageFigures.keep_estimate`), the verdicts of the example claims
    the dashboard serves (:func:`keep_verdicts`), the listing lag the pages read their years on
    (:meth:`~modelcensus.figures.vintages.VintageFigures.keep_listing_lags`), then the Hub's downloads by country and
    organization the profiles show (:meth:`~modelcensus.figures.hub.HubFigures.keep_counts`)."""
    stages: list[tuple[str, Callable[[], object]]] = [
        ("populations", census.reader.keep_populations),
        ("the estimate of all models", lambda: _keep_estimate_if_fitted(census)),
    ]
    claims = default_claims()
    if claims is not None:
        stages.append(("verdicts of the example claims", lambda: _keep_if_checkable(census, claims)))
    stages.append(("the listing-lag curves", VintageFigures(census.reader).keep_listing_lags))
    hub = HubFigures(census.reader, ModelFigures(census.reader))
    stages.append(("the Hub's counts by country and organization", hub.keep_counts))
    return stages


def _keep_if_checkable(census: ClaimFigures, path: Path) -> int:
    """Keep the verdicts of a claims file; none when it cannot be checked (a working folder's own
    ``examples/claims.yaml`` that does not load, say): the build stands, and ``check`` of that file says why."""
    try:
        return keep_verdicts(census, path)
    except ModelCensusError:
        return 0


def _keep_estimate_if_fitted(census: ClaimFigures) -> int:
    """Keep the estimate of all models; none when it cannot be made (one source only, say): the build stands, and
    ``estimate`` says why."""
    try:
        return census.coverage.keep_estimate()
    except ModelCensusError:
        return 0


def _kept_verdicts(census: ClaimFigures, path: Path) -> list[dict[str, Any]] | None:
    """The verdicts a build kept for this state of the data, code and claims file (:mod:`.kept`); None when none
    were kept."""
    store = census.reader.engine.store
    if store is None:
        return None
    return kept_verdicts(store.con, census.reader.config, path)


_CHECKED: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
"""Verdicts already computed in this process, per store state, definitions, claims file and date: a check reads
the whole census (seconds), and the same store answers the same claims the same way."""


def evaluate_all(
    census: ClaimFigures, claims: list[Claim], now: date | None = None, progress: Progress | None = None
) -> list[dict[str, Any]]:
    """Evaluate claims (see the module docstring); the sensitivity counts are computed once per definition.
    ``now`` reads "now" as the census stood on that date (default: the newest exports); ``progress`` is told
    each definition counted and each claim evaluated."""
    tell = progress or _silent
    definitions = census.definitions()
    for claim in claims:
        if claim.definition not in definitions:
            raise QueryError(f"claim {claim.id!r}: unknown definition {claim.definition!r}")
    periods: list[Period] = []
    for claim in claims:
        if claim.window not in periods:
            periods.append(claim.window)
    steps = len(definitions) + len(claims)
    grids = {}
    for done, name in enumerate(definitions):
        tell(f"counting under {name}", done, steps)
        grids[name] = _indexed(census.count_grid(name, periods, now))
    results = []
    for done, claim in enumerate(claims, start=len(definitions)):
        tell(f"claim {claim.id}", done, steps)
        d = definitions[claim.definition]
        p = periods.index(claim.window)
        now_figure, now_base = _grid_figure(grids[d.name], claim, d.unit, d.rule, p)
        roles = epoch_roles(d.filters)  # the Epoch files the population needs: the vintage its figure reads
        current = {
            "export_date": census.newest_export_date(d.sources, now, roles),
            "figure": now_figure,
            "denominator": now_base,
        }
        at_vintage = None
        in_force = current["export_date"] is not None  # without as_of: is anything in force now?
        next_figure = None
        if claim.as_of is not None:
            at_date = census.newest_export_date(d.sources, claim.as_of, roles)
            in_force = at_date is not None
            at_figure = census.claim_figure(claim, d.name) if in_force else None
            next_date = census.next_export_date(d.sources, claim.as_of, roles)
            next_figure = census.claim_figure(claim, d.name, next_date) if next_date else None
            at_vintage = {
                "as_of": claim.as_of.isoformat(),
                "export_date": at_date,
                "figure": at_figure,
                "next_export_date": next_date.isoformat() if next_date else None,
                "next_figure": next_figure,
            }
        else:
            at_figure = now_figure
        coverage = census.claim_coverage(claim, d.name, now, now_figure)
        sensitivity = []
        for other in sorted(definitions.values(), key=lambda x: x.name):
            for rule in Rule:
                for unit in Unit:
                    value, base = _grid_figure(grids[other.name], claim, unit, rule, p)
                    sensitivity.append(
                        {
                            "definition": other.name,
                            "rule": rule,
                            "unit": unit,
                            "figure": value,
                            "denominator": base,
                            "comparable": comparable_definitions(d, other, claim.country),
                        }
                    )
        comparable = [s["figure"] for s in sensitivity if s["comparable"] and s["figure"] is not None]
        result: dict[str, Any] = {
            "id": claim.id,
            "claim": claim.claim,
            "source": claim.source,
            "published": claim.published.isoformat() if claim.published else None,
            "definition": d.describe(),
            "metric": claim.metric,
            "country": claim.country,
            "period": {k: (v.isoformat() if isinstance(v, date) else v) for k, v in claim.period.items()},
            "comparison": f"{claim.comparison} {format_figure(claim.value, claim.metric)}",
            "operator": claim.comparison,
            "value": claim.value,
            "as_of": claim.as_of.isoformat() if claim.as_of else None,
            "verdict": verdict_of(claim, at_figure, next_figure, in_force, coverage, len(d.sources) > 1),
            "figure": at_figure,
            "figure_text": format_figure(at_figure, claim.metric, claim.value),
            "denominator": now_base,
            "at_vintage": at_vintage,
            "now": current,
            "coverage": coverage,
            "range_low": min(comparable) if comparable else None,
            "range_high": max(comparable) if comparable else None,
            "evidence": census.claim_evidence(claim, d.name, now),
            "sensitivity": sensitivity,
            "snapshots": census.snapshots_in_force(d.sources, now),
        }
        result["explanation"] = explain(claim, result)
        results.append(result)
    tell("done", steps, steps)
    return results


Grid = dict[str, tuple[dict[str, Any], dict[Any, dict[str, Any]]]]
"""A definition's count grid by unit: the unit's first row (its denominators) and its rows by group."""


def _indexed(frame: Any) -> Grid:
    grid: Grid = {}
    for row in frame.to_dict("records"):
        _, groups = grid.setdefault(str(row["unit"]), (row, {}))
        groups.setdefault(row["group"], row)
    return grid


def _grid_figure(grid: Grid, claim: Claim, unit: str, rule: str, period: int) -> tuple[float | None, int]:
    if unit not in grid:
        return None, 0
    first, groups = grid[unit]
    total = first[f"denominator_{period}"]
    denominator = 0 if is_missing(total) else int(total)  # no unit at all (nothing in force on that date)
    if denominator == 0:
        return None, 0
    hit = groups.get(claim.country) if claim.country is not None else None
    count = float(hit[f"{rule}_{period}"]) if hit is not None else 0.0
    return (count, denominator) if claim.metric == "count" else (count / denominator, denominator)
