/* An organization's profile (/api/organizations/{name}). */
"use strict";

function figureBox(value, label) {
  return '<div class="figure"><div class="value">' + MC.esc(value) + '</div><div class="label">' + MC.esc(label) + "</div></div>";
}

const pct = (v) => (v === null || v === undefined ? "—" : MC.I18N.english ? (100 * v).toFixed(1) + " %" : MC.share(v));

/* A model of the list with its countries named in the page's language. */
function localModel(m) {
  if (MC.I18N.english) return m;
  const countries = Array.isArray(m.countries) ? m.countries.map((c) => MC.country(c, c)) : m.countries;
  return Object.assign({}, m, { countries: countries, published_on: MC.date(m.published_on) });
}

(async function start() {
  const name = MC.pathTail("/organizations/");
  const twin = "/api/organizations/" + encodeURIComponent(name) + MC.apiQuery();
  document.getElementById("twin").href = twin;
  const status = document.getElementById("status");
  try {
    const p = await MC.getJSON(twin);
    document.title = "modelcensus — " + p.name;
    document.getElementById("title").textContent = p.name;
    status.textContent = "";
    const hub = p.hub || {};
    document.getElementById("figures").innerHTML = [
      figureBox(MC.formatNumber(p.models_total), MC.t("organization.models_total")),
      figureBox(pct(p.open_weights.share_open), MC.t("country.open_of", { n: MC.formatNumber(p.open_weights.yes + p.open_weights.no) })),
      figureBox(hub.published ? MC.formatNumber(hub.published.downloads) : "—", MC.t("organization.hub_own") +
        (hub.published && hub.published.groups.length > 1 ? ": " + MC.join(hub.published.groups) : "")),
      figureBox(hub.lineage ? pct(hub.lineage.share) : "—", MC.t("organization.hub_built_on")),
    ].join("");
    const about = document.getElementById("about");
    about.innerHTML = "";
    const countries = MC.join(p.countries.map((c) => '<a href="' + MC.countryHref(c.code) + '">' + MC.esc(MC.country(c.code, c.name)) + "</a>"));
    const sector = MC.esc(p.sector ? MC.word("sectors", p.sector) : "—");
    /* the words are escaped, then the links put in: the placeholders are filled with markup */
    about.innerHTML = MC.fill(MC.esc(MC.t("organization.about")), { countries: countries || MC.esc(MC.t("page.none")), sector: sector }) +
      (p.parent ? MC.esc(MC.t("organization.parent", { parent: p.parent })) : "") +
      (p.hub_handles.length ? MC.esc(MC.t("organization.hub", { handles: MC.join(p.hub_handles) })) : "") +
      "<br>" + MC.esc(MC.t("organization.note", { note: p.note || "" }));
    const years = p.years || {};
    const byYear = new Map((years.series || []).map((r) => [r.year, r]));
    const points = p.per_year.map((r) => Object.assign({ filling_in: false }, byYear.get(r.year) || {}, { year: r.year, count: r.models }));
    /* in the colour of the organization's (first) country, as its country's charts draw it */
    const color = p.countries.length ? MC.countryColor(p.countries[0].code) : MC.seriesColor("single");
    const traces = MC.yearBarTraces(MC.t("country.trace_models"), points, color);
    if (points.some((r) => r.filling_in)) traces.push(MC.fillingLegend("bar"));
    const yearsShown = points.map((r) => r.year);
    MC.plot(
      "chart-years",
      traces,
      {
        height: 400,
        xaxis: MC.yearAxis(Math.min(...yearsShown), Math.max(...yearsShown), "chart-years"),
        yaxis: { title: { text: MC.t("country.axis_models") }, rangemode: "tozero" },
        showlegend: traces.length > 1,
      },
    );
    document.getElementById("years-note").textContent = MC.t("chart.bars_note");
    MC.fillingNote(document.getElementById("filling-years"), years, MC.t("country.per_year_of", { name: p.name }), p.name);
    const yearRows = p.per_year.map((r, i) => Object.assign({}, r, {
      year: points[i].filling_in ? r.year + "*" : r.year,
      status: points[i].filling_in ? MC.FILLING : "",
      estimate: points[i].estimate !== undefined && points[i].estimate !== null ? MC.number(Math.round(points[i].estimate)) + " (" + MC.number(Math.round(points[i].estimate_low)) + "–" + MC.number(Math.round(points[i].estimate_high)) + ")" : "",
    }));
    MC.table(document.getElementById("years"), [{ key: "year" }, { key: "models", numeric: true }, { key: "status" }, { key: "estimate" }],
      yearRows, MC.csvHref(twin, "per_year"), points.some((r) => r.filling_in) ? MC.t("filling.marked") : "");
    MC.provenance(document.getElementById("provenance"), p.provenance);
    document.getElementById("models-title").textContent = MC.t("country.newest_count", { shown: MC.formatNumber(p.models.length), total: MC.formatNumber(p.models_total) });
    MC.table(document.getElementById("models"), [
      { key: "name", link: (r) => MC.modelHref(r.id) }, { key: "published_on" }, { key: "organizations" },
      { key: "countries" }, { key: "open_weights" }, { key: "notable" },
    ], p.models.map(localModel), MC.csvHref(twin, "models"));
    document.body.dataset.loaded = "yes";
  } catch (error) {
    MC.showError(status, error);
    document.body.dataset.loaded = "error";
  }
})();
