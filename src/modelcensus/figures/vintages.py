"""Figures per vintage: a figure at every stored vintage, the listing lag, and which years are filling in.

Over :mod:`modelcensus.metrics.vintages` (Ibis) and
:mod:`modelcensus.metrics.completeness` (the curve and the estimates, from the executed observations).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any, cast

import pandas as pd

from modelcensus.errors import QueryError, StoreError
from modelcensus.figures.figure import Figure, Provenance
from modelcensus.figures.new import NewFigures
from modelcensus.metrics.completeness import MIN_GROUP_FINAL, MIN_GROUP_YEARS, LagCurve, YearStatus, assess
from modelcensus.metrics.core import RULE_TEXT, count_models
from modelcensus.metrics.vintages import (
    MATURE_MONTHS,
    count_by_vintage,
    covering_exports,
    lag_observations,
    needed_roles,
    vintages,
)
from modelcensus.provenance import package_code
from modelcensus.records import country_name, is_missing
from modelcensus.store.frames import frame_bytes, frame_from_bytes

VINTAGE_FILTERS = (
    "year",
    "since",
    "until",
    "notable",
    "frontier",
    "large_scale",
    "open_weights",
    "domain",
    "country",
    "region",
    "attribution",
)

KEPT_LAGS: tuple[dict[str, Any], ...] = ({}, {"notable": True})
"""The populations whose listing lag a build keeps (:meth:`VintageFigures.keep_listing_lags`): every Epoch AI model
(the curve a profile's and the dashboard's years are read on) and the notable ones (the vintages page's second)."""


class VintageFigures(NewFigures):
    """Figures per vintage; the listing-lag curve; the status of recent years; what's new since a snapshot
    (:class:`~modelcensus.figures.new.NewFigures`)."""

    def vintage_list(self) -> pd.DataFrame:
        """Every stored Epoch export (vintage): ``export_id, export_date, roles``, oldest first."""
        frame: pd.DataFrame = vintages(self.tables).execute()
        frame["export_date"] = [None if pd.isna(d) else pd.Timestamp(d).date() for d in frame.pop("data_date")]
        frame["roles"] = [list(r) for r in frame["roles"]]
        return frame[["export_id", "export_date", "roles"]]

    def vintages(
        self,
        /,
        by: str | list[str] = "country",
        *,
        rule: str = "full",
        attribution: str = "as-published",
        **filters: Any,
    ) -> Figure:
        """The figure ``count(by, **filters)`` at every stored Epoch vintage, oldest first (``country`` or
        ``region`` read under ``attribution``, like the count's).

        Columns: ``export_id, export_date, roles, covers`` (whether the vintage's files hold the whole population
        the filters admit: an export of the notable file alone does not hold all models), then the count's
        ``group, group_name, [dimensions,] count, models, denominator, share``."""
        dims = [by] if isinstance(by, str) else list(by)
        kept = {k: v for k, v in filters.items() if k in VINTAGE_FILTERS}
        f = self.reader.filters(attribution=attribution, **kept)
        listing = self.vintage_list()
        if listing.empty:
            raise QueryError("no Epoch AI export is stored; run `modelcensus build` or `modelcensus ingest epoch`")
        covering = set(covering_exports(self.tables, f).execute()["export_id"])
        frame: pd.DataFrame = count_by_vintage(
            self.tables, dims, f, rule, attribution, list(listing["export_id"])
        ).execute()
        first = dims[0]
        frame = frame.rename(columns={first: "group"})
        frame["group"] = pd.Series(
            [None if is_missing(g) else g for g in frame["group"]], dtype=object, index=frame.index
        )
        if first == "country":
            frame.insert(1, "group_name", [country_name(g) for g in frame["group"]])
        else:
            frame.insert(1, "group_name", ["(none)" if g is None else str(g) for g in frame["group"]])
        frame = listing.merge(frame, on="export_id", how="inner")
        frame.insert(3, "covers", frame["export_id"].isin(covering))
        if rule != "fractional":
            frame["count"] = frame["count"].round().astype("int64")
        order = {e: i for i, e in enumerate(listing["export_id"])}
        frame = frame.sort_values(
            ["export_id", "count", "group_name"],
            key=lambda col: col.map(order) if col.name == "export_id" else col,
            ascending=[True, False, True],
        ).reset_index(drop=True)
        provenance = Provenance(
            definition=f.describe(),
            by=tuple(dims),
            rule=rule,
            rule_text=RULE_TEXT[rule],
            attribution=attribution,
            denominator="models of the same vintage that pass the filters",
            vintages=len(listing),
            needs_roles=tuple(needed_roles(f)),
            snapshots=tuple(self.reader.snapshots_of(frame["export_id"])),
        )
        return Figure(frame, provenance)

    def listing_lag(
        self, /, by: str | None = None, *, as_of: date | str | None = None, **filters: Any
    ) -> tuple[Figure, dict[str, LagCurve]]:
        """The listing-lag observations (and a curve per group; key ``""`` for all groups together) of the
        population the filters admit, over the vintages that hold it (those dated on or before ``as_of``). Kept
        while the data stay the same: a page reads the same curve for its years' status and for its marks."""
        key = ("listing-lag", by, str(as_of), tuple(sorted((k, repr(v)) for k, v in filters.items())))
        memo = self.reader.memo()
        if key not in memo:
            kept = self._kept_lag(filters) if by is None and as_of is None else None
            memo[key] = kept or self._listing_lag(by, as_of, filters)
        figure, curves = memo[key]
        return figure.with_frame(figure.frame.copy()), dict(curves)

    def keep_listing_lags(self) -> int:
        """Keep the listing lag of the populations the pages read their years' status on (every Epoch AI model, and
        the notable ones: :data:`KEPT_LAGS`) in the store (a writer's; ``build`` does), so that a reader of the same
        state of the data and code reads the observations instead of counting every vintage again: how many were
        kept. The key names the state of the data, the package's code and the filters (:mod:`modelcensus.store.kept`);
        the curve is fitted from the kept observations as from the counted ones."""
        store = self.reader.require_store("keeping the listing lag")
        if store.read_only:
            raise StoreError(f"{store.path}: opened read-only; the listing lag is kept by a writer (build)")
        self.reader.ensure_population()
        for filters in KEPT_LAGS:
            figure, curves = self._listing_lag(None, None, dict(filters))
            first = curves[""].first_vintage
            meta = json.dumps({"vintages": figure.provenance.vintages, "first": first.isoformat() if first else None})
            params = [frame_bytes(figure.frame), meta]
            store.keep(self._lag_key(filters), "SELECT ?::BLOB AS observations, ?::VARCHAR AS meta", params)
        return len(KEPT_LAGS)

    def _lag_key(self, filters: dict[str, Any]) -> str:
        asked = json.dumps(sorted((k, v) for k, v in filters.items() if v is not None), default=str)
        return json.dumps(["listing-lag", package_code(), self.reader.state(), asked])

    def _kept_lag(self, filters: dict[str, Any]) -> tuple[Figure, dict[str, LagCurve]] | None:
        """The listing lag a build kept for these filters (now, all groups together); None when none was kept."""
        wanted = {k: v for k, v in filters.items() if v is not None}
        store = self.reader.engine.store
        if store is None or wanted not in KEPT_LAGS:
            return None
        self.reader.ensure_population()  # the state is the linked one
        key = self._lag_key(wanted)
        row = store.kept_row(key)
        if row is None:
            return None
        frame, said = frame_from_bytes(bytes(cast(bytes, row[0]))), json.loads(str(row[1]))
        first = date.fromisoformat(said["first"]) if said["first"] else None
        curves = {"": LagCurve.from_observations(frame, first_vintage=first)}
        f = self.reader.filters(as_of=None, **{k: v for k, v in wanted.items() if k in VINTAGE_FILTERS})
        provenance = Provenance(
            definition=f.describe(),
            vintages=int(said["vintages"]),
            basis=curves[""].basis(),
            mature_months=MATURE_MONTHS,
        )
        return Figure(frame, provenance), curves

    def _listing_lag(
        self, by: str | None, as_of: date | str | None, filters: dict[str, Any]
    ) -> tuple[Figure, dict[str, LagCurve]]:
        f = self.reader.filters(
            as_of=as_of, **{k: v for k, v in filters.items() if k in VINTAGE_FILTERS and k not in ("year",)}
        )
        exports = covering_exports(self.tables, f)
        if f.as_of is not None:
            exports = exports.filter(exports.data_date <= f.as_of)
        held = exports.execute()
        ids = list(held["export_id"])
        days = [d for d in held["data_date"] if not is_missing(d)]
        first = pd.Timestamp(min(days)).date() if days else None
        overall = lag_observations(count_by_vintage(self.tables, ["year"], f, exports=ids), exports).execute()
        curves = {"": LagCurve.from_observations(overall, first_vintage=first)}
        frame = overall.assign(group=None)
        if by is not None:
            grouped = lag_observations(
                count_by_vintage(self.tables, [by, "year"], f, exports=ids), exports, by
            ).execute()
            grouped = grouped.rename(columns={by: "group"})
            for group, part in grouped.groupby("group"):
                solid = part.drop_duplicates("year")
                if (solid["final"] >= MIN_GROUP_FINAL).sum() >= MIN_GROUP_YEARS:
                    curves[str(group)] = LagCurve.from_observations(part, MIN_GROUP_FINAL, first)
            frame = pd.concat([frame, grouped], ignore_index=True)
        provenance = Provenance(
            definition=f.describe(), vintages=len(ids), basis=curves[""].basis(), mature_months=MATURE_MONTHS
        )
        return Figure(frame, provenance), curves

    def year_status(
        self,
        /,
        since: int,
        until: int,
        *,
        by: str | None = None,
        as_of: date | str | None = None,
        **filters: Any,
    ) -> Figure:
        """For each year (and group), whether its count is complete at the vintage in force, with the listed count
        and the estimated final count and range where it is still filling in (see
        :mod:`modelcensus.metrics.completeness`). Columns: ``group, group_name, year, listed, complete,
        lag_months, share_listed, estimate, estimate_low, estimate_high, basis, export_date``. Kept while the data
        stay the same."""
        key = ("year-status", since, until, by, str(as_of), tuple(sorted((k, repr(v)) for k, v in filters.items())))
        memo = self.reader.memo()
        if key not in memo:
            memo[key] = self._year_status(since, until, by, as_of, filters)
        figure: Figure = memo[key]
        return figure.with_frame(figure.frame.copy())

    def _year_status(
        self, since: int, until: int, by: str | None, as_of: date | str | None, filters: dict[str, Any]
    ) -> Figure:
        kept = {k: v for k, v in filters.items() if k in VINTAGE_FILTERS and k not in ("year", "since", "until")}
        f = self.reader.filters(as_of=as_of, since=since, until=until, **kept)
        listed = count_models(self.tables, [d for d in (by, "year") if d], f).execute()
        current = self.vintage_list()
        if f.as_of is not None:
            current = current[[d is not None and d <= f.as_of for d in current["export_date"]]]
        if current.empty or current["export_date"].isna().all():
            raise QueryError("no dated Epoch AI export in force: the years' completeness cannot be measured")
        when = max(d for d in current["export_date"] if d is not None)
        _, curves = self.listing_lag(by, as_of=f.as_of, **kept)
        rows = []
        for rec in listed.itertuples(index=False):
            group = getattr(rec, by) if by else None
            group = None if is_missing(group) else str(group)
            curve = curves.get(group or "", curves[""]) if by else curves[""]
            status: YearStatus = assess(int(rec.year), float(rec.count), when, curve)
            rows.append(
                {
                    "group": group,
                    "group_name": (country_name(group) if by == "country" else (group or "(none)")) if by else "all",
                    **status.to_dict(),
                    "export_date": when,
                    "curve": "own" if by and group in curves else "all groups",
                }
            )
        out = pd.DataFrame(rows)
        return Figure(out, Provenance(definition=f.describe(), export_date=when, basis=curves[""].basis()))

    def year_statuses(self, figure: Figure | pd.DataFrame) -> list[YearStatus]:
        """The statuses of a :meth:`year_status` figure (or of rows of its frame), for sentences."""
        frame = figure.frame if isinstance(figure, Figure) else figure
        return [
            YearStatus(
                int(cast(Any, r.year)),
                float(cast(Any, r.listed)),
                _number(r.lag_months),
                bool(r.complete),
                _number(r.share_listed),
                _number(r.estimate),
                _number(r.estimate_low),
                _number(r.estimate_high),
                str(r.basis),
            )
            for r in frame.itertuples(index=False)
        ]


def _number(value: object) -> float | None:
    return None if is_missing(value) else float(cast(Any, value))
