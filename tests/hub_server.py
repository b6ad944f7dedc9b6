"""A real Hub-like HTTP server on 127.0.0.1: ``/api/models`` pages built from the shared trending listing, and the
account overviews ``/api/organizations/{name}/overview`` and ``/api/users/{name}/overview`` (payloads in the Hub's
own shape, from ``HubState.organizations`` and ``HubState.users``; any other name is a 404, as on the Hub).

It honours ``author``, ``sort`` (newest or largest first), ``limit`` (page size, capped like the Hub's)
and pages with ``Link: <…cursor=N>; rel="next"`` headers. Faults are injected from a queue, one per
request: ``429`` (Retry-After), ``429-ratelimit`` (RateLimit headers), ``500``, ``503``, ``reset`` (the
connection is dropped), ``truncate`` (the body stops short of its Content-Length), ``badjson`` (a
well-framed but cut JSON body), ``stall`` (no answer within the client's timeout), ``404``.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

# The trending file re-cased some of the API's keys; the server speaks the API's own.
API_KEYS = {"pipelineTag": "pipeline_tag", "libraryName": "library_name"}
SORT_KEYS = {
    "createdAt": "createdAt",
    "downloads": "downloads",
    "likes": "likes",
    "trendingScore": "trendingScore",
    "lastModified": "lastModified",
}


def api_items(trending_file: Path) -> list[dict[str, Any]]:
    """The trending file's models as ``/api/models`` items (API key casing, no scraper-only fields)."""
    models = json.loads(trending_file.read_text(encoding="utf-8"))["models"]
    items = []
    for m in models:
        item = {API_KEYS.get(k, k): v for k, v in m.items() if k not in ("rank", "url")}
        item["_id"] = f"{abs(hash(m['id'])) % 16**24:024x}"
        items.append(item)
    return items


@dataclass
class HubState:
    items: list[dict[str, Any]]
    max_page: int = 100
    faults: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    stall_s: float = 3.0
    organizations: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Organization overviews by name, as ``/api/organizations/{name}/overview`` answers."""
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    """User overviews by name, as ``/api/users/{name}/overview`` answers."""


def organization_overview(name: str, fullname: str, **extra: Any) -> dict[str, Any]:
    """An organization overview as the Hub gives it (``GET /api/organizations/{name}/overview``)."""
    return {
        "avatarUrl": f"https://cdn-avatars.huggingface.co/v1/production/uploads/{abs(hash(name)) % 16**24:024x}/a.png",
        "fullname": fullname,
        "name": name,
        "type": "org",
        "isHf": False,
        "isMod": False,
        "isEnterprise": False,
        "isVerified": False,
        "numUsers": 12,
        "numModels": 40,
        "numSpaces": 3,
        "numDatasets": 5,
        "numFollowers": 800,
        "numPapers": 9,
        **extra,
    }


def user_overview(name: str, fullname: str, **extra: Any) -> dict[str, Any]:
    """A user overview as the Hub gives it (``GET /api/users/{name}/overview``)."""
    return {
        "_id": f"{abs(hash(name)) % 16**24:024x}",
        "avatarUrl": "/avatars/6d1b1e2f8c0a4e0f9a2b3c4d5e6f7a8b.svg",
        "isPro": False,
        "fullname": fullname,
        "user": name,
        "type": "user",
        "numModels": 7,
        "numDatasets": 1,
        "numSpaces": 0,
        "numDiscussions": 4,
        "numPapers": 2,
        "numUpvotes": 30,
        "numLikes": 120,
        "numFollowing": 10,
        "numFollowers": 55,
        "orgs": [],
        "isFollowing": False,
        **extra,
    }


def _select(state: HubState, query: dict[str, list[str]]) -> list[dict[str, Any]]:
    items = state.items
    if "author" in query:
        items = [i for i in items if i.get("author") == query["author"][0]]
    sort = SORT_KEYS.get(query.get("sort", ["trendingScore"])[0], "trendingScore")
    # newest / largest first, ties broken by id so that pages are stable
    return sorted(items, key=lambda i: (i.get(sort) or 0, i["id"]), reverse=True)


def _handler(state: HubState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def _send(
            self, status: int, body: bytes, headers: dict[str, str] | None = None, cut: int | None = None
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body if cut is None else body[:cut])
            if cut is not None:
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True

        def do_GET(self) -> None:
            state.requests.append(self.path)
            url = urlparse(self.path)
            fault = state.faults.pop(0) if state.faults else None
            if fault == "reset":
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                self.connection.close()
                self.close_connection = True
                return
            if fault == "stall":
                time.sleep(state.stall_s)
                self.close_connection = True
                return
            if fault in ("429", "500", "503", "404"):
                self._send(int(fault), b'{"error": "injected"}', {"Retry-After": "0"} if fault == "429" else None)
                return
            if fault == "429-ratelimit":
                self._send(
                    429,
                    b'{"error": "rate limited"}',
                    {"RateLimit": '"api";r=0;t=0', "RateLimit-Policy": '"fixed window";"api";q=500;w=300'},
                )
                return
            overview = re.fullmatch(r"/api/(organizations|users)/([^/]+)/overview", url.path)
            if overview:
                accounts = state.organizations if overview.group(1) == "organizations" else state.users
                payload = accounts.get(overview.group(2))
                if payload is None:
                    self._send(404, b'{"error": "Not Found"}')
                else:
                    self._send(200, json.dumps(payload).encode())
                return
            if url.path != "/api/models":
                self._send(404, b'{"error": "not found"}')
                return
            query = parse_qs(url.query)
            items = _select(state, query)
            size = min(int(query.get("limit", [str(state.max_page)])[0]), state.max_page)
            start = int(query.get("cursor", ["0"])[0])
            page = items[start : start + size]
            headers = {}
            if start + size < len(items):
                nxt = {k: v for k, v in query.items() if k != "cursor"}
                flat = [(k, x) for k, vs in nxt.items() for x in vs] + [("cursor", str(start + size))]
                host = f"http://{self.server.server_address[0]}:{self.server.server_address[1]}"  # type: ignore[index]
                headers["Link"] = f'<{host}/api/models?{urlencode(flat)}>; rel="next"'
            body = json.dumps(page).encode()
            if fault == "truncate":
                self._send(200, body, headers, cut=len(body) // 2)
            elif fault == "badjson":
                cut = body[: len(body) // 2]
                self._send(200, cut, headers)
            else:
                self._send(200, body, headers)

    return Handler


@contextmanager
def serve_hub(state: HubState) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
