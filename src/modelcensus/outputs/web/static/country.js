/* A country's profile (/api/countries/{code}). */
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
  const code = MC.pathTail("/countries/");
  const query = MC.apiQuery();
  const twin = "/api/countries/" + encodeURIComponent(code) + query;
  document.getElementById("twin").href = twin;
  const status = document.getElementById("status");
  try {
    const p = await MC.getJSON(twin);
    const name = MC.country(p.code, p.name);
    document.title = "modelcensus — " + name;
    document.getElementById("title").textContent = MC.t("country.title", { name: name, code: p.code });
    status.textContent = "";
    const hub = p.hub && p.hub.lineage;
    const front = p.frontier;
    document.getElementById("figures").innerHTML = [
      figureBox(MC.formatNumber(p.share.models), MC.t("country.models_of", { n: MC.formatNumber(p.share.denominator) })),
      figureBox(pct(p.share.share), MC.t("country.share_of_all")),
      figureBox(pct(p.open_weights.share_open), MC.t("country.open_of", { n: MC.formatNumber(p.open_weights.yes + p.open_weights.no) })),
      figureBox(hub ? pct(hub.share) : "—", hub ? MC.t("country.hub_lineage_of", { n: MC.formatNumber(hub.downloads) }) : MC.t("country.hub_lineage")),
      figureBox(front ? front.model : "—", front ? MC.t("country.best_on", {
        rating: MC.plain(front.rating), low: MC.plain(front.rating_low), high: MC.plain(front.rating_high), date: MC.date(front.rated_on),
      }) : MC.t("country.no_lmarena")),
    ].join("");
    const years = p.years || {};
    const byYear = new Map((years.series || []).map((r) => [r.year, r]));
    const points = p.per_year.map((r) => Object.assign({ filling_in: false }, byYear.get(r.year) || {}, { year: r.year, count: r.count }));
    const tiny = years.tiny_denominator || 0;
    /* a share of a year with very few models says little: not drawn (and said so under the chart) */
    const listed = new Map(p.per_year.map((r, i) => [r.year, { year: r.year, count: r.denominator < tiny ? null : r.share, filling_in: points[i].filling_in }]));
    /* a year with no model of the country has no row: the line breaks there rather than run across it */
    const shares = [];
    for (let y = Math.min(...listed.keys()); y <= Math.max(...listed.keys()); y++) shares.push(listed.get(y) || { year: y, count: null, filling_in: false });
    const hidden = p.per_year.filter((r) => r.denominator < tiny).map((r) => r.year);
    const color = MC.countryColor(p.code);
    const traces = [
      ...MC.yearBarTraces(MC.t("country.trace_models"), points, color),
      ...MC.yearLineTraces(MC.t("country.trace_share"), shares, MC.seriesColor("share_line"), { yaxis: "y2" }).map((t) => Object.assign(t, { hovertemplate: MC.t("country.hover_share"), text: t.text || shares.map(() => "") })),
    ];
    if (points.some((r) => r.filling_in)) traces.push(MC.fillingLegend("bar"));
    if (shares.some((r) => r.filling_in && r.count !== null)) traces.push(MC.fillingLegend("line"));
    const yearsShown = p.per_year.map((r) => r.year);
    const topShare = Math.max(0, ...shares.map((s) => (s.count === null ? 0 : s.count)));
    MC.plot(
      "chart-years",
      MC.dedupeLegend(traces),
      {
        height: 420,
        xaxis: MC.yearAxis(Math.min(...yearsShown), Math.max(...yearsShown), "chart-years"),
        yaxis: { title: { text: MC.t("country.axis_models") }, rangemode: "tozero" },
        yaxis2: MC.percentAxis(topShare, { overlaying: "y", side: "right", showgrid: false, title: { text: MC.t("country.axis_share") } }),
      },
    );
    document.getElementById("years-note").textContent = MC.t("chart.share_note", {
      tiny: MC.number(tiny), hidden: hidden.length ? MC.t("chart.share_hidden", { years: MC.join(hidden) }) : "",
    });
    MC.fillingNote(document.getElementById("filling-years"), years, MC.t("country.per_year_of", { name: name }), name);
    if (front) {
      MC.plot(
        "chart-frontier",
        [{ type: "scatter", mode: "lines+markers", x: front.series.map((r) => r.rated_on), y: front.series.map((r) => r.rating), text: front.series.map((r) => r.model), line: { color: color }, marker: { color: color }, hovertemplate: "%{x}: %{text} (%{y})<extra></extra>" }],
        { height: 420, xaxis: MC.dateAxis({ type: "date", title: { text: MC.t("chart.axis_date") } }), yaxis: { title: { text: MC.t("country.axis_rating") } } },
      );
      document.getElementById("frontier-note").textContent = MC.t("country.frontier_note", { category: front.category });
    } else {
      document.getElementById("chart-frontier").textContent = MC.t("country.no_frontier");
    }
    MC.provenance(document.getElementById("provenance"), p.provenance);
    MC.table(document.getElementById("orgs"), [
      { key: "organization", link: (r) => MC.orgHref(r.organization) },
      { key: "models", numeric: true },
    ], p.top_organizations, MC.csvHref(twin, "top_organizations"));
    const yearRows = p.per_year.map((r, i) => Object.assign({}, r, {
      year: points[i].filling_in ? r.year + "*" : r.year,
      status: points[i].filling_in ? MC.FILLING : "",
      estimate: points[i].estimate !== undefined && points[i].estimate !== null ? MC.number(Math.round(points[i].estimate)) + " (" + MC.number(Math.round(points[i].estimate_low)) + "–" + MC.number(Math.round(points[i].estimate_high)) + ")" : "",
      share: r.denominator < tiny ? null : r.share,
    }));
    MC.table(document.getElementById("years"), [
      { key: "year" }, { key: "count", numeric: true }, { key: "denominator", numeric: true }, { key: "share", percent: true },
      { key: "status" }, { key: "estimate" },
    ], yearRows, MC.csvHref(twin, "per_year"), points.some((r) => r.filling_in) ? MC.t("filling.marked") : "");
    document.getElementById("models-title").textContent = MC.t("country.newest_count", { shown: MC.formatNumber(p.models.length), total: MC.formatNumber(p.models_total) });
    MC.table(document.getElementById("models"), [
      { key: "name", link: (r) => MC.modelHref(r.id) }, { key: "published_on" }, { key: "organizations" },
      { key: "countries" }, { key: "open_weights" }, { key: "notable" },
    ], p.models.map(localModel), MC.csvHref(twin, "models"));
    document.getElementById("on-dashboard").href = "/" ;
    document.body.dataset.loaded = "yes";
  } catch (error) {
    MC.showError(status, error);
    document.body.dataset.loaded = "error";
  }
})();
