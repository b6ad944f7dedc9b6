"""What every figure carries to its reader: :class:`Figure` (the table) and its :class:`Provenance` (where it came
from: the population in words, the counting rule, the attribution, the unit, the denominator and the source
snapshots with their dates).

A figure's provenance used to travel in ``DataFrame.attrs``, a dict that pandas drops or merges on many operations
and that no type checker sees. Here it is a frozen dataclass beside the frame; :meth:`Provenance.to_dict` gives the
JSON the CLI, the API and the web pages print (the keys a figure states, nothing more), so that shape stays a
public contract.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

import pandas as pd

Snapshot = dict[str, str]
"""A source snapshot a figure reads, as :meth:`~modelcensus.figures.reader.Reader.snapshots_in_force` gives it:
``source, role, location, rows, license, credit, data_date`` (ISO, or ``unknown``), ``date_method, scope``."""


@dataclass(frozen=True)
class Provenance:
    """Where a figure came from. Every field is optional: a figure states the ones that apply to it (a Hub count
    has a ``metric``, a count under a named definition its ``definition_name``, ``unit`` and ``period``).

    A field left at None is not stated and is left out of :meth:`to_dict`; ``stated_when_empty`` names the fields a
    figure states even when they are empty (a count's ``note`` when there is none, a definition's ``as_of`` when it
    reads the newest data), so their JSON keys stay, as null.
    """

    definition: str | None = None
    """The population in words: the filters (``notable; 2024``), or a named definition's full specification."""
    definition_name: str | None = None
    """The name of the definition counted under, when it is a named one (``epoch-notable``)."""
    description: str | None = None
    """A named definition's description, in words."""
    by: tuple[str, ...] | None = None
    """The dimensions of the breakdown (``country``, ``year``, …)."""
    metric: str | None = None
    """What a Hub figure adds up: ``models`` (repos), ``downloads`` or ``likes``."""
    category: str | None = None
    """The LMArena category of a frontier figure (``text/full``)."""
    rule: str | None = None
    """The counting rule: ``full``, ``fractional`` or ``primary``."""
    rule_text: str | None = None
    """The counting rule in words."""
    attribution: str | None = None
    """How a model gets its countries: ``as-published``, ``resolved`` or ``lineage``."""
    unit: str | None = None
    """What one counts as one under a definition: ``family``, ``release`` or ``variant``."""
    denominator: str | None = None
    """What a share is a share of, in words."""
    period: str | None = None
    """The years counted, in words (``of 2024``, ``of all years``)."""
    since: int | None = None
    until: int | None = None
    as_of: date | None = None
    """The date the census is read as of (None: the newest data)."""
    export_date: date | None = None
    """The date of the vintage a figure was assessed at."""
    snapshots: tuple[Snapshot, ...] | None = None
    """The source snapshots the figure reads, each with its data date."""
    sources: tuple[str, ...] | None = None
    """The sources an estimate reads (some of its definition's)."""
    note: str | None = None
    """What the reader must know to read the figure right (a vintage that holds only part of the population)."""
    country: str | None = None
    organization: str | None = None
    """The country and organization a list of models is restricted to."""
    undated_ratings: int | None = None
    """How many ratings carry no date (left off a frontier's time axis)."""
    vintages: int | None = None
    """How many stored vintages a figure read."""
    needs_roles: tuple[str, ...] | None = None
    """The files of Epoch AI's export that hold the figure's population (a vintage without them does not)."""
    basis: str | None = None
    """What a listing-lag curve was measured on, in words."""
    mature_months: int | None = None
    """The months after which a year's count is taken as final on the listing-lag curve."""
    concentration_text: str | None = None
    """How concentration is measured, in words."""
    coverage: tuple[dict[str, Any], ...] | None = None
    """A Hub figure's coverage: how many of its repos and downloads are attributed to an organization and to a
    country, one entry per harvest date it reads (one for a count, one per date for a trend): ``date``,
    ``attribution``, ``repos``, ``repos_with_organization``, ``repos_with_country``, ``downloads``,
    ``downloads_with_organization``, ``downloads_with_country`` and the four shares (``repos_share_organization``,
    ``repos_share_country``, ``downloads_share_organization``, ``downloads_share_country``; None when there is
    nothing to share)."""
    entered_after: date | None = None
    """What's new: the models that entered the census after this date (None: every model)."""
    compared: tuple[dict[str, Any], ...] | None = None
    """What's new: every dated snapshot read, ``source, export_id, data_date, roles``, on which ``side`` of
    ``entered_after`` it lies (``before``: on or before it) and how many of the models listed entered with it."""
    stated_when_empty: tuple[str, ...] = field(default=(), compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The provenance as JSON-ready values: the stated fields (dates as ISO text, tuples as lists)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name == "stated_when_empty":
                continue
            value = getattr(self, f.name)
            if value is None and f.name not in self.stated_when_empty:
                continue
            out[f.name] = _plain(value)
        return out

    @property
    def snapshot_list(self) -> list[Snapshot]:
        """The snapshots as a list (empty when the figure names none)."""
        return [dict(s) for s in self.snapshots or ()]


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return copy.deepcopy(value)
    return value


@dataclass(frozen=True, eq=False)
class Figure:
    """A figure: the table (``frame``) and where it came from (``provenance``).

    Returned by every figure method of the census (``count``, ``count_definition``, ``count_hub``, ``frontier``,
    …). The frame holds the rows only; read the provenance from :attr:`provenance`, not from ``frame.attrs``.
    """

    frame: pd.DataFrame
    provenance: Provenance

    def with_frame(self, frame: pd.DataFrame) -> Figure:
        """Another table with the same provenance (a figure reshaped for display)."""
        return Figure(frame, self.provenance)

    @property
    def empty(self) -> bool:
        return bool(self.frame.empty)
