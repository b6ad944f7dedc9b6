"""Source ``lmarena``: LMArena's public leaderboards (official ``lmarena/arena-catalog`` repository).

Three file kinds, recognised by content (:func:`kind_of`):

- **leaderboard** (kind ``leaderboard:<arena>``; ``leaderboard-text.json``, ``leaderboard-text-style-control.json``,
  ``leaderboard-vision*.json``, ``leaderboard-image.json``): ``{category: {model_api_name: {rating,
  rating_q975, rating_q025}}}``. The files carry no date, so the caller passes the date the ratings
  describe. Categories are prefixed with the arena named by the file (``text/full``,
  ``vision-style-control/ocr``) because the same category name means different votes in each arena.
- **scatterplot** (``scatterplot-data.json``): the catalogue LMArena keeps beside the leaderboard,
  with display name, organization, licence and prices for the models it priced (fewer than it rates;
  :func:`catalog_from_leaderboards` lists the rest by their API name).
- **history** (``result.csv`` of ``nakasyou/lmarena-history``, MIT): the overall text rating over time,
  one row per date, one column per model, ``0.0`` for "not on the board that day".

Open-weights rule for the scatterplot's ``license`` column (what matters to the census is whether the
weights can be downloaded, not whether the licence is OSI-open, so non-commercial and community
licences count as open weights):

- a licence starting with ``propr`` (``Proprietary`` and the source's ``Propretary``) → ``NO``;
- a licence naming a family under which weights are published (:data:`OPEN_WEIGHTS_LICENCES`: Apache,
  MIT and "Modified MIT", BSD, CC-BY*, OpenRAIL, Llama, Gemma, DeepSeek, Qwen, Mistral Research / MRL,
  and LMArena's own ``Open``) → ``YES``;
- anything else (``NexusFlow``) → ``UNKNOWN``, left for review rather than guessed.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

from modelcensus.errors import InputFormatError
from modelcensus.records import (
    CatalogRecord,
    RatingRecord,
    clean_text,
    load_json,
    number_field,
    text_field,
)
from modelcensus.vocabulary import OpenWeights

SOURCE = "lmarena"
BASE_URL = "https://raw.githubusercontent.com/lmarena/arena-catalog/main/data/"
LEADERBOARD_FILES = (
    "leaderboard-text.json",
    "leaderboard-text-style-control.json",
    "leaderboard-vision.json",
    "leaderboard-vision-style-control.json",
    "leaderboard-image.json",
)
SCATTERPLOT_FILE = "scatterplot-data.json"
LIVE_FILES = (*LEADERBOARD_FILES, SCATTERPLOT_FILE)
LICENSE = "no licence file in lmarena/arena-catalog; LMArena's published leaderboard data"
CREDIT = "LMArena (lmarena/arena-catalog)"
HISTORY_URL = "https://raw.githubusercontent.com/nakasyou/lmarena-history/main/output/result.csv"
HISTORY_LICENSE = "MIT"
HISTORY_CREDIT = "nakasyou/lmarena-history (ratings by LMArena)"
HISTORY_CATEGORY = "text/full"

LEADERBOARD = "leaderboard"
SCATTERPLOT = "scatterplot"
HISTORY = "history"

CLOSED_LICENCE = re.compile(r"^\s*propr", re.IGNORECASE)
OPEN_WEIGHTS_LICENCES = re.compile(
    r"(?:^|\W)(apache|mit|bsd|cc[- ]by|openrail|llama|gemma|deepseek|qwen|mrl|mistral research|open)(?:\W|$)",
    re.IGNORECASE,
)
_ARENA = re.compile(r"leaderboard-(.+?)\.json$", re.IGNORECASE)
_HISTORY_DATE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})$")


# ---------------------------------------------------------------------------------------------
# Shared helpers


def arena_of(name: str | Path) -> str | None:
    """The arena a leaderboard file covers, from its name: ``leaderboard-vision.json`` → ``vision``."""
    match = _ARENA.search(Path(name).name)
    return match.group(1).lower() if match else None


def rights_of(kind: str) -> tuple[str, str]:
    """The licence and credit of a file of ``kind`` (see :func:`kind_of`): the rating history is kept by
    nakasyou/lmarena-history under MIT; the leaderboards and scatterplot are LMArena's arena-catalog."""
    return (HISTORY_LICENSE, HISTORY_CREDIT) if kind == HISTORY else (LICENSE, CREDIT)


def open_weights_of(licence: str | None) -> OpenWeights:
    """Apply the module's licence rule (see the module docstring)."""
    if not licence:
        return OpenWeights.UNKNOWN
    if CLOSED_LICENCE.match(licence):
        return OpenWeights.NO
    if OPEN_WEIGHTS_LICENCES.search(licence):
        return OpenWeights.YES
    return OpenWeights.UNKNOWN


# ---------------------------------------------------------------------------------------------
# Leaderboards


def parse_leaderboard(data: bytes, location: str, rated_on: date | None, arena: str) -> list[RatingRecord]:
    """Every (category, model) rating of one leaderboard file.

    ``line`` in errors is the 1-based position of the model within its category; ``column`` is
    ``category/model/field``.
    """
    board = load_json(data, location)
    if not isinstance(board, dict):
        raise InputFormatError(
            f"expected an object of categories, found {type(board).__name__}; is this an LMArena leaderboard?",
            file=location,
        )
    ratings: list[RatingRecord] = []
    for category, models in board.items():
        if not isinstance(models, dict):
            raise InputFormatError("category is not an object of models", file=location, column=category)
        for position, (model, entry) in enumerate(models.items(), start=1):
            where = f"{category}/{model}"
            if not isinstance(entry, dict):
                raise InputFormatError("rating entry is not an object", file=location, line=position, column=where)
            if "rating" not in entry:
                raise InputFormatError("'rating' missing", file=location, line=position, column=f"{where}/rating")
            rating = number_field(entry["rating"], location, position, f"{where}/rating")
            if rating is None:
                raise InputFormatError("'rating' is empty", file=location, line=position, column=f"{where}/rating")
            name = clean_text(model)
            if name is None:
                raise InputFormatError("empty model name", file=location, line=position, column=category)
            ratings.append(
                RatingRecord(
                    source=SOURCE,
                    source_id=name,
                    category=f"{arena}/{category}",
                    rated_on=rated_on,
                    rating=rating,
                    rating_low=number_field(entry.get("rating_q025"), location, position, f"{where}/rating_q025"),
                    rating_high=number_field(entry.get("rating_q975"), location, position, f"{where}/rating_q975"),
                )
            )
    return ratings


def catalog_from_leaderboards(ratings: Iterable[RatingRecord]) -> list[CatalogRecord]:
    """A bare record (name = API name) per rated model, so models the scatterplot lacks are still listed.

    ``attributes["categories"]`` lists where the model is rated, which tells a text model from an
    image one without another source; sorted, so that one export reads the same whatever order its files
    come in (a folder's sorted names, or the live fetch's order).
    """
    categories: dict[str, list[str]] = {}
    for rating in ratings:
        seen = categories.setdefault(rating.source_id, [])
        if rating.category not in seen:
            seen.append(rating.category)
    return [
        CatalogRecord(source=SOURCE, source_id=model, name=model, attributes={"categories": sorted(cats)})
        for model, cats in categories.items()
    ]


# ---------------------------------------------------------------------------------------------
# Scatterplot catalogue


def parse_scatterplot(data: bytes, location: str) -> list[CatalogRecord]:
    """One record per priced model; ``line`` is the 1-based position of the item in the list.

    Prices are LMArena's USD per million tokens, as published.
    """
    items = load_json(data, location)
    if not isinstance(items, list):
        raise InputFormatError(f"expected a list of models, found {type(items).__name__}", file=location)
    records: list[CatalogRecord] = []
    for line, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise InputFormatError(f"model entry is {type(item).__name__}, not an object", file=location, line=line)
        api_name = text_field(item, "model_api_name", location, line, required=True)
        name = text_field(item, "name", location, line) or api_name
        assert api_name is not None and name is not None
        licence = text_field(item, "license", location, line)
        attributes: dict[str, object] = {}
        for key, attribute in (
            ("input_token_price", "input_price_usd_per_1m_tokens"),
            ("output_token_price", "output_price_usd_per_1m_tokens"),
        ):
            price = number_field(item.get(key), location, line, key)
            if price is not None:
                attributes[attribute] = price
        for key in ("price_source", "model_source"):
            text = text_field(item, key, location, line)
            if text is not None:
                attributes[key] = text
        hidden = item.get("hidden")
        if hidden is not None:
            if not isinstance(hidden, bool):
                raise InputFormatError("'hidden' is not true/false", file=location, line=line, column="hidden")
            attributes["hidden"] = hidden
        records.append(
            CatalogRecord(
                source=SOURCE,
                source_id=api_name,
                name=name,
                organization=text_field(item, "organization", location, line),
                license=licence,
                open_weights=open_weights_of(licence),
                attributes=attributes,
                line=line,
            )
        )
    return records


# ---------------------------------------------------------------------------------------------
# Rating history


def _csv_rows(text: str, location: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    try:
        for row in reader:
            yield start, row
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InputFormatError(f"malformed CSV ({exc})", file=location, line=start) from exc


def _history_date(cell: str) -> date | None:
    match = _HISTORY_DATE.match(cell.strip())
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def parse_history(data: bytes, location: str) -> list[RatingRecord]:
    """Every dated rating of the history CSV (category ``text/full``, no interval).

    Cells that are empty or ``0.0`` mean the model was not on the board that day and yield nothing.
    ``line`` in errors is the physical CSV line; ``column`` the model column.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFormatError(f"not UTF-8 text ({exc.reason})", file=location) from exc
    rows = _csv_rows(text, location)
    first = next(rows, None)
    if first is None:
        raise InputFormatError("empty file (no header)", file=location, line=1)
    _, header = first
    if len(header) < 2:
        raise InputFormatError("expected a date column then one column per model", file=location, line=1)
    date_column = header[0] or "date"
    models = [clean_text(h) for h in header[1:]]
    for position, model in enumerate(models, start=2):
        if model is None:
            raise InputFormatError(f"model column {position} has no name", file=location, line=1)
    ratings: list[RatingRecord] = []
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise InputFormatError(f"row has {len(row)} fields, header has {len(header)}", file=location, line=line)
        rated_on = _history_date(row[0])
        if rated_on is None:
            raise InputFormatError(
                f"not a date (YYYYMMDD or YYYY-MM-DD): {row[0]!r}", file=location, line=line, column=date_column
            )
        for model, cell in zip(models, row[1:], strict=True):
            assert model is not None
            rating = number_field(cell, location, line, model)
            if rating is None or rating == 0.0:
                continue
            ratings.append(RatingRecord(SOURCE, model, HISTORY_CATEGORY, rated_on, rating))
    return ratings


def history_rows(data: bytes) -> int:
    """The dated rows of a history CSV (its header and blank lines aside): the rows its snapshot records."""
    text = data.decode("utf-8-sig", errors="replace")
    rows = sum(1 for row in csv.reader(io.StringIO(text, newline="")) if any(c.strip() for c in row))
    return max(rows - 1, 0)


# ---------------------------------------------------------------------------------------------
# Recognising files


def _is_leaderboard(payload: object) -> bool:
    if not isinstance(payload, dict) or not payload:
        return False
    for models in payload.values():
        if not isinstance(models, dict):
            return False
        for entry in models.values():
            return isinstance(entry, dict) and "rating" in entry
    return False


def _is_history(data: bytes) -> bool:
    """A rating history: a header of model names after a first (date) column, then rows of a date followed
    by numbers only (a rating, or 0.0 / empty for absent). Every cell of the first rows is checked, so a
    table that merely starts with a date and a number (a register's totals over time) is not taken for one."""
    head = data[:262144].decode("utf-8-sig", errors="replace")
    lines = head.splitlines()
    if len(lines) < 2:
        return False
    rows = list(csv.reader(lines[:6]))
    header, body = rows[0], [r for r in rows[1:] if r]
    # the first column holds the dates (headed by nothing, or by "date"); the others are models, at least two
    if len(header) < 3 or header[0].strip().casefold() not in {"", "date", "day"} or not body:
        return False
    for row in body[:5]:
        if len(row) != len(header) or _history_date(row[0]) is None:
            return False
        for cell in row[1:]:
            try:
                float(cell or "0")
            except ValueError:
                return False
    return True


def _guess_arena(board: dict[str, object]) -> str:
    """The arena of a renamed leaderboard file, from its categories (style control cannot be told apart)."""
    if {"is_preset_generation", "not_preset_generation"} & board.keys():
        return "image"
    if {"ocr", "captioning", "diagram", "homework"} & board.keys():
        return "vision"
    return "text"


def kind_of(path: str | Path | None, data: bytes) -> str | None:
    """``"leaderboard:<arena>"``, ``"scatterplot"``, ``"history"`` or ``None``, decided by content.

    Content decides the kind; the arena of a leaderboard comes from the file name when it follows
    LMArena's ``leaderboard-<arena>.json`` and is otherwise guessed from the categories (``text``,
    ``vision`` or ``image``; a renamed style-control file reads as its plain arena).
    """
    try:
        stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
        if stripped[:1] in (b"{", b"["):
            payload = load_json(data, str(path or ""))
            if isinstance(payload, dict) and _is_leaderboard(payload):
                arena = (arena_of(path) if path else None) or _guess_arena(payload)
                return f"{LEADERBOARD}:{arena}"
            if isinstance(payload, list) and payload and isinstance(payload[0], dict):
                return SCATTERPLOT if "model_api_name" in payload[0] else None
            return None
        return HISTORY if _is_history(data) else None
    except Exception:
        return None
