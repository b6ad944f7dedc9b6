"""Finding the data date of a file: ``--dated``, a Frictionless ``datapackage.json``, the data, the name.

The order (see :data:`modelcensus.provenance.DATE_ORDER`): a date given on the command line; the
``created`` of the file's resource in a ``datapackage.json`` found beside the file or in a folder above
it; a date the data itself carries (each source reads its own: Epoch's ``Last modified``, a listing's
``fetchedAt``); an ISO date (YYYY-MM-DD) in the file's name or its folder's. Otherwise the date is
unknown. A file's modification time is never used: copying a file changes it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from modelcensus.provenance import DataDate, DateMethod

DATAPACKAGE = "datapackage.json"
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


def date_in_name(path: Path) -> DataDate | None:
    """An ISO date in the file's name (one at its start first), else in its folder's name."""
    for part in (path.name, path.parent.name):
        for match in sorted(_ISO_DATE.finditer(part), key=lambda m: m.start() != 0):
            try:
                day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            except ValueError:
                continue
            where = "file" if part == path.name else "folder"
            return DataDate(day, DateMethod.FILE_NAME, f"{match.group(0)} in the {where} name {part!r}")
    return None


@dataclass(frozen=True)
class _Resource:
    path: Path
    created: date | None
    name: str
    licenses: tuple[str, ...] = ()
    credit: str = ""


def _parse_created(value: object) -> date | None:
    if not isinstance(value, str):
        return None
    match = _ISO_DATE.match(value.strip())
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


@lru_cache(maxsize=64)
def _package(descriptor: Path, mtime_ns: int) -> tuple[_Resource, ...]:
    """The resources of a ``datapackage.json`` (cached per file version); an unreadable one has none."""
    try:
        data = json.loads(descriptor.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ()
    resources = data.get("resources") if isinstance(data, dict) else None
    if not isinstance(resources, list):
        return ()
    found: list[_Resource] = []
    for resource in resources:
        if not isinstance(resource, dict):
            continue
        paths = resource.get("path")
        for relative in paths if isinstance(paths, list) else [paths]:
            if not isinstance(relative, str) or "://" in relative:
                continue
            target = (descriptor.parent / relative).resolve()
            licenses = _items(resource.get("licenses"))
            sources = _items(resource.get("sources"))
            found.append(
                _Resource(
                    target,
                    _parse_created(resource.get("created")),
                    str(resource.get("name", "")),
                    tuple(str(x.get("name")) for x in licenses if isinstance(x, dict) and x.get("name")),
                    "; ".join(str(x.get("title")) for x in sources if isinstance(x, dict) and x.get("title")),
                )
            )
    return tuple(found)


def _items(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def is_datapackage(path: Path) -> bool:
    """A Frictionless descriptor: ``datapackage.json`` holding a ``resources`` list."""
    if path.name != DATAPACKAGE:
        return False
    try:
        return bool(_package(path.resolve(), path.stat().st_mtime_ns)) or "resources" in json.loads(
            path.read_text(encoding="utf-8")
        )
    except (OSError, ValueError):
        return False


def date_in_datapackage(path: Path) -> DataDate | None:
    """The ``created`` of the resource that lists ``path`` in the nearest ``datapackage.json`` above it
    that lists it at all (a descriptor that does not list the file says nothing about it)."""
    target = path.resolve()
    for folder in target.parents:
        descriptor = folder / DATAPACKAGE
        if not descriptor.is_file():
            continue
        for resource in _package(descriptor, descriptor.stat().st_mtime_ns):
            if resource.path == target:
                if resource.created is None:
                    return DataDate.unknown(f"its resource in {descriptor} gives no 'created'")
                label = f"'{resource.name}'" if resource.name else str(path.name)
                detail = f"created of resource {label} in {descriptor}"
                return DataDate(resource.created, DateMethod.DATAPACKAGE, detail)
    return None


def declared_rights(path: Path) -> tuple[str, str] | None:
    """The licence and credit (its sources' titles) a ``datapackage.json`` above a file declares for it, when it
    declares a licence: a copy of someone's transcription is theirs to credit, not the upstream's."""
    target = path.resolve()
    for folder in target.parents:
        descriptor = folder / DATAPACKAGE
        if not descriptor.is_file():
            continue
        for resource in _package(descriptor, descriptor.stat().st_mtime_ns):
            if resource.path == target and resource.licenses:
                return ", ".join(resource.licenses), resource.credit
    return None


def file_date(path: Path, dated: date | None = None, data: DataDate | None = None) -> DataDate:
    """The data date of a local file, in the documented order."""
    if dated is not None:
        return DataDate(dated, DateMethod.OPTION, "given with --dated")
    declared = date_in_datapackage(path)
    if declared is not None and declared.value is not None:
        return declared
    if data is not None and data.value is not None:
        return data
    named = date_in_name(path)
    if named is not None:
        return named
    return declared or DataDate.unknown()  # a resource listed without a date says so


def declared_date(path: Path, dated: date | None = None) -> DataDate | None:
    """What dates a file before its data is read: ``--dated``, a datapackage, or the name. Used to tell
    exports (vintages) of one source apart: files of different declared dates are different exports."""
    if dated is not None:
        return DataDate(dated, DateMethod.OPTION, "given with --dated")
    declared = date_in_datapackage(path)
    if declared is not None and declared.value is not None:
        return declared
    return date_in_name(path)
