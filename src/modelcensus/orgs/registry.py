"""Load the reviewed organization files and resolve names to organizations.

The resolver never guesses silently: a name is matched exactly (after normalisation), then by its
parts (``University of Montreal / Université de Montréal``, ``Meta AI (FAIR)``), then fuzzily above a
threshold with a clear winner; anything else is returned unresolved, for the user to see.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

import pycountry
from rapidfuzz import fuzz, process

from modelcensus.errors import RegistryError

SECTORS = ("industry", "academia", "government", "non-profit", "collective")
KINDS = ("organization", "individual", "community")
"""What a registry entry is. Individuals and community groups (Hub accounts) get no invented country."""
ORG_COLUMNS = ("id", "name", "countries", "sector", "parent", "aliases", "hub_handles", "note")
REGION_FILE = "region_groups.csv"
HANDLE_FILE = "hub_handles.csv"
"""Reviewed Hub handles of organizations the other files hold: ``handle,org_id,note`` (see :mod:`.handles`)."""
HANDLE_COLUMNS = ("handle", "org_id", "note")


@dataclass(frozen=True)
class OrgRecord:
    """One organization of the registry."""

    id: str
    name: str
    countries: tuple[str, ...]
    sector: str
    parent: str | None
    aliases: tuple[str, ...]
    hub_handles: tuple[str, ...]
    note: str
    file: str
    kind: str = "organization"


@dataclass(frozen=True)
class Resolution:
    """How one name was resolved. ``org`` is None when unresolved."""

    name: str
    org: OrgRecord | None
    method: str
    score: float

    @property
    def resolved(self) -> bool:
        return self.org is not None


@dataclass(frozen=True)
class RegionGroup:
    group: str
    name: str
    members: frozenset[str]
    note: str


_LEGAL_SUFFIXES = (
    "incorporated",
    "inc",
    "corporation",
    "corp",
    "company",
    "co",
    "limited",
    "ltd",
    "llc",
    "llp",
    "plc",
    "gmbh",
    "ag",
    "sa",
    "sas",
    "sarl",
    "srl",
    "spa",
    "bv",
    "nv",
    "ab",
    "oy",
    "as",
    "kk",
    "pte",
    "pty",
    "pvt",
    "private",
    "group holding",
    "holdings",
)
_CJK_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "株式会社", "주식회사", "公司")
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalise_org_name(name: str) -> str:
    """Case, punctuation, whitespace and legal suffixes (Inc., Ltd., GmbH, 有限公司, …) removed."""
    text = unicodedata.normalize("NFKC", name).casefold().strip()
    for suffix in _CJK_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
        if text.startswith(suffix) and len(text) > len(suffix):
            text = text[len(suffix) :]
    text = text.replace("&", " and ")
    words = _NON_WORD.sub(" ", text).split()
    while len(words) > 1 and words[-1] in _LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words)


def _split(value: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in value.split("|") if p.strip())


def _name_parts(name: str) -> list[str]:
    """Alternative spellings inside one cell: ``A / B`` and ``A (B)``."""
    parts: list[str] = []
    for piece in re.split(r"\s+/\s+", name):
        piece = piece.strip()
        if not piece:
            continue
        parts.append(piece)
        outer = re.sub(r"\([^)]*\)", " ", piece).strip()
        if outer and outer != piece:
            parts.append(outer)
        parts.extend(inner.strip() for inner in re.findall(r"\(([^)]*)\)", piece) if inner.strip())
    return parts


class Registry:
    """The organizations, their aliases and Hub handles, indexed for resolution."""

    def __init__(self, orgs: Iterable[OrgRecord], fuzzy_threshold: float = 93.0) -> None:
        self.orgs: dict[str, OrgRecord] = {}
        self._by_alias: dict[str, str] = {}
        self._by_handle: dict[str, str] = {}
        self.fuzzy_threshold = fuzzy_threshold
        for org in orgs:
            if org.id in self.orgs:
                other = self.orgs[org.id]
                raise RegistryError(f"{org.file}: organization id {org.id!r} also in {other.file}")
            self.orgs[org.id] = org
        for org in self.orgs.values():
            self._validate(org)
            for alias in (org.name, *org.aliases):
                key = normalise_org_name(alias)
                owner = self._by_alias.setdefault(key, org.id)
                if owner != org.id:
                    raise RegistryError(f"{org.file}: alias {alias!r} of {org.id!r} is also an alias of {owner!r}")
            for handle in org.hub_handles:
                owner = self._by_handle.setdefault(handle.casefold(), org.id)
                if owner != org.id:
                    raise RegistryError(f"{org.file}: Hub handle {handle!r} of {org.id!r} also belongs to {owner!r}")
        self._alias_keys = list(self._by_alias)

    def _validate(self, org: OrgRecord) -> None:
        where = f"{org.file}: organization {org.id!r}"
        if org.kind not in KINDS:
            raise RegistryError(f"{where}: kind {org.kind!r} is not one of {', '.join(KINDS)}")
        if org.kind != "organization" and not org.sector:
            pass  # an individual or a community group need not have a sector
        elif org.sector not in SECTORS:
            raise RegistryError(f"{where}: sector {org.sector!r} is not one of {', '.join(SECTORS)}")
        for code in org.countries:
            if pycountry.countries.get(alpha_2=code) is None:
                raise RegistryError(f"{where}: {code!r} is not an ISO 3166-1 alpha-2 code")
        if org.parent and org.parent not in self.orgs:
            raise RegistryError(f"{where}: parent {org.parent!r} is not in the registry")
        if not org.note.strip():
            raise RegistryError(f"{where}: every entry needs a note or source")

    def __len__(self) -> int:
        return len(self.orgs)

    def get(self, org_id: str) -> OrgRecord:
        return self.orgs[org_id]

    def resolve(self, name: str) -> Resolution:
        """Resolve one organization name as a source spells it."""
        key = normalise_org_name(name)
        if not key:
            return Resolution(name, None, "unresolved", 0.0)
        if key in self._by_alias:
            return Resolution(name, self.orgs[self._by_alias[key]], "exact", 100.0)
        part_ids = {
            self._by_alias[k] for k in (normalise_org_name(p) for p in _name_parts(name)) if k in self._by_alias
        }
        if len(part_ids) == 1:
            return Resolution(name, self.orgs[part_ids.pop()], "alias-part", 100.0)
        if len(part_ids) > 1:
            return Resolution(name, None, "ambiguous", 0.0)
        return self._resolve_fuzzy(name, key)

    def _resolve_fuzzy(self, name: str, key: str) -> Resolution:
        matches = process.extract(key, self._alias_keys, scorer=fuzz.ratio, limit=5, score_cutoff=self.fuzzy_threshold)
        if not matches:
            return Resolution(name, None, "unresolved", 0.0)
        best_key, best_score, _ = matches[0]
        best_id = self._by_alias[best_key]
        rivals = [s for k, s, _ in matches[1:] if self._by_alias[k] != best_id]
        if rivals and best_score - max(rivals) < 3:
            return Resolution(name, None, "ambiguous", float(best_score))
        return Resolution(name, self.orgs[best_id], "fuzzy", float(best_score))

    def resolve_hub(self, handle: str) -> OrgRecord | None:
        org_id = self._by_handle.get(handle.strip().casefold())
        return self.orgs[org_id] if org_id else None


def _read_org_file(path: Traversable | Path) -> list[OrgRecord]:
    records: list[OrgRecord] = []
    with io.StringIO(path.read_text(encoding="utf-8"), newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in ORG_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise RegistryError(f"{path.name}: missing column(s) {', '.join(missing)}")
        for row in reader:
            where = f"{path.name}, line {reader.line_num}"
            org_id = (row["id"] or "").strip()
            if not org_id:
                raise RegistryError(f"{where}: empty id")
            records.append(
                OrgRecord(
                    id=org_id,
                    name=row["name"].strip(),
                    countries=tuple(c.strip().upper() for c in row["countries"].split(";") if c.strip()),
                    sector=row["sector"].strip(),
                    parent=row["parent"].strip() or None,
                    aliases=_split(row["aliases"]),
                    hub_handles=_split(row["hub_handles"]),
                    note=row["note"] or "",
                    file=path.name,
                    kind=(row.get("kind") or "organization").strip(),
                )
            )
    return records


def _data_files(extra: Iterable[Path] = ()) -> list[Traversable | Path]:
    folder = resources.files("modelcensus.orgs.data")
    files: list[Traversable | Path] = sorted(
        (f for f in folder.iterdir() if f.name.endswith(".csv") and f.name not in (REGION_FILE, HANDLE_FILE)),
        key=lambda f: f.name,
    )
    files.extend(extra)
    return files


def _with_handle_file(orgs: list[OrgRecord], path: Traversable | Path | None = None) -> list[OrgRecord]:
    """``orgs`` with the handles of the reviewed handle file (the packaged one unless ``path``) added to their
    organizations' own."""
    path = path or resources.files("modelcensus.orgs.data").joinpath(HANDLE_FILE)
    if not path.is_file():
        return orgs
    by_id = {org.id: org for org in orgs}
    owners = {h.casefold(): org.id for org in orgs for h in org.hub_handles}
    added: dict[str, list[str]] = {}
    with io.StringIO(path.read_text(encoding="utf-8"), newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in HANDLE_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise RegistryError(f"{HANDLE_FILE}: missing column(s) {', '.join(missing)}")
        for row in reader:
            where = f"{HANDLE_FILE}, line {reader.line_num}"
            hub, org_id, note = ((row[c] or "").strip() for c in HANDLE_COLUMNS)
            if not hub or not org_id:
                raise RegistryError(f"{where}: field 'handle' and field 'org_id' are both required")
            if org_id not in by_id:
                raise RegistryError(f"{where}: field 'org_id': {org_id!r} is not in the registry")
            if not note:
                raise RegistryError(f"{where}: field 'note': every handle needs a note or source")
            owner = owners.get(hub.casefold())
            if owner is not None:
                raise RegistryError(f"{where}: field 'handle': {hub!r} already belongs to {owner!r}")
            owners[hub.casefold()] = org_id
            added.setdefault(org_id, []).append(hub)
    return [replace(o, hub_handles=(*o.hub_handles, *added[o.id])) if o.id in added else o for o in orgs]


def load_registry(extra_files: Iterable[Path] = (), fuzzy_threshold: float = 93.0) -> Registry:
    """The packaged registry (with the reviewed Hub handles) plus any user files with the same columns."""
    extra = tuple(extra_files)
    if not extra:
        return _packaged_registry(fuzzy_threshold)
    orgs = [org for path in _data_files(extra) for org in _read_org_file(path)]
    return Registry(_with_handle_file(orgs), fuzzy_threshold)


@lru_cache(maxsize=4)
def _packaged_registry(fuzzy_threshold: float) -> Registry:
    orgs = [org for path in _data_files() for org in _read_org_file(path)]
    return Registry(_with_handle_file(orgs), fuzzy_threshold)


@lru_cache(maxsize=1)
def load_region_groups() -> dict[str, RegionGroup]:
    """Region groups (EU-27, Europe, …) from the reviewed ``region_groups.csv``."""
    path = resources.files("modelcensus.orgs.data").joinpath(REGION_FILE)
    groups: dict[str, RegionGroup] = {}
    with io.StringIO(path.read_text(encoding="utf-8"), newline="") as handle:
        for row in csv.DictReader(handle):
            members = frozenset(m.strip().upper() for m in row["members"].split(";") if m.strip())
            groups[row["group"].strip()] = RegionGroup(row["group"].strip(), row["name"].strip(), members, row["note"])
    return groups
