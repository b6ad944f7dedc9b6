"""Crash safety: an ingest SIGKILLed at any moment leaves the published store as it was, or as it would be.

Each trial starts ``modelcensus ingest huggingface --from <the shared trending listing>`` in a process of its own on
a copy of a store that holds the real Epoch export (cut as ``small_data.py`` cuts it), and kills it after a seeded
random delay spread over the whole run (and a little past its end: a kill that comes after the run finished is a
trial too). The writers are forked from one process that imported everything once, so a trial costs the ingest, not
Python's imports. The store must then open, hold exactly the state before or the state after the ingest (by
fingerprint), and a re-run must end exactly where an uninterrupted run ends, with nothing duplicated.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import modelcensus as mc
from modelcensus.store import WRITING_MARK, copy_on_write
from modelcensus.store.copy_on_write import copied_ahead

from known_answers import HUB_REPOS

TRIALS = 12
SEED = 20260504

# The writers' parent: it imports everything once, then for each line on stdin (a JSON [argv, log file]) forks a
# writer that runs `modelcensus ingest huggingface --from LISTING --db DB` through the CLI's own entry point and
# exits as that command's process does (the run includes its shutdown), its output to the log file; and prints
# "started PID". On "reap" it waits for that writer (killed or not) and prints
# "ended EXITCODE". Until reaped, a writer that has ended stays a zombie: its pid is never reused under the kill.
FORK_SERVER = """
import json, os, sys
import ibis
from modelcensus.outputs.cli.app import app
ibis.duckdb  # load the backend before any clock starts
print("ready", flush=True)
for line in sys.stdin:
    argv, log = json.loads(line)
    pid = os.fork()
    if pid == 0:
        out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(out, 1)
        os.dup2(out, 2)
        app(argv)  # exits (SystemExit) as the command's own process does, shutdown included
        sys.exit(0)
    print("started", pid, flush=True)
    assert sys.stdin.readline().strip() == "reap"
    _, status = os.waitpid(pid, 0)
    print("ended", os.waitstatus_to_exitcode(status), flush=True)
"""


class Writers:
    """The writers' parent process (see :data:`FORK_SERVER`): one writer at a time."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        env = {**os.environ, "HOME": str(tmp_path / "home"), "MODELCENSUS_CACHE": str(tmp_path / "cache")}
        self.process = subprocess.Popen(
            [sys.executable, "-c", FORK_SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True
        )
        assert self._line() == "ready"
        self.log = tmp_path / "writer.log"

    def _line(self) -> str:
        assert self.process.stdout is not None
        return self.process.stdout.readline().strip()

    def _send(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def start(self, listing: Path, db: Path) -> int:
        """Fork a writer ingesting ``listing`` into ``db``; it runs as this returns. Its pid."""
        argv = ["ingest", "huggingface", "--from", str(listing), "--db", str(db)]
        self._send(json.dumps([argv, str(self.log)]))
        word, pid = self._line().split()
        assert word == "started", word
        return int(pid)

    def reap(self) -> int:
        """Wait for the writer to end; its exit code (-9 when it was killed)."""
        self._send("reap")
        word, code = self._line().split()
        assert word == "ended", word
        return int(code)

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=60)
        finally:
            self.process.kill()  # a parent stuck on a failed test's half-sent request (no-op once it exited)


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
def base_store(tmp_path_factory: pytest.TempPathFactory, small_epoch_census_path: Path) -> Path:
    """A store of the real 2026-03-30 Epoch export as the small copy of the shared data cuts it (one model in about
    six: what is written and published is the same kind of store, and each of the 26 ingests below links in a
    second, not in seconds), linked as ``build`` or an ``ingest`` command leaves a store; the writers' ingest command
    then stores the Hub listing and links it: a kill can land in either."""
    path = tmp_path_factory.mktemp("crash") / "base.duckdb"
    shutil.copyfile(small_epoch_census_path, path)
    with mc.open(path) as census:
        census.link()
    return path


@pytest.fixture()
def writers(tmp_path: Path) -> Iterator[Writers]:
    started = Writers(tmp_path)
    yield started
    started.close()


@pytest.mark.timeout(900)  # 14 writers that ingest and link: 42 s alone (85 s on the whole Epoch export)
def test_sigkill_at_any_moment_leaves_before_or_after(
    tmp_path: Path, base_store: Path, trending_file: Path, writers: Writers, capsys: pytest.CaptureFixture[str]
) -> None:
    before, _, _, dup_before = _state(base_store)
    assert not any(dup_before.values())

    # Two uninterrupted runs: the shorter sets the spread of the kill delays; their (equal) result is "after".
    durations, results = [], []
    for run in range(2):
        reference = tmp_path / f"reference-{run}.duckdb"
        shutil.copyfile(base_store, reference)
        writers.start(trending_file, reference)
        started = time.monotonic()
        code = writers.reap()
        durations.append(time.monotonic() - started)
        assert code == 0, writers.log.read_text(encoding="utf-8")
        results.append(_state(reference))
    duration = min(durations)
    after, models_after, hub_after, dup_after = results[0]
    assert results[1][0] == after
    pd.testing.assert_frame_equal(models_after, _state(base_store)[1])  # the Epoch figure is not touched
    assert after != before
    assert not any(dup_after.values())
    assert int(hub_after["repos"].sum()) == HUB_REPOS

    rng = random.Random(SEED)
    outcomes = {"before": 0, "after": 0}
    finished = 0  # runs that ended on their own before the kill (the delay ran past the ingest)
    spent = {"writer": 0.0, "checks": 0.0}
    for trial in range(TRIALS):
        store = tmp_path / f"trial-{trial}.duckdb"
        shutil.copyfile(base_store, store)
        # Random moments over the whole run; the first trial waits well past its end, so the "after" state is
        # seen even when a loaded machine makes every writer slower than the reference runs.
        delay = duration * 3 if trial == 0 else rng.uniform(0.0, duration * 1.1)
        pid = writers.start(trending_file, store)
        started = time.monotonic()
        time.sleep(delay)
        os.kill(pid, signal.SIGKILL)  # a writer that has ended is a zombie until reaped: the kill is harmless
        finished += writers.reap() == 0
        spent["writer"] += time.monotonic() - started
        started = time.monotonic()

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


def test_the_working_copy_is_synced_once_before_it_replaces_the_store(
    tmp_path: Path, base_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB syncs nothing of the working copy (its commits and checkpoints need not reach the disk: no reader opens
    it, a dead writer's copy is removed); its publication syncs the whole file, then replaces the store with it, then
    syncs the folder, and what was written is what the store holds."""
    path = tmp_path / "census.duckdb"
    shutil.copyfile(base_store, path)
    calls: list[tuple[str, str]] = []
    real_fsync, real_fdatasync, real_replace = os.fsync, os.fdatasync, os.replace

    def fsync(fd: int) -> None:
        calls.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def fdatasync(fd: int) -> None:
        calls.append(("fdatasync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fdatasync(fd)

    def replace(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
        calls.append(("replace", f"{source} -> {target}"))
        real_replace(source, target)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "fdatasync", fdatasync)
    monkeypatch.setattr(os, "replace", replace)
    with mc.open(path) as writer:
        work = writer.store.work_path
        assert work is not None
        con = writer.store.con
        assert con.execute("SELECT current_setting('fsync_mode')").fetchall()[0][0] == "NONE"
        con.execute("CREATE TABLE written_here AS SELECT range AS n FROM range(100000)")
        con.execute("CHECKPOINT")
        kept = writer.store.fingerprint()
    assert calls == [("fsync", str(work)), ("replace", f"{work} -> {path}"), ("fsync", str(tmp_path))]
    with mc.open(path, read_only=True) as reader:
        assert reader.store.fingerprint() == kept
        assert reader.store.con.execute("SELECT sum(n) FROM written_here").fetchall()[0][0] == sum(range(100000))


def test_a_working_copy_made_ahead_is_the_one_the_writer_opens(tmp_path: Path, base_store: Path) -> None:
    """``copied_ahead``: the lock is taken and the copy made on a thread before the census opens; the writer works on
    that copy and publishes it as it publishes its own."""
    path = tmp_path / "census.duckdb"
    shutil.copyfile(base_store, path)
    before = _state(path)[0]
    with copied_ahead(path):
        ahead = copy_on_write._AHEAD[path.resolve()]  # the lock is held and the copy under way from the start
        other = subprocess.run(
            [sys.executable, "-c", f"import modelcensus as mc; mc.open({str(path)!r})"], capture_output=True, text=True
        )
        assert other.returncode != 0 and "another process" in other.stderr
        with mc.open(path) as writer:
            assert writer.store.work_path == ahead.work_path and not copy_on_write._AHEAD  # taken
            assert writer.store.fingerprint() == before  # the whole store was copied
            writer.store.con.execute("DELETE FROM models")
    with mc.open(path, read_only=True) as reader:
        assert reader.store.con.execute("SELECT count(*) FROM models").fetchall()[0][0] == 0
    assert not list(tmp_path.glob(f"*{WRITING_MARK}*"))
    with mc.open(path):  # the lock was released
        pass


def test_a_working_copy_made_ahead_and_not_taken_is_removed(tmp_path: Path, base_store: Path) -> None:
    """A command that fails before it opens the census leaves the store as it was, no copy, and the lock free; a
    census already open for writing in this process is refused as without the copy made ahead."""
    path = tmp_path / "census.duckdb"
    shutil.copyfile(base_store, path)
    before = _state(path)[0]
    with pytest.raises(RuntimeError, match="failed before opening"), copied_ahead(path):
        raise RuntimeError("failed before opening")
    assert not list(tmp_path.glob(f"*{WRITING_MARK}*"))
    assert _state(path)[0] == before
    with mc.open(path) as writer, copied_ahead(path):  # the lock is this process's: nothing is started
        assert len(list(tmp_path.glob(f"*{WRITING_MARK}*"))) == 1
        with pytest.raises(mc.StoreError, match="already has the census open for writing"):
            mc.open(path)
        assert writer.store.fingerprint() == before


def test_a_working_copy_that_cannot_be_made_ahead_fails_the_opening(tmp_path: Path) -> None:
    """A store that cannot be copied (here a folder where the file should be): the opening says why, and the lock
    is released."""
    path = tmp_path / "census.duckdb"
    path.mkdir()
    with copied_ahead(path), pytest.raises(mc.StoreError, match="cannot make the working copy"):
        mc.open(path)
    path.rmdir()
    with mc.open(path):  # the lock is free: a writer opens (and creates) the store
        pass
    assert path.is_file() and not list(tmp_path.glob(f"*{WRITING_MARK}*"))
