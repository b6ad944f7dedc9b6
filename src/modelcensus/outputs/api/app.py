"""The read-only JSON API (``modelcensus serve``): FastAPI over the :class:`~modelcensus.census.Census` facade.

Concurrency: ingests publish a new store file with an atomic ``os.replace``. The API keeps one read-only
Census per file generation (inode, mtime): a request that finds the file changed opens the new one, and
the old one is closed when its last request is done. Each request uses exactly one Census, so its figures
are consistent; a Census's DuckDB connection is used by one thread at a time (a lock per generation).
Figures are cached per (generation, normalised parameters) as ready JSON bytes, and a repeated request
(same path, same parameters, same generation) is answered by :class:`CachedAnswers` before FastAPI parses
it: one ``stat`` of the store file and a dictionary look-up, no validation, no worker thread.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import parse_qsl, urlencode

import anyio
import anyio.to_thread
from fastapi import FastAPI, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import modelcensus as mc
from modelcensus.claims import default_claims
from modelcensus.config import Config
from modelcensus.errors import QUOTED_LENGTH, NotFound, QueryError, RouteTimeout, StoreError
from modelcensus.metrics.estimate import load_interval_solver
from modelcensus.orgs import requested_places
from modelcensus.outputs.api.docs import router as docs_router
from modelcensus.outputs.api.feeds import MEDIA_TYPE as ATOM_MEDIA_TYPE
from modelcensus.outputs.api.feeds import atom_feed
from modelcensus.outputs.api.generations import Generation, Generations, RequestKey
from modelcensus.outputs.api.queries import (
    cac_filings,
    canonical_model,
    claim_row,
    definition_out,
    models_download,
    models_page,
)
from modelcensus.outputs.common.count_query import count_figure
from modelcensus.outputs.common.new_query import new_report
from modelcensus.outputs.common.render import records, unprocessable_detail, with_coverage
from modelcensus.outputs.common.schemas import (
    CacFilingPage,
    CacSeriesRow,
    CacTotalRow,
    CacUnresolvedRow,
    CanonicalModelOut,
    ClaimOut,
    CountRow,
    DefinitionOut,
    ErrorOut,
    EstimateRow,
    FrontierOut,
    Health,
    LagOut,
    LinkErrorRow,
    ModelPage,
    NewPage,
    SourceRow,
    TrendRow,
    VintageRow,
)
from modelcensus.outputs.common.vintage_query import estimate_rows, lag_report, link_error_frame
from modelcensus.outputs.web import pages as web_pages
from modelcensus.outputs.web.downloads import CSV_RESPONSE, AnswerFormat, csv_response, payload, table_of
from modelcensus.queries import (
    TEXT_PATTERN,
    CacFilingsRequest,
    CountRequest,
    ModelsRequest,
    NewRequest,
    PlaceRequest,
    check_dimensions,
    request_error,
)
from modelcensus.records import country_name, jsonable, requested_name
from modelcensus.vocabulary import (
    VINTAGE_DIMENSIONS,
    Attribution,
    CacRecordType,
    CountSource,
    Derivatives,
    Dimension,
    HubMetric,
    OpenWeights,
    Period,
    Rule,
)

T = TypeVar("T")

MAX_PAGE = 500
MAX_NEW_PAGE = 5000
FEED_ENTRIES = 200
"""The newest models a feed lists unless asked for more (a reader polls it: the older ones it has seen)."""
MAX_GROUP_BY = 3
DEFAULT_TIMEOUT_S = 30.0
EXAMPLE_CLAIMS = default_claims()
"""The claims ``/api/claims`` checks unless ``serve --claims`` names others (the working folder's, else shipped)."""

Text = Annotated[str | None, Query(max_length=200, pattern=TEXT_PATTERN)]
Year = Annotated[int | None, Query(ge=1900, le=2100)]
Breakdown = Annotated[list[Dimension], Query(max_length=MAX_GROUP_BY)]
FORMAT = Query(
    alias="format", description="json (default) or csv: a file named after the request, its provenance in # lines"
)


def _dumps(value: Any) -> bytes:
    return json.dumps(jsonable(value), ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


def _unprocessable(exc: QueryError, where: str = "query") -> JSONResponse:
    """422 with the parameter the error names as the field (``["query"]`` when it names none; ``["path", …]`` for
    a parameter of the path)."""
    return JSONResponse(status_code=422, content={"detail": unprocessable_detail(exc, where)})


def _cut_short(error: dict[str, Any]) -> dict[str, Any]:
    """One of FastAPI's validation errors with the value given cut to its first characters: a 422 never echoes a
    60,000-character parameter back."""
    given = error.get("input")
    if isinstance(given, str) and len(given) > QUOTED_LENGTH:
        return {**error, "input": f"{given[:QUOTED_LENGTH]}… ({len(given):,} characters)"}
    return error


class ReadOnly:
    """Only GET and HEAD (405 otherwise); HEAD is answered as GET without the body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method not in ("GET", "HEAD"):
            body = _dumps({"detail": f"the API is read-only: {method} is not allowed (GET and HEAD only)"})
            await send(
                {
                    "type": "http.response.start",
                    "status": 405,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"allow", b"GET, HEAD"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        if method == "GET":
            await self.app(scope, receive, send)
            return

        async def headless(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headless)


# The generation an answer came from, set by Api.answer for CachedAnswers (a holder per request).
_ANSWERED: ContextVar[list[Generation] | None] = ContextVar("modelcensus_answered", default=None)


def request_key(scope: Scope) -> RequestKey:
    """The path and the query's parameters in a canonical order (a repeated name keeps its values' order)."""
    pairs = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    return (scope["path"], tuple(sorted(pairs, key=lambda pair: pair[0])))


async def _send_json(send: Send, body: bytes) -> None:
    headers = [(b"content-length", str(len(body)).encode()), (b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class CachedAnswers:
    """Answers a repeated GET under ``/api/`` from its generation's cache, before routing and validation.

    A request that misses goes through the app; when its route answered through :meth:`Api.answer` with a
    200, the body is kept under (path, normalised query) in the generation it was computed from. The
    ``stat`` per request notices a store published with ``os.replace``: the new generation has no answers
    yet, so the request goes through the app, which opens it.
    """

    def __init__(self, app: ASGIApp, generations: Generations) -> None:
        self.app = app
        self.generations = generations

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        key = request_key(scope)
        if ("format", "csv") in key[1]:  # a download: its headers name the file, so it is not replayed as JSON
            await self.app(scope, receive, send)
            return
        current = self.generations.peek()
        body = current.answered(key) if current is not None else None
        if body is not None:
            await _send_json(send, body)
            return
        answered: list[Generation] = []
        status = 0
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        token = _ANSWERED.set(answered)
        try:
            await self.app(scope, receive, capture)
        finally:
            _ANSWERED.reset(token)
        if status == 200 and answered:
            answered[-1].remember(key, b"".join(chunks))


# -- the app ------------------------------------------------------------------------------------------


class Api:
    """The routes' shared state: the store generations, the claims file and the time limit."""

    def __init__(self, db_path: Path, config: Config, claims_path: Path | None, timeout_s: float) -> None:
        self.generations = Generations(db_path, config)
        self.config = config
        self.claims_path = claims_path
        self.timeout_s = timeout_s

    async def answer(
        self,
        key: tuple[Any, ...],
        compute: Callable[[Generation], Any],
        *,
        render: Callable[[Any], bytes] = _dumps,
        media_type: str = "application/json",
    ) -> Response:
        """The JSON of ``compute(generation)`` (or what ``render`` makes of it), from the generation's cache or computed
        on a worker thread."""
        generation = self.generations.acquire()
        answered = _ANSWERED.get()
        if answered is not None:
            answered.append(generation)
        hit = generation.cached(key)
        if hit is not None:
            self.generations.release(generation)
            return Response(hit, media_type=media_type)

        def work() -> bytes:
            try:
                with generation.lock:
                    body = generation.cached(key)
                    if body is None:
                        body = render(compute(generation))
                        generation.keep(key, body)
                    return body
            finally:
                self.generations.release(generation)

        try:
            with anyio.fail_after(self.timeout_s):
                body = await anyio.to_thread.run_sync(work, abandon_on_cancel=True)
        except TimeoutError:
            # The worker finishes and caches the figure; stopping it would make a slow figure never answer.
            raise RouteTimeout(
                f"the figure is not ready after {self.timeout_s:g} s; ask again shortly (it is cached once "
                "computed), or narrow the request (fewer dimensions, a period)"
            ) from None
        return Response(body, media_type=media_type)


def create_app(
    db_path: Path,
    config: Config | None = None,
    *,
    claims_path: Path | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> FastAPI:
    """The API (and the dashboard's pages, when :mod:`modelcensus.outputs.web.pages` is installed)."""
    config = config or Config(db_path=Path(db_path))
    api = Api(Path(db_path), config, claims_path or EXAMPLE_CLAIMS, timeout_s)
    load_interval_solver()  # the estimates' routes solve their intervals with it: imported once, before serving

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        api.generations.close()

    app = FastAPI(
        title="modelcensus",
        version=mc.__version__,
        description="The open, reproducible census of the world's AI models: read-only JSON. Every figure states "
        "its definition, counting rule, attribution and denominator; /api/models lists the models behind it.",
        responses={503: {"model": ErrorOut, "description": "the store cannot be read, or the request took too long"}},
        lifespan=lifespan,
        docs_url=None,  # served from the installed swagger-ui-bundle, not a CDN (outputs/api/docs.py)
    )
    app.state.api = api
    app.state.db_path = Path(db_path)
    app.add_middleware(CachedAnswers, generations=api.generations)
    app.add_middleware(ReadOnly)  # the outer one: HEAD reaches CachedAnswers as GET

    @app.exception_handler(QueryError)
    async def _query_error(request: Request, exc: QueryError) -> JSONResponse:
        return _unprocessable(exc, "path" if exc.parameter in request.path_params else "query")

    @app.exception_handler(RequestValidationError)
    async def _invalid_parameter(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(
            status_code=422, content={"detail": [_cut_short(e) for e in jsonable_encoder(exc.errors())]}
        )

    @app.exception_handler(ValidationError)
    async def _invalid_request(request: Request, exc: ValidationError) -> JSONResponse:
        return _unprocessable(request_error(exc))

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse(status_code=404, content={"detail": str(exc)})

    @app.exception_handler(StoreError)
    async def _store_error(request: Request, exc: StoreError) -> JSONResponse:
        return JSONResponse(status_code=503, content={"detail": str(exc)})

    @app.exception_handler(RouteTimeout)
    async def _timeout(request: Request, exc: RouteTimeout) -> JSONResponse:
        return JSONResponse(status_code=503, content={"detail": str(exc)})

    @app.get("/api/health", response_model=Health, tags=["meta"])
    async def health() -> Response:
        """Whether the store can be opened, and which file generation is served (no query runs)."""
        generation = api.generations.acquire()
        api.generations.release(generation)
        return Response(_dumps({"status": "ok", "generation": list(generation.key)}), media_type="application/json")

    @app.get("/api/count", response_model=list[CountRow], tags=["figures"], responses=CSV_RESPONSE)
    async def count(
        request: Request, q: Annotated[CountRequest, Query()], fmt: Annotated[AnswerFormat, FORMAT] = AnswerFormat.json
    ) -> Response:
        """Count and share per group: exactly what ``modelcensus count --format json`` prints for the same
        parameters (``by`` repeatable, at most 3); ``format=csv``: the same rows as a CSV file with its provenance."""
        if len(q.by) > MAX_GROUP_BY:
            raise QueryError(f"at most {MAX_GROUP_BY} grouping dimensions (by), not {len(q.by)}", parameter="by")
        if fmt == AnswerFormat.csv:

            def both(g: Generation) -> dict[str, Any]:
                figure = count_figure(g.census, q)
                return {"title": figure.title, "rows": figure.records(), "provenance": figure.provenance.to_dict()}

            data = payload(await api.answer(("count-csv", q), both))
            return csv_response(request, data["rows"], data["provenance"], figure="count", title=data["title"])
        return await api.answer(("count", q), lambda g: count_figure(g.census, q).records())

    @app.get("/api/models", response_model=ModelPage, tags=["figures"], responses=CSV_RESPONSE)
    async def models(
        request: Request,
        q: Annotated[ModelsRequest, Query()],
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
        offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
        after: Annotated[str | None, Query(max_length=4000, description="a page's next cursor")] = None,
        fmt: Annotated[AnswerFormat, FORMAT] = AnswerFormat.json,
    ) -> Response:
        """The models behind a figure, paged: the count's filters plus the group (``country``, ``year``,
        ``organization``); ``country=none`` for the no-country row. Page by ``offset``, or by ``after`` (the
        ``next`` cursor of the page before: every page then costs the same, however deep). ``format=csv``: every
        one of them (no paging) as a CSV file with the provenance of the figure they are behind."""
        if fmt == AnswerFormat.csv:
            data = payload(await api.answer(("models-csv", q), lambda g: models_download(g, q)))
            return csv_response(request, data["rows"], data["provenance"], figure="models", title=data["title"])
        return await api.answer(("models", q, limit, offset, after), lambda g: models_page(g, q, limit, offset, after))

    @app.get(
        "/api/models/{model_id:path}",
        response_model=CanonicalModelOut,
        responses={404: {"model": ErrorOut, "description": "no such canonical model or record"}, **CSV_RESPONSE},
        tags=["figures"],
    )
    async def model(
        request: Request,
        model_id: str,
        as_of: date | None = None,
        fmt: Annotated[AnswerFormat, FORMAT] = AnswerFormat.json,
        table: Annotated[str | None, Query(max_length=20, description="format=csv: facts, records or evidence")] = None,
    ) -> Response:
        """One canonical model (the id of ``modelcensus links --format json``, or a record reference
        ``source:source_id`` as /api/models gives) with all its records, the evidence, its parameters, training
        compute and arena ratings (``facts``, each value with its source record) and the provenance (the
        snapshots in force on ``as_of``); an id over 300 characters is a 422 that does not repeat it.
        ``format=csv&table=facts|records|evidence``: that table as a CSV file with its provenance."""
        model_id = requested_name(model_id, "model_id")
        answer = await api.answer(("model", model_id, as_of), lambda g: canonical_model(g, model_id, as_of))
        if fmt == AnswerFormat.json:
            return answer
        data = payload(answer)
        rows, chosen = table_of(data, table, {"facts": "", "records": "records", "evidence": "evidence"})
        if chosen == "facts":
            rows = [{"fact": k, "unit": f["unit"], **v} for k, f in data["facts"].items() for v in f["values"]]
        what = {"facts": "Parameters, training compute and arena ratings", "records": "Records", "evidence": "Links"}
        return csv_response(
            request,
            rows,
            {"snapshots": data["provenance"]},
            figure="model",
            title=f"{what[chosen]} of the model {data['name']} ({data['id']}) across the census's sources",
            parts=[data["id"], chosen],
        )

    @app.get("/api/sources", response_model=list[SourceRow], tags=["provenance"])
    async def sources(as_of: date | None = None) -> Response:
        """Stored snapshots and their provenance, with how each data date was found (as ``modelcensus sources
        --format json``); ``current`` as of ``as_of``."""
        return await api.answer(("sources", as_of), lambda g: records(g.census.sources(as_of=as_of)))

    @app.get("/api/definitions", response_model=list[DefinitionOut], tags=["definitions"])
    async def definitions() -> Response:
        """The preset and user census definitions."""
        return await api.answer(
            ("definitions",), lambda g: [definition_out(d) for d in g.census.definitions().values()]
        )

    @app.get(
        "/api/definitions/{name}",
        response_model=DefinitionOut,
        responses={404: {"model": ErrorOut, "description": "no such definition"}},
        tags=["definitions"],
    )
    async def definition(name: str) -> Response:
        """One definition."""
        name = requested_name(name, "name")

        def one(g: Generation) -> dict[str, Any]:
            found = g.census.definitions()
            if name not in found:
                raise NotFound(f"unknown definition {name!r}; known: {', '.join(sorted(found))}")
            return definition_out(found[name])

        return await api.answer(("definition", name), one)

    @app.get(
        "/api/claims",
        response_model=list[ClaimOut],
        responses={404: {"model": ErrorOut, "description": "no claims file configured"}, **CSV_RESPONSE},
        tags=["claims"],
    )
    async def claims(
        request: Request, as_of: date | None = None, fmt: Annotated[AnswerFormat, FORMAT] = AnswerFormat.json
    ) -> Response:
        """Verdicts on the published claims at their vintage (as ``modelcensus check FILE --format json``),
        computed once per store generation; ``as_of`` reads "now" as the census stood on that date. ``format=csv``:
        one row per claim (the figure at its vintage, at the next and now, the range) with the claims file named."""
        path = api.claims_path
        if path is None:
            raise NotFound("no claims file: start the server with --claims FILE")
        answer = await api.answer(("claims", str(path), as_of), lambda g: g.census.check(path, as_of=as_of))
        if fmt == AnswerFormat.json:
            return answer
        results = payload(answer)
        snapshots = payload(
            await api.answer(
                ("claims-sources", as_of),
                lambda g: g.census.snapshots_in_force(["epoch", "huggingface", "openrouter", "lmarena"], as_of),
            )
        )
        return csv_response(
            request,
            [claim_row(r) for r in results],
            {"definition": "each claim under its own definition (the definition column)", "snapshots": snapshots},
            figure="claims",
            title=f"Published claims of {path.name} read at their vintage, at the next vintage and now",
            parts=[path.stem],
        )

    @app.get("/api/frontier", response_model=FrontierOut, tags=["figures"])
    async def frontier(
        category: Annotated[str, Query(max_length=100, pattern=r"^[\w./-]+$")] = "full", as_of: date | None = None
    ) -> Response:
        """The quality frontier (``modelcensus frontier --format json``) and the US–CN gap (``--gap``), each rating
        at the day it describes; ``as_of`` keeps the days on or before it."""
        full = category if "/" in category else f"text/{category}"

        def both(g: Generation) -> dict[str, Any]:
            best = records(g.census.frontier(category=full, as_of=as_of).frame)
            try:
                gap = records(g.census.frontier_gap(category=full, as_of=as_of).frame)
            except QueryError:
                gap = []  # no US or no Chinese model rated in this category
            return {"category": full, "frontier": best, "gap": gap}

        return await api.answer(("frontier", full, as_of), both)

    @app.get("/api/trend", response_model=list[TrendRow], tags=["figures"])
    async def trend(
        place: Annotated[PlaceRequest, Query()],
        by: Breakdown = [Dimension.COUNTRY],  # noqa: B006
        metric: HubMetric = HubMetric.DOWNLOADS,
        attribution: Attribution = Attribution.RESOLVED,
        derivatives: Derivatives = Derivatives.INCLUDE,
        pipeline_tag: Text = None,
        rule: Rule = Rule.FULL,
        as_of: date | None = None,
    ) -> Response:
        """The Hub figure as of every stored harvest up to ``as_of`` (as ``modelcensus trend --format json``);
        ``country`` or ``region`` keeps the repos of those countries under the attribution."""
        check_dimensions(by)
        key = ("trend", tuple(by), metric, attribution, derivatives, pipeline_tag, rule, as_of, place)
        return await api.answer(
            key,
            lambda g: records(
                with_coverage(
                    g.census.trend(
                        list(by),
                        metric=metric,
                        attribution=attribution,
                        rule=rule,
                        derivatives=derivatives,
                        pipeline_tag=pipeline_tag,
                        as_of=as_of,
                        **place.place(),
                    )
                )
            ),
        )

    @app.get("/api/vintages", response_model=list[VintageRow], tags=["vintages"])
    async def vintages(
        place: Annotated[PlaceRequest, Query()],
        by: Dimension = Dimension.COUNTRY,
        year: Year = None,
        since: Year = None,
        until: Year = None,
        notable: bool | None = None,
        frontier: bool | None = None,
        large_scale: bool | None = None,
        open_weights: OpenWeights | None = None,
        domain: Text = None,
        rule: Rule = Rule.FULL,
        attribution: Attribution = Attribution.AS_PUBLISHED,
    ) -> Response:
        """The figure at every stored Epoch AI vintage (as ``modelcensus vintages --format json``); ``country`` or
        ``region`` keeps the models of those countries under the attribution."""
        if by not in VINTAGE_DIMENSIONS:
            raise QueryError(f"vintages are by {', '.join(VINTAGE_DIMENSIONS)}, not {by}", parameter="by")
        filters = dict(
            year=year,
            since=since,
            until=until,
            notable=notable,
            frontier=frontier,
            large_scale=large_scale,
            open_weights=open_weights,
            domain=domain,
            **place.place(),
        )
        key = ("vintages", by, tuple(sorted((k, str(v)) for k, v in filters.items())), rule, attribution)
        return await api.answer(
            key, lambda g: records(g.census.vintages(by, rule=rule, attribution=attribution, **filters).frame)
        )

    @app.get("/api/lag", response_model=LagOut, tags=["vintages"])
    async def lag(
        place: Annotated[PlaceRequest, Query()],
        since: Year = None,
        until: Year = None,
        by: Dimension | None = None,
        notable: bool | None = None,
        frontier: bool | None = None,
        large_scale: bool | None = None,
        open_weights: OpenWeights | None = None,
        domain: Text = None,
        as_of: date | None = None,
    ) -> Response:
        """The listing lag and each recent year's status (as ``modelcensus lag --format json``); ``country`` or
        ``region`` assesses the models of those countries (as published)."""
        if by not in (None, Dimension.COUNTRY):
            raise QueryError(f"the listing lag is assessed by country, not by {by}", parameter="by")
        filters = dict(
            notable=notable,
            frontier=frontier,
            large_scale=large_scale,
            open_weights=open_weights,
            domain=domain,
            **place.place(),
        )
        key = ("lag", since, until, by, tuple(sorted((k, str(v)) for k, v in filters.items())), as_of)
        return await api.answer(key, lambda g: lag_report(g.census, since, until, by, as_of, filters))

    @app.get("/api/estimate", response_model=list[EstimateRow], tags=["vintages"])
    async def estimate(
        definition: Text = "all-sources",
        source: Annotated[list[str] | None, Query(max_length=6)] = None,
        year: Year = None,
        since: Year = None,
        until: Year = None,
        as_of: date | None = None,
    ) -> Response:
        """Models including those no source lists, per country (as ``modelcensus estimate --format json``)."""
        key = ("estimate", definition, tuple(source or ()), year, since, until, as_of)
        return await api.answer(
            key, lambda g: estimate_rows(g.census, definition or "all-sources", source, year, since, until, as_of)
        )

    @app.get("/api/estimate/link-errors", response_model=list[LinkErrorRow], tags=["vintages"])
    async def estimate_link_errors(
        definition: Text = "all-sources",
        country: Annotated[str | None, Query(max_length=60, description="one country: ISO code or name")] = None,
        year: Year = None,
        since: Year = None,
        until: Year = None,
        as_of: date | None = None,
    ) -> Response:
        """How the estimate of all models (or of one ``country``) moves if 1–10% of the links were missed or false
        (as ``modelcensus estimate --link-errors --format json``)."""
        if year is not None and (since is not None or until is not None):
            raise QueryError("give either year, or since/until, not both", parameter="year")
        key = ("link-errors", definition, country, year, since, until, as_of)
        return await api.answer(
            key,
            lambda g: records(
                link_error_frame(g.census, definition or "all-sources", Period(year, since, until), country, as_of)
            ),
        )

    @app.get("/api/new", response_model=NewPage, tags=["figures"], responses=CSV_RESPONSE)
    async def new(
        request: Request,
        q: Annotated[NewRequest, Query()],
        limit: Annotated[int, Query(ge=1, le=MAX_NEW_PAGE)] = MAX_PAGE,
        offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
        fmt: Annotated[AnswerFormat, FORMAT] = AnswerFormat.json,
        table: Annotated[
            str | None, Query(max_length=20, description="format=csv: models, compared or by_country")
        ] = None,
    ) -> Response:
        """What's new: the models that entered the census after ``since`` (default: the previous snapshot's date),
        dated by the first stored snapshot that listed them, newest first, paged, with the snapshots compared and the
        count per country (as ``modelcensus new --format json``; the feed is ``/feeds/new.atom``). ``format=csv``:
        the page's models (``table=models``, a model's source records as their refs), the snapshots compared
        (``compared``) or the count per country (``by_country``), with the provenance."""
        answer = await api.answer(("new", q, limit, offset), lambda g: new_report(g.census, q, limit, offset))
        if fmt == AnswerFormat.json:
            return answer
        data = payload(answer)
        rows, name = table_of(data, table, {"models": "items", "compared": "compared", "by_country": "by_country"})
        if name == "models":
            rows = [{**r, "records": [record["ref"] for record in r["records"]]} for r in rows]
        return csv_response(
            request,
            rows,
            data["provenance"],
            figure="new",
            title=f"Models that entered the census after {data['since']}" + ("" if name == "models" else f": {name}"),
            parts=[name],
        )

    @app.get(
        "/feeds/new.atom",
        response_class=Response,
        responses={200: {"content": {ATOM_MEDIA_TYPE: {}}, "description": "an Atom 1.0 feed"}},
        tags=["figures"],
    )
    async def new_feed(
        request: Request,
        q: Annotated[NewRequest, Query()],
        limit: Annotated[int, Query(ge=1, le=MAX_NEW_PAGE)] = FEED_ENTRIES,
    ) -> Response:
        """What's new as an Atom 1.0 feed: one entry per model (the newest ``limit``), dated the day it entered the
        census, linking to its model page and its source records; the same parameters as ``/api/new``."""
        base = str(request.base_url).rstrip("/")
        kept = [(k, v) for k, v in request.query_params.multi_items() if k != "limit"]  # the page's own parameters
        page = f"{base}/new" + (f"?{urlencode(kept)}" if kept else "")
        codes, region = requested_places(q.country, q.region)
        place = region or " or ".join(country_name(c) if c else "no country" for c in codes) or None

        def render(report: dict[str, Any]) -> bytes:
            return atom_feed(report, base=base, self_url=str(request.url), page_url=page, place=place)

        key = ("new-feed", q, limit, str(request.url))
        return await api.answer(
            key, lambda g: new_report(g.census, q, limit), render=render, media_type=ATOM_MEDIA_TYPE
        )

    @app.get("/api/cac/series", response_model=list[CacSeriesRow], tags=["cac"])
    async def cac_series(record_type: CacRecordType = CacRecordType.FILING, as_of: date | None = None) -> Response:
        """The CAC register month by month beside its published totals (as ``modelcensus cac series --format
        json``); a filing is a service, not a model."""
        key = ("cac-series", record_type, as_of)
        return await api.answer(key, lambda g: records(g.census.cac_series(record_type=record_type, as_of=as_of).frame))

    @app.get("/api/cac/totals", response_model=list[CacTotalRow], tags=["cac"])
    async def cac_totals(as_of: date | None = None) -> Response:
        """The register's published totals, each with its source and reliability, beside what is stored (as
        ``modelcensus cac totals --format json``)."""
        return await api.answer(("cac-totals", as_of), lambda g: records(g.census.cac_totals(as_of=as_of).frame))

    @app.get("/api/cac/filings", response_model=CacFilingPage, tags=["cac"])
    async def cac_filings_route(
        q: Annotated[CacFilingsRequest, Query()],
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
        offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    ) -> Response:
        """The filings behind a ``/api/count?source=cac`` figure, paged, every column: the group as ``country``,
        ``province``, ``organization`` or ``month`` (``none``: the null row)."""
        if q.source != CountSource.CAC or q.definition is not None:
            raise QueryError("CAC filings are the register's: source is cac, and no definition", parameter="source")
        chosen = q

        def page(g: Generation) -> dict[str, Any]:
            frame = g.memo(("cac-filings", chosen), lambda: cac_filings(g.census, chosen))
            return {"total": len(frame), "limit": limit, "offset": offset, "items": records(frame[offset:][:limit])}

        return await api.answer(("cac-filings", chosen, limit, offset), page)

    @app.get("/api/cac/unresolved", response_model=list[CacUnresolvedRow], tags=["cac"])
    async def cac_unresolved(record_type: CacRecordType = CacRecordType.FILING, as_of: date | None = None) -> Response:
        """Providers of filings that the registry does not resolve (as ``modelcensus cac unresolved``)."""
        key = ("cac-unresolved", record_type, as_of)
        return await api.answer(
            key, lambda g: records(g.census.cac_unresolved(record_type=record_type, as_of=as_of).frame)
        )

    app.include_router(docs_router)
    app.include_router(web_pages.router)

    return app
