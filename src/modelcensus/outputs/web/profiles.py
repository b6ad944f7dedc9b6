"""Profiles: one country, or one organization, at a glance, read through the :class:`~modelcensus.census.Census`
facade like every output. A profile gathers figures the facade already
computes (counts, shares, the models behind them, Hub attribution, the LMArena frontier) for one
group, so the dashboard's profile pages and their JSON twins read one method each and never query
the store themselves. Every figure keeps its provenance (definition, rule, attribution, sources).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from modelcensus.census import Census
from modelcensus.errors import ModelCensusError, UnknownGroupError
from modelcensus.records import country_name, requested_country

if TYPE_CHECKING:
    from modelcensus.orgs.registry import OrgRecord

PROFILE_MODEL_COLUMNS = ["id", "name", "published_on", "organizations", "countries", "open_weights", "notable"]


def _int(value: Any) -> int:
    return int(value) if value is not None and not pd.isna(value) else 0


def _open_weights(frame: pd.DataFrame) -> dict[str, Any]:
    """Models by openness of their weights, with the share of ``yes`` among those whose openness is known."""
    counts = {k: int(v) for k, v in frame["open_weights"].fillna("unknown").value_counts().items()}
    known = counts.get("yes", 0) + counts.get("no", 0)
    return {
        "yes": counts.get("yes", 0),
        "no": counts.get("no", 0),
        "unknown": counts.get("unknown", 0),
        "share_open": round(counts.get("yes", 0) / known, 4) if known else None,
        "denominator": "models whose openness is known (yes or no)",
    }


def _per_year(frame: pd.DataFrame) -> list[dict[str, Any]]:
    years = pd.to_datetime(frame["published_on"]).dt.year.dropna().astype(int)
    counts = years.value_counts().sort_index()
    return [{"year": int(y), "models": int(n)} for y, n in zip(counts.index, counts.to_numpy(), strict=True)]


def _model_rows(frame: pd.DataFrame, countries: str, limit: int) -> list[dict[str, Any]]:
    newest = frame.sort_values(["published_on", "name"], ascending=[False, True]).head(limit)
    newest = newest.rename(columns={countries: "countries"})
    rows: list[dict[str, Any]] = []
    for rec in newest[PROFILE_MODEL_COLUMNS].to_dict(orient="records"):
        rec["published_on"] = rec["published_on"].isoformat() if isinstance(rec["published_on"], date) else None
        rec["organizations"] = list(rec["organizations"])
        rec["countries"] = list(rec["countries"])
        rec["notable"] = bool(rec["notable"])
        rows.append({str(k): v for k, v in rec.items()})
    return rows


def _ids(names: Any, resolved: dict[str, Any]) -> set[str]:
    """The registry ids of a model's published organization names."""
    return {o.id for n in names if (o := resolved.get(n)) is not None}


def _hub_row(frame: pd.DataFrame, groups: list[str]) -> dict[str, Any] | None:
    """The Hub figure of one group, or the sum over an organization and its subsidiaries (a repo has
    one publisher and one root, so the groups' repos do not overlap)."""
    rows = frame[frame["group"].isin(groups)]
    if rows.empty:
        return None
    return {
        "downloads": _int(rows["value"].sum()),
        "repos": _int(rows["repos"].sum()),
        "share": round(float(rows["share"].sum()), 4),
        "denominator": _int(rows["denominator"].max()),
        "groups": [str(g) for g in rows["group"]],
    }


class Profiles:
    """Country and organization profiles: the dashboard's profile pages read these."""

    def __init__(self, census: Census) -> None:
        self._facade = census
        self.registry = census.registry

    def country_profile(
        self,
        code: str,
        *,
        attribution: str = "as-published",
        rule: str = "full",
        since: int | None = None,
        until: int | None = None,
        limit: int = 100,
        as_of: date | None = None,
    ) -> dict[str, Any]:
        """Models per year and share, top organizations, open-weights share, Hub lineage and the best
        model on the LMArena frontier, for one country (ISO code or name); ``as_of``: as the census stood then."""
        iso = self._country(code)
        counted = self._facade.count(
            "country", rule=rule, attribution=attribution, since=since, until=until, as_of=as_of
        )
        by_country = counted.frame
        mine = by_country[by_country["group"] == iso]
        per_year = self._facade.count(
            ["country", "year"], rule=rule, attribution=attribution, since=since, until=until, as_of=as_of
        ).frame
        per_year = per_year[per_year["group"] == iso]
        models = self._facade.models(country=iso, attribution=attribution, since=since, until=until, as_of=as_of).frame
        column = "countries_published" if attribution == "as-published" else "countries_resolved"
        # ranked by what each organization's own page counts (its subsidiaries included), so one organization
        # has one total on every page; ``models_own`` is its row in ``count --by organization --attribution resolved``
        ranked = self._facade.top_organizations(
            10, org_country=iso, rank_by="models_with_subsidiaries", since=since, until=until, as_of=as_of
        )
        top = ranked.frame
        orgs = [
            {
                "organization": str(r["organization"]),
                "org_id": str(r["org_id"]),
                "models": _int(r["models_with_subsidiaries"]),
                "models_own": _int(r["models"]),
                "countries": list(r["countries"]),
            }
            for r in top.to_dict(orient="records")
        ]
        share = (
            {
                "count": float(mine.iloc[0]["count"]),
                "models": _int(mine.iloc[0]["models"]),
                "denominator": _int(mine.iloc[0]["denominator"]),
                "share": round(float(mine.iloc[0]["share"]), 4),
            }
            if not mine.empty
            else {"count": 0, "models": 0, "denominator": _int(by_country["denominator"].max()), "share": 0.0}
        )
        return {
            "code": iso,
            "name": country_name(iso),
            "share": share,
            "per_year": [
                {
                    "year": _int(r["year"]),
                    "count": float(r["count"]),
                    "denominator": _int(r["denominator"]),
                    "share": round(float(r["share"]), 4),
                }
                for r in per_year.sort_values("year").to_dict(orient="records")
                if r["year"] is not None and not pd.isna(r["year"])
            ],
            "top_organizations": orgs,
            "top_organizations_note": ranked.provenance.note,
            "open_weights": _open_weights(models),
            "hub": self._hub_figures([iso], "country", as_of),
            "frontier": self._frontier_of(iso, as_of),
            "models_total": len(models),
            "models": _model_rows(models, column, limit),
            "provenance": counted.provenance.to_dict(),
        }

    def organization_profile(
        self,
        name: str,
        *,
        since: int | None = None,
        until: int | None = None,
        limit: int = 100,
        as_of: date | None = None,
    ) -> dict[str, Any]:
        """An organization (as the registry resolves ``name``): its models per year, countries, openness
        and its Hub downloads (its own repos, and repos built on its base models); ``as_of``: as the census stood
        then."""
        org = self._organization(name)
        ids = self.registry.family(org.id)
        if (by_name := self.registry.resolve(org.name).org) is not None and by_name.id == org.id:
            # the models of the organization and of those below it, chosen in the engine by their published names
            listed = self._facade.models(organization=org.name, since=since, until=until, as_of=as_of)
        else:  # a registry where the organization's own name resolves elsewhere: every model, chosen here
            listed = self._facade.models(since=since, until=until, as_of=as_of)
        models = listed.frame
        resolved = {n: self.registry.resolve(n).org for n in models["organizations"].explode().dropna().unique()}
        mine = models.loc[  # a boolean mask even when no model is listed (an empty object Series picks columns)
            models["organizations"]
            .map(lambda names: any((o := resolved.get(n)) is not None and o.id in ids for n in names))
            .astype(bool)
        ]
        spellings = sorted(
            {n for names in mine["organizations"] for n in names if (o := resolved.get(n)) and o.id == org.id}
        )
        return {
            "id": org.id,
            "name": org.name,
            "countries": [{"code": c, "name": country_name(c)} for c in org.countries],
            "sector": org.sector or None,
            "parent": org.parent,
            "kind": org.kind,
            "hub_handles": list(org.hub_handles),
            "note": org.note,
            "spellings": spellings,
            "models_total": len(mine),
            "models_own": int(mine["organizations"].map(lambda names: org.id in _ids(names, resolved)).sum()),
            "per_year": _per_year(mine),
            "open_weights": _open_weights(mine),
            "hub": self._hub_figures(
                [org.name, *(o.name for o in self.registry.orgs.values() if o.parent == org.id)], "organization", as_of
            ),
            "models": _model_rows(mine, "countries_resolved", limit),
            "provenance": {
                "definition": listed.provenance.definition,
                "rule": "full",
                "attribution": "resolved (the registry's organization, its subsidiaries included)",
                "note": "models_total counts the models of the organization and of the organizations the registry "
                "places below it (its row's models_with_subsidiaries in count --by organization and the number on "
                "its country's page); models_own those listing the organization itself (that row's models)",
                "snapshots": listed.provenance.snapshot_list,
            },
        }

    def _country(self, code: str) -> str:
        iso = requested_country(code, UnknownGroupError)
        if iso is None:
            raise UnknownGroupError(f"unknown country {code!r}: give an ISO 3166-1 alpha-2 code (CN) or a name")
        return iso

    def _organization(self, name: str) -> OrgRecord:
        res = self.registry.resolve(name)
        org = res.org or self.registry.orgs.get(name)
        if org is None and res.method == "ambiguous":
            could_be = ", ".join(f"{self.registry.get(i).name} ({i})" for i in res.candidates)
            raise UnknownGroupError(f"organization {name!r} is ambiguous: it could be {could_be}; give a fuller name")
        if org is None:
            raise UnknownGroupError(f"unknown organization {name!r}: the registry does not resolve it")
        return org

    def _hub_figures(self, groups: list[str], by: str, as_of: date | None = None) -> dict[str, Any] | None:
        """30-day Hub downloads of the group's own repos (resolved) and of repos whose root base model
        it developed (lineage); None when the census holds no Hub listing."""
        try:
            # a profile shows no coverage: its queries are left out
            own = self._facade.count_hub(
                by, metric="downloads", attribution="resolved", as_of=as_of, coverage=False
            ).frame
            lineage_figure = self._facade.count_hub(
                by, metric="downloads", attribution="lineage", as_of=as_of, coverage=False
            )
            lineage = lineage_figure.frame
        except ModelCensusError:
            return None
        if own.empty and lineage.empty:
            return None
        return {
            "published": _hub_row(own, groups),
            "lineage": _hub_row(lineage, groups),
            "metric": "30-day downloads",
            "definition": lineage_figure.provenance.definition,
            "attribution": {
                "published": "the repo's own publisher (resolved)",
                "lineage": "the developer of the root base model the repo builds on",
            },
        }

    def _frontier_of(self, iso: str, as_of: date | None = None) -> dict[str, Any] | None:
        """The country's best-rated LMArena model at the newest rating date, and its series."""
        try:
            best = self._facade.frontier(as_of=as_of).frame
        except ModelCensusError:
            return None
        mine = best[best["group"] == iso].sort_values("rated_on")
        if mine.empty:
            return None
        last = mine.iloc[-1]
        return {
            "rated_on": last["rated_on"].isoformat(),
            "model": str(last["model"]),
            "rating": round(float(last["rating"]), 1),
            "rating_low": round(float(last["rating_low"]), 1),
            "rating_high": round(float(last["rating_high"]), 1),
            "category": "text/full",
            "series": [
                {
                    "rated_on": r["rated_on"].isoformat(),
                    "model": str(r["model"]),
                    "rating": round(float(r["rating"]), 1),
                }
                for r in mine.to_dict(orient="records")
            ],
        }
