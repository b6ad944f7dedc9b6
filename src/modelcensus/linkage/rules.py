"""One model, many names: link records of several sources into canonical models.

Every link carries its evidence (the rule and what matched). Deterministic passes first, most certain
first:

1. **ids the sources give**: OpenRouter's ``hugging_face_id`` and Epoch's Hugging Face ``Link`` name a Hub
   repo exactly (the repo's own record, or another record with that repo's name);
2. **name key + organization**: two records whose normalised names are equal (:func:`name_key`) and whose
   developers are compatible (the same organization, or within one parent, or one side unknown)
   denote the same release;
3. token keys unique on both sides, release dates within ``DATE_WINDOW_DAYS`` with a clearly best similar
   name (and no veto), a release and its dated snapshots (a year-less ``MMDD`` read in the years its
   release group gives), a release and the one repo id that qualifies its name with a size and a date
   (``Voxtral Small`` and ``mistralai/Voxtral-Small-24B-2507``: the size agrees with the parameters the
   source gives, the date with its release), a release and its one post-training form, an undated alias
   and its launch snapshot, and another endpoint (``:free``) of one model.

Then, for what is left apart, a probabilistic stage (:mod:`modelcensus.linkage.splink`, Splink) with a
documented threshold, a margin over the runner-up, and vetoes no score overrides
(:mod:`modelcensus.linkage.vetoes`).

Whatever the pass, a canonical model never holds two snapshot months, a month a name gives and a release
date more than a month apart, or a base checkpoint beside a post-trained one (:class:`_Clusters`).

The name key keeps everything that distinguishes releases (version, size, ``-air``, ``-instruct``,
``-mini``, dates), so hard negatives (GLM-4.5 vs GLM-4.5-Air, Llama 3.1 70B vs Llama 3.3 70B,
DeepSeek-V3 vs DeepSeek-V3.1, base vs instruct) never share a key. What it removes is spelling only
(:mod:`modelcensus.linkage.names`): typographic punctuation, case, the vendor prefix (``z-ai/``,
``AI21: ``), parenthesised aliases, separators (space, ``_``, ``.`` become ``-``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Protocol

from rapidfuzz import fuzz

from modelcensus.linkage.models import (
    CanonicalModel,
    Evidence,
    Tally,
    begin,
    compared,
    counting,
    linked,
    name_models,
    priority,
)
from modelcensus.linkage.names import (
    MONTHS,
    RELEASE_DATE_SOURCES,
    SourceRecord,
    bare_hub_repos,
    checkpoint_form,
    clean_name,
    compact_key,
    developer_by_name,
    hub_id_in_link,
    lineage_name,
    match_name,
    month_day,
    month_marks,
    month_number,
    name_key,
    named_date,
    release_key,
    size_agrees,
    sizes_in,
    snapshot_key,
    snapshot_marks,
    source_name,
    token_key,
    unit_key,
)
from modelcensus.linkage.splink import link_probabilistic
from modelcensus.linkage.vetoes import months_disagree, name_parts, veto
from modelcensus.orgs import Registry

__all__ = [
    "LINKAGE_VERSION",
    "MONTHS",
    "CanonicalModel",
    "SourceRecord",
    "clean_name",
    "developer_by_name",
    "developer_of",
    "hub_id_in_link",
    "link",
    "match_name",
    "month_marks",
    "name_key",
    "named_date",
    "snapshot_key",
    "snapshot_marks",
    "token_key",
    "unit_key",
]

LINKAGE_VERSION = "6"
"""Bumped whenever a rule changes what links, so stored linkage results are recomputed (6: tabular lists are
linked, kept apart from records of other countries than they state)."""


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


class Join(Protocol):
    """Join the models of two records, with the rule and detail kept as evidence; True when joined."""

    def __call__(
        self,
        a: SourceRecord,
        b: SourceRecord,
        rule: str,
        detail: str,
        check: bool = True,
        shared_source: str | None = None,
    ) -> bool: ...


class _Clusters:
    """Union-find over records that keeps at most one record of each source in a canonical model, and
    keeps apart (``check``) what its records' names and dates say differ: two snapshot months, a month a
    name gives and a release date more than a month apart, a base checkpoint and a post-trained one."""

    def __init__(self, records: list[SourceRecord], hub_base: frozenset[str] | None = None) -> None:
        self.parent: dict[tuple[str, str], tuple[str, str]] = {}
        self.sources: dict[tuple[str, str], set[str]] = {}
        self.marks: dict[tuple[str, str], set[str]] = {}
        self.released: dict[tuple[str, str], set[int]] = {}
        self.forms: dict[tuple[str, str], set[str]] = {}
        if hub_base is None:
            hub_base = bare_hub_repos(
                [r.source_id for r in records if r.source == "huggingface"] + [r.hub_id for r in records if r.hub_id]
            )
        for r in records:
            item = (r.source, r.source_id)
            self.parent[item] = item
            self.sources[item] = {r.source}
            self.marks[item] = snapshot_marks(r)
            dated = r.source in RELEASE_DATE_SOURCES and r.published_on is not None and not self.marks[item]
            self.released[item] = (
                {r.published_on.year * 12 + r.published_on.month} if dated and r.published_on else set()
            )
            form = checkpoint_form(r, hub_base)
            self.forms[item] = {form} if form else set()

    def find(self, item: tuple[str, str]) -> tuple[str, str]:
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def conflict(self, ra: tuple[str, str], rb: tuple[str, str]) -> bool:
        """Whether the names and dates of two models' records say they are different releases."""
        ma, mb = self.marks[ra], self.marks[rb]
        if ma and mb and not ma & mb:
            return True  # the two sides name different snapshot dates
        for marks, released in ((ma, self.released[rb]), (mb, self.released[ra])):
            if marks and released and all(abs(month_number(m) - d) > 1 for m in marks for d in released):
                return True  # a snapshot month far from the other side's release date
        return {"base", "tuned"} <= self.forms[ra] | self.forms[rb]

    def union(
        self, a: tuple[str, str], b: tuple[str, str], check: bool = True, shared_source: str | None = None
    ) -> bool:
        """Join the models of two records. ``shared_source`` is the one source both sides may hold a
        record of (an undated alias and its launch snapshot, :func:`_link_alias_snapshots`)."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb or self.sources[ra] & self.sources[rb] - {shared_source}:
            return False  # already one model, or the join would hold two records of one source
        if check and self.conflict(ra, rb):
            return False
        self.parent[rb] = ra
        self.sources[ra] |= self.sources.pop(rb)
        self.marks[ra] |= self.marks.pop(rb)
        self.released[ra] |= self.released.pop(rb)
        self.forms[ra] |= self.forms.pop(rb)
        return True


def _stated_apart(a: SourceRecord, b: SourceRecord) -> bool:
    """A record whose source states its countries (a tabular list: "Firefly, China") and another whose stated or
    developer's countries share none of them are two models (YeungNLP's Firefly is not Adobe's)."""
    if not (a.stated or b.stated):
        return False
    left, right = set(a.stated or a.countries), set(b.stated or b.countries)
    return bool(left and right and not left & right)


def _compatible(a: SourceRecord, b: SourceRecord) -> bool:
    if a.source == b.source:
        return False  # one source lists a release once
    if a.source_id.startswith("~") or b.source_id.startswith("~"):
        return False  # a router alias that follows a vendor's latest model (OpenRouter's ~google/gemini-pro-latest)
    if a.developer and b.developer and a.developer != b.developer:
        return False
    if _stated_apart(a, b):
        return False
    # a Hub repo by an individual or unknown account is a re-upload, not the release
    return not ((a.source == "huggingface" and not a.developer) or (b.source == "huggingface" and not b.developer))


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
        compared(len(members) * (len(members) - 1) // 2)
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if _compatible(a, b) and not months_disagree(a, b):  # ministral-8b-2410 vs -2512 stay apart
                    join(a, b, "release + snapshot, unique", f"same key {key!r} without snapshot marks, {developer}")


def _year_less_month(r: SourceRecord, years: set[int]) -> set[str]:
    """The months a year-less ``MMDD`` name (``gpt-4-0314``, ``exp-03-25``) may name: in the last year up
    to the record's own date, or else in each year its release group gives."""
    short = month_day(r)
    if short is None:
        return set()
    if r.published_on is not None:
        day = r.published_on
        years = {day.year if short <= (day.month, day.day) else day.year - 1}
    return {f"{year}@{short[0]:02d}" for year in years}


def _link_by_snapshot_month(ordered: list[SourceRecord], join: Join) -> None:
    """Dated snapshots of one release across sources: equal :func:`snapshot_key`, one developer, and the
    same month, named (``gpt-4o-2024-08-06``, ``GPT-4o (Aug 2024)``, ``gpt-4-0314`` in a year the group
    gives) or, for a record whose name has no date, its release date's. A record named with the month
    wins over an undated alias of its source; a month two records of one source claim links nothing."""
    releases: dict[tuple[str, str], list[SourceRecord]] = {}
    for r in ordered:
        if r.developer:
            releases.setdefault((r.developer, snapshot_key(match_name(r), r.developer)), []).append(r)
    groups: dict[tuple[str, str, str], list[tuple[SourceRecord, bool]]] = {}
    for (developer, key), members in releases.items():
        years = {int(m[:4]) for r in members for m in snapshot_marks(r)}
        years |= {r.published_on.year for r in members if r.published_on is not None}
        for r in members:
            marks = snapshot_marks(r) or _year_less_month(r, years)
            named = bool(marks)
            if not marks and r.published_on is not None:
                marks = {f"{r.published_on.year}@{r.published_on.month:02d}"}
            for mark in marks:
                groups.setdefault((developer, key, mark), []).append((r, named))
    for (developer, key, mark), chosen_members in groups.items():
        chosen: dict[str, list[SourceRecord]] = {}
        for source in sorted({r.source for r, _ in chosen_members}):
            own = [(r, named) for r, named in chosen_members if r.source == source]
            named_ones = [r for r, named in own if named]
            chosen[source] = named_ones or [r for r, _ in own]
        unique = [rs[0] for rs in chosen.values() if len(rs) == 1]
        compared(len(unique) * (len(unique) - 1) // 2)
        for i, a in enumerate(unique):
            for b in unique[i + 1 :]:
                if _compatible(a, b):
                    join(a, b, "snapshot month", f"same key {key!r}, same month {mark}, {developer}")


def _link_qualified_ids(ordered: list[SourceRecord], join: Join) -> None:
    """A release named plainly (``Voxtral Small``) and the one record of another source whose id qualifies
    that name with a size, a date or a post-training word (``mistralai/Voxtral-Small-24B-2507``): equal
    :func:`release_key`, one developer, the size agreeing with the parameters the source gives (which
    picks ``Qwen3-Embedding-8B`` for an 8B ``Qwen3 Embedding``), a dated id within a month of the
    release, and no other candidate in either source. A derivative is compared without the base family it
    names (:func:`lineage_name`: ``Llama Nemotron Super v1.5`` and ``llama-3.3-nemotron-super-49b-v1.5``)."""
    groups: dict[tuple[str, str], list[SourceRecord]] = {}
    for r in ordered:
        if r.developer:
            key = release_key(_own_name(r), r.developer)
            if key:
                groups.setdefault((r.developer, key), []).append(r)
    for (developer, key), members in groups.items():
        if len({r.source for r in members}) < 2:
            continue
        plain = [r for r in members if token_key(_own_name(r), r.developer) == key]
        for a in plain:
            for source in sorted({r.source for r in members} - {a.source}):
                compared(sum(1 for b in members if b.source == source and b is not a))
                fits = [b for b in members if b.source == source and b is not a and _fits(a, b, key)]
                if len(fits) != 1:
                    continue
                b = fits[0]
                rivals = [c for c in plain if c.source == a.source and _fits(c, b, key)]
                if rivals == [a] and _compatible(a, b):
                    join(
                        a,
                        b,
                        "release + size- or date-qualified id",
                        f"{match_name(b)!r} is {match_name(a)!r} with a size, date or post-training word "
                        f"(key {key!r}), {developer}",
                    )


def _own_name(r: SourceRecord) -> str:
    """A record's match name, without the base family a derivative names first."""
    return lineage_name(match_name(r), r.developer) or match_name(r)


def _fits(a: SourceRecord, b: SourceRecord, key: str) -> bool:
    """``b``'s id is ``a``'s plain name qualified by a size that agrees with ``a``'s parameters (when both
    are known) and a month that agrees with ``a``'s release (when both are known)."""
    if token_key(_own_name(b), b.developer) == key or sizes_in(match_name(a)) or veto(a, b):
        return False
    if size_agrees(a.parameters, match_name(b)) is False:
        return False
    if len(sizes_in(match_name(b))) > 0 and a.parameters is None and b.source != "huggingface":
        return False  # a size the other side cannot confirm, outside the Hub's size-named repos
    marks = snapshot_marks(b)
    if marks and a.published_on is not None:
        released = a.published_on.year * 12 + a.published_on.month
        return any(abs(month_number(m) - released) <= 1 for m in marks)
    return True


def _link_listed_twice(ordered: list[SourceRecord], join: Join) -> None:
    """One model a source lists twice: a vendor alias (``data/model_name_aliases.csv``) and the record it
    stands for (OpenRouter's ``mistralai/mistral-large`` serves ``mistral-large-2407``), or an undated alias
    and its one first stable version (LMArena's ``gemini-2.0-flash`` and ``gemini-2.0-flash-001``)."""
    by_key: dict[tuple[str, str], list[SourceRecord]] = {}
    for r in ordered:
        by_key.setdefault((r.source, name_key(match_name(r))), []).append(r)
    for r in ordered:
        if match_name(r) != source_name(r) and name_key(match_name(r)) != name_key(source_name(r)):
            for other in by_key[(r.source, name_key(match_name(r)))]:
                if other is not r:
                    compared()
                    join(
                        other,
                        r,
                        "alias of one model",
                        f"{r.source} lists {r.source_id!r} as {other.source_id!r}",
                        True,
                        r.source,
                    )
    groups: dict[tuple[str, str, str], list[SourceRecord]] = {}
    for r in ordered:
        if r.developer:
            groups.setdefault((r.source, r.developer, snapshot_key(match_name(r), r.developer)), []).append(r)
    for (source, _developer, key), group in groups.items():
        aliases = [r for r in group if token_key(match_name(r), r.developer) == key]
        first = [r for r in group if name_key(match_name(r)).endswith("-001")]
        if len(aliases) == 1 and len(first) == 1:
            compared()
            join(
                aliases[0],
                first[0],
                "alias + first stable version",
                f"{source} lists {aliases[0].source_id!r} and its first version {first[0].source_id!r}",
                True,
                source,
            )


def _link_by_lineage(ordered: list[SourceRecord], join: Join) -> None:
    """A derivative named with and without the base family it was trained from (``llama-3.1-tulu-3-70b``
    and ``Tulu 3 70B``, ``llama-3.1-nemotron-ultra-253b-v1`` and ``Llama Nemotron Ultra 253B``): one
    developer (not the base's), equal token keys without the base, one record of each source under that
    key, and no veto (the base's version on one side only is no conflict)."""
    groups: dict[tuple[str, str], list[SourceRecord]] = {}
    derived: set[int] = set()
    for r in ordered:
        if not r.developer:
            continue
        own = lineage_name(match_name(r), r.developer)
        if own:
            derived.add(id(r))
        groups.setdefault((r.developer, token_key(own or match_name(r), r.developer)), []).append(r)
    for (developer, key), members in groups.items():
        sources = [r.source for r in members]
        if len(set(sources)) < 2 or len(sources) != len(set(sources)) or not derived & {id(r) for r in members}:
            continue
        compared(len(members) * (len(members) - 1) // 2)
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if (id(a) in derived or id(b) in derived) and _compatible(a, b) and not veto(a, b):
                    join(
                        a,
                        b,
                        "derivative named with and without its base",
                        f"same key {key!r} without the base, {developer}",
                    )


def _link_by_compact_name(ordered: list[SourceRecord], join: Join) -> None:
    """Names equal in their letters and digits (``stable-diffusion-v35-large``, ``Stable Diffusion 3.5
    Large``): one developer, one record of each source under that key, sizes and months not in conflict."""
    groups: dict[tuple[str, str], list[SourceRecord]] = {}
    for r in ordered:
        if r.developer:
            groups.setdefault((r.developer, compact_key(match_name(r))), []).append(r)
    for (developer, key), members in groups.items():
        sources = [r.source for r in members]
        if len(set(sources)) < 2 or len(sources) != len(set(sources)):
            continue
        compared(len(members) * (len(members) - 1) // 2)
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                reason = veto(a, b)
                if _compatible(a, b) and (reason is None or reason.startswith("versions")):
                    join(a, b, "same letters and digits", f"same compact name {key!r}, {developer}")


ENDPOINT_VARIANTS = ("free", "beta", "extended", "nitro", "floor")
"""OpenRouter's ``:free``, ``:beta``... suffixes: other endpoints (price, routing) of the same model."""


def _link_endpoint_variants(ordered: list[SourceRecord], join: Join) -> None:
    """``qwen/qwen3-coder:free`` is ``qwen/qwen3-coder`` served for free: one model, two records of a source."""
    by_id = {(r.source, r.source_id): r for r in ordered}
    for r in ordered:
        base, _, variant = r.source_id.rpartition(":")
        if base and variant in ENDPOINT_VARIANTS and (r.source, base) in by_id:
            compared()
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
        compared(len(group) - 1)
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
    return month_day(record) if record.published_on is None else None


def _days_apart(a: SourceRecord, b: SourceRecord) -> int:
    """Days between two records' release dates; a year-less ``MMDD`` takes the other record's year."""
    if a.published_on is not None and b.published_on is not None:
        return abs((a.published_on - b.published_on).days)
    dated, partial = (a, b) if a.published_on is not None else (b, a)
    short = _month_day(partial)
    if dated.published_on is None or short is None:
        return 10**6
    try:
        guess = date(dated.published_on.year, *short)
    except ValueError:
        return 10**6
    return abs((guess - dated.published_on).days)


def _date_pair_vetoed(a: SourceRecord, b: SourceRecord) -> bool:
    """A veto (:func:`modelcensus.linkage.vetoes.veto`), or a year-less ``MMDD`` name whose version numbers
    are not the other's: a year is only guessed, so the names must agree on what release it is."""
    if veto(a, b):
        return True
    if _month_day(a) is None and _month_day(b) is None:
        return False

    pa, pb = name_parts(match_name(a), a.developer), name_parts(match_name(b), b.developer)
    return set(pa.versions) != set(pb.versions)


def _link_by_date(
    ordered: list[SourceRecord],
    clusters: _Clusters,
    join: Join,
) -> None:
    """Two dated records of one developer, released within ``DATE_WINDOW_DAYS`` of each other, whose names
    are similar (rapidfuzz token-sort ratio >= ``NAME_SIMILARITY`` on the token keys), each the other's
    clear best candidate in its source (``MARGIN`` points ahead of the next), and no veto between them.
    This is how ``Claude 3.7 Sonnet`` finds ``claude-3-7-sonnet-20250219`` and not its ``-thinking-32k``
    twin: the names alone do not say it, the dates and the developer do."""
    dated = [r for r in ordered if (r.published_on is not None or _month_day(r)) and r.developer]
    by_developer: dict[str, list[SourceRecord]] = {}
    for r in dated:
        by_developer.setdefault(str(r.developer), []).append(r)

    def best(a: SourceRecord, pool: list[SourceRecord], source: str) -> SourceRecord | None:
        near = [b for b in pool if b.source == source and _days_apart(a, b) <= DATE_WINDOW_DAYS]
        compared(len(near))
        scored = sorted(((_similarity(a, b), b) for b in near), key=lambda sb: -sb[0])
        if not scored or scored[0][0] < NAME_SIMILARITY:
            return None
        if len(scored) > 1 and scored[1][0] > scored[0][0] - MARGIN:
            return None
        return scored[0][1]

    for pool in by_developer.values():
        sources = {r.source for r in pool}
        for a in pool:
            for source in sorted(sources - {a.source}):  # one order, whatever the hash seed
                b = best(a, pool, source)
                if b is not None and best(b, pool, a.source) is a and _compatible(a, b) and not _date_pair_vetoed(a, b):
                    join(
                        a,
                        b,
                        "developer + date + similar name, mutual best",
                        f"{a.developer}, released {a.published_on} and {b.published_on}",
                    )


def _link_by_hub_ids(records: list[SourceRecord], join: Join) -> None:
    """A Hub repo named by a source (OpenRouter's ``hugging_face_id``, Epoch's Link): its own record, and
    a record of another source whose name is that repo's (``MiniMax-Text-01`` for OpenRouter's
    ``minimax/minimax-01``, which names ``MiniMaxAI/MiniMax-Text-01``)."""
    hub = {r.source_id.casefold(): r for r in records if r.source == "huggingface"}
    for r in records:
        if r.hub_id and r.source != "huggingface" and r.hub_id.casefold() in hub:
            compared()
            join(hub[r.hub_id.casefold()], r, "source id", f"{r.source} names the Hub repo {r.hub_id}", False)
    by_name: dict[str, list[SourceRecord]] = {}
    for r in records:
        if r.source != "huggingface":
            by_name.setdefault(name_key(match_name(r)), []).append(r)
    for r in records:
        if not r.hub_id or r.source == "huggingface":
            continue
        for other in by_name.get(name_key(r.hub_id), []):
            compared()
            if _compatible(r, other) and r.developer and other.developer:
                join(
                    other,
                    r,
                    "source id",
                    f"{r.source} names the Hub repo {r.hub_id}, named {other.name!r} in {other.source}",
                )


def _link_post_training(ordered: list[SourceRecord], join: Join) -> None:
    """A source that lists only one post-trained checkpoint of a release (Epoch's "Gemma 3 27B") and one
    that names it with its suffix ("gemma-3-27b-it") denote the same model, when neither source lists the
    other form separately (a Hub repo a source names counts as listed by the Hub) and the pair is unique."""
    tokens = {id(r): token_key(match_name(r), r.developer) for r in ordered}
    forms: dict[str, set[str]] = {}  # token key → sources listing exactly that form
    for r in ordered:
        forms.setdefault(tokens[id(r)], set()).add(r.source)
        if r.hub_id and r.source != "huggingface":
            forms.setdefault(token_key(r.hub_id, r.developer), set()).add("huggingface")
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
        for a in bare.get(key, []):
            candidates = [b for b in tuned if b.source != a.source]
            compared(len(candidates))
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


_POST_TRAINING = {"instruct", "it", "chat"}


def _link_by_name(ordered: list[SourceRecord], join: Join) -> None:
    """Equal name keys and compatible developers (the same, or one unknown)."""
    groups: dict[str, list[SourceRecord]] = {}
    for r in ordered:
        key = name_key(match_name(r))
        if key:
            groups.setdefault(key, []).append(r)
    for key, members in groups.items():
        compared(len(members) * (len(members) - 1) // 2)
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if _compatible(a, b):
                    who = a.developer or b.developer or "unknown developer"
                    join(a, b, "name + developer", f"same name key {key!r}, developer {who}")


def _link_by_tokens(ordered: list[SourceRecord], join: Join) -> None:
    """Equal token keys, one developer, and the only record of its source under that key on each side."""
    loose: dict[str, list[SourceRecord]] = {}
    for r in ordered:
        loose.setdefault(token_key(match_name(r), r.developer), []).append(r)
    for key, members in loose.items():
        by_source: dict[str, list[SourceRecord]] = {}
        for r in members:
            by_source.setdefault(r.source, []).append(r)
        unique = [rs[0] for rs in by_source.values() if len(rs) == 1]
        compared(len(unique) * (len(unique) - 1) // 2)
        for i, a in enumerate(unique):
            for b in unique[i + 1 :]:
                if _compatible(a, b) and a.developer and b.developer:
                    join(a, b, "tokens + developer, unique", f"same tokens {key!r}, only candidates, {a.developer}")


Group = tuple[list[SourceRecord], list[Evidence]]
"""The records of one canonical model (first in the order of precedence first) and the evidence that joined them."""


def cluster(
    records: list[SourceRecord], probabilistic: bool = True, hub_base: frozenset[str] | None = None
) -> list[Group]:
    """Group records into canonical models (not yet named), with the evidence of every link, in the order of their
    first records (:func:`~modelcensus.linkage.models.priority`).

    The passes of the module docstring, most certain first; ``probabilistic=False`` leaves out the Splink stage.
    ``hub_base`` are the Hub repos the Hub lists beside a post-trained form (:func:`bare_hub_repos`), when the Hub
    repos among ``records`` are not all the Hub's; by default they are read from ``records``. Each pass's comparisons
    are counted into the :class:`~modelcensus.linkage.models.Tally` being counted into, if any
    (:func:`~modelcensus.linkage.models.counting`).
    """
    # One order whatever order the records come in: which link wins a conflict, and the ids, follow it.
    records = sorted(records, key=priority)
    clusters = _Clusters(records, hub_base)
    evidence: list[tuple[tuple[str, str], tuple[str, str], str, str]] = []

    def join(
        a: SourceRecord,
        b: SourceRecord,
        rule: str,
        detail: str,
        check: bool = True,
        shared_source: str | None = None,
    ) -> bool:
        if clusters.union((a.source, a.source_id), (b.source, b.source_id), check, shared_source):
            evidence.append(((a.source, a.source_id), (b.source, b.source_id), rule, detail))
            linked()
            return True
        return False

    ordered = records
    passes: list[tuple[str, Callable[[], None]]] = [
        ("source id", lambda: _link_by_hub_ids(records, join)),
        ("listed twice", lambda: _link_listed_twice(ordered, join)),
        ("name + developer", lambda: _link_by_name(ordered, join)),
        ("tokens + developer", lambda: _link_by_tokens(ordered, join)),
        ("developer + date + similar name", lambda: _link_by_date(ordered, clusters, join)),
        ("release + snapshot", lambda: _link_by_snapshot(ordered, join)),
        ("snapshot month", lambda: _link_by_snapshot_month(ordered, join)),
        ("size- or date-qualified id", lambda: _link_qualified_ids(ordered, join)),
        ("post-training form", lambda: _link_post_training(ordered, join)),
        ("derivative with and without its base", lambda: _link_by_lineage(ordered, join)),
        ("same letters and digits", lambda: _link_by_compact_name(ordered, join)),
        ("alias + launch snapshot", lambda: _link_alias_snapshots(ordered, clusters, join)),
        ("endpoint variant", lambda: _link_endpoint_variants(ordered, join)),
    ]
    for name, run in passes:
        begin(name)
        run()
    if probabilistic:
        begin("splink")
        known = [(f"{a[0]}:{a[1]}", f"{b[0]}:{b[1]}") for a, b, _rule, _detail in evidence]
        link_probabilistic(ordered, clusters.find, known, lambda a, b, rule, detail: join(a, b, rule, detail))
    members_of: dict[tuple[str, str], list[SourceRecord]] = {}
    for r in records:
        members_of.setdefault(clusters.find((r.source, r.source_id)), []).append(r)
    evidence_of: dict[tuple[str, str], list[Evidence]] = {}
    for left, right, rule, detail in evidence:
        evidence_of.setdefault(clusters.find(left), []).append(
            (f"{left[0]}:{left[1]}", f"{right[0]}:{right[1]}", rule, detail)
        )
    return [(members, evidence_of.get(root, [])) for root, members in members_of.items()]


def link(records: list[SourceRecord], probabilistic: bool = True, tally: Tally | None = None) -> list[CanonicalModel]:
    """Group records into canonical models, with the evidence of every link (:func:`cluster`), and name them
    (:func:`~modelcensus.linkage.models.name_models`); ``tally`` counts the pairs each pass compared.

    A canonical model holds one record of each source, but for an undated alias beside its launch snapshot and the
    other endpoints (``:free``) of one model, and never two snapshot months.
    """
    with counting(tally or Tally()):
        groups = cluster(records, probabilistic)
    return name_models(groups)
