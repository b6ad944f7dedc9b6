"""A report that can be published as it is: the HTML of a claims file comes out as text in report.md as in
index.html, and no output names a folder of the machine it was built on (the store and the claims file are
named by their file names). The report of the small census (every source), built through the CLI."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from modelcensus.outputs.cli.app import app

from conftest import shared_data

EVIL_CLAIMS = """claims:
  - id: evil-claim
    claim: "<script>alert(1)</script> China released <img src=x onerror=alert(1)> notable models"
    source: "<img src=x onerror=alert(1)> reported by <b>someone</b> [link](javascript:alert(1))"
    metric: count
    country: CN
    period: {year: 2024}
    comparison: "=="
    value: 15
    definition: epoch-notable
    as_of: 2025-03-01
    published: 2025-04-07
"""


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory, small_census_path: Path) -> Path:
    folder = tmp_path_factory.mktemp("publishing")
    claims = folder / "evil claims.yaml"
    claims.write_text(EVIL_CLAIMS, encoding="utf-8")
    out = folder / "report"
    result = CliRunner().invoke(
        app, ["report", "--out", str(out), "--db", str(small_census_path), "--claims", str(claims)]
    )
    assert result.exit_code == 0, result.output
    return out


def _outputs(out: Path) -> dict[str, str]:
    files = [out / "index.html", out / "report.md", *sorted((out / "charts").glob("*.svg"))]
    return {str(f.relative_to(out)): f.read_text(encoding="utf-8") for f in files}


def test_html_from_a_claims_file_is_text_in_every_output(published: Path) -> None:
    markdown = (published / "report.md").read_text(encoding="utf-8")
    page = (published / "index.html").read_text(encoding="utf-8")
    for text in (markdown, page):
        assert "<script>alert(1)" not in text and "<img src=x" not in text and "<b>someone</b>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; China released &lt;img src=x onerror=alert(1)&gt;" in markdown
    assert "&lt;script&gt;alert(1)&lt;/script&gt; China released &lt;img src=x onerror=alert(1)&gt;" in page
    # no raw HTML tag of any kind in the Markdown: every "<" is escaped
    assert re.search(r"<[A-Za-z/!]", markdown) is None
    assert "\\[link\\](javascript:alert(1))" in markdown  # not a link either


def test_no_output_names_a_folder_of_the_build_machine(published: Path, small_census_path: Path) -> None:
    machine = {
        str(small_census_path),
        str(small_census_path.parent),
        str(published),
        str(published.parent),
        str(shared_data().resolve()),
        str(Path.cwd()),
        str(Path.home()),
        tempfile.gettempdir(),
        os.path.realpath(tempfile.gettempdir()),
        "/work/",
    }
    machine = {m for m in machine if m not in ("", "/")}
    for name, text in _outputs(published).items():
        for path in machine:
            assert path not in text, f"{name} names {path}"
    markdown = (published / "report.md").read_text(encoding="utf-8")
    assert f"the census store {small_census_path.name}." in markdown  # the file's name says which store
    assert "Each claim of evil claims.yaml read at its own vintage" in markdown


@pytest.mark.parametrize("width", [1400, 390])
def test_the_report_reads_at_a_desktop_and_a_phone_width(published: Path, width: int) -> None:
    """The report in Chromium, as a reader opens the file: every chart drawn, no script of the claims file run,
    nothing fetched from elsewhere, no page wider than the screen; screenshot in artifacts/screenshots/."""
    from playwright.sync_api import sync_playwright

    from test_browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": 900})
        dialogs: list[str] = []
        outside: list[str] = []
        errors: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on(
            "request", lambda r: outside.append(r.url) if not r.url.startswith(("file:", "data:", "blob:")) else None
        )
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((published / "index.html").as_uri())
        charts = page.locator("figure.chart")
        assert charts.count() >= 5
        page.wait_for_function(
            "[...document.querySelectorAll('figure.chart')].every((f) => f.querySelector('.main-svg'))",
            timeout=120_000,
        )
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width + 1, f"the report is {wide} px wide on a {width} px screen"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot = SCREENSHOTS / f"report-{width}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 20_000
        assert dialogs == [] and outside == [] and errors == [], (dialogs, outside, errors)
        browser.close()
