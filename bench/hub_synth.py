"""Realistic synthetic Hugging Face Hub listings, fitted on the shared real listing.

Distributions taken from ``huggingface-trending_2026-05-04.json`` (1,000 real repos):
authors (their frequencies), the share of derivatives and their relations (finetune, adapter,
quantized, merge), the base models derivatives point at, pipeline tags, libraries, tag sets,
30-day downloads and likes (resampled together, with log-normal jitter).

Two things the trending sample cannot show are assumptions, stated here: on the whole Hub most
repos belong to individual accounts (``share_individuals``, default 0.8, drawn from a Zipf-like
pool of synthetic users) and most repos are barely downloaded (``share_dormant``, default 0.6, get
0-20 downloads). Derivatives build on a real base (half of them) or on an earlier synthetic repo,
which makes lineage chains several steps deep.

Run: ``.venv/bin/python -m bench.hub_synth --rows 2000000 --out /tmp/hub-2m.jsonl``.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

RELATIONS = ("finetune", "adapter", "quantized", "merge")


def fit(trending_file: Path) -> dict[str, Any]:
    """The empirical distributions of a real listing."""
    models = json.loads(trending_file.read_text(encoding="utf-8"))["models"]
    authors = Counter(m["author"] for m in models)
    relations: Counter[str] = Counter()
    bases: Counter[str] = Counter()
    derivatives = 0
    for m in models:
        typed = [t.split(":") for t in m["tags"] if t.startswith("base_model:") and t.count(":") >= 2]
        plain = [t.split(":", 1)[1] for t in m["tags"] if t.startswith("base_model:") and t.count(":") == 1]
        if plain or typed:
            derivatives += 1
            relations[typed[0][1] if typed else "finetune"] += 1
            bases.update(plain or [typed[0][-1]])
    return {
        "authors": authors,
        "derivative_share": derivatives / len(models),
        "relations": relations,
        "bases": bases,
        "pipelines": Counter(m.get("pipelineTag") for m in models),
        "libraries": Counter(m.get("libraryName") for m in models),
        "templates": [[t for t in m["tags"] if not t.startswith("base_model:")] for m in models],
        "downloads": np.array([m["downloads"] for m in models], dtype=np.float64),
        "likes": np.array([m["likes"] for m in models], dtype=np.float64),
    }


def _choice(rng: np.random.Generator, counter: Counter[Any], size: int) -> list[Any]:
    keys = list(counter)
    weights = np.array([counter[k] for k in keys], dtype=np.float64)
    idx = rng.choice(len(keys), size=size, p=weights / weights.sum())
    return [keys[i] for i in idx]


def generate(
    trending_file: Path,
    out: Path,
    rows: int,
    *,
    seed: int = 7,
    share_individuals: float = 0.8,
    share_dormant: float = 0.6,
    chunk: int = 100_000,
) -> Path:
    """Write ``rows`` synthetic ``/api/models`` items as JSONL to ``out``."""
    model = fit(trending_file)
    rng = np.random.default_rng(seed)
    users = max(1000, rows // 8)
    start = datetime(2021, 1, 1, tzinfo=UTC)
    span_s = int((datetime(2026, 5, 1, tzinfo=UTC) - start).total_seconds())
    real_bases = list(model["bases"])
    base_weights = np.array([model["bases"][b] for b in real_bases], dtype=np.float64)
    base_weights /= base_weights.sum()
    out.parent.mkdir(parents=True, exist_ok=True)
    # every repo's author, decided up front so that a derivative can name an earlier repo's id
    real_names = list(model["authors"])
    real_weights = np.array([model["authors"][a] for a in real_names], dtype=np.float64)
    author_code = np.where(
        rng.random(rows) < share_individuals,
        np.minimum(rng.zipf(1.3, rows), users),
        -1 - rng.choice(len(real_names), size=rows, p=real_weights / real_weights.sum()),
    )

    def author_of(number: int) -> str:
        code = int(author_code[number])
        return f"user{code}" if code >= 0 else real_names[-1 - code]

    with out.open("w", encoding="utf-8") as handle:
        for offset in range(0, rows, chunk):
            n = min(chunk, rows - offset)
            derivative = rng.random(n) < model["derivative_share"]
            relation = _choice(rng, model["relations"], n)
            on_real_base = rng.random(n) < 0.5
            real_base = rng.choice(len(real_bases), size=n, p=base_weights)
            earlier = (rng.random(n) * max(offset, 1)).astype(np.int64)
            pick = rng.integers(0, len(model["downloads"]), n)
            jitter = rng.lognormal(0.0, 0.5, n)
            dormant = rng.random(n) < share_dormant
            downloads = np.where(dormant, rng.integers(0, 21, n), model["downloads"][pick] * jitter).astype(np.int64)
            likes = np.where(dormant, rng.integers(0, 3, n), model["likes"][pick] * jitter).astype(np.int64)
            created = rng.integers(0, span_s, n)
            modified = created + rng.integers(0, 86_400 * 60, n)
            pipelines = _choice(rng, model["pipelines"], n)
            libraries = _choice(rng, model["libraries"], n)
            templates = rng.integers(0, len(model["templates"]), n)
            lines = []
            for i in range(n):
                number = offset + i
                author = author_of(number)
                tags = list(model["templates"][templates[i]])
                if derivative[i] and number > 0:
                    if on_real_base[i] or offset + i < 10:
                        base = real_bases[real_base[i]]
                    else:
                        parent = int(earlier[i]) % number
                        base = f"{author_of(parent)}/model-{parent}"
                    tags += [f"base_model:{base}", f"base_model:{relation[i]}:{base}"]
                made = start + timedelta(seconds=int(created[i]))
                item = {
                    "_id": f"{number:024x}",
                    "id": f"{author}/model-{number}",
                    "author": author,
                    "createdAt": made.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                    "lastModified": (start + timedelta(seconds=int(modified[i]))).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                    "downloads": int(downloads[i]),
                    "likes": int(likes[i]),
                    "trendingScore": 0,
                    "private": False,
                    "pipeline_tag": pipelines[i],
                    "library_name": libraries[i],
                    "tags": tags,
                }
                lines.append(json.dumps(item, separators=(",", ":")))
            handle.write("\n".join(lines) + "\n")
    return out


def next_harvest(
    listing: Path,
    out: Path,
    *,
    seed: int = 11,
    changed: float = 0.3,
    gone: float = 0.005,
    new: float = 0.01,
    days: int = 7,
) -> dict[str, int]:
    """Write the listing a harvest ``days`` later would give (``listing`` as JSONL, one repo per line): a share
    ``changed`` of its repos with new downloads and likes (log-normal jitter), a share ``gone`` deleted, and a
    share ``new`` of new repos (new ids, created in those days, otherwise like a repo of the listing: derivatives
    keep their bases). Returns how many of each."""
    rng = np.random.default_rng(seed)
    counts = {"repos": 0, "changed": 0, "gone": 0, "new": 0}
    with listing.open(encoding="utf-8") as source, out.open("w", encoding="utf-8") as target:
        for line in source:
            if not line.strip():
                continue
            counts["repos"] += 1
            draw = rng.random()
            if draw < gone:
                counts["gone"] += 1
                continue
            repo = json.loads(line)
            if draw < gone + changed:
                counts["changed"] += 1
                repo["downloads"] = round((repo.get("downloads") or 0) * rng.lognormal(0.0, 0.5))
                repo["likes"] = int((repo.get("likes") or 0) + rng.poisson(0.2))
            target.write(json.dumps(repo, separators=(",", ":")) + "\n")
            if rng.random() < new:
                counts["new"] += 1
                created = datetime(2026, 5, 4, tzinfo=UTC) + timedelta(seconds=int(rng.integers(0, days * 86_400)))
                stamp = created.strftime("%Y-%m-%dT%H:%M:%S.000Z")
                twin = {**repo, "id": f"{repo['id']}-next-{counts['new']}", "createdAt": stamp, "lastModified": stamp}
                twin["_id"] = f"{counts['repos'] + 10**12:024x}"
                twin["downloads"], twin["likes"] = int(rng.integers(0, 50)), 0
                target.write(json.dumps(twin, separators=(",", ":")) + "\n")
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default = Path(__file__).resolve().parents[2] / "shared" / "data" / "hf_hub_starscreener"
    parser.add_argument("--trending", type=Path, default=default / "huggingface-trending_2026-05-04.json")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    generate(args.trending, args.out, args.rows, seed=args.seed)
    print(f"wrote {args.rows:,} repos to {args.out} ({args.out.stat().st_size / 2**20:,.0f} MiB)")


if __name__ == "__main__":
    main()
