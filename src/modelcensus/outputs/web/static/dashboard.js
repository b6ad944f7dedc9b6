/* The dashboard: filters <-> URL query string, figures from /api/dashboard, models from /api/models. */
"use strict";

const FIELDS = ["source", "definition", "unit", "since", "until", "rule", "attribution", "metric"];
const ATTRIBUTIONS = { epoch: ["as-published", "resolved"], huggingface: ["resolved", "lineage"] };
const PAGE_SIZE = 50;
const RECENT_YEARS = 15; /* the years the year chart opens on, without a Since */
const LONG_NAME = 22; /* a group name longer than this turns the bars horizontal */
const form = document.getElementById("filters");
const field = (name) => document.getElementById("f-" + name);
let listing = null; /* {params, figure, label, offset} of the models table */
let generation = 0; /* ignores answers to superseded requests */

function setAttributionOptions(source, wanted) {
  const select = field("attribution");
  const options = ATTRIBUTIONS[source] || ATTRIBUTIONS.epoch;
  select.innerHTML = options.map((o) => '<option value="' + o + '">' + MC.esc(MC.t("dashboard.attribution_" + o)) + "</option>").join("");
  select.value = options.includes(wanted) ? wanted : options[0];
}

/* The filters as query parameters: only values the user set, so the URL stays short. */
function currentParams() {
  const params = new URLSearchParams();
  const source = field("source").value;
  for (const name of FIELDS) {
    const value = field(name).value.trim();
    if (!value) continue;
    if (name === "source" && value === "epoch") continue;
    if (name === "rule" && value === "full") continue;
    if (name === "metric" && source !== "huggingface") continue;
    if (name === "unit" && !field("definition").value) continue;
    if (name === "attribution" && value === ATTRIBUTIONS[source][0]) continue;
    params.set(name, value);
  }
  return params;
}

function restoreFromURL() {
  const params = new URLSearchParams(window.location.search);
  const source = params.get("source") === "huggingface" ? "huggingface" : "epoch";
  field("source").value = source;
  setAttributionOptions(source, params.get("attribution"));
  for (const name of FIELDS) {
    if (name === "source" || name === "attribution") continue;
    if (params.has(name)) field(name).value = params.get(name);
  }
  syncControls();
}

function syncControls() {
  const source = field("source").value;
  const hasDefinition = Boolean(field("definition").value);
  field("unit").disabled = !hasDefinition;
  field("metric").disabled = source !== "huggingface" || hasDefinition;
  field("attribution").disabled = false;
  document.getElementById("metric-label").style.display = source === "huggingface" ? "" : "none";
  field("source").disabled = hasDefinition;
}

function onFilterChange(event) {
  if (event && event.target === field("source")) setAttributionOptions(field("source").value, field("attribution").value);
  syncControls();
  const query = currentParams().toString();
  history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
  load();
}

async function loadDefinitions() {
  const select = field("definition");
  try {
    const answer = await MC.getJSON("/api/definitions");
    const list = Array.isArray(answer) ? answer : answer.items || answer.definitions || Object.values(answer);
    for (const d of list) {
      const option = document.createElement("option");
      option.value = d.name;
      option.textContent = d.name;
      option.title = d.description || "";
      select.appendChild(option);
    }
  } catch (error) {
    document.getElementById("status").textContent = MC.t("dashboard.definitions_unavailable", { error: error.message });
  }
}

function figureOf(row, source, definition) {
  if (definition) return row.units !== undefined ? row.units : row.count;
  if (source === "huggingface") return row.count;
  return row.count;
}

/* A row's group in the page's language: a country's name, else (Hub) why it has none. */
function nameOf(r) {
  if (MC.I18N.english) return r.group_name;
  return r.group === null || r.group === undefined ? MC.phrase(r.group_name) : MC.country(r.group, r.group_name);
}

function drawCountries(data) {
  const figure = data.by_country;
  const source = data.params.source;
  const definition = data.params.definition;
  const what = definition ? MC.t("dashboard.what_units")
    : source === "huggingface" ? MC.t("dashboard.what_hub", { metric: MC.phrase(data.params.metric || "models") }) : MC.t("dashboard.what_models");
  const title = MC.t("dashboard.what_by_country", { what: what });
  document.getElementById("chart-title").textContent = title;
  const rows = figure.rows.slice().sort((a, b) => b.count - a.count)
    .map((r) => Object.assign({}, r, { group_name: nameOf(r) }));
  const top = rows.slice(0, 25);
  const chart = document.getElementById("chart-country");
  const key = (r) => (r.group === null ? "none" : r.group);
  const marks = (data.years && data.years.by_country) || {};
  const markOf = (r) => marks[r.group === null ? "None" : r.group] || null;
  /* each bar in its country's colour (the report's too); a narrow screen, or names too long to stand under a
     bar (the Hub's "(unattributed: an individual account)"), get horizontal bars, their names written beside them */
  const narrow = chart.clientWidth < 600;
  const colors = top.map((r) => MC.countryColor(r.group));
  const names = top.map(nameOf);
  const horizontal = narrow || names.some((n) => n.length > LONG_NAME);
  const flip = (trace) => {
    if (!horizontal) return trace;
    const out = Object.assign({}, trace, { x: trace.y, y: trace.x, orientation: trace.type === "bar" ? "h" : undefined });
    if (trace.error_y) { out.error_x = trace.error_y; delete out.error_y; }
    if (trace.hovertemplate) out.hovertemplate = trace.hovertemplate.replace(/%\{x/g, "%{X").replace(/%\{y/g, "%{x").replace(/%\{X/g, "%{y");
    return out;
  };
  const traces = [{
    type: "bar",
    name: what,
    x: names,
    y: top.map((r) => r.count),
    customdata: top.map(key),
    text: top.map((r) => (r.share === null || r.share === undefined ? "" : MC.I18N.english ? (100 * r.share).toFixed(1) + "%" : MC.share(r.share))),
    textposition: "none", /* the share is in the hover and the table; on the bars it crossed the hatching */
    hovertemplate: MC.t("dashboard.hover_bar") + "<extra></extra>",
    marker: { color: colors },
    showlegend: false,
  }];
  const filling = top.map((r) => { const m = markOf(r); return m ? m.filling : 0; });
  if (filling.some((v) => v > 0)) {
    /* the part of each bar from years still filling in, hatched over it; the bar's estimated final height beside it */
    traces.push({
      type: "bar", name: MC.t("filling.hatched_part", { label: MC.FILLING }), x: names, y: filling,
      base: top.map((r, i) => r.count - filling[i]), customdata: top.map(key),
      marker: { color: colors, pattern: { shape: "/", fgcolor: "white", size: 7, solidity: 0.45, fillmode: "overlay" } },
      hovertemplate: MC.t("dashboard.hover_filling") + "<extra></extra>",
    });
    const withEstimate = top.filter((r) => { const m = markOf(r); return m && m.estimate !== null; });
    traces.push({
      type: "scatter", mode: "markers", name: MC.ESTIMATE, x: withEstimate.map(nameOf),
      y: withEstimate.map((r) => markOf(r).estimate), customdata: withEstimate.map(key),
      text: withEstimate.map((r) => { const m = markOf(r); return MC.number(Math.round(m.estimate_low)) + "–" + MC.number(Math.round(m.estimate_high)) + (m.unestimated.length ? MC.t("dashboard.at_least", { years: MC.join(m.unestimated) }) : ""); }),
      marker: { symbol: "diamond-open", size: 9, color: "#222" },
      error_y: {
        type: "data", symmetric: false, color: "#222", thickness: 1.2, width: 4,
        array: withEstimate.map((r) => markOf(r).estimate_high - markOf(r).estimate),
        arrayminus: withEstimate.map((r) => markOf(r).estimate - markOf(r).estimate_low),
      },
      hovertemplate: MC.t("dashboard.hover_estimate") + "<extra></extra>",
    });
  }
  const groupTitle = { text: MC.t(source === "huggingface" ? "chart.axis_group" : "chart.axis_country") };
  const rotated = !horizontal && names.length > 12; /* rotated names stay on one line: wrapped, they would collide */
  const width = horizontal ? (narrow ? 28 : 48) : rotated ? 1000 : 16;
  const wrapped = { tickmode: "array", tickvals: names, ticktext: names.map((n) => MC.wrapLabel(n, width)) };
  const groupAxis = Object.assign({ type: "category", title: groupTitle }, wrapped);
  const lines = Math.max(...wrapped.ticktext.map((s) => s.split("<br>").length));
  const rowHeight = Math.max(26, 14 * lines + 10); /* a bar per name, as tall as its name's lines */
  const valueAxis = { title: { text: what }, rangemode: "tozero" };
  Plotly.react(
    chart,
    traces.map(flip),
    MC.layout(MC.chartLayout({
      height: horizontal ? 140 + rowHeight * top.length : 460,
      xaxis: horizontal ? valueAxis : Object.assign({ tickangle: rotated ? -45 : 0 }, groupAxis),
      yaxis: horizontal ? Object.assign({ autorange: "reversed" }, groupAxis, { title: Object.assign({ standoff: 12 }, groupTitle) }) : valueAxis,
      barmode: "overlay", showlegend: traces.length > 1,
    })),
    MC.plotConfig,
  );
  chart.dataset.groups = JSON.stringify(top.map((r) => [r.group, nameOf(r), r.count]));
  chart.removeAllListeners && chart.removeAllListeners("plotly_click");
  chart.on("plotly_click", (event) => {
    const point = event.points[0];
    const row = top.find((r) => key(r) === point.customdata);
    if (!row) return;
    listModels({ country: point.customdata }, nameOf(row), figureOf(row, source, definition), 0);
  });
  MC.fillingNote(document.getElementById("filling-country"), data.years, title, "");
  MC.provenance(document.getElementById("prov-country"), figure.provenance);
  const extra = definition ? [{ key: "units", label: MC.column("units"), numeric: true }]
    : source === "huggingface" ? [{ key: "repos", label: MC.column("repos"), numeric: true }]
    : [{ key: "models", label: MC.column("models"), numeric: true }];
  MC.table(
    document.getElementById("table-country"),
    [
      { key: "group_name", label: MC.column("country"), link: (r) => (r.group && source === "epoch" ? MC.countryHref(r.group) : null) },
      { key: "count", label: MC.column("count"), numeric: true },
      ...extra,
      { key: "denominator", numeric: true },
      { key: "share", percent: true },
    ],
    rows,
    MC.csvHref("/api/dashboard" + (currentParams().toString() ? "?" + currentParams().toString() : ""), "by_country"),
    MC.t("dashboard.groups", { n: rows.length }),
  );
}

function drawYears(data) {
  const section = document.getElementById("year-section");
  const figure = data.by_country_year;
  if (!figure) { section.style.display = "none"; return; }
  section.style.display = "";
  const byGroup = new Map();
  for (const r of figure.rows) {
    if (r.year === null) continue;
    if (!byGroup.has(r.group)) byGroup.set(r.group, { name: nameOf(r), rows: [] });
    byGroup.get(r.group).rows.push(r);
  }
  const series = (data.years && data.years.series) || {};
  const traces = [];
  let first = Infinity, last = -Infinity;
  for (const r of figure.rows) if (r.year !== null) { first = Math.min(first, r.year); last = Math.max(last, r.year); }
  for (const [group, g] of byGroup.entries()) {
    const rows = g.rows.sort((a, b) => a.year - b.year);
    const status = new Map((series[String(group)] || []).map((p) => [p.year, p]));
    const points = rows.map((r) => Object.assign({ filling_in: false }, status.get(r.year) || {}, { year: r.year, count: r.count }));
    const custom = { customdata: rows.map((r) => [group, r.year, r.count, nameOf(r)]) };
    traces.push(...MC.yearLineTraces(g.name, points, MC.countryColor(group), custom));
  }
  if (traces.some((t) => t.line && t.line.dash === "dash")) traces.push(MC.fillingLegend("line"));
  const chart = document.getElementById("chart-year");
  const source = data.params.source;
  const what = source === "huggingface" ? MC.t("dashboard.what_hub", { metric: MC.phrase(data.params.metric || "models") }) : MC.t("dashboard.what_models");
  /* decades of a few models a year flatten the years that matter: without a Since, the chart opens on the last
     RECENT_YEARS years and says so (a double-click shows them all) */
  const cut = !data.params.since && last - first > RECENT_YEARS + 5 ? last - RECENT_YEARS : null;
  const shownFirst = cut === null ? first : cut;
  const xaxis = MC.yearAxis(shownFirst, last, chart);
  if (cut !== null) Object.assign(xaxis, { range: [cut - 0.5, last + 0.5], autorange: false });
  Plotly.react(chart, MC.dedupeLegend(traces), MC.layout(MC.chartLayout({
    height: chart.clientWidth < 600 ? 520 : 460, xaxis: xaxis, yaxis: { title: { text: what }, rangemode: "tozero" },
  })), MC.plotConfig);
  document.getElementById("year-note").textContent = MC.t("chart.lines_note") + (cut === null ? "" : " " + MC.t("chart.years_cut", { shown: cut, first: first }));

  chart.removeAllListeners && chart.removeAllListeners("plotly_click");
  chart.on("plotly_click", (event) => {
    const point = event.points.find((p) => Array.isArray(p.customdata));
    if (!point) return;
    const [group, year, count, name] = point.customdata;
    listModels({ country: group, year: year }, name + ", " + year, count, 0);
  });
}

async function load() {
  const mine = ++generation;
  const query = currentParams().toString();
  document.getElementById("twin").href = "/api/dashboard" + (query ? "?" + query : "");
  document.getElementById("status").textContent = MC.t("page.loading");
  try {
    const data = await MC.getJSON("/api/dashboard" + (query ? "?" + query : ""));
    if (mine !== generation) return;
    drawCountries(data);
    drawYears(data);
    const status = document.getElementById("status");
    status.textContent = query ? MC.t("dashboard.showing", { query: query.replace(/&/g, ", ").replace(/=/g, " = ") }) : MC.t("dashboard.showing_all");
    document.body.dataset.loaded = query;
    listing = null;
    document.getElementById("models-summary").textContent = MC.t("dashboard.click_above");
    document.getElementById("models-table").innerHTML = "";
    updatePager(0);
  } catch (error) {
    if (mine !== generation) return;
    MC.showError(document.getElementById("status"), error);
    document.body.dataset.loaded = "error";
  }
}

async function listModels(group, label, figure, offset) {
  const params = currentParams();
  params.delete("metric");
  for (const [k, v] of Object.entries(group)) params.set(k, String(v));
  params.set("limit", String(PAGE_SIZE));
  params.set("offset", String(offset));
  listing = { group, label, figure, offset };
  const summary = document.getElementById("models-summary");
  const target = document.getElementById("models-table");
  summary.textContent = MC.t("dashboard.loading_models", { label: label });
  try {
    const page = await MC.getJSON("/api/models?" + params.toString());
    const items = page.items || [];
    const preferred = ["name", "published_on", "organizations", "countries_published", "countries_resolved", "countries", "open_weights", "notable", "source"];
    const keys = items.length ? Object.keys(items[0]) : preferred;
    const shown = preferred.filter((k) => keys.includes(k));
    const columns = (shown.length ? shown : keys.filter((k) => k !== "id")).map((k) => ({ key: k }));
    const nameKey = columns.length ? columns[0].key : "name";
    columns[0].link = (r) => (r.id !== null && r.id !== undefined ? MC.modelHref(r.id) : null);
    document.getElementById("models-title").textContent = MC.t("dashboard.models_behind", { label: label });
    summary.textContent = MC.t("dashboard.summary", { total: MC.formatNumber(page.total), label: label, figure: MC.formatNumber(figure) }) +
      (page.total > items.length ? MC.t("dashboard.summary_page", { first: offset + 1, last: offset + items.length }) : "");
    summary.dataset.total = String(page.total);
    summary.dataset.figure = String(figure);
    summary.dataset.label = label;
    const everyone = new URLSearchParams(params);
    everyone.delete("limit");
    everyone.delete("offset");
    MC.table(target, columns, items, MC.csvHref("/api/models?" + everyone.toString()), nameKey === "name" ? "" : "");
    updatePager(page.total);
    document.getElementById("models-section").scrollIntoView({ behavior: "smooth", block: "start" });
  } catch (error) {
    MC.showError(target, error);
    summary.textContent = "";
  }
}

function updatePager(total) {
  const prev = document.getElementById("prev");
  const next = document.getElementById("next");
  prev.disabled = !listing || listing.offset === 0;
  next.disabled = !listing || listing.offset + PAGE_SIZE >= total;
}

document.getElementById("prev").addEventListener("click", () => {
  if (listing) listModels(listing.group, listing.label, listing.figure, Math.max(0, listing.offset - PAGE_SIZE));
});
document.getElementById("next").addEventListener("click", () => {
  if (listing) listModels(listing.group, listing.label, listing.figure, listing.offset + PAGE_SIZE);
});

form.addEventListener("change", onFilterChange);
window.addEventListener("popstate", () => { restoreFromURL(); load(); });

(async function start() {
  await loadDefinitions();
  restoreFromURL();
  load();
})();
