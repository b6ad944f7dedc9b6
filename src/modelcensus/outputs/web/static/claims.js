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
  return metric === "share" ? (100 * value).toFixed(1) + "%" : Math.round(value).toLocaleString("en-US");
}

function coverageText(c, metric) {
  if (!c) return "—";
  if (c.estimate === null || c.estimate === undefined) return "withheld (see below)";
  return "about " + fmt(c.estimate, metric) + " (" + fmt(c.ci_low, metric) + "–" + fmt(c.ci_high, metric) + ")";
}

function drawClaim(container, r) {
  const div = document.createElement("div");
  div.className = "claim-chart";
  div.dataset.claim = r.id;
  container.appendChild(div);
  const labels = [], values = [];
  if (r.at_vintage) {
    labels.push("at its vintage<br>" + (r.at_vintage.export_date || "—"));
    values.push(r.at_vintage.figure);
    if (r.at_vintage.next_export_date) {
      labels.push("next vintage<br>" + r.at_vintage.next_export_date);
      values.push(r.at_vintage.next_figure);
    }
  }
  labels.push("now<br>" + r.now.export_date);
  values.push(r.now.figure);
  const claimed = claimedValue(r.comparison);
  const share = r.metric === "share";
  const traces = [{ type: "scatter", mode: "lines+markers", name: "the census's figure", x: labels, y: values,
    line: { color: "#1f77b4" }, marker: { size: 8 }, hovertemplate: "%{x}: " + (share ? "%{y:.1%}" : "%{y:,}") + "<extra></extra>" }];
  if (claimed !== null) {
    /* the legend entry; the line is a shape across the chart (one point would draw no line) */
    traces.push({ type: "scatter", mode: "lines", name: "claimed value", x: [labels[0]], y: [claimed],
      line: { color: "#d62728", dash: "dot", width: 2 }, hovertemplate: "claimed: " + (share ? "%{y:.1%}" : "%{y:,}") + "<extra></extra>" });
  }
  const c = r.coverage;
  if (c && c.estimate !== null && c.estimate !== undefined && !share) {
    traces.push({ type: "scatter", mode: "markers", name: "estimate with models no source lists", x: [labels[labels.length - 1]], y: [c.estimate],
      marker: { symbol: "diamond-open", size: 10, color: "#222" },
      error_y: { type: "data", symmetric: false, array: [c.ci_high - c.estimate], arrayminus: [c.estimate - c.ci_low], color: "#222", width: 4 },
      hovertemplate: "estimate with models no source lists: about %{y:,.0f}<extra></extra>" });
  }
  Plotly.newPlot(div, traces, {
    title: { text: MC.esc(r.id) + ": <b>" + MC.esc(r.verdict) + "</b>", font: { size: 13 } },
    margin: { t: 40, r: 20, b: 60, l: 55 }, height: 300, showlegend: true, legend: { orientation: "h", y: -0.3, font: { size: 10 } },
    yaxis: { rangemode: "tozero", tickformat: share ? ".0%" : ",d" },
    xaxis: { type: "category", range: [-0.5, labels.length - 0.5] },
    shapes: claimed === null ? [] : [{ type: "line", xref: "x domain", x0: 0, x1: 1, yref: "y", y0: claimed, y1: claimed, line: { color: "#d62728", dash: "dot", width: 2 } }],
  }, MC.plotConfig);
}

async function fetchClaims() {
  for (let attempt = 0; ; attempt++) {
    try {
      return await MC.getJSON("/api/claims" + window.location.search);
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
    status.textContent = results.length + " claims.";
    const charts = document.getElementById("claim-charts");
    for (const r of results) drawClaim(charts, r);
    const rows = results.map((r) => ({
      claim: r.claim, source: r.source, definition: String(r.definition).split(" (")[0], claimed: r.comparison, verdict: r.verdict,
      at_vintage: r.at_vintage ? fmt(r.at_vintage.figure, r.metric) + " (" + r.at_vintage.export_date + ")" : "— (no date given: read now)",
      next: r.at_vintage && r.at_vintage.next_export_date ? fmt(r.at_vintage.next_figure, r.metric) + " (" + r.at_vintage.next_export_date + ")" : "—",
      now: fmt(r.now.figure, r.metric) + " (" + r.now.export_date + ")",
      coverage: coverageText(r.coverage, r.metric),
      range: r.range_low !== null && r.range_low !== undefined ? fmt(r.range_low, r.metric) + " – " + fmt(r.range_high, r.metric) : "",
    }));
    const table = MC.table(document.getElementById("claims-table"), [
      { key: "claim" }, { key: "source" }, { key: "definition" }, { key: "claimed" }, { key: "verdict" },
      { key: "at_vintage", label: "at its vintage" }, { key: "next", label: "next vintage" }, { key: "now" },
      { key: "coverage", label: "with models no source lists" }, { key: "range", label: "sensitivity range" },
    ], rows, "claims.csv");
    table.querySelectorAll("tbody tr").forEach((tr, i) => tr.cells[4].classList.add("verdict", "verdict-" + results[i].verdict));
    const list = document.getElementById("explanations");
    for (const r of results) {
      const li = document.createElement("li");
      const head = document.createElement("b");
      head.textContent = r.id + " (" + r.verdict + "): ";
      li.appendChild(head);
      li.appendChild(document.createTextNode(r.explanation + (r.coverage && r.coverage.reason ? " The estimate of models no source lists is withheld: " + r.coverage.reason : "")));
      list.appendChild(li);
    }
    document.body.dataset.loaded = "yes";
  } catch (error) {
    MC.showError(status, error);
    document.body.dataset.loaded = "error";
  }
})();
