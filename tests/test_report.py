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
        assert f"not a full harvest dated {hub_date}" in caption, name
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
        "epoch-notable: share",
        "frontier: share",
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
