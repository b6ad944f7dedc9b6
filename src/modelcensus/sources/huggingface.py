"""Source ``huggingface``: model listings of the Hugging Face Hub (``/api/models``).

Two ways in, one parser:

- **live**: :func:`harvest` pages through ``/api/models`` with the HTTP layer of ``huggingface_hub``
  (``http_backoff``: bounded retries with backoff on 5xx, resets and timeouts; 429 honoured through
  ``Retry-After`` and ``RateLimit`` headers), following ``Link`` headers lazily. Every page is appended
  to a JSONL file (the raw snapshot) and the next-page URL is checkpointed beside it, so a crawl can be
  stopped and resumed from its last cursor. Nothing reaches the census store until the harvest is
  complete.
- **file**: a saved ``/api/models`` listing (a JSON array), JSONL, or an object holding the list under
  ``models`` or ``data`` (the shape of the shared trending file, whose keys are re-cased, e.g.
  ``pipelineTag``).

Parsing runs in DuckDB (``read_json`` with declared columns): a listing of millions of repos is read
columnar, in one pass, without building a Python object per repo. :func:`normalise_sql` is the one
definition of how a raw Hub item becomes a typed record.
"""

from __future__ import annotations

import hashlib
import json
import re
import stat
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import duckdb

from modelcensus.errors import InputFormatError, SourceUnavailableError
from modelcensus.provenance import DataDate, DateMethod, Export, SourceSnapshot

SOURCE = "huggingface"
LICENSE = "Hub metadata: Hugging Face terms of service; each model under its own licence"
CREDIT = "Hugging Face Hub"
DEFAULT_ENDPOINT = "https://huggingface.co"
PAGE_SIZE = 1000
EXPAND = (
    "author",
    "createdAt",
    "lastModified",
    "downloads",
    "downloadsAllTime",
    "likes",
    "tags",
    "pipeline_tag",
    "library_name",
    "baseModels",
    "gated",
    "cardData",
    "safetensors",
    "trendingScore",
)

# The raw keys a Hub item may carry (the API's own and the re-cased ones of saved listings) and
# their DuckDB types; keys absent from a file read as NULL.
RAW_COLUMNS: dict[str, str] = {
    "id": "VARCHAR",
    "modelId": "VARCHAR",
    "author": "VARCHAR",
    "createdAt": "VARCHAR",
    "created_at": "VARCHAR",
    "lastModified": "VARCHAR",
    "last_modified": "VARCHAR",
    "downloads": "BIGINT",
    "downloadsAllTime": "BIGINT",
    "downloads_all_time": "BIGINT",
    "likes": "BIGINT",
    "trendingScore": "DOUBLE",
    "trending_score": "DOUBLE",
    "pipeline_tag": "VARCHAR",
    "pipelineTag": "VARCHAR",
    "library_name": "VARCHAR",
    "libraryName": "VARCHAR",
    "tags": "VARCHAR[]",
    "gated": "JSON",
    "cardData": "JSON",
    "card_data": "JSON",
    "safetensors": "JSON",
    "baseModels": "JSON",
    "base_models": "JSON",
}


@dataclass(frozen=True)
class HarvestQuery:
    """What a live harvest asks the Hub for."""

    endpoint: str = DEFAULT_ENDPOINT
    authors: tuple[str, ...] = ()
    sort: str = "createdAt"
    limit: int | None = None
    since: date | None = None

    def key(self) -> str:
        """A stable name for this query, so a stopped crawl of the same query can be resumed."""
        payload = json.dumps(asdict(self), default=str, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:12]

    def first_urls(self, page_size: int = PAGE_SIZE) -> list[str]:
        """The first page URL of each author (or of the whole Hub)."""
        urls = []
        for author in self.authors or (None,):
            params: list[tuple[str, str]] = [("sort", self.sort), ("direction", "-1")]
            if author:
                params.append(("author", author))
            params.append(("limit", str(min(page_size, self.limit or page_size))))
            params.extend(("expand", e) for e in EXPAND)
            urls.append(f"{self.endpoint.rstrip('/')}/api/models?{urlencode(params)}")
        return urls


@dataclass
class CrawlState:
    """The checkpoint of a harvest, saved beside its JSONL after every page."""

    query: dict[str, Any]
    started_at: str
    pending: list[str] = field(default_factory=list)
    """Page URLs still to fetch (the current author's next page first)."""
    done_bytes: int = 0
    items: int = 0
    pages: int = 0
    finished: bool = False


@dataclass(frozen=True)
class Harvest:
    """A completed harvest: the JSONL snapshot and how it was made."""

    path: Path
    location: str
    retrieved_at: datetime
    items: int
    pages: int


def _state_path(jsonl: Path) -> Path:
    return jsonl.with_suffix(".state.json")


def _save_state(jsonl: Path, state: CrawlState) -> None:
    tmp = _state_path(jsonl).with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(state)), encoding="utf-8")
    tmp.replace(_state_path(jsonl))


def find_resumable(cache_dir: Path, query: HarvestQuery) -> Path | None:
    """The newest unfinished crawl of the same query in the cache, if any."""
    folder = cache_dir / SOURCE
    candidates = sorted(folder.glob(f"harvest-{query.key()}-*.jsonl"), reverse=True)
    for jsonl in candidates:
        state_file = _state_path(jsonl)
        if state_file.exists() and not json.loads(state_file.read_text(encoding="utf-8"))["finished"]:
            return jsonl
    return None


def _fetch_page(
    url: str,
    headers: dict[str, str],
    *,
    retries: int,
    backoff_s: float,
    timeout_s: float,
    sleep: Callable[[float], None],
) -> tuple[list[dict[str, Any]], str | None]:
    """One page through huggingface_hub's HTTP layer; a body that is not the JSON list it should be is retried."""
    import httpx2
    from huggingface_hub.errors import HfHubHTTPError
    from huggingface_hub.utils import hf_raise_for_status, http_backoff

    last = ""
    for attempt in range(retries + 1):
        try:
            response = http_backoff(
                "GET",
                url,
                headers=headers,
                timeout=timeout_s,
                max_retries=retries,
                base_wait_time=backoff_s,
                max_wait_time=max(backoff_s * 8, backoff_s),
            )
            hf_raise_for_status(response)
            page = response.json()
        except HfHubHTTPError as exc:
            status = exc.response.status_code if exc.response is not None else None
            raise SourceUnavailableError(f"{url}: HTTP {status}: {exc}") from exc
        except (ValueError, OSError, RuntimeError, httpx2.HTTPError) as exc:  # cut JSON; network errors past retries
            last = f"{type(exc).__name__}: {exc}"
            if attempt < retries:
                sleep(backoff_s * 2**attempt)
                continue
            break
        if not isinstance(page, list):
            raise SourceUnavailableError(f"{url}: expected a JSON list of models, got {type(page).__name__}")
        nxt = response.links.get("next", {}).get("url")
        return page, (str(nxt) if nxt else None)
    raise SourceUnavailableError(f"{url}: gave up after {retries + 1} attempts ({last})")


def harvest(
    query: HarvestQuery,
    cache_dir: Path,
    *,
    resume: bool = False,
    retries: int = 5,
    backoff_s: float = 1.0,
    timeout_s: float = 60.0,
    token: str | bool | None = None,
    on_page: Callable[[int], None] | None = None,
    stop_after_pages: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Harvest:
    """Harvest ``query`` into a JSONL snapshot under ``cache_dir``; resume a stopped crawl if asked.

    ``token`` is huggingface_hub's: None uses the saved login or ``$HF_TOKEN`` (higher rate limits),
    False sends none. ``stop_after_pages`` ends the crawl early (unfinished, resumable): the tests use
    it to stop a crawl half-way, as a user's Ctrl-C would.
    """
    from huggingface_hub.utils import build_hf_headers

    headers = build_hf_headers(token=token, library_name="modelcensus")
    folder = cache_dir / SOURCE
    folder.mkdir(parents=True, exist_ok=True)
    jsonl = find_resumable(cache_dir, query) if resume else None
    if jsonl is not None:
        state = CrawlState(**json.loads(_state_path(jsonl).read_text(encoding="utf-8")))
        with jsonl.open("r+b") as handle:  # drop a page written after the last checkpoint
            handle.truncate(state.done_bytes)
    else:
        now = datetime.now(tz=UTC)
        jsonl = folder / f"harvest-{query.key()}-{now:%Y%m%dT%H%M%S%fZ}.jsonl"
        jsonl.write_bytes(b"")
        state = CrawlState(
            query=json.loads(json.dumps(asdict(query), default=str)),
            started_at=now.isoformat(),
            pending=query.first_urls(),
        )
        _save_state(jsonl, state)
    pages_this_run = 0
    with jsonl.open("ab") as out:
        while state.pending:
            if stop_after_pages is not None and pages_this_run >= stop_after_pages:
                return Harvest(jsonl, "", datetime.fromisoformat(state.started_at), state.items, state.pages)
            url = state.pending[0]
            items, next_url = _fetch_page(
                url, headers, retries=retries, backoff_s=backoff_s, timeout_s=timeout_s, sleep=sleep
            )
            keep: list[dict[str, Any]] = []
            reached_end = False
            for item in items:
                created = str(item.get("createdAt") or item.get("created_at") or "")
                if query.since is not None and query.sort == "createdAt" and created[:10] < query.since.isoformat():
                    reached_end = True  # sorted newest first: the rest of this listing is older
                    break
                if query.limit is not None and state.items + len(keep) >= query.limit:
                    reached_end = True
                    break
                keep.append(item)
            for item in keep:
                out.write(json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
            out.flush()
            state.items += len(keep)
            state.pages += 1
            state.done_bytes = out.tell()
            state.pending = ([next_url] if next_url and not reached_end else []) + state.pending[1:]
            if query.limit is not None and state.items >= query.limit:
                state.pending = []
            state.finished = not state.pending
            _save_state(jsonl, state)
            pages_this_run += 1
            if on_page:
                on_page(len(keep))
    first = query.first_urls()[0]
    return Harvest(jsonl, first, datetime.fromisoformat(state.started_at), state.items, state.pages)


# ---------------------------------------------------------------------------------------------
# Reading a listing (file or harvest) into typed tables, in DuckDB

_HUB_SIGNS = {
    "downloads",
    "likes",
    "tags",
    "pipeline_tag",
    "pipelinetag",
    "library_name",
    "libraryname",
    "createdat",
    "lastmodified",
    "trendingscore",
}
_NOT_HUB = {"pricing", "context_length", "architecture", "litellm_provider", "rating"}


@dataclass(frozen=True)
class ListingRead:
    """A listing scanned and checked, ready to be stored in one pass.

    ``relation`` is the SQL of its typed rows (see :func:`normalise_sql`): the store inserts from it
    directly, so millions of repos are parsed once and never held in Python. ``quarantine`` holds the
    items set aside (line, field, value, reason); ``rows_read = stored + duplicates + quarantined``.
    """

    path: Path
    shape: str
    relation: str
    rows_read: int
    stored: int
    duplicates: int
    quarantine: list[tuple[int, str, str, str]]
    data_date: DataDate
    """What the listing itself says of its date: its ``fetchedAt``, else its newest repo timestamp (a lower
    bound), else unknown; the caller weighs it against ``--dated``, a datapackage and the file name."""
    observed_at: datetime | None
    origin: str | None = None
    """What the listing says it lists (a wrapper's ``source`` field: ``huggingface.co/api/models (default sort =
    trending)``), or None."""
    counted: bool = True
    """False for a JSON Lines listing read in one pass (:func:`read_listing` with ``one_pass``): its counts, items
    set aside and date are known once its rows are inserted (:func:`count_inserted`)."""

    @property
    def quarantined(self) -> int:
        return len(self.quarantine)

    def scope(self) -> str:
        """The population a saved listing covers, in words: never a full harvest unless it says so."""
        what = (self.origin or "").casefold()
        if "trending" in what:
            kind = "trending repos"
        elif "download" in what:
            kind = "most-downloaded repos"
        elif "like" in what:
            kind = "most-liked repos"
        else:
            kind = "repos"
        source = f" ({self.origin})" if self.origin else ""
        return f"a listing of {self.stored:,} {kind}{source}, not a full harvest"


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _struct_type() -> str:
    return "STRUCT(" + ", ".join(f'"{k}" {v}' for k, v in RAW_COLUMNS.items()) + ")"


def detect_shape(path: Path) -> str | None:
    """``jsonl``, ``array`` or ``object`` when the file looks like a Hub model listing, else None."""
    try:
        with path.open("rb") as handle:
            head = handle.read(1 << 16)
    except OSError:
        return None
    text = head.lstrip()
    if not text:
        return None
    con = duckdb.connect()
    try:
        if text[:1] == b"[":
            keys = _sample_keys(con, path, "array")
            return "array" if _is_hub(keys) else None
        if text[:1] == b"{":
            first_line = text.split(b"\n", 1)[0]
            try:
                first = json.loads(first_line)
            except ValueError:
                first = None
            if isinstance(first, dict) and ("id" in first or "modelId" in first):
                return "jsonl" if _is_hub(set(first)) else None
            desc = con.execute(f"DESCRIBE SELECT * FROM read_json({_sql_str(str(path))}, sample_size=200)").fetchall()
            for name, dtype, *_ in desc:
                if name in ("models", "data") and str(dtype).startswith("STRUCT"):
                    inner = {f.split(" ")[0].strip('"').lower() for f in _struct_fields(str(dtype))}
                    if _is_hub(inner):
                        return "object"
        return None
    except duckdb.Error:
        return None
    finally:
        con.close()


def _struct_fields(dtype: str) -> list[str]:
    body = dtype[dtype.index("(") + 1 : dtype.rindex(")")]
    fields, depth, current = [], 0, ""
    for ch in body:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            fields.append(current.strip())
            current = ""
        else:
            current += ch
    return [*fields, current.strip()] if current.strip() else fields


def _sample_keys(con: duckdb.DuckDBPyConnection, path: Path, fmt: str) -> set[str]:
    desc = con.execute(
        f"DESCRIBE SELECT * FROM read_json({_sql_str(str(path))}, format={_sql_str(fmt)}, sample_size=200)"
    ).fetchall()
    return {str(row[0]) for row in desc}


def _is_hub(keys: set[str]) -> bool:
    lowered = {k.lower() for k in keys}
    return ("id" in lowered or "modelid" in lowered) and len(lowered & _HUB_SIGNS) >= 2 and not lowered & _NOT_HUB


def read_listing(
    con: duckdb.DuckDBPyConnection, path: Path, shape: str | None = None, one_pass: bool = False
) -> ListingRead:
    """Scan a listing (ids, dates) and check it; raise InputFormatError naming the file and line.

    The full parse happens once, when the store inserts from ``ListingRead.relation``. With ``one_pass``, a JSON
    Lines listing is not scanned first: the store inserts every item, counts them as it goes and sets aside those
    with a problem (:func:`count_inserted`), and only a listing with such items is scanned, for their lines.
    """
    shape = shape or detect_shape(path)
    if shape is None:
        raise InputFormatError(
            "not a Hugging Face model listing (expected a JSON array, JSONL, or an object with 'models' "
            "or 'data', of items with 'id' and fields such as downloads, likes, tags)",
            file=str(path),
        )
    if shape == "jsonl" and one_pass:
        relation = normalise_sql(_read_json(path, shape, RAW_COLUMNS))
        unknown = DataDate.unknown("counted once its rows are stored")
        return ListingRead(path, shape, relation, 0, 0, 0, [], unknown, None, counted=False)
    observed: datetime | None = None
    origin: str | None = None
    try:
        if shape == "object":
            top = _top_keys(con, path)
            key = "models" if "models" in top else "data"
            described = "source" if "source" in top else "fetchedAt"
            wrapper = (
                f"read_json({_sql_str(str(path))}, columns={{'fetchedAt': 'VARCHAR', 'source': 'VARCHAR', "
                f"{_sql_str(key)}: '{_struct_type()}[]'}}, maximum_object_size={path.stat().st_size + (1 << 20)})"
            )
            fetched = con.execute(f"SELECT fetchedAt, {described} FROM {wrapper}").fetchall()
            if fetched and fetched[0][0]:
                observed = _parse_ts(str(fetched[0][0]))
            if fetched and described == "source" and fetched[0][1]:
                origin = str(fetched[0][1])
            raw = f"(SELECT u.* FROM (SELECT unnest({key}) AS u FROM {wrapper}))"
            scan = raw
        else:
            raw = _read_json(path, shape, RAW_COLUMNS)
            scan = _read_json(path, shape, {k: RAW_COLUMNS[k] for k in _SCAN_COLUMNS})
        ts = "(try_cast({x} AS TIMESTAMPTZ) AT TIME ZONE 'UTC')"
        items = f"""
            SELECT coalesce(id, modelId) AS repo_id, coalesce(createdAt, created_at) AS created_raw,
                   {ts.format(x="coalesce(createdAt, created_at)")} AS created_at,
                   {ts.format(x="coalesce(lastModified, last_modified)")} AS last_modified
            FROM {scan}
        """
        bad = "repo_id IS NULL OR (created_raw IS NOT NULL AND created_at IS NULL)"
        rows = con.execute(
            f"SELECT count(*), count(DISTINCT repo_id) FILTER (WHERE NOT ({bad})), "
            f"max(greatest(last_modified, created_at)) FILTER (WHERE NOT ({bad})), count(*) FILTER (WHERE {bad}) "
            f"FROM ({items})"
        ).fetchall()[0]
        problems: list[Any] = []
        if rows[3]:  # rare: number the items only to say which ones were set aside
            problems = con.execute(
                f"SELECT line, repo_id, created_raw FROM (SELECT row_number() OVER () AS line, * FROM ({items})) "
                f"WHERE {bad} ORDER BY line"
            ).fetchall()
    except duckdb.Error as exc:
        raise listing_error(exc, path) from exc
    return _checked(path, shape, normalise_sql(raw), (int(rows[0]), int(rows[1]), rows[2]), problems, observed, origin)


def _checked(
    path: Path,
    shape: str,
    relation: str,
    counts: tuple[int, int, datetime | None],
    problems: list[Any],
    observed: datetime | None,
    origin: str | None,
) -> ListingRead:
    """A listing's read from its counts ``(rows read, repos stored, the newest timestamp of a stored repo)`` and
    its items set aside ``(line, id, createdAt)``."""
    rows_read, stored, newest = counts
    quarantine = [
        (int(line), "id", "", "item has no id")
        if repo_id is None
        else (int(line), "createdAt", str(repo_id), f"createdAt is not a timestamp: {created}")
        for line, repo_id, created in problems
    ]
    if observed is not None:
        data_date = DataDate(observed.date(), DateMethod.DATA, "the listing's fetchedAt")
    elif newest is not None:
        data_date = DataDate(
            newest.date(), DateMethod.DATA, "the newest createdAt/lastModified of its repos (the listing is no older)"
        )
    else:
        data_date = DataDate.unknown("the listing carries no fetchedAt and no repo timestamps")
    return ListingRead(
        path,
        shape,
        relation,
        rows_read,
        stored,
        rows_read - stored - len(quarantine),
        quarantine,
        data_date,
        observed,
        origin,
    )


SET_ASIDE = "!set-aside"
"""Appended to the export id of the items of a one-pass read that have a problem (:func:`count_inserted`)."""


def count_inserted(con: duckdb.DuckDBPyConnection, read: ListingRead, table: str, export_id: str) -> ListingRead:
    """The counts of a listing read in one pass (``read.counted`` false) from its rows just inserted into
    ``table`` (duplicates not yet removed): those of ``export_id`` and the items with a problem, inserted under
    ``export_id`` + :data:`SET_ASIDE`, which are deleted here. A listing with such items is then scanned (rare), so
    that the quarantine names their lines, as a counted read does."""
    if read.counted:
        return read
    aside = export_id + SET_ASIDE
    kept, stored, newest, problems = con.execute(
        "SELECT count(*) FILTER (WHERE export_id = $1), count(DISTINCT repo_id) FILTER (WHERE export_id = $1), "
        "max(greatest(last_modified, created_at)) FILTER (WHERE export_id = $1), "
        f"count(*) FILTER (WHERE export_id = $2) FROM {table} WHERE export_id IN ($1, $2)",
        [export_id, aside],
    ).fetchall()[0]
    if problems:
        con.execute(f"DELETE FROM {table} WHERE export_id = ?", [aside])
        return read_listing(con, read.path, read.shape)
    return _checked(read.path, read.shape, read.relation, (int(kept), int(stored), newest), [], None, None)


_DUCKDB_WHERE = re.compile(r"in line (\d+)|in record/value (\d+)")


def listing_error(exc: duckdb.Error, path: Path) -> InputFormatError:
    """DuckDB's read error as an InputFormatError naming the file and, when DuckDB says which, the item
    (its line in JSONL, its position in an array)."""
    message = str(exc).split("\n")[0]
    found = _DUCKDB_WHERE.search(message)
    line = None
    if found and found.group(1):
        line = _physical_line(path, int(found.group(1)) - 1)
    elif found:
        line = int(found.group(2))
    return InputFormatError(f"cannot read the listing ({message})", file=str(path), line=line)


def _physical_line(path: Path, item: int) -> int:
    """The line of a JSON Lines file holding its ``item``-th non-blank line (DuckDB's "in line N" names the
    non-blank line N - 1, blank lines not counted); ``item`` itself when the file has fewer."""
    seen = 0
    try:
        with path.open("rb") as handle:
            for number, text in enumerate(handle, start=1):
                seen += bool(text.strip())
                if seen == item:
                    return number
    except OSError:
        pass
    return item


_SCAN_COLUMNS = ("id", "modelId", "createdAt", "created_at", "lastModified", "last_modified")


def _read_json(path: Path, shape: str, columns: dict[str, str]) -> str:
    fmt = "newline_delimited" if shape == "jsonl" else "array"
    spec = "{" + ", ".join(f"{_sql_str(k)}: {_sql_str(v)}" for k, v in columns.items()) + "}"
    return f"read_json({_sql_str(str(path))}, format='{fmt}', columns={spec}, maximum_object_size=16777216)"


def _top_keys(con: duckdb.DuckDBPyConnection, path: Path) -> set[str]:
    desc = con.execute(f"DESCRIBE SELECT * FROM read_json({_sql_str(str(path))}, sample_size=1)").fetchall()
    return {str(row[0]) for row in desc}


def _parse_ts(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def normalise_sql(raw: str) -> str:
    """SQL turning a raw listing relation into typed rows, one per listed item, in file order.

    ``problem`` names what is wrong with an item that must be set aside (no id, an unreadable
    ``createdAt``); the store keeps the rows without one.
    """
    ts = "(try_cast({x} AS TIMESTAMPTZ) AT TIME ZONE 'UTC')"
    created = ts.format(x="coalesce(createdAt, created_at)")
    modified = ts.format(x="coalesce(lastModified, last_modified)")
    return f"""
    WITH typed AS (
        SELECT
            coalesce(id, modelId) AS repo_id,
            coalesce(author, CASE WHEN contains(coalesce(id, modelId), '/')
                                  THEN split_part(coalesce(id, modelId), '/', 1) END) AS author,
            coalesce(createdAt, created_at) AS created_raw,
            {created} AS created_at,
            {modified} AS last_modified,
            downloads,
            coalesce(downloadsAllTime, downloads_all_time) AS downloads_all_time,
            likes,
            coalesce(trendingScore, trending_score) AS trending_score,
            coalesce(pipeline_tag, pipelineTag) AS pipeline_tag,
            coalesce(library_name, libraryName) AS library_name,
            coalesce(tags, []::VARCHAR[]) AS tags,
            list_filter(tags, lambda t: starts_with(t, 'base_model:')) AS base_tags,
            CASE WHEN gated IS NULL THEN NULL ELSE trim(CAST(gated AS VARCHAR), '"') END AS gated,
            coalesce(json_extract_string(coalesce(cardData, card_data), '$.license'),
                     substr(list_filter(tags, lambda t: starts_with(t, 'license:'))[1], 9)) AS license,
            try_cast(json_extract_string(safetensors, '$.total') AS BIGINT) AS parameters,
            coalesce(baseModels, base_models) AS base_models
        FROM {raw}
    )
    SELECT * EXCLUDE (created_raw),
           CASE WHEN repo_id IS NULL THEN 'item has no id'
                WHEN created_raw IS NOT NULL AND created_at IS NULL
                THEN 'createdAt is not a timestamp: ' || created_raw END AS problem
    FROM typed
    """


# Lineage edges from ``base_model:`` tags (plain ``base_model:X`` and typed
# ``base_model:RELATION:X``) and the ``baseModels`` field; a base's relation comes from its typed tag.
_EDGE_CANDIDATES = """
SELECT repo_id, pos, p[len(p)] AS base_id, CASE WHEN len(p) >= 2 THEN p[1] END AS relation
FROM (
    SELECT repo_id, pos, str_split(substr(tag, 12), ':') AS p
    FROM (SELECT repo_id, unnest(base_tags) AS tag, generate_subscripts(base_tags, 1) AS pos
          FROM {table} WHERE {where} AND len(base_tags) > 0)
)
UNION ALL
SELECT repo_id, 100000 + generate_subscripts(ids, 1) AS pos, unnest(ids) AS base_id, relation
FROM (
    SELECT repo_id, json_extract_string(base_models, '$.relation') AS relation,
           coalesce(json_extract_string(base_models, '$.models[*].id'), []::VARCHAR[]) AS ids
    FROM {table}
    WHERE {where} AND base_models IS NOT NULL AND json_type(base_models) = 'OBJECT'
)
"""


def edges_sql(table: str, where: str) -> str:
    """SQL selecting one lineage edge per (repo, base) of ``table``'s rows: relation and position."""
    return f"""
    WITH per_base AS (
        SELECT repo_id, base_id, min(pos) AS pos, coalesce(max(relation), 'unspecified') AS relation
        FROM ({_EDGE_CANDIDATES.format(table=table, where=where)})
        WHERE base_id IS NOT NULL AND base_id <> '' AND base_id <> repo_id
        GROUP BY repo_id, base_id
    )
    SELECT repo_id, base_id, relation,
           CAST(row_number() OVER (PARTITION BY repo_id ORDER BY pos) - 1 AS INTEGER) AS position
    FROM per_base
    """


def file_time(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)


def file_digest(path: Path) -> tuple[str, int]:
    """sha256 and size of a file, read in chunks (hashlib releases the GIL: run it beside the parse), or the one
    :func:`prefetch_digest` started for it, if the file has not changed since."""
    key = _digest_key(path)
    started = _PREFETCHED.pop(key, None) if key is not None else None
    if started is not None:
        found = started.result()
        if _digest_key(path) == key:  # not written to while it was read
            return found
    return _sha256(path)


@contextmanager
def prefetched_digest(path: Path) -> Iterator[None]:
    """Within it, the listing's sha256 is read ahead (:func:`prefetch_digest`); one not taken by the end (the ingest
    failed before it asked) is dropped, so nothing outlives the command that started it."""
    key = prefetch_digest(path)
    try:
        yield
    finally:
        if key is not None:
            _PREFETCHED.pop(key, None)


def prefetch_digest(path: Path) -> tuple[str, int, int] | None:
    """Start the sha256 of a listing on a thread of its own, for :func:`file_digest` to take: a command starts it before
    it opens the census, whose imports and opening take as long (a gigabyte's digest is a second). A file that
    changes before it is asked for is read again. Returns the key it is kept under (None: not a file)."""
    key = _digest_key(path)
    if key is None or key in _PREFETCHED:
        return key
    started: Future[tuple[str, int]] = Future()

    def run() -> None:
        try:
            started.set_result(_sha256(path))
        except BaseException as exc:  # told to file_digest, which raises it
            started.set_exception(exc)

    _PREFETCHED[key] = started
    threading.Thread(target=run, name=f"sha256 of {path.name}", daemon=True).start()
    return key


_PREFETCHED: dict[tuple[str, int, int], Future[tuple[str, int]]] = {}


def _digest_key(path: Path) -> tuple[str, int, int] | None:
    """What says a file is the one hashed: its resolved path, size and modification time (None: not a file)."""
    try:
        found = path.stat()
    except OSError:
        return None
    return (str(path.resolve()), found.st_size, found.st_mtime_ns) if stat.S_ISREG(found.st_mode) else None


def _sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def harvest_scope(query: HarvestQuery, repos: int) -> str:
    """The population a live harvest covers, in words."""
    if query.authors:
        return f"every repo of {len(query.authors):,} accounts ({repos:,} repos)"
    if query.limit:
        order = {"downloads": "most-downloaded", "likes": "most-liked", "trendingScore": "trending"}
        return f"the {repos:,} {order.get(query.sort, 'newest')} repos"
    since = f" created since {query.since.isoformat()}" if query.since else ""
    return f"a full harvest of the Hub{since} ({repos:,} repos)"


def listing_export(
    read: ListingRead,
    location: str,
    retrieved_at: datetime,
    data_date: DataDate,
    digest: tuple[str, int],
    scope: str | None = None,
) -> Export:
    """The provenance of a listing: one snapshot (the file), dated by when the Hub was observed."""
    snapshot = SourceSnapshot(
        source=SOURCE,
        role="listing",
        location=location,
        retrieved_at=retrieved_at,
        sha256=digest[0],
        bytes=digest[1],
        rows=read.rows_read,
        license=LICENSE,
        credit=CREDIT,
        data_date=data_date,
        scope=scope or read.scope(),
    )
    return Export(SOURCE, data_date, (snapshot,))


def iter_listings(folder: Path) -> Iterator[tuple[Path, str]]:
    """Every Hub listing under ``folder``, recognised by content."""
    for candidate in sorted(folder.rglob("*")):
        if candidate.is_file() and candidate.suffix.lower() in {".json", ".jsonl", ".ndjson"}:
            shape = detect_shape(candidate)
            if shape:
                yield candidate, shape
