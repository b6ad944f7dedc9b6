"""The web dashboard: plain HTML pages that fetch JSON, their JSON twins, and the static assets.

Every page is a small HTML shell (``static/*.html``) whose script fetches the page's JSON twin and
the API's routes; no figure is rendered on the server, so each page shows exactly what its twin says. The
shell's words are in the page's language (``?lang=en|zh|id``, remembered in a cookie: :mod:`.language`); the
twins are the same in every language.
Plotly is served from the copy bundled in the installed ``plotly`` package: the pages make no
request outside the server they came from.

The JSON twins here read the census through the facade only. ``create_app`` in ``outputs/api.py``
includes :data:`router`; the twins then answer through the API's per-store-generation census, its
cache and its time limit (``app.state.api``), so a page and the API always read the same store.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from functools import cache
from importlib.resources import files
from pathlib import Path as FilePath
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from pydantic import ValidationError

import modelcensus as mc
from modelcensus.census import Census
from modelcensus.errors import ModelCensusError, QueryError, UnknownGroupError
from modelcensus.metrics.completeness import COMPLETE_SHARE
from modelcensus.outputs.common.count_query import count_figure
from modelcensus.outputs.common.render import records, unprocessable_detail
from modelcensus.outputs.common.schemas import ErrorOut
from modelcensus.outputs.report.years import TINY_DENOMINATOR, YearMarker, YearMarks, curve_filters, curve_words
from modelcensus.outputs.web.downloads import CSV_RESPONSE, AnswerFormat, csv_response, payload, table_of
from modelcensus.outputs.web.language import (
    LANG_COOKIE,
    LANG_PARAMETER,
    chosen_language,
    dashboard_languages,
    language_links,
    render_page,
)
from modelcensus.outputs.web.profiles import Profiles
from modelcensus.provenance import describe_sources
from modelcensus.queries import TEXT_PATTERN, CountRequest, request_error
from modelcensus.records import jsonable
from modelcensus.vocabulary import Attribution, CountSource, HubMetric, Rule, Unit

router = APIRouter()

STATIC = FilePath(str(files("modelcensus.outputs.web") / "static"))
PLOTLY_JS = FilePath(str(files("plotly") / "package_data" / "plotly.min.js"))
MEDIA_TYPES = {".js": "text/javascript", ".css": "text/css", ".html": "text/html", ".svg": "image/svg+xml"}
PAGES = {
    "dashboard": "dashboard.html",
    "model": "model.html",
    "country": "country.html",
    "org": "organization.html",
    "vintages": "vintages.html",
    "claims": "claims.html",
    "new": "new.html",
}
VINTAGE_COUNTRIES = ("US", "CN")
LAG_POPULATIONS: tuple[tuple[str, dict[str, Any]], ...] = (("epoch-all", {}), ("epoch-notable", {"notable": True}))
TOP_COUNTRIES_BY_YEAR = 6
NAME = TEXT_PATTERN  # no control characters
FORMAT = Query(alias="format", description="json (default) or csv: the table named by table=, with its provenance")


def get_census(request: Request) -> Iterator[Census]:
    """A read-only census of ``app.state.db_path`` for one request.

    The twins below answer through ``app.state.api`` when ``create_app`` built the app (its cache and
    time limit included); this dependency stays for routes and apps that need a plain Census, and
    ``create_app`` overrides it with its per-generation one.
    """
    path = getattr(request.app.state, "db_path", None)
    if path is None:
        raise HTTPException(500, "the dashboard has no census: build the app with create_app")
    with mc.open(path, read_only=True) as census:
        yield census


async def _answer(request: Request, key: tuple[Any, ...], compute: Callable[[Census], Any]) -> Response:
    """``compute(census)`` as JSON: through the API's per-generation census, cache and time limit when
    ``create_app`` built the app, else on a read-only census of ``app.state.db_path``."""
    api = getattr(request.app.state, "api", None)
    if api is not None:
        response: Response = await api.answer(("dashboard", *key), lambda generation: compute(generation.census))
        return response
    path = getattr(request.app.state, "db_path", None)
    if path is None:
        raise HTTPException(500, "the dashboard has no census: build the app with create_app")

    def run() -> Any:
        with mc.open(path, read_only=True) as census:
            return compute(census)

    return JSONResponse(jsonable(await anyio.to_thread.run_sync(run)))


def _page(name: str, request: Request) -> HTMLResponse:
    """A page in the language the request asks for (``?lang=``) or the one its cookie remembers; asking for
    one sets the cookie, so the next pages keep it."""
    asked = request.query_params.get(LANG_PARAMETER)
    try:
        lang = chosen_language(asked, request.cookies.get(LANG_COOKIE))
    except QueryError:
        message = html.escape(
            f"{LANG_PARAMETER}: no dashboard in language {asked!r}; available: {', '.join(dashboard_languages())}"
        )
        return HTMLResponse(f'<!doctype html><html lang="en"><title>modelcensus</title><p>{message}</p></html>', 422)
    page = render_page(_template(PAGES[name]), lang)
    links = language_links(request.url.path, list(request.query_params.multi_items()), lang)
    response = HTMLResponse(page.replace("<!--languages-->", links, 1))
    if asked:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax")
    return response


@cache
def _template(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


def _unprocessable(exc: QueryError) -> HTTPException:
    return HTTPException(422, unprocessable_detail(exc))


# -- HTML pages -------------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def dashboard_page(request: Request) -> HTMLResponse:
    """Models by country under the chosen filters; the JSON twin is ``/api/dashboard`` with the same query."""
    return _page("dashboard", request)


@router.get("/models/{model_id:path}", response_class=HTMLResponse, include_in_schema=False)
def model_page(request: Request, model_id: str) -> HTMLResponse:
    """One canonical model and its records across sources; twin ``/api/models/{id}``."""
    return _page("model", request)


@router.get("/countries/{code}", response_class=HTMLResponse, include_in_schema=False)
def country_page(request: Request, code: str) -> HTMLResponse:
    """A country's profile; twin ``/api/countries/{code}``."""
    return _page("country", request)


@router.get("/organizations/{name:path}", response_class=HTMLResponse, include_in_schema=False)
def organization_page(request: Request, name: str) -> HTMLResponse:
    """An organization's profile; twin ``/api/organizations/{name}``."""
    return _page("org", request)


@router.get("/vintages", response_class=HTMLResponse, include_in_schema=False)
def vintages_page(request: Request) -> HTMLResponse:
    """How the census fills in: a figure at every vintage and the listing lag; twin ``/api/dashboard/vintages``."""
    return _page("vintages", request)


@router.get("/claims", response_class=HTMLResponse, include_in_schema=False)
def claims_page(request: Request) -> HTMLResponse:
    """Published claims read at their vintage; twin ``/api/claims``."""
    return _page("claims", request)


@router.get("/new", response_class=HTMLResponse, include_in_schema=False)
def new_page(request: Request) -> HTMLResponse:
    """What's new: the models that entered the census since a date, per country; twin ``/api/new``, feed
    ``/feeds/new.atom``."""
    return _page("new", request)


@router.get("/static/{name}", include_in_schema=False)
def static_file(name: str) -> FileResponse:
    """The dashboard's scripts and styles, and plotly.js from the installed plotly package."""
    if name == "plotly.min.js":
        return FileResponse(PLOTLY_JS, media_type="text/javascript")
    path = STATIC / name
    if "/" in name or name.startswith(".") or not path.is_file() or path.suffix not in MEDIA_TYPES:
        raise HTTPException(404, f"no static file {name!r}")
    return FileResponse(path, media_type=MEDIA_TYPES[path.suffix])


# -- JSON twins -------------------------------------------------------------------------------------


def _figure(census: Census, by: tuple[str, ...], common: dict[str, Any]) -> dict[str, Any]:
    """A count's rows exactly as ``/api/count`` gives them, with the figure's provenance beside them."""
    try:
        q = CountRequest.model_validate({"by": by, **common})
        figure = count_figure(census, q)
    except ValidationError as exc:
        raise _unprocessable(request_error(exc)) from exc
    except QueryError as exc:
        raise _unprocessable(exc) from exc
    except ModelCensusError as exc:
        raise _unprocessable(QueryError(str(exc))) from exc
    p = figure.provenance
    provenance = {
        "definition": p.definition,
        "rule": p.rule or q.rule,
        "rule_text": p.rule_text,
        "attribution": p.attribution,
        "denominator": p.denominator,
        "unit": p.unit,
        "metric": p.metric,
        "snapshots": p.snapshot_list,
    }
    if p.coverage:
        provenance["coverage"] = list(p.coverage)
    return {"rows": figure.records(), "provenance": jsonable(provenance)}


def _marks_json(marks: YearMarks, label: str = "") -> dict[str, Any]:
    """The status of each year of a series: which are still filling in, the estimate of each, a sentence each."""
    if not marks.statuses:
        return {"measured": False, "population": None, "years": [], "filling_in": [], "sentences": []}
    return {
        "measured": True,
        "population": marks.population,
        "years": jsonable(marks.to_json(label)),
        "filling_in": marks.filling(),
        "sentences": marks.sentences(label),
    }


def _series_marks(marks: YearMarks) -> list[dict[str, Any]]:
    """A series' yearly figures (a country's) with the years still filling in and the estimated final figure of
    each (its listed figure over the share of its population's eventual count listed by then)."""
    out = []
    for year, status in sorted(marks.statuses.items()):
        scaled = marks.scaled(year, status.listed)
        out.append(
            {
                "year": year,
                "count": status.listed,
                "filling_in": not status.complete,
                "estimate": None if scaled is None else round(scaled[0], 1),
                "estimate_low": None if scaled is None else round(scaled[1], 1),
                "estimate_high": None if scaled is None else round(scaled[2], 1),
            }
        )
    return out


def _bar_marks(marks: YearMarks, per_year: Mapping[int, float]) -> dict[str, Any]:
    """A bar summed over years (a country's models over the period): the part from years still filling in and
    the bar's estimated final height with its range (a year with no estimate, e.g. one not over, adds its listed
    figure: the estimate is then a floor, and ``unestimated`` names those years)."""
    filling = set(marks.filling())
    part = sum(v for y, v in per_year.items() if y in filling)
    estimate = low = high = sum(v for y, v in per_year.items() if y not in filling)
    unestimated = []
    for year in sorted(filling & set(per_year)):
        scaled = marks.scaled(year, per_year[year])
        if scaled is None:
            unestimated.append(year)
            scaled = (per_year[year],) * 3
        estimate, low, high = estimate + scaled[0], low + scaled[1], high + scaled[2]
    return {
        "filling": part,
        "estimate": round(estimate, 1) if part else None,
        "estimate_low": round(low, 1) if part else None,
        "estimate_high": round(high, 1) if part else None,
        "unestimated": unestimated,
    }


def _dashboard_marks(census: Census, common: dict[str, Any], by_year_rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Which years of the dashboard's figures are still filling in (Epoch AI's models only: the Hub's listings
    are harvests, not back-filled vintages), per year of all models and per country."""
    definition = common.get("definition")
    if common["source"] != "epoch":
        return _marks_json(YearMarks({}, ""))
    marker = YearMarker(census, common.get("as_of"))
    if definition:
        d = census.definition(definition)
        filters = curve_filters(d)
        if filters is None:
            return _marks_json(YearMarks({}, ""))
        newest = marker.when.year if marker.when else date.today().year
        frame = census.count_definition_by_year(
            definition,
            common.get("since") or 1950,
            common.get("until") or newest,
            unit=common.get("unit"),
            rule=common.get("rule"),
            attribution=common.get("attribution"),
            as_of=common.get("as_of"),
        ).frame
        units = frame.groupby("year")["denominator"].first()
        totals = {int(y): float(v) for y, v in zip(units.index, units.to_numpy(), strict=True)}
        rows = [{"group": g, "year": int(y), "count": float(c)} for g, y, c in zip(*_cols(frame), strict=True)]
    else:
        filters = {}
        frame = census.count(
            by="year", since=common.get("since"), until=common.get("until"), as_of=common.get("as_of")
        ).frame
        totals = {int(g): float(c) for g, c in zip(frame["group"], frame["count"], strict=True) if g is not None}
        rows = by_year_rows
    out = _marks_json(marker.marks(totals, filters))
    per_group: dict[Any, dict[int, float]] = {}
    for r in rows:
        if r.get("year") is not None:
            per_group.setdefault(r["group"], {})[int(r["year"])] = float(r["count"] or 0)
    out["by_country"], out["series"] = {}, {}
    for group, years in per_group.items():
        marks = marker.marks(years, filters)  # the country's own figures, on its population's curve
        out["by_country"][str(group)] = _bar_marks(marks, years)
        out["series"][str(group)] = _series_marks(marks)
    return out


def _cols(frame: Any) -> tuple[list[Any], list[Any], list[Any]]:
    return list(frame["group"]), list(frame["year"]), list(frame["count"])


@router.get("/api/dashboard", tags=["dashboard"], responses=CSV_RESPONSE)
async def dashboard_json(
    request: Request,
    since: Annotated[int | None, Query(ge=1900, le=2100, description="First publication year.")] = None,
    until: Annotated[int | None, Query(ge=1900, le=2100, description="Last publication year.")] = None,
    definition: Annotated[
        str | None, Query(max_length=200, pattern=NAME, description="A named definition (see /api/definitions).")
    ] = None,
    rule: Annotated[Rule, Query(description="Counting rule.")] = Rule.FULL,
    attribution: Annotated[Attribution | None, Query(description="Whose country (lineage: Hub).")] = None,
    unit: Annotated[Unit | None, Query(description="With a definition.")] = None,
    source: Annotated[CountSource, Query(description="Epoch models or Hub repos.")] = CountSource.EPOCH,
    metric: Annotated[HubMetric | None, Query(description="Hub metric.")] = None,
    as_of: Annotated[
        date | None, Query(description="Read the census as it stood on this date (the sources' snapshots then).")
    ] = None,
    fmt: Annotated[AnswerFormat, FORMAT] = AnswerFormat.json,
    table: Annotated[str | None, Query(max_length=40, description="format=csv: by_country or by_country_year")] = None,
) -> Response:
    """The dashboard's figures (the JSON twin of ``/``): models by country, and by country and year for
    the leading countries, each with its definition, counting rule, attribution and sources."""
    if since is not None and until is not None and since > until:
        raise _unprocessable(QueryError(f"since ({since}) is after until ({until})", parameter="since"))
    common: dict[str, Any] = dict(
        since=since,
        until=until,
        rule=rule,
        attribution=attribution,
        source=CountSource.EPOCH if definition else source,
        as_of=as_of,
    )
    if definition:
        common["definition"], common["unit"] = definition, unit
    elif unit is not None:
        raise _unprocessable(QueryError("unit applies with a definition", parameter="unit"))
    if source == CountSource.HUGGINGFACE and not definition:
        common["metric"] = metric or HubMetric.MODELS
    params = {k: v for k, v in {**common, "metric": metric}.items() if v is not None}

    def compute(census: Census) -> dict[str, Any]:
        by_country = _figure(census, ("country",), common)
        by_year = None
        all_years: list[dict[str, Any]] = []
        if not definition:
            by_year = _figure(census, ("country", "year"), common)
            all_years = by_year["rows"]
            leaders = [r["group"] for r in by_country["rows"] if r["group"] is not None][:TOP_COUNTRIES_BY_YEAR]
            by_year["rows"] = [r for r in by_year["rows"] if r["group"] in leaders]
        years = _dashboard_marks(census, common, all_years)
        if by_year is not None:
            leaders_set = {str(r["group"]) for r in by_year["rows"]}
            years["series"] = {g: v for g, v in years.get("series", {}).items() if g in leaders_set}
        else:
            years.pop("series", None)
        return {"params": params, "by_country": by_country, "by_country_year": by_year, "years": jsonable(years)}

    answer = await _answer(request, ("figures", tuple(sorted(params.items()))), compute)
    if fmt == AnswerFormat.json:
        return answer
    data = payload(answer)
    rows, chosen = table_of(data, table, {"by_country": "by_country.rows", "by_country_year": "by_country_year.rows"})
    what = "Hub repos" if source == CountSource.HUGGINGFACE and not definition else "Models"
    by = "country and year" if chosen == "by_country_year" else "country"
    return csv_response(
        request,
        rows,
        (data.get(chosen) or {}).get("provenance"),
        figure="count",
        title=f"{what} by {by} (the dashboard's figure)",
        parts=[f"by-{chosen.removeprefix('by_').replace('_', '-')}"],
    )


@router.get(
    "/api/countries/{code}",
    tags=["dashboard"],
    responses={404: {"model": ErrorOut, "description": "no such country, or no model of it"}, **CSV_RESPONSE},
)
async def country_json(
    request: Request,
    code: Annotated[str, Path(max_length=100, pattern=NAME)],
    attribution: Attribution = Attribution.AS_PUBLISHED,
    rule: Rule = Rule.FULL,
    since: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    until: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    as_of: Annotated[
        date | None, Query(description="Read the census as it stood on this date (the sources' snapshots then).")
    ] = None,
    fmt: Annotated[AnswerFormat, FORMAT] = AnswerFormat.json,
    table: Annotated[
        str | None, Query(max_length=40, description="format=csv: per_year, top_organizations or models")
    ] = None,
) -> Response:
    """A country's profile (the JSON twin of ``/countries/{code}``): models per year and share, top
    organizations, open-weights share, Hub downloads by lineage origin, best LMArena model; ``format=csv``: one of
    its tables as a CSV file with its provenance."""

    def compute(census: Census) -> dict[str, Any]:
        try:
            profile = Profiles(census).country_profile(
                code, attribution=attribution, rule=rule, since=since, until=until, limit=limit, as_of=as_of
            )
        except UnknownGroupError as exc:
            raise HTTPException(404, str(exc)) from exc
        counts = {int(r["year"]): float(r["count"]) for r in profile["per_year"]}
        profile["years"] = _profile_marks(census, counts, str(profile["name"]), as_of)
        return dict(jsonable(profile))

    answer = await _answer(request, ("country", code, attribution, rule, since, until, limit, as_of), compute)
    if fmt == AnswerFormat.json:
        return answer
    return _profile_csv(request, payload(answer), table, str(payload(answer)["code"]), "country")


@router.get(
    "/api/organizations/{name:path}",
    tags=["dashboard"],
    responses={404: {"model": ErrorOut, "description": "no such organization in the registry"}, **CSV_RESPONSE},
)
async def organization_json(
    request: Request,
    name: Annotated[str, Path(max_length=200, pattern=NAME)],
    since: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    until: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    as_of: Annotated[
        date | None, Query(description="Read the census as it stood on this date (the sources' snapshots then).")
    ] = None,
    fmt: Annotated[AnswerFormat, FORMAT] = AnswerFormat.json,
    table: Annotated[str | None, Query(max_length=40, description="format=csv: per_year or models")] = None,
) -> Response:
    """An organization's profile (the JSON twin of ``/organizations/{name}``); ``format=csv``: one of its tables
    as a CSV file with its provenance."""

    def compute(census: Census) -> dict[str, Any]:
        try:
            profile = Profiles(census).organization_profile(name, since=since, until=until, limit=limit, as_of=as_of)
        except UnknownGroupError as exc:
            raise HTTPException(404, str(exc)) from exc
        counts = {int(r["year"]): float(r["models"]) for r in profile["per_year"] if r.get("year") is not None}
        profile["years"] = _profile_marks(census, counts, str(profile["name"]), as_of)
        return dict(jsonable(profile))

    answer = await _answer(request, ("organization", name, since, until, limit, as_of), compute)
    if fmt == AnswerFormat.json:
        return answer
    data = payload(answer)
    return _profile_csv(request, data, table, str(data["id"]), "organization")


def _profile_csv(request: Request, data: dict[str, Any], table: str | None, who: str, kind: str) -> Response:
    """A profile's table as a CSV download: its models per year (with the years still filling in and their
    estimates), its top organizations (a country's) or its newest models."""
    tables = {"per_year": "per_year", "models": "models"}
    if kind == "country":
        tables = {"per_year": "per_year", "top_organizations": "top_organizations", "models": "models"}
    rows, chosen = table_of(data, table, tables)
    if chosen == "per_year":
        status = {int(r["year"]): r for r in (data.get("years") or {}).get("series") or []}
        rows = [
            {**r, **{k: v for k, v in status.get(int(r["year"]), {}).items() if k not in ("year", "count")}}
            for r in rows
        ]
    words = {
        "per_year": "models per year (a year still filling in marked, with its estimated final count)",
        "top_organizations": "top organizations (each with its subsidiaries)",
        "models": f"newest {len(rows)} of {data.get('models_total')} models",
    }
    return csv_response(
        request,
        rows,
        data.get("provenance"),
        figure=kind,
        title=f"{data.get('name')}: {words[chosen]}",
        parts=[who, chosen.replace("_", "-")],
    )


def _profile_marks(
    census: Census, counts: Mapping[int, float], label: str, as_of: date | None = None
) -> dict[str, Any]:
    """A profile's models per year with the years still filling in (read on the curve of all of Epoch AI's
    models), the estimate of each and a sentence each."""
    if not counts:
        return _marks_json(YearMarks({}, ""))
    marks = YearMarker(census, as_of).marks(counts, {})
    out = _marks_json(marks, label)
    out["series"] = _series_marks(marks)
    out["tiny_denominator"] = TINY_DENOMINATOR
    return out


@router.get("/api/dashboard/vintages", tags=["dashboard"], responses=CSV_RESPONSE)
async def vintages_json(
    request: Request,
    year: Annotated[
        int | None,
        Query(ge=1900, le=2100, description="Publication year (default: the newest complete year of notable models)."),
    ] = None,
    fmt: Annotated[AnswerFormat, FORMAT] = AnswerFormat.json,
) -> Response:
    """The JSON twin of ``/vintages``: notable models of a year by country (US, China) at every stored Epoch AI
    vintage, and the listing-lag curves of all and of notable models with the years still filling in;
    ``format=csv``: the figure at every vintage as a CSV file with its provenance."""

    def compute(census: Census) -> dict[str, Any]:
        marker = YearMarker(census)
        if marker.when is None:
            raise _unprocessable(QueryError("no dated Epoch AI export is stored", parameter="year"))
        until = marker.when.year if (marker.when.month, marker.when.day) == (12, 31) else marker.when.year - 1
        chosen = year or marker.last_complete_year({"notable": True}, until)
        out: dict[str, Any] = {
            "year": chosen,
            "countries": list(VINTAGE_COUNTRIES),
            "complete_share": COMPLETE_SHARE,
            "vintages": [],
            "lag": [],
        }
        if chosen is not None:
            figure = census.vintages("country", year=chosen, notable=True)
            for export_id, part in figure.frame.groupby("export_id", sort=False):
                first = part.iloc[0]
                counts = {str(g): int(c) for g, c in zip(part["group"], part["count"], strict=True) if g}
                out["vintages"].append(
                    {
                        "export_id": export_id,
                        "export_date": first["export_date"],
                        "roles": list(first["roles"]),
                        "covers": bool(first["covers"]),
                        "denominator": int(first["denominator"]),
                        "counts": {c: counts.get(c, 0) for c in VINTAGE_COUNTRIES},
                    }
                )
            p = figure.provenance
            snapshots = p.snapshot_list
            out["provenance"] = {
                "definition": p.definition,
                "rule": p.rule,
                "rule_text": p.rule_text,
                "attribution": p.attribution,
                "denominator": p.denominator,
                "snapshots": snapshots,
                "sources_text": describe_sources(snapshots),
            }
        since = until - 10
        for name, filters in LAG_POPULATIONS:
            curve = marker.curves(filters)[""]
            status = census.year_status(since, until, **filters).frame
            marks = marker.marks(
                {int(y): float(c) for y, c in zip(status["year"], status["listed"], strict=True)}, filters
            )
            out["lag"].append(
                {
                    "definition": name,
                    "population": curve_words(filters),
                    "basis": curve.basis(),
                    "observations": records(curve.observations),
                    **_marks_json(marks, name),
                }
            )
        return dict(jsonable(out))

    answer = await _answer(request, ("vintages", year), compute)
    if fmt == AnswerFormat.json:
        return answer
    data = payload(answer)
    rows = [
        {
            "export_date": v["export_date"],
            "export_id": v["export_id"],
            "files": v["roles"],
            **{f"notable_models_{c}": n for c, n in v["counts"].items()},
            "notable_models_all": v["denominator"],
            "covers": v["covers"],
        }
        for v in data["vintages"]
    ]
    return csv_response(
        request,
        rows,
        data.get("provenance"),
        figure="vintages",
        title=f"Notable models of {data['year']} by country at every stored Epoch AI vintage",
        parts=[f"notable-{data['year']}"],
    )
