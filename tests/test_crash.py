"""Crash safety: an ingest SIGKILLed at any moment leaves the published store as it was, or as it would be.

Each trial starts ``modelcensus ingest huggingface --from <the shared trending listing>`` in a subprocess on a
copy of a store that holds the real Epoch export, and kills it after a seeded random delay spread over the
whole run (and a little past its end: a kill that comes after the run finished is a trial too). The store must
then open, hold exactly the state before or the state after the ingest (by fingerprint), and a re-run must end
exactly where an uninterrupted run ends, with nothing duplicated.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import modelcensus as mc
from modelcensus.store import WRITING_MARK

TRIALS = 20
SEED = 20260504

# The writer: `modelcensus ingest huggingface --from LISTING --db DB`, run through the CLI's own entry point in a
# process that has already imported everything, so that the clock (and the kill) covers the ingest itself, not
# Python's imports. It waits for a line on stdin before starting.
WORKER = """
import sys
import ibis
from modelcensus.outputs.cli.app import app
ibis.duckdb  # load the backend before the clock starts
print("ready", flush=True)
sys.stdin.readline()
app(sys.argv[1:])
"""


def _spawn(listing: Path, db: Path, tmp_path: Path) -> subprocess.Popen[str]:
    """A writer process, imported and waiting (call :func:`_go` to start its ingest)."""
    env = {**os.environ, "HOME": str(tmp_path / "home"), "MODELCENSUS_CACHE": str(tmp_path / "cache")}
    command = [sys.executable, "-c", WORKER, "ingest", "huggingface", "--from", str(listing), "--db", str(db)]
    return subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True
    )


def _go(process: subprocess.Popen[str]) -> None:
    assert process.stdout is not None and process.stdin is not None
    assert process.stdout.readline().strip() == "ready"
    process.stdin.write("go\n")
    process.stdin.flush()


def _fingerprint(path: Path) -> str:
    with mc.open(path, read_only=True) as census:
        return census.store.fingerprint()


def _state(path: Path, figures: bool = True) -> tuple[str, pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """Fingerprint, duplicate counts and two figures (the Epoch one unless ``figures`` is false: a Hub
    ingest leaves it alone), through a read-only open."""
    with mc.open(path, read_only=True) as census:
        con = census.store.con
        duplicates = {
            "models": con.execute(
                "SELECT count(*) FROM (SELECT export_id, model_key FROM models GROUP BY ALL HAVING count(*) > 1)"
            ).fetchall()[0][0],
            "hub_models": con.execute(
                "SELECT count(*) FROM (SELECT export_id, repo_id FROM hub_models GROUP BY ALL HAVING count(*) > 1)"
            ).fetchall()[0][0],
            "exports": con.execute("SELECT count(*) - count(DISTINCT export_id) FROM exports").fetchall()[0][0],
            "snapshots": con.execute(
                "SELECT count(*) FROM (SELECT snapshot_id, export_id FROM snapshots GROUP BY ALL HAVING count(*) > 1)"
            ).fetchall()[0][0],
        }
        models = census.count(by="country", year=2024).frame if figures else pd.DataFrame()
        hub = (
            census.count_hub(by="country", metric="downloads", attribution="lineage").frame
            if not census.sources().query("source == 'huggingface'").empty
            else pd.DataFrame()
        )
        return census.store.fingerprint(), models, hub, duplicates


@pytest.fixture(scope="module")
def base_store(tmp_path_factory: pytest.TempPathFactory, epoch_census_path: Path) -> Path:
    path = tmp_path_factory.mktemp("crash") / "base.duckdb"
    shutil.copyfile(epoch_census_path, path)
    return path


def test_sigkill_at_any_moment_leaves_before_or_after(
    tmp_path: Path, base_store: Path, trending_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before, _, _, dup_before = _state(base_store)
    assert not any(dup_before.values())

    # Two uninterrupted runs: the shorter sets the spread of the kill delays; their (equal) result is "after".
    durations, results = [], []
    for run in range(2):
        reference = tmp_path / f"reference-{run}.duckdb"
        shutil.copyfile(base_store, reference)
        process = _spawn(trending_file, reference, tmp_path)
        _go(process)
        started = time.monotonic()
        _, errors = process.communicate()
        durations.append(time.monotonic() - started)
        assert process.returncode == 0, errors
        results.append(_state(reference))
    duration = min(durations)
    after, models_after, hub_after, dup_after = results[0]
    assert results[1][0] == after
    pd.testing.assert_frame_equal(models_after, _state(base_store)[1])  # the Epoch figure is not touched
    assert after != before
    assert not any(dup_after.values())
    assert int(hub_after["repos"].sum()) == 1000

    rng = random.Random(SEED)
    outcomes = {"before": 0, "after": 0}
    finished = 0  # runs that ended on their own before the kill (the delay ran past the ingest)
    spent = {"writer": 0.0, "checks": 0.0}
    stores = [tmp_path / f"trial-{trial}.duckdb" for trial in range(TRIALS)]
    shutil.copyfile(base_store, stores[0])
    waiting = _spawn(trending_file, stores[0], tmp_path)
    for trial, store in enumerate(stores):
        delay = rng.uniform(0.0, duration * 1.1)
        process = waiting
        _go(process)
        started = time.monotonic()
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.communicate()
        finished += process.returncode == 0
        spent["writer"] += time.monotonic() - started
        started = time.monotonic()
        if trial + 1 < TRIALS:  # the next writer imports while this trial is checked
            shutil.copyfile(base_store, stores[trial + 1])
            waiting = _spawn(trending_file, stores[trial + 1], tmp_path)

        # Equal by fingerprint to one of two duplicate-free states: so no duplicates either.
        seen = _fingerprint(store)
        assert seen in (before, after), f"trial {trial}: killed after {delay:.2f} s, the store holds a third state"
        outcomes["before" if seen == before else "after"] += 1

        # A re-run (in-process) ends exactly where the uninterrupted run ended and clears the dead writer's copy.
        with mc.open(store) as census:
            census.ingest_huggingface(trending_file)
        final, _, hub, duplicates = _state(store, figures=False)
        assert final == after
        assert not any(duplicates.values())
        pd.testing.assert_frame_equal(hub, hub_after)
        assert not list(tmp_path.glob(f"{store.name}{WRITING_MARK}*"))
        for leftover in tmp_path.glob(f"{store.name}*"):
            leftover.unlink()
        spent["checks"] += time.monotonic() - started

    assert sum(outcomes.values()) == TRIALS
    assert outcomes["before"] > 0 and outcomes["after"] > 0
    with capsys.disabled():
        print(
            f"\ncrash trials: {TRIALS} SIGKILLs over a {duration:.2f} s ingest: "
            f"{outcomes['before']} ended before, {outcomes['after']} after ({finished} of them finished before "
            f"the kill); {spent['writer']:.1f} s in killed runs, {spent['checks']:.1f} s checking and re-running"
        )


def test_second_writer_is_refused_and_readers_read_the_published_file(tmp_path: Path, base_store: Path) -> None:
    path = tmp_path / "census.duckdb"
    shutil.copyfile(base_store, path)
    before = _state(path)[0]
    with mc.open(path) as writer:
        assert writer.store.work_path is not None and writer.store.work_path.exists()
        with pytest.raises(mc.StoreError, match="already has the census open for writing"):
            mc.open(path)
        other = subprocess.run(
            [sys.executable, "-c", f"import modelcensus as mc; mc.open({str(path)!r})"],
            capture_output=True,
            text=True,
        )
        assert other.returncode != 0
        assert "another process" in other.stderr and str(os.getpid()) in other.stderr
        writer.store.con.execute("DELETE FROM models")  # visible to the writer only until it closes
        with mc.open(path, read_only=True) as reader:
            assert reader.store.fingerprint() == before
    with mc.open(path, read_only=True) as reader:
        assert reader.store.fingerprint() != before
        assert reader.store.con.execute("SELECT count(*) FROM models").fetchall()[0][0] == 0
    assert not list(tmp_path.glob(f"*{WRITING_MARK}*"))
    assert not list(tmp_path.glob("*.wal"))
