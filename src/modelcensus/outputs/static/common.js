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

/* The definition, counting rule, attribution, denominator and sources of a figure. */
MC.provenance = function (element, p) {
  if (!p) { element.innerHTML = ""; return; }
  const snapshots = p.snapshots || [];
  const credits = [...new Set(snapshots.map((s) => (s.credit || s.source) + (s.license ? " (" + s.license + ")" : "")))];
  const dates = [...new Set(snapshots.map((s) => s.data_date).filter(Boolean))].sort();
  const items = [
    ["Definition", p.definition],
    ["Counting rule", p.rule ? p.rule + (p.rule_text && p.rule_text !== p.rule ? " — " + p.rule_text : "") : null],
    ["Attribution", p.attribution],
    ["Unit", p.unit],
    ["Metric", p.metric],
    ["Share denominator", p.denominator],
    ["Sources", credits.length ? credits.join(", ") + (dates.length ? "; data dated " + dates.join(", ") : "") : null],
  ].filter((kv) => kv[1] !== null && kv[1] !== undefined && kv[1] !== "");
  element.innerHTML = "<dl>" + items.map(([k, v]) => "<dt>" + MC.esc(k) + ":</dt><dd>" + MC.esc(v) + "</dd>").join("") + "</dl>";
};

MC.countryHref = (code) => "/countries/" + encodeURIComponent(code);
MC.orgHref = (name) => "/organizations/" + encodeURIComponent(name);
MC.modelHref = (id) => "/models/" + encodeURIComponent(id);

/* The last path segment of this page (a country code, an organization name, a model id). */
MC.pathTail = function (prefix) {
  return decodeURIComponent(window.location.pathname.slice(prefix.length));
};

MC.plotConfig = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["sendDataToCloud"] };
