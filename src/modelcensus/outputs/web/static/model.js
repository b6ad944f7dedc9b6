/* A canonical model: its size, training compute and arena rating (each from the record that lists it), its
   records in every source and the evidence that linked them (/api/models/{id}). */
"use strict";

const FACTS = { parameters: "model.fact_parameters", training_compute: "model.fact_training_compute", rating: "model.fact_rating" };
const SUPERSCRIPT = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };

/* 3.3e24 as "3.3 × 10²⁴" in the page's decimal mark (three significant digits at most). */
function scientific(value) {
  if (!Number.isFinite(value) || value === 0) return MC.formatNumber(value);
  const exponent = Math.floor(Math.log10(Math.abs(value)));
  const mantissa = Number((value / Math.pow(10, exponent)).toPrecision(3));
  const power = "10" + String(exponent).split("").map((c) => SUPERSCRIPT[c]).join("");
  return (mantissa === 1 ? "" : MC.plain(mantissa) + " × ") + power;
}

/* 671000000000 as "671 billion" (the page's language's words). */
function inWords(value) {
  return value.toLocaleString(MC.intl(), { notation: "compact", compactDisplay: "long", maximumSignificantDigits: 3 });
}

function valueText(fact, v) {
  if (fact === "parameters") return MC.t("model.parameters_value", { value: scientific(v.value), words: inWords(v.value) });
  if (fact === "training_compute") return MC.t("model.compute_value", { value: scientific(v.value) });
  const arena = MC.t("model.arena_" + String(v.category || "").split("/")[0]);
  return MC.t("model.rating_value", {
    rating: MC.plain(v.value), low: MC.plain(v.low), high: MC.plain(v.high),
    arena: arena.startsWith("model.") ? v.arena : arena, date: MC.date(v.rated_on),
  });
}

function sourceText(v) {
  return MC.t("model.from_record", {
    credit: v.credit, date: v.data_date ? MC.date(v.data_date) : MC.t("model.undated"), file: v.file || "?", record: v.source_id,
  });
}

/* One row per value; a fact no source lists says so, in its own row. */
function drawFacts(facts) {
  const table = document.createElement("table");
  table.className = "data facts";
  table.id = "facts-table";
  const head = table.createTHead().insertRow();
  for (const key of ["model.fact", "model.fact_value", "model.fact_source"]) {
    const th = document.createElement("th");
    th.textContent = MC.t(key);
    head.appendChild(th);
  }
  const body = table.createTBody();
  for (const fact of Object.keys(FACTS)) {
    const entry = facts[fact] || { values: [] };
    const values = entry.values.length ? entry.values : [null];
    for (const v of values) {
      const tr = body.insertRow();
      tr.dataset.fact = fact;
      tr.insertCell().textContent = MC.t(FACTS[fact]);
      const value = tr.insertCell();
      const source = tr.insertCell();
      if (v === null) {
        tr.dataset.listed = "no";
        value.className = "missing";
        value.textContent = MC.t("model.not_listed");
        source.className = "missing";
        source.textContent = MC.t("model.not_listed_note");
      } else {
        tr.dataset.listed = "yes";
        value.className = "value";
        value.textContent = valueText(fact, v);
        value.title = String(v.value) + " " + entry.unit;
        source.textContent = sourceText(v);
      }
    }
  }
  const scroller = document.createElement("div");
  scroller.className = "scroller";
  scroller.appendChild(table);
  return scroller;
}

(async function start() {
  const id = MC.pathTail("/models/");
  const twin = "/api/models/" + encodeURIComponent(id);
  document.getElementById("twin").href = twin;
  const status = document.getElementById("status");
  try {
    const model = await MC.getJSON(twin);
    document.title = "modelcensus — " + model.name;
    document.getElementById("title").textContent = model.name + " (" + model.id + ")";
    const records = model.records || [];
    const sources = [...new Set(records.map((r) => r.source))];
    status.textContent = MC.t("model.status", { records: MC.formatNumber(records.length), sources: MC.formatNumber(sources.length), names: MC.join(sources) });
    const facts = document.getElementById("facts");
    MC.table(facts, [], [], MC.csvHref(twin, "facts"));
    facts.querySelector(".scroller").replaceWith(drawFacts(model.facts || {}));
    const keys = records.length ? Object.keys(records[0]) : ["source", "source_id"];
    const columns = keys.filter((k) => typeof records[0][k] !== "object" || Array.isArray(records[0][k]) || records[0][k] === null)
      .map((k) => ({ key: k }));
    MC.table(document.getElementById("records"), columns, records, MC.csvHref(twin, "records"));
    const recordsTable = document.querySelector("#records table");
    recordsTable.id = "records-table";
    const evidence = model.evidence || [];
    if (evidence.length) {
      MC.table(document.getElementById("evidence"), Object.keys(evidence[0]).map((k) => ({ key: k })), evidence, MC.csvHref(twin, "evidence"));
    } else {
      document.getElementById("evidence").textContent = MC.t("model.alone");
    }
    if (Array.isArray(model.provenance)) MC.provenance(document.getElementById("provenance"), { snapshots: model.provenance });
    document.body.dataset.loaded = "yes";
  } catch (error) {
    MC.showError(status, error);
    document.body.dataset.loaded = "error";
  }
})();
