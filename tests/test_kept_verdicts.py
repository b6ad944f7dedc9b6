"""Verdicts a build keeps in the store (``claims.check.keep_verdicts``): the example claims the dashboard serves are
checked once by ``build``; a later ``check`` of the same file on the same state of the data reads them. They must
be the very verdicts a check computes, and a changed claims file, another date or a changed store must compute."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import modelcensus as mc
from modelcensus.claims import default_claims, load_claims, read_kept_verdicts
from modelcensus.config import Config
from modelcensus.outputs.cli.app import app

from small_data import kept_keys, store_without_kept

check_module = importlib.import_module("modelcensus.claims.check")


def _verdict_keys(path: Path) -> list[list[Any]]:
    return kept_keys(path, "verdicts")


class _Evaluations:
    """Counts the claims files a check evaluates rather than reads (``stub``: without evaluating them, where only
    whether a check computes is asked)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, stub: bool = False) -> None:
        self.made = 0
        original = check_module.evaluate_all

        def evaluate_all(*args: Any, **kwargs: Any) -> Any:
            self.made += 1
            return [] if stub else original(*args, **kwargs)

        monkeypatch.setattr(check_module, "evaluate_all", evaluate_all)
        monkeypatch.setattr(check_module, "_CHECKED", {})  # nothing checked before in this process


def _claims() -> Path:
    claims = default_claims()
    assert claims is not None and claims.is_file(), "the example claims ship with the package"
    return claims


def test_a_build_keeps_the_verdicts_of_the_example_claims(small_census_path: Path) -> None:
    keys = _verdict_keys(small_census_path)
    assert len(keys) == 1, keys
    with mc.open(small_census_path, read_only=True) as census:
        state = census.reader.state()
    assert keys[0][2] == state, "the key names the state of the data"


def test_kept_verdicts_are_the_computed_ones_and_are_read_not_computed(
    small_census_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bare = store_without_kept(small_census_path, tmp_path / "bare.duckdb")
    evaluations = _Evaluations(monkeypatch)
    with mc.open(bare, read_only=True) as census:
        computed = census.check(_claims())
    assert evaluations.made == 1
    with mc.open(small_census_path, read_only=True) as census:
        kept = census.check(_claims())
    assert evaluations.made == 1, "the kept verdicts are read"
    assert len(kept) >= 5 and {v["verdict"] for v in kept} >= {"supported"}
    assert json.dumps(kept, sort_keys=True) == json.dumps(computed, sort_keys=True)

    # the command prints the same JSON from either store
    runner = CliRunner()
    out = [
        runner.invoke(app, ["check", str(_claims()), "--db", str(db), "--format", "json"])
        for db in (bare, small_census_path)
    ]
    assert [r.exit_code for r in out] == [0, 0], [r.output for r in out]
    assert out[0].stdout == out[1].stdout


def test_another_claims_file_or_date_is_computed(
    small_census_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    evaluations = _Evaluations(monkeypatch, stub=True)
    text = _claims().read_text(encoding="utf-8")
    changed = tmp_path / "claims.yaml"
    changed.write_text(text + "\n# one comment more\n", encoding="utf-8")
    with mc.open(small_census_path, read_only=True) as census:
        census.check(changed)
        assert evaluations.made == 1, "a claims file of other content is checked"
        census.check(_claims(), as_of="2025-06-01")
        assert evaluations.made == 2, "a check as of a date is computed"
        census.check(_claims())
        assert evaluations.made == 2


def test_a_store_changed_after_the_build_computes_its_verdicts_again(
    small_census_path: Path, changed_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    changed = changed_store
    with mc.open(changed, read_only=True) as census:
        census.reader.ensure_population()
        key = (
            census.reader.engine.location,
            census.reader.state(),
            check_module.claims_digest(census.definitions(), _claims()),
        )
        assert check_module._kept_verdicts(census.claims, _claims()) is None, "kept for the old state: not read"
    assert read_kept_verdicts(Config(db_path=changed), _claims()) is None, "nor read in SQL alone"
    evaluations = _Evaluations(monkeypatch)
    with mc.open(changed) as census:  # a writer keeps them for the new state
        for _, work in check_module.kept_by_build(census.claims):
            work()
    assert evaluations.made == 1
    keys = _verdict_keys(changed)
    assert len(keys) == 1 and keys[0][2] == key[1], "what was kept for the old state is dropped"
    monkeypatch.setattr(check_module, "_CHECKED", {})
    with mc.open(changed, read_only=True) as census:
        again = census.check(_claims())
    assert evaluations.made == 1, "the new state's verdicts are read"
    assert [v["id"] for v in again] == [c.id for c in load_claims(_claims())]


def test_keeping_verdicts_needs_a_writable_store(small_census_path: Path) -> None:
    with mc.open(small_census_path, read_only=True) as census, pytest.raises(mc.StoreError, match="read-only"):
        check_module.keep_verdicts(census.claims, _claims())


def test_a_working_folders_claims_file_that_does_not_load_leaves_the_build_standing(
    small_census_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "claims.yaml").write_text("claims: not a list\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    store = store_without_kept(small_census_path, tmp_path / "c.duckdb")
    with mc.open(store) as census:
        stages = check_module.kept_by_build(census.claims)
        assert [name for name, _ in stages] == [
            "populations",
            "the estimate of all models",
            "verdicts of the example claims",
            "the listing-lag curves",
            "the Hub's counts by country and organization",
        ]
        done = [work() for _, work in stages]
    assert done[2] == 0, "no verdict kept"
    assert _verdict_keys(store) == []
    result = CliRunner().invoke(app, ["check", "examples/claims.yaml", "--db", str(store)])
    assert result.exit_code != 0
    assert "claims.yaml" in result.output and "'claims'" in result.output, result.output


def test_the_command_reads_kept_verdicts_without_opening_the_census(
    small_census_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``check`` of the example claims on a built store prints the kept verdicts from SQL alone: the census (Ibis,
    the store) is never opened, and the table, the JSON and the CSV are those a full check prints."""
    bare = store_without_kept(small_census_path, tmp_path / "bare.duckdb")
    runner = CliRunner()
    formats = ("table", "json", "csv")
    computed = [runner.invoke(app, ["check", str(_claims()), "--db", str(bare), "--format", f]) for f in formats]
    assert [r.exit_code for r in computed] == [0, 0, 0], [r.output for r in computed]

    def no_census(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the census was opened")

    monkeypatch.setattr(mc, "open", no_census)
    read = [
        runner.invoke(app, ["check", str(_claims()), "--db", str(small_census_path), "--format", f]) for f in formats
    ]
    assert [r.exit_code for r in read] == [0, 0, 0], [r.output for r in read]
    assert [r.stdout for r in read] == [r.stdout for r in computed]
    assert "supported" in read[0].stdout

    # what is not kept is checked in full: another claims file, a date
    changed = tmp_path / "claims.yaml"
    changed.write_text(_claims().read_text(encoding="utf-8") + "\n# one comment more\n", encoding="utf-8")
    for args in (["check", str(changed)], ["check", str(_claims()), "--as-of", "2025-06-01"]):
        result = runner.invoke(app, [*args, "--db", str(small_census_path)])
        assert result.exit_code != 0 and "the census was opened" in repr(result.exception), args


def test_kept_verdicts_are_read_only_for_the_configuration_they_were_kept_under(
    small_census_path: Path, tmp_path: Path
) -> None:
    """A registry file or a definitions file of the user's changes what a check would compute (the organizations
    links and census records are made of, the definitions a sensitivity table counts): verdicts kept without them
    are not read with them."""
    kept = read_kept_verdicts(Config(db_path=small_census_path), _claims())
    with mc.open(small_census_path, read_only=True) as census:
        assert kept == census.check(_claims()) == census.check(str(_claims())), "a path as text too"
    registry = tmp_path / "mine.csv"
    registry.write_text(
        "id,name,countries,sector,parent,aliases,hub_handles,note\nmy-lab,My Lab,NZ,academia,,Ma Lab,,a test lab\n",
        encoding="utf-8",
    )
    definitions = tmp_path / "mine.yaml"
    definitions.write_text("name: my-epoch\nsources: [epoch]\nunit: variant\n", encoding="utf-8")
    for config in (
        Config(db_path=small_census_path, registry_paths=(registry,)),
        Config(db_path=small_census_path, definition_paths=(definitions,)),
        Config(db_path=small_census_path, fuzzy_threshold=90.0),
        Config(db_path=tmp_path / "no-store.duckdb"),
    ):
        assert read_kept_verdicts(config, _claims()) is None, config
    assert read_kept_verdicts(Config(db_path=small_census_path), tmp_path / "missing.yaml") is None


def test_reading_kept_verdicts_imports_neither_ibis_nor_pandas(small_census_path: Path) -> None:
    """The promise of the fast path, in a process of its own: the command's start, the look-up and the JSON."""
    argv = ["modelcensus", "check", str(_claims()), "--db", str(small_census_path), "--format", "json"]
    heavy = ("ibis", "pandas", "modelcensus.store.core", "modelcensus.census")
    code = (
        "import sys\n"
        "from modelcensus.outputs.cli.app import main\n"
        f"sys.argv = {argv!r}\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    assert not exit.code, exit.code\n"
        f"print('HEAVY', sorted(m for m in {heavy!r} if m in sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "HEAVY []" in done.stderr, done.stderr
    assert {v["id"] for v in json.loads(done.stdout)} == {c.id for c in load_claims(_claims())}
