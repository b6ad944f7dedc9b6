"""Verdicts a build kept, found in SQL alone.

``build`` keeps the verdicts of the example claims (:func:`modelcensus.claims.check.keep_verdicts`) under a key made
of what a command can read from the store's own tables and the package without opening the census: the package's
code and reviewed data (:func:`~modelcensus.provenance.package_code`); the state of the data (the stored exports
and the key of the census records made of them); the stored resolutions of Hub handles; the registry files of the
configuration; the claims file with the definitions. The key of the census records is a function of these (the
linkage and population rules are in the package, the registry is the packaged one with the configured files), so
when all are as they were, a full check would find the census records current and read these very verdicts.

``check`` asks :func:`read_kept_verdicts` first: about a second instead of three, as the store, Ibis and pandas are
not imported. Anything else (another state of the data, a check as of a date, a store that cannot be read, a claims
or definitions file that does not load) is left to the full check, which says what is wrong.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb

from modelcensus.config import Config
from modelcensus.definitions import Definition, load_definitions
from modelcensus.errors import ModelCensusError
from modelcensus.provenance import inputs_digest, package_code
from modelcensus.store import kept as store_kept
from modelcensus.store import meta as store_meta


def claims_digest(definitions: Mapping[str, Definition], path: Path) -> str:
    """A digest of a claims file and the definitions its claims are read under."""
    described = json.dumps(
        [(d.name, d.sources, d.filters, d.unit, d.rule, d.attribution) for d in definitions.values()], default=str
    )
    return hashlib.sha256((described + path.read_text(encoding="utf-8")).encode()).hexdigest()


def verdicts_key(con: duckdb.DuckDBPyConnection, config: Config, path: Path) -> str:
    """The key a build keeps a claims file's verdicts under, read from the store of ``con`` (see the module
    docstring); its third item is the state of the data, as :meth:`~modelcensus.figures.reader.Reader.state` names a
    current store's."""
    state = store_meta.data_state(store_meta.export_ids(con), store_meta.value(con, store_meta.POPULATION_KEY))
    return json.dumps(
        [
            "verdicts",
            package_code(),
            state,
            claims_digest(load_definitions(config.definition_paths), path),
            inputs_digest(config.registry_paths, config.fuzzy_threshold),
            store_meta.value(con, store_meta.HANDLES_FINGERPRINT_KEY),
        ]
    )


def kept_verdicts(con: duckdb.DuckDBPyConnection, config: Config, path: Path) -> list[dict[str, Any]] | None:
    """The verdicts kept in the store of ``con`` for this state of the data, code, configuration and claims file;
    None when none were kept."""
    if not store_kept.has_index(con):  # a store without kept tables: the key is not even worth making
        return None
    row = store_kept.kept_row(con, verdicts_key(con, config, path))
    if row is None:
        return None
    verdicts: list[dict[str, Any]] = json.loads(str(row[0]))
    return verdicts


def read_kept_verdicts(config: Config, path: Path) -> list[dict[str, Any]] | None:
    """:func:`kept_verdicts` of the store of ``config`` (``config.db_path``), opened read-only for the look-up alone;
    None also when the store or the files cannot be read here: the full check then says why."""
    if not config.db_path.is_file():
        return None
    try:
        con = store_meta.attach_read_only(config.db_path)
    except duckdb.Error:
        return None
    try:
        return kept_verdicts(con, config, path)
    except (duckdb.Error, OSError, UnicodeDecodeError, ModelCensusError):
        return None
    finally:
        con.close()
