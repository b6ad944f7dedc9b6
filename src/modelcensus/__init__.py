"""modelcensus: the open, reproducible census of the world's AI models.

>>> import modelcensus as mc
>>> census = mc.open("census.duckdb")            # doctest: +SKIP
>>> figure = census.count(by="country", year=2024, notable=True)  # doctest: +SKIP
>>> figure.frame, figure.provenance.rule_text  # doctest: +SKIP
"""

from modelcensus.census import BuildReport, Census, Figure, IngestReport, Provenance, build, open  # noqa: A004
from modelcensus.config import Config
from modelcensus.errors import (
    InputFormatError,
    ModelCensusError,
    QueryError,
    RegistryError,
    SourceUnavailableError,
    StoreError,
)
from modelcensus.queries import CountRequest, ModelsRequest

__version__ = "0.1.0"

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
