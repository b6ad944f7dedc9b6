"""Chinese names in the registry and the resolver: native and legal names, the normalisation of Chinese names, and the
organization filters that go through the resolver."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import modelcensus as mc
from modelcensus.errors import QueryError, RegistryError
from modelcensus.orgs import OrgRecord, Registry, load_registry
from modelcensus.orgs.chinese import parse_zh_name
from modelcensus.orgs.registry import NativeName
from modelcensus.outputs.api.app import create_app
from modelcensus.outputs.cli.app import app

from conftest import ROOT

runner = CliRunner()
GREATER_CHINA = {"CN", "HK", "MO"}
CAC_ROWS = Path("cac_filings_partial") / "cac_filings_partial_from_leadingai_book.csv"
HQWU_LIST = Path("china_llm_lists") / "hqwu_awesome_chinese_llm_models.csv"


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


def org(org_id: str, name: str, countries: tuple[str, ...] = ("CN",), parent: str | None = None) -> OrgRecord:
    return OrgRecord(org_id, name, countries, "industry", parent, (), (), "test entry", "test.csv")


def native(org_id: str, name: str, kind: str = "common", line: int = 2) -> NativeName:
    return NativeName(org_id, name, kind, "zh-Hans", "test name", "native.csv", line)


# -- normalisation ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "rest", "core", "places"),
    [
        ("北京月之暗面科技有限公司", "月之暗面科技", "月之暗面", {"北京"}),
        ("深圳市腾讯计算机系统有限公司", "腾讯计算机系统", "腾讯", {"广东"}),  # a city stands for its province
        ("腾讯云计算（北京）有限责任公司", "腾讯云计算", "腾讯云计算", {"北京"}),  # a bracketed place
        ("北京智谱华章科技股份有限公司", "智谱华章科技", "智谱华章", {"北京"}),
        ("中国移动通信集团广东有限公司", "中国移动通信", "中国移动", {"广东"}),  # a trailing place, then 集团
        ("中国电子信息产业集团有限公司", "中国电子信息产业", "中国电子", set()),  # never shortened to 中国
        ("華為技術有限公司", "华为技术", "华为", set()),  # traditional characters
        ("ＭｉｎｉＭａｘ科技（上海）有限公司", "minimax科技", "minimax", {"上海"}),  # full-width letters and brackets
        ("广西壮族自治区某某科技有限公司", "某某科技", "某某", {"广西"}),
        ("北京银行股份有限公司", "北京银行", "北京银行", set()),  # a bank of Beijing: the place is its name
    ],
)
def test_chinese_names_are_reduced_to_what_identifies_them(name: str, rest: str, core: str, places: set[str]) -> None:
    parsed = parse_zh_name(name)
    assert parsed is not None
    assert (parsed.rest, parsed.core, set(parsed.places)) == (rest, core, places)


def test_unit_words_stay_meaningful() -> None:
    tsinghua, short = parse_zh_name("清华大学"), parse_zh_name("清华")
    assert tsinghua is not None and short is not None
    assert tsinghua.unit and not short.unit and tsinghua.rest != short.rest and tsinghua.core != short.core
    # a unit keeps its place: 北京大学 is not 大学 of Beijing, 香港中文大学（深圳） not 香港中文大学
    pku = parse_zh_name("北京大学")
    assert pku is not None and (pku.rest, pku.places) == ("北京大学", frozenset())
    shenzhen = parse_zh_name("香港中文大学（深圳）")
    assert shenzhen is not None and shenzhen.rest == "香港中文大学深圳"
    assert parse_zh_name("Alibaba Group") is None


def test_a_mainland_legal_name_is_marked() -> None:
    for name in ("特斯拉（上海）有限公司", "西门子（中国）有限公司", "北京某某科技有限公司"):
        parsed = parse_zh_name(name)
        assert parsed is not None and parsed.mainland, name
    for name in ("某某科技有限公司", "北京大学", "字节跳动（香港）有限公司"):
        parsed = parse_zh_name(name)
        assert parsed is not None and not parsed.mainland, name


# -- the resolver on a small registry ----------------------------------------------------------------------


@pytest.fixture()
def small() -> Registry:
    orgs = [
        org("moon", "Moon Lab"),
        org("moon-cloud", "Moon Cloud", parent="moon"),
        org("star-bj", "Star Beijing"),
        org("star-sh", "Star Shanghai"),
        org("tsinghua", "Tsinghua University"),
        org("tesla", "Tesla", ("US",)),
        org("peking", "Peking University"),
    ]
    names = [
        native("moon", "月亮科技", "common"),
        native("moon", "北京月亮科技有限公司", "legal", 3),
        native("moon-cloud", "月亮云", "common", 4),
        native("star-bj", "北京星星科技有限公司", "legal", 5),
        native("star-sh", "上海星星科技有限公司", "legal", 6),
        native("tsinghua", "清华大学", "common", 7),
        native("tesla", "特斯拉", "common", 8),
        native("peking", "北京大学", "common", 9),
    ]
    return Registry(orgs, native_names=names)


@pytest.mark.parametrize(
    ("name", "org_id", "method"),
    [
        ("月亮科技", "moon", "native"),
        ("北京月亮科技有限公司", "moon", "legal"),
        ("北京月亮科技股份有限公司", "moon", "legal"),  # the same name once the legal form is set aside
        ("月亮", "moon", "zh-core"),  # the brand: the name without its industry word
        ("杭州月亮科技有限公司", "moon", "zh-normalised"),  # another city: the brand, without place, matches
        ("月亮信息技术（深圳）有限公司", "moon", "zh-core"),
        ("月亮云计算（北京）有限公司", "moon-cloud", "contains"),  # the longest registered name wins
        ("月亮科技人工智能研究院", "moon", "contains"),
        ("清华大学KEG实验室", "tsinghua", "contains"),
        ("北京星星科技有限公司", "star-bj", "legal"),
        ("北京星星信息技术有限公司", "star-bj", "zh-core"),  # the place tells the two stars apart
    ],
)
def test_resolution_keeps_its_method(small: Registry, name: str, org_id: str, method: str) -> None:
    res = small.resolve(name)
    assert res.org is not None and res.org.id == org_id, res
    assert res.method == method and 0 < res.score <= 100


def test_an_ambiguous_name_stays_unresolved_and_lists_its_candidates(small: Registry) -> None:
    res = small.resolve("星星科技有限公司")  # Beijing's or Shanghai's: no place to tell
    assert res.org is None and res.method == "ambiguous" and set(res.candidates) == {"star-bj", "star-sh"}
    # a tie between an organization and its own subsidiary is the organization
    both = Registry(
        [org("moon", "Moon Lab"), org("moon-cloud", "Moon Cloud", parent="moon")],
        native_names=[native("moon", "北京月亮科技有限公司"), native("moon-cloud", "上海月亮科技有限公司", line=3)],
    )
    res = both.resolve("月亮科技")
    assert res.org is not None and res.org.id == "moon"


def test_unrelated_or_foreign_names_are_not_guessed(small: Registry) -> None:
    for name in ("清华", "大学", "北京", "某某科技有限公司", "星星"):
        assert small.resolve(name).org is None, name
    # a company incorporated in mainland China is never an organization of another country
    assert small.resolve("特斯拉（上海）有限公司").org is None
    assert small.resolve("特斯拉中国研究院").org is None
    res = small.resolve("特斯拉")
    assert res.org is not None and res.org.id == "tesla"


# -- registry files ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("nobody,某某,common,zh-Hans,x", "native.csv, line 3, field 'id': 'nobody' is not an organization id"),
        ("my-lab,某某,brand,zh-Hans,x", "native.csv, line 3, field 'kind': 'brand' is not one of common"),
        ("my-lab,某某,common,Chinese,x", "native.csv, line 3, field 'lang'"),
        ("my-lab,某某,common,zh-Hans,", "native.csv, line 3, field 'note'"),
        ("my-lab,我的实验室,common,zh-Hans,x", "line 3, field 'name': '我的实验室' of 'my-lab' is listed twice"),
        ("my-lab,阿里巴巴,common,zh-Hans,x", "native.csv, line 3, field 'name': '阿里巴巴' of 'my-lab' is also a name"),
    ],
)
def test_native_name_errors_name_file_line_and_field(tmp_path: Path, row: str, message: str) -> None:
    orgs = tmp_path / "mine.csv"
    orgs.write_text(
        "id,name,countries,sector,parent,aliases,hub_handles,note\nmy-lab,My Lab,CN,academia,,,,a test lab\n",
        encoding="utf-8",
    )
    names = tmp_path / "native.csv"
    names.write_text(f"id,name,kind,lang,note\nmy-lab,我的实验室,common,zh-Hans,x\n{row}\n", encoding="utf-8")
    with pytest.raises(RegistryError) as err:
        load_registry([orgs, names])
    assert message in str(err.value)


def test_organization_errors_name_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text(
        "id,name,countries,sector,parent,aliases,hub_handles,note\n"
        "lab-a,Lab A,CN,academia,,,,a lab\nlab-b,Lab B,CN,startup,,,,a lab\n",
        encoding="utf-8",
    )
    with pytest.raises(RegistryError, match=r"mine\.csv, line 3: organization 'lab-b', field 'sector'"):
        load_registry([path])


def test_user_files_of_native_names_extend_the_registry(tmp_path: Path) -> None:
    path = tmp_path / "names.csv"
    path.write_text("id,name,kind,lang,note\nopenai,開放人工智慧,common,zh-Hant,a test name\n", encoding="utf-8")
    res = load_registry([path]).resolve("開放人工智慧")
    assert res.org is not None and res.org.id == "openai" and res.method == "native"


def test_packaged_native_names_are_valid(registry: Registry) -> None:
    natives = [n for o in registry.orgs.values() for n in o.native_names]
    assert len(natives) > 1000
    assert {n.kind for n in natives} == {"common", "former", "legal"}
    chinese = {o.id for o in registry.orgs.values() if set(o.countries) & GREATER_CHINA and o.native_names}
    assert len(chinese) >= 400, "native names for at least 400 organizations of China, Hong Kong and Macao"
    for org_id in chinese:
        for name in registry.get(org_id).native_names:
            res = registry.resolve(name.name)
            assert res.org is not None and res.org.id == org_id, (name, res)


# -- real lists ---------------------------------------------------------------------------------------------


def test_every_shared_cac_filing_entity_resolves_to_china(shared: Path, registry: Registry) -> None:
    with (shared / CAC_ROWS).open(encoding="utf-8", newline="") as handle:
        entities = {r["filing_entity_cn"].strip() for r in csv.DictReader(handle) if r["filing_entity_cn"].strip()}
    assert len(entities) > 70
    for entity in sorted(entities):
        res = registry.resolve(entity)
        assert res.org is not None, f"{entity}: {res.method}"
        assert set(res.org.countries) & GREATER_CHINA, (entity, res.org.id, res.org.countries)


HQWU_DEVELOPERS = {
    "Qwen": "阿里云",
    "Robin (罗宾)": "香港科技大学",
    "Fengshenbang-LM": "IDEA研究院",
    "书生·浦语": "上海AI实验室",
    "Aquila": "智源研究院",
    "Baichuan2": "百川智能",
    "BayLing": "中国科学院计算技术研究所",
    "YuLan-Chat": "中国人民大学",
    "huozi": "哈工大自然语言处理研究所",
    "XVERSE-13B": "深圳元象科技",
    "Yuan-2.0": "浪潮信息",
}
"""Developers as the summaries of the Awesome-Chinese-LLM list write them (the test checks each is in its row). The
list also names 艾写科技 for Anima, a company the registry does not hold and whose country it does not know, and
元语智能 for ChatYuan (ClueAI, an organization the Hub-handle files hold)."""


def test_developers_named_in_a_list_of_chinese_llms_resolve(shared: Path, registry: Registry) -> None:
    with (shared / HQWU_LIST).open(encoding="utf-8", newline="") as handle:
        summaries = {r["name"]: r["summary"] for r in csv.DictReader(handle)}
    for model, developer in HQWU_DEVELOPERS.items():
        assert developer in summaries[model], (model, developer)
        res = registry.resolve(developer)
        assert res.org is not None and set(res.org.countries) & GREATER_CHINA, (developer, res)
    # the joint developers of InternLM, as its summary lists them
    for developer in ("商汤科技", "香港中文大学", "复旦大学", "上海交通大学"):
        assert developer in summaries["书生·浦语"]
        assert registry.resolve(developer).org is not None, developer


def test_held_out_style_names_resolve_to_china_and_nowhere_else(registry: Registry) -> None:
    """Names of Chinese developers in spellings the registry does not hold verbatim: at least 90% resolve to China,
    Hong Kong or Macao, none to another country."""
    lines = (ROOT / "tests" / "data" / "zh_developer_names.txt").read_text(encoding="utf-8").splitlines()
    names = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert len(names) >= 100
    verbatim = {n.name for o in registry.orgs.values() for n in o.native_names} | {
        a for o in registry.orgs.values() for a in (o.name, *o.aliases)
    }
    assert not verbatim & set(names), "the list must hold no registered spelling"
    resolved = [registry.resolve(n) for n in names]
    elsewhere = [(r.name, r.org.id) for r in resolved if r.org is not None and not set(r.org.countries) & GREATER_CHINA]
    assert not elsewhere
    share = sum(r.org is not None for r in resolved) / len(names)
    assert share >= 0.9, [r.name for r in resolved if r.org is None]


def test_generic_words_name_no_organization(registry: Registry) -> None:
    words = ("银行", "人工智能", "科技有限公司", "大学", "实验室", "研究院", "中国", "北京市", "大模型", "汽车集团")
    for word in words:
        res = registry.resolve(word)
        assert res.org is None and res.method == "unresolved", (word, res)


def test_foreign_groups_mainland_companies_are_not_the_foreign_group(registry: Registry) -> None:
    for name in ("英特尔（中国）有限公司", "英伟达（上海）半导体科技有限公司", "亚马逊AWS上海人工智能研究院"):
        res = registry.resolve(name)
        assert res.org is None or set(res.org.countries) & GREATER_CHINA, (name, res)
    res = registry.resolve("西门子（中国）有限公司")
    assert res.org is not None and res.org.countries == ("CN",)


# -- every organization filter goes through the resolver -------------------------------------------------


def _model_ids(db: Path, organization: str) -> set[str]:
    result = runner.invoke(app, ["models", "--organization", organization, "--format", "json", "--db", str(db)])
    assert result.exit_code == 0, result.output
    return {m["id"] for m in json.loads(result.stdout)}


def test_models_by_organization_in_any_spelling(epoch_census_path: Path, registry: Registry) -> None:
    alibaba = _model_ids(epoch_census_path, "Alibaba")
    assert len(alibaba) > 20
    for spelling in ("阿里巴巴", "Alibaba Group Holding Limited", "阿里巴巴集团控股有限公司", "ALIBABA GROUP"):
        assert _model_ids(epoch_census_path, spelling) == alibaba, spelling
    family = registry.family("alibaba")
    with mc.open(epoch_census_path, read_only=True) as census:
        figure = census.models(organization="阿里巴巴")
        assert "resolved to Alibaba Group" in (figure.provenance.note or "")
        for orgs in figure.frame["organizations"]:
            assert any((r := registry.resolve(o).org) is not None and r.id in family for o in orgs), orgs
        # a name the registry does not know still matches as a substring of published names
        assert len(census.models(organization="University").frame) > 100


def test_an_ambiguous_organization_filter_is_an_error(epoch_census_path: Path) -> None:
    with mc.open(epoch_census_path, read_only=True) as census, pytest.raises(QueryError, match="ambiguous"):
        census.models(organization="東北大學")
    result = runner.invoke(app, ["models", "--organization", "東北大學", "--db", str(epoch_census_path)])
    assert result.exit_code != 0 and "Tohoku University" in result.output


def test_the_api_filters_by_organization_through_the_resolver(epoch_census_path: Path) -> None:
    with TestClient(create_app(epoch_census_path, timeout_s=600)) as client:
        chinese = client.get("/api/models", params={"organization": "阿里巴巴", "limit": 500})
        english = client.get("/api/models", params={"organization": "Alibaba", "limit": 500})
        assert chinese.status_code == english.status_code == 200, chinese.text
        assert chinese.json()["total"] == english.json()["total"] > 20
        assert {m["id"] for m in chinese.json()["items"]} == {m["id"] for m in english.json()["items"]}
        assert client.get("/api/models", params={"organization": "東北大學"}).status_code == 422
        # the dashboard's organization page: the same organization and the same models as the filter
        profile = client.get("/api/organizations/阿里巴巴集团控股有限公司", params={"limit": 500})
        assert profile.status_code == 200 and profile.json()["id"] == "alibaba"
        assert profile.json()["models_total"] == english.json()["total"]
        moonshot = client.get("/api/organizations/北京月之暗面科技有限公司")
        assert moonshot.status_code == 200 and moonshot.json()["id"] == "moonshot-ai"
        ambiguous = client.get("/api/organizations/東北大學")
        assert ambiguous.status_code == 404 and "ambiguous" in ambiguous.text


def test_orgs_resolve_a_file_lists_what_is_ambiguous_or_unresolved(tmp_path: Path) -> None:
    path = tmp_path / "names.csv"
    rows = ["developer,city", "北京月之暗面科技有限公司,北京", "東北大學,沈阳", "不存在的某某公司,上海"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["orgs", "resolve", "--file", str(path), "--column", "developer", "--format", "json"])
    assert result.exit_code == 3
    rows = json.loads(result.stdout)
    assert [r["method"] for r in rows] == ["legal", "ambiguous", "unresolved"]
    assert rows[0]["org_id"] == "moonshot-ai" and rows[0]["score"] == 100
    assert len(rows[1]["candidates"]) == 2
    assert "ambiguous: 東北大學" in result.stderr and "unresolved: 不存在的某某公司" in result.stderr
    bad = runner.invoke(app, ["orgs", "resolve", "--file", str(path), "--column", "name"])
    assert bad.exit_code != 0 and "no column 'name'" in bad.output
