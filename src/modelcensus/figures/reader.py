"""What every figure reads through: the engine's tables, the registry, the configuration, the linked population
and the source snapshots in force on a date.

One :class:`Reader` is shared by the figure classes of this package (composed into
:class:`~modelcensus.census.Census`); none of them knows which engine runs its expressions.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

import ibis.expr.types as ir
import pandas as pd

from modelcensus.config import Config
from modelcensus.definitions import HUB_REPOS, Definition, load_definitions
from modelcensus.engines import Engine
from modelcensus.engines.duckdb import DuckDBEngine
from modelcensus.errors import QueryError, StoreOnlyError
from modelcensus.linking import Linker
from modelcensus.metrics.core import KEPT_TABLES, CensusTables, Filters, epoch_roles
from modelcensus.metrics.frontier import lmarena_countries
from modelcensus.metrics.hub import hub_now
from modelcensus.metrics.populations import (
    Population,
    in_force,
    population_members,
    population_units,
    tabular_sources,
    unit_countries,
)
from modelcensus.orgs import Registry, load_registry, requested_places
from modelcensus.provenance import code_digest, inputs_digest
from modelcensus.records import as_date, is_missing
from modelcensus.store import Store, registry_fingerprint
from modelcensus.store.meta import POPULATION_KEY, REGISTRY_INPUTS_KEY, data_state
from modelcensus.vocabulary import DEFINITION_SOURCES, Attribution, Source, Unit

POPULATION_ROWS = 12_000_000
"""How many member rows of materialised populations a reader keeps (the least recently used beyond it are dropped):
a population of the whole Hub is millions of rows, the claims' populations thousands."""
POPULATIONS = 64
"""How many materialised populations a reader keeps at most."""
KEPT_KINDS = tuple(str(k) for k in Unit)
"""The kinds of unit a build keeps each definition's population at (all: one kept population serves every unit)."""
_POPULATION_CODE = (
    "metrics/populations.py",
    "metrics/core.py",
    "metrics/hub.py",
    "metrics/frontier.py",
    "vocabulary.py",
)
"""The code that turns census records into a population and the other tables a build keeps (the records themselves
are the state of the data, which a kept table's key names too): a kept table is read only by the same code."""


def population_code() -> str:
    """A digest of the code that computes populations (the files of :data:`_POPULATION_CODE`)."""
    return code_digest(_POPULATION_CODE)


def parse_as_of(value: date | str | None, parameter: str = "as_of") -> date | None:
    """A date given as a date or as ``YYYY-MM-DD`` text."""
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise QueryError(f"{parameter} must be a date (YYYY-MM-DD), not {value!r}", parameter=parameter) from exc


def _snapshot(row: dict[str, str]) -> dict[str, str]:
    """A stored snapshot's row as a figure names it (a copy, without its export's id)."""
    return {k: v for k, v in row.items() if k != "export_id"}


class Reader:
    """The shared reading context of the figures: an engine, a configuration, the registry (loaded on first use)."""

    def __init__(self, engine: Engine, config: Config) -> None:
        self.engine = engine
        self.config = config
        self._registry: Registry | None = None
        self.linker = (
            Linker(engine, lambda: self.registry, self.registry_fingerprint)
            if isinstance(engine, DuckDBEngine)
            else None
        )
        self._memo: dict[tuple[Any, ...], Any] = {}
        # materialised populations: (members, units, rows) by (sources, filters, linked, as_of, kinds), and their
        # countries by that key and an attribution; for one state of the data
        self._populations: OrderedDict[tuple[Any, ...], tuple[ir.Table, ir.Table, int]] = OrderedDict()
        self._population_countries: dict[tuple[Any, ...], ir.Table] = {}
        self._populations_state: str | None = None
        self._read_only_state: tuple[tuple[str | None, str | None] | None, str] = (None, "")
        self._kept: set[tuple[Any, ...]] = set()  # populations (and countries) read from tables a build kept
        self._registry_fingerprint: str | None = None

    @property
    def registry(self) -> Registry:
        if self._registry is None:
            self._registry = load_registry(self.config.registry_paths, fuzzy_threshold=self.config.fuzzy_threshold)
        return self._registry

    def registry_fingerprint(self) -> str:
        """The registry's fingerprint, which the links' key names: read from the store when a writer recorded that of
        a registry made of the same inputs (the package and the configured files), so that a reader names its links
        without loading the registry (a third of a second); else computed from the registry, and recorded by a
        writer. Once per reader: the inputs are those of its configuration."""
        if self._registry_fingerprint is None:
            self._registry_fingerprint = self._find_registry_fingerprint()
        return self._registry_fingerprint

    def _find_registry_fingerprint(self) -> str:
        store = self.engine.store
        inputs = None
        if store is not None:
            try:
                inputs = inputs_digest(self.config.registry_paths, self.config.fuzzy_threshold)
            except OSError:  # a file of the user's that cannot be read: loading the registry says which
                return registry_fingerprint(self.registry)
            known = store.meta(REGISTRY_INPUTS_KEY) if self._registry is None else None
            if known is not None and known.startswith(inputs + "|"):
                return known.split("|", 1)[1]
        fingerprint = registry_fingerprint(self.registry)
        if store is not None and not store.read_only and store.meta(REGISTRY_INPUTS_KEY) != f"{inputs}|{fingerprint}":
            store.set_meta(REGISTRY_INPUTS_KEY, f"{inputs}|{fingerprint}")
        return fingerprint

    def require_store(self, operation: str) -> Store:
        """The DuckDB store, for what only it can do; a typed error on an engine that reads an export."""
        store = self.engine.store
        if store is None:
            raise StoreOnlyError(operation, self.engine.location)
        return store

    @property
    def tables(self) -> CensusTables:
        """The stored tables (with today's Hub repos as a build kept them, :attr:`CensusTables.hub_now`, while the
        data are those it kept them for). The census records behind definitions may be stale here: figures over
        them read :attr:`population_tables`, which brings them up to date first."""
        tables = self.engine.tables()
        if not isinstance(self.engine, DuckDBEngine):
            return tables
        memo = self.memo()
        if ("kept-tables",) not in memo:
            keys = {name: self._kept_table_key(name) for name in KEPT_TABLES}
            found = self._kept_tables(list(keys.values()))  # one look-up for all
            memo[("kept-tables",)] = {name: found[key][0] for name, key in keys.items() if key in found}
        kept: dict[str, ir.Table] = memo[("kept-tables",)]
        return replace(tables, **kept) if kept else tables

    @property
    def population_tables(self) -> CensusTables:
        """:attr:`tables` with census records matching the stored exports and links (linkage runs first if needed:
        once per store state). An export read by Spark carries the census records of the store it was made from."""
        self.ensure_population()
        return self.tables

    def ensure_population(self) -> None:
        if self.linker is not None:
            self.linker.ensure_population()

    def population_current(self) -> bool:
        """Whether the census records match the stored exports and links already (no linkage to run first): an
        export read by Spark carries its own."""
        return self.linker is None or self.linker.population_current()

    def execute(self, expr: ir.Table) -> pd.DataFrame:
        return self.engine.execute(expr)

    def scalar(self, expr: ir.Scalar) -> Any:
        return self.engine.scalar(expr)

    def state(self) -> str | None:
        """What identifies the state of the data read: the population key of a store, the location of an export
        (which never changes)."""
        store = self.engine.store
        if store is None:
            return self.engine.location
        # the linker's key once it has brought the census records up to date (a read-only reader of stale records
        # reads temporary ones of its own, which the stored key does not describe)
        linked = self.linker.population_key if self.linker else None
        if store.read_only and self._read_only_state[0] == (store.shape, linked):  # the file cannot change under it
            return self._read_only_state[1]
        population = linked or store.meta(POPULATION_KEY)
        state = data_state(store.export_ids(), population)
        if store.read_only:
            self._read_only_state = ((store.shape, linked), state)
        return state

    def memo(self) -> dict[tuple[Any, ...], Any]:
        """Answers that depend only on the state of the data, kept while it stays the same (a reader sees one
        state; a writer's ingest makes a new one)."""
        state = self.state()
        if self._memo.get(("state",)) != state:
            self._memo.clear()
            self._memo[("state",)] = state
        return self._memo

    def as_of(self, value: date | str | None) -> date | None:
        return parse_as_of(value)

    def population(
        self,
        d: Definition,
        kinds: Sequence[str],
        attribution: str,
        as_of: date | None = None,
        sources: Sequence[str] | None = None,
    ) -> Population:
        """A definition's :class:`~modelcensus.metrics.populations.Population` on ``as_of`` at ``kinds`` of unit,
        under ``attribution``, read from ``sources`` (default: the definition's; the units are canonical models
        when the definition has several), materialised once by the engine and kept while the data stay the same:
        every count, rule, period, country and list of members of it reads these tables, so a claims check or a
        page of members never builds a population twice. One kept at more kinds serves fewer."""
        t = self.population_tables
        state = self.state()
        if state != self._populations_state:
            self.drop_populations()
            self._populations_state = state
        chosen = tuple(sources) if sources is not None else tuple(d.sources)
        base = (chosen, json.dumps(d.filters, sort_keys=True, default=str), len(d.sources) > 1, as_of)
        wanted = tuple(dict.fromkeys(str(k) for k in kinds))
        key = next((k for k in self._populations if k[:-1] == base and set(wanted) <= set(k[-1])), None)
        if key is None:
            key = self._kept_population(base, wanted)
        if key is None:
            key = (*base, wanted)
            one_harvest = "huggingface" in chosen and self.hub_harvests() == 1
            expr = population_members(t, chosen, d.filters, wanted, as_of, len(d.sources) > 1, one_harvest)
            members = self.engine.materialize(expr)
            units = self.engine.materialize(population_units(members))
            rows = int(self.engine.scalar(members.count()))  # type: ignore[call-overload]
            self._populations[key] = (members, units, rows)
            self._evict(keep=key)
        self._populations.move_to_end(key)
        members, units, _ = self._populations[key]
        place = (*key, attribution)
        if place not in self._population_countries:
            kept = self._kept_tables([self._kept_key(key, "countries", attribution)]) if key in self._kept else {}
            if kept:
                self._population_countries[place] = next(iter(kept.values()))[0]
                self._kept.add(place)
            else:
                self._population_countries[place] = self.engine.materialize(unit_countries(t, members, attribution))
        return Population(members, units, self._population_countries[place])

    # -- populations kept by a build ----------------------------------------------------------------------

    def _kept_key(self, key: tuple[Any, ...], *part: str) -> str:
        """The key of a kept table of the population ``key``: the state of the data, the population code, the
        population's key (sources, filters, linked, as-of date, kinds) and which of its tables."""
        sources, filters, linked, as_of, kinds = key
        named = [list(sources), filters, linked, as_of.isoformat() if as_of else None, list(kinds), *part]
        return json.dumps([population_code(), self.state(), *named], ensure_ascii=False)

    def _kept_table_key(self, name: str) -> str:
        """The key of a table of :data:`KEPT_TABLES` kept for this state of the data and this code."""
        return json.dumps([population_code(), self.state(), name])

    def _kept_tables(self, keys: list[str]) -> dict[str, tuple[ir.Table, int]]:
        return self.engine.kept(keys) if isinstance(self.engine, DuckDBEngine) else {}

    def _kept_population(self, base: tuple[Any, ...], wanted: tuple[str, ...]) -> tuple[Any, ...] | None:
        """The key of the population ``base`` at ``wanted`` kinds (or at every kind) as a build kept it, now among
        this reader's populations; None when none was kept for this state of the data and this code."""
        candidates = [(*base, kinds) for kinds in dict.fromkeys((wanted, KEPT_KINDS)) if set(wanted) <= set(kinds)]
        names = {key: (self._kept_key(key, "members"), self._kept_key(key, "units")) for key in candidates}
        found = self._kept_tables([name for pair in names.values() for name in pair])  # one lookup for all
        for key, (members_key, units_key) in names.items():
            if members_key in found and units_key in found:
                self._populations[key] = (found[members_key][0], found[units_key][0], 0)  # no memory of a reader's
                self._kept.add(key)
                return key
        return None

    def keep_populations(self, definitions: Iterable[Definition] | None = None) -> list[tuple[str, int]]:
        """Keep each definition's population (now, at every kind of unit, its units' countries under each
        attribution) in the store, and drop what was kept for another state of the data: ``[(definition,
        member rows)]``. Without ``definitions``: every named definition, every Hub repo (:data:`HUB_REPOS`) and
        each stored tabular list. A build calls it last, so that a reader's first figure starts from them."""
        if not isinstance(self.engine, DuckDBEngine):
            raise StoreOnlyError("keeping populations", self.engine.location)
        store = self.require_store("keeping populations")
        t = self.population_tables
        if definitions is None:
            named = [self.counted(d) for d in self.definitions().values()]
            lists = [Definition(s, s, (s,)) for s in self.tabular_sources()]
            definitions = [*named, HUB_REPOS, *lists]
        self.drop_populations()
        one_harvest = self.hub_harvests() == 1
        kept: list[str] = []
        done: list[tuple[str, int]] = []
        seen: set[tuple[Any, ...]] = set()
        for d in definitions:
            filters = json.dumps(d.filters, sort_keys=True, default=str)
            key: tuple[Any, ...] = (tuple(d.sources), filters, len(d.sources) > 1, None, KEPT_KINDS)
            if key in seen:
                continue
            seen.add(key)
            harvest = "huggingface" in d.sources and one_harvest
            expr = population_members(t, d.sources, d.filters, KEPT_KINDS, None, len(d.sources) > 1, harvest)
            members, rows = self.engine.keep(expr, self._kept_key(key, "members"))
            self.engine.keep(population_units(members), self._kept_key(key, "units"))
            kept += [self._kept_key(key, "members"), self._kept_key(key, "units")]
            attributions = [Attribution.AS_PUBLISHED, Attribution.RESOLVED]
            attributions += [Attribution.LINEAGE] if d.sources == (Source.HUGGINGFACE,) else []
            for attribution in dict.fromkeys([d.attribution, *attributions]):
                self.engine.keep(unit_countries(t, members, attribution), self._kept_key(key, "countries", attribution))
                kept.append(self._kept_key(key, "countries", attribution))
            done.append((d.name, rows))
        if self.hub_harvests():
            self.engine.keep(hub_now(t, one_harvest), self._kept_table_key("hub_now"))
            kept.append(self._kept_table_key("hub_now"))
        self.engine.keep(lmarena_countries(t), self._kept_table_key("lmarena_countries"))
        kept.append(self._kept_table_key("lmarena_countries"))
        store.drop_kept(kept)
        self._memo.clear()
        return done

    def _evict(self, keep: tuple[Any, ...]) -> None:
        while len(self._populations) > 1 and (
            len(self._populations) > POPULATIONS or sum(r for _, _, r in self._populations.values()) > POPULATION_ROWS
        ):
            oldest = next(k for k in self._populations if k != keep)
            self._drop_population(oldest)

    def _drop_population(self, key: tuple[Any, ...]) -> None:
        members, units, _ = self._populations.pop(key)
        for place in [p for p in self._population_countries if p[:-1] == key]:
            table = self._population_countries.pop(place)
            if place not in self._kept:
                self.engine.release(table)
            self._kept.discard(place)
        if key not in self._kept:
            self.engine.release(units)
            self.engine.release(members)
        self._kept.discard(key)

    def drop_populations(self) -> None:
        """Let go of every materialised population (the data changed)."""
        for key in list(self._populations):
            self._drop_population(key)

    def filters(self, **kwargs: Any) -> Filters:
        """A figure's filters from its keyword arguments (None: not given); ``country`` (one or several, codes or
        names, ``none``) or ``region`` (a region group) read under ``attribution``."""
        as_of = parse_as_of(kwargs.pop("as_of", None))
        country, region = requested_places(kwargs.pop("country", None), kwargs.pop("region", None))
        given = {k: v for k, v in kwargs.items() if v is not None}
        return Filters(as_of=as_of, country=country, region=region, **given)

    def definitions(self) -> dict[str, Definition]:
        return load_definitions(self.config.definition_paths)

    def definition(self, name: str) -> Definition:
        """A named definition as figures count it: its sources with ``tabular`` read as every stored list."""
        found = self.definitions()
        if name not in found:
            raise QueryError(f"unknown definition {name!r}; known: {', '.join(sorted(found))}", parameter="definition")
        return self.counted(found[name])

    def counted(self, d: Definition) -> Definition:
        """``d`` with ``tabular`` among its sources read as every stored tabular list (none stored: none); a list it
        names that is not stored is an error naming the lists there are."""
        stored = self.tabular_sources()
        sources: list[str] = []
        for source in d.sources:
            if source == Source.TABULAR:
                sources.extend(stored)
            elif source in DEFINITION_SOURCES or source in stored:
                sources.append(source)
            else:
                raise QueryError(
                    f"definition {d.name!r} names the source {source!r}, which is neither a built-in source nor a "
                    f"stored tabular list (stored lists: {', '.join(stored) or 'none'})",
                    parameter="definition",
                )
        return replace(d, sources=tuple(dict.fromkeys(sources)))

    def tabular_sources(self, as_of: date | str | None = None) -> list[str]:
        """The source names of the stored tabular lists (with an export dated on or before ``as_of``)."""
        key = ("tabular-sources", parse_as_of(as_of))
        memo = self.memo()
        if key not in memo:
            frame = self.execute(tabular_sources(self.tables, parse_as_of(as_of)))
            memo[key] = [str(s) for s in frame["source"]]
        return list(memo[key])

    def snapshots_in_force(
        self, sources: Sequence[str], as_of: date | str | None = None, roles: tuple[str, ...] | None = None
    ) -> list[dict[str, str]]:
        """The snapshots a figure over ``sources`` reads on ``as_of`` (the newest otherwise; for Epoch the newest
        export holding one of ``roles``' files): source, role, location, the export's ``data_date`` and how it was
        found, rows, licence and credit."""
        # every source's exports in force are read at once, and kept: a page asks for several sets of sources
        key = ("exports-in-force", parse_as_of(as_of), tuple(roles or ()))
        memo = self.memo()
        if key not in memo:
            exports = in_force(self.tables, None, parse_as_of(as_of), roles)
            memo[key] = set(self.execute(exports.select("export_id"))["export_id"])
        wanted, ids = set(sources), memo[key]
        return [
            _snapshot(row) for row in self._stored_snapshots() if row["export_id"] in ids and row["source"] in wanted
        ]

    def snapshots_of(self, export_ids: Iterable[str]) -> list[dict[str, str]]:
        """The snapshots of the given exports (a figure at several vintages reads each one's files), as
        :meth:`snapshots_in_force` gives them."""
        ids = set(export_ids)
        return [_snapshot(row) for row in self._stored_snapshots() if row["export_id"] in ids]

    def _stored_snapshots(self) -> list[dict[str, str]]:
        """Every stored snapshot with its export's id and date, ordered by source, export date and role: read once
        while the data stay the same."""
        memo = self.memo()
        if ("stored-snapshots",) not in memo:
            t = self.tables
            e = t.exports
            j = t.snapshots.join(e.select("export_id", export_date=e.data_date), "export_id")
            frame = self.execute(
                j.select(
                    "export_id",
                    "source",
                    "role",
                    "location",
                    "rows",
                    "license",
                    "credit",
                    "export_date",
                    "date_method",
                    "scope",
                )
            )
            frame = frame.sort_values(["source", "export_date", "role"], na_position="last")
            memo[("stored-snapshots",)] = [
                {
                    "export_id": str(r.export_id),
                    "source": str(r.source),
                    "role": str(r.role),
                    "location": str(r.location),
                    "rows": str(r.rows),
                    "license": str(r.license),
                    "credit": str(r.credit),
                    "data_date": str(as_date(r.export_date) or "unknown"),
                    "date_method": str(r.date_method),
                    "scope": "" if is_missing(r.scope) else str(r.scope),
                }
                for r in frame.itertuples(index=False)
            ]
        rows: list[dict[str, str]] = memo[("stored-snapshots",)]
        return rows

    def snapshot_provenance(self, filters: Filters) -> list[dict[str, str]]:
        """The model census reads Epoch's records, from the vintage that holds the population the filters admit."""
        return self.snapshots_in_force(["epoch"], filters.as_of, epoch_roles(filters.__dict__))

    def hub_harvests(self) -> int:
        """How many Hub harvests are stored."""
        key = ("hub_harvests",)
        memo = self.memo()
        if key not in memo:
            e = self.tables.exports
            memo[key] = int(self.scalar(e.filter(e.source == "huggingface").count()))
        return int(memo[key])


class Part:
    """A figure class: reads through the shared :class:`Reader`."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    @property
    def tables(self) -> CensusTables:
        return self.reader.tables

    @property
    def population_tables(self) -> CensusTables:
        return self.reader.population_tables

    @property
    def registry(self) -> Registry:
        return self.reader.registry
