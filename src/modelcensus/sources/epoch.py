"""Source ``epoch``: Epoch AI's "Data on AI Models" exports (CC BY 4.0, credit "Epoch AI").

Reads ``all_ai_models.csv``, ``notable_ai_models.csv``, ``large_scale_ai_models.csv`` and
``frontier_ai_models.csv`` (or their ``ai_models.zip``), live or from a local path.

Merge rule (one record per model): rows whose ``Model`` names are equal after whitespace
normalisation (trailing spaces, tabs, doubled spaces; case is kept) are one model. Each field takes
its value from the first row that has one, rows ordered by file (all, notable, large-scale,
frontier, then any other file) and, within a file, by most recent ``Last modified`` then by line.
A model's organizations and its country list always come together from the same row, so that the
published countries stay aligned with the organizations. ``notable`` means "in the notable file"
when the export has one, and a filled ``Notability criteria`` otherwise; ``frontier`` means "in the
frontier file" or ``Frontier model`` true; ``large_scale`` means "in the large-scale file" or
training compute of at least 1e23 FLOP.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from modelcensus.errors import InputFormatError
from modelcensus.provenance import DataDate, DateMethod, Export, SourceSnapshot, export_date, sha256_bytes
from modelcensus.records import (
    CountryToken,
    ModelRecord,
    QuarantinedRow,
    clean_text,
    country_code,
    model_key,
    parse_bool,
    parse_date,
    parse_number,
    split_list,
    split_organizations,
    unique,
)
from modelcensus.sources.dating import declared_date, file_date
from modelcensus.sources.http import download, live_date
from modelcensus.vocabulary import OpenWeights

SOURCE = "epoch"
LICENSE = "CC BY 4.0"
CREDIT = "Epoch AI"
ROLES = ("all", "notable", "large_scale", "frontier")
LARGE_SCALE_FLOP = 1e23

ProgressFn = Callable[[int], None]


@dataclass
class RawFile:
    """One export file's bytes and where they came from."""

    name: str
    location: str
    data: bytes
    retrieved_at: datetime
    member: str | None = None
    path: Path | None = None
    """The local file (the zip for a member of one), for dating; None for a live download."""
    fixed_date: DataDate | None = None
    """A date known before reading (``--dated``, or a live download's Last-Modified / retrieval day)."""

    @property
    def role(self) -> str:
        stem = self.name.lower()
        if "notable" in stem:
            return "notable"
        if "frontier" in stem:
            return "frontier"
        if "large_scale" in stem or "large-scale" in stem or "largescale" in stem:
            return "large_scale"
        return "all"


@dataclass
class _Row:
    role: str
    line: int
    snapshot_id: str
    values: dict[str, str | None]
    published_on: date | None = None
    parameters: float | None = None
    training_compute_flop: float | None = None
    frontier: bool | None = None
    last_modified: date | None = None


@dataclass
class ParsedExport:
    """An export parsed into records, with what was set aside and why."""

    export: Export
    records: list[ModelRecord]
    quarantined: list[QuarantinedRow] = field(default_factory=list)
    rows_read: int = 0
    unknown_country_tokens: dict[str, int] = field(default_factory=dict)
    ignored_country_tokens: dict[str, int] = field(default_factory=dict)
    failed: list[InputFormatError] = field(default_factory=list)
    """Files of the export that could not be read (only when parsed with ``tolerate``)."""


@lru_cache(maxsize=1)
def column_spec() -> dict[str, dict[str, object]]:
    text = resources.files("modelcensus.sources").joinpath("epoch_columns.yaml").read_text("utf-8")
    spec: dict[str, dict[str, object]] = yaml.safe_load(text)
    return spec


def _header_key(header: str) -> str:
    return re.sub(r"[\W_]+", "", header.casefold())


def map_columns(header: list[str], file: str) -> dict[str, int]:
    """Map record fields to column positions by meaning; fail naming the file and column."""
    positions = {_header_key(h): i for i, h in reversed(list(enumerate(header)))}
    mapping: dict[str, int] = {}
    for field_name, spec in column_spec().items():
        headers = spec["headers"]
        assert isinstance(headers, list)
        for candidate in headers:
            if _header_key(candidate) in positions:
                mapping[field_name] = positions[_header_key(candidate)]
                break
        else:
            if spec.get("required"):
                raise InputFormatError(
                    f"required column {headers[0]!r} not found (looked for {', '.join(map(repr, headers))}); "
                    "is this an Epoch AI models export?",
                    file=file,
                    line=1,
                    column=str(headers[0]),
                )
    return mapping


def looks_like_epoch(header: list[str]) -> bool:
    """True when a CSV header carries Epoch's required columns (content, not file name)."""
    try:
        map_columns(header, "")
    except InputFormatError:
        return False
    return True


# ---------------------------------------------------------------------------------------------
# Finding and reading files


def _decode(raw: RawFile) -> str:
    try:
        return raw.data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.data[: exc.start].count(b"\n") + 1
        raise InputFormatError(f"not UTF-8 text ({exc.reason})", file=raw.location, line=line) from exc


def _csv_header(data: bytes) -> list[str]:
    try:
        first = data[:65536].decode("utf-8-sig", errors="replace")
        return next(csv.reader(io.StringIO(first)), [])
    except csv.Error:
        return []


def _file_time(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)


def read_zip(path: Path, location: str | None = None, retrieved_at: datetime | None = None) -> list[RawFile]:
    """The Epoch CSV members of a zip export."""
    where = location or str(path)
    when = retrieved_at or _file_time(path)
    try:
        with zipfile.ZipFile(path) as archive:
            files = []
            for info in archive.infolist():
                if info.is_dir() or not info.filename.lower().endswith(".csv"):
                    continue
                data = archive.read(info)
                if looks_like_epoch(_csv_header(data)):
                    files.append(
                        RawFile(
                            Path(info.filename).name,
                            f"{where}!{info.filename}",
                            data,
                            when,
                            info.filename,
                            path=path if location is None else None,
                        )
                    )
    except (zipfile.BadZipFile, EOFError, zlib_error()) as exc:
        raise InputFormatError(f"not a readable zip archive ({exc})", file=where) from exc
    if not files:
        raise InputFormatError("no Epoch AI model CSV inside the archive", file=where)
    return files


def zlib_error() -> type[Exception]:
    import zlib

    return zlib.error


def is_epoch_csv(path: Path) -> bool:
    """True when a file's header carries Epoch's required columns (content, not file name)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(65536)
    except OSError:
        return False
    return looks_like_epoch(_csv_header(head))


def is_epoch_zip(path: Path) -> bool:
    """True when a zip archive holds at least one Epoch CSV."""
    try:
        read_zip(path)
    except InputFormatError:
        return False
    return True


def group_exports(files: list[Path], dated: date | None = None) -> list[list[Path]]:
    """Epoch CSV files grouped into exports: one folder's files of one declared date (``--dated``, a
    datapackage's ``created`` or a date in the name) are one export; files of different dates are
    different exports (vintages), even in one folder. A zip is always one export of its own."""
    groups: dict[tuple[str, str], list[Path]] = {}
    for file in sorted(files):
        if file.suffix.lower() == ".zip":
            groups[(str(file), "")] = [file]
            continue
        declared = declared_date(file, dated)
        key = (str(file.parent), declared.value.isoformat() if declared and declared.value else "")
        groups.setdefault(key, []).append(file)
    return [paths for _, paths in sorted(groups.items())]


def read_files(paths: list[Path], dated: date | None = None) -> list[RawFile]:
    """The raw files of one export (a zip's Epoch members, or CSV files)."""
    fixed = DataDate(dated, DateMethod.OPTION, "given with --dated") if dated else None
    files: list[RawFile] = []
    for path in paths:
        if zipfile.is_zipfile(path):
            members = read_zip(path)
            files.extend(RawFile(f.name, f.location, f.data, f.retrieved_at, f.member, path, fixed) for f in members)
            continue
        data = path.read_bytes()
        header = _csv_header(data)
        if not looks_like_epoch(header):
            map_columns(header, str(path))  # raises naming the missing column
        files.append(RawFile(path.name, str(path), data, _file_time(path), path=path, fixed_date=fixed))
    return files


def discover(path: Path, dated: date | None = None) -> list[list[RawFile]]:
    """Epoch exports under ``path``: a zip, a CSV, or a folder searched recursively.

    Files are recognised by content (their header), not by name. Each zip is one export; CSV files of
    one folder and one declared date are one export (see :func:`group_exports`).
    """
    if not path.exists():
        raise InputFormatError("no such file or folder", file=str(path))
    if path.is_file():
        return [read_files([path], dated)]
    candidates = [
        c
        for c in sorted(path.rglob("*"))
        if c.is_file()
        and (
            (c.suffix.lower() == ".zip" and zipfile.is_zipfile(c) and is_epoch_zip(c))
            or (c.suffix.lower() in {".csv", ".txt"} and is_epoch_csv(c))
        )
    ]
    return [read_files(group, dated) for group in group_exports(candidates, dated)]


# ---------------------------------------------------------------------------------------------
# Parsing


def _rows(raw: RawFile, text: str) -> Iterator[tuple[int, list[str]]]:
    """CSV records with the physical line each starts on; a truncated file raises."""
    reader = csv.reader(io.StringIO(text), strict=True)
    start = 1
    try:
        for record in reader:
            yield start, record
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InputFormatError(f"malformed or truncated CSV ({exc})", file=raw.location, line=start) from exc


def parse_file(
    raw: RawFile, progress: ProgressFn | None = None
) -> tuple[SourceSnapshot, list[_Row], list[QuarantinedRow]]:
    text = _decode(raw)
    rows_iter = _rows(raw, text)
    try:
        _, header = next(rows_iter)
    except StopIteration:
        raise InputFormatError("empty file (no header)", file=raw.location, line=1) from None
    mapping = map_columns(header, raw.location)
    sha = sha256_bytes(raw.data)
    snapshot_id = f"{SOURCE}:{raw.role}:{sha[:16]}"
    width = len(header)
    rows: list[_Row] = []
    quarantined: list[QuarantinedRow] = []
    records = list(rows_iter)
    for index, (line, record) in enumerate(records):
        if progress and index % 500 == 0:
            progress(500 if index else 0)
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != width:
            if index == len(records) - 1 and len(record) < width:
                raise InputFormatError(
                    f"truncated file: last record has {len(record)} of {width} fields",
                    file=raw.location,
                    line=line,
                )
            quarantined.append(
                QuarantinedRow(
                    snapshot_id,
                    raw.location,
                    line,
                    "*",
                    ",".join(record)[:200],
                    f"record has {len(record)} fields, header has {width}",
                )
            )
            continue
        values = {f: clean_text(record[i]) for f, i in mapping.items()}
        if not values.get("name"):
            quarantined.append(
                QuarantinedRow(snapshot_id, raw.location, line, header[mapping["name"]], "", "empty model name")
            )
            continue
        row = _Row(raw.role, line, snapshot_id, values)
        problem = _parse_typed(row, header, mapping)
        if problem:
            column, reason = problem
            quarantined.append(
                QuarantinedRow(
                    snapshot_id,
                    raw.location,
                    line,
                    column,
                    values.get(_field_of(column, header, mapping)) or "",
                    reason,
                )
            )
            continue
        rows.append(row)
    snapshot = SourceSnapshot(
        source=SOURCE,
        role=raw.role,
        location=raw.location,
        retrieved_at=raw.retrieved_at,
        sha256=sha,
        bytes=len(raw.data),
        rows=len([r for _, r in records if any(c.strip() for c in r)]),
        license=LICENSE,
        credit=CREDIT,
        member=raw.member,
        data_date=_date_of(raw, rows, header, mapping),
    )
    return snapshot, rows, quarantined


def _date_of(raw: RawFile, rows: list[_Row], header: list[str], mapping: dict[str, int]) -> DataDate:
    """A file's data date: a fixed one, its datapackage resource, its newest ``Last modified`` (else its newest
    publication date, a lower bound), its name; unknown otherwise."""
    if raw.fixed_date is not None and raw.fixed_date.method is DateMethod.OPTION:
        return raw.fixed_date
    modified = [r.last_modified for r in rows if r.last_modified]
    published = [r.published_on for r in rows if r.published_on]
    data: DataDate | None = None
    if modified:
        data = DataDate(max(modified), DateMethod.DATA, f"newest {header[mapping['last_modified']]!r} of {raw.name}")
    elif published:
        column = header[mapping["published_on"]]
        data = DataDate(max(published), DateMethod.DATA, f"newest {column!r} of {raw.name} (the export is no older)")
    if raw.path is None:  # a live download: the data, else what the download says
        return data if data is not None else (raw.fixed_date or DataDate.unknown())
    return file_date(raw.path, None, data)


def _field_of(column: str, header: list[str], mapping: dict[str, int]) -> str:
    for field_name, position in mapping.items():
        if header[position] == column:
            return field_name
    return column


def _parse_typed(row: _Row, header: list[str], mapping: dict[str, int]) -> tuple[str, str] | None:
    """Parse the typed fields in place; return (column, reason) for the first bad value."""
    parsers: list[tuple[str, Callable[[str | None], object], str]] = [
        ("published_on", parse_date, "published_on"),
        ("parameters", parse_number, "parameters"),
        ("training_compute_flop", parse_number, "training_compute_flop"),
        ("frontier", parse_bool, "frontier"),
        ("last_modified", parse_date, "last_modified"),
    ]
    for field_name, parser, attribute in parsers:
        if field_name not in mapping:
            continue
        try:
            setattr(row, attribute, parser(row.values.get(field_name)))
        except ValueError as exc:
            return header[mapping[field_name]], str(exc)
    return None


def _countries(cell: str | None, unknown: dict[str, int], ignored: dict[str, int]) -> tuple[list[str], list[str]]:
    """ISO codes in the source's order, and the tokens that are not countries."""
    tokens = split_list(cell)
    codes: list[str] = []
    skipped: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        code = country_code(token)
        if code is CountryToken.UNKNOWN and i + 1 < len(tokens):
            joined = country_code(f"{token}, {tokens[i + 1]}")
            if isinstance(joined, str):
                code, i = joined, i + 1
        if isinstance(code, str):
            codes.append(code)
        else:
            skipped.append(token)
            bucket = unknown if code is CountryToken.UNKNOWN else ignored
            bucket[token] = bucket.get(token, 0) + 1
        i += 1
    return unique(codes), skipped


def _open_weights(values: dict[str, str | None]) -> OpenWeights:
    flag = (values.get("open_weights") or "").casefold()
    if flag in {"yes", "true"}:
        return OpenWeights.YES
    if flag in {"no", "false"}:
        return OpenWeights.NO
    access = (values.get("accessibility") or "").casefold()
    if access.startswith("open weights"):
        return OpenWeights.YES
    if access:
        return OpenWeights.NO
    return OpenWeights.UNKNOWN


def merge_rows(
    rows: list[_Row], has_notable_file: bool, unknown: dict[str, int], ignored: dict[str, int]
) -> list[ModelRecord]:
    """Merge the rows of the export's files into one record per model (see the module docstring)."""
    role_order = {role: i for i, role in enumerate(ROLES)}
    ordered = sorted(
        rows,
        key=lambda r: (
            role_order.get(r.role, len(ROLES)),
            -(r.last_modified.toordinal() if r.last_modified else 0),
            r.line,
        ),
    )
    groups: dict[str, list[_Row]] = {}
    for row in ordered:
        groups.setdefault(model_key(row.values["name"] or ""), []).append(row)
    records: list[ModelRecord] = []
    for key, group in groups.items():

        def first(field_name: str, group: list[_Row] = group) -> str | None:
            return next((r.values[field_name] for r in group if r.values.get(field_name)), None)

        org_row = next((r for r in group if r.values.get("organizations")), group[0])
        country_field = org_row.values.get("countries") or first("countries")
        countries, skipped = _countries(country_field, unknown, ignored)
        compute = next((r.training_compute_flop for r in group if r.training_compute_flop is not None), None)
        if has_notable_file:
            notable = any(r.role == "notable" for r in group)
        else:
            notable = any(r.values.get("notability") for r in group)
        ow_row = next((r for r in group if _open_weights(r.values) is not OpenWeights.UNKNOWN), group[0])
        records.append(
            ModelRecord(
                key=key,
                name=key,
                organizations=split_organizations(org_row.values.get("organizations")),
                published_on=next((r.published_on for r in group if r.published_on), None),
                domains=unique(split_list(first("domains"))),
                tasks=unique(split_list(first("tasks"))),
                parameters=next((r.parameters for r in group if r.parameters is not None), None),
                training_compute_flop=compute,
                open_weights=_open_weights(ow_row.values),
                accessibility=first("accessibility"),
                notable=notable,
                frontier=any(r.role == "frontier" or r.frontier for r in group),
                large_scale=any(r.role == "large_scale" for r in group)
                or (compute is not None and compute >= LARGE_SCALE_FLOP),
                base_model=first("base_model"),
                countries_published=countries,
                country_field=country_field,
                country_tokens_ignored=skipped,
                training_hardware=unique(split_list(first("training_hardware"))),
                hf_developer_id=first("hf_developer_id"),
                link=first("link"),
                origins=[f"{r.snapshot_id}:{r.line}" for r in group],
            )
        )
    return records


def parse_export(files: list[RawFile], progress: ProgressFn | None = None, *, tolerate: bool = False) -> ParsedExport:
    """Parse every file of one export and merge them.

    A file that cannot be read at all raises; with ``tolerate`` it is left out and listed in
    ``ParsedExport.failed`` instead, and the export is made of the files that could be read (a build goes
    on with the rest and says it was partial). With no readable file at all, it raises.
    """
    snapshots: list[SourceSnapshot] = []
    rows: list[_Row] = []
    quarantined: list[QuarantinedRow] = []
    failed: list[InputFormatError] = []
    for raw in files:
        try:
            snapshot, file_rows, file_quarantine = parse_file(raw, progress)
        except InputFormatError as exc:
            if not tolerate or len(failed) + 1 == len(files):
                raise
            failed.append(exc)
            continue
        snapshots.append(snapshot)
        rows.extend(file_rows)
        quarantined.extend(file_quarantine)
    unknown: dict[str, int] = {}
    ignored: dict[str, int] = {}
    records = merge_rows(rows, any(s.role == "notable" for s in snapshots), unknown, ignored)
    return ParsedExport(
        export=Export(SOURCE, export_date(snapshots), tuple(snapshots)),
        records=records,
        quarantined=quarantined,
        rows_read=sum(s.rows for s in snapshots),
        unknown_country_tokens=unknown,
        ignored_country_tokens=ignored,
        failed=failed,
    )


def fetch_live(
    url: str,
    cache_dir: Path,
    *,
    timeout_s: float,
    retries: int,
    backoff_s: float = 1.0,
    on_progress: Callable[[int, int | None], None] | None = None,
) -> list[RawFile]:
    """Download the live export (``ai_models.zip``) and read it."""
    when = datetime.now(tz=UTC)
    dest = cache_dir / "epoch" / f"ai_models_{when:%Y%m%dT%H%M%SZ}.zip"
    download(url, dest, timeout_s=timeout_s, retries=retries, backoff_s=backoff_s, on_progress=on_progress)
    fixed = live_date(dest, when)
    return [replace(f, fixed_date=fixed) for f in read_zip(dest, location=url, retrieved_at=when)]
