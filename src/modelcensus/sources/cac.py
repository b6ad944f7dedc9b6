"""Source ``cac``: China's register of generative-AI services, as the Cyberspace Administration of China (CAC)
publishes it: xlsx attachments to its notices on www.cac.gov.cn (or CSV exported from them).

What the register counts: a **filing** (备案) is a provider's generative-AI service, filed nationally with the
model it runs; a **registration** (登记) is an app or feature that calls a filed model through its API,
registered locally. Either is a service (a provider and a model), not a model: one model is filed many times by
the companies that serve it, and one company files many services. The two lists are kept apart
(``record_type``) and never added together.

The layout, as the CAC publishes it: a title row ("生成式人工智能服务已备案信息", "…已备案及已登记信息",
"境内深度合成服务算法备案清单"), then a header row (序号 | 属地 | 模型名称 | 备案单位 | 备案号 | 备案时间, the
names varying between attachments; a registration list says 企业名称, 上线编号/登记编号, 上线时间), sometimes two
sheets (备案 and 登记) or two tables in one sheet under sub-title rows. Headers are recognised by meaning, not
position (:data:`FIELDS`); the header row is found after any title rows; whether a table lists filings or
registrations is read from, in order: a row's own record-type cell, the nearest title or sub-title, the
header (上线编号 and 上线时间 belong to registrations), the sheet's name. The book layout of the shared data
(``filing_seq_no, record_type, jurisdiction_cn, …``) maps by meaning too.

Attachments are deltas (each lists the filings since the last), so several are read as one register
(:func:`read`): a filing is identified by its filing number (备案号), else by its list and sequence number (序号);
a row listed again (in the same or another attachment) is a duplicate, kept once (the first listing) and
reported. A row that cannot be read is set aside with its file, row, field and reason (no filing entity, a
date that is not a date, no number of either kind, a sequence number another filing holds), so every read
reports ``rows read = rows stored + quarantined``.

The live path (:func:`fetch`) downloads the attachments linked from the CAC's notice pages (or given attachment
URLs) into the cache; the CAC publishes each list at a new address, so the pages are configuration
(:attr:`modelcensus.config.Config.cac_urls`) and ``--url``.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

from modelcensus.config import Config
from modelcensus.errors import InputFormatError, SourceUnavailableError
from modelcensus.provenance import sha256_bytes
from modelcensus.records import QuarantinedRow
from modelcensus.sources.cac_layout import (
    HEADER_SCAN_ROWS,
    Cell,
    Header,
    Province,
    Sheet,
    decode_text,
    header_key,
    kind_of_text,
    parse_day,
    parse_sequence,
    province_of,
    recognise_header,
    sheets_of,
    text_of,
    value_of,
)
from modelcensus.sources.http import download
from modelcensus.vocabulary import CacRecordType

SOURCE = "cac"
ROLE = "attachment"
COUNTRY = "CN"
"""The register's jurisdiction: every service it lists is filed in China, whoever owns the provider."""
LICENSE = "public government information (CAC notice)"
CREDIT = "Cyberspace Administration of China (国家互联网信息办公室)"
ATTACHMENT_SUFFIXES = (".xlsx", ".xlsm", ".csv", ".tsv", ".txt")

# -- records -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CacFiling:
    """One row of the register: a filed (or registered) service, its provider and where the row was read."""

    record_type: CacRecordType
    entity: str
    """The provider as filed: a legal entity's name (北京百度网讯科技有限公司), not a brand."""
    sequence: int | None
    sequence_label: str | None
    """The sequence cell as written (``12``, ``R310``, ``619-622``)."""
    filing_number: str | None
    province: Province | None
    model_name: str | None
    """The service's or model's name as filed (文心一言); None where the row gives none."""
    filed_on: date | None
    entity_label: str | None
    """An English name of the provider that the file itself gives (the book layout); never invented."""
    file: str
    sheet: str | None
    line: int
    title: str | None
    """The title (or sub-title) of the list the row is in."""
    note: str | None = None
    country: str = COUNTRY
    snapshot_id: str = ""
    """The attachment's snapshot (where the row was read)."""

    @property
    def key(self) -> str:
        """What identifies the filing across attachments: its filing number, else its list and sequence number."""
        if self.filing_number:
            return "number:" + _number_key(self.filing_number)
        return f"{self.record_type.value}:{self.sequence}"


def _number_key(number: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", number)).casefold()


@dataclass(frozen=True)
class Duplicate:
    """A row listing a filing already read: the filing kept, and where the repeat was."""

    kept: CacFiling
    file: str
    line: int


@dataclass(frozen=True)
class TableRead:
    """One table found in a file: where, its title, its list and its header."""

    file: str
    sheet: str | None
    title: str | None
    record_type: CacRecordType
    header_line: int
    header: dict[str, str]
    rows: int


@dataclass
class CacRead:
    """The register as read from one or several attachments."""

    filings: list[CacFiling] = field(default_factory=list)
    quarantined: list[QuarantinedRow] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    tables: list[TableRead] = field(default_factory=list)
    rows_read: int = 0
    files: list[Path] = field(default_factory=list)

    @property
    def rows_stored(self) -> int:
        """Rows that became filings (several rows may be one filing; one row may stand for several)."""
        return self.rows_read - len(self.quarantined)


def _record_type(text: str | None) -> tuple[CacRecordType | None, str | None]:
    """A record-type cell (``filing``, ``registration``, ``备案``, ``登记``; ``registration?`` marks doubt)."""
    if text is None:
        return None, None
    kind = kind_of_text(text)
    if kind is None:
        raise ValueError(f"not a record type (filing/备案 or registration/登记): {text!r}")
    doubt = f"the source marks the record type as uncertain ({text!r})" if "?" in text or "？" in text else None
    return kind, doubt


_FILINGS_IN_NAME = re.compile(r"\(\s*(\d+)\s+filings?\s*\)", re.IGNORECASE)


def _model_name(text: str | None) -> tuple[str | None, int | None]:
    """The model cell without a count the source put in it (``天玄 (3 filings)`` → ``天玄``, 3)."""
    if text is None:
        return None, None
    match = _FILINGS_IN_NAME.search(text)
    if not match:
        return text, None
    rest = (text[: match.start()] + text[match.end() :]).strip(" ,;")
    return rest or None, int(match.group(1))


# -- rows into filings ------------------------------------------------------------------------------------------


class _RowProblem(Exception):
    def __init__(self, column: str, value: str, reason: str) -> None:
        super().__init__(reason)
        self.column, self.value, self.reason = column, value, reason


@dataclass
class _Context:
    """Where a row is: its file, sheet and table, and what the table's title, header and sheet say of it."""

    file: str
    sheet: str | None
    header: Header
    title: str | None
    kind: CacRecordType


def _cell(cells: Sequence[Cell], header: Header, name: str) -> Cell:
    index = header.columns.get(name)
    return cells[index] if index is not None and index < len(cells) else None


def _row_filings(cells: Sequence[Cell], line: int, ctx: _Context, snapshot: str) -> list[CacFiling]:
    """The filings one data row lists (a range of sequence numbers lists several), or a :class:`_RowProblem`."""
    header = ctx.header

    def named(name: str) -> str:
        return header.names.get(name, name)

    try:
        kind, doubt = _record_type(value_of(_cell(cells, header, "record_type")))
    except ValueError as exc:
        raise _RowProblem(named("record_type"), text_of(_cell(cells, header, "record_type")) or "", str(exc)) from exc
    raw_sequence = _cell(cells, header, "sequence")
    try:
        sequence = parse_sequence(raw_sequence)
    except ValueError as exc:
        raise _RowProblem(named("sequence"), text_of(raw_sequence) or "", str(exc)) from exc
    if kind is None and sequence is not None and sequence[2] == "R":
        kind = CacRecordType.REGISTRATION  # the book numbers registrations R1, R2, …
    kind = kind or ctx.kind
    entity = value_of(_cell(cells, header, "entity"))
    if entity is None:
        raise _RowProblem(named("entity"), "", "no filing entity: a filing is a provider's service, the row names none")
    number = value_of(_cell(cells, header, "number"))
    if sequence is None and number is None:
        raise _RowProblem(
            named("sequence") if "sequence" in header.columns else named("number"),
            "",
            "neither a sequence number nor a filing number: the row cannot be told apart from others",
        )
    raw_date = _cell(cells, header, "date")
    try:
        filed_on, month_only = parse_day(raw_date)
    except ValueError as exc:
        raise _RowProblem(named("date"), text_of(raw_date) or "", str(exc)) from exc
    model, counted = _model_name(value_of(_cell(cells, header, "model")))
    notes = [n for n in (value_of(_cell(cells, header, "note")), doubt) if n]
    if month_only:
        notes.append("filing date given to the month only")
    first, last = (sequence[0], sequence[1]) if sequence else (None, None)
    label = text_of(raw_sequence)
    if first is not None and last is not None and last > first:
        notes.append(f"one of the {last - first + 1} filings the source lists in one row ({label})")
        if number is not None:
            notes.append(f"the row's filing number {number!r} cannot be told apart among them: not kept")
            number = None
    if counted is not None and first is not None and last is not None and counted != last - first + 1:
        notes.append(f"the source's count ({counted}) differs from the range {label}")
    province = province_of(value_of(_cell(cells, header, "province")), value_of(_cell(cells, header, "province_en")))
    base = CacFiling(
        record_type=kind,
        entity=entity,
        sequence=first,
        sequence_label=label,
        filing_number=number,
        province=province,
        model_name=model,
        filed_on=filed_on,
        entity_label=value_of(_cell(cells, header, "entity_label")),
        file=ctx.file,
        sheet=ctx.sheet,
        line=line,
        title=ctx.title,
        note="; ".join(notes) or None,
        snapshot_id=snapshot,
    )
    if first is None or last is None or last == first:
        return [base]
    return [replace(base, sequence=s) for s in range(first, last + 1)]


def _is_subtitle(texts: list[str]) -> CacRecordType | None:
    """A row of one cell saying which list follows (``二、已登记的生成式人工智能服务``) names its list."""
    if len(texts) != 1 or re.fullmatch(r"[\d\s.,-]+", texts[0]):
        return None
    return kind_of_text(texts[0])


def read_sheet(sheet: Sheet, file: str, snapshot_id: str, read: CacRead) -> bool:
    """Read one sheet's tables into ``read``; False when the sheet holds no CAC table."""
    sheet_kind = kind_of_text(sheet.name)
    titles: list[str] = []
    title_kind: CacRecordType | None = None
    ctx: _Context | None = None
    table: TableRead | None = None
    where = f"{file} (sheet {sheet.name})" if sheet.name is not None else file
    found = False
    for line, cells in sheet.rows:
        texts = [t for t in (text_of(c) for c in cells) if t]
        if not texts:
            continue
        header = recognise_header(cells)
        if header is not None:
            kind = title_kind or header.kind or sheet_kind or CacRecordType.FILING
            title = " / ".join(titles) or None
            ctx = _Context(where, sheet.name, header, title, kind)
            table = TableRead(where, sheet.name, title, kind, line, header.names, 0)
            read.tables.append(table)
            found = True
            continue
        if ctx is None:
            if len(titles) < HEADER_SCAN_ROWS:
                titles.append(" ".join(texts))
                title_kind = title_kind or kind_of_text(titles[-1])
            continue
        subtitle = _is_subtitle(texts)
        if subtitle is not None:  # the next table's list; its header follows
            titles, title_kind = [texts[0]], subtitle
            ctx = replace(ctx, title=texts[0], kind=subtitle)
            continue
        read.rows_read += 1
        if table is not None:
            read.tables[-1] = table = replace(table, rows=table.rows + 1)
        try:
            read.filings.extend(_row_filings(cells, line, ctx, snapshot_id))
        except _RowProblem as problem:
            read.quarantined.append(
                QuarantinedRow(snapshot_id, where, line, problem.column, problem.value, problem.reason)
            )
    return found


def snapshot_id(data: bytes) -> str:
    """The id the attachment's snapshot gets (as :class:`~modelcensus.provenance.SourceSnapshot` derives it)."""
    return f"{SOURCE}:{ROLE}:{sha256_bytes(data)[:16]}"


def read_file(path: Path, data: bytes | None = None) -> CacRead:
    """One attachment (every sheet and table of it); InputFormatError when it holds no CAC table."""
    where = str(path)
    try:
        data = path.read_bytes() if data is None else data
    except OSError as exc:
        raise InputFormatError(f"cannot read the file ({exc.strerror or exc})", file=where) from exc
    read = CacRead(files=[path])
    sheets = sheets_of(path, data)
    found = [read_sheet(sheet, where, snapshot_id(data), read) for sheet in sheets]
    if not any(found):
        raise InputFormatError(
            "no CAC table found: no header row naming the filing entity (备案单位 / 企业名称) and the sequence "
            "number (序号), filing number (备案号), province (属地), model (模型名称) or date (备案时间) in its first "
            f"{HEADER_SCAN_ROWS} rows",
            file=where,
        )
    return read


# -- several attachments: one register ---------------------------------------------------------------------------


def _entity_key(entity: str) -> str:
    return re.sub(r"[\s()（）]+", "", unicodedata.normalize("NFKC", entity)).casefold()


def merge(reads: Iterable[CacRead]) -> CacRead:
    """Attachments (deltas) as one register: each filing once, in the order read (the first listing kept).

    A row without a filing number that repeats a numbered one (same list, sequence number and entity) is that
    filing too. Two rows with one sequence number but different entities and no filing numbers are two
    filings the numbering cannot tell apart: the later is set aside (sequence numbers that restart in each
    attachment need filing numbers)."""
    out = CacRead()
    for r in reads:
        out.files.extend(r.files)
        out.tables.extend(r.tables)
        out.rows_read += r.rows_read
        out.quarantined.extend(r.quarantined)
        out.filings.extend(r.filings)
    numbered: dict[tuple[CacRecordType, int | None, str], str] = {
        (f.record_type, f.sequence, _entity_key(f.entity)): f.key
        for f in out.filings
        if f.filing_number and f.sequence is not None
    }
    kept: dict[str, CacFiling] = {}
    for filing in out.filings:
        key = filing.key
        if not filing.filing_number:
            key = numbered.get((filing.record_type, filing.sequence, _entity_key(filing.entity)), key)
        first = kept.get(key)
        if first is None:
            kept[key] = filing
            continue
        if not filing.filing_number and _entity_key(first.entity) != _entity_key(filing.entity):
            out.quarantined.append(
                QuarantinedRow(
                    filing.snapshot_id,
                    filing.file,
                    filing.line,
                    "sequence",
                    filing.sequence_label or "",
                    f"sequence number {filing.sequence} of the {filing.record_type.value}s is already held by "
                    f"{first.entity} ({first.file}, row {first.line}): a register whose numbering restarts needs "
                    "filing numbers",
                )
            )
            continue
        out.duplicates.append(Duplicate(first, filing.file, filing.line))
    out.filings = list(kept.values())
    out.quarantined.sort(key=lambda q: (q.file, q.line))
    return out


def attachments_in(folder: Path) -> list[Path]:
    """The CAC attachments under a folder (recognised by content), in name order."""
    return [p for p in sorted(folder.rglob("*")) if p.is_file() and kind_of(p) == "attachment"]


def read(path: Path | Sequence[Path]) -> CacRead:
    """The register from an attachment, several, or every attachment under a folder (merged: :func:`merge`)."""
    paths = [path] if isinstance(path, Path) else list(path)
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            inside = attachments_in(p)
            if not inside:
                raise InputFormatError("no CAC attachment found in the folder", file=str(p))
            files.extend(inside)
        elif p.is_file():
            files.append(p)
        else:
            raise InputFormatError("no such file or folder", file=str(p))
    return merge(read_file(f) for f in files)


# -- recognising files by content (for ``build --from``) ----------------------------------------------------------

REFERENCE_TABLES = (
    (
        ("seqfrom", "seqto"),
        "CAC attachment ranges (which sequence numbers each attachment holds): a reference table, not filings",
    ),
    (
        ("jurisdiction", "count"),
        "CAC filings counted per province (a reference table: it lists no filings)",
    ),
)


def _first_rows(path: Path, limit: int = HEADER_SCAN_ROWS) -> list[list[Cell]]:
    """The first rows of each sheet (xlsx) or of the table (CSV), read cheaply; empty when unreadable."""
    data = path.read_bytes()
    if data[:4] == b"PK\x03\x04":
        import openpyxl  # type: ignore[import-untyped]  # only for a workbook

        try:
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:
            return []
        try:
            return [
                list(row)
                for worksheet in workbook.worksheets
                for row in worksheet.iter_rows(max_row=limit, values_only=True)
            ]
        except Exception:
            return []
        finally:
            workbook.close()
    try:
        text = decode_text(data[:65536], str(path))
    except InputFormatError:
        return []
    lines = text.splitlines()[:limit]
    first = next((line for line in lines if line.strip()), "")
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    try:
        return [list(r) for r in csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)]
    except csv.Error:
        return []


def kind_of(path: Path) -> str | None:
    """``"attachment"`` for a table of the CAC register (a header recognised by meaning in its first rows),
    ``"reference:<reason>"`` for a CAC reference table that lists no filings, else None."""
    if path.suffix.lower() not in ATTACHMENT_SUFFIXES:
        return None
    try:
        rows = _first_rows(path)
    except OSError:
        return None
    for cells in rows:
        if recognise_header(cells) is not None:
            return "attachment"
    if rows:
        keys = " ".join(header_key(str(c)) for c in rows[0] if c is not None)
        if "cac" in header_key(path.name) or "属地" in keys or "jurisdictioncn" in keys:
            for words, reason in REFERENCE_TABLES:
                if all(w in keys for w in words):
                    return "reference:" + reason
    return None


# -- the live path ------------------------------------------------------------------------------------------------

_ATTACHMENT_LINK = re.compile(r"""href\s*=\s*["']([^"'#]+?\.(?:xlsx|xlsm|xls|csv)(?:\?[^"'#]*)?)["']""", re.IGNORECASE)


def attachment_links(page: bytes, base: str) -> list[str]:
    """The attachments (xlsx, xls, csv) a notice page links to, as absolute URLs, in page order."""
    text = page.decode("utf-8", errors="replace")
    links = [urljoin(base, unquote(m.group(1)).strip()) for m in _ATTACHMENT_LINK.finditer(text)]
    return list(dict.fromkeys(links))


def _is_attachment_url(url: str) -> bool:
    return urlparse(url).path.lower().endswith((".xlsx", ".xlsm", ".xls", ".csv"))


def _file_name(url: str, index: int) -> str:
    name = unquote(urlparse(url).path.rsplit("/", 1)[-1]) or "attachment"
    name = re.sub(r"[^\w.\-\u4e00-\u9fff]+", "_", name)[-120:]
    return f"{index:02d}-{name}"


def fetch(config: Config, urls: Sequence[str] = ()) -> Path:
    """Download the CAC's attachments into a new folder of the cache and return it (:func:`downloaded` lists them).

    Each URL is an attachment (``…/rootimages/uploadimg/….xlsx``) or a notice page whose attachment links are
    followed; ``urls`` default to :attr:`~modelcensus.config.Config.cac_urls`. Downloads retry with backoff
    (:func:`modelcensus.sources.http.download`); a page that links no attachment, or a download that fails for
    good, is a :class:`~modelcensus.errors.SourceUnavailableError` and the folder is removed."""
    chosen = list(urls) or list(config.cac_urls)
    if not chosen:
        raise SourceUnavailableError("no CAC notice or attachment URL to fetch (give --url)")
    when = datetime.now(tz=UTC)
    folder = config.cache_dir / SOURCE / f"{when:%Y%m%dT%H%M%S%fZ}"

    def get(url: str, dest: Path) -> Path:
        return download(
            url, dest, timeout_s=config.http_timeout_s, retries=config.http_retries, backoff_s=config.http_backoff_s
        )

    try:
        index = 0
        for number, url in enumerate(chosen, start=1):
            if _is_attachment_url(url):
                links = [url]
            else:
                page = get(url, folder / PAGES / f"{number:02d}.html")
                links = attachment_links(page.read_bytes(), url)
                if not links:
                    raise SourceUnavailableError(f"{url}: the page links no attachment (xlsx, xls, csv)")
            for link in links:
                index += 1
                get(link, folder / _file_name(link, index))
    except BaseException:
        _remove(folder)
        raise
    return folder


PAGES = "pages"
"""The sub-folder of a fetch that keeps the notice pages read (their attachments sit beside it)."""


def downloaded(folder: Path) -> list[Path]:
    """The attachments a :func:`fetch` downloaded, in the order fetched (not the pages, not the sidecars)."""
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.endswith(".meta.json"))


def _remove(folder: Path) -> None:
    if not folder.exists():
        return
    for path in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_dir():
            path.rmdir()
        else:
            path.unlink()
    folder.rmdir()
