"""The quality frontier: each country's best-rated model at each rating date, as Ibis over the stored ratings.

A rating belongs to a date (the day a leaderboard described, or a row of the rating history); a rating of
unknown date is never placed on the time axis. An LMArena model's countries are its developer's, or, when
LMArena does not say who made it, those of the records it is linked to (its canonical model's). ``as_of``
keeps the ratings of days on or before it (a day's board was public that day).
"""

from __future__ import annotations

from datetime import date

import ibis
import ibis.expr.types as ir

from modelcensus.metrics.core import CensusTables
from modelcensus.metrics.populations import record_countries


def lmarena_countries(t: CensusTables) -> ir.Table:
    """``(source_id, country)``: each LMArena model's countries (its own developer's, else its linked records')."""
    records = t.census_records
    arena = records.filter(records.source == "lmarena").select("source_id", "canonical_id").distinct()
    c = record_countries(t, "resolved")
    own = c.filter(c.source == "lmarena").select(source_id=c.source_id.cast("string"), country=c.country.cast("string"))
    own = own.distinct()
    linked_records = records.semi_join(arena.select("canonical_id"), "canonical_id")  # not the whole census's
    theirs = c.filter(c.source_id.isin(linked_records.source_id))  # their countries only, before the join
    everyone = linked_records.join(
        theirs,
        [
            linked_records.export_id == theirs.export_id,
            linked_records.source == theirs.source,
            linked_records.source_id == theirs.source_id,
        ],
    )
    by_model = everyone.select(everyone.canonical_id, everyone.country).distinct()
    linked = arena.join(by_model, "canonical_id")
    linked = linked.select(source_id=linked.source_id.cast("string"), country=linked.country.cast("string"))
    linked = linked.anti_join(own, "source_id")
    return own.union(linked).distinct()


def frontier(t: CensusTables, category: str, as_of: date | None = None) -> ir.Table:
    """``rated_on, group, model, rating, rating_low, rating_high``: the best-rated model of each country at each
    rating date (ties: the first model name)."""
    ratings = t.ratings.filter((t.ratings.category == category) & t.ratings.rated_on.notnull())
    if as_of is not None:  # a rating of a day was public that day (LMArena publishes its board as it is)
        ratings = ratings.filter(ratings.rated_on <= as_of)
    ratings = ratings.select("source_id", "rated_on", "rating", "rating_low", "rating_high").distinct()
    countries = t.lmarena_countries if t.lmarena_countries is not None else lmarena_countries(t)
    j = ratings.join(countries, "source_id")
    window = ibis.window(group_by=[j.rated_on, j.country], order_by=[j.rating.desc(), j.source_id.asc()])
    ranked = j.mutate(_rank=ibis.row_number().over(window))
    best = ranked.filter(ranked._rank == 0)
    return best.select(
        "rated_on",
        group=best.country,
        model=best.source_id,
        rating=best.rating,
        rating_low=best.rating_low,
        rating_high=best.rating_high,
    ).order_by(["rated_on", ibis.desc("rating"), "group"])


def undated_ratings(t: CensusTables, category: str) -> ir.Table:
    """``ratings, undated``: how many ratings the category holds, and how many of them carry no date (they are left
    off the time axis)."""
    r = t.ratings.filter(t.ratings.category == category)
    return r.aggregate(ratings=r.count(), undated=r.rated_on.isnull().sum())
