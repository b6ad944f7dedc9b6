"""The large-models definition (大模型): each source's rule decides a record in or out, with its reason; on the
shared data no Epoch record of a vision-only model is counted."""

from __future__ import annotations

import csv
import dataclasses
import re
import unicodedata
from pathlib import Path

import pytest

import modelcensus as mc
from modelcensus import scope

EPOCH_FILES = ("all_ai_models.csv", "notable_ai_models.csv", "large_scale_ai_models.csv", "frontier_ai_models.csv")


# -- the rules, source by source ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "size"),
    [
        ("Qwen3-8B", 8e9),
        ("Mixtral-8x7B", 5.6e10),
        ("SmolLM-360M", 3.6e8),
        ("meta-llama/Llama-3.1-405B-Instruct", 4.05e11),
        ("Qwen2.5-1.5B", 1.5e9),
        ("Qwen3-30B-A3B", 3e10),  # the active size (A3B) is not the model's size
        ("gemma-3-27b-it", 2.7e10),
        ("Llama_3_70b", 7e10),
        ("gpt-4o", None),
        ("DeepSeek-V3", None),
        ("ResNet-200", None),
    ],
)
def test_size_in_name(name: str, size: float | None) -> None:
    assert scope.size_in_name(name) == (pytest.approx(size) if size else None)


def test_epoch_rules() -> None:
    rules = scope.rules()
    assert rules["min_parameters"] == 1e9
    resnet = scope.epoch(["Vision"], 6.5e7, 1e19, "Open weights (unrestricted)", {"notable": True})
    assert not resnet.admitted and "domain" in resnet.reason
    image_only = scope.epoch(["Image generation"], 1.2e10, None, "API access", {"frontier": True})
    assert not image_only.admitted and "domain" in image_only.reason
    small = scope.epoch(["Language"], 1e8, None, "Open weights (unrestricted)", {})
    assert not small.admitted and "1e+08" in small.reason and "<" in small.reason
    seven_b = scope.epoch(["Language"], 7e9, None, None, {})
    assert seven_b.admitted and "7e+09" in seven_b.reason and "≥" in seven_b.reason
    served = scope.epoch(["Language"], None, None, "API access", {})
    assert served.admitted and "size unknown" in served.reason
    multimodal = scope.epoch(["Vision", "multimodal"], None, None, "Hosted access (no API)", {})
    assert multimodal.admitted  # a vision-language model carries Multimodal (any case)
    # size unknown: training compute decides
    assert scope.epoch(["Language"], None, 3e23, None, {}).admitted
    assert not scope.epoch(["Language"], None, 1e20, None, {}).admitted
    # size unknown, not served: Epoch's frontier or large-scale flag admits it
    assert scope.epoch(["Language"], None, None, "Unreleased", {"frontier": True}).admitted
    assert scope.epoch(["Language"], None, None, None, {"large_scale": True}).admitted
    unknown = scope.epoch(["Language"], None, None, "Unreleased", {})
    assert not unknown.admitted and "size unknown" in unknown.reason
    # a published size below the threshold is not overruled by a flag
    assert not scope.epoch(["Language"], 3.4e8, None, "API access", {"notable": True, "frontier": True}).admitted


def test_huggingface_rules() -> None:
    original = scope.huggingface("org/Model-8B", "text-generation", False, True, None)
    assert original.admitted and "8e+09" in original.reason
    unknown = scope.huggingface("org/Model", "text-generation", False, True, None)
    assert unknown.admitted == (scope.rules()["huggingface"]["unknown_size"] == "admitted")
    assert scope.huggingface("org/Model", "image-text-to-text", False, True, 7e9).admitted
    derivative = scope.huggingface("someone/Model-8B-GGUF", "text-generation", True, True, None)
    assert not derivative.admitted and "derivative" in derivative.reason
    individual = scope.huggingface("user1/Model-8B", "text-generation", False, False, None)
    assert not individual.admitted and "organization" in individual.reason
    image = scope.huggingface("org/Diffusion-12B", "text-to-image", False, True, None)
    assert not image.admitted and "text-to-image" in image.reason
    tiny = scope.huggingface("org/SmolLM-360M", "text-generation", False, True, None)
    assert not tiny.admitted and "<" in tiny.reason
    # the Hub's own parameter count wins over the name
    assert not scope.huggingface("org/Model-8B", "text-generation", False, True, 5e8).admitted


def test_openrouter_rules() -> None:
    text = scope.openrouter("openai/gpt-4o", ["text"], "text+image->text")
    assert text.admitted and "text" in text.reason
    assert scope.openrouter("qwen/qwen3-8b", None, "text->text").admitted
    assert scope.openrouter("vendor/model", None, None).admitted  # nothing says otherwise: a served text model
    image = scope.openrouter("black-forest-labs/flux-1.1-pro", ["image"], "text->image")
    assert not image.admitted and "image" in image.reason
    assert not scope.openrouter("google/some-image-model", None, "text+image->image").admitted
    router = scope.openrouter("openrouter/auto", ["text"], "text->text")
    assert not router.admitted and "router" in router.reason


def test_lmarena_rules() -> None:
    assert scope.lmarena(["text"]).admitted
    assert scope.lmarena(["image", "vision"]).admitted
    image = scope.lmarena(["image"])
    assert not image.admitted and "image" in image.reason
    assert not scope.lmarena([]).admitted


# -- on the shared data ------------------------------------------------------------------------------------------


def _name(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def _epoch_domains(shared: Path) -> dict[str, set[str]]:
    """Every model of the newest Epoch export with the domains its files give it (csv module only)."""
    out: dict[str, set[str]] = {}
    for file in EPOCH_FILES:
        with (shared / "epoch_ai" / "2026-03-30_cset_zip" / file).open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                domains = {d.strip() for d in (row.get("Domain") or "").split(",") if d.strip()}
                out.setdefault(_name(row["Model"]), set()).update(domains)
    return out


def test_large_models_count_no_vision_only_epoch_record(shared: Path, full_census: mc.Census) -> None:
    domains = _epoch_domains(shared)
    vision_only = {n for n, d in domains.items() if d == {"Vision"}}
    assert len(vision_only) > 100  # the premise: Epoch lists many vision-only models (ResNets, ViTs, detectors)
    members = full_census.definition_members("large-models")
    assert {"unit", "source", "source_id", "name", "large_model_reason"} <= set(members.columns)
    assert members["large_model_reason"].map(lambda r: isinstance(r, str) and r != "").all()
    epoch = members[members["source"] == "epoch"]
    assert len(epoch) > 500
    names = [_name(n) for n in epoch["name"]]
    assert all(n in domains for n in names), [n for n in names if n not in domains][:5]
    assert not [n for n in names if n in vision_only]
    assert all({"Language", "Multimodal"} & {d.title() for d in domains[n]} for n in names)
    # every member is admitted by its own source's rule
    assert not epoch["large_model_reason"].str.startswith("domain not").any()
    # the counted figure rests on these members: as many units counted as member units
    counted = full_census.count_definition("large-models").frame
    assert int(counted["denominator"].iloc[0]) == members["unit"].nunique()


def test_vision_only_epoch_records_are_out_with_their_reason(shared: Path, full_census: mc.Census) -> None:
    """Read without the large-model filter, the same population shows every vision-only Epoch record out."""
    domains = _epoch_domains(shared)
    d = full_census.definition("large-models")
    wide = dataclasses.replace(d, name="large-models-unfiltered", filters={"originals_only": True})
    members = full_census.definition_members(wide)
    epoch = members[members["source"] == "epoch"]
    vision = epoch[[domains.get(_name(n)) == {"Vision"} for n in epoch["name"]]]
    assert len(vision) > 100
    assert vision["large_model_reason"].str.startswith("domain not").all()


def test_a_vision_only_epoch_model_counts_only_as_another_source_s_multimodal_model(
    shared: Path, full_census: mc.Census
) -> None:
    """A unit holding a model Epoch files as vision-only is counted only when another source admits it as a
    language or multimodal model (a vision-language model rated in LMArena's vision arena, say phi-3.5-Vision):
    never through a shared key of distinct models (``ViT-G/14`` and ``ViT-Huge/14`` are two units, not "14")."""
    domains = _epoch_domains(shared)
    d = full_census.definition("large-models")
    wide = full_census.definition_members(dataclasses.replace(d, name="wide", filters={"originals_only": True}))
    vision_units = {
        u
        for u, s, n in wide[["unit", "source", "name"]].itertuples(index=False)
        if s == "epoch" and domains.get(_name(n)) == {"Vision"}
    }
    counted = full_census.definition_members("large-models")
    overlap = counted[counted["unit"].isin(vision_units)]
    assert (overlap["source"] != "epoch").all()  # admitted through another source's record, never Epoch's
    assert overlap["large_model_reason"].str.contains("vision|text|multimodal|producing text").all()
    keys = wide[wide["name"].isin(["ViT-G/14", "ViT-Huge/14", "LIMoE-H/14"])]["unit"]
    assert keys.nunique() == len(keys) and "14" not in set(keys)
