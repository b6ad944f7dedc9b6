"""Benchmark: ``build --from DIR`` with Epoch's exports, the shared catalogues and a synthetic Hub listing, each stage
timed, against DuckDB's bare ``read_json`` of the listing measured in the same run.

Run: ``.venv/bin/python -m bench.bench_build --rows 2000000`` (the folder and the listing go under the system's temp
folder, never into the project). DIR holds links to every folder of ``../shared/data`` but the Hub's trending listing,
and the synthetic listing (``bench/hub_synth.py``). Each case runs in a fresh process, so its peak memory (max RSS)
is its own:

- ``read_json``: DuckDB's bare ``CREATE TABLE AS SELECT * FROM read_json(listing)`` into a new on-disk database;
- ``build``: ``Census.build(DIR)`` into a new store; its report gives each stage's seconds (each export's ingest,
  ``link``, ``census records``) and the pairs each pass of linkage compared.

Prints the stages, the total against the baseline (target: at most 25×) and the peak memory (target: at most 2 GiB).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
TRENDING = SHARED / "hf_hub_starscreener" / "huggingface-trending_2026-05-04.json"


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def case_read_json(listing: Path, work: Path) -> dict[str, Any]:
    import duckdb

    con = duckdb.connect(str(work / "bare.duckdb"))
    start = time.perf_counter()
    con.execute(f"CREATE TABLE listing AS SELECT * FROM read_json('{listing}')")
    rows = con.execute("SELECT count(*) FROM listing").fetchall()[0][0]
    return {"seconds": time.perf_counter() - start, "rows": rows}


def case_build(folder: Path, work: Path) -> dict[str, Any]:
    import modelcensus as mc

    start = time.perf_counter()
    with mc.open(work / "census.duckdb") as census:
        report = census.build(folder)
    links = report.links
    return {
        "seconds": time.perf_counter() - start,
        "stages": report.stages,
        "models": report.canonical_models,
        "shared_models": report.shared_models,
        "passes": links.passes if links else [],
        "run": {k: str(v) for k, v in (links.run_row if links else {}).items()},
    }


def folder_for(listing: Path, target: Path) -> Path:
    """DIR: links to the shared data's folders but the Hub's, and the synthetic listing."""
    target.mkdir(parents=True, exist_ok=True)
    for entry in sorted(SHARED.iterdir()):
        if entry.is_dir() and entry.name != "hf_hub_starscreener" and not (target / entry.name).exists():
            (target / entry.name).symlink_to(entry)
    if not (target / listing.name).exists():
        (target / listing.name).symlink_to(listing)
    return target


def run_case(name: str, path: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as work:
        out = subprocess.run(
            [sys.executable, "-m", "bench.bench_build", "--case", name, "--path", str(path), "--work", work],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--case", choices=("read_json", "build"), help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        result = case_read_json(args.path, args.work) if args.case == "read_json" else case_build(args.path, args.work)
        print(json.dumps({**result, "peak_mib": _peak_mib()}, default=str))
        return
    from bench.hub_synth import generate

    base = Path(tempfile.gettempdir())
    listing = base / f"modelcensus-hub-{args.rows}.jsonl"
    if not listing.exists():
        print(f"generating {args.rows:,} synthetic repos into {listing} …", file=sys.stderr)
        generate(TRENDING, listing, args.rows)
    folder = folder_for(listing, base / f"modelcensus-build-{args.rows}")
    bare = run_case("read_json", listing)
    built = run_case("build", folder)
    ratio = built["seconds"] / bare["seconds"]
    print(f"build --from {folder}: Epoch's exports, the shared catalogues, {bare['rows']:,} synthetic Hub repos")
    print(f"{'stage':<60} {'s':>8}")
    for stage, seconds in built["stages"]:
        print(f"{stage:<60} {seconds:>8.1f}")
    print(f"{'build, total':<60} {built['seconds']:>8.1f}")
    print(f"{'DuckDB bare read_json of the listing (baseline)':<60} {bare['seconds']:>8.1f}")
    print()
    peak = built["peak_mib"]
    print(f"build / bare read_json: {ratio:.1f}x (target <= 25x); peak memory {peak:,.0f} MiB (target <= 2,048)")
    run = built["run"]
    print(
        f"linkage: {built['models']:,} canonical models ({built['shared_models']:,} known to several sources); Hub: "
        f"{run.get('hub_taking_part', '?')} repos took part, {run.get('hub_alone', '?')} a model each; "
        f"{sum(p[1] for p in built['passes']):,} pairs compared"
    )


if __name__ == "__main__":
    main()
