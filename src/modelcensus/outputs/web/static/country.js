/* A country's profile (/api/countries/{code}). */
"use strict";

function figureBox(value, label) {
  return '<div class="figure"><div class="value">' + MC.esc(value) + '</div><div class="label">' + MC.esc(label) + "</div></div>";
}

const pct = (v) => (v === null || v === undefined ? "—" : (100 * v).toFixed(1) + " %");

(async function start() {
  const code = MC.pathTail("/countries/");
  const query = window.location.search;
  const twin = "/api/countries/" + encodeURIComponent(code) + query;
  document.getElementById("twin").href = twin;
  const status = document.getElementById("status");
  try {
    const p = await MC.getJSON(twin);
    document.title = "modelcensus — " + p.name;
    document.getElementById("title").textContent = p.name + " (" + p.code + ")";
    status.textContent = "";
    const hub = p.hub && p.hub.lineage;
    const front = p.frontier;
    document.getElementById("figures").innerHTML = [
      figureBox(MC.formatNumber(p.share.models), "models (of " + MC.formatNumber(p.share.denominator) + ")"),
      figureBox(pct(p.share.share), "share of all models"),
      figureBox(pct(p.open_weights.share_open), "open weights (of " + (p.open_weights.yes + p.open_weights.no) + " with known openness)"),
      figureBox(hub ? pct(hub.share) : "—", "Hub downloads by lineage origin" + (hub ? " (" + MC.formatNumber(hub.downloads) + ")" : "")),
      figureBox(front ? front.model : "—", front ? "best on LMArena, rating " + front.rating + " [" + front.rating_low + ", " + front.rating_high + "] on " + front.rated_on : "no LMArena model"),
    ].join("");
    const years = p.years || {};
    const byYear = new Map((years.series || []).map((r) => [r.year, r]));
    const points = p.per_year.map((r) => Object.assign({ filling_in: false }, byYear.get(r.year) || {}, { year: r.year, count: r.count }));
    const tiny = years.tiny_denominator || 0;
    /* a share of a year with very few models says little: not drawn */
    const shares = p.per_year.map((r, i) => ({ year: r.year, count: r.denominator < tiny ? null : r.share, filling_in: points[i].filling_in }));
    const traces = [
      ...MC.yearBarTraces("models", points, "#2f6db5"),
      ...MC.yearLineTraces("share", shares, "#d62728", { yaxis: "y2" }).map((t) => Object.assign(t, { hovertemplate: "share %{x}: %{y:.1%}%{text}<extra></extra>", text: t.text || shares.map(() => "") })),
    ];
    if (points.some((r) => r.filling_in)) traces.push(MC.fillingLegend("bar"));
    Plotly.newPlot(
      "chart-years",
      MC.dedupeLegend(traces),
      { margin: { t: 10, r: 50, b: 40, l: 50 }, yaxis: { title: { text: "models" } }, yaxis2: { overlaying: "y", side: "right", tickformat: ".0%", title: { text: "share" }, rangemode: "tozero" }, legend: { orientation: "h", y: -0.15 } },
      MC.plotConfig,
    );
    MC.fillingNote(document.getElementById("filling-years"), years, p.name + "'s models per year");
    if (front) {
      Plotly.newPlot(
        "chart-frontier",
        [{ type: "scatter", mode: "lines+markers", x: front.series.map((r) => r.rated_on), y: front.series.map((r) => r.rating), text: front.series.map((r) => r.model), hovertemplate: "%{x}: %{text} (%{y})<extra></extra>" }],
        { margin: { t: 10, r: 10, b: 40, l: 50 }, xaxis: { type: "date" }, yaxis: { title: { text: "rating" } } },
        MC.plotConfig,
      );
      document.getElementById("frontier-note").textContent = "The country's best-rated model in LMArena's " + front.category + " arena at each rating date.";
    } else {
      document.getElementById("chart-frontier").textContent = "No LMArena model of this country.";
    }
    MC.provenance(document.getElementById("provenance"), p.provenance);
    MC.table(document.getElementById("orgs"), [
      { key: "organization", link: (r) => MC.orgHref(r.organization) },
      { key: "models", numeric: true },
    ], p.top_organizations, "top-organizations-" + p.code + ".csv");
    const yearRows = p.per_year.map((r, i) => Object.assign({}, r, {
      year: points[i].filling_in ? r.year + "*" : r.year,
      status: points[i].filling_in ? MC.FILLING : "",
      estimate: points[i].estimate !== undefined && points[i].estimate !== null ? Math.round(points[i].estimate) + " (" + Math.round(points[i].estimate_low) + "–" + Math.round(points[i].estimate_high) + ")" : "",
      share: r.denominator < tiny ? null : r.share,
    }));
    MC.table(document.getElementById("years"), [
      { key: "year" }, { key: "count", numeric: true }, { key: "denominator", numeric: true }, { key: "share", percent: true },
      { key: "status", label: "status" }, { key: "estimate", label: "estimated final count (range)" },
    ], yearRows, "models-per-year-" + p.code + ".csv", points.some((r) => r.filling_in) ? "* still filling in" : "");
    document.getElementById("models-title").textContent = "Newest models (" + p.models.length + " of " + p.models_total + ")";
    MC.table(document.getElementById("models"), [
      { key: "name", link: (r) => MC.modelHref(r.id) }, { key: "published_on" }, { key: "organizations" },
      { key: "countries" }, { key: "open_weights" }, { key: "notable" },
    ], p.models, "models-" + p.code + ".csv");
    document.getElementById("on-dashboard").href = "/" ;
    document.body.dataset.loaded = "yes";
  } catch (error) {
    MC.showError(status, error);
    document.body.dataset.loaded = "error";
  }
})();
