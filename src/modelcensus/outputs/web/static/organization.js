/* An organization's profile (/api/organizations/{name}). */
"use strict";

function figureBox(value, label) {
  return '<div class="figure"><div class="value">' + MC.esc(value) + '</div><div class="label">' + MC.esc(label) + "</div></div>";
}

const pct = (v) => (v === null || v === undefined ? "—" : (100 * v).toFixed(1) + " %");

(async function start() {
  const name = MC.pathTail("/organizations/");
  const twin = "/api/organizations/" + encodeURIComponent(name) + window.location.search;
  document.getElementById("twin").href = twin;
  const status = document.getElementById("status");
  try {
    const p = await MC.getJSON(twin);
    document.title = "modelcensus — " + p.name;
    document.getElementById("title").textContent = p.name;
    status.textContent = "";
    const hub = p.hub || {};
    document.getElementById("figures").innerHTML = [
      figureBox(MC.formatNumber(p.models_total), "models in Epoch AI's census"),
      figureBox(pct(p.open_weights.share_open), "open weights (of " + (p.open_weights.yes + p.open_weights.no) + " with known openness)"),
      figureBox(hub.published ? MC.formatNumber(hub.published.downloads) : "—", "Hub downloads of its own repos (30 days)" +
        (hub.published && hub.published.groups.length > 1 ? ": " + hub.published.groups.join(", ") : "")),
      figureBox(hub.lineage ? pct(hub.lineage.share) : "—", "of Hub downloads build on its base models"),
    ].join("");
    const about = document.getElementById("about");
    about.innerHTML = "";
    const countries = p.countries.map((c) => '<a href="' + MC.countryHref(c.code) + '">' + MC.esc(c.name) + "</a>").join(", ");
    about.innerHTML = "Country: " + (countries || "none") + " · sector: " + MC.esc(p.sector || "—") +
      (p.parent ? " · parent: " + MC.esc(p.parent) : "") + (p.hub_handles.length ? " · Hub: " + MC.esc(p.hub_handles.join(", ")) : "") +
      "<br>Registry note: " + MC.esc(p.note || "");
    const years = p.years || {};
    const byYear = new Map((years.series || []).map((r) => [r.year, r]));
    const points = p.per_year.map((r) => Object.assign({ filling_in: false }, byYear.get(r.year) || {}, { year: r.year, count: r.models }));
    const traces = MC.yearBarTraces("models", points, "#2f6db5");
    if (points.some((r) => r.filling_in)) traces.push(MC.fillingLegend("bar"));
    Plotly.newPlot(
      "chart-years",
      traces,
      { margin: { t: 10, r: 10, b: 40, l: 50 }, yaxis: { title: { text: "models" } }, legend: { orientation: "h", y: -0.15 }, showlegend: traces.length > 1 },
      MC.plotConfig,
    );
    MC.fillingNote(document.getElementById("filling-years"), years, p.name + "'s models per year");
    const yearRows = p.per_year.map((r, i) => Object.assign({}, r, {
      year: points[i].filling_in ? r.year + "*" : r.year,
      status: points[i].filling_in ? MC.FILLING : "",
      estimate: points[i].estimate !== undefined && points[i].estimate !== null ? Math.round(points[i].estimate) + " (" + Math.round(points[i].estimate_low) + "–" + Math.round(points[i].estimate_high) + ")" : "",
    }));
    MC.table(document.getElementById("years"), [{ key: "year" }, { key: "models", numeric: true }, { key: "status" }, { key: "estimate", label: "estimated final count (range)" }],
      yearRows, "models-per-year-" + p.id + ".csv", points.some((r) => r.filling_in) ? "* still filling in" : "");
    MC.provenance(document.getElementById("provenance"), p.provenance);
    document.getElementById("models-title").textContent = "Newest models (" + p.models.length + " of " + p.models_total + ")";
    MC.table(document.getElementById("models"), [
      { key: "name", link: (r) => MC.modelHref(r.id) }, { key: "published_on" }, { key: "organizations" },
      { key: "countries" }, { key: "open_weights" }, { key: "notable" },
    ], p.models, "models-" + p.id + ".csv");
    document.body.dataset.loaded = "yes";
  } catch (error) {
    MC.showError(status, error);
    document.body.dataset.loaded = "error";
  }
})();
