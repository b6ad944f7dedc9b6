"""One model, many names: link records of several sources into canonical models.

Every link carries its evidence (the rule and what matched). Deterministic passes first, most certain
first:

1. **ids the sources give**: OpenRouter's ``hugging_face_id`` and Epoch's Hugging Face ``Link`` name a Hub
   repo exactly;
2. **name key + organization**: two records whose normalised names are equal (:func:`name_key`) and whose
   developers are compatible (the same organization, or within one parent, or one side unknown)
   denote the same release;
3. token keys unique on both sides, a release and its one post-training form, release dates within
   ``DATE_WINDOW_DAYS`` with a clearly best similar name, a release and its dated snapshots, an undated
   alias and its launch snapshot, and another endpoint (``:free``) of one model.

Then, for what is left apart, a probabilistic stage (:mod:`modelcensus.linkage_splink`, Splink) with a
documented threshold, a margin over the runner-up, and vetoes no score overrides.

The name key keeps everything that distinguishes releases (version, size, ``-air``, ``-instruct``,
``-mini``, dates), so hard negatives (GLM-4.5 vs GLM-4.5-Air, Llama 3.1 70B vs Llama 3.3 70B,
DeepSeek-V3 vs DeepSeek-V3.1, base vs instruct) never share a key. What it removes is spelling only:
case, the vendor prefix (``z-ai/``, ``AI21: ``), parenthesised aliases, separators (space, ``_``,
``.`` become ``-``).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Protocol

from rapidfuzz import fuzz

from modelcensus.errors import QueryError
from modelcensus.orgs import Registry

LINKAGE_VERSION = "3"
"""Bumped whenever a rule changes what links, so stored linkage results are recomputed."""
SOURCE_PRIORITY = ("epoch", "huggingface", "openrouter", "lmarena", "litellm", "tabular")
_HF_URL = re.compile(r"huggingface\.co/([A-Za-z0-9][\w.-]*/[\w.-]+)")


def name_key(name: str, keep_dots: bool = False) -> str:
    """The spelling-free key of a model name (see the module docstring).

    ``keep_dots`` keeps version and size dots (``qwen2.5-1.5b``) for parsers that must tell a version
    from a size; the linkage key turns them into dashes like every other separator.
    """
    text = unicodedata.normalize("NFKC", name).strip()
    text = re.sub(r":(free|beta|extended|floor|nitro)$", "", text)  # OpenRouter's routing variants of one model
    if ": " in text:
        text = text.split(": ", 1)[1]
    if "/" in text:
        text = text.rsplit("/", 1)[1]
    # parentheses holding a digit carry a version, date or size ("(Mar 2025)", "(72B)"): keep them;
    # others are aliases ("(FAIR)") and go
    text = re.sub(r"\(([^)]*)\)", lambda m: f" {m.group(1)} " if re.search(r"\d", m.group(1)) else " ", text)
    text = text.casefold().replace("+", " plus ")
    text = re.sub(r"[\s_]+" if keep_dots else r"[\s_.]+", "-", text)
    text = re.sub(r"[^\w+.-]" if keep_dots else r"[^\w+-]", "", text)
    return re.sub(r"-+", "-", text).strip("-")


UNITS = ("family", "release", "variant")
# Suffixes that mark a post-training, packaging or dated-snapshot variant of a release (at the end).
_VARIANT_SUFFIX = re.compile(
    r"(-(instruct|chat|it|base|hf|sft|dpo|rlhf|preview|exp|latest|thinking|reasoning|turbo"
    r"|gguf|ggml|awq|gptq|exl2|mlx|onnx|fp8|fp16|bf16|int4|int8|4bit|8bit|q[2-8](-k(-[msl])?)?"
    r"|\d{4}-\d{2}-\d{2}|\d{8}|\d{4}))+$"
)
# Sizes: 72b, 1.5b, 350m, a3b (active), 8x7b (experts), e4b (effective).
_SIZE = re.compile(r"-(\d+(\.\d+)?[bmkt]|a\d+(\.\d+)?b|\d+x\d+(\.\d+)?b|e\d+b)(?=-|$)")


def unit_key(name: str, unit: str) -> str:
    """The key of a model name at a counting unit: ``variant`` (the name as is), ``release`` (without
    post-training, packaging or snapshot suffixes) or ``family`` (a release without its size)."""
    if unit == "variant":
        return name_key(name)
    if unit not in UNITS:
        raise QueryError(f"unit must be one of {', '.join(UNITS)}, not {unit!r}")
    dotted = name_key(name, keep_dots=True)
    release = _VARIANT_SUFFIX.sub("", dotted) or dotted
    if unit == "family":
        release = _SIZE.sub("", release).strip("-") or release
    return release.replace(".", "-")


@dataclass(frozen=True)
class SourceRecord:
    """What linkage needs of one record."""

    source: str
    source_id: str
    name: str
    developer: str | None = None
    """The developer's registry id when known (the top-most parent is used to compare)."""
    hub_id: str | None = None
    """A Hub repo id this record names exactly (OpenRouter's hugging_face_id, Epoch's Link)."""
    countries: tuple[str, ...] = ()
    """The countries of the developing organization itself (not of its parent)."""
    published_on: date | None = None
    """When the source says the model came out (Epoch's publication date, OpenRouter's ``created``)."""


@dataclass
class CanonicalModel:
    id: str
    name: str
    records: list[SourceRecord] = field(default_factory=list)
    evidence: list[tuple[str, str, str, str]] = field(default_factory=list)
    """(left record, right record, rule, detail) for every link that joined this model."""


def developer_of(
    registry: Registry, names: Iterable[str | None], hub_handle: str | None = None
) -> tuple[str | None, tuple[str, ...]]:
    """The top-most parent organization of the first resolvable developer name (or Hub handle), and the
    countries of that developer itself. Individuals and community accounts are no developer."""
    org = registry.resolve_hub(hub_handle) if hub_handle else None
    if org is None:
        for name in names:
            if name:
                res = registry.resolve(name)
                if res.org is not None:
                    org = res.org
                    break
    if org is None or org.kind != "organization":
        return None, ()
    countries = org.countries
    while org.parent and org.parent in registry.orgs:
        org = registry.orgs[org.parent]
    return org.id, countries


@lru_cache(maxsize=1)
def _name_patterns() -> list[tuple[re.Pattern[str], str]]:
    path = resources.files("modelcensus.data").joinpath("model_name_developers.csv")
    with path.open(encoding="utf-8") as handle:
        return [(re.compile(r["pattern"], re.IGNORECASE), r["developer"]) for r in csv.DictReader(handle)]


def developer_by_name(name: str) -> str | None:
    """The developer a model's name gives away (``claude-…`` → Anthropic), from a reviewed data file."""
    key = name_key(name)
    for pattern, developer in _name_patterns():
        if pattern.search(key):
            return developer
    return None


def hub_id_in_link(link: str | None) -> str | None:
    """The Hub repo a Hugging Face URL points at (``https://huggingface.co/zai-org/GLM-4.5`` → ``zai-org/GLM-4.5``)."""
    if not link:
        return None
    match = _HF_URL.search(link)
    if not match:
        return None
    repo = match.group(1)
    return None if repo.split("/")[0] in {"datasets", "spaces", "papers", "docs", "blog"} else repo


def match_name(record: SourceRecord) -> str:
    """The name a record is matched on: the id where a source's id is its most precise name
    (OpenRouter's ``vendor/slug``: its display name drops the vendor; LMArena's api name; Hub repo ids)."""
    return record.source_id if record.source in ("openrouter", "lmarena", "huggingface") else record.name


_POST_TRAINING = {"instruct", "it", "chat"}
MONTHS = {
    m: i
    for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)
}


def month_marks(key: str) -> str:
    """Dates in a name key written one way, as a snapshot month: ``2024-08-06``, ``20240806`` and
    ``aug-2024`` all become ``2024@08``."""
    key = re.sub(r"(?<![\d])(\d{4})-?(\d{2})-?(\d{2})(?![\d])", r"\1@\2", key)
    return re.sub(
        r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*-(\d{4})\b",
        lambda m: f"{m.group(2)}@{MONTHS[m.group(1)]:02d}",
        key,
    )


def token_key(name: str, developer: str | None = None) -> str:
    """A looser key for a second pass: the name key's tokens, with dates written one way (``Aug 2024``,
    ``2024-08-06`` and ``20240806`` become ``2024-08``) and letters split from the digits that follow
    them, in sorted order (``Qwen2.5 Instruct (72B)`` and ``qwen-2.5-72b-instruct`` agree). Post-training
    words (instruct, chat, base) stay: they tell releases apart. The developer's one-word id, when a
    name repeats it (``amazon-nova-pro-v1.0``), is not part of the model's name."""
    key = month_marks(name_key(name))
    key = re.sub(r"(?<=v\d)-0(?=-|$)", "", key)  # v1.0 is v1
    tokens = re.sub(r"(?<=[a-z])(?=\d)", "-", key).split("-")
    drop = developer if developer and "-" not in developer and len(tokens) > 2 else None
    return "-".join(sorted(t for t in tokens if t and t != drop))


class Join(Protocol):
    """Join the models of two records, with the rule and detail kept as evidence; True when joined."""

    def __call__(
        self,
        a: SourceRecord,
        b: SourceRecord,
        rule: str,
        detail: str,
        check_marks: bool = False,
        shared_source: str | None = None,
    ) -> bool: ...


class _Clusters:
    """Union-find over records that keeps at most one record of each source in a canonical model."""

    def __init__(self, records: list[SourceRecord]) -> None:
        self.parent: dict[tuple[str, str], tuple[str, str]] = {}
        self.sources: dict[tuple[str, str], set[str]] = {}
        self.marks: dict[tuple[str, str], set[str]] = {}
        for r in records:
            item = (r.source, r.source_id)
            self.parent[item] = item
            self.sources[item] = {r.source}
            self.marks[item] = snapshot_marks(r)

    def find(self, item: tuple[str, str]) -> tuple[str, str]:
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def union(
        self, a: tuple[str, str], b: tuple[str, str], check_marks: bool = False, shared_source: str | None = None
    ) -> bool:
        """Join the models of two records. ``shared_source`` is the one source both sides may hold a
        record of (an undated alias and its launch snapshot, :func:`_link_alias_snapshots`)."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb or self.sources[ra] & self.sources[rb] - {shared_source}:
            return False  # already one model, or the join would hold two records of one source
        if check_marks and self.marks[ra] and self.marks[rb] and not self.marks[ra] & self.marks[rb]:
            return False  # the two sides name different snapshot dates
        self.parent[rb] = ra
        self.sources[ra] |= self.sources.pop(rb)
        self.marks[ra] |= self.marks.pop(rb)
        return True


def _compatible(a: SourceRecord, b: SourceRecord) -> bool:
    if a.source == b.source:
        return False  # one source lists a release once
    if a.developer and b.developer and a.developer != b.developer:
        return False
    # a Hub repo by an individual or unknown account is a re-upload, not the release
    return not ((a.source == "huggingface" and not a.developer) or (b.source == "huggingface" and not b.developer))


_SNAPSHOT_TOKEN = re.compile(r"^(\d{4}@\d{2}|\d{4}|0\d{2}|preview|exp|latest|hf)$")


def snapshot_key(name: str, developer: str | None = None) -> str:
    """The token key without snapshot marks: dates (``2024-12-17``, ``0314``, ``03-2025``), ``-001``,
    ``preview``/``exp``/``latest``, ``-hf`` and a ``-v0.x`` version. ``o1`` and ``o1-2024-12-17``,
    ``gemini-2.0-flash`` and ``gemini-2.0-flash-001`` share it."""
    base = re.sub(r"-v0(-\d+)?$", "", name_key(name))
    base = re.sub(r"-(0[1-9]|1[0-2])-(20\d{2})$", "", base)  # Cohere's MM-YYYY
    tokens = token_key(base, developer).split("-")
    return "-".join(t for t in tokens if not _SNAPSHOT_TOKEN.match(t))


def snapshot_marks(record: SourceRecord) -> set[str]:
    """The snapshot months a record's name gives (``2024@12`` from ``o1-2024-12-17``, ``2024@10`` from
    Mistral's ``-2410``); year-less ``MMDD`` marks give none."""
    marks = set()
    for t in token_key(match_name(record), record.developer).split("-"):
        if re.match(r"^\d{4}@\d{2}$", t):
            marks.add(t)
        elif re.match(r"^(2[3-9])(0[1-9]|1[0-2])$", t):
            marks.add(f"20{t[:2]}@{t[2:]}")
    return marks


def _link_by_snapshot(ordered: list[SourceRecord], join: Join) -> None:
    """A release and its dated or preview snapshot: one developer, equal :func:`snapshot_key`, and
    exactly one record of each source under that key (so ``gpt-4o`` and its three dated snapshots stay
    apart, while ``o1`` finds ``o1-2024-12-17``)."""
    groups: dict[tuple[str, str], list[SourceRecord]] = {}
    for r in ordered:
        if r.developer:
            key = snapshot_key(match_name(r), r.developer)
            if key:
                groups.setdefault((r.developer, key), []).append(r)
    for (developer, key), members in groups.items():
        sources = [r.source for r in members]
        if len(set(sources)) < 2 or len(sources) != len(set(sources)):
            continue
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if _compatible(a, b):  # snapshots of different months never join (ministral-8b-2410 vs -2512)
                    join(
                        a,
                        b,
                        "release + snapshot, unique",
                        f"same key {key!r} without snapshot marks, {developer}",
                        True,
                    )


def _link_by_snapshot_month(ordered: list[SourceRecord], join: Join) -> None:
    """Dated snapshots of one release across sources: equal :func:`snapshot_key`, one developer, and the
    same month, named (``gpt-4o-2024-08-06``, ``GPT-4o (Aug 2024)``) or, for a record whose name has no
    date, its release date's. A record named with the month wins over an undated alias of its source; a
    month two records of one source claim links nothing."""
    groups: dict[tuple[str, str, str], list[tuple[SourceRecord, bool]]] = {}
    for r in ordered:
        if not r.developer:
            continue
        key = snapshot_key(match_name(r), r.developer)
        marks = snapshot_marks(r)
        named = bool(marks)
        if not marks and r.published_on is not None:
            marks = {f"{r.published_on.year}@{r.published_on.month:02d}"}
        for mark in marks:
            groups.setdefault((r.developer, key, mark), []).append((r, named))
    for (developer, key, mark), members in groups.items():
        chosen: dict[str, list[SourceRecord]] = {}
        for source in {r.source for r, _ in members}:
            own = [(r, named) for r, named in members if r.source == source]
            named_ones = [r for r, named in own if named]
            chosen[source] = named_ones or [r for r, _ in own]
        unique = [rs[0] for rs in chosen.values() if len(rs) == 1]
        for i, a in enumerate(unique):
            for b in unique[i + 1 :]:
                if _compatible(a, b):
                    join(a, b, "snapshot month", f"same key {key!r}, same month {mark}, {developer}", True)


def named_date(record: SourceRecord, year: int) -> tuple[date | None, tuple[int, int] | None]:
    """The launch date a snapshot's name gives: a full date (``gpt-4o-2024-05-13``), a month
    (``-2407``, Mistral's YYMM), or a year-less ``MMDD`` read in ``year`` (``gpt-4-0314``)."""
    name = match_name(record)
    full = re.search(r"(?<!\d)(20\d\d)-?(0[1-9]|1[0-2])-?([0-3]\d)(?!\d)", name)
    if full:
        try:
            return date(int(full.group(1)), int(full.group(2)), int(full.group(3))), None
        except ValueError:
            return None, None
    marks = snapshot_marks(record)
    if len(marks) == 1:
        y, m = next(iter(marks)).split("@")
        return None, (int(y), int(m))
    short = re.search(r"-(0[1-9]|1[0-2])([0-3]\d)(?=-|$|:)", name)
    if short:
        try:
            return date(year, int(short.group(1)), int(short.group(2))), None
        except ValueError:
            return None, None
    return None, None


ENDPOINT_VARIANTS = ("free", "beta", "extended", "nitro", "floor")
"""OpenRouter's ``:free``, ``:beta``... suffixes: other endpoints (price, routing) of the same model."""


def _link_endpoint_variants(ordered: list[SourceRecord], join: Join) -> None:
    """``qwen/qwen3-coder:free`` is ``qwen/qwen3-coder`` served for free: one model, two records of a source."""
    by_id = {(r.source, r.source_id): r for r in ordered}
    for r in ordered:
        base, _, variant = r.source_id.rpartition(":")
        if base and variant in ENDPOINT_VARIANTS and (r.source, base) in by_id:
            join(
                by_id[(r.source, base)],
                r,
                "endpoint variant",
                f"{r.source_id!r} is another endpoint of {base!r}",
                False,
                r.source,
            )


def _link_alias_snapshots(ordered: list[SourceRecord], clusters: _Clusters, join: Join) -> None:
    """A source that lists a release under an undated alias and under its dated snapshots (OpenRouter's
    ``openai/gpt-4o`` beside ``openai/gpt-4o-2024-05-13``, ``-2024-08-06``, ...): the one snapshot dated
    at the release (within ``DATE_WINDOW_DAYS`` of the model's earliest release date, or in its month
    when the name gives only a month) joins the alias's model as a second record of that source. Every
    other snapshot stays apart; a model still never holds two snapshot months."""
    members: dict[tuple[str, str], list[SourceRecord]] = {}
    for r in ordered:
        members.setdefault(clusters.find((r.source, r.source_id)), []).append(r)
    groups: dict[tuple[str, str, str], list[SourceRecord]] = {}
    for r in ordered:
        if r.developer and r.source_id.rpartition(":")[2] not in ENDPOINT_VARIANTS:
            groups.setdefault((r.source, r.developer, snapshot_key(match_name(r), r.developer)), []).append(r)
    for (source, _developer, key), group in groups.items():
        aliases = [r for r in group if token_key(match_name(r), r.developer) == key]
        if len(aliases) != 1 or len(group) < 2:
            continue
        alias = aliases[0]
        released = [r.published_on for r in members[clusters.find((alias.source, alias.source_id))]]
        known = [d for d in released if d is not None]
        if not known:
            continue
        launch = min(known)
        at_launch = []
        for r in group:
            if r is alias:
                continue
            day, month = named_date(r, launch.year)
            if (day is not None and abs((day - launch).days) <= DATE_WINDOW_DAYS) or month == (
                launch.year,
                launch.month,
            ):
                at_launch.append(r)
        if len(at_launch) == 1:
            snap = at_launch[0]
            join(
                alias,
                snap,
                "alias + launch snapshot",
                f"{source} lists {match_name(alias)!r} and its snapshot {match_name(snap)!r}, dated at the "
                f"release ({launch})",
                True,
                source,
            )


DATE_WINDOW_DAYS = 10
MARGIN = 5.0
NAME_SIMILARITY = 60.0


def _similarity(a: SourceRecord, b: SourceRecord) -> float:
    left = token_key(match_name(a), a.developer).replace("-", " ")
    right = token_key(match_name(b), b.developer).replace("-", " ")
    return float(fuzz.token_sort_ratio(left, right))


def _month_day(record: SourceRecord) -> tuple[int, int] | None:
    """An ``MMDD`` snapshot suffix of an API name with no year (``gpt-4-0314``, ``grok-4-0709``)."""
    match = re.search(r"-(0[1-9]|1[0-2])([0-2]\d|3[01])(?=-|$|:)", record.source_id)
    return (int(match.group(1)), int(match.group(2))) if match and record.published_on is None else None


def _days_apart(a: SourceRecord, b: SourceRecord) -> int:
    """Days between two records' release dates; a year-less ``MMDD`` takes the other record's year."""
    if a.published_on is not None and b.published_on is not None:
        return abs((a.published_on - b.published_on).days)
    dated, partial = (a, b) if a.published_on is not None else (b, a)
    month_day = _month_day(partial)
    if dated.published_on is None or month_day is None:
        return 10**6
    try:
        guess = date(dated.published_on.year, *month_day)
    except ValueError:
        return 10**6
    return abs((guess - dated.published_on).days)


def _link_by_date(
    ordered: list[SourceRecord],
    clusters: _Clusters,
    join: Join,
) -> None:
    """Last pass: two dated records of one developer, released within ``DATE_WINDOW_DAYS`` of each other,
    whose names are similar (rapidfuzz token-sort ratio >= ``NAME_SIMILARITY`` on the token keys) and
    each the other's clear best candidate in its source (``MARGIN`` points ahead of the next). This is
    how ``Claude 3.7 Sonnet`` finds ``claude-3-7-sonnet-20250219`` and not its ``-thinking-32k`` twin:
    the names alone do not say it, the dates and the developer do."""
    dated = [r for r in ordered if (r.published_on is not None or _month_day(r)) and r.developer]
    by_developer: dict[str, list[SourceRecord]] = {}
    for r in dated:
        by_developer.setdefault(str(r.developer), []).append(r)

    def best(a: SourceRecord, pool: list[SourceRecord], source: str) -> SourceRecord | None:
        scored = sorted(
            ((_similarity(a, b), b) for b in pool if b.source == source and _days_apart(a, b) <= DATE_WINDOW_DAYS),
            key=lambda sb: -sb[0],
        )
        if not scored or scored[0][0] < NAME_SIMILARITY:
            return None
        if len(scored) > 1 and scored[1][0] > scored[0][0] - MARGIN:
            return None
        return scored[0][1]

    for pool in by_developer.values():
        sources = {r.source for r in pool}
        for a in pool:
            for source in sources - {a.source}:
                b = best(a, pool, source)
                if b is not None and best(b, pool, a.source) is a and _compatible(a, b):
                    join(
                        a,
                        b,
                        "developer + date + similar name, mutual best",
                        f"{a.developer}, released {a.published_on} and {b.published_on}",
                    )


def link(records: list[SourceRecord], probabilistic: bool = True) -> list[CanonicalModel]:
    """Group records into canonical models, with the evidence of every link.

    The passes of the module docstring, most certain first; ``probabilistic=False`` leaves out the
    Splink stage. A canonical model holds one record of each source, but for an undated alias beside
    its launch snapshot and the other endpoints (``:free``) of one model, and never two snapshot months.
    """
    # One order whatever order the records come in: which link wins a conflict, and the ids, follow it.
    records = sorted(records, key=lambda m: (SOURCE_PRIORITY.index(m.source), m.source_id))
    clusters = _Clusters(records)
    evidence: list[tuple[tuple[str, str], tuple[str, str], str, str]] = []

    def join(
        a: SourceRecord,
        b: SourceRecord,
        rule: str,
        detail: str,
        check_marks: bool = False,
        shared_source: str | None = None,
    ) -> bool:
        if clusters.union((a.source, a.source_id), (b.source, b.source_id), check_marks, shared_source):
            evidence.append(((a.source, a.source_id), (b.source, b.source_id), rule, detail))
            return True
        return False

    hub = {r.source_id.casefold(): r for r in records if r.source == "huggingface"}
    for r in records:
        if r.hub_id and r.source != "huggingface" and r.hub_id.casefold() in hub:
            join(hub[r.hub_id.casefold()], r, "source id", f"{r.source} names the Hub repo {r.hub_id}")
    ordered = records
    groups: dict[str, list[SourceRecord]] = {}
    for r in ordered:
        key = name_key(match_name(r))
        if key:
            groups.setdefault(key, []).append(r)
    for key, members in groups.items():
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if _compatible(a, b):
                    who = a.developer or b.developer or "unknown developer"
                    join(a, b, "name + developer", f"same name key {key!r}, developer {who}")
    loose: dict[str, list[SourceRecord]] = {}
    for r in ordered:
        loose.setdefault(token_key(match_name(r), r.developer), []).append(r)
    for key, members in loose.items():
        by_source: dict[str, list[SourceRecord]] = {}
        for r in members:
            by_source.setdefault(r.source, []).append(r)
        unique = [rs[0] for rs in by_source.values() if len(rs) == 1]
        for i, a in enumerate(unique):
            for b in unique[i + 1 :]:
                if _compatible(a, b) and a.developer and b.developer:
                    join(a, b, "tokens + developer, unique", f"same tokens {key!r}, only candidates, {a.developer}")
    # Third pass: a source that lists only one post-trained checkpoint of a release (Epoch's "Gemma 3
    # 27B") and one that names it with its suffix ("gemma-3-27b-it") denote the same model, when
    # neither source lists the other form separately and the pair is unique.
    tokens = {id(r): token_key(match_name(r), r.developer) for r in ordered}
    forms: dict[str, set[str]] = {}  # token key → sources listing exactly that form
    for r in ordered:
        forms.setdefault(tokens[id(r)], set()).add(r.source)
    bare: dict[str, list[SourceRecord]] = {}
    suffixed: dict[str, list[SourceRecord]] = {}
    for r in ordered:
        parts = tokens[id(r)].split("-")
        plain = [t for t in parts if t not in _POST_TRAINING]
        if len(plain) == len(parts):
            bare.setdefault(tokens[id(r)], []).append(r)
        elif len(parts) - len(plain) == 1:
            suffixed.setdefault("-".join(plain), []).append(r)
    for key, tuned in suffixed.items():
        plain_records = bare.get(key, [])
        for a in plain_records:
            candidates = [b for b in tuned if b.source != a.source]
            for b in candidates:
                lists_both = a.source in forms.get(tokens[id(b)], set()) or b.source in forms.get(key, set())
                only_one = sum(1 for c in candidates if c.source == b.source) == 1
                if not lists_both and only_one and _compatible(a, b) and a.developer and b.developer:
                    join(
                        a,
                        b,
                        "release + post-training form, unique",
                        f"{a.source} lists only {match_name(a)!r}; {b.source} names it {match_name(b)!r}",
                    )
    _link_by_date(ordered, clusters, join)
    _link_by_snapshot(ordered, join)
    _link_by_snapshot_month(ordered, join)
    _link_alias_snapshots(ordered, clusters, join)
    _link_endpoint_variants(ordered, join)
    if probabilistic:
        from modelcensus.linkage_splink import link_probabilistic

        known = [(f"{a[0]}:{a[1]}", f"{b[0]}:{b[1]}") for a, b, _rule, _detail in evidence]
        link_probabilistic(ordered, clusters.find, known, lambda a, b, rule, detail: join(a, b, rule, detail, True))
    members_of: dict[tuple[str, str], list[SourceRecord]] = {}
    for r in records:
        members_of.setdefault(clusters.find((r.source, r.source_id)), []).append(r)
    models: list[CanonicalModel] = []
    used: set[str] = set()
    for root, members in members_of.items():
        members.sort(key=lambda m: (SOURCE_PRIORITY.index(m.source), m.source_id))
        head = members[0]
        base = name_key(match_name(head)) or "model"
        canonical = base
        if canonical in used:  # another model has this name: the head record's own id tells them apart
            canonical = f"{base}--{head.source}-{re.sub(r'[^a-z0-9]+', '-', head.source_id.casefold()).strip('-')}"
        while canonical in used:
            canonical += "-2"
        used.add(canonical)
        model = CanonicalModel(canonical, head.name, members)
        model.evidence = [
            (f"{a[0]}:{a[1]}", f"{b[0]}:{b[1]}", rule, detail)
            for a, b, rule, detail in evidence
            if clusters.find(a) == root
        ]
        models.append(model)
    models.sort(key=lambda m: m.id)
    return models
