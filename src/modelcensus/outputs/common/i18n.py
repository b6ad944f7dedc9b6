"""The outputs' words in one language: strings files, numbers and dates by Babel, country names by pycountry.

Every user-visible word of the report and the dashboard comes from a strings file (``strings/LANG.yaml`` here
for the words both share, ``outputs/report/strings`` and ``outputs/web/strings`` for their own). The lower
layers write a few sentences in English (a figure's definition, its denominator, the scope of a listing, why an
estimate is withheld); :meth:`Words.phrase` translates them with the ``phrases`` of the strings file, whose
English patterns say exactly which sentences are known. Sentences built from structured results (a year still
filling in, the sources of a figure, a claim's explanation) are written here again in the chosen language,
with the same templates in English as the lower layers use, so English output is unchanged.

Nothing here changes what the census computes or what a JSON twin says: only presentation is translated.
"""

from __future__ import annotations

import csv
import gettext
import math
import re
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pycountry
import yaml
from babel import Locale
from babel.dates import format_date
from babel.numbers import (
    format_compact_decimal,
    format_decimal,
    format_percent,
    get_decimal_symbol,
    get_group_symbol,
)

from modelcensus.errors import InputFormatError, QueryError
from modelcensus.provenance import describe_sources, source_groups
from modelcensus.records import country_name, is_missing

STRINGS_DIR = Path(__file__).with_name("strings")
COUNTRY_NAMES = STRINGS_DIR / "country_names.csv"
"""Reviewed country (and region group) names per language where pycountry's translation reads badly."""
DEFAULT_LANGUAGE = "en"
PYCOUNTRY_LOCALES = {"zh": ("zh_CN",), "id": ("id",)}
"""The pycountry (iso-codes) catalogue of each language: Simplified Chinese as used in mainland China."""

NUMERIC_FIELDS = frozenset(
    (
        "n",
        "year",
        "since",
        "until",
        "first",
        "last",
        "vintages",
        "years",
        "observations",
        "window",
        "lag",
        "low",
        "high",
        "needed",
        "unseen",
        "listed",
        "ratio",
        "level",
    )
)
"""Placeholders of a phrase that hold a number (or a year, ``…`` for an open bound): they match nothing else, so
that a sentence of several clauses is read clause by clause."""
NUMBER_PART = r"[-+]?[\d…][\d.,]*%?"
VERBATIM_FIELDS = frozenset(
    ("name", "definition", "spec", "unit", "rule", "attribution", "origin", "tag", "value", "source", "error")
)
"""Placeholders of a phrase that hold a name or an identifier (a definition's name, a filter value, a source):
kept as written, never translated (the definition ``large-scale`` is not the words "large-scale")."""
_FIELD = re.compile(r"\{([a-z_]+)\}")
_NUMBER = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?%?|-?\d+\.\d+%?|-?\d+%")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_WORDS = re.compile(r"[A-Za-z]{2,}")
_CJK = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_CJK_SPACE = re.compile(f"(?<=[{_CJK}]) (?=[{_CJK}])")


def languages(directory: Path = STRINGS_DIR) -> list[str]:
    """The languages with a strings file in ``directory`` (``en``, ``id``, ``zh``)."""
    return sorted(p.stem for p in directory.glob("*.yaml"))


def read_strings(directory: Path, lang: str, what: str = "report") -> dict[str, Any]:
    """One strings file; an unknown language is a clear error naming the ones there are (and ``--lang``)."""
    path = directory / f"{lang}.yaml"
    if not isinstance(lang, str) or not lang.replace("-", "").isalnum() or not path.is_file():
        raise QueryError(
            f"no {what} strings for language {lang!r}; available: {', '.join(languages(directory))} "
            f"(a translation is a copy of {directory / 'en.yaml'} named {lang}.yaml)",
            parameter="lang",
        )
    try:
        strings = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InputFormatError(f"not valid YAML ({exc})", file=str(path)) from exc
    if not isinstance(strings, dict):
        raise InputFormatError("a strings file is a mapping of keys to words", file=str(path))
    return strings


def placeholders(text: str) -> list[str]:
    """The placeholders of a template, in order (``{n}``, ``{year}``)."""
    return _FIELD.findall(text)


@dataclass(frozen=True)
class Phrase:
    """An English sentence pattern of a lower layer and its translation."""

    key: str
    english: str
    translated: str
    pattern: re.Pattern[str]

    @classmethod
    def compile(cls, key: str, english: str, translated: str) -> Phrase:
        parts = []
        for literal, name, _, _ in string.Formatter().parse(english):
            parts.append(re.escape(literal))
            if name:
                parts.append(f"(?P<{name}>{NUMBER_PART if name in NUMERIC_FIELDS else '.+?'})")
        return cls(key, english, translated, re.compile("".join(parts), re.DOTALL))

    def js(self) -> list[str]:
        """The pattern as a JavaScript regular expression source and the translation (for the dashboard)."""
        return [self.pattern.pattern.replace("(?P<", "(?<"), self.translated]


def _literal_length(english: str) -> int:
    return len(_FIELD.sub("", english))


@cache
def _pycountry_catalogue(lang: str) -> gettext.NullTranslations:
    names = PYCOUNTRY_LOCALES.get(lang)
    if not names:
        return gettext.NullTranslations()
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=list(names), fallback=True)


@cache
def _country_overrides() -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    with COUNTRY_NAMES.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            code, lang, name = (row.get(k, "").strip() for k in ("code", "lang", "name"))
            if not code or not lang or not name or not row.get("note", "").strip():
                raise InputFormatError(
                    "each row needs a code, a lang, a name and a note", file=str(COUNTRY_NAMES), line=line
                )
            out[(code, lang)] = name
    return out


@dataclass
class Words:
    """The shared words of one language and the ways it writes numbers, dates and country names."""

    lang: str
    s: dict[str, Any]
    locale: Locale
    phrases: list[Phrase]
    misses: list[str] = field(default_factory=list)
    """English sentences a lower layer wrote that no phrase of this language matched (left in English)."""
    matched: set[str] = field(default_factory=set)
    """The keys of the phrases that translated something."""

    @classmethod
    def load(cls, lang: str = DEFAULT_LANGUAGE) -> Words:
        """The words of ``lang``; each call gives a fresh object (its ``misses`` are its own)."""
        strings, english = _strings(lang), _strings(DEFAULT_LANGUAGE)
        mine = strings.get("phrases") or {}
        phrases = [Phrase.compile(k, v, str(mine.get(k, v))) for k, v in english["phrases"].items()]
        phrases.sort(key=lambda p: -_literal_length(p.english))  # the most specific pattern first
        return cls(lang, strings, Locale.parse(strings["locale"]), phrases)

    @property
    def english(self) -> bool:
        return self.lang == DEFAULT_LANGUAGE

    @property
    def html_lang(self) -> str:
        return str(self.s["html_lang"])

    # -- numbers and dates ------------------------------------------------------------------------------

    def number(self, value: Any, digits: int = 0, grouping: bool = True) -> str:
        """A number with ``digits`` decimals (``1,509`` / ``1.509``; ``86.9`` / ``86,9``); "" for none."""
        if value is None or is_missing(value):
            return ""
        body = ("#,##0" if grouping else "0") + ("." + "0" * digits if digits else "")
        return format_decimal(float(value), format=body, locale=self.locale)

    def count(self, value: Any) -> str:
        """A count: whole numbers without decimals, fractional counts (fractional counting) with one."""
        if value is None or is_missing(value):
            return ""
        number = float(value)
        return self.number(number, 0 if number == round(number) else 1)

    def percent(self, value: Any, digits: int = 1) -> str:
        """A share as a percentage (``20.8%``, ``20,8%``); "" for none."""
        if value is None or is_missing(value):
            return ""
        body = "#,##0" + ("." + "0" * digits if digits else "") + "%"
        return format_percent(float(value), format=body, locale=self.locale)

    def signed(self, value: Any) -> str:
        """A difference with its sign (``+41``, ``-7``)."""
        return format_decimal(float(value), format="+0;-0", locale=self.locale)

    def compact(self, value: float) -> str:
        """A large number on an axis: ``12k``, ``1.5M`` in English; ``1.2万``, ``5.1亿``; ``12 rb``, ``1,5 jt``."""
        if self.english:
            if abs(value) >= 1e9:
                return f"{value / 1e9:g}B"
            if abs(value) >= 1e6:
                return f"{value / 1e6:g}M"
            if abs(value) >= 1e4:
                return f"{value / 1e3:g}k"
            return f"{value:g}"
        if abs(value) < 1e4:
            return format_decimal(value, locale=self.locale)
        return format_compact_decimal(value, format_type="short", locale=self.locale, fraction_digits=1)

    def decimal_symbol(self) -> str:
        return str(get_decimal_symbol(self.locale))

    def group_symbol(self) -> str:
        return str(get_group_symbol(self.locale))

    def date(self, value: Any) -> str:
        """A day in the language's pattern (``2026-03-30``, ``2026年3月30日``, ``30 Mar 2026``); text that is
        not a date is returned as it is."""
        day = _as_date(value)
        if day is None:
            return "" if value is None or is_missing(value) else str(value)
        return format_date(day, self.s["date_format"], locale=self.locale)

    def month(self, value: Any) -> str:
        day = _as_date(value)
        return "" if day is None else format_date(day, self.s["month_format"], locale=self.locale)

    def figure(self, value: float | None, metric: str, against: float | None = None) -> str:
        """:func:`modelcensus.claims.format_figure` in this language: near a threshold, with enough digits to
        show which side it is on."""
        if value is None:
            return str(self.s["explanation"]["not_available"])
        if metric == "share":
            for digits in range(1, 6):
                text = self.percent(value, digits)
                if against is None or value == against or self.percent(against, digits) != text:
                    return text
            return self.percent(value, 6)
        if float(value).is_integer():
            return self.number(value)
        for digits in range(1, 6):
            text = self.number(value, digits)
            if against is None or value == against or self.number(against, digits) != text:
                return text
        return self.number(value, 6)

    def join(self, items: Iterable[Any], clauses: bool = False) -> str:
        return str(self.s["clause_separator" if clauses else "list_separator"]).join(str(i) for i in items)

    # -- names ----------------------------------------------------------------------------------------

    def country(self, code: Any) -> str:
        """A country's (or region group's) name: :func:`modelcensus.records.country_name` in English, else the
        reviewed override, else pycountry's translation, else the English name."""
        if is_missing(code) or not code:
            return self.no_country()
        if self.english:
            return country_name(code)
        code = str(code)
        override = _country_overrides().get((code, self.lang))
        if override:
            return override
        try:
            found = pycountry.countries.get(alpha_2=code)
        except LookupError:
            found = None
        if found is None:
            return str(code)
        # the common name (Iran, Bolivia), translated or, where the language spells it the same, as it is; a
        # country with none has its ISO short name translated
        common = getattr(found, "common_name", None)
        return _pycountry_catalogue(self.lang).gettext(str(common or found.name))

    def no_country(self) -> str:
        return str(self.s["no_country"])

    def countries(self) -> dict[str, str]:
        """Every ISO country's name in this language, by its alpha-2 code (for the dashboard's pages)."""
        return {c.alpha_2: self.country(c.alpha_2) for c in pycountry.countries}

    def verdict(self, verdict: str) -> str:
        return str(self.s["verdicts"].get(verdict, verdict))

    def rule(self, rule: str) -> str:
        return str(self.s["rules"].get(rule, rule))

    def attribution(self, attribution: str) -> str:
        return str(self.s["attributions"].get(attribution, attribution))

    def sector(self, sector: Any) -> str:
        return "" if is_missing(sector) else str(self.s["sectors"].get(str(sector), sector))

    def role(self, role: str) -> str:
        return str(self.s["roles"].get(role, role))

    # -- the lower layers' English sentences ------------------------------------------------------------

    def phrase(self, text: Any, required: bool = True) -> str:
        """A sentence a lower layer wrote in English, in this language (unchanged in English). Parts joined by
        ``; `` or ``, `` are translated one by one; a part no phrase matches stays English and, if ``required``
        (not a name such as a licence's), is listed in :attr:`misses`."""
        if text is None or is_missing(text):
            return ""
        text = str(text)
        if self.english or not text:
            return str(text)
        return self._translate(text, top=required)

    def _translate(self, text: str, top: bool) -> str:
        translated, known = self._read(text)
        if top and not known and text not in self.misses:
            self.misses.append(text)
        return translated

    def _read(self, text: str) -> tuple[str, bool]:
        """``text`` translated, and whether every part of it was known (a number, a date, a country, a phrase).

        A sentence is read whole by the phrase whose placeholders hold no clause of it (``, `` or ``; ``), else
        clause by clause when every clause is known, else whole by the first phrase that matches (a definition's
        ``epoch; notable=True`` is one placeholder); a text with no English word in it (a name) stays as it is."""
        local = self._localized_value(text)
        if local is not None:
            return local, True
        code = _english_countries().get(text)
        if code is not None:  # a country's English name in a sentence (``the sources list no China model``)
            return self.country(code), True
        matches = [(p, m) for p in self.phrases if (m := p.pattern.fullmatch(text))]
        for phrase, match in matches:
            if not any(", " in v or "; " in v for v in match.groupdict().values()):
                return self._fill(phrase, match), True
        for separator, clauses in (("; ", True), (", ", False)):
            if separator in text:
                parts = [self._read(part) for part in text.split(separator)]
                if all(known for _, known in parts) or not matches:
                    joined = str(self.s["clause_separator" if clauses else "part_separator"]).join(p for p, _ in parts)
                    return joined, all(known for _, known in parts)
        if matches:
            return self._fill(*matches[0]), True
        return text, not _WORDS.search(text)

    def _fill(self, phrase: Phrase, match: re.Match[str]) -> str:
        self.matched.add(phrase.key)
        values = {k: v if k in VERBATIM_FIELDS else self._read(v)[0] for k, v in match.groupdict().items()}
        return self.tidy(phrase.translated.format(**values))

    def _localized_value(self, text: str) -> str | None:
        """A number or a date, as this language writes it (None: not one)."""
        if _ISO_DATE.fullmatch(text):
            return self.date(text)
        if _NUMBER.fullmatch(text):
            percent = text.endswith("%")
            body = text.removesuffix("%").replace(",", "")
            digits = len(body.split(".")[1]) if "." in body else 0
            if percent:
                return self.percent(float(body) / 100, digits)
            return self.number(float(body), digits, grouping="," in text or abs(float(body)) >= 10_000)
        return None

    def tidy(self, text: str) -> str:
        """Text as the language sets it: Chinese puts no space between two Chinese characters (a template's
        space beside a placeholder is for Latin words and numbers)."""
        return _CJK_SPACE.sub("", text) if self.s.get("cjk") else text

    def numbers_in(self, text: str) -> str:
        """``>= 40.0%``, ``>= 1,509``: the numbers of a short text written as this language writes them."""
        if self.english:
            return text
        return _NUMBER.sub(lambda m: self._localized_value(m.group(0)) or m.group(0), text)

    # -- sentences built from structured results ---------------------------------------------------------

    def year_sentence(self, status: Any, label: str = "", detail: bool = True) -> str:
        """:meth:`modelcensus.metrics.completeness.YearStatus.describe` in this language (in English, its own
        sentence)."""
        if self.english:
            return str(status.describe(label, detail=detail))
        return self.tidy(self.render_year_sentence(status, label, detail))

    def render_year_sentence(self, status: Any, label: str = "", detail: bool = True) -> str:
        """The sentence of a year's status written from this language's templates (English: the same words as
        :meth:`~modelcensus.metrics.completeness.YearStatus.describe`, which the tests check)."""
        t = self.s["year_status"]
        who = t["who_label"].format(label=label, year=status.year) if label else t["who_year"].format(year=status.year)
        basis = self.phrase(status.basis)
        listed = self.number(status.listed)
        if status.complete:
            return str(t["complete"].format(who=who, listed=listed, basis=basis))
        if status.estimate is None or status.lag_months is None:
            return str(t["no_estimate"].format(who=who, listed=listed, basis=basis))
        high = t["unbounded"] if status.high is None or math.isinf(status.high) else self.number(status.high)
        return str(
            t["estimate" if status.ranged else "estimate_point"].format(
                who=who,
                listed=listed,
                lag=self.number(status.lag_months, grouping=False),
                estimate=self.number(status.estimate),
                low=self.number(status.low),
                high=high,
                detail=t["detail"].format(basis=basis) if detail else "",
            )
        )

    def sources(self, snapshots: Sequence[Mapping[str, Any]]) -> str:
        """:func:`modelcensus.provenance.describe_sources` in this language: each source with what it covers
        and its date (in English, its own sentence)."""
        if self.english:
            return describe_sources([dict(s) for s in snapshots])
        return self.tidy(self.render_sources(snapshots))

    def render_sources(self, snapshots: Sequence[Mapping[str, Any]]) -> str:
        """The sources line written from this language's templates."""
        t = self.s["sources"]
        parts = []
        for snaps in source_groups(snapshots):
            first = snaps[0]
            source = str(first.get("source", ""))
            dates = sorted({str(s.get("data_date") or "unknown") for s in snaps})
            dates = [d if d not in ("None", "NaT", "nan") else "unknown" for d in dates]
            scopes = list(dict.fromkeys(str(s["scope"]) for s in snaps if s.get("scope")))
            what = self.join((self.phrase(s) for s in scopes), clauses=True) if scopes else t["export"]
            if dates == ["unknown"]:
                when = t["undated"]
            else:
                when = t["dated"].format(
                    dates=self.join(self.date(d) if d != "unknown" else self.s["unknown"] for d in dates)
                )
            license_text = self.phrase(first.get("license", ""), required=False)
            credit = self.phrase(first.get("credit", source), required=False)  # a name, or a description of one
            line = t["line_scoped" if scopes else "line"]  # a scope after its date: never "… harvest dated …"
            parts.append(line.format(credit=credit, license=license_text, what=what, when=when))
        return str(t["all"].format(sources=self.join(parts, clauses=True))) if parts else ""

    def explanation(self, result: Mapping[str, Any], claimed: float) -> str:
        """:func:`modelcensus.claims.model.explain` in this language, from the claim's checked result (in
        English, the result's own explanation)."""
        if self.english:
            return str(result["explanation"])
        return self.tidy(self.render_explanation(result, claimed))

    def render_explanation(self, result: Mapping[str, Any], claimed: float) -> str:
        """A claim's explanation written from this language's templates."""
        t = self.s["explanation"]
        m = str(result["metric"])
        at, now = result.get("at_vintage"), result["now"]
        claimed_text = self.figure(claimed, m)
        now_text = t["now"].format(figure=self.figure(now["figure"], m, claimed), date=self.date(now["export_date"]))
        if at is None:
            first = t["first_now"].format(now=now_text, claimed=claimed_text)
        elif at["export_date"] is None:
            first = t["first_undated"].format(as_of=self.date(at["as_of"]), now=now_text)
        else:
            nxt = (
                t["next"].format(
                    figure=self.figure(at["next_figure"], m, claimed), date=self.date(at["next_export_date"])
                )
                if at["next_export_date"]
                else ""
            )
            vintage = t["vintage"].format(date=self.date(at["export_date"]), as_of=self.date(at["as_of"]))
            then = self.figure(at["figure"], m, claimed)
            first = t["first_vintage"].format(vintage=vintage, then=then, next=nxt, now=now_text, claimed=claimed_text)
        parts = [first]
        low, high = result.get("range_low"), result.get("range_high")
        if low is not None and high is not None:
            parts.append(t["spread"].format(low=self.figure(low, m), high=self.figure(high, m)))
        cov = result.get("coverage")
        if cov is not None:

            def fmt(v: Any) -> str:
                if m == "count":
                    return str(t["not_available"]) if v is None else self.number(round(v))
                return self.figure(v, m)

            if cov.get("estimate") is not None:
                parts.append(
                    t["estimate"].format(
                        estimate=fmt(cov["estimate"]),
                        low=fmt(cov["ci_low"]),
                        high=fmt(cov["ci_high"]),
                        sources=self.join(cov["sources"]),
                    )
                )
            elif cov.get("method") == "none":
                parts.append(t["not_estimated"])
            else:
                parts.append(t["see_reason"])
        scopes = [s["scope"] for s in result.get("snapshots", []) if s.get("scope")]
        if scopes:
            parts.append(
                t["population"].format(scopes=self.join((self.phrase(s) for s in dict.fromkeys(scopes)), clauses=True))
            )
        return str(t["separator"]).join(parts)


def _as_date(value: Any) -> date | None:
    if value is None or is_missing(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if hasattr(value, "date") and callable(value.date):  # a pandas Timestamp
        day = value.date()
        return day if isinstance(day, date) else None
    text = str(value)
    if _ISO_DATE.fullmatch(text[:10]) and (len(text) == 10 or text[10] in "T "):
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            return None
    return None


@cache
def _english_countries() -> dict[str, str]:
    return {country_name(c.alpha_2): c.alpha_2 for c in pycountry.countries}


@cache
def _strings(lang: str) -> dict[str, Any]:
    return read_strings(STRINGS_DIR, lang, "shared")
