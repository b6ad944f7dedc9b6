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

from modelcensus.errors import QueryError
from modelcensus.metrics.core import CensusTables, Filters, select_models
from modelcensus.metrics.organizations import family_counts, model_org_ids, org_country_lists

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


RANKINGS = ("models", "models_with_subsidiaries")


def top_organizations(
    t: CensusTables,
    filters: Filters | None = None,
    limit: int = 15,
    org_country: str | None = None,
    rank_by: str = "models",
) -> ir.Table:
    """The organizations with the most models, with their countries and sector (from the registry).

    A model with several organizations counts once for each (full counting); a model listing one
    organization twice counts once for it. Columns: ``org_id, organization, sector, countries``
    (comma-separated ISO codes in the registry's order), ``models`` (the models listing the organization
    itself), ``models_with_subsidiaries`` (also those listing an organization the registry places below it: what
    its profile page counts, see :mod:`modelcensus.metrics.organizations`), ``denominator`` (models that pass the
    filters), ``share`` (of ``rank_by``, one of :data:`RANKINGS`, which also orders them). Names the registry does
    not resolve are left out (the CLI's ``orgs unresolved`` lists them). ``org_country`` keeps only the
    organizations of that country (a country's profile does not rank its models' foreign co-developers).
    """
    choose_ranking(rank_by)
    m = select_models(t, filters or Filters())
    per = model_org_ids(t, m)
    own = per.group_by("org_id").agg(models=per.count())
    family = family_counts(t, m)
    both = family.left_join(own, family.org_id == own.org_id).select(
        family.org_id, models=own.models.fill_null(0), models_with_subsidiaries=family.models_with_subsidiaries
    )
    if org_country is not None:
        of_country = t.org_countries.filter(t.org_countries.country == org_country).select("org_id")
        both = both.semi_join(of_country, "org_id")
    both = both.filter(both[rank_by] > 0)
    orgs = t.organizations
    named = both.join(orgs, both.org_id == orgs.org_id).select(
        both.org_id,
        organization=orgs.name,
        sector=orgs.sector,
        models=both.models,
        models_with_subsidiaries=both.models_with_subsidiaries,
    )
    named = named.order_by([named[rank_by].desc(), named.organization.asc()]).limit(limit)
    countries = org_country_lists(t)
    total = m.aggregate(denominator=m.count())
    out = named.left_join(countries, named.org_id == countries.org_id).cross_join(total)
    out = out.select(
        named.org_id,
        named.organization,
        named.sector,
        countries=out.countries,
        models=named.models,
        models_with_subsidiaries=named.models_with_subsidiaries,
        denominator=out.denominator,
    )
    out = out.mutate(share=out[rank_by].cast("float64") / out.denominator.cast("float64"))
    return out.order_by([out[rank_by].desc(), out.organization.asc()])


def choose_ranking(rank_by: str) -> str:
    if rank_by not in RANKINGS:
        raise QueryError(f"rank_by must be one of {', '.join(RANKINGS)}, not {rank_by!r}", parameter="rank_by")
    return rank_by
