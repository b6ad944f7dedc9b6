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
    Plotly.newPlot(
      "chart-years",
      [
        { type: "bar", name: "models", x: p.per_year.map((r) => r.year), y: p.per_year.map((r) => r.count), marker: { color: "#2f6db5" } },
        { type: "scatter", mode: "lines+markers", name: "share", yaxis: "y2", x: p.per_year.map((r) => r.year), y: p.per_year.map((r) => r.share) },
      ],
      { margin: { t: 10, r: 50, b: 40, l: 50 }, yaxis: { title: { text: "models" } }, yaxis2: { overlaying: "y", side: "right", tickformat: ".0%", title: { text: "share" } }, legend: { orientation: "h" } },
      MC.plotConfig,
    );
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
    MC.table(document.getElementById("years"), [
      { key: "year" }, { key: "count", numeric: true }, { key: "denominator", numeric: true }, { key: "share", percent: true },
    ], p.per_year, "models-per-year-" + p.code + ".csv");
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
