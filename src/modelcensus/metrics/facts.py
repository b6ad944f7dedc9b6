"""What the sources say about a few records: their size (parameters), their training compute and their arena
ratings, each from the export in force on a date, as Ibis over the census records and the stored ratings.

A model page shows these beside the record each came from: sources disagree (Epoch AI revises a compute
estimate between vintages), so a value is never shown without its source and the date of its export.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import ibis
import ibis.expr.types as ir

from modelcensus.metrics.core import CensusTables
from modelcensus.metrics.populations import in_force

RATED_CATEGORIES = ("text/full", "vision/full", "image/full")
"""The arenas a model page shows a rating of: each arena's overall board (LMArena's text, vision and image
arenas, without style control: the category the quality frontier reads for text)."""


def _of(records: ir.Table, wanted: Sequence[tuple[str, str]]) -> ir.Value:
    return ibis.or_(*[(records.source == s) & (records.source_id == i) for s, i in wanted])


def record_measures(t: CensusTables, wanted: Sequence[tuple[str, str]], as_of: date | None = None) -> ir.Table:
    """``(source, source_id, export_id, data_date, parameters, training_compute_flop)`` of the records ``wanted``
    (``(source, source_id)``), each from the newest export of its source dated on or before ``as_of`` that lists
    it (an Epoch AI model from the newest vintage listing it, whichever of its files; a Hub repo: its newest
    harvest)."""
    e = t.exports
    if as_of is not None:
        e = e.filter(e.data_date <= as_of)
    r = t.census_records.filter(_of(t.census_records, wanted))
    r = r.join(e.select("export_id", data_date=e.data_date, ingested_at=e.ingested_at), "export_id")
    window = ibis.window(
        group_by=[r.source, r.source_id], order_by=[r.data_date.desc(nulls_first=False), r.ingested_at.desc()]
    )
    r = r.mutate(_n=ibis.row_number().over(window))
    r = r.filter(r._n == 0)
    return r.select("source", "source_id", "export_id", "data_date", "parameters", "training_compute_flop").order_by(
        ["source", "source_id"]
    )


def record_ratings(
    t: CensusTables,
    source_ids: Sequence[str],
    as_of: date | None = None,
    categories: Sequence[str] = RATED_CATEGORIES,
) -> ir.Table:
    """``(source_id, category, rated_on, rating, rating_low, rating_high, export_id)``: the newest dated rating of
    each LMArena record in each category, from the LMArena export in force on ``as_of`` (a day's rating on or
    before it)."""
    exports = in_force(t, ["lmarena"], as_of).select("export_id")
    g = t.ratings.semi_join(exports, "export_id")
    g = g.filter(g.source_id.isin(list(source_ids)) & g.category.isin(list(categories)) & g.rated_on.notnull())
    if as_of is not None:
        g = g.filter(g.rated_on <= as_of)
    window = ibis.window(group_by=[g.source_id, g.category], order_by=[g.rated_on.desc(), g.rating.desc()])
    g = g.mutate(_n=ibis.row_number().over(window))
    g = g.filter(g._n == 0)
    return g.select("source_id", "category", "rated_on", "rating", "rating_low", "rating_high", "export_id").order_by(
        ["category", "source_id"]
    )
