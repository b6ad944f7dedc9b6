"""What the API's model routes read through the facade: the records behind a figure, one canonical model."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date
from typing import Any

import pandas as pd
from pydantic import ValidationError

from modelcensus.census import Census
from modelcensus.definitions import HUB_REPOS, Definition
from modelcensus.errors import ModelCensusError, NotFound, QueryError, quoted
from modelcensus.outputs.api.generations import Generation
from modelcensus.outputs.common.count_query import cac_filing_filters, count_figure
from modelcensus.outputs.common.render import records
from modelcensus.queries import CountRequest, ModelsRequest
from modelcensus.records import jsonable
from modelcensus.vocabulary import Attribution, CountSource

ITEM_COLUMNS = [
    "id",
    "source",
    "source_id",
    "name",
    "year",
    "published_on",
    "countries",
    "organizations",
    "open_weights",
    "notable",
    "unit",
]


FRAME_CURSOR = "id"
"""The first element of a cursor into a list small enough to be read whole (Epoch's models, CAC filings): the id of
the page's last item follows; a cursor into a definition's records holds the last record's sort key."""


def models_behind(census: Census, q: ModelsRequest) -> pd.DataFrame:
    """The records behind the figure ``q`` selects, one row per record, in :data:`ITEM_COLUMNS`."""
    if _read_whole(q):
        return _epoch_models(census, q) if q.source == CountSource.EPOCH else _cac_filings(census, q)
    definition = _definition(census, q)
    return _items(census.definition_members(definition, **_member_filters(q, definition)))


def models_page(
    generation: Generation, q: ModelsRequest, limit: int, offset: int = 0, after: str | None = None
) -> dict[str, Any]:
    """A page of :func:`models_behind` as ``/api/models`` answers it: ``total, limit, offset, items, next``.
    ``after`` (a cursor a page gave as ``next``) continues after that page's last item, at the cost of any page:
    a definition's (or the Hub's) records are sorted, counted and cut by the engine, never read whole."""
    key = decode_cursor(after) if after is not None else None
    if key is not None and offset:
        raise QueryError("give either offset or after (a cursor), not both", parameter="after")
    census = generation.census
    if _read_whole(q):
        frame = generation.memo(("models", q), lambda: models_behind(census, q))
        start = offset
        if key is not None:
            if key[0] != FRAME_CURSOR or len(key) != 2:
                raise QueryError("the cursor is not one this list gave (after)", parameter="after")
            where = frame.index[frame["id"] == key[1]]
            if not len(where):
                raise QueryError("the cursor's item is no longer listed; start again without after", parameter="after")
            start = int(where[0]) + 1
        items = frame[start : start + limit]
        more = start + limit < len(frame)
        last = [FRAME_CURSOR, str(items["id"].iloc[-1])] if more and len(items) else None
        return _page(len(frame), limit, offset, records(items), last)
    definition = _definition(census, q)
    page = census.definition_members_page(
        definition, limit=limit, offset=offset, after=key, **_member_filters(q, definition)
    )
    last = list(page.next_after) if page.next_after is not None else None
    return _page(page.total, limit, offset, records(_items(page.frame)), last)


def _page(total: int, limit: int, offset: int, items: list[dict[str, Any]], last: list[str] | None) -> dict[str, Any]:
    return {"total": total, "limit": limit, "offset": offset, "items": items, "next": encode_cursor(last)}


def encode_cursor(key: list[str] | None) -> str | None:
    """An opaque cursor (URL-safe) for a page's last key."""
    if key is None:
        return None
    return base64.urlsafe_b64encode(json.dumps(key, ensure_ascii=False).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[str]:
    """The key a cursor of :func:`encode_cursor` holds; a :class:`~modelcensus.errors.QueryError` for anything else."""
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError):
        key = None
    if not isinstance(key, list) or not key or not all(isinstance(k, str) for k in key):
        raise QueryError("after must be a cursor an /api/models page gave as next", parameter="after")
    return key


def _read_whole(q: ModelsRequest) -> bool:
    """Whether the records behind ``q`` are few enough to list from one frame (Epoch's models, CAC filings)."""
    return q.definition is None and q.source in (CountSource.EPOCH, CountSource.CAC)


def _definition(census: Census, q: ModelsRequest) -> Definition:
    if q.definition is not None:
        return census.definition(q.definition)
    if q.tabular:
        return census.source_definition(str(q.source))
    return HUB_REPOS


def _member_filters(q: ModelsRequest, definition: Definition) -> dict[str, Any]:
    return {
        "country": q.country or "*",
        "region": q.region,
        "unit": q.unit or definition.unit,
        "attribution": q.attribution,
        "year": q.year,
        "since": q.since,
        "until": q.until,
        "as_of": q.as_of,
    }


def _items(members: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": members["source"].astype(str) + ":" + members["source_id"].astype(str),
            "source": members["source"].astype(str),
            "source_id": members["source_id"].astype(str),
            "name": members["name"].astype(str),
            "year": members["unit_year"].astype("Int64"),
            "published_on": members["published_on"],
            "countries": members["countries"],
            "organizations": members["organizations"],
            "open_weights": members["open_weights"],
            "notable": members["notable"],
            "unit": members["unit"].astype(str),
        },
        columns=ITEM_COLUMNS,
    ).reset_index(drop=True)


def _epoch_models(census: Census, q: ModelsRequest) -> pd.DataFrame:
    attribution = q.attribution or Attribution.AS_PUBLISHED
    frame = census.models(organization=q.organization, attribution=attribution, **q.filters()).frame
    column = "countries_published" if attribution == Attribution.AS_PUBLISHED else "countries_resolved"
    published = pd.to_datetime(frame["published_on"])
    return pd.DataFrame(
        {
            "id": "epoch:" + frame["id"].astype(str),
            "source": "epoch",
            "source_id": frame["id"].astype(str),
            "name": frame["name"],
            "year": published.dt.year.astype("Int64"),
            "published_on": frame["published_on"],
            "countries": frame[column],
            "organizations": frame["organizations"],
            "open_weights": frame["open_weights"],
            "notable": frame["notable"],
            "unit": None,
        },
        columns=ITEM_COLUMNS,
    )


def canonical_model(generation: Generation, model_id: str, as_of: date | None = None) -> dict[str, Any]:
    """One canonical model by its id, or by a record reference ``source:source_id``; with its records, the
    evidence that linked them and the snapshots of their sources in force on ``as_of`` (the current ones)."""
    census = generation.census
    model = generation.memo(("linked-model", model_id), lambda: census.linker.model(model_id))
    sources = generation.memo(("sources", as_of), lambda: census.sources(as_of=as_of))
    if model is None:
        return _no_longer_listed(generation, model_id, sources)
    involved = {r.source for r in model.records}
    current = sources[sources["current"] & sources["source"].isin(involved)]
    return {
        "id": model.id,
        "name": model.name,
        "records": [
            {
                "source": r.source,
                "source_id": r.source_id,
                "name": r.name,
                "developer": r.developer,
                "countries": list(r.countries),
                "hub_id": r.hub_id,
                "published_on": r.published_on.isoformat() if r.published_on else None,
            }
            for r in model.records
        ],
        "evidence": [
            {"left": str(left), "right": str(right), "rule": str(rule), "detail": str(detail)}
            for left, right, rule, detail in model.evidence
        ],
        "facts": generation.memo(
            ("facts", model.id, as_of),
            lambda: model_facts(census, [(r.source, r.source_id) for r in model.records], as_of),
        ),
        "provenance": records(
            current[["source", "role", "location", "retrieved_at", "sha256", "data_date", "license", "credit"]].astype(
                {"retrieved_at": str, "data_date": str}
            )
        ),
    }


FACTS = {
    "parameters": "parameters",
    "training_compute": "FLOP",
    "rating": "Arena score (Bradley-Terry, Elo scale)",
}
ARENAS = {"text": "LMArena text arena", "vision": "LMArena vision arena", "image": "LMArena text-to-image arena"}


def model_facts(census: Census, wanted: list[tuple[str, str]], as_of: date | None = None) -> dict[str, Any]:
    """A model's parameters, training compute and arena ratings, each value with the record and file it came from
    (``values`` empty: no source in the census lists it)."""
    frame = census.record_facts(wanted, as_of=as_of).frame
    out: dict[str, Any] = {}
    for fact, unit in FACTS.items():
        values = []
        for r in frame[frame["fact"] == fact].to_dict(orient="records"):
            value: dict[str, Any] = {
                "value": r["value"],
                "source": r["source"],
                "source_id": r["source_id"],
                "credit": r["credit"],
                "data_date": r["data_date"],
                "file": r["file"],
            }
            if fact == "rating":
                arena = str(r["category"]).split("/")[0]
                value.update(
                    category=r["category"],
                    arena=ARENAS.get(arena, f"LMArena {arena} arena"),
                    rated_on=r["rated_on"],
                    low=r["rating_low"],
                    high=r["rating_high"],
                )
            values.append(value)
        out[fact] = {
            "unit": str(frame.loc[frame["fact"] == fact, "unit"].iloc[0]) if values else unit,
            "values": values,
        }
    return dict(jsonable(out))


def _no_longer_listed(generation: Generation, model_id: str, sources: pd.DataFrame) -> dict[str, Any]:
    """A model (or record) that no snapshot in force now lists, but an older stored one did (an Epoch model since
    renamed, an OpenRouter model no longer served): its records as the census's snapshots listed them, with the
    snapshots that did; linkage reads current records only, so there is no evidence. Unknown: :class:`NotFound`."""
    census = generation.census
    found = generation.memo(("ever-listed", model_id), lambda: census.vintage.ever_listed(model_id).frame)
    if found.empty:  # ever_listed narrows to the model model_id names already
        raise NotFound(f"no canonical model or record {quoted(model_id)} (ids as in `modelcensus links --format json`)")
    item = found.iloc[0]
    records = list(item["records"])
    dates = pd.to_datetime(sources["export_date"]).dt.date
    held = pd.Series(False, index=sources.index)
    for r in records:
        held |= (sources["source"] == r["source"]) & (dates >= r["first_listed"]) & (dates <= r["last_listed"])
    return {
        "id": str(item["id"]),
        "name": str(item["name"]),
        "records": [
            {
                "source": r["source"],
                "source_id": r["source_id"],
                "name": r["name"],
                "developer": None,
                "countries": list(item["countries"]),
                "hub_id": None,
                "published_on": item["published_on"].isoformat() if item["published_on"] else None,
            }
            for r in records
        ],
        "evidence": [],
        "provenance": records_of(
            sources[held][["source", "role", "location", "retrieved_at", "sha256", "data_date", "license", "credit"]]
        ),
    }


def records_of(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return records(frame.astype({"retrieved_at": str, "data_date": str}))


def definition_out(d: Definition) -> dict[str, Any]:
    return {
        "name": d.name,
        "description": d.description,
        "sources": list(d.sources),
        "filters": d.filters,
        "unit": d.unit,
        "rule": d.rule,
        "attribution": d.attribution,
    }


def cac_filings(census: Census, q: ModelsRequest) -> pd.DataFrame:
    """The CAC filings a request selects, every column (``/api/cac/filings``, ``modelcensus models --source cac``)."""
    return census.cac_filings(**cac_filing_filters(q)).frame


def _cac_filings(census: Census, q: ModelsRequest) -> pd.DataFrame:
    """The filings behind a CAC figure as /api/models items: ``cac:<filing key>``, the service's name, the year and
    date of filing, the countries it is counted for, its provider."""
    frame = cac_filings(census, q)
    resolved = (q.attribution or Attribution.AS_PUBLISHED) == Attribution.RESOLVED
    return pd.DataFrame(
        {
            "id": frame["id"],
            "source": "cac",
            "source_id": frame["id"].str.removeprefix("cac:"),
            "name": [str(n) if isinstance(n, str) else "(no name given)" for n in frame["model_name"]],
            "year": [d.year if d else None for d in frame["filed_on"]],
            "published_on": [d.isoformat() if d else None for d in frame["filed_on"]],
            "countries": list(frame["countries"]) if resolved else [[c] for c in frame["country"]],
            "organizations": [[e] for e in frame["entity"]],
            "open_weights": None,
            "notable": None,
            "unit": "filing",
        },
        columns=ITEM_COLUMNS,
    ).astype({"year": "Int64"})


def models_download(generation: Generation, q: ModelsRequest) -> dict[str, Any]:
    """Every model behind a figure (``/api/models?format=csv``) with the provenance of the count it is behind (that
    count by country, under the same definition, source, filters and attribution)."""
    census = generation.census
    frame = generation.memo(("models", q), lambda: models_behind(census, q))
    title = "Models behind the figure"
    provenance: dict[str, Any] = {}
    try:
        fields = q.model_dump(exclude_none=True, exclude={"organization", "province", "month", "record_type"})
        figure = count_figure(census, CountRequest.model_validate({**fields, "by": ["country"]}))
        provenance = figure.provenance.to_dict()
        title = f"Models behind the figure {figure.title}"
    except (ValidationError, ModelCensusError):  # a list no count is by country of (an organization's, CAC's)
        sources = [str(q.source)] if q.definition is None else list(census.definition(q.definition).sources)
        provenance = {"definition": q.definition, "snapshots": census.snapshots_in_force(sources, q.as_of)}
    chosen = q.model_dump(exclude_none=True, include={"country", "region", "organization", "year"})
    group = ", ".join(f"{k} {', '.join(map(str, v)) if isinstance(v, list | tuple) else v}" for k, v in chosen.items())
    if group:
        title += f"; the group: {group}"
    return {"title": title, "rows": records(frame), "provenance": provenance}


def claim_row(r: dict[str, Any]) -> dict[str, Any]:
    """A checked claim as one row of the claims CSV: what was claimed, the verdict, the figure at the claim's vintage,
    at the next vintage and now (each with its export date), the range across definitions, the estimate's coverage."""
    at = r.get("at_vintage") or {}
    now = r.get("now") or {}
    coverage = r.get("coverage") or {}
    return {
        "id": r.get("id"),
        "claim": r.get("claim"),
        "source": r.get("source"),
        "definition": r.get("definition"),
        "metric": r.get("metric"),
        "comparison": r.get("comparison"),
        "verdict": r.get("verdict"),
        "figure_at_vintage": at.get("figure"),
        "vintage_date": at.get("export_date"),
        "figure_next": at.get("next_figure"),
        "next_date": at.get("next_export_date"),
        "figure_now": now.get("figure"),
        "now_date": now.get("export_date"),
        "range_low": r.get("range_low"),
        "range_high": r.get("range_high"),
        "estimate": coverage.get("estimate"),
        "estimate_withheld_because": coverage.get("reason"),
        "explanation": r.get("explanation"),
    }
