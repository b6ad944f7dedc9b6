"""The /new page and /docs in Debian's Chromium against the real app (uvicorn on 127.0.0.1 over the full census),
with every request to anything but the server refused: nothing may come from a CDN.

Screenshots of /new at 1400 and 390 px wide go to ``artifacts/screenshots/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, sync_playwright

from test_browser import CHROMIUM, CHROMIUM_ARGS, LOAD_TIMEOUT_MS, SCREENSHOTS, _serve


@pytest.fixture(scope="module")
def server(full_census_path: Path) -> Iterator[str]:
    yield from _serve(full_census_path)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: the browser tests need it (apt install chromium)")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Offline:
    """A page whose requests to anything but the server are aborted (and noted), with its console errors."""

    def __init__(self, browser: Browser, server: str, width: int) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.page: Page = self.context.new_page()
        self.server = server
        self.blocked: list[str] = []
        self.errors: list[str] = []
        host = urlsplit(server).netloc

        def route(r: Route) -> None:
            parts = urlsplit(r.request.url)
            if parts.scheme in ("data", "blob") or parts.netloc == host:
                r.continue_()
            else:
                self.blocked.append(r.request.url)
                r.abort()

        self.page.route("**/*", route)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def open(self, path: str) -> None:
        self.page.goto(self.server + path)
        self.page.wait_for_function("document.body.dataset.loaded !== undefined", timeout=LOAD_TIMEOUT_MS)
        assert self.page.evaluate("document.body.dataset.loaded") == "yes", self.page.inner_text("#status")

    def clean(self) -> None:
        assert self.errors == [] and self.blocked == [], (self.errors, self.blocked)


def _api(server: str, path: str, **params: Any) -> Any:
    answer = httpx.get(server + path, params=params, timeout=300)
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.mark.parametrize("width", [1400, 390])
def test_the_new_page(browser: Browser, server: str, width: int) -> None:
    w = Offline(browser, server, width)
    page = w.page
    twin = _api(server, "/api/new", since="2026-01-01", country="CN", limit=200)
    w.open("/new?since=2026-01-01&country=CN")
    assert page.inner_text("#comparison").startswith(twin["comparison"])
    bars = page.evaluate("document.getElementById('chart-country').data[0]")
    assert bars["x"][0] == "China" and bars["y"][0] == twin["by_country"][0]["models"] == twin["total"]
    caption = page.inner_text("#chart-caption")
    assert f"{twin['total']:,} models of the census all-sources" in caption and "after 2026-01-01" in caption
    rows = page.locator("#models-table tbody tr")
    assert rows.count() == len(twin["items"]) == min(200, twin["total"])
    first = twin["items"][0]
    assert rows.nth(0).locator("td").nth(1).inner_text() == first["name"]
    href = rows.nth(0).locator("a").get_attribute("href")
    assert href == "/models/" + quote(first["id"], safe="-_.!~*'()")  # encodeURIComponent
    assert page.inner_text("#models-summary").startswith(f"{twin['total']:,} models; showing 1–")
    sides = page.locator("#compared-table tbody tr td:nth-child(4)").all_inner_texts()
    assert len(sides) == len(twin["compared"]) and sides.count("after the date (new)") == sum(
        c["side"] == "after" for c in twin["compared"]
    )
    feed = page.locator("#feed").get_attribute("href")
    assert feed == "/feeds/new.atom?since=2026-01-01&country=CN"
    assert page.locator("link[type='application/atom+xml']").get_attribute("href") == feed
    if width == 390:  # nothing wider than the screen but the tables, which scroll in their own box
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    path = SCREENSHOTS / f"new-{width}.png"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 20_000
    # a filter change reloads the figures and rewrites the URL; the model link opens the model's page
    page.select_option("#f-since", "")
    page.wait_for_function("document.getElementById('comparison').textContent.includes('previous snapshot')")
    assert "since=" not in page.url and "country=CN" in page.url
    with page.expect_navigation():
        page.click("#models-table tbody tr:first-child a")
    page.wait_for_function("document.body.dataset.loaded !== undefined", timeout=LOAD_TIMEOUT_MS)
    assert page.url.startswith(server + "/models/") and page.evaluate("document.body.dataset.loaded") == "yes"
    w.clean()
    w.context.close()


def test_the_new_page_speaks_chinese(browser: Browser, server: str) -> None:
    w = Offline(browser, server, 1400)
    w.open("/new?lang=zh")
    assert w.page.inner_text("h1") == "新增：进入普查的模型"
    assert w.page.inner_text("#comparison").startswith("最先由 ")
    assert "新模型" in w.page.inner_text("header nav")
    w.clean()
    w.context.close()


def test_docs_render_offline(browser: Browser, server: str) -> None:
    """/docs shows every operation of the API with no request leaving the server."""
    operations = sum(len(methods) for methods in _api(server, "/openapi.json")["paths"].values())
    w = Offline(browser, server, 1400)
    w.page.goto(server + "/docs")
    w.page.wait_for_selector(".opblock", timeout=LOAD_TIMEOUT_MS)
    assert w.page.locator(".opblock").count() == operations
    assert "/api/new" in w.page.inner_text("#swagger-ui") and "/feeds/new.atom" in w.page.inner_text("#swagger-ui")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    w.page.screenshot(path=str(SCREENSHOTS / "docs-offline.png"))
    w.clean()
    w.context.close()
