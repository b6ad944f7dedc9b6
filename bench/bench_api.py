"""Benchmark: the JSON API under 50 concurrent clients, on a census of 2,000,000 synthetic Hub records.

Run: ``.venv/bin/python -m bench.bench_api``. It builds the census once (the synthetic listing of
``bench/hub_synth.py``, ingested as ``bench/bench_hub.py`` does, plus the real Epoch export) and reuses it
from the cache folder, starts ``uvicorn`` on 127.0.0.1 in a subprocess, warms each route once (the first,
uncached answer is reported apart), then runs the clients against:

- ``/api/health`` (baseline: no query, the cost of HTTP, routing and the client itself);
- ``/api/count?source=huggingface&by=country`` (a Hub count by country: a cached figure);
- ``/api/models?source=huggingface&country=US`` (the repos behind it, ten different pages of 100).

Prints median and p95 latency per route and their ratio to the baseline; the target is p95 < 50 ms for
``/api/count``. Also reports the bare in-process Census call, uncached, for reference.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
TRENDING = SHARED / "hf_hub_starscreener" / "huggingface-trending_2026-05-04.json"
EPOCH = SHARED / "epoch_ai" / "2026-03-30_cset_zip"
COUNT = "/api/count?source=huggingface&by=country"
MODELS = "/api/models?source=huggingface&country=US&limit=100&offset={page}00"


def build(rows: int, cache: Path) -> Path:
    """The bench census (reused when present): ``rows`` synthetic Hub repos and the real Epoch export."""
    import modelcensus as mc
    from bench.hub_synth import generate

    db = cache / f"census-{rows}.duckdb"
    if db.exists():
        return db
    cache.mkdir(parents=True, exist_ok=True)
    listing = Path(tempfile.gettempdir()) / f"modelcensus-hub-{rows}.jsonl"
    if not listing.exists():
        print(f"generating {rows:,} synthetic repos into {listing} …", file=sys.stderr)
        generate(TRENDING, listing, rows)
    print(f"building {db} …", file=sys.stderr)
    start = time.perf_counter()
    with mc.open(db) as census:
        census.ingest_epoch(EPOCH)
        census.ingest_huggingface(listing)
    print(f"  built in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return db


def serve(db: Path, port: int) -> None:
    import uvicorn

    from modelcensus.outputs.api import create_app

    uvicorn.run(create_app(db, timeout_s=600), host="127.0.0.1", port=port, log_level="warning")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(base: str, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with code {server.returncode}")
        try:
            if httpx.get(base + "/api/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError("the server did not answer /api/health in time")


async def load(base: str, urls: list[str], clients: int, per_client: int) -> list[float]:
    """``clients`` concurrent clients, each with its own connection, ``per_client`` requests each."""
    latencies: list[float] = []

    async def client(number: int) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=120) as http:
            for i in range(per_client):
                url = urls[(number + i) % len(urls)]
                start = time.perf_counter()
                response = await http.get(url)
                latencies.append(time.perf_counter() - start)
                if response.status_code != 200:
                    raise RuntimeError(f"{url}: {response.status_code} {response.text[:200]}")

    await asyncio.gather(*(client(n) for n in range(clients)))
    return latencies


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "modelcensus-bench-api")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=40, help="requests per client per route")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port)
        return
    db = build(args.rows, args.cache)

    import modelcensus as mc

    with mc.open(db, read_only=True) as census:
        start = time.perf_counter()
        census.count_hub(by="country")
        bare = time.perf_counter() - start

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.bench_api", "--serve", str(db), "--port", str(port)], cwd=ROOT
    )
    try:
        wait_ready(base, server)
        cold: dict[str, float] = {}
        for label, url in (("count", COUNT), ("models", MODELS.format(page=0))):
            start = time.perf_counter()
            httpx.get(base + url, timeout=600).raise_for_status()
            cold[label] = time.perf_counter() - start
        cases = [
            ("/api/health (baseline)", ["/api/health"]),
            ("/api/count (Hub, by country)", [COUNT]),
            ("/api/models (Hub, US, 10 pages)", [MODELS.format(page=p) for p in range(10)]),
        ]
        results = []
        for label, urls in cases:
            start = time.perf_counter()
            latencies = asyncio.run(load(base, urls, args.clients, args.requests))
            results.append((label, latencies, time.perf_counter() - start))
    finally:
        server.terminate()
        server.wait(timeout=30)

    base_median = statistics.median(results[0][1])
    base_p95 = p95(results[0][1])
    print(
        f"API on {args.rows:,} synthetic Hub repos + Epoch's export; {args.clients} concurrent clients × "
        f"{args.requests} requests per route; uvicorn, one process, 127.0.0.1"
    )
    header = ("route", "requests", "median ms", "p95 ms", "× base med", "× base p95", "req/s")
    print(f"{header[0]:<34} " + " ".join(f"{h:>10}" for h in header[1:]))
    for label, latencies, seconds in results:
        med, high = statistics.median(latencies), p95(latencies)
        print(
            f"{label:<34} {len(latencies):>10} {med * 1e3:>10.1f} {high * 1e3:>10.1f} {med / base_median:>9.2f}x "
            f"{high / base_p95:>9.2f}x {len(latencies) / seconds:>10.0f}"
        )
    print()
    print(
        f"first (uncached) answer: /api/count {cold['count'] * 1e3:,.0f} ms, /api/models {cold['models'] * 1e3:,.0f} ms"
    )
    print(f"bare in-process Census.count_hub(by=country), uncached: {bare * 1e3:,.0f} ms")
    count_p95 = p95(results[1][1]) * 1e3
    print(f"/api/count p95: {count_p95:.1f} ms (target < 50 ms): {'met' if count_p95 < 50 else 'NOT met'}")


if __name__ == "__main__":
    main()
