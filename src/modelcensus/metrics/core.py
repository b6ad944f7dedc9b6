"""Counts, shares and statistics as engine-independent Ibis expressions.

Everything here takes Ibis tables and returns Ibis expressions: the same code runs on DuckDB and
(later) Apache Spark. Nothing here executes a query or writes SQL.

Counting rules (how a model with several countries, organizations or domains is counted):

- ``full``: a model counts once for each distinct group it belongs to (the AI Index convention),
  so the counts of a breakdown can add up to more than the number of models;
- ``fractional``: a model's weight of 1 is split equally among its groups, so counts add up to the
  number of models;
- ``primary``: a model counts only for its first group (the first organization's country).

Models with no group (no country, no organization, ...) are a row of their own (group null),
never dropped. Every share states its denominator: the number of models that pass the filters
(within the same year or month when the breakdown is by time).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import ibis
import ibis.expr.types as ir

from modelcensus.errors import QueryError
from modelcensus.records import country_name
from modelcensus.vocabulary import (
    GROUPED_DIMENSIONS,
    MODEL_ATTRIBUTIONS,
    MODEL_DIMENSIONS,
    SCALAR_DIMENSIONS,
    Attribution,
    OpenWeights,
    Rule,
    choose,
)

RULE_TEXT: dict[str, str] = {
    Rule.FULL: "a model counts once for each distinct group it belongs to (AI Index convention); "
    "counts can add up to more than the number of models",
    Rule.FRACTIONAL: "a model's weight of 1 is split equally among its groups",
    Rule.PRIMARY: "a model counts only for its first group (first organization's country)",
}
KEYS = ["export_id", "model_key"]


@dataclass(frozen=True)
class CensusTables:
    """The stored tables, as Ibis table expressions of one backend."""

    exports: ir.Table
    snapshots: ir.Table
    models: ir.Table
    model_orgs: ir.Table
    model_countries_published: ir.Table
    model_domains: ir.Table
    model_hardware: ir.Table
    organizations: ir.Table
    org_countries: ir.Table
    org_resolution: ir.Table
    region_members: ir.Table
    hub_models: ir.Table
    hub_edges: ir.Table
    hub_roots: ir.Table
    hub_handles: ir.Table
    census_records: ir.Table
    census_record_countries: ir.Table
    ratings: ir.Table
    catalog_records: ir.Table
    cac_filings: ir.Table
    cac_entities: ir.Table
    cac_totals: ir.Table
    census_cac_links: ir.Table
    hub_now: ir.Table | None = None
    """Every Hub repo's newest observation with its lineage root (:func:`modelcensus.metrics.hub.hub_now`) as a build
    kept it in the store for this state of the data (:mod:`modelcensus.store.kept`); None: computed from
    ``hub_models`` and ``hub_roots`` by the figure."""
    lmarena_countries: ir.Table | None = None
    """Each LMArena model's countries (:func:`modelcensus.metrics.frontier.lmarena_countries`) as a build kept them
    for this state of the data; None: computed from the census records by the figure."""


KEPT_TABLES = ("hub_now", "lmarena_countries")
"""The fields of :class:`CensusTables` a build keeps for one state of the data, not stored tables."""

STORED_TABLES = tuple(name for name in CensusTables.__dataclass_fields__ if name not in KEPT_TABLES)
"""The tables of :class:`CensusTables` every store (and every export of one) holds."""


@dataclass(frozen=True)
class Filters:
    """Which models a figure is about. ``None`` means "no filter"."""

    year: int | None = None
    since: int | None = None
    until: int | None = None
    notable: bool | None = None
    frontier: bool | None = None
    large_scale: bool | None = None
    open_weights: str | None = None
    domain: str | None = None
    sources: tuple[str, ...] = field(default_factory=tuple)
    as_of: date | None = None
    exports: tuple[str, ...] = field(default_factory=tuple)
    """Read these exports (vintages) instead of the current ones; with ``export_id`` among the dimensions,
    one figure per vintage."""
    country: tuple[str | None, ...] = field(default_factory=tuple)
    """Only models with one of these countries (ISO codes) under ``attribution``; ``None`` among them admits the
    models with no country too. Empty: no filter."""
    region: str | None = None
    """The name of the region group ``country`` holds the members of (``EU-27``), for captions."""
    attribution: str = Attribution.AS_PUBLISHED
    """Whose country the ``country`` filter reads: the figure's own attribution."""

    def __post_init__(self) -> None:
        if self.open_weights is not None:
            choose(OpenWeights, self.open_weights, "open_weights")
        choose(Attribution, self.attribution, "attribution")
        if self.year is not None and (self.since is not None or self.until is not None):
            raise QueryError("give either year, or since/until, not both", parameter="year")
        if self.since is not None and self.until is not None and self.since > self.until:
            raise QueryError(f"since ({self.since}) is after until ({self.until})", parameter="since")

    def describe(self) -> str:
        """The filters in words, for captions and provenance."""
        parts = []
        if self.year is not None:
            parts.append(f"published in {self.year}")
        if self.since is not None or self.until is not None:
            parts.append(f"published {self.since or '…'}–{self.until or '…'}")
        for name in ("notable", "frontier", "large_scale"):
            value = getattr(self, name)
            if value is not None:
                parts.append(("" if value else "not ") + name.replace("_", "-"))
        if self.open_weights:
            parts.append(f"open weights = {self.open_weights}")
        if self.domain:
            parts.append(f"domain = {self.domain}")
        if self.as_of:
            parts.append(f"as of {self.as_of.isoformat()}")
        place = place_text(self.country, self.region, self.attribution)
        return ", ".join([*([place] if place else []), *parts]) or "all models"


ATTRIBUTION_WORDS: dict[str, str] = {
    Attribution.AS_PUBLISHED: "as published",
    Attribution.RESOLVED: "resolved through the organization registry",
    Attribution.LINEAGE: "by lineage",
}


def place_text(country: Sequence[str | None], region: str | None, attribution: str, what: str = "") -> str | None:
    """A country filter in words, for captions: ``of China (as published)``, ``of EU-27 (resolved through the
    organization registry)``, ``of China or Hong Kong or with no country (as published)``; None without one."""
    if not country:
        return None
    named = [country_name(c) for c in country if c is not None]
    if region:
        named = [region]
    words = " or ".join(f"of {n}" for n in named[:1]) + "".join(f" or {n}" for n in named[1:])
    if None in country:
        words = f"{words} or with no country" if words else "with no country"
    return f"{what}{words} ({ATTRIBUTION_WORDS.get(attribution, attribution)})"


EPOCH_ROLES_FOR = {"notable": "notable", "frontier": "frontier", "large_scale": "large_scale"}


def epoch_roles(flags: dict[str, object] | None = None) -> tuple[str, ...]:
    """The Epoch file roles any one of which holds the whole population a figure's flags admit: the file of all
    models always; the notable (frontier, large-scale) file for notable (frontier, large-scale) models."""
    chosen = [role for flag, role in EPOCH_ROLES_FOR.items() if (flags or {}).get(flag)]
    return ("all", *chosen[:1])


def current_exports(t: CensusTables, as_of: date | None = None, roles: tuple[str, ...] | None = None) -> ir.Table:
    """The newest export of each source (as of a date, when given).

    With Epoch ``roles``, Epoch's newest export that holds one of those files is preferred: a later export of the
    notable file alone does not replace an earlier file of all models for a figure of all models (an export that
    holds none is read only when no export does)."""
    e = t.exports
    if as_of is not None:
        e = e.filter(e.data_date <= as_of)
    if roles:
        s = t.snapshots
        holding = s.filter(s.role.isin(list(roles))).select("export_id").distinct().mutate(holds_=ibis.literal(1))
        e = e.left_join(holding, "export_id").drop("export_id_right")
        covers = (e.source != "epoch") | e.holds_.notnull()
    else:
        covers = ibis.literal(True)
    e = e.mutate(covers_=ibis.cases((covers, 1), else_=0))
    window = ibis.window(
        group_by=e.source, order_by=[e.covers_.desc(), e.data_date.desc(nulls_first=False), e.ingested_at.desc()]
    )
    ranked = e.mutate(rank_=ibis.row_number().over(window))
    return ranked.filter(ranked.rank_ == 0).select("export_id", "source", "data_date")


def select_models(t: CensusTables, filters: Filters) -> ir.Table:
    """Models of the current exports (or of the vintages ``filters.exports`` names) that pass the filters."""
    if filters.exports:
        exports = t.exports.filter(t.exports.export_id.isin(list(filters.exports))).select("export_id", "source")
    else:
        exports = current_exports(t, filters.as_of, epoch_roles(filters.__dict__))
    if filters.sources:
        exports = exports.filter(exports.source.isin(list(filters.sources)))
    m = t.models.semi_join(exports, "export_id")
    if filters.year is not None:
        m = m.filter(m.year == filters.year)
    if filters.since is not None:
        m = m.filter(m.year >= filters.since)
    if filters.until is not None:
        m = m.filter(m.year <= filters.until)
    for name in ("notable", "frontier", "large_scale"):
        value = getattr(filters, name)
        if value is not None:
            m = m.filter(m[name] == value)
    if filters.open_weights is not None:
        m = m.filter(m.open_weights == filters.open_weights)
    if filters.domain is not None:
        d = t.model_domains
        d = d.filter(d.domain.lower() == filters.domain.lower())
        m = m.semi_join(d, KEYS)
    if filters.country:
        m = of_countries(m, _country_rows(t, filters.attribution), KEYS, filters.country)
    return m


def of_countries(rows: ir.Table, countries: ir.Table, keys: Sequence[str], wanted: Sequence[str | None]) -> ir.Table:
    """The ``rows`` (models, units, repos) with one of the ``wanted`` countries in ``countries`` (keys and
    ``group``, one row per country a row has); ``None`` among them keeps the rows with no country too."""
    codes = [c for c in wanted if c is not None]
    kept = rows.semi_join(countries.filter(countries.group.isin(codes)), list(keys)) if codes else None
    if None not in wanted:
        assert kept is not None
        return kept
    without = rows.anti_join(countries, list(keys))
    return without if kept is None else ibis.union(kept, without, distinct=False)


def _country_rows(t: CensusTables, attribution: str) -> ir.Table:
    """(export_id, model_key, group, position): one row per model and distinct country."""
    if attribution == Attribution.AS_PUBLISHED:
        c = t.model_countries_published
        rows = c.select(*KEYS, group=c.country, position=c.position)
    elif attribution == Attribution.RESOLVED:
        mo, res, oc = t.model_orgs, t.org_resolution, t.org_countries
        j = mo.join(res, mo.org_name == res.org_name).join(oc, res.org_id == oc.org_id)
        rows = j.select(mo.export_id, mo.model_key, group=oc.country, position=mo.position * 100 + oc.position)
    else:
        choose(Attribution, attribution, "attribution", MODEL_ATTRIBUTIONS)
    return rows.group_by([*KEYS, "group"]).agg(position=rows.position.min())


def _org_rows(t: CensusTables, attribution: str) -> ir.Table:
    mo = t.model_orgs
    if attribution == Attribution.AS_PUBLISHED:
        rows = mo.select(*KEYS, group=mo.org_name, position=mo.position)
    else:
        res, orgs = t.org_resolution, t.organizations
        j = mo.left_join(res, mo.org_name == res.org_name).left_join(orgs, res.org_id == orgs.org_id)
        label = j.name.coalesce(j.org_name + " (unresolved)")
        rows = j.select(mo.export_id, mo.model_key, group=label, position=mo.position)
    return rows.group_by([*KEYS, "group"]).agg(position=rows.position.min())


def _sector_rows(t: CensusTables) -> ir.Table:
    mo, res, orgs = t.model_orgs, t.org_resolution, t.organizations
    j = mo.join(res, mo.org_name == res.org_name).join(orgs, res.org_id == orgs.org_id)
    rows = j.select(mo.export_id, mo.model_key, group=orgs.sector, position=mo.position)
    return rows.group_by([*KEYS, "group"]).agg(position=rows.position.min())


def group_rows(t: CensusTables, dimension: str, attribution: str) -> ir.Table:
    """The groups each model belongs to along a multi-valued dimension, with their order."""
    if dimension == "country":
        return _country_rows(t, attribution)
    if dimension == "region":
        c = _country_rows(t, attribution)
        r = t.region_members
        j = c.join(r, c.group == r.country)
        rows = j.select(c.export_id, c.model_key, group=r.region_name, position=c.position)
        return rows.group_by([*KEYS, "group"]).agg(position=rows.position.min())
    if dimension == "organization":
        return _org_rows(t, attribution)
    if dimension == "sector":
        return _sector_rows(t)
    if dimension == "domain":
        d = t.model_domains
        return d.select(*KEYS, group=d.domain, position=d.position)
    raise QueryError(f"cannot group by {dimension!r}; choose from {', '.join(MODEL_DIMENSIONS)}", parameter="by")


VINTAGE_DIMENSION = "export_id"
"""Groups by vintage (with ``Filters.exports``); not offered to users as a ``--by``."""


_PER_VALUE = (*SCALAR_DIMENSIONS, VINTAGE_DIMENSION)
"""Dimensions whose values each have their own denominator (a year's share is of that year's models)."""


def _split_dimensions(by: list[str]) -> tuple[str | None, list[str]]:
    unknown = [d for d in by if d not in MODEL_DIMENSIONS and d != VINTAGE_DIMENSION]
    if unknown:
        raise QueryError(f"cannot group by {unknown[0]!r}; choose from {', '.join(MODEL_DIMENSIONS)}", parameter="by")
    grouped = [d for d in by if d in GROUPED_DIMENSIONS]
    if len(grouped) > 1:
        raise QueryError(f"group by at most one of {', '.join(GROUPED_DIMENSIONS)} at a time", parameter="by")
    return (grouped[0] if grouped else None), [d for d in by if d in SCALAR_DIMENSIONS or d == VINTAGE_DIMENSION]


def weighted_rows(
    t: CensusTables, by: list[str], filters: Filters, rule: str, attribution: str
) -> tuple[ir.Table, list[str]]:
    """One row per (model, group) with the model's weight under the counting rule.

    Returns the table (keys, group columns, ``weight``, and the model's measures) and the names
    of its group columns.
    """
    choose(Rule, rule, "rule")
    choose(Attribution, attribution, "attribution", MODEL_ATTRIBUTIONS)
    grouped, scalars = _split_dimensions(by)
    m = select_models(t, filters)
    extra = [s for s in scalars if s not in KEYS]  # the vintage dimension is a key already
    base = m.select(*KEYS, *extra, "parameters", "training_compute_flop")
    if grouped is None:
        return base.mutate(weight=ibis.literal(1.0)), scalars
    g = group_rows(t, grouped, attribution)
    per_model = g.group_by(KEYS).agg(n_groups=g.count(), first_position=g.position.min())
    g = g.join(per_model, KEYS)
    j = base.left_join(g, KEYS)
    j = j.select(
        *[base[k] for k in KEYS],
        *[base[s] for s in extra],
        base.parameters,
        base.training_compute_flop,
        j.group.name(grouped),
        j.position,
        j.n_groups,
        j.first_position,
    )
    if rule == Rule.PRIMARY:
        j = j.filter(j.position.isnull() | (j.position == j.first_position))
        weight = ibis.literal(1.0)
    elif rule == Rule.FRACTIONAL:
        weight = ibis.literal(1.0) / j.n_groups.cast("float64").fill_null(1.0)
    else:
        weight = ibis.literal(1.0)
    j = j.mutate(weight=weight).drop("position", "n_groups", "first_position")
    return j, [grouped, *scalars]


def _with_share(counts: ir.Table, t: CensusTables, by: list[str], filters: Filters) -> ir.Table:
    # shares are within each value of the other time/openness dimensions (e.g. per year), never within
    # the group itself: by year alone, each year's share is of all models
    scalars = [d for d in by[1:] if d in _PER_VALUE]
    m = select_models(t, filters)
    if scalars:
        denominators = m.group_by(scalars).agg(denominator=m.count())
        counts = counts.join(denominators, scalars)
    else:
        total = m.aggregate(denominator=m.count())
        counts = counts.cross_join(total)
    return counts.mutate(share=counts["count"] / counts.denominator.cast("float64"))


def count_models(
    t: CensusTables,
    by: list[str],
    filters: Filters = Filters(),
    rule: str = Rule.FULL,
    attribution: str = Attribution.AS_PUBLISHED,
) -> ir.Table:
    """Count (and share) of models per group: columns ``*by, count, models, denominator, share``."""
    rows, group_cols = weighted_rows(t, by, filters, rule, attribution)
    counts = (
        rows.group_by(group_cols).agg(
            count=rows.weight.sum(), models=(rows.export_id + "\x1f" + rows.model_key).nunique()
        )
        if group_cols
        else rows.aggregate(count=rows.weight.sum(), models=(rows.export_id + "\x1f" + rows.model_key).nunique())
    )
    return count_order(_with_share(counts, t, by, filters), by)


def count_order(result: ir.Table, by: Sequence[str]) -> ir.Table:
    """A count's rows in order: time and openness first, the count descending, then the groups. The count is
    rounded for the order: fractional sums differ in their last bits between engines, and ties must break on the
    groups the same way everywhere."""
    return result.order_by(
        [
            *[result[s] for s in by if s in _PER_VALUE],
            result["count"].round(9).desc(),
            *[result[c].asc() for c in by if c not in _PER_VALUE],
        ]
    )


def model_statistics(
    t: CensusTables,
    by: list[str],
    filters: Filters = Filters(),
    rule: str = Rule.FULL,
    attribution: str = Attribution.AS_PUBLISHED,
) -> ir.Table:
    """Per group: models, total and median training compute (FLOP) and parameters.

    Totals are weighted by the counting rule; medians are over the models of the group that
    report the value.
    """
    rows, group_cols = weighted_rows(t, by, filters, rule, attribution)
    metrics = dict(
        models=rows.weight.sum(),
        models_with_compute=rows.training_compute_flop.notnull().cast("int64").sum(),
        total_training_compute_flop=(rows.training_compute_flop * rows.weight).sum(),
        median_training_compute_flop=rows.training_compute_flop.median(),
        models_with_parameters=rows.parameters.notnull().cast("int64").sum(),
        total_parameters=(rows.parameters * rows.weight).sum(),
        median_parameters=rows.parameters.median(),
    )
    result = rows.group_by(group_cols).agg(**metrics) if group_cols else rows.aggregate(**metrics)
    # fractional sums differ in the last digits between engines: round before ordering, so ties stay ties
    return result.order_by(_ordering(result, group_cols, result.models.round(9).desc()))


def hardware_by_vendor(
    t: CensusTables,
    by: list[str],
    filters: Filters = Filters(),
    rule: str = Rule.FULL,
    attribution: str = Attribution.AS_PUBLISHED,
) -> ir.Table:
    """Models per training-hardware vendor (and vendor country), per group.

    A model trained on chips of two vendors counts for each; models that report no hardware are
    the vendor row ``null``.
    """
    rows, group_cols = weighted_rows(t, by, filters, rule, attribution)
    hw = t.model_hardware
    vendors = hw.select(*KEYS, "vendor", "vendor_country").distinct()
    j = rows.left_join(vendors, KEYS)
    j = j.select(*[rows[c] for c in KEYS], *[rows[c] for c in group_cols], rows.weight, j.vendor, j.vendor_country)
    cols = [*group_cols, "vendor", "vendor_country"]
    result = j.group_by(cols).agg(models=j.weight.sum())
    return result.order_by(_ordering(result, cols, result.models.desc()))


def _ordering(result: ir.Table, cols: list[str], measure: ir.Value) -> list[ir.Value]:
    """Time and openness first, the measure descending, then the groups: ties in the measure come out in
    the same order on every engine (DuckDB and Spark agree row for row)."""
    return [
        *[result[c] for c in cols if c in _PER_VALUE],
        measure,
        *[result[c].asc() for c in cols if c not in _PER_VALUE],
    ]


def model_groups(t: CensusTables, dimension: str, attribution: str, filters: Filters) -> ir.Table:
    """(export_id, model_key, group, position) for the models that pass the filters."""
    m = select_models(t, filters)
    return group_rows(t, dimension, attribution).semi_join(m, KEYS)
