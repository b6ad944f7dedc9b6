"""The JSON of ``lag``, ``estimate`` and ``estimate --link-errors``, one function each: the CLI (``--format json``)
and the API (``/api/lag``, ``/api/estimate``, ``/api/estimate/link-errors``) call the same one, so their answers
cannot diverge."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from modelcensus.census import Census, Figure
from modelcensus.errors import QueryError
from modelcensus.metrics.completeness import LagCurve
from modelcensus.outputs.common.render import records
from modelcensus.records import requested_country
from modelcensus.vocabulary import Period

ESTIMATE_COLUMNS = [
    "group",
    "group_name",
    "listed",
    "estimate",
    "ci_low",
    "ci_high",
    "method",
    "sources",
    "trusted",
    "reason",
    "left_out",
]


def lag_frames(
    census: Census,
    since: int | None,
    until: int | None,
    by: str | None,
    as_of: date | str | None,
    filters: dict[str, Any],
) -> tuple[Figure, dict[str, LagCurve], Figure]:
    """(observations, curves, year statuses) of the listing lag: years default to the five up to the newest."""
    when = census.reader.as_of(as_of)
    observations, curves = census.listing_lag(by, as_of=when, **filters)
    newest = census.newest_export_date(["epoch"], when)
    if newest is None:
        raise QueryError("no dated Epoch AI export is stored (as of that date)")
    last = until or date.fromisoformat(newest).year
    status = census.year_status(since or last - 4, last, by=by, as_of=when, **filters)
    return observations, curves, status


def lag_report(
    census: Census,
    since: int | None,
    until: int | None,
    by: str | None,
    as_of: date | str | None,
    filters: dict[str, Any],
) -> dict[str, Any]:
    """``{"basis", "years", "observations"}``: what ``modelcensus lag --format json`` prints."""
    observations, curves, status = lag_frames(census, since, until, by, as_of, filters)
    return {"basis": curves[""].basis(), "years": records(status.frame), "observations": records(observations.frame)}


def estimate_rows(
    census: Census,
    definition: str,
    sources: list[str] | None,
    year: int | None,
    since: int | None,
    until: int | None,
    as_of: date | str | None,
) -> list[dict[str, Any]]:
    """What ``modelcensus estimate --format json`` prints: one row for all models, then one per country; each with
    ``sources`` (the lists it used) and ``left_out`` (each stored tabular list it did not use, with why)."""
    if year is not None and (since is not None or until is not None):
        raise QueryError("give either year, or since/until, not both", parameter="year")
    table = census.estimate(
        sources=sources, definition=definition, period=Period(year, since, until), as_of=as_of
    ).frame
    out = table.copy()
    out["sources"] = pd.Series(
        [str(s).split("+") if s else [] for s in table["sources"]], dtype=object, index=table.index
    )
    return records(out[ESTIMATE_COLUMNS])


def link_error_frame(
    census: Census,
    definition: str,
    period: Period,
    country: str | None,
    as_of: date | str | None,
) -> pd.DataFrame:
    """How the estimate (of all models, or of one ``country``: an ISO code or a name) moves if 1–10% of the links
    were missed or false: ``kind, rate, listed, estimate, ci_low, ci_high, change, trusted, reason``."""
    code = requested_country(country) if country is not None else None
    if country is not None and code is None:
        raise QueryError(
            "the link errors are of one country (an ISO code or a name), not the no-country row", parameter="country"
        )
    moved = census.estimate_link_sensitivity(definition, period, country=code, as_of=as_of)
    return moved.drop(columns=["method"])
