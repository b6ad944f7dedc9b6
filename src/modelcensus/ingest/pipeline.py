"""Sources → records → store: the ``build`` pipeline, callable from the library as from the CLI.

``build(loader, linker, from_dir)`` ingests everything :func:`modelcensus.sources.discover.discover` finds under a
folder (or, without a folder, every source live), then links the records across sources. It never stops
at the first bad file: a file that cannot be read fails alone, the rest is ingested, and the report says
the build was partial. Each export is stored in its own transaction, so what was stored stays stored.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from modelcensus.errors import InputFormatError, ModelCensusError
from modelcensus.ingest.loaders import Loader
from modelcensus.ingest.reports import BuildReport, Failure, IngestReport, Progress
from modelcensus.linking import Linker
from modelcensus.records import load_json
from modelcensus.sources import epoch
from modelcensus.sources.discover import Discovery, Found, discover
from modelcensus.sources.files import readable
from modelcensus.store import IngestResult


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


def _ingest_found(census: Loader, found: Found, dated: date | None, progress: Progress) -> IngestReport:
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
    if found.source in ("cac", "cac-totals"):
        return census.ingest_cac(list(found.paths), dated=dated)
    raise InputFormatError(f"no reader for source {found.source!r}", file=str(path))


def nothing_found(discovery: Discovery, shown: int = 3) -> str:
    """Why a folder gave no source file, in one line: empty, or the first files skipped and why."""
    skipped = discovery.skipped
    if not skipped:
        return "no source file in it (nothing but metadata, or an empty folder)"
    reasons = "; ".join(f"{s.path.name}: {s.reason}" for s in skipped[:shown])
    more = f"; and {len(skipped) - shown} more" if len(skipped) > shown else ""
    return f"no source file recognised ({len(skipped)} skipped: {reasons}{more})"


def build(
    census: Loader,
    linker: Linker,
    from_dir: Path | None = None,
    keep: Sequence[tuple[str, Callable[[], object]]] = (),
    *,
    dated: date | None = None,
    progress: Progress | None = None,
    on_ingest: Callable[[IngestReport], None] | None = None,
    hub_top_n: int | None = None,
) -> BuildReport:
    """Ingest every source (found under ``from_dir``, or live) and link the records; then each stage of ``keep``
    in turn, ``(stage, what it does)``: the census keeps every definition's population in the store
    (:meth:`~modelcensus.figures.reader.Reader.keep_populations`), then the verdicts of the example claims
    (:func:`~modelcensus.claims.check.keep_verdicts`).

    ``dated`` dates every export (as ``--dated`` does); ``on_ingest`` sees each export's report as it is
    stored. Live, the Hub harvest takes the ``hub_top_n`` most-downloaded repos and every repo of the
    registry's organizations.
    """
    show = progress or _no_progress
    report = IngestReport()
    discovery: Discovery | None = None
    stages: list[tuple[str, float]] = []
    if from_dir is None:
        with _timed(stages, "ingest (live)"):
            _build_live(census, report, dated, show, on_ingest, hub_top_n)
    else:
        if not from_dir.exists():
            raise InputFormatError("no such folder", file=str(from_dir))
        discovery = discover(readable(from_dir, folder=True), dated)
        if not discovery.found:  # nothing to ingest: said before the store is linked again, and an error
            raise InputFormatError(nothing_found(discovery), file=str(from_dir))
        order = {"epoch": 0, "huggingface": 1, "openrouter": 2, "litellm": 3, "lmarena": 4, "cac": 5, "cac-totals": 6}
        for found in sorted(discovery.found, key=lambda f: order.get(f.source, 9)):
            location = str(found.paths[0].parent if len(found.paths) > 1 else found.paths[0])
            done = len(report.results)
            with _timed(stages, f"ingest {found.source}: {Path(location).name}"):
                _attempt(
                    report,
                    found.source,
                    location,
                    lambda found=found: _ingest_found(census, found, dated, show),  # type: ignore[misc]
                    on_ingest,
                )
            _attribution_apart(stages, found.source, report.results[done:])
    try:  # (the census records' Hub part that the links do not change is made while the records are linked)
        with _timed(stages, "link"):
            links = linker.update(stage_population=True)
        with _timed(stages, "census records"):
            linker.ensure_population()  # the census records behind definitions, stored once for every reader
    finally:
        linker.drop_staged()
    for stage, work in keep:
        with _timed(stages, stage), show(stage):
            work()
    return BuildReport(report, discovery, links.models, links.shared_models, links, stages)


@contextmanager
def _timed(stages: list[tuple[str, float]], stage: str) -> Iterator[None]:
    """Time one stage of a build (kept in the report whether the stage succeeded or not)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        stages.append((stage, round(time.perf_counter() - started, 3)))


def _attribution_apart(stages: list[tuple[str, float]], source: str, results: Sequence[IngestResult]) -> None:
    """Split the attribution an ingest ran (a Hub listing's lineage roots and handles) off its stage, the last
    one: the ingest's own stage keeps the parse, checks and store; each attribution step follows as
    ``attribute SOURCE: STEP``. The seconds add up to the stage's."""
    steps = [step for result in results for step in result.attribution]
    if not steps:
        return
    label, seconds = stages.pop()
    stages.append((label, round(max(seconds - sum(s for _, s in steps), 0.0), 3)))
    stages.extend((f"attribute {source}: {step}", s) for step, s in steps)


def _build_live(
    census: Loader,
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
