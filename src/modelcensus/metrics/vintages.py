"""Vintages and the listing lag: how a figure grew as a source back-filled it, and how far a year still has to go.

Epoch AI adds models for years after they come out (Chinese ones especially): "notable models of 2024, China"
was 7, 10, 9, 10, 24 and 31 in exports of 2024-10 … 2026-03. Every stored export is a vintage, and the same
figure read at each vintage shows the growth (:func:`count_by_vintage`).

The listing lag measures it. For a reference year Y whose newest count is old enough to stand for its
eventual count (the newest export at least ``MATURE_MONTHS`` after Y ended), each older vintage v gives one
observation: ``lag`` = months from the end of Y to v's date, ``ratio`` = count(Y at v) / count(Y at newest).
The curve of ratio against lag says what share of a year's eventual count the source listed N months after
the year ended; a recent year's listed count divided by the share at its lag estimates its final count, with
the spread of the observations as the range (:mod:`modelcensus.metrics.completeness`).

A vintage only covers a population its files hold: an export of the notable file alone says nothing of all
models (:func:`covering_exports`).
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from modelcensus.metrics.core import VINTAGE_DIMENSION, CensusTables, Filters, count_models

MATURE_MONTHS = 12
"""A year's newest count stands for its eventual count once the newest export is this long after the year."""
DAYS_PER_MONTH = 30.4375

ROLE_COVERAGE = {"notable": "notable", "frontier": "frontier", "large_scale": "large_scale"}
"""The file role that, besides Epoch's file of all models, holds every model a flag filter admits."""


def vintages(t: CensusTables, source: str = "epoch") -> ir.Table:
    """``(export_id, data_date, roles)``: every stored export of a source, oldest first; ``roles`` lists its files'
    roles (``all``, ``notable``, ``large_scale``, ``frontier``), so a reader sees what each vintage covers."""
    e = t.exports.filter(t.exports.source == source)
    s = t.snapshots
    roles = s.group_by("export_id").agg(roles=s.role.collect(distinct=True).sort())
    return (
        e.join(roles, "export_id")
        .select("export_id", "data_date", "roles", "ingested_at")
        .order_by([ibis.asc("data_date", nulls_first=True), "ingested_at"])
    )


def needed_roles(filters: Filters) -> tuple[str, ...]:
    """The file roles any one of which holds the whole population the filters admit."""
    flags = [flag for flag in ROLE_COVERAGE if getattr(filters, flag)]
    return ("all", *(ROLE_COVERAGE[f] for f in flags[:1]))


def covering_exports(t: CensusTables, filters: Filters) -> ir.Table:
    """The dated Epoch exports that hold the population ``filters`` admit (e.g. notable: an export with the
    notable file, or with the file of all models, whose notability criteria say which are notable)."""
    v = vintages(t)
    wanted = list(needed_roles(filters))
    has = v.roles.filter(lambda role: role.isin(wanted)).length() > 0
    return v.filter(has & v.data_date.notnull())


def count_by_vintage(
    t: CensusTables,
    by: Sequence[str],
    filters: Filters,
    rule: str = "full",
    attribution: str = "as-published",
    exports: Sequence[str] = (),
) -> ir.Table:
    """:func:`~modelcensus.metrics.core.count_models` at every given vintage (``export_id`` a column)."""
    scoped = Filters(**{**filters.__dict__, "exports": tuple(exports), "as_of": None})
    return count_models(t, [*by, VINTAGE_DIMENSION], scoped, rule, attribution)


def lag_observations(
    counts: ir.Table, exports: ir.Table, group: str | None = None, mature_months: int = MATURE_MONTHS
) -> ir.Table:
    """From per-vintage counts by year (``count_by_vintage(..., by=[group?, "year"])``), the lag observations:
    ``[group,] year, export_id, export_date, lag_months, count, final, ratio`` for every reference year whose
    newest count is mature (see the module docstring)."""
    keys = [group] if group else []
    dated = exports.filter(exports.data_date.notnull()).select("export_id", export_date=exports.data_date)
    newest = dated.aggregate(newest=dated.export_date.max())
    c = counts.filter(counts.year.notnull()).join(dated, "export_id").cross_join(newest)
    final = c.filter(c.export_date == c.newest).select(*keys, "year", "newest", final=c["count"])
    year_end = ibis.date(final.year.cast("int32") + 1, 1, 1)
    final = final.filter(final.newest.delta(year_end, unit="day") >= int(mature_months * DAYS_PER_MONTH))
    final = final.filter(final.final > 0)
    older = dated.cross_join(newest)
    older = older.filter(older.export_date < older.newest).select("export_id", "export_date")
    grid = final.cross_join(older)
    seen = c.select(*keys, "year", "export_id", seen=c["count"])
    o = grid.left_join(seen, [*keys, "year", "export_id"])
    o = o.select(*[grid[k] for k in keys], grid.year, grid.export_id, grid.export_date, grid.final, seen=o.seen)
    year_end = ibis.date(o.year.cast("int32") + 1, 1, 1)
    listed = o.seen.fill_null(0)
    return o.select(
        *keys,
        "year",
        "export_id",
        "export_date",
        lag_months=o.export_date.delta(year_end, unit="day").cast("float64") / DAYS_PER_MONTH,
        count=listed,
        final=o.final,
        ratio=listed.cast("float64") / o.final.cast("float64"),
    ).order_by([*keys, "year", "export_date"])
