"""Hugging Face Hub metrics: repos, downloads and likes by developer country, lineage origin and base family.

Attributions of a repo:

- ``resolved``: the country of the organization that publishes it (its author handle, via the registry);
- ``lineage``: the country of the developer of its root base model (a derivative counts for the country
  whose model it was built on; an original is its own root).

Individual accounts, community groups and accounts the registry does not know get no invented
country: their repos form unattributed rows, one per reason. Counting rules are those of
:mod:`modelcensus.metrics.core` (``full``, ``fractional``, ``primary``), applied to an organization's
countries. Shares state their denominator: the metric's total over the repos that pass the filters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

import ibis
import ibis.expr.types as ir

from modelcensus.errors import QueryError
from modelcensus.metrics.core import CensusTables, of_countries, place_text
from modelcensus.vocabulary import (
    HUB_ATTRIBUTIONS,
    HUB_DIMENSIONS,
    HUB_GROUPED,
    HUB_SCALARS,
    Attribution,
    Derivatives,
    Dimension,
    HubMetric,
    Rule,
    choose,
)

DERIVATIVES_TEXT = {
    Derivatives.INCLUDE: "originals and derivatives",
    Derivatives.EXCLUDE: "originals only",
    Derivatives.ONLY: "derivatives only",
}


@dataclass(frozen=True)
class HubFilters:
    """Which repos a figure is about (``None``: no filter). Years are of the repo's creation."""

    year: int | None = None
    since: int | None = None
    until: int | None = None
    pipeline_tag: str | None = None
    derivatives: str = Derivatives.INCLUDE
    as_of: date | None = None
    one_harvest: bool = False
    """A hint, not a filter: the store holds a single harvest, so no repo needs its latest observation picked."""
    country: tuple[str | None, ...] = field(default_factory=tuple)
    """Only repos of these countries (ISO codes; ``None``: also those with none) under ``attribution``."""
    region: str | None = None
    """The region group ``country`` holds the members of, for captions."""
    attribution: str = Attribution.RESOLVED
    """Whose country the ``country`` filter reads: the publisher's (resolved) or the root base's developer's."""

    def __post_init__(self) -> None:
        choose(Derivatives, self.derivatives, "derivatives")
        choose(Attribution, self.attribution, "attribution", HUB_ATTRIBUTIONS, where=" for Hub repos")
        if self.year is not None and (self.since is not None or self.until is not None):
            raise QueryError("give either year, or since/until, not both", parameter="year")

    def describe(self) -> str:
        parts = ["Hugging Face Hub repos"]
        if self.year is not None:
            parts.append(f"created in {self.year}")
        if self.since is not None or self.until is not None:
            parts.append(f"created {self.since or '…'}–{self.until or '…'}")
        if self.pipeline_tag:
            parts.append(f"pipeline {self.pipeline_tag}")
        parts.append(DERIVATIVES_TEXT[Derivatives(self.derivatives)])
        place = place_text(self.country, self.region, self.attribution)
        if place:
            parts.append(place)
        if self.as_of:
            parts.append(f"as of {self.as_of.isoformat()}")
        return ", ".join(parts)


def hub_current(t: CensusTables, as_of: date | None = None, one_harvest: bool = False) -> ir.Table:
    """The latest observation of every repo (among harvests dated on or before ``as_of``)."""
    e = t.exports.filter(t.exports.source == "huggingface")
    if as_of is not None:
        e = e.filter(e.data_date <= as_of)
    m = t.hub_models.join(e.select("export_id", "data_date", "ingested_at"), "export_id")
    if one_harvest:
        return m.drop("ingested_at")
    window = ibis.window(group_by=m.repo_id, order_by=[m.data_date.desc(nulls_first=False), m.ingested_at.desc()])
    ranked = m.mutate(rank_=ibis.row_number().over(window))
    return ranked.filter(ranked.rank_ == 0).drop("rank_", "ingested_at")


def needs_roots(filters: HubFilters, attribution: str = Attribution.RESOLVED, by: Sequence[str] = ()) -> bool:
    """Whether a Hub figure reads the repos' lineage (their root, base family, whether they derive from another):
    under the lineage attribution, with derivatives left out or alone, or grouped by base family or derivative."""
    return (
        attribution == Attribution.LINEAGE
        or (bool(filters.country) and filters.attribution == Attribution.LINEAGE)
        or filters.derivatives != Derivatives.INCLUDE
        or any(d in (Dimension.BASE_FAMILY, Dimension.DERIVATIVE) for d in by)
    )


_PLAIN = ("export_id", "repo_id", "author", "created_at", "downloads", "likes", "pipeline_tag", "data_date")


def with_roots(m: ir.Table, t: CensusTables) -> ir.Table:
    """Repos (:func:`hub_current`) with their lineage root, depth, relation and base family, and whether they
    derive from another repo."""
    r = t.hub_roots
    j = m.left_join(r, m.repo_id == r.repo_id)
    repos = j.select(
        *[m[c] for c in _PLAIN],
        root_id=r.root_id.coalesce(m.repo_id),
        root_author=ibis.cases((r.root_id.isnull(), m.author), else_=r.root_author),
        depth=r.depth.coalesce(0),
        relation=r.relation,
        base_family=r.family,
    )
    return repos.mutate(derivative=repos.depth > 0)


def hub_now(t: CensusTables, one_harvest: bool = False) -> ir.Table:
    """Every repo's newest observation with its lineage (:func:`with_roots`): what a build keeps, so that a Hub
    figure of today reads one table instead of joining millions of repos with their roots."""
    return with_roots(hub_current(t, None, one_harvest), t)


def hub_repos(t: CensusTables, filters: HubFilters, roots: bool = True) -> ir.Table:
    """Current repos with their lineage root and base family, filtered. ``roots=False`` (a figure that reads no
    lineage, :func:`needs_roots`): the repos alone, without their lineage columns, so no join with the lineage of
    millions of repos. Today's repos are read from :attr:`CensusTables.hub_now` when a build kept it."""
    if filters.as_of is None and t.hub_now is not None:
        repos = t.hub_now if roots else t.hub_now.select(*_PLAIN)
    else:
        m = hub_current(t, filters.as_of, filters.one_harvest)
        repos = with_roots(m, t) if roots else m.select(*_PLAIN)
    repos = repos.mutate(
        year=repos.created_at.year(),
        month=repos.created_at.strftime("%Y-%m"),
        downloads=repos.downloads.coalesce(0),
        likes=repos.likes.coalesce(0),
    )
    if filters.year is not None:
        repos = repos.filter(repos.year == filters.year)
    if filters.since is not None:
        repos = repos.filter(repos.year >= filters.since)
    if filters.until is not None:
        repos = repos.filter(repos.year <= filters.until)
    if filters.pipeline_tag is not None:
        repos = repos.filter(repos.pipeline_tag == filters.pipeline_tag)
    if filters.derivatives == Derivatives.EXCLUDE:
        repos = repos.filter(~repos.derivative)
    elif filters.derivatives == Derivatives.ONLY:
        repos = repos.filter(repos.derivative)
    if filters.country:
        lineage = filters.attribution == Attribution.LINEAGE
        handles = repos.select("repo_id", handle=repos.root_author if lineage else repos.author)
        h, oc = t.hub_handles.filter(t.hub_handles.kind == "organization"), t.org_countries
        j = handles.join(h, handles.handle == h.handle).join(oc, h.org_id == oc.org_id)
        repos = of_countries(repos, j.select(handles.repo_id, group=oc.country), ["repo_id"], filters.country)
    return repos


def _check(by: list[str], metric: str, attribution: str, rule: str) -> tuple[str | None, list[str]]:
    unknown = [d for d in by if d not in HUB_DIMENSIONS]
    if unknown:
        raise QueryError(
            f"cannot group Hub repos by {unknown[0]!r}; choose from {', '.join(HUB_DIMENSIONS)}", parameter="by"
        )
    grouped = [d for d in by if d in HUB_GROUPED]
    if len(grouped) > 1:
        raise QueryError(f"group by at most one of {', '.join(HUB_GROUPED)} at a time", parameter="by")
    choose(HubMetric, metric, "metric")
    choose(Attribution, attribution, "attribution", HUB_ATTRIBUTIONS, where=" for Hub repos")
    choose(Rule, rule, "rule")
    return (grouped[0] if grouped else None), [d for d in by if d in HUB_SCALARS]


def _reason(handle: ir.Value, org_id: ir.Value, kind: ir.Value, lineage: bool) -> ir.Value:
    """Why a repo has no country (or organization), in words. An individual the Hub's profile told of has a kind
    but no organization."""
    prefix = "base by " if lineage else ""
    return ibis.cases(
        (handle.isnull(), "unknown base" if lineage else "no author"),
        (kind == "individual", prefix + "an individual account"),
        (kind == "community", prefix + "a community group"),
        (org_id.isnull(), prefix + "an account the registry does not know"),
        else_=prefix + "an organization with no country",
    )


def weighted_repos(
    t: CensusTables, by: list[str], filters: HubFilters, metric: str, attribution: str, rule: str
) -> tuple[ir.Table, list[str]]:
    """One row per (repo, group) with the repo's weight under the counting rule times the metric."""
    grouped, scalars = _check(by, metric, attribution, rule)
    roots = needs_roots(filters, attribution, by)
    repos = hub_repos(t, filters, roots)
    amount = ibis.literal(1.0) if metric == HubMetric.MODELS else repos[metric].cast("float64")
    lineage = attribution == Attribution.LINEAGE
    base = repos.select(
        "repo_id",
        *scalars,
        *(["base_family"] if roots else []),
        amount=amount,
        handle=repos.root_author if lineage else repos.author,
    )
    if grouped in (None, "base_family"):
        rows = base.mutate(weight=ibis.literal(1.0), reason=ibis.null("string"))
        if grouped == "base_family":
            rows = rows.mutate(
                reason=ibis.cases((rows.base_family.isnull(), "no known base family"), else_=ibis.null("string"))
            )
        return rows.mutate(value=rows.amount * rows.weight).drop("handle"), [c for c in (grouped,) if c] + scalars
    h = t.hub_handles
    j = base.left_join(h, base.handle == h.handle)
    j = j.select(*[base[c] for c in base.columns if c != "base_family"], h.org_id, h.kind)
    reason = _reason(j.handle, j.org_id, j.kind, lineage)
    if grouped == "organization":
        orgs = t.organizations
        k = j.left_join(orgs, j.org_id == orgs.org_id)
        rows = k.select(
            *[j[c] for c in ("repo_id", *scalars, "amount")],
            organization=orgs.name,
            weight=ibis.literal(1.0),
            reason=ibis.cases((orgs.name.isnull(), reason), else_=ibis.null("string")),
        )
        return rows.mutate(value=rows.amount * rows.weight), ["organization", *scalars]
    # one row per (organization, country): a repo is then in each of its groups once (its row counts as a repo)
    oc = t.org_countries.group_by(["org_id", "country"]).agg(position=t.org_countries.position.min())
    k = j.left_join(oc, j.org_id == oc.org_id)
    k = k.select(
        *[j[c] for c in ("repo_id", *scalars, "amount")], reason_=reason, country=oc.country, position=oc.position
    )
    if grouped == "region":
        r = t.region_members
        k2 = k.left_join(r, k.country == r.country)
        k = k2.select(*[k[c] for c in ("repo_id", *scalars, "amount", "reason_", "position")], country=r.region_name)
        k = k.group_by([c for c in k.columns if c != "position"]).agg(position=k.position.min())
    if rule != Rule.FULL:  # how many groups each repo is in, and its first: for the fractional and primary rules
        n = k.group_by("repo_id").agg(n_groups=k.country.nunique(), first_position=k.position.min())
        k = k.join(n, "repo_id")
    if rule == Rule.PRIMARY:
        k = k.filter(k.position.isnull() | (k.position == k.first_position))
        weight = ibis.literal(1.0)
    elif rule == Rule.FRACTIONAL:
        weight = ibis.cases((k.n_groups == 0, 1.0), else_=ibis.literal(1.0) / k.n_groups.cast("float64"))
    else:
        weight = ibis.literal(1.0)
    rows = k.select(
        *[k[c] for c in ("repo_id", *scalars, "amount")],
        weight=weight,
        reason=ibis.cases((k.country.isnull(), k.reason_), else_=ibis.null("string")),
        **{grouped: k.country},
    )
    return rows.mutate(value=rows.amount * rows.weight), [grouped, *scalars]


def hub_coverage(t: CensusTables, filters: HubFilters, attribution: str = Attribution.RESOLVED) -> ir.Table:
    """How much of a Hub figure is attributed, in one row: ``repos`` and ``downloads`` in all, and those whose
    handle (the author's, or the root base's under ``lineage``) resolves to an organization
    (``repos_with_organization``, ``downloads_with_organization``) and to a country (``…_with_country``)."""
    choose(Attribution, attribution, "attribution", HUB_ATTRIBUTIONS, where=" for Hub repos")
    repos = hub_repos(t, filters, needs_roots(filters, attribution))
    base = repos.select(
        "repo_id", "downloads", handle=repos.root_author if attribution == Attribution.LINEAGE else repos.author
    )
    h = t.hub_handles
    oc = t.org_countries.group_by("org_id").agg(countries_=t.org_countries.country.nunique())
    j = base.left_join(h, base.handle == h.handle).select(base.repo_id, base.downloads, h.org_id, h.kind)
    k = j.left_join(oc, j.org_id == oc.org_id).select(j.repo_id, j.downloads, j.org_id, j.kind, oc.countries_)
    with_org = k.org_id.notnull() & (k.kind == "organization")
    with_country = with_org & (k.countries_.coalesce(0) > 0)
    downloads = k.downloads.cast("int64")
    return k.aggregate(
        repos=k.count(),
        repos_with_organization=with_org.cast("int64").sum().coalesce(0),
        repos_with_country=with_country.cast("int64").sum().coalesce(0),
        downloads=downloads.sum().coalesce(0),
        downloads_with_organization=ibis.cases((with_org, downloads), else_=0).sum().coalesce(0),
        downloads_with_country=ibis.cases((with_country, downloads), else_=0).sum().coalesce(0),
    )


def count_hub(
    t: CensusTables,
    by: list[str],
    filters: HubFilters = HubFilters(),
    metric: str = HubMetric.MODELS,
    attribution: str = Attribution.RESOLVED,
    rule: str = Rule.FULL,
) -> ir.Table:
    """Per group: ``value`` (repos, downloads or likes), ``repos``, ``denominator``, ``share`` and, for
    unattributed rows, ``reason``."""
    rows, group_cols = weighted_repos(t, by, filters, metric, attribution, rule)
    keys = [*group_cols, "reason"]
    # each repo is one row of its group (a repo per row of hub_current, one organization per handle, one row per
    # organization and country, regions grouped): a row count, not a distinct count over millions of ids
    counts = rows.group_by(keys).agg(value=rows.value.sum(), repos=rows.count())
    repos = hub_repos(t, filters, needs_roots(filters, by=by))
    total = repos.count() if metric == HubMetric.MODELS else repos[metric].sum()
    scalars = [c for c in group_cols[1:] if c in HUB_SCALARS]  # shares within the other dimensions' values
    if scalars:
        denominators = repos.group_by(scalars).agg(denominator=total.cast("float64"))
        counts = counts.join(denominators, scalars)
    else:
        counts = counts.cross_join(repos.aggregate(denominator=total.cast("float64")))
    counts = counts.mutate(share=counts.value / counts.denominator)
    # ties in value: by group, then reason, so that every engine returns the same row order
    return counts.order_by(
        [*[counts[s] for s in scalars], counts.value.desc(), *[counts[c].asc() for c in keys if c not in scalars]]
    )


def trend_hub(
    t: CensusTables,
    dates: list[date],
    by: list[str],
    filters: HubFilters,
    metric: str,
    attribution: str,
    rule: str,
) -> ir.Table:
    """:func:`count_hub` as of each harvest date: adoption as a time series."""
    if not dates:
        raise QueryError("no Hugging Face harvest is stored yet")
    parts = []
    for day in dates:
        f = replace(filters, as_of=day)
        parts.append(count_hub(t, by, f, metric, attribution, rule).mutate(date=ibis.literal(day)))
    return ibis.union(*parts) if len(parts) > 1 else parts[0]
