"""The report's pages: the self-contained HTML page and the Markdown report, from the report's sections.

Nothing here queries the census: :mod:`modelcensus.outputs.report.build` gathers the sections, this module
lays them out. The page loads nothing from elsewhere (plotly.js, CSS and chart data are inline).
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from importlib.metadata import version
from typing import Any

import pandas as pd

from modelcensus.outputs.common.i18n import Words
from modelcensus.outputs.report.charts import Chart
from modelcensus.outputs.report.interactive import plotly_figure


@dataclass
class Block:
    """A chart or a table of a section, with its caption (the provenance lines) and notes (sentences printed
    between the figure and its caption: which years are still filling in, a claim's explanation)."""

    title: str
    caption: list[str]
    chart: Chart | None = None
    table: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Section:
    key: str
    title: str
    intro: str
    blocks: list[Block] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def tidy_sections(sections: list[Section], words: Words) -> None:
    """Every text of the sections set as the language sets it (:meth:`Words.tidy`: no space between two Chinese
    characters), in place: the charts share their captions' lists."""
    if not words.s.get("cjk"):
        return
    tidy = words.tidy
    for section in sections:
        section.title, section.intro = tidy(section.title), tidy(section.intro)
        section.notes[:] = [tidy(n) for n in section.notes]
        for block in section.blocks:
            block.title = tidy(block.title)
            block.caption[:] = [tidy(c) for c in block.caption]
            block.notes[:] = [tidy(n) for n in block.notes]
            if block.chart is not None:
                block.chart.title = tidy(block.chart.title)
                block.chart.footer[:] = [tidy(c) for c in block.chart.footer]
                for panel in block.chart.panels:
                    panel.title, panel.note = tidy(panel.title), tidy(panel.note)


PLOTLY_CONFIG = json.dumps({"displaylogo": False, "responsive": True, "modeBarButtons": [["toImage"]]})
"""Plotly's toolbar: its one button that saves the chart as a picture (its zoom and pan buttons covered legends)."""

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;margin:0;
color:#1d1d1f;background:#fafafa;line-height:1.45}
main{max-width:1180px;margin:0 auto;padding:24px 28px 60px;background:#fff}
h1{font-size:1.7rem;margin:.2em 0}h2{font-size:1.35rem;margin-top:2.2em;border-bottom:2px solid #e5e5e5}
h3{font-size:1.05rem;margin:1.4em 0 .4em}
nav ol{columns:2;padding-left:1.2em}nav a{color:#1f5fa8;text-decoration:none}
figure{margin:1em 0 .4em}
figure.chart{overflow-x:auto}figure.chart .plot{min-width:860px}
@media (max-width:700px){main{padding:16px 12px 40px}table{display:block;overflow-x:auto}}
.caption{font-size:.8rem;color:#444;background:#f4f4f6;border-left:3px solid #c9c9d1;padding:.5em .8em;margin:0 0 1.2em}
.caption p{margin:.15em 0}
table{border-collapse:collapse;font-size:.82rem;margin:.4em 0;width:100%}
th,td{border-bottom:1px solid #e5e5e5;padding:3px 7px;text-align:right;vertical-align:top}
th:first-child,td:first-child{text-align:left}
td.text{text-align:left}
td.url{overflow-wrap:anywhere;font-size:.75rem}
thead th{background:#f0f0f3}
.note{color:#8a4b00}
.block-notes{font-size:.85rem;margin:.3em 0 .6em}.block-notes p{margin:.2em 0}
.asof{display:inline-block;background:#fff4e0;border:1px solid #e8c486;padding:.1em .5em;border-radius:4px}
footer{font-size:.75rem;color:#666;margin-top:3em}
.scroll{overflow-x:auto;max-width:100%}
@media (max-width:600px){main{padding:12px 10px 40px}nav ol{columns:1}h1{font-size:1.35rem}}
"""
LANGUAGE_CSS = {
    "zh": 'body{font-family:system-ui,-apple-system,"Noto Sans CJK SC","Source Han Sans SC","PingFang SC",'
    '"Microsoft YaHei",sans-serif;line-height:1.6}',
}
"""Fonts for the languages whose text the Latin fonts above cannot draw (installed ones only: nothing loads)."""


def _caption_html(lines: list[str]) -> str:
    inner = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    return f'<div class="caption">{inner}</div>'


def _table_html(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = []
    for row in frame.itertuples(index=False):
        cells = []
        for value in row:
            text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
            numeric = text.replace(",", "").replace(".", "").replace("%", "").replace("–", "").strip().isdigit()
            css = (
                "" if numeric else ' class="text url"' if text.startswith(("https://", "http://")) else ' class="text"'
            )
            cells.append(f"<td{css}>{html.escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    # in a box of its own that scrolls sideways, so a wide table never makes the page wider than a phone's screen
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'


def render_html(sections: list[Section], strings: dict[str, Any], meta: dict[str, str]) -> str:
    """The self-contained page: plotly.js inline once, CSS inline, no reference to anything elsewhere."""
    from plotly.offline import get_plotlyjs  # type: ignore[import-untyped]

    words = Words.load(str(strings.get("lang", "en")))
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{html.escape(words.html_lang)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(strings['title'])}</title>",
        f"<style>{CSS}{LANGUAGE_CSS.get(words.lang, '')}</style>",
        f'<script type="text/javascript">{get_plotlyjs()}</script>',
        "</head><body><main>",
        f"<h1>{html.escape(strings['title'])}</h1>",
        *(
            [f'<p class="asof" id="as-of">{html.escape(strings["as_of_header"].format(**meta))}</p>']
            if meta.get("as_of")
            else []
        ),
        f"<p>{html.escape(strings['subtitle'].format(**meta))}</p>",
        f"<nav><h2>{html.escape(strings['contents'])}</h2><ol>",
        *[f'<li><a href="#{s.key}">{html.escape(s.title)}</a></li>' for s in sections],
        "</ol></nav>",
    ]
    for section in sections:
        parts.append(f'<section id="{section.key}"><h2>{html.escape(section.title)}</h2>')
        parts.append(f"<p>{html.escape(section.intro)}</p>")
        parts.extend(f'<p class="note">{html.escape(note)}</p>' for note in section.notes)
        for block in section.blocks:
            if block.chart is not None:
                spec = json.dumps(plotly_figure(block.chart), ensure_ascii=False).replace("</", "<\\/")
                div_id = f"chart-{block.chart.name}"
                div = (
                    f'<div id="{div_id}" class="plot"></div><script type="text/javascript">'
                    f'(function (s) {{ Plotly.newPlot("{div_id}", s.data, s.layout, '
                    f"{PLOTLY_CONFIG}); }})({spec});</script>"
                )
                parts.append(f'<figure class="chart" id="figure-{block.chart.name}">{div}</figure>')
            elif block.table is not None:
                parts.append(f"<h3>{html.escape(block.title)}</h3>{_table_html(block.table)}")
            else:
                parts.append(f"<h3>{html.escape(block.title)}</h3>")
            if block.notes:
                inner = "".join(f"<p>{html.escape(note)}</p>" for note in block.notes)
                parts.append(f'<div class="block-notes">{inner}</div>')
            if block.caption:
                parts.append(_caption_html(block.caption))
        parts.append("</section>")
    footer = strings["footer_built"].format(version=version("modelcensus"), built=meta["built"])
    parts.append(f"<footer>{html.escape(footer)}</footer></main></body></html>")
    return "\n".join(parts)


def _md_text(text: str) -> str:
    """Text from the data (a claim, a name) as Markdown that renders it as written: no HTML, no emphasis."""
    for char in ("\\", "`", "*", "_", "[", "]"):
        text = text.replace(char, "\\" + char)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _md_cell(value: Any) -> str:
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    return _md_text(text).replace("|", "\\|").replace("\n", " ")


def _table_md(frame: pd.DataFrame) -> list[str]:
    lines = ["| " + " | ".join(_md_cell(c) for c in frame.columns) + " |"]
    lines.append("|" + "|".join("---" for _ in frame.columns) + "|")
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(_md_cell(v) for v in row) + " |")
    return lines


def render_markdown(sections: list[Section], strings: dict[str, Any], meta: dict[str, str]) -> str:
    """The Markdown report: the same sections, each chart as its PNG (SVG beside it) with its caption. Every text
    is written as text (:func:`_md_text`): a name or a claim from a claims file renders as written, never as HTML
    or Markdown, as index.html escapes it."""
    lines = [f"# {_md_text(strings['title'])}", ""]
    if meta.get("as_of"):
        lines += [f"**{_md_text(strings['as_of_header'].format(**meta))}**", ""]
    lines += [_md_text(strings["subtitle"].format(**meta)), ""]
    for section in sections:
        lines += [f"## {_md_text(section.title)}", "", _md_text(section.intro), ""]
        lines += [f"*{_md_text(note)}*\n" for note in section.notes]
        for block in section.blocks:
            if block.chart is not None:
                name = block.chart.name
                lines += [
                    f"![{_md_text(block.title)}](charts/{name}.png)",
                    "",
                    f"SVG: [charts/{name}.svg](charts/{name}.svg)",
                    "",
                ]
            else:
                lines += [f"### {_md_text(block.title)}", ""]
                if block.table is not None:
                    lines += [*_table_md(block.table), ""]
            for note in block.notes:
                lines += [_md_text(note), ""]
            if block.caption:
                lines += [f"> {_md_text(line)}  " for line in block.caption]
                lines.append("")
    lines.append(_md_text(strings["footer_built"].format(version=version("modelcensus"), built=meta["built"])))
    return "\n".join(lines) + "\n"
