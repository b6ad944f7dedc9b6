"""Verdicts a build keeps in the store (``claims.check.keep_verdicts``): the example claims the dashboard serves are
checked once by ``build``; a later ``check`` of the same file on the same state of the data reads them. They must
be the very verdicts a check computes, and a changed claims file, another date or a changed store must compute."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import modelcensus as mc
from modelcensus.claims import default_claims, load_claims
from modelcensus.outputs.cli.app import app

from small_data import kept_keys, store_without_kept

check_module = importlib.import_module("modelcensus.claims.check")  # the package's ``check`` is the function


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
            check_module._claims_digest(census.claims, _claims()),
        )
        assert check_module._kept_verdicts(census.claims, (*key, None)) is None, "kept for the old state: not read"
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
        ]
        done = [work() for _, work in stages]
    assert done[2] == 0, "no verdict kept"
    assert _verdict_keys(store) == []
    result = CliRunner().invoke(app, ["check", "examples/claims.yaml", "--db", str(store)])
    assert result.exit_code != 0
    assert "claims.yaml" in result.output and "'claims'" in result.output, result.output
