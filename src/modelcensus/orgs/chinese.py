"""Chinese organization names as keys the resolver can match, and the index it matches them in.

A Chinese organization is written many ways: 北京月之暗面科技有限公司 (the legal entity, with its city and legal form),
月之暗面 (the brand), 月之暗面科技 in a press release, 北京月之暗面科技有限公司 in full-width or traditional characters
on a Hong Kong page. :func:`parse_zh_name` reduces a name to the parts that identify it:

- the text, NFKC-normalised (full-width letters, digits and brackets to half-width), case-folded, converted from
  traditional to simplified characters (OpenCC ``t2s``), without spaces or punctuation;
- its legal form removed (股份有限公司, 有限责任公司, 有限公司, 集团, 控股, 公司, …);
- its places (北京, 上海市, 深圳市, 广东省, a bracketed ``（杭州）``…, from the reviewed ``zh_places.csv``) taken out
  and kept beside the name as qualifiers, so 北京X科技 and 上海X科技 never match each other while both match X;
- its ``core``: the name without trailing industry words (科技, 信息技术, 网络科技, 智能, …).

Unit words stay meaningful: a name that ends in one (大学, 研究院, 研究所, 实验室, 中心, 医院, …) keeps its place
as part of its identity (北京大学 is not 大学 of Beijing) and is never shortened, so 清华大学 and 清华 stay two keys.

:class:`ChineseIndex` holds the keys of the registry's Chinese names and answers, level by level from the
strictest: the same name without legal form and places (``zh-normalised``), the same core (``zh-core``), and a
registered name that the given name starts with (``contains``: 清华大学KEG实验室 → Tsinghua University; the longest
such name wins, and a two-character name only when what follows is a unit such as 研究院 or a place). The registry
decides between the organizations found at a level: two that tie leave the name unresolved (``ambiguous``) unless one
is the parent of the others.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import opencc

PLACES_FILE = "zh_places.csv"

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_BRACKETED = re.compile(r"\(([^()]*)\)")
_NOT_KEPT = re.compile(r"[^\w]+|_", re.UNICODE)
_NOT_LATIN = re.compile(r"[\W_]+", re.UNICODE)

LEGAL_FORMS = (
    "集团股份有限公司",
    "集团有限责任公司",
    "控股集团有限公司",
    "控股股份有限公司",
    "集团有限公司",
    "控股有限公司",
    "股份有限公司",
    "有限责任公司",
    "股份合作公司",
    "有限公司",
    "股份公司",
    "集团公司",
    "控股集团",
    "分公司",
    "总公司",
    "公司",
    "集团",
    "控股",
    "股份",
)
"""Legal-form words removed from the end of a name (longest first)."""

INDUSTRY_WORDS = (
    "人工智能科技",
    "人工智能技术",
    "智能技术",
    "智能科技",
    "信息科技",
    "信息技术",
    "网络科技",
    "网络技术",
    "数字科技",
    "数据科技",
    "数码科技",
    "科技发展",
    "技术开发",
    "技术服务",
    "软件技术",
    "计算机系统",
    "计算机技术",
    "电子商务",
    "信息服务",
    "网络信息",
    "教育科技",
    "医疗科技",
    "健康科技",
    "生物科技",
    "大数据",
    "人工智能",
    "互联网",
    "计算机",
    "科技",
    "技术",
    "信息",
    "网络",
    "软件",
    "智能",
    "数字",
    "数据",
    "电子",
    "通信",
    "通讯",
    "系统",
    "服务",
    "发展",
    "开发",
    "实业",
    "产业",
    "创新",
    "研发",
)
"""Generic industry words removed from the end of a company name to find its core (longest first)."""

UNIT_WORDS = (
    "大学",
    "学院",
    "学校",
    "研究院",
    "研究所",
    "研究中心",
    "实验室",
    "科学院",
    "工程院",
    "研究生院",
    "医院",
    "中心",
    "团队",
    "课题组",
    "研究室",
    "系",
    "院",
    "所",
    "社",
    "局",
    "部",
    "厅",
    "委员会",
    "办公室",
    "台",
    "站",
    "馆",
    "会",
    "校",
    "lab",
    "team",
)
"""Words that make a name a unit (a university, an institute, a lab, a hospital…): its place is kept, and it is
never shortened to a core."""

OUTSIDE_MAINLAND = frozenset({"香港", "澳门", "台湾"})
GREATER_CHINA = frozenset({"CN", "HK", "MO"})
"""A company incorporated in mainland China (its legal name says so) is only matched to an organization of China,
Hong Kong or Macao: 特斯拉（上海）有限公司 is not Tesla, Inc., and 西门子（中国）有限公司 not Siemens AG. A fixed
rule of the resolver, independent of the region groups of ``region_groups.csv``."""

SECTOR_WORDS = frozenset(
    {
        "银行", "商业银行", "农商银行", "农村商业银行", "证券", "保险", "人寿", "财险", "信托", "基金",
        "汽车", "航空", "机场", "港口", "港务", "铁路", "地铁", "轨道交通", "公交", "高速", "交通",
        "电力", "电网", "燃气", "水务", "自来水", "能源", "钢铁", "医药", "建设", "建工", "城建", "城投",
        "投资", "文旅", "旅游", "广播电视台", "电视台", "日报", "报业", "出版", "移动", "电信", "联通",
    }
)  # fmt: skip
"""What a company of a city is, not who: 北京银行 is not 银行 of Beijing, so its place stays part of its name."""

GENERIC_CORES = frozenset({"中国", "中华", "国家", "全国", "国际", "中科", "中央", "国网", "华夏", "东方", "亚洲"})
"""A core that would say nothing of the organization: stripping stops before it."""


@dataclass(frozen=True)
class Place:
    name: str
    province: str


@dataclass(frozen=True)
class ZhName:
    """A Chinese organization name reduced to what identifies it.

    ``rest`` is the name without legal form and places (for a unit: with its places, which are part of it);
    ``core`` is ``rest`` without trailing industry words; ``places`` the provinces of the places taken out.
    ``mainland`` says the name is of a company incorporated in mainland China: a legal form with a mainland place
    (北京X科技有限公司, X（上海）有限公司) or ``（中国）``.
    """

    text: str
    rest: str
    core: str
    places: frozenset[str]
    unit: bool
    legal_form: bool
    mainland: bool = False

    def compatible(self, places: frozenset[str]) -> bool:
        """Places agree when either name has none, or they share a province."""
        return not self.places or not places or bool(self.places & places)


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional characters to simplified (OpenCC ``t2s``); text without Chinese characters is left alone."""
    return _t2s().convert(text) if has_cjk(text) else text


@lru_cache(maxsize=1)
def load_places() -> dict[str, Place]:
    """Every written form of a place (北京, 北京市; 广西, 广西壮族自治区…) → the place, from ``zh_places.csv``."""
    path = resources.files("modelcensus.orgs.data").joinpath(PLACES_FILE)
    forms: dict[str, Place] = {}
    with io.StringIO(path.read_text(encoding="utf-8"), newline="") as handle:
        for row in csv.DictReader(handle):
            place = Place(row["name"].strip(), row["province"].strip())
            for form in (place.name, *(f.strip() for f in row["forms"].split("|") if f.strip())):
                forms[form] = place
    return forms


@lru_cache(maxsize=1)
def _form_lengths() -> tuple[int, ...]:
    return tuple(sorted({len(f) for f in load_places()}, reverse=True))


ABBREVIATIONS = (("中科院", "中国科学院"),)
"""Short forms written for a longer name at the start of many names (中科院自动化所 is 中国科学院自动化所)."""


def clean(name: str) -> str:
    """NFKC (full-width to half-width), case-folded, simplified characters, abbreviations spelled out; brackets
    kept, other punctuation and spaces removed."""
    text = to_simplified(unicodedata.normalize("NFKC", name).casefold())
    for short, full in ABBREVIATIONS:
        if text.startswith(short):
            text = full + text[len(short) :]
    text = text.replace("[", "(").replace("]", ")").replace("【", "(").replace("】", ")")
    parts = re.split(r"([()])", text)
    return "".join(p if p in "()" else _NOT_KEPT.sub("", p) for p in parts)


def _by_length(words: Iterable[str]) -> tuple[tuple[int, frozenset[str]], ...]:
    lengths = sorted({len(w) for w in words}, reverse=True)
    return tuple((n, frozenset(w for w in words if len(w) == n)) for n in lengths)


def _strip_end(text: str, words: tuple[tuple[int, frozenset[str]], ...]) -> tuple[str, bool]:
    """``text`` without the longest of ``words`` it ends with (leaving at least two characters)."""
    for n, group in words:
        if len(text) - n >= 2 and text[-n:] in group:
            return text[:-n], True
    return text, False


_LEGAL_BY_LENGTH = _by_length(LEGAL_FORMS)
_INDUSTRY_BY_LENGTH = _by_length(INDUSTRY_WORDS)


def _leading_place(text: str) -> tuple[Place | None, str]:
    places = load_places()
    for n in _form_lengths():
        if len(text) - n >= 2 and text[:n] in places:
            return places[text[:n]], text[n:]
    return None, text


def _trailing_place(text: str) -> tuple[Place | None, str]:
    places = load_places()
    for n in _form_lengths():
        if len(text) - n >= 2 and text[-n:] in places:
            return places[text[-n:]], text[:-n]
    return None, text


def is_unit(text: str) -> bool:
    return any(text.endswith(word) for word in UNIT_WORDS)


def strip_legal_form(text: str) -> tuple[str, bool]:
    stripped = False
    while True:
        text, done = _strip_end(text, _LEGAL_BY_LENGTH)
        if not done:
            return text, stripped
        stripped = True


def core_of(rest: str) -> str:
    """``rest`` without trailing industry words, stopping before a generic or too short core."""
    core = rest
    while True:
        shorter, done = _strip_end(core, _INDUSTRY_BY_LENGTH)
        if not done or shorter in GENERIC_CORES or shorter in load_places():
            return core
        core = shorter


def parse_zh_name(name: str) -> ZhName | None:
    """The identifying parts of a Chinese organization name; None for a name with no Chinese characters."""
    if not has_cjk(name):
        return None
    text = clean(name)
    inner = _BRACKETED.findall(text)
    bare = _BRACKETED.sub("", text).replace("(", "").replace(")", "")
    flat = text.replace("(", "").replace(")", "")
    base, legal = strip_legal_form(bare)
    if is_unit(base):
        rest, legal = strip_legal_form(flat)
        return ZhName(flat, rest, rest, frozenset(), True, legal)
    known = load_places()
    places = {known[s].province for s in inner if s in known}
    china = "中国" in inner
    rest = base
    leading: list[str] = []
    while True:
        place, shorter = _leading_place(rest)
        if place is not None:
            leading.append(place.name)
        else:
            place, shorter = _trailing_place(rest)
        if place is not None:
            places.add(place.province)
        else:
            shorter, done = strip_legal_form(rest)
            if not done:
                break
            legal = True
        rest = shorter
    mainland = china or (legal and bool(places - OUTSIDE_MAINLAND))
    if leading and (rest in SECTOR_WORDS or core_of(rest) in SECTOR_WORDS):
        bound = "".join(leading) + rest  # 北京银行: the place is part of the name
        return ZhName(flat, bound, bound, frozenset(), False, legal, mainland)
    return ZhName(flat, rest, core_of(rest), frozenset(places), False, legal, mainland)


def starts_with_place(text: str) -> str:
    """``text`` without the places it starts with (for a unit such as 深圳清华大学研究院)."""
    while True:
        place, shorter = _leading_place(text)
        if place is None:
            return text
        text = shorter


@dataclass(frozen=True)
class ZhMatch:
    """The organizations a name matches at one level."""

    method: str
    org_ids: frozenset[str]
    score: float


class ChineseIndex:
    """The registry's Chinese names by their keys; see the module docstring for the levels."""

    def __init__(self, countries: Mapping[str, tuple[str, ...]]) -> None:
        self._countries = countries
        self._rest: dict[str, list[tuple[str, frozenset[str]]]] = {}
        self._core: dict[str, list[tuple[str, frozenset[str]]]] = {}
        self._prefix: dict[str, list[tuple[str, frozenset[str]]]] = {}

    def add(self, name: str, org_id: str) -> None:
        """Index a registered name: a Chinese name by its keys; a Latin one (OPPO, TCL, IDEA) only as the start of a
        Chinese name (OPPO广东移动通信有限公司), at least three letters long."""
        if not has_cjk(name):
            latin = _NOT_LATIN.sub("", unicodedata.normalize("NFKC", name).casefold())
            if len(latin) >= 3 and latin.isascii():
                self._prefix.setdefault(latin, []).append((org_id, frozenset()))
            return
        parsed = parse_zh_name(name)
        if parsed is None:
            return
        entry = (org_id, parsed.places)
        self._rest.setdefault(parsed.rest, []).append(entry)
        self._core.setdefault(parsed.core, []).append(entry)
        for key in {parsed.rest, parsed.core}:
            if len(key) >= 2:
                self._prefix.setdefault(key, []).append(entry)

    def _ids(self, entries: list[tuple[str, frozenset[str]]], parsed: ZhName, mainland: bool) -> frozenset[str]:
        return frozenset(
            org_id
            for org_id, places in entries
            if parsed.compatible(places)
            and (not mainland or GREATER_CHINA.intersection(self._countries.get(org_id, ())))
        )

    def match(self, name: str) -> ZhMatch | None:
        """The first level at which ``name`` matches registered names, or None."""
        parsed = parse_zh_name(name)
        if parsed is None:
            return None
        for method, table, key, score in (
            ("zh-normalised", self._rest, parsed.rest, 95.0),
            ("zh-core", self._core, parsed.core, 90.0),
        ):
            ids = self._ids(table.get(key, []), parsed, parsed.mainland)
            if ids:
                return ZhMatch(method, ids, score)
        return self._contains(parsed)

    def _contains(self, parsed: ZhName) -> ZhMatch | None:
        whole = strip_legal_form(parsed.text)[0]
        for text in dict.fromkeys((whole, parsed.rest, starts_with_place(parsed.rest))):
            for end in range(len(text) - 1, 1, -1):
                needle, remainder = text[:end], text[end:]
                entries = self._prefix.get(needle)
                if not entries or not _follows_a_name(needle, remainder):
                    continue
                ids = self._ids(entries, parsed, parsed.mainland or _names_a_mainland_entity(remainder))
                if ids:
                    return ZhMatch("contains", ids, round(70.0 + 25.0 * len(needle) / len(text), 1))
        return None


def _follows_a_name(needle: str, remainder: str) -> bool:
    """Whether ``remainder`` can follow the registered name ``needle`` inside a longer name: after a Latin name, a
    Chinese character (OPPO广东…, not OPPOsite); after a two-character Chinese name, a unit of it (研究院, AI实验室,
    团队…), Latin letters, or a place (a regional company: 国网浙江省电力有限公司); after a longer one, anything."""
    if not has_cjk(needle):
        return has_cjk(remainder[:1])
    if len(needle) == 2:
        return _names_a_unit(remainder) or _starts_with_a_place(remainder) is not None
    return True


def _names_a_mainland_entity(remainder: str) -> bool:
    """X中国研究院, X上海人工智能实验室: the part of X in mainland China."""
    if remainder.startswith("中国"):
        return True
    place = _starts_with_a_place(remainder)
    return place is not None and place.province not in OUTSIDE_MAINLAND


def _starts_with_a_place(text: str) -> Place | None:
    """The place ``text`` starts with (国网浙江省电力: 浙江), if any."""
    places = load_places()
    return next((places[text[:n]] for n in _form_lengths() if text[:n] in places), None)


def _names_a_unit(remainder: str) -> bool:
    """What follows a two-character name must be a unit of it (研究院, AI实验室, 团队…) or Latin letters."""
    remainder = core_of(remainder) if len(remainder) > 2 else remainder
    return is_unit(remainder) or bool(re.match(r"[a-z0-9]", remainder))
