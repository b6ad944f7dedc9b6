"""Benchmark: ingesting Epoch AI's export and answering counts, against baselines measured in the same run.

Run: ``.venv/bin/python bench/bench_epoch.py [--data ../shared/data/epoch_ai/2026-03-30_cset_zip] [--repeat 5]``.
Prints medians and ratios to DuckDB's bare ``read_csv`` of the same four files (machines are noisy:
read the ratios, not the seconds).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd

import modelcensus as mc
from modelcensus.sources import epoch

FILES = ("all_ai_models.csv", "notable_ai_models.csv", "large_scale_ai_models.csv", "frontier_ai_models.csv")


def timed(func: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median seconds over ``repeat`` runs, and peak traced memory (MiB) of one run."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        runs.append(time.perf_counter() - start)
    tracemalloc.start()
    func()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(runs), peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    default = Path(__file__).resolve().parents[2] / "shared" / "data" / "epoch_ai" / "2026-03-30_cset_zip"
    parser.add_argument("--data", type=Path, default=default)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    paths = [args.data / f for f in FILES]
    rows = sum(len(pd.read_csv(p, dtype=str)) for p in paths)
    work = Path(tempfile.mkdtemp())

    def duckdb_bare() -> None:
        con = duckdb.connect()
        for p in paths:
            con.execute(f"SELECT count(*) FROM read_csv('{p}', all_varchar=true)").fetchall()
        con.close()

    def pandas_read() -> None:
        for p in paths:
            pd.read_csv(p, dtype=str)

    def parse() -> None:
        epoch.parse_export(epoch.discover(args.data)[0])

    counter = iter(range(10_000))

    def ingest() -> None:
        with mc.open(work / f"bench{next(counter)}.duckdb") as census:
            census.ingest_epoch(args.data)

    store = work / "query.duckdb"
    with mc.open(store) as census:
        census.ingest_epoch(args.data)
    reader = mc.open(store, read_only=True)

    def count_query() -> None:
        reader.count(by=["country", "year"], since=2020, until=2025, attribution="resolved")

    cases = [
        ("duckdb read_csv (baseline)", duckdb_bare),
        ("pandas read_csv", pandas_read),
        ("modelcensus parse + merge", parse),
        ("modelcensus ingest (parse, store)", ingest),
        ("count by country x year (resolved)", count_query),
    ]
    results = [(name, *timed(func, args.repeat)) for name, func in cases]
    base = results[0][1]
    print(f"Epoch export: {len(paths)} files, {rows:,} rows; median of {args.repeat} runs")
    print(f"{'case':<38} {'median s':>10} {'ratio':>8} {'rows/s':>12} {'peak MiB':>10}")
    for name, seconds, peak in results:
        rate = f"{rows / seconds:,.0f}" if "count" not in name else "-"
        print(f"{name:<38} {seconds:>10.3f} {seconds / base:>7.1f}x {rate:>12} {peak:>10.1f}")
    reader.close()


if __name__ == "__main__":
    main()
