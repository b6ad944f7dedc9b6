"""A real HTTP server on 127.0.0.1 serving recorded payloads, with faults injected on demand."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Payloads:
    routes: dict[str, bytes] = field(default_factory=dict)
    faults: list[str] = field(default_factory=list)
    """Faults consumed one per request, in order: '503', '500', '429', 'retry-after-1' (a 429 asking for one
    second), 'reset', 'truncate' (the body stops short of its Content-Length), 'badjson' (a well-framed body cut
    in half), 'stall' (no answer within the client's timeout), '404'."""
    requests: list[str] = field(default_factory=list)
    stall_s: float = 2.0


def _handler(payloads: Payloads) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            payloads.requests.append(self.path)
            fault = payloads.faults.pop(0) if payloads.faults else None
            body = payloads.routes.get(self.path.split("?")[0])
            if fault == "reset":
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                self.connection.close()
                return
            if fault == "stall":
                time.sleep(payloads.stall_s)
                self.connection.close()
                return
            if fault in {"503", "500", "429", "retry-after-1"}:
                self.send_response(429 if fault == "retry-after-1" else int(fault))
                self.send_header("Retry-After", "1" if fault == "retry-after-1" else "0")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if body is None or fault == "404":
                self.send_response(404)
                self.send_header("Content-Length", "9")
                self.end_headers()
                self.wfile.write(b"not found")
                return
            if fault == "badjson":
                body = body[: len(body) // 2]
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2] if fault == "truncate" else body)

    return Handler


@contextmanager
def serve(payloads: Payloads) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(payloads))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
