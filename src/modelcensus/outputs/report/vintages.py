"""The report's vintage sections: how a figure grew from one Epoch AI vintage to the next, the listing lag that
says which years are still filling in, and published claims read at their own vintage.

Split from :mod:`.report` (whose :class:`~modelcensus.outputs.report.ReportBuilder` these functions take):
the facade gives the figures (:meth:`Census.vintages`, :meth:`Census.listing_lag`, :meth:`Census.check`),
this module lays them out as charts, tables and sentences.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from modelcensus.claims import load_claims
from modelcensus.metrics.completeness import COMPLETE_SHARE
from modelcensus.outputs.common.i18n import Words
from modelcensus.outputs.common.palette import SERIES_COLORS
from modelcensus.outputs.report.builder import ReportBuilder
from modelcensus.outputs.report.charts import Panel, wrap
from modelcensus.outputs.report.pages import Block, Section
from modelcensus.outputs.report.years import curve_words
from modelcensus.vocabulary import Attribution

VINTAGE_COUNTRIES = ("US", "CN")
LAG_XMAX = 132.0
"""Months after the year ended shown on the listing-lag chart (older years sit near 100% further right)."""
LAG_POPULATIONS: tuple[tuple[str, dict[str, Any]], ...] = (("epoch-all", {}), ("epoch-notable", {"notable": True}))


def _date(value: Any) -> date:
    return value if isinstance(value, date) else pd.Timestamp(value).date()


def vintages_section(b: ReportBuilder) -> Section:
    t = b.s["sections"]["vintages"]
    section = Section("vintages", t["title"], t["intro"].format(share=b.w.percent(COMPLETE_SHARE, 0)))
    for name, _ in LAG_POPULATIONS:
        section.notes.extend(b.filling_notes(b.definition_marks(name), name))
    year = b.marker.last_complete_year({"notable": True}, b.until)
    if year is None:
        section.notes.append(t["no_complete"])
    else:
        section.blocks.extend(_vintage_blocks(b, year))
    section.blocks.extend(_lag_blocks(b))
    return section


def _vintage_blocks(b: ReportBuilder, year: int) -> list[Block]:
    t = b.s["sections"]["vintages"]
    figure = b.census.vintages("country", year=year, notable=True)
    frame = figure.frame
    frame["export_date"] = [_date(d) for d in frame["export_date"]]
    if b.as_of is not None:
        frame = frame[[d <= b.as_of for d in frame["export_date"]]]
    left_out = sorted({d for d, c in zip(frame["export_date"], frame["covers"], strict=True) if not c})
    frame = frame[frame["covers"]]
    listing = frame.drop_duplicates("export_id")[["export_date", "roles", "denominator"]]
    names = {code: b.country(code) for code in VINTAGE_COUNTRIES}
    wide = (
        frame[frame["group"].isin(VINTAGE_COUNTRIES)]
        .pivot_table(index="export_date", columns="group", values="count", aggfunc="sum")
        .reindex(index=list(listing["export_date"]), columns=list(VINTAGE_COUNTRIES))
        .fillna(0.0)
        .rename(columns=names)
    )
    dates = [b.w.date(d) for d in listing["export_date"]]
    roles_text = [b.w.join(b.w.role(r) for r in roles) for roles in listing["roles"]]
    items = (t["vintage_item"].format(date=d, files=r) for d, r in zip(dates, roles_text, strict=True))
    vintages_text = b.w.join(items, clauses=True)
    growth = b.w.join(
        t["growth_part"].format(
            country=names[code], first=int(wide[names[code]].iloc[0]), last=int(wide[names[code]].iloc[-1])
        )
        for code in VINTAGE_COUNTRIES
        if len(wide)
    )
    snapshots = [s for d in listing["export_date"] for s in b.census.snapshots_in_force(["epoch"], d)]
    extra = [t["vintages_line"].format(n=len(dates), vintages=vintages_text)]
    if len(dates) > 1:
        extra.append(t["growth"].format(year=year, growth=growth, first=dates[0], last=dates[-1]))
    if left_out:
        extra.append(t["left_out"].format(dates=b.w.join(b.w.date(d) for d in left_out)))
    caption = b.caption(
        t["vintage_definition"].format(year=year),
        b.rule_text("full"),
        b.attribution_text("as-published"),
        snapshots,
        b.w.phrase(figure.provenance.denominator),
        measure=t["vintage_measure"],
        extra=extra,
    )
    title = t["vintage_title"].format(year=year)
    panel = Panel(t["vintage_panel"].format(year=year), wide, b.s["axis"]["models"], kind="line")
    blocks = [b.chart("vintages", title, [panel], caption, columns=1, width_in=11.0)]
    table = pd.DataFrame(
        {
            "vintage": dates,
            "files": roles_text,
            **{names[c]: [b.w.number(v) for v in wide[names[c]]] for c in VINTAGE_COUNTRIES},
            "all": [b.w.number(int(v)) for v in listing["denominator"]],
        }
    )
    table.columns = [t["vintage_columns"][0], t["vintage_columns"][1], *wide.columns, t["vintage_columns"][2]]
    blocks.append(Block(t["vintage_table"].format(year=year), caption, table=table))
    return blocks


def _lag_blocks(b: ReportBuilder) -> list[Block]:
    t = b.s["sections"]["vintages"]
    observed, current = t["lag_observed"], t["lag_current"]
    b.colors.setdefault(observed, SERIES_COLORS["observed"])
    b.colors.setdefault(current, SERIES_COLORS["current"])
    panels, bases, beyond = [], [], []
    for name, filters in LAG_POPULATIONS:
        curve = b.marker.curves(filters)[""]
        obs = curve.observations
        points = pd.DataFrame({observed: obs["ratio"].to_numpy(dtype=float)}, index=obs["lag_months"].astype(float))
        marks = b.definition_marks(name)
        now = [s for _, s in sorted(marks.statuses.items()) if not s.complete and s.share is not None]
        mine = pd.DataFrame({current: [float(s.share or 0) for s in now]}, index=[s.lag_months or 0.0 for s in now])
        data = pd.concat([points, mine]).sort_index()
        out = int((obs["lag_months"] > LAG_XMAX).sum())
        beyond.append(out)
        labels = b.w.join(
            t["lag_point"].format(
                year=s.year, share=b.w.percent(s.share, 0), months=b.w.number(s.lag_months, grouping=False)
            )
            for s in now
        )
        note = t["lag_note"].format(years=labels) if now else ""
        panels.append(
            Panel(
                t["lag_panel"].format(definition=name, population=b.w.phrase(curve_words(filters))),
                data,
                t["lag_axis"],
                percent=True,
                kind="points",
                xlim=(-6.0, LAG_XMAX),
                ylim=(0.0, 1.3),
                reference=COMPLETE_SHARE,
                xlabel=t["lag_xlabel"],
                note=note,
            )
        )
        basis = b.w.phrase(curve.basis())
        bases.append(t["lag_basis"].format(definition=name, basis=basis, beyond=out, xmax=f"{LAG_XMAX:.0f}"))
    snapshots = b.census.snapshots_in_force(["epoch"], None)
    for d in b.census.vintage_list()["export_date"]:
        snapshots += b.census.snapshots_in_force(["epoch"], d)
    caption = b.caption(
        t["lag_definition"],
        b.rule_text("full"),
        b.attribution_text("as-published"),
        snapshots,
        measure=t["lag_measure"].format(share=b.w.percent(COMPLETE_SHARE, 0)),
        extra=[*bases, t["lag_bound"], *([t["lag_as_of"]] if b.as_of else [])],
    )
    chart = b.chart(
        "listing_lag",
        t["lag_title"],
        panels,
        caption,
        columns=2,
        width_in=12.0,
        reference_label=t["lag_reference"].format(share=b.w.percent(COMPLETE_SHARE, 0)),
    )
    return [chart]


# -- claims ---------------------------------------------------------------------------------------------


def _figure_at(w: Words, t: dict[str, Any], value: Any, metric: str, when: Any, against: float | None) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    text = w.figure(float(value), metric, against)
    return str(t["figure_at"].format(figure=text, date=w.date(when))) if when else text


def _coverage_text(w: Words, cov: dict[str, Any] | None, metric: str, t: dict[str, Any]) -> str:
    if cov is None:
        return "—"
    if cov.get("estimate") is None:
        return str(t["withheld"])

    def number(value: Any) -> str:
        return w.number(value) if metric == "count" else w.figure(value, metric)

    return str(
        t["about_range"].format(
            about=t["about"], estimate=number(cov["estimate"]), low=number(cov["ci_low"]), high=number(cov["ci_high"])
        )
    )


def claims_section(b: ReportBuilder) -> Section:
    t = b.s["sections"]["claims"]
    name = b.claims.name if b.claims else "—"  # the file's name: a published report shows no local path
    section = Section("claims", t["title"], t["intro"].format(file=name))
    if b.claims is None:
        section.notes.append(t["unavailable"].format(reason=t["no_claims"]))
        return section
    w = b.w
    values = {c.id: c.value for c in load_claims(b.claims)}
    results = b.census.check(b.claims, as_of=b.as_of)  # the slowest step: every claim under every variant
    rows, panels, explanations, n = [], [], [], 0
    figure_name = t["series_figure"]
    b.colors.setdefault(figure_name, SERIES_COLORS["figure"])
    for r in results:
        metric, value = str(r["metric"]), values.get(str(r["id"]))
        n = max(n, len(r["sensitivity"]))
        at, now = r.get("at_vintage"), r["now"]
        verdict = w.verdict(str(r["verdict"]))
        low, high = r.get("range_low"), r.get("range_high")
        rows.append(
            [
                r["claim"],
                r["source"],
                str(r["definition"]).split(" (")[0],
                w.numbers_in(str(r["comparison"])),
                verdict,
                _figure_at(w, t, at["figure"], metric, at["export_date"], value) if at else t["no_vintage"],
                _figure_at(w, t, at["next_figure"], metric, at["next_export_date"], value) if at else "—",
                _figure_at(w, t, now["figure"], metric, now["export_date"], value),
                _coverage_text(w, r.get("coverage"), metric, t),
                f"{w.figure(low, metric)} – {w.figure(high, metric)}" if low is not None else "",
            ]
        )
        explanation = w.explanation(r, value) if value is not None else str(r["explanation"])
        text = t["explanation"].format(id=r["id"], verdict=verdict, explanation=explanation)
        cov = r.get("coverage") or {}
        if cov.get("reason"):
            text += t["withheld_separator"] + t["withheld_reason"].format(reason=w.phrase(cov["reason"]))
        explanations.append(text)
        panels.append(_claim_panel(b, r, value, t))
    sources = sorted({s for name in b.census.definitions() for s in b.census.definition(name).sources})
    caption = b.caption(
        t["definition"].format(n=n),
        t["rule"],
        w.join((b.attribution_text(a) for a in Attribution), clauses=True),
        b.census.snapshots_in_force(sources, b.as_of),
        extra=[t["verdicts_line"]],
    )
    if panels:
        chart = b.chart(
            "claims",
            t["chart_title"],
            panels,
            caption,
            columns=min(3, len(panels)),
            reference_label=t["claimed"],
            estimate_label=t["estimate_label"],
        )
        section.blocks.append(chart)
    section.blocks.append(Block(t["title"], caption, table=pd.DataFrame(rows, columns=t["columns"])))
    section.blocks.append(Block(t["explanations_title"], [], notes=explanations))
    return section


def _claim_panel(b: ReportBuilder, r: dict[str, Any], value: float | None, t: dict[str, Any]) -> Panel:
    """One claim: the census's figure at the claim's vintage, the next and now, against the claimed value, with
    the estimate of what no source lists beside the figure now."""
    at, now = r.get("at_vintage"), r["now"]
    w = b.w
    points: dict[str, float | None] = {}
    if at is not None:
        points[f"{t['at_label']}\n{w.date(at['export_date']) or '—'}"] = at["figure"]
        if at.get("next_export_date"):
            points[f"{t['next_label']}\n{w.date(at['next_export_date'])}"] = at["next_figure"]
    now_label = f"{t['now_label']}\n{w.date(now['export_date'])}"
    points[now_label] = now["figure"]
    data = pd.DataFrame({t["series_figure"]: [float("nan") if v is None else float(v) for v in points.values()]})
    data.index = list(points)
    cov = r.get("coverage") or {}
    estimate = None
    if cov.get("estimate") is not None and r["metric"] == "count":
        estimate = pd.DataFrame(
            {"estimate": [cov["estimate"]], "low": [cov["ci_low"]], "high": [cov["ci_high"]]}, index=[now_label]
        )
    verdict = w.verdict(str(r["verdict"]))
    title = "\n".join(wrap(t["panel_title"].format(id=r["id"], verdict=verdict), 44)[:2])
    share = r["metric"] == "share"
    tops = [value or 0.0, float(data.max().max()) if data.notna().any().any() else 0.0]
    if estimate is not None:
        tops.append(float(estimate["high"].max()))
    top = max(tops) * 1.18 or 1.0
    return Panel(
        title,
        data,
        b.s["axis"]["share"] if share else b.s["axis"]["models"],
        percent=share,
        kind="line",
        reference=value,
        estimate=estimate,
        ylim=(0.0, top),
    )
