"""``modelcensus report``: a self-contained HTML page, a Markdown report and every chart as PNG and SVG.

The report reads the census only through the :class:`~modelcensus.census.Census` facade. Each chart and
table carries its provenance: the definition, the counting rule, the attribution, the source snapshots
with their dates and the credit lines the sources' licences require. The page loads nothing from
elsewhere: plotly.js, the CSS and the charts are inline. User-facing words live in
``strings/LANG.yaml``, so a translation is a file. :mod:`.pages` lays the sections out as
HTML and Markdown; :mod:`.charts` draws the charts; :mod:`.vintages` holds the vintage, listing-lag and
claims sections; :mod:`.years` says which years are still filling in (drawn hatched or hollow, with the
estimated final count). With ``as_of`` the report is the census as it stood on that date.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import ibis
import pandas as pd

from modelcensus.census import Census, Figure, Provenance
from modelcensus.errors import ModelCensusError, QueryError
from modelcensus.metrics.overview import concentration
from modelcensus.outputs.common.i18n import Words, read_strings
from modelcensus.outputs.common.i18n import languages as _languages
from modelcensus.outputs.common.palette import OTHER, SERIES_COLORS, UNKNOWN, country_color
from modelcensus.outputs.report.charts import PALETTE, Chart, Panel
from modelcensus.outputs.report.pages import Block, Section
from modelcensus.outputs.report.years import TINY_DENOMINATOR, YearMarker, YearMarks, parse_date
from modelcensus.records import country_name
from modelcensus.vocabulary import HUB_ATTRIBUTIONS, Attribution

STRINGS_DIR = Path(__file__).with_name("strings")
DEFAULT_DEFINITIONS = ("epoch-notable", "epoch-all", "large-scale")
TOP_COUNTRIES = 6
TABLE_COUNTRIES = 10
TOP_ORGANIZATIONS = 15
YEARS = 10
SECTORS = ("industry", "academia", "government", "non-profit", "collective")
SECTOR_COLORS = {sector: SERIES_COLORS[sector] for sector in SECTORS}

Progress = Callable[[str], None]


def languages() -> list[str]:
    """The report's languages: those with both the report's strings and the shared ones."""
    return [lang for lang in _languages(STRINGS_DIR) if lang in _languages()]


def load_strings(lang: str) -> dict[str, Any]:
    """The report's words in one language (``lang`` names it); an unknown language is a clear error, and so is
    one whose shared words (``outputs/common/strings``) are missing."""
    strings = read_strings(STRINGS_DIR, lang, "report")
    Words.load(lang)
    strings["lang"] = lang
    return strings


@dataclass
class ReportResult:
    out: Path
    html: Path
    markdown: Path
    images: list[Path]
    sections: list[Section]
    seconds: float
    untranslated: list[str] = field(default_factory=list)
    """Sentences of the lower layers that no phrase of the report's language matched: left in English."""


class ReportBuilder:
    """Gathers the figures from the census, section by section, and writes the files.

    With ``as_of`` every figure is read as the census stood on that date: the newest export of each source
    dated on or before it, and the years still filling in as that vintage saw them.
    """

    def __init__(
        self,
        census: Census,
        strings: dict[str, Any],
        definitions: Sequence[str],
        claims: Path | None,
        as_of: date | str | None = None,
        words: Words | None = None,
    ):
        self.census = census
        self.s = strings
        self.w = words or Words.load(str(strings.get("lang", "en")))
        self.definitions = list(definitions)
        self.claims = claims
        self.as_of = parse_date(as_of)
        self.colors: dict[str, str] = {strings["series"]["other"]: OTHER, strings["series"]["no_country"]: UNKNOWN}
        """Each series' colour by its name in the report's language: a country's is fixed by its code
        (:func:`~modelcensus.outputs.common.palette.country_color`, the dashboard's too)."""
        self.marker = YearMarker(census, self.as_of)
        self._figures: dict[str, Figure] = {}
        if self.marker.when is None:
            when = f" dated on or before {self.as_of}" if self.as_of else ""
            raise QueryError(f"no Epoch AI export{when} is stored: the report has nothing to count")
        newest = self.marker.when
        self.until = newest.year if (newest.month, newest.day) == (12, 31) else newest.year - 1
        self.since = self.until - YEARS

    # -- provenance -----------------------------------------------------------------------------

    def color(self, name: str) -> str:
        """One colour per series across every chart: a country's fixed one (given when :meth:`country` names
        it), a known series' own, else the first free one of the palette."""
        if name not in self.colors:
            used = set(self.colors.values())
            free = [c for c in PALETTE if c not in used]
            self.colors[name] = free[0] if free else PALETTE[len(self.colors) % len(PALETTE)]
        return self.colors[name]

    def credits(self, snapshots: Sequence[dict[str, str]]) -> str:
        """The credit lines the sources' licences require, once each."""
        lines: list[str] = []
        for snap in snapshots:
            template = self.s["credit_lines"].get(snap["source"], self.s["credit_lines"]["default"])
            credit = self.w.phrase(snap["credit"], required=False)
            line = template.format(credit=credit, license=self.w.phrase(snap["license"], required=False))
            if line not in lines:
                lines.append(line)
        return " ".join(lines)

    def caption(
        self,
        definition: str,
        rule: str,
        attribution: str,
        snapshots: Sequence[dict[str, str]],
        denominator: str | None = None,
        measure: str | None = None,
        extra: Sequence[str] = (),
    ) -> list[str]:
        """The provenance lines of a chart or table; the sources line names each source's scope and date."""
        c = self.s["caption"]
        line = self.s["caption_line"].format
        lines = [line(label=c["definition"], text=definition)]
        if measure:
            lines.append(line(label=c["measure"], text=measure))
        lines += [line(label=c["rule"], text=rule), line(label=c["attribution"], text=attribution)]
        if denominator:
            lines.append(line(label=c["denominator"], text=denominator))
        lines += list(extra)
        lines += [self.w.sources(list(snapshots)), line(label=c["credit"], text=self.credits(snapshots))]
        return lines

    def figure_caption(
        self, provenances: Sequence[Provenance], measure: str | None = None, extra: Sequence[str] = ()
    ) -> list[str]:
        """The provenance lines of a chart or table of one or more figures (one per definition, say): their
        definitions, rules and attributions in words, their snapshots, the first one's denominator."""
        return self.caption(
            self.w.join((self.w.phrase(p.definition or "") for p in provenances), clauses=True),
            self.w.join(dict.fromkeys(self.rule_text(p.rule or "") for p in provenances), clauses=True),
            self.w.join(dict.fromkeys(self.attribution_text(p.attribution or "") for p in provenances), clauses=True),
            [s for p in provenances for s in p.snapshot_list],
            self.w.phrase(provenances[0].denominator),
            measure=measure,
            extra=extra,
        )

    def rule_text(self, rule: str) -> str:
        return self.w.rule(rule)

    def attribution_text(self, attribution: str) -> str:
        return self.w.attribution(attribution)

    def count(self, value: Any) -> str:
        return self.w.count(value)

    def share(self, value: Any) -> str:
        return self.w.percent(value)

    def years_text(self, years: Sequence[int]) -> str:
        return self.w.join(years)

    def country(self, code: Any) -> str:
        """A country's name in the report's language (its colour, the same in every chart, kept under that name);
        no code: the report's "(no country)"."""
        if code is None or pd.isna(code) or not code:
            return str(self.s["series"]["no_country"])
        name = self.w.country(code)
        self.colors[name] = country_color(str(code))
        return name

    def chart(self, name: str, title: str, panels: list[Panel], caption: list[str], **kwargs: Any) -> Block:
        for panel in panels:
            for column in panel.data.columns:
                self.color(str(column))
        kwargs.setdefault("partial_label", self.s["marks"]["partial"])
        kwargs.setdefault("estimate_label", self.s["marks"]["estimate"])
        kwargs.setdefault("about_label", self.s["marks"]["about"])
        chart = Chart(name, title, panels, footer=caption, colors=self.colors, words=self.w, **kwargs)
        return Block(title, caption, chart=chart)

    def filling_caption(self, marks: Sequence[YearMarks]) -> list[str]:
        """The caption line saying how years still filling in are drawn and on which listing lag."""
        populations = list(dict.fromkeys(m.population for m in marks if m.statuses))
        if not populations:
            return [
                self.s["caption_line"].format(
                    label=self.s["caption"]["completeness"], text=self.s["marks"]["unmeasured"]
                )
            ]
        populations_text = self.w.join((self.w.phrase(p) for p in populations), clauses=True)
        text = self.s["marks"]["caption"].format(populations=populations_text, tiny=TINY_DENOMINATOR)
        return [self.s["caption_line"].format(label=self.s["caption"]["completeness"], text=text)]

    def filling_notes(self, marks: YearMarks, label: str) -> list[str]:
        return [self.s["marks"]["note"].format(sentence=sentence) for sentence in marks.sentences(label, self.w)]

    def estimate_frame(self, marks: YearMarks, totals: pd.Series) -> pd.DataFrame:
        """Per year still filling in, the estimated final height of its bar and the range."""
        rows = {}
        for year in marks.filling():
            if year in totals.index:
                scaled = marks.scaled(year, float(totals.loc[year]))
                if scaled is not None:
                    rows[year] = dict(zip(("estimate", "low", "high"), scaled, strict=True))
        return pd.DataFrame.from_dict(rows, orient="index", columns=["estimate", "low", "high"])

    def definition_figure(self, name: str) -> Figure:
        """A definition's counts by country and year over the report's years (read once)."""
        if name not in self._figures:
            self._figures[name] = self.census.count_definition_by_year(name, self.since, self.until, as_of=self.as_of)
        return self._figures[name]

    def definition_frame(self, name: str) -> pd.DataFrame:
        return self.definition_figure(name).frame

    def definition_marks(self, name: str) -> YearMarks:
        """The status of each year of a definition's count (its yearly denominator: the units it admits)."""
        frame = self.definition_frame(name)
        totals = frame.groupby("year")["denominator"].first()
        counts = {int(y): float(c) for y, c in zip(totals.index, totals.to_numpy(), strict=True)}
        return self.marker.definition_marks(self.census.definition(name), counts)

    # -- sections -------------------------------------------------------------------------------

    def countries(self) -> Section:
        t = self.s["sections"]["countries"]
        frames = {name: self.definition_frame(name) for name in self.definitions}
        totals = pd.concat([f[["group", "count"]] for f in frames.values()]).dropna(subset=["group"])
        ranking = totals.groupby("group")["count"].sum().sort_values(ascending=False)
        top = [self.country(g) for g in ranking.index[:TOP_COUNTRIES]]
        years = list(range(self.since, self.until + 1))
        section = Section("countries", t["title"], t["intro"].format(n=TOP_COUNTRIES, tiny=TINY_DENOMINATOR))
        counts_panels, share_panels, tables, all_marks = [], [], [], []
        for name, frame in frames.items():
            denominators = frame.groupby("year")["denominator"].first().reindex(years)
            marks = self.definition_marks(name)
            all_marks.append(marks)
            partial = [y for y in marks.filling() if y in years]
            counts = self._wide(frame, "count", top, years)
            shares = counts.div(denominators, axis=0)
            tiny = [y for y in years if pd.notna(denominators.loc[y]) and 0 < denominators.loc[y] < TINY_DENOMINATOR]
            shares.loc[tiny] = float("nan")
            note = t["tiny_note"].format(years=self.years_text(tiny), tiny=TINY_DENOMINATOR) if tiny else ""
            counts_panels.append(
                Panel(
                    t["counts_panel"].format(definition=name),
                    counts,
                    self.s["axis"]["models"],
                    partial=partial,
                    estimate=self.estimate_frame(marks, counts.sum(axis=1)),
                )
            )
            share_panels.append(  # lines: under full counting the shares of a year add up to more than 100%
                Panel(
                    t["shares_panel"].format(definition=name),
                    shares,
                    self.s["axis"]["share"],
                    percent=True,
                    kind="line",
                    partial=partial,
                    note=note,
                )
            )
            tables.append((name, frame, marks))
            section.notes.extend(self.filling_notes(marks, name))
        provenances = [self.definition_figure(name).provenance for name in frames]
        caption = self.figure_caption(provenances, extra=self.filling_caption(all_marks))
        section.blocks.append(
            self.chart(
                "countries_over_time",
                t["chart_title"].format(since=self.since, until=self.until),
                counts_panels + share_panels,
                caption,
                columns=len(frames),
                width_in=max(12.0, 4.4 * len(frames)),
            )
        )
        for name, frame, marks in tables:
            table_caption = self.figure_caption(
                [self.definition_figure(name).provenance], extra=self.filling_caption([marks])
            )
            block = Block(
                t["table_title"].format(definition=name),
                table_caption,
                table=self._year_table(frame, years, marks.filling()),
                notes=self.filling_notes(marks, name),
            )
            section.blocks.append(block)
        return section

    def _wide(self, frame: pd.DataFrame, value: str, top: list[str], years: list[int]) -> pd.DataFrame:
        """Years × (top countries, Other, no country) of ``value``."""
        other, none = self.s["series"]["other"], self.s["series"]["no_country"]
        names = frame["group"].map(self.country)
        label = names.where(names.isin(top) | (names == none), other)
        wide = frame.assign(label=label).pivot_table(index="year", columns="label", values=value, aggfunc="sum")
        order = [c for c in [*top, other, none] if c in wide.columns]
        return wide.reindex(index=years, columns=order).fillna(0.0)

    def _year_table(self, frame: pd.DataFrame, years: list[int], filling: Sequence[int] = ()) -> pd.DataFrame:
        """Countries × years of counts, the top countries then Other, no country and the denominator; a year
        still filling in is headed ``2025*``."""
        t = self.s["sections"]["countries"]
        named = frame.assign(name=[self.country(g) if isinstance(g, str) else "" for g in frame["group"]])
        ranking = named.dropna(subset=["group"]).groupby("name")["count"].sum().sort_values(ascending=False)
        top = list(ranking.index[:TABLE_COUNTRIES])
        wide = self._wide(frame, "count", top, years)
        table = wide.T
        table[t["total_column"]] = table.sum(axis=1)
        denominators = frame.groupby("year")["denominator"].first().reindex(years).fillna(0)
        table.loc[t["total_row"]] = [*denominators.tolist(), denominators.sum()]
        marked = {str(y) for y in filling}
        table.columns = [f"{c}*" if str(c) in marked else str(c) for c in table.columns]
        return table.map(self.count).rename_axis(t["country_column"]).reset_index()

    def organizations(self) -> Section:
        t = self.s["sections"]["organizations"]
        top = self.census.top_organizations(TOP_ORGANIZATIONS, since=self.since, until=self.until, as_of=self.as_of)
        frame = top.frame
        sectors = list(dict.fromkeys(frame["sector"]))
        data = pd.DataFrame(0.0, index=frame["organization"], columns=sectors)
        for organization, sector, models in zip(frame["organization"], frame["sector"], frame["models"], strict=True):
            data.loc[organization, sector] = float(models)
        for sector in sectors:  # the sector's colour, under its name in the report's language
            self.colors.setdefault(self.w.sector(sector), SECTOR_COLORS.get(sector, OTHER))
        data = data.rename(columns=self.w.sector)
        labels = [
            t["label"].format(organization=organization, countries=", ".join(countries) or "—")
            for organization, countries in zip(frame["organization"], frame["countries"], strict=True)
        ]
        totals = self.census.count(by="year", since=self.since, until=self.until, as_of=self.as_of).frame
        marks = self.marker.marks({int(g): float(c) for g, c in zip(totals["group"], totals["count"], strict=True)}, {})
        caption = self.caption(
            self.w.phrase(top.provenance.definition or ""),
            self.rule_text("full"),
            self.attribution_text("resolved"),
            self.census.snapshots_in_force(["epoch"], self.as_of),
            self.w.phrase(top.provenance.denominator),
            extra=self.filling_caption([marks]),
        )
        section = Section(
            "organizations",
            t["title"],
            t["intro"].format(n=TOP_ORGANIZATIONS, since=self.since, until=self.until),
        )
        if marks.filling():
            section.notes.append(t["filling"].format(years=self.years_text(marks.filling())))
            section.notes.extend(self.filling_notes(marks, ""))
        panel = Panel(t["panel"], data, self.s["axis"]["models"], kind="hbar", labels=labels)
        title = t["chart_title"].format(n=TOP_ORGANIZATIONS, since=self.since, until=self.until)
        section.blocks.append(self.chart("top_organizations", title, [panel], caption, columns=1, width_in=11.0))
        table = pd.DataFrame(
            {
                "organization": frame["organization"],
                "countries": [self.w.join(self.w.country(c) for c in codes) for codes in frame["countries"]],
                "sector": frame["sector"].map(self.w.sector),
                "models": frame["models"].map(self.count),
                "share": frame["share"].map(self.share),
            }
        )
        table.columns = t["columns"]
        section.blocks.append(Block(title, caption, table=table))
        return section

    def open_weights(self) -> Section:
        t = self.s["sections"]["open_weights"]
        counted = self.census.count(
            by=["country", "year", "open_weights"], since=self.since, until=self.until, as_of=self.as_of
        )
        frame = counted.frame[counted.frame["group"].notna()]
        ranking = frame.groupby("group")["count"].sum().sort_values(ascending=False)
        codes = list(ranking.index[:TOP_COUNTRIES])
        series = {"yes": self.s["series"]["open_yes"], "no": self.s["series"]["open_no"]}
        series["unknown"] = self.s["series"]["open_unknown"]
        self.colors.setdefault(series["yes"], SERIES_COLORS["open"])
        self.colors.setdefault(series["no"], SERIES_COLORS["closed"])
        self.colors.setdefault(series["unknown"], SERIES_COLORS["open_unknown"])
        years = list(range(self.since, self.until + 1))
        section = Section("open-weights", t["title"], t["intro"].format(n=TOP_COUNTRIES))
        panels, rows, all_marks = [], [], []
        for code in codes:
            sub = frame[frame["group"] == code]
            wide = sub.pivot_table(index="year", columns="open_weights", values="count", aggfunc="sum")
            wide = wide.reindex(index=years, columns=list(series)).fillna(0.0).rename(columns=series)
            # a model counts once per country: its country's yearly count is the sum over openness
            marks = self.marker.marks({int(y): float(v) for y, v in wide.sum(axis=1).items()}, {})
            all_marks.append(marks)
            section.notes.extend(self.filling_notes(marks, self.country(code)))
            panels.append(
                Panel(
                    t["panel"].format(country=self.country(code)),
                    wide,
                    self.s["axis"]["models"],
                    partial=[y for y in marks.filling() if y in years],
                    estimate=self.estimate_frame(marks, wide.sum(axis=1)),
                )
            )
            total = {k: float(sub.loc[sub["open_weights"] == k, "count"].sum()) for k in series}
            known = total["yes"] + total["no"]
            rows.append(
                [
                    self.country(code),
                    self.count(total["yes"]),
                    self.count(total["no"]),
                    self.count(total["unknown"]),
                    self.share(total["yes"] / known if known else None),
                ]
            )
        p = counted.provenance
        caption = self.caption(
            t["definition"].format(filters=self.w.phrase(p.definition)),
            self.rule_text(p.rule or ""),
            self.attribution_text(p.attribution or ""),
            p.snapshot_list,
            extra=self.filling_caption(all_marks),
        )
        title = t["chart_title"].format(since=self.since, until=self.until)
        section.blocks.append(self.chart("open_weights", title, panels, caption, columns=3))
        filling = sorted({y for m in all_marks for y in m.filling()})
        table_notes = [t["table_note"].format(years=self.years_text(filling))] if filling else []
        section.blocks.append(
            Block(t["table_title"], caption, table=pd.DataFrame(rows, columns=t["columns"]), notes=table_notes)
        )
        return section

    def hub(self) -> Section:
        t = self.s["sections"]["hub"]
        section = Section("hub", t["title"], t["intro"])
        try:
            by_kind = {
                m: self.census.count_hub(by="derivative", metric=m, as_of=self.as_of) for m in ("models", "downloads")
            }
        except ModelCensusError as exc:
            section.notes.append(t["unavailable"].format(reason=self.w.phrase(str(exc))))
            return section
        if by_kind["models"].empty:
            section.notes.append(t["unavailable"].format(reason=t["no_listing"]))
            return section
        snapshots = by_kind["models"].provenance.snapshot_list
        originals, derivatives = self.s["series"]["originals"], self.s["series"]["derivatives"]
        self.colors.setdefault(originals, SERIES_COLORS["originals"])
        self.colors.setdefault(derivatives, SERIES_COLORS["derivatives"])
        rows = {}
        for metric, figure in by_kind.items():
            frame = figure.frame
            label = t["derivative_repos"] if metric == "models" else t["derivative_downloads"]
            total = float(frame["value"].sum())
            values = {bool(g): float(v) for g, v in zip(frame["group"], frame["value"], strict=True)}
            rows[f"{label} ({self.count(total)})"] = {
                originals: values.get(False, 0.0) / total if total else 0.0,
                derivatives: values.get(True, 0.0) / total if total else 0.0,
            }
        data = pd.DataFrame(rows).T
        caption = self.caption(
            t["definition_all"],
            self.rule_text("full"),
            self.attribution_text("resolved"),
            snapshots,
            measure=t["measure_repos"],
        )
        panel = Panel("", data, self.s["axis"]["share_total"], percent=True, kind="hbar")
        section.blocks.append(self.chart("hub_derivatives", t["derivative_title"], [panel], caption, columns=1))

        lineage = {
            m: self.census.count_hub(
                by="country", metric=m, derivatives="only", attribution="lineage", as_of=self.as_of
            )
            for m in ("models", "downloads")
        }
        panels = []
        for metric, figure in lineage.items():
            head = figure.frame.head(10)
            data = pd.DataFrame({derivatives: head["share"].to_numpy()}, index=self._group_names(head))
            label = t["lineage_repos"] if metric == "models" else t["lineage_downloads"]
            axis = self.s["axis"]["share_repos" if metric == "models" else "downloads_share"]
            panels.append(Panel(label, data, axis, percent=True, kind="hbar"))
        p = lineage["models"].provenance
        caption = self.caption(
            self.w.phrase(p.definition or ""),
            self.rule_text("full"),
            self.attribution_text("lineage"),
            p.snapshot_list,
            self.w.phrase(p.denominator),
        )
        section.blocks.append(
            self.chart("hub_lineage", t["lineage_title"], panels, caption, columns=2, legend=False, width_in=13.0)
        )
        table = self._hub_table(lineage["models"].frame, lineage["downloads"].frame, t)
        section.blocks.append(Block(t["lineage_title"], caption, table=table))

        trends = {
            a: self.census.trend(by="country", metric="downloads", attribution=a, as_of=self.as_of)
            for a in HUB_ATTRIBUTIONS
        }
        ranking = pd.concat(f.frame for f in trends.values()).dropna(subset=["group"]).groupby("group")["value"].sum()
        top = [self.country(g) for g in ranking.sort_values(ascending=False).index[:TOP_COUNTRIES]]
        panels = []
        for attribution, figure in trends.items():
            attributed = figure.frame[figure.frame["group"].notna()]
            names = attributed["group"].map(self.country)
            label = names.where(names.isin(top), self.s["series"]["other"])
            wide = attributed.assign(label=label).pivot_table(
                index="date", columns="label", values="share", aggfunc="sum"
            )
            wide = wide.reindex(columns=[c for c in [*top, self.s["series"]["other"]] if c in wide.columns])
            if not self.w.english:  # each harvest's date (a category of the chart) as the language writes it
                wide.index = [self.w.date(d) for d in wide.index]
            title = t["downloads_resolved"] if attribution == Attribution.RESOLVED else t["downloads_lineage"]
            panels.append(self._share_panel(title, wide.fillna(0.0), self.s["axis"]["downloads_share"]))
        first = trends[Attribution.RESOLVED].provenance
        caption = self.caption(
            self.w.phrase(first.definition or ""),
            self.rule_text("full"),
            self.w.join((self.attribution_text(a) for a in trends), clauses=True),
            first.snapshot_list,
            self.w.phrase(first.denominator),
            measure=t["measure_downloads"],
        )
        section.blocks.append(self.chart("hub_downloads", t["downloads_title"], panels, caption, columns=2))
        return section

    def _share_panel(self, title: str, wide: pd.DataFrame, axis: str) -> Panel:
        """Shares of several countries over dates, never stacked (under full counting they can add up to more than
        100%): a line per country; with one date, a bar per country (its colour, its share written beside it)."""
        if len(wide.index) != 1:
            return Panel(title, wide, axis, percent=True, kind="line")
        row = wide.iloc[0]
        names = [str(name) for name in row.index]  # a column per country, one value each: a bar in its colour
        bars = pd.DataFrame(
            {n: [float(v) if n == m else float("nan") for m in names] for n, v in zip(names, row, strict=True)},
            index=names,
        )
        when = wide.index[0] if isinstance(wide.index[0], str) else self.w.date(wide.index[0])
        return Panel(f"{title} ({when})", bars, axis, percent=True, kind="hbar")

    def _group_names(self, frame: pd.DataFrame) -> list[str]:
        """A Hub figure's groups by name in the report's language: a country's name, else why it has none."""
        return [
            self.w.country(g) if isinstance(g, str) and g else self.w.phrase(n)
            for g, n in zip(frame["group"], frame["group_name"], strict=True)
        ]

    def _hub_table(self, repos: pd.DataFrame, downloads: pd.DataFrame, t: dict[str, Any]) -> pd.DataFrame:
        repos = repos.assign(group_name=self._group_names(repos))
        downloads = downloads.assign(group_name=self._group_names(downloads))
        merged = repos[["group_name", "value", "share"]].merge(
            downloads[["group_name", "value", "share"]], on="group_name", how="outer", suffixes=("_r", "_d")
        )
        merged = merged.sort_values("value_r", ascending=False)
        table = pd.DataFrame(
            {
                "group": merged["group_name"],
                "repos": merged["value_r"].map(self.count),
                "repo share": merged["share_r"].map(self.share),
                "downloads": merged["value_d"].map(self.count),
                "download share": merged["share_d"].map(self.share),
            }
        )
        table.columns = t["columns"]
        return table.reset_index(drop=True)

    def _concentration(self, name: str) -> Figure:
        """:meth:`Census.concentration`; as of a date, the same metric over the counts as they stood then (the
        facade's concentration reads the newest data only)."""
        if self.as_of is None:
            return self.census.concentration(name, self.since, self.until)
        counts = self.definition_figure(name)
        table = ibis.memtable(counts.frame[["year", "group", "count"]].astype({"group": "string", "count": "float64"}))
        frame: pd.DataFrame = concentration(table, period="year", group="group", value="count").execute()
        frame.insert(4, "top1_group_name", [country_name(g) for g in frame["top1_group"]])
        plain = self.census.concentration(name, self.until, self.until).provenance
        provenance = replace(
            counts.provenance, denominator=plain.denominator, concentration_text=plain.concentration_text
        )
        return Figure(frame, provenance)

    def concentration(self) -> Section:
        t = self.s["sections"]["concentration"]
        series = self.s["series"]
        figures = {name: self._concentration(name) for name in self.definitions}
        for key in ("top1", "top2", "hhi"):
            self.colors.setdefault(series[key], SERIES_COLORS[key])
        panels = []
        section = Section("concentration", t["title"], t["intro"].format(tiny=TINY_DENOMINATOR))
        blocks, all_marks = [], []
        for name, figure in figures.items():
            frame = figure.frame
            marks = self.definition_marks(name)
            all_marks.append(marks)
            years = frame["year"].astype(int).tolist()
            units = self.definition_frame(name).groupby("year")["denominator"].first()
            tiny = [y for y in years if units.get(y, 0) < TINY_DENOMINATOR]
            data = pd.DataFrame(
                {
                    series["top1"]: frame["top1_share"].to_numpy(dtype=float),
                    series["top2"]: frame["top2_share"].to_numpy(dtype=float),
                    series["hhi"]: frame["hhi"].to_numpy(dtype=float),
                },
                index=years,
            )
            data.loc[tiny] = float("nan")
            panels.append(
                Panel(
                    t["panel"].format(definition=name),
                    data,
                    self.s["axis"]["concentration"],
                    kind="line",
                    ylim=(0.0, 1.05),
                    partial=[y for y in marks.filling() if y in years],
                    note=t["tiny_note"].format(years=self.years_text(tiny), tiny=TINY_DENOMINATOR) if tiny else "",
                )
            )
            filling = marks.filling()
            table = pd.DataFrame(
                {
                    "year": [f"{y}*" if y in filling else str(y) for y in years],
                    "countries": frame["groups"].astype(int).astype(str),
                    "largest": frame["top1_group"].map(self.country),
                    "top-1 share": frame["top1_share"].map(self.share),
                    "top-2 share": frame["top2_share"].map(self.share),
                    "hhi": frame["hhi"].map(lambda v: self.w.number(v, 3, grouping=False)),
                }
            )
            table.columns = t["columns"]
            caption = self.figure_caption(
                [figure.provenance],
                measure=self.w.phrase(figure.provenance.concentration_text),
                extra=self.filling_caption([marks]),
            )
            notes = self.filling_notes(marks, name)
            if tiny:
                notes.append(t["tiny_table"].format(years=self.years_text(tiny), tiny=TINY_DENOMINATOR))
            blocks.append(Block(t["table_title"].format(definition=name), caption, table=table, notes=notes))
        provenances = [f.provenance for f in figures.values()]
        caption = self.figure_caption(
            provenances,
            measure=self.w.phrase(provenances[0].concentration_text),
            extra=self.filling_caption(all_marks),
        )
        title = t["chart_title"].format(since=self.since, until=self.until)
        section.blocks.append(self.chart("concentration", title, panels, caption, columns=len(panels)))
        section.blocks.extend(blocks)
        return section

    def frontier(self) -> Section:
        t = self.s["sections"]["frontier"]
        section = Section("frontier", t["title"], t["intro"])
        category = "text/full"
        try:
            best_figure = self.census.frontier(category=category, as_of=self.as_of)
            gap = self.census.frontier_gap(category=category, as_of=self.as_of).frame
            best = best_figure.frame
        except ModelCensusError as exc:
            section.notes.append(t["unavailable"].format(reason=self.w.phrase(str(exc))))
            return section
        if best.empty or gap.empty:
            section.notes.append(t["unavailable"].format(reason=t["no_ratings"]))
            return section
        undated = best_figure.provenance.undated_ratings or 0
        if undated:
            section.notes.append(t["undated"].format(n=undated))
        presence = best.groupby("group")["rated_on"].nunique().sort_values(ascending=False)
        codes = list(presence.index[:TOP_COUNTRIES])
        wide = best[best["group"].isin(codes)].pivot_table(
            index="rated_on", columns="group", values="rating", aggfunc="max"
        )
        wide = wide.reindex(columns=codes).rename(columns=self.country)
        gap_data = pd.DataFrame({self.s["series"]["gap"]: gap["gap"].to_numpy(dtype=float)}, index=gap["rated_on"])
        self.colors.setdefault(self.s["series"]["gap"], SERIES_COLORS["gap"])
        panels = [
            Panel(t["best_panel"], wide, self.s["axis"]["rating"], kind="line"),
            Panel(t["gap_panel"], gap_data, self.s["axis"]["rating"], kind="line"),
        ]
        snapshots = self.census.snapshots_in_force(["lmarena"], self.as_of)
        caption = self.caption(
            t["definition"].format(category=category), t["rule"], self.attribution_text("resolved"), snapshots
        )
        section.blocks.append(self.chart("frontier", t["chart_title"], panels, caption, columns=1))
        latest = gap.tail(5).iloc[::-1]
        table = pd.DataFrame(
            {
                "date": latest["rated_on"].map(self.w.date),
                "us": latest["best_US"],
                "us_rating": latest["rating_US"].map(lambda v: self.w.number(v, grouping=False)),
                "cn": latest["best_CN"],
                "cn_rating": latest["rating_CN"].map(lambda v: self.w.number(v, grouping=False)),
                "gap": latest["gap"].map(self.w.signed),
            }
        )
        table.columns = t["columns"]
        section.blocks.append(Block(t["table_title"], caption, table=table))
        return section
