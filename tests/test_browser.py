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
import pandas as pd
import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

import modelcensus as mc
from modelcensus.outputs.api.app import create_app

from known_answers import NOTABLE_2024_AT_VINTAGE

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


def _serve(path: Path, claims: Path | None = None, timeout_s: float | None = None) -> Iterator[str]:
    """The real app (create_app) on 127.0.0.1 at a free port, in a background thread, until the generator ends."""
    port = _free_port()
    app = create_app(path, claims_path=claims, **({"timeout_s": timeout_s} if timeout_s is not None else {}))
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
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
def server(full_census_path: Path) -> Iterator[str]:
    """The real app (create_app) on 127.0.0.1 at a free port, in a background thread."""
    yield from _serve(full_census_path)


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

    def shot(self, name: str, selector: str | None = None) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        if selector:
            self.page.locator(selector).screenshot(path=str(path))
        else:
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
    # the table downloads as the server's CSV: every model behind the bar (not only the page shown), named after
    # the request and the vintage, its provenance in the leading "# " lines
    with page.expect_download() as download_info:
        page.click("#models-table a.csv")
    download = download_info.value
    assert download.suggested_filename.startswith("modelcensus_models_") and "2026-03-30" in download.suggested_filename
    saved = tmp_path / "models.csv"
    download.save_as(saved)
    frame = pd.read_csv(saved, comment="#")
    assert len(frame) == total and "organizations" in frame.columns
    assert "# Counting rule: full" in saved.read_text(encoding="utf-8")
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
    bars = page.locator("#chart-years .barlayer .trace").first  # the models; a legend entry follows
    assert bars.locator(".point").count() == len(profile["per_year"])
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


# -- years still filling in, vintages, claims ------------------------------------------------------------


def _traces(page: Page, chart: str) -> list[dict[str, Any]]:
    traces: list[dict[str, Any]] = page.evaluate(
        f"""() => document.getElementById('{chart}').data.map((t) => ({{
            name: t.name, type: t.type, x: t.x, y: t.y, dash: t.line ? t.line.dash : null,
            symbol: t.marker ? t.marker.symbol : null,
            pattern: t.marker && t.marker.pattern ? t.marker.pattern.shape : null, error: Boolean(t.error_y),
            customdata: t.customdata }}))"""
    )
    return traces


def test_dashboard_draws_years_still_filling_in_apart(watched: Watched, server: str) -> None:
    watched.goto("/?since=2015&until=2025")
    page = watched.page
    twin = _api(server, "/api/dashboard", since=2015, until=2025)
    filling = twin["years"]["filling_in"]
    assert 2025 in filling
    note = page.inner_text("#filling-country")
    assert "still filling in" in note
    for sentence in twin["years"]["sentences"]:
        assert sentence in note
    # the year chart: each leading country dashed and hollow exactly at the years filling in, never solid there
    traces = _traces(page, "chart-year")
    dashed = [t for t in traces if t["dash"] == "dash" and t["x"] and t["x"][0] is not None]
    marked = [g for g, points in twin["years"]["series"].items() if any(p["filling_in"] for p in points)]
    assert marked and len(dashed) == len(marked)
    for t in dashed:
        hollow = [x for x, symbol in zip(t["x"], t["symbol"], strict=True) if symbol == "circle-open"]
        assert hollow == [x for x in t["x"] if x in filling], t["name"]
    for t in traces:
        if t["type"] == "scatter" and t["dash"] is None and t["customdata"] and not t["error"]:
            solid = [x for x, y in zip(t["x"], t["y"], strict=True) if y is not None]
            assert not set(solid) & set(filling), f"{t['name']}: a year still filling in drawn solid"
    assert any(t["error"] for t in traces), "the estimated final counts are drawn with their ranges"
    # the bar chart: the part of each bar from years filling in, hatched over it, and the estimate beside it
    bars = _traces(page, "chart-country")
    assert bars[0]["pattern"] is None  # the bars themselves, as /api/count gives them
    assert bars[1]["pattern"] == "/" and bars[2]["error"]
    watched.shot("dashboard-years-filling-in", "#year-section")
    watched.shot("dashboard-bars-filling-in", "#chart-country")
    watched.assert_clean()


def test_country_page_hatches_the_years_still_filling_in(watched: Watched, server: str) -> None:
    profile = _api(server, "/api/countries/CN")
    filling = [p["year"] for p in profile["years"]["series"] if p["filling_in"]]
    watched.goto("/countries/CN")
    page = watched.page
    traces = _traces(page, "chart-years")
    bars = next(t for t in traces if t["type"] == "bar" and t["name"] == "models")
    assert [x for x, shape in zip(bars["x"], bars["pattern"], strict=True) if shape == "/"] == filling
    note = page.inner_text("#filling-years")
    assert "China in 2025 is still filling in" in note
    assert "2025*" in page.inner_text("#years")
    watched.shot("country-CN-years", "#chart-years")
    watched.assert_clean()


def test_vintages_page(watched: Watched, server: str) -> None:
    twin = _api(server, "/api/dashboard/vintages")
    watched.goto("/vintages")
    page = watched.page
    assert "Notable models of 2024 by country at each stored Epoch vintage" in page.inner_text("#vintage-title")
    lines = {t["name"]: t["y"] for t in _traces(page, "chart-vintages")}
    for name, code in (("China", "CN"), ("United States", "US")):
        assert lines[name] == [v["counts"][code] for v in twin["vintages"]] == list(NOTABLE_2024_AT_VINTAGE[code])
    caption = page.inner_text("#vintage-caption")
    assert "back-filled" in caption and "2024-10-18 (notable)" in caption
    assert "Epoch AI (CC BY 4.0): export dated 2024-10-18" in page.inner_text("#prov-vintages")
    for i, population in enumerate(twin["lag"]):
        observed = _traces(page, f"chart-lag-{i}")[0]
        assert len(observed["x"]) == len(population["observations"])
    assert twin["lag"][0]["basis"] in page.inner_text("#lag-caption")
    assert "epoch-notable in 2025 is still filling in" in page.inner_text("#filling-1")
    watched.shot("vintages")
    watched.assert_clean()


def _warm_claims(base: str) -> list[dict[str, Any]]:
    """The first check of a store can outlast the API's time limit (503: still computing, cached when done)."""
    deadline = time.monotonic() + 300
    while True:
        response = httpx.get(base + "/api/claims", timeout=120)
        if response.status_code == 200:
            answer: list[dict[str, Any]] = response.json()
            return answer
        assert response.status_code == 503 and time.monotonic() < deadline, response.text
        time.sleep(3)


def test_claims_page(watched: Watched, server: str) -> None:
    results = _warm_claims(server)
    watched.goto("/claims")
    page = watched.page
    assert page.locator(".claim-chart").count() == len(results) == 5
    verdicts = page.locator("#claims-table tbody tr td:nth-child(5)").all_inner_texts()
    assert verdicts == [r["verdict"] for r in results]
    assert set(verdicts) <= {"supported", "contradicted", "consistent-at-vintage", "not-checkable"}
    table = page.inner_text("#claims-table")
    us = next(r for r in results if r["id"] == "ai-index-2025-us")
    assert f"({us['at_vintage']['export_date']})" in table and f"({us['at_vintage']['next_export_date']})" in table
    assert "withheld (see below)" in table and "about 450" in table
    explanations = page.locator("#explanations li").all_inner_texts()
    assert len(explanations) == 5
    for r, text in zip(results, explanations, strict=True):
        assert r["explanation"] in text
    figures = page.evaluate("() => [...document.querySelectorAll('.claim-chart')].map((d) => d.data[0].y)")
    assert figures[2] == [us["at_vintage"]["figure"], us["at_vintage"]["next_figure"], us["now"]["figure"]]
    watched.shot("claims")
    watched.assert_clean()


EVIL = """claims:
  - id: evil-<b>x</b>
    claim: "<img src=x onerror=window.pwned=1> China <script>window.pwned=2</script>"
    source: "<b>bold</b> & co"
    metric: count
    country: CN
    period: {year: 2024}
    comparison: "=="
    value: 15
    definition: epoch-notable
    as_of: 2025-03-01
"""


@pytest.fixture(scope="module")
def evil_server(full_census_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = tmp_path_factory.mktemp("claims") / "claims.yaml"
    path.write_text(EVIL, encoding="utf-8")
    yield from _serve(full_census_path, path)


def test_claims_from_a_user_file_are_text_not_markup(browser: Browser, evil_server: str) -> None:
    _warm_claims(evil_server)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(evil_server + "/claims")
        page.wait_for_function("document.body.dataset.loaded !== undefined", timeout=LOAD_TIMEOUT_MS)
        assert page.evaluate("document.body.dataset.loaded") == "yes"
        assert page.evaluate("window.pwned === undefined")
        assert page.locator("#claims-table img, #claims-table script, #claims-table b").count() == 0
        assert "<img src=x" in page.inner_text("#claims-table")
        assert "evil-<b>x</b>" in page.inner_text("#explanations")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "claims-escaped.png"), full_page=True)
    finally:
        context.close()
