"""The dashboard in a real Chromium (Playwright, sync API) against the real app served by uvicorn.

Screenshots go to ``artifacts/screenshots/`` under the project root. A missing Chromium fails the run.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

import modelcensus as mc
from modelcensus.outputs.api import create_app

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOAD_TIMEOUT_MS = 120_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(full_census_path: Path) -> Iterator[str]:
    """The real app (create_app) on 127.0.0.1 at a free port, in a background thread."""
    port = _free_port()
    config = uvicorn.Config(create_app(full_census_path), host="127.0.0.1", port=port, log_level="warning")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(timeout=30)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.fail(f"Chromium not found at {CHROMIUM}: the browser tests need it (apt install chromium)")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Watched:
    """A page and what it did wrong: console errors, uncaught exceptions, requests that left the server."""

    page: Page
    base: str
    errors: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)

    def goto(self, path: str) -> None:
        self.page.goto(self.base + path)
        self.page.wait_for_function("document.body.dataset.loaded !== undefined", timeout=LOAD_TIMEOUT_MS)
        assert self.page.evaluate("document.body.dataset.loaded") != "error", self.page.inner_text("#status")

    def shot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 10_000
        return path

    def assert_clean(self) -> None:
        assert self.errors == [], self.errors
        assert self.external == [], self.external


@pytest.fixture()
def watched(browser: Browser, server: str) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    w = Watched(page, server)
    host = urlsplit(server).netloc

    def on_console(message: Any) -> None:
        if message.type == "error":
            w.errors.append(f"console: {message.text}")

    def on_request(request: Any) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob"):
            return
        if parts.netloc != host:
            w.external.append(request.url)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: w.errors.append(f"pageerror: {exc}"))
    page.on("request", on_request)
    yield w
    context.close()


def _api(server: str, path: str, **params: Any) -> Any:
    response = httpx.get(server + path, params=params, timeout=120)
    assert response.status_code == 200, response.text
    return response.json()


def _chart_bars(page: Page) -> dict[str, float]:
    """The bar chart's data as Plotly holds it: country name → figure."""
    data = page.evaluate("() => { const t = document.getElementById('chart-country').data[0]; return [t.x, t.y]; }")
    return dict(zip(data[0], data[1], strict=True))


def test_dashboard_loads_clean_with_provenance(watched: Watched) -> None:
    watched.goto("/")
    page = watched.page
    assert page.locator("#chart-country .bars .point").count() > 5
    provenance = page.inner_text("#prov-country")
    assert "Counting rule:" in provenance and "full" in provenance
    assert "Definition:" in provenance and "Epoch AI" in provenance
    options = page.locator("#f-definition option").all_inner_texts()
    assert "epoch-notable" in options  # filled from /api/definitions
    watched.shot("dashboard")
    watched.assert_clean()


def test_filter_change_updates_chart_and_url(watched: Watched, server: str) -> None:
    watched.goto("/")
    page = watched.page
    before = _chart_bars(page)
    page.fill("#f-since", "2024")
    page.fill("#f-until", "2024")
    page.press("#f-until", "Tab")
    page.select_option("#f-attribution", "resolved")
    page.wait_for_function(
        "document.body.dataset.loaded === 'since=2024&until=2024&attribution=resolved'", timeout=LOAD_TIMEOUT_MS
    )
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"since": ["2024"], "until": ["2024"], "attribution": ["resolved"]}
    after = _chart_bars(page)
    assert after != before
    expected = _api(server, "/api/count", by="country", since=2024, until=2024, attribution="resolved")
    top = sorted(expected, key=lambda r: -r["count"])[: len(after)]
    assert after == {r["group_name"]: r["count"] for r in top}
    assert "resolved" in page.inner_text("#prov-country")
    # a fresh page restores its filters (and the same chart) from the URL
    watched.goto(urlsplit(page.url).path + "?" + urlsplit(page.url).query)
    assert page.input_value("#f-since") == "2024" and page.input_value("#f-until") == "2024"
    assert page.input_value("#f-attribution") == "resolved"
    assert _chart_bars(page) == after
    page.select_option("#f-rule", "fractional")
    page.wait_for_function("location.search.includes('rule=fractional')", timeout=LOAD_TIMEOUT_MS)
    page.wait_for_function("document.body.dataset.loaded.includes('rule=fractional')", timeout=LOAD_TIMEOUT_MS)
    assert "fractional" in page.inner_text("#prov-country")
    watched.shot("dashboard-filtered")
    watched.assert_clean()


def test_click_on_a_bar_lists_the_models_behind_it(watched: Watched, server: str, tmp_path: Path) -> None:
    watched.goto("/?since=2024&until=2024")
    page = watched.page
    names = page.evaluate("document.getElementById('chart-country').data[0].x")
    box = page.locator("#chart-country .bars .point").nth(1).bounding_box()  # the second-largest country
    assert box is not None
    # Plotly listens on its drag layer above the bars: click where the bar is drawn, as a user does
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function("document.getElementById('models-summary').dataset.total !== undefined")
    summary = page.locator("#models-summary")
    total = int(summary.get_attribute("data-total") or -1)
    figure = float(summary.get_attribute("data-figure") or -1)
    assert total == figure
    expected = _api(server, "/api/count", by="country", since=2024, until=2024)
    row = next(r for r in expected if r["group_name"] == names[1])
    assert total == row["count"] > 0
    rows = page.locator("#models-table tbody tr")
    assert rows.count() == min(50, total)
    # the table downloads as CSV: a header and one line per row shown
    with page.expect_download() as download_info:
        page.click("#models-table button.csv")
    saved = tmp_path / "models.csv"
    download_info.value.save_as(saved)
    lines = saved.read_text(encoding="utf-8").strip().splitlines()
    assert lines[0].startswith("name,") and len(lines) == rows.count() + 1
    watched.shot("dashboard-models-behind-bar")
    # a model of the list opens its page
    rows.first.locator("a").click()
    page.wait_for_url("**/models/**")
    page.wait_for_function("document.body.dataset.loaded !== undefined", timeout=LOAD_TIMEOUT_MS)
    assert page.evaluate("document.body.dataset.loaded") == "yes"
    watched.assert_clean()


def test_model_page_shows_records_linked_across_sources(watched: Watched, full_census_path: Path) -> None:
    with mc.open(full_census_path, read_only=True) as census:
        linked = [m for m in census.links() if {"epoch", "openrouter", "lmarena"} <= {r.source for r in m.records}]
    assert linked, "the full census links some models across Epoch, OpenRouter and LMArena"
    model = sorted(linked, key=lambda m: m.id)[0]
    watched.goto("/models/" + model.id)
    page = watched.page
    table = page.locator("#records-table")
    sources = table.locator("tbody tr td:first-child").all_inner_texts()
    assert {"epoch", "openrouter", "lmarena"} <= set(sources)
    text = table.inner_text()
    for record in model.records:
        assert record.source_id in text
    assert page.locator("#evidence tbody tr").count() == len(model.evidence)
    assert model.name in page.inner_text("h1")
    watched.shot("model")
    watched.assert_clean()


def test_country_and_organization_profiles_render(watched: Watched, server: str) -> None:
    profile = _api(server, "/api/countries/CN")
    watched.goto("/countries/CN")
    page = watched.page
    assert page.inner_text("h1") == "China (CN)"
    assert page.locator("#chart-years .bars .point").count() == len(profile["per_year"])
    assert page.locator("#chart-frontier .scatterlayer .point").count() == len(profile["frontier"]["series"])
    figures = page.inner_text("#figures")
    assert profile["frontier"]["model"] in figures and "open weights" in figures
    orgs = page.locator("#orgs tbody tr td:first-child").all_inner_texts()
    assert orgs == [o["organization"] for o in profile["top_organizations"]]
    assert "Epoch AI" in page.inner_text("#provenance")
    watched.shot("country-CN")
    page.locator("#orgs tbody tr").first.locator("a").click()
    page.wait_for_url("**/organizations/**")
    page.wait_for_function("document.body.dataset.loaded !== undefined", timeout=LOAD_TIMEOUT_MS)
    assert page.evaluate("document.body.dataset.loaded") == "yes"
    assert page.inner_text("h1") == profile["top_organizations"][0]["organization"]
    assert page.locator("#models tbody tr").count() > 0
    watched.shot("organization")
    watched.assert_clean()
