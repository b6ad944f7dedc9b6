"""The census's vocabulary, once: counting rules, attributions, units, dimensions, Hub metrics, sources.

The CLI's options, the API's parameters, the request models (:mod:`modelcensus.queries`), the metrics and the
definitions all read these. Each is a ``StrEnum``: a member *is* its value (``Rule.FULL == "full"``), so a
plain string works wherever a member does, and JSON, CSV and SQL see the value. The values are a public
contract (the CLI's and the API's JSON): never rename one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum, StrEnum
from typing import TypeVar

from modelcensus.errors import QueryError


class Rule(StrEnum):
    """How a model with several countries (organizations, domains…) is counted."""

    FULL = "full"
    """Once for each distinct group it belongs to (the AI Index convention): counts can add up to more than the
    number of models."""
    FRACTIONAL = "fractional"
    """Its weight of 1 split equally among its groups: counts add up to the number of models."""
    PRIMARY = "primary"
    """Only for its first group (the first organization's country)."""


class Attribution(StrEnum):
    """Whose country a model (or a Hub repo) counts for."""

    AS_PUBLISHED = "as-published"
    """The source's own country field (Epoch AI's ``Country``)."""
    RESOLVED = "resolved"
    """The countries of its organizations, resolved through the organization registry (for a Hub repo: of the
    organization that publishes it)."""
    LINEAGE = "lineage"
    """Hub repos: the country of the developer of the root base model it was built on."""


MODEL_ATTRIBUTIONS = (Attribution.AS_PUBLISHED, Attribution.RESOLVED)
"""The attributions of Epoch AI's models (they have no lineage)."""
HUB_ATTRIBUTIONS = (Attribution.RESOLVED, Attribution.LINEAGE)
"""The attributions of Hugging Face repos (they have no published country)."""


class Unit(StrEnum):
    """What one counted model is, under a definition."""

    FAMILY = "family"
    """A release without its size (``Qwen2.5``)."""
    RELEASE = "release"
    """A name without post-training, packaging and snapshot suffixes (``Qwen2.5-72B``)."""
    VARIANT = "variant"
    """A record (with several sources, a canonical model: one model listed by two sources is one unit)."""


class Dimension(StrEnum):
    """What a figure is broken down by (``--by``). ``open-weights`` and ``base-family`` are read as
    ``open_weights`` and ``base_family``."""

    COUNTRY = "country"
    REGION = "region"
    ORGANIZATION = "organization"
    SECTOR = "sector"
    DOMAIN = "domain"
    YEAR = "year"
    MONTH = "month"
    OPEN_WEIGHTS = "open_weights"
    PROVINCE = "province"
    BASE_FAMILY = "base_family"
    PIPELINE_TAG = "pipeline_tag"
    DERIVATIVE = "derivative"

    @classmethod
    def _missing_(cls, value: object) -> Dimension | None:
        if isinstance(value, str) and "-" in value:
            return cls._value2member_map_.get(value.replace("-", "_"))  # type: ignore[return-value]
        return None


GROUPED_DIMENSIONS = (Dimension.COUNTRY, Dimension.REGION, Dimension.ORGANIZATION, Dimension.SECTOR, Dimension.DOMAIN)
"""Epoch AI's models: the many-valued dimensions (a model can have several); a figure takes at most one."""
SCALAR_DIMENSIONS = (Dimension.YEAR, Dimension.MONTH, Dimension.OPEN_WEIGHTS)
"""Epoch AI's models: one value per model; each value has its own denominator."""
MODEL_DIMENSIONS = GROUPED_DIMENSIONS + SCALAR_DIMENSIONS
VINTAGE_DIMENSIONS = (*GROUPED_DIMENSIONS, Dimension.OPEN_WEIGHTS)
"""What a figure at every vintage is broken down by."""
HUB_GROUPED = (Dimension.COUNTRY, Dimension.REGION, Dimension.ORGANIZATION, Dimension.BASE_FAMILY)
HUB_SCALARS = (Dimension.YEAR, Dimension.MONTH, Dimension.PIPELINE_TAG, Dimension.DERIVATIVE)
HUB_DIMENSIONS = HUB_GROUPED + HUB_SCALARS
CAC_GROUPED = (Dimension.COUNTRY, Dimension.PROVINCE, Dimension.ORGANIZATION)
"""CAC filings: what a filing is grouped by (a filing has one province and one entity; under the resolved
attribution, its entity's organization may have several countries)."""
CAC_SCALARS = (Dimension.YEAR, Dimension.MONTH)
"""CAC filings: the year and month of the filing date."""
CAC_DIMENSIONS = CAC_GROUPED + CAC_SCALARS


class HubMetric(StrEnum):
    """What a Hub figure adds up."""

    MODELS = "models"
    """Repos."""
    DOWNLOADS = "downloads"
    """Downloads over the last 30 days, as the Hub reports them."""
    LIKES = "likes"


class Derivatives(StrEnum):
    """Which Hub repos: derivatives (fine-tunes, quantisations, adapters, merges) included, left out, or alone."""

    INCLUDE = "include"
    EXCLUDE = "exclude"
    ONLY = "only"


class OpenWeights(StrEnum):
    """Whether a model's weights are downloadable."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class Source(StrEnum):
    """The upstream sources, in their order of precedence (linkage names a canonical model after the first)."""

    EPOCH = "epoch"
    HUGGINGFACE = "huggingface"
    OPENROUTER = "openrouter"
    LMARENA = "lmarena"
    LITELLM = "litellm"
    TABULAR = "tabular"


DEFINITION_SOURCES = (Source.EPOCH, Source.HUGGINGFACE, Source.OPENROUTER, Source.LMARENA, Source.TABULAR)
"""The sources a census definition can count (their records are census records); ``tabular`` is every stored
tabular list, and a definition may also name one list by its source name."""


class CountSource(StrEnum):
    """What a count without a definition counts."""

    EPOCH = "epoch"
    """Epoch AI's models."""
    HUGGINGFACE = "huggingface"
    """Hugging Face Hub repos."""
    CAC = "cac"
    """China's CAC register of generative-AI services: filings (a service: a provider and its model), not models."""
    TABULAR = "tabular"
    """Every stored tabular list (a request may also name one list: its source name)."""


TABULAR_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")
"""What a tabular list's source name may be (it is a request parameter and part of ids): lower-case letters,
digits, ``_``, ``.`` and ``-``, at most 64 (as :func:`list_name` writes a name given another way)."""


def list_name(text: str) -> str:
    """A tabular list's name as the census keeps it: lower case, runs of spaces as one ``-`` (``CAC Register`` is
    ``cac-register``), so a list is named the same way at ingest, in a request and in a definition."""
    return re.sub(r"\s+", "-", text.strip().casefold())


TABULAR_ROLE = "list"
"""The role of a tabular list's snapshot: what tells a stored export of a list from the built-in sources'."""
WORLD_SAMPLE_SCOPE = "a sample of the world's models (declared by its mapping: world_sample)"
"""The scope of a tabular list's snapshot whose mapping declares ``world_sample: true``: a list of models of every
country, dated, that the all-models estimate may use as one of its lists (an undeclared list is left out)."""
BUILT_IN_SOURCES = (*(s.value for s in Source if s != Source.TABULAR), "cac", "cac-totals")
"""Sources that are not tabular lists: a list may not take one of their names."""


def source_rank(source: str) -> int:
    """A source's place in :class:`Source`'s order of precedence; a tabular list ranks as ``tabular``."""
    members = tuple(Source)
    return members.index(Source(source)) if source in members else members.index(Source.TABULAR)


class CacRecordType(StrEnum):
    """The two lists of the CAC register, never added together: a national filing (备案) of a generative-AI
    service whose model the provider runs, or a local registration (登记) of an app or service that calls a
    filed model through its API."""

    FILING = "filing"
    REGISTRATION = "registration"


PLACE_FILTERS = ("country", "region")
"""The country filter: countries (ISO codes or names, repeatable) or a region group, read under the figure's
attribution."""
PERIOD_FILTERS = ("year", "since", "until")
"""The period of a figure: a publication (for Hub repos: creation) year, or bounds."""
MODEL_FILTERS = ("notable", "frontier", "large_scale", "open_weights", "domain")
"""Filters on Epoch AI's fields (not offered for Hub repos or under a definition)."""
HUB_FILTERS = ("metric", "derivatives", "pipeline_tag")
"""Parameters of Hub figures only."""
CAC_FILTERS = ("record_type",)
"""Parameters of CAC figures only."""


class Verdict(StrEnum):
    """A published claim read at its vintage."""

    SUPPORTED = "supported"
    CONTRADICTED = "contradicted"
    CONSISTENT_AT_VINTAGE = "consistent-at-vintage"
    NOT_CHECKABLE = "not-checkable"


class EngineName(StrEnum):
    """Where figures run."""

    DUCKDB = "duckdb"
    """The DuckDB store itself (the default)."""
    SPARK = "spark"
    """Apache Spark over a Parquet export."""


class OutputFormat(StrEnum):
    """How a command prints its answer: a Rich table, CSV or JSON (``--format``)."""

    table = "table"
    csv = "csv"
    json = "json"


class ExportFormat(StrEnum):
    """The file formats of ``modelcensus export``."""

    PARQUET = "parquet"
    CSV = "csv"
    JSON = "json"
    """JSON Lines."""


E = TypeVar("E", bound=StrEnum)


def choose(kind: type[E], value: object, parameter: str, among: Sequence[E] | None = None, where: str = "") -> E:
    """``value`` as a member of ``kind`` (of ``among`` when given), else a :class:`QueryError` naming
    ``parameter``: ``rule must be one of full, fractional, primary, not 'half'``."""
    allowed = tuple(kind) if among is None else tuple(among)
    for member in allowed:
        if value == member:
            return member
    given = value.value if isinstance(value, Enum) else value
    raise QueryError(f"{parameter} must be one of {', '.join(allowed)}{where}, not {given!r}", parameter=parameter)


def either(members: Iterable[str]) -> str:
    """``full, fractional or primary``: the choices in words, for help texts."""
    words = [str(m) for m in members]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


@dataclass(frozen=True)
class Period:
    """Which units, by their year (or publication date): a year, or bounds (years or dates)."""

    year: int | None = None
    since: int | date | None = None
    until: int | date | None = None

    def describe(self) -> str:
        if self.year is not None:
            return f"of {self.year}"
        if self.since is None and self.until is None:
            return "of all years"
        return f"of {self.since or '…'}–{self.until or '…'}"

    def key(self) -> tuple[str, str, str]:
        return (str(self.year), str(self.since), str(self.until))


def unit_plural(unit: str) -> str:
    """A unit's name in the plural, for sentences: ``family`` → ``families``, ``variant`` → ``variants``."""
    return unit[:-1] + "ies" if unit.endswith("y") else unit + "s"
