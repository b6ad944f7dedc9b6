"""When each model entered the census: the first stored snapshot that listed it (the "what's new" view).

A model enters the census on the data date of the first stored export, of any of a definition's sources, that
lists one of its records the definition admits. That is the date the data describes, never the day its file was
ingested: a vintage Epoch AI published in 2024 and ingested today dates its models 2024. Exports of unknown date
cannot be placed in time and are left out. The unit is the canonical model (one model listed by several sources
is one), so a model listed by OpenRouter in February and by Epoch AI in March entered in February.

What the date does and does not say. A snapshot lists what its source listed on its date. A model that an earlier
stored snapshot of the same source would have held and did not (Epoch AI's file of all models, or its notable
file for a notable model; any earlier snapshot of another source) was added by that source between the two dates:
it is *new to its source* and ``previous_snapshot`` is the earlier date. A model of the first stored snapshot of
its source that could hold it (the first OpenRouter list, the first Epoch file of all models) entered when the
census began reading that file: the snapshot says nothing of when the source first listed it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

import ibis
import ibis.expr.types as ir

from modelcensus.metrics.core import CensusTables, epoch_roles, of_countries
from modelcensus.metrics.populations import in_force, keep_admitted, record_countries

EPOCH_FLAG_ROLES = {"notable": "notable", "frontier": "frontier", "large_scale": "large_scale"}
"""An Epoch file that holds every model with the flag (besides the file of all models, which holds every one)."""


def dated_exports(t: CensusTables, sources: Sequence[str]) -> ir.Table:
    """``(export_id, source, data_date, roles)``: every stored export of ``sources`` whose data date is known (its
    files' roles sorted), oldest first."""
    e = t.exports
    e = e.filter(e.source.isin(list(sources)) & e.data_date.notnull())
    s = t.snapshots
    roles = s.group_by("export_id").agg(roles=s.role.collect(distinct=True).sort())
    j = e.join(roles, "export_id")
    return j.select("export_id", "source", "data_date", "roles").order_by(["data_date", "source", "export_id"])


def undated_exports(t: CensusTables, sources: Sequence[str]) -> ir.Table:
    """``(export_id, source)``: the stored exports of ``sources`` of unknown date (left out of the view)."""
    e = t.exports
    return e.filter(e.source.isin(list(sources)) & e.data_date.isnull()).select("export_id", "source")


def listings(t: CensusTables, sources: Sequence[str], filters: Mapping[str, Any]) -> ir.Table:
    """Every record the definition's ``filters`` admit at every dated export of ``sources``, with ``export_date``."""
    e = dated_exports(t, sources)
    r = t.census_records.join(e.select("export_id", export_date=e.data_date), "export_id")
    return keep_admitted(t, r, filters)


def entered_models(
    t: CensusTables,
    sources: Sequence[str],
    filters: Mapping[str, Any],
    attribution: str,
    countries: Sequence[str | None] = (),
    after: date | None = None,
    ref: str | None = None,
    hold: Callable[[ir.Table], ir.Table] | None = None,
) -> tuple[ir.Table, ir.Table, ir.Table]:
    """``(models, records, model_countries)`` of the canonical models that entered after ``after`` (all of them
    without it), of one of ``countries`` under the attribution when given (``None``: with no country):

    - ``models``: ``canonical_id, name, entered_on, published_on, year, previous_snapshot`` (the newest earlier
      snapshot of an entering source that would have held the model and did not list it; null: none did);
    - ``records``: ``canonical_id, source, source_id, name, first_listed, last_listed, entering`` (listed on the
      day the model entered), ``listed_now`` (in an export in force now);
    - ``model_countries``: ``canonical_id, country, order`` (every country of any of its records, Epoch's first).

    ``ref`` narrows them to the model it names: its canonical id, or one of its records' ``source:source_id``.
    ``hold`` (an engine's ``materialize``) runs the chosen models once into a table the three expressions read:
    the whole census is grouped once, not once per expression.
    """
    r = listings(t, sources, filters)
    first = r.group_by("canonical_id").agg(
        name=r.canonical_name.min(),
        entered_on=r.export_date.min(),
        published_on=r.published_on.min(),
        year=r.year.min(),
    )
    if after is not None:
        first = first.filter(first.entered_on > after)
    if ref is not None:
        source, _, source_id = ref.partition(":")
        named = r.filter((r.canonical_id == ref) | ((r.source == source) & (r.source_id == source_id)))
        first = first.semi_join(named.select("canonical_id"), "canonical_id")
    rc = record_countries(t, attribution)
    keyed = r.select("canonical_id", "export_id", "source", "source_id", "source_rank")

    def countries_of(chosen: ir.Table) -> ir.Table:  # canonical_id, country, order: of the chosen models
        j = keyed.semi_join(chosen, "canonical_id").join(rc, ["export_id", "source", "source_id"])
        rows = j.select(j.canonical_id, j.country, order=j.source_rank * 100000 + j.position)
        return rows.group_by(["canonical_id", "country"]).agg(order=rows.order.min())

    if countries:
        per_model = countries_of(first)
        first = of_countries(
            first, per_model.select("canonical_id", group=per_model.country), ["canonical_id"], countries
        )
    if hold is not None:
        first = hold(first)

    starts = first.select(cid="canonical_id", entered_on="entered_on")
    at = r.join(starts, [r.canonical_id == starts.cid, r.export_date == starts.entered_on])
    at = at.select("canonical_id", "source", "source_id", "entered_on", "notable", "frontier", "large_scale")
    earlier = dated_exports(t, sources).select("export_id", "source", "data_date")
    roles = t.snapshots.select("export_id", "role").distinct()
    earlier = earlier.join(roles, "export_id").select(
        e_source=earlier.source, e_date=earlier.data_date, role=roles.role
    )
    x = at.join(earlier, [at.source == earlier.e_source, earlier.e_date < at.entered_on])
    holds = (x.source != "epoch") | (x.role == "all")
    for flag, role in EPOCH_FLAG_ROLES.items():
        holds = holds | ((x.role == role) & x[flag].fill_null(False))
    previous = x.filter(holds).group_by("canonical_id").agg(previous_snapshot=x.e_date.max())
    models = first.left_join(previous, "canonical_id").select(
        first.canonical_id, "name", "entered_on", "published_on", "year", "previous_snapshot"
    )

    now = in_force(t, sources, None, epoch_roles(dict(filters))).select("export_id").mutate(now_=ibis.literal(1))
    mine = r.join(starts, r.canonical_id == starts.cid).left_join(now, "export_id")
    mine = mine.mutate(
        entering_=(mine.export_date == mine.entered_on).cast("int32"), now_=mine.now_.fill_null(0).cast("int32")
    )
    records = mine.group_by(["canonical_id", "source", "source_id"]).agg(
        name=mine.name.min(),
        first_listed=mine.export_date.min(),
        last_listed=mine.export_date.max(),
        entering=mine.entering_.max() == 1,
        listed_now=mine.now_.max() == 1,
    )
    return models, records, countries_of(first)
