"""Which files under a folder are which source's, recognised by content; what is skipped, and why.

``modelcensus build --from DIR`` reads whatever a user saved: exports, listings, catalogues, and around
them READMEs, data-package descriptors, reference tables and files of sources this version does not read.
Every file gets one of three fates, and the build reports each:

- **found**: recognised as a source's file by its content (a header, the keys of its items), never by
  its name alone; files that form one export are grouped (Epoch's files of one folder and one date, the
  files of an Epoch zip, the LMArena files, the CAC register's attachments, xlsx or CSV);
- **metadata**: a Frictionless ``datapackage.json``, read for the dates of the files it lists;
- **skipped**: with the reason (not a data file, a table whose columns match no source, a CAC reference table
  that lists no filings, …).

A file that looks like a source's (its first bytes carry the source's signature) but cannot be parsed is
found, not skipped: reading it then fails that file only, and the build says it was partial.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from modelcensus.sources import cac, cac_totals, epoch, huggingface, litellm, lmarena, openrouter
from modelcensus.sources.dating import DATAPACKAGE, is_datapackage

CATALOG_MAX_BYTES = 256 * 2**20
"""Catalogues and leaderboards are small: a larger JSON file is only tried as a Hub listing."""
SNIFF_BYTES = 65536

# Signatures in a file's first bytes: they recognise a file whose JSON is cut or broken, so that it fails
# loudly as that source's file instead of being skipped as unknown.
_SIGNATURES = (
    ("openrouter", re.compile(rb'"canonical_slug"|"top_provider"')),
    ("litellm", re.compile(rb'"litellm_provider"')),
    ("lmarena", re.compile(rb'"rating_q975"|"rating_q025"|"model_api_name"')),
    ("huggingface", re.compile(rb'"(pipeline_tag|pipelineTag|trendingScore|library_name|libraryName)"')),
)
_SPREADSHEETS = {".xlsx", ".xlsm", ".xls", ".ods"}
_TABLES = {".csv", ".tsv", ".txt"}
_JSON = {".json", ".jsonl", ".ndjson"}


@dataclass(frozen=True)
class Found:
    """Files recognised as one export of a source."""

    source: str
    paths: tuple[Path, ...]
    kind: str = ""
    """What the files are (``leaderboard:text``, ``listing``, ``export``)."""


@dataclass(frozen=True)
class Skipped:
    path: Path
    reason: str


@dataclass
class Discovery:
    """What a folder holds, file by file."""

    root: Path
    found: list[Found] = field(default_factory=list)
    metadata: list[Path] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def of(self, source: str) -> list[Found]:
        return [f for f in self.found if f.source == source]


def _walk(root: Path) -> Iterator[Path]:
    """Every file under ``root`` in a stable order; hidden folders (``.git``, ``.cache``) are not entered."""
    for path in sorted(root.iterdir()):
        if path.is_dir():
            if not path.name.startswith("."):
                yield from _walk(path)
        elif path.is_file():
            yield path


def _head(path: Path, size: int = SNIFF_BYTES) -> bytes:
    with path.open("rb") as handle:
        return handle.read(size)


def _csv_columns(head: bytes) -> list[str]:
    try:
        text = head.decode("utf-8-sig", errors="replace")
        return next(csv.reader(io.StringIO(text)), [])
    except csv.Error:
        return []


def _sniff(head: bytes) -> str | None:
    for source, pattern in _SIGNATURES:
        if pattern.search(head):
            return source
    return None


def classify(path: Path) -> tuple[str, str] | Skipped:
    """``(source, kind)`` for a recognised file, ``("metadata", …)`` for a descriptor, else :class:`Skipped`."""
    suffix = path.suffix.lower()
    try:
        size = path.stat().st_size
        if path.name.startswith("."):
            return Skipped(path, "a hidden file")
        if size == 0:
            return Skipped(path, "an empty file")
        if path.name == DATAPACKAGE and is_datapackage(path):
            return ("metadata", "datapackage")
        if suffix == ".zip":
            if not zipfile.is_zipfile(path):
                return Skipped(path, "named .zip but not a zip archive")
            if epoch.is_epoch_zip(path):
                return ("epoch", "export")
            return Skipped(path, "a zip archive holding no Epoch AI model CSV")
        if suffix in _SPREADSHEETS:
            if cac.kind_of(path) == "attachment":
                return ("cac", "attachment")
            return Skipped(
                path, "a spreadsheet: read a list with `modelcensus ingest tabular --from FILE --mapping MAP.yaml`"
            )
        if suffix in _TABLES:
            return _classify_table(path)
        if suffix in _JSON:
            return _classify_json(path, size)
    except OSError as exc:
        return Skipped(path, f"cannot be read ({exc.strerror or exc})")
    return Skipped(path, f"not a data file modelcensus reads ({suffix or 'no extension'})")


def _classify_table(path: Path) -> tuple[str, str] | Skipped:
    head = _head(path)
    if epoch.looks_like_epoch(_csv_columns(head)):
        return ("epoch", "export")
    if cac_totals.is_totals(path):
        return ("cac-totals", "totals")
    register = cac.kind_of(path)
    if register == "attachment":
        return ("cac", "attachment")
    if register is not None:
        return Skipped(path, register.removeprefix("reference:"))
    if lmarena.kind_of(path, _head(path, 262144)) == lmarena.HISTORY:
        return ("lmarena", lmarena.HISTORY)
    columns = [c for c in _csv_columns(head) if c.strip()]
    shown = ", ".join(columns[:6]) + (", …" if len(columns) > 6 else "")
    return Skipped(
        path,
        f"a table whose columns match no source modelcensus reads ({shown or 'no header'}); "
        "a list of models can be read with `modelcensus ingest tabular --mapping`",
    )


def _classify_json(path: Path, size: int) -> tuple[str, str] | Skipped:
    shape = huggingface.detect_shape(path)
    if shape is not None:
        return ("huggingface", shape)
    head = _head(path)
    if size <= CATALOG_MAX_BYTES:
        data = path.read_bytes()
        if openrouter.looks_like(data):
            return ("openrouter", "listing")
        if litellm.looks_like(data):
            return ("litellm", "catalogue")
        kind = lmarena.kind_of(path, data)
        if kind is not None:
            return ("lmarena", kind)
    sniffed = _sniff(head)
    if sniffed is not None:  # its signature, but no parse: found, so that reading it fails loudly
        return (sniffed, "unreadable")
    return Skipped(path, "JSON that matches no source modelcensus reads")


def discover(root: Path, dated: date | None = None) -> Discovery:
    """Classify every file under ``root`` and group each source's files into exports."""
    found = Discovery(root)
    by_source: dict[str, list[tuple[Path, str]]] = {}
    for path in _walk(root) if root.is_dir() else iter([root]):
        fate = classify(path)
        if isinstance(fate, Skipped):
            found.skipped.append(fate)
        elif fate[0] == "metadata":
            found.metadata.append(path)
        else:
            by_source.setdefault(fate[0], []).append((path, fate[1]))
    epoch_files = [p for p, _ in by_source.pop("epoch", [])]
    for group in epoch.group_exports(epoch_files, dated):
        found.found.append(Found("epoch", tuple(group), "export"))
    arena = by_source.pop("lmarena", [])
    if arena:  # the leaderboards, their scatterplot and the history are one export (ratings keep their dates)
        found.found.append(Found("lmarena", tuple(p for p, _ in arena), "leaderboards"))
    for source in ("huggingface", "openrouter", "litellm", "cac-totals"):
        for path, kind in by_source.pop(source, []):
            found.found.append(Found(source, (path,), kind))
    register = by_source.pop("cac", [])
    if register:  # the CAC's attachments are deltas of one register: read together, each filing once
        found.found.append(Found("cac", tuple(p for p, _ in register), "register"))
    for source, files in sorted(by_source.items()):  # nothing else is produced today; never drop silently
        found.skipped.extend(Skipped(p, f"recognised as {source} but no reader is wired for it") for p, _ in files)
    return found
