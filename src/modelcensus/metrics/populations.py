"""Populations under a definition, counted at a unit under a rule, at any vintage: Ibis over the census records.

A definition admits records of its sources' exports in force on a date (``as_of``; the newest otherwise):
for each source its newest export dated on or before it (for the Hub, each repo's latest observation among
the harvests so dated). Its filters keep records: Epoch's fields (notable, frontier, large-scale, open weights,
domain, compute, parameters) admit only records that carry them; ``originals_only`` keeps Hub originals by
organizations (an individual's upload is not a release); ``large_model`` keeps what :mod:`modelcensus.scope`
admits; ``cac_filed`` keeps the canonical models linked to a CAC filing in force (:func:`cac_filed_models`).

Units: ``variant`` (a record, or with several sources a canonical model: one model listed by two sources is
one unit), ``release`` (without post-training and packaging suffixes) and ``family`` (without size). A unit's
year is its earliest member's, its countries the union of its members' in the order of the sources
(Epoch first) and their own order. Counting rules as in :mod:`modelcensus.metrics.core`: ``full``,
``fractional``, ``primary``; units with no country are a row of their own (group null), never dropped.

A :class:`Population` holds a definition's members, units and unit countries on a date; the counts, grids and lists
of members here read one (:func:`count_of`, :func:`grid_of`, :func:`units_of_group`), so that a reader can
materialise it once and count it many ways. :func:`count_population`, :func:`count_grid` and
:func:`units_in_group` build it as expressions and count it in one query.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import ibis
import ibis.expr.types as ir

from modelcensus.metrics.core import CensusTables, current_exports, epoch_roles, of_countries
from modelcensus.vocabulary import TABULAR_ROLE, Attribution, Period, Rule, Unit, choose

_EPOCH_FLAGS = ("notable", "frontier", "large_scale")


DELTA_SOURCES = ("huggingface", "cac")
"""Sources whose exports add up rather than replace each other: Hub harvests (each repo at its latest observation)
and the CAC's attachments (each lists the filings since the last)."""


def tabular_sources(t: CensusTables, as_of: date | None = None) -> ir.Table:
    """``(source)``: the tabular lists stored (with an export dated on or before ``as_of``), by name."""
    e = t.exports
    if as_of is not None:
        e = e.filter(e.data_date <= as_of)
    lists = t.snapshots.filter(t.snapshots.role == TABULAR_ROLE).select("export_id")
    return e.semi_join(lists, "export_id").select("source").distinct().order_by("source")


def in_force(
    t: CensusTables, sources: Sequence[str] | None, as_of: date | None, roles: tuple[str, ...] | None = None
) -> ir.Table:
    """``(export_id, source, data_date)`` of the exports a figure reads: the newest of each source dated on or
    before ``as_of`` (for Epoch, the newest that holds one of ``roles``' files, see
    :func:`~modelcensus.metrics.core.current_exports`), and for the sources whose exports add up
    (:data:`DELTA_SOURCES`: Hub harvests, CAC attachments) every export so dated. ``sources=None``: every stored
    source (each source's exports are chosen on their own, so this is the union of each source's)."""
    current = current_exports(t, as_of, roles)
    current = current.filter(~current.source.isin(list(DELTA_SOURCES)))
    if sources is not None:
        current = current.filter(current.source.isin(list(sources)))
    deltas = [s for s in DELTA_SOURCES if sources is None or s in sources]
    if not deltas:
        return current
    e = t.exports.filter(t.exports.source.isin(deltas))
    if as_of is not None:
        e = e.filter(e.data_date <= as_of)
    added = e.select("export_id", "source", "data_date")
    return current.union(added.cast(current.schema()))  # with roles, current's columns are nullable (a left join)


def admitted(
    t: CensusTables,
    sources: Sequence[str],
    filters: Mapping[str, Any],
    as_of: date | None = None,
    one_harvest: bool = False,
) -> ir.Table:
    """The records a definition admits on ``as_of`` (one row per record; Hub repos at their newest harvest), from
    the Epoch vintage that holds the population the filters admit. ``one_harvest`` is a hint, not a filter: the
    store holds a single Hub harvest, so no repo needs its newest observation picked (a window over millions of
    repos saved)."""
    exports = in_force(t, sources, as_of, epoch_roles(dict(filters)))
    r = t.census_records.join(exports.select("export_id", export_date=exports.data_date), "export_id")
    if not one_harvest and "huggingface" in sources:
        hub = r.source == "huggingface"
        window = ibis.window(group_by=[r.source, r.source_id], order_by=[r.export_date.desc(nulls_first=False)])
        r = r.mutate(_n=ibis.row_number().over(window))
        r = r.filter(~hub | (r._n == 0)).drop("_n")
    return keep_admitted(t, r, filters, as_of)


def keep_admitted(t: CensusTables, r: ir.Table, filters: Mapping[str, Any], as_of: date | None = None) -> ir.Table:
    """The census records ``r`` (of any exports) that a definition's filters admit; ``cac_filed`` reads the CAC
    attachments in force on ``as_of``."""
    for name in _EPOCH_FLAGS:
        if name in filters:
            r = r.filter(r[name].fill_null(False) == bool(filters[name]))
    if "open_weights" in filters:
        r = r.filter(r.open_weights == str(filters["open_weights"]))
    if "domain" in filters:
        wanted = str(filters["domain"]).casefold()
        r = r.filter(r.domains.map(lambda d: d.lower()).contains(wanted))
    if "min_training_compute_flop" in filters:
        r = r.filter(r.training_compute_flop >= float(filters["min_training_compute_flop"]))
    if "min_parameters" in filters:
        r = r.filter(r.parameters >= float(filters["min_parameters"]))
    if filters.get("originals_only"):
        r = r.filter(~r.derivative & ((r.source != "huggingface") | r.by_organization))
    if filters.get("derivatives_only"):
        r = r.filter(r.derivative)
    if "large_model" in filters:
        r = r.filter(r.large_model == bool(filters["large_model"]))
    if "cac_filed" in filters:
        filed = cac_filed_models(t, as_of)
        r = r.semi_join(filed, "canonical_id") if filters["cac_filed"] else r.anti_join(filed, "canonical_id")
    return r


def cac_filed_models(t: CensusTables, as_of: date | None = None) -> ir.Table:
    """``canonical_id`` of the models linked to a CAC filing (备案, not a registration) of the attachments in force
    on ``as_of`` (see :mod:`modelcensus.linkage.cac`)."""
    exports = in_force(t, ["cac"], as_of)
    links = t.census_cac_links.semi_join(exports, "export_id")
    links = links.filter((links.record_type == "filing") & links.canonical_id.notnull())
    return links.select("canonical_id").distinct()


def unit_column(records: ir.Table, unit: str, linked: bool) -> ir.Value:
    """The unit key of each record: with several sources, canonical models (one model, many listings)."""
    choose(Unit, unit, "unit")
    if unit == Unit.VARIANT:
        return records.canonical_id if linked else records.source + ":" + records.source_id
    column = f"canon_{unit}" if linked else f"rec_{unit}"
    return records[column]


MEMBER_COLUMNS = (
    "kind",
    "unit",
    "export_id",
    "source",
    "source_id",
    "source_rank",
    "name",
    "unit_name",
    "year",
    "published_on",
    "large_model_reason",
)
"""What a population keeps of each admitted record: its unit (of each kind asked for), what counting and listing it
reads, nothing else (a population of the whole Hub is millions of rows)."""


@dataclass(frozen=True)
class Population:
    """A definition's population on a date, at one or more kinds of unit (``kind``: variant, release, family).

    ``members``: one row per admitted record and kind, with its ``unit`` (:data:`MEMBER_COLUMNS`); ``units``: one
    row per unit of every period (``kind, unit, name, year, published_on``); ``countries``: each unit's
    countries under one attribution (``kind, unit, country, order``). :func:`population` builds them as
    expressions; a reader may materialise each once (:meth:`~modelcensus.engines.Engine.materialize`) and count it
    under every rule, period and country without building the population again."""

    members: ir.Table
    units: ir.Table
    countries: ir.Table

    def of_kind(self, kind: str) -> Population:
        """The population at one kind of unit (``kind`` dropped, and the members' ``unit_name``, which only
        :func:`population_units` reads: a unit's name is its first member's)."""
        choose(Unit, kind, "unit")
        return Population(
            self.members.filter(self.members.kind == kind).drop("kind", "unit_name"),
            self.units.filter(self.units.kind == kind).drop("kind"),
            self.countries.filter(self.countries.kind == kind).drop("kind"),
        )


def population_members(
    t: CensusTables,
    sources: Sequence[str],
    filters: Mapping[str, Any],
    kinds: Sequence[str],
    as_of: date | None = None,
    linked: bool | None = None,
    one_harvest: bool = False,
) -> ir.Table:
    """The admitted records (:func:`admitted`) with their unit of each of ``kinds``, as :data:`MEMBER_COLUMNS`;
    the units are canonical models when ``linked`` (default: when there are several sources)."""
    linked = len(sources) > 1 if linked is None else linked
    records = admitted(t, sources, filters, as_of, one_harvest)
    parts = [
        records.mutate(
            kind=ibis.literal(str(kind)),
            unit=unit_column(records, kind, linked),
            unit_name=records.canonical_name if linked else records.name,
        ).select(*MEMBER_COLUMNS)
        for kind in kinds
    ]
    return ibis.union(*parts, distinct=False) if len(parts) > 1 else parts[0]


def population_units(members: ir.Table) -> ir.Table:
    """One row per unit (of each kind) of :func:`population_members`: ``kind, unit, name`` (its first member's,
    in the order of the sources, then by name), ``year`` and ``published_on`` (its earliest member's). One
    aggregate over the members (a population of the whole Hub is millions of them)."""
    # the first member in (source rank, name) order, as one sortable key: one aggregate, no window over millions
    first = members.source_rank.cast("string").lpad(6, "0").concat(":", members.name.fill_null(""))
    return members.group_by(["kind", "unit"]).agg(
        year=members.year.min(),
        published_on=members.published_on.min(),
        name=members.unit_name.argmin(first),
    )


def population(
    t: CensusTables,
    sources: Sequence[str],
    filters: Mapping[str, Any],
    kinds: Sequence[str],
    attribution: str,
    as_of: date | None = None,
) -> Population:
    """A definition's :class:`Population` as expressions (nothing materialised)."""
    members = population_members(t, sources, filters, kinds, as_of)
    return Population(members, population_units(members), unit_countries(t, members, attribution))


def in_period(unit_table: ir.Table, period: Period) -> ir.Table:
    """The units of a period (by their year, or their earliest publication date)."""
    u = unit_table
    if period.year is not None:
        u = u.filter(u.year == period.year)
    for bound, op in ((period.since, "ge"), (period.until, "le")):
        if bound is None:
            continue
        column = u.published_on if isinstance(bound, date) else u.year
        u = u.filter(column >= bound if op == "ge" else column <= bound)
    return u


def record_countries(t: CensusTables, attribution: str) -> ir.Table:
    """Each record's countries under an attribution (Epoch records have no lineage: read resolved)."""
    choose(Attribution, attribution, "attribution")
    c = t.census_record_countries
    if attribution == Attribution.LINEAGE:
        epoch = c.source == "epoch"
        return c.filter((epoch & (c.attribution == "resolved")) | (~epoch & (c.attribution == "lineage")))
    return c.filter(c.attribution == attribution)


def record_organizations(t: CensusTables) -> ir.Table:
    """``(export_id, source, source_id, position, organization)``: each record's organizations as its source
    publishes them: Epoch's organization list in its order, a catalogue's or tabular list's organization, a Hub
    repo's author (the account that published it)."""
    o = t.model_orgs
    epoch = o.select(
        export_id=o.export_id.cast("string"),
        source=ibis.literal("epoch", "string"),
        source_id=o.model_key.cast("string"),
        position=o.position.cast("int64"),
        organization=o.org_name.cast("string"),
    )
    c = t.catalog_records.filter(t.catalog_records.organization.notnull() & (t.catalog_records.organization != ""))
    listed = c.select(
        export_id=c.export_id.cast("string"),
        source=c.source.cast("string"),
        source_id=c.source_id.cast("string"),
        position=ibis.literal(0, "int64"),
        organization=c.organization.cast("string"),
    )
    h = t.hub_models.filter(t.hub_models.author.notnull())
    hub = h.select(
        export_id=h.export_id.cast("string"),
        source=ibis.literal("huggingface", "string"),
        source_id=h.repo_id.cast("string"),
        position=ibis.literal(0, "int64"),
        organization=h.author.cast("string"),
    )
    return epoch.union(listed).union(hub)


def unit_countries(t: CensusTables, members: ir.Table, attribution: str) -> ir.Table:
    """``([kind,] unit, country, order)``: each unit's countries in its members' order (Epoch's first). A source
    without the attribution asked for reads its nearest one (Epoch has no lineage: its records are resolved)."""
    choose(Attribution, attribution, "attribution")
    c = record_countries(t, attribution)
    keys = ["kind", "unit"] if "kind" in members.columns else ["unit"]
    m = members.select(*keys, "export_id", "source", "source_id", "source_rank")
    j = m.join(c, [m.export_id == c.export_id, m.source == c.source, m.source_id == c.source_id])
    rows = j.select(*[m[k] for k in keys], c.country, order=m.source_rank * 100000 + c.position)
    return rows.group_by([*keys, "country"]).agg(order=rows.order.min())


def count_units(unit_table: ir.Table, countries: ir.Table, rule: str, by_year: bool = False) -> ir.Table:
    """Count units by country under a rule: ``group, [year,] count, units, denominator, share`` (a null group
    for the units with no country); the denominator is the number of units (of the same year, ``by_year``)."""
    choose(Rule, rule, "rule")
    keys = ["year"] if by_year else []
    uc = countries.join(unit_table.select("unit", "year"), "unit")
    per_unit = uc.group_by("unit").agg(n=uc.country.nunique(), first=uc.order.min())
    rows = uc.join(per_unit, "unit")
    if rule == Rule.PRIMARY:
        rows = rows.filter(rows.order == rows.first)
    weight = ibis.literal(1.0) / rows.n.cast("float64") if rule == Rule.FRACTIONAL else ibis.literal(1.0)
    rows = rows.mutate(weight=weight)
    counted = rows.group_by([rows.country.name("group"), *keys]).agg(count=rows.weight.sum(), units=rows.unit.nunique())
    without = unit_table.anti_join(uc, "unit")
    if keys:
        none_rows = without.group_by(keys).agg(units=without.count())
    else:
        none_rows = without.aggregate(units=without.count()).filter(lambda x: x.units > 0)
    none_rows = none_rows.mutate(group=ibis.null("string"), count=none_rows.units.cast("float64"))
    columns = ["group", *keys, "count", "units"]
    out = counted.select(*columns).union(none_rows.select(*columns))
    if keys:
        out = out.join(unit_table.group_by(keys).agg(denominator=unit_table.count()), keys)
    else:
        out = out.cross_join(unit_table.aggregate(denominator=unit_table.count()))
    out = out.mutate(share=out["count"] / out.denominator.cast("float64"))
    # fractional counts differ in their last bits between engines: order by the count to 9 decimals, then the group
    return out.order_by([*[out[k] for k in keys], out["count"].round(9).desc(), out.group.asc(nulls_first=False)])


def count_population(
    t: CensusTables,
    sources: Sequence[str],
    filters: Mapping[str, Any],
    unit: str,
    rule: str,
    attribution: str,
    period: Period = Period(),
    as_of: date | None = None,
    by_year: bool = False,
    countries: Sequence[str | None] = (),
) -> ir.Table:
    """A definition's count by country (and year), see the module docstring; ``countries`` keeps the units of
    those countries (``None``: also those with none) under the attribution, and is the denominator."""
    pop = population(t, sources, filters, (unit,), attribution, as_of).of_kind(unit)
    return count_of(pop, rule, period, by_year, countries)


def count_of(
    pop: Population,
    rule: str,
    period: Period = Period(),
    by_year: bool = False,
    countries: Sequence[str | None] = (),
) -> ir.Table:
    """:func:`count_population` of a population at one kind of unit (:meth:`Population.of_kind`)."""
    chosen = of_places(pop, in_period(pop.units, period), countries)
    return count_units(chosen, pop.countries, rule, by_year)


def of_places(pop: Population, unit_table: ir.Table, countries: Sequence[str | None]) -> ir.Table:
    """The units of ``unit_table`` with one of ``countries`` (``None``: with no country) under the population's
    attribution; all of them when ``countries`` is empty."""
    if not countries:
        return unit_table
    uc = pop.countries
    return of_countries(unit_table, uc.select("unit", group=uc.country), ["unit"], countries)


def units_in_group(
    t: CensusTables,
    sources: Sequence[str],
    filters: Mapping[str, Any],
    unit: str,
    attribution: str,
    country: str | Sequence[str | None] | None,
    period: Period = Period(),
    as_of: date | None = None,
) -> tuple[ir.Table, ir.Table]:
    """``(units, members)`` counted for ``country`` (None: the units with no country; several: any of them): the
    evidence of a figure."""
    pop = population(t, sources, filters, (unit,), attribution, as_of).of_kind(unit)
    return units_of_group(pop, country, period)


def units_of_group(
    pop: Population, country: str | Sequence[str | None] | None, period: Period = Period()
) -> tuple[ir.Table, ir.Table]:
    """:func:`units_in_group` of a population at one kind of unit (:meth:`Population.of_kind`)."""
    wanted = (country,) if country is None or isinstance(country, str) else tuple(country)
    chosen = of_places(pop, in_period(pop.units, period), wanted)
    return chosen, pop.members.semi_join(chosen, "unit")


def count_grid(
    t: CensusTables,
    sources: Sequence[str],
    filters: Mapping[str, Any],
    attribution: str,
    periods: Sequence[Period],
    as_of: date | None = None,
    unit_kinds: Sequence[str] = tuple(Unit),
) -> ir.Table:
    """Every unit and rule, for several periods, in one query: a sensitivity table's counts (see
    :func:`grid_of`)."""
    return grid_of(population(t, sources, filters, unit_kinds, attribution, as_of), periods)


def grid_of(pop: Population, periods: Sequence[Period]) -> ir.Table:
    """Every kind of unit of a population and every rule, for several periods, in one query.

    One row per (``unit``, ``group``) with, for each period i, ``full_i``, ``fractional_i``, ``primary_i``
    (the count under each rule) and ``denominator_i`` (the units of that period); the null group holds the units
    with no country (counted 1 under every rule)."""
    keys = ["kind", "unit"]
    flags = {f"in_{i}": _in_period(pop.units, p) for i, p in enumerate(periods)}
    unit_table = pop.units.select(*keys, **flags)
    uc = pop.countries.join(unit_table, keys)
    per_unit = uc.group_by(keys).agg(n=uc.country.nunique(), first=uc.order.min())
    rows = uc.join(per_unit, keys)
    share = ibis.literal(1.0) / rows.n.cast("float64")
    primary = ibis.cases((rows.order == rows.first, 1.0), else_=0.0)
    metrics: dict[str, ir.Value] = {}
    for i in range(len(periods)):
        inside = ibis.cases((rows[f"in_{i}"], 1.0), else_=0.0)
        metrics[f"full_{i}"] = inside.sum()
        metrics[f"fractional_{i}"] = (inside * share).sum()
        metrics[f"primary_{i}"] = (inside * primary).sum()
    counted = rows.group_by([rows.kind, rows.country.name("group")]).agg(**metrics)
    without = unit_table.anti_join(uc, keys)
    lonely: dict[str, ir.Value] = {}
    for i in range(len(periods)):
        n = ibis.cases((without[f"in_{i}"], 1.0), else_=0.0).sum()
        lonely.update({f"full_{i}": n, f"fractional_{i}": n, f"primary_{i}": n})
    none_rows = without.group_by("kind").agg(**lonely).mutate(group=ibis.null("string"))
    columns = ["kind", "group", *metrics]
    block = counted.select(*columns).union(none_rows.select(*columns))
    totals = unit_table.group_by("kind").agg(
        **{f"denominator_{i}": unit_table[f"in_{i}"].cast("int64").sum() for i in range(len(periods))}
    )
    out = block.join(totals, "kind")
    return out.select(out.kind.name("unit"), *[c for c in out.columns if c != "kind"])


def _in_period(unit_table: ir.Table, period: Period) -> ir.Value:
    condition: ir.Value = ibis.literal(True)
    if period.year is not None:
        condition = condition & (unit_table.year == period.year)
    for bound, lower in ((period.since, True), (period.until, False)):
        if bound is None:
            continue
        column = unit_table.published_on if isinstance(bound, date) else unit_table.year
        condition = condition & (column >= bound if lower else column <= bound)
    return condition.fill_null(False)
