"""The dashboard's charts as a reader sees them, in Chromium at a desktop width (1400 px) and a phone's (390 px), on
the census of the real shared data: the home page (Epoch AI's models, and the Hub's repos, whose long group names
once were cut off), China's and Hong Kong's pages and DeepSeek's.

Each page is screenshot into ``artifacts/screenshots/charts-PAGE-WIDTH.png`` and its charts are read from the
DOM as Plotly drew them (``.xtick text``, ``.ytick text``, ``.y2tick text``): year ticks are whole years at one
step (never "2,023.5"), no axis repeats a tick label ("5%, 5%, 4%"), every axis has a title, no tick label is
cut off at the chart's edge or runs into another or into the axis title, the legend overlaps neither the toolbar
nor the plot, the page is no wider than the screen, and each country is drawn in its colour of the palette the
report uses too.
"""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

from modelcensus.outputs.api.app import create_app
from modelcensus.outputs.common.axes import nice_step, percent_decimals, year_step
from modelcensus.outputs.common.palette import country_color
from modelcensus.outputs.report.years import TINY_DENOMINATOR

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
LOAD_TIMEOUT_MS = 300_000
PAGES = {
    "home": "/",
    "home-hub": "/?source=huggingface",
    "country-CN": "/countries/CN",
    "country-HK": "/countries/HK",
    "organization-DeepSeek": "/organizations/DeepSeek",
}
WIDTHS = (1400, 390)
YEAR_TITLE = "year published"

READ_CHARTS = """() => [...document.querySelectorAll('.js-plotly-plot')].map((div) => {
  const box = (e) => { if (!e) return null; const r = e.getBoundingClientRect();
    return r.width || r.height ? [r.left, r.top, r.right, r.bottom] : null; };
  const texts = (sel) => [...div.querySelectorAll(sel)].map((t) => t.textContent);
  const axes = {};
  for (const [key, tick, title] of [['x', '.xtick text', '.g-xtitle'], ['y', '.ytick text', '.g-ytitle'],
                                    ['y2', '.y2tick text', '.g-y2title']]) {
    const ticks = texts(tick);
    if (ticks.length) axes[key] = { ticks: ticks, title: texts(title + ' text').join(' ').trim(),
      titleBox: box(div.querySelector(title + ' text')),
      boxes: [...div.querySelectorAll(tick)].map(box),
      rotated: [...div.querySelectorAll(tick)].some((e) => (e.getAttribute('transform') || '').includes('rotate')) };
  }
  return { id: div.id, svg: box(div.querySelector('.main-svg')), axes: axes,
    legend: box(div.querySelector('.legend')), modebar: box(div.querySelector('.modebar')),
    plots: [...div.querySelectorAll('.draglayer .nsewdrag')].map(box),
    buttons: div.querySelectorAll('.modebar-btn').length };
})"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(full_census_path: Path) -> Iterator[str]:
    """The real app on 127.0.0.1, with a time limit long enough for a loaded machine's first profile."""
    port = _free_port()
    app = create_app(full_census_path, timeout_s=600)
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
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


def _open(browser: Browser, server: str, path: str, width: int) -> tuple[Page, list[str]]:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server + path)
    page.wait_for_function("document.body.dataset.loaded !== undefined", timeout=LOAD_TIMEOUT_MS)
    assert page.evaluate("document.body.dataset.loaded") != "error", page.inner_text("#status")
    page.wait_for_function(
        "[...document.querySelectorAll('.chart')].every((d) => d.querySelector('.main-svg') || d.textContent.trim())",
        timeout=LOAD_TIMEOUT_MS,
    )
    page.wait_for_timeout(300)  # Plotly's automargin settles in a second layout pass
    return page, errors


def _overlap(a: list[float] | None, b: list[float] | None) -> bool:
    if a is None or b is None:
        return False
    return a[0] < b[2] - 1 and b[0] < a[2] - 1 and a[1] < b[3] - 1 and b[1] < a[3] - 1


def _check_chart(chart: dict[str, Any], where: str) -> None:
    what = f"{where} #{chart['id']}"
    assert chart["svg"] is not None, what
    for key, axis in chart["axes"].items():
        ticks = axis["ticks"]
        assert len(set(ticks)) == len(ticks), f"{what} {key}: a tick label repeats: {ticks}"
        assert axis["title"], f"{what} {key}: the axis has no title"
        left, top, right, bottom = chart["svg"]
        for text, box in zip(ticks, axis["boxes"], strict=True):
            if box is None:
                continue
            inside = box[0] >= left - 1 and box[2] <= right + 1 and box[1] >= top - 1 and box[3] <= bottom + 1
            assert inside, f"{what} {key}: the tick label {text!r} is cut off at the chart's edge"
        for text, box in zip(ticks, axis["boxes"], strict=True):
            assert not _overlap(axis["titleBox"], box), f"{what} {key}: the axis title runs into {text!r}"
        if not axis["rotated"]:  # labels side by side (or stacked) must not run into each other
            boxes = [(text, box) for text, box in zip(ticks, axis["boxes"], strict=True) if box is not None]
            for (a, box_a), (b, box_b) in pairwise(boxes):
                assert not _overlap(box_a, box_b), f"{what} {key}: the tick labels {a!r} and {b!r} collide"
        if axis["title"] == YEAR_TITLE:
            assert all(re.fullmatch(r"\d{4}", t) for t in ticks), f"{what}: years that are not whole: {ticks}"
            years = [int(t) for t in ticks]
            steps = {b - a for a, b in pairwise(years)}
            assert len(steps) <= 1 and all(s > 0 for s in steps), f"{what}: uneven year ticks {ticks}"
            assert len(years) <= 20, f"{what}: every year labelled, too many to read: {ticks}"
    assert not _overlap(chart["legend"], chart["modebar"]), f"{what}: the toolbar covers the legend"
    for plot in chart["plots"]:
        assert not _overlap(chart["legend"], plot), f"{what}: the legend covers the plot"
    assert chart["buttons"] <= 1, f"{what}: the toolbar has {chart['buttons']} buttons"


def _trace_colors(page: Page, chart: str) -> list[Any]:
    colors: list[Any] = page.evaluate(
        f"""() => document.getElementById('{chart}').data
              .filter((t) => t.showlegend !== false || t.type === 'bar')
              .map((t) => [t.name, t.type, t.line ? t.line.color : null, t.marker ? t.marker.color : null,
                           t.customdata || null, t.y, t.yaxis || 'y', t.x])"""
    )
    return colors


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", list(PAGES))
def test_charts_read_at_every_width(browser: Browser, server: str, name: str, width: int) -> None:
    page, errors = _open(browser, server, PAGES[name], width)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / f"charts-{name}-{width}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    charts = page.evaluate(READ_CHARTS)
    assert charts, f"{name}: no chart drawn"
    for chart in charts:
        _check_chart(chart, f"{name} at {width} px")
    wide = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert wide[0] <= wide[1] + 1, f"{name} at {width} px: the page is wider than the screen ({wide})"
    assert errors == [], errors
    page.context.close()


def test_each_country_has_its_colour_and_tiny_shares_are_left_out(browser: Browser, server: str) -> None:
    page, _ = _open(browser, server, "/", 1400)
    years = _trace_colors(page, "chart-year")
    drawn = {row[4][0][0]: row[2] for row in years if row[1] == "scatter" and row[4] and row[2]}
    assert {"US", "CN"} <= set(drawn)
    for code, color in drawn.items():
        assert color == country_color(code), code
    bars = page.evaluate(
        "() => { const t = document.getElementById('chart-country').data[0]; return [t.customdata, t.marker.color]; }"
    )
    for code, color in zip(*bars, strict=True):
        assert color == country_color(None if code == "none" else code), code
    assert "fewer" not in page.inner_text("#year-note") and "full counting" in page.inner_text("#year-note")
    page.context.close()

    for code in ("CN", "HK"):
        profile = httpx.get(f"{server}/api/countries/{code}", timeout=600).json()
        page, _ = _open(browser, server, f"/countries/{code}", 1400)
        traces = _trace_colors(page, "chart-years")
        models = next(t for t in traces if t[1] == "bar" and t[0] == "models")
        assert models[3] == country_color(code)
        share = [t for t in traces if t[6] == "y2" and t[1] == "scatter"]
        assert share, code
        tiny = {r["year"] for r in profile["per_year"] if r["denominator"] < TINY_DENOMINATOR}
        listed = {r["year"] for r in profile["per_year"]}
        for trace in share:  # the dashed trace (years still filling in) and the solid one
            for year, value in zip(trace[7], trace[5], strict=True):
                if year in tiny:
                    assert value is None, f"{code} {year}: a share of fewer than {TINY_DENOMINATOR} models drawn"
                if year not in listed:  # no model that year: the line breaks, never runs across the gap
                    assert value is None, f"{code} {year}: a share drawn for a year with no row"
        note = page.inner_text("#years-note")
        assert f"fewer than {TINY_DENOMINATOR} models" in note and "never stacked" in note
        if tiny:
            assert str(min(tiny)) in note
        page.context.close()

    page, _ = _open(browser, server, "/organizations/DeepSeek", 1400)
    bars = next(t for t in _trace_colors(page, "chart-years") if t[1] == "bar")
    assert bars[3] == country_color("CN"), "DeepSeek's bars in China's colour"
    page.context.close()


def test_the_pages_rules_are_the_reports(browser: Browser, server: str) -> None:
    """``common.js`` picks tick steps, share decimals and fallback colours as ``axes.py`` and ``palette.py`` do."""
    page, _ = _open(browser, server, "/claims", 1400)
    cases = [(s, t) for s in (0.0004, 0.012, 0.045, 0.3, 1.3, 7, 96, 2000) for t in (3, 6, 10)]
    steps = page.evaluate("(cases) => cases.map(([s, t]) => MC.niceStep(s, t))", cases)
    assert steps == pytest.approx([nice_step(s, t) for s, t in cases])
    assert page.evaluate("(steps) => steps.map(MC.percentDecimals)", steps) == [percent_decimals(s) for s in steps]
    spans = [(first, 2026, t) for first in (1946, 1990, 2010, 2020, 2024) for t in (3, 8, 15)]
    assert page.evaluate("(cases) => cases.map(([a, b, t]) => MC.yearStep(a, b, t))", spans) == [
        year_step(a, b, t) for a, b, t in spans
    ]
    codes = ["CN", "US", "HK", "BR", "RU", "ZA", "ch", "NZ", None, "None"]
    assert page.evaluate("(codes) => codes.map(MC.countryColor)", codes) == [country_color(c) for c in codes]
    page.context.close()
