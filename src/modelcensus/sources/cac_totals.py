"""Source ``cac-totals``: the CAC register's published totals over time, as a table of dated statements.

How many services were filed (and registered) by a date is published in CAC notices, in speeches, in reports
that quote them and in third-party tabulations, each with its own precision. A table of them (the shared
``reference/cac_genai_filing_totals.csv``: ``as_of_date, cumulative_filed_services_central,
cumulative_registered_apps_local, …, statement_type, source_publisher, source_url, found_via, notes``) is read
with its messy cells kept and understood, never guessed:

- dates: ``2025-03-31``; a month alone (``2025-03 (approx)``, ``2026-07 (notice)``: its last day, precision
  ``month``); ``2025年3月31日``;
- counts: a cumulative count (``346 (of which by province: …)``: 346, the rest kept as detail); a bound
  (``490+``, ``490余``: at least 490); filings and registrations together (``554 filed+registered combined``);
  an increment (``+7 on-device services``: new in the period, not a total);
- reliability, from the statement and its publisher (:func:`reliability`): ``official`` (a CAC notice or an
  official's statement), ``register`` (counted from the CAC's own attachments), ``reported`` (an official figure as
  others report it), ``third-party`` (an unofficial tabulation); ``approximate`` marks rounded or month-only rows.

Columns are recognised by meaning (:data:`COLUMNS`). A row whose date cannot be read is set aside with its
reason, so ``read = stored + quarantined``.
"""

from __future__ import annotations

import calendar
import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from modelcensus.errors import InputFormatError
from modelcensus.provenance import sha256_bytes
from modelcensus.records import QuarantinedRow
from modelcensus.sources.cac_layout import decode_text

SOURCE = "cac-totals"
ROLE = "totals"
LICENSE = "facts (each row cites its source)"
CREDIT = "CAC register totals as published (each row's source)"

COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # (field, words a header contains), checked in this order: the first field a header names is its field
    ("new_filed", ("newfiled", "新增备案")),
    ("new_registered", ("newregistered", "新增登记")),
    ("as_of", ("asof", "截至", "date", "日期")),
    ("filed", ("filed", "备案")),
    ("registered", ("registered", "登记")),
    ("statement", ("statement", "类型", "kind")),
    ("publisher", ("publisher", "发布")),
    ("url", ("url", "link", "链接")),
    ("found_via", ("foundvia",)),
    ("notes", ("note", "备注")),
)
RELIABILITY = ("official", "register", "reported", "third-party")
"""From most to least reliable (see :func:`reliability`)."""


def _key(text: str) -> str:
    return re.sub(r"[\s_\-()（）]+", "", unicodedata.normalize("NFKC", text)).casefold()


def columns_of(header: list[str]) -> dict[str, int]:
    """Field → column index, by meaning; a field is taken by the first column that names it."""
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = _key(cell)
        for name, words in COLUMNS:
            if any(w in key for w in words):
                found.setdefault(name, index)
                break
    return found


def looks_like(header: list[str]) -> bool:
    """A totals table: a date column and a count of filings, and none of a register's filing entities."""
    found = columns_of(header)
    entity = any(w in _key(h) for h in header for w in ("entity", "备案单位", "企业名称"))
    return "as_of" in found and "filed" in found and not entity


@dataclass(frozen=True)
class Count:
    """A count cell understood: its number, what kind of number it is, and the words around it."""

    value: int | None
    kind: str | None
    """``cumulative``, ``at least``, ``combined`` (filings and registrations together), ``increment`` (new in the
    period) or None (no number)."""
    approximate: bool
    text: str | None


_NUMBER = re.compile(r"\d[\d,]*")


def parse_count(cell: str | None) -> Count:
    """``346 (of which …)`` → 346 cumulative; ``490+``/``490余`` → at least 490; ``554 filed+registered combined``
    → combined; ``+7 on-device services`` → an increment of 7; no digits → no number."""
    text = (cell or "").strip() or None
    if text is None:
        return Count(None, None, False, None)
    folded = unicodedata.normalize("NFKC", text).casefold()
    match = _NUMBER.search(folded)
    if match is None:
        return Count(None, None, False, text)
    value = int(match.group(0).replace(",", ""))
    after = folded[match.end() :].lstrip()
    approximate = bool(re.search(r"approx|约|about|~|rounded", folded))
    if folded[: match.start()].strip().startswith("+"):
        return Count(value, "increment", approximate, text)
    if "combined" in folded or "filed+registered" in folded.replace(" ", "") or "合计" in folded:
        return Count(value, "combined", approximate, text)
    if after.startswith(("+", "余", "多", "以上")) or re.search(r"at least|more than|over |超过", folded):
        return Count(value, "at least", True, text)
    return Count(value, "cumulative", approximate, text)


_DAY = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_MONTH = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})(?!\d)")


def parse_as_of(cell: str | None) -> tuple[date, str, bool]:
    """A date cell → (the day, its precision ``day`` or ``month``, approximate); a month alone is its last day.
    ValueError when there is no date in it."""
    text = unicodedata.normalize("NFKC", (cell or "").strip())
    approximate = bool(re.search(r"approx|约|about|~|\?", text.casefold()))
    match = _DAY.search(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return date(year, month, day), "day", approximate
    match = _MONTH.search(text)
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise ValueError(f"not a date: {cell!r}")
        return date(year, month, calendar.monthrange(year, month)[1]), "month", approximate
    raise ValueError(f"not a date: {cell!r}")


def reliability(statement: str | None, publisher: str | None, notes: str | None) -> str:
    """How far a published total can be trusted, from its statement and publisher: ``third-party`` (said so, or
    noted unofficial), ``official`` (an official notice or statement, by the CAC), ``register`` (counted from the
    CAC's own attachments: a list, an attachment's numbers), else ``reported`` (an official figure as others
    report it)."""
    said = (statement or "").casefold()
    by = (publisher or "").casefold()
    noted = (notes or "").casefold()
    if "third-party" in said or "third party" in said or "unofficial" in noted or "unofficial" in said:
        return "third-party"
    by_cac = "cac" in by or "网信" in by
    if by_cac and said.startswith("official"):
        return "official"
    if by_cac and re.search(r"\batt\s*\d|attachment|\blist\b|first-day|附件", said):
        return "register"
    return "reported"


@dataclass(frozen=True)
class PublishedTotal:
    """One published statement of the register's size."""

    line: int
    as_of: date
    as_of_text: str
    precision: str
    filed: Count
    registered: Count
    new_filed: int | None
    new_registered: int | None
    statement: str | None
    publisher: str | None
    url: str | None
    found_via: str | None
    notes: str | None
    reliability: str
    approximate: bool


@dataclass
class TotalsRead:
    totals: list[PublishedTotal]
    quarantined: list[QuarantinedRow]
    rows_read: int


def _cell(row: list[str], found: dict[str, int], name: str) -> str | None:
    index = found.get(name)
    if index is None or index >= len(row):
        return None
    return row[index].strip() or None


def read(path: Path, data: bytes | None = None) -> TotalsRead:
    """Every row of a totals table, understood (see the module docstring); InputFormatError when it is not one."""
    where = str(path)
    try:
        data = path.read_bytes() if data is None else data
    except OSError as exc:
        raise InputFormatError(f"cannot read the file ({exc.strerror or exc})", file=where) from exc
    reader = csv.reader(io.StringIO(decode_text(data, where), newline=""))
    try:
        records = list(reader)
    except csv.Error as exc:
        raise InputFormatError(f"malformed CSV ({exc})", file=where, line=reader.line_num) from exc
    if not records or not looks_like(records[0]):
        raise InputFormatError(
            "not a table of published CAC totals (no date column and cumulative filed column)", file=where, line=1
        )
    found = columns_of(records[0])
    snapshot = f"{SOURCE}:{ROLE}:{sha256_bytes(data)[:16]}"
    totals: list[PublishedTotal] = []
    quarantined: list[QuarantinedRow] = []
    rows = 0
    for line, row in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        rows += 1
        text = _cell(row, found, "as_of")
        try:
            as_of, precision, approximate_date = parse_as_of(text)
        except ValueError as exc:
            quarantined.append(QuarantinedRow(snapshot, where, line, records[0][found["as_of"]], text or "", str(exc)))
            continue
        filed = parse_count(_cell(row, found, "filed"))
        registered = parse_count(_cell(row, found, "registered"))
        statement, publisher, notes = (_cell(row, found, n) for n in ("statement", "publisher", "notes"))
        totals.append(
            PublishedTotal(
                line=line,
                as_of=as_of,
                as_of_text=text or "",
                precision=precision,
                filed=filed,
                registered=registered,
                new_filed=parse_count(_cell(row, found, "new_filed")).value,
                new_registered=parse_count(_cell(row, found, "new_registered")).value,
                statement=statement,
                publisher=publisher,
                url=_cell(row, found, "url"),
                found_via=_cell(row, found, "found_via"),
                notes=notes,
                reliability=reliability(statement, publisher, notes),
                approximate=approximate_date or precision == "month" or filed.approximate,
            )
        )
    return TotalsRead(totals, quarantined, rows)


def is_totals(path: Path) -> bool:
    """True for a CSV whose header is a totals table's (recognised by meaning)."""
    if path.suffix.lower() not in {".csv", ".txt"}:
        return False
    try:
        head = path.open("rb").read(8192)
        text = decode_text(head, str(path))
        header = next(csv.reader(io.StringIO(text)), [])
    except (OSError, InputFormatError, csv.Error):
        return False
    return looks_like(header)
