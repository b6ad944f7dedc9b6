"""Every error class of the package: one root exception; subclasses also inherit the matching builtin (as Ibis
does).

The CLI turns any :class:`ModelCensusError` into a one-line message and a non-zero exit code; the API answers a
:class:`QueryError` with a 422 whose field is its ``parameter``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol


class ModelCensusError(Exception):
    """Root of every error this package raises on purpose."""


class InputFormatError(ModelCensusError, ValueError):
    """A source file cannot be read as what it claims to be.

    Carries where the problem is so the message can point the user at it.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: str | None = None,
    ) -> None:
        self.file = file
        self.line = line
        self.column = column
        self.reason = message
        where = []
        if file:
            where.append(str(file))
        if line is not None:
            where.append(f"line {line}")
        if column:
            where.append(f"column {column!r}")
        prefix = ": ".join([", ".join(where)]) if where else ""
        super().__init__(f"{prefix}: {message}" if prefix else message)


class SourceUnavailableError(ModelCensusError, ConnectionError):
    """A live source could not be fetched (after retries)."""


class StoppedHarvest(Protocol):
    """What a stopped Hub crawl says of itself (``sources.huggingface.Harvest``)."""

    @property
    def path(self) -> Path: ...
    @property
    def items(self) -> int: ...
    @property
    def pages(self) -> int: ...


class HarvestStopped(SourceUnavailableError):
    """A crawl ended before its last page (asked to stop); ``--resume`` continues it."""

    def __init__(self, harvest: StoppedHarvest) -> None:
        self.harvest = harvest
        super().__init__(
            f"harvest stopped after {harvest.pages} pages ({harvest.items} repos), kept in {harvest.path}; "
            "run again with --resume to continue from its last cursor"
        )


class RegistryError(ModelCensusError, ValueError):
    """The organization registry's data files are inconsistent."""


class QueryError(ModelCensusError, ValueError):
    """A read request names an unknown dimension, filter value or option.

    ``parameter`` names the request parameter at fault (``country``, ``as_of``, ``by``…) when there is one: the
    API answers 422 with it as the field, the CLI names its option.
    """

    def __init__(self, message: str, *, parameter: str | None = None) -> None:
        self.parameter = parameter
        super().__init__(message)


class UnknownGroupError(QueryError):
    """A profile names a country or organization the census does not know (the API answers 404)."""


class NotFound(ModelCensusError, LookupError):
    """No canonical model, record or definition has this id (the API answers 404)."""


class StoreError(ModelCensusError, RuntimeError):
    """The census store is missing, empty or not a modelcensus store."""


class RouteTimeout(ModelCensusError, TimeoutError):
    """A request took longer than the API's time limit (the API answers 503)."""


class EngineUnavailableError(ModelCensusError, RuntimeError):
    """The chosen engine cannot start here (pyspark or Java missing, master unreachable)."""


class StoreOnlyError(ModelCensusError, NotImplementedError):
    """The operation needs the DuckDB store itself (ingest, linkage, the registry's refresh, an export), and this
    census is a Parquet export read by another engine (Spark): open the DuckDB store for it."""

    def __init__(self, operation: str, location: str) -> None:
        self.operation = operation
        self.location = location
        super().__init__(
            f"{operation} needs the DuckDB store; this census is a Parquet export read by Spark ({location}): "
            "open the DuckDB store (engine='duckdb') for it"
        )


QUOTED_LENGTH = 60
"""How much of a value a user gave an error message repeats (its ``repr``): enough to recognise it."""


def quoted(value: object, limit: int = QUOTED_LENGTH) -> str:
    """``repr(value)`` for an error message, cut to ``limit`` characters with its length when longer: an error never
    echoes 60,000 characters back (``'xxxx…' (60,000 characters)``)."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) <= limit:
        return repr(value)
    return f"{text[:limit]!r}… ({len(text):,} characters)"
