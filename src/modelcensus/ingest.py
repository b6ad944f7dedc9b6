"""Sources → records → store: the ``build`` pipeline, callable from the library as from the CLI.

``build(census, from_dir)`` ingests everything :func:`modelcensus.sources.discover.discover` finds under a
folder (or, without a folder, every source live), then links the records across sources. It never stops
at the first bad file: a file that cannot be read fails alone, the rest is ingested, and the report says
the build was partial. Each export is stored in its own transaction, so what was stored stays stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from modelcensus.errors import InputFormatError, ModelCensusError
from modelcensus.records import QuarantinedRow, load_json
from modelcensus.sources import epoch
from modelcensus.sources.discover import Discovery, Found, Skipped, discover

if TYPE_CHECKING:
    from modelcensus.census import Census
    from modelcensus.store import IngestResult

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

    def extend(self, other: IngestReport) -> None:
        self.results.extend(other.results)
        self.quarantined.extend(other.quarantined)
        self.failed.extend(other.failed)
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


@contextmanager
def _no_progress(label: str) -> Iterator[Callable[[int], None]]:
    yield lambda n: None


def _attempt(
    report: IngestReport,
    source: str,
    location: str,
    run: Callable[[], IngestReport],
    on_ingest: Callable[[IngestReport], None] | None,
) -> None:
    """Run one ingest; a failure of the package's own kind is recorded, not raised."""
    try:
        done = run()
    except ModelCensusError as exc:
        report.failed.append(Failure(source, location, str(exc).replace("\n", " ")))
        if on_ingest:
            on_ingest(IngestReport(failed=[report.failed[-1]]))
        return
    report.extend(done)
    if on_ingest:
        on_ingest(done)


def _unreadable(found: Found) -> None:
    """A file recognised by its signature only: raise the parser's own error (file, line)."""
    path = found.paths[0]
    load_json(path.read_bytes(), str(path))
    raise InputFormatError(f"looks like a {found.source} file but cannot be read as one", file=str(path))


def _ingest_found(census: Census, found: Found, dated: date | None, progress: Progress) -> IngestReport:
    path = found.paths[0]
    if found.kind == "unreadable":
        _unreadable(found)
    if found.source == "epoch":
        with progress(f"epoch: reading {path.parent.name or path.name}") as advance:
            parsed = epoch.parse_export(epoch.read_files(list(found.paths), dated), advance, tolerate=True)
        report = census.store_epoch([parsed])
        report.failed.extend(Failure("epoch", e.file or "", str(e)) for e in parsed.failed)
        return report
    if found.source == "huggingface":
        with progress("huggingface: reading") as advance:
            return census.ingest_huggingface(path, progress=advance, dated=dated)
    if found.source == "openrouter":
        return census.ingest_openrouter(path, dated)
    if found.source == "litellm":
        return census.ingest_litellm(path, dated)
    if found.source == "lmarena":
        return census.ingest_lmarena(None, dated, files=list(found.paths), tolerate=True)
    raise InputFormatError(f"no reader for source {found.source!r}", file=str(path))


def build(
    census: Census,
    from_dir: Path | None = None,
    *,
    dated: date | None = None,
    progress: Progress | None = None,
    on_ingest: Callable[[IngestReport], None] | None = None,
    hub_top_n: int | None = None,
) -> BuildReport:
    """Ingest every source (found under ``from_dir``, or live) and link the records.

    ``dated`` dates every export (as ``--dated`` does); ``on_ingest`` sees each export's report as it is
    stored. Live, the Hub harvest takes the ``hub_top_n`` most-downloaded repos and every repo of the
    registry's organizations.
    """
    show = progress or _no_progress
    report = IngestReport()
    discovery: Discovery | None = None
    if from_dir is None:
        _build_live(census, report, dated, show, on_ingest, hub_top_n)
    else:
        if not from_dir.exists():
            raise InputFormatError("no such folder", file=str(from_dir))
        discovery = discover(from_dir, dated)
        order = {"epoch": 0, "huggingface": 1, "openrouter": 2, "litellm": 3, "lmarena": 4}
        for found in sorted(discovery.found, key=lambda f: order.get(f.source, 9)):
            location = str(found.paths[0].parent if len(found.paths) > 1 else found.paths[0])
            _attempt(
                report,
                found.source,
                location,
                lambda found=found: _ingest_found(census, found, dated, show),  # type: ignore[misc]
                on_ingest,
            )
    models = census.links()
    shared = sum(1 for m in models if len({r.source for r in m.records}) > 1)
    return BuildReport(report, discovery, len(models), shared)


def _build_live(
    census: Census,
    report: IngestReport,
    dated: date | None,
    show: Progress,
    on_ingest: Callable[[IngestReport], None] | None,
    hub_top_n: int | None,
) -> None:
    config = census.config

    def epoch_live() -> IngestReport:
        with show("epoch: reading rows") as advance:
            return census.ingest_epoch(None, progress=advance, dated=dated)

    def hub_top() -> IngestReport:
        with show("huggingface: harvesting the most-downloaded repos") as advance:
            return census.ingest_huggingface(
                None, sort="downloads", limit=hub_top_n or config.hub_top_n, progress=advance, dated=dated
            )

    def hub_orgs() -> IngestReport:
        handles = sorted({h for o in census.registry.orgs.values() if o.kind == "organization" for h in o.hub_handles})
        with show("huggingface: harvesting the registry's organizations") as advance:
            return census.ingest_huggingface(None, authors=tuple(handles), progress=advance, dated=dated)

    _attempt(report, "epoch", config.epoch_url, epoch_live, on_ingest)
    _attempt(report, "huggingface", config.hub_endpoint, hub_top, on_ingest)
    _attempt(report, "huggingface", config.hub_endpoint, hub_orgs, on_ingest)
    _attempt(report, "openrouter", "live", lambda: census.ingest_openrouter(None, dated), on_ingest)
    _attempt(report, "lmarena", "live", lambda: census.ingest_lmarena(None, dated), on_ingest)
    _attempt(report, "litellm", "live", lambda: census.ingest_litellm(None, dated), on_ingest)
