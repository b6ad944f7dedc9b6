"""Overview metrics for the report: concentration of a breakdown and the top organizations.

Engine-independent Ibis expressions, like the rest of :mod:`modelcensus.metrics`: they take Ibis
tables and return Ibis expressions; nothing here executes a query.

Concentration is measured over a breakdown ``(period, group, value)``, e.g. models per country per
year. Within each period a group's share is its value over the sum of the values of all groups that
have one (rows with no group, such as models with no country, are left out of this denominator,
so the shares add up to 1 and the Herfindahl index lies in (0, 1]):

- ``top1_share``: the share of the largest group;
- ``top2_share``: the shares of the two largest groups added up;
- ``hhi``: the Herfindahl–Hirschman index, the sum of the squared shares (1 = one group holds
  everything; 1/n = n groups of equal size).

Ties between groups of equal value are broken by the group's name, so the result is deterministic.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from modelcensus.metrics.core import KEYS, CensusTables, Filters, select_models

CONCENTRATION_COLUMNS = ("groups", "total", "top1_group", "top1_share", "top2_share", "hhi")


def concentration(counts: ir.Table, period: str = "year", group: str = "group", value: str = "count") -> ir.Table:
    """Top-1 share, top-2 share and Herfindahl index of ``value`` across ``group`` within each ``period``.

    Returns one row per period: ``period, groups, total, top1_group, top1_share, top2_share, hhi``,
    ordered by period. Rows with a null group or a value that is not positive are not counted.
    """
    c = counts.filter(counts[group].notnull() & (counts[value] > 0))
    c = c.select(period_=c[period], group_=c[group], value_=c[value].cast("float64"))
    by_period = ibis.window(group_by=c.period_)
    ranked = ibis.window(group_by=c.period_, order_by=[c.value_.desc(), c.group_.asc()])
    c = c.mutate(share_=c.value_ / c.value_.sum().over(by_period), rank_=ibis.row_number().over(ranked))
    out = c.group_by("period_").agg(
        groups=c.count(),
        total=c.value_.sum(),
        top1_group=c.group_.cast("string").max(where=c.rank_ == 0),
        top1_share=c.share_.max(where=c.rank_ == 0),
        top2_share=c.share_.sum(where=c.rank_ <= 1),
        hhi=(c.share_ * c.share_).sum(),
    )
    return out.rename({period: "period_"}).order_by(period)


def top_organizations(
    t: CensusTables, filters: Filters | None = None, limit: int = 15, org_country: str | None = None
) -> ir.Table:
    """The organizations with the most models, with their countries and sector (from the registry).

    A model with several organizations counts once for each (full counting); a model listing one
    organization twice counts once for it. Columns: ``org_id, organization, sector, countries``
    (comma-separated ISO codes in the registry's order), ``models``, ``denominator`` (models that
    pass the filters), ``share``. Names the registry does not resolve are left out (the CLI's
    ``orgs unresolved`` lists them). ``org_country`` keeps only the organizations of that country (a
    country's profile does not rank its models' foreign co-developers).
    """
    m = select_models(t, filters or Filters())
    mo = t.model_orgs.semi_join(m, KEYS)
    res, orgs = t.org_resolution, t.organizations
    j = mo.join(res, mo.org_name == res.org_name).join(orgs, res.org_id == orgs.org_id)
    per_model = j.select(mo.export_id, mo.model_key, org_id=res.org_id, organization=orgs.name, sector=orgs.sector)
    if org_country is not None:
        of_country = t.org_countries.filter(t.org_countries.country == org_country).select("org_id")
        per_model = per_model.semi_join(of_country, "org_id")
    per_model = per_model.distinct()
    counts = per_model.group_by(["org_id", "organization", "sector"]).agg(models=per_model.count())
    counts = counts.order_by([counts.models.desc(), counts.organization.asc()]).limit(limit)
    oc = t.org_countries
    # in the registry's order: "000001:CN" sorts by position on every engine (Spark cannot order a collect)
    ranked = oc.position.cast("string").lpad(6, "0").concat(":", oc.country)
    countries = oc.group_by("org_id").agg(countries=ranked.collect().sort().join(",").re_replace(r"\d{6}:", ""))
    total = m.aggregate(denominator=m.count())
    out = counts.left_join(countries, "org_id").cross_join(total)
    out = out.select(
        counts.org_id,
        counts.organization,
        counts.sector,
        countries=out.countries,
        models=counts.models,
        denominator=out.denominator,
    )
    out = out.mutate(share=out.models.cast("float64") / out.denominator.cast("float64"))
    return out.order_by([out.models.desc(), out.organization.asc()])
