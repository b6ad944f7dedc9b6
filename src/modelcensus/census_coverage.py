"""The facade's coverage and claim methods: what no source lists, and the figures a claim is read against.

A mixin of :class:`modelcensus.census.Census`. The populations and the capture histories are Ibis
(:mod:`modelcensus.metrics.populations`, :mod:`modelcensus.metrics.estimate`); the log-linear fits run on
the executed pattern counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import ibis
import pandas as pd

from modelcensus.errors import QueryError
from modelcensus.metrics.estimate import capture_histories, estimate_by_group, link_error_sensitivity
from modelcensus.metrics.populations import (
    Period,
    admitted,
    count_grid,
    count_population,
    in_force,
    unit_countries,
    units,
    units_in_group,
)
from modelcensus.records import country_name, is_missing

if TYPE_CHECKING:
    from modelcensus.claims import Claim
    from modelcensus.definitions import Definition
    from modelcensus.metrics.core import CensusTables


class CoverageMethods:
    """Estimates of what no source lists; the figures, coverage and evidence of claims."""

    if TYPE_CHECKING:

        @property
        def tables(self) -> CensusTables: ...

        @property
        def population_tables(self) -> CensusTables: ...

        def definition(self, name: str) -> Definition: ...

        def _as_of(self, as_of: date | str | None) -> date | None: ...

    # -- exports in force -----------------------------------------------------------------------------

    def _export_dates(self, sources: Sequence[str]) -> list[date]:
        e = self.tables.exports
        frame = e.filter(e.source.isin(list(sources)) & e.data_date.notnull()).select("data_date").execute()
        return sorted({pd.Timestamp(d).date() for d in frame["data_date"]})

    def _memo(self) -> dict[tuple[Any, ...], Any]:
        """Answers that depend only on the store's state, kept for this census object's life (a read-only census
        sees one state; a writer's ingest makes a new key)."""
        memo: dict[tuple[Any, ...], Any] = self.__dict__.setdefault("_coverage_memo", {})
        state = self.store.meta("population_key") if hasattr(self, "store") else None
        if memo.get(("state",)) != state:
            memo.clear()
            memo[("state",)] = state
        return memo

    def newest_export_date(
        self, sources: Sequence[str], as_of: date | None = None, roles: tuple[str, ...] | None = None
    ) -> str | None:
        """The date of the newest export of ``sources`` a figure reads on ``as_of`` (now: of any); for Epoch, the
        newest holding one of ``roles``' files when one does, as :func:`in_force` reads it."""
        key = ("newest", tuple(sources), as_of, roles)
        memo = self._memo()
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
        d = self.definition(name)
        frame: pd.DataFrame = count_grid(
            self.population_tables, d.sources, d.filters, d.attribution, periods, as_of
        ).execute()
        frame["group"] = pd.Series(
            [None if is_missing(g) else str(g) for g in frame["group"]], dtype=object, index=frame.index
        )
        return frame

    def claim_figure(self, claim: Claim, name: str, as_of: date | None = None) -> float | None:
        """The claim's figure under its definition at the vintage in force on ``as_of`` (default: the claim's)."""
        d = self.definition(name)
        when = as_of or claim.as_of
        frame = count_population(
            self.population_tables, d.sources, d.filters, d.unit, d.rule, d.attribution, claim.window, when
        )
        counts = frame.execute()
        if counts.empty or int(counts["denominator"].iloc[0]) == 0:
            return None
        hit = counts[counts["group"] == claim.country]
        count = float(hit["count"].iloc[0]) if len(hit) else 0.0
        return count if claim.metric == "count" else count / float(counts["denominator"].iloc[0])

    def claim_evidence(self, claim: Claim, name: str, now: date | None = None, limit: int = 2000) -> list[str]:
        """The units (their names) counted for the claim's country now: the evidence of the figure."""
        d = self.definition(name)
        chosen, _ = units_in_group(
            self.population_tables, d.sources, d.filters, d.unit, d.attribution, claim.country, claim.window, now
        )
        frame = chosen.select("name").order_by("name").limit(limit).execute()
        return [str(n) for n in frame["name"]]

    def claim_coverage(
        self, claim: Claim, name: str, now: date | None = None, listed_now: float | None = None
    ) -> dict[str, Any]:
        """What no source lists, for the claim's country (count) or share, now: ``listed, estimate, ci_low,
        ci_high, method, sources`` (and ``trusted``, ``reason``). ``listed_now``: the figure now, when known."""
        d = self.definition(name)
        if len(d.sources) < 2:
            listed = listed_now if listed_now is not None else self.claim_figure(claim, name, now or date.max)
            return {
                "listed": listed,
                "estimate": None,
                "ci_low": None,
                "ci_high": None,
                "method": "none",
                "sources": list(d.sources),
                "trusted": False,
                "reason": f"{name} is one source's list ({d.sources[0]}): what no source lists cannot be estimated "
                "from a single list",
            }
        key = ("estimate", name, claim.window.key(), now)
        memo = self._memo()
        if key not in memo:
            memo[key] = self.estimate(by="country", definition=name, period=claim.window, as_of=now)
        table = memo[key]
        mine = table[table["group"] == claim.country]
        total = table[table["group"].isna() & (table["scope"] == "all")]
        row = mine.iloc[0].to_dict() if len(mine) else None
        if row is None:
            return {
                "listed": 0,
                "estimate": None,
                "ci_low": None,
                "ci_high": None,
                "method": "none",
                "sources": list(d.sources),
                "trusted": False,
                "reason": f"the sources list no {country_name(claim.country)} model under {name} in this period",
            }
        out = {k: _plain(row[k]) for k in ("listed", "estimate", "ci_low", "ci_high", "method", "trusted", "reason")}
        out["sources"] = str(row["sources"]).split("+") if row["sources"] else list(d.sources)
        if claim.metric == "share" and len(total):
            whole = total.iloc[0]
            out["listed_count"] = out["listed"]
            listed_total = float(whole["listed"])
            out["listed"] = out["listed"] / listed_total if listed_total else None
            if out["estimate"] is not None and not is_missing(whole["estimate"]):
                rest = float(whole["estimate"]) - float(out["estimate"])
                est = float(out["estimate"])
                out["estimate"] = est / (est + rest)
                out["ci_low"] = float(out["ci_low"]) / (float(out["ci_low"]) + rest)
                out["ci_high"] = float(out["ci_high"]) / (float(out["ci_high"]) + rest)
                out["method"] = (
                    f"{out['method']}; share = the group's estimate over all groups' (the rest held at its estimate)"
                )
            else:
                why = whole["reason"] if not is_missing(whole["reason"]) else out.get("reason")
                out.update(
                    {
                        "estimate": None,
                        "ci_low": None,
                        "ci_high": None,
                        "trusted": False,
                        "reason": f"the share needs the estimate of all models too, and it is withheld: {why}",
                    }
                )
        return out

    # -- the estimate ---------------------------------------------------------------------------------

    def _memberships(
        self, name: str, sources: Sequence[str] | None, period: Period, as_of: date | None
    ) -> tuple[ibis.Table, ibis.Table, list[str]]:
        """``(members, groups, sources)``: each unit's sources, and its countries, under a definition."""
        d = self.definition(name)
        chosen = list(sources) if sources else list(d.sources)
        unknown = [s for s in chosen if s not in d.sources]
        if unknown:
            raise QueryError(f"source {unknown[0]!r} is not among {name}'s sources ({', '.join(d.sources)})")
        t = self.population_tables  # the census records, brought up to date
        records = admitted(t, chosen, d.filters, as_of)
        members, _ = units(records, d.unit, len(d.sources) > 1, period)
        listed = members.select("unit", "source").distinct()
        uc = unit_countries(t, members, d.attribution)
        return listed, uc.select("unit", group=uc.country), chosen

    def estimate(
        self,
        *,
        by: str = "country",
        sources: Sequence[str] | None = None,
        definition: str = "all-sources",
        period: Period | None = None,
        as_of: date | str | None = None,
    ) -> pd.DataFrame:
        """How many models exist, listed or not, per country: multiple-systems estimation over the linked
        sources (see :mod:`modelcensus.metrics.estimate`). One row for all models (``scope`` "all", first),
        then one per country (and one for the units with no country): ``group, group_name, listed, estimate,
        ci_low, ci_high, method, sources, trusted, reason``."""
        if by != "country":
            raise QueryError("the estimate is by country")
        when = self._as_of(as_of)
        period = period or Period()
        listed, groups, chosen = self._memberships(definition, sources, period, when)
        if len(chosen) < 2:
            raise QueryError(
                f"{definition} reads one source ({chosen[0]}): what no source lists needs at least two linked "
                "sources (e.g. --definition all-sources or large-models)"
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
        d = self.definition(definition)
        table.attrs.update(
            {
                "definition": d.describe(),
                "period": period.describe(),
                "as_of": when.isoformat() if when else None,
                "sources": chosen,
                "unit": d.unit,
            }
        )
        return table

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
        listed, groups, chosen = self._memberships(definition, None, period or Period(), self._as_of(as_of))
        if country is not None:
            listed = listed.semi_join(groups.filter(groups.group == country), "unit")
        frame = listed.execute()
        return link_error_sensitivity(frame, chosen, rates=tuple(rates))


def _plain(value: Any) -> Any:
    if is_missing(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value
