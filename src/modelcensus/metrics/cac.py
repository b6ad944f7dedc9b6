"""The CAC register as figures: Ibis expressions over ``cac_filings``, ``cac_entities`` and ``cac_totals``.

The unit is a filing: a service (a provider and the model it runs), never a model. Filings (备案) and
registrations (登记) are two lists, counted apart (``record_type``). The register as of a date is every CAC
export (a set of attachments, each a delta) dated on or before it, each filing once, as its newest export lists
it. Its country, as published, is the register's own (China: every service it lists is filed in China);
resolved, it is the countries of the registry organization its provider resolves to (a foreign company's
Chinese subsidiary resolves to its group's country only if the registry says so). A filing whose provider does
not resolve counts in a row of its own (group null), never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import ibis
import ibis.expr.types as ir

from modelcensus.errors import QueryError
from modelcensus.metrics.core import CensusTables, current_exports
from modelcensus.metrics.populations import count_units, in_force
from modelcensus.vocabulary import CAC_DIMENSIONS, CAC_SCALARS, Attribution, CacRecordType, Rule, choose

SOURCE = "cac"
TOTALS_SOURCE = "cac-totals"


@dataclass(frozen=True)
class CacFilters:
    """Which filings: one list, a period (of the filing date), as of a date."""

    record_type: str = CacRecordType.FILING
    year: int | None = None
    since: int | None = None
    until: int | None = None
    as_of: date | None = None

    def __post_init__(self) -> None:
        choose(CacRecordType, self.record_type, "record_type")
        if self.year is not None and (self.since is not None or self.until is not None):
            raise QueryError("give either year, or since/until, not both", parameter="year")

    def describe(self) -> str:
        parts = [
            "CAC register, "
            + ("filings (备案)" if self.record_type == CacRecordType.FILING else "registrations (登记)")
            + ": each a service (a provider and its model), not a model"
        ]
        if self.year is not None:
            parts.append(f"filed in {self.year}")
        if self.since is not None or self.until is not None:
            parts.append(f"filed {self.since or '…'}–{self.until or '…'}")
        if self.as_of is not None:
            parts.append(f"as of {self.as_of.isoformat()}")
        return ", ".join(parts)


def filings(t: CensusTables, f: CacFilters) -> ir.Table:
    """The filings in force (each once, from its newest export), of one list and period, with their provider's
    resolution (``org_id``, ``method``, ``score``, ``resolved_by``)."""
    exports = in_force(t, [SOURCE], f.as_of)
    e = t.exports.semi_join(exports, "export_id").select(
        "export_id", export_date="data_date", ingested_at="ingested_at"
    )
    rows = t.cac_filings.join(e, "export_id")
    window = ibis.window(
        group_by=rows.filing_key,
        order_by=[rows.export_date.desc(nulls_first=False), rows.ingested_at.desc(), rows.export_id],
    )
    rows = rows.mutate(n_=ibis.row_number().over(window))
    rows = rows.filter((rows.n_ == 0) & (rows.record_type == str(f.record_type))).drop(
        "n_", "export_date", "ingested_at"
    )
    if f.year is not None:
        rows = rows.filter(rows.year == f.year)
    if f.since is not None:
        rows = rows.filter(rows.year >= f.since)
    if f.until is not None:
        rows = rows.filter(rows.year <= f.until)
    ent = t.cac_entities
    j = rows.left_join(ent, [rows.entity == ent.entity, rows.entity_label.fill_null("") == ent.entity_label])
    return j.select(
        *[rows[c] for c in rows.columns],
        org_id=ent.org_id,
        method=ent.method.fill_null("unresolved"),
        score=ent.score.fill_null(0.0),
        resolved_by=ent.resolved_by,
    )


def filing_groups(t: CensusTables, rows: ir.Table, by: str, attribution: str) -> ir.Table:
    """``(unit, country, order)``: each filing's groups under a grouped dimension (``country`` names the group,
    whatever the dimension), as :func:`~modelcensus.metrics.populations.count_units` takes them. A filing has one
    province and one provider; resolved, its provider's organization may have several countries."""
    choose(Attribution, attribution, "attribution", (Attribution.AS_PUBLISHED, Attribution.RESOLVED))
    if by == "country" and attribution == Attribution.RESOLVED:
        oc = t.org_countries
        j = rows.join(oc, rows.org_id == oc.org_id)
        return j.select(unit=rows.filing_key, country=oc.country, order=oc.position)
    columns = {
        "country": rows.country,
        "province": rows.province_code.fill_null(rows.province),
        "organization": rows.org_id,
    }
    g = rows.mutate(group_=columns[by])
    g = g.filter(g.group_.notnull())
    return g.select(unit=g.filing_key, country=g.group_, order=ibis.literal(0))


def count_filings(t: CensusTables, by: str, f: CacFilters, rule: str, attribution: str) -> ir.Table:
    """Filings per group: ``group, count, filings, denominator, share`` (a null group: no province, an unresolved
    provider, no date), ordered by count; the denominator is every filing counted."""
    choose(Rule, rule, "rule")
    if by not in CAC_DIMENSIONS:
        raise QueryError(f"cannot group CAC filings by {by!r}; choose from {', '.join(CAC_DIMENSIONS)}", parameter="by")
    rows = filings(t, f)
    if by in CAC_SCALARS:
        counted = rows.group_by(rows[by].cast("string").name("group")).agg(filings=rows.count())
        counted = counted.mutate(count=counted.filings.cast("float64"))
        out = counted.cross_join(rows.aggregate(denominator=rows.count()))
        out = out.mutate(share=out["count"] / out.denominator.cast("float64"))
        return out.select("group", "count", "filings", "denominator", "share").order_by(
            [out.group.asc(nulls_first=False)]
        )
    units = rows.select(unit=rows.filing_key, year=rows.year)
    counted = count_units(units, filing_groups(t, rows, by, attribution), rule)
    return counted.rename(filings="units")


def monthly(t: CensusTables, f: CacFilters) -> ir.Table:
    """Per month of the filing date: ``month, new, highest_sequence`` (the highest sequence number filed that
    month: the register held at least that many by its end). Undated filings are not in it (:func:`undated`)."""
    rows = filings(t, f)
    dated = rows.filter(rows.month.notnull())
    return dated.group_by("month").agg(new=dated.count(), highest_sequence=dated.sequence.max()).order_by("month")


def undated(t: CensusTables, f: CacFilters) -> ir.Scalar:
    """How many filings in force carry no date (counted in totals, not placeable in a series)."""
    rows = filings(t, f)
    return rows.filter(rows.month.isnull()).count()


def totals(t: CensusTables, as_of: date | None) -> ir.Table:
    """The published totals of the newest totals table dated on or before ``as_of`` (each statement dated on or
    before it)."""
    current = current_exports(t, as_of).filter(lambda e: e.source == TOTALS_SOURCE)
    rows = t.cac_totals.semi_join(current, "export_id")
    if as_of is not None:
        rows = rows.filter(rows.as_of <= as_of)
    return rows.order_by(["as_of", "line"])


def unresolved(t: CensusTables, f: CacFilters) -> ir.Table:
    """Providers the registry does not resolve, with the resolver's method and their filings, most first."""
    rows = filings(t, f)
    u = rows.filter(rows.org_id.isnull())
    out = u.group_by(["entity", "entity_label", "method"]).agg(filings=u.count())
    return out.order_by([ibis.desc("filings"), "entity", "entity_label"])


def filings_behind(
    t: CensusTables,
    f: CacFilters,
    *,
    attribution: str = Attribution.AS_PUBLISHED,
    country: str | None = None,
    province: str | None = None,
    org_ids: tuple[str, ...] | None = None,
    entity_text: str | None = None,
    month: str | None = None,
) -> ir.Table:
    """The filings behind a figure: those in force of the group each argument names (``""``: the group's null row:
    no country, no province, an unresolved provider, no date). ``org_ids`` and ``entity_text`` select together:
    the provider resolves to one of the organizations, or its filed name contains the text."""
    rows = filings(t, f)
    if country is not None:
        groups = filing_groups(t, rows, "country", attribution)
        if country == "":
            rows = rows.anti_join(groups, rows.filing_key == groups.unit)
        else:
            rows = rows.semi_join(groups.filter(groups.country == country), rows.filing_key == groups.unit)
    if province is not None:
        if province == "":
            rows = rows.filter(rows.province.isnull())
        else:
            wanted = province.casefold()
            rows = rows.filter(
                (rows.province_code.lower() == wanted)
                | (rows.province.lower() == wanted)
                | (rows.province_zh.lower() == wanted)
            )
    if org_ids is not None or entity_text is not None:
        if org_ids == ():
            rows = rows.filter(rows.org_id.isnull())
        else:
            chosen = ibis.literal(False)
            if org_ids:
                chosen = chosen | rows.org_id.isin(list(org_ids))
            if entity_text:
                chosen = chosen | rows.entity.contains(entity_text)
            rows = rows.filter(chosen)
    if month is not None:
        rows = rows.filter(rows.month.isnull() if month == "" else rows.month == month)
    return rows.order_by([rows.sequence.asc(nulls_first=False), rows.filing_key])
