"""The facade's catalogue, leaderboard and linkage methods (OpenRouter, LMArena, litellm, tabular lists).

A mixin of :class:`modelcensus.census.Census`; it reaches the store and the metrics like the rest of
the facade, so outputs still talk to one object.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pandas as pd

from modelcensus import store_population
from modelcensus.definitions import Definition, load_definitions
from modelcensus.errors import InputFormatError, QueryError
from modelcensus.ingest import Failure, IngestReport
from modelcensus.linkage import (
    LINKAGE_VERSION,
    CanonicalModel,
    SourceRecord,
    developer_of,
    hub_id_in_link,
    link,
)
from modelcensus.metrics.core import RULE_TEXT, epoch_roles
from modelcensus.metrics.frontier import frontier as frontier_expr
from modelcensus.metrics.frontier import undated_ratings
from modelcensus.metrics.populations import (
    Period,
    admitted,
    count_population,
    in_force,
    record_countries,
    units,
    units_in_group,
)
from modelcensus.provenance import DataDate, DateMethod, Export, SourceSnapshot, export_date, sha256_bytes
from modelcensus.records import CatalogRecord, QuarantinedRow, RatingRecord, country_name, is_missing
from modelcensus.sources import litellm, lmarena, openrouter, tabular
from modelcensus.sources.dating import file_date
from modelcensus.sources.http import download, live_date
from modelcensus.store import registry_fingerprint

if TYPE_CHECKING:
    from modelcensus.config import Config
    from modelcensus.metrics.core import CensusTables
    from modelcensus.metrics.hub import HubFilters
    from modelcensus.orgs import Registry
    from modelcensus.store import Store

CATALOG_SOURCES = ("openrouter", "lmarena", "litellm", "tabular")


def _as_date(value: object) -> date | None:
    """A pandas cell (Timestamp, date, NaT, None) as a plain date."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[call-overload]
        return None
    return pd.Timestamp(value).date()  # type: ignore[arg-type]


def _as_float(value: object) -> float | None:
    """A number, or None for a missing one (NaN, None)."""
    if isinstance(value, (int, float)) and value == value:
        return float(value)
    return None


def _file_time(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)


def _snapshot(
    source: str,
    role: str,
    path: Path,
    location: str,
    data: bytes,
    rows: int,
    license_: str,
    credit: str,
    when: DataDate,
) -> SourceSnapshot:
    return SourceSnapshot(
        source, role, location, _file_time(path), sha256_bytes(data), len(data), rows, license_, credit, data_date=when
    )


class _Facade:
    """What the mixins use of :class:`~modelcensus.census.Census` (declared for type checkers)."""

    if TYPE_CHECKING:
        store: Store
        config: Config
        path: Path

        @property
        def registry(self) -> Registry: ...

        @property
        def tables(self) -> CensusTables: ...

        @property
        def population_tables(self) -> CensusTables: ...

        def models(self, **filters: Any) -> pd.DataFrame: ...

        def _hub_filters(self, **kwargs: Any) -> HubFilters: ...


class CatalogMethods(_Facade):
    """Ingest and read the catalogue and leaderboard sources; link records across sources."""

    def _fetch(self, url: str, name: str) -> tuple[Path, DataDate]:
        when = datetime.now(tz=UTC)
        dest = self.config.cache_dir / name.split("/")[0] / f"{when:%Y%m%dT%H%M%SZ}-{name.split('/')[-1]}"
        path = download(
            url,
            dest,
            timeout_s=self.config.http_timeout_s,
            retries=self.config.http_retries,
            backoff_s=self.config.http_backoff_s,
        )
        return path, live_date(path, when)

    def _store_catalog(
        self,
        source: str,
        files: list[tuple[Path, str, bytes, str, DataDate]],
        records: list[CatalogRecord],
        ratings: list[RatingRecord],
        quarantined: list[QuarantinedRow],
        license_: str,
        credit: str,
        rows_read: int,
        dated: date | None = None,
    ) -> IngestReport:
        snapshots = tuple(
            _snapshot(source, role, path, location, data, rows_read, license_, credit, when)
            for path, location, data, role, when in files
        )
        when = DataDate(dated, DateMethod.OPTION, "given with --dated") if dated else export_date(snapshots)
        export = Export(source, when, snapshots)
        report = IngestReport()
        report.results.append(
            self.store.ingest_catalog(export, records, ratings, quarantined, rows_read, self.registry)
        )
        report.quarantined.extend(quarantined)
        return report

    def _local_or_live(self, path: Path | None, url: str, name: str, dated: date | None) -> tuple[Path, DataDate]:
        """A saved file (its date found in the documented order later) or a live download and its date."""
        if path is None:
            return self._fetch(url, name)
        if not path.is_file():
            raise InputFormatError("no such file" if not path.exists() else "a folder, not a file", file=str(path))
        return path, DataDate(dated, DateMethod.OPTION, "given with --dated") if dated else DataDate(None)

    def ingest_openrouter(self, path: Path | None = None, dated: date | None = None) -> IngestReport:
        """OpenRouter's model list (``{"data": [...]}`` or a bare list), live or from a saved file.

        Dated by ``dated``, a datapackage, the newest ``created`` of its models (a lower bound), the file name."""
        file, fixed = self._local_or_live(path, openrouter.URL, "openrouter/models.json", dated)
        data = file.read_bytes()
        if not openrouter.looks_like(data):
            raise InputFormatError("not an OpenRouter /api/v1/models listing", file=str(file))
        records = openrouter.parse(data, str(file))
        created = [r.published_on for r in records if r.published_on]
        itself = (
            DataDate(max(created), DateMethod.DATA, "the newest 'created' of its models (the listing is no older)")
            if created
            else None
        )
        when = self._date(path, file, fixed, itself)
        return self._store_catalog(
            "openrouter",
            [(file, str(path or openrouter.URL), data, "models", when)],
            records,
            [],
            [],
            openrouter.LICENSE,
            openrouter.CREDIT,
            len(records),
        )

    @staticmethod
    def _date(path: Path | None, file: Path, fixed: DataDate, itself: DataDate | None) -> DataDate:
        """``--dated`` first; for a live download the data's own date, else what the download says; for a
        saved file the documented order (datapackage, the data, the name)."""
        if fixed.method is DateMethod.OPTION and fixed.value is not None:
            return fixed
        if path is None:
            return itself if itself is not None else fixed
        return file_date(file, None, itself)

    def ingest_litellm(self, path: Path | None = None, dated: date | None = None) -> IngestReport:
        """The litellm provider catalogue (a deployment and pricing view: no developer, no country, no date)."""
        file, fixed = self._local_or_live(path, litellm.URL, "litellm/model_prices_and_context_window.json", dated)
        data = file.read_bytes()
        if not litellm.looks_like(data):
            raise InputFormatError("not a litellm model_prices_and_context_window catalogue", file=str(file))
        records = litellm.parse(data, str(file))
        return self._store_catalog(
            "litellm",
            [(file, str(path or litellm.URL), data, "catalogue", self._date(path, file, fixed, None))],
            records,
            [],
            [],
            litellm.LICENSE,
            litellm.CREDIT,
            len(records),
        )

    def ingest_lmarena(
        self,
        path: Path | None = None,
        dated: date | None = None,
        files: list[Path] | None = None,
        tolerate: bool = False,
    ) -> IngestReport:
        """LMArena: leaderboards (ratings with intervals), the scatterplot (organization, licence) and the
        dated rating history; a folder (or the live catalog, or ``files``) is one export.

        A leaderboard carries no date: its ratings are dated by ``dated``, its resource in a datapackage, or a
        date in its name; a live fetch by the server's Last-Modified, else the day it was fetched. A leaderboard
        of unknown date is stored with its ratings undated (the frontier cannot place them in time)."""
        fixed: dict[Path, DataDate] = {}
        if files is not None:
            chosen = list(files)
        elif path is None:
            chosen = []
            for name in lmarena.LIVE_FILES:
                fetched, when = self._fetch(lmarena.BASE_URL + name, f"lmarena/{name}")
                chosen.append(fetched)
                fixed[fetched] = when
        elif path.is_dir():
            chosen = [p for p in sorted(path.rglob("*")) if p.is_file() and p.suffix.lower() in {".json", ".csv"}]
        elif path.is_file():
            chosen = [path]
        else:
            raise InputFormatError("no such file or folder", file=str(path))
        records: list[CatalogRecord] = []
        ratings: list[RatingRecord] = []
        used: list[tuple[Path, str, bytes, str, DataDate]] = []
        failed: list[Failure] = []
        for file in chosen:
            try:
                self._lmarena_file(file, path, files, dated, fixed, records, ratings, used)
            except InputFormatError as exc:
                if not tolerate:
                    raise
                failed.append(Failure("lmarena", str(file), str(exc)))
        if not used:
            if failed:
                raise InputFormatError(f"no LMArena file could be read ({failed[0].message})", file=failed[0].location)
            raise InputFormatError("no LMArena leaderboard, scatterplot or history file found", file=str(path))
        listed = {r.source_id for r in records}
        records.extend(r for r in lmarena.catalog_from_leaderboards(ratings) if r.source_id not in listed)
        report = self._store_catalog(
            "lmarena",
            used,
            records,
            ratings,
            [],
            lmarena.LICENSE,
            lmarena.CREDIT,
            len(records) + len(ratings),
            dated,
        )
        report.failed.extend(failed)
        return report

    def _lmarena_file(
        self,
        file: Path,
        path: Path | None,
        files: list[Path] | None,
        dated: date | None,
        fixed: dict[Path, DataDate],
        records: list[CatalogRecord],
        ratings: list[RatingRecord],
        used: list[tuple[Path, str, bytes, str, DataDate]],
    ) -> None:
        """Read one LMArena file into ``records``/``ratings`` and note it in ``used``."""
        data = file.read_bytes()
        kind = lmarena.kind_of(file, data)
        if kind is None and path is None:  # a fetched or chosen file must be used
            raise InputFormatError("not an LMArena leaderboard or scatterplot (cut or garbled?)", file=str(file))
        if kind is None:
            return
        itself = None
        if kind == "history":
            history = lmarena.parse_history(data, str(file))
            ratings.extend(history)
            days = [r.rated_on for r in history if r.rated_on]
            itself = DataDate(max(days), DateMethod.DATA, "the newest date of its rows") if days else None
        when = self._date(
            None if file in fixed else file,
            file,
            DataDate(dated, DateMethod.OPTION, "given with --dated") if dated else fixed.get(file, DataDate(None)),
            itself,
        )
        if kind == "scatterplot":
            records.extend(lmarena.parse_scatterplot(data, str(file)))
        elif kind != "history":
            ratings.extend(lmarena.parse_leaderboard(data, str(file), when.value, kind.removeprefix("leaderboard:")))
        used.append((file, str(file), data, kind, when))

    def ingest_tabular(self, path: Path, mapping: Path, dated: date | None = None) -> IngestReport:
        """Any CSV / JSON / XLSX list with a YAML column mapping (a register, a company's own list, …)."""
        spec = tabular.load_mapping(mapping)
        records, quarantined = tabular.parse(path, spec)
        data = path.read_bytes()
        return self._store_catalog(
            spec.source,
            [(path, str(path), data, "list", file_date(path, dated))],
            records,
            [],
            quarantined,
            spec.license_of_data,
            spec.credit,
            len(records) + len(quarantined),
        )

    # -- linkage ---------------------------------------------------------------------------------

    def source_records(self, as_of: date | str | None = None) -> list[SourceRecord]:
        """Every current record (as of a date: in force then) of Epoch, the Hub, OpenRouter and LMArena, as linkage
        sees it."""
        registry = self.registry
        when = self._as_of(as_of)
        records: list[SourceRecord] = []
        models = self.models(as_of=as_of)
        links = self.store.con.execute("SELECT model_key, link FROM models").fetchall()
        link_of = dict(links)
        for m in models.itertuples():
            developer, _ = developer_of(registry, list(cast(list[str], m.organizations)))
            countries = tuple(cast(list[str], m.countries_resolved))  # every organization's, not the first's
            records.append(
                SourceRecord(
                    "epoch",
                    str(m.id),
                    str(m.name),
                    developer,
                    hub_id_in_link(link_of.get(m.id)),
                    countries,
                    _as_date(m.published_on),
                    _as_float(m.parameters),
                )
            )
        hub = self.store.con.execute(
            "SELECT DISTINCT repo_id, author FROM hub_models JOIN exports USING (export_id) "
            "WHERE ? IS NULL OR data_date <= ? ORDER BY repo_id, author",
            [when, when],
        ).fetchall()
        for repo_id, author in hub:
            developer, countries = developer_of(registry, [], author)
            records.append(SourceRecord("huggingface", repo_id, repo_id.split("/")[-1], developer, None, countries))
        catalog = self._current_catalog(("openrouter", "lmarena"), when)
        records.extend(store_population.catalog_record(registry, r) for r in catalog.itertuples())
        return records

    def _current_catalog(self, sources: tuple[str, ...], as_of: date | None = None) -> pd.DataFrame:
        placeholders = ", ".join("?" for _ in sources)
        frame: pd.DataFrame = self.store.con.execute(
            f"""
            SELECT c.* FROM catalog_records c JOIN (
                SELECT export_id FROM exports WHERE source IN ({placeholders}) AND (? IS NULL OR data_date <= ?)
                QUALIFY row_number() OVER (PARTITION BY source ORDER BY data_date DESC NULLS LAST, ingested_at DESC) = 1
            ) USING (export_id)
            """,
            [*sources, as_of, as_of],
        ).df()
        return frame

    def links(self, as_of: date | str | None = None) -> list[CanonicalModel]:
        """Canonical models with their records across sources and the evidence that linked them.

        Linkage runs once per state of the store: the result is kept in the store (when it is open for
        writing; ``modelcensus build`` does this) and in this object, keyed by the stored exports, the
        registry and the linkage version, so a later ingest or registry change recomputes it."""
        if as_of is not None:
            return link(self.source_records(as_of))
        key = self._links_key()
        cache: dict[str, list[CanonicalModel]] = self.__dict__.setdefault("_links_cache", {})
        if key not in cache:
            models = self.store.load_links(key)
            if models is None:
                models = link(self.source_records())
                if not self.store.read_only:
                    self.store.save_links(key, models)
            cache.clear()
            cache[key] = models
        return cache[key]

    def ensure_population(self) -> None:
        """Make the census records (:mod:`modelcensus.store_population`) match the stored exports and links:
        stored when the store is open for writing, else as temporary tables of this reader. Keyed by the links and
        by the version of the population rules (the large-model rules among them)."""
        key = f"{self._links_key()}:{store_population.rules_fingerprint()}"
        if self.__dict__.get("_population_key") == key:
            return
        self.__dict__["_population_key"] = key  # set first: links() below reads tables without recursion
        try:
            if self.store.meta("population_key") == key and self.store.has_table("census_records"):
                return
            models = self.links()
            if self.store.read_only:
                store_population.refresh(self.store.con, key, models, self.registry, temp=True)
            else:
                self.store.save_population(key, models, self.registry)
        except BaseException:
            self.__dict__.pop("_population_key", None)
            raise

    def _links_key(self) -> str:
        exports = self.store.con.execute("SELECT export_id FROM exports ORDER BY export_id").fetchall()
        digest = hashlib.sha256(f"{LINKAGE_VERSION}|{registry_fingerprint(self.registry)}".encode())
        for (export_id,) in exports:
            digest.update(str(export_id).encode())
        return digest.hexdigest()[:24]

    def link_table(self) -> pd.DataFrame:
        """One row per record: its canonical model id (records no other source knows are their own model)."""
        rows: list[dict[str, Any]] = []
        for model in self.links():
            for r in model.records:
                rows.append({"id": model.id, "name": model.name, "source": r.source, "source_id": r.source_id})
        return pd.DataFrame(rows, columns=["id", "name", "source", "source_id"])

    def _as_of(self, as_of: date | str | None) -> date | None:
        if as_of is None or isinstance(as_of, date):
            return as_of
        try:
            return date.fromisoformat(as_of)
        except ValueError as exc:
            raise QueryError(f"as_of must be a date (YYYY-MM-DD), not {as_of!r}") from exc

    def snapshots_in_force(
        self, sources: Sequence[str], as_of: date | str | None = None, roles: tuple[str, ...] | None = None
    ) -> list[dict[str, str]]:
        """The snapshots a figure over ``sources`` reads on ``as_of`` (the newest otherwise; for Epoch the newest
        export holding one of ``roles``' files): source, role, location, the export's ``data_date`` and how it was
        found, rows, licence and credit."""
        exports = in_force(self.tables, list(sources), self._as_of(as_of), roles)
        s = self.tables.snapshots
        j = s.join(exports.select("export_id", export_date=exports.data_date), "export_id")
        frame: pd.DataFrame = j.select(
            "source", "role", "location", "rows", "license", "credit", "export_date", "date_method", "scope"
        ).execute()
        frame = frame.sort_values(["source", "export_date", "role"], na_position="last")
        return [
            {
                "source": str(r.source),
                "role": str(r.role),
                "location": str(r.location),
                "rows": str(r.rows),
                "license": str(r.license),
                "credit": str(r.credit),
                "data_date": str(_as_date(r.export_date) or "unknown"),
                "date_method": str(r.date_method),
                "scope": "" if is_missing(r.scope) else str(r.scope),
            }
            for r in frame.itertuples(index=False)
        ]

    # -- the quality frontier ---------------------------------------------------------------------

    def frontier(
        self, by: str = "country", category: str = "text/full", as_of: date | str | None = None
    ) -> pd.DataFrame:
        """For each country and rating date, the best-rated LMArena model with its 95% interval (as the census
        could have read it on ``as_of``). ``attrs`` says how many ratings carry no date (left off the axis)."""
        if by != "country":
            raise QueryError("the quality frontier is by country")
        t = self.population_tables
        any_rating = t.ratings.filter(t.ratings.category == category)
        if int(any_rating.count().execute()) == 0:
            raise QueryError(f"no LMArena ratings in category {category!r}; run `modelcensus ingest lmarena`")
        when = self._as_of(as_of)
        best: pd.DataFrame = frontier_expr(t, category, when).execute()
        best["rated_on"] = pd.to_datetime(best["rated_on"]).dt.date
        best = best.reset_index(drop=True)
        best.attrs.update(
            {
                "category": category,
                "as_of": when.isoformat() if when else None,
                "undated_ratings": int(undated_ratings(t, category).execute()["n"].iloc[0]),
                "snapshots": self.snapshots_in_force(["lmarena"]),  # ratings keep their own days
            }
        )
        return best

    def frontier_gap(
        self, category: str = "text/full", first: str = "US", second: str = "CN", as_of: date | str | None = None
    ) -> pd.DataFrame:
        """The gap between the best model of two countries at each rating date (first minus second)."""
        best = self.frontier(category=category, as_of=as_of)
        wide = best.pivot_table(index="rated_on", columns="group", values="rating", aggfunc="max")
        models = best.pivot_table(index="rated_on", columns="group", values="model", aggfunc="first")
        if first not in wide.columns or second not in wide.columns:
            raise QueryError(f"no ratings for {first} and {second} in category {category!r}")
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
        out.attrs.update(best.attrs)
        return out


Progress = Callable[[int], None]


class DefinitionMethods(CatalogMethods):
    """Populations under named definitions, counts at a unit, and checks of published claims."""

    def definitions(self) -> dict[str, Definition]:
        return load_definitions(self.config.definition_paths)

    def definition(self, name: str) -> Definition:
        found = self.definitions()
        if name not in found:
            raise QueryError(f"unknown definition {name!r}; known: {', '.join(sorted(found))}")
        return found[name]

    def _definition_attrs(
        self, d: Definition, unit: str, rule: str, attribution: str, as_of: date | None, per_year: bool = False
    ) -> dict[str, Any]:
        return {
            "definition": d.describe(),
            "definition_name": d.name,
            "description": d.description,
            "rule": rule,
            "rule_text": RULE_TEXT[rule],
            "attribution": attribution,
            "unit": unit,
            "denominator": f"{unit}s admitted by the definition" + (" in the same year" if per_year else ""),
            "as_of": as_of.isoformat() if as_of else None,
            "snapshots": self.snapshots_in_force(d.sources, as_of, epoch_roles(dict(d.filters))),
        }

    def count_definition(
        self,
        name: str,
        *,
        unit: str | None = None,
        rule: str | None = None,
        attribution: str | None = None,
        year: int | None = None,
        since: int | date | None = None,
        until: int | date | None = None,
        as_of: date | str | None = None,
    ) -> pd.DataFrame:
        """Count by country under a named definition (its unit, rule and attribution unless overridden), as of a
        date: ``group, group_name, count, units, denominator, share``."""
        d = self.definition(name)
        unit, rule, attribution = unit or d.unit, rule or d.rule, attribution or d.attribution
        when = self._as_of(as_of)
        period = _period(year, since, until)
        expr = count_population(self.population_tables, d.sources, d.filters, unit, rule, attribution, period, when)
        frame = _with_names(expr.execute())
        if rule != "fractional":
            frame["count"] = frame["count"].round().astype("int64")
        frame.attrs.update(self._definition_attrs(d, unit, rule, attribution, when))
        frame.attrs["period"] = period.describe()
        return frame

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
    ) -> pd.DataFrame:
        """:meth:`count_definition` for every year from ``since`` to ``until`` in one query: columns ``group,
        group_name, year, count, units, denominator, share``; each year's share has that year's units as its
        denominator."""
        if since > until:
            raise QueryError(f"since ({since}) is after until ({until})")
        d = self.definition(name)
        unit, rule, attribution = unit or d.unit, rule or d.rule, attribution or d.attribution
        when = self._as_of(as_of)
        expr = count_population(
            self.population_tables,
            d.sources,
            d.filters,
            unit,
            rule,
            attribution,
            Period(since=since, until=until),
            when,
            True,
        )
        frame = _with_names(expr.execute())
        frame["year"] = frame["year"].astype("int64")
        frame = frame[["group", "group_name", "year", "count", "units", "denominator", "share"]]
        frame.attrs.update(self._definition_attrs(d, unit, rule, attribution, when, per_year=True))
        frame.attrs.update({"since": since, "until": until})
        return frame

    def definition_members(
        self,
        name: str | Definition,
        *,
        country: str | None = "*",
        unit: str | None = None,
        attribution: str | None = None,
        year: int | None = None,
        since: int | date | None = None,
        until: int | date | None = None,
        as_of: date | str | None = None,
    ) -> pd.DataFrame:
        """The records behind a definition's figure (all, ``country="*"``; a country; or None: no country), one row
        per record with its ``unit``: ``unit, unit_name, unit_year, source, source_id, name, year, published_on,
        countries`` (the record's own, under the attribution), ``large_model_reason``."""
        d = name if isinstance(name, Definition) else self.definition(name)
        unit, attribution = unit or d.unit, attribution or d.attribution
        period = _period(year, since, until)
        t, when = self.population_tables, self._as_of(as_of)
        if country == "*":
            members, chosen = units(admitted(t, d.sources, d.filters, when), unit, len(d.sources) > 1, period)
        else:
            chosen, members = units_in_group(t, d.sources, d.filters, unit, attribution, country, period, when)
        j = members.join(chosen.select("unit", unit_name=chosen.name, unit_year=chosen.year), "unit")
        keys = ["export_id", "source", "source_id"]
        c = record_countries(t, attribution)
        lists = c.group_by(keys).agg(countries=c.country.collect(order_by=c.position))
        j = j.left_join(lists, keys)
        frame: pd.DataFrame = (
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
                "large_model_reason",
            )
            .order_by(["unit_name", "unit", "source", "source_id"])
            .execute()
        )
        frame["countries"] = [[] if is_missing(c) else list(c) for c in frame["countries"]]
        return frame

    def check(self, path: Path, as_of: date | str | None = None) -> list[dict[str, Any]]:
        """Verdicts on the claims of a claims file, at their vintage, with figures, coverage, evidence and
        sensitivity tables; ``as_of`` reads "now" as the census stood on that date."""
        from modelcensus.claims import evaluate_all, load_claims

        claims = load_claims(path)
        when = self._as_of(as_of)
        self.ensure_population()
        definitions = json.dumps(
            [(d.name, d.sources, d.filters, d.unit, d.rule, d.attribution) for d in self.definitions().values()],
            default=str,
        )
        key = (
            str(self.path.resolve()),
            self.store.meta("population_key") or self.__dict__.get("_population_key"),
            hashlib.sha256((definitions + path.read_text(encoding="utf-8")).encode()).hexdigest(),
            when,
        )
        if key not in _CHECKED:
            _CHECKED[key] = evaluate_all(self, claims, when)  # type: ignore[arg-type]  # the Census of this mixin
            while len(_CHECKED) > 8:
                _CHECKED.pop(next(iter(_CHECKED)))
        return copy.deepcopy(_CHECKED[key])


_CHECKED: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
"""Verdicts already computed in this process, per store state, definitions, claims file and date: a check reads
the whole census (seconds), and the same store answers the same claims the same way."""


def _period(year: int | None, since: int | date | None, until: int | date | None) -> Period:
    if year is not None and (since is not None or until is not None):
        raise QueryError("give either year, or since/until, not both")
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
    return frame.reset_index(drop=True)
