"""``/docs``: Swagger UI served from the installed ``swagger-ui-bundle`` package, so the API's documentation renders
offline (FastAPI's default page loads Swagger UI from a CDN and is blank without one).

The bundled Swagger UI (4.15) predates OpenAPI 3.1, the version FastAPI writes: it is given
``/docs/openapi-3.0.json``, the same schema in OpenAPI 3.0 terms (:func:`openapi_30`); ``/openapi.json`` stays the
API's own 3.1 document.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from swagger_ui_bundle import swagger_ui_path

router = APIRouter()

SWAGGER_UI = Path(str(swagger_ui_path))
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
}
"""The bundle's files the page loads, and their media types: nothing else of the package is served."""


def openapi_30(schema: dict[str, Any]) -> dict[str, Any]:
    """An OpenAPI 3.1 document in OpenAPI 3.0 terms, for a Swagger UI that reads 3.0 only: a type that may be null
    (``anyOf: [X, {"type": "null"}]``) becomes ``X`` with ``nullable: true``, ``examples`` lists become one
    ``example``, ``const`` a one-value ``enum``."""

    def convert(node: Any) -> Any:
        if isinstance(node, list):
            return [convert(n) for n in node]
        if not isinstance(node, dict):
            return node
        out = {k: convert(v) for k, v in node.items()}
        for key in ("anyOf", "oneOf"):
            options = out.get(key)
            if isinstance(options, list) and {"type": "null"} in options:
                rest = [o for o in options if o != {"type": "null"}]
                out.pop(key)
                if len(rest) == 1:
                    out = {**rest[0], **out}
                else:
                    out[key] = rest
                out["nullable"] = True
        if isinstance(out.get("type"), list):
            types = [t for t in out["type"] if t != "null"]
            out["type"] = types[0] if len(types) == 1 else types
            if len(types) < len(node["type"]):
                out["nullable"] = True
        if "const" in out:
            out["enum"] = [out.pop("const")]
        if isinstance(out.get("examples"), list) and "schema" not in out:
            examples = out.pop("examples")
            if examples:
                out["example"] = examples[0]
        return out

    converted: dict[str, Any] = convert(copy.deepcopy(schema))
    converted["openapi"] = "3.0.3"
    return converted


@router.get("/docs", include_in_schema=False)
def swagger_ui(request: Request) -> HTMLResponse:
    """The API's interactive documentation, with Swagger UI's script and styles from this server."""
    return get_swagger_ui_html(
        openapi_url="/docs/openapi-3.0.json",
        title=f"{request.app.title} — API",
        swagger_js_url="/docs/static/swagger-ui-bundle.js",
        swagger_css_url="/docs/static/swagger-ui.css",
        swagger_favicon_url="/docs/static/favicon-32x32.png",
    )


@router.get("/docs/openapi-3.0.json", include_in_schema=False)
def openapi_for_swagger_ui(request: Request) -> JSONResponse:
    """``/openapi.json`` in OpenAPI 3.0 terms, for the bundled Swagger UI."""
    return JSONResponse(openapi_30(request.app.openapi()))


@router.get("/docs/static/{name}", include_in_schema=False)
def swagger_asset(name: str) -> FileResponse:
    """A file of the installed Swagger UI bundle."""
    if name not in ASSETS:
        raise HTTPException(404, f"no documentation asset {name!r}")
    return FileResponse(SWAGGER_UI / name, media_type=ASSETS[name])
