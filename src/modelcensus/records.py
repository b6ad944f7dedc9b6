"""Canonical record types and the normalisation of raw values shared by every source.

Sources turn raw rows into these types at the edge; nothing downstream sees a raw dict.
"""

from __future__ import annotations

import csv
import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from modelcensus.errors import InputFormatError, QueryError, quoted
from modelcensus.vocabulary import OpenWeights


@dataclass
class ModelRecord:
    """One model as one source (one export) describes it.

    ``countries_published`` holds ISO 3166-1 alpha-2 codes in the source's own order (the order of
    its organizations, duplicates removed); ``country_tokens_ignored`` keeps tokens of the source's
    country field that are not countries (such as Epoch's ``Multinational``).
    """

    key: str
    name: str
    organizations: list[str] = field(default_factory=list)
    published_on: date | None = None
    domains: list[str] = field(default_factory=list)
    tasks: list[str] = field(default_factory=list)
    parameters: float | None = None
    training_compute_flop: float | None = None
    open_weights: OpenWeights = OpenWeights.UNKNOWN
    accessibility: str | None = None
    notable: bool = False
    frontier: bool = False
    large_scale: bool = False
    base_model: str | None = None
    countries_published: list[str] = field(default_factory=list)
    country_field: str | None = None
    """The source's country cell as published (one country per organization, in order)."""
    country_tokens_ignored: list[str] = field(default_factory=list)
    training_hardware: list[str] = field(default_factory=list)
    hf_developer_id: str | None = None
    link: str | None = None
    origins: list[str] = field(default_factory=list)
    """``snapshot_id:line`` of every source row merged into this record."""


@dataclass(frozen=True)
class QuarantinedRow:
    """A source row set aside because one of its values cannot be parsed."""

    snapshot_id: str
    file: str
    line: int
    column: str
    value: str
    reason: str


_SPACE = re.compile(r"\s+")


def clean_text(value: str | None) -> str | None:
    """Collapse whitespace (tabs, newlines, runs of spaces) and strip; empty becomes None."""
    if value is None:
        return None
    text = _SPACE.sub(" ", unicodedata.normalize("NFC", value)).strip()
    return text or None


def model_key(name: str) -> str:
    """The merge key of a model name within one source.

    Whitespace is normalised (Epoch's rows differ by trailing spaces and tabs), case is kept:
    ``CALM`` and ``CaLM`` are different models in Epoch's database.
    """
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", name)).strip()


def split_list(value: str | None, sep: str = ",") -> list[str]:
    """Split a delimited cell, strip the parts, drop empties, keep order."""
    if not value:
        return []
    parts = (clean_text(p) for p in value.split(sep))
    return [p for p in parts if p]


def unique(items: list[str]) -> list[str]:
    """Order-preserving de-duplication."""
    return list(dict.fromkeys(items))


def parse_number(value: str | None) -> float | None:
    """Parse a number cell (``1.2e23``, ``102000000000.0``, ``1,000``); raise ValueError if not one."""
    text = clean_text(value)
    if text is None:
        return None
    number = float(text.replace(",", "").replace("_", ""))
    if math.isnan(number) or math.isinf(number):
        raise ValueError(f"not a finite number: {text!r}")
    return number


_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T ].*)?$")


def parse_date(value: str | None) -> date | None:
    """Parse ``YYYY-MM-DD`` (also ``YYYY-MM`` and ``YYYY``, taken as the first day); raise ValueError."""
    text = clean_text(value)
    if text is None:
        return None
    match = _DATE.match(text)
    if not match:
        raise ValueError(f"not a date: {text!r}")
    year, month, day = match.groups()
    return date(int(year), int(month or 1), int(day or 1))


def parse_bool(value: str | None) -> bool | None:
    text = clean_text(value)
    if text is None:
        return None
    lowered = text.casefold()
    if lowered in {"true", "yes", "y", "1", "checked"}:
        return True
    if lowered in {"false", "no", "n", "0"}:
        return False
    raise ValueError(f"not a boolean: {text!r}")


@lru_cache(maxsize=1)
def _country_aliases() -> dict[str, str | None]:
    table: dict[str, str | None] = {}
    path = resources.files("modelcensus.data").joinpath("country_names.csv")
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            table[row["name"].casefold()] = row["code"] or None
    return table


class CountryToken(Enum):
    NOT_A_COUNTRY = "not-a-country"
    UNKNOWN = "unknown"


@lru_cache(maxsize=4096)
def country_code(name: str) -> str | CountryToken:
    """Map a country name as sources spell it to ISO 3166-1 alpha-2.

    Returns :attr:`CountryToken.NOT_A_COUNTRY` for listed non-country tokens (``Multinational``)
    and :attr:`CountryToken.UNKNOWN` for anything neither the alias file nor pycountry knows (its English names,
    then its translations: 中国, Chine, Amerika Serikat).
    """
    import pycountry  # imported when first needed: the commands that never parse a country start faster

    text = clean_text(name) or ""
    aliases = _country_aliases()
    if text.casefold() in aliases:
        code = aliases[text.casefold()]
        return code if code else CountryToken.NOT_A_COUNTRY
    try:
        return str(pycountry.countries.lookup(text).alpha_2)
    except LookupError:
        return _translated_country_names().get(text.casefold(), CountryToken.UNKNOWN)


@lru_cache(maxsize=1)
def _translated_country_names() -> dict[str, str]:
    """The names of every country in every language of pycountry's ISO 3166-1 translations (中国, 美国, Chine,
    Cina, Amerika Serikat, Deutschland…), casefolded → alpha-2. A name that means two countries in the
    translations (a translator's slip, or a name two languages give to different countries) is left out: never
    guessed. Read once, on the first name neither the alias file nor the English names know."""
    import gettext

    import pycountry

    english: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("name", "official_name", "common_name"):
            if value := getattr(country, attribute, None):
                english.setdefault(str(value), str(country.alpha_2))
    codes: dict[str, set[str]] = {}
    for catalog in sorted(Path(pycountry.LOCALES_DIR).glob("*/LC_MESSAGES/iso3166-1.mo")):
        with catalog.open("rb") as handle:
            language = gettext.GNUTranslations(handle)
        for name, code in english.items():
            translated = clean_text(language.gettext(name))
            if translated:
                codes.setdefault(translated.casefold(), set()).add(code)
    return {name: next(iter(found)) for name, found in codes.items() if len(found) == 1}


NO_COUNTRY = frozenset({"none", "(no country)", "unknown"})
"""How a request names the row of models with no country."""


def requested_country(value: str, error: type[QueryError] = QueryError) -> str | None:
    """A country as a user gives it (ISO code or name; ``none``: the models with no country) → its ISO code.

    The one parser behind every country a request names (CLI, API, library, profiles); an unknown
    value raises ``error`` naming the ``country`` parameter.
    """
    text = value.strip()
    if text.casefold() in NO_COUNTRY:
        return None
    if len(text) == 2 and text.isascii() and text.isalpha() and country_name(text.upper()) != text.upper():
        return text.upper()
    code = country_code(text) if len(text) <= MAX_NAME_LENGTH else None
    if isinstance(code, str):
        return code
    raise error(
        f"unknown country {quoted(value)}: give an ISO 3166-1 alpha-2 code (CN) or a name (China, 中国, Chine)",
        parameter="country",
    )


MAX_NAME_LENGTH = 300
"""The longest name, id or code a request may give (a model id, a definition's name, a country): longer is
refused before any lookup, and the error does not echo it."""


def requested_name(value: str, parameter: str | None, label: str | None = None) -> str:
    """A name or id a request gives, stripped; one over :data:`MAX_NAME_LENGTH` characters raises a
    :class:`QueryError` naming ``parameter`` (or ``label``: ``the model id``), with its length and its first
    characters only."""
    text = value.strip()
    if len(text) > MAX_NAME_LENGTH:
        raise QueryError(
            f"{label or parameter} is {len(text):,} characters long; at most {MAX_NAME_LENGTH}: {quoted(text)}",
            parameter=parameter,
        )
    return text


def is_missing(value: object) -> bool:
    """None, NaN, pandas' NA or NaT: a cell with no value (what a query engine hands back for NULL)."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return type(value).__name__ in {"NAType", "NaTType"}


def country_name(code: str | None) -> str:
    """The English display name of an ISO alpha-2 code (``None`` is the no-country row), the one every output
    uses: a reviewed name where pycountry has only a formal or index form (``Russia``, not ``Russian
    Federation``: ``data/country_display_names.csv``), else pycountry's common name (``Iran``, ``South Korea``),
    else its ISO short name."""
    import pycountry

    if is_missing(code) or not code:
        return "(no country)"
    reviewed = _country_display_names().get(str(code))
    if reviewed:
        return reviewed
    try:
        country = pycountry.countries.get(alpha_2=str(code))
    except LookupError:
        country = None
    if country is None:
        return str(code)
    return str(getattr(country, "common_name", None) or country.name)


@lru_cache(maxsize=1)
def _country_display_names() -> dict[str, str]:
    path = resources.files("modelcensus.data").joinpath("country_display_names.csv")
    with path.open(encoding="utf-8") as handle:
        return {r["code"]: r["name"] for r in csv.DictReader(handle)}


@lru_cache(maxsize=1)
def _hardware_patterns() -> list[tuple[str, str, str | None]]:
    path = resources.files("modelcensus.data").joinpath("hardware_vendors.csv")
    with path.open(encoding="utf-8") as handle:
        return [(r["pattern"].casefold(), r["vendor"], r["vendor_country"] or None) for r in csv.DictReader(handle)]


def hardware_vendor(hardware: str) -> tuple[str, str | None]:
    """The vendor (and its country) of a training chip as sources name it, from a reviewed data file.

    The first pattern of ``hardware_vendors.csv`` found in the name wins; unknown chips are
    ``("(unknown vendor)", None)`` rather than guessed.
    """
    text = hardware.casefold()
    for pattern, vendor, country in _hardware_patterns():
        if pattern in text:
            return vendor, country
    return "(unknown vendor)", None


_LEGAL_PIECE = re.compile(
    r"^(ltd|inc|llc|llp|corp|co|limited|gmbh|plc|ag|sa|s\.a|pte\.? ltd|pty\.? ltd)\.?(\s*\(.*\))?$", re.IGNORECASE
)


def split_organizations(cell: str | None) -> list[str]:
    """Split a comma-separated organization cell, keeping legal suffixes with their company.

    ``Troy Information Technology Co., Ltd., Tsinghua University`` is two organizations, not three:
    a piece that is only a legal suffix (``Ltd.``, ``Inc``, ``Ltd. (Hikvision)``) is joined back
    onto the name before it.
    """
    pieces: list[str] = []
    for piece in split_list(cell):
        if pieces and _LEGAL_PIECE.match(piece):
            pieces[-1] = f"{pieces[-1]}, {piece}"
        else:
            pieces.append(piece)
    return unique(pieces)


@lru_cache(maxsize=1)
def base_families() -> list[tuple[str, str]]:
    """(regex, family) pairs from the reviewed ``base_families.csv``, in priority order."""
    path = resources.files("modelcensus.data").joinpath("base_families.csv")
    with path.open(encoding="utf-8") as handle:
        return [(r["pattern"], r["family"]) for r in csv.DictReader(handle)]


@dataclass
class CatalogRecord:
    """A model as a catalogue, leaderboard or register lists it (OpenRouter, LMArena, litellm, tabular).

    ``source_id`` is the source's own key: OpenRouter's ``id``, LMArena's ``model_api_name``, the
    litellm catalogue key, or the mapped id column of a tabular list. ``organization`` is the
    developer as the source names it (resolved later through the registry); ``hf_id`` a Hugging Face
    repo id when the source gives one. ``attributes`` keeps source-specific fields (context length,
    prices, modalities, provider, …) as JSON-ready values.
    """

    source: str
    source_id: str
    name: str
    organization: str | None = None
    published_on: date | None = None
    hf_id: str | None = None
    open_weights: OpenWeights = OpenWeights.UNKNOWN
    license: str | None = None
    countries_published: list[str] = field(default_factory=list)
    attributes: dict[str, object] = field(default_factory=dict)
    line: int | None = None


@dataclass(frozen=True)
class RatingRecord:
    """One leaderboard rating of a model: LMArena's Elo-style score with its 95% interval."""

    source: str
    source_id: str
    category: str
    rated_on: date | None
    """The day the rating describes; None for a leaderboard file of unknown date (kept, never placed in time)."""
    rating: float
    rating_low: float | None = None
    rating_high: float | None = None


def load_json(data: bytes, location: str) -> object:
    """Decode a JSON payload, turning every decoding failure into an :class:`InputFormatError` that names
    the file (and the line, where the decoder knows it)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFormatError(f"not UTF-8 text ({exc.reason})", file=location) from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFormatError(f"not JSON ({exc.msg})", file=location, line=exc.lineno) from exc
    except (ValueError, RecursionError) as exc:  # integer digit limit, absurd nesting
        raise InputFormatError(f"not readable JSON ({exc})", file=location) from exc


def text_field(item: dict[str, object], key: str, location: str, line: int, *, required: bool = False) -> str | None:
    """A text field of a JSON item, cleaned; a wrong type (or a missing required value) is an
    :class:`InputFormatError` naming the file, the item and the field."""
    value = item.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        problem = "missing" if value is None else f"not a string ({type(value).__name__})"
        raise InputFormatError(f"{key!r} is {problem}", file=location, line=line, column=key)
    text = clean_text(value)
    if text is None and required:
        raise InputFormatError(f"{key!r} is empty", file=location, line=line, column=key)
    return text


def number_field(value: object, location: str, line: int | None, column: str) -> float | None:
    """A finite number from a JSON number or numeric string; ``None`` for null or an empty string.
    Anything else is an :class:`InputFormatError` naming the file, the item and the field."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise TypeError(f"found {type(value).__name__}")
        number = float(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise InputFormatError(f"not a number ({exc})", file=location, line=line, column=column) from exc
    if not math.isfinite(number):
        raise InputFormatError(f"not a finite number: {value!r}", file=location, line=line, column=column)
    return number


def jsonable(value: Any) -> Any:
    """A value as plain JSON, recursively: the one to-JSON conversion of the CLI, the API and the claims. NaN,
    infinity, pandas' NA and NaT become null, NumPy scalars and arrays Python ones, dates ISO text, keys text."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    import numpy as np  # loaded already wherever a NumPy value can come from; not at import (start-up time)

    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if is_missing(value) or (isinstance(value, float) and math.isinf(value)):
        return None
    if isinstance(value, date):  # datetime and pandas' Timestamp too
        return value.isoformat()
    return value


STABLE_DIGITS = 12
"""Significant digits a fractional figure keeps: sums of 1/n weights differ in their last bits with the order an
engine adds them in (DuckDB and Spark do), so figures are rounded to where every engine agrees."""


def stable(value: Any) -> Any:
    """A float rounded to :data:`STABLE_DIGITS` significant digits (other values as they are), recursively in lists
    and dicts: the same figure prints the same on every engine."""
    if isinstance(value, float):
        return float(f"{value:.{STABLE_DIGITS}g}") if math.isfinite(value) else value
    if isinstance(value, dict):
        return {k: stable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [stable(v) for v in value]
    return value


def as_date(value: object) -> date | None:
    """A table cell (Timestamp, date, NaT, None) as a plain date."""
    if value is None or (not isinstance(value, str) and is_missing(value)):
        return None
    if isinstance(value, datetime):  # a pandas Timestamp is one
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
