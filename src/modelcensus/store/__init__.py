"""The one place that talks to the storage engine: the schema, copy-on-write snapshots of the file, ingest
transactions (:mod:`.core`), the census records behind definitions (:mod:`.population`) and exports to
Parquet, CSV or JSON Lines (:mod:`.export`)."""

from modelcensus.store.copy_on_write import WRITING_MARK, writer_lock_path
from modelcensus.store.core import IngestResult, Store
from modelcensus.store.handles import registry_fingerprint
from modelcensus.store.links import LinkSummary

__all__ = ["WRITING_MARK", "IngestResult", "LinkSummary", "Store", "registry_fingerprint", "writer_lock_path"]
