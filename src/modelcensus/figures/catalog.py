"""Figures under named definitions (populations, units, the three counting rules) and the quality frontier.

Every figure is an Ibis expression of :mod:`modelcensus.metrics.populations` or :mod:`modelcensus.metrics.frontier`
run by the reader's engine, over the census records the linkage keeps current.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import PurePath
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from modelcensus.definitions import Definition
from modelcensus.errors import QueryError
from modelcensus.figures.figure import Figure, Provenance
from modelcensus.figures.reader import Part
from modelcensus.metrics.core import RULE_TEXT, epoch_roles, place_text
from modelcensus.metrics.facts import record_measures, record_ratings
from modelcensus.metrics.frontier import frontier as frontier_expr
from modelcensus.metrics.frontier import undated_ratings
from modelcensus.metrics.populations import count_of, record_countries, record_organizations, units_of_group
from modelcensus.orgs import requested_places
from modelcensus.records import as_date, country_name, is_missing, stable
from modelcensus.vocabulary import Attribution, Period, Source, unit_plural


class CatalogFigures(Part):
    """Counts and members under definitions; the best-rated model per country over time."""

    # -- the quality frontier ---------------------------------------------------------------------

    def frontier(self, by: str = "country", category: str = "text/full", as_of: date | str | None = None) -> Figure:
        """For each country and rating date, the best-rated LMArena model with its 95% interval (as the census
        could have read it on ``as_of``). The provenance says how many ratings carry no date (left off the axis)."""
        if by != "country":
            raise QueryError("the quality frontier is by country", parameter="by")
        t = self.population_tables
        counted = self.reader.execute(undated_ratings(t, category)).iloc[0]
        if int(counted["ratings"]) == 0:
            raise QueryError(
                f"no LMArena ratings in category {category!r}; run `modelcensus ingest lmarena`", parameter="category"
            )
        when = self.reader.as_of(as_of)
        best = self.reader.execute(frontier_expr(t, category, when))
        best["rated_on"] = pd.to_datetime(best["rated_on"]).dt.date
        best = best.reset_index(drop=True)
        provenance = Provenance(
            category=category,
            as_of=when,
            undated_ratings=int(counted["undated"]),
            snapshots=tuple(self.reader.snapshots_in_force(["lmarena"])),  # ratings keep their own days
            stated_when_empty=("as_of",),
        )
        return Figure(best, provenance)

    def frontier_gap(
        self, category: str = "text/full", first: str = "US", second: str = "CN", as_of: date | str | None = None
    ) -> Figure:
        """The gap between the best model of two countries at each rating date (first minus second)."""
        figure = self.frontier(category=category, as_of=as_of)
        best = figure.frame
        wide = best.pivot_table(index="rated_on", columns="group", values="rating", aggfunc="max")
        models = best.pivot_table(index="rated_on", columns="group", values="model", aggfunc="first")
        if first not in wide.columns or second not in wide.columns:
            raise QueryError(f"no ratings for {first} and {second} in category {category!r}", parameter="category")
        out = pd.DataFrame(
            {
                "rated_on": wide.index,
                f"best_{first}": models[first].values,
                f"rating_{first}": wide[first].values,
                f"best_{second}": models[second].values,
                f"rating_{second}": wide[second].values,
            }
        )
        out["gap"] = out[f"rating_{first}"] - out[f"rating_{second}"]
        out = out.dropna(subset=["gap"]).reset_index(drop=True)
        return figure.with_frame(out)

    # -- tabular lists ------------------------------------------------------------------------------

    def tabular_sources(self, as_of: date | str | None = None) -> list[str]:
        """The source names of the stored tabular lists (``modelcensus ingest tabular``), by name."""
        return self.reader.tabular_sources(as_of)

    def source_definition(self, source: str) -> Definition:
        """A tabular list (its source name), or ``tabular`` (every stored list, linked across lists and counted
        once; none stored: an empty population), as a definition: every record it lists, each a variant,
        as-published (the list's own countries). A name no stored list has is an error listing the lists there
        are."""
        stored = self.reader.tabular_sources()
        how = "; its countries as the list gives them (as-published) or its developer's (resolved)"
        if source == Source.TABULAR:
            listed = ", ".join(stored) or "none stored: `modelcensus ingest tabular` stores one"
            description = f"Every model of the stored tabular lists ({listed}), linked across lists and counted once"
            return Definition(source, description + how, tuple(stored), attribution=Attribution.AS_PUBLISHED)
        if source in stored:
            description = f"Every model the tabular list {source} lists"
            return Definition(source, description + how, (source,), attribution=Attribution.AS_PUBLISHED)
        what = "no tabular list is stored" if not stored else f"stored tabular lists: {', '.join(stored)}"
        raise QueryError(
            f"unknown source {source!r}: not a built-in source nor a stored tabular list ({what}; ingest one with "
            "`modelcensus ingest tabular --from FILE --mapping MAP.yaml --name NAME`)",
            parameter="source",
        )

    def _definition_provenance(
        self,
        d: Definition,
        unit: str,
        rule: str,
        attribution: str,
        as_of: date | None,
        *,
        period: Period | None = None,
        years: tuple[int, int] | None = None,
        place: tuple[tuple[str | None, ...], str | None] = ((), None),
    ) -> Provenance:
        """A definition figure's provenance: of a ``period``, or per year over ``years`` (since, until); ``place``
        the country filter (codes, region name)."""
        counted = replace(d, unit=unit, rule=rule, attribution=attribution).describe()  # as counted
        where = place_text(place[0], place[1], attribution, "units ")
        return Provenance(
            definition=f"{counted}; {where}" if where else counted,
            country=place[1] or (", ".join(c or "none" for c in place[0]) if place[0] else None),
            definition_name=d.name,
            description=d.description,
            rule=rule,
            rule_text=RULE_TEXT[rule],
            attribution=attribution,
            unit=unit,
            denominator=f"{unit_plural(unit)} admitted by the definition" + (" in the same year" if years else ""),
            period=period.describe() if period is not None else None,
            since=years[0] if years else None,
            until=years[1] if years else None,
            as_of=as_of,
            snapshots=tuple(self.reader.snapshots_in_force(d.sources, as_of, epoch_roles(dict(d.filters)))),
            stated_when_empty=("as_of",),
        )

    def count_definition(
        self,
        name: str | Definition,
        *,
        unit: str | None = None,
        rule: str | None = None,
        attribution: str | None = None,
        year: int | None = None,
        since: int | date | None = None,
        until: int | date | None = None,
        country: str | Sequence[str] | None = None,
        region: str | None = None,
        as_of: date | str | None = None,
    ) -> Figure:
        """Count by country under a named definition (or a :meth:`source_definition`; its unit, rule and attribution
        unless overridden), as of a date: ``group, group_name, count, units, denominator, share``. ``country`` (one
        or several) or ``region`` keeps the units of those countries under the attribution (and is the
        denominator)."""
        d = self.reader.counted(name) if isinstance(name, Definition) else self.reader.definition(name)
        unit, rule, attribution = unit or d.unit, rule or d.rule, attribution or d.attribution
        when = self.reader.as_of(as_of)
        period = _period(year, since, until)
        place = requested_places(country, region)
        pop = self.reader.population(d, (unit,), attribution, when).of_kind(unit)
        frame = _with_names(self.reader.execute(count_of(pop, rule, period, countries=place[0])))
        if rule != "fractional":
            frame["count"] = frame["count"].round().astype("int64")
        provenance = self._definition_provenance(d, unit, rule, attribution, when, period=period, place=place)
        return Figure(frame, provenance)

    def count_definition_by_year(
        self,
        name: str,
        since: int,
        until: int,
        *,
        unit: str | None = None,
        rule: str | None = None,
        attribution: str | None = None,
        as_of: date | str | None = None,
    ) -> Figure:
        """:meth:`count_definition` for every year from ``since`` to ``until`` in one query: columns ``group,
        group_name, year, count, units, denominator, share``; each year's share has that year's units as its
        denominator."""
        if since > until:
            raise QueryError(f"since ({since}) is after until ({until})", parameter="since")
        d = self.reader.definition(name)
        unit, rule, attribution = unit or d.unit, rule or d.rule, attribution or d.attribution
        when = self.reader.as_of(as_of)
        pop = self.reader.population(d, (unit,), attribution, when).of_kind(unit)
        frame = _with_names(self.reader.execute(count_of(pop, rule, Period(since=since, until=until), True)))
        frame["year"] = frame["year"].astype("int64")
        frame = frame[["group", "group_name", "year", "count", "units", "denominator", "share"]]
        return Figure(frame, self._definition_provenance(d, unit, rule, attribution, when, years=(since, until)))

    def definition_members(
        self,
        name: str | Definition,
        *,
        country: str | Sequence[str] | None = "*",
        region: str | None = None,
        unit: str | None = None,
        attribution: str | None = None,
        year: int | None = None,
        since: int | date | None = None,
        until: int | date | None = None,
        as_of: date | str | None = None,
    ) -> pd.DataFrame:
        """The records behind a definition's figure (all, ``country="*"``; a country or several, codes or names; None
        or ``none``: no country; or a ``region``), one row per record with its ``unit``: ``unit, unit_name,
        unit_year, source, source_id, name, year, published_on, countries`` (the record's own, under the
        attribution), ``organizations`` (as its source publishes them: Epoch's list, a catalogue's organization,
        a Hub repo's author), ``open_weights``, ``notable`` (Epoch's flag; None where the source has none),
        ``large_model_reason``; in the order of :data:`MEMBER_ORDER`."""
        listed, attribution = self._members(name, country, region, unit, attribution, year, since, until, as_of)
        return self._with_countries(listed, attribution)

    def definition_members_page(
        self,
        name: str | Definition,
        *,
        limit: int,
        offset: int = 0,
        after: Sequence[str] | None = None,
        country: str | Sequence[str] | None = "*",
        region: str | None = None,
        unit: str | None = None,
        attribution: str | None = None,
        year: int | None = None,
        since: int | date | None = None,
        until: int | date | None = None,
        as_of: date | str | None = None,
    ) -> MembersPage:
        """One page of :meth:`definition_members`: ``limit`` records after the first ``offset``, or after the record
        whose :data:`MEMBER_ORDER` key is ``after`` (keyset paging: a page costs the same wherever it is), with the
        number of records in all and the key of the page's last record when more follow. The engine sorts, counts
        and cuts; only the page's records are read."""
        listed, attribution = self._members(name, country, region, unit, attribution, year, since, until, as_of)
        memo, key = self.reader.memo(), ("members-total", listed.op())  # the same records: the same expression
        counted = key not in memo and after is None  # the first page counts the records in the same pass
        if key not in memo and not counted:
            memo[key] = int(self.reader.scalar(listed.count()))
        if after is not None:
            if len(after) != len(MEMBER_ORDER):
                raise QueryError("the cursor is not one this API gave (after)", parameter="after")
            listed = listed.filter(_after(listed, [str(v) for v in after]))
        if counted:
            listed = listed.mutate(total_=listed.source.count().over(ibis.window()))
        # the page's records, once: the countries, organizations and flags below are gathered for them alone
        page = self.reader.engine.materialize(listed.order_by(list(MEMBER_ORDER)).limit(limit + 1, offset=offset))
        try:
            if counted:
                totals = self.reader.execute(page.select("total_").limit(1))["total_"]
                memo[key] = int(totals.iloc[0]) if len(totals) else int(self.reader.scalar(listed.count()))
            frame = self._with_countries(page.drop("total_") if counted else page, attribution)
        finally:
            self.reader.engine.release(page)
        total = int(memo[key])
        more = len(frame) > limit
        frame = frame.iloc[:limit].reset_index(drop=True)
        last = tuple(str(frame[c].iloc[-1]) for c in MEMBER_ORDER) if more and len(frame) else None
        return MembersPage(frame, total, last)

    def _members(
        self,
        name: str | Definition,
        country: str | Sequence[str] | None,
        region: str | None,
        unit: str | None,
        attribution: str | None,
        year: int | None,
        since: int | date | None,
        until: int | date | None,
        as_of: date | str | None,
    ) -> tuple[ir.Table, str]:
        """The records behind a figure with their unit's name and year (an expression), and the attribution."""
        d = self.reader.counted(name) if isinstance(name, Definition) else self.reader.definition(name)
        unit, attribution = unit or d.unit, attribution or d.attribution
        period = _period(year, since, until)
        when = self.reader.as_of(as_of)
        everywhere = country is None or country == "*"
        wanted = requested_places(None if everywhere else country, region)[0] + ((None,) if country is None else ())
        pop = self.reader.population(d, (unit,), attribution, when).of_kind(unit)
        chosen, members = units_of_group(pop, wanted, period)
        j = members.join(chosen.select("unit", unit_name=chosen.name, unit_year=chosen.year), "unit")
        return j.select(
            "unit",
            "unit_name",
            "unit_year",
            "export_id",
            j.source,
            j.source_id,
            "name",
            "year",
            "published_on",
            "large_model_reason",
        ), attribution

    def _with_countries(self, listed: ir.Table, attribution: str) -> pd.DataFrame:
        """``listed`` (records) with each record's countries under the attribution, in :data:`MEMBER_ORDER`; the
        countries are gathered for these records only."""
        keys = ["export_id", "source", "source_id"]
        c = record_countries(self.population_tables, attribution).semi_join(listed, keys)
        ranked = c.position.cast("string").lpad(6, "0").concat(":", c.country)  # Spark cannot order a collect
        lists = c.group_by(keys).agg(countries=ranked.collect())
        j = listed.left_join(lists, keys)
        o = record_organizations(self.population_tables).semi_join(listed, keys)
        named = o.position.cast("string").lpad(6, "0").concat(":", o.organization)
        orgs = o.group_by(keys).agg(organizations=named.collect())
        j = j.left_join(orgs, keys)
        r = self.population_tables.census_records
        flags = r.select("export_id", "source", "source_id", "open_weights", "notable").semi_join(listed, keys)
        j = j.left_join(flags, keys)
        frame = self.reader.execute(
            j.select(
                "unit",
                "unit_name",
                "unit_year",
                j.source,
                j.source_id,
                "name",
                "year",
                "published_on",
                "countries",
                "organizations",
                "open_weights",
                "notable",
                "large_model_reason",
            ).order_by(list(MEMBER_ORDER))
        )
        for column in ("countries", "organizations"):
            frame[column] = [[] if is_missing(c) else [v.split(":", 1)[1] for v in sorted(c)] for c in frame[column]]
        frame["published_on"] = [None if is_missing(d) else pd.Timestamp(d).date() for d in frame["published_on"]]
        frame["notable"] = [None if is_missing(v) else bool(v) for v in frame["notable"]]
        frame["open_weights"] = [None if is_missing(v) else str(v) for v in frame["open_weights"]]
        return frame

    # -- what the sources say about a model's records ----------------------------------------------------

    def record_facts(self, records: Sequence[tuple[str, str]], as_of: date | str | None = None) -> Figure:
        """Parameters, training compute and arena ratings of the records ``(source, source_id)`` (a canonical
        model's), as the sources in force on ``as_of`` list them: one row per value with the record and the file it
        came from (``fact, value, unit, source, source_id, credit, data_date, file`` and, for a rating,
        ``category, rated_on, rating_low, rating_high``). A fact no record carries has no row: the reader says
        "not listed"."""
        when = self.reader.as_of(as_of)
        wanted = sorted({(str(s), str(i)) for s, i in records})
        sources = sorted({s for s, _ in wanted})
        rows: list[dict[str, Any]] = []
        if wanted:
            t = self.population_tables
            measures = self.reader.execute(record_measures(t, wanted, when))
            for m in measures.to_dict(orient="records"):
                for fact, column, unit in FACT_COLUMNS:
                    value = m[column]
                    if not is_missing(value):
                        rows.append(
                            {
                                "fact": fact,
                                "value": float(value),
                                "unit": unit,
                                "source": str(m["source"]),
                                "source_id": str(m["source_id"]),
                                "export_id": str(m["export_id"]),
                            }
                        )
            arena = [i for s, i in wanted if s == Source.LMARENA]
            if arena:
                ratings = self.reader.execute(record_ratings(t, arena, when))
                for g in ratings.to_dict(orient="records"):
                    rows.append(
                        {
                            "fact": "rating",
                            "value": round(float(g["rating"]), 1),
                            "unit": RATING_UNIT,
                            "source": "lmarena",
                            "source_id": str(g["source_id"]),
                            "export_id": str(g["export_id"]),
                            "category": str(g["category"]),
                            "rated_on": as_date(g["rated_on"]),
                            "rating_low": round(float(g["rating_low"]), 1),
                            "rating_high": round(float(g["rating_high"]), 1),
                        }
                    )
        frame = pd.DataFrame(rows, columns=FACT_FRAME_COLUMNS)
        files = self._export_files(sorted(set(frame["export_id"])))
        frame["credit"] = [
            files.get(e, {}).get("credit", s) for e, s in zip(frame["export_id"], frame["source"], strict=True)
        ]
        frame["data_date"] = [files.get(e, {}).get("data_date") for e in frame["export_id"]]
        frame["file"] = [
            _file_of(files.get(e, {}), fact, category, rated_on)
            for e, fact, category, rated_on in zip(
                frame["export_id"], frame["fact"], frame["category"], frame["rated_on"], strict=True
            )
        ]
        order = {fact: n for n, (fact, _, _) in enumerate((*FACT_COLUMNS, ("rating", "", "")))}
        frame = frame.sort_values(
            ["fact", "source", "source_id", "category"], key=lambda c: c.map(order) if c.name == "fact" else c
        )
        provenance = Provenance(
            definition="what the records' sources list about them",
            as_of=when,
            snapshots=tuple(self.reader.snapshots_in_force(sources, when)) if sources else (),
            stated_when_empty=("as_of",),
        )
        return Figure(
            frame[[*FACT_FRAME_COLUMNS[:4], "credit", "data_date", "file", *FACT_FRAME_COLUMNS[4:]]].reset_index(
                drop=True
            ),
            provenance,
        )

    def _export_files(self, export_ids: list[str]) -> dict[str, dict[str, Any]]:
        """Each export's credit, date and files (their names, never a local path) by role."""
        if not export_ids:
            return {}
        t = self.tables
        s = t.snapshots.filter(t.snapshots.export_id.isin(export_ids))
        j = s.join(t.exports.select("export_id", export_date=t.exports.data_date), "export_id")
        frame = self.reader.execute(j.select("export_id", "role", "location", "member", "credit", "export_date"))
        out: dict[str, dict[str, Any]] = {}
        for r in frame.sort_values(["export_id", "role"]).itertuples(index=False):
            entry = out.setdefault(
                str(r.export_id), {"credit": str(r.credit), "data_date": as_date(r.export_date), "files": {}}
            )
            name = str(r.member) if not is_missing(r.member) and r.member else str(r.location)
            files = entry["files"]
            assert isinstance(files, dict)
            files[str(r.role)] = PurePath(name.replace("\\", "/")).name
        return out


FACT_COLUMNS = (
    ("parameters", "parameters", "parameters"),
    ("training_compute", "training_compute_flop", "FLOP"),
)
RATING_UNIT = "Arena score (Bradley-Terry, Elo scale)"
FACT_FRAME_COLUMNS = [
    "fact",
    "value",
    "unit",
    "source",
    "source_id",
    "export_id",
    "category",
    "rated_on",
    "rating_low",
    "rating_high",
]


def _file_of(export: dict[str, Any], fact: str, category: object, rated_on: object) -> str | None:
    """The name of the file a value was read from: an Epoch record's file of all models, a rating's leaderboard
    of its arena on the board's own day, else the rating history."""
    files = export.get("files") or {}
    assert isinstance(files, dict)
    if fact == "rating" and isinstance(category, str):
        board = files.get(f"leaderboard:{category.split('/')[0]}")
        if board and rated_on == export.get("data_date"):
            return str(board)
        return str(files.get("history") or board or "") or None
    for role in ("all", *sorted(files)):
        if role in files:
            return str(files[role])
    return None


MEMBER_ORDER = ("unit_name", "unit", "source", "source_id")
"""The order of the records behind a figure, and the key a page of them continues after."""


@dataclass(frozen=True)
class MembersPage:
    """A page of the records behind a figure: the records, how many there are in all, and the
    :data:`MEMBER_ORDER` key of the page's last record when more follow (None on the last page)."""

    frame: pd.DataFrame
    total: int
    next_after: tuple[str, ...] | None


def _after(t: ir.Table, key: Sequence[str]) -> ir.Value:
    """The rows after ``key`` in :data:`MEMBER_ORDER` (lexicographically: the first column that differs decides)."""
    condition: ir.Value | None = None
    for column, value in reversed(list(zip(MEMBER_ORDER, key, strict=True))):
        later = t[column] > value
        condition = later if condition is None else later | ((t[column] == value) & condition)
    assert condition is not None
    return condition


def _period(year: int | None, since: int | date | None, until: int | date | None) -> Period:
    if year is not None and (since is not None or until is not None):
        raise QueryError("give either year, or since/until, not both", parameter="year")
    return Period(year, since, until)


def _with_names(frame: pd.DataFrame) -> pd.DataFrame:
    """``group`` as text or None, with ``group_name`` beside it, ``units`` and ``denominator`` as integers."""
    frame = frame.astype({"group": object})
    frame["group"] = pd.Series(
        [None if is_missing(g) else str(g) for g in frame["group"]],
        dtype=object,
        index=frame.index,
    )
    frame.insert(1, "group_name", [country_name(g) for g in frame["group"]])
    for column in ("units", "denominator"):
        frame[column] = frame[column].astype("int64")
    for column in ("count", "share"):
        if frame[column].dtype.kind == "f":
            frame[column] = [stable(float(v)) for v in frame[column]]
    return frame.reset_index(drop=True)
