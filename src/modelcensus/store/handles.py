"""Hub handles in the store: every handle the census knows, resolved (:mod:`modelcensus.orgs.handles`), and the
Hub profiles a live harvest asked for.

``hub_handles`` holds one row per handle: the authors of stored Hub repos, the authors of their root base models,
and the handles Epoch AI (``Hugging Face developer id``) and OpenRouter (``hugging_face_id``) name, each with its
organization, kind, ``method``, ``score`` and ``detail``. It is recomputed whenever the registry is (every ingest),
from the registry, the stored sources' evidence and the stored profiles, so figures never resolve handles again.
"""

from __future__ import annotations

import hashlib
import json
import weakref
from datetime import UTC

import duckdb
import pandas as pd

from modelcensus.orgs import Registry
from modelcensus.orgs.handles import RESOLVER_VERSION, HandleEvidence, HandleResolver
from modelcensus.sources.hub_profiles import HubProfile
from modelcensus.store.meta import HANDLES_FINGERPRINT_KEY

SCHEMA = """
CREATE TABLE IF NOT EXISTS hub_handles (
    handle VARCHAR PRIMARY KEY, org_id VARCHAR, kind VARCHAR, method VARCHAR, score DOUBLE, detail VARCHAR);
CREATE TABLE IF NOT EXISTS hub_profiles (
    handle VARCHAR PRIMARY KEY, kind VARCHAR, fullname VARCHAR, endpoint VARCHAR, fetched_at TIMESTAMP);
"""
FINGERPRINT_KEY = HANDLES_FINGERPRINT_KEY
"""The ``meta`` key of a digest of the stored resolutions: what the census records depend on besides the exports."""
INPUTS_KEY = "hub_handles_inputs"
"""The ``meta`` key of the registry and resolver the stored resolutions were made under."""
SPECIAL_KEY = "hub_handles_special"
"""The ``meta`` key of the handles (case-folded) with evidence or a profile when they were last resolved."""

_EVIDENCE_SQL = """
SELECT DISTINCT m.hf_developer_id AS handle, 'epoch' AS source, m.name AS model,
       list(o.org_name ORDER BY o.position) AS organizations, NULL AS vendor
FROM models m JOIN model_orgs o USING (export_id, model_key)
WHERE m.hf_developer_id IS NOT NULL AND trim(m.hf_developer_id) <> '' AND o.org_name IS NOT NULL
GROUP BY m.export_id, m.model_key, m.hf_developer_id, m.name
UNION ALL
SELECT DISTINCT split_part(hf_id, '/', 1), 'openrouter', hf_id, [organization], split_part(source_id, '/', 1)
FROM catalog_records
WHERE source = 'openrouter' AND contains(hf_id, '/') AND organization IS NOT NULL
"""


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    """A store of an earlier version keeps its handles; the columns added since are filled at the next refresh."""
    columns = {str(r[0]) for r in con.execute("DESCRIBE hub_handles").fetchall()}
    for column, kind in (("method", "VARCHAR"), ("score", "DOUBLE"), ("detail", "VARCHAR")):
        if column not in columns:
            con.execute(f"ALTER TABLE hub_handles ADD COLUMN {column} {kind}")


def evidence(con: duckdb.DuckDBPyConnection) -> list[HandleEvidence]:
    """What the stored Epoch and OpenRouter exports say of the models under each handle (every stored export)."""
    rows = con.execute(_EVIDENCE_SQL).fetchall()
    found = {
        HandleEvidence(str(h).strip(), str(s), str(m), tuple(str(o) for o in orgs or ()), str(v) if v else None)
        for h, s, m, orgs, v in rows
    }
    return sorted(found, key=lambda e: (e.handle, e.source, e.model))


def profiles(con: duckdb.DuckDBPyConnection) -> list[HubProfile]:
    rows = con.execute("SELECT handle, kind, fullname, endpoint, fetched_at FROM hub_profiles ORDER BY 1").fetchall()
    return [HubProfile(str(h), str(k), f, str(e), t.replace(tzinfo=UTC)) for h, k, f, e, t in rows]


def refresh(con: duckdb.DuckDBPyConnection, registry: Registry, registry_key: str) -> None:
    """Resolve every handle the store knows into ``hub_handles`` (dropping the handles it no longer knows).

    A handle's resolution depends on the registry (``registry_key``, its fingerprint), the sources' evidence under
    the handle and its Hub profile. Handles resolved under the same registry, with neither evidence nor a profile
    then or now, keep their stored resolution: a new export resolves only the handles it brings (or those its
    evidence is about), not the Hub's hundreds of thousands again; the table changes only where a handle does."""
    items = evidence(con)
    stored_profiles = profiles(con)
    special = sorted(
        {e.handle.strip().casefold() for e in items} | {p.handle.strip().casefold() for p in stored_profiles}
    )
    handles = sorted(
        {
            str(r[0]).strip()
            for r in con.execute(
                "SELECT DISTINCT author FROM hub_models WHERE author IS NOT NULL "
                "UNION SELECT DISTINCT root_author FROM hub_roots WHERE root_author IS NOT NULL"
            ).fetchall()
        }
        | {e.handle for e in items}
    )
    inputs = f"{registry_key}|{RESOLVER_VERSION}"
    same = _meta(con, INPUTS_KEY) == inputs
    stored: set[str] = set()
    before: set[str] = set()
    if same:
        before = set(json.loads(_meta(con, SPECIAL_KEY) or "[]")) | set(special)
        stored = {str(h) for (h,) in con.execute("SELECT handle FROM hub_handles").fetchall()}
    wanted = set(handles)
    again = {h for h in stored if h.casefold() in before}
    redo = sorted((wanted - stored) | (again & wanted))
    if not same:
        con.execute("DELETE FROM hub_handles")
    elif (stored - wanted) | again:
        gone = pd.DataFrame({"handle": sorted((stored - wanted) | again)}, dtype=object)
        _frame(con, "DELETE FROM hub_handles WHERE handle IN (SELECT handle FROM incoming_handles)", gone)
    resolver = HandleResolver(registry, items, stored_profiles)
    rows = []
    for handle in redo:
        res = resolver.resolve(handle)
        rows.append((handle, res.org.id if res.org else None, res.kind, res.method, round(res.score, 2), res.detail))
    frame = pd.DataFrame(rows, columns=["handle", "org_id", "kind", "method", "score", "detail"])
    if len(frame):
        _frame(con, "INSERT INTO hub_handles BY NAME SELECT * FROM incoming_handles", frame)
    digest = con.execute(
        "SELECT md5(coalesce(string_agg(concat_ws('|', handle, org_id, kind, method, score, detail), '\n' "
        "ORDER BY handle), '')) FROM hub_handles"
    ).fetchall()[0][0]
    for key, value in ((FINGERPRINT_KEY, str(digest)[:16]), (INPUTS_KEY, inputs), (SPECIAL_KEY, json.dumps(special))):
        con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])


def _frame(con: duckdb.DuckDBPyConnection, sql: str, frame: pd.DataFrame) -> None:
    """Run ``sql`` with ``frame`` as the table ``incoming_handles``."""
    con.register("incoming_handles", frame)
    try:
        con.execute(sql)
    finally:
        con.unregister("incoming_handles")


def _meta(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    rows = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchall()
    return str(rows[0][0]) if rows else None


def save_profiles(con: duckdb.DuckDBPyConnection, found: list[HubProfile]) -> None:
    """Keep the profiles fetched (a handle asked again keeps its newest answer)."""
    for p in found:
        con.execute(
            "INSERT OR REPLACE INTO hub_profiles VALUES (?, ?, ?, ?, ?)",
            [p.handle, p.kind, p.fullname, p.endpoint, p.fetched_at.astimezone(UTC).replace(tzinfo=None)],
        )


def to_profile(con: duckdb.DuckDBPyConnection, limit: int) -> list[str]:
    """The unresolved handles with no stored profile, the most downloaded first (as authors of repos or of their
    lineage roots), at most ``limit``."""
    rows = con.execute(
        """
        WITH downloads AS (
            SELECT author AS handle, sum(coalesce(downloads, 0)) AS n FROM hub_models GROUP BY 1
            UNION ALL
            SELECT r.root_author, sum(coalesce(m.downloads, 0)) FROM hub_roots r JOIN hub_models m USING (repo_id)
            GROUP BY 1
        )
        SELECT h.handle FROM hub_handles h
        LEFT JOIN (SELECT handle, sum(n) AS n FROM downloads GROUP BY 1) d USING (handle)
        WHERE h.org_id IS NULL AND h.kind IS NULL
          AND h.handle NOT IN (SELECT handle FROM hub_profiles)
          AND (h.handle IN (SELECT author FROM hub_models) OR h.handle IN (SELECT root_author FROM hub_roots))
        ORDER BY coalesce(d.n, 0) DESC, h.handle
        LIMIT ?
        """,
        [limit],
    ).fetchall()
    return [str(r[0]) for r in rows]


_FINGERPRINTS: weakref.WeakKeyDictionary[Registry, tuple[tuple[object, ...], str]] = weakref.WeakKeyDictionary()
"""Each loaded registry's fingerprint, with the organizations it was taken of: a figure asks for it on every read
(the links' key names it), and hashing every organization each time cost a build a quarter of a second."""


def registry_fingerprint(registry: Registry) -> str:
    orgs = tuple(registry.orgs.values())
    known = _FINGERPRINTS.get(registry)
    if known is not None and len(known[0]) == len(orgs) and all(a is b for a, b in zip(known[0], orgs, strict=True)):
        return known[1]  # the same organization records (they are frozen): the same fingerprint
    digest = hashlib.sha256(f"handles {RESOLVER_VERSION}".encode())
    for org in sorted(orgs, key=lambda o: o.id):
        natives = tuple(n.name for n in org.native_names)
        fields = (org.id, org.name, org.countries, org.sector, org.parent, org.aliases, org.hub_handles, org.kind)
        digest.update(repr((*fields, natives)).encode())
    fingerprint = digest.hexdigest()[:16]
    _FINGERPRINTS[registry] = (orgs, fingerprint)
    return fingerprint
