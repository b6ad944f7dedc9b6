"""Coverage: what no source lists (capture–recapture estimates), the exports in force, and a definition's counts
under every unit and rule (what claims are read against).

The populations and the capture histories are Ibis
(:mod:`modelcensus.metrics.populations`, :mod:`modelcensus.metrics.estimate`); the log-linear fits run on
the executed pattern counts.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date

import ibis
import pandas as pd

from modelcensus.errors import QueryError, StoreError
from modelcensus.figures.figure import Figure, Provenance
from modelcensus.figures.reader import Part
from modelcensus.metrics.estimate import (
    capture_histories,
    estimate_by_group,
    link_error_sensitivity,
    list_left_out,
    list_profiles,
)
from modelcensus.metrics.populations import grid_of, in_force, in_period
from modelcensus.provenance import package_code
from modelcensus.records import country_name, is_missing
from modelcensus.vocabulary import DEFINITION_SOURCES, WORLD_SAMPLE_SCOPE, Period, Unit

KEPT_ESTIMATE = "all-sources"
"""The definition whose estimate ``build`` keeps: the one ``modelcensus estimate``, ``/api/estimate`` and the
dashboard answer without a ``definition``."""


class CoverageFigures(Part):
    """Estimates of what no source lists; the exports a figure reads; grids of counts."""

    # -- exports in force -----------------------------------------------------------------------------

    def _export_dates(self, sources: Sequence[str]) -> list[date]:
        e = self.tables.exports
        frame = e.filter(e.source.isin(list(sources)) & e.data_date.notnull()).select("data_date").execute()
        return sorted({pd.Timestamp(d).date() for d in frame["data_date"]})

    def newest_export_date(
        self, sources: Sequence[str], as_of: date | None = None, roles: tuple[str, ...] | None = None
    ) -> str | None:
        """The date of the newest export of ``sources`` a figure reads on ``as_of`` (now: of any); for Epoch, the
        newest holding one of ``roles``' files when one does, as :func:`in_force` reads it."""
        key = ("newest", tuple(sources), as_of, roles)
        memo = self.reader.memo()
        if key not in memo:
            frame = in_force(self.tables, list(sources), as_of, roles).select("data_date").execute()
            dates = [pd.Timestamp(d).date() for d in frame["data_date"] if not is_missing(d)]
            memo[key] = max(dates).isoformat() if dates else None
        result: str | None = memo[key]
        return result

    def next_export_date(
        self, sources: Sequence[str], as_of: date, roles: tuple[str, ...] | None = None
    ) -> date | None:
        """The first date after ``as_of`` on which a figure over ``sources`` reads a new export (the next vintage)."""
        then = self.newest_export_date(sources, as_of, roles)
        later = [d for d in self._export_dates(sources) if d > as_of]
        return next((d for d in later if self.newest_export_date(sources, d, roles) != then), None)

    # -- figures of claims ----------------------------------------------------------------------------

    def count_grid(self, name: str, periods: Sequence[Period], as_of: date | None = None) -> pd.DataFrame:
        """A definition's counts under every unit and rule for several periods (see
        :func:`modelcensus.metrics.populations.count_grid`)."""
        d = self.reader.definition(name)
        pop = self.reader.population(d, tuple(Unit), d.attribution, as_of)
        frame: pd.DataFrame = self.reader.execute(grid_of(pop, periods))
        frame["group"] = pd.Series(
            [None if is_missing(g) else str(g) for g in frame["group"]], dtype=object, index=frame.index
        )
        return frame

    # -- the estimate ---------------------------------------------------------------------------------

    def _memberships(
        self, name: str, sources: Sequence[str] | None, period: Period, as_of: date | None
    ) -> tuple[ibis.Table, ibis.Table, list[str]]:
        """``(members, groups, sources)``: each unit's sources, and its countries, under a definition."""
        d = self.reader.definition(name)
        chosen = list(sources) if sources else list(d.sources)
        unknown = [s for s in chosen if s not in d.sources]
        if unknown:
            raise QueryError(
                f"source {unknown[0]!r} is not among {name}'s sources ({', '.join(d.sources)})", parameter="source"
            )
        pop = self.reader.population(d, (d.unit,), d.attribution, as_of, sources=chosen).of_kind(d.unit)
        counted = in_period(pop.units, period)
        listed = pop.members.semi_join(counted, "unit").select("unit", "source").distinct()
        uc = pop.countries.semi_join(counted, "unit")
        return listed, uc.select("unit", group=uc.country), chosen

    def estimate(
        self,
        *,
        by: str = "country",
        sources: Sequence[str] | None = None,
        definition: str = "all-sources",
        period: Period | None = None,
        as_of: date | str | None = None,
    ) -> Figure:
        """How many models exist, listed or not, per country: multiple-systems estimation over the linked
        sources (see :mod:`modelcensus.metrics.estimate`). One row for all models (``scope`` "all", first),
        then one per country (and one for the units with no country): ``group, group_name, listed, estimate,
        ci_low, ci_high, method, sources, trusted, reason, left_out``.

        Without ``sources``, a tabular list among the definition's sources is used only when it declares itself a
        sample of the world's models; ``left_out`` (the same on every row, and the provenance's note) maps each
        list left out to why. ``sources`` given are used as given. The estimate a build kept for this state of the
        data and code (:meth:`keep_estimate`) is read, not fitted again."""
        if by != "country":
            raise QueryError("the estimate is by country", parameter="by")
        when = self.reader.as_of(as_of)
        period = period or Period()
        kept = self._kept_estimate(definition, sources, period) if when is None else None
        table, chosen, left_out = kept or self._estimate_table(definition, sources, period, when)
        d = self.reader.definition(definition)
        note = "; ".join(f"{name} left out: {why}" for name, why in left_out.items())
        provenance = Provenance(
            definition=d.describe(),
            unit=d.unit,
            period=period.describe(),
            as_of=when,
            sources=tuple(chosen),
            note=note or None,
            stated_when_empty=("as_of",),
        )
        return Figure(table, provenance)

    def _estimate_table(
        self, definition: str, sources: Sequence[str] | None, period: Period, when: date | None
    ) -> tuple[pd.DataFrame, list[str], dict[str, str]]:
        """The estimate's rows, the sources it used and the lists it left out (with why): the queries and fits."""
        left_out = {} if sources else self.lists_left_out(definition, when)
        if left_out:
            sources = [s for s in self.reader.definition(definition).sources if s not in left_out]
        listed, groups, chosen = self._memberships(definition, sources, period, when)
        if len(chosen) < 2:
            raise QueryError(
                f"{definition} reads one source ({chosen[0]}): what no source lists needs at least two linked "
                "sources (e.g. --definition all-sources or large-models)",
                parameter="definition",
            )
        overall = capture_histories(listed, chosen).execute()
        by_group = capture_histories(listed.left_join(groups, "unit").drop("unit_right"), chosen, "group").execute()
        table = estimate_by_group(by_group, chosen, group_col="group", overall=overall)
        scope = ["all" if i == 0 else "group" for i in range(len(table))]
        table.insert(0, "scope", scope)
        table["group"] = pd.Series(
            [None if (g is None or str(g).startswith("(")) else str(g) for g in table["group"]], dtype=object
        )
        table.insert(
            2,
            "group_name",
            ["all models" if s == "all" else country_name(g) for s, g in zip(scope, table["group"], strict=True)],
        )
        table["left_out"] = pd.Series([dict(left_out) for _ in range(len(table))], dtype=object, index=table.index)
        return table, list(chosen), left_out

    # -- the estimate a build keeps -------------------------------------------------------------------

    def keep_estimate(self, definition: str = KEPT_ESTIMATE) -> int:
        """Fit the estimate of a definition (every year, its own sources, now) and keep it in the store (a writer's;
        ``build`` keeps that of ``all-sources``, which ``modelcensus estimate``, ``/api/estimate`` and the dashboard
        answer first), so that a later reader of the same state of the data and code reads it instead of fitting
        its hundreds of log-linear models again: how many rows. The key names the state of the data, the package's
        code and the definition (:mod:`modelcensus.store.kept`): an estimate is never read stale."""
        store = self.reader.require_store("keeping the estimate")
        if store.read_only:
            raise StoreError(f"{store.path}: opened read-only; the estimate is kept by a writer (build)")
        self.reader.ensure_population()
        period = Period()
        table, chosen, left_out = self._estimate_table(definition, None, period, None)
        payload = {
            "columns": list(table.columns),
            "dtypes": {str(c): str(t) for c, t in table.dtypes.items()},
            "rows": table.to_dict("records"),
            "chosen": chosen,
            "left_out": left_out,
        }
        store.keep(self._estimate_key(definition, period), "SELECT ?::VARCHAR AS estimate", [json.dumps(payload)])
        return len(table)

    def _estimate_key(self, definition: str, period: Period) -> str:
        d = self.reader.definition(definition)
        asked = json.dumps(
            [d.name, d.sources, d.filters, d.unit, d.rule, d.attribution, period.describe()], default=str
        )
        return json.dumps(["estimate", package_code(), self.reader.state(), asked])

    def _kept_estimate(
        self, definition: str, sources: Sequence[str] | None, period: Period
    ) -> tuple[pd.DataFrame, list[str], dict[str, str]] | None:
        """The estimate a build kept for this definition, state of the data and code (its own sources, every year,
        now); None when none was kept or another was asked for."""
        store = self.reader.engine.store
        if store is None or sources or period != Period() or definition not in self.reader.definitions():
            return None
        self.reader.ensure_population()  # the state is the linked one
        key = self._estimate_key(definition, period)
        row = store.kept_row(key)
        if row is None:
            return None
        payload = json.loads(str(row[0]))
        rows, dtypes = payload["rows"], payload["dtypes"]
        table = pd.DataFrame(
            {
                c: pd.Series([r[c] for r in rows], dtype=object if dtypes[c] == "object" else dtypes[c])
                for c in payload["columns"]
            }
        )
        return table, list(payload["chosen"]), dict(payload["left_out"])

    def lists_left_out(self, definition: str, as_of: date | None) -> dict[str, str]:
        """The tabular lists among a definition's sources that the estimate leaves out, each with why (see
        :func:`~modelcensus.metrics.estimate.list_left_out`)."""
        lists = [s for s in self.reader.definition(definition).sources if s not in DEFINITION_SOURCES]
        if not lists:
            return {}
        declared = {
            s["source"] for s in self.reader.snapshots_in_force(lists, as_of) if s.get("scope") == WORLD_SAMPLE_SCOPE
        }
        out: dict[str, str] = {}
        for r in list_profiles(self.population_tables, lists, as_of).execute().itertuples(index=False):
            countries = [] if is_missing(r.countries) else sorted(str(c) for c in r.countries)
            why = list_left_out(int(r.records), int(r.dated), countries, str(r.source) in declared)
            if why is not None:
                out[str(r.source)] = why
        return out

    def estimate_link_sensitivity(
        self,
        definition: str = "all-sources",
        period: Period | None = None,
        rates: Sequence[float] = (0.01, 0.02, 0.05, 0.1),
        country: str | None = None,
        as_of: date | str | None = None,
    ) -> pd.DataFrame:
        """How the estimate (of all models, or of one country's) moves when a share of the links were missed (one
        model counted as two seen once each) or false (two models counted as one): ``kind, rate, listed,
        estimate, ci_low, ci_high, change, trusted, reason, method``."""
        listed, groups, chosen = self._memberships(definition, None, period or Period(), self.reader.as_of(as_of))
        if country is not None:
            listed = listed.semi_join(groups.filter(groups.group == country), "unit")
        frame = listed.execute()
        return link_error_sensitivity(frame, chosen, rates=tuple(rates))
