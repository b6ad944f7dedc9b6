"""Schemathesis against the API's own /openapi.json, in-process on the small census: no server error, answers as
documented (the shape of every answer, on real rows of every source)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from modelcensus.outputs.api.app import create_app

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 20
HEAVY = {"/api/claims": 3, "/api/estimate": 6, "/api/estimate/link-errors": 3, "/api/lag": 6, "/api/vintages": 8}
"""Routes whose every new parameter set runs the whole figure again (claims ≈20 s): fewer generated requests."""


@pytest.fixture(scope="module")
def api_app(small_census_path: Path) -> FastAPI:
    app = create_app(small_census_path, timeout_s=600)
    with TestClient(app) as client:  # the once-per-store figures (claims ≈10 s, linkage), computed up front
        for url in ("/api/claims", "/api/frontier", "/api/models/warm-up"):
            assert client.get(url).status_code in (200, 404), url
    return app


@pytest.fixture(scope="module")
def api_schema(api_app: FastAPI) -> schemathesis.BaseSchema:
    schema = schemathesis.openapi.from_asgi("/openapi.json", api_app)
    return schema.include(path_regex="^/api/")  # the JSON API and the dashboard's JSON twins


@pytest.mark.timeout(900)
def test_api_conforms_to_its_schema(api_schema: schemathesis.BaseSchema) -> None:
    """Every GET operation under /api/, 20 generated requests each, fewer for the heavy ones (derandomized: the
    same ones every run)."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 15
    assert set(HEAVY) <= {op.path for op in operations}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=HEAVY.get(operation.path, EXAMPLES),
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def conforms(case: schemathesis.Case[Any]) -> None:
            case.call_and_validate(checks=CHECKS, timeout=300)

        conforms()
