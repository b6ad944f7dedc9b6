"""What an ingest and a build report: per export what was stored and set aside, and what failed."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from modelcensus.records import QuarantinedRow
from modelcensus.sources.discover import Discovery, Skipped

if TYPE_CHECKING:
    from modelcensus.store import IngestResult, LinkSummary

Progress = Callable[[str], AbstractContextManager[Callable[[int], None]]]
"""Given a label, a context that yields an ``advance(n)`` callback (the CLI draws a bar with it)."""


@dataclass(frozen=True)
class Failure:
    """A file (or a live source) that was recognised but could not be read; nothing of it was stored."""

    source: str
    location: str
    message: str


@dataclass
class IngestReport:
    """What an ingest did, per export, what it set aside, and what failed."""

    results: list[IngestResult] = field(default_factory=list)
    quarantined: list[QuarantinedRow] = field(default_factory=list)
    unknown_country_tokens: dict[str, int] = field(default_factory=dict)
    ignored_country_tokens: dict[str, int] = field(default_factory=dict)
    failed: list[Failure] = field(default_factory=list)
    profiles: dict[str, int] = field(default_factory=dict)
    """A live Hub harvest's profile lookups of unresolved handles: how many of each kind (``organization``,
    ``user``, ``missing``, ``failed``) and how many handles they resolved (``resolved``)."""

    def extend(self, other: IngestReport) -> None:
        self.results.extend(other.results)
        self.quarantined.extend(other.quarantined)
        self.failed.extend(other.failed)
        for kind, n in other.profiles.items():
            self.profiles[kind] = self.profiles.get(kind, 0) + n
        for mine, theirs in (
            (self.unknown_country_tokens, other.unknown_country_tokens),
            (self.ignored_country_tokens, other.ignored_country_tokens),
        ):
            for token, n in theirs.items():
                mine[token] = mine.get(token, 0) + n


@dataclass
class BuildReport:
    """A build: what was found, ingested, skipped and failed, and the linkage it ended with."""

    ingest: IngestReport
    discovery: Discovery | None = None
    canonical_models: int = 0
    shared_models: int = 0
    links: LinkSummary | None = None
    """The stored links the build ended with, and the pairs each pass of linkage compared."""
    stages: list[tuple[str, float]] = field(default_factory=list)
    """Each stage of the build (an export's ingest, linkage, the census records) and its seconds."""

    @property
    def skipped(self) -> list[Skipped]:
        return self.discovery.skipped if self.discovery else []

    @property
    def failed(self) -> list[Failure]:
        return self.ingest.failed

    @property
    def partial(self) -> bool:
        """True when something recognised could not be read: the census lacks it."""
        return bool(self.ingest.failed)
