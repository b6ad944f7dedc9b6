"""Shared fixtures: the real shared data (read in place, never copied) and the censuses built from it.

Every store here is built once per session and read by every module that needs it:

- ``full_census_path``: ``modelcensus build --from ../shared/data``, every source; the known answers
  (``known_answers.py``) are checked on it;
- ``epoch_census_path``: the real 2026-03-30 Epoch export alone; ``hub_census_path``: that store plus the
  shared Hub listing;
- ``small_census_path``: ``build --from`` a small copy of the shared data cut at test time (``small_data.py``),
  for the tests of shape and behaviour (API, dashboard, report rendering) that need every source but not every row.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock
from typer.testing import CliRunner

import modelcensus as mc
from modelcensus.engines.spark import java_binary, spark_session
from modelcensus.outputs.cli.app import app

from small_data import store_changed_after_build, write_small_data

ROOT = Path(__file__).resolve().parents[1]


def shared_data() -> Path:
    """``../shared/data`` beside the project root (or $MODELCENSUS_SHARED_DATA); missing data fails loudly."""
    path = Path(os.environ.get("MODELCENSUS_SHARED_DATA", ROOT.parent / "shared" / "data"))
    if not (path / "epoch_ai").is_dir():
        pytest.fail(f"shared data not found at {path}: the tests read real data from ../shared/data", pytrace=False)
    return path


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: one worker more than the cores (at most 6). Browser, server, crash and Spark tests spend part of
    their time waiting on another process; a third worker on two cores keeps both busy (measured: 18 min 10 s with
    two workers, 16 min 25 s with three, on an idle 2-core machine)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return min(cores + 1, 6)


SPARK_MODULES = "test_spark"
"""The Spark parity modules (tests/test_spark*.py): one work unit for pytest-xdist, so that one worker starts one
JVM and warms it once, where each of up to three workers started its own."""
SLOWEST_FIRST = (
    SPARK_MODULES,
    "test_i18n",
    "test_api_schema",
    "test_tabular_lists",
    "test_scalable_linkage",
    "test_crash",
    "test_charts_browser",
    "test_browser",
    "test_discovery",
    "test_report",
)
"""The modules that take longest (measured: seconds of a worker each, most first), handed out first so that no long
module starts last and runs alone at the end; the others follow in their usual order."""


def _unit(path: str) -> str:
    """The work unit of a test file: its own, or the Spark modules' one."""
    stem = Path(path).stem
    return SPARK_MODULES if stem.startswith(SPARK_MODULES) else stem


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slowest modules first (:data:`SLOWEST_FIRST`); within a module, the order of its file."""
    rank = {unit: i for i, unit in enumerate(SLOWEST_FIRST)}
    order = {id(item): n for n, item in enumerate(items)}
    items.sort(key=lambda item: (rank.get(_unit(str(item.path)), len(rank)), order[id(item)]))


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist loadfile`` with the Spark modules as one work unit, handed out in the order of the collection (the
    slowest first), not by their number of tests."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class CensusScheduling(LoadFileScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            path = super()._split_scope(nodeid)
            return SPARK_MODULES if _unit(path) == SPARK_MODULES else path

    config.option.loadscopereorder = False
    return CensusScheduling(config, log)


def _once(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], object]) -> Path:
    """``make(folder)`` run once per test run, even when pytest-xdist runs the suite in several processes.

    Without xdist the folder is a fresh session temp folder. Under xdist every worker asks for the same folder
    beside its own temp root; the first builds it under a file lock and the others wait, then read it.
    """
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        folder = tmp_path_factory.mktemp(name)
        make(folder)
        return folder
    root = tmp_path_factory.getbasetemp().parent
    folder = root / name
    with FileLock(str(root / f"{name}.lock")):
        done = root / f"{name}.done"
        if not done.exists():
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir()
            make(folder)
            done.touch()
    return folder


@pytest.fixture(scope="session")
def shared() -> Path:
    return shared_data()


@pytest.fixture(scope="session")
def epoch_dir(shared: Path) -> Path:
    return shared / "epoch_ai" / "2026-03-30_cset_zip"


@pytest.fixture(scope="session")
def epoch_census_path(tmp_path_factory: pytest.TempPathFactory, epoch_dir: Path) -> Path:
    """A census store holding the real 2026-03-30 Epoch export (all four files), built once."""

    def make(folder: Path) -> None:
        with mc.open(folder / "census.duckdb") as census:
            report = census.ingest_epoch(epoch_dir)
            assert len(report.results) == 1

    return _once(tmp_path_factory, "census", make) / "census.duckdb"


@pytest.fixture(scope="session")
def trending_file(shared: Path) -> Path:
    return shared / "hf_hub_starscreener" / "huggingface-trending_2026-05-04.json"


@pytest.fixture(scope="session")
def hub_census_path(tmp_path_factory: pytest.TempPathFactory, trending_file: Path, epoch_census_path: Path) -> Path:
    """A census holding the real Epoch export and the shared Hub trending listing: the Epoch store, copied, then
    the listing ingested, once."""

    def make(folder: Path) -> None:
        shutil.copyfile(epoch_census_path, folder / "census.duckdb")
        with mc.open(folder / "census.duckdb") as census:
            census.ingest_huggingface(trending_file)

    return _once(tmp_path_factory, "hub", make) / "census.duckdb"


@pytest.fixture()
def hub_census(hub_census_path: Path) -> Iterator[mc.Census]:
    with mc.open(hub_census_path, read_only=True) as opened:
        yield opened


@dataclass(frozen=True)
class Build:
    """A store made by ``modelcensus build --from``, and what the command printed on stdout (the headline)."""

    path: Path
    stdout: str


def _build(tmp_path_factory: pytest.TempPathFactory, name: str, source: Path) -> Build:
    """``build --from source`` into a store made once per run; its stdout is kept beside it."""

    def make(folder: Path) -> None:
        result = CliRunner().invoke(app, ["build", "--from", str(source), "--db", str(folder / "census.duckdb")])
        assert result.exit_code == 0, result.output
        (folder / "stdout.txt").write_text(result.stdout, encoding="utf-8")

    folder = _once(tmp_path_factory, name, make)
    return Build(folder / "census.duckdb", (folder / "stdout.txt").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def full_build(tmp_path_factory: pytest.TempPathFactory, shared: Path) -> Build:
    """``modelcensus build --from ../shared/data``: every source, built once for the whole session."""
    return _build(tmp_path_factory, "full", shared)


@pytest.fixture(scope="session")
def full_census_path(full_build: Build) -> Path:
    return full_build.path


@pytest.fixture()
def full_census(full_census_path: Path) -> Iterator[mc.Census]:
    with mc.open(full_census_path, read_only=True) as opened:
        yield opened


@pytest.fixture(scope="session")
def small_data(tmp_path_factory: pytest.TempPathFactory, shared: Path) -> Path:
    """A small copy of the shared data, cut from the real files (see ``small_data.py``)."""
    return _once(tmp_path_factory, "small-data", lambda folder: write_small_data(shared, folder))


@pytest.fixture(scope="session")
def small_census_path(tmp_path_factory: pytest.TempPathFactory, small_data: Path) -> Path:
    """``modelcensus build --from`` the small copy: every source, a few hundred models, built once."""
    return _build(tmp_path_factory, "small", small_data).path


@pytest.fixture()
def small_census(small_census_path: Path) -> Iterator[mc.Census]:
    with mc.open(small_census_path, read_only=True) as opened:
        yield opened


@pytest.fixture(scope="session")
def small_epoch_census_path(tmp_path_factory: pytest.TempPathFactory, small_data: Path) -> Path:
    """A store of the real 2026-03-30 Epoch export as the small copy cuts it (one model in about six), unlinked,
    made once: for the tests that ingest into copies of a store many times over (crash trials, reading while
    writing), where what matters is how a store is written, not how many models it holds."""

    def make(folder: Path) -> None:
        with mc.open(folder / "census.duckdb") as census:
            census.ingest_epoch(small_data / "epoch_ai" / "2026-03-30_cset_zip")

    return _once(tmp_path_factory, "small-epoch", make) / "census.duckdb"


@pytest.fixture(scope="session")
def changed_census_path(tmp_path_factory: pytest.TempPathFactory, small_census_path: Path, small_data: Path) -> Path:
    """The small census changed after its build (``small_data.store_changed_after_build``: a later OpenRouter
    listing ingested), made once; read it, or write a copy (``changed_store``)."""
    return (
        _once(
            tmp_path_factory, "changed", lambda folder: store_changed_after_build(small_census_path, small_data, folder)
        )
        / "changed.duckdb"
    )


@pytest.fixture()
def changed_store(changed_census_path: Path, tmp_path: Path) -> Path:
    """A copy of the small census changed after its build, the test's own to write."""
    copy = tmp_path / "changed.duckdb"
    shutil.copyfile(changed_census_path, copy)
    return copy


@pytest.fixture()
def census(epoch_census_path: Path) -> Iterator[mc.Census]:
    with mc.open(epoch_census_path, read_only=True) as opened:
        yield opened


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the user's environment or cache."""
    for name in ("MODELCENSUS_DB", "MODELCENSUS_CACHE", "MODELCENSUS_EPOCH_URL", "HF_ENDPOINT", "HF_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf_home"))
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")


# -- Spark parity (tests/test_spark*.py: four modules, one xdist work unit, one JVM) ------------------------------


SPARK_TEST_JAVA_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local[2] session for the worker's whole run (a JVM's start takes ~10 s of CPU: once per worker, not once
    per module); Java and pyspark must be there. The JVM compiles with its quick compiler only and collects
    garbage on one thread: the tests run many small queries, where the optimising compiler's threads cost more
    CPU than they win (the Spark parity shard of count_definition: 187 → 135 s of CPU, same wall time)."""
    java_binary()
    session = spark_session("local[2]", conf={"spark.driver.extraJavaOptions": SPARK_TEST_JAVA_OPTIONS})
    yield session
    session.stop()


@pytest.fixture(scope="session")
def parquet_export(full_census_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The full census exported to Parquet by the CLI, once per run (it is read only)."""

    def make(folder: Path) -> None:
        target = folder / "parquet"
        result = CliRunner().invoke(app, ["export", str(target), "--format", "parquet", "--db", str(full_census_path)])
        assert result.exit_code == 0, result.output

    return _once(tmp_path_factory, "parquet-export", make) / "parquet"


@pytest.fixture(scope="session")
def on_spark(spark: Any, parquet_export: Path) -> Iterator[mc.Census]:
    census = mc.open(parquet_export, engine="spark", spark_session=spark)
    yield census
    census.close()


@pytest.fixture(scope="session")
def on_duckdb(full_census_path: Path) -> Iterator[mc.Census]:
    with mc.open(full_census_path, read_only=True) as census:
        yield census
