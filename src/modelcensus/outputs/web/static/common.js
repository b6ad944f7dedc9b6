/* Shared helpers of the dashboard pages: fetching JSON, tables with CSV download, provenance. */
"use strict";

const MC = {};

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
  if (Array.isArray(value)) return value.map(MC.cell).join(", ");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
};

MC.formatNumber = function (value) {
  if (typeof value !== "number") return MC.cell(value);
  if (Number.isInteger(value)) return value.toLocaleString("en-US");
  return value.toLocaleString("en-US", { maximumFractionDigits: 4 });
};

MC.percent = function (value) {
  return typeof value === "number" ? (100 * value).toFixed(1) + " %" : MC.cell(value);
};

MC.toCSV = function (columns, rows) {
  const quote = (v) => {
    const text = Array.isArray(v) ? v.map(MC.cell).join("; ") : MC.cell(v);
    return /[",\n\r]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  };
  const lines = [columns.map((c) => quote(c.label || c.key)).join(",")];
  for (const row of rows) lines.push(columns.map((c) => quote(row[c.key])).join(","));
  return lines.join("\r\n") + "\r\n";
};

MC.download = function (filename, text) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
};

/* A table of rows: columns are {key, label, link(row) -> href, numeric}. Adds a "Download CSV" button. */
MC.table = function (container, columns, rows, filename, caption) {
  container.innerHTML = "";
  const tools = document.createElement("div");
  tools.className = "table-tools";
  const button = document.createElement("button");
  button.type = "button";
  button.className = "csv";
  button.textContent = "Download CSV";
  button.addEventListener("click", () => MC.download(filename, MC.toCSV(columns, rows)));
  tools.appendChild(button);
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
    th.textContent = c.label || c.key;
    head.appendChild(th);
  }
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const c of columns) {
      const td = tr.insertCell();
      const value = row[c.key];
      if (c.numeric || c.percent) td.className = "num";
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

/* Each source of a figure with what it covers and its date, as the report's captions say it:
   "Epoch AI (CC BY 4.0): export dated 2026-03-30; Hugging Face Hub (…): a listing of 1,000 trending repos …,
   not a full harvest dated 2026-05-04". */
MC.describeSources = function (snapshots) {
  const order = ["epoch", "huggingface", "openrouter", "lmarena", "litellm"];
  const bySource = new Map();
  for (const s of snapshots || []) {
    const key = s.source || "";
    if (!bySource.has(key)) bySource.set(key, []);
    bySource.get(key).push(s);
  }
  const rank = (k) => (order.includes(k) ? order.indexOf(k) : order.length);
  const keys = [...bySource.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return keys.map((key) => {
    const snaps = bySource.get(key);
    const first = snaps[0];
    const dates = [...new Set(snaps.map((s) => (s.data_date && s.data_date !== "None" ? s.data_date : "unknown")))].sort();
    const scopes = [...new Set(snaps.map((s) => s.scope).filter(Boolean))];
    const what = scopes.length ? scopes.join("; ") : "export";
    const when = dates.length === 1 && dates[0] === "unknown" ? "of unknown date" : "dated " + dates.join(", ");
    return (first.credit || key) + (first.license ? " (" + first.license + ")" : "") + ": " + what + " " + when;
  }).join("; ");
};

/* The definition, counting rule, attribution, denominator and sources of a figure. */
MC.provenance = function (element, p) {
  if (!p) { element.innerHTML = ""; return; }
  const snapshots = p.snapshots || [];
  const items = [
    ["Definition", p.definition],
    ["Counting rule", p.rule ? p.rule + (p.rule_text && p.rule_text !== p.rule ? " — " + p.rule_text : "") : null],
    ["Attribution", p.attribution],
    ["Unit", p.unit],
    ["Metric", p.metric],
    ["Share denominator", p.denominator],
    ["Sources", snapshots.length ? MC.describeSources(snapshots) : null],
  ].filter((kv) => kv[1] !== null && kv[1] !== undefined && kv[1] !== "");
  element.innerHTML = "<dl>" + items.map(([k, v]) => "<dt>" + MC.esc(k) + ":</dt><dd>" + MC.esc(v) + "</dd>").join("") + "</dl>";
};

/* -- years still filling in ------------------------------------------------------------------------- */

MC.FILLING = "still filling in";
MC.ESTIMATE = "estimated final count (range)";
MC.SHOWN_SENTENCES = 6;

/* The sentences of the years still filling in (newest first, at most a few; the rest named by year). */
MC.fillingNote = function (element, years, what) {
  element.innerHTML = "";
  if (!years || !years.measured) {
    element.textContent = years && years.unmeasured ? years.unmeasured : "";
    return;
  }
  const sentences = years.sentences || [];
  const filling = years.filling_in || [];
  const head = document.createElement("p");
  head.className = "filling-head";
  head.textContent = filling.length
    ? (what || "These figures") + " include " + filling.length + " year" + (filling.length > 1 ? "s" : "") +
      " still filling in (drawn hatched or hollow on a dashed line; ◇ with a bar: the estimated final count and its range, read on the listing lag of " +
      years.population + "):"
    : "No year of these figures is still filling in (read on the listing lag of " + years.population + ").";
  element.appendChild(head);
  const list = document.createElement("ul");
  list.className = "filling";
  const shown = sentences.slice(-MC.SHOWN_SENTENCES).reverse();
  for (const sentence of shown) {
    const li = document.createElement("li");
    li.textContent = sentence + ".";
    list.appendChild(li);
  }
  if (sentences.length > shown.length) {
    const rest = filling.slice(0, filling.length - shown.length);
    const li = document.createElement("li");
    li.textContent = "and " + rest.length + " earlier year" + (rest.length > 1 ? "s" : "") + " (" +
      rest[0] + (rest.length > 1 ? "–" + rest[rest.length - 1] : "") + ") also read as still filling in: see the JSON twin.";
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
    hovertemplate: (name ? name + " " : "") + "%{x}: final count probably about %{y:,.0f} (%{customdata[0]:,.0f}–%{customdata[1]:,.0f})<extra></extra>",
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
    ? { type: "bar", name: MC.FILLING + " (hatched)", x: [null], y: [null], marker: { color: "#999", pattern: { shape: "/", fgcolor: "white", fillmode: "overlay" } }, hoverinfo: "skip" }
    : { type: "scatter", mode: "lines+markers", name: MC.FILLING + " (dashed, hollow)", x: [null], y: [null], line: { color: "#555", dash: "dash" }, marker: { symbol: "circle-open", size: 9, color: "#555" }, hoverinfo: "skip" };
};

MC.countryHref = (code) => "/countries/" + encodeURIComponent(code);
MC.orgHref = (name) => "/organizations/" + encodeURIComponent(name);
MC.modelHref = (id) => "/models/" + encodeURIComponent(id);

/* The last path segment of this page (a country code, an organization name, a model id). */
MC.pathTail = function (prefix) {
  return decodeURIComponent(window.location.pathname.slice(prefix.length));
};

MC.plotConfig = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["sendDataToCloud"] };
