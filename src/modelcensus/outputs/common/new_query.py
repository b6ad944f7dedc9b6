"""What's new as JSON, one function for the CLI (``modelcensus new --format json``), the API (``/api/new``), the
dashboard's ``/new`` page and the Atom feed (``/feeds/new.atom``): their answers cannot diverge."""

from __future__ import annotations

from typing import Any

from modelcensus.census import Census, Figure
from modelcensus.figures.new import NewModels
from modelcensus.outputs.common.render import records
from modelcensus.queries import NewRequest
from modelcensus.records import country_name, jsonable


def by_country(new: NewModels) -> list[dict[str, Any]]:
    """The new models per country (full counting: a model of two countries counts for each; ``group`` null: the
    models with no country), the most first."""
    rows = [
        {"group": g, "group_name": country_name(g), "models": int(n)}
        for g, n in zip(new.by_country["group"], new.by_country["models"], strict=True)
    ]
    return sorted(rows, key=lambda r: (-r["models"], r["group"] is None, str(r["group_name"])))


def comparison_text(figure: Figure) -> str:
    """Which snapshots the figure compares, in words: ``Models first listed by a snapshot dated after 2026-05-01
    (huggingface of 2026-05-04), none of the 12 snapshots dated up to 2026-05-01 listed them.``"""
    p = figure.provenance
    compared = list(p.compared or ())
    after = [c for c in compared if c["side"] == "after"]
    before = [c for c in compared if c["side"] == "before"]
    newer = ", ".join(f"{c['source']} of {c['data_date']}" for c in after) or "none stored"
    if p.entered_after is None:
        return f"Every model, by the first stored snapshot that listed it ({len(after)} dated snapshots: {newer})."
    since = p.entered_after.isoformat()
    return (
        f"Models first listed by a snapshot dated after {since} ({newer}); none of the {len(before)} stored snapshots "
        f"dated up to {since} listed them."
    )


def new_report(census: Census, q: NewRequest, limit: int | None = None, offset: int = 0) -> dict[str, Any]:
    """``{"since", "default_since", "comparison", "compared", "total", "by_country", "limit", "offset", "items",
    "provenance"}``: the models that entered after ``since`` (``default_since``: the date was not given, the
    previous snapshot's was taken), newest first; ``items`` a page of them (all without ``limit``)."""
    new = census.vintage.new_page(**q.arguments(), limit=limit, offset=offset)
    p = new.figure.provenance
    return {
        "since": p.entered_after.isoformat() if p.entered_after else None,
        "default_since": q.since is None,
        "comparison": comparison_text(new.figure),
        "compared": jsonable(list(p.compared or ())),
        "total": new.total,
        "by_country": by_country(new),
        "limit": limit,
        "offset": offset,
        "items": records(new.figure.frame),
        "provenance": jsonable(p.to_dict()),
    }
