"""``modelcensus serve``: the read-only JSON API (and the dashboard) on uvicorn."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from modelcensus.errors import StoreError
from modelcensus.outputs.cli_common import DbOption, _config, app, err_console, handle_errors


@app.command()
@handle_errors
def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on (default loopback only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
    claims: Annotated[
        Path | None, typer.Option("--claims", help="Claims file for /api/claims (default examples/claims.yaml).")
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds a request may take before a 503 (the figure is cached).")
    ] = 30.0,
    db: DbOption = None,
) -> None:
    """Serve the census read-only: JSON under /api/, OpenAPI at /openapi.json, docs at /docs."""
    import uvicorn

    from modelcensus.outputs.api import create_app

    config = _config(db)
    if not config.db_path.exists():
        raise StoreError(f"{config.db_path}: no census here yet; run `modelcensus build` first")
    api = create_app(config.db_path, config, claims_path=claims, timeout_s=timeout)
    err_console.print(f"serving {config.db_path} on http://{host}:{port}/ (API under /api/, docs at /docs)")
    uvicorn.run(api, host=host, port=port, log_level="warning")
