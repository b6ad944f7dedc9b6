"""The report's section on China's register of generative-AI services (the CAC's 备案 and 登记 lists).

The facade gives the figures (:meth:`Census.cac_series`, :meth:`Census.cac_totals`, :meth:`Census.count_cac`);
this module lays them out: the filings the census stores, counted up month by month, beside the totals the CAC
and others published (points, each with its source and reliability; a bound drawn as such), registrations in a
panel of their own; the stored filings by jurisdiction and by organization; the published totals as a table.
A report of a store without CAC data has no such section (:func:`cac_section` gives None).

A filing is a service (a provider and its model), not a model: the section says so wherever it counts.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from modelcensus.census import Figure
from modelcensus.outputs.common.palette import SERIES_COLORS
from modelcensus.outputs.report.builder import ReportBuilder
from modelcensus.outputs.report.charts import Panel
from modelcensus.outputs.report.pages import Block, Section
from modelcensus.outputs.report.points import Point

TOP = 10
RECORD_TYPES = ("filing", "registration")
RELIABILITY = ("official", "register", "reported", "third-party")
"""The published totals' reliability, most reliable first (:data:`modelcensus.sources.cac_totals.RELIABILITY`)."""
COLORS = {"stored": SERIES_COLORS["figure"], "highest": SERIES_COLORS["highest"], "published": SERIES_COLORS["claimed"]}


def cac_section(b: ReportBuilder) -> Section | None:
    """The section, or None when the store holds nothing of the register (no filing, no published total)."""
    t = b.s["sections"]["cac"]
    counts = {kind: b.census.count_cac(by="month", record_type=kind, as_of=b.as_of) for kind in RECORD_TYPES}
    totals = b.census.cac_totals(as_of=b.as_of)
    stored = {kind: int(f.frame["filings"].sum()) for kind, f in counts.items()}
    if not any(stored.values()) and totals.frame.empty:
        return None
    undated = {kind: int(f.frame.loc[f.frame["group"].isna(), "filings"].sum()) for kind, f in counts.items()}
    series = {kind: b.census.cac_series(record_type=kind, as_of=b.as_of) for kind in RECORD_TYPES}
    section = Section("cac", t["title"], t["intro"])
    section.notes.append(_stored_note(b, stored, series["filing"].frame))
    section.blocks.append(_chart(b, series, stored, undated, totals))
    if stored["filing"]:
        section.blocks.append(_by_province(b))
        section.blocks.append(_by_organization(b))
    if not totals.frame.empty:
        section.blocks.append(_totals_table(b, totals))
    return section


def _stored_note(b: ReportBuilder, stored: dict[str, int], filings: pd.DataFrame) -> str:
    t = b.s["sections"]["cac"]
    published = filings[filings["published_total"].notna()]
    if not stored["filing"] and not stored["registration"]:
        return str(t["no_filings_note"])
    counts = {"filings": b.count(stored["filing"]), "registrations": b.count(stored["registration"])}
    if published.empty:
        return str(t["no_total_note"].format(**counts))
    last = published.iloc[-1]
    total = int(last["published_total"])
    return str(
        t["stored_note"].format(
            **counts,
            published=b.count(total),
            date=b.w.date(last["published_as_of"]),
            share=b.share(stored["filing"] / total),
        )
    )


def _month_end(month: str) -> date:
    return pd.Period(month, "M").end_time.date()


def _chart(
    b: ReportBuilder, series: dict[str, Figure], stored: dict[str, int], undated: dict[str, int], totals: Figure
) -> Block:
    """Per list, the stored rows counted up by month (steps), the highest sequence number dated by then (dotted),
    the published totals (points); one time axis for both lists."""
    t = b.s["sections"]["cac"]
    names = {key: t[key] for key in ("stored", "highest", "published", "published_bound")}
    for key, color in COLORS.items():
        b.colors.setdefault(names[key], color)
    b.colors.setdefault(names["published_bound"], COLORS["published"])
    months = sorted({str(m) for f in series.values() for m in f.frame["month"]})
    axis = [_month_end(m) for m in months]
    period = (pd.Period(months[0], "M").start_time.date(), axis[-1] + pd.Timedelta(days=20)) if months else None
    panels = []
    for kind, figure in series.items():
        frame = figure.frame.set_index(figure.frame["month"].astype(str)).reindex(months)
        dated = stored[kind] - undated[kind]
        data = pd.DataFrame(
            {
                names["stored"]: frame["cumulative"].astype(float).to_numpy() if dated else float("nan"),
                names["highest"]: pd.to_numeric(frame["highest_sequence"], errors="coerce").astype(float).to_numpy(),
            },
            index=axis,
        )
        title = t["filings_panel" if kind == "filing" else "registrations_panel"]
        points = _points(b, figure.frame, title)
        top = max([*data.max(skipna=True).dropna().tolist(), *(p.y for p in points), 1.0])
        panels.append(
            Panel(
                title,
                data,
                t["axis"],
                kind="line",
                integer=True,
                steps=True,
                dotted=(names["highest"],),
                points=points,
                ylim=(0.0, top * 1.12),
                xlim=period,
                note=_panel_note(b, figure.frame, dated, undated[kind]),
            )
        )
    first = series["filing"].provenance
    snapshots = list(first.snapshot_list)
    c = b.s["caption_line"].format
    attachments, tables = _dates(b, snapshots, "cac"), _dates(b, snapshots, "cac-totals")
    stated = [d for d in totals.frame["as_of"] if d is not None and not pd.isna(d)]
    vintage = b.w.join(
        [
            t["vintage_attachments"].format(dates=b.w.join(attachments)) if attachments else t["no_attachments"],
            t["vintage_totals"].format(last=b.w.date(max(stated)), table=b.w.join(tables))
            if stated
            else t["no_totals"],
        ],
        clauses=True,
    )
    undated_text = t["undated"].format(
        filings=b.count(undated["filing"]),
        stored=b.count(stored["filing"]),
        registrations=b.count(undated["registration"]),
        stored_registrations=b.count(stored["registration"]),
    )
    extra = [
        c(label=t["unit_label"], text=t["unit"]),
        c(label=t["vintage_label"], text=vintage),
        *([c(label=t["undated_label"], text=undated_text)] if any(stored.values()) else []),
        c(label=t["part_label"], text=t["part"]),
    ]
    caption = b.caption(
        t["definition"], t["rule"], t["attribution"], snapshots, t["denominator"], measure=t["measure"], extra=extra
    )
    return b.chart("cac_register", t["chart_title"], panels, caption, columns=2, width_in=13.0)


def _dates(b: ReportBuilder, snapshots: list[dict[str, str]], source: str) -> list[str]:
    """The dates of a source's snapshots, each once, oldest first, as the language writes them."""
    days = sorted({str(s.get("data_date") or "") for s in snapshots if s["source"] == source})
    return [b.w.date(d) if d and d not in ("None", "NaT", "nan") else str(b.w.s["unknown"]) for d in days]


def _points(b: ReportBuilder, frame: pd.DataFrame, what: str) -> list[Point]:
    """The published total beside each month that has one (the most reliable of the month, as the figure chose)."""
    t = b.s["sections"]["cac"]
    out = []
    for row in frame[frame["published_total"].notna()].itertuples(index=False):
        total = int(str(row.published_total))
        bound = bool(row.published_kind == "at least")
        figure = t["at_least"].format(n=b.count(total)) if bound else b.count(total)
        hover = t["hover"].format(
            what=what,
            date=b.w.date(row.published_as_of),
            figure=figure,
            reliability=_reliability(b, row.published_reliability),
            source=row.published_source or "",
            stored=b.count(row.cumulative),
            share=b.share(row.coverage),
        )
        out.append(
            Point(
                row.published_as_of,
                float(total),
                t["published_bound" if bound else "published"],
                label=t["bound_label"].format(n=b.count(total)) if bound else b.count(total),
                hover=hover,
                bound=bound,
            )
        )
    return out


def _panel_note(b: ReportBuilder, frame: pd.DataFrame, dated: int, undated: int) -> str:
    t = b.s["sections"]["cac"]
    published = frame[frame["published_total"].notna()]
    if not dated and not undated:
        return str(t["panel_note_none"])
    if not dated:
        return str(t["panel_note_undated"].format(undated=b.count(undated)))
    if published.empty:
        return str(t["panel_note_no_total"].format(stored=b.count(dated), undated=b.count(undated)))
    last = published.iloc[-1]
    return str(
        t["panel_note"].format(
            stored=b.count(last["cumulative"]),
            share=b.share(last["coverage"]),
            published=b.count(last["published_total"]),
            date=b.w.date(last["published_as_of"]),
            undated=b.count(undated),
        )
    )


def _reliability(b: ReportBuilder, value: Any) -> str:
    words = b.s["sections"]["cac"]["reliability"]
    return str(words[value]) if value in RELIABILITY else b.w.s["unknown"] if value is None else str(value)


def _table_caption(b: ReportBuilder, figure: Figure, rule: str, attribution: str) -> list[str]:
    t = b.s["sections"]["cac"]
    denominator = t["table_denominator"].format(n=b.count(figure.frame["filings"].sum()))
    c = b.s["caption_line"].format
    return b.caption(
        t["definition"],
        rule,
        attribution,
        figure.provenance.snapshot_list,
        denominator,
        extra=[c(label=t["unit_label"], text=t["unit"])],
    )


def _ranked(b: ReportBuilder, frame: pd.DataFrame, names: list[str], none: str) -> pd.DataFrame:
    """The top groups by filings, then the row of filings without a group, then every stored filing."""
    t = b.s["sections"]["cac"]
    named = frame.assign(name=names)
    top = named[named["group"].notna()].sort_values(["filings", "name"], ascending=[False, True]).head(TOP)
    rows = [(n, b.count(f), b.share(s)) for n, f, s in zip(top["name"], top["filings"], top["share"], strict=True)]
    missing = named[named["group"].isna()]
    if len(missing):
        rows.append((none, b.count(missing["filings"].sum()), b.share(missing["share"].sum())))
    total = int(frame["filings"].sum())
    rows.append((t["total_row"], b.count(total), b.share(1.0 if total else None)))
    return pd.DataFrame(rows)


def _by_province(b: ReportBuilder) -> Block:
    t = b.s["sections"]["cac"]
    figure = b.census.count_cac(by="province", as_of=b.as_of)
    frame = figure.frame
    chinese = b.w.lang == "zh"
    names = [
        str(zh) if chinese and isinstance(zh, str) and zh else str(name)
        for zh, name in zip(frame["name_zh"], frame["group_name"], strict=True)
    ]
    table = _ranked(b, frame, names, t["no_province"])
    table.columns = t["province_columns"]
    caption = _table_caption(b, figure, t["province_rule"], t["province_attribution"])
    return Block(t["province_title"].format(n=TOP), caption, table=table)


def _by_organization(b: ReportBuilder) -> Block:
    t = b.s["sections"]["cac"]
    figure = b.census.count_cac(by="organization", as_of=b.as_of)
    frame = figure.frame
    names = [_org_name(b, g, n) for g, n in zip(frame["group"], frame["group_name"], strict=True)]
    table = _ranked(b, frame, names, t["unresolved"])
    table.columns = t["organization_columns"]
    caption = _table_caption(b, figure, t["organization_rule"], t["organization_attribution"])
    return Block(t["organization_title"].format(n=TOP), caption, table=table)


def _org_name(b: ReportBuilder, org_id: Any, name: Any) -> str:
    """An organization in the report's language: its common native name in that language and script (百度 in a
    Chinese report) where the registry has one, else the registry's name."""
    org = b.census.registry.orgs.get(str(org_id)) if isinstance(org_id, str) else None
    if org is None:
        return str(name)
    common = [n for n in org.native_names if n.kind == "common"]
    exact = [n.name for n in common if n.lang == b.w.html_lang]  # zh-Hans for a Chinese report
    near = [n.name for n in common if n.lang.split("-")[0] == b.w.lang]
    return (exact or near or [org.name])[0]


def _published(b: ReportBuilder, value: Any, kind: Any) -> str:
    """A published count as what it is: a total, a lower bound, filings and registrations together, an increment."""
    t = b.s["sections"]["cac"]
    if value is None or pd.isna(value):
        return ""
    n = b.count(value)
    if kind == "at least":
        return str(t["at_least"].format(n=n))
    if kind == "combined":
        return str(t["combined"].format(n=n))
    if kind == "increment":
        return str(t["increment"].format(n=n))
    return n


def _totals_table(b: ReportBuilder, totals: Figure) -> Block:
    """Every published statement of the register's size, with its reliability, publisher and address."""
    t = b.s["sections"]["cac"]
    frame = totals.frame
    rows = []
    for r in frame.itertuples(index=False):
        day = b.w.month(r.as_of) if r.precision == "month" else b.w.date(r.as_of)
        rows.append(
            (
                t["approximate"].format(date=day) if bool(r.approximate) else day,
                _published(b, r.filed, r.filed_kind),
                _published(b, r.registered, r.registered_kind),
                b.count(r.stored_filed),
                _reliability(b, r.reliability),
                r.publisher or "",
                r.url or "",
            )
        )
    table = pd.DataFrame(rows, columns=t["totals_columns"])
    c = b.s["caption_line"].format
    caption = b.caption(
        t["totals_definition"],
        t["totals_rule"],
        t["attribution"],
        totals.provenance.snapshot_list,
        extra=[
            c(label=t["unit_label"], text=t["unit"]),
            c(label=t["reliability_label"], text=t["reliability_text"]),
        ],
    )
    return Block(t["totals_title"], caption, table=table, notes=[t["totals_note"]])
