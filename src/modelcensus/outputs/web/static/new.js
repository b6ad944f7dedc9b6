/* What's new (/api/new): the models that entered the census since a date, per country, with the snapshots compared.
   Names and ids come from the sources: every one goes in as text, never as markup. */
"use strict";

const PAGE_SIZE = 200;
const EVERY_MODEL = "1900-01-01";
const FIELDS = ["since", "country", "definition"];
const field = (name) => document.getElementById("f-" + name);
let offset = 0;
let generation = 0; /* ignores answers to superseded requests */

function currentParams() {
  const params = new URLSearchParams();
  for (const name of FIELDS) {
    const value = field(name).value.trim();
    if (value) params.set(name, value);
  }
  return params;
}

function restoreFromURL() {
  const params = new URLSearchParams(window.location.search);
  for (const name of FIELDS) {
    const value = params.get(name);
    if (!value) continue;
    const input = field(name);
    if (input.tagName === "SELECT" && ![...input.options].some((o) => o.value === value)) {
      const option = document.createElement("option");
      option.value = value;
      option.textContent = MC.date(value);
      input.appendChild(option);
    }
    input.value = value;
  }
}

async function loadDefinitions() {
  try {
    const list = await MC.getJSON("/api/definitions");
    const select = field("definition");
    const wanted = new URLSearchParams(window.location.search).get("definition") || "";
    for (const d of list) {
      if (d.name === "all-sources") continue;
      const option = document.createElement("option");
      option.value = d.name;
      option.textContent = d.name;
      option.title = d.description || "";
      select.appendChild(option);
    }
    select.value = wanted;
  } catch (error) {
    /* the census's own definition (all-sources) still works */
  }
}

/* The snapshot dates to choose "since" from: each stored snapshot's date, newest first, and every model. */
function setSinceOptions(compared, chosen) {
  const select = field("since");
  const dates = [...new Set(compared.map((c) => c.data_date))].sort().reverse();
  const options = [["", MC.t("new.since_previous")]];
  for (const d of dates) options.push([d, MC.t("new.since_date", { date: MC.date(d), sources: MC.join([...new Set(compared.filter((c) => c.data_date === d).map((c) => c.source))]) })]);
  options.push([EVERY_MODEL, MC.t("new.since_all")]);
  if (chosen && !options.some(([v]) => v === chosen)) options.push([chosen, MC.date(chosen)]);
  select.innerHTML = "";
  for (const [value, label] of options) {
    const option = document.createElement("option");
    option.value = value;
    option.textContent = label;
    select.appendChild(option);
  }
  select.value = chosen || "";
}

/* Which snapshots are compared, in the page's language. */
function comparisonText(answer) {
  const after = answer.compared.filter((c) => c.side === "after");
  const before = answer.compared.filter((c) => c.side === "before");
  const newer = after.length ? MC.join(after.map((c) => MC.t("new.snapshot", { source: c.source, date: MC.date(c.data_date) }))) : MC.t("new.none_stored");
  if (!answer.since) return MC.t("new.comparison_all", { newer: newer });
  const text = MC.t("new.comparison", { since: MC.date(answer.since), newer: newer, n: MC.formatNumber(before.length) });
  return text + (answer.default_since ? " " + MC.t("new.default_since") : "");
}

function howEntered(item) {
  const sources = MC.join(item.entered_with);
  return item.new_to_source
    ? MC.t("new.new_to_source", { sources: sources, date: MC.date(item.previous_snapshot) })
    : MC.t("new.first_snapshot", { sources: sources });
}

function drawCountries(answer) {
  const rows = answer.by_country.slice(0, window.innerWidth < 600 ? 10 : 20); /* a phone's width holds fewer bars */
  const names = rows.map((r) => MC.country(r.group, r.group_name));
  MC.plot("chart-country", [{
    type: "bar", x: names, y: rows.map((r) => r.models), marker: { color: rows.map((r) => MC.countryColor(r.group)) },
    hovertemplate: MC.t("new.hover_bar") + "<extra></extra>",
  }], {
    margin: { t: 10, r: 10, b: 90, l: 55 }, height: 360,
    xaxis: { type: "category", tickangle: -40, automargin: true },
    yaxis: { title: { text: MC.t("new.axis_models") }, tickformat: ",d", rangemode: "tozero" },
  });
  const definition = answer.provenance.definition_name || "all-sources";
  const shown = answer.by_country.length > rows.length ? " " + MC.t("new.top_shown", { n: rows.length, total: answer.by_country.length }) : "";
  const words = { total: MC.formatNumber(answer.total), definition: definition, since: MC.date(answer.since) };
  document.getElementById("chart-caption").textContent = MC.t(answer.since ? "new.chart_caption" : "new.chart_caption_all", words) + shown;
}

function drawModels(answer) {
  const rows = answer.items.map((item) => ({
    id: item.id,
    entered_on: MC.date(item.entered_on),
    name: item.name,
    countries: item.countries.map((c) => MC.country(c, c)),
    entered_with: item.entered_with,
    how_entered: howEntered(item),
    published_on: MC.date(item.published_on),
    listed_now: item.listed_now,
  }));
  MC.table(document.getElementById("models-table"), [
    { key: "entered_on", nowrap: true },
    { key: "name", link: (r) => MC.modelHref(r.id) },
    { key: "countries" },
    { key: "entered_with" },
    { key: "how_entered" },
    { key: "published_on", nowrap: true },
    { key: "listed_now" },
  ], rows, MC.csvHref(twinUrl(), "models"));
  const first = answer.total ? answer.offset + 1 : 0;
  const last = answer.offset + answer.items.length;
  document.getElementById("models-summary").textContent = MC.t("new.summary", {
    total: MC.formatNumber(answer.total), first: MC.formatNumber(first), last: MC.formatNumber(last),
  });
  document.getElementById("prev").disabled = answer.offset === 0;
  document.getElementById("next").disabled = last >= answer.total;
}

function drawCompared(answer) {
  const rows = answer.compared.slice().reverse().map((c) => ({
    source: c.source,
    data_date: MC.date(c.data_date),
    files: c.roles.map((r) => MC.word("roles", r)),
    side: MC.t(c.side === "after" ? "new.side_after" : "new.side_before"),
    models_entered: c.models_entered,
  }));
  MC.table(document.getElementById("compared-table"), [
    { key: "source" }, { key: "data_date", nowrap: true }, { key: "files" }, { key: "side" }, { key: "models_entered", numeric: true },
  ], rows, MC.csvHref(twinUrl(), "compared"));
}

/* The page's JSON twin: the filters, this page of models. */
function twinUrl() {
  return "/api/new?" + new URLSearchParams([...currentParams(), ["limit", String(PAGE_SIZE)], ["offset", String(offset)]]).toString();
}

async function load() {
  const mine = ++generation;
  const params = currentParams();
  const query = params.toString();
  const twin = twinUrl();
  const feed = "/feeds/new.atom" + (query ? "?" + query : "");
  document.getElementById("twin").href = twin;
  document.getElementById("feed").href = feed;
  document.getElementById("feed-link").href = feed;
  const status = document.getElementById("status");
  status.textContent = MC.t("page.loading");
  try {
    const answer = await MC.getJSON(twin);
    if (mine !== generation) return;
    status.textContent = "";
    setSinceOptions(answer.compared, params.get("since"));
    document.getElementById("comparison").textContent = comparisonText(answer);
    drawCountries(answer);
    drawModels(answer);
    drawCompared(answer);
    const p = answer.provenance;
    MC.provenance(document.getElementById("provenance"), { definition: p.definition, attribution: p.attribution });
    const note = document.createElement("p");
    note.textContent = MC.t("new.how_to_read");
    document.getElementById("provenance").appendChild(note);
    document.body.dataset.loaded = "yes";
  } catch (error) {
    if (mine !== generation) return;
    MC.showError(status, error);
    document.body.dataset.loaded = "error";
  }
}

function onFilterChange() {
  offset = 0;
  const query = currentParams().toString();
  history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
  load();
}

(async function start() {
  restoreFromURL();
  await loadDefinitions();
  for (const name of FIELDS) field(name).addEventListener("change", onFilterChange);
  document.getElementById("prev").addEventListener("click", () => { offset = Math.max(0, offset - PAGE_SIZE); load(); });
  document.getElementById("next").addEventListener("click", () => { offset += PAGE_SIZE; load(); });
  load();
})();
