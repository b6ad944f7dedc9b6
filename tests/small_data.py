"""A small copy of the shared data, cut from the real files at test time (never stored in the project).

Tests of shape and behaviour (API paging and errors, the dashboard's pages and twins, report rendering, the
schema fuzzing) do not need every row of every source: they need real rows, in the real layouts, from every
source, so that every page and route has something to show. :func:`write_small_data` keeps the same folder
layout and ``datapackage.json`` (so exports are dated as in the full build) and a fixed, deterministic part of
each file:

- Epoch: the models whose name hashes into one bucket of :data:`EPOCH_BUCKETS`, plus :data:`EPOCH_KEEP`, in
  every export and vintage alike (so a model kept in one vintage is kept in all: back-filling is preserved);
- the Hub: every :data:`HUB_EVERY`-th repo of the trending listing, plus the repos of :data:`HUB_AUTHORS`;
- OpenRouter, litellm: every item whose key hashes into one bucket, plus :data:`CATALOG_KEEP`;
- LMArena: the leaderboards' ``full`` and ``chinese`` categories, the scatterplot and the rating history whole;
- not the lists and references ``build`` skips.

The figures of this store are not known answers: tests on it compare the outputs with the library on the same
store. Known answers are checked on the full build (see ``known_answers.py``).
"""

from __future__ import annotations

import csv
import json
import shutil
import zlib
from pathlib import Path
from typing import Any

import duckdb
import pytest

import modelcensus as mc

EPOCH_BUCKETS = 6
"""One Epoch model in about six is kept."""
EPOCH_KEEP = frozenset({"GPT-4", "GPT-4o", "GLM-4.5", "Hermes 3 405B", "DeepSeek-V3", "Qwen2.5-72B", "Llama 3.1 405B"})
"""Models the pages and tests open by name (``/models/epoch:GPT-4``), kept whatever their hash."""
HUB_EVERY = 5
HUB_AUTHORS = frozenset({"openai", "Qwen", "Alibaba-NLP", "Wan-AI", "meta-llama", "deepseek-ai"})
"""Hub accounts kept whole: OpenAI's and Alibaba's profiles read their downloads, lineage needs their bases."""
CATALOG_BUCKETS = 5
CATALOG_KEEP = frozenset({"z-ai/glm-4.5", "openai/gpt-4o", "nousresearch/hermes-3-llama-3.1-405b"})
ARENA_CATEGORIES = ("full", "chinese")


def _kept(name: str, buckets: int) -> bool:
    return zlib.crc32(" ".join(name.split()).encode("utf-8")) % buckets == 0


def _epoch_model(row: dict[str, str]) -> str:
    return " ".join((row.get("Model") or row.get("System") or "").split())


def _cut_epoch_csv(source: Path, target: Path) -> int:
    with source.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        rows = [r for r in reader if _epoch_model(r) in EPOCH_KEEP or _kept(_epoch_model(r), EPOCH_BUCKETS)]
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def _write_json(target: Path, payload: Any) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def write_small_data(shared: Path, target: Path) -> Path:
    """Write the small copy of ``shared`` under ``target`` (see the module docstring) and return ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shared / "datapackage.json", target / "datapackage.json")
    for source in sorted((shared / "epoch_ai").glob("*/*.csv")):
        _cut_epoch_csv(source, target / source.relative_to(shared))

    hub = shared / "hf_hub_starscreener" / "huggingface-trending_2026-05-04.json"
    listing = _read_json(hub)
    models = [m for i, m in enumerate(listing["models"]) if i % HUB_EVERY == 0 or m.get("author") in HUB_AUTHORS]
    _write_json(target / hub.relative_to(shared), {**listing, "count": len(models), "models": models})

    for source in sorted((shared / "openrouter").glob("*.json")):
        payload = _read_json(source)
        items = payload["data"] if isinstance(payload, dict) else payload
        kept = [i for i in items if i["id"] in CATALOG_KEEP or _kept(i["id"], CATALOG_BUCKETS)]
        _write_json(target / source.relative_to(shared), {"data": kept} if isinstance(payload, dict) else kept)

    litellm = shared / "litellm" / "model_prices_and_context_window_backup.json"
    catalogue = _read_json(litellm)
    _write_json(
        target / litellm.relative_to(shared),
        {k: v for k, v in catalogue.items() if k == "sample_spec" or _kept(k, CATALOG_BUCKETS * 4)},
    )

    arena = shared / "lmarena_arena_catalog"
    for source in sorted(arena.glob("leaderboard-*.json")):
        if "style-control" in source.name:
            continue
        board = _read_json(source)
        _write_json(target / source.relative_to(shared), {c: board[c] for c in ARENA_CATEGORIES if c in board})
    for name in ("lmarena_arena_catalog/scatterplot-data.json", "lmarena_history_nakasyou/result.csv"):
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shared / name, target / name)
    return target


def store_without_kept(built: Path, target: Path) -> Path:
    """A copy of the built store ``built`` at ``target`` without what its build kept for readers (populations,
    verdicts): every reader of it computes."""
    shutil.copyfile(built, target)
    con = duckdb.connect(str(target))
    try:
        for (name,) in con.execute("SELECT table_name FROM _kept").fetchall():
            con.execute(f'DROP TABLE "{name}"')
        con.execute("DROP TABLE _kept")
    finally:
        con.close()
    return target


def store_changed_after_build(built: Path, small: Path, folder: Path) -> Path:
    """A copy of the built store ``built`` in ``folder``, changed after its build: a later OpenRouter listing
    (:func:`later_openrouter_listing`) ingested into it."""
    changed = folder / "changed.duckdb"
    shutil.copyfile(built, changed)
    with mc.open(changed) as census:
        census.ingest_openrouter(later_openrouter_listing(small, folder))
    return changed


def later_openrouter_listing(small: Path, folder: Path) -> Path:
    """A later OpenRouter listing written to ``folder``: half the models of the small copy's, dated 2026-09-01.
    Ingested into a copy of a built store, it changes the state of the data after the build."""
    listing = next((small / "openrouter").glob("*.json"))
    rows = json.loads(listing.read_text(encoding="utf-8"))
    models = rows["data"] if isinstance(rows, dict) else rows
    later = folder / "openrouter-models_2026-09-01.json"
    later.write_text(json.dumps({"data": models[: max(1, len(models) // 2)]}), encoding="utf-8")
    return later


def kept_keys(path: Path, kind: str) -> list[list[Any]]:
    """The keys (as JSON lists) of what the build of the store at ``path`` kept of one kind (``verdicts``,
    ``estimate``: the first item of a key)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        keys = [json.loads(k) for (k,) in con.execute("SELECT key FROM _kept").fetchall()]
    finally:
        con.close()
    return [k for k in keys if k[0] == kind]


class Calls:
    """Counts the calls of one function of a module or class (``owner.name``), patched for one test: what a reader
    computes rather than reads from what a build kept."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> None:
        self.made = 0
        original = getattr(owner, name)

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.made += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, name, counted)
