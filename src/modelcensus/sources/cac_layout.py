"""The layout of the CAC's attachments: headers recognised by meaning, which list a title names, the
jurisdictions (属地) and their ISO 3166-2:CN codes, and cells read as text, dates and sequence numbers.

:mod:`modelcensus.sources.cac` reads the register with these; they are apart so that each module stays one
thing: this one knows what the CAC's tables look like, that one what a filing is.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path

from modelcensus.errors import InputFormatError
from modelcensus.vocabulary import CacRecordType

HEADER_SCAN_ROWS = 12
"""How many rows of a sheet may come before its header (titles, notes)."""
MAX_RANGE = 200
"""The most filings one row may stand for (``619-622``); a wider range is a typo, not a row."""

Cell = str | int | float | bool | date | datetime | None

# -- header recognition by meaning ----------------------------------------------------------------------------

FIELDS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    # (field, header names matched whole, words a header contains), checked in this order, first match wins
    ("sequence", ("序号", "no", "no.", "#", "seq", "sequence", "顺序号"), ("序号", "seq")),
    ("record_type", ("recordtype", "类型", "类别", "备案类型", "list"), ("recordtype",)),
    ("province_en", ("jurisdictionen", "provinceen", "provinceenglish"), ("jurisdictionen", "provinceen")),
    (
        "province",
        ("属地", "省份", "地区", "所在地", "province", "jurisdiction"),
        ("属地", "省份", "所在地", "jurisdiction"),
    ),
    ("entity_label", ("entityen", "entityenglish", "providerenglish"), ("enlabel", "entityen")),
    (
        "entity",
        ("单位", "企业", "主体", "entity", "provider", "company"),
        (
            "备案单位",
            "企业名称",
            "主体名称",
            "单位名称",
            "备案主体",
            "登记主体",
            "公司名称",
            "登记单位",
            "提供者",
            "filingentity",
            "providername",
        ),
    ),
    (
        "number",
        ("编号", "number"),
        ("备案号", "备案编号", "登记编号", "登记号", "上线编号", "filingnumber", "registrationnumber"),
    ),
    (
        "date",
        ("时间", "日期", "date"),
        ("备案时间", "备案日期", "上线时间", "上线日期", "登记时间", "登记日期", "filingdate"),
    ),
    (
        "model",
        ("模型", "model", "service", "服务"),
        ("模型名称", "服务名称", "产品名称", "应用名称", "算法名称", "modelname"),
    ),
    ("note", ("备注", "note", "notes", "remark"), ("备注", "remark")),
)
_IDENTIFYING = ("sequence", "number", "province")
_DESCRIBING = ("sequence", "number", "province", "model", "date")
_REGISTRATION_WORDS = ("登记", "上线", "registration", "registered")
_FILING_WORDS = ("备案", "filing", "filed")


def header_key(text: str) -> str:
    """A header cell as compared: NFKC, case folded, without spaces, underscores and brackets' content markers."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\s_\-:：*()（）\[\]【】]+", "", folded)


def header_field(cell: str) -> str | None:
    """The field a header cell names (``备案单位`` → ``entity``), or None."""
    key = header_key(cell)
    if not key:
        return None
    for name, whole, words in FIELDS:
        if key in whole or any(word in key for word in words):
            return name
    return None


@dataclass(frozen=True)
class Header:
    """A recognised header row: field → column index, and the header's own words for each field."""

    columns: dict[str, int]
    names: dict[str, str]
    kind: CacRecordType | None
    """What the CAC's column names say of the list: 上线编号, 登记编号, 上线时间 belong to registrations, 备案号 and
    备案时间 to filings (English headers say nothing: the book layout names every column ``filing_*``)."""


def recognise_header(cells: Sequence[Cell]) -> Header | None:
    """The header of a CAC table, or None: it names the filing entity and at least two of sequence number,
    filing number, province, model and date, one of them identifying (sequence, number or province)."""
    columns: dict[str, int] = {}
    names: dict[str, str] = {}
    for index, cell in enumerate(cells):
        if not isinstance(cell, str):
            continue
        name = header_field(cell)
        if name is not None and name not in columns:
            columns[name] = index
            names[name] = cell.strip()
    if "entity" not in columns:
        return None
    if sum(f in columns for f in _DESCRIBING) < 2 or not any(f in columns for f in _IDENTIFYING):
        return None
    said = " ".join(names.get(f, "") for f in ("number", "date"))
    registration, filing = any(w in said for w in ("登记", "上线")), "备案" in said
    kind = CacRecordType.REGISTRATION if registration and not filing else CacRecordType.FILING if filing else None
    return Header(columns, names, None if registration and filing else kind)


def kind_of_text(text: str | None) -> CacRecordType | None:
    """Filings or registrations, from a title, sub-title, sheet name or header; None when it says both or
    neither (``已备案及已登记信息``)."""
    if not text:
        return None
    folded = unicodedata.normalize("NFKC", text).casefold()
    registration = any(w in folded for w in _REGISTRATION_WORDS)
    filing = any(w in folded for w in _FILING_WORDS)
    if registration and not filing:
        return CacRecordType.REGISTRATION
    if filing and not registration:
        return CacRecordType.FILING
    return None


# -- jurisdictions (属地) --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Province:
    """A 属地 as the register names it, with its ISO 3166-2:CN code and English name where it has them."""

    name_zh: str | None
    code: str | None
    name_en: str | None


_ZH_SUFFIXES = ("壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区", "自治区", "省", "市")


@lru_cache(maxsize=1)
def jurisdictions() -> dict[str, Province]:
    """Every spelling of a jurisdiction (Chinese, its aliases, English, code, case-folded) → the jurisdiction, from
    the reviewed ``data/cac_jurisdictions.csv``."""
    text = resources.files("modelcensus.data").joinpath("cac_jurisdictions.csv").read_text(encoding="utf-8")
    found: dict[str, Province] = {}
    for row in csv.DictReader(io.StringIO(text)):
        province = Province(row["name_zh"], row["code"] or None, row["name_en"])
        spellings = [row["name_zh"], row["name_en"], row["code"], *row["aliases"].split("|")]
        for spelling in spellings:
            if spelling.strip():
                found.setdefault(unicodedata.normalize("NFKC", spelling).strip().casefold(), province)
    return found


def province_of(text: str | None, english: str | None = None) -> Province | None:
    """A 属地 cell → its jurisdiction: the name as written, without 省/市/自治区, a known name it starts with
    (``北京市海淀区``), or the English name a second column gives; unknown text is kept as written (no code)."""
    known = jurisdictions()
    for candidate in (text, english):
        if not candidate:
            continue
        key = unicodedata.normalize("NFKC", candidate).strip().casefold()
        if key in known:
            return known[key]
        for suffix in _ZH_SUFFIXES:
            if key.endswith(suffix) and key[: -len(suffix)] in known:
                return known[key[: -len(suffix)]]
        prefixes = [k for k in known if len(k) >= 2 and key.startswith(k) and not k.isascii()]
        if prefixes:
            return known[max(prefixes, key=len)]
    if text or english:
        return Province(text, None, english)
    return None


# -- reading files into sheets of rows --------------------------------------------------------------------------


@dataclass(frozen=True)
class Sheet:
    name: str | None
    rows: list[tuple[int, list[Cell]]]


def decode_text(data: bytes, where: str) -> str:
    """CSV text as the CAC's exports come: UTF-8 (with or without a BOM), UTF-16 with a BOM (Excel's "Unicode
    text"), else GB18030 (Excel on a Chinese Windows)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputFormatError(f"not UTF-16 text ({exc.reason})", file=where) from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputFormatError(f"neither UTF-8 nor GB18030 text ({exc.reason})", file=where, line=line) from exc


def _csv_sheet(data: bytes, path: Path) -> Sheet:
    where = str(path)
    text = decode_text(data, where)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = "\t" if path.suffix.lower() == ".tsv" or first.count("\t") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[Cell]]] = []
    start = 1
    try:
        for record in reader:
            rows.append((start, list(record)))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InputFormatError(f"malformed CSV ({exc})", file=where, line=start) from exc
    return Sheet(None, rows)


def _xlsx_sheets(data: bytes, where: str) -> list[Sheet]:
    import openpyxl  # type: ignore[import-untyped]  # only for a workbook

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise InputFormatError(f"not a readable XLSX workbook ({exc})", file=where) from exc
    sheets: list[Sheet] = []
    try:
        for worksheet in workbook.worksheets:
            try:
                rows = [(n, list(r)) for n, r in enumerate(worksheet.iter_rows(values_only=True), start=1)]
            except Exception as exc:
                raise InputFormatError(f"cannot read sheet {worksheet.title!r} ({exc})", file=where) from exc
            sheets.append(Sheet(str(worksheet.title), rows))
    finally:
        workbook.close()
    return sheets


def sheets_of(path: Path, data: bytes) -> list[Sheet]:
    """A file's tables as rows of cells: every sheet of a workbook, or the one table of a CSV."""
    where = str(path)
    if data[:4] == b"PK\x03\x04":
        return _xlsx_sheets(data, where)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise InputFormatError("an Excel 97-2003 (.xls) workbook: open it and save it as .xlsx or CSV", file=where)
    if data.lstrip()[:5].lower() in (b"<html", b"<!doc", b"<tabl"):
        raise InputFormatError("an HTML page, not an attachment: save the table as .xlsx or CSV", file=where)
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        raise InputFormatError("not an XLSX workbook (no zip signature)", file=where)
    return [_csv_sheet(data, path)]


def text_of(cell: Cell) -> str | None:
    """A cell as text, its spaces collapsed and otherwise as written (a provider's name keeps its full-width
    brackets: 阿里巴巴（中国）有限公司); numbers as written (12.0 → ``12``), dates as ISO."""
    if cell is None:
        return None
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else repr(cell)
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == datetime.min.time() else cell.isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    text = re.sub(r"\s+", " ", str(cell)).strip()
    return text or None


_EMPTY = {"-", "—", "–", "/", "无", "暂无", "n/a", "na", "none", "null", "－", "／"}


def value_of(cell: Cell) -> str | None:
    text = text_of(cell)
    return None if text is None or text.casefold() in _EMPTY else text


# -- cells into values ------------------------------------------------------------------------------------------

_EXCEL_EPOCH = date(1899, 12, 30)
_DAY = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
_COMPACT_DAY = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")


def parse_day(cell: Cell) -> tuple[date | None, bool]:
    """A date cell → (the day, whether only its month was given); ValueError when it is not a date.

    Takes date cells, Excel serial numbers, ``2023-08-31``, ``2023/8/31``, ``2023.08.31``, ``2023年8月31日``,
    ``20230831`` and a month alone (``2024-03``, ``2024年3月``: its first day)."""
    if isinstance(cell, datetime):
        return cell.date(), False
    if isinstance(cell, date):
        return cell, False
    if isinstance(cell, int | float) and not isinstance(cell, bool) and 20000 <= cell <= 80000:
        return _EXCEL_EPOCH + timedelta(days=int(cell)), False
    text = value_of(cell)
    if text is None:
        return None, False
    text = unicodedata.normalize("NFKC", text)
    for pattern, month_only in ((_DAY, False), (_COMPACT_DAY, False), (_MONTH, True)):
        match = pattern.match(text)
        if match:
            parts = [int(p) for p in match.groups()]
            try:
                return date(parts[0], parts[1], parts[2] if len(parts) > 2 else 1), month_only
            except ValueError as exc:
                raise ValueError(f"not a date: {text!r} ({exc})") from exc
    raise ValueError(f"not a date: {text!r}")


_SEQUENCE = re.compile(r"^([a-z]{0,3})\s*(\d+)(?:\s*[-–—~至]\s*[a-z]{0,3}\s*(\d+))?$", re.IGNORECASE)


def parse_sequence(cell: Cell) -> tuple[int, int, str] | None:
    """A sequence cell → (first, last, letters before it): ``12`` → (12, 12, ""), ``R310`` → (310, 310, "R"),
    ``619-622`` → (619, 622, ""); None when empty; ValueError when it is no number."""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    text = value_of(cell)
    if text is None:
        return None
    match = _SEQUENCE.match(unicodedata.normalize("NFKC", text))
    if not match:
        raise ValueError(f"not a sequence number: {text!r}")
    first = int(match.group(2))
    last = int(match.group(3)) if match.group(3) else first
    if last < first or last - first >= MAX_RANGE:
        raise ValueError(f"not a range of sequence numbers: {text!r}")
    return first, last, match.group(1).upper()
