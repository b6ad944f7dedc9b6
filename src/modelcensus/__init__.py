"""modelcensus: the open, reproducible census of the world's AI models.

>>> import modelcensus as mc
>>> census = mc.open("census.duckdb")            # doctest: +SKIP
>>> figure = census.count(by="country", year=2024, notable=True)  # doctest: +SKIP
>>> figure.frame, figure.provenance.rule_text  # doctest: +SKIP

The names below are loaded on first use (PEP 562): ``import modelcensus`` costs milliseconds, and the facade (the
store, Ibis, pandas, SciPy: seconds) is imported by the first ``mc.open``, ``mc.Census`` or ``mc.census``, so
that ``modelcensus --help`` and the commands that do not read the census start at once.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from modelcensus.errors import (
    InputFormatError,
    ModelCensusError,
    QueryError,
    RegistryError,
    SourceUnavailableError,
    StoreError,
)

if TYPE_CHECKING:
    from modelcensus import census as census
    from modelcensus.census import BuildReport, Census, Figure, IngestReport, Provenance, build, open  # noqa: A004
    from modelcensus.config import Config
    from modelcensus.queries import CountRequest, ModelsRequest

__version__ = "0.1.0"

_LAZY = {
    "BuildReport": "modelcensus.census",
    "Census": "modelcensus.census",
    "Figure": "modelcensus.census",
    "IngestReport": "modelcensus.census",
    "Provenance": "modelcensus.census",
    "build": "modelcensus.census",
    "open": "modelcensus.census",
    "Config": "modelcensus.config",
    "CountRequest": "modelcensus.queries",
    "ModelsRequest": "modelcensus.queries",
}
"""Each public name loaded on first use, and the module that defines it."""


def __getattr__(name: str) -> Any:
    """Import the facade (or the module of ``name``) when a name of it is first asked for."""
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    if name == "census":  # the facade module itself (``mc.census.load_registry``); importing binds it here
        return importlib.import_module("modelcensus.census")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY, "census"})


__all__ = [
    "BuildReport",
    "Census",
    "Config",
    "CountRequest",
    "Figure",
    "IngestReport",
    "InputFormatError",
    "ModelCensusError",
    "ModelsRequest",
    "Provenance",
    "QueryError",
    "RegistryError",
    "SourceUnavailableError",
    "StoreError",
    "__version__",
    "build",
    "open",
]
