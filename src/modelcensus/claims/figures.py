"""The figures a claim is read against: its figure at a vintage, its evidence (the units counted) and its coverage
(the listed figure beside the estimate of what no source lists)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pandas as pd

from modelcensus.claims.model import Claim
from modelcensus.definitions import Definition
from modelcensus.figures.coverage import CoverageFigures
from modelcensus.figures.reader import Part, Reader
from modelcensus.metrics.populations import count_of, units_of_group
from modelcensus.records import country_name, is_missing, jsonable
from modelcensus.vocabulary import Period


class ClaimFigures(Part):
    """What :func:`~modelcensus.claims.check.evaluate_all` reads of the census."""

    def __init__(self, reader: Reader, coverage: CoverageFigures) -> None:
        super().__init__(reader)
        self.coverage = coverage

    def definitions(self) -> dict[str, Definition]:
        return self.reader.definitions()

    def snapshots_in_force(
        self, sources: Sequence[str], as_of: date | str | None = None, roles: tuple[str, ...] | None = None
    ) -> list[dict[str, str]]:
        return self.reader.snapshots_in_force(sources, as_of, roles)

    def count_grid(self, name: str, periods: Sequence[Period], as_of: date | None = None) -> pd.DataFrame:
        return self.coverage.count_grid(name, periods, as_of)

    def newest_export_date(
        self, sources: Sequence[str], as_of: date | None = None, roles: tuple[str, ...] | None = None
    ) -> str | None:
        return self.coverage.newest_export_date(sources, as_of, roles)

    def next_export_date(
        self, sources: Sequence[str], as_of: date, roles: tuple[str, ...] | None = None
    ) -> date | None:
        return self.coverage.next_export_date(sources, as_of, roles)

    def claim_figure(self, claim: Claim, name: str, as_of: date | None = None) -> float | None:
        """The claim's figure under its definition at the vintage in force on ``as_of`` (default: the claim's)."""
        d = self.reader.definition(name)
        when = as_of or claim.as_of
        pop = self.reader.population(d, (d.unit,), d.attribution, when).of_kind(d.unit)
        counts = self.reader.execute(count_of(pop, d.rule, claim.window))
        if counts.empty or int(counts["denominator"].iloc[0]) == 0:
            return None
        hit = counts[counts["group"] == claim.country]
        count = float(hit["count"].iloc[0]) if len(hit) else 0.0
        return count if claim.metric == "count" else count / float(counts["denominator"].iloc[0])

    def claim_evidence(self, claim: Claim, name: str, now: date | None = None, limit: int = 2000) -> list[str]:
        """The units (their names) counted for the claim's country now: the evidence of the figure."""
        d = self.reader.definition(name)
        pop = self.reader.population(d, (d.unit,), d.attribution, now).of_kind(d.unit)
        chosen, _ = units_of_group(pop, claim.country, claim.window)
        frame = self.reader.execute(chosen.select("name").order_by("name").limit(limit))
        return [str(n) for n in frame["name"]]

    def claim_coverage(
        self, claim: Claim, name: str, now: date | None = None, listed_now: float | None = None
    ) -> dict[str, Any]:
        """What no source lists, for the claim's country (count) or share, now: ``listed, estimate, ci_low,
        ci_high, method, sources`` (and ``trusted``, ``reason``). ``listed_now``: the figure now, when known."""
        d = self.reader.definition(name)
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
        memo = self.reader.memo()
        if key not in memo:
            memo[key] = self.coverage.estimate(by="country", definition=name, period=claim.window, as_of=now).frame
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
        out = {k: jsonable(row[k]) for k in ("listed", "estimate", "ci_low", "ci_high", "method", "trusted", "reason")}
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
