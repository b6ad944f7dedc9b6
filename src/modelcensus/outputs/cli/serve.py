"""``modelcensus serve``: the read-only JSON API (and the dashboard) on uvicorn."""

import errno
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from modelcensus.config import Config
from modelcensus.errors import QueryError, StoreError
from modelcensus.outputs.cli.common import DbOption, _config, app, err_console, handle_errors
from modelcensus.outputs.common.heap import freeze_long_lived

if TYPE_CHECKING:
    import socket

    from fastapi import FastAPI

# How `serve --workers N` hands its options to the worker processes, which uvicorn starts afresh.
WORKER_CLAIMS = "MODELCENSUS_SERVE_CLAIMS"
WORKER_TIMEOUT = "MODELCENSUS_SERVE_TIMEOUT"


def listening_socket(host: str, port: int) -> "socket.socket":
    """A TCP socket bound to ``host:port``, before anything is announced: a port in use, or a host this machine
    cannot listen on, is a :class:`QueryError` naming ``--port`` or ``--host``."""
    import socket  # only the server needs it

    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        raise QueryError(f"--host {host}: cannot listen there ({exc.strerror})", parameter="host") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: a closed server's port is free
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise QueryError(
                f"--port {port}: already in use on {host} ({exc.strerror}); stop what listens there or choose "
                "another port",
                parameter="port",
            ) from None
        if exc.errno == errno.EACCES:
            raise QueryError(f"--port {port}: not allowed here ({exc.strerror})", parameter="port") from None
        raise QueryError(f"--host {host}: cannot listen there ({exc.strerror})", parameter="host") from None
    return sock


def worker_app() -> "FastAPI":
    """The app of one ``serve --workers N`` process (a uvicorn factory): the store is ``MODELCENSUS_DB``,
    set by the parent with the other options, so each worker opens the same census."""
    from modelcensus.outputs.api.app import create_app

    config = Config.from_env()
    claims = os.environ.get(WORKER_CLAIMS)
    api = create_app(
        config.db_path,
        config,
        claims_path=Path(claims) if claims else None,
        timeout_s=float(os.environ[WORKER_TIMEOUT]),
    )
    freeze_long_lived(server=True)
    return api


@app.command()
@handle_errors
def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on (default loopback only).")] = "127.0.0.1",
    port: Annotated[
        int,
        typer.Option(
            "--port", min=1, max=65535, help="TCP port (1–65535); checked free before the server says it is serving."
        ),
    ] = 8000,
    claims: Annotated[
        Path | None, typer.Option("--claims", help="Claims file for /api/claims (default examples/claims.yaml).")
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds a request may take before a 503 (the figure is cached).")
    ] = 30.0,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            help="uvicorn worker processes (default 1); each opens the store and keeps its own cache.",
        ),
    ] = 1,
    db: DbOption = None,
) -> None:
    """Serve the census read-only: JSON under /api/, OpenAPI at /openapi.json, docs at /docs."""
    import uvicorn

    from modelcensus.outputs.api.app import create_app

    config = _config(db)
    if not config.db_path.exists():
        raise StoreError(f"{config.db_path}: no census here yet; run `modelcensus build` first")
    sock = listening_socket(host, port)  # the port is ours before the server says it serves on it
    served = f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"
    announce = f"serving {config.db_path} on {served} (API under /api/, docs at /docs)"
    if workers == 1:
        api = create_app(config.db_path, config, claims_path=claims, timeout_s=timeout)
        freeze_long_lived(server=True)  # what the app imported lives as long as the server
        err_console.print(announce, highlight=False, soft_wrap=True)
        uvicorn.Server(uvicorn.Config(api, log_level="warning")).run(sockets=[sock])
        return
    sock.close()  # uvicorn's workers bind it again (with SO_REUSEADDR, as here)
    err_console.print(f"{announce} with {workers} workers", highlight=False, soft_wrap=True)
    os.environ["MODELCENSUS_DB"] = str(config.db_path.resolve())
    os.environ[WORKER_CLAIMS] = str(claims.resolve()) if claims else ""
    os.environ[WORKER_TIMEOUT] = repr(timeout)
    uvicorn.run(
        "modelcensus.outputs.cli.serve:worker_app",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level="warning",
    )
