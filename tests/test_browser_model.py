"""The model page and the model list under a definition in a real Chromium, at a desktop's and a phone's width;
screenshots go to ``artifacts/screenshots/`` (the fixtures and helpers are those of ``test_browser.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Browser, Page

from test_browser import LOAD_TIMEOUT_MS, SCREENSHOTS, browser, server  # noqa: F401  (fixtures)


def _open(browser: Browser, server: str, path: str, width: int) -> Iterator[Page]:  # noqa: F811
    context = browser.new_context(viewport={"width": width, "height": 900}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server + path)
    page.wait_for_function("document.body.dataset.loaded !== undefined", timeout=LOAD_TIMEOUT_MS)
    assert page.evaluate("document.body.dataset.loaded") != "error", page.inner_text("#status")
    yield page
    assert errors == [], errors
    context.close()


def _shot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    return path


@pytest.mark.parametrize("width", [1400, 390])
def test_model_page_shows_size_compute_and_rating_with_their_sources(
    browser: Browser,  # noqa: F811
    server: str,  # noqa: F811
    width: int,
    tmp_path: Path,
) -> None:
    for page in _open(browser, server, "/models/deepseek-v3", width):
        rows = page.locator("#facts-table tbody tr")
        texts = {r.get_attribute("data-fact"): r.inner_text() for r in rows.all()}
        assert set(texts) == {"parameters", "training_compute", "rating"}
        assert "6.71 × 10¹¹ parameters (671 billion)" in texts["parameters"]
        assert "3.3 × 10²⁴ FLOP" in texts["training_compute"]
        for fact in ("parameters", "training_compute"):
            assert "Epoch AI, export dated 2026-03-30, file all_ai_models.csv, record “DeepSeek-V3”" in " ".join(
                texts[fact].split()
            )
        rating = " ".join(texts["rating"].split())
        assert "1333.1 (LMArena text arena; 95% interval 1328.5–1337.8; rated on 2025-12-11)" in rating
        assert "file leaderboard-text.json, record “deepseek-v3”" in rating
        # nothing of the facts runs off a phone's screen
        overflow = page.evaluate(
            "(() => { const s = document.querySelector('#facts .scroller'); return s.scrollWidth - s.clientWidth; })()"
        )
        assert overflow <= 1
        _shot(page, f"model-deepseek-v3-{width}")
        if width == 1400:
            with page.expect_download() as info:
                page.click("#facts a.csv")
            download = info.value
            assert download.suggested_filename.startswith("modelcensus_model_deepseek-v3_facts_")
            saved = tmp_path / download.suggested_filename
            download.save_as(saved)
            frame = pd.read_csv(saved, comment="#")
            assert set(frame["fact"]) == {"parameters", "training_compute", "rating"}
            assert "# Snapshot: Epoch AI, epoch all file all_ai_models.csv dated 2026-03-30" in saved.read_text(
                encoding="utf-8"
            )


def test_a_fact_no_source_lists_says_not_listed(browser: Browser, server: str) -> None:  # noqa: F811
    for page in _open(browser, server, "/models/epoch:SPPNet", 1400):
        missing = page.locator("#facts-table tbody tr[data-listed=no]")
        assert {r.get_attribute("data-fact") for r in missing.all()} == {"parameters", "rating"}
        assert all("not listed" in r.inner_text() for r in missing.all())
        assert "3.41 × 10¹⁸ FLOP" in page.locator("#facts-table tr[data-fact=training_compute]").inner_text()


def test_models_under_a_definition_show_date_organization_and_openness(
    browser: Browser,  # noqa: F811
    server: str,  # noqa: F811
) -> None:
    for page in _open(browser, server, "/?definition=frontier", 1400):
        page.evaluate("listModels({ country: 'CN' }, 'China', 7, 0)")
        page.wait_for_function("document.getElementById('models-summary').dataset.total === '7'")
        table = page.locator("#models-table table")
        headers = table.locator("thead th").all_inner_texts()
        cells = [r.locator("td").all_inner_texts() for r in table.locator("tbody tr").all()]
        assert len(cells) == 7
        for column in ("published on", "organizations", "open weights"):
            index = headers.index(column)
            assert all(row[index].strip() for row in cells), column
        ernie = next(row for row in cells if row[0] == "ERNIE 3.0 Titan")
        assert ernie[headers.index("organizations")] == "Baidu, Peng Cheng Laboratory"
        assert ernie[headers.index("published on")] == "2021-12-23"
        _shot(page, "dashboard-definition-models")
