"""Network faults on every live source path: Epoch's zip, the Hub harvest, OpenRouter, LMArena and litellm.

Each is fetched from a real HTTP server on 127.0.0.1 serving the shared real files, with faults injected
(503, 500, 429 with ``Retry-After``, reset connections, bodies cut short of their Content-Length, stalled
responses past the client's timeout). Transient faults are retried with backoff and the census ends exactly as
an ingest of the same files from disk; a permanent failure ends with a :class:`SourceUnavailableError` naming the
URL, after a bounded number of attempts, and leaves the store's fingerprint unchanged (``tests/test_live.py`` and
``tests/test_huggingface.py`` cover more of Epoch's and the Hub's paths).
"""

from __future__ import annotations

import io
import shutil
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import modelcensus as mc
from hub_server import HubState, api_items, serve_hub
from modelcensus.config import Config
from modelcensus.errors import InputFormatError, SourceUnavailableError
from modelcensus.sources import litellm, lmarena, openrouter

from httpserver import Payloads, serve

TRANSIENT = ["503", "429", "reset", "truncate", "stall", "500"]
RETRIES = 3
EPOCH_FILES = ("all_ai_models.csv", "notable_ai_models.csv", "large_scale_ai_models.csv", "frontier_ai_models.csv")


@dataclass(frozen=True)
class LiveSource:
    """How one source is fetched live, where its files are served, and how its stored content is compared."""

    name: str
    routes: dict[str, bytes]
    url: str  # the route the census fetches first (for a multi-file source, the first file)
    point: Callable[[pytest.MonkeyPatch, str], Config | None]  # aims the source at the test server
    ingest_live: Callable[[mc.Census], object]
    ingest_file: Callable[[mc.Census], object]
    content_sql: str


def _config(tmp_path: Path, **overrides: Any) -> Config:
    values: dict[str, Any] = {
        "db_path": tmp_path / "census.duckdb",
        "cache_dir": tmp_path / "cache",
        "http_timeout_s": 0.5,
        "http_retries": RETRIES,
        "http_backoff_s": 0.01,
    }
    values.update(overrides)
    return Config(**values)


CATALOG_SQL = (
    "SELECT source, source_id, name, organization, published_on, hf_id, open_weights, license, "
    "countries_published, attributes FROM catalog_records WHERE source = '{source}' ORDER BY ALL"
)
RATINGS_SQL = "SELECT source_id, category, rating, rating_low, rating_high FROM ratings ORDER BY ALL"


@pytest.fixture(scope="module")
def zipped_export(epoch_dir: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in EPOCH_FILES:
            zf.write(epoch_dir / name, name)
    return buffer.getvalue()


def _sources(shared: Path, epoch_dir: Path, zipped: bytes) -> dict[str, LiveSource]:
    arena = shared / "lmarena_arena_catalog"
    openrouter_file = shared / "openrouter" / "openrouter-models_2026-05-01.json"
    litellm_file = shared / "litellm" / "model_prices_and_context_window_backup.json"

    def patch(module: Any, attribute: str, route: str) -> Callable[[pytest.MonkeyPatch, str], Config | None]:
        def point(monkeypatch: pytest.MonkeyPatch, base: str) -> None:
            monkeypatch.setattr(module, attribute, base + route)

        return point

    return {
        "epoch": LiveSource(
            "epoch",
            {"/data/ai_models.zip": zipped},
            "/data/ai_models.zip",
            lambda monkeypatch, base: None,
            lambda c: c.ingest_epoch(),
            lambda c: c.ingest_epoch(epoch_dir),
            "SELECT * EXCLUDE (export_id) FROM models ORDER BY ALL",
        ),
        "openrouter": LiveSource(
            "openrouter",
            {"/api/v1/models": openrouter_file.read_bytes()},
            "/api/v1/models",
            patch(openrouter, "URL", "/api/v1/models"),
            lambda c: c.ingest_openrouter(),
            lambda c: c.ingest_openrouter(openrouter_file),
            CATALOG_SQL.format(source="openrouter"),
        ),
        "litellm": LiveSource(
            "litellm",
            {"/litellm.json": litellm_file.read_bytes()},
            "/litellm.json",
            patch(litellm, "URL", "/litellm.json"),
            lambda c: c.ingest_litellm(),
            lambda c: c.ingest_litellm(litellm_file),
            CATALOG_SQL.format(source="litellm"),
        ),
        "lmarena": LiveSource(
            "lmarena",
            {f"/arena/{name}": (arena / name).read_bytes() for name in lmarena.LIVE_FILES},
            f"/arena/{lmarena.LIVE_FILES[0]}",
            patch(lmarena, "BASE_URL", "/arena/"),
            lambda c: c.ingest_lmarena(),
            lambda c: c.ingest_lmarena(arena),
            CATALOG_SQL.format(source="lmarena") + "; " + RATINGS_SQL,
        ),
    }


def _content(census: mc.Census, sql: str) -> list[list[tuple[Any, ...]]]:
    return [census.store.con.execute(part).fetchall() for part in sql.split("; ")]


def _served_sha256(census: mc.Census, source: str) -> set[str]:
    return {
        str(r[0])
        for r in census.store.con.execute("SELECT sha256 FROM snapshots WHERE source = ?", [source]).fetchall()
    }


@pytest.fixture(scope="module")
def sources(shared: Path, epoch_dir: Path, zipped_export: bytes) -> dict[str, LiveSource]:
    return _sources(shared, epoch_dir, zipped_export)


@pytest.mark.parametrize("name", ["epoch", "openrouter", "litellm", "lmarena"])
def test_transient_faults_end_as_a_fault_free_ingest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sources: dict[str, LiveSource], name: str
) -> None:
    source = sources[name]
    with mc.open(tmp_path / "from-files.duckdb") as offline:
        source.ingest_file(offline)
        expected = _content(offline, source.content_sql)
        expected_sha = _served_sha256(offline, name)
    payloads = Payloads(routes=dict(source.routes), faults=list(TRANSIENT), stall_s=1.5)
    with serve(payloads) as base:
        source.point(monkeypatch, base)
        # Enough retries for every fault to land on one file: each download is retried on its own.
        config = _config(tmp_path, epoch_url=base + "/data/ai_models.zip", http_retries=len(TRANSIENT))
        with mc.open(config.db_path, config=config) as live:
            started = time.monotonic()
            source.ingest_live(live)
            elapsed = time.monotonic() - started
            assert _content(live, source.content_sql) == expected
            if name != "epoch":  # Epoch's snapshots are the zip's members, whose bytes equal the CSV files
                assert _served_sha256(live, name) == expected_sha
    assert not payloads.faults  # every fault was met
    assert len(payloads.requests) == len(source.routes) + len(TRANSIENT)
    assert elapsed < 30  # the stall is cut by the timeout; the retries' backoff is bounded
    assert not list((tmp_path / "cache").rglob("*.part"))


def _holding_data(tmp_path: Path, epoch_census_path: Path) -> Path:
    path = tmp_path / "census.duckdb"
    shutil.copyfile(epoch_census_path, path)
    return path


def _fingerprint(path: Path) -> str:
    with mc.open(path, read_only=True) as census:
        return census.store.fingerprint()


@pytest.mark.parametrize("name", ["epoch", "openrouter", "litellm", "lmarena"])
@pytest.mark.parametrize("fault", ["503", "stall", "404"])
def test_permanent_failure_names_the_url_and_writes_nothing(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    sources: dict[str, LiveSource],
    epoch_census_path: Path,
    name: str,
    fault: str,
) -> None:
    source = sources[name]
    db = _holding_data(tmp_path, epoch_census_path)
    before = _fingerprint(db)
    # A multi-file source (LMArena) fails on its last file, after the others were fetched ("ok": no fault).
    ahead = len(source.routes) - 1
    served = list(source.routes)[-1]
    faults = ["ok"] * ahead + ([fault] if fault == "404" else [fault] * 20)
    payloads = Payloads(routes=dict(source.routes), faults=faults, stall_s=0.8)
    with serve(payloads) as base:
        source.point(monkeypatch, base)
        config = _config(tmp_path, db_path=db, epoch_url=base + "/data/ai_models.zip", http_timeout_s=0.3)
        with mc.open(db, config=config) as live, pytest.raises(SourceUnavailableError) as raised:
            source.ingest_live(live)
    message = str(raised.value)
    assert base + served in message, message
    expected_attempts = 1 if fault == "404" else RETRIES + 1
    assert len(payloads.requests) == ahead + expected_attempts
    assert ("HTTP 404" if fault == "404" else f"{expected_attempts} attempts") in message
    assert _fingerprint(db) == before
    assert not list((tmp_path / "cache").rglob("*.part"))
    assert not list(tmp_path.glob("*.writing-*"))


@pytest.mark.parametrize("name", ["openrouter", "litellm", "lmarena"])
def test_a_well_framed_but_cut_body_is_refused_and_writes_nothing(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    sources: dict[str, LiveSource],
    epoch_census_path: Path,
    name: str,
) -> None:
    """A body cut in half but served whole (its Content-Length matches) is not a network fault: the parser
    refuses it, naming the cached file, and the store stays as it was."""
    source = sources[name]
    db = _holding_data(tmp_path, epoch_census_path)
    before = _fingerprint(db)
    payloads = Payloads(routes=dict(source.routes), faults=["badjson"])
    with serve(payloads) as base:
        source.point(monkeypatch, base)
        config = _config(tmp_path, db_path=db)
        with mc.open(db, config=config) as live, pytest.raises(InputFormatError) as raised:
            source.ingest_live(live)
    assert raised.value.file is not None and str(tmp_path / "cache") in raised.value.file
    assert _fingerprint(db) == before


def test_retry_after_is_honoured(tmp_path: Path, sources: dict[str, LiveSource]) -> None:
    source = sources["epoch"]
    payloads = Payloads(routes=dict(source.routes), faults=["retry-after-1"])
    with serve(payloads) as base:
        config = _config(tmp_path, epoch_url=base + "/data/ai_models.zip", http_backoff_s=0.01)
        with mc.open(config.db_path, config=config) as live:
            started = time.monotonic()
            live.ingest_epoch()
            assert time.monotonic() - started >= 1.0  # the server asked for one second; the backoff alone is 0.01
    assert len(payloads.requests) == 2


def test_hub_harvest_permanent_failure_half_way_leaves_the_store_unchanged(
    tmp_path: Path, trending_file: Path, epoch_census_path: Path
) -> None:
    """Pages fetched, then the Hub fails for good: the error names the URL and nothing reaches the store."""
    items = api_items(trending_file)
    db = _holding_data(tmp_path, epoch_census_path)
    before = _fingerprint(db)
    state = HubState(items, max_page=100)
    pages: list[int] = []

    def on_page(repos: int) -> None:
        pages.append(repos)
        if len(pages) == 2:  # from the third page on, the Hub answers 500 for good
            state.faults.extend(["500"] * 200)

    with serve_hub(state) as base:
        config = _config(tmp_path, db_path=db, hub_endpoint=base, http_timeout_s=1.0)
        with mc.open(db, config=config) as census, pytest.raises(SourceUnavailableError) as raised:
            census.ingest_huggingface(sort="downloads", progress=on_page)
    assert len(pages) == 2
    assert str(raised.value).startswith(base + "/api/models?") and "HTTP 500" in str(raised.value)
    assert len(state.requests) <= 2 + (RETRIES + 1) ** 2  # bounded: huggingface_hub's retries inside ours
    assert _fingerprint(db) == before
