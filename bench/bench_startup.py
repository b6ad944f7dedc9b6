"""Benchmark: how long the ``modelcensus`` command takes to start, against a bare Python measured in the same run.

Run: ``.venv/bin/python -m bench.bench_startup [--repeat 5]``. Each case is a fresh interpreter (a subprocess, as a
user's shell starts one), timed from spawn to exit; prints the median of ``--repeat`` runs, its ratio to the
baseline ``python -c pass`` and the load average before and after (machines are noisy: read the ratios). The
package's bytecode is compiled first, as an installed copy has it. Also
lists the heavy modules each case imported (``python -X importtime``): ``--help`` should import none of them.

- ``python -c pass``: the baseline, the interpreter alone;
- ``modelcensus --help`` and ``modelcensus count --help``: the target is well under a second;
- ``import modelcensus.census``: what a command that reads the census pays on top, once (the store, Ibis,
  pandas, SciPy), for reference.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = (
    "ibis",
    "pandas",
    "numpy",
    "duckdb",
    "splink",
    "plotly",
    "matplotlib",
    "fastapi",
    "uvicorn",
    "scipy",
    "statsmodels",
    "pyspark",
    "modelcensus.census",
)
"""What ``--help`` must not import (tests/test_startup.py checks the same list)."""

CASES = {
    "python -c pass (baseline)": ["-c", "pass"],
    "modelcensus --help": ["-m", "modelcensus", "--help"],
    "modelcensus count --help": ["-m", "modelcensus", "count", "--help"],
    "import modelcensus.census (the facade, for reference)": ["-c", "import modelcensus.census"],
}


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT / "src")}


def timed(args: list[str], repeat: int) -> float:
    """Median seconds from spawn to exit of ``python *args`` over ``repeat`` runs (one unmeasured run first)."""
    command = [sys.executable, *args]
    subprocess.run(command, env=_env(), capture_output=True, check=True)
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, env=_env(), capture_output=True, check=True)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def imported(args: list[str]) -> tuple[int, list[str]]:
    """How many modules ``python *args`` imports, and which of :data:`HEAVY` (``-X importtime`` on stderr)."""
    done = subprocess.run([sys.executable, "-X", "importtime", *args], env=_env(), capture_output=True, text=True)
    names = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    names.discard("package")  # the header line
    return len(names), sorted(h for h in HEAVY if h in names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from bench.bench_product import compile_bytecode

    compile_bytecode()  # timed as an installed copy starts (see there)
    load_before = os.getloadavg()[0]
    medians = {name: timed(case, args.repeat) for name, case in CASES.items()}
    load_after = os.getloadavg()[0]
    baseline = medians["python -c pass (baseline)"]
    print(f"median of {args.repeat} runs each; load average {load_before:.1f} before, {load_after:.1f} after\n")
    print("| case | median s | × baseline | modules imported | heavy modules imported |")
    print("|---|---|---|---|---|")
    for name, case in CASES.items():
        count, heavy = imported(case)
        print(
            f"| {name} | {medians[name]:.3f} | {medians[name] / baseline:.1f}× | {count} | "
            f"{', '.join(heavy) or 'none'} |"
        )
    help_median = medians["modelcensus --help"]
    print(f"\nmodelcensus --help: {help_median:.2f} s (target ≤ 0.5 s on an idle machine)")


if __name__ == "__main__":
    main()
