"""``format=csv`` answers of the API and of the dashboard's JSON twins: the table as a CSV file with its provenance
(:mod:`modelcensus.outputs.common.downloads`) and a descriptive name in ``Content-Disposition``."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from modelcensus.errors import QueryError
from modelcensus.outputs.common.downloads import content_disposition, csv_text, file_name, provenance_lines, vintage

PLAIN_PARAMETERS = ("country", "region", "organization", "code", "name")
"""Parameters a file name gives as their value alone (``CN``, not ``country-CN``)."""
SKIPPED_PARAMETERS = ("format", "table", "limit", "offset", "lang")
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "JSON, or with format=csv a CSV file (see docs/downloads.md)"}
}
"""A route's answer that is a CSV file with format=csv, as its OpenAPI schema says."""


class AnswerFormat(StrEnum):
    json = "json"
    csv = "csv"


def request_parts(params: Iterable[tuple[str, Any]]) -> list[str]:
    """The parts of a file name that say which request made the table: ``by-country``, ``definition-frontier``,
    ``CN``, ``since-2020``… (the parameters given, in the order given; a repeated one joined with ``-``)."""
    grouped: dict[str, list[str]] = {}
    for name, value in params:
        if name in SKIPPED_PARAMETERS or value is None or value == "" or value == []:
            continue
        values = value if isinstance(value, list | tuple) else [value]
        grouped.setdefault(name, []).extend(str(v.value if isinstance(v, StrEnum) else v) for v in values)
    parts = []
    for name, values in grouped.items():
        joined = "-".join(values)
        parts.append(joined if name in PLAIN_PARAMETERS else f"{name.replace('_', '-')}-{joined}")
    return parts


def given(request: Request) -> list[tuple[str, str]]:
    """The query's parameters as the request gave them."""
    return list(request.query_params.multi_items())


def csv_response(
    request: Request,
    rows: Sequence[Mapping[str, Any]],
    provenance: Mapping[str, Any] | None,
    *,
    figure: str,
    title: str,
    parts: Sequence[str] = (),
    columns: Sequence[str] | None = None,
) -> Response:
    """The rows as a CSV download: provenance lines first, then the table; named after the figure, the request
    and the data date it reads."""
    p = dict(provenance or {})
    query = request.url.query
    lines = provenance_lines(p, title=title, request=request.url.path + (f"?{query}" if query else ""))
    name = file_name(figure, [*parts, *request_parts(given(request))], vintage(p))
    return Response(
        csv_text(rows, columns, lines),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": content_disposition(name)},
    )


def payload(response: Response) -> Any:
    """The JSON a route answered (a cached answer's body included)."""
    return json.loads(bytes(response.body))


def table_of(data: Mapping[str, Any], table: str | None, tables: Mapping[str, str]) -> tuple[list[Any], str]:
    """A twin's table by its name (``table=models``): the rows at the path ``tables`` gives for it and its name."""
    if table is None:
        table = next(iter(tables))
    if table not in tables:
        raise QueryError(f"table must be one of {', '.join(tables)} for format=csv, not {table!r}", parameter="table")
    node: Any = data
    for key in tables[table].split("."):
        node = node.get(key) if isinstance(node, Mapping) else None
    return list(node or []), table
