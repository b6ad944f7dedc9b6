"""Overview figures: a definition's counts over time, concentration, top organizations.

The report and any other output read these through the facade. Each is a :class:`~modelcensus.figures.figure.Figure`
whose provenance says, like the rest of the facade: the definition, the counting rule, the attribution, the
denominator and the current source snapshots.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

import ibis
import pandas as pd

from modelcensus.errors import QueryError
from modelcensus.figures.catalog import CatalogFigures
from modelcensus.figures.figure import Figure, Provenance, Snapshot
from modelcensus.figures.models import ModelFigures, organization_note
from modelcensus.figures.reader import Part, Reader
from modelcensus.metrics.overview import concentration, top_organizations
from modelcensus.records import country_name

CONCENTRATION_TEXT = (
    "within each year, a country's share is its count over the sum of the counts of all countries "
    "(models with no country left out, so the shares add up to 1); top-1 and top-2 shares are those of "
    "the largest one and two countries; the Herfindahl index is the sum of the squared shares "
    "(1 = one country holds everything, 1/n = n countries of equal size)"
)


class OverviewFigures(Part):
    """Counts of a definition over time, their concentration, and the top organizations."""

    def __init__(self, reader: Reader, catalog: CatalogFigures, models: ModelFigures) -> None:
        super().__init__(reader)
        self.catalog = catalog
        self.models = models

    def current_snapshots(self, sources: Sequence[str]) -> list[Snapshot]:
        """The current snapshots of some sources: source, role, location, data date, scope, licence and credit."""
        return self.reader.snapshots_in_force(sources)

    def latest_complete_year(self, sources: Sequence[str]) -> int:
        """The last calendar year that is complete in the newest data of these sources."""
        frame = self.models.sources()
        frame = frame[frame["current"] & frame["source"].isin(list(sources))]
        if frame.empty:
            raise QueryError(f"no stored data from {', '.join(sources)}; run `modelcensus build` first")
        newest = max(frame["data_date"])
        return int(newest.year if (newest.month, newest.day) == (12, 31) else newest.year - 1)

    def concentration(
        self, name: str, since: int, until: int, *, unit: str | None = None, as_of: date | str | None = None
    ) -> Figure:
        """Per year, the top-1 and top-2 countries' shares and the Herfindahl index under a definition (as the
        census stood on ``as_of``).

        Columns ``year, groups, total, top1_group, top1_group_name, top1_share, top2_share, hhi``.
        """
        figure = self.catalog.count_definition_by_year(name, since, until, unit=unit, as_of=as_of)
        counts = figure.frame
        if counts.empty:
            frame = pd.DataFrame(columns=["year", "groups", "total", "top1_group", "top1_share", "top2_share", "hhi"])
        else:
            table = ibis.memtable(counts[["year", "group", "count"]].astype({"group": "string", "count": "float64"}))
            frame = concentration(table, period="year", group="group", value="count").execute()
        frame.insert(4, "top1_group_name", [country_name(g) for g in frame["top1_group"]])
        return Figure(frame, concentration_provenance(figure.provenance))

    def top_organizations(
        self,
        /,
        limit: int = 15,
        org_country: str | None = None,
        *,
        rank_by: str = "models",
        attribution: str = "as-published",
        **filters: Any,
    ) -> Figure:
        """The organizations with the most models (full counting, registry names), with countries and sector.

        Columns ``org_id, organization, sector, countries`` (list of ISO codes), ``country_names``,
        ``models``, ``models_with_subsidiaries``, ``denominator``, ``share``. ``org_country`` (ISO code) ranks only
        that country's organizations; a ``country`` or ``region`` filter keeps the models of those countries
        (under ``attribution``), their foreign co-developers included. ``rank_by`` ``models`` (the organization's
        own) or ``models_with_subsidiaries`` (what its profile page counts) orders them and is the share's
        numerator.
        """
        f = self.reader.filters(attribution=attribution, **filters)
        frame: pd.DataFrame = self.reader.execute(top_organizations(self.tables, f, limit, org_country, rank_by))
        frame["countries"] = [str(c).split(",") if isinstance(c, str) and c else [] for c in frame["countries"]]
        frame.insert(4, "country_names", [", ".join(country_name(c) for c in cs) for cs in frame["countries"]])
        frame["sector"] = frame["sector"].map(lambda s: s if isinstance(s, str) and s else "(no sector)")
        kept = f"only organizations of {country_name(org_country)}; " if org_country else ""
        kept += f"ranked by {rank_by}; "
        provenance = Provenance(
            definition=f.describe(),
            rule="full",
            attribution="resolved",
            denominator="models that pass the filters",
            snapshots=tuple(self.current_snapshots(["epoch"])),
            note=kept + organization_note(f),
        )
        return Figure(frame, provenance)


def concentration_provenance(counts: Provenance) -> Provenance:
    """The provenance of the concentration of a definition's yearly counts: theirs, with its own denominator and
    the measure in words."""
    return replace(counts, denominator="the year's country counts added up", concentration_text=CONCENTRATION_TEXT)
