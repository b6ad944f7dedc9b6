"""Benchmark: the JSON API under 50 concurrent clients, on a census of 2,000,000 synthetic Hub records.

Run: ``.venv/bin/python -m bench.bench_api``. It builds the census once (the synthetic listing of
``bench/hub_synth.py``, ingested as ``bench/bench_hub.py`` does, plus the real Epoch export) and reuses it
from the cache folder, starts ``modelcensus serve`` on 127.0.0.1 in a subprocess (``--workers``), warms
each route (the first, uncached answer is reported apart), then runs the clients against:

- ``/api/health`` (baseline: no query, the cost of HTTP, FastAPI's routing and the client itself);
- ``/api/count?source=huggingface&by=country`` (a Hub count by country: a cached figure);
- ``/api/models?source=huggingface&country=US`` (the repos behind it, ten different pages of 100).

The clients are closed loops (one request in flight each, on its own keep-alive connection), spread over
``--processes`` client processes that speak HTTP/1.1 over asyncio streams, so that one Python process
parsing responses is not what is measured. Their latencies are merged. Prints median and p95 latency per
route, their ratio to the baseline and the load average; the target is p95 < 50 ms for ``/api/count``.
Also reports the bare in-process Census call, uncached, for reference.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

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


async def _closed_loop(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, requests: list[bytes], latencies: list[float]
) -> None:
    """One client: a request, its whole answer, the next request, on one keep-alive connection."""
    for request in requests:
        start = time.perf_counter()
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        status = head.split(b" ", 2)[1]
        length = None
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if length is None:
            raise RuntimeError(f"no content-length in the answer to {request!r}: {head!r}")
        body = await reader.readexactly(length)
        latencies.append(time.perf_counter() - start)
        if status != b"200":
            raise RuntimeError(f"{request.split(b' ')[1].decode()}: {status.decode()} {body[:200]!r}")


async def _clients(port: int, requests: list[list[bytes]], barrier: Barrier) -> list[float]:
    connections = [await asyncio.open_connection("127.0.0.1", port) for _ in requests]
    barrier.wait()  # every process connected: start together
    latencies: list[float] = []
    pairs = zip(connections, requests, strict=True)
    await asyncio.gather(*(_closed_loop(reader, writer, mine, latencies) for (reader, writer), mine in pairs))
    for _, writer in connections:
        writer.close()
    return latencies


def _client_process(
    port: int, requests: list[list[bytes]], barrier: Barrier, results: multiprocessing.Queue[Any]
) -> None:
    """A client process: its share of the clients on one event loop (uvloop's when installed)."""
    loop_factory: Callable[[], asyncio.AbstractEventLoop] = asyncio.new_event_loop
    with contextlib.suppress(ImportError):  # uvloop is a dependency; the plain loop stands in without it
        import uvloop

        loop_factory = uvloop.new_event_loop
    try:
        with asyncio.Runner(loop_factory=loop_factory) as runner:
            results.put(("ok", runner.run(_clients(port, requests, barrier))))
    except Exception as exc:  # the parent reports it
        barrier.abort()
        results.put(("error", f"{type(exc).__name__}: {exc}"))


def load(port: int, urls: list[str], clients: int, per_client: int, processes: int) -> tuple[list[float], float]:
    """``clients`` concurrent closed-loop clients over ``processes`` processes, ``per_client`` requests each:
    every latency, and the wall time from the common start to the last answer."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(processes + 1)
    results: multiprocessing.Queue[Any] = context.Queue()
    plans = [
        [
            f"GET {urls[(n + i) % len(urls)]} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
            for i in range(per_client)
        ]
        for n in range(clients)
    ]
    workers = [
        context.Process(target=_client_process, args=(port, plans[k::processes], barrier, results), daemon=True)
        for k in range(processes)
    ]
    for worker in workers:
        worker.start()
    with contextlib.suppress(threading.BrokenBarrierError):
        barrier.wait(timeout=120)  # broken when a client process failed: its error is on the queue
    start = time.perf_counter()
    latencies: list[float] = []
    errors: list[str] = []
    for _ in workers:
        kind, value = results.get(timeout=1800)
        if kind == "ok":
            latencies.extend(value)
        else:
            errors.append(value)
    seconds = time.perf_counter() - start
    for worker in workers:
        worker.join(timeout=30)
    if errors:
        raise RuntimeError("; ".join(errors))
    return latencies, seconds


def warm(base: str, urls: list[str], workers: int) -> float:
    """Ask for every URL until each server worker has it cached: with several workers a connection lands on
    any of them, so fresh connections ask until 10 in a row answer fast. The first answer's seconds."""
    first = 0.0
    fast_in_a_row = 0
    while fast_in_a_row < (10 if workers > 1 else 1):
        start = time.perf_counter()
        for url in urls:
            httpx.get(base + url, timeout=1800).raise_for_status()
        seconds = time.perf_counter() - start
        first = first or seconds
        fast_in_a_row = fast_in_a_row + 1 if seconds < 1 else 0
    return first


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "modelcensus-bench-api")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=200, help="requests per client per route")
    parser.add_argument("--processes", type=int, default=2, help="client processes the clients are spread over")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes (serve --workers)")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare in-process Census call")
    args = parser.parse_args()
    db = build(args.rows, args.cache)

    bare = None
    if not args.no_bare:
        import modelcensus as mc

        with mc.open(db, read_only=True) as census:
            start = time.perf_counter()
            census.count_hub(by="country")
            bare = time.perf_counter() - start

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = "from modelcensus.outputs.cli.app import main; main()"
    options = ["--db", str(db), "--port", str(port), "--timeout", "1800", "--workers", str(args.workers)]
    # the server's stdout is DuckDB's progress bar on the first answers; its errors go to stderr
    server = subprocess.Popen([sys.executable, "-c", command, "serve", *options], cwd=ROOT, stdout=subprocess.DEVNULL)
    try:
        wait_ready(base, server)
        models = [MODELS.format(page=p) for p in range(10)]
        cold = {"count": warm(base, [COUNT], args.workers), "models": warm(base, models, args.workers)}
        cases = [
            ("/api/health (baseline)", ["/api/health"]),
            ("/api/count (Hub, by country)", [COUNT]),
            ("/api/models (Hub, US, 10 pages)", models),
        ]
        results = []
        load_before = os.getloadavg()
        for label, urls in cases:
            load(port, urls, args.clients, 2, args.processes)  # connections and client processes warmed up
            latencies, seconds = load(port, urls, args.clients, args.requests, args.processes)
            results.append((label, latencies, seconds))
        load_after = os.getloadavg()
    finally:
        server.terminate()
        server.wait(timeout=30)

    base_median = statistics.median(results[0][1])
    base_p95 = p95(results[0][1])
    print(
        f"API on {args.rows:,} synthetic Hub repos + Epoch's export; {args.clients} concurrent closed-loop clients "
        f"in {args.processes} processes × {args.requests} requests per route; modelcensus serve --workers "
        f"{args.workers} (uvicorn), 127.0.0.1, {os.cpu_count()} cores"
    )
    print(
        "load average (1, 5, 15 min) before: "
        + ", ".join(f"{x:.2f}" for x in load_before)
        + "; after: "
        + ", ".join(f"{x:.2f}" for x in load_after)
    )
    print()
    print("| route | requests | median ms | p95 ms | × baseline median | × baseline p95 | req/s |")
    print("|---|---|---|---|---|---|---|")
    for label, latencies, seconds in results:
        med, high = statistics.median(latencies), p95(latencies)
        print(
            f"| {label} | {len(latencies):,} | {med * 1e3:.1f} | {high * 1e3:.1f} | {med / base_median:.2f}× "
            f"| {high / base_p95:.2f}× | {len(latencies) / seconds:,.0f} |"
        )
    print()
    print(
        f"first (uncached) answer: /api/count {cold['count'] * 1e3:,.0f} ms, "
        f"/api/models (10 pages) {cold['models'] * 1e3:,.0f} ms"
    )
    if bare is not None:
        print(f"bare in-process Census.count_hub(by=country), uncached: {bare * 1e3:,.0f} ms")
    count_p95 = p95(results[1][1]) * 1e3
    print(f"/api/count p95: {count_p95:.1f} ms (target < 50 ms): {'met' if count_p95 < 50 else 'NOT met'}")


if __name__ == "__main__":
    main()
