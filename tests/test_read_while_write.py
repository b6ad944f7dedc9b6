"""Reading while writing: a reader never sees a half-written census, only complete states.

A writer subprocess ingests a sequence of Hub listings (cut from the shared trending listing, alternating its
first and second half, each observed on another day, so every ingest changes the census) while this test keeps
opening the store read-only and computing several figures within one open, and keeps asking the API
(``/api/count`` through uvicorn on 127.0.0.1) for a figure. Every observation must equal one of the complete
states the same ingests produce when run one after another beforehand, never a mix.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

import modelcensus as mc
from modelcensus.outputs.api.app import create_app

STEPS = 6
API_QUERY = "/api/count?source=huggingface&by=country&metric=downloads&attribution=lineage"

# The writer: one process (imported once) running `modelcensus ingest huggingface --from LISTING --db DB` for
# each listing in turn, each a separate open → copy → ingest → publish.
WRITER = """
import sys
from modelcensus.outputs.cli.app import app
db, listings = sys.argv[1], sys.argv[2:]
print("ready", flush=True)
sys.stdin.readline()
for listing in listings:
    app(["ingest", "huggingface", "--from", listing, "--db", db], standalone_mode=False)
    print("published", listing, flush=True)
"""


def _observe(path: Path) -> tuple[Any, ...]:
    """Several figures read within one read-only open: repos, models, summed per-country downloads, fingerprint."""
    with mc.open(path, read_only=True) as census:
        hub = census.count_hub(by="country", metric="downloads", attribution="lineage").frame
        models = census.count(by="country", year=2024).frame
        return (
            int(hub["repos"].sum()),
            int(models["count"].sum()),
            round(float(hub["value"].sum())),
            census.store.fingerprint(),
        )


def _listings(trending_file: Path, folder: Path) -> list[Path]:
    """Alternating halves of the real listing, each observed a day later than the one before (with the
    downloads scaled per step)."""
    listing = json.loads(trending_file.read_text("utf-8"))
    models = listing["models"]
    halves = (models[: len(models) // 2], models[len(models) // 2 :])
    paths = []
    for step in range(STEPS):
        path = folder / f"listing-{step}.json"
        # Each observation also sees other download counts, so that every step moves the figures.
        models = [{**m, "downloads": (m.get("downloads") or 0) * (step + 2)} for m in halves[step % 2]]
        payload = {"fetchedAt": f"2026-05-{step + 5:02d}T00:00:00Z", "models": models}
        path.write_text(json.dumps(payload), encoding="utf-8")
        paths.append(path)
    return paths


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # a background thread cannot install them
        pass


@contextmanager
def _serve(db: Path) -> Iterator[str]:
    port = _free_port()
    server = _Server(uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_readers_see_only_complete_states(
    tmp_path: Path, small_epoch_census_path: Path, trending_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listings = _listings(trending_file, tmp_path)
    # The complete states, and the API's answer in each, from the same ingests run one after another.
    known: list[tuple[Any, ...]] = []
    answers: list[Any] = []
    rehearsal = tmp_path / "rehearsal.duckdb"
    shutil.copyfile(small_epoch_census_path, rehearsal)
    for step in range(STEPS + 1):
        if step:
            with mc.open(rehearsal) as census:
                census.ingest_huggingface(listings[step - 1])
        known.append(_observe(rehearsal))
        with TestClient(create_app(rehearsal)) as rehearsal_client:
            answers.append(rehearsal_client.get(API_QUERY).json())
    assert len({k[3] for k in known}) == STEPS + 1  # every ingest changes the census
    assert len({json.dumps(a) for a in answers}) == STEPS + 1

    db = tmp_path / "census.duckdb"
    shutil.copyfile(small_epoch_census_path, db)
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db), *map(str, listings)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None and writer.stdin is not None
    assert writer.stdout.readline().strip() == "ready"
    with _serve(db) as base, httpx.Client(base_url=base, timeout=60) as client:
        writer.stdin.write("go\n")
        writer.stdin.flush()
        seen: list[int] = []
        api_seen: list[int] = []
        api_problems: list[str] = []

        def poll_api() -> None:  # the API is asked on its own thread, as often as it answers
            while writer.poll() is None:
                response = client.get(API_QUERY)
                if response.status_code != 200:
                    api_problems.append(f"HTTP {response.status_code}: {response.text}")
                elif response.json() not in answers:
                    api_problems.append(f"a figure of no complete state: {response.text[:200]}")
                else:
                    api_seen.append(answers.index(response.json()))

        poller = threading.Thread(target=poll_api)
        poller.start()
        while writer.poll() is None:
            state = _observe(db)
            assert state in known, f"a reader saw a state no complete ingest produces: {state[:3]}"
            seen.append(known.index(state))
        poller.join()
        assert not api_problems, api_problems[:3]
        _, errors = writer.communicate()
        assert writer.returncode == 0, errors
        final = client.get(API_QUERY).json()
    assert final == answers[-1]
    assert _observe(db) == known[-1]
    assert seen == sorted(seen) and api_seen == sorted(api_seen)  # time only moves forward
    assert len(set(seen)) >= 2  # the reader did see the census change under it
    with capsys.disabled():
        print(
            f"\nread while write: {len(seen)} reads ({len(set(seen))} of {STEPS + 1} states seen), "
            f"{len(api_seen)} API answers ({len(set(api_seen))} states), all complete"
        )
