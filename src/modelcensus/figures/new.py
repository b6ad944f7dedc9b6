"""What's new: the models that entered the census since a date, or since the previous snapshot.

Over :mod:`modelcensus.metrics.entered` (Ibis), run by the reader's engine over the census records. The dates are
the data dates of the stored snapshots (never the days they were ingested), and every figure says which
snapshots it compares: those dated on or before the date, and those after it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import ibis.expr.types as ir
import pandas as pd

from modelcensus.figures.figure import Figure, Provenance
from modelcensus.figures.reader import Part, parse_as_of
from modelcensus.metrics.core import CensusTables, place_text
from modelcensus.metrics.entered import dated_exports, entered_models, undated_exports
from modelcensus.orgs import requested_places
from modelcensus.records import as_date, is_missing
from modelcensus.vocabulary import Attribution, choose

DEFAULT_DEFINITION = "all-sources"
NEW_COLUMNS = [
    "id",
    "name",
    "entered_on",
    "published_on",
    "year",
    "countries",
    "entered_with",
    "new_to_source",
    "previous_snapshot",
    "listed_now",
    "records",
]
HOW_TO_READ = (
    "A model entered the census on the data date of the first stored snapshot that listed it (not the day the file "
    "was ingested). new_to_source: an earlier stored snapshot of the same source would have held it and did not "
    "list it, so the source added it between previous_snapshot and entered_on; otherwise it came with the first "
    "stored snapshot of its source that could hold it (it entered when the census began reading that file, which "
    "says nothing of when the source first listed it)."
)


EVERY_MODEL = date(1900, 1, 1)
"""``new_models(since=EVERY_MODEL)``: every model the stored snapshots ever listed, with the dates it was listed."""


@dataclass(frozen=True)
class NewModels:
    """A page of :meth:`NewFigures.new_models` (all of it without a limit) with what the whole figure counts."""

    figure: Figure
    """The page's models, newest first, with the provenance of the whole figure (``compared`` counts them all)."""
    total: int
    """How many models entered (every page's)."""
    by_country: pd.DataFrame
    """``group, models``: how many of them per country, full counting (a model of two countries counts for each;
    ``group`` None: the models with no country), the most first."""


class NewFigures(Part):
    """The models that entered the census after a date, with the snapshots compared."""

    def new_models(
        self,
        since: date | str | None = None,
        *,
        country: str | Sequence[str] | None = None,
        region: str | None = None,
        definition: str = DEFAULT_DEFINITION,
        attribution: str | None = None,
    ) -> Figure:
        """The canonical models of a definition (every source's, by default) that entered the census after
        ``since`` (by default the date of the previous snapshot: the models the newest snapshot date brought), of
        ``country`` (one or several) or ``region`` under the attribution (the definition's, unless given), newest
        first.

        Columns: ``id`` (the canonical model: ``/models/{id}``), ``name``, ``entered_on`` (the data date of the first
        stored snapshot that listed it), ``published_on`` and ``year`` (its earliest record's), ``countries``,
        ``entered_with`` (the sources that listed it that day), ``new_to_source`` and ``previous_snapshot`` (see
        :mod:`modelcensus.metrics.entered`), ``listed_now`` (whether an export in force now still lists it) and
        ``records``: each of its records (``ref``: ``source:source_id`` as ``/api/models/{ref}`` takes it, ``source,
        source_id, name``, the data dates of the first and last snapshots that listed it, ``listed_now``). The
        provenance's ``compared`` lists every dated snapshot read, on which side of the date, and how many of these
        models entered with it."""
        return self._entered(since, country, region, definition, attribution).figure

    def new_page(
        self,
        since: date | str | None = None,
        *,
        country: str | Sequence[str] | None = None,
        region: str | None = None,
        definition: str = DEFAULT_DEFINITION,
        attribution: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> NewModels:
        """:meth:`new_models` paged by the engine (``limit`` models from ``offset``, in its order), with the total
        and the count per country of every page: a page of 50 never assembles the other models (hundreds of
        thousands, with the Hub)."""
        return self._entered(since, country, region, definition, attribution, limit=limit, offset=offset)

    def ever_listed(self, ref: str, definition: str = DEFAULT_DEFINITION) -> Figure:
        """The models any stored snapshot ever listed (``new_models`` since the first), narrowed to those ``ref``
        names: its canonical id, or one of its records' ``source:source_id``; in the same order, with the same
        columns. What a model's page reads for a model no snapshot in force lists, without assembling every
        model of the census (millions, with the Hub)."""
        return self._entered(EVERY_MODEL, None, None, definition, None, ref).figure

    def _entered(
        self,
        since: date | str | None,
        country: str | Sequence[str] | None,
        region: str | None,
        definition: str,
        attribution: str | None,
        ref: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> NewModels:
        d = self.reader.definition(definition)
        attribution = attribution or d.attribution
        choose(Attribution, attribution, "attribution")
        place = requested_places(country, region)
        t = self.population_tables
        dated = self.reader.execute(dated_exports(t, d.sources))
        data_dates = [as_date(v) for v in dated["data_date"]]
        snapshots = [
            (str(source), str(export_id), day, sorted(str(r) for r in roles))
            for source, export_id, roles, day in zip(
                dated["source"], dated["export_id"], dated["roles"], data_dates, strict=True
            )
            if day is not None
        ]
        days = sorted({day for _, _, day, _ in snapshots})
        given = parse_as_of(since, "since")
        after = given if given is not None else (days[-2] if len(days) >= 2 else None)
        if ref is not None and not self._names_a_record(ref):  # no stored record has it: nothing to assemble
            empty = pd.DataFrame({"group": pd.Series([], dtype=object), "models": pd.Series([], dtype="int64")})
            entered: dict[tuple[str, date], int] = {}
            frame, total, by_country = pd.DataFrame(columns=NEW_COLUMNS), 0, empty
        else:
            frame, total, by_country, entered = self._entered_models(
                t, d.sources, dict(d.filters), attribution, place[0], after, ref, limit, offset
            )
        compared = tuple(
            {
                "source": source,
                "export_id": export_id,
                "data_date": day.isoformat(),
                "roles": roles,
                "side": "before" if after is not None and day <= after else "after",
                "models_entered": entered.get((source, day), 0),
            }
            for source, export_id, day, roles in snapshots
        )
        undated = self.reader.execute(undated_exports(t, d.sources))
        notes = [HOW_TO_READ]
        if given is None:
            notes.insert(
                0,
                f"Since the previous snapshot, dated {after.isoformat()}: the models the newest snapshot date "
                f"({days[-1].isoformat()}) brought."
                if after is not None
                else "One snapshot date only: every model entered with it.",
            )
        if len(undated):
            left_out = ", ".join(f"{r.source} ({r.export_id})" for r in undated.itertuples(index=False))
            notes.append(f"Snapshots of unknown date cannot be placed in time and are left out: {left_out}.")
        where = place_text(place[0], place[1], attribution, "models ")
        described = d.describe()
        provenance = Provenance(
            definition=f"{described}; {where}" if where else described,
            definition_name=d.name,
            description=d.description,
            attribution=attribution,
            unit="canonical model",
            country=place[1] or (", ".join(c or "none" for c in place[0]) if place[0] else None),
            entered_after=after,
            compared=compared,
            note=" ".join(notes),
            stated_when_empty=("entered_after",),
        )
        return NewModels(Figure(frame[NEW_COLUMNS].reset_index(drop=True), provenance), total, by_country)

    def _names_a_record(self, ref: str) -> bool:
        """Whether a stored census record (of any snapshot) is the canonical model ``ref`` or the record
        ``source:source_id`` it names: one indexed look-up before assembling what ``ref`` could be."""
        r = self.population_tables.census_records
        source, _, source_id = ref.partition(":")
        named = r.filter((r.canonical_id == ref) | ((r.source == source) & (r.source_id == source_id)))
        return int(self.reader.scalar(named.limit(1).count())) > 0

    def _entered_models(
        self,
        t: CensusTables,
        sources: Sequence[str],
        filters: dict[str, Any],
        attribution: str,
        countries: Sequence[str | None],
        after: date | None,
        ref: str | None,
        limit: int | None,
        offset: int,
    ) -> tuple[pd.DataFrame, int, pd.DataFrame, dict[tuple[str, date], int]]:
        """:func:`~modelcensus.metrics.entered.entered_models` run by the engine: the chosen models held once,
        then their page, total and counts (:meth:`_read`)."""
        engine = self.reader.engine
        held: list[ir.Table] = []

        def hold(expr: ir.Table) -> ir.Table:  # run once into a temporary table, let go of at the end
            held.append(engine.materialize(expr))
            return held[-1]

        try:
            tables = entered_models(t, sources, filters, attribution, countries, after, ref, hold)
            models, recs, countries_of = (hold(x) for x in tables)  # each read by several small queries below
            return self._read(models, recs, countries_of, limit, offset)
        finally:
            for table in held:
                engine.release(table)

    def _read(
        self, models: ir.Table, recs: ir.Table, countries: ir.Table, limit: int | None, offset: int
    ) -> tuple[pd.DataFrame, int, pd.DataFrame, dict[tuple[str, date], int]]:
        """The page of ``models`` (newest first, then by name and id) assembled with its records and countries;
        the total, the count per country and the models that entered with each (source, date), of every page."""
        execute = self.reader.execute
        total = int(self.reader.scalar(models.count()))
        ordered = models.order_by([models.entered_on.desc(), models.name.lower(), models.canonical_id])
        page, recs_page, countries_page = ordered, recs, countries
        if limit is not None or offset:
            page = ordered.limit(limit, offset=offset)
            chosen = page.select("canonical_id")
            recs_page, countries_page = (x.semi_join(chosen, "canonical_id") for x in (recs, countries))
        frame = self._assemble(execute(page), execute(recs_page), execute(countries_page))
        per = countries.group_by("country").agg(models=countries.canonical_id.nunique())
        counted = {(None if is_missing(g) else str(g)): int(n) for g, n in execute(per).itertuples(index=False)}
        nowhere = int(self.reader.scalar(models.anti_join(countries, "canonical_id").count()))
        if nowhere:
            counted[None] = counted.get(None, 0) + nowhere
        rows = sorted(counted.items(), key=lambda gn: (-gn[1], gn[0] is None, str(gn[0])))
        by_country = pd.DataFrame(
            {"group": pd.Series([g for g, _ in rows], dtype=object), "models": [n for _, n in rows]}
        )
        pairs = recs.filter(recs.entering).select("canonical_id", "source").distinct()
        pairs = pairs.join(models.select("canonical_id", "entered_on"), "canonical_id")
        with_each = execute(pairs.group_by(["source", "entered_on"]).agg(models=pairs.count()))
        entered = {
            (str(source), day): int(n)
            for source, on, n in with_each.itertuples(index=False)
            if (day := as_date(on)) is not None
        }
        return frame, total, by_country, entered

    @staticmethod
    def _assemble(models: pd.DataFrame, recs: pd.DataFrame, countries: pd.DataFrame) -> pd.DataFrame:
        """One row per model with its lists (countries in order, sources and records by name), in the order of
        ``models``. One pass over plain columns: a model census holds hundreds of thousands of models (the Hub's)."""
        seen: dict[Any, date | None] = {}

        def dates(column: pd.Series[Any]) -> list[date | None]:  # a few distinct days: each converted once
            if pd.api.types.is_datetime64_any_dtype(column):  # as plain dates at once, the missing as None
                days: list[date | None] = column.dt.date.astype(object).where(column.notna(), None).tolist()
                return days
            return [seen[v] if v in seen else seen.setdefault(v, as_date(v)) for v in column.tolist()]

        out = models.copy()
        for column in ("entered_on", "published_on", "previous_snapshot"):
            out[column] = pd.Series(dates(out[column]), dtype=object, index=out.index)
        out["year"] = out["year"].astype("Int64")
        countries = countries.sort_values(["canonical_id", "order", "country"])
        listed: dict[str, list[Any]] = {}
        for cid, country in zip(countries["canonical_id"].tolist(), countries["country"].tolist(), strict=True):
            listed.setdefault(str(cid), []).append(country)
        recs = recs.sort_values(["canonical_id", "source", "source_id"])
        refs: dict[str, list[dict[str, Any]]] = {}
        sources: dict[str, list[str]] = {}
        now: dict[str, bool] = {}
        columns = zip(
            recs["canonical_id"].tolist(),
            recs["source"].tolist(),
            recs["source_id"].tolist(),
            recs["name"].tolist(),
            dates(recs["first_listed"]),
            dates(recs["last_listed"]),
            recs["listed_now"].tolist(),
            recs["entering"].tolist(),
            strict=True,
        )
        for cid, source, source_id, name, first, last, listed_now, entering in columns:
            key = str(cid)
            refs.setdefault(key, []).append(
                {
                    "ref": f"{source}:{source_id}",
                    "source": str(source),
                    "source_id": str(source_id),
                    "name": str(name),
                    "first_listed": first,
                    "last_listed": last,
                    "listed_now": bool(listed_now),
                }
            )
            now[key] = now.get(key, False) or bool(listed_now)
            if bool(entering) and str(source) not in sources.setdefault(key, []):
                sources[key].append(str(source))
        ids = [str(i) for i in out["canonical_id"]]
        out["id"] = ids
        out["countries"] = pd.Series([listed.get(i, []) for i in ids], dtype=object, index=out.index)
        out["entered_with"] = pd.Series([sources.get(i, []) for i in ids], dtype=object, index=out.index)
        out["new_to_source"] = [not is_missing(p) for p in out["previous_snapshot"]]
        out["listed_now"] = [now.get(i, False) for i in ids]
        out["records"] = pd.Series([refs.get(i, []) for i in ids], dtype=object, index=out.index)
        return out
