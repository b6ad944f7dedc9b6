"""Where every stored figure came from: one :class:`SourceSnapshot` per ingested file, dated honestly.

A snapshot's data date says when its data was true (when the upstream exported or captured it), and
:class:`DataDate` keeps how that date was found, so a caption can say "dated 2025-12-11 (created of its
resource in datapackage.json)" or "date unknown". It is never the day the file was ingested.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from modelcensus.vocabulary import Source


class DateMethod(StrEnum):
    """How a data date was found, in the order they are tried (the first that gives a date wins)."""

    OPTION = "--dated"
    """Given on the command line (``--dated``) or by the library caller."""
    DATAPACKAGE = "datapackage"
    """The ``created`` of the file's resource in a Frictionless ``datapackage.json`` beside or above it."""
    DATA = "data"
    """Read from the data itself: a ``Last modified`` column, a ``fetchedAt`` field, the newest dated row."""
    FILE_NAME = "file name"
    """An ISO date (YYYY-MM-DD) in the file's or its folder's name."""
    HTTP = "http last-modified"
    """A live download's ``Last-Modified`` header: when the upstream last changed the file."""
    RETRIEVED = "retrieved"
    """A live download with no date in it: the data is the upstream's current state on that day."""
    UNKNOWN = "unknown"
    """Nothing dates it: shown as unknown, never replaced by the day of ingest."""


DATE_ORDER = (
    DateMethod.OPTION,
    DateMethod.DATAPACKAGE,
    DateMethod.DATA,
    DateMethod.FILE_NAME,
    DateMethod.HTTP,
    DateMethod.RETRIEVED,
    DateMethod.UNKNOWN,
)


@dataclass(frozen=True)
class DataDate:
    """A data date and how it was found (``detail`` names the column, resource or file name)."""

    value: date | None
    method: DateMethod = DateMethod.UNKNOWN
    detail: str = ""

    @classmethod
    def unknown(cls, detail: str = "") -> DataDate:
        return cls(None, DateMethod.UNKNOWN, detail or "no date in the data, its name or a datapackage.json")

    def describe(self) -> str:
        """``2025-12-11 (datapackage: created of resource …)`` or ``date unknown (…)``."""
        if self.value is None:
            return f"date unknown ({self.detail})" if self.detail else "date unknown"
        how = f"{self.method.value}: {self.detail}" if self.detail else self.method.value
        return f"{self.value.isoformat()} ({how})"


def first_date(*candidates: DataDate | None) -> DataDate:
    """The candidate found by the earliest method of :data:`DATE_ORDER` (ties: the first given)."""
    found = [c for c in candidates if c is not None and c.value is not None]
    if not found:
        unknowns = [c for c in candidates if c is not None and c.detail]
        return unknowns[0] if unknowns else DataDate.unknown()
    return min(found, key=lambda c: DATE_ORDER.index(c.method))


@dataclass(frozen=True)
class SourceSnapshot:
    """The origin record of one ingested file (after OWID's ``Origin``).

    ``snapshot_id`` is derived from the source and the content hash, so the same bytes
    ingested twice are the same snapshot. ``retrieved_at`` is when the file was fetched or found;
    ``data_date`` when its data was true.
    """

    source: str
    role: str
    location: str
    retrieved_at: datetime
    sha256: str
    bytes: int
    rows: int
    license: str
    credit: str
    member: str | None = None
    data_date: DataDate = DataDate(None)
    scope: str = ""
    """The population the file covers, in words, where it is not the source's whole list (``a listing of 1,000
    trending repos …, not a full harvest``); empty for a source's own export."""

    @property
    def snapshot_id(self) -> str:
        return f"{self.source}:{self.role}:{self.sha256[:16]}"

    def dated(self, when: DataDate) -> SourceSnapshot:
        return replace(self, data_date=when)


@dataclass(frozen=True)
class Export:
    """A set of snapshots of one source published together (e.g. the four files of Epoch's zip).

    ``data_date`` orders exports of a source: the newest one is current, older ones stay
    queryable with ``as_of`` (they are the source's vintages). An export of unknown date is current
    only when its source has no dated export, and no ``as_of`` selects it.
    """

    source: str
    data_date: DataDate
    snapshots: tuple[SourceSnapshot, ...]

    @property
    def export_id(self) -> str:
        digest = hashlib.sha256()
        for sha in sorted(f"{s.role}:{s.sha256}" for s in self.snapshots):
            digest.update(sha.encode())
        return f"{self.source}:{digest.hexdigest()[:16]}"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def export_date(snapshots: tuple[SourceSnapshot, ...] | list[SourceSnapshot]) -> DataDate:
    """An export's date from its files': the best method any file was dated by, and the newest date so
    dated (the files of one export are published together; the newest says how recent the whole is)."""
    dated = [s.data_date for s in snapshots if s.data_date.value is not None]
    if not dated:
        reasons = [s.data_date for s in snapshots if s.data_date.detail]
        return reasons[0] if reasons else DataDate.unknown()
    best = min(DATE_ORDER.index(d.method) for d in dated)
    chosen = [d for d in dated if DATE_ORDER.index(d.method) == best]
    newest = max(chosen, key=lambda d: d.value or date.min)
    if len({d.value for d in chosen}) > 1:
        return DataDate(newest.value, newest.method, f"{newest.detail} (the newest of {len(chosen)} files)")
    return newest


SOURCE_ORDER = tuple(Source)


def source_groups(snapshots: Sequence[Mapping[str, Any]]) -> list[list[Mapping[str, Any]]]:
    """The snapshots of a figure grouped as a sources line names them: one group per source and credit and licence
    (an export may join files of several upstreams), in the order of :data:`SOURCE_ORDER`, then by credit."""
    groups: dict[tuple[str, str, str], list[Mapping[str, Any]]] = {}
    for snap in snapshots:
        key = (str(snap.get("source", "")), str(snap.get("credit", "")), str(snap.get("license", "")))
        groups.setdefault(key, []).append(snap)

    def rank(key: tuple[str, str, str]) -> tuple[int, str, str, str]:
        source = key[0]
        return (SOURCE_ORDER.index(source) if source in SOURCE_ORDER else len(SOURCE_ORDER), *key)

    return [groups[key] for key in sorted(groups, key=rank)]


def describe_sources(snapshots: list[dict[str, str]]) -> str:
    """Every source behind a figure, each with what it covers and its date: ``Sources: Epoch AI (CC BY 4.0):
    export dated 2026-03-30; Hugging Face Hub (…): dated 2026-05-04, a listing of 1,000 trending repos …, not a full
    harvest.`` A file that covers part of its source (its scope) is dated before the scope is said, so the date
    never reads as the date of what it is not ("not a full harvest dated …"). A figure read at a vintage names that
    vintage's dates; an undated export says so. Files of one source under different credits (LMArena's catalog
    and the rating history nakasyou keeps, MIT) are each named with their own."""
    parts = []
    for snaps in source_groups(snapshots):
        first = snaps[0]
        source = str(first.get("source", ""))
        dates = sorted({str(s.get("data_date") or "unknown") for s in snaps})
        dates = [d if d not in ("None", "NaT", "nan") else "unknown" for d in dates]
        scopes = list(dict.fromkeys(str(s["scope"]) for s in snaps if s.get("scope")))
        what = "; ".join(scopes) if scopes else "export"
        when = "of unknown date" if dates == ["unknown"] else f"dated {', '.join(dates)}"
        said = f"{when}, {what}" if scopes else f"{what} {when}"
        parts.append(f"{first.get('credit', source)} ({first.get('license', '')}): {said}")
    return "Sources: " + "; ".join(parts) + "." if parts else ""


# -- the code a derived result was computed by ----------------------------------------------------------------------


@cache
def code_digest(parts: tuple[str, ...], suffixes: tuple[str, ...] = (".py",)) -> str:
    """A digest of part of the package: ``parts`` are files and folders (their files ending in one of
    ``suffixes``, at any depth) relative to the package's folder, ``"."`` the whole package."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for part in parts:
        path = root / part
        files = [f for f in sorted(path.rglob("*")) if f.suffix in suffixes] if path.is_dir() else [path]
        for file in files:
            digest.update(file.relative_to(root).as_posix().encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def package_code() -> str:
    """A digest of the whole package, code and reviewed data: what a kept verdict or estimate reads nearly all of."""
    return code_digest((".",), (".py", ".csv", ".yaml", ".json"))


def inputs_digest(files: Iterable[Path], *settings: object) -> str:
    """A digest of the package (:func:`package_code`), of files of the user's (their paths and contents) and of
    settings: what a result computed from the packaged data and those files (the registry of organizations, say) is a
    function of. Raises :class:`OSError` when a file cannot be read."""
    digest = hashlib.sha256(package_code().encode())
    for file in files:
        digest.update(str(file).encode() + b"\0" + hashlib.sha256(Path(file).read_bytes()).digest())
    digest.update(repr(settings).encode())
    return digest.hexdigest()[:24]
