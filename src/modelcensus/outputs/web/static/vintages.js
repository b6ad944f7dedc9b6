/* How the census fills in (/api/dashboard/vintages): a figure at every Epoch AI vintage, and the listing lag. */
"use strict";

const COLORS = { US: "#1f77b4", CN: "#d62728" };
const NAMES = { US: "United States", CN: "China" };

function drawVintages(v) {
  const kept = v.vintages.filter((x) => x.covers);
  const title = "Notable models of " + v.year + " by country at each stored Epoch vintage";
  document.getElementById("vintage-title").textContent = title;
  const traces = v.countries.map((code) => ({
    type: "scatter", mode: "lines+markers", name: NAMES[code] || code,
    x: kept.map((x) => x.export_date), y: kept.map((x) => x.counts[code]),
    line: { color: COLORS[code] }, marker: { size: 7 },
    hovertemplate: (NAMES[code] || code) + ", vintage of %{x}: %{y} notable models of " + v.year + "<extra></extra>",
  }));
  Plotly.newPlot("chart-vintages", traces, {
    margin: { t: 10, r: 10, b: 50, l: 60 }, xaxis: { type: "date", title: { text: "export date of the vintage" } },
    yaxis: { title: { text: "notable models of " + v.year }, rangemode: "tozero" }, legend: { orientation: "h", y: 1.1 },
  }, MC.plotConfig);
  const first = kept[0], last = kept[kept.length - 1];
  const growth = v.countries.map((c) => (NAMES[c] || c) + " " + first.counts[c] + " → " + last.counts[c]).join(", ");
  document.getElementById("vintage-caption").textContent =
    kept.length + " vintages: " + kept.map((x) => x.export_date + " (" + x.roles.join(", ") + ")").join("; ") +
    ". The figure grew as Epoch AI back-filled models of " + v.year + ": " + growth + " between the vintages of " +
    first.export_date + " and " + last.export_date + ". The line joins the vintages; nothing is known between them." +
    (kept.length < v.vintages.length ? " Vintages whose files do not hold all these models are left out." : "");
  const rows = kept.map((x) => Object.assign({ vintage: x.export_date, files: x.roles.join(", "), all: x.denominator },
    Object.fromEntries(v.countries.map((c) => [NAMES[c] || c, x.counts[c]]))));
  MC.table(document.getElementById("vintage-table"), [
    { key: "vintage", label: "vintage (export date)" }, { key: "files" },
    ...v.countries.map((c) => ({ key: NAMES[c] || c, numeric: true })),
    { key: "all", label: "all notable models of " + v.year, numeric: true },
  ], rows, "notable-" + v.year + "-by-vintage.csv");
  MC.provenance(document.getElementById("prov-vintages"), v.provenance);
}

function drawLag(v) {
  const share = v.complete_share;
  v.lag.forEach((pop, i) => {
    const obs = pop.observations;
    const now = pop.years.filter((y) => y.filling_in && y.share_listed !== null);
    const traces = [
      { type: "scatter", mode: "markers", name: "a past year at an older vintage", x: obs.map((o) => o.lag_months), y: obs.map((o) => o.ratio),
        text: obs.map((o) => String(o.year)), marker: { color: "#1f77b4", opacity: 0.75, size: 7 },
        hovertemplate: "%{text}: %{y:.0%} listed %{x:.0f} months after the year ended<extra></extra>" },
      { type: "scatter", mode: "markers+text", name: "a year still filling in, now", x: now.map((y) => y.lag_months), y: now.map((y) => y.share_listed),
        text: now.map((y) => String(y.year)), textposition: "top center", marker: { color: "#d62728", size: 10, symbol: "circle-open", line: { width: 2 } },
        hovertemplate: "%{text}: probably %{y:.0%} of its eventual count listed, %{x:.0f} months after it ended<extra></extra>" },
      { type: "scatter", mode: "lines", name: "complete: " + Math.round(share * 100) + "% of the eventual count", x: [-6, 132], y: [share, share],
        line: { color: "#d62728", dash: "dot" }, hoverinfo: "skip" },
    ];
    Plotly.newPlot("chart-lag-" + i, traces, {
      title: { text: MC.esc(pop.definition + " (" + pop.population + ")"), font: { size: 14 } },
      margin: { t: 40, r: 10, b: 50, l: 60 }, xaxis: { range: [-6, 132], title: { text: "months after the year ended" } },
      yaxis: { range: [0, 1.3], tickformat: ".0%", title: { text: "share of the year's newest count" } }, legend: { orientation: "h", y: -0.25 },
    }, MC.plotConfig);
    MC.fillingNote(document.getElementById("filling-" + i), pop, pop.definition);
  });
  document.getElementById("lag-caption").textContent = v.lag.map((p) => p.definition + ": the curve rests on " + p.basis).join("; ") +
    ". A year is called complete when its likely share of its eventual count is at least " + Math.round(share * 100) +
    "%. The eventual count is what the newest vintage lists: a source that keeps back-filling makes these shares upper bounds and the estimated final counts lower bounds. Older years lie right of the charts, near 100%.";
}

(async function start() {
  const status = document.getElementById("status");
  try {
    const v = await MC.getJSON("/api/dashboard/vintages" + window.location.search);
    status.textContent = "";
    if (v.year !== null) drawVintages(v);
    drawLag(v);
    document.body.dataset.loaded = "yes";
  } catch (error) {
    MC.showError(status, error);
    document.body.dataset.loaded = "error";
  }
})();
