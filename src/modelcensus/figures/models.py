"""Figures of the census of models (Epoch AI's records): counts, statistics, hardware, the models behind a figure,
the stored snapshots and the rows set aside, and where the registry and the source disagree.

Each figure is an Ibis expression of :mod:`modelcensus.metrics` run by the reader's engine; pandas only labels and
types the result and attaches its provenance.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any, cast

import ibis
import ibis.expr.types as ir
import pandas as pd

from modelcensus.errors import QueryError
from modelcensus.figures.figure import Figure, Provenance, Snapshot
from modelcensus.figures.reader import Part
from modelcensus.linking import resolved_countries
from modelcensus.metrics.core import (
    RULE_TEXT,
    CensusTables,
    Filters,
    count_models,
    count_order,
    current_exports,
    epoch_roles,
    hardware_by_vendor,
    model_groups,
    model_statistics,
    place_text,
    select_models,
)
from modelcensus.metrics.organizations import SUBSIDIARIES_TEXT, with_organization_columns
from modelcensus.orgs import Resolution
from modelcensus.records import country_code, country_name, split_list


def _label(dimension: str, value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return f"(no {dimension.replace('_', ' ')})"
    if dimension == "country":
        return country_name(str(value))
    return str(value)


def finish(frame: pd.DataFrame, dims: list[str]) -> pd.DataFrame:
    """The first dimension as ``group`` with a readable ``group_name`` beside it, further dimensions after."""
    first = dims[0]
    frame = frame.rename(columns={first: "group"})
    frame = frame.astype({"group": object}).where(frame.notna(), None) if len(frame) else frame
    labels = [_label(first, v) for v in frame["group"]] if len(frame) else []
    frame.insert(1, "group_name", labels)
    for col in dims[1:]:
        if col in ("year",):
            frame[col] = frame[col].astype("Int64")
    ordered = ["group", "group_name", *dims[1:]]
    rest = [c for c in frame.columns if c not in ordered]
    return frame[ordered + rest].reset_index(drop=True)


class ModelFigures(Part):
    """Counts and lists of the census of models, with their provenance."""

    def count(
        self,
        by: str | Sequence[str] = "country",
        *,
        year: int | None = None,
        since: int | None = None,
        until: int | None = None,
        notable: bool | None = None,
        frontier: bool | None = None,
        large_scale: bool | None = None,
        open_weights: str | None = None,
        domain: str | None = None,
        country: str | Sequence[str] | None = None,
        region: str | None = None,
        rule: str = "full",
        attribution: str = "as-published",
        as_of: date | str | None = None,
    ) -> Figure:
        """Count and share of models per group.

        Columns: ``group`` (the first dimension of ``by``; ISO code for countries), ``group_name``,
        any further dimensions, ``count``, ``share``, ``denominator`` and ``models`` (distinct
        models in the group); by organization also ``org_id``, ``organization`` (the registry's name),
        ``countries`` (the organization's, from the registry) and ``models_with_subsidiaries``. ``country``
        (one or several, codes or names) or ``region`` (a region group) keeps the models of those countries
        under ``attribution``. The provenance holds the definition, rule, attribution and snapshots.
        """
        filters = dict(
            year=year,
            since=since,
            until=until,
            notable=notable,
            frontier=frontier,
            large_scale=large_scale,
            open_weights=open_weights,
            domain=domain,
            country=country,
            region=region,
            as_of=as_of,
        )
        figure = self._grouped(_counted, by, rule, attribution, filters)
        frame = figure.frame
        if rule != "fractional":
            frame["count"] = frame["count"].round().astype("int64")
        frame["denominator"] = frame["denominator"].astype("int64")
        frame["models"] = frame["models"].astype("int64")
        if "organization_name" in frame.columns:
            frame["countries"] = [str(c).split(",") if isinstance(c, str) and c else [] for c in frame["countries"]]
            frame["models_with_subsidiaries"] = frame["models_with_subsidiaries"].astype("Int64")
            frame.columns = ["organization" if c == "organization_name" else c for c in frame.columns]
        return figure

    def _provenance(self, filters: Filters, rule: str, attribution: str, dims: list[str]) -> Provenance:
        snapshots = self.reader.snapshot_provenance(filters)
        notes = [_coverage_note(snapshots, epoch_roles(filters.__dict__))]
        if "organization" in dims:
            notes.append(organization_note(filters))
        return Provenance(
            definition=filters.describe(),
            by=tuple(dims),
            rule=rule,
            rule_text=RULE_TEXT[rule],
            attribution=attribution,
            denominator="models that pass the filters"
            + (
                " in the same " + "/".join(d for d in dims[1:] if d in ("year", "month", "open_weights"))
                if any(d in ("year", "month", "open_weights") for d in dims[1:])
                else ""
            ),
            snapshots=tuple(snapshots),
            note="; ".join(n for n in notes if n) or None,
            stated_when_empty=("note",),
        )

    def statistics(
        self,
        /,
        by: str | Sequence[str] = "country",
        *,
        rule: str = "full",
        attribution: str = "as-published",
        **filters: Any,
    ) -> Figure:
        """Models, total and median training compute (FLOP) and parameters per group."""
        return self._grouped(model_statistics, by, rule, attribution, filters)

    def hardware(
        self,
        /,
        by: str | Sequence[str] = "country",
        *,
        rule: str = "full",
        attribution: str = "as-published",
        **filters: Any,
    ) -> Figure:
        """Models per training-hardware vendor per group (the seed of a domestic-chips view)."""
        figure = self._grouped(hardware_by_vendor, by, rule, attribution, filters)
        frame = figure.frame
        frame["vendor"] = frame["vendor"].where(frame["vendor"].notna(), "(not reported)")
        return figure

    def _grouped(
        self, metric: Callable[..., Any], by: str | Sequence[str], rule: str, attribution: str, filters: dict[str, Any]
    ) -> Figure:
        """Run a grouped metric of :mod:`modelcensus.metrics` and attach its provenance."""
        dims = [by] if isinstance(by, str) else list(by)
        f = self.reader.filters(attribution=attribution, **filters)
        frame = finish(self.reader.execute(metric(self.tables, dims, f, rule, attribution)), dims)
        return Figure(frame, self._provenance(f, rule, attribution, dims))

    def models(
        self,
        /,
        *,
        country: str | Sequence[str] | None = None,
        region: str | None = None,
        organization: str | None = None,
        attribution: str = "as-published",
        limit: int | None = None,
        **filters: Any,
    ) -> Figure:
        """The models behind a figure, with organizations, countries and source: those of ``country`` (one or
        several, codes or names; ``none``: with no country) or ``region`` under ``attribution``, of
        ``organization``, passing the filters."""
        f = self.reader.filters(country=country, region=region, attribution=attribution, **filters)
        t = self.tables
        m = select_models(t, f)
        note = None
        if organization is not None:
            names, note = self._organization_names(organization)
            if names is None:
                groups = model_groups(t, "organization", attribution, f)
                needle = organization.casefold()
                m = m.semi_join(groups.filter(groups.group.lower().contains(needle)), ["export_id", "model_key"])
            else:
                mo = t.model_orgs
                m = m.semi_join(mo.filter(mo.org_name.isin(names or [""])), ["export_id", "model_key"])
        e = t.exports
        m = (
            m.join(e, "export_id")
            .select(
                "export_id",
                "model_key",
                "name",
                "published_on",
                "organizations",
                "countries_published",
                "country_field",
                "open_weights",
                "notable",
                "frontier",
                "large_scale",
                "parameters",
                "training_compute_flop",
                "link",
                "source",
                "data_date",
                "origins",
            )
            .order_by(["published_on", "name"])
        )
        if limit is not None:
            m = m.limit(limit)
        frame = self.reader.execute(m)
        resolved = self._resolved_countries(frame)
        frame.insert(6, "countries_resolved", resolved)
        frame["organizations"] = frame["organizations"].map(lambda v: list(v) if v is not None else [])
        frame["countries_published"] = frame["countries_published"].map(lambda v: list(v) if v is not None else [])
        frame["published_on"] = pd.to_datetime(frame["published_on"]).dt.date
        frame["source"] = frame["source"] + " " + pd.to_datetime(frame["data_date"]).dt.date.astype(str)
        frame = frame.drop(columns=["export_id", "data_date"]).rename(columns={"model_key": "id"})
        provenance = Provenance(
            definition=f.describe(),
            attribution=attribution,
            country=f.region or (", ".join(c or "none" for c in f.country) if f.country else None),
            organization=organization,
            snapshots=tuple(self.reader.snapshot_provenance(f)),
            note=note,
            stated_when_empty=("country", "organization"),
        )
        return Figure(frame, provenance)

    def _organization_names(self, organization: str) -> tuple[list[str] | None, str]:
        """The published organization names that the registry resolves to ``organization`` (as the registry
        resolves it, in any spelling: 阿里巴巴, Alibaba Group Holding Limited) or to one of its subsidiaries; None
        when the registry does not know the name (it is then matched as a substring of published names). An
        ambiguous name is an error that lists the organizations it could be."""
        res = self.registry.resolve(organization)
        if res.method == "ambiguous":
            could_be = ", ".join(f"{self.registry.get(i).name} ({i})" for i in res.candidates)
            raise QueryError(
                f"organization {organization!r} is ambiguous: it could be {could_be}; give a fuller name",
                parameter="organization",
            )
        if res.org is None:
            return None, (
                f"organization {organization!r} is not in the registry: models whose published organization contains it"
            )
        family = self.registry.family(res.org.id)
        names = [name for name, org_id in self._stored_org_ids().items() if org_id in family]
        below = len(family) - 1
        return names, (
            f"organization {organization!r} resolved to {res.org.name} ({res.org.id}; {res.method}, "
            f"score {res.score:g})" + (f" with its {below} subsidiaries and units" if below else "")
        )

    def _stored_org_ids(self) -> dict[str, str | None]:
        """Every published organization name in the census → the registry organization it resolves to."""
        memo = self.reader.memo()
        key = ("stored-org-ids", id(self.registry))
        if key not in memo:
            mo = self.tables.model_orgs
            names = self.reader.execute(mo.select(mo.org_name).distinct())["org_name"]
            memo[key] = {
                str(n): (r.org.id if (r := self.registry.resolve(str(n))).org else None) for n in names if n is not None
            }
        return cast(dict[str, str | None], memo[key])

    def _resolved_countries(self, frame: pd.DataFrame) -> list[list[str]]:
        return resolved_countries(self.registry, frame["organizations"])

    def sources(self, as_of: date | str | None = None) -> pd.DataFrame:
        """Stored snapshots and their provenance; ``current`` marks those behind current figures (as of a date).

        ``data_date`` is the file's own data date and ``date_method``/``date_detail`` say how it was found;
        ``export_date`` is the date of the export (vintage) the file belongs to, which orders the vintages."""
        t = self.tables
        f = self.reader.filters(as_of=as_of)
        current = current_exports(t, f.as_of).select("export_id", current_flag=ibis.literal(True))
        x = t.exports.select(
            "export_id",
            "ingested_at",
            export_date=t.exports.data_date,
            export_date_method=t.exports.date_method,
        )
        snaps = t.snapshots
        s = snaps.join(x, "export_id").left_join(current, "export_id")
        frame = self.reader.execute(
            s.select(
                snaps.source,
                "role",
                "location",
                "retrieved_at",
                "sha256",
                "bytes",
                "rows",
                "license",
                "credit",
                data_date=snaps.data_date.coalesce(s.export_date),
                date_method=snaps.date_method.coalesce(s.export_date_method).coalesce("unknown"),
                date_detail=snaps.date_detail.coalesce(""),
                export_date=s.export_date,
                ingested_at=s.ingested_at,
                export_id=snaps.export_id,
                current=s.current_flag.fill_null(False),
            ).order_by(["source", "export_date", "data_date", "role"])
        )
        for column in ("data_date", "export_date"):
            frame[column] = [None if pd.isna(v) else pd.Timestamp(v).date() for v in frame[column]]
        return frame

    def quarantine(self, source: str | None = None, as_of: date | str | None = None) -> pd.DataFrame:
        """Rows set aside at ingest, with their source, file, line, column, value and reason; ``source`` keeps
        one source's (``epoch``, ``huggingface``, ``openrouter``, ``lmarena``, ``litellm`` or a tabular list's);
        ``as_of`` those of the exports in force on that date."""
        q = self.reader.engine.table("quarantine")
        x = self.reader.engine.table("exports")
        when = self.reader.filters(as_of=as_of).as_of
        if when is not None:
            q = q.semi_join(current_exports(self.tables, when), "export_id")
        t = q.left_join(x, q.export_id == x.export_id).select(
            source=x.source,
            export_id=q.export_id,
            snapshot_id=q.snapshot_id,
            file=q.file,
            line=q.line,
            column_name=q.column_name,
            value=q.value,
            reason=q.reason,
        )
        if source is not None:
            stored = set(self.reader.execute(x.select("source").distinct())["source"])
            if source not in stored | {"epoch", "huggingface", "openrouter", "lmarena", "litellm"}:
                raise QueryError(
                    f"unknown source {source!r}; stored sources: {', '.join(sorted(stored)) or 'none'}",
                    parameter="source",
                )
            t = t.filter(t.source == source)
        return self.reader.execute(t.order_by(["source", "file", "line"]))

    # -- organizations --------------------------------------------------------------------------

    def resolve(self, names: Iterable[str]) -> list[Resolution]:
        return [self.registry.resolve(n) for n in names]

    def unresolved(self, as_of: date | str | None = None) -> pd.DataFrame:
        """Organization names of current models that the registry does not resolve."""
        f = self.reader.filters(as_of=as_of)
        t = self.tables
        m = select_models(t, f)
        mo = t.model_orgs.semi_join(m, ["export_id", "model_key"])
        res = t.org_resolution
        j = mo.left_join(res, mo.org_name == res.org_name)
        j = j.select(org_name=mo.org_name, org_id=res.org_id, method=res.method.fill_null("unresolved"))
        j = j.filter(j.org_id.isnull())
        out = j.group_by(["org_name", "method"]).agg(models=j.count()).order_by([ibis.desc("models"), "org_name"])
        return self.reader.execute(out)

    def disagreements(self, as_of: date | str | None = None) -> pd.DataFrame:
        """Models whose resolved country set differs from the published one, with an explanation."""
        frame = self.models(as_of=as_of).frame
        rows = []
        for rec in frame.itertuples():
            published = list(cast(list[str], rec.countries_published))
            if not published:
                continue
            resolved = list(cast(list[str], rec.countries_resolved))
            if set(published) == set(resolved):
                continue
            rows.append(
                {
                    "model": rec.name,
                    "published": published,
                    "resolved": resolved,
                    "organizations": list(cast(list[str], rec.organizations)),
                    "published_on": rec.published_on,
                    "explanation": self._explain(
                        list(cast(list[str], rec.organizations)), cast(str | None, rec.country_field)
                    ),
                }
            )
        out = pd.DataFrame(
            rows, columns=["model", "published", "resolved", "organizations", "published_on", "explanation"]
        )
        return out

    def _explain(self, orgs: list[str], country_field: str | None) -> str:
        resolutions = [self.registry.resolve(o) for o in orgs]
        unresolved = [r.name for r in resolutions if r.org is None]
        if unresolved:
            return "unresolved organization(s): " + "; ".join(unresolved)
        tokens = split_list(country_field)
        if len(tokens) != len(orgs):
            return (
                f"source data: the country field lists {len(tokens)} countr{'y' if len(tokens) == 1 else 'ies'} "
                f"for {len(orgs)} organization(s), so it does not line up with them"
            )
        reasons = []
        for res, token in zip(resolutions, tokens, strict=True):
            code = country_code(token)
            assert res.org is not None
            if not isinstance(code, str) or code not in res.org.countries:
                reasons.append(
                    f"{res.name}: source says {token!r}, registry says "
                    f"{'/'.join(res.org.countries) or 'no country'} ({res.org.note})"
                )
        return "; ".join(reasons) or "organization listed twice with different countries"


def _counted(t: CensusTables, by: list[str], filters: Filters, rule: str, attribution: str) -> ir.Table:
    """:func:`~modelcensus.metrics.core.count_models`; by organization, with the registry's columns of each
    organization (:mod:`modelcensus.metrics.organizations`)."""
    counts = count_models(t, by, filters, rule, attribution)
    if "organization" not in by:
        return counts
    return count_order(with_organization_columns(t, counts, by, filters, attribution), by)


def organization_note(filters: Filters) -> str:
    """What a breakdown by organization says of its rows: subsidiaries, the organizations' countries and, under a
    country filter, the foreign co-developers it keeps."""
    text = SUBSIDIARIES_TEXT
    if filters.country:
        text += (
            f"; the models are those {place_text(filters.country, filters.region, filters.attribution)}, and an "
            "organization of another country that co-developed one of them is counted too (its countries say so)"
        )
    return text


def _coverage_note(snapshots: list[Snapshot], roles: tuple[str, ...]) -> str | None:
    """Say so when the vintage read holds none of the files the population needs (only notable models, say)."""
    held = {s["role"] for s in snapshots if s.get("source") == "epoch"}
    if not held or held & set(roles):
        return None
    return (
        f"the Epoch vintage read holds only its {', '.join(sorted(held))} file(s): models outside them are not "
        f"counted (no export holding the file of {' or '.join(roles)} models was dated that early)"
    )
