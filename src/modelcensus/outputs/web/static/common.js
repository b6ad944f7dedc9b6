/* Shared helpers of the dashboard pages: fetching JSON, tables with CSV download, provenance, and the page's
   language (the words the server gives in MC.setLanguage; the JSON twins are English in every language). */
"use strict";

const MC = {};

/* -- the page's language ----------------------------------------------------------------------------- */

MC.I18N = { lang: "en", english: true, t: {}, common: {}, separators: "", countries: {}, english_countries: {}, phrases: [], numeric: [], verbatim: [] };
MC.PHRASES = [];

MC.setLanguage = function (i18n) {
  MC.I18N = i18n;
  MC.PHRASES = (i18n.phrases || []).map(([source, translated]) => [new RegExp("^(?:" + source + ")$", "s"), translated]);
  MC.FILLING = MC.t("filling.label");
  MC.ESTIMATE = MC.t("filling.estimate");
};

/* A template's placeholders ({name}) filled in. */
MC.fill = function (template, params) {
  return String(template).replace(/\{([a-z_]+)\}/g, (whole, name) => (params && name in params ? String(params[name]) : whole));
};

/* The page's words: MC.t("dashboard.heading"), MC.t("country.models_of", {n: 12}). */
MC.t = function (key, params) {
  let value = MC.I18N.t;
  for (const part of key.split(".")) value = value && typeof value === "object" ? value[part] : undefined;
  return MC.fill(value === undefined ? key : value, params);
};

/* A shared word (verdicts, rules, attributions, sectors, roles): the word itself when there is none. */
MC.word = function (group, key) {
  const words = MC.I18N.common[group] || {};
  return key in words ? words[key] : key;
};

MC.country = function (code, fallback) {
  if (code === null || code === undefined || code === "None") return MC.I18N.english ? fallback : (MC.I18N.common.no_country || fallback);
  return MC.I18N.countries[code] || fallback || code;
};

/* A table column's header: the page's word for a JSON key, else the key. */
MC.column = function (key) {
  const words = MC.I18N.t.columns || {};
  return key in words ? words[key] : key;
};

MC.intl = function () {
  return MC.I18N.english ? "en-US" : MC.I18N.common.intl_locale;
};

MC.number = function (value, digits) {
  const d = digits || 0;
  return Number(value).toLocaleString(MC.intl(), { minimumFractionDigits: d, maximumFractionDigits: d });
};

/* A number as written in the data (a rating: 1445.8), with the language's decimal mark and no grouping. */
MC.plain = function (value) {
  if (typeof value !== "number" || MC.I18N.english) return MC.cell(value);
  return value.toLocaleString(MC.intl(), { useGrouping: false, maximumFractionDigits: 4 });
};

MC.share = function (value, digits) {
  const d = digits === undefined ? 1 : digits;
  return Number(value).toLocaleString(MC.intl(), { style: "percent", minimumFractionDigits: d, maximumFractionDigits: d });
};

/* A day as the language writes it (English: as the data has it, 2026-03-30). */
MC.date = function (value) {
  if (value === null || value === undefined) return "";
  const text = String(value);
  if (MC.I18N.english || !/^\d{4}-\d{2}-\d{2}/.test(text)) return text;
  const day = new Date(text.slice(0, 10) + "T00:00:00Z");
  return new Intl.DateTimeFormat(MC.intl(), { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" }).format(day);
};

MC.join = function (items, clauses) {
  return items.join(MC.I18N.common[clauses ? "clause_separator" : "list_separator"] || (clauses ? "; " : ", "));
};

MC.tidy = function (text) {
  return MC.I18N.common.cjk ? String(text).replace(/(?<=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]) (?=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])/g, "") : text;
};

/* A number or a date in a sentence of the data, as the language writes it (null: not one). */
MC.localValue = function (text) {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return MC.date(text);
  if (/^(?:-?\d{1,3}(?:,\d{3})+(?:\.\d+)?%?|-?\d+\.\d+%?|-?\d+%)$/.test(text)) {
    const body = text.replace(/%$/, "").replace(/,/g, "");
    const digits = body.includes(".") ? body.split(".")[1].length : 0;
    if (text.endsWith("%")) return MC.share(parseFloat(body) / 100, digits);
    return MC.number(parseFloat(body), digits);
  }
  return null;
};

/* A sentence a lower layer wrote in English, in the page's language: the same phrases as the report
   (modelcensus.outputs.common.i18n.Words.phrase). */
MC.phrase = function (text) {
  if (text === null || text === undefined) return "";
  text = String(text);
  if (MC.I18N.english || !text) return text;
  return MC.translate(text);
};

/* [translated, known]: the same reading as the report's (Words._read): whole by a phrase whose placeholders hold
   no clause, else clause by clause when every clause is known, else whole by the first phrase that matches. */
MC.read = function (text) {
  const local = MC.localValue(text);
  if (local !== null) return [local, true];
  if (text in MC.I18N.english_countries) return [MC.country(MC.I18N.english_countries[text], text), true];
  const matches = [];
  for (const [pattern, translated] of MC.PHRASES) {
    const match = pattern.exec(text);
    if (match) matches.push([match, translated]);
  }
  const fill = ([match, translated]) => {
    const values = {};
    for (const [name, value] of Object.entries(match.groups || {})) {
      values[name] = MC.I18N.verbatim.includes(name) ? value : MC.read(value)[0];
    }
    return MC.tidy(MC.fill(translated, values));
  };
  for (const m of matches) {
    if (!Object.values(m[0].groups || {}).some((v) => v.includes(", ") || v.includes("; "))) return [fill(m), true];
  }
  for (const [separator, key] of [["; ", "clause_separator"], [", ", "part_separator"]]) {
    if (!text.includes(separator)) continue;
    const parts = text.split(separator).map(MC.read);
    const known = parts.every((p) => p[1]);
    if (known || !matches.length) return [parts.map((p) => p[0]).join(MC.I18N.common[key]), known];
  }
  if (matches.length) return [fill(matches[0]), true];
  return [text, !/[A-Za-z]{2,}/.test(text)];
};

MC.translate = function (text) {
  return MC.read(text)[0];
};

/* Plotly's layout in the page's language: its decimal and thousands separators. */
MC.layout = function (layout) {
  if (MC.I18N.separators) layout.separators = MC.I18N.separators;
  return layout;
};

/* A date axis in the page's language. */
MC.dateAxis = function (axis) {
  if (!MC.I18N.english && MC.I18N.common.plotly_date_axis) {
    axis.tickformat = MC.I18N.common.plotly_date_axis;
    axis.hoverformat = MC.I18N.common.plotly_date_hover;
  }
  return axis;
};

MC.esc = function (value) {
  return String(value).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
};

/* Fetch JSON from this server; a failed answer becomes an Error carrying the server's message. */
MC.getJSON = async function (url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  let body = null;
  try { body = await response.json(); } catch (e) { body = null; }
  if (!response.ok) {
    let detail = body && body.detail !== undefined ? body.detail : response.statusText;
    if (Array.isArray(detail)) detail = detail.map((d) => (d.loc ? d.loc.join(".") + ": " : "") + d.msg).join("; ");
    const error = new Error(String(detail));
    error.status = response.status;
    throw error;
  }
  return body;
};

MC.showError = function (element, error) {
  element.innerHTML = '<p class="error">' + MC.esc(error.message || error) + "</p>";
};

MC.cell = function (value) {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return MC.I18N.english ? value.map(MC.cell).join(", ") : MC.join(value.map(MC.cell));
  if (typeof value === "object") return JSON.stringify(value);
  if (!MC.I18N.english && (typeof value === "boolean" || ["yes", "no", "unknown"].includes(value))) return MC.t("values." + String(value));
  return String(value);
};

MC.formatNumber = function (value) {
  if (typeof value !== "number") return MC.cell(value);
  if (Number.isInteger(value)) return value.toLocaleString(MC.intl());
  return value.toLocaleString(MC.intl(), { maximumFractionDigits: 4 });
};

MC.percent = function (value) {
  if (typeof value !== "number") return MC.cell(value);
  return MC.I18N.english ? (100 * value).toFixed(1) + " %" : MC.share(value, 1);
};

/* The server's CSV of a table: url (a JSON twin or an API route) with format=csv and, for a twin with several
   tables, table=NAME. The file names itself (Content-Disposition) and starts with its provenance in "# " lines. */
MC.csvHref = function (url, table) {
  const extra = "format=csv" + (table ? "&table=" + encodeURIComponent(table) : "");
  return url + (url.includes("?") ? "&" : "?") + extra;
};

/* A table of rows: columns are {key, label, link(row) -> href, numeric}. Adds a "Download CSV" link to download,
   the server's CSV of the same table (MC.csvHref) with its provenance. */
MC.table = function (container, columns, rows, download, caption) {
  container.innerHTML = "";
  const tools = document.createElement("div");
  tools.className = "table-tools";
  if (download) {
    const link = document.createElement("a");
    link.className = "csv button";
    link.href = download;
    link.setAttribute("download", "");
    link.textContent = MC.t("page.download_csv");
    link.title = MC.t("page.download_csv_title");
    tools.appendChild(link);
  }
  if (caption) {
    const note = document.createElement("span");
    note.className = "muted";
    note.textContent = caption;
    tools.appendChild(note);
  }
  container.appendChild(tools);
  const table = document.createElement("table");
  table.className = "data";
  const head = table.createTHead().insertRow();
  for (const c of columns) {
    const th = document.createElement("th");
    th.textContent = c.label || MC.column(c.key);
    head.appendChild(th);
  }
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const c of columns) {
      const td = tr.insertCell();
      const value = row[c.key];
      if (c.numeric || c.percent) td.className = "num";
      if (c.nowrap) td.classList.add("nowrap");
      const text = c.percent ? MC.percent(value) : c.numeric ? MC.formatNumber(value) : MC.cell(value);
      const href = c.link ? c.link(row) : null;
      if (href) {
        const a = document.createElement("a");
        a.href = href;
        a.textContent = text;
        td.appendChild(a);
      } else {
        td.textContent = text;
      }
    }
  }
  const scroller = document.createElement("div");
  scroller.className = "scroller";
  scroller.appendChild(table);
  container.appendChild(scroller);
  return table;
};

/* modelcensus.provenance.source_groups: one group per source, credit and licence (an export may join files of
   several upstreams), in the sources' order, then by credit. */
MC.sourceGroups = function (snapshots) {
  const order = ["epoch", "huggingface", "openrouter", "lmarena", "litellm"];
  const groups = new Map();
  for (const s of snapshots || []) {
    const key = JSON.stringify([s.source || "", s.credit || "", s.license || ""]);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(s);
  }
  const rank = (k) => { const source = JSON.parse(k)[0]; return order.includes(source) ? order.indexOf(source) : order.length; };
  const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  return [...groups.keys()].sort((a, b) => rank(a) - rank(b) || cmp(a, b)).map((k) => groups.get(k));
};

/* Each source of a figure with what it covers and its date, as the report's captions say it:
   "Epoch AI (CC BY 4.0): export dated 2026-03-30; Hugging Face Hub (…): dated 2026-05-04, a listing of 1,000
   trending repos …, not a full harvest" (a scope after its date: never "… not a full harvest dated …"). */
MC.describeSources = function (snapshots) {
  if (!MC.I18N.english) return MC.sourcesText(snapshots);
  return MC.sourceGroups(snapshots).map((snaps) => {
    const first = snaps[0];
    const key = first.source || "";
    const dates = [...new Set(snaps.map((s) => (s.data_date && s.data_date !== "None" ? s.data_date : "unknown")))].sort();
    const scopes = [...new Set(snaps.map((s) => s.scope).filter(Boolean))];
    const what = scopes.length ? scopes.join("; ") : "export";
    const when = dates.length === 1 && dates[0] === "unknown" ? "of unknown date" : "dated " + dates.join(", ");
    return (first.credit || key) + (first.license ? " (" + first.license + ")" : "") + ": " + (scopes.length ? when + ", " + what : what + " " + when);
  }).join("; ");
};

/* MC.describeSources in the page's language (modelcensus.outputs.common.i18n.Words.render_sources). */
MC.sourcesText = function (snapshots) {
  const t = MC.I18N.common.sources;
  const parts = MC.sourceGroups(snapshots).map((snaps) => {
    const first = snaps[0];
    const key = first.source || "";
    const dates = [...new Set(snaps.map((s) => (s.data_date && s.data_date !== "None" ? s.data_date : "unknown")))].sort();
    const scopes = [...new Set(snaps.map((s) => s.scope).filter(Boolean))];
    const what = scopes.length ? MC.join(scopes.map(MC.phrase), true) : t.export;
    const when = dates.length === 1 && dates[0] === "unknown" ? t.undated
      : MC.fill(t.dated, { dates: MC.join(dates.map((d) => (d === "unknown" ? MC.I18N.common.unknown : MC.date(d)))) });
    return MC.fill(scopes.length ? t.line_scoped : t.line, { credit: first.credit || key, license: MC.phrase(first.license || ""), what: what, when: when });
  });
  return MC.tidy(MC.join(parts, true)); /* as the English one: without the caption's "Sources:" and full stop */
};

/* The definition, counting rule, attribution, denominator and sources of a figure. */
MC.provenance = function (element, p) {
  if (!p) { element.innerHTML = ""; return; }
  const snapshots = p.snapshots || [];
  const english = MC.I18N.english;
  const rule = !p.rule ? null : english ? p.rule + (p.rule_text && p.rule_text !== p.rule ? " — " + p.rule_text : "") : MC.word("rules", p.rule);
  const items = [
    [MC.t("provenance.definition"), english ? p.definition : MC.phrase(p.definition)],
    [MC.t("provenance.rule"), rule],
    [MC.t("provenance.attribution"), english || !p.attribution ? p.attribution : MC.word("attributions", p.attribution)],
    [MC.t("provenance.unit"), english || !p.unit ? p.unit : MC.t("dashboard.unit_" + p.unit)],
    [MC.t("provenance.metric"), english || !p.metric ? p.metric : MC.phrase(p.metric)],
    [MC.t("provenance.denominator"), english ? p.denominator : MC.phrase(p.denominator)],
    [MC.t("provenance.sources"), snapshots.length ? MC.describeSources(snapshots) : null],
  ].filter((kv) => kv[1] !== null && kv[1] !== undefined && kv[1] !== "");
  element.innerHTML = "<dl>" + items.map(([k, v]) => "<dt>" + MC.esc(MC.t("page.provenance_item", { label: k })) + "</dt><dd>" + MC.esc(v) + "</dd>").join("") + "</dl>";
};

/* -- years still filling in ------------------------------------------------------------------------- */

MC.FILLING = "still filling in"; /* replaced by the page's words in MC.setLanguage */
MC.ESTIMATE = "estimated final count (range)";
MC.SHOWN_SENTENCES = 6;

/* A year still filling in, in a sentence of the page's language (the twin's own sentence in English):
   modelcensus.outputs.common.i18n.Words.render_year_sentence, without the detail of its basis. */
MC.yearSentence = function (y, label) {
  const t = MC.I18N.common.year_status;
  const who = label ? MC.fill(t.who_label, { label: label, year: y.year }) : MC.fill(t.who_year, { year: y.year });
  const basis = MC.phrase(y.basis);
  const listed = MC.number(y.listed);
  if (y.complete) return MC.tidy(MC.fill(t.complete, { who: who, listed: listed, basis: basis }));
  if (y.estimate === null || y.estimate === undefined) return MC.tidy(MC.fill(t.no_estimate, { who: who, listed: listed, basis: basis }));
  const high = y.estimate_high === null || y.estimate_high === undefined ? t.unbounded : MC.number(y.estimate_high);
  /* a single value (one observation at the lag) has no range: "155–155" would read as one */
  return MC.tidy(MC.fill(y.estimate_low === y.estimate_high ? t.estimate_point : t.estimate, {
    who: who, listed: listed, lag: Math.round(y.lag_months), estimate: MC.number(y.estimate), low: MC.number(y.estimate_low), high: high, detail: "",
  }));
};

/* The sentences of the years still filling in (newest first, at most a few; the rest named by year); label:
   whose figures (a country's name, a definition) in the sentences of a language other than English. */
MC.fillingNote = function (element, years, what, label) {
  element.innerHTML = "";
  if (!years || !years.measured) {
    element.textContent = years && years.unmeasured ? years.unmeasured : "";
    return;
  }
  const filling = years.filling_in || [];
  const sentences = MC.I18N.english ? years.sentences || []
    : (years.years || []).filter((y) => y.filling_in).map((y) => MC.yearSentence(y, label));
  const head = document.createElement("p");
  head.className = "filling-head";
  const population = MC.phrase(years.population);
  const yearsWord = MC.t(filling.length > 1 ? "filling.year_many" : "filling.year_one");
  head.textContent = MC.tidy(filling.length
    ? MC.t("filling.head", { what: what || MC.t("filling.these_figures"), n: filling.length, years: yearsWord, population: population })
    : MC.t("filling.none", { population: population }));
  element.appendChild(head);
  const list = document.createElement("ul");
  list.className = "filling";
  const shown = sentences.slice(-MC.SHOWN_SENTENCES).reverse();
  for (const sentence of shown) {
    const li = document.createElement("li");
    li.textContent = MC.t("filling.sentence", { sentence: sentence });
    list.appendChild(li);
  }
  if (sentences.length > shown.length) {
    const rest = filling.slice(0, filling.length - shown.length);
    const li = document.createElement("li");
    li.textContent = MC.t("filling.earlier", {
      n: rest.length, years: MC.t(rest.length > 1 ? "filling.year_many" : "filling.year_one"),
      range: rest[0] + (rest.length > 1 ? "–" + rest[rest.length - 1] : ""),
    });
    list.appendChild(li);
  }
  if (shown.length) element.appendChild(list);
};

/* A series over years as Plotly traces: final years solid with filled markers; years still filling in dashed
   with hollow markers; their estimated final figure as a diamond with an error bar. points: [{year, count,
   filling_in, estimate, estimate_low, estimate_high}]. */
MC.yearLineTraces = function (name, points, color, extra) {
  const xs = points.map((p) => p.year);
  const ys = points.map((p) => p.count);
  const partial = points.map((p) => Boolean(p.filling_in));
  const common = Object.assign({ type: "scatter", name: name, legendgroup: name, x: xs }, extra || {});
  const traces = [];
  if (partial.some(Boolean)) {
    traces.push(Object.assign({}, common, {
      mode: "lines+markers", y: ys, showlegend: false,
      line: { color: color, dash: "dash" },
      marker: { color: color, size: partial.map((p) => (p ? 10 : 1)), symbol: partial.map((p) => (p ? "circle-open" : "circle")), line: { color: color, width: 2 } },
      text: partial.map((p) => (p ? " (" + MC.FILLING + ")" : "")),
      hovertemplate: name + " %{x}: %{y}%{text}<extra></extra>",
    }));
  }
  traces.push(Object.assign({}, common, {
    mode: "lines+markers", y: ys.map((v, i) => (partial[i] ? null : v)), line: { color: color },
    hovertemplate: name + " %{x}: %{y}<extra></extra>",
  }));
  traces.push(...MC.estimateTraces(points, name));
  return traces;
};

/* Bars over years, hatched where the year is still filling in, with the estimates beside them. */
MC.yearBarTraces = function (name, points, color, extra) {
  const partial = points.map((p) => Boolean(p.filling_in));
  const bar = Object.assign({
    type: "bar", name: name, x: points.map((p) => p.year), y: points.map((p) => p.count),
    marker: { color: color, pattern: { shape: partial.map((p) => (p ? "/" : "")), fgcolor: "white", size: 7, fillmode: "overlay" } },
    text: partial.map((p) => (p ? " (" + MC.FILLING + ")" : "")), textposition: "none",
    hovertemplate: name + " %{x}: %{y}%{text}<extra></extra>",
  }, extra || {});
  return [bar, ...MC.estimateTraces(points, name)];
};

MC.estimateTraces = function (points, name) {
  const est = points.filter((p) => p.filling_in && p.estimate !== null && p.estimate !== undefined);
  if (!est.length) return [];
  return [{
    type: "scatter", mode: "markers", name: MC.ESTIMATE, legendgroup: "estimate", showlegend: true,
    x: est.map((p) => p.year), y: est.map((p) => p.estimate),
    customdata: est.map((p) => [p.estimate_low, p.estimate_high]),
    marker: { symbol: "diamond-open", size: 9, color: "#222" },
    error_y: { type: "data", symmetric: false, array: est.map((p) => p.estimate_high - p.estimate), arrayminus: est.map((p) => p.estimate - p.estimate_low), color: "#222", thickness: 1.2, width: 4 },
    hovertemplate: (name ? name + " " : "") + "%{x}: " + MC.t("filling.hover_estimate") + "<extra></extra>",
  }];
};

/* One legend entry per name across traces (the estimates of several series share one). */
MC.dedupeLegend = function (traces) {
  const seen = new Set();
  for (const t of traces) {
    if (t.showlegend === false) continue;
    const key = t.legendgroup === "estimate" ? "estimate" : t.name;
    if (seen.has(key)) t.showlegend = false;
    seen.add(key);
  }
  return traces;
};

/* A legend-only entry saying how years still filling in are drawn. */
MC.fillingLegend = function (kind) {
  return kind === "bar"
    ? { type: "bar", name: MC.t("filling.hatched", { label: MC.FILLING }), x: [null], y: [null], marker: { color: "#999", pattern: { shape: "/", fgcolor: "white", fillmode: "overlay" } }, hoverinfo: "skip" }
    : { type: "scatter", mode: "lines+markers", name: MC.t("filling.dashed", { label: MC.FILLING }), x: [null], y: [null], line: { color: "#555", dash: "dash" }, marker: { symbol: "circle-open", size: 9, color: "#555" }, hoverinfo: "skip" };
};

/* This page's query for its JSON twin: the page's own parameters, not its language (the twins have none). */
MC.apiQuery = function () {
  const params = new URLSearchParams(window.location.search);
  params.delete("lang");
  const query = params.toString();
  return query ? "?" + query : "";
};

MC.countryHref = (code) => "/countries/" + encodeURIComponent(code);
MC.orgHref = (name) => "/organizations/" + encodeURIComponent(name);
MC.modelHref = (id) => "/models/" + encodeURIComponent(id);

/* The last path segment of this page (a country code, an organization name, a model id). */
MC.pathTail = function (prefix) {
  return decodeURIComponent(window.location.pathname.slice(prefix.length));
};

/* Plotly's toolbar: its one button that saves the chart as a picture, in the top margin (MC.chartLayout keeps
   room for it), never over a legend or the data. */
MC.plotConfig = { displaylogo: false, responsive: true, modeBarButtons: [["toImage"]] };
/* Plotly.newPlot with the page's number separators and the dashboard's common layout. */
MC.plot = function (element, traces, layout) {
  return Plotly.newPlot(element, traces, MC.layout(MC.chartLayout(layout)), MC.plotConfig);
};

/* -- colours: one palette for the report and the dashboard (modelcensus.outputs.common.palette) ------------ */

MC.PALETTE = { countries: {}, other: "#BBBBBB", unknown: "#DDDDDD", fallback: ["#88CCEE"], series: {} };
MC.setPalette = function (palette) { MC.PALETTE = palette; };

/* A country's colour, the same in every chart of the report and the dashboard; no country: the grey of unknown;
   a country without a fixed colour: one of the fallback colours, picked from its code as palette.py does. */
MC.countryColor = function (code) {
  if (code === null || code === undefined || code === "" || code === "None") return MC.PALETTE.unknown;
  const key = String(code).toUpperCase();
  if (MC.PALETTE.countries[key]) return MC.PALETTE.countries[key];
  let sum = 0;
  for (const c of key) sum += c.codePointAt(0);
  return MC.PALETTE.fallback[sum % MC.PALETTE.fallback.length];
};

MC.seriesColor = function (kind) {
  return MC.PALETTE.series[kind] || MC.PALETTE.countries.US || "#0072B2";
};

/* -- axes a reader can read (the rules of modelcensus.outputs.common.axes) --------------------------------- */

/* The smallest step of 1, 2 or 5 times a power of ten that cuts span in at most maxTicks parts. */
MC.niceStep = function (span, maxTicks) {
  if (!(span > 0) || !isFinite(span)) return 1;
  const raw = span / Math.max(1, maxTicks || 6);
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 5, 10]) if (m * power >= raw * (1 - 1e-9)) return m * power;
  return 10 * power;
};

/* Decimals of a share axis whose ticks are step apart: never two ticks that print alike ("4%, 4%"). */
MC.percentDecimals = function (step) {
  return step > 0 ? Math.max(0, -Math.floor(Math.log10(step * 100) + 1e-9)) : 0;
};

MC.YEAR_STEPS = [1, 2, 5, 10, 20, 25, 50, 100];
MC.yearStep = function (first, last, maxTicks) {
  const span = Math.max(0, last - first);
  for (const step of MC.YEAR_STEPS) if (span / step <= maxTicks) return step;
  return MC.YEAR_STEPS[MC.YEAR_STEPS.length - 1];
};

/* How many ticks fit an element's width, px apart at least. */
MC.maxTicks = function (element, px) {
  const node = typeof element === "string" ? document.getElementById(element) : element;
  const width = (node && node.clientWidth) || 800;
  return Math.max(2, Math.floor((width - 80) / (px || 60)));
};

/* An axis of whole years from first to last: a tick every year, or every 2, 5, 10… years as the width allows,
   written 2024 (never 2,023.5), with its title. */
MC.yearAxis = function (first, last, element, extra) {
  const step = MC.yearStep(first, last, MC.maxTicks(element, 64));
  return Object.assign({
    type: "linear", tickmode: "linear", tick0: 0, dtick: step, tickformat: "d", hoverformat: "d", automargin: true,
    title: { text: MC.t("chart.axis_year") },
  }, extra || {});
};

/* A share axis from 0 to about top (a fraction): its step and as many decimals as the step needs. */
MC.percentAxis = function (top, extra) {
  const step = MC.niceStep(top > 0 ? top : 1, 6);
  return Object.assign({
    tickmode: "linear", tick0: 0, dtick: step, tickformat: "." + MC.percentDecimals(step) + "%", rangemode: "tozero", automargin: true,
  }, extra || {});
};

/* The common layout of the dashboard's charts: labels never clipped (automargin on every axis), the legend
   below the chart (in the container, under the axis titles), room above the plot for the toolbar. */
MC.chartLayout = function (layout) {
  const out = Object.assign({}, layout);
  out.margin = Object.assign({ t: 34, r: 16, b: 10, l: 10, autoexpand: true }, layout.margin || {});
  out.margin.t = Math.max(out.margin.t, 34);
  for (const key of Object.keys(out)) {
    if (/^[xy]axis\d*$/.test(key)) out[key] = Object.assign({ automargin: true }, out[key]);
  }
  if (!out.xaxis) out.xaxis = { automargin: true };
  if (!out.yaxis) out.yaxis = { automargin: true };
  out.legend = Object.assign({ orientation: "h", x: 0, xanchor: "left", yref: "container", y: 0, yanchor: "bottom" }, layout.legend || {});
  return out;
};

/* A label broken into lines of about width characters (a long group name under a bar). */
MC.wrapLabel = function (text, width) {
  const words = MC.esc(text).split(" ");
  const lines = [];
  let line = "";
  for (const word of words) {
    if (line && (line + " " + word).length > width) { lines.push(line); line = word; } else { line = line ? line + " " + word : word; }
  }
  if (line) lines.push(line);
  return lines.join("<br>");
};
