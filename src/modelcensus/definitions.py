"""Named, declarative census definitions: what counts as "a model".

A definition is a YAML file: its sources, filters (notable, frontier, open weights, minimum training
compute or parameters, originals only, …), the unit counted, the counting rule and the attribution.
Presets ship in ``definitions_data/``; users add their own files.

Units (:func:`unit_key`):

- ``variant``: every checkpoint a source lists (``Qwen2.5-72B-Instruct``, ``Qwen2.5-72B-Instruct-AWQ``);
- ``release``: a variant without its post-training or packaging suffix (``Qwen2.5-72B``);
- ``family``: a release without its size (``Qwen2.5``).

A unit's countries are the union of its members'; a unit's year is its earliest member's.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from modelcensus.errors import InputFormatError
from modelcensus.records import country_code
from modelcensus.vocabulary import (
    BUILT_IN_SOURCES,
    DEFINITION_SOURCES,
    TABULAR_NAME,
    Attribution,
    Rule,
    Unit,
    list_name,
)

FILTERS = {
    "notable": bool,
    "frontier": bool,
    "large_scale": bool,
    "open_weights": str,
    "domain": str,
    "min_training_compute_flop": float,
    "min_parameters": float,
    "originals_only": bool,
    "derivatives_only": bool,
    "large_model": bool,
    "cac_filed": bool,
}
KEYS = {"name", "description", "sources", "filters", "unit", "rule", "attribution", "covers"}


@dataclass(frozen=True)
class Definition:
    """A named census definition."""

    name: str
    description: str
    sources: tuple[str, ...]
    filters: dict[str, Any] = field(default_factory=dict)
    unit: str = "variant"
    rule: str = "full"
    attribution: str = "as-published"
    file: str = ""
    covers: str | None = None
    """The one country (ISO code) whose models the definition's population holds, when it holds one country's by
    construction (``cac-filed``: China's register): a claim about another country is not compared with it."""

    def describe(self) -> str:
        parts = [f"{', '.join(self.sources)}"]
        parts += [f"{k}={v}" for k, v in self.filters.items()]
        return f"{self.name} ({'; '.join(parts)}; unit {self.unit}; rule {self.rule}; attribution {self.attribution})"


HUB_REPOS = Definition(
    "huggingface", "Hugging Face repos", ("huggingface",), attribution=Attribution.RESOLVED, file="(built in)"
)
"""Every Hub repo, each its own model, counted for its publisher's country: what ``/api/models?source=huggingface``
lists."""


def _load(text: str, where: str) -> Definition:
    """The definition a file's text holds (parsed once per text: figures look definitions up often)."""
    d = _parsed(text, where)
    return replace(d, filters=dict(d.filters))


@functools.lru_cache(maxsize=256)
def _parsed(text: str, where: str) -> Definition:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputFormatError(f"not valid YAML ({exc})", file=where) from exc
    if not isinstance(data, dict):
        raise InputFormatError("a definition is a mapping of keys", file=where)
    unknown = set(data) - KEYS
    if unknown:
        raise InputFormatError(f"unknown key(s) {', '.join(sorted(unknown))}", file=where, column=sorted(unknown)[0])
    for required in ("name", "sources"):
        if required not in data:
            raise InputFormatError(f"missing key {required!r}", file=where, column=required)
    sources = tuple(list_name(str(s)) for s in data["sources"] or ())
    bad = [s for s in sources if not is_definition_source(s)]
    if bad or not sources:
        raise InputFormatError(
            f"unknown source {bad[0] if bad else None!r} (one of {', '.join(DEFINITION_SOURCES)}, or a tabular "
            "list's name)",
            file=where,
            column="sources",
        )
    filters = dict(data.get("filters") or {})
    for key, value in filters.items():
        if key not in FILTERS:
            raise InputFormatError(f"unknown filter {key!r} (one of {', '.join(FILTERS)})", file=where, column=key)
        if FILTERS[key] is float:
            filters[key] = float(value)
        elif not isinstance(value, FILTERS[key]):
            raise InputFormatError(f"filter {key!r} must be a {FILTERS[key].__name__}", file=where, column=key)
    definition = Definition(
        name=str(data["name"]),
        description=str(data.get("description", "")),
        sources=sources,
        filters=filters,
        unit=str(data.get("unit", "variant")),
        rule=str(data.get("rule", "full")),
        attribution=str(data.get("attribution", "as-published")),
        file=where,
        covers=_covered(data.get("covers"), where),
    )
    for key, kind in (("unit", Unit), ("rule", Rule), ("attribution", Attribution)):
        if getattr(definition, key) not in tuple(kind):
            raise InputFormatError(f"{key} must be one of {', '.join(kind)}", file=where, column=key)
    return definition


def _covered(value: object, where: str) -> str | None:
    """The ``covers`` key: a country name or ISO code, kept as the code."""
    if value is None:
        return None
    code = country_code(str(value))
    if not isinstance(code, str):
        raise InputFormatError(f"covers: {value!r} is not a country name or ISO code", file=where, column="covers")
    return code


def is_definition_source(source: str) -> bool:
    """A source a definition may count: a built-in one whose records are census records, ``tabular`` (every stored
    tabular list) or one list's name (whether it is stored is known only when the definition is counted)."""
    return source in DEFINITION_SOURCES or (bool(TABULAR_NAME.fullmatch(source)) and source not in BUILT_IN_SOURCES)


def load_definitions(extra: Iterable[Path] = ()) -> dict[str, Definition]:
    """The presets plus user files (a YAML file or a folder of them); a user file may override a preset."""
    found: dict[str, Definition] = {}
    folder = resources.files("modelcensus.definitions_data")
    for item in sorted(folder.iterdir(), key=lambda f: f.name):
        if item.name.endswith((".yaml", ".yml")):
            d = _load(item.read_text(encoding="utf-8"), f"preset {item.name}")
            found[d.name] = d
    for path in extra:
        files = sorted(path.glob("*.y*ml")) if path.is_dir() else [path]
        for file in files:
            d = _load(file.read_text(encoding="utf-8"), str(file))
            found[d.name] = d
    return found
