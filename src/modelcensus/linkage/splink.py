"""The probabilistic stage of linkage: Splink (Fellegi–Sunter) for the records the deterministic rules
leave apart.

How a pair is scored, and why the thresholds are what they are:

- **Candidates** are pairs of records of different sources with the same developer (Splink's blocking
  rule ``developer``). Records with no known developer never enter this stage.
- **Comparisons** (each a Splink comparison with its levels): the name tokens (equal without snapshot
  marks / one name's tokens all within the other's / half shared / else), the version numbers in the
  name (``3.1``, ``2.5``), the sizes (``70b``, ``a35b``), the words (``flash``, ``coder``), the month of
  release (named in the name or the source's date) and the days between release dates.
- **Training** (only with at least :data:`MIN_KNOWN_LINKS` deterministic links). ``u`` (how often a
  level occurs between two random records) comes from random sampling (fixed seed). ``m`` (how often
  it occurs between two records of one model) comes from the links the deterministic rules made
  (``estimate_m_from_pairwise_labels``): those are known matches. The prior is estimated from the
  ``developer + name without snapshot marks`` rule at an assumed recall of 0.8.
- **Threshold.** A pair is a link when its match probability is at least :data:`MATCH_PROBABILITY`
  (0.999: odds of 1,000 to 1 under the model) *and* each record is the other's clear best candidate in
  its source, :data:`MARGIN_BITS` of match weight ahead of the next (two near-equal candidates, such as
  ``v1`` and ``v1.5``, mean the names cannot tell; nothing is joined).
- **Vetoes** no score overrides, because each says outright that two releases differ: different version
  numbers (neither list within the other), different sizes, release months more than one month apart,
  or a tier word (``coder``, ``mini``, ``vision``… in ``data/model_tier_words.csv``) on one side only.
  They are checked between every record of the two models being joined, not only the scored pair.

Each link carries its evidence: the rule (``splink, clear best``) and the match probability and weight.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable
from typing import Any, cast

import duckdb
import pandas as pd

from modelcensus.linkage import names as lk
from modelcensus.linkage.models import compared
from modelcensus.linkage.vetoes import NameParts, name_parts, release_month, tier_words, veto

__all__ = ["NameParts", "link_probabilistic", "name_parts", "score_pairs", "tier_words", "veto"]

MATCH_PROBABILITY = 0.999
"""A pair must reach this posterior probability of being one model (odds 1,000:1)."""
MARGIN_BITS = 1.0
"""The best candidate must lead the runner-up in its source by this much match weight (log2 odds)."""
RANDOM_PAIRS = 2_000_000
"""Pairs sampled to estimate ``u``."""
SEED = 1
MIN_KNOWN_LINKS = 20
"""Below this many deterministic links there is nothing to learn ``m`` from: the stage does not run."""


def _features(records: Iterable[lk.SourceRecord]) -> pd.DataFrame:
    rows = []
    for r in records:
        if not r.developer:
            continue
        name = lk.match_name(r)
        parts = name_parts(name, r.developer)
        tokens = sorted(set(parts.words + parts.versions + parts.sizes))
        rows.append(
            {
                "unique_id": f"{r.source}:{r.source_id}",
                "source_dataset": r.source,
                "developer": r.developer,
                "skey": lk.snapshot_key(name, r.developer) or None,
                "tokens": tokens or None,
                "versions": sorted(set(parts.versions)) or None,
                "sizes": sorted(set(parts.sizes)) or None,
                "words": sorted(set(parts.words)) or None,
                "month": release_month(r),
                "published_on": r.published_on,
            }
        )
    frame = pd.DataFrame(rows)
    if not frame.empty:
        frame["published_on"] = pd.to_datetime(frame["published_on"]).astype("datetime64[s]")
        frame["month"] = frame["month"].astype("Int64")
    return frame


def _blocked_pairs(frame: pd.DataFrame) -> int:
    """The pairs Splink scores: two records of one developer from different sources."""
    sizes = frame.groupby(["developer", "source_dataset"]).size()
    per_developer = sizes.groupby(level=0)
    return int(((per_developer.sum() ** 2 - per_developer.apply(lambda n: (n**2).sum())) // 2).sum())


def _settings() -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    def lists(column: str, label: str) -> Any:
        return cl.CustomComparison(
            output_column_name=column,
            comparison_levels=[
                cll.CustomLevel(f"{column}_l IS NULL AND {column}_r IS NULL", f"no {label}").configure(
                    is_null_level=True
                ),
                cll.CustomLevel(f"{column}_l = {column}_r", f"same {label}"),
                cll.CustomLevel(f"{column}_l IS NULL OR {column}_r IS NULL", f"{label} on one side only"),
                cll.CustomLevel(
                    f"list_has_all({column}_l, {column}_r) OR list_has_all({column}_r, {column}_l)",
                    f"one side's {label} within the other's",
                ),
                cll.ElseLevel(),
            ],
        )

    name = cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            cll.NullLevel("skey"),
            cll.ExactMatchLevel("skey"),
            cll.CustomLevel(
                "list_has_all(tokens_l, tokens_r) OR list_has_all(tokens_r, tokens_l)",
                "one name's tokens within the other's",
            ),
            cll.CustomLevel(
                "len(list_intersect(tokens_l, tokens_r)) * 2 >= greatest(len(tokens_l), len(tokens_r))",
                "half the tokens shared",
            ),
            cll.ElseLevel(),
        ],
    )
    month = cl.CustomComparison(
        output_column_name="month",
        comparison_levels=[
            cll.NullLevel("month"),
            cll.CustomLevel("abs(month_l - month_r) <= 1", "same or next month"),
            cll.ElseLevel(),
        ],
    )
    days = cl.AbsoluteDateDifferenceAtThresholds(
        "published_on", input_is_string=False, metrics=["day", "day", "day"], thresholds=[3, 14, 60]
    )
    return SettingsCreator(
        link_type="link_only",
        comparisons=[
            name,
            lists("versions", "version numbers"),
            lists("sizes", "sizes"),
            lists("words", "words"),
            month,
            days,
        ],
        blocking_rules_to_generate_predictions=[block_on("developer")],
        retain_intermediate_calculation_columns=False,
    ), block_on("developer", "skey")


def score_pairs(records: list[lk.SourceRecord], known_links: list[tuple[str, str]]) -> pd.DataFrame:
    """Splink's scored candidate pairs (``unique_id_l``, ``unique_id_r``, ``match_probability``,
    ``match_weight`` and the features of both sides), with ``m`` trained on ``known_links``."""
    from splink import DuckDBAPI, Linker

    frame = _features(records)
    if frame.empty or frame["source_dataset"].nunique() < 2:
        return pd.DataFrame()
    ids = set(frame["unique_id"])
    labels = pd.DataFrame(
        [
            {
                "unique_id_l": a,
                "source_dataset_l": a.split(":")[0],
                "unique_id_r": b,
                "source_dataset_r": b.split(":")[0],
            }
            for a, b in known_links
            if a in ids and b in ids
        ]
    )
    if len(labels) < MIN_KNOWN_LINKS:
        return pd.DataFrame()  # too few known matches to learn what a match looks like
    con = duckdb.connect(config={"threads": 1})  # one thread: the sampled u estimates repeat exactly
    try:
        db = DuckDBAPI(connection=con)
        tables = [
            db.register(group.reset_index(drop=True), table_name=f"records_{source}")
            for source, group in frame.groupby("source_dataset")
        ]
        settings, prior_rule = _settings()
        for name in ("splink", "splink.internals"):
            logging.getLogger(name).setLevel(logging.ERROR)
        linker = Linker(tables, settings, log_level=logging.ERROR)
        # (on tiny inputs the rule finds more pairs than 0.8 recall allows: Splink's default prior stays)
        with contextlib.suppress(ValueError):
            linker.training.estimate_probability_two_random_records_match([prior_rule], recall=0.8)
        linker.training.estimate_u_using_random_sampling(max_pairs=RANDOM_PAIRS, seed=SEED)
        db.register(labels, table_name="known_links")
        linker.training.estimate_m_from_pairwise_labels("known_links")  # type: ignore[no-untyped-call]
        compared(_blocked_pairs(frame))
        try:
            scored: pd.DataFrame = linker.inference.predict(
                threshold_match_probability=0.5, warning_mode="never"
            ).as_pandas_dataframe()  # type: ignore[no-untyped-call]
        except ValueError:  # a degenerate prior (0 or 1) on a tiny input: no probabilistic links, never a guess
            return pd.DataFrame()
    finally:
        con.close()
    return scored


def _as_set(value: object) -> frozenset[str]:
    if value is None or isinstance(value, str) or not hasattr(value, "__iter__"):
        return frozenset()
    return frozenset(str(v) for v in value)


def link_probabilistic(
    records: list[lk.SourceRecord],
    find: Callable[[tuple[str, str]], tuple[str, str]],
    known_links: list[tuple[str, str]],
    join: Callable[[lk.SourceRecord, lk.SourceRecord, str, str], bool],
) -> int:
    """Score the pairs the deterministic passes left in different models and join the clear ones.
    Returns the number of links made."""
    scored = score_pairs(records, known_links)
    if scored.empty:
        return 0
    by_id = {f"{r.source}:{r.source_id}": r for r in records}
    scored = scored[scored["match_probability"] >= MATCH_PROBABILITY].sort_values(
        ["match_weight", "unique_id_l", "unique_id_r"], ascending=[False, True, True]
    )
    # Each record's candidates in another source, one per model (OpenRouter's ``x`` and ``x:free`` are
    # one candidate), best first; a vetoed pair is no candidate.
    weights: dict[tuple[str, str], dict[tuple[str, str], tuple[float, str]]] = {}
    for row in scored.itertuples():
        left, right = str(row.unique_id_l), str(row.unique_id_r)
        if veto(by_id[left], by_id[right]):
            continue
        weight = float(cast(float, row.match_weight))
        for me, other, source in ((left, right, row.source_dataset_r), (right, left, row.source_dataset_l)):
            o = by_id[other]
            per_model = weights.setdefault((me, str(source)), {})
            root = find((o.source, o.source_id))
            if root not in per_model or per_model[root][0] < weight:
                per_model[root] = (weight, other)

    def clear_best(me: str, source: str) -> str | None:
        ranked = sorted(weights.get((me, source), {}).values(), key=lambda wo: (-wo[0], wo[1]))
        if not ranked or (len(ranked) > 1 and ranked[1][0] > ranked[0][0] - MARGIN_BITS):
            return None
        return ranked[0][1]

    members: dict[tuple[str, str], list[lk.SourceRecord]] = {}
    for r in records:
        members.setdefault(find((r.source, r.source_id)), []).append(r)
    made = 0
    for row in scored.itertuples():
        left, right = str(row.unique_id_l), str(row.unique_id_r)
        if clear_best(left, str(row.source_dataset_r)) != right or clear_best(right, str(row.source_dataset_l)) != left:
            continue
        a, b = by_id[left], by_id[right]
        root_a, root_b = find((a.source, a.source_id)), find((b.source, b.source_id))
        if root_a == root_b:
            continue
        if any(veto(x, y) for x in members[root_a] for y in members[root_b]):
            continue
        detail = f"match probability {row.match_probability:.6f} (weight {row.match_weight:.1f}), {a.developer}"
        if join(a, b, "splink, clear best", detail):
            made += 1
            merged = members.pop(root_a) + members.pop(root_b)
            members[find((a.source, a.source_id))] = merged
    return made
