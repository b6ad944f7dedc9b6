"""Linkage on the labelled evaluation set (tests/data/linkage_pairs.csv, 892 pairs of the shared files,
387 of them hard negatives, each with a one-line reason)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import modelcensus as mc
from modelcensus.linkage import SourceRecord, link, name_key, token_key
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
    # The recall target is 0.90; the deterministic rules reach 0.876 here (see README). This is
    # the floor that guards against regressions until probabilistic matching lands.
    assert scores["recall"] >= 0.87, scores
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


def test_one_record_per_source_in_a_canonical_model() -> None:
    records = [
        SourceRecord("epoch", "DeepSeek-R1", "DeepSeek-R1", "deepseek"),
        SourceRecord("epoch", "DeepSeek-R1 (May 2025)", "DeepSeek-R1 (May 2025)", "deepseek"),
        SourceRecord("lmarena", "deepseek-r1", "deepseek-r1", "deepseek"),
        SourceRecord("huggingface", "someone/DeepSeek-R1", "DeepSeek-R1", None),
    ]
    models = link(records)
    for model in models:
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
    missing = runner.invoke(app, ["links", "show", "no-such-model-anywhere", "--db", str(full_census_path)])
    assert missing.exit_code == 1
