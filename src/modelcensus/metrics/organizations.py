"""The organization table: what a breakdown by organization says of each organization besides its count.

A breakdown by organization groups models by the organization names as the source publishes them
(``as-published``: "Alibaba") or by the registry's organizations (``resolved``: "Alibaba Group"). Each row also
carries, from the registry, so one organization reads the same on every page:

- ``org_id`` and ``organization``: the registry's id and name of the organization the row's name resolves to
  (none for a name the registry does not resolve);
- ``countries``: the organization's own countries, in the registry's order (not its models' countries: a
  breakdown restricted to China's models can hold a foreign co-developer, and this column says so);
- ``models_with_subsidiaries``: the distinct models (that pass the filters) listing the organization or any
  organization the registry places below it (subsidiaries, labs, their units), which is what its profile page
  counts. ``models`` counts the organization itself only: a subsidiary's models are in its own row and in its
  parent's ``models_with_subsidiaries``.

Engine-independent Ibis expressions, like the rest of :mod:`modelcensus.metrics`. The registry's parents are
followed :data:`~modelcensus.orgs.registry.MAX_PARENT_DEPTH` levels up (the registry allows no deeper chain).
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from modelcensus.metrics.core import KEYS, VINTAGE_DIMENSION, CensusTables, Filters, select_models
from modelcensus.orgs.registry import MAX_PARENT_DEPTH
from modelcensus.vocabulary import Attribution

ORGANIZATION_COLUMNS = ("org_id", "organization", "countries", "models_with_subsidiaries")
SUBSIDIARIES_TEXT = (
    "models counts the organization itself; models_with_subsidiaries also the models of the organizations the "
    "registry places below it (what its own page counts); countries are the organization's own, from the registry"
)


def org_ancestry(t: CensusTables) -> ir.Table:
    """``(org_id, ancestor_id)``: every organization with itself and each organization above it."""
    o = t.organizations
    level = o.select(org_id=o.org_id, ancestor_id=o.org_id)
    parts = [level]
    for _ in range(MAX_PARENT_DEPTH):
        p = t.organizations.select(up_id=t.organizations.org_id, up_parent=t.organizations.parent)
        level = level.join(p, level.ancestor_id == p.up_id).select(org_id=level.org_id, ancestor_id=p.up_parent)
        level = level.filter(level.ancestor_id.notnull() & (level.ancestor_id != ""))
        parts.append(level)
    schema = ibis.schema({"org_id": "string", "ancestor_id": "string"})  # nullable on every engine
    return ibis.union(*[part.cast(schema) for part in parts], distinct=True)


def org_country_lists(t: CensusTables) -> ir.Table:
    """``(org_id, countries)``: each organization's countries as comma-separated ISO codes, in the registry's
    order."""
    oc = t.org_countries
    # "000001:CN" sorts by position on every engine (Spark cannot order a collect)
    ranked = oc.position.cast("string").lpad(6, "0").concat(":", oc.country)
    return oc.group_by("org_id").agg(countries=ranked.collect().sort().join(",").re_replace(r"\d{6}:", ""))


def model_org_ids(t: CensusTables, models: ir.Table) -> ir.Table:
    """``(export_id, model_key, org_id)``: the registry organizations of the ``models``' organizations (one row per
    model and organization; names the registry does not resolve are left out)."""
    mo = t.model_orgs.semi_join(models, KEYS)
    res = t.org_resolution
    j = mo.join(res, mo.org_name == res.org_name)
    return j.select(mo.export_id, mo.model_key, org_id=res.org_id).filter(lambda r: r.org_id.notnull()).distinct()


def family_counts(t: CensusTables, models: ir.Table, scalars: Sequence[str] = ()) -> ir.Table:
    """``(org_id, *scalars, models_with_subsidiaries)``: per organization (and value of the ``scalars``, columns of
    ``models``), the distinct ``models`` that list it or an organization below it."""
    extra = [s for s in scalars if s not in KEYS]
    per = model_org_ids(t, models)
    per = per.join(models.select(*KEYS, *extra), KEYS)
    anc = org_ancestry(t)
    fam = per.join(anc, per.org_id == anc.org_id).select(
        *[per[k] for k in KEYS], *[per[s] for s in extra], org_id=anc.ancestor_id
    )
    fam = fam.distinct()
    return fam.group_by(["org_id", *scalars]).agg(
        models_with_subsidiaries=(fam.export_id + "\x1f" + fam.model_key).nunique()
    )


def with_organization_columns(
    t: CensusTables, counts: ir.Table, by: Sequence[str], filters: Filters, attribution: str
) -> ir.Table:
    """A count by organization (``count_models``' columns) with :data:`ORGANIZATION_COLUMNS` after them."""
    if "organization" not in by:
        return counts
    scalars = [d for d in by if d != "organization"]
    if attribution == Attribution.AS_PUBLISHED:
        res = t.org_resolution
        labels = res.select(label_=res.org_name, id_=res.org_id).filter(lambda r: r.id_.notnull()).distinct()
    else:
        o = t.organizations
        labels = o.group_by(label_=o.name).agg(id_=o.org_id.min())
    o = t.organizations
    names = o.select(name_id_=o.org_id, name_=o.name)
    lists = org_country_lists(t)
    lists = lists.select(list_id_=lists.org_id, countries_=lists.countries)
    models = select_models(t, filters)
    fam_scalars = [s for s in scalars if s != VINTAGE_DIMENSION]
    fam = family_counts(t, models, fam_scalars)
    fam = fam.rename(fam_id_="org_id")
    j = counts.left_join(labels, counts.organization == labels.label_)
    j = j.left_join(names, j.id_ == names.name_id_)
    j = j.left_join(lists, j.id_ == lists.list_id_)
    on = [j.id_ == fam.fam_id_, *[counts[s].identical_to(fam[s]) for s in fam_scalars]]
    j = j.left_join(fam, on)
    return j.select(
        *[counts[c] for c in counts.columns],
        org_id=j.id_,
        organization_name=j.name_,
        countries=j.countries_,
        models_with_subsidiaries=j.models_with_subsidiaries,
    )
