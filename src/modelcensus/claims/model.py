"""A published claim → a verdict at its vintage, with the figure then and now, coverage, evidence and sensitivity.

A claims file (YAML) states claims as checkable statements::

    claims:
      - id: ai-index-2025-cn
        claim: "Notable AI models of 2024: China 15"
        source: "Stanford AI Index 2025"
        metric: count            # count or share
        country: CN              # ISO code (or name)
        period: {year: 2024}     # or {since: 2020, until: 2025-07-27} (years or dates); empty: all years
        comparison: "=="         # ==, >=, <=, >, <
        value: 15
        tolerance: 0             # allowed absolute difference for ==
        definition: epoch-notable
        as_of: 2025-03-01        # the date the claim's data refers to (optional)
        published: 2025-04-07    # when the claim was published (optional)

A claim is evaluated three times: at the vintage in force on ``as_of`` (for each of the definition's sources,
its newest export dated on or before it), at the next stored vintage, and now. Verdicts come from a fixed
vocabulary (:data:`VERDICTS`):

- ``supported``: the comparison holds at the claim's vintage (now, for a claim without ``as_of``);
- ``consistent-at-vintage``: it does not, but the claimed value lies between the figure at the vintage in
  force and at the next one (the claimant read data between two stored exports);
- ``not-checkable``: the sources could not have seen enough: no export of the definition's sources was in
  force on ``as_of``; or the claimed value lies inside the interval of the estimate of what no source lists
  (a claim inside that interval is never ``contradicted``); or, for a definition of models that exist (several
  linked sources, not one source's own list), the claim asks for more models than the sources list, or for a
  share when the estimates that would settle it are withheld (see :func:`verdict_of`);
- ``contradicted``: otherwise.

The sensitivity table gives the figure now under every preset definition, counting rule and unit, comparing
like with like: Hub derivatives are not "models released", so they never widen the range of a release claim.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from modelcensus.errors import InputFormatError
from modelcensus.records import country_code
from modelcensus.vocabulary import Period, Verdict

COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "==": operator.eq,
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
}
VERDICTS = tuple(Verdict)
"""The verdicts, as :class:`~modelcensus.vocabulary.Verdict` lists them."""
CLAIM_KEYS = {
    "id",
    "claim",
    "source",
    "metric",
    "country",
    "period",
    "comparison",
    "value",
    "tolerance",
    "definition",
    "as_of",
    "published",
}


class _ClaimsLoader(yaml.SafeLoader):
    """YAML dates stay text, so a bad one (2025-02-30) is an error naming the claim and field, not a crash."""


def _date_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    return str(loader.construct_scalar(node))


_ClaimsLoader.add_constructor("tag:yaml.org,2002:timestamp", _date_text)


@dataclass(frozen=True)
class Claim:
    id: str
    claim: str
    metric: str
    country: str
    comparison: str
    value: float
    definition: str
    period: dict[str, int | date] = field(default_factory=dict)
    tolerance: float = 0.0
    source: str = ""
    as_of: date | None = None
    published: date | None = None

    @property
    def window(self) -> Period:
        return Period(self.period.get("year"), self.period.get("since"), self.period.get("until"))  # type: ignore[arg-type]


def _date_field(value: object, where: str, key: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InputFormatError(f"{key} must be a date (YYYY-MM-DD), not {value!r}", file=where, column=key) from None


def _bound(value: object, where: str) -> int | date:
    if isinstance(value, date):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value)
    if text.isdigit():
        return int(text)
    parsed = _date_field(text, where, "period")
    assert parsed is not None
    return parsed


def load_claims(path: Path) -> list[Claim]:
    """Read and validate a claims file; errors name the file, the claim and the field."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_ClaimsLoader)  # a SafeLoader
    except (OSError, yaml.YAMLError) as exc:
        raise InputFormatError(f"cannot read the claims file ({exc})", file=str(path)) from exc
    items = data.get("claims") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise InputFormatError("a claims file is a mapping with a list under 'claims'", file=str(path))
    claims = []
    for index, item in enumerate(items, start=1):
        where = f"{path} (claim {index})"
        if not isinstance(item, dict):
            raise InputFormatError("each claim is a mapping", file=where)
        unknown = set(item) - CLAIM_KEYS
        if unknown:
            raise InputFormatError(
                f"unknown key(s) {', '.join(sorted(unknown))}", file=where, column=sorted(unknown)[0]
            )
        for key in ("id", "claim", "metric", "country", "comparison", "value", "definition"):
            if key not in item:
                raise InputFormatError(f"missing key {key!r}", file=where, column=key)
        if item["metric"] not in ("count", "share"):
            raise InputFormatError("metric must be count or share", file=where, column="metric")
        if item["comparison"] not in COMPARISONS:
            raise InputFormatError(
                f"comparison must be one of {', '.join(COMPARISONS)}", file=where, column="comparison"
            )
        code = country_code(str(item["country"])) if len(str(item["country"])) != 2 else str(item["country"]).upper()
        if not isinstance(code, str):
            raise InputFormatError(f"unknown country {item['country']!r}", file=where, column="country")
        period = dict(item.get("period") or {})
        if set(period) - {"year", "since", "until"}:
            raise InputFormatError("period keys are year, since, until", file=where, column="period")
        try:
            value = float(item["value"])
        except (TypeError, ValueError):
            raise InputFormatError(
                f"value must be a number, not {item['value']!r}", file=where, column="value"
            ) from None
        claims.append(
            Claim(
                id=str(item["id"]),
                claim=str(item["claim"]),
                metric=str(item["metric"]),
                country=code,
                comparison=str(item["comparison"]),
                value=value,
                definition=str(item["definition"]),
                period={k: (int(v) if k == "year" else _bound(v, where)) for k, v in period.items()},
                tolerance=float(item.get("tolerance", 0.0)),
                source=str(item.get("source", "")),
                as_of=_date_field(item.get("as_of"), where, "as_of"),
                published=_date_field(item.get("published"), where, "published"),
            )
        )
    return claims


# -- printing figures as readers write them ----------------------------------------------------------


def format_figure(value: float | None, metric: str, against: float | None = None) -> str:
    """``914``, ``1,509``, ``26.0%``; near a threshold, with enough digits to show which side it is on."""
    if value is None:
        return "n/a"
    if metric == "share":
        for digits in range(1, 6):
            text = f"{value * 100:.{digits}f}%"
            if against is None or value == against or f"{against * 100:.{digits}f}%" != text:
                return text
        return f"{value * 100:.6f}%"
    if float(value).is_integer():
        return f"{value:,.0f}"
    for digits in range(1, 6):
        text = f"{value:,.{digits}f}"
        if against is None or value == against or f"{against:,.{digits}f}" != text:
            return text
    return f"{value:,.6f}"


# -- evaluation ------------------------------------------------------------------------------------------


def holds(claim: Claim, figure: float | None) -> bool | None:
    if figure is None:
        return None
    if claim.comparison == "==":
        return abs(figure - claim.value) <= claim.tolerance
    return COMPARISONS[claim.comparison](figure, claim.value)


def _between(value: float, a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return False
    return min(a, b) <= value <= max(a, b)


def comparable_definitions(claim_definition: Any, other: Any, country: str | None = None) -> bool:
    """Like with like: a claim about models released is not widened by Hub derivatives, and vice versa; a claim
    about one country (or the world: ``country`` None) is not widened by a definition that covers another country
    only (``covers``: ``cac-filed`` holds China's registered models, 0 for any other country by construction)."""
    covers = getattr(other, "covers", None)
    if covers is not None and covers != country:
        return False
    return bool(claim_definition.filters.get("derivatives_only")) == bool(other.filters.get("derivatives_only"))


def _wants_more(claim: Claim, figure: float | None) -> bool:
    """Whether the claim asks for a larger count than the sources list (models no source lists could close it)."""
    return figure is not None and claim.value > figure and claim.comparison in ("==", ">=", ">")


def verdict_of(
    claim: Claim,
    at_figure: float | None,
    next_figure: float | None,
    in_force: bool,
    coverage: dict[str, Any] | None,
    open_world: bool,
) -> str:
    """The verdict from the figures at the claim's vintage and the next one, and the coverage estimate.

    ``open_world``: the definition counts models that exist (several linked sources), not one source's own list
    (Epoch's notable models are exactly what Epoch lists). There, what the sources list is a floor: a count
    claim above it is not contradicted by it, and the estimate of what no source lists can only find the models
    lists like these can find (models no such list could ever see are beyond any estimate), so it contradicts
    a claim only from below, or a share claim when both shares' estimates stand.

    ``in_force``: an export of the definition's sources is in force (on ``as_of``; now, without it)."""
    if not in_force:
        return Verdict.NOT_CHECKABLE
    if holds(claim, at_figure):
        return Verdict.SUPPORTED
    if claim.as_of is not None and _between(claim.value, at_figure, next_figure):
        return Verdict.CONSISTENT_AT_VINTAGE
    if coverage is not None:
        low, high = coverage.get("ci_low"), coverage.get("ci_high")
        if low is not None and high is not None and low <= claim.value <= high:
            return Verdict.NOT_CHECKABLE
    if open_world:
        if claim.metric == "count" and _wants_more(claim, at_figure):
            return Verdict.NOT_CHECKABLE
        if claim.metric == "share" and (coverage is None or coverage.get("estimate") is None):
            return Verdict.NOT_CHECKABLE
    return Verdict.CONTRADICTED


def _count_text(value: float | None) -> str:
    return "n/a" if value is None else f"{round(value):,}"


def explain(claim: Claim, result: dict[str, Any]) -> str:
    """Two or three short sentences: what changed with the vintage, with the definition, and with coverage."""
    m = claim.metric
    at, now = result.get("at_vintage"), result["now"]
    claimed = format_figure(claim.value, m)
    now_text = f"{format_figure(now['figure'], m, claim.value)} now ({now['export_date']})"
    if at is None:
        first = f"The figure is {now_text}; claimed {claimed}."
    elif at["export_date"] is None:
        first = f"No export of the definition's sources is dated on or before {at['as_of']}; it is {now_text}."
    else:
        then = format_figure(at["figure"], m, claim.value)
        nxt = (
            f", {format_figure(at['next_figure'], m, claim.value)} at the next ({at['next_export_date']})"
            if at["next_export_date"]
            else ""
        )
        vintage = f"data of {at['export_date']}, in force on {at['as_of']}"
        first = f"At its vintage ({vintage}) the figure was {then}{nxt}, {now_text}; claimed {claimed}."
    parts = [first]
    low, high = result.get("range_low"), result.get("range_high")
    if low is not None and high is not None:
        spread = f"{format_figure(low, m)}–{format_figure(high, m)}"
        parts.append(f"Other definitions, rules and units of the same kind give {spread}.")
    cov = result.get("coverage")
    if cov is not None:
        fmt = _count_text if m == "count" else (lambda v: format_figure(v, m))
        if cov.get("estimate") is not None:
            parts.append(
                f"Counting models no source lists gives about {fmt(cov['estimate'])} ({fmt(cov['ci_low'])}–"
                f"{fmt(cov['ci_high'])}), of the models lists like {', '.join(cov['sources'])} can find."
            )
        elif cov.get("method") == "none":
            parts.append("Unlisted models are not estimated: one source's list.")
        else:
            parts.append("Unlisted models are not estimated (see coverage.reason).")
    scopes = [s["scope"] for s in result.get("snapshots", []) if s.get("scope")]
    if scopes:
        parts.append(f"The population is {'; '.join(dict.fromkeys(scopes))}.")
    return " ".join(parts)


def default_claims() -> Path | None:
    """``examples/claims.yaml`` of the working folder, else the example claims shipped with the package."""
    local = Path.cwd() / "examples" / "claims.yaml"
    if local.is_file():
        return local
    shipped = Path(str(files("modelcensus.data") / "example_claims.yaml"))
    return shipped if shipped.is_file() else None
