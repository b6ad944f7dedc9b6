"""The facade's catalogue, leaderboard and linkage methods (OpenRouter, LMArena, litellm, tabular lists).

A mixin of :class:`modelcensus.census.Census`; it reaches the store and the metrics like the rest of
the facade, so outputs still talk to one object.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pandas as pd

from modelcensus.definitions import Definition, count_units, load_definitions, with_unit_keys
from modelcensus.errors import InputFormatError, QueryError
from modelcensus.ingest import Failure, IngestReport
from modelcensus.linkage import (
    LINKAGE_VERSION,
    CanonicalModel,
    SourceRecord,
    developer_by_name,
    developer_of,
    hub_id_in_link,
    link,
)
from modelcensus.provenance import DataDate, DateMethod, Export, SourceSnapshot, export_date, sha256_bytes
from modelcensus.records import CatalogRecord, QuarantinedRow, RatingRecord
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


def _attribute(attributes: object, key: str) -> str | None:
    """One text attribute of a catalogue record's JSON attributes."""
    if isinstance(attributes, str):
        attributes = json.loads(attributes)
    value = attributes.get(key) if isinstance(attributes, dict) else None
    return value if isinstance(value, str) and value else None


def _date_in_model_name(name: str) -> date | None:
    """The snapshot date an API model name carries (``claude-3-5-sonnet-20240620``), if any."""
    import re

    match = re.search(r"(20\d{2})-?(\d{2})-?(\d{2})(?!\d)", name)
    if match:
        try:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            return None
    # Mistral-style YYMM suffixes (mistral-large-2407): the middle of that month
    match = re.search(r"-(2[3-9])(0[1-9]|1[0-2])(?![\d])", name)
    if match:
        return date(2000 + int(match.group(1)), int(match.group(2)), 15)
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

        @property
        def registry(self) -> Registry: ...

        @property
        def tables(self) -> CensusTables: ...

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
        """Every current record of Epoch, the Hub, OpenRouter and LMArena, as linkage sees it."""
        registry = self.registry
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
            "SELECT DISTINCT repo_id, author FROM hub_models ORDER BY repo_id, author"
        ).fetchall()
        for repo_id, author in hub:
            developer, countries = developer_of(registry, [], author)
            records.append(SourceRecord("huggingface", repo_id, repo_id.split("/")[-1], developer, None, countries))
        catalog = self._current_catalog(("openrouter", "lmarena"))
        for r in catalog.itertuples():
            hf_id = str(r.hf_id) if isinstance(r.hf_id, str) and r.hf_id else None
            handles = [hf_id.split("/")[0]] if hf_id else []
            if r.source == "openrouter":
                handles.append(str(r.source_id).split("/")[0])
            dev: str | None = None
            own: tuple[str, ...] = ()
            for handle in handles:
                dev, own = developer_of(registry, [], handle)
                if dev:
                    break
            if dev is None:
                organization = str(r.organization) if isinstance(r.organization, str) else None
                named = developer_by_name(str(r.source_id)) or developer_by_name(str(r.name))
                dev, own = developer_of(registry, [organization, named])
            day = _as_date(r.published_on) or _date_in_model_name(str(r.source_id))
            slug = _attribute(r.attributes, "canonical_slug")
            aliases = (slug,) if slug and slug != r.source_id else ()
            records.append(
                SourceRecord(str(r.source), str(r.source_id), str(r.name), dev, hf_id, own, day, aliases=aliases)
            )
        return records

    def _current_catalog(self, sources: tuple[str, ...]) -> pd.DataFrame:
        placeholders = ", ".join("?" for _ in sources)
        frame: pd.DataFrame = self.store.con.execute(
            f"""
            SELECT c.* FROM catalog_records c JOIN (
                SELECT export_id FROM exports WHERE source IN ({placeholders})
                QUALIFY row_number() OVER (PARTITION BY source ORDER BY data_date DESC NULLS LAST, ingested_at DESC) = 1
            ) USING (export_id)
            """,
            list(sources),
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

    # -- the quality frontier ---------------------------------------------------------------------

    def frontier(self, by: str = "country", category: str = "text/full") -> pd.DataFrame:
        """For each country and rating date, the best-rated LMArena model with its 95% interval."""
        if by != "country":
            raise QueryError("the quality frontier is by country")
        ratings: pd.DataFrame = self.store.con.execute(
            "SELECT source_id, rated_on, rating, rating_low, rating_high FROM ratings WHERE category = ?",
            [category],
        ).df()
        if ratings.empty:
            raise QueryError(f"no LMArena ratings in category {category!r}; run `modelcensus ingest lmarena`")
        country = self._lmarena_countries()
        ratings["countries"] = ratings["source_id"].map(lambda s: country.get(s, []))
        ratings = ratings.explode("countries").rename(columns={"countries": "group"})
        ratings = ratings[ratings["group"].notna()]
        best = ratings.sort_values("rating", ascending=False).groupby(["rated_on", "group"], as_index=False).first()
        best = best.rename(columns={"source_id": "model"}).sort_values(["rated_on", "rating"], ascending=[True, False])
        best["rated_on"] = pd.to_datetime(best["rated_on"]).dt.date
        return best[["rated_on", "group", "model", "rating", "rating_low", "rating_high"]].reset_index(drop=True)

    def frontier_gap(self, category: str = "text/full", first: str = "US", second: str = "CN") -> pd.DataFrame:
        """The gap between the best model of two countries at each rating date (first minus second)."""
        best = self.frontier(category=category)
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
        return out.dropna(subset=["gap"]).reset_index(drop=True)

    def _lmarena_countries(self) -> dict[str, list[str]]:
        """An LMArena model's countries: its own developer's (as LMArena names it, else as its name gives
        away), else those of the records it is linked to."""
        countries: dict[str, list[str]] = {}
        for model in self.links():
            linked = [r.countries for r in model.records if r.countries]
            for r in model.records:
                if r.source == "lmarena" and (r.countries or linked):
                    countries[r.source_id] = list(r.countries or linked[0])
        return countries


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

    def population(self, definition: Definition, attribution: str | None = None) -> pd.DataFrame:
        """The records a definition admits: ``name``, ``year``, ``countries`` (list), ``source``."""
        attribution = attribution or definition.attribution
        f = definition.filters
        frames = []
        if definition.sources == ("epoch",):
            frames.append(self._epoch_population(f, attribution))
        elif definition.sources == ("huggingface",):
            frames.append(self._hub_population(f, attribution))
        else:
            frames.append(self._linked_population(definition, attribution))
        out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        return with_unit_keys(out)

    def _epoch_population(self, f: dict[str, Any], attribution: str) -> pd.DataFrame:
        kwargs = {k: f[k] for k in ("notable", "frontier", "large_scale", "open_weights", "domain") if k in f}
        m = self.models(**kwargs)
        if "min_training_compute_flop" in f:
            m = m[m["training_compute_flop"].fillna(0) >= f["min_training_compute_flop"]]
        if "min_parameters" in f:
            m = m[m["parameters"].fillna(0) >= f["min_parameters"]]
        column = "countries_published" if attribution == "as-published" else "countries_resolved"
        years = pd.to_datetime(m["published_on"]).dt.year
        return pd.DataFrame(
            {
                "id": "epoch:" + m["id"],
                "name": m["name"],
                "year": years,
                "countries": m[column].map(list),
                "source": "epoch",
            }
        )

    def _hub_population(self, f: dict[str, Any], attribution: str) -> pd.DataFrame:
        from modelcensus.metrics.hub import hub_repos

        repos = hub_repos(self.tables, self._hub_filters()).select(
            "repo_id", "author", "root_author", "derivative", "year"
        )
        frame: pd.DataFrame = repos.execute()
        if f.get("originals_only"):
            frame = frame[~frame["derivative"]]
        if f.get("derivatives_only"):
            frame = frame[frame["derivative"]]
        handle = frame["root_author"] if attribution == "lineage" else frame["author"]
        countries = {
            h: list(o.countries)
            for h in handle.dropna().unique()
            if (o := self.registry.resolve_hub(str(h))) is not None and o.kind == "organization"
        }
        frame = frame.assign(countries=handle.map(lambda h: countries.get(h, [])))
        if f.get("originals_only"):  # originals by organizations: an individual's upload is not a release
            frame = frame[handle.map(lambda h: h in countries)]
        return pd.DataFrame(
            {
                "id": "huggingface:" + frame["repo_id"],
                "name": frame["repo_id"],
                "year": frame["year"],
                "countries": frame["countries"],
                "source": "huggingface",
            }
        )

    def _linked_population(self, definition: Definition, attribution: str) -> pd.DataFrame:
        years = self._record_years()
        rows = []
        for model in self.links():
            members = [r for r in model.records if r.source in definition.sources]
            if definition.filters.get("originals_only"):
                members = [
                    r
                    for r in members
                    if r.source != "huggingface" or (r.developer and years.get(("huggingface:original", r.source_id)))
                ]
            if not members:
                continue
            countries = list(dict.fromkeys(c for r in members for c in r.countries))
            member_years = [y for r in members if (y := years.get((r.source, r.source_id))) is not None]
            rows.append((model.id, model.name, min(member_years) if member_years else None, countries, "linked"))
        return pd.DataFrame(rows, columns=["id", "name", "year", "countries", "source"])

    def _record_years(self) -> dict[tuple[str, str], Any]:
        con = self.store.con
        years: dict[tuple[str, str], Any] = {}
        for key, year in con.execute("SELECT model_key, year FROM models").fetchall():
            years[("epoch", key)] = year
        for repo, year, original in con.execute(
            "SELECT m.repo_id, year(m.created_at), coalesce(r.depth, 0) = 0 FROM hub_models m "
            "LEFT JOIN hub_roots r USING (repo_id)"
        ).fetchall():
            years[("huggingface", repo)] = year
            if original:
                years[("huggingface:original", repo)] = True
        for source, sid, day in con.execute(
            "SELECT source, source_id, published_on FROM catalog_records WHERE published_on IS NOT NULL"
        ).fetchall():
            years[(source, sid)] = day.year
        return years

    def count_definition(
        self,
        name: str,
        *,
        unit: str | None = None,
        rule: str | None = None,
        attribution: str | None = None,
        year: int | None = None,
        since: int | None = None,
        until: int | None = None,
    ) -> pd.DataFrame:
        """Count by country under a named definition (its unit, rule and attribution unless overridden)."""
        d = self.definition(name)
        unit, rule = unit or d.unit, rule or d.rule
        frame = count_units(self.population(d, attribution), unit, rule, year=year, since=since, until=until)
        frame.attrs.update(
            {
                "definition": d.describe(),
                "rule": rule,
                "rule_text": rule,
                "attribution": attribution or d.attribution,
                "denominator": f"{unit}s admitted by the definition",
                "unit": unit,
            }
        )
        return frame

    def check(self, path: Path) -> list[dict[str, Any]]:
        """Verdicts on the claims of a claims file, with figures, evidence and sensitivity tables."""
        from modelcensus.claims import evaluate_all, load_claims

        return evaluate_all(self, load_claims(path))
