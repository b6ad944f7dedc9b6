"""Benchmark: ingest and attribute millions of Hugging Face Hub records, against baselines measured in
the same run.

Run: ``.venv/bin/python -m bench.bench_hub`` (defaults: 2,000,000 synthetic repos fitted on the shared
real listing, 3 runs of each DuckDB case, 1 run of pandas). Every case runs in a fresh process, so its
peak memory (max RSS) is its own. Prints medians and ratios; machines are noisy: read the ratios.

Cases:
- ``duckdb read_json (baseline)``: DuckDB's bare ``CREATE TABLE AS SELECT * FROM read_json(file)`` into a
  new on-disk database (the same end state as the census: the data in a DuckDB file);
- ``duckdb read_json in memory``: the same into an in-memory database, for reference;
- ``modelcensus ingest``: ``Census.ingest_huggingface(file)`` into a new store, timed in the stages ``build``
  reports: the ingest proper (checks, one typed parse into ``hub_models``, counts, lineage edges), then the
  attribution it runs (lineage roots and base families; registry resolution of every handle);
- ``modelcensus attribute``: the attribution at ingest plus ``count_hub(by=country, metric=downloads,
  attribution=lineage)`` on that store;
- ``pandas``: a straightforward pandas implementation of the same ingest and attribution.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TRENDING = ROOT.parent / "shared" / "data" / "hf_hub_starscreener" / "huggingface-trending_2026-05-04.json"


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def case_duckdb(path: Path, work: Path, in_memory: bool) -> dict[str, Any]:
    import duckdb

    con = duckdb.connect(":memory:" if in_memory else str(work / "bare.duckdb"))
    start = time.perf_counter()
    con.execute(f"CREATE TABLE listing AS SELECT * FROM read_json('{path}')")
    rows = con.execute("SELECT count(*) FROM listing").fetchall()[0][0]
    return {"seconds": time.perf_counter() - start, "rows": rows}


def case_modelcensus(path: Path, work: Path) -> dict[str, Any]:
    import modelcensus as mc

    with mc.open(work / "census.duckdb") as census:
        _ = census.registry  # loading the registry is start-up, not ingest
        start = time.perf_counter()
        result = census.ingest_huggingface(path).results[0]
        whole = time.perf_counter() - start
        start = time.perf_counter()
        frame = census.count_hub(by="country", metric="downloads", attribution="lineage").frame
        count = time.perf_counter() - start
    at_ingest = sum(seconds for _, seconds in result.attribution)
    attributed = float(frame[frame["group"].notna()]["value"].sum() / frame["denominator"].iloc[0])
    return {
        "seconds": whole - at_ingest,
        "attribute_seconds": at_ingest + count,
        "steps": {**dict(result.attribution), "count by origin": count},
        "rows": result.rows_read,
        "attributed": attributed,
    }


def case_pandas(path: Path, work: Path) -> dict[str, Any]:
    """The same job written the obvious way with pandas."""
    import pandas as pd

    from modelcensus.orgs import load_registry

    registry = load_registry()
    start = time.perf_counter()
    df = pd.read_json(path, lines=True)
    for api, saved in (("pipeline_tag", "pipelineTag"), ("library_name", "libraryName")):
        if saved in df.columns:
            df[api] = df[api].fillna(df[saved]) if api in df.columns else df[saved]
    df["created_at"] = pd.to_datetime(df["createdAt"], utc=True, errors="coerce")
    df = df.dropna(subset=["id"]).drop_duplicates("id", keep="last")
    tags = df[["id", "tags"]].explode("tags").dropna()
    tags = tags[tags["tags"].str.startswith("base_model:")]
    parts = tags["tags"].str[11:].str.split(":")
    tags = tags.assign(base=parts.str[-1], relation=parts.map(lambda p: p[0] if len(p) > 1 else None))
    edges = tags.groupby(["id", "base"], sort=False).agg(relation=("relation", "max")).reset_index()
    first_base = edges.drop_duplicates("id").set_index("id")["base"].to_dict()

    def root(repo: str) -> str:
        seen = 0
        while repo in first_base and seen < 64:
            repo, seen = first_base[repo], seen + 1
        return repo

    df["root"] = df["id"].map(root)
    df["root_author"] = df["root"].str.split("/").str[0]
    countries = {
        handle: org.countries for handle in df["root_author"].dropna().unique() if (org := registry.resolve_hub(handle))
    }
    df["country"] = df["root_author"].map(lambda a: countries.get(a) or (None,))
    exploded = df[["id", "downloads", "country"]].explode("country")
    result = exploded.groupby("country", dropna=False)["downloads"].sum()
    seconds = time.perf_counter() - start
    attributed = float(result[result.index.notna()].sum() / df["downloads"].sum())
    return {"seconds": seconds, "rows": len(df), "attributed": attributed}


CASES = {
    "duckdb": lambda p, w: case_duckdb(p, w, in_memory=False),
    "duckdb-memory": lambda p, w: case_duckdb(p, w, in_memory=True),
    "modelcensus": case_modelcensus,
    "pandas": case_pandas,
}


def run_case(name: str, path: Path) -> dict[str, Any]:
    """Run one case in a fresh process and return its timing and peak memory."""
    with tempfile.TemporaryDirectory() as work:
        out = subprocess.run(
            [sys.executable, "-m", "bench.bench_hub", "--case", name, "--file", str(path), "--work", work],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--file", type=Path, help="an existing JSONL listing (default: generate one)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each DuckDB case (median reported)")
    parser.add_argument("--pandas-repeat", type=int, default=1)
    parser.add_argument("--case", choices=sorted(CASES), help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        result = CASES[args.case](args.file, args.work)
        print(json.dumps({**result, "peak_mib": _peak_mib()}))
        return
    path = args.file
    if path is None:
        from bench.hub_synth import generate

        path = Path(tempfile.gettempdir()) / f"modelcensus-hub-{args.rows}.jsonl"
        if not path.exists():
            print(f"generating {args.rows:,} synthetic repos into {path} …", file=sys.stderr)
            generate(TRENDING, path, args.rows)
    runs: dict[str, list[dict[str, Any]]] = {}
    for name in ("duckdb", "duckdb-memory", "modelcensus", "pandas"):
        repeat = args.pandas_repeat if name == "pandas" else args.repeat
        runs[name] = [run_case(name, path) for _ in range(repeat)]
        print(f"  {name}: " + ", ".join(f"{r['seconds']:.1f}s" for r in runs[name]), file=sys.stderr)
    base = statistics.median(r["seconds"] for r in runs["duckdb"])
    rows = runs["duckdb"][0]["rows"]
    size = path.stat().st_size / 2**20
    print(
        f"Hub listing: {rows:,} repos, {size:,.0f} MiB JSONL; medians of {args.repeat} runs "
        f"(pandas: {args.pandas_repeat}); peak memory = max RSS of the case's process"
    )
    print(f"{'case':<44} {'median s':>9} {'× baseline':>11} {'rows/s':>11} {'peak MiB':>9}")

    def line(label: str, seconds: float, peak: float) -> None:
        print(f"{label:<44} {seconds:>9.2f} {seconds / base:>10.2f}x {rows / seconds:>11,.0f} {peak:>9,.0f}")

    for name, label in (("duckdb", "duckdb read_json (baseline)"), ("duckdb-memory", "duckdb read_json in memory")):
        line(label, statistics.median(r["seconds"] for r in runs[name]), max(r["peak_mib"] for r in runs[name]))
    mc_runs = runs["modelcensus"]
    ingest = statistics.median(r["seconds"] for r in mc_runs)
    attribute = statistics.median(r["attribute_seconds"] for r in mc_runs)
    peak = max(r["peak_mib"] for r in mc_runs)
    line("modelcensus ingest (parse, checks, store)", ingest, peak)
    line("modelcensus attribute", attribute, peak)
    for step in mc_runs[0]["steps"]:
        line(f"  of which {step}", statistics.median(r["steps"][step] for r in mc_runs), peak)
    line("modelcensus ingest + attribute", ingest + attribute, peak)
    pandas = statistics.median(r["seconds"] for r in runs["pandas"])
    line("pandas ingest + attribute", pandas, max(r["peak_mib"] for r in runs["pandas"]))
    total = ingest + attribute
    print()
    print(f"ingest vs bare read_json: {ingest / base:.2f}x (target <= 1.5x); ingest + attribute: {total / base:.2f}x")
    print(f"pandas / modelcensus (ingest + attribute): {pandas / total:.1f}x faster (target >= 5x)")
    print(f"modelcensus peak memory: {peak:,.0f} MiB (target < 2,048 MiB)")
    print(
        f"downloads attributed to a country under lineage: modelcensus {mc_runs[0]['attributed']:.1%}, "
        f"pandas {runs['pandas'][0]['attributed']:.1%}"
    )


if __name__ == "__main__":
    main()
