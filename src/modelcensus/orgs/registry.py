"""Load the reviewed organization files and resolve names to organizations.

The resolver never guesses silently: a name is matched exactly (after normalisation, against names, aliases and
native names), then by its parts (``University of Montreal / Université de Montréal``, ``Meta AI (FAIR)``), then a
Chinese name by its keys (:mod:`modelcensus.orgs.chinese`: legal form, places and industry words set aside), then
fuzzily above a threshold with a clear winner. Two organizations that tie leave the name ``ambiguous``; anything
else is returned unresolved, for the user to see.
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

from modelcensus.errors import QueryError, RegistryError
from modelcensus.orgs.chinese import GREATER_CHINA, PLACES_FILE, ChineseIndex, has_cjk, parse_zh_name
from modelcensus.records import requested_country

SECTORS = ("industry", "academia", "government", "non-profit", "collective")
KINDS = ("organization", "individual", "community")
"""What a registry entry is. Individuals and community groups (Hub accounts) get no invented country."""
ORG_COLUMNS = ("id", "name", "countries", "sector", "parent", "aliases", "hub_handles", "note")
REGION_FILE = "region_groups.csv"
MAX_PARENT_DEPTH = 6
"""How many levels an organization may sit below its top organization (a unit of a lab of a subsidiary of a group
is 3): figures follow the parents this far (:mod:`modelcensus.metrics.organizations`)."""
HANDLE_FILE = "hub_handles.csv"
"""Reviewed Hub handles of organizations the other files hold: ``handle,org_id,note`` (see :mod:`.handles`)."""
HANDLE_COLUMNS = ("handle", "org_id", "note")

NATIVE_FILE = "native_names.csv"
NATIVE_COLUMNS = ("id", "name", "kind", "lang", "note")
NATIVE_KINDS = ("common", "former", "legal")
"""What a native name is: a name in common use, a former name, or a legal entity name as filed with regulators
(the organization's own, or that of the operating company through which it files its services)."""
_LANG = re.compile(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-[A-Z]{2})?$")


@dataclass(frozen=True)
class NativeName:
    """A name of an organization in its own language and script (常用名, 曾用名, 法定名称)."""

    org_id: str
    name: str
    kind: str
    lang: str
    note: str
    file: str
    line: int

    @property
    def where(self) -> str:
        return f"{self.file}, line {self.line}"


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
    line: int | None = None
    native_names: tuple[NativeName, ...] = ()

    @property
    def where(self) -> str:
        return f"{self.file}, line {self.line}" if self.line else self.file

    @property
    def all_names(self) -> tuple[str, ...]:
        """The name, the aliases and the native names."""
        return (self.name, *self.aliases, *(n.name for n in self.native_names))


@dataclass(frozen=True)
class Resolution:
    """How one name was resolved. ``org`` is None when unresolved; ``method`` says how (exact, native, legal,
    alias-part, zh-normalised, zh-core, contains, fuzzy; or ambiguous, unresolved) and ``candidates`` lists the
    ids of the organizations an ambiguous name could be."""

    name: str
    org: OrgRecord | None
    method: str
    score: float
    candidates: tuple[str, ...] = ()

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
    """Case, punctuation, whitespace and legal suffixes (Inc., Ltd., GmbH, 有限公司, …) removed; full-width
    characters made half-width. Traditional characters are left as they are here (東北大学 is Tohoku University in
    Japanese): the Chinese keys of :mod:`modelcensus.orgs.chinese` simplify them."""
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
    """Alternative spellings inside one cell: ``A / B`` and ``A (B)`` (full-width brackets too)."""
    parts: list[str] = []
    for piece in re.split(r"\s+/\s+", unicodedata.normalize("NFKC", name)):
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
    """The organizations, their aliases, native names and Hub handles, indexed for resolution."""

    def __init__(
        self,
        orgs: Iterable[OrgRecord],
        fuzzy_threshold: float = 93.0,
        native_names: Iterable[NativeName] = (),
    ) -> None:
        self.orgs: dict[str, OrgRecord] = {}
        self._by_alias: dict[str, str] = {}
        self._native: dict[str, NativeName] = {}
        self._by_handle: dict[str, str] = {}
        self.fuzzy_threshold = fuzzy_threshold
        for org in orgs:
            if org.id in self.orgs:
                other = self.orgs[org.id]
                raise RegistryError(f"{org.where}: organization id {org.id!r} also in {other.where}")
            self.orgs[org.id] = org
        self._attach_native_names(native_names)
        for org in self.orgs.values():
            self._validate(org)
            for alias in (org.name, *org.aliases):
                key = normalise_org_name(alias)
                owner = self._by_alias.setdefault(key, org.id)
                if owner != org.id:
                    raise RegistryError(
                        f"{org.where}: alias {alias!r} of {org.id!r} is also an alias of {owner!r}"
                        f" ({self.orgs[owner].where})"
                    )
            for handle in org.hub_handles:
                owner = self._by_handle.setdefault(handle.casefold(), org.id)
                if owner != org.id:
                    raise RegistryError(f"{org.where}: Hub handle {handle!r} of {org.id!r} also belongs to {owner!r}")
        for org in self.orgs.values():
            for native in org.native_names:
                key = normalise_org_name(native.name)
                owner = self._by_alias.setdefault(key, org.id)
                if owner != org.id:
                    raise RegistryError(
                        f"{native.where}, field 'name': {native.name!r} of {org.id!r} is also a name of {owner!r}"
                        f" ({self.orgs[owner].where})"
                    )
                self._native.setdefault(key, native)
        self._alias_keys = list(self._by_alias)
        self._chinese_index: ChineseIndex | None = None

    @property
    def _chinese(self) -> ChineseIndex:
        """The keys of every name for Chinese names, built the first time a Chinese name is resolved (most runs
        resolve none and need not pay for it)."""
        if self._chinese_index is None:
            index = ChineseIndex({o.id: o.countries for o in self.orgs.values()})
            for org in self.orgs.values():
                for name in org.all_names:
                    index.add(name, org.id)
            self._chinese_index = index
        return self._chinese_index

    def _attach_native_names(self, native_names: Iterable[NativeName]) -> None:
        by_org: dict[str, list[NativeName]] = {}
        seen: dict[tuple[str, str], NativeName] = {}
        for native in native_names:
            if native.org_id not in self.orgs:
                raise RegistryError(f"{native.where}, field 'id': {native.org_id!r} is not an organization id")
            if not native.name.strip():
                raise RegistryError(f"{native.where}, field 'name': empty name")
            if native.kind not in NATIVE_KINDS:
                raise RegistryError(
                    f"{native.where}, field 'kind': {native.kind!r} is not one of {', '.join(NATIVE_KINDS)}"
                )
            if not _LANG.match(native.lang):
                raise RegistryError(
                    f"{native.where}, field 'lang': {native.lang!r} is not a language tag (zh-Hans, zh-Hant, ja, ko…)"
                )
            if not native.note.strip():
                raise RegistryError(f"{native.where}, field 'note': every native name needs a note or source")
            key = (native.org_id, unicodedata.normalize("NFKC", native.name).casefold().strip())
            if key in seen:
                raise RegistryError(
                    f"{native.where}, field 'name': {native.name!r} of {native.org_id!r} is listed twice"
                    f" (also {seen[key].where})"
                )
            seen[key] = native
            by_org.setdefault(native.org_id, []).append(native)
        for org_id, names in by_org.items():
            org = self.orgs[org_id]
            self.orgs[org_id] = replace(org, native_names=(*org.native_names, *names))

    def _validate(self, org: OrgRecord) -> None:
        where = f"{org.where}: organization {org.id!r}"
        if org.kind not in KINDS:
            raise RegistryError(f"{where}, field 'kind': {org.kind!r} is not one of {', '.join(KINDS)}")
        if org.kind != "organization" and not org.sector:
            pass  # an individual or a community group need not have a sector
        elif org.sector not in SECTORS:
            raise RegistryError(f"{where}, field 'sector': {org.sector!r} is not one of {', '.join(SECTORS)}")
        for code in org.countries:
            if pycountry.countries.get(alpha_2=code) is None:
                raise RegistryError(f"{where}, field 'countries': {code!r} is not an ISO 3166-1 alpha-2 code")
        if org.parent and org.parent not in self.orgs:
            raise RegistryError(f"{where}, field 'parent': {org.parent!r} is not in the registry")
        if len(self.ancestors(org.id)) > MAX_PARENT_DEPTH:
            raise RegistryError(
                f"{where}, field 'parent': more than {MAX_PARENT_DEPTH} levels below its top organization "
                f"({' > '.join(reversed(self.ancestors(org.id)))})"
            )
        if not org.note.strip():
            raise RegistryError(f"{where}, field 'note': every entry needs a note or source")

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
            native = self._native.get(key)
            method = "exact" if native is None or not self._is_native_only(key) else _native_method(native)
            return Resolution(name, self.orgs[self._by_alias[key]], method, 100.0)
        part_ids = {
            self._by_alias[k] for k in (normalise_org_name(p) for p in _name_parts(name)) if k in self._by_alias
        }
        if part_ids and has_cjk(name) and (parsed := parse_zh_name(name)) is not None and parsed.mainland:
            # 特斯拉（上海）有限公司 is a company of China, whatever 特斯拉 alone names
            part_ids = {i for i in part_ids if GREATER_CHINA.intersection(self.orgs[i].countries)}
        if part_ids:
            return self._decide(name, frozenset(part_ids), "alias-part", 100.0)
        if has_cjk(name):
            match = self._chinese.match(name)
            if match is not None:
                return self._decide(name, match.org_ids, match.method, match.score)
        return self._resolve_fuzzy(name, key)

    def _is_native_only(self, key: str) -> bool:
        org = self.orgs[self._by_alias[key]]
        return all(normalise_org_name(a) != key for a in (org.name, *org.aliases))

    def _decide(self, name: str, ids: frozenset[str], method: str, score: float) -> Resolution:
        """One organization; or several of which one is the parent (or an ancestor) of all the others, which then
        stands for them; otherwise ambiguous, with the candidates listed."""
        if len(ids) == 1:
            return Resolution(name, self.orgs[next(iter(ids))], method, score)
        for candidate in sorted(ids):
            if all(other == candidate or candidate in self.ancestors(other) for other in ids):
                return Resolution(name, self.orgs[candidate], method, score)
        return Resolution(name, None, "ambiguous", 0.0, tuple(sorted(ids)))

    def ancestors(self, org_id: str) -> list[str]:
        """The parent, its parent, … of an organization (nearest first)."""
        found: list[str] = []
        parent = self.orgs[org_id].parent
        while parent and parent not in found and parent != org_id and parent in self.orgs:
            found.append(parent)
            parent = self.orgs[parent].parent
        return found

    def family(self, org_id: str) -> set[str]:
        """An organization and every organization below it (subsidiaries, labs, their units…)."""
        return {o for o in self.orgs if o == org_id or org_id in self.ancestors(o)}

    def _resolve_fuzzy(self, name: str, key: str) -> Resolution:
        matches = process.extract(key, self._alias_keys, scorer=fuzz.ratio, limit=5, score_cutoff=self.fuzzy_threshold)
        if not matches:
            return Resolution(name, None, "unresolved", 0.0)
        best_key, best_score, _ = matches[0]
        best_id = self._by_alias[best_key]
        rivals = [(k, s) for k, s, _ in matches[1:] if self._by_alias[k] != best_id]
        if rivals and best_score - max(s for _, s in rivals) < 3:
            ids = sorted({best_id, *(self._by_alias[k] for k, s in rivals if best_score - s < 3)})
            return Resolution(name, None, "ambiguous", float(best_score), tuple(ids))
        return Resolution(name, self.orgs[best_id], "fuzzy", float(best_score))

    def hub_handle_keys(self) -> list[str]:
        """Every reviewed Hub handle, case-folded (what :meth:`resolve_hub` looks a handle up by)."""
        return sorted(self._by_handle)

    def resolve_hub(self, handle: str) -> OrgRecord | None:
        org_id = self._by_handle.get(handle.strip().casefold())
        return self.orgs[org_id] if org_id else None


def _native_method(native: NativeName) -> str:
    return "legal" if native.kind == "legal" else "native"


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
                    line=reader.line_num,
                )
            )
    return records


def _read_native_file(path: Traversable | Path) -> list[NativeName]:
    """A file of native names (``id,name,kind,lang,note``), one name a row."""
    names: list[NativeName] = []
    with io.StringIO(path.read_text(encoding="utf-8"), newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in NATIVE_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise RegistryError(f"{path.name}: missing column(s) {', '.join(missing)}")
        for row in reader:
            names.append(
                NativeName(
                    org_id=(row["id"] or "").strip(),
                    name=(row["name"] or "").strip(),
                    kind=(row["kind"] or "").strip(),
                    lang=(row["lang"] or "").strip(),
                    note=row["note"] or "",
                    file=path.name,
                    line=reader.line_num,
                )
            )
    return names


_NOT_ORG_FILES = frozenset({REGION_FILE, NATIVE_FILE, PLACES_FILE, HANDLE_FILE})


def _is_native_file(path: Traversable | Path) -> bool:
    """A user file of native names is told apart from a file of organizations by its header."""
    header = next(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))), [])
    return "countries" not in header and {"id", "name", "kind", "lang"} <= set(header)


def _data_files(extra: Iterable[Path] = ()) -> list[Traversable | Path]:
    folder = resources.files("modelcensus.orgs.data")
    files: list[Traversable | Path] = sorted(
        (f for f in folder.iterdir() if f.name.endswith(".csv") and f.name not in _NOT_ORG_FILES),
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


def _build(extra: tuple[Path, ...], fuzzy_threshold: float) -> Registry:
    orgs: list[OrgRecord] = []
    natives = _read_native_file(resources.files("modelcensus.orgs.data").joinpath(NATIVE_FILE))
    for path in _data_files(extra):
        if path in extra and _is_native_file(path):
            natives.extend(_read_native_file(path))
        else:
            orgs.extend(_read_org_file(path))
    return Registry(_with_handle_file(orgs), fuzzy_threshold, natives)


def load_registry(extra_files: Iterable[Path] = (), fuzzy_threshold: float = 93.0) -> Registry:
    """The packaged registry (with the reviewed Hub handles) plus any user files: organizations (the same columns
    as ``organizations.csv``) or native names (the columns of ``native_names.csv``)."""
    extra = tuple(extra_files)
    if not extra:
        return _packaged_registry(fuzzy_threshold)
    return _build(extra, fuzzy_threshold)


@lru_cache(maxsize=4)
def _packaged_registry(fuzzy_threshold: float) -> Registry:
    return _build((), fuzzy_threshold)


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


def _region_key(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", text.casefold())


def requested_region(value: str, error: type[QueryError] = QueryError) -> RegionGroup:
    """A region group as a user names it: its id (``eu27``, ``greater-china``) or its name (``EU-27``, ``Greater
    China``), in any case, with or without hyphens and spaces. An unknown one raises ``error`` naming the
    ``region`` parameter and the groups there are."""
    groups = load_region_groups()
    wanted = _region_key(value)
    for group in groups.values():
        if wanted and wanted in (_region_key(group.group), _region_key(group.name)):
            return group
    raise error(f"unknown region {value!r}; region groups: {', '.join(sorted(groups))}", parameter="region")


def requested_places(
    country: str | Iterable[str] | None, region: str | None, error: type[QueryError] = QueryError
) -> tuple[tuple[str | None, ...], str | None]:
    """A request's country filter as ISO codes (``None``: the models with no country) and, for a region, its
    name: ``country`` one or several countries (codes or names, :func:`~modelcensus.records.requested_country`),
    or ``region`` a region group (its members, :func:`requested_region`); not both."""
    given = [country] if isinstance(country, str) else list(country or ())
    if given and region is not None:
        raise error("give either country or region, not both", parameter="region")
    if region is not None:
        group = requested_region(region, error)
        return tuple(sorted(group.members)), group.name
    return tuple(dict.fromkeys(requested_country(c, error) for c in given)), None
