"""``modelcensus report``: the whole report of the small census (every source, a few hundred models cut from the
shared data) checked against the library on the same store; the sections whose figures are known answers (the
vintages, the claims, the report as of a date) on the full census; the concentration metrics on frames of known
answer."""

from __future__ import annotations

import json
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

import ibis
import pandas as pd
import pytest
import yaml
from PIL import Image
from typer.testing import CliRunner

import modelcensus as mc
from modelcensus.errors import QueryError
from modelcensus.metrics.overview import concentration
from modelcensus.outputs.cli.app import app
from modelcensus.outputs.report.builder import DEFAULT_DEFINITIONS, ReportBuilder, load_strings
from modelcensus.outputs.report.pages import render_html, render_markdown
from modelcensus.outputs.report.vintages import claims_section, vintages_section

from conftest import ROOT
from known_answers import (
    AS_OF_EARLY_2025,
    EPOCH_EXPORT_DATE,
    NOTABLE_2024_AT_VINTAGE,
    NOTABLE_2024_US_AS_OF_EARLY_2025,
    VINTAGE_DATES,
)

CHARTS = (
    "countries_over_time",
    "vintages",
    "listing_lag",
    "top_organizations",
    "open_weights",
    "hub_derivatives",
    "hub_lineage",
    "hub_downloads",
    "concentration",
    "frontier",
    "claims",
)
PROVENANCE = ("Definition:", "Counting rule:", "Attribution:", "Sources:", "Credit:")


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory, small_census_path: Path) -> Path:
    """The report of the small census, built once through the CLI."""
    out = tmp_path_factory.mktemp("report") / "out"
    started = time.perf_counter()
    result = CliRunner().invoke(
        app,
        ["report", "--out", str(out), "--db", str(small_census_path), "--claims", str(ROOT / "examples/claims.yaml")],
    )
    assert result.exit_code == 0, result.output
    print(f"report built in {time.perf_counter() - started:.1f} s")  # shown with pytest -s
    return out


@pytest.fixture()
def census(small_census_path: Path) -> Iterator[mc.Census]:
    with mc.open(small_census_path, read_only=True) as opened:
        yield opened


@dataclass(frozen=True)
class Rendered:
    """Sections of the report of the full census, rendered as the report renders them (no images)."""

    html: str
    markdown: str


@pytest.fixture(scope="module")
def full_sections(full_census_path: Path) -> Rendered:
    """The vintages and claims sections of the full census's report: their figures are known answers."""
    strings = load_strings("en")
    with mc.open(full_census_path, read_only=True) as census:
        builder = ReportBuilder(census, strings, list(DEFAULT_DEFINITIONS), ROOT / "examples/claims.yaml")
        sections = [vintages_section(builder), claims_section(builder)]
    meta = {"built": "now", "db": str(full_census_path)}
    return Rendered(render_html(sections, strings, meta), render_markdown(sections, strings, meta))


class _Page(HTMLParser):
    """Every URL-carrying attribute, every <style> text, and the figure captions of a page."""

    URL_ATTRIBUTES: ClassVar[set[str]] = {
        "src",
        "href",
        "srcset",
        "poster",
        "data",
        "action",
        "formaction",
        "xlink:href",
        "background",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[tuple[str, str, str]] = []
        self.styles: list[str] = []
        self.tags: list[str] = []
        self.captions: list[str] = []
        self.figures: list[str] = []
        self._in_style = False
        self._caption_depth = 0
        self._caption: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in self.URL_ATTRIBUTES and value is not None:
                self.urls.append((tag, name, value))
            if name == "style" and value:
                self.styles.append(value)
        values = dict(attrs)
        if tag == "style":
            self._in_style = True
        if tag == "figure" and values.get("class") == "chart":
            self.figures.append(str(values.get("id")))
        if tag == "div" and (values.get("class") == "caption" or self._caption_depth):
            self._caption_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False
        if tag == "div" and self._caption_depth:
            self._caption_depth -= 1
            if not self._caption_depth:
                self.captions.append("\n".join(self._caption))
                self._caption = []

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)
        if self._caption_depth:
            self._caption.append(data)


@pytest.fixture(scope="module")
def page(report_dir: Path) -> _Page:
    parser = _Page()
    parser.feed((report_dir / "index.html").read_text(encoding="utf-8"))
    return parser


def test_files_exist(report_dir: Path) -> None:
    assert (report_dir / "index.html").stat().st_size > 1_000_000  # plotly.js is inline
    assert (report_dir / "report.md").stat().st_size > 5_000
    for name in CHARTS:
        assert (report_dir / "charts" / f"{name}.png").is_file(), name
        assert (report_dir / "charts" / f"{name}.svg").is_file(), name


def test_html_loads_nothing_from_elsewhere(report_dir: Path, page: _Page) -> None:
    for tag, attribute, value in page.urls:
        assert value.startswith(("data:", "#")), f"<{tag} {attribute}={value!r}> points outside the page"
    for css in page.styles:
        for url in re.findall(r"url\(\s*['\"]?([^'\")]*)", css):
            assert url.startswith(("data:", "#")), f"CSS url({url}) points outside the page"
        assert "@import" not in css
    assert "link" not in page.tags and "iframe" not in page.tags and "img" not in page.tags
    text = (report_dir / "index.html").read_text(encoding="utf-8")
    assert text.count("plotly.js v") == 1, "plotly.js is inlined exactly once"
    assert len(re.findall(r"<script[^>]*\bsrc=", text)) == 0
    assert [f"figure-{name}" for name in CHARTS] == page.figures


def test_every_chart_and_table_states_its_provenance(census: mc.Census, report_dir: Path, page: _Page) -> None:
    sources = census.sources()
    epoch_date = str(sources[(sources["source"] == "epoch") & sources["current"]]["data_date"].iloc[0])
    hub_date = str(sources[(sources["source"] == "huggingface") & sources["current"]]["data_date"].iloc[0])
    repos = int(census.count_hub(by="derivative").frame["repos"].sum())  # the small copy of the listing
    assert len(page.captions) >= len(CHARTS)
    for caption in page.captions:
        for word in PROVENANCE:
            assert word in caption, f"{word} missing from caption {caption[:200]!r}"
    figure_captions = _figure_captions((report_dir / "index.html").read_text(encoding="utf-8"))
    assert set(figure_captions) == set(CHARTS)
    for name in ("countries_over_time", "top_organizations", "open_weights", "concentration", "vintages"):
        caption = figure_captions[name]
        assert "Epoch AI" in caption and "CC BY 4.0" in caption and epoch_date in caption, name
        assert f"Epoch AI (CC BY 4.0): export dated {epoch_date}" in caption or name == "vintages", name
    for name in ("hub_derivatives", "hub_lineage", "hub_downloads"):
        caption = " ".join(figure_captions[name].split())
        assert "Hugging Face Hub" in caption and hub_date in caption, name
        # the Hub's scope and date, never just "export dated"
        assert f"a listing of {repos:,} trending repos" in caption and "not a full harvest" in caption, name
        assert f"dated {hub_date}, a listing of {repos:,} trending repos" in caption, name
        assert "harvest dated" not in caption, name  # the date is the listing's, not of the harvest it is not
    assert "LMArena" in figure_captions["frontier"]
    for definition in DEFAULT_DEFINITIONS:
        assert definition in figure_captions["countries_over_time"]
        assert definition in figure_captions["concentration"]
    for name in ("countries_over_time", "concentration", "open_weights", "top_organizations"):
        assert "Years still filling in:" in figure_captions[name], name

    markdown = (report_dir / "report.md").read_text(encoding="utf-8")
    for name in CHARTS:
        block = markdown.split(f"(charts/{name}.png)", 1)[1].split("\n\n![", 1)[0]
        for word in PROVENANCE:
            assert f"> {word}" in block, f"report.md: {word} missing under chart {name}"
    for name in CHARTS:  # the image itself carries the same footer
        svg_text = " ".join(t.strip() for t in ET.parse(report_dir / "charts" / f"{name}.svg").getroot().itertext())
        for word in PROVENANCE:
            assert word in svg_text, f"{name}.svg: footer lacks {word}"
    svg_text = " ".join(ET.parse(report_dir / "charts" / "countries_over_time.svg").getroot().itertext())
    assert "Epoch AI" in svg_text and "CC BY 4.0" in svg_text and epoch_date in svg_text


def _figure_captions(text: str) -> dict[str, str]:
    """Each chart's caption in a page: the caption div that follows its figure."""
    out = {}
    for match in re.finditer(r'<figure class="chart" id="figure-([a-z_]+)">', text):
        rest = text[match.end() :]
        start = rest.index('<div class="caption">')
        out[match.group(1)] = re.sub(r"<[^>]+>", "\n", rest[start : rest.index("</div>", start)])
    return out


def test_images_are_valid_and_of_sensible_size(report_dir: Path) -> None:
    for name in CHARTS:
        png = report_dir / "charts" / f"{name}.png"
        with Image.open(png) as image:
            image.verify()
        with Image.open(png) as image:
            width, height = image.size
            assert image.format == "PNG"
        assert 800 <= width <= 2400 and 400 <= height <= 2400, (name, width, height)
        assert png.stat().st_size > 20_000, f"{name}.png looks empty"
        root = ET.parse(report_dir / "charts" / f"{name}.svg").getroot()
        assert root.tag.endswith("svg")
        assert float(root.attrib["width"].removesuffix("pt")) > 500
        for element in root.iter():  # an SVG loads nothing either: local references and inline styles only
            for attribute, value in element.attrib.items():
                if attribute.endswith("href"):
                    assert value.startswith(("#", "data:")), f"{name}.svg: {attribute}={value!r}"
                if attribute == "style" or element.tag.endswith("style"):
                    css = value if attribute == "style" else element.text or ""
                    assert all(u.startswith("#") for u in re.findall(r"url\(\s*['\"]?([^'\")]*)", css))
                    assert "@import" not in css


def _markdown_table(markdown: str, title: str) -> pd.DataFrame:
    lines = markdown.split(f"### {title}\n\n", 1)[1].splitlines()
    rows = [line for line in lines[: next(i for i, line in enumerate(lines) if not line.startswith("|"))]]
    cells = [[c.strip() for c in row.strip("|").split(" | ")] for row in rows]
    return pd.DataFrame(cells[2:], columns=cells[0]).set_index(cells[0][0])


def test_markdown_figures_agree_with_census_count(census: mc.Census, report_dir: Path) -> None:
    markdown = (report_dir / "report.md").read_text(encoding="utf-8")
    table = _markdown_table(markdown, "epoch-notable: models by country and year")
    year = census.latest_complete_year(["epoch"]) - 1
    counted = census.count(by="country", year=year, notable=True).frame
    for code in ("US", "CN"):
        row = counted[counted["group"] == code].iloc[0]
        assert int(table.loc[row["group_name"], str(year)].replace(",", "")) == row["count"], code
    denominator = int(counted["denominator"].iloc[0])
    assert int(table.loc["All models (denominator)", str(year)].replace(",", "")) == denominator
    everything = _markdown_table(markdown, "epoch-all: models by country and year")
    counted_all = census.count(by="country", year=year).frame
    us = counted_all[counted_all["group"] == "US"].iloc[0]
    filling = {s.year for s in census.year_statuses(census.year_status(year, year)) if not s.complete}
    column = f"{year}\\*" if year in filling else str(year)  # a year still filling in is headed 2024* (escaped)
    assert int(everything.loc["United States", column].replace(",", "")) == us["count"]


def test_markdown_claims_table(census: mc.Census, report_dir: Path) -> None:
    markdown = (report_dir / "report.md").read_text(encoding="utf-8")
    table = _markdown_table(markdown, "Published claims, checked").reset_index()
    claims = yaml.safe_load((ROOT / "examples/claims.yaml").read_text(encoding="utf-8"))["claims"]
    assert len(table) == len(claims) == 5
    assert list(table.columns) == load_strings("en")["sections"]["claims"]["columns"]
    assert set(table["verdict"]) <= {"supported", "contradicted", "consistent-at-vintage", "not-checkable"}
    results = {r["claim"]: r for r in census.check(ROOT / "examples/claims.yaml")}
    for row in table.itertuples(index=False):
        r = results[row.claim.replace("\\", "")]
        assert row.verdict == r["verdict"]
        now = r["now"]
        assert str(now["export_date"]) in row.now
    notable = table[table["claim"].str.contains("United States 40")].iloc[0]
    counted = census.count(by="country", year=2024, notable=True).frame
    us = int(counted.loc[counted["group"] == "US", "count"].iloc[0])
    assert notable["now"] == f"{us:,} ({EPOCH_EXPORT_DATE})" and notable["definition"] == "epoch-notable"
    then = census.count(by="country", year=2024, notable=True, as_of=AS_OF_EARLY_2025).frame
    us_then = int(then.loc[then["group"] == "US", "count"].iloc[0])
    assert notable["at its vintage"] == f"{us_then} ({VINTAGE_DATES[3]})"
    assert notable["next vintage"].endswith(f"({VINTAGE_DATES[4]})")
    low, high = (float(x.replace(",", "")) for x in notable["sensitivity range"].split(" – "))
    assert low <= us <= high and low < high
    explanations = markdown.split("### What changed, claim by claim", 1)[1]
    for r in results.values():
        assert r["explanation"].split(" (")[0] in explanations.replace("\\", "")
        if (r.get("coverage") or {}).get("reason"):
            assert "withheld" in explanations


def test_claims_section_on_the_full_census(full_sections: Rendered) -> None:
    """The AI Index's 40 lies between the figure at its vintage (39) and at the next (48): consistent."""
    table = _markdown_table(full_sections.markdown, "Published claims, checked").reset_index()
    notable = table[table["claim"].str.contains("United States 40")].iloc[0]
    us = NOTABLE_2024_AT_VINTAGE["US"]
    assert notable["now"] == f"{us[-1]} ({EPOCH_EXPORT_DATE})"
    assert notable["at its vintage"] == f"{us[3]} ({VINTAGE_DATES[3]})"
    assert notable["next vintage"] == f"{us[4]} ({VINTAGE_DATES[4]})"
    assert notable["verdict"] == "consistent-at-vintage"
    assert notable["with models no source lists"] == "withheld (see below)"


# -- years still filling in, vintages, the listing lag ---------------------------------------------------


def _plotly_spec(html: str, name: str) -> dict[str, Any]:
    start = html.index(f'id="chart-{name}"')
    begin = html.index("})(", start) + 3
    end = html.index(");</script>", begin)
    spec: dict[str, Any] = json.loads(html[begin:end].replace("<\\/", "</"))
    return spec


def test_filling_in_years_are_never_drawn_as_complete(census: mc.Census, report_dir: Path) -> None:
    """The epoch-all panels mark exactly the years the census calls filling in: hatched bars with an estimate in
    the image's Plotly twin, ``2025*`` in the tables, a sentence each in the text; the complete years are not."""
    until = census.latest_complete_year(["epoch"])
    since = until - 10
    statuses = census.year_statuses(census.year_status(since, until))
    filling = [s.year for s in statuses if not s.complete]
    assert until in filling, "the newest year is still filling in on the real data"
    html = (report_dir / "index.html").read_text(encoding="utf-8")
    spec = _plotly_spec(html, "countries_over_time")
    years = [str(y) for y in range(since, until + 1)]
    # panel 2 (x2/y2) is epoch-all's counts: every bar trace hatched exactly at the filling-in years
    bars = [t for t in spec["data"] if t.get("xaxis") == "x2" and t["type"] == "bar" and t["x"] == years]
    assert bars
    for trace in bars:
        shapes = trace["marker"]["pattern"]["shape"]
        assert [y for y, shape in zip(years, shapes, strict=True) if shape == "/"] == [str(y) for y in filling]
    estimates = [t for t in spec["data"] if t.get("xaxis") == "x2" and t.get("error_y")]
    assert len(estimates) == 1 and estimates[0]["x"] == [str(y) for y in filling if y in _estimated(statuses)]
    text = html.replace("&#x27;", "'")
    for status in statuses:
        if status.complete:
            continue
        sentence = status.describe("epoch-all", detail=status.low == status.high)
        assert sentence in text, sentence
        assert f"epoch-all in {status.year}: complete" not in text
    markdown = (report_dir / "report.md").read_text(encoding="utf-8")
    table = _markdown_table(markdown, "epoch-all: models by country and year")
    for year in range(since, until + 1):
        assert (f"{year}\\*" in table.columns) == (year in filling), year
    svg = (report_dir / "charts" / "countries_over_time.svg").read_text(encoding="utf-8")
    assert "<pattern" in svg, "the SVG draws hatched bars"
    concentration = _plotly_spec(html, "concentration")
    dashed = [
        t
        for t in concentration["data"]
        if t.get("xaxis") == "x2"
        and t.get("line", {}).get("dash") == "dash"
        and isinstance(t["marker"]["symbol"], list)
    ]
    assert dashed, "concentration: years still filling in on a dashed segment"
    for trace in dashed:
        hollow = [x for x, symbol in zip(trace["x"], trace["marker"]["symbol"], strict=True) if symbol == "circle-open"]
        assert hollow == [str(y) for y in filling]


def _estimated(statuses: list[Any]) -> set[int]:
    return {s.year for s in statuses if not s.complete and s.estimate is not None}


def test_tiny_denominators_are_not_drawn(census: mc.Census) -> None:
    builder = ReportBuilder(census, load_strings("en"), ["large-scale"], None)
    section = builder.countries()
    chart = section.blocks[0].chart
    assert chart is not None
    shares = chart.panels[1]
    units = census.count_definition_by_year("large-scale", builder.since, builder.until).frame
    tiny = units.groupby("year")["denominator"].first()
    tiny = tiny[tiny < 20]
    assert len(tiny), "large-scale has years of very few models"
    for year in tiny.index:
        assert shares.data.loc[year].isna().all(), year
    assert "fewer than 20 models" in shares.note


@pytest.mark.parametrize("store", ["small", "full"])
def test_vintage_and_listing_lag_sections(store: str, request: pytest.FixtureRequest) -> None:
    """The vintages table, chart and caption are the census's vintages; on the full census, its known answers."""
    path: Path = request.getfixturevalue(f"{store}_census_path")
    if store == "full":
        full: Rendered = request.getfixturevalue("full_sections")
        html, markdown = full.html, full.markdown
    else:
        report: Path = request.getfixturevalue("report_dir")
        html = (report / "index.html").read_text(encoding="utf-8")
        markdown = (report / "report.md").read_text(encoding="utf-8")
    table = _markdown_table(markdown, "Notable models of 2024 at each vintage")
    with mc.open(path, read_only=True) as census:
        vintages = census.vintages("country", year=2024, notable=True).frame
        _, curves = census.listing_lag()
    counts = {}
    for code, name in (("US", "United States"), ("CN", "China")):
        counts[code] = list(vintages[vintages["group"] == code]["count"])
        assert [int(v) for v in table[name]] == counts[code], name
    assert list(table.index) == [str(d) for d in vintages.drop_duplicates("export_id")["export_date"]]
    assert list(table.index) == [d.isoformat() for d in VINTAGE_DATES]
    caption = _figure_captions(html)["vintages"]
    assert f"Vintages (6): {VINTAGE_DATES[0]} (notable)" in caption and "back-filled" in caption
    assert f"China {counts['CN'][0]} → {counts['CN'][-1]}" in caption
    assert f"United States {counts['US'][0]} → {counts['US'][-1]}" in caption
    spec = _plotly_spec(html, "vintages")
    lines = {t["name"]: t["y"] for t in spec["data"]}
    assert lines["China"] == counts["CN"] and lines["United States"] == counts["US"]
    if store == "full":
        assert (counts["US"], counts["CN"]) == (
            list(NOTABLE_2024_AT_VINTAGE["US"]),
            list(NOTABLE_2024_AT_VINTAGE["CN"]),
        )
    lag = " ".join(_figure_captions(html)["listing_lag"].split())
    assert curves[""].basis() in lag and "upper bounds" in lag
    lag_spec = _plotly_spec(html, "listing_lag")
    observed = next(t for t in lag_spec["data"] if t.get("xaxis") == "x" and t["mode"] == "markers")
    assert sum(v is not None for v in observed["y"]) == len(curves[""].observations)


def test_report_as_of_a_date(full_census: mc.Census) -> None:
    """As of 2025-03-01 on the full census: the figures of the vintage in force (2025-02-24), 2024 still filling
    in, the header."""
    strings = load_strings("en")
    builder = ReportBuilder(full_census, strings, ["epoch-notable"], None, as_of=AS_OF_EARLY_2025)
    assert builder.until == 2024
    section = builder.countries()
    chart = section.blocks[0].chart
    assert chart is not None
    counts = chart.panels[0]
    then = full_census.count(by="country", year=2024, notable=True, as_of=AS_OF_EARLY_2025).frame
    us = int(then.loc[then["group"] == "US", "count"].iloc[0])
    assert counts.data.loc[2024, "United States"] == us == NOTABLE_2024_US_AS_OF_EARLY_2025
    assert 2024 in counts.partial and counts.estimate is not None and 2024 in counts.estimate.index
    caption = " ".join(section.blocks[0].caption)
    assert "2025-02-24" in caption and "2026-03-30" not in caption
    vintages = vintages_section(builder)
    meta = {"built": "now", "db": "x", "as_of": "2025-03-01"}
    html = render_html([section, vintages], strings, meta)
    assert "As of 2025-03-01" in html
    assert "As of 2025-03-01" in render_markdown([section], strings, meta)
    table = next(b.table for b in vintages.blocks if b.table is not None)
    assert all(d <= "2025-03-01" for d in table.iloc[:, 0])


def test_claims_text_is_escaped(census: mc.Census, tmp_path: Path) -> None:
    path = tmp_path / "claims.yaml"
    path.write_text(
        """claims:
  - id: evil-$5$-<b>x</b>
    claim: "<script>alert('x')</script> China $5$ *bold* | pipe"
    source: "<img src=x onerror=alert(1)>"
    metric: count
    country: CN
    period: {year: 2024}
    comparison: "=="
    value: 15
    definition: epoch-notable
    as_of: 2025-03-01
""",
        encoding="utf-8",
    )
    strings = load_strings("en")
    builder = ReportBuilder(census, strings, ["epoch-notable"], path)
    section = claims_section(builder)
    html = render_html([section], strings, {"built": "now", "db": "x"})
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>x</b>" not in html
    assert "&lt;script&gt;alert" in html
    markdown = render_markdown([section], strings, {"built": "now", "db": "x"})
    assert "<script>" not in markdown and "<img" not in markdown and "&lt;script&gt;" in markdown
    assert "\\| pipe" in markdown
    chart = section.blocks[0].chart
    assert chart is not None
    out = tmp_path / "charts"
    from modelcensus.outputs.report.charts import save_images

    png, svg = save_images(chart, out)  # a "$" in a claim is text, not Matplotlib mathtext
    assert png.stat().st_size > 10_000 and "evil" in svg.read_text(encoding="utf-8")


def test_as_of_option_is_documented_and_checked(tmp_path: Path, small_census_path: Path) -> None:
    result = CliRunner().invoke(app, ["report", "--help"], env={"COLUMNS": "200"})
    assert "--as-of" in result.output and "as the census stood on this date" in result.output
    out = tmp_path / "out"
    bad = CliRunner().invoke(app, ["report", "--out", str(out), "--db", str(small_census_path), "--as-of", "May"])
    assert bad.exit_code != 0 and "YYYY-MM-DD" in bad.output and not out.exists()
    early = CliRunner().invoke(
        app, ["report", "--out", str(out), "--db", str(small_census_path), "--as-of", "2020-01-01"]
    )
    assert early.exit_code != 0 and "no Epoch AI export dated on or before 2020-01-01" in early.output


# -- concentration: small frames whose answer is known by construction ------------------------------


def _concentration(frame: pd.DataFrame) -> pd.DataFrame:
    out: pd.DataFrame = concentration(ibis.memtable(frame)).execute()
    return out.set_index("year")


def test_concentration_known_answers() -> None:
    frame = pd.DataFrame(
        {
            "year": [2020, 2020, 2020, 2020, 2021, 2021, 2021, 2021, 2022, 2022],
            "group": ["US", "CN", "FR", None, "DE", "BR", "AU", "CA", "JP", "GB"],
            "count": [6.0, 3.0, 1.0, 5.0, 2.5, 2.5, 2.5, 2.5, 4.0, 0.0],
        }
    )
    out = _concentration(frame)
    assert list(out.index) == [2020, 2021, 2022]
    # 2020: shares 0.6, 0.3, 0.1 (the no-country row is not a country)
    assert out.loc[2020, "top1_group"] == "US"
    assert out.loc[2020, "top1_share"] == pytest.approx(0.6)
    assert out.loc[2020, "top2_share"] == pytest.approx(0.9)
    assert out.loc[2020, "hhi"] == pytest.approx(0.36 + 0.09 + 0.01)
    assert out.loc[2020, "groups"] == 3 and out.loc[2020, "total"] == pytest.approx(10.0)
    # 2021: four equal countries: 1/4, 1/2, HHI 1/n; the tie goes to the first name
    assert out.loc[2021, "top1_share"] == pytest.approx(0.25)
    assert out.loc[2021, "top2_share"] == pytest.approx(0.5)
    assert out.loc[2021, "hhi"] == pytest.approx(0.25)
    assert out.loc[2021, "top1_group"] == "AU"
    # 2022: one country with models (a zero count is no presence): a monopoly
    assert out.loc[2022, "hhi"] == pytest.approx(1.0)
    assert out.loc[2022, "top2_share"] == pytest.approx(1.0) and out.loc[2022, "groups"] == 1


def test_concentration_is_invariant_to_scale_and_row_order() -> None:
    frame = pd.DataFrame({"year": [1, 1, 1, 2, 2], "group": ["a", "b", "c", "a", "b"], "count": [5, 3, 2, 1, 3]})
    base = _concentration(frame)
    scaled = _concentration(frame.assign(count=frame["count"] * 7).iloc[::-1].reset_index(drop=True))
    pd.testing.assert_frame_equal(base.drop(columns="total"), scaled.drop(columns="total"))
    assert base.loc[2, "top1_group"] == "b" and base.loc[2, "top1_share"] == pytest.approx(0.75)


def test_census_concentration_matches_its_counts(census: mc.Census) -> None:
    year = census.latest_complete_year(["epoch"])
    counts = census.count_definition_by_year("epoch-notable", year - 2, year).frame
    one = census.count_definition("epoch-notable", year=year).frame
    assert (
        counts[counts["year"] == year].set_index("group_name")["count"].to_dict()
        == one.set_index("group_name")["count"].to_dict()
    )
    concentration = census.concentration("epoch-notable", year - 2, year)
    conc = concentration.frame.set_index("year")
    countries = one[one["group"].notna()]
    shares = countries["count"] / countries["count"].sum()
    assert conc.loc[year, "hhi"] == pytest.approx(float((shares**2).sum()))
    assert conc.loc[year, "top1_share"] == pytest.approx(float(shares.max()))
    provenance = concentration.provenance
    assert (provenance.definition or "").startswith("epoch-notable") and provenance.snapshots
    assert provenance.concentration_text and provenance.denominator == "the year's country counts added up"


def test_top_organizations_agree_with_count_by_organization(census: mc.Census) -> None:
    top = census.top_organizations(5, since=2020, until=2025).frame
    counted = census.count(by="organization", attribution="resolved", since=2020, until=2025).frame.set_index("group")
    assert len(top) == 5 and list(top["models"]) == sorted(top["models"], reverse=True)
    for name, models in zip(top["organization"], top["models"], strict=True):
        assert counted.loc[name, "models"] == models, name
    assert all(top["countries"].map(len) >= 1) and set(top["sector"]) <= {
        "industry",
        "academia",
        "government",
        "non-profit",
        "collective",
        "(no sector)",
    }


# -- options and errors ---------------------------------------------------------------------------------


def test_chosen_definitions_are_charted_side_by_side(census: mc.Census) -> None:
    builder = ReportBuilder(census, load_strings("en"), ["epoch-notable", "frontier"], None)
    section = builder.countries()
    chart = section.blocks[0].chart
    assert chart is not None and chart.columns == 2
    assert [p.title for p in chart.panels] == [
        "epoch-notable: models",
        "frontier: models",
        "epoch-notable: share of models (lines)",
        "frontier: share of models (lines)",
    ]
    frontier_counts = chart.panels[1].data
    counted = census.count(by=["country", "year"], since=builder.since, until=builder.until, frontier=True).frame
    by_cell = {(int(r.year), r.group_name): r.count for r in counted.itertuples(index=False)}
    assert list(frontier_counts.index) == list(range(builder.since, builder.until + 1))
    assert frontier_counts["United States"].sum() > 0
    for name in frontier_counts.columns:  # every country drawn, every year: the census's count (none: zero)
        for year, value in frontier_counts[name].items():
            assert value == by_cell.get((int(year), name), 0), (name, year)


def test_unknown_definition_fails_clearly(tmp_path: Path, small_census_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["report", "--out", str(out), "--db", str(small_census_path), "--definition", "no-such-definition"]
    )
    assert result.exit_code != 0
    assert "unknown definition 'no-such-definition'" in result.output and "epoch-notable" in result.output
    assert "Traceback" not in result.output
    assert not out.exists(), "nothing is written when an option is wrong"


def test_unknown_language_fails_clearly(tmp_path: Path, small_census_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["report", "--out", str(out), "--db", str(small_census_path), "--lang", "fr"])
    assert result.exit_code != 0
    assert "no report strings for language 'fr'" in result.output and "available: en" in result.output
    assert not out.exists()
    with pytest.raises(QueryError, match=re.escape("language '../en'")):
        load_strings("../en")


def test_strings_file_holds_every_word_used() -> None:
    strings = load_strings("en")
    source = (ROOT / "src/modelcensus/outputs/report/builder.py").read_text(encoding="utf-8")
    vintages = (ROOT / "src/modelcensus/outputs/report/vintages.py").read_text(encoding="utf-8")
    for key in re.findall(r'\bb\.s\["([a-z_]+)"\]', vintages):
        assert key in strings, key
    for key in re.findall(r'\bt\["([a-z_]+)"\]', vintages):
        assert key in strings["sections"]["vintages"] or key in strings["sections"]["claims"], key
    pages = (ROOT / "src/modelcensus/outputs/report/pages.py").read_text(encoding="utf-8")
    used = re.findall(r'self\.s\["([a-z_]+)"\]', source) + re.findall(r'strings\["([a-z_]+)"\]', pages)
    assert len(used) > 20
    for key in used:
        assert key in strings, key
    sections = strings["sections"]
    for key in re.findall(r'\bt\["([a-z_]+)"\]', source):
        assert any(key in section for section in sections.values()), key
    cac = (ROOT / "src/modelcensus/outputs/report/cac.py").read_text(encoding="utf-8")
    keys = re.findall(r'\bt\["([a-z_]+)"\]', cac)
    assert len(keys) > 30 and set(keys) <= set(sections["cac"]), set(keys) - set(sections["cac"])


# -- China's CAC register ------------------------------------------------------------------------------------------

CAC_LANGS = ("en", "zh", "id")


class _Memo:
    """The census, each CAC figure read once for the three languages' sections (the figures do not depend on the
    language; only their words do)."""

    def __init__(self, census: mc.Census) -> None:
        self._census = census
        self._seen: dict[tuple[str, str], Any] = {}

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._census, name)
        if not name.startswith(("cac_", "count_cac")):
            return found

        def memo(**kwargs: Any) -> Any:
            key = (name, repr(sorted(kwargs.items())))
            if key not in self._seen:
                self._seen[key] = found(**kwargs)
            return self._seen[key]

        return memo


@dataclass(frozen=True)
class CacBuilt:
    lang: str
    html: str
    markdown: str
    images: tuple[Path, ...]
    glyph_warnings: list[str]
    untranslated: list[str]


@pytest.fixture(scope="module")
def cac_sections(full_census_path: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, CacBuilt]:
    """The CAC section of the full census's report (which holds the shared CAC rows), in each language, with its
    chart saved as PNG and SVG."""
    import warnings

    from modelcensus.outputs.report.cac import cac_section
    from modelcensus.outputs.report.charts import save_images
    from modelcensus.outputs.report.pages import tidy_sections

    built = {}
    with mc.open(full_census_path, read_only=True) as census:
        memo = _Memo(census)
        for lang in CAC_LANGS:
            strings = load_strings(lang)
            builder = ReportBuilder(memo, strings, ["epoch-notable"], None)  # type: ignore[arg-type]
            section = cac_section(builder)
            assert section is not None
            tidy_sections([section], builder.w)
            charts = [block.chart for block in section.blocks if block.chart is not None]
            assert [c.name for c in charts] == ["cac_register"]
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                images = save_images(charts[0], tmp_path_factory.mktemp(f"cac-{lang}"))
            meta = {"built": "now", "db": str(full_census_path)}
            built[lang] = CacBuilt(
                lang,
                render_html([section], strings, meta),
                render_markdown([section], strings, meta),
                images,
                [str(w.message) for w in caught if "missing from font" in str(w.message)],
                list(builder.w.misses),
            )
    return built


def _count(value: Any) -> str:
    return f"{int(value):,}"


def test_cac_chart_sets_the_stored_filings_beside_the_published_totals(
    full_census: mc.Census, cac_sections: dict[str, CacBuilt]
) -> None:
    """The chart's series are the stored filings counted up by month, counted here from the filings themselves;
    its points are the published totals of ``cac_series``, each a statement of ``cac_totals`` with its source and
    reliability on hover, a bound drawn as a bound; registrations in their own panel."""
    strings = load_strings("en")["sections"]["cac"]
    built = cac_sections["en"]
    spec = _plotly_spec(built.html, "cac_register")
    traces = spec["data"]
    filings = full_census.cac_filings().frame
    days = pd.to_datetime(filings["filed_on"])
    dated = days.dropna()
    assert len(filings) > 50 and 0 < len(dated) < len(filings)  # the shared rows: some undated
    by_month = dated.dt.strftime("%Y-%m").value_counts().sort_index()
    series = full_census.cac_series().frame
    months = list(series["month"].astype(str))
    running = by_month.reindex(months, fill_value=0).cumsum()
    stored = next(t for t in traces if t["name"] == strings["stored"] and t["xaxis"] == "x")
    assert stored["line"]["shape"] == "hv"
    drawn = dict(zip(stored["x"], stored["y"], strict=True))
    for month, value in running.items():
        end = pd.Period(month, "M").end_time.date().isoformat()
        assert drawn[end] == float(value), month
    assert max(v for v in stored["y"] if v is not None) == len(dated)
    # the published totals: one point per month that has one, a bound as a hollow triangle
    totals = full_census.cac_totals().frame
    published = series[series["published_total"].notna()]
    points = [t for t in traces if t["name"] in (strings["published"], strings["published_bound"])]
    on_filings = [(x, y, t) for t in points if t["xaxis"] == "x" for x, y in zip(t["x"], t["y"], strict=True)]
    assert sorted(y for _, y, _ in on_filings) == sorted(float(v) for v in published["published_total"])
    bound = [t for t in points if t["name"] == strings["published_bound"]]
    assert bound and all(t["marker"]["symbol"] == "triangle-up-open" for t in bound)
    for x, y, trace in on_filings:
        stated = totals[(totals["as_of"].astype(str) == x) & (totals["filed"] == y)]
        assert len(stated), (x, y)  # each point is a statement of the published totals
        hover = trace["hovertext"][trace["x"].index(x)]
        assert any(r in hover for r in stated["reliability"]) and any(p in hover for p in stated["publisher"])
        kinds = set(stated["filed_kind"])
        assert (trace["name"] == strings["published_bound"]) == (kinds == {"at least"}), (x, kinds)
    assert {"at least", "cumulative"} <= set(totals["filed_kind"])
    # registrations are a panel of their own, their points the published registrations
    registrations = full_census.cac_series(record_type="registration").frame
    on_registrations = [y for t in points if t["xaxis"] == "x2" for y in t["y"]]
    expected = registrations["published_total"].dropna()
    assert sorted(on_registrations) == sorted(float(v) for v in expected) and len(expected) > 3


def test_cac_caption_and_tables_state_unit_vintage_undated_and_part(
    full_census: mc.Census, cac_sections: dict[str, CacBuilt]
) -> None:
    strings = load_strings("en")["sections"]["cac"]
    built = cac_sections["en"]
    filings = full_census.cac_filings().frame
    registrations = full_census.cac_filings(record_type="registration").frame
    undated = int(filings["filed_on"].isna().sum())
    caption = _figure_captions(built.html)["cac_register"]
    assert "a filing is a service: a provider and its model, not a model" in caption
    assert strings["part"] in caption
    assert (
        f"{undated} of the {len(filings)} stored filings and {int(registrations['filed_on'].isna().sum())} of the "
        f"{len(registrations)} stored registrations carry no date" in caption
    )
    snapshots = full_census.snapshots_in_force(["cac"], None)
    assert snapshots and all(str(s["data_date"]) in caption for s in snapshots)  # the attachments' dates
    newest = max(full_census.cac_totals().frame["as_of"])
    assert f"published totals stated up to {newest}" in caption
    for word in PROVENANCE:
        assert word in caption
    # the note sets the stored rows against the register's newest published size
    published = full_census.cac_series().frame.dropna(subset=["published_total"]).iloc[-1]
    share = f"{len(filings) / published['published_total']:.1%}"
    assert f"The census stores {len(filings)} filings and {len(registrations)} registrations" in built.html
    assert f"{_count(published['published_total'])} filings ({published['published_as_of']})" in built.html
    assert f"({share} of that total)" in built.html
    # by jurisdiction and by organization: top ten, the rows without one, all stored filings
    provinces = filings["province"].value_counts()
    table = _markdown_table(built.markdown, strings["province_title"].format(n=10)).reset_index()
    expected = sorted(provinces.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    rows = [tuple(r) for r in table.itertuples(index=False)]
    assert rows[: len(expected)] == [(n, str(c), f"{c / len(filings):.1%}") for n, c in expected]
    missing = int(filings["province"].isna().sum())
    assert missing and rows[len(expected)] == (strings["no_province"], str(missing), f"{missing / len(filings):.1%}")
    assert rows[-1] == (strings["total_row"], str(len(filings)), "100.0%")
    organizations = filings["organization"].value_counts()
    table = _markdown_table(built.markdown, strings["organization_title"].format(n=10)).reset_index()
    top = sorted(organizations.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    assert [tuple(r) for r in table.itertuples(index=False)][:10] == [
        (n, str(c), f"{c / len(filings):.1%}") for n, c in top
    ]
    # every published statement in the totals table, a bound as one, the stored filings dated by then beside it
    totals = full_census.cac_totals().frame
    table = _markdown_table(built.markdown, strings["totals_title"]).reset_index()
    assert len(table) == len(totals)
    days = pd.to_datetime(filings["filed_on"]).dropna().dt.date
    for (_, row), cells in zip(totals.iterrows(), table.itertuples(index=False), strict=True):
        assert cells[3] == _count((days <= row["as_of"]).sum())
        if row["filed_kind"] == "at least":
            assert cells[1] == f"at least {_count(row['filed'])}"
        elif row["filed_kind"] == "cumulative":
            assert cells[1] == _count(row["filed"])
        assert cells[4] == row["reliability"] and cells[5] == row["publisher"]


def test_cac_section_in_chinese_and_indonesian(full_census: mc.Census, cac_sections: dict[str, CacBuilt]) -> None:
    """Every word of the section is the language's: no English template left, Chinese organization names from the
    registry's native names, numbers and dates as the language writes them, CJK glyphs in the chart images."""
    from modelcensus.outputs.common.i18n import Words, placeholders

    english = load_strings("en")["sections"]["cac"]
    literals = set()
    for value in english.values():
        templates = list(value.values()) if isinstance(value, dict) else value if isinstance(value, list) else [value]
        for template in templates:
            for part in re.split(r"\{[a-z_]+\}", str(template)):
                if len(re.findall(r"[A-Za-z]", part)) >= 12:
                    literals.add(part.strip(" :;,.()"))
    assert len(literals) > 30
    filings = full_census.cac_filings().frame
    for lang in ("zh", "id"):
        built, words = cac_sections[lang], Words.load(lang)
        strings = load_strings(lang)["sections"]["cac"]
        assert built.untranslated == [] and built.glyph_warnings == []
        page = re.sub(r"<script.*?</script>", "", built.html, flags=re.DOTALL)
        left = [text for text in literals if text in page or text in built.markdown]
        assert not left, f"{lang}: English left in the CAC section: {left}"
        for key, value in english.items():
            if isinstance(value, str) and re.search(r"[A-Za-z]{4}", re.sub(r"\{[a-z_]+\}", "", value)):
                assert strings[key] != value, f"{lang}: sections.cac.{key} is not translated"
                assert sorted(placeholders(strings[key])) == sorted(placeholders(value)), key
        assert f"<h2>{strings['title']}</h2>" in built.html
        total = full_census.cac_series().frame.dropna(subset=["published_total"]).iloc[-1]
        assert words.date(total["published_as_of"]) in page and words.count(total["published_total"]) in page
        svg = built.images[1].read_text(encoding="utf-8")
        assert strings["chart_title"] in svg or strings["chart_title"].split("：")[0] in svg
        spec = _plotly_spec(built.html, "cac_register")
        names = {t["name"] for t in spec["data"]}
        assert {strings["stored"], strings["published"], strings["published_bound"]} <= names
        hovers = [h for t in spec["data"] for h in t.get("hovertext", [])]
        assert hovers and all(any(strings["reliability"][r] in h for r in strings["reliability"]) for h in hovers)
    zh = cac_sections["zh"]
    assert all(re.search(r"[\u4e00-\u9fff]", h) for h in re.findall(r"<h[23][^>]*>(.*?)</h[23]>", zh.html))
    # the organizations by their Chinese common names, where the registry has one
    registry = full_census.registry
    ranked = filings.groupby("org_id")["organization"].count().sort_values(ascending=False)
    named = 0
    for org_id in ranked.index[:5]:
        chinese = [n.name for n in registry.orgs[org_id].native_names if n.kind == "common" and n.lang == "zh-Hans"]
        if chinese:
            assert f'<td class="text">{chinese[0]}</td>' in zh.html, org_id
            named += 1
        assert f">{registry.orgs[org_id].name}<" not in zh.html.split('id="cac"')[1] or not chinese
    assert named >= 3
    assert '<td class="text">北京</td>' in zh.html and '<td class="text">Beijing</td>' in cac_sections["en"].html
    assert re.search(r"<td>\d+,\d%</td>", cac_sections["id"].html), "Indonesian writes a decimal comma"
    english_png = cac_sections["en"]
    assert english_png.glyph_warnings == []  # 备案 in an English chart draws with a CJK fallback font
    assert "备案" in english_png.images[1].read_text(encoding="utf-8")


def test_no_cac_section_without_cac_data(small_census: mc.Census, report_dir: Path) -> None:
    """A store without the register (the small census holds none of it) gets no CAC section, not an empty one."""
    from modelcensus.outputs.report.cac import cac_section

    assert small_census.cac_filings().frame.empty and small_census.cac_totals().frame.empty
    builder = ReportBuilder(small_census, load_strings("en"), ["epoch-notable"], None)
    assert cac_section(builder) is None
    html = (report_dir / "index.html").read_text(encoding="utf-8")
    assert 'id="cac"' not in html and "figure-cac_register" not in html
    assert load_strings("en")["sections"]["cac"]["title"] not in html
    assert not (report_dir / "charts" / "cac_register.png").exists()
