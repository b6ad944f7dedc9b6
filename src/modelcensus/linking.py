"""The stored exports linked: canonical models across sources and the census records behind definitions.

Linkage (:mod:`modelcensus.linkage`) runs once per state of the store: the result is kept in the store (when it
is open for writing; ``modelcensus build`` does this) and in this object, keyed by the stored exports, the
registry and the linkage version, so a later ingest or registry change recomputes it. The census records
(:mod:`modelcensus.store.population`) follow the links and the population rules the same way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date

import pandas as pd

from modelcensus.engines.duckdb import DuckDBEngine
from modelcensus.linkage import LINKAGE_VERSION, CanonicalModel, SourceRecord, developer_of, hub_id_in_link
from modelcensus.metrics.core import Filters, select_models
from modelcensus.metrics.populations import tabular_sources
from modelcensus.orgs import Registry
from modelcensus.records import as_date, is_missing
from modelcensus.store import LinkSummary, registry_fingerprint
from modelcensus.store import links as store_links
from modelcensus.store import population as store_population
from modelcensus.store.meta import HANDLES_FINGERPRINT_KEY, POPULATION_KEY


def _as_float(value: object) -> float | None:
    """A number, or None for a missing one (NaN, None)."""
    if isinstance(value, (int, float)) and value == value:
        return float(value)
    return None


def resolved_countries(registry: Registry, organizations: pd.Series) -> list[list[str]]:
    """Each row's organizations' countries under the registry, in the order of the organizations."""
    resolutions = {name: registry.resolve(name) for orgs in organizations if orgs is not None for name in orgs}
    result = []
    for orgs in organizations:
        codes: list[str] = []
        for name in orgs if orgs is not None else []:
            res = resolutions[name]
            if res.org:
                codes.extend(c for c in res.org.countries if c not in codes)
        result.append(codes)
    return result


class Linker:
    """Links the records of a DuckDB store and keeps its census records current."""

    def __init__(
        self,
        engine: DuckDBEngine,
        registry: Callable[[], Registry],
        fingerprint: Callable[[], str] | None = None,
    ) -> None:
        self.engine = engine
        self.store = engine.store
        self._registry = registry
        self._fingerprint = fingerprint or (lambda: registry_fingerprint(self.registry))
        self._links: dict[str, list[CanonicalModel]] = {}
        self.population_key: str | None = None

    @property
    def registry(self) -> Registry:
        return self._registry()

    def source_records(self, as_of: date | None = None) -> list[SourceRecord]:
        """Every current record (as of a date: in force then) of Epoch, the Hub, OpenRouter, LMArena and the tabular
        lists, as linkage sees it."""
        registry = self.registry
        records = self.other_records(as_of)
        for repo_id, author in self.store.hub_authors(as_of):
            records.append(store_links.hub_record(registry, repo_id, author))
        return records

    def other_records(self, as_of: date | None = None) -> list[SourceRecord]:
        """:meth:`source_records` of every source but the Hub (whose repos are chosen and named in SQL, see
        :mod:`modelcensus.store.links`)."""
        registry = self.registry
        t = self.engine.tables()
        epoch = self.engine.execute(
            select_models(t, Filters(as_of=as_of)).select(
                "model_key", "name", "published_on", "organizations", "parameters", "link"
            )
        )
        countries = resolved_countries(registry, epoch["organizations"])
        records: list[SourceRecord] = []
        for m, codes in zip(epoch.itertuples(), countries, strict=True):
            organizations: list[str] = [] if m.organizations is None else [str(o) for o in m.organizations]  # type: ignore[union-attr]
            developer, _ = developer_of(registry, organizations)
            records.append(
                SourceRecord(
                    "epoch",
                    str(m.model_key),
                    str(m.name),
                    developer,
                    hub_id_in_link(None if is_missing(m.link) else str(m.link)),
                    tuple(codes),  # every organization's, not the first's
                    as_date(m.published_on),
                    _as_float(m.parameters),
                )
            )
        catalog = self.store.current_catalog(("openrouter", "lmarena", *self.tabular_sources(as_of)), as_of)
        records.extend(store_population.catalog_record(registry, r) for r in catalog.itertuples())
        return records

    def tabular_sources(self, as_of: date | None = None) -> list[str]:
        """The names of the stored tabular lists (with an export dated on or before ``as_of``)."""
        return [str(s) for s in self.engine.execute(tabular_sources(self.engine.tables(), as_of))["source"]]

    def links(self, as_of: date | None = None) -> list[CanonicalModel]:
        """Canonical models with their records across sources and the evidence that linked them (as of a date:
        the records in force then, linked afresh). Every Hub repo is one: for a summary, see :meth:`update`."""
        if as_of is not None:
            return self.store.link_as_of(self.other_records(as_of), self.registry, as_of)
        key = self.links_key()
        if key not in self._links:
            self._ensure_links(key)
            models = self.store.load_links(key) or []
            self._links.clear()
            self._links[key] = models
        return self._links[key]

    def model(self, ref: str) -> CanonicalModel | None:
        """One canonical model, read alone from the stored links: the model whose id is ``ref``, else the one holding
        the record ``ref`` (``source:source_id``); None when there is none. As :meth:`links` would find it,
        without reading every model (millions, with the Hub)."""
        key = self.links_key()
        self._ensure_links(key)
        found = self.store.linked_model_id(key, ref)
        models = self.store.load_links(key, {found}) if found is not None else None
        return models[0] if models else None

    def update(self, *, stage_population: bool = False) -> LinkSummary:
        """Link the stored records unless the store holds their links already (:mod:`modelcensus.store.links`; a
        read-only store keeps them for this reader only); what the links are and how the last run made them.
        ``stage_population``: the census records are stored next (:meth:`ensure_population`, nothing written in
        between), so a writer makes their Hub part that the links do not change while it links; call
        :meth:`drop_staged` after them."""
        key = self.links_key()
        return self.store.link_summary(key, self._ensure_links(key, stage_population))

    def drop_staged(self) -> None:
        """Drop what :meth:`update` made ahead for the census records if :meth:`ensure_population` did not take it."""
        self.store.drop_staged_population()

    def _ensure_links(self, key: str, stage_population: bool = False) -> store_links.LinkRun | None:
        """Link the stored records unless the store holds the links of ``key`` (what :meth:`update` does, without
        summing them up): the run when it linked."""
        if self.store.has_links(key):
            return None
        return self.store.link(key, self.other_records(), self.registry, stage_population=stage_population)

    def link(self) -> LinkSummary:
        """Link what the store holds and store the census records behind definitions, for every later reader (what
        ``build`` does after its ingests, and every ``ingest`` command after storing something new): a read-only
        reader of a store left unlinked links it again in memory, each time. A writer makes the Hub's part of the
        census records that the links do not change while it links (:meth:`update`'s ``stage_population``)."""
        try:
            summary = self.update(stage_population=True)
            self.ensure_population()
        finally:
            self.drop_staged()
        return summary

    def links_key(self) -> str:
        digest = hashlib.sha256(f"{LINKAGE_VERSION}|{self._fingerprint()}".encode())
        for export_id in self.store.export_ids():
            digest.update(str(export_id).encode())
        return digest.hexdigest()[:24]

    def _population_key(self) -> str:
        """The key of the census records the stored exports and links make: the links, the version of the population
        rules (the large-model rules among them) and the stored resolution of Hub handles."""
        handles = self.store.meta(HANDLES_FINGERPRINT_KEY) or ""
        return f"{self.links_key()}:{store_population.rules_fingerprint()}:{handles}"

    def population_current(self) -> bool:
        """Whether the census records already match the stored exports and links (:meth:`ensure_population` would
        link and make nothing), found without linking."""
        key = self._population_key()
        return self.population_key == key or (
            self.store.meta(POPULATION_KEY) == key and self.store.has_table("census_records")
        )

    def ensure_population(self) -> None:
        """Make the census records match the stored exports and links: stored when the store is open for writing,
        else as temporary tables of this reader. Keyed by :meth:`_population_key`."""
        key = self._population_key()
        if self.population_key == key:
            return
        self.population_key = key  # set first: links() below reads tables without recursion
        try:
            if self.store.meta(POPULATION_KEY) == key and self.store.has_table("census_records"):
                return
            self._ensure_links(self.links_key())  # not update(): its summary is seconds over millions of links
            if self.store.read_only:
                store_population.refresh(self.store.con, key, self.registry, temp=True)
                self.store.temp_tables_made()
            else:
                self.store.save_population(key, self.registry)
        except BaseException:
            self.population_key = None
            raise

    def link_table(self) -> pd.DataFrame:
        """One row per record: its canonical model id (records no other source knows are their own model)."""
        self.update()
        return self.store.link_table(self.links_key())
