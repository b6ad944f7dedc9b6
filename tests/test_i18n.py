"""The report and the dashboard in Chinese and Indonesian (``report --lang zh|id``, ``?lang=zh|id``).

The strings files of every language hold the same keys and placeholders as English, and every English word is
used; the shared words (``outputs/common/i18n.py``) write numbers and dates by Babel and country names by
pycountry, and their English templates write exactly what the lower layers write; the phrases translate every
sentence the lower layers write. The reports of the small census in zh and id are built once and read: no
English heading is left, the page says its language, loads nothing from elsewhere, and writes its numbers,
dates, country names and verdicts in the language. The dashboard's pages take the language from ``?lang=`` and
remember it; its JSON twins stay English.
"""

from __future__ import annotations

import csv
import dataclasses
import itertools
import re
import string
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import ibis
import pandas as pd
import pycountry
import pytest
import yaml
from babel.dates import format_date
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import modelcensus as mc
from modelcensus.errors import QueryError
from modelcensus.metrics.completeness import LagCurve, assess
from modelcensus.metrics.core import Filters
from modelcensus.metrics.estimate import _screen
from modelcensus.metrics.hub import HubFilters, _reason
from modelcensus.orgs.registry import SECTORS
from modelcensus.outputs.api.app import create_app
from modelcensus.outputs.cli.app import app
from modelcensus.outputs.common import i18n
from modelcensus.outputs.common.i18n import COUNTRY_NAMES, Words, placeholders
from modelcensus.outputs.report import charts
from modelcensus.outputs.report.build import build_report
from modelcensus.outputs.report.builder import load_strings
from modelcensus.outputs.report.years import curve_words
from modelcensus.outputs.web.language import LANG_COOKIE
from modelcensus.provenance import DataDate, describe_sources
from modelcensus.records import country_name
from modelcensus.sources import cac, cac_totals, huggingface, lmarena, openrouter
from modelcensus.vocabulary import Attribution, Derivatives, Rule, Source, Unit, Verdict, unit_plural
from test_browser import CHROMIUM, CHROMIUM_ARGS

from conftest import ROOT

SRC = ROOT / "src" / "modelcensus" / "outputs"
STRINGS = {
    "report": SRC / "report" / "strings",
    "dashboard": SRC / "web" / "strings",
    "shared": SRC / "common" / "strings",
}
LANGS = ("zh", "id")
HTML_LANG = {"en": "en", "zh": "zh-Hans", "id": "id"}
CJK = re.compile(r"[\u3400-\u9fff]")
CLAIMS = ("waic-2025-share", "ai-index-2025-cn", "hub-derivatives-chinese-bases")
"""Claims of examples/claims.yaml the reports check: an estimate, a withheld one, a claim of the Hub."""


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def _leaves(data: Any, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    if isinstance(data, dict):
        out: dict[tuple[str, ...], Any] = {}
        for key, value in data.items():
            out.update(_leaves(value, (*path, str(key))))
        return out
    return {path: data}


def _templates(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


# -- the strings files ------------------------------------------------------------------------------------


@pytest.mark.parametrize("what", STRINGS)
def test_every_language_has_every_key_and_the_same_placeholders(what: str) -> None:
    folder = STRINGS[what]
    english = _leaves(_load(folder / "en.yaml"))
    files = sorted(folder.glob("*.yaml"))
    assert {p.stem for p in files} >= {"en", *LANGS}, f"{folder}: a strings file per language"
    for path in files:
        mine = _leaves(_load(path))
        missing = sorted(".".join(k) for k in english.keys() - mine.keys())
        extra = sorted(".".join(k) for k in mine.keys() - english.keys())
        assert not missing, f"{path}: keys missing (in en.yaml): {missing}"
        assert not extra, f"{path}: keys en.yaml does not have: {extra}"
        for key, value in english.items():
            theirs = mine[key]
            assert (theirs is not None and str(theirs).strip() != "") or str(value).strip() == "", (
                f"{path}: {key} empty"
            )
            assert isinstance(theirs, list) == isinstance(value, list), f"{path}: {'.'.join(key)} list or not"
            ours, translated = _templates(value), _templates(theirs)
            assert len(ours) == len(translated), f"{path}: {'.'.join(key)} has {len(translated)} items, en {len(ours)}"
            for a, b in zip(ours, translated, strict=True):
                assert sorted(placeholders(a)) == sorted(placeholders(b)), (
                    f"{path}: {'.'.join(key)}: placeholders {placeholders(b)} differ from en.yaml's {placeholders(a)}"
                )


def test_a_missing_key_or_placeholder_is_caught(tmp_path: Path) -> None:
    """The check above fails on a file that lacks a key or changes a placeholder (it can fail)."""
    english = _leaves(_load(STRINGS["report"] / "en.yaml"))
    broken = _load(STRINGS["report"] / "zh.yaml")
    del broken["sections"]["claims"]["withheld"]
    broken["sections"]["countries"]["intro"] = broken["sections"]["countries"]["intro"].replace("{n}", "{count}")
    mine = _leaves(broken)
    assert english.keys() - mine.keys() == {("sections", "claims", "withheld")}
    key = ("sections", "countries", "intro")
    assert sorted(placeholders(english[key])) != sorted(placeholders(mine[key]))


def _code_text(*folders: Path, suffixes: tuple[str, ...] = (".py",)) -> str:
    return "\n".join(
        p.read_text(encoding="utf-8") for f in folders for p in sorted(f.iterdir()) if p.suffix in suffixes
    )


def test_every_report_word_is_used() -> None:
    code = _code_text(SRC / "report")
    english = _load(STRINGS["report"] / "en.yaml")
    assert "default" in english["credit_lines"] and set(english["credit_lines"]) <= {*Source, "default"}
    for key in _leaves(english):
        if key[0] == "credit_lines":
            continue
        for part in key:
            used = f'"{part}"' in code or f"'{part}'" in code
            assert used, f"report strings: {'.'.join(key)} is not used ({part!r} is in no module)"


def test_every_dashboard_word_is_used_and_every_used_word_exists() -> None:
    static = SRC / "web" / "static"
    scripts = _code_text(static, suffixes=(".js",))
    pages = _code_text(static, suffixes=(".html",))
    server = _code_text(SRC / "web")
    used = set(re.findall(r'MC\.t\("([a-z_.\-]+)"(?!\s*\+)', scripts)) | set(
        re.findall(r"\{\{([A-Za-z0-9_.\-]+)\}\}", pages)
    )
    used |= {f"nav.{k}" for k in re.findall(r'nav\["([a-z_]+)"\]', server)}
    english = {".".join(k) for k in _leaves(_load(STRINGS["dashboard"] / "en.yaml"))}
    shared = {"common." + ".".join(k) for k in _leaves(_load(STRINGS["shared"] / "en.yaml"))}
    raw = {"html_lang", "i18n", "header"}
    assert not used - english - shared - raw, (
        f"words the pages use that en.yaml lacks: {sorted(used - english - shared - raw)}"
    )
    used |= set(re.findall(r'"([a-z_]+\.[a-z_]+)"', scripts))  # a key chosen in a script: MC.t(many ? "a.b" : "a.c")
    for key in sorted(english - used):
        section, name = key.split(".", 1)
        if section == "columns":  # a JSON key's header (MC.column): a key the scripts or the API's schemas name
            schemas = (SRC / "common" / "schemas.py").read_text(encoding="utf-8")
            named = f'"{name}"' in scripts or f"{name}:" in scripts or re.search(rf"^\s+{name}: ", schemas, re.M)
            assert "MC.column" in scripts and named, key
        elif section == "values":  # a value of the data written in words: MC.t("values." + value)
            assert '"values." +' in scripts and name in ("yes", "no", "unknown", "true", "false"), key
        else:  # a word of a family: MC.t("dashboard.attribution_" + value)
            prefix = re.sub(r"_[a-z\-]+$", "_", key)
            assert f'"{prefix}" +' in scripts, f"dashboard strings: {key} is not used"
    attributions = {k.removeprefix("dashboard.attribution_") for k in english if k.startswith("dashboard.attribution_")}
    assert attributions == set(Attribution)
    assert {k.removeprefix("dashboard.unit_") for k in english if k.startswith("dashboard.unit_")} == {*Unit, "default"}


def test_every_shared_word_is_used() -> None:
    shared = _load(STRINGS["shared"] / "en.yaml")
    assert set(shared["verdicts"]) == set(Verdict)
    assert set(shared["rules"]) == set(Rule)
    assert set(shared["attributions"]) == set(Attribution)
    assert set(shared["sectors"]) == set(SECTORS)
    assert set(shared["roles"]) == {"all", "notable", "frontier", "large_scale"}  # the files of an Epoch export
    code = _code_text(SRC / "common", SRC / "web", SRC / "report") + _code_text(
        SRC / "web" / "static", suffixes=(".js",)
    )
    skip = {"verdicts", "rules", "attributions", "sectors", "roles", "phrases"}
    for key in _leaves(shared):
        if key[0] in skip:
            continue
        for part in key:
            assert f'"{part}"' in code or f".{part}" in code, f"shared strings: {'.'.join(key)} is not used"


def test_country_name_overrides_are_reviewed_rows() -> None:
    groups = {r["group"] for r in csv.DictReader((ROOT / "src/modelcensus/orgs/data/region_groups.csv").open())}
    with COUNTRY_NAMES.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    seen = set()
    for row in rows:
        assert row["code"] in groups or pycountry.countries.get(alpha_2=row["code"]) is not None, row
        assert row["lang"] in LANGS and row["name"].strip() and row["note"].strip(), row
        assert (row["code"], row["lang"]) not in seen, row
        seen.add((row["code"], row["lang"]))
    for lang in LANGS:  # every region group has its name in each language
        assert {c for c, lg in seen if lg == lang and c in groups} == groups, lang


# -- numbers, dates and names -----------------------------------------------------------------------------


def test_numbers_dates_and_country_names_in_each_language() -> None:
    en, zh, id_ = (Words.load(lang) for lang in ("en", "zh", "id"))
    assert (en.percent(0.2084), zh.percent(0.2084), id_.percent(0.2084)) == ("20.8%", "20.8%", "20,8%")
    assert (en.count(1509), zh.count(1509), id_.count(1509)) == ("1,509", "1,509", "1.509")
    assert (en.count(2.5), id_.count(2.5)) == ("2.5", "2,5")
    day = date(2026, 3, 30)
    assert (en.date(day), zh.date("2026-03-30"), id_.date(pd.Timestamp(day))) == (
        "2026-03-30",
        "2026年3月30日",
        "30 Mar 2026",
    )
    assert zh.date(day) == format_date(day, "long", locale="zh_Hans_CN")  # Babel's own long date in Chinese
    assert (zh.compact(12_000), zh.compact(5.11e8), id_.compact(1.5e6), en.compact(1.5e6)) == (
        "1.2万",
        "5.1亿",
        "1,5\xa0jt",  # Babel's no-break space
        "1.5M",
    )
    assert [zh.country(c) for c in ("CN", "US", "GB", "HK", "TW", "MO")] == [
        "中国",
        "美国",
        "英国",
        "香港",
        "台湾",
        "澳门",
    ]
    assert [id_.country(c) for c in ("CN", "US", "GB", "RU")] == ["Cina", "Amerika Serikat", "Britania Raya", "Rusia"]
    assert zh.country("BO") == "玻利维亚"  # the reviewed override, not pycountry's misspelling
    assert (zh.country(None), id_.country(None), en.country(None)) == ("（无国家）", "(tanpa negara)", "(no country)")
    english_names = en.countries()
    for words in (zh, id_):
        names = words.countries()
        assert len(names) == len(list(pycountry.countries)) > 240
        translated = [c for c, name in names.items() if name != english_names[c]]
        if words.lang == "zh":
            assert not [c for c, name in names.items() if not CJK.search(name)], "every name in Chinese characters"
        assert len(translated) > 100, f"{words.lang}: only {len(translated)} names differ from English"


def test_an_unknown_language_is_a_clear_error() -> None:
    with pytest.raises(QueryError, match=r"no shared strings for language 'fr'; available: en, id, zh"):
        Words.load("fr")
    with pytest.raises(QueryError) as caught:
        load_strings("../zh")
    assert caught.value.parameter == "lang"


# -- the lower layers' sentences ------------------------------------------------------------------------------


def _listing_scope(origin: str | None, stored: int) -> str:
    read = huggingface.ListingRead(Path("x"), "array", "", stored, stored, 0, [], DataDate(None), None, origin)
    return read.scope()


def lower_layer_sentences(census: mc.Census, checked: list[dict[str, Any]]) -> list[str]:
    """English sentences the lower layers write, from their own code: filters, definitions, denominators, the
    listing-lag readings, Hub scopes and licences, why a Hub repo has no country, why an estimate is withheld."""
    out = [
        Filters().describe(),
        Filters(year=2024, notable=True, frontier=False, large_scale=True).describe(),
        Filters(since=2015, until=2025, notable=False, frontier=True, large_scale=False).describe(),
        Filters(open_weights="yes", domain="Language", as_of=date(2025, 3, 1)).describe(),
        *(HubFilters(derivatives=d).describe() for d in Derivatives),
        HubFilters(year=2024, pipeline_tag="text-generation", as_of=date(2025, 3, 1)).describe(),
        HubFilters(since=2020, until=2024).describe(),
        *(d.describe() for d in census.definitions().values()),
        *(unit_plural(u) for u in Unit),
        census.count_definition_by_year("epoch-notable", 2020, 2024).provenance.denominator or "",
        census.count_definition("large-models").provenance.denominator or "",
        census.count(by="country").provenance.denominator or "",
        census.vintages("country", year=2024, notable=True).provenance.denominator or "",
        *(
            census.count_hub(by="country", metric=m).provenance.denominator or ""
            for m in ("models", "downloads", "likes")
        ),
        curve_words({}),
        curve_words({"notable": True, "large_scale": True}),
        curve_words({"frontier": True}),
        _listing_scope(None, 1000),
        *(
            _listing_scope(f"huggingface.co/api/models (sort = {s})", 273)
            for s in ("trending", "downloads", "likes", "x")
        ),
        huggingface.LICENSE,
        lmarena.LICENSE,
        openrouter.LICENSE,
        cac.LICENSE,
        cac_totals.LICENSE,
        cac_totals.CREDIT,  # a description, not a name: the sources line translates it too
    ]
    concentration = census.concentration("epoch-all", 2020, 2024).provenance
    out += [concentration.denominator or "", concentration.concentration_text or ""]
    for attribution in ("resolved", "lineage"):
        frame = census.count_hub(by="country", attribution=attribution).frame
        out += list(frame.loc[frame["group"].isna(), "group_name"])
    repos = ibis.memtable(
        {
            "handle": [None, "a", "a", "a", "a"],
            "org_id": [None, None, "o", "o", "o"],
            "kind": [None, None, "individual", "community", "x"],
        }
    )
    for lineage in (False, True):  # why a repo has no country, each reason
        out += list(repos.select(r=_reason(repos.handle, repos.org_id, repos.kind, lineage)).execute()["r"])
    out.append(country_name(None))
    base = census.count_hub(by="base_family").frame
    out += list(base.loc[base["group"].isna(), "group_name"])
    curve = census.listing_lag(None)[1][""]
    empty = LagCurve(curve.observations.iloc[0:0], 0)
    lags = sorted(float(x) for x in curve.observations["lag_months"])
    gaps = [(a + b) / 2 for a, b in itertools.pairwise(lags) if b - a > 6]
    when = date(2026, 3, 30)
    undated = dataclasses.replace(curve, first_vintage=None)  # a curve that does not know its oldest vintage
    for lag, on in ((lags[0], curve), (gaps[0], curve), (lags[-1] + 60, undated), (lags[-1] + 60, curve)):
        # near an observation, between two, older than all, mature at every vintage
        year = when.year - 1 - int(lag // 12)
        out.append(assess(year, 10, date(year + 1, 1, 1) + pd.Timedelta(days=lag * 30.4375), on).basis)
    for n in (1, 2):  # one observation near the lag, and two
        near = pd.DataFrame(
            [{"year": 2020 - i, "export_id": "e", "lag_months": 6.0, "ratio": 0.5, "final": 50} for i in range(n)]
        )
        out.append(assess(2024, 10, date(2025, 7, 1), LagCurve.from_observations(near)).basis)
    out += [empty.basis(), assess(when.year, 10, when, curve).basis]  # no curve; the year is not over
    for r in checked:
        if (r.get("coverage") or {}).get("reason"):
            out.append(r["coverage"]["reason"])
    out += [_screen(1, 0, 0, 30, 5), _screen(2, 12, 0, 30, 5), _screen(2, 40, 0, 30, 5), _screen(2, 40, 3, 30, 5)]
    lonely = census.claims.claim_coverage(_claim("IS", "large-models"), "large-models")
    out.append(lonely["reason"])  # the sources list no model of a country under a definition
    return [s for s in out if s]


def _claim(country: str, definition: str) -> Any:
    from modelcensus.claims import Claim

    return Claim("x", "x", "count", country, ">=", 1, definition, period={"year": 2024})


SOURCE_ONLY = {
    "share_withheld": "claims/figures.py",
    **dict.fromkeys(
        ("est_not_fitted", "est_heterogeneity", "est_floor", "est_no_floor", "est_unseen", "est_no_range"),
        "metrics/estimate.py",
    ),
    "est_no_upper": "metrics/estimate.py",
    "world_sample": "vocabulary.py",
}
"""Phrases whose sentence no figure of the small census writes: their English words are checked in the module
that writes them."""


def test_every_phrase_translates_what_the_lower_layers_write(
    small_census: mc.Census, checked: list[dict[str, Any]]
) -> None:
    sentences = lower_layer_sentences(small_census, checked)
    english = _load(STRINGS["shared"] / "en.yaml")["phrases"]
    assert len(sentences) > 40
    for lang in LANGS:
        words = Words.load(lang)
        translated = [words.phrase(s) for s in sentences]
        assert words.misses == [], f"{lang}: sentences of the lower layers no phrase translates: {words.misses}"
        unused = set(english) - words.matched - set(SOURCE_ONLY)
        assert not unused, f"{lang}: phrases that translate no sentence of the lower layers: {sorted(unused)}"
        left = [s for s, t in zip(sentences, translated, strict=True) if s == t]
        assert left == [], f"{lang}: sentences left as they were: {left}"
    for key, module in SOURCE_ONLY.items():
        code = (ROOT / "src/modelcensus" / module).read_text(encoding="utf-8")
        code = re.sub(r'"\s*\n\s*f?"', "", code)  # a sentence written over several lines of the module
        for literal, _, _, _ in string.Formatter().parse(english[key]):
            assert literal.strip(" :") in code, (key, literal)


def test_a_listing_is_dated_before_its_scope_is_said() -> None:
    """'…, not a full harvest dated 2026-05-04' read as if the harvest (which there is not) were dated: a file of
    part of its source gets its date first, in every language; an export of the whole source keeps 'export dated'."""
    hub = {"source": "huggingface", "credit": "Hugging Face Hub", "license": huggingface.LICENSE}
    origin = "huggingface.co/api/models (default sort = trending)"
    scope = f"a listing of 1,000 trending repos ({origin}), not a full harvest"
    snaps = [{**hub, "data_date": "2026-05-04", "scope": scope}, EPOCH_SNAPSHOT]
    english = describe_sources(snaps)
    assert "Hugging Face Hub (" in english and f"): dated 2026-05-04, {scope}." in english
    assert "harvest dated" not in english and "Epoch AI (CC BY 4.0): export dated 2026-03-30" in english
    for lang in LANGS:
        words = Words.load(lang)
        text = words.render_sources(snaps)
        assert words.misses == [], (lang, words.misses)
        listing, dated = text.index(words.phrase(scope)), text.index(words.date("2026-05-04"))
        assert dated < listing, (lang, text)  # the date before the scope


EPOCH_SNAPSHOT = {"source": "epoch", "credit": "Epoch AI", "license": "CC BY 4.0", "data_date": "2026-03-30"}


def test_a_sentence_no_phrase_knows_stays_english_and_is_reported() -> None:
    words = Words.load("zh")
    assert words.phrase("a sentence no lower layer writes") == "a sentence no lower layer writes"
    assert words.phrase("MIT", required=False) == "MIT"
    assert words.misses == ["a sentence no lower layer writes"]
    english = Words.load("en")
    assert english.phrase("models that pass the filters") == "models that pass the filters" and not english.misses


def test_the_english_templates_write_what_the_lower_layers_write(
    small_census: mc.Census, checked: list[dict[str, Any]]
) -> None:
    """The translations are of the right sentences: the English templates the other languages translate write,
    word for word, the lower layers' own sentences (year status, sources, a claim's explanation)."""
    words = Words.load("en")
    statuses = small_census.year_statuses(small_census.year_status(2010, 2026))
    assert any(not s.complete for s in statuses) and any(s.complete for s in statuses)
    for status in statuses:
        for label in ("", "China"):
            for detail in (True, False):
                assert words.render_year_sentence(status, label, detail) == status.describe(label, detail=detail)
    snapshots = small_census.snapshots_in_force(["epoch", "huggingface", "openrouter", "lmarena"], None)
    undated = [{**snapshots[0], "data_date": None}]
    for snaps in (snapshots, snapshots[:1], undated):
        assert words.render_sources(snaps) == describe_sources(snaps)
    assert {r["id"] for r in checked} == set(CLAIMS)
    for r in checked:
        assert words.render_explanation(r, r["value"]) == r["explanation"], r["id"]


# -- the reports in zh and id ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def claims_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = _load(ROOT / "examples" / "claims.yaml")
    data["claims"] = [c for c in data["claims"] if c["id"] in CLAIMS]
    path = tmp_path_factory.mktemp("claims") / "claims.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def checked(small_census_path: Path, claims_file: Path) -> list[dict[str, Any]]:
    with mc.open(small_census_path, read_only=True) as census:
        return census.check(claims_file)


@dataclass(frozen=True)
class Built:
    lang: str
    out: Path
    html: str
    markdown: str
    untranslated: list[str]
    warnings: list[str]


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory, small_census_path: Path, claims_file: Path) -> dict[str, Built]:
    """The report of the small census in zh (through the CLI) and in id (through the library)."""
    claims = claims_file
    built = {}
    for lang in LANGS:
        out = tmp_path_factory.mktemp(f"report-{lang}") / "out"
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if lang == "zh":
                result = CliRunner().invoke(
                    app,
                    [
                        "report",
                        "--out",
                        str(out),
                        "--db",
                        str(small_census_path),
                        "--claims",
                        str(claims),
                        "--lang",
                        lang,
                    ],
                )
                assert result.exit_code == 0, result.output
                assert "left in English" not in result.output, result.output
                untranslated: list[str] = []
            else:
                with mc.open(small_census_path, read_only=True) as census:
                    untranslated = build_report(census, out, lang=lang, claims=claims).untranslated
        built[lang] = Built(
            lang,
            out,
            (out / "index.html").read_text(encoding="utf-8"),
            (out / "report.md").read_text(encoding="utf-8"),
            untranslated,
            [str(w.message) for w in caught],
        )
    return built


def _english_patterns(lang: str) -> list[tuple[str, re.Pattern[str]]]:
    """Every English template of the report with words of its own, as a pattern its filled-in text matches (but
    those the language writes the same: Indonesian's "total")."""
    words: dict[str, dict[tuple[str, ...], Any]] = {}
    for language in ("en", lang):
        shared = _load(STRINGS["shared"] / f"{language}.yaml")
        common = _leaves({k: shared[k] for k in ("verdicts", "rules", "attributions")})
        words[language] = {**_leaves(_load(STRINGS["report"] / f"{language}.yaml")), **common}
    out = []
    for key, value in words["en"].items():
        for template, theirs in zip(_templates(value), _templates(words[lang][key]), strict=True):
            literal = re.sub(r"\{[a-z_]+\}", "", template)
            if template == theirs or not re.search(r"[A-Za-z]{3}", literal):
                continue  # "{definition}", "{country} {first} → {last}": no English words of its own
            pattern = ".+?".join(re.escape(p) for p in re.split(r"\{[a-z_]+\}", template))
            out.append((".".join(key), re.compile(pattern, re.DOTALL)))
    return out


def _texts(html: str) -> list[str]:
    """The headings, table headers, caption labels and the charts' words of a report page."""
    page = re.sub(r"<script.*?</script>", "", html, flags=re.DOTALL)
    tags = re.findall(r"<(h[1-3]|th|title|a)\b[^>]*>(.*?)</\1>", page, re.DOTALL)
    texts = [re.sub(r"<[^>]+>", "", t) for _, t in tags]
    for caption in re.findall(r'<div class="caption">(.*?)</div>', page, re.DOTALL):
        texts += [re.split(r": |：", line, maxsplit=1)[0] for line in re.findall(r"<p>(.*?)</p>", caption)]
    for spec in re.findall(r"\}\)\((\{.*?\})\);</script>", html):
        texts += re.findall(r'"(?:text|name)": "((?:[^"\\]|\\.)*)"', spec)
    return [t.replace("\\n", "\n").replace("<br>", "\n").strip() for t in texts if t.strip()]


@pytest.mark.parametrize("lang", LANGS)
def test_no_english_heading_caption_or_chart_label_is_left(reports: dict[str, Built], lang: str) -> None:
    built = reports[lang]
    assert built.untranslated == []
    texts = _texts(built.html)
    assert len(texts) > 150
    patterns = _english_patterns(lang)
    left = [(t, key) for t in texts for key, p in patterns if p.fullmatch(t)]
    assert not left, f"{lang}: English left in the report: {left[:10]}"
    headings = re.findall(r"<h[1-3][^>]*>(.*?)</h[1-3]>", built.html)
    if lang == "zh":  # every heading of the Chinese report is written in Chinese (beside a definition's name)
        assert all(CJK.search(h) for h in headings), [h for h in headings if not CJK.search(h)]
    page = re.sub(r"<script.*?</script>", "", built.html, flags=re.DOTALL)
    for english in ("Published claims, checked", "Models by country over time", "Definition:", "Sources:"):
        assert english not in page and english not in built.markdown


@pytest.mark.parametrize("lang", LANGS)
def test_the_page_says_its_language_and_loads_nothing_from_elsewhere(reports: dict[str, Built], lang: str) -> None:
    html = reports[lang].html
    assert html.startswith(f'<!DOCTYPE html>\n<html lang="{HTML_LANG[lang]}">')
    page = re.sub(r"(<script[^>]*>).*?</script>", r"\1</script>", html, flags=re.DOTALL)  # the page, not the scripts
    assert page.count("<script") == len(re.findall(r"<script\b", html)) > 10
    for attribute, value in re.findall(r'\b(src|href)="([^"]*)"', page):
        assert value.startswith(("#", "data:")), f"{attribute}={value!r} points outside the page"
    assert not re.search(r"<(link|img|iframe)\b", page) and "@import" not in page
    assert html.count("plotly.js v") == 1


@pytest.mark.parametrize("lang", LANGS)
def test_numbers_dates_countries_and_verdicts_in_the_language(
    reports: dict[str, Built], lang: str, small_census: mc.Census
) -> None:
    built, words = reports[lang], Words.load(lang)
    sources = small_census.sources()
    epoch_date = sources[(sources["source"] == "epoch") & sources["current"]]["data_date"].iloc[0]
    assert words.date(epoch_date) in built.html and str(epoch_date) not in re.sub(
        r"<script.*?</script>", "", built.html
    )
    for code in ("CN", "US"):
        assert (
            f"<td>{words.country(code)}</td>" in built.html
            or f'<td class="text">{words.country(code)}</td>' in built.html
        )
    assert {"zh": ["中国", "美国"], "id": ["Cina", "Amerika Serikat"]}[lang] == [words.country(c) for c in ("CN", "US")]
    # the open-weights table: each country's share of open models, written by Babel in the language
    counted = small_census.count(by=["country", "open_weights"], since=2015, until=2025).frame
    us = counted[counted["group"] == "US"].groupby("open_weights")["count"].sum()
    share = us.get("yes", 0) / (us.get("yes", 0) + us.get("no", 0))
    row = re.search(rf"<tr><td[^>]*>{words.country('US')}</td>(.*?)</tr>", built.html.split('id="open-weights"')[1])
    assert row is not None and words.percent(share) in row.group(1)
    if lang == "id":  # a decimal comma
        assert re.search(r"<td>\d{1,2},\d%</td>", built.html)
    verdicts = set(re.findall(r'<td class="text">([^<]*)</td>', built.html.split('id="claims"')[1])) & {
        *(words.verdict(v) for v in Verdict),
        *Verdict,
    }
    assert verdicts and verdicts <= {words.verdict(v) for v in Verdict}, verdicts


def test_chinese_charts_draw_with_a_cjk_font(reports: dict[str, Built]) -> None:
    built = reports["zh"]
    assert not [w for w in built.warnings if "missing from font" in w or "Glyph" in w], built.warnings
    svg = (built.out / "charts" / "countries_over_time.svg").read_text(encoding="utf-8")
    assert "Noto Sans CJK SC" in svg or "Source Han Sans SC" in svg
    assert "中国" in svg and "各国每年的模型数量" in svg  # the words stay text, in Chinese
    assert (built.out / "charts" / "countries_over_time.png").stat().st_size > 20_000


def test_a_chinese_chart_draws_every_glyph_and_says_when_it_cannot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    words = Words.load("zh")
    data = pd.DataFrame({"中国": [3.0, 5.0], "美国": [4.0, 2.0]}, index=[2024, 2025])
    chart = charts.Chart(
        "zh", "各国的模型", [charts.Panel("模型数", data, "模型数")], footer=["来源：测试"], words=words
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png, svg = charts.save_images(chart, tmp_path)
    assert not [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert png.stat().st_size > 10_000 and "中国" in svg.read_text(encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:  # the check can fail: without the font, boxes
        warnings.simplefilter("always")
        figure = charts.matplotlib_figure(chart)
        figure.savefig(tmp_path / "boxes.png")
    assert [w for w in caught if "missing from font" in str(w.message)]
    monkeypatch.setattr(charts, "CJK_FAMILIES", ("No Such Font SC",))
    monkeypatch.setattr(charts.font_manager, "findSystemFonts", lambda: [])
    with pytest.raises(charts.FontError, match="fonts-noto-cjk"):
        charts.save_images(chart, tmp_path / "none")
    assert not (tmp_path / "none" / "zh.png").exists()


def test_the_report_option_is_checked_and_documented(tmp_path: Path, small_census_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["report", "--out", str(out), "--db", str(small_census_path), "--lang", "xx"])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "--lang" in result.output and "available: en, id, zh" in result.output
    assert not out.exists()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "--lang zh" in readme and "?lang=zh" in readme


# -- the dashboard ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(small_census_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(small_census_path)) as test_client:
        yield test_client


@pytest.mark.parametrize("lang", LANGS)
def test_dashboard_pages_in_the_language_and_remembered(client: TestClient, lang: str) -> None:
    client.cookies.clear()
    page = client.get("/", params={"lang": lang})
    assert page.status_code == 200 and page.cookies.get(LANG_COOKIE) == lang
    html = page.text
    assert f'<html lang="{HTML_LANG[lang]}">' in html
    words = Words.load(lang)
    strings = _load(STRINGS["dashboard"] / f"{lang}.yaml")
    assert f"<h1>{strings['dashboard']['heading']}</h1>" in html
    assert f'<a href="/countries/CN">{words.country("CN")}</a>' in html
    assert not re.search(r"\{\{[^}]+\}\}", html), "every placeholder filled"
    links = re.findall(r'<a href="([^"]*)" hreflang="([^"]+)"', html)
    assert {h for _, h in links} == set(HTML_LANG.values()) and all(href.startswith("/?") for href, _ in links)
    assert 'aria-current="true"' in html
    # the next page, without ?lang=, keeps the language; the cookie alone does not set it again
    following = client.get("/vintages")
    assert f'<html lang="{HTML_LANG[lang]}">' in following.text
    assert strings["vintages"]["heading"] in following.text
    # another language asked for replaces it
    english = client.get("/claims", params={"lang": "en"})
    assert '<html lang="en">' in english.text and "Published claims, checked" in english.text
    client.cookies.clear()


def test_dashboard_twins_stay_english_and_an_unknown_language_is_refused(client: TestClient) -> None:
    client.cookies.clear()
    english = client.get("/api/dashboard", params={"since": 2023, "until": 2024}).json()
    client.cookies.set(LANG_COOKIE, "zh")
    chinese = client.get("/api/dashboard", params={"since": 2023, "until": 2024}).json()
    assert chinese == english
    assert any(r["group_name"] == "China" for r in english["by_country"]["rows"])
    refused = client.get("/countries/CN", params={"lang": "fr"})
    assert refused.status_code == 422 and "lang" in refused.text and "available: en, id, zh" in refused.text
    client.cookies.set(LANG_COOKIE, "fr")  # a cookie no language has: English
    assert '<html lang="en">' in client.get("/").text
    client.cookies.clear()


def test_the_pages_scripts_get_the_languages_words(client: TestClient) -> None:
    client.cookies.clear()
    html = client.get("/claims", params={"lang": "zh"}).text
    script = re.search(r"<script>MC\.setLanguage\((\{.*?\})\);</script>", html)
    assert script is not None
    payload = yaml.safe_load(script.group(1))  # JSON is YAML
    assert payload["lang"] == "zh" and payload["countries"]["CN"] == "中国" and payload["separators"] == ".,"
    assert payload["common"]["verdicts"]["supported"] == "得到支持" and len(payload["phrases"]) == len(
        _load(STRINGS["shared"] / "en.yaml")["phrases"]
    )
    assert set(payload["numeric"]) == i18n.NUMERIC_FIELDS
    indonesian = client.get("/claims", params={"lang": "id"}).text
    assert '"separators":",."' in indonesian
    client.cookies.clear()


# -- in Chromium, with screenshots -------------------------------------------------------------------------------

SCREENSHOTS = ROOT / "artifacts" / "screenshots" / "i18n"
GLYPHS = """(args) => {
  /* the same text drawn with an element's font: two Chinese characters drawn alike, or like a character no font
     has (U+E000), mean empty boxes */
  const [selector, a, b] = args;
  const font = getComputedStyle(document.querySelector(selector)).font;
  const draw = (text) => {
    const canvas = document.createElement("canvas");
    canvas.width = 64; canvas.height = 64;
    const ctx = canvas.getContext("2d");
    ctx.font = font.replace(/\\d+(\\.\\d+)?px/, "40px");
    ctx.fillText(text, 4, 48);
    return Array.from(ctx.getImageData(0, 0, 64, 64).data).join(",");
  };
  const first = draw(a), second = draw(b), missing = draw("\\ue000");
  return { inked: first.split(",").some((v) => v !== "0"), distinct: first !== second, real: first !== missing };
}"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: the browser tests need it (apt install chromium)")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Watched:
    page: Any
    errors: list[str]
    requests: list[str]

    def shot(self, folder: Path, name: str) -> Path:
        """A full-page screenshot in the test's folder (and in artifacts/screenshots/i18n/ to look at)."""
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        (SCREENSHOTS / path.name).write_bytes(path.read_bytes())
        from PIL import Image

        with Image.open(path) as image:
            small = image.convert("L").resize((200, 200 * image.height // image.width))
            pixels = list(small.get_flattened_data())
        inked = sum(1 for v in pixels if v < 200) / len(pixels)
        assert path.stat().st_size > 50_000 and 0.02 < inked < 0.6, f"{name}: a blank or broken page ({inked:.1%})"
        return path


@pytest.fixture()
def watched(browser: Any) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    w = Watched(page, [], [])
    page.on("console", lambda m: w.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: w.errors.append(str(exc)))
    page.on("request", lambda r: w.requests.append(r.url))
    yield w
    context.close()


def _glyphs_are_real(page: Any, selector: str) -> None:
    drawn = page.evaluate(GLYPHS, [selector, "中", "国"])
    assert drawn == {"inked": True, "distinct": True, "real": True}, f"{selector}: Chinese drawn as empty boxes {drawn}"


@pytest.mark.parametrize("lang", LANGS)
def test_the_report_in_chromium(reports: dict[str, Built], watched: Watched, tmp_path: Path, lang: str) -> None:
    built, page = reports[lang], watched.page
    page.goto((built.out / "index.html").as_uri())
    charts = built.html.count('<figure class="chart"')
    page.wait_for_function(f"document.querySelectorAll('figure.chart .main-svg').length >= {charts}", timeout=120_000)
    assert page.evaluate("document.documentElement.lang") == HTML_LANG[lang]
    strings = load_strings(lang)
    assert page.inner_text("h1") == strings["title"]
    text = page.inner_text("main")
    words = Words.load(lang)
    assert words.country("CN") in text and words.verdict("supported") in text
    legend = page.inner_text("#figure-countries_over_time")
    assert words.country("US") in legend and strings["series"]["other"] in legend  # the chart's own words
    if lang == "zh":
        _glyphs_are_real(page, "h1")
        _glyphs_are_real(page, "#figure-countries_over_time .legendtext")
    else:
        assert re.search(r"\d,\d%", text), "Indonesian writes a decimal comma"
    assert all(u.startswith(("file:", "data:", "blob:")) for u in watched.requests), watched.requests
    assert watched.errors == []
    watched.shot(tmp_path, f"report-{lang}")
    page.locator("#figure-claims").scroll_into_view_if_needed()
    page.locator("#claims").screenshot(path=str(tmp_path / f"report-{lang}-claims.png"))


@pytest.fixture(scope="module")
def server(small_census_path: Path, claims_file: Path) -> Iterator[str]:
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    uv = uvicorn.Server(
        uvicorn.Config(create_app(small_census_path, claims_path=claims_file), port=port, log_level="warning")
    )
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(timeout=30)


def _open(watched: Watched, url: str) -> None:
    watched.page.goto(url)
    watched.page.wait_for_function("document.body.dataset.loaded !== undefined", timeout=180_000)
    assert watched.page.evaluate("document.body.dataset.loaded") != "error", watched.page.inner_text("#status")


@pytest.mark.parametrize("lang", LANGS)
def test_the_dashboard_in_chromium(server: str, watched: Watched, tmp_path: Path, lang: str) -> None:
    page, words = watched.page, Words.load(lang)
    strings = _load(STRINGS["dashboard"] / f"{lang}.yaml")
    _open(watched, f"{server}/?lang={lang}")
    assert page.evaluate("document.documentElement.lang") == HTML_LANG[lang]
    assert page.inner_text("h1") == strings["dashboard"]["heading"]
    bars = page.evaluate("document.getElementById('chart-country').data[0].x")
    assert words.country("CN") in bars and words.country("US") in bars
    provenance = page.inner_text("#prov-country")
    assert strings["provenance"]["rule"] in provenance and words.rule("full") in provenance
    note = page.inner_text("#filling-country")
    assert words.s["year_status"]["unbounded"] not in note and strings["filling"]["label"] in note
    if lang == "zh":
        _glyphs_are_real(page, "h1")
    watched.shot(tmp_path, f"dashboard-{lang}")
    # the next pages keep the language (a cookie), without ?lang=
    _open(watched, f"{server}/countries/CN")
    title = strings["country"]["title"].format(name=words.country("CN"), code="CN")
    assert page.inner_text("h1") == title
    items = page.locator("#filling-years li").all_inner_texts()
    assert items and all(words.country("CN") in item for item in items), items  # the year sentences, in the language
    watched.shot(tmp_path, f"country-CN-{lang}")
    _open(watched, f"{server}/vintages")
    assert page.inner_text("h1") == strings["vintages"]["heading"]
    watched.shot(tmp_path, f"vintages-{lang}")
    _open(watched, f"{server}/claims")
    verdicts = page.locator("#claims-table tbody tr td:nth-child(5)").all_inner_texts()
    assert verdicts and set(verdicts) <= {words.verdict(v) for v in Verdict}
    explanations = page.inner_text("#explanations")
    assert words.date("2026-03-30") in explanations or words.date("2026-05-04") in explanations
    if lang == "zh":
        _glyphs_are_real(page, "#explanations li")
    watched.shot(tmp_path, f"claims-{lang}")
    host = server.split("//", 1)[1]
    assert all(host in u or u.startswith(("data:", "blob:")) for u in watched.requests), watched.requests
    assert [e for e in watched.errors if "503" not in e] == []  # the first claims check answers 503 and retries
