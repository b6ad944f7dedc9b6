"""Sources → records → store: each source's loader (:mod:`.loaders`) and the ``build`` pipeline (:mod:`.pipeline`),
callable from the library (``mc.build(from_dir)``) as from the CLI; what they report (:mod:`.reports`)."""

from modelcensus.ingest.loaders import Loader
from modelcensus.ingest.pipeline import build
from modelcensus.ingest.reports import BuildReport, Failure, IngestReport, Progress

__all__ = ["BuildReport", "Failure", "IngestReport", "Loader", "Progress", "build"]
