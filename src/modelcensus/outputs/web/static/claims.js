/* Published claims read at their vintage (/api/claims): verdict, figure then / next / now, coverage, explanation.
   Claim texts come from a user's file: every one goes in as text, never as markup. */
"use strict";

const RETRIES = 20;

/* The claimed value from the comparison the API prints ("== 15", ">= 40.0%", ">= 1,509"). */
function claimedValue(comparison) {
  const text = String(comparison || "").replace(/^[<>=!]+\s*/, "").replace(/,/g, "").trim();
  const value = parseFloat(text);
  if (Number.isNaN(value)) return null;
  return text.endsWith("%") ? value / 100 : value;
}

function fmt(value, metric) {
  if (value === null || value === undefined) return "—";
  if (!MC.I18N.english) return metric === "share" ? MC.share(value, 1) : MC.number(Math.round(value));
  return metric === "share" ? (100 * value).toFixed(1) + "%" : Math.round(value).toLocaleString("en-US");
}

/* modelcensus.claims.format_figure in the page's language: near the claimed value, with enough digits to show
   which side of it the figure is on. */
function figureText(value, metric, against) {
  if (value === null || value === undefined) return MC.I18N.common.explanation.not_available;
  const write = (v, d) => (metric === "share" ? MC.share(v, d) : MC.number(v, d));
  if (metric !== "share" && Number.isInteger(value)) return MC.number(value);
  for (let digits = 1; digits < 6; digits++) {
    const text = write(value, digits);
    if (against === null || against === undefined || value === against || write(against, digits) !== text) return text;
  }
  return write(value, 6);
}

/* modelcensus.outputs.common.i18n.Words.render_explanation: a claim's explanation in the page's language. */
function explanation(r) {
  if (MC.I18N.english) return r.explanation;
  const t = MC.I18N.common.explanation;
  const m = r.metric;
  const claimed = r.value;
  const at = r.at_vintage, now = r.now;
  const nowText = MC.fill(t.now, { figure: figureText(now.figure, m, claimed), date: MC.date(now.export_date) });
  let first;
  if (!at) {
    first = MC.fill(t.first_now, { now: nowText, claimed: figureText(claimed, m) });
  } else if (!at.export_date) {
    first = MC.fill(t.first_undated, { as_of: MC.date(at.as_of), now: nowText });
  } else {
    const next = at.next_export_date ? MC.fill(t.next, { figure: figureText(at.next_figure, m, claimed), date: MC.date(at.next_export_date) }) : "";
    const vintage = MC.fill(t.vintage, { date: MC.date(at.export_date), as_of: MC.date(at.as_of) });
    first = MC.fill(t.first_vintage, { vintage: vintage, then: figureText(at.figure, m, claimed), next: next, now: nowText, claimed: figureText(claimed, m) });
  }
  const parts = [first];
  if (r.range_low !== null && r.range_low !== undefined && r.range_high !== null && r.range_high !== undefined) {
    parts.push(MC.fill(t.spread, { low: figureText(r.range_low, m), high: figureText(r.range_high, m) }));
  }
  const cov = r.coverage;
  if (cov) {
    const write = (v) => (m === "count" ? (v === null || v === undefined ? t.not_available : MC.number(Math.round(v))) : figureText(v, m));
    if (cov.estimate !== null && cov.estimate !== undefined) {
      parts.push(MC.fill(t.estimate, { estimate: write(cov.estimate), low: write(cov.ci_low), high: write(cov.ci_high), sources: MC.join(cov.sources || []) }));
    } else if (cov.method === "none") {
      parts.push(t.not_estimated);
    } else {
      parts.push(t.see_reason);
    }
  }
  const scopes = [...new Set((r.snapshots || []).map((s) => s.scope).filter(Boolean))];
  if (scopes.length) parts.push(MC.fill(t.population, { scopes: MC.join(scopes.map(MC.phrase), true) }));
  return MC.tidy(parts.join(t.separator));
}

function coverageText(c, metric) {
  if (!c) return "—";
  if (c.estimate === null || c.estimate === undefined) return MC.t("claims.withheld");
  return MC.t("claims.about_range", { estimate: fmt(c.estimate, metric), low: fmt(c.ci_low, metric), high: fmt(c.ci_high, metric) });
}

function drawClaim(container, r) {
  const div = document.createElement("div");
  div.className = "claim-chart";
  div.dataset.claim = r.id;
  container.appendChild(div);
  const labels = [], values = [];
  if (r.at_vintage) {
    labels.push(MC.esc(MC.t("claims.at_label")) + "<br>" + (MC.date(r.at_vintage.export_date) || "—"));
    values.push(r.at_vintage.figure);
    if (r.at_vintage.next_export_date) {
      labels.push(MC.esc(MC.t("claims.next_label")) + "<br>" + MC.date(r.at_vintage.next_export_date));
      values.push(r.at_vintage.next_figure);
    }
  }
  labels.push(MC.esc(MC.t("claims.now_label")) + "<br>" + MC.date(r.now.export_date));
  values.push(r.now.figure);
  const claimed = claimedValue(r.comparison);
  const share = r.metric === "share";
  const traces = [{ type: "scatter", mode: "lines+markers", name: MC.t("claims.figure"), x: labels, y: values,
    line: { color: MC.seriesColor("figure") }, marker: { size: 8, color: MC.seriesColor("figure") }, hovertemplate: "%{x}: " + (share ? "%{y:.1%}" : "%{y:,}") + "<extra></extra>" }];
  if (claimed !== null) {
    /* the legend entry; the line is a shape across the chart (one point would draw no line) */
    traces.push({ type: "scatter", mode: "lines", name: MC.t("claims.claimed"), x: [labels[0]], y: [claimed],
      line: { color: MC.seriesColor("claimed"), dash: "dot", width: 2 }, hovertemplate: MC.t("claims.hover_claimed") + (share ? "%{y:.1%}" : "%{y:,}") + "<extra></extra>" });
  }
  const c = r.coverage;
  if (c && c.estimate !== null && c.estimate !== undefined && !share) {
    traces.push({ type: "scatter", mode: "markers", name: MC.t("claims.estimate"), x: [labels[labels.length - 1]], y: [c.estimate],
      marker: { symbol: "diamond-open", size: 10, color: "#222" },
      error_y: { type: "data", symmetric: false, array: [c.ci_high - c.estimate], arrayminus: [c.estimate - c.ci_low], color: "#222", width: 4 },
      hovertemplate: MC.t("claims.hover_estimate") + "<extra></extra>" });
  }
  MC.plot(div, traces, {
    title: { text: MC.esc(r.id) + ": <b>" + MC.esc(MC.word("verdicts", r.verdict)) + "</b>", font: { size: 13 } },
    margin: { t: 40 }, height: 340, showlegend: true, legend: { font: { size: 10 } },
    yaxis: share
      ? MC.percentAxis(Math.max(claimed || 0, ...values.filter((v) => v !== null)), { title: { text: MC.t("country.axis_share") } })
      : { rangemode: "tozero", tickformat: ",d", title: { text: MC.t("country.axis_models") } },
    xaxis: { type: "category", range: [-0.5, labels.length - 0.5] },
    shapes: claimed === null ? [] : [{ type: "line", xref: "x domain", x0: 0, x1: 1, yref: "y", y0: claimed, y1: claimed, line: { color: MC.seriesColor("claimed"), dash: "dot", width: 2 } }],
  });
}

async function fetchClaims() {
  for (let attempt = 0; ; attempt++) {
    try {
      return await MC.getJSON("/api/claims" + MC.apiQuery());
    } catch (error) {
      /* the first check of a store takes a while: the server answers 503 and keeps computing */
      if (error.status !== 503 || attempt >= RETRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, 3000));
    }
  }
}

(async function start() {
  const status = document.getElementById("status");
  try {
    const results = await fetchClaims();
    status.textContent = MC.t("claims.count", { n: results.length });
    const charts = document.getElementById("claim-charts");
    for (const r of results) drawClaim(charts, r);
    const figureAt = (value, metric, date) => MC.t("claims.figure_at", { figure: fmt(value, metric), date: MC.date(date) });
    const rows = results.map((r) => ({
      claim: r.claim, source: r.source, definition: String(r.definition).split(" (")[0],
      claimed: MC.I18N.english ? r.comparison : String(r.comparison).replace(/[\d.,]+%?/, (n) => MC.localValue(n) || n),
      verdict: MC.word("verdicts", r.verdict),
      at_vintage: r.at_vintage ? figureAt(r.at_vintage.figure, r.metric, r.at_vintage.export_date) : MC.t("claims.no_vintage"),
      next: r.at_vintage && r.at_vintage.next_export_date ? figureAt(r.at_vintage.next_figure, r.metric, r.at_vintage.next_export_date) : "—",
      now: figureAt(r.now.figure, r.metric, r.now.export_date),
      coverage: coverageText(r.coverage, r.metric),
      range: r.range_low !== null && r.range_low !== undefined ? fmt(r.range_low, r.metric) + " – " + fmt(r.range_high, r.metric) : "",
    }));
    const table = MC.table(document.getElementById("claims-table"), [
      { key: "claim" }, { key: "source" }, { key: "definition" }, { key: "claimed" }, { key: "verdict" },
      { key: "at_vintage" }, { key: "next" }, { key: "now" }, { key: "coverage" }, { key: "range" },
    ], rows, MC.csvHref("/api/claims" + MC.apiQuery()));
    table.querySelectorAll("tbody tr").forEach((tr, i) => tr.cells[4].classList.add("verdict", "verdict-" + results[i].verdict));
    const list = document.getElementById("explanations");
    for (const r of results) {
      const li = document.createElement("li");
      const head = document.createElement("b");
      head.textContent = MC.t("claims.explanation_head", { id: r.id, verdict: MC.word("verdicts", r.verdict) });
      li.appendChild(head);
      const reason = r.coverage && r.coverage.reason ? MC.t("claims.withheld_reason", { reason: MC.phrase(r.coverage.reason) }) : "";
      li.appendChild(document.createTextNode(MC.tidy(explanation(r) + reason)));
      list.appendChild(li);
    }
    document.body.dataset.loaded = "yes";
  } catch (error) {
    MC.showError(status, error);
    document.body.dataset.loaded = "error";
  }
})();
