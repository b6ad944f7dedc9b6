"""A CAC filing's model, known by another name: 文心一言 is Baidu's ERNIE Bot, 通义千问 is Alibaba's Qwen.

A filing is a service (a provider and a model), and the register names the service as the provider chose
(文心一言, 云雀大模型, 求索对话DeepSeek Chat), in Chinese. The reviewed ``data/cac_model_aliases.csv`` says, row by
row with a note, which service names belong to which model family (``pattern``, a regular expression searched in
the filed name, case-insensitive; the first row that matches wins), which organization develops it
(``developer``, a registry name) and which canonical models of the other sources are that family's (``models``,
a regular expression over their names).

A filing is linked to a family when its name matches and its provider is the family's developer or belongs to
the same group (the registry's parent chain: 阿里巴巴达摩院 → Alibaba DAMO Academy → Alibaba). A provider the
registry does not resolve leaves the link unchecked (kept, marked ``unchecked``); a provider of another group is
no link (``disagrees``: a bank's "星火" assistant is not iFlytek's Spark). A canonical model is the family's when
its name matches ``models`` and one of its records' developers is of the family's group.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from modelcensus.errors import RegistryError
from modelcensus.linkage.rules import CanonicalModel
from modelcensus.orgs import OrgRecord, Registry

ALIAS_FILE = "cac_model_aliases.csv"
COLUMNS = ("pattern", "family", "developer", "models", "note")


@dataclass(frozen=True)
class CacAlias:
    """One reviewed row: filed names matching ``pattern`` are the ``family`` of ``developer``."""

    pattern: re.Pattern[str]
    family: str
    developer: str
    models: re.Pattern[str] | None
    note: str
    line: int


def _alias_text() -> str:
    return resources.files("modelcensus.data").joinpath(ALIAS_FILE).read_text(encoding="utf-8")


def alias_fingerprint() -> str:
    """A digest of the alias data: what the CAC links were computed with."""
    return hashlib.sha256(_alias_text().encode()).hexdigest()[:12]


@lru_cache(maxsize=1)
def load_aliases() -> tuple[CacAlias, ...]:
    """The reviewed alias rows, in file order; a bad row is a :class:`~modelcensus.errors.RegistryError` naming it."""
    text = _alias_text()
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise RegistryError(f"{ALIAS_FILE}: missing column(s) {', '.join(missing)}")
    aliases: list[CacAlias] = []
    for row in reader:
        where = f"{ALIAS_FILE}, line {reader.line_num}"
        if not all((row[c] or "").strip() for c in ("pattern", "family", "developer", "note")):
            raise RegistryError(f"{where}: pattern, family, developer and note are required")
        try:
            pattern = re.compile(row["pattern"], re.IGNORECASE)
            models = re.compile(row["models"], re.IGNORECASE) if (row["models"] or "").strip() else None
        except re.error as exc:
            raise RegistryError(f"{where}: not a regular expression ({exc})") from exc
        aliases.append(
            CacAlias(pattern, row["family"].strip(), row["developer"].strip(), models, row["note"], reader.line_num)
        )
    return tuple(aliases)


def alias_for(name: str | None) -> CacAlias | None:
    """The first alias row whose pattern the filed name contains, or None."""
    if not name:
        return None
    return next((a for a in load_aliases() if a.pattern.search(name)), None)


def group_of(registry: Registry, org: OrgRecord) -> str:
    """The organization's group: the top of its parent chain (Alibaba for Alibaba DAMO Academy)."""
    seen = {org.id}
    while org.parent and org.parent in registry.orgs and org.parent not in seen:
        org = registry.orgs[org.parent]
        seen.add(org.id)
    return org.id


@dataclass(frozen=True)
class FamilyLink:
    """A filing's model family, and whether its provider is the family's developer."""

    family: str
    developer: str
    check: str
    """``agrees`` (the provider is of the developer's group), ``unchecked`` (the provider is not resolved)."""
    alias_line: int


def link_filing(registry: Registry, model_name: str | None, provider: OrgRecord | None) -> FamilyLink | None:
    """The family a filed service runs, or None (no alias matches, or its provider is of another group)."""
    alias = alias_for(model_name)
    if alias is None:
        return None
    developer = registry.resolve(alias.developer).org
    if developer is None:
        raise RegistryError(f"{ALIAS_FILE}, line {alias.line}: developer {alias.developer!r} is not in the registry")
    if provider is None:
        return FamilyLink(alias.family, developer.id, "unchecked", alias.line)
    if group_of(registry, provider) != group_of(registry, developer):
        return None
    return FamilyLink(alias.family, developer.id, "agrees", alias.line)


def family_models(registry: Registry, family: str, models: Iterable[CanonicalModel]) -> list[CanonicalModel]:
    """The canonical models of a family: named as its alias rows say, developed by the family's group."""
    rows = [a for a in load_aliases() if a.family == family and a.models is not None]
    found: list[CanonicalModel] = []
    for model in models:
        for alias in rows:
            assert alias.models is not None
            if not alias.models.search(model.name):
                continue
            developer = registry.resolve(alias.developer).org
            if developer is None:
                continue
            group = group_of(registry, developer)
            developers = {r.developer for r in model.records if r.developer and r.developer in registry.orgs}
            if any(group_of(registry, registry.orgs[d]) == group for d in developers):
                found.append(model)
                break
    return found
