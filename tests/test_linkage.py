"""Linkage on the labelled evaluation set (tests/data/linkage_pairs.csv, 892 pairs of the shared files,
387 of them hard negatives, each with a one-line reason)."""

from __future__ import annotations

import csv
import json
import random
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

import modelcensus as mc
from modelcensus.linkage import SourceRecord, link, name_key, token_key
from modelcensus.linkage_splink import name_parts, veto
from modelcensus.outputs.cli import app

from conftest import ROOT

PAIRS = ROOT / "tests" / "data" / "linkage_pairs.csv"
runner = CliRunner()


def _evaluate(census: mc.Census) -> dict[str, object]:
    canonical = {(r.source, r.source_id): m.id for m in census.links() for r in m.records}
    tp = fp = fn = tn = missing = 0
    hard_negatives_joined = []
    with PAIRS.open(encoding="utf-8") as handle:
        for p in csv.DictReader(handle):
            a = (p["left_source"], " ".join(p["left_id"].split()))
            b = (p["right_source"], " ".join(p["right_id"].split()))
            if a not in canonical or b not in canonical:
                missing += 1
                continue
            predicted, gold = canonical[a] == canonical[b], p["label"] == "match"
            tp += predicted and gold
            fp += predicted and not gold
            fn += gold and not predicted
            tn += not gold and not predicted
            if predicted and p["kind"] == "hard-negative":
                hard_negatives_joined.append((a, b))
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "missing": missing,
        "precision": tp / (tp + fp),
        "recall": tp / (tp + fn),
        "hard_negatives_joined": hard_negatives_joined,
    }


def test_the_evaluation_set_is_well_formed() -> None:
    with PAIRS.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) >= 200
    assert sum(r["kind"] == "hard-negative" for r in rows) >= len(rows) / 3
    assert all(r["reason"].strip() for r in rows)
    assert {r["label"] for r in rows} == {"match", "non-match"}


def test_precision_and_recall_on_the_labelled_pairs(full_census: mc.Census) -> None:
    scores = _evaluate(full_census)
    assert scores["missing"] <= 30  # pairs whose records a source of this export date no longer lists
    assert scores["precision"] >= 0.98, scores
    assert scores["recall"] >= 0.90, scores
    assert len(scores["hard_negatives_joined"]) <= 7


def test_a_release_finds_its_snapshot_but_snapshots_of_other_months_stay_apart() -> None:
    records = [
        SourceRecord("openrouter", "openai/o1", "o1", "openai"),
        SourceRecord("lmarena", "o1-2024-12-17", "o1-2024-12-17", "openai"),
        SourceRecord("openrouter", "mistralai/ministral-8b-2512", "Ministral 3 8B 2512", "mistral-ai"),
        SourceRecord("lmarena", "ministral-8b-2410", "ministral-8b-2410", "mistral-ai"),
    ]
    together = {frozenset(r.source_id for r in m.records) for m in link(records)}
    assert frozenset({"openai/o1", "o1-2024-12-17"}) in together
    assert frozenset({"mistralai/ministral-8b-2512"}) in together and frozenset({"ministral-8b-2410"}) in together


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("GLM-4.5", "GLM-4.5-Air"),
        ("Llama 3.1 70B", "Llama 3.3 70B"),
        ("DeepSeek-V3", "DeepSeek-V3.1"),
        ("Qwen2.5-72B", "Qwen2.5-72B-Instruct"),
        ("gpt-4o", "gpt-4o-mini"),
    ],
)
def test_hard_negatives_never_share_a_key(left: str, right: str) -> None:
    assert name_key(left) != name_key(right)
    assert token_key(left) != token_key(right)


def test_an_alias_takes_its_launch_snapshot_and_no_other() -> None:
    records = [
        SourceRecord("epoch", "GPT-4o", "GPT-4o", "openai", published_on=date(2024, 5, 13)),
        SourceRecord("openrouter", "openai/gpt-4o", "GPT-4o", "openai", published_on=date(2024, 5, 13)),
        SourceRecord("openrouter", "openai/gpt-4o-2024-05-13", "GPT-4o (2024-05-13)", "openai"),
        SourceRecord("openrouter", "openai/gpt-4o-2024-08-06", "GPT-4o (2024-08-06)", "openai"),
        SourceRecord("openrouter", "openai/gpt-4o:free", "GPT-4o (free)", "openai"),
    ]
    models = link(records, probabilistic=False)
    launch = next(m for m in models if any(r.source_id == "GPT-4o" for r in m.records))
    assert {r.source_id for r in launch.records} == {
        "GPT-4o",
        "openai/gpt-4o",
        "openai/gpt-4o-2024-05-13",
        "openai/gpt-4o:free",
    }
    assert {e[2] for e in launch.evidence} >= {"alias + launch snapshot", "endpoint variant"}


def test_name_parts_and_vetoes() -> None:
    parts = name_parts("nousresearch/hermes-3-llama-3.1-405b")
    assert (parts.versions, parts.sizes) == (("3", "3.1"), ("405b",))
    assert name_parts("internlm2_5-20b-chat").versions == ("2.5",)
    assert name_parts("gpt-4o-2024-05-13").marks == ("2024@05",)
    assert name_parts("c4ai-aya-expanse-32b").words == ("aya", "expanse")

    def rec(source: str, name: str, day: date | None = None) -> SourceRecord:
        return SourceRecord(source, name, name, "x", published_on=day)

    assert veto(rec("epoch", "Hermes 3 405B"), rec("openrouter", "hermes-3-llama-3.1-405b")) is None
    assert veto(rec("epoch", "Llama 3.1 70B"), rec("lmarena", "llama-3.3-70b")) is not None  # versions
    assert veto(rec("epoch", "Qwen2.5 7B"), rec("lmarena", "qwen2.5-72b")) is not None  # sizes
    assert veto(rec("epoch", "Qwen2.5 3B"), rec("huggingface", "Qwen2.5-Coder-3B")) is not None  # tier word
    kimi = rec("epoch", "Kimi K2", date(2025, 7, 11))
    assert veto(kimi, rec("lmarena", "kimi-k2-0711-preview")) is None
    assert veto(kimi, rec("lmarena", "kimi-k2-0905-preview")) is not None  # two months later


def test_splink_links_what_names_alone_do_not_and_keeps_hard_negatives_apart(full_census: mc.Census) -> None:
    models = full_census.links()
    model_of = {(r.source, r.source_id): m for m in models for r in m.records}
    hermes = model_of[("epoch", "Hermes 3 405B")]
    assert ("openrouter", "nousresearch/hermes-3-llama-3.1-405b") in {(r.source, r.source_id) for r in hermes.records}
    assert any(e[2].startswith("splink") and "match probability" in e[3] for e in hermes.evidence)
    for left, right in [
        (("epoch", "GLM-4.5"), ("openrouter", "z-ai/glm-4.5-air")),
        (("epoch", "DeepSeek-V3"), ("openrouter", "deepseek/deepseek-chat-v3.1")),
    ]:
        if left in model_of and right in model_of:
            assert model_of[left] is not model_of[right]


def test_linkage_runs_once_per_store_state(full_census_path: Path) -> None:
    """``build`` keeps the linkage in the store; a reader gets it back without recomputing."""
    with mc.open(full_census_path, read_only=True) as census:
        first = census.links()
        assert census.store.load_links(census._links_key()) is not None
        again = census.links()
    assert first is again
    # what was kept is what linkage computes, and the ids do not depend on the order records come in
    shuffled = census_records(full_census_path)
    random.Random(7).shuffle(shuffled)
    assert [(m.id, [(r.source, r.source_id) for r in m.records]) for m in first] == [
        (m.id, [(r.source, r.source_id) for r in m.records]) for m in link(shuffled)
    ]


def census_records(path: Path) -> list[SourceRecord]:
    with mc.open(path, read_only=True) as census:
        return census.source_records()


def test_one_record_per_source_in_a_canonical_model() -> None:
    records = [
        SourceRecord("epoch", "DeepSeek-R1", "DeepSeek-R1", "deepseek"),
        SourceRecord("epoch", "DeepSeek-R1 (May 2025)", "DeepSeek-R1 (May 2025)", "deepseek"),
        SourceRecord("lmarena", "deepseek-r1", "deepseek-r1", "deepseek"),
        SourceRecord("huggingface", "someone/DeepSeek-R1", "DeepSeek-R1", None),
    ]
    models = link(records)
    for model in models:  # (but for an alias and its launch snapshot, or another endpoint of one model)
        sources = [r.source for r in model.records]
        assert len(sources) == len(set(sources))
    joined = next(m for m in models if any(r.source == "lmarena" for r in m.records))
    assert {r.source_id for r in joined.records} == {"DeepSeek-R1", "deepseek-r1"}  # the re-upload stays apart


def test_links_cli(full_census_path: Path) -> None:
    result = runner.invoke(app, ["links", "--format", "json", "--db", str(full_census_path)])
    assert result.exit_code == 0, result.output
    models = json.loads(result.stdout)
    assert all({"id", "name", "records"} <= set(m) for m in models)
    glm = next(m for m in models if {"source": "epoch", "source_id": "GLM-4.5"} in m["records"])
    assert {"source": "openrouter", "source_id": "z-ai/glm-4.5"} in glm["records"]
    assert {"source": "lmarena", "source_id": "glm-4.5"} in glm["records"]
    shown = runner.invoke(app, ["links", "show", "GLM-4.5", "--format", "json", "--db", str(full_census_path)])
    detail = json.loads(shown.stdout)
    assert detail["evidence"] and all(e["rule"] for e in detail["evidence"])
    missing = runner.invoke(app, ["links", "show", "no-such-model [anywhere]", "--db", str(full_census_path)])
    assert missing.exit_code == 1
    assert "no-such-model [anywhere]" in missing.output  # a message is text, not Rich markup
