/* A canonical model: its records in every source and the evidence that linked them (/api/models/{id}). */
"use strict";

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
    const keys = records.length ? Object.keys(records[0]) : ["source", "source_id"];
    const columns = keys.filter((k) => typeof records[0][k] !== "object" || Array.isArray(records[0][k]) || records[0][k] === null)
      .map((k) => ({ key: k }));
    MC.table(document.getElementById("records"), columns, records, "model-records.csv");
    const recordsTable = document.querySelector("#records table");
    recordsTable.id = "records-table";
    const evidence = model.evidence || [];
    if (evidence.length) {
      MC.table(document.getElementById("evidence"), Object.keys(evidence[0]).map((k) => ({ key: k })), evidence, "model-evidence.csv");
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
