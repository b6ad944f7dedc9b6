"""The organization registry and its resolver."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from modelcensus.errors import RegistryError
from modelcensus.orgs import OrgRecord, Registry, load_region_groups, load_registry, normalise_org_name
from modelcensus.orgs.registry import SECTORS


def org(
    org_id: str,
    name: str,
    countries: tuple[str, ...] = ("US",),
    aliases: tuple[str, ...] = (),
    sector: str = "industry",
    parent: str | None = None,
    handles: tuple[str, ...] = (),
) -> OrgRecord:
    return OrgRecord(org_id, name, countries, sector, parent, aliases, handles, "test entry", "test.csv")


@pytest.fixture()
def registry() -> Registry:
    return Registry(
        [
            org("alphabet", "Alphabet"),
            org("google-deepmind", "Google DeepMind", ("GB",), ("DeepMind",), parent="alphabet", handles=("google",)),
            org(
                "zhipu",
                "Zhipu AI",
                ("CN",),
                ("Z.ai (Zhipu AI)", "智谱AI", "北京智谱华章科技有限公司"),
                handles=("zai-org",),
            ),
            org("mila", "Mila", ("CA",), ("Montreal Institute for Learning Algorithms",), sector="academia"),
            org("umontreal", "University of Montreal", ("CA",), ("Université de Montréal",), sector="academia"),
            org("aleph-alpha", "Aleph Alpha", ("DE",)),
            org("ucsd", "University of California San Diego", sector="academia"),
            org("ucsc", "University of California Santa Cruz", sector="academia"),
        ]
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("OpenAI, Inc.", "openai"),
        ("Aleph Alpha GmbH", "aleph alpha"),
        ("Naver Corp.", "naver"),
        ("DeepSeek Ltd", "deepseek"),
        ("北京智谱华章科技有限公司", "北京智谱华章科技"),
        ("  Meta   AI ", "meta ai"),
        ("AT&T Labs", "at and t labs"),
    ],
)
def test_normalisation(raw: str, expected: str) -> None:
    assert normalise_org_name(raw) == expected


def test_exact_alias_and_suffix_match(registry: Registry) -> None:
    assert registry.resolve("DeepMind").org.id == "google-deepmind"  # type: ignore[union-attr]
    assert registry.resolve("Aleph Alpha GmbH").method == "exact"
    assert registry.resolve("智谱AI").org.id == "zhipu"  # type: ignore[union-attr]
    assert registry.resolve("北京智谱华章科技有限公司").org.id == "zhipu"  # type: ignore[union-attr]


def test_parts_of_a_cell(registry: Registry) -> None:
    res = registry.resolve("University of Montreal / Université de Montréal")
    assert res.org is not None and res.org.id == "umontreal"
    res = registry.resolve("Mila - Quebec AI (Montreal Institute for Learning Algorithms)")
    assert res.org is not None and res.org.id == "mila" and res.method == "alias-part"


def test_fuzzy_above_threshold_only(registry: Registry) -> None:
    res = registry.resolve("Google Deepmind Ltd.")
    assert res.org is not None and res.method == "exact"
    res = registry.resolve("Gogle DeepMind")
    assert res.org is not None and res.org.id == "google-deepmind" and res.method == "fuzzy"
    assert registry.resolve("Googol Research").org is None


def test_near_names_of_different_orgs_are_not_guessed(registry: Registry) -> None:
    res = registry.resolve("University of California San Cruz")
    assert res.org is None or res.org.id in {"ucsd", "ucsc"}
    assert registry.resolve("University of California").org is None


def test_unresolved_is_said(registry: Registry) -> None:
    res = registry.resolve("Totally Unknown Lab")
    assert not res.resolved and res.method == "unresolved"
    assert registry.resolve("").method == "unresolved"


def test_hub_handles(registry: Registry) -> None:
    assert registry.resolve_hub("ZAI-ORG").id == "zhipu"  # type: ignore[union-attr]
    assert registry.resolve_hub("nobody") is None


@pytest.mark.parametrize(
    ("records", "message"),
    [
        ([org("a", "A"), org("a", "B")], "also in"),
        ([org("a", "A", aliases=("X",)), org("b", "B", aliases=("x",))], "also an alias"),
        ([org("a", "A", ("XX",))], "ISO 3166-1"),
        ([org("a", "A", sector="startup")], "sector"),
        ([org("a", "A", parent="nobody")], "parent"),
        ([org("a", "A", handles=("h",)), org("b", "B", handles=("H",))], "Hub handle"),
    ],
)
def test_inconsistent_registry_is_rejected(records: list[OrgRecord], message: str) -> None:
    with pytest.raises(RegistryError, match=message):
        Registry(records)


def test_packaged_registry_is_valid_and_documented() -> None:
    registry = load_registry()
    assert len(registry) > 900
    for entry in registry.orgs.values():
        assert entry.note.strip(), entry.id
        # individuals and community groups (Hub accounts) may have no sector, as the loader allows
        assert entry.sector in SECTORS or (entry.kind != "organization" and not entry.sector), entry.id
    countries = {c for o in registry.orgs.values() for c in o.countries}
    # major labs of many countries, not only the US and China
    assert len(countries) >= 50
    for handle in ("Qwen", "deepseek-ai", "zai-org", "moonshotai", "meta-llama", "mistralai", "google", "nvidia"):
        assert registry.resolve_hub(handle) is not None, handle


@pytest.mark.parametrize(
    ("name", "country"),
    [
        ("Alibaba", "CN"),
        ("OpenAI", "US"),
        ("Google DeepMind", "US"),
        ("DeepMind", "GB"),
        ("Mistral AI", "FR"),
        ("Chinese University of Hong Kong (CUHK)", "HK"),
        ("Technology Innovation Institute", "AE"),
        ("Naver", "KR"),
        ("Sakana AI", "JP"),
        ("Mila - Quebec AI (originally Montreal Institute for Learning Algorithms)", "CA"),
        ("阿里巴巴", "CN"),
        ("清华大学", "CN"),
    ],
)
def test_packaged_registry_knows_major_labs(name: str, country: str) -> None:
    res = load_registry().resolve(name)
    assert res.org is not None, name
    assert country in res.org.countries


def test_user_registry_files_extend_the_packaged_one(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name", "countries", "sector", "parent", "aliases", "hub_handles", "note"])
        writer.writerow(["my-lab", "My Lab", "NZ", "academia", "", "Ma Lab", "", "a test lab"])
    registry = load_registry([path])
    assert registry.resolve("Ma Lab").org.countries == ("NZ",)  # type: ignore[union-attr]


def test_region_groups() -> None:
    groups = load_region_groups()
    assert len(groups["eu27"].members) == 27 and "GB" not in groups["eu27"].members
    assert {"GB", "FR", "DE", "CH"} <= groups["europe"].members
    assert all(g.note for g in groups.values())


def test_the_fingerprint_is_kept_for_the_same_organizations_and_follows_a_change() -> None:
    """The links' key names the registry by a fingerprint of every organization: kept per registry while its
    organization records are the same ones, taken again when one is replaced (a new spelling is another state)."""
    from dataclasses import replace

    from modelcensus.store import registry_fingerprint

    registry = load_registry(fuzzy_threshold=91.0)  # a registry of its own (the packaged one is shared)
    first = registry_fingerprint(registry)
    assert registry_fingerprint(registry) == first == registry_fingerprint(load_registry())
    org = next(iter(registry.orgs.values()))
    try:
        registry.orgs[org.id] = replace(org, aliases=(*org.aliases, "A spelling nobody uses"))
        assert registry_fingerprint(registry) != first
    finally:
        registry.orgs[org.id] = org
    assert registry_fingerprint(registry) == first
