"""Canonical models: the groups of records linkage made, each named once, and how many pairs each pass compared.

A canonical model is named after its first record in the order of precedence of the sources (:func:`priority`):
the name key of that record's name (:func:`base_id`), or, when an earlier model already took that key, the key
followed by the record's own source and id (:func:`suffixed_id`). Naming is one pass over every model in that order,
so it can be done over models grouped in Python and over the Hub repos no other source knows alike
(:mod:`modelcensus.store.links` names the latter in SQL).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from modelcensus.linkage.names import SourceRecord, name_key, source_name
from modelcensus.vocabulary import source_rank

Evidence = tuple[str, str, str, str]
"""(left record, right record, rule, detail): ``source:source_id`` of each side, the rule and what matched."""


@dataclass
class CanonicalModel:
    id: str
    name: str
    records: list[SourceRecord] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    """(left record, right record, rule, detail) for every link that joined this model."""


def priority(record: SourceRecord) -> tuple[int, str, str]:
    """The first source of a canonical model names it (:class:`~modelcensus.vocabulary.Source` is in this order;
    tabular lists rank as ``tabular``, in the order of their names)."""
    return (source_rank(record.source), record.source, record.source_id)


def base_id(head: SourceRecord) -> str:
    """The id a model takes from its first record, unless an earlier model took it."""
    return name_key(source_name(head)) or "model"


def suffixed_id(base: str, source: str, source_id: str) -> str:
    """The id of a model whose base id an earlier model took: the head record's own source and id tell them apart."""
    return f"{base}--{source}-{re.sub(r'[^a-z0-9]+', '-', source_id.casefold()).strip('-')}"


def next_free(candidate: str, used: set[str]) -> str:
    """``candidate``, or with ``-2`` added until no model has it."""
    while candidate in used:
        candidate += "-2"
    return candidate


def name_models(groups: Iterable[tuple[list[SourceRecord], list[Evidence]]]) -> list[CanonicalModel]:
    """Canonical models from groups of records (each with the evidence that joined it), given in the order of their
    first records; sorted by id."""
    models: list[CanonicalModel] = []
    used: set[str] = set()
    for members, evidence in groups:
        members = sorted(members, key=priority)
        head = members[0]
        base = base_id(head)
        canonical = base if base not in used else next_free(suffixed_id(base, head.source, head.source_id), used)
        used.add(canonical)
        models.append(CanonicalModel(canonical, head.name, members, evidence))
    models.sort(key=lambda m: m.id)
    return models


@dataclass
class PassCount:
    """One pass of linkage: how many record pairs it compared and how many links it made."""

    name: str
    pairs: int = 0
    links: int = 0


@dataclass
class Tally:
    """The pairs each pass of a linkage run compared, in the order the passes ran."""

    passes: list[PassCount] = field(default_factory=list)

    def start(self, name: str) -> PassCount:
        self.passes.append(PassCount(name))
        return self.passes[-1]

    @property
    def current(self) -> PassCount | None:
        return self.passes[-1] if self.passes else None

    @property
    def pairs(self) -> int:
        return sum(p.pairs for p in self.passes)


_TALLY: ContextVar[Tally | None] = ContextVar("linkage_tally", default=None)


@contextmanager
def counting(tally: Tally) -> Iterator[Tally]:
    """Count the pairs the passes compare into ``tally`` while the block runs."""
    token = _TALLY.set(tally)
    try:
        yield tally
    finally:
        _TALLY.reset(token)


def begin(name: str) -> None:
    """A pass starts: its comparisons are counted apart."""
    tally = _TALLY.get()
    if tally is not None:
        tally.start(name)


def compared(pairs: int = 1) -> None:
    """The running pass compared ``pairs`` more pairs of records."""
    tally = _TALLY.get()
    if tally is not None and tally.current is not None:
        tally.current.pairs += pairs


def linked() -> None:
    """The running pass joined two models."""
    tally = _TALLY.get()
    if tally is not None and tally.current is not None:
        tally.current.links += 1
