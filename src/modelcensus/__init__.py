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

from typing import TYPE_CHECKING

from modelcensus.errors import (
    InputFormatError,
    ModelCensusError,
    QueryError,
    RegistryError,
    SourceUnavailableError,
    StoreError,
)
from modelcensus.lazy import lazy_names

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


__getattr__, __dir__ = lazy_names(__name__, _LAZY, {"census": "modelcensus.census"})
"""The facade module itself is ``mc.census`` (``mc.census.load_registry``): importing it binds it here."""

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
