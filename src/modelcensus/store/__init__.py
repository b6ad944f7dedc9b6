"""The one place that talks to the storage engine: the schema, copy-on-write snapshots of the file, ingest
transactions (:mod:`.core`), the census records behind definitions (:mod:`.population`) and exports to
Parquet, CSV or JSON Lines (:mod:`.export`).

The names below are loaded on first use (PEP 562), as the package's own are: the light modules (:mod:`.kept`,
:mod:`.meta`) are read by ``check`` without the store, pandas or Ibis."""

from __future__ import annotations

from typing import TYPE_CHECKING

from modelcensus.lazy import lazy_names

if TYPE_CHECKING:
    from modelcensus.store.copy_on_write import WRITING_MARK, writer_lock_path
    from modelcensus.store.core import IngestResult, Store
    from modelcensus.store.handles import registry_fingerprint
    from modelcensus.store.links import LinkSummary

_LAZY = {
    "WRITING_MARK": "modelcensus.store.copy_on_write",
    "writer_lock_path": "modelcensus.store.copy_on_write",
    "IngestResult": "modelcensus.store.core",
    "Store": "modelcensus.store.core",
    "registry_fingerprint": "modelcensus.store.handles",
    "LinkSummary": "modelcensus.store.links",
}


__getattr__, __dir__ = lazy_names(__name__, _LAZY)

__all__ = ["WRITING_MARK", "IngestResult", "LinkSummary", "Store", "registry_fingerprint", "writer_lock_path"]
