"""Which records are large models (大模型): the reviewed rules of ``data/large_models.yaml``, source by source.

WAIC's "1,509 of 3,755 large AI models" counts 大模型 without a published rule. The ``large-models``
definition comes as close as the sources allow: language or multimodal foundation models of at least about
1B parameters (or flagged large-scale), each source judged on what it records. Every decision keeps its
reason, so a reader can see why a model is in or out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

_SIZE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*([bBmM])(?![\w])")
_MOE = re.compile(r"(?<![\w.])(\d+)x(\d+(?:\.\d+)?)([bB])(?![\w])")


@dataclass(frozen=True)
class Decision:
    admitted: bool
    reason: str


@lru_cache(maxsize=1)
def rules() -> dict[str, Any]:
    text = resources.files("modelcensus.data").joinpath("large_models.yaml").read_text("utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


def size_in_name(name: str) -> float | None:
    """Parameters a model's name gives (``Qwen3-8B`` → 8e9, ``Mixtral-8x7B`` → 5.6e10, ``SmolLM-360M`` → 3.6e8)."""
    moe = _MOE.search(name)
    if moe:
        return float(moe.group(1)) * float(moe.group(2)) * 1e9
    text = re.sub(r"(?<![\d.])(\d)_(\d[bBmM])(?!\w)", r"\1.\2", name).replace("_", "-")  # 1_6b is 1.6B
    sizes = [float(m.group(1)) * (1e9 if m.group(2) in "bB" else 1e6) for m in _SIZE.finditer(text)]
    return max(sizes) if sizes else None


def _size(parameters: float | None, compute: float | None = None) -> Decision | None:
    r = rules()
    if parameters is not None:
        ok = parameters >= r["min_parameters"]
        return Decision(ok, f"{parameters:.3g} parameters {'≥' if ok else '<'} {r['min_parameters']:.0e}")
    if compute is not None:
        ok = compute >= r["min_training_compute_flop"]
        sign = "≥" if ok else "<"
        return Decision(ok, f"{compute:.3g} FLOP {sign} {r['min_training_compute_flop']:.0e} (size unknown)")
    return None


def epoch(
    domains: Iterable[str],
    parameters: float | None,
    compute: float | None,
    accessibility: str | None,
    flags: dict[str, bool],
) -> Decision:
    r = rules()["epoch"]
    wanted = {d.casefold() for d in r["domains"]}
    kinds = [d for d in domains if d.casefold() in wanted]
    if not kinds:
        return Decision(False, f"domain not {' or '.join(r['domains'])}")
    size = _size(parameters, compute)
    if size is not None:
        return size
    if accessibility is not None and accessibility in r["unknown_size_admitted_if_accessibility"]:
        return Decision(True, f"size unknown; a {kinds[0].lower()} model with {accessibility.lower()}")
    raised = [f for f in r["unknown_size_admitted_if_flags"] if flags.get(f)]
    if raised:
        return Decision(True, f"size unknown; {raised[0].replace('_', '-')} in Epoch AI's database")
    return Decision(False, "size unknown, not served through an API, not flagged frontier or large-scale")


def huggingface(
    name: str, pipeline_tag: str | None, derivative: bool, by_organization: bool, parameters: float | None
) -> Decision:
    r = rules()["huggingface"]
    if derivative:
        return Decision(False, "a derivative (fine-tune, quantization, adapter or merge), not a release")
    if not by_organization:
        return Decision(False, "not published by an organization")
    if pipeline_tag not in r["pipeline_tags"]:
        return Decision(False, f"pipeline tag {pipeline_tag or '(none)'} is not a language or multimodal task")
    size = _size(parameters if parameters else size_in_name(name))
    if size is not None:
        return size
    return Decision(r["unknown_size"] == "admitted", f"size unknown; a {pipeline_tag} original of an organization")


def openrouter(source_id: str, output_modalities: Iterable[str] | None, modality: str | None) -> Decision:
    r = rules()["openrouter"]
    if source_id.split("/", 1)[0] in r["excluded_vendors"]:
        return Decision(False, "an OpenRouter router, not a model")
    outputs = set(output_modalities or ())
    if not outputs and modality and "->" in modality:
        outputs = set(modality.split("->", 1)[1].split("+"))
    if outputs and r["output_modality"] not in outputs:
        return Decision(False, f"outputs {'+'.join(sorted(outputs))}, not text")
    return Decision(True, "a served general-purpose model producing text (size unpublished)")


def lmarena(arenas: Iterable[str]) -> Decision:
    r = rules()["lmarena"]
    rated = sorted(set(arenas))
    admitted = [a for a in rated if a in r["arenas"]]
    if admitted:
        return Decision(True, f"rated in LMArena's {admitted[0]} arena")
    return Decision(False, f"rated only in {', '.join(rated) or 'no'} arena(s)")


def tabular(source: str) -> Decision:
    """A tabular list records no modality, and its size only in names: none of its records is judged a large model
    on the list's word alone (a record linked to another source's is judged there)."""
    return Decision(False, f"the tabular list {source} records no modality or size")
