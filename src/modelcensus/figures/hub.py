"""Figures of the Hugging Face Hub: repos, downloads and likes per group, adoption over time, lineage, and the
handles the registry resolves.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from typing import Any, cast

import ibis
import pandas as pd

from modelcensus.errors import QueryError, StoreError
from modelcensus.figures.figure import Figure, Provenance
from modelcensus.figures.models import ModelFigures, finish
from modelcensus.figures.reader import Part, Reader
from modelcensus.metrics.core import RULE_TEXT
from modelcensus.metrics.hub import HubFilters, count_hub, hub_coverage, trend_hub
from modelcensus.metrics.hub import hub_current as hub_current_table
from modelcensus.orgs import requested_places
from modelcensus.orgs.handles import HandleResolver
from modelcensus.provenance import package_code
from modelcensus.store.frames import frame_bytes, frame_from_bytes

KEPT_HUB_COUNTS: tuple[tuple[str, str, str], ...] = tuple(
    (by, "downloads", attribution) for by in ("country", "organization") for attribution in ("resolved", "lineage")
)
"""The Hub counts a build keeps, ``(by, metric, attribution)``, of every repo now (no other filter, the full rule):
the downloads by country and by organization, of a repo's own publisher and of its root base model's, which every
country's and organization's page shows."""


class HubFigures(Part):
    """Counts, trends and lineage on the Hub, with their provenance."""

    def __init__(self, reader: Reader, models: ModelFigures) -> None:
        super().__init__(reader)
        self.models = models

    def _hub_filters(self, **kwargs: Any) -> HubFilters:
        as_of = kwargs.pop("as_of", None)
        country, region = requested_places(kwargs.pop("country", None), kwargs.pop("region", None))
        f = self.reader.filters(as_of=as_of)
        return HubFilters(
            as_of=f.as_of,
            one_harvest=self.reader.hub_harvests() == 1,
            country=country,
            region=region,
            **{k: v for k, v in kwargs.items() if v is not None},
        )

    def count_hub(
        self,
        by: str | Sequence[str] = "country",
        *,
        metric: str = "models",
        attribution: str = "resolved",
        rule: str = "full",
        derivatives: str = "include",
        year: int | None = None,
        since: int | None = None,
        until: int | None = None,
        pipeline_tag: str | None = None,
        country: str | Sequence[str] | None = None,
        region: str | None = None,
        as_of: date | str | None = None,
        coverage: bool = True,
    ) -> Figure:
        """Repos, downloads or likes on the Hub per group, with unattributed rows and their reason.

        Columns: ``group`` (ISO code for countries), ``group_name``, further dimensions, ``reason``,
        ``value``, ``repos``, ``denominator``, ``share``. ``country`` or ``region`` keeps the repos of those
        countries under the attribution (and is the denominator). ``coverage=False`` leaves the provenance's
        coverage out (one query less, for a page that does not show it).
        """
        dims = [by] if isinstance(by, str) else list(by)
        dims = [d.replace("-", "_") for d in dims]
        f = self._hub_filters(
            year=year,
            since=since,
            until=until,
            pipeline_tag=pipeline_tag,
            derivatives=derivatives,
            as_of=as_of,
            country=country,
            region=region,
            attribution=attribution,
        )
        kept = self._kept_count(dims, f, metric, attribution, rule)
        frame = kept if kept is not None else self._counted(dims, f, metric, attribution, rule)
        covered = (self.coverage(f, attribution),) if coverage else None
        return Figure(frame, self._hub_provenance(f, metric, attribution, rule, dims, covered))

    def _counted(self, dims: list[str], f: HubFilters, metric: str, attribution: str, rule: str) -> pd.DataFrame:
        return self._finish_hub(self.reader.execute(count_hub(self.tables, dims, f, metric, attribution, rule)), dims)

    def keep_counts(self) -> int:
        """Keep the Hub counts of :data:`KEPT_HUB_COUNTS` in the store (a writer's; ``build`` does), so that a reader
        of the same state of the data and code reads them instead of grouping every repo again: how many were kept
        (none without a Hub listing). The key names the state of the data, the package's code and the count
        (:mod:`modelcensus.store.kept`)."""
        store = self.reader.require_store("keeping the Hub's counts")
        if store.read_only:
            raise StoreError(f"{store.path}: opened read-only; the Hub's counts are kept by a writer (build)")
        self.reader.ensure_population()
        if not self.reader.hub_harvests():
            return 0
        for by, metric, attribution in KEPT_HUB_COUNTS:
            frame = self._counted([by], self._hub_filters(attribution=attribution), metric, attribution, "full")
            store.keep(self._count_key(by, metric, attribution), "SELECT ?::BLOB AS frame", [frame_bytes(frame)])
        return len(KEPT_HUB_COUNTS)

    def _count_key(self, by: str, metric: str, attribution: str) -> str:
        return json.dumps(["hub-count", package_code(), self.reader.state(), by, metric, attribution])

    def _kept_count(
        self, dims: list[str], f: HubFilters, metric: str, attribution: str, rule: str
    ) -> pd.DataFrame | None:
        """The frame of a Hub count a build kept (one grouping of every repo now, no filter, the full rule); None
        when this count was not kept or the store is not the one it was kept for. A Hub count needs no links: a store
        whose census records are not up to date (a listing ingested and not linked yet) cannot hold a count kept for
        its state, and is counted without linking it first."""
        store = self.reader.engine.store
        if store is None or len(dims) != 1 or (dims[0], metric, attribution) not in KEPT_HUB_COUNTS or rule != "full":
            return None
        if f != self._hub_filters(attribution=attribution):  # a filter, a date or a place: counted
            return None
        if not self.reader.population_current():  # current: the state read below is the linked one
            return None
        row = store.kept_row(self._count_key(dims[0], metric, attribution))
        return None if row is None else frame_from_bytes(bytes(cast(bytes, row[0])))

    def trend(
        self,
        by: str | Sequence[str] = "country",
        *,
        metric: str = "downloads",
        attribution: str = "resolved",
        rule: str = "full",
        derivatives: str = "include",
        pipeline_tag: str | None = None,
        country: str | Sequence[str] | None = None,
        region: str | None = None,
        as_of: date | str | None = None,
    ) -> Figure:
        """:meth:`count_hub` as of every stored harvest date (up to ``as_of``): downloads (or repos, likes) over
        time. Harvests of unknown date cannot be placed in the series and are left out. ``country`` or ``region``
        keeps the repos of those countries under the attribution."""
        dims = [by] if isinstance(by, str) else list(by)
        dims = [d.replace("-", "_") for d in dims]
        until = self.reader.filters(as_of=as_of).as_of
        e = self.reader.engine.table("exports")
        hub = e.filter((e.source == "huggingface") & e.data_date.notnull())
        dates = sorted(self.reader.execute(hub.select("data_date").distinct())["data_date"])
        days = [d for d in (pd.Timestamp(x).date() for x in dates) if until is None or d <= until]
        if not days and dates:
            empty = pd.DataFrame(columns=["date", "group", "group_name", "value", "repos", "denominator", "share"])
            return Figure(empty, Provenance(as_of=until, snapshots=(), stated_when_empty=("as_of",)))
        f = self._hub_filters(
            pipeline_tag=pipeline_tag, derivatives=derivatives, country=country, region=region, attribution=attribution
        )
        frame = self.reader.execute(trend_hub(self.tables, days, dims, f, metric, attribution, rule))
        frame["date"] = pd.to_datetime(frame["date"]).dt.date
        frame = self._finish_hub(frame.sort_values(["date", "value"], ascending=[True, False]), dims)
        frame = frame[["date", *[c for c in frame.columns if c != "date"]]]
        coverage = tuple(self.coverage(replace(f, as_of=day), attribution, day) for day in days)
        return Figure(frame, self._hub_provenance(f, metric, attribution, rule, dims, coverage))

    def _finish_hub(self, frame: pd.DataFrame, dims: list[str]) -> pd.DataFrame:
        frame = finish(frame, dims)
        unattributed = frame["group"].isna()
        frame.loc[unattributed, "group_name"] = "(unattributed: " + frame.loc[unattributed, "reason"].astype(str) + ")"
        return frame

    def coverage(self, f: HubFilters, attribution: str, day: date | None = None) -> dict[str, Any]:
        """The repos and downloads of a Hub figure attributed to an organization and to a country (see
        :attr:`Provenance.coverage`): the same for every metric, rule and grouping of the repos ``f`` admits, so it
        is kept while the data stay the same."""
        memo, key = self.reader.memo(), ("hub-coverage", f, attribution, day)
        if key not in memo:
            memo[key] = self._coverage(f, attribution, day)
        return dict(memo[key])

    def _coverage(self, f: HubFilters, attribution: str, day: date | None) -> dict[str, Any]:
        row = self.reader.execute(hub_coverage(self.tables, f, attribution)).iloc[0]
        out: dict[str, Any] = {"date": day.isoformat() if day else None, "attribution": attribution}
        for what in ("repos", "downloads"):
            total = int(row[what])
            out[what] = total
            for to in ("organization", "country"):
                part = int(row[f"{what}_with_{to}"])
                out[f"{what}_with_{to}"] = part
                out[f"{what}_share_{to}"] = round(part / total, 6) if total else None
        return out

    def _hub_provenance(
        self,
        f: HubFilters,
        metric: str,
        attribution: str,
        rule: str,
        dims: list[str],
        coverage: tuple[dict[str, Any], ...] | None,
    ) -> Provenance:
        return Provenance(
            definition=f.describe(),
            by=tuple(dims),
            metric=metric,
            rule=rule,
            rule_text=RULE_TEXT[rule],
            attribution=attribution,
            denominator=f"total {metric} of the repos that pass the filters",
            snapshots=tuple(self.reader.snapshots_in_force(["huggingface"], f.as_of)),
            coverage=coverage,
        )

    def lineage(self, repo_id: str, as_of: date | str | None = None) -> pd.DataFrame:
        """The chain from a repo to its root base model, with each step's relation and developer (each repo at its
        latest observation among the harvests dated on or before ``as_of``)."""
        edges = self.reader.engine.table("hub_edges")
        when = self.reader.filters(as_of=as_of).as_of
        current = self.reader.execute(
            hub_current_table(self.tables, when).select("repo_id", "export_id", "author", "downloads", "likes")
        ).set_index("repo_id")
        first = self.reader.execute(
            edges.filter(edges.position == 0).select("export_id", "repo_id", "base_id", "relation")
        )
        latest = current["export_id"].to_dict()
        bases: dict[str, tuple[str, str]] = {
            str(r.repo_id): (str(r.base_id), str(r.relation))
            for r in first.itertuples()
            if latest.get(r.repo_id) == r.export_id
        }
        if repo_id not in current.index:
            when_text = f" harvested on or before {when.isoformat()}" if when else ""
            raise QueryError(f"{repo_id!r} is not a stored Hub repo{when_text} (ids are case-sensitive: author/name)")
        chain: list[dict[str, Any]] = []
        stored, resolver = self._stored_handles(), HandleResolver(self.registry)
        node: str | None = repo_id
        seen: set[str] = set()
        while node is not None and node not in seen:
            seen.add(node)
            base = bases.get(node)
            author = node.split("/")[0] if "/" in node else None
            who = self._handle_row(author, stored, resolver) if author else {}
            chain.append(
                {
                    "step": len(chain),
                    "repo_id": node,
                    "relation_to_base": base[1] if base else None,
                    "harvested": node in current.index,
                    "author": author,
                    "organization": who.get("organization"),
                    "kind": who.get("kind"),
                    "countries": who.get("countries", []),
                }
            )
            node = base[0] if base else None
        return pd.DataFrame(chain)

    def _stored_handles(self) -> pd.DataFrame:
        """The stored resolution of every handle (``hub_handles``), indexed by handle; a store of an earlier version
        has no method, score or detail yet (null until its next ingest or ``orgs refresh``)."""
        memo = self.reader.memo()
        if ("hub_handles",) not in memo:
            h = self.tables.hub_handles
            missing = {"method": "string", "score": "float64", "detail": "string"}
            h = h.mutate(**{c: ibis.null(t) for c, t in missing.items() if c not in h.columns})
            frame = self.reader.execute(h.select("handle", "org_id", "kind", "method", "score", "detail"))
            memo[("hub_handles",)] = frame.set_index("handle", drop=False)
        stored: pd.DataFrame = memo[("hub_handles",)]
        return stored

    def _handle_row(self, handle: str, stored: pd.DataFrame, resolver: HandleResolver) -> dict[str, Any]:
        if handle in stored.index:
            row: dict[Any, Any] = stored.loc[handle].to_dict()
            org = self.registry.orgs.get(str(row["org_id"])) if pd.notna(row["org_id"]) else None
            kind = str(row["kind"]) if pd.notna(row["kind"]) else None
            method = str(row["method"]) if pd.notna(row["method"]) else None
            score = float(row["score"]) if pd.notna(row["score"]) else None
            detail = str(row["detail"]) if pd.notna(row["detail"]) else None
        else:
            res = resolver.resolve(handle)
            org, kind, method, score, detail = res.org, res.kind, res.method, res.score, res.detail
        return {
            "handle": handle,
            "resolved": org is not None or kind is not None,
            "organization": org.name if org else None,
            "org_id": org.id if org else None,
            "countries": list(org.countries) if org and kind == "organization" else [],
            "kind": kind,
            "sector": (org.sector or None) if org else None,
            "method": method,
            "score": score,
            "detail": detail,
            "note": org.note if org else None,
        }

    def resolve_hub(self, handles: Iterable[str]) -> pd.DataFrame:
        """Hub handles → organization, countries, kind, method, score (individual and community accounts get no
        country). A handle the census stores keeps its stored resolution (with the sources' evidence and the Hub's
        profiles); any other is resolved by the registry's handles and name resemblance."""
        stored = self._stored_handles()
        resolver = HandleResolver(self.registry)
        return pd.DataFrame([self._handle_row(h.strip(), stored, resolver) for h in handles])

    def hub_handles(self, *, unresolved: bool = False, as_of: date | str | None = None) -> Figure:
        """Every handle the census knows (authors of stored Hub repos and of their lineage roots, and the handles Epoch
        AI and OpenRouter name) with its resolution (organization, countries, kind, ``method``, ``score``,
        ``detail``) and the repos and 30-day downloads it publishes (as of ``as_of``), the most downloaded first;
        ``unresolved`` keeps those with no organization and no kind."""
        f = self._hub_filters(as_of=as_of)
        current = hub_current_table(self.tables, f.as_of, f.one_harvest)
        published = self.reader.execute(
            current.group_by("author").agg(repos=current.count(), downloads=current.downloads.coalesce(0).sum())
        ).set_index("author")
        stored = self._stored_handles()
        resolver = HandleResolver(self.registry)
        rows = []
        for handle in stored.index:
            row = self._handle_row(str(handle), stored, resolver)
            if unresolved and row["resolved"]:
                continue
            row["repos"] = int(published["repos"].get(handle, 0))
            row["downloads"] = int(published["downloads"].get(handle, 0))
            rows.append(row)
        columns = ["handle", "organization", "org_id", "countries", "kind", "sector", "method", "score", "detail"]
        frame = pd.DataFrame(rows, columns=[*columns, "repos", "downloads", "resolved", "note"])
        frame = frame.sort_values(["downloads", "handle"], ascending=[False, True], kind="stable")
        frame = frame[[*columns, "repos", "downloads"]].reset_index(drop=True)
        which = "unresolved Hub handles" if unresolved else "Hub handles"
        return Figure(
            frame,
            Provenance(
                definition=f"{which}: authors of Hub repos and of their lineage roots, and the handles Epoch AI and "
                "OpenRouter name; repos and downloads are those each publishes",
                as_of=f.as_of,
                snapshots=tuple(self.reader.snapshots_in_force(["huggingface", "epoch", "openrouter"], f.as_of)),
            ),
        )

    def hub_disagreements(self, as_of: date | str | None = None) -> pd.DataFrame:
        """Where Epoch's ``Hugging Face developer id`` and the registry name different organizations."""
        m = self.models.models(as_of=as_of).frame
        raw = self.reader.execute(self.tables.models.select("model_key", "hf_developer_id"))
        ids = dict(zip(raw["model_key"], raw["hf_developer_id"], strict=False))
        rows: list[dict[str, Any]] = []
        for rec in m.itertuples():
            handle = ids.get(rec.id)
            if not handle or pd.isna(handle):
                continue
            by_handle = self.registry.resolve_hub(str(handle))
            orgs = [self.registry.resolve(o).org for o in cast(list[str], rec.organizations)]
            names = {o.id for o in orgs if o} | {o.parent for o in orgs if o and o.parent}
            if by_handle is not None and (by_handle.id in names or (by_handle.parent in names)):
                continue
            rows.append(
                {
                    "model": rec.name,
                    "hf_developer_id": handle,
                    "organizations": list(cast(list[str], rec.organizations)),
                    "registry_handle_owner": by_handle.name if by_handle else None,
                    "explanation": "the registry does not know this handle"
                    if by_handle is None
                    else "the handle belongs to another organization than the model's",
                }
            )
        return pd.DataFrame(
            rows, columns=["model", "hf_developer_id", "organizations", "registry_handle_owner", "explanation"]
        )
