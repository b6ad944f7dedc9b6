/* How the census fills in (/api/dashboard/vintages): a figure at every Epoch AI vintage, and the listing lag. */
"use strict";

const NAMES = { US: "United States", CN: "China" };
const nameOf = (code) => MC.country(code, NAMES[code] || code);

function drawVintages(v) {
  const kept = v.vintages.filter((x) => x.covers);
  const title = MC.t("vintages.title", { year: v.year });
  document.getElementById("vintage-title").textContent = title;
  const traces = v.countries.map((code) => ({
    type: "scatter", mode: "lines+markers", name: nameOf(code),
    x: kept.map((x) => x.export_date), y: kept.map((x) => x.counts[code]),
    line: { color: MC.countryColor(code) }, marker: { size: 7, color: MC.countryColor(code) },
    hovertemplate: MC.t("vintages.hover", { name: nameOf(code), year: v.year }) + "<extra></extra>",
  }));
  MC.plot("chart-vintages", traces, {
    xaxis: MC.dateAxis({ type: "date", title: { text: MC.t("vintages.axis_date") } }),
    yaxis: { title: { text: MC.t("vintages.axis_count", { year: v.year }) }, rangemode: "tozero" },
  });
  const first = kept[0], last = kept[kept.length - 1];
  const growth = MC.join(v.countries.map((c) => MC.t("vintages.growth_part", { country: nameOf(c), first: first.counts[c], last: last.counts[c] })));
  const roles = (x) => MC.join(x.roles.map((r) => (MC.I18N.english ? r : MC.word("roles", r))));
  const items = kept.map((x) => MC.t("vintages.vintage_item", { date: MC.date(x.export_date), roles: roles(x) }));
  document.getElementById("vintage-caption").textContent = MC.tidy(
    MC.t("vintages.caption", {
      n: kept.length, vintages: MC.join(items, true), year: v.year, growth: growth, first: MC.date(first.export_date), last: MC.date(last.export_date),
    }) + (kept.length < v.vintages.length ? MC.t("vintages.left_out") : ""));
  const rows = kept.map((x) => Object.assign({ vintage: MC.date(x.export_date), files: roles(x), all: x.denominator },
    Object.fromEntries(v.countries.map((c) => [nameOf(c), x.counts[c]]))));
  MC.table(document.getElementById("vintage-table"), [
    { key: "vintage", label: MC.column("vintage") }, { key: "files" },
    ...v.countries.map((c) => ({ key: nameOf(c), numeric: true })),
    { key: "all", label: MC.t("vintages.all_notable", { year: v.year }), numeric: true },
  ], rows, MC.csvHref("/api/dashboard/vintages" + MC.apiQuery()));
  MC.provenance(document.getElementById("prov-vintages"), v.provenance);
}

function drawLag(v) {
  const share = v.complete_share;
  const shareText = MC.I18N.english ? Math.round(share * 100) + "%" : MC.share(share, 0);
  v.lag.forEach((pop, i) => {
    const obs = pop.observations;
    const now = pop.years.filter((y) => y.filling_in && y.share_listed !== null);
    const traces = [
      { type: "scatter", mode: "markers", name: MC.t("vintages.observed"), x: obs.map((o) => o.lag_months), y: obs.map((o) => o.ratio),
        text: obs.map((o) => String(o.year)), marker: { color: MC.seriesColor("observed"), opacity: 0.75, size: 7 },
        hovertemplate: MC.t("vintages.hover_observed") + "<extra></extra>" },
      { type: "scatter", mode: "markers+text", name: MC.t("vintages.current"), x: now.map((y) => y.lag_months), y: now.map((y) => y.share_listed),
        text: now.map((y) => String(y.year)), textposition: "top center", marker: { color: MC.seriesColor("current"), size: 10, symbol: "circle-open", line: { width: 2 } },
        hovertemplate: MC.t("vintages.hover_current") + "<extra></extra>" },
      { type: "scatter", mode: "lines", name: MC.t("vintages.complete", { share: shareText }), x: [-6, 132], y: [share, share],
        line: { color: MC.seriesColor("claimed"), dash: "dot" }, hoverinfo: "skip" },
    ];
    MC.plot("chart-lag-" + i, traces, {
      title: { text: MC.esc(MC.t("vintages.panel", { definition: pop.definition, population: MC.phrase(pop.population) })), font: { size: 14 } },
      margin: { t: 40 }, xaxis: { range: [-6, 132], dtick: 12, title: { text: MC.t("vintages.axis_months") } },
      yaxis: MC.percentAxis(1.3, { range: [0, 1.3], dtick: 0.25, tickformat: ".0%", title: { text: MC.t("vintages.axis_share") } }),
    });
    MC.fillingNote(document.getElementById("filling-" + i), pop, pop.definition, pop.definition);
  });
  const bases = v.lag.map((p) => MC.t("vintages.basis", { definition: p.definition, basis: MC.phrase(p.basis) }));
  document.getElementById("lag-caption").textContent = MC.tidy(MC.t("vintages.lag_caption", { bases: MC.join(bases, true), share: shareText }));
}

(async function start() {
  const status = document.getElementById("status");
  try {
    const v = await MC.getJSON("/api/dashboard/vintages" + MC.apiQuery());
    status.textContent = "";
    if (v.year !== null) drawVintages(v);
    drawLag(v);
    document.body.dataset.loaded = "yes";
  } catch (error) {
    MC.showError(status, error);
    document.body.dataset.loaded = "error";
  }
})();
