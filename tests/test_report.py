"""``modelcensus report`` on the real shared data, and the concentration metrics on frames of known answer."""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import ibis
import pandas as pd
import pytest
from PIL import Image
from typer.testing import CliRunner

import modelcensus as mc
from modelcensus.errors import QueryError
from modelcensus.metrics.overview import concentration
from modelcensus.outputs.cli import app
from modelcensus.outputs.report import DEFAULT_DEFINITIONS, ReportBuilder, load_strings

from conftest import ROOT

CHARTS = (
    "countries_over_time",
    "top_organizations",
    "open_weights",
    "hub_derivatives",
    "hub_lineage",
    "hub_downloads",
    "concentration",
    "frontier",
)
PROVENANCE = ("Definition:", "Counting rule:", "Attribution:", "Sources:", "Credit:")


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory, full_census_path: Path) -> Path:
    """The report of the full shared-data census, built once through the CLI."""
    out = tmp_path_factory.mktemp("report") / "out"
    started = time.perf_counter()
    result = CliRunner().invoke(
        app,
        ["report", "--out", str(out), "--db", str(full_census_path), "--claims", str(ROOT / "examples/claims.yaml")],
    )
    assert result.exit_code == 0, result.output
    print(f"report built in {time.perf_counter() - started:.1f} s")  # shown with pytest -s
    return out


@pytest.fixture()
def census(full_census_path: Path) -> Iterator[mc.Census]:
    with mc.open(full_census_path, read_only=True) as opened:
        yield opened


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
    assert len(page.captions) >= len(CHARTS)
    for caption in page.captions:
        for word in PROVENANCE:
            assert word in caption, f"{word} missing from caption {caption[:200]!r}"
    figure_captions = _figure_captions(report_dir / "index.html")
    assert set(figure_captions) == set(CHARTS)
    for name in ("countries_over_time", "top_organizations", "open_weights", "concentration"):
        caption = figure_captions[name]
        assert "Epoch AI" in caption and "CC BY 4.0" in caption and epoch_date in caption, name
    for name in ("hub_derivatives", "hub_lineage", "hub_downloads"):
        assert "Hugging Face Hub" in figure_captions[name] and hub_date in figure_captions[name], name
    assert "LMArena" in figure_captions["frontier"]
    for definition in DEFAULT_DEFINITIONS:
        assert definition in figure_captions["countries_over_time"]
        assert definition in figure_captions["concentration"]

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


def _figure_captions(path: Path) -> dict[str, str]:
    """Each chart's caption: the caption div that follows its figure."""
    text = path.read_text(encoding="utf-8")
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
    counted = census.count(by="country", year=year, notable=True)
    for code in ("US", "CN"):
        row = counted[counted["group"] == code].iloc[0]
        assert int(table.loc[row["group_name"], str(year)].replace(",", "")) == row["count"], code
    denominator = int(counted["denominator"].iloc[0])
    assert int(table.loc["All models (denominator)", str(year)].replace(",", "")) == denominator
    everything = _markdown_table(markdown, "epoch-all: models by country and year")
    counted_all = census.count(by="country", year=year)
    us = counted_all[counted_all["group"] == "US"].iloc[0]
    assert int(everything.loc["United States", str(year)].replace(",", "")) == us["count"]


def test_markdown_claims_table(census: mc.Census, report_dir: Path) -> None:
    markdown = (report_dir / "report.md").read_text(encoding="utf-8")
    table = _markdown_table(markdown, "Published claims, checked").reset_index()
    assert len(table) == 5
    assert set(table["verdict"]) <= {"supported", "contradicted"}
    notable = table[table["claim"].str.contains("United States 40")].iloc[0]
    counted = census.count(by="country", year=2024, notable=True)
    us = int(counted.loc[counted["group"] == "US", "count"].iloc[0])
    assert notable["figure"] == f"{us:,}" and notable["definition"] == "epoch-notable"
    low, high = (float(x.replace(",", "")) for x in notable["sensitivity range"].split(" – "))
    assert low <= us <= high and low < high


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
    counts = census.count_definition_by_year("epoch-notable", year - 2, year)
    one = census.count_definition("epoch-notable", year=year)
    assert (
        counts[counts["year"] == year].set_index("group_name")["count"].to_dict()
        == one.set_index("group_name")["count"].to_dict()
    )
    conc = census.concentration("epoch-notable", year - 2, year).set_index("year")
    countries = one[one["group"].notna()]
    shares = countries["count"] / countries["count"].sum()
    assert conc.loc[year, "hhi"] == pytest.approx(float((shares**2).sum()))
    assert conc.loc[year, "top1_share"] == pytest.approx(float(shares.max()))
    assert conc.attrs["definition"].startswith("epoch-notable") and conc.attrs["snapshots"]


def test_top_organizations_agree_with_count_by_organization(census: mc.Census) -> None:
    top = census.top_organizations(5, since=2020, until=2025)
    counted = census.count(by="organization", attribution="resolved", since=2020, until=2025).set_index("group")
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
    year = builder.until
    counted = census.count(by="country", year=year, frontier=True)
    us = counted[counted["group"] == "US"]["count"].iloc[0]
    assert frontier_counts.loc[year, "United States"] == us


def test_unknown_definition_fails_clearly(tmp_path: Path, full_census_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["report", "--out", str(out), "--db", str(full_census_path), "--definition", "no-such-definition"]
    )
    assert result.exit_code != 0
    assert "unknown definition 'no-such-definition'" in result.output and "epoch-notable" in result.output
    assert "Traceback" not in result.output
    assert not out.exists(), "nothing is written when an option is wrong"


def test_unknown_language_fails_clearly(tmp_path: Path, full_census_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["report", "--out", str(out), "--db", str(full_census_path), "--lang", "fr"])
    assert result.exit_code != 0
    assert "no report strings for language 'fr'" in result.output and "available: en" in result.output
    assert not out.exists()
    with pytest.raises(QueryError, match=re.escape("language '../en'")):
        load_strings("../en")


def test_strings_file_holds_every_word_used() -> None:
    strings = load_strings("en")
    source = (ROOT / "src/modelcensus/outputs/report.py").read_text(encoding="utf-8")
    pages = (ROOT / "src/modelcensus/outputs/report_pages.py").read_text(encoding="utf-8")
    used = re.findall(r'self\.s\["([a-z_]+)"\]', source) + re.findall(r'strings\["([a-z_]+)"\]', pages)
    assert len(used) > 20
    for key in used:
        assert key in strings, key
    sections = strings["sections"]
    for key in re.findall(r'\bt\["([a-z_]+)"\]', source):
        assert any(key in section for section in sections.values()), key
