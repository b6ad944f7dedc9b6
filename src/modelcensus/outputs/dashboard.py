"""The web dashboard: plain HTML pages that fetch JSON, their JSON twins, and the static assets.

Every page is a small HTML shell (``static/*.html``) whose script fetches the page's JSON twin and
the API's routes; nothing is rendered on the server, so each page shows exactly what its twin says.
Plotly is served from the copy bundled in the installed ``plotly`` package: the pages make no
request outside the server they came from.

The JSON twins here read the census through the facade only. ``create_app`` in ``outputs/api.py``
includes :data:`router`; the twins then answer through the API's per-store-generation census, its
cache and its time limit (``app.state.api``), so a page and the API always read the same store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib.resources import files
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

import anyio.to_thread
from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

import modelcensus as mc
from modelcensus.census import Census
from modelcensus.census_profiles import UnknownGroupError
from modelcensus.errors import ModelCensusError
from modelcensus.outputs.api_models import ErrorOut
from modelcensus.outputs.count_query import CountQuery, ParameterError, count_figure
from modelcensus.outputs.render import _plain

router = APIRouter()

STATIC = FilePath(str(files("modelcensus.outputs") / "static"))
PLOTLY_JS = FilePath(str(files("plotly") / "package_data" / "plotly.min.js"))
MEDIA_TYPES = {".js": "text/javascript", ".css": "text/css", ".html": "text/html", ".svg": "image/svg+xml"}
PAGES = {"dashboard": "dashboard.html", "model": "model.html", "country": "country.html", "org": "organization.html"}
TOP_COUNTRIES_BY_YEAR = 6
NAME = r"^[^\x00-\x1f\x7f]*$"  # no control characters
Rule = Literal["full", "fractional", "primary"]


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

    return JSONResponse(_json(await anyio.to_thread.run_sync(run)))


def _json(value: Any) -> Any:
    """JSON-ready (NaN → null, dates ISO, numpy scalars plain), recursively."""
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    return _plain(value)


def _page(name: str) -> HTMLResponse:
    return HTMLResponse((STATIC / PAGES[name]).read_text(encoding="utf-8"))


def _unprocessable(parameter: str, message: str) -> HTTPException:
    return HTTPException(422, [{"loc": ["query", parameter], "msg": message, "type": "value_error"}])


# -- HTML pages -------------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def dashboard_page() -> HTMLResponse:
    """Models by country under the chosen filters; the JSON twin is ``/api/dashboard`` with the same query."""
    return _page("dashboard")


@router.get("/models/{model_id:path}", response_class=HTMLResponse, include_in_schema=False)
def model_page(model_id: str) -> HTMLResponse:
    """One canonical model and its records across sources; twin ``/api/models/{id}``."""
    return _page("model")


@router.get("/countries/{code}", response_class=HTMLResponse, include_in_schema=False)
def country_page(code: str) -> HTMLResponse:
    """A country's profile; twin ``/api/countries/{code}``."""
    return _page("country")


@router.get("/organizations/{name:path}", response_class=HTMLResponse, include_in_schema=False)
def organization_page(name: str) -> HTMLResponse:
    """An organization's profile; twin ``/api/organizations/{name}``."""
    return _page("org")


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


def _figure(census: Census, q: CountQuery) -> dict[str, Any]:
    """A count's rows exactly as ``/api/count`` gives them, with the figure's provenance beside them."""
    try:
        figure = count_figure(census, q)
    except ParameterError as exc:
        raise _unprocessable(exc.parameter, str(exc)) from exc
    except ModelCensusError as exc:
        raise _unprocessable("query", str(exc)) from exc
    attrs = dict(figure.frame.attrs)
    provenance = {
        "definition": attrs.get("definition"),
        "rule": attrs.get("rule", q.rule),
        "rule_text": attrs.get("rule_text"),
        "attribution": attrs.get("attribution"),
        "denominator": attrs.get("denominator"),
        "unit": attrs.get("unit"),
        "metric": attrs.get("metric"),
        "snapshots": attrs.get("snapshots") or [],
    }
    return {"rows": figure.records(), "provenance": _json(provenance)}


@router.get("/api/dashboard", tags=["dashboard"])
async def dashboard_json(
    request: Request,
    since: Annotated[int | None, Query(ge=1900, le=2100, description="First publication year.")] = None,
    until: Annotated[int | None, Query(ge=1900, le=2100, description="Last publication year.")] = None,
    definition: Annotated[
        str | None, Query(max_length=200, pattern=NAME, description="A named definition (see /api/definitions).")
    ] = None,
    rule: Annotated[Rule, Query(description="Counting rule.")] = "full",
    attribution: Annotated[
        Literal["as-published", "resolved", "lineage"] | None, Query(description="Whose country (lineage: Hub).")
    ] = None,
    unit: Annotated[Literal["family", "release", "variant"] | None, Query(description="With a definition.")] = None,
    source: Annotated[Literal["epoch", "huggingface"], Query(description="Epoch models or Hub repos.")] = "epoch",
    metric: Annotated[Literal["models", "downloads", "likes"] | None, Query(description="Hub metric.")] = None,
) -> Response:
    """The dashboard's figures (the JSON twin of ``/``): models by country, and by country and year for
    the leading countries, each with its definition, counting rule, attribution and sources."""
    if since is not None and until is not None and since > until:
        raise _unprocessable("since", f"since ({since}) is after until ({until})")
    common: dict[str, Any] = dict(
        since=since, until=until, rule=rule, attribution=attribution, source="epoch" if definition else source
    )
    if definition:
        common["definition"], common["unit"] = definition, unit
    elif unit is not None:
        raise _unprocessable("unit", "unit applies with a definition")
    if source == "huggingface" and not definition:
        common["metric"] = metric or "models"
    params = {k: v for k, v in {**common, "metric": metric}.items() if v is not None}

    def compute(census: Census) -> dict[str, Any]:
        by_country = _figure(census, CountQuery(by=("country",), **common))
        by_year = None
        if not definition:
            by_year = _figure(census, CountQuery(by=("country", "year"), **common))
            leaders = [r["group"] for r in by_country["rows"] if r["group"] is not None][:TOP_COUNTRIES_BY_YEAR]
            by_year["rows"] = [r for r in by_year["rows"] if r["group"] in leaders]
        return {"params": params, "by_country": by_country, "by_country_year": by_year}

    return await _answer(request, ("figures", tuple(sorted(params.items()))), compute)


@router.get(
    "/api/countries/{code}",
    tags=["dashboard"],
    responses={404: {"model": ErrorOut, "description": "no such country, or no model of it"}},
)
async def country_json(
    request: Request,
    code: Annotated[str, Path(max_length=100, pattern=NAME)],
    attribution: Literal["as-published", "resolved"] = "as-published",
    rule: Rule = "full",
    since: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    until: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Response:
    """A country's profile (the JSON twin of ``/countries/{code}``): models per year and share, top
    organizations, open-weights share, Hub downloads by lineage origin, best LMArena model."""

    def compute(census: Census) -> dict[str, Any]:
        try:
            profile = census.country_profile(
                code, attribution=attribution, rule=rule, since=since, until=until, limit=limit
            )
        except UnknownGroupError as exc:
            raise HTTPException(404, str(exc)) from exc
        return dict(_json(profile))

    return await _answer(request, ("country", code, attribution, rule, since, until, limit), compute)


@router.get(
    "/api/organizations/{name:path}",
    tags=["dashboard"],
    responses={404: {"model": ErrorOut, "description": "no such organization in the registry"}},
)
async def organization_json(
    request: Request,
    name: Annotated[str, Path(max_length=200, pattern=NAME)],
    since: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    until: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Response:
    """An organization's profile (the JSON twin of ``/organizations/{name}``)."""

    def compute(census: Census) -> dict[str, Any]:
        try:
            profile = census.organization_profile(name, since=since, until=until, limit=limit)
        except UnknownGroupError as exc:
            raise HTTPException(404, str(exc)) from exc
        return dict(_json(profile))

    return await _answer(request, ("organization", name, since, until, limit), compute)
