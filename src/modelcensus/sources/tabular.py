"""Source ``tabular``: any list of models (CSV, JSON or XLSX) read through a small YAML column mapping.

Registers and lists that nobody publishes as an API (a government register of approved generative-AI
services, a curated list of a country's LLMs, a company's own inventory) become catalogue records
without code: the user writes which column holds what, and the census treats the list as one more
source with its own name, licence and credit.

Mapping keys (YAML; unknown keys are an error, so a typo never silently drops a column):

``name`` (required)
    column of the model name.
``source``
    the list's source name (default ``tabular``; ``modelcensus ingest tabular --name`` overrides it): letters,
    digits, ``_``, ``.``, ``-`` and spaces, kept in lower case with ``-`` for spaces (``CAC Register`` is
    ``cac-register``), not the name of a built-in source. Each name is a source of its own,
    counted, linked and filtered like any other (``count --source NAME``); a file ingested again under the same
    name is a newer export of that list. ``tabular`` in a request or a definition means every stored list.
``id``
    column of the list's own id; default: the row's line number (rows of a CSV, items of a JSON
    list, rows of the sheet), which is stable only as long as the file is.
``organization``, ``published_on``, ``hf_id``, ``license``
    columns of the developer, the publication date (``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY`` or a date
    cell), the Hugging Face repo id and the model's licence.
``open_weights``
    column of yes/no (also true/false, 1/0; empty or ``unknown`` is unknown).
``country``
    column of the developer's country, as a name or an ISO code, mapped through the reviewed
    country table (:func:`modelcensus.records.country_code`).
``country_value``
    one country for every row instead of a column, for lists whose scope is a country (a national
    register, a list of Chinese LLMs: ``country_value: CN``). It states what the list asserts about
    its rows, so use it only when the list's inclusion rule is the developer's country. Cannot be
    combined with ``country``.
``sheet``
    the XLSX sheet (default: the active sheet); ignored for CSV and JSON.
``attributes``
    list of further columns kept as they are.
``license_of_data``, ``credit``
    provenance of the list itself (default ``"not stated"`` and the source name).
``world_sample``
    ``true`` when the list samples the models of every country, each dated, independently of the other
    sources: only then does the all-models estimate (``modelcensus estimate``) use it as one of its lists.
    A list of one country's models or of undated rows is no capture–recapture list for the world (its
    overlap with the others says nothing of the models of other countries or years); default ``false``.

A mapped column missing from the file stops the parse (naming the file and column); a row whose value
cannot be read (a date that is not a date, an unknown country, an empty name) is set aside as a
:class:`~modelcensus.records.QuarantinedRow` with its reason, so ``read = records + quarantined``.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

import yaml

from modelcensus.errors import InputFormatError, QueryError
from modelcensus.provenance import sha256_bytes
from modelcensus.records import (
    CatalogRecord,
    CountryToken,
    QuarantinedRow,
    clean_text,
    country_code,
    parse_bool,
    parse_date,
)
from modelcensus.vocabulary import (
    BUILT_IN_SOURCES,
    TABULAR_NAME,
    TABULAR_ROLE,
    WORLD_SAMPLE_SCOPE,
    OpenWeights,
    list_name,
)

DEFAULT_SOURCE = "tabular"
ROLE = TABULAR_ROLE
_COLUMN_KEYS = ("id", "name", "organization", "country", "published_on", "hf_id", "open_weights", "license")
_TEXT_KEYS = ("source", "sheet", "license_of_data", "credit", "country_value")
MAPPING_KEYS = frozenset((*_COLUMN_KEYS, *_TEXT_KEYS, "attributes", "world_sample"))

Cell = str | int | float | bool | date | datetime | None


@dataclass(frozen=True)
class Mapping:
    """Which column of a list holds which record field, and the list's own provenance."""

    name_column: str
    source: str = DEFAULT_SOURCE
    id_column: str | None = None
    organization_column: str | None = None
    country_column: str | None = None
    country_value: str | None = None
    """An ISO 3166-1 alpha-2 code given to every row (validated when the mapping is loaded)."""
    published_on_column: str | None = None
    hf_id_column: str | None = None
    open_weights_column: str | None = None
    license_column: str | None = None
    sheet: str | None = None
    attribute_columns: tuple[str, ...] = ()
    license_of_data: str = "not stated"
    credit: str = ""
    file: str | None = None
    world_sample: bool = False
    """The list declares itself a sample of the world's models (see ``world_sample`` in the module docstring)."""

    @property
    def scope(self) -> str:
        """The scope its snapshot records: :data:`WORLD_SAMPLE_SCOPE` when declared, else none."""
        return WORLD_SAMPLE_SCOPE if self.world_sample else ""

    def columns(self) -> dict[str, str]:
        """Mapping key → column, for every column the file must have."""
        named = {
            "id": self.id_column,
            "name": self.name_column,
            "organization": self.organization_column,
            "country": self.country_column,
            "published_on": self.published_on_column,
            "hf_id": self.hf_id_column,
            "open_weights": self.open_weights_column,
            "license": self.license_column,
        }
        columns = {key: column for key, column in named.items() if column}
        for column in self.attribute_columns:
            columns.setdefault(f"attributes: {column}", column)
        return columns

    @classmethod
    def from_dict(cls, raw: object, file: str, lines: dict[str, int] | None = None) -> Mapping:
        """Validate a parsed mapping; errors name ``file``, the key and (when known) its line."""
        lines = lines or {}

        def fail(message: str, key: str | None = None) -> InputFormatError:
            return InputFormatError(message, file=file, line=lines.get(key or ""), column=key)

        if not isinstance(raw, dict):
            raise fail(f"a column mapping must be a YAML mapping of keys, found {type(raw).__name__}")
        for key in raw:
            if key not in MAPPING_KEYS:
                raise fail(f"unknown mapping key {key!r}; known keys: {', '.join(sorted(MAPPING_KEYS))}", str(key))
        if raw.get("name") is None:
            raise fail("the required key 'name' (the column of the model name) is missing", "name")
        values: dict[str, str | None] = {}
        for key in (*_COLUMN_KEYS, *_TEXT_KEYS):
            value = raw.get(key)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise fail(f"{key!r} must be a non-empty text value", key)
            values[key] = value.strip() if isinstance(value, str) else None
        attributes = raw.get("attributes") or []
        if not isinstance(attributes, list) or not all(isinstance(a, str) and a.strip() for a in attributes):
            raise fail("'attributes' must be a list of column names", "attributes")
        world_sample = raw.get("world_sample", False)
        if not isinstance(world_sample, bool):
            raise fail("'world_sample' must be true or false", "world_sample")
        country_value = values["country_value"]
        if country_value is not None:
            if values["country"] is not None:
                raise fail("give either 'country' (a column) or 'country_value' (one country), not both", "country")
            code = country_code(country_value)
            if not isinstance(code, str):
                raise fail(f"{country_value!r} is not a country name or ISO code", "country_value")
            country_value = code
        source = list_name(values["source"] or DEFAULT_SOURCE)
        problem = source_name_problem(source)
        if problem:
            raise fail(problem, "source")
        return cls(
            name_column=values["name"] or "",
            source=source,
            id_column=values["id"],
            organization_column=values["organization"],
            country_column=values["country"],
            country_value=country_value,
            published_on_column=values["published_on"],
            hf_id_column=values["hf_id"],
            open_weights_column=values["open_weights"],
            license_column=values["license"],
            sheet=values["sheet"],
            attribute_columns=tuple(a.strip() for a in attributes),
            license_of_data=values["license_of_data"] or "not stated",
            credit=values["credit"] or source,
            file=file,
            world_sample=world_sample,
        )


def source_name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a tabular list (None: it can)."""
    if not TABULAR_NAME.fullmatch(name):
        return f"a tabular list's name is lower-case letters, digits, _, . and - (at most 64), not {name!r}"
    if name in BUILT_IN_SOURCES:
        return f"{name!r} is a built-in source; give the list a name of its own"
    return None


def named(mapping: Mapping, name: str | None) -> Mapping:
    """The mapping with its list named ``name`` (``ingest tabular --name``), when given; an unfit name is an error
    naming the option."""
    if name is None:
        return mapping
    name = list_name(name)
    problem = source_name_problem(name)
    if problem:
        raise QueryError(problem, parameter="name")
    credit = name if mapping.credit == mapping.source else mapping.credit
    return replace(mapping, source=name, credit=credit)


def load_mapping(path: Path) -> Mapping:
    """Read and validate a YAML column mapping (see the module docstring for the keys)."""
    where = str(path)
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFormatError(f"cannot read the mapping file ({exc})", file=where) from exc
    try:
        raw = yaml.safe_load(text)
        node = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise InputFormatError(f"not valid YAML ({exc})", file=where, line=line) from exc
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            lines[str(key_node.value)] = key_node.start_mark.line + 1
    return Mapping.from_dict(raw, where, lines)


# ---------------------------------------------------------------------------------------------
# Reading the list: header and (line, row) pairs, whatever the format


@dataclass
class _Table:
    header: list[str]
    rows: list[tuple[int, dict[str, Cell]]]
    header_line: int | None
    quarantined: list[tuple[int, str, str]]  # (line, value, reason) of rows unreadable as a whole


def _decode(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputFormatError(f"not UTF-8 text ({exc.reason})", file=where, line=line) from exc


def _read_csv(data: bytes, where: str, delimiter: str) -> _Table:
    reader = csv.reader(io.StringIO(_decode(data, where), newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for record in reader:
            records.append((start, record))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InputFormatError(f"malformed CSV ({exc})", file=where, line=start) from exc
    if not records:
        raise InputFormatError("empty file (no header)", file=where, line=1)
    header = [h.strip() for h in records[0][1]]
    table = _Table(header, [], 1, [])
    for line, record in records[1:]:
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            table.quarantined.append(
                (line, delimiter.join(record)[:200], f"row has {len(record)} fields, header has {len(header)}")
            )
            continue
        row: dict[str, Cell] = {}
        for column, cell in zip(header, record, strict=True):
            row.setdefault(column, cell)
        table.rows.append((line, row))
    return table


def _read_json(data: bytes, where: str) -> _Table:
    try:
        payload = json.loads(_decode(data, where))
    except json.JSONDecodeError as exc:
        raise InputFormatError(f"not JSON ({exc.msg})", file=where, line=exc.lineno) from exc
    except (ValueError, RecursionError) as exc:
        raise InputFormatError(f"not readable JSON ({exc})", file=where) from exc
    if isinstance(payload, dict) and isinstance(payload.get("data"), list):
        payload = payload["data"]
    if not isinstance(payload, list):
        raise InputFormatError(
            f"expected a JSON list of objects (or {{'data': [...]}}), found {type(payload).__name__}", file=where
        )
    header: dict[str, None] = {}
    rows: list[tuple[int, dict[str, Cell]]] = []
    for line, item in enumerate(payload, start=1):
        if not isinstance(item, dict):
            raise InputFormatError(f"item is {type(item).__name__}, not an object", file=where, line=line)
        row: dict[str, Cell] = {}
        for key, value in item.items():
            header.setdefault(key, None)
            row[key] = value if isinstance(value, str | int | float | bool) or value is None else json.dumps(value)
        rows.append((line, row))
    return _Table(list(header), rows, None, [])


def _read_xlsx(data: bytes, where: str, sheet: str | None) -> _Table:
    import openpyxl  # type: ignore[import-untyped]

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise InputFormatError(f"not a readable XLSX workbook ({exc})", file=where) from exc
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise InputFormatError(
                f"no sheet {sheet!r} (sheets: {', '.join(workbook.sheetnames)})", file=where, column="sheet"
            )
        worksheet = workbook[sheet] if sheet is not None else workbook.active
        try:
            values = [list(row) for row in worksheet.iter_rows(values_only=True)]
        except Exception as exc:
            raise InputFormatError(f"cannot read the sheet ({exc})", file=where) from exc
    finally:
        workbook.close()
    if not values:
        raise InputFormatError("empty sheet (no header)", file=where, line=1)
    header = ["" if h is None else str(h).strip() for h in values[0]]
    rows: list[tuple[int, dict[str, Cell]]] = []
    for line, cells in enumerate(values[1:], start=2):
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        row: dict[str, Cell] = {}
        for column, cell in zip(header, cells, strict=False):
            row.setdefault(column, cell if isinstance(cell, str | int | float | bool | date) else _as_text(cell))
        rows.append((line, row))
    return _Table(header, rows, 1, [])


def _as_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return clean_text(str(value))


def _read(path: Path, data: bytes, sheet: str | None) -> _Table:
    where = str(path)
    suffix = path.suffix.lower()
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data, where, sheet)
    if suffix in {".xlsx", ".xlsm"}:
        raise InputFormatError("not an XLSX workbook (no zip signature)", file=where)
    if suffix == ".json" or data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"[", b"{"):
        return _read_json(data, where)
    return _read_csv(data, where, "\t" if suffix == ".tsv" else ",")


# ---------------------------------------------------------------------------------------------
# Rows to records


class _RowProblem(Exception):
    def __init__(self, column: str, value: str, reason: str) -> None:
        super().__init__(reason)
        self.column, self.value, self.reason = column, value, reason


def _open_weights(text: str | None, column: str) -> OpenWeights:
    if text is None or text.casefold() in {"unknown", "?", "n/a"}:
        return OpenWeights.UNKNOWN
    try:
        flag = parse_bool(text)
    except ValueError as exc:
        raise _RowProblem(column, text, f"{exc} (expected yes/no)") from exc
    return OpenWeights.UNKNOWN if flag is None else OpenWeights.YES if flag else OpenWeights.NO


def _published_on(cell: Cell, column: str) -> date | None:
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    text = _as_text(cell)
    try:
        return parse_date(text)
    except ValueError as exc:
        raise _RowProblem(column, text or "", str(exc)) from exc


def _countries(mapping: Mapping, text: str | None) -> list[str]:
    if mapping.country_value:
        return [mapping.country_value]
    if text is None or mapping.country_column is None:
        return []
    code = country_code(text)
    if isinstance(code, str):
        return [code]
    if code is CountryToken.NOT_A_COUNTRY:
        return []
    raise _RowProblem(mapping.country_column, text, "not a country name or ISO code known to the country table")


def _record(mapping: Mapping, line: int, row: dict[str, Cell]) -> CatalogRecord:
    def text(column: str | None) -> str | None:
        return _as_text(row.get(column)) if column else None

    name = text(mapping.name_column)
    if name is None:
        raise _RowProblem(mapping.name_column, "", "empty model name")
    source_id = text(mapping.id_column) if mapping.id_column else str(line)
    if source_id is None:
        assert mapping.id_column is not None
        raise _RowProblem(mapping.id_column, "", "empty id")
    published_on = None
    if mapping.published_on_column:
        published_on = _published_on(row.get(mapping.published_on_column), mapping.published_on_column)
    return CatalogRecord(
        source=mapping.source,
        source_id=source_id,
        name=name,
        organization=text(mapping.organization_column),
        published_on=published_on,
        hf_id=text(mapping.hf_id_column),
        open_weights=_open_weights(text(mapping.open_weights_column), mapping.open_weights_column or ""),
        license=text(mapping.license_column),
        countries_published=_countries(mapping, text(mapping.country_column)),
        attributes={column: text(column) for column in mapping.attribute_columns},
        line=line,
    )


def snapshot_id(mapping: Mapping, data: bytes) -> str:
    """The id the file's snapshot gets (as :class:`~modelcensus.provenance.SourceSnapshot` derives it)."""
    return f"{mapping.source}:{ROLE}:{sha256_bytes(data)[:16]}"


def parse(path: Path, mapping: Mapping) -> tuple[list[CatalogRecord], list[QuarantinedRow]]:
    """The list's rows as records, and the rows set aside with their reasons.

    ``line`` is the CSV line, the 1-based JSON item or the sheet row. Blank rows are not rows.
    """
    where = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputFormatError(f"cannot read the file ({exc})", file=where) from exc
    table = _read(path, data, mapping.sheet)
    present = set(table.header)
    for key, column in mapping.columns().items():
        if column not in present:
            shown = ", ".join(repr(h) for h in table.header[:20]) or "none"
            mapping_file = f" of {mapping.file}" if mapping.file else ""
            raise InputFormatError(
                f"column {column!r} (mapping key {key!r}{mapping_file}) is not in the file; its columns: {shown}",
                file=where,
                line=table.header_line,
                column=column,
            )
    snapshot = snapshot_id(mapping, data)
    quarantined = [
        QuarantinedRow(snapshot, where, line, "*", value, reason) for line, value, reason in table.quarantined
    ]
    records: list[CatalogRecord] = []
    for line, row in table.rows:
        try:
            records.append(_record(mapping, line, row))
        except _RowProblem as problem:
            quarantined.append(QuarantinedRow(snapshot, where, line, problem.column, problem.value, problem.reason))
    quarantined.sort(key=lambda q: q.line)
    return records, quarantined
