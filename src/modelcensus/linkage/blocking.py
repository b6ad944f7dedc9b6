"""Which Hub repos linkage has to see: blocking that scales with what can match, not with the Hub.

Linkage compares records of different sources (:mod:`modelcensus.linkage.rules`). Of the millions of Hub repos, a
repo can take part only when

- another source names it (OpenRouter's ``hugging_face_id``, Epoch's Hugging Face link);
- its developer is known and one of its keys is another source's record's key for that developer (or, for the name
  key, of a record whose developer is unknown): name, tokens, snapshot, release, base-less and compact keys
  (:mod:`modelcensus.linkage.names`), or it carries a year-less date its developer's dated records may be compared
  with;
- its developer is known and its name shares a word with a record of that developer whose version numbers, sizes
  and tier words do not veto the pair (developer + family + version + size): the probabilistic stage may score them
  as one model;
- its token key (or that key without a post-training word) is another source's record's: then it changes which
  records are the only ones of their source under a key, whoever its developer is;
- a rule within the Hub may join it to another of its developer's repos: a first stable version (``-001``) and the
  repos of its snapshot key, or the snapshot key of another repo that takes part;
- a reviewed vendor alias applies to it or names it, or its id is not plain (:data:`~.sql.PLAIN_ID`).

Every other repo is a canonical model of its own, and changes nothing in how the others link. Choosing runs in two
steps: SQL over the store (:mod:`modelcensus.store.links`) finds the repos that *may* qualify (their runs of letters
hold every run of letters of a wanted key: a key only drops or rewrites tokens), and :func:`takes_part` decides for
those few with the keys themselves.

The probabilistic stage (:mod:`modelcensus.linkage.splink`) then learns from the records that take part, not from
the whole Hub: the repos left out share no key with any other source's record.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from modelcensus.linkage.names import (
    MONTHS,
    SourceRecord,
    bare_hub_repos,
    compact_key,
    lineage_name,
    match_name,
    month_day,
    name_key,
    named_date,
    release_key,
    snapshot_key,
    source_name,
    token_key,
)
from modelcensus.linkage.vetoes import NameParts, name_parts, tier_words

PLAIN_ID = r"[A-Za-z0-9._/-]+"
"""A repo id (or handle) whose keys SQL computes exactly (:mod:`modelcensus.linkage.sql`), matched whole."""
POST_TRAINING = frozenset({"instruct", "it", "chat"})
TUNED = POST_TRAINING | {"sft", "dpo", "rlhf"}
_PLAIN_KEY = re.compile(r"[a-z0-9@-]*")
_LETTERS = re.compile(r"[a-z]+")
DROPPABLE = frozenset(
    {"v", "no", "thinking", "preview", "exp", "latest", "hf", "base", "bf", "a", "b", "e", "k", "m", "t", "x"}
    | POST_TRAINING
)
"""Runs of letters a key may drop from a name (besides a lab's or base family's prefix, a month's name and the
developer's id): what a key with no letters may have been made from."""
MONTH_WORD = "^(" + "|".join(MONTHS) + ")"


def own_name(r: SourceRecord) -> str:
    """A record's match name, without the base family a derivative names first."""
    return lineage_name(match_name(r), r.developer) or match_name(r)


def without_post_training(key: str) -> str:
    """A token key without its post-training words (``gemma-3-27b-it`` → ``gemma-3-27b``)."""
    return "-".join(t for t in key.split("-") if t not in POST_TRAINING)


def letters(key: str) -> tuple[str, ...] | None:
    """The runs of letters of a key, or None when no plain repo id can have that key (a character outside
    ``a-z0-9@-``)."""
    if not _PLAIN_KEY.fullmatch(key):
        return None
    return tuple(sorted(set(_LETTERS.findall(key))))


@dataclass
class Wanted:
    """The keys the records of the other sources give, by developer (None: any developer)."""

    hub_ids: set[str] = field(default_factory=set)
    """Hub repo ids the sources name, case-folded and lower-cased."""
    name_keys: set[tuple[str | None, str]] = field(default_factory=set)
    compact_keys: set[tuple[str, str]] = field(default_factory=set)
    letter_keys: set[tuple[str | None, tuple[str, ...]]] = field(default_factory=set)
    """(developer or None, letters): a repo whose letters hold these may have a wanted key."""
    tokens: set[str] = field(default_factory=set)
    keyed: set[tuple[str, str, str]] = field(default_factory=set)
    """(kind, developer, key): snapshot, release and base-less (lineage) keys."""
    dated: set[str] = field(default_factory=set)
    """Developers with a dated record: a Hub repo of theirs named with a year-less date may be compared by date."""
    named: dict[tuple[str, str], set[NameParts]] = field(default_factory=dict)
    """(developer, word) → the names (taken apart) of that developer's records with that word."""

    def want(self, developer: str | None, key: str) -> None:
        found = letters(key)
        if found is not None:
            self.letter_keys.add((developer, found))


def wanted(records: Iterable[SourceRecord]) -> Wanted:
    """What the records of every source but the Hub look for among Hub repos."""
    w = Wanted()
    for r in records:
        if r.source == "huggingface":
            continue
        if r.hub_id:
            w.hub_ids |= {r.hub_id.casefold(), r.hub_id.lower()}
        name = match_name(r)
        d = r.developer
        w.name_keys.add((d, name_key(name)))
        tokens = token_key(name, d)
        w.tokens.add(tokens)
        w.want(None, tokens)
        if d is None:
            continue
        w.compact_keys.add((d, compact_key(name)))
        for kind, key in (
            ("snapshot", snapshot_key(name, d)),
            ("release", release_key(own_name(r), d)),
            ("lineage", token_key(lineage_name(name, d) or name, d)),
        ):
            w.keyed.add((kind, d, key))
            w.want(d, key)
        if r.published_on is not None or month_day(r):
            w.dated.add(d)
        parts = name_parts(name, d)
        for word in parts.words:
            w.named.setdefault((d, word), set()).add(parts)
            w.want(d, word)
    return w


def _compatible_parts(a: NameParts, b: NameParts) -> bool:
    """No veto of version numbers, sizes or tier words between two names (:func:`~modelcensus.linkage.vetoes.veto`
    without the dates, which a Hub repo does not give)."""
    va, vb = set(a.versions), set(b.versions)
    if va and vb and not (va <= vb or vb <= va):
        return False
    sa, sb = set(a.sizes), set(b.sizes)
    if sa and sb and not (sa <= sb or sb <= sa):
        return False
    return not ((set(a.words) ^ set(b.words)) & tier_words())


def takes_part(w: Wanted, h: SourceRecord) -> bool:
    """Whether a Hub repo takes part in linkage because of its own keys (not because a source names it, its id, or
    another repo that takes part: see :func:`taking_part`)."""
    name = match_name(h)
    d = h.developer
    tokens = token_key(name, d)
    if tokens in w.tokens or without_post_training(tokens) in w.tokens or name != source_name(h):
        return True  # its tokens count in other records' rules, or a vendor alias applies to it
    if d is None:
        return False
    if (d, name_key(name)) in w.name_keys or (None, name_key(name)) in w.name_keys:
        return True
    if name_key(name).endswith("-001"):
        return True  # a first stable version: a rule within the Hub may join it to the undated alias
    if (d, compact_key(name)) in w.compact_keys or (d in w.dated and month_day(h) is not None):
        return True
    if any(
        (kind, d, key) in w.keyed
        for kind, key in (
            ("snapshot", snapshot_key(name, d)),
            ("release", release_key(own_name(h), d)),
            ("lineage", token_key(lineage_name(name, d) or name, d)),
        )
    ):
        return True
    parts = name_parts(name, d)
    return any(_compatible_parts(parts, other) for word in parts.words for other in w.named.get((d, word), ()))


def _undated(h: SourceRecord) -> bool:
    """An undated alias: a name with no snapshot mark (its token key is its snapshot key)."""
    name = match_name(h)
    return token_key(name, h.developer) == snapshot_key(name, h.developer)


def _first(h: SourceRecord) -> bool:
    return name_key(match_name(h)).endswith("-001")


def _named(h: SourceRecord) -> bool:
    """Whether a name gives a launch date or month (:func:`~modelcensus.linkage.names.named_date`, in some year)."""
    return any(named_date(h, year) != (None, None) for year in (2023, 2024))


def snapshot_groups(hub: Iterable[SourceRecord]) -> set[tuple[str, str]]:
    """(developer, snapshot key) of the Hub repos that take part and that a rule within the Hub may join to another
    repo of the group: an undated alias (its launch snapshot, its first stable version) or a first stable version
    (its alias)."""
    return {
        (h.developer, snapshot_key(match_name(h), h.developer))
        for h in hub
        if h.developer and (_undated(h) or _first(h))
    }


def in_snapshot_group(groups: set[tuple[str, str]], h: SourceRecord) -> bool:
    """Whether a repo of one of those groups counts in the Hub's rules: an undated alias, a first stable version, or
    a name that gives a date (a launch snapshot); the group's other repos change nothing."""
    if not h.developer or (h.developer, snapshot_key(match_name(h), h.developer)) not in groups:
        return False
    return _undated(h) or _first(h) or _named(h)


def alias_targets(hub: Iterable[SourceRecord]) -> set[str]:
    """The name keys that Hub repos under a reviewed vendor alias stand for: repos with those keys take part."""
    return {name_key(match_name(h)) for h in hub if match_name(h) != source_name(h)}


def plain_form(repo: str) -> tuple[str, str, bool]:
    """A repo's owner and token key without post-training words, both case-folded (as
    :func:`~modelcensus.linkage.names.bare_hub_repos` reads them), and whether the repo has such a word."""
    org, _, name = repo.casefold().partition("/")
    tokens = token_key(name).split("-")
    plain = [t for t in tokens if t not in TUNED]
    return org, "-".join(plain), len(plain) < len(tokens)


def taking_part(
    others: list[SourceRecord], hub: list[SourceRecord], authors: dict[str, set[str]]
) -> tuple[list[SourceRecord], frozenset[str]]:
    """The Hub records that take part in linkage, and the base checkpoints among them and the repos sources name,
    decided in Python over every repo: the reference :mod:`modelcensus.store.links` selects the same with SQL
    (``authors``: every repo's authors; a repo with several, or an id or author that is not plain, always takes
    part)."""
    w = wanted(others)
    plain = re.compile(PLAIN_ID)

    def odd(h: SourceRecord) -> bool:
        owners = authors.get(h.source_id, set())
        return len(owners) != 1 or not all(isinstance(x, str) and plain.fullmatch(x) for x in (h.source_id, *owners))

    chosen = {h.source_id for h in hub if odd(h) or h.source_id.lower() in w.hub_ids or takes_part(w, h)}
    targets = alias_targets(h for h in hub if h.source_id in chosen)
    chosen |= {h.source_id for h in hub if name_key(match_name(h)) in targets}
    groups = snapshot_groups(h for h in hub if h.source_id in chosen)
    chosen |= {h.source_id for h in hub if in_snapshot_group(groups, h)}
    named = sorted(w.hub_ids)
    everything = [h.source_id for h in hub] + named
    base = frozenset(bare_hub_repos(everything) & {r.casefold() for r in [*chosen, *named]})
    return [h for h in hub if h.source_id in chosen], base


def hub_base(repos: Iterable[str], siblings: Iterable[str]) -> frozenset[str]:
    """Which of ``repos`` are base checkpoints (:func:`~modelcensus.linkage.names.bare_hub_repos`), given every repo
    of theirs' owners that may be a post-trained form of one of them (``siblings``)."""
    mine = {r.casefold() for r in repos}
    return frozenset(bare_hub_repos([*mine, *siblings]) & mine)
