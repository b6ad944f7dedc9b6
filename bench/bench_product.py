"""Benchmark: the whole product at N synthetic Hub repos, against bare DuckDB measured in the same process tree.

Run: ``.venv/bin/python -m bench.bench_product`` (sizes 200,000, 1,000,000 and 2,000,000 repos), or a quick run
``--sizes 20000``. For each size it generates the listing (``bench/hub_synth.py``, kept in ``--work``), lays out a
build folder (the shared data's sources plus the listing) and times, each case in a fresh process so that its peak
memory (max RSS, DuckDB's included) is its own:

- ``bare DuckDB``: ``CREATE TABLE AS SELECT * FROM read_json(listing)`` into a new file (the baseline of ``build``),
  then on that table a group-by (repos and downloads per author: the baseline of a count) and a sorted page of 50
  rows of one author (the baseline of a page of models);
- ``build``: ``modelcensus build --from FOLDER`` through the library, each stage timed (the build's own stage report
  when it gives one, else the progress labels: every source read, then linkage and the census records);
- the API: every route of :data:`ROUTES` in a new app (its first, uncached answer: wall and CPU seconds) and again
  (its cached answer, median of 20); then, unless ``--no-load``, 50 concurrent clients against ``modelcensus serve``
  on 127.0.0.1 (``bench/bench_api.py``'s closed loops) on the cached count and pages of models: p95;
- the CLI as a user runs it: ``count --definition`` for every preset, ``check examples/claims.yaml``, ``report``
  and ``--help`` (start-up; the median of five), each a new process;
- with ``--spark``: the store exported to Parquet (``Census.export``), a local Spark session started (the JVM's
  start timed apart) and the same figures answered on Spark beside DuckDB's, each engine's first answer.

Prints one table per size and the growth curve (seconds and peak MiB against N, with the exponent between
successive sizes: above 1.2 a stage grows faster than the data), and writes them as Markdown to ``--out``
(``docs/benchmarks-product.md``). Machines are noisy and shared: read the ratios, and the load average printed
with them.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
TRENDING = SHARED / "hf_hub_starscreener" / "huggingface-trending_2026-05-04.json"
SOURCES = (
    "epoch_ai",
    "openrouter",
    "litellm",
    "lmarena_arena_catalog",
    "lmarena_history_nakasyou",
    "china_llm_lists",
    "cac_filings_partial",
    "reference",
)
"""The shared data's source folders a build reads beside the synthetic listing (the trending sample is left out:
the listing stands for the Hub)."""
ROUTES = (
    "/api/health",
    "/api/count?source=huggingface&by=country",
    "/api/count?source=huggingface&by=country&metric=downloads&attribution=lineage",
    "/api/count?by=country",
    "/api/count?definition=all-sources",
    "/api/count?definition=hub-originals",
    "/api/models?source=huggingface&country=US&limit=50",
    "/api/models?definition=hub-derivatives&country=CN&limit=50",
    "/api/models?definition=all-sources&limit=50",
    "/api/models?country=CN&limit=50",
    "/api/sources",
    "/api/definitions",
    "/api/definitions/all-sources",
    "/api/frontier",
    "/api/trend",
    "/api/vintages",
    "/api/lag",
    "/api/estimate",
    "/api/cac/series",
    "/api/cac/filings?limit=50",
    "/api/claims",
    "/api/cac/totals",
    "/api/cac/unresolved",
    "/api/estimate/link-errors?definition=all-sources&country=CN",
    "/api/new",
    "/api/models/epoch:GPT-4",
    "/api/countries/CN",
    "/api/organizations/DeepSeek",
    "/api/dashboard",
    "/api/dashboard/vintages",
    "/feeds/new.atom",
    "/",
)
LOAD_ROUTES = {
    "/api/count (Hub, by country)": ["/api/count?source=huggingface&by=country"],
    "/api/models (Hub, US, 10 pages)": [
        f"/api/models?source=huggingface&country=US&limit=100&offset={page}00" for page in range(10)
    ],
}
SPARK_FIGURES = (
    ("count_hub(by=country)", "count_hub", {"by": "country"}),
    ("count_hub(lineage, downloads)", "count_hub", {"by": "country", "metric": "downloads", "attribution": "lineage"}),
    ("count(by=country)", "count", {"by": "country"}),
    ("count_definition(all-sources)", "count_definition", {"name": "all-sources"}),
    ("count_definition(hub-originals)", "count_definition", {"name": "hub-originals"}),
    ("count_definition(hub-derivatives)", "count_definition", {"name": "hub-derivatives"}),
)


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- the cases, each run in a fresh process (``--case NAME JSON``) ----------------------------------------------


def case_bare(listing: str, work: str) -> dict[str, Any]:
    import duckdb

    db = Path(work) / "bare.duckdb"
    db.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    start = time.perf_counter()
    con.execute(f"CREATE TABLE listing AS SELECT * FROM read_json('{listing}')")
    read = time.perf_counter() - start
    rows = con.execute("SELECT count(*) FROM listing").fetchall()[0][0]
    start = time.perf_counter()
    con.execute(
        "SELECT author, count(*) AS repos, sum(downloads) AS downloads FROM listing GROUP BY author ORDER BY 3 DESC"
    ).fetchall()
    group_by = time.perf_counter() - start
    start = time.perf_counter()
    con.execute("SELECT * FROM listing WHERE author = 'user1' ORDER BY id LIMIT 50").fetchall()
    page = time.perf_counter() - start
    con.close()
    db.unlink()
    return {"read_json": read, "group_by": group_by, "page": page, "rows": rows, "peak_mib": _peak_mib()}


def case_build(folder: str, db: str) -> dict[str, Any]:
    import modelcensus as mc
    from modelcensus import linking
    from modelcensus.ingest import loaders

    for stale in Path(db).parent.glob(Path(db).name + "*"):
        stale.unlink()
    stages: dict[str, float] = {}
    depth = [0]

    def timed(label: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            depth[0] += 1
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                depth[0] -= 1
                if depth[0] == 0:  # a stage inside another is the outer one's time
                    stages[label] = stages.get(label, 0.0) + time.perf_counter() - start

        return call

    # without a stage report of the build's own, its stages are timed from outside: each source's ingest (parse,
    # checks, store, Hub attribution and lineage), the linkage, the census records behind definitions
    for name in dir(loaders.Loader):
        if name.startswith("ingest_"):
            setattr(
                loaders.Loader, name, timed(name.removeprefix("ingest_") + ": ingest", getattr(loaders.Loader, name))
            )
    for name, label in (("links", "linkage"), ("ensure_population", "census records")):
        if hasattr(linking.Linker, name):
            setattr(linking.Linker, name, timed(label, getattr(linking.Linker, name)))
    start, cpu = time.perf_counter(), time.process_time()
    report = mc.build(folder, db=db)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    own = getattr(report, "stages", None)  # the build's stage report, when it gives one
    if own:
        stages = {str(k): float(v) for k, v in dict(own).items()}
    else:
        stages["the rest (discovery, registry, writes)"] = seconds - sum(stages.values())
    return {
        "seconds": seconds,
        "cpu": cpu,
        "stages": stages,
        "canonical_models": report.canonical_models,
        "peak_mib": _peak_mib(),
    }


def case_api(db: str, routes: list[str]) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from modelcensus.outputs.api.app import create_app
    from modelcensus.outputs.common.heap import freeze_long_lived

    TestClient(create_app(Path(db), timeout_s=3600)).get("/api/health")  # imports and first connection: start-up
    freeze_long_lived(server=True)  # as `serve` does once its app is made
    out: dict[str, Any] = {}
    for route in routes:
        client = TestClient(create_app(Path(db), timeout_s=3600))
        start, cpu = time.perf_counter(), time.process_time()
        response = client.get(route)
        first, first_cpu = time.perf_counter() - start, time.process_time() - cpu
        cached = []
        for _ in range(20):
            start = time.perf_counter()
            client.get(route)
            cached.append(time.perf_counter() - start)
        out[route] = {
            "status": response.status_code,
            "first": first,
            "first_cpu": first_cpu,
            "cached": statistics.median(cached),
            "bytes": len(response.content),
        }
    return {"routes": out, "peak_mib": _peak_mib()}


def case_cli(args: list[str]) -> dict[str, Any]:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "modelcensus", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = {"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime, "peak_mib": usage.ru_maxrss / 1024}
    if done.returncode != 0:
        out["error"] = done.stderr.strip().splitlines()[-1:]
    return out


def case_load(db: str, clients: int, requests: int) -> dict[str, Any]:
    from bench.bench_api import free_port, load, p95, wait_ready, warm

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = "from modelcensus.outputs.cli.app import main; main()"
    options = ["--db", db, "--port", str(port), "--timeout", "1800"]
    server = subprocess.Popen([sys.executable, "-c", command, "serve", *options], cwd=ROOT, stdout=subprocess.DEVNULL)
    out: dict[str, Any] = {}
    try:
        wait_ready(base, server)
        for label, urls in {"/api/health (baseline)": ["/api/health"], **LOAD_ROUTES}.items():
            warm(base, urls, 1)
            load(port, urls, clients, 2, 2)
            latencies, seconds = load(port, urls, clients, requests, 2)
            out[label] = {
                "p95": p95(latencies),
                "median": statistics.median(latencies),
                "rps": len(latencies) / seconds,
            }
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {"load": out, "clients": clients}


def case_spark(db: str, export: str) -> dict[str, Any]:
    import shutil

    import modelcensus as mc
    from modelcensus.engines.spark import spark_session

    out: dict[str, Any] = {}
    shutil.rmtree(export, ignore_errors=True)
    start = time.perf_counter()
    with mc.open(db, read_only=True) as census:
        census.export(Path(export), "parquet")
    out["export"] = time.perf_counter() - start
    start = time.perf_counter()
    session = spark_session()
    out["jvm_start"] = time.perf_counter() - start
    times: dict[str, dict[str, float]] = {}
    for engine in ("duckdb", "spark"):
        opened = (
            mc.open(db, read_only=True)
            if engine == "duckdb"
            else mc.open(export, engine="spark", spark_session=session)
        )
        with opened as census:
            for label, method, kwargs in SPARK_FIGURES:
                start = time.perf_counter()
                getattr(census, method)(**kwargs)
                times.setdefault(label, {})[engine] = time.perf_counter() - start
    session.stop()
    out["figures"] = times
    return out


CASES: dict[str, Callable[..., dict[str, Any]]] = {
    "bare": case_bare,
    "build": case_build,
    "api": case_api,
    "cli": case_cli,
    "load": case_load,
    "spark": case_spark,
}


def run_case(name: str, *args: Any) -> dict[str, Any]:
    """Run a case in a fresh process; its answer is the last line of its output (JSON)."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_product", "--case", name, json.dumps(args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])},
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
    result: dict[str, Any] = json.loads(lines[-1])
    return result


# -- the run ------------------------------------------------------------------------------------------------------


def start_up(runs: int = 5) -> dict[str, Any]:
    """``modelcensus --help``, the median of ``runs`` new processes: one start is too short to time alone on a noisy
    machine (its runs are listed beside it)."""
    done = [run_case("cli", ["--help"]) for _ in range(runs)]
    failed = [d for d in done if "error" in d]
    if failed:
        return failed[0]
    middle = sorted(done, key=lambda d: d["seconds"])[runs // 2]
    return {**middle, "runs": sorted(d["seconds"] for d in done)}


def prepare(n: int, work: Path) -> tuple[Path, Path]:
    """The listing of ``n`` synthetic repos and a build folder with it and the shared sources."""
    from bench.hub_synth import generate

    listing = work / f"hub-{n}.jsonl"
    if not listing.exists():
        print(f"generating {n:,} synthetic repos into {listing} …", file=sys.stderr, flush=True)
        generate(TRENDING, listing, n)
    folder = work / f"data-{n}"
    folder.mkdir(parents=True, exist_ok=True)
    for name in SOURCES:
        link = folder / name
        if not link.exists():
            link.symlink_to(SHARED / name)
    if not (folder / listing.name).exists():
        (folder / listing.name).symlink_to(listing)
    return listing, folder


def compile_bytecode() -> None:
    """Compile the package's bytecode before anything is timed, as installing a wheel does and as a user's first start
    does: an editable checkout under ``PYTHONDONTWRITEBYTECODE`` (this machine's setting) would otherwise compile every
    module it imports at every start (45 ms of ``--help`` in a slow hour), which no installed copy does."""
    import compileall

    import modelcensus

    compileall.compile_dir(Path(modelcensus.__file__).parent, quiet=1)


def measure(n: int, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    listing, folder = prepare(n, work)
    db = work / f"census-{n}.duckdb"
    say = lambda what: print(f"[{n:,}] {what} …", file=sys.stderr, flush=True)  # noqa: E731
    result: dict[str, Any] = {"n": n, "load_before": os.getloadavg()}
    say("bare DuckDB")
    result["bare"] = run_case("bare", str(listing), str(work))
    if args.reuse and db.exists():
        result["build"] = json.loads((work / f"build-{n}.json").read_text())
    else:
        say("build")
        result["build"] = run_case("build", str(folder), str(db))
        (work / f"build-{n}.json").write_text(json.dumps(result["build"]))
    if "error" in result["build"]:
        return result
    say("API routes")
    result["api"] = run_case("api", str(db), list(ROUTES))
    if not args.no_load:
        say(f"{args.clients} clients")
        result["load"] = run_case("load", str(db), args.clients, args.requests)
    say("CLI")
    from modelcensus.definitions import load_definitions

    cli: dict[str, Any] = {"--help": start_up()}
    for name in load_definitions():
        cli[f"count --definition {name}"] = run_case(
            "cli", ["count", "--definition", name, "--format", "json", "--db", str(db)]
        )
    cli["check examples/claims.yaml"] = run_case(
        "cli", ["check", "examples/claims.yaml", "--format", "json", "--db", str(db)]
    )
    cli["report"] = run_case("cli", ["report", "--out", str(work / f"report-{n}"), "--db", str(db)])
    result["cli"] = cli
    say("re-ingest a changed listing")
    result["reingest"] = reingest(n, work, listing, db)
    if args.spark:
        say("Spark")
        result["spark"] = run_case("spark", str(db), str(work / f"export-{n}"))
    result["load_after"] = os.getloadavg()
    return result


def reingest(n: int, work: Path, listing: Path, db: Path) -> dict[str, Any]:
    """``modelcensus ingest huggingface`` of the next harvest of the listing (:func:`bench.hub_synth.next_harvest`)
    into a copy of the built store, as a new process: parse, store, attribute, link its new records and store the
    census records, as every ``ingest`` ends."""
    import shutil

    from bench.hub_synth import next_harvest

    following = work / f"hub-{n}-next.jsonl"
    counts_file = work / f"hub-{n}-next.json"
    if not following.exists() or not counts_file.exists():
        counts_file.write_text(json.dumps(next_harvest(listing, following)))
    copy = work / f"census-{n}-reingest.duckdb"
    shutil.copyfile(db, copy)
    try:
        done = run_case("cli", ["ingest", "huggingface", "--from", str(following), "--db", str(copy)])
    finally:
        for leftover in copy.parent.glob(copy.name + "*"):
            leftover.unlink()
    return {**done, "counts": json.loads(counts_file.read_text())}


# -- the tables ---------------------------------------------------------------------------------------------------


def _s(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    return f"{seconds * 1e3:,.0f} ms" if seconds < 1 else f"{seconds:,.1f} s"


def _x(value: float | None, base: float | None) -> str:
    return f"{value / base:,.1f}×" if value is not None and base else "–"


def tables(r: dict[str, Any]) -> list[str]:
    """The Markdown of one size."""
    bare, build = r["bare"], r["build"]
    lines = [
        f"### {r['n']:,} synthetic Hub repos",
        "",
        f"Load average before: {', '.join(f'{x:.1f}' for x in r['load_before'])}; after: "
        + ", ".join(f"{x:.1f}" for x in r.get("load_after", ())),
        "",
        "| case | time | peak MiB | × bare DuckDB |",
        "|---|---|---|---|",
    ]
    if "error" in bare:
        lines.append(f"| bare DuckDB | failed: {bare['error']} | | |")
        bare = {}
    else:
        lines += [
            f"| bare DuckDB: read_json of the listing (baseline of build) | {_s(bare['read_json'])} "
            f"| {bare['peak_mib']:,.0f} | 1.0× |",
            f"| bare DuckDB: group-by author (baseline of a count) | {_s(bare['group_by'])} | | 1.0× |",
            f"| bare DuckDB: a sorted page of 50 (baseline of a page) | {_s(bare['page'])} | | 1.0× |",
        ]
    if "error" in build:
        lines.append(f"| build | failed: {build['error']} | | |")
        return lines
    lines.append(
        f"| **build** ({build['canonical_models']:,} canonical models; CPU {_s(build.get('cpu'))}) "
        f"| {_s(build['seconds'])} | {build['peak_mib']:,.0f} | {_x(build['seconds'], bare.get('read_json'))} |"
    )
    for stage, seconds in build["stages"].items():
        lines.append(f"| build: {stage} | {_s(seconds)} | | {_x(seconds, bare.get('read_json'))} |")
    api = r.get("api", {})
    if "routes" in api:
        lines += [
            "",
            f"API, in process (peak {api['peak_mib']:,.0f} MiB): the first answer of a new app, and the cached one "
            "(median of 20); × the bare group-by (counts) or page (models)",
            "",
            "| route | status | first | first, CPU | cached | × bare |",
            "|---|---|---|---|---|---|",
        ]
        for route, a in api["routes"].items():
            base = bare.get("page") if route.startswith("/api/models") else bare.get("group_by")
            lines.append(
                f"| `{route}` | {a['status']} | {_s(a['first'])} | {_s(a['first_cpu'])} | {a['cached'] * 1e3:.1f} ms "
                f"| {_x(a['first'], base)} |"
            )
    elif api:
        lines.append(f"| API | failed: {api.get('error')} | | |")
    if "load" in r.get("load", {}):
        lines += ["", f"{r['load']['clients']} concurrent clients (`modelcensus serve`, cached answers)", ""]
        lines += ["| route | median | p95 | req/s |", "|---|---|---|---|"]
        for label, m in r["load"]["load"].items():
            lines.append(f"| {label} | {m['median'] * 1e3:.1f} ms | {m['p95'] * 1e3:.1f} ms | {m['rps']:,.0f} |")
    if r.get("cli"):
        lines += ["", "The CLI, each a new process (start-up included)", ""]
        lines += ["| command | time | CPU | peak MiB | × bare group-by |", "|---|---|---|---|---|"]
        for command, c in r["cli"].items():
            if "error" in c:
                lines.append(f"| `{command}` | failed: {c['error']} | | | |")
            else:
                times = _x(c["seconds"], bare.get("group_by"))
                cpu = _s(c.get("cpu"))
                runs = f" (median of {', '.join(_s(t) for t in c['runs'])})" if "runs" in c else ""
                lines.append(f"| `{command}` | {_s(c['seconds'])}{runs} | {cpu} | {c['peak_mib']:,.0f} | {times} |")
    again = r.get("reingest")
    if again:
        c = again.get("counts", {})
        lines += [
            "",
            "Re-ingesting a changed listing (`ingest huggingface` of the next harvest into a copy of the store, a new "
            f"process: {c.get('changed', 0):,} repos with new downloads, {c.get('gone', 0):,} gone, "
            f"{c.get('new', 0):,} new; parse, store, attribute, link the new records, census records)",
            "",
            "| case | time | CPU | peak MiB | × bare read_json |",
            "|---|---|---|---|---|",
        ]
        if "error" in again:
            lines.append(f"| re-ingest | failed: {again['error']} | | | |")
        else:
            lines.append(
                f"| re-ingest | {_s(again['seconds'])} | {_s(again.get('cpu'))} | {again['peak_mib']:,.0f} "
                f"| {_x(again['seconds'], bare.get('read_json'))} |"
            )
    spark = r.get("spark")
    if spark and "figures" in spark:
        lines += [
            "",
            f"Spark (local[2]): export to Parquet {_s(spark['export'])}, JVM start {_s(spark['jvm_start'])}; each "
            "engine's first answer after that",
            "",
            "| figure | DuckDB | Spark | Spark ÷ DuckDB |",
            "|---|---|---|---|",
        ]
        for label, t in spark["figures"].items():
            lines.append(f"| {label} | {_s(t['duckdb'])} | {_s(t['spark'])} | {_x(t['spark'], t['duckdb'])} |")
    elif spark:
        lines.append(f"\nSpark failed: {spark.get('error')}")
    return lines


def growth(results: list[dict[str, Any]]) -> list[str]:
    """Seconds and peak MiB against N, with the exponent between successive sizes."""
    if len(results) < 2:
        return []
    series: dict[str, list[tuple[float | None, float | None]]] = {}

    def add(label: str, r: dict[str, Any], seconds: float | None, mib: float | None) -> None:
        series.setdefault(label, [(None, None)] * len(results))[results.index(r)] = (seconds, mib)

    for r in results:
        add("bare read_json", r, r["bare"].get("read_json"), r["bare"].get("peak_mib"))
        add("bare group-by", r, r["bare"].get("group_by"), None)
        b = r["build"]
        if "error" not in b:
            add("build", r, b["seconds"], b["peak_mib"])
            for stage, seconds in b["stages"].items():
                add(f"build: {stage}", r, seconds, None)
        for route, a in r.get("api", {}).get("routes", {}).items():
            add(f"first `{route}`", r, a["first"], None)
        for command, c in r.get("cli", {}).items():
            add(f"`{command}`", r, c.get("seconds"), c.get("peak_mib"))
    sizes = [r["n"] for r in results]
    head = " | ".join(f"{n:,}" for n in sizes)
    lines = [
        "### Growth with N",
        "",
        "Seconds (peak MiB) at each size; the exponent k of time ∝ N^k between successive sizes (1: linear; above "
        "1.2, marked, a stage grows faster than the data).",
        "",
        f"| case | {head} | exponent |",
        "|---|" + "---|" * len(sizes) + "---|",
    ]
    for label, points in series.items():
        cells = ["–" if s is None else f"{_s(s)}" + (f" ({m:,.0f} MiB)" if m else "") for s, m in points]
        ks = []
        for (s1, _), (s2, _), n1, n2 in zip(points, points[1:], sizes, sizes[1:], strict=False):
            if s1 and s2 and s1 > 0.05:
                k = math.log(s2 / s1) / math.log(n2 / n1)
                ks.append(f"**{k:.2f}**" if k > 1.2 else f"{k:.2f}")
        lines.append(f"| {label} | {' | '.join(cells)} | {', '.join(ks) or '–'} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("args", nargs="?", help=argparse.SUPPRESS)
    parser.add_argument("--sizes", default="200000,1000000,2000000", help="comma-separated repo counts")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "modelcensus-bench-product")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks-product.md")
    parser.add_argument("--spark", action="store_true", help="also answer the figures on Spark (needs Java 17)")
    parser.add_argument("--no-load", action="store_true", help="skip the concurrent clients")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=40, help="requests per client per route under load")
    parser.add_argument("--reuse", action="store_true", help="reuse a store built by an earlier run (no build)")
    args = parser.parse_args()
    if args.case:
        print(json.dumps(CASES[args.case](*json.loads(args.args))))
        return
    args.work.mkdir(parents=True, exist_ok=True)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s]
    results: list[dict[str, Any]] = []
    compile_bytecode()
    for n in sizes:
        results.append(measure(n, args.work, args))
        (args.work / "results.json").write_text(json.dumps(results, indent=1))
    lines = [
        "# The whole product at scale",
        "",
        f"`python -m bench.bench_product --sizes {args.sizes}{' --spark' if args.spark else ''}` on "
        f"{date.today().isoformat()}: {os.cpu_count()} cores, Python {sys.version.split()[0]}. Synthetic Hub "
        "listings of `bench/hub_synth.py` (fitted on the shared real listing) beside the shared data's sources. "
        "Each case ran in a new process; its peak memory is its own. The machine is shared: read the ratios to "
        "bare DuckDB, measured in the same run.",
        "",
    ]
    for r in results:
        lines += [*tables(r), ""]
    lines += growth(results)
    text = "\n".join(lines) + "\n"
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"written to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
