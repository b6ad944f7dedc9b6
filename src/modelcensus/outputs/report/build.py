"""``modelcensus report``: the sections of :class:`~.builder.ReportBuilder` and :mod:`.vintages`, their charts as
PNG and SVG, and the pages (``index.html``, ``report.md``) of :mod:`.pages`."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from modelcensus.census import Census
from modelcensus.errors import QueryError
from modelcensus.outputs.common.i18n import Words
from modelcensus.outputs.report.builder import DEFAULT_DEFINITIONS, Progress, ReportBuilder, ReportResult, load_strings
from modelcensus.outputs.report.cac import cac_section
from modelcensus.outputs.report.charts import font_settings, save_images
from modelcensus.outputs.report.pages import Section, render_html, render_markdown, tidy_sections
from modelcensus.outputs.report.vintages import claims_section, vintages_section


def build_report(
    census: Census,
    out: Path,
    *,
    definitions: Sequence[str] = (),
    lang: str = "en",
    claims: Path | None = None,
    db_label: str = "",
    progress: Progress | None = None,
    as_of: date | str | None = None,
) -> ReportResult:
    """Build the report into ``out``: ``index.html``, ``report.md`` and ``charts/NAME.png|svg``; with ``as_of``,
    the report as the census stood on that date.

    Everything is checked before anything is written: the language (and a font for its charts), the definitions,
    the claims file, the date.
    """
    started = time.perf_counter()
    strings = load_strings(lang)
    font_settings(Words.load(lang))  # a Chinese report without a CJK font fails here, not after the figures
    chosen = list(dict.fromkeys(definitions)) or list(DEFAULT_DEFINITIONS)
    for name in chosen:
        census.definition(name)  # unknown names fail here, naming the known ones
    if claims is not None and not claims.is_file():
        raise QueryError(f"{claims}: claims file not found")
    builder = ReportBuilder(census, strings, chosen, claims, as_of)
    tick = progress or (lambda label: None)
    steps: list[tuple[str, Callable[[], Section | None]]] = [
        ("models by country", builder.countries),
        ("vintages and listing lag", lambda: vintages_section(builder)),
        ("top organizations", builder.organizations),
        ("open weights", builder.open_weights),
        ("Hugging Face Hub", builder.hub),
        ("concentration", builder.concentration),
        ("quality frontier", builder.frontier),
        ("China's CAC register", lambda: cac_section(builder)),
        ("claims", lambda: claims_section(builder)),
    ]
    sections = []
    for label, step in steps:
        tick(label)
        section = step()
        if section is not None:  # a section with nothing to show (no CAC data stored) is left out
            sections.append(section)
    tidy_sections(sections, builder.w)
    tick("charts")
    charts_dir = out / "charts"
    images: list[Path] = []
    for section in sections:
        for block in section.blocks:
            if block.chart is not None:
                images.extend(save_images(block.chart, charts_dir))
    tick("pages")
    now = datetime.now(tz=UTC)
    words = builder.w
    built = now.strftime("%Y-%m-%d %H:%M UTC") if words.english else f"{words.date(now)} {now:%H:%M} UTC"
    # the store's file name, never its path: a report is published, the folders of the machine it was built on are not
    meta = {"built": built, "db": Path(db_label).name if db_label else census.path.name}
    if builder.as_of is not None:
        meta["as_of"] = words.date(builder.as_of)
    html_path = out / "index.html"
    html_path.write_text(render_html(sections, strings, meta), encoding="utf-8")
    md_path = out / "report.md"
    md_path.write_text(render_markdown(sections, strings, meta), encoding="utf-8")
    seconds = time.perf_counter() - started
    return ReportResult(out, html_path, md_path, images, sections, seconds, list(words.misses))


STEPS = 11  # the progress ticks of build_report: nine sections, the charts and the pages
