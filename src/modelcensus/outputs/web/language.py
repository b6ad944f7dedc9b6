"""The dashboard's language: which one a request asks for, and a page's HTML in it.

A page is an HTML shell (``static/*.html``) whose words are placeholders (``{{dashboard.heading}}``); the server
fills them from ``strings/LANG.yaml`` and gives the page's scripts the words they write (``MC.t(...)``), the
shared words of :mod:`modelcensus.outputs.common.i18n` (verdicts, rules, year sentences, the lower layers'
phrases) and the country names of the language. ``?lang=zh`` picks a language and a cookie remembers it for
the next pages. The JSON twins never change with the language: only what a person reads is translated.
"""

from __future__ import annotations

import html
import json
import re
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from modelcensus.outputs.common.i18n import (
    DEFAULT_LANGUAGE,
    NUMERIC_FIELDS,
    VERBATIM_FIELDS,
    Words,
    languages,
    read_strings,
)
from modelcensus.outputs.common.palette import palette_json
from modelcensus.records import country_name

STRINGS_DIR = Path(__file__).with_name("strings")
LANG_COOKIE = "modelcensus_lang"
LANG_PARAMETER = "lang"
NAV_COUNTRIES = ("CN", "US")
"""The countries the header links to (by code: their names are the language's)."""
SHARED_KEYS = (
    "verdicts",
    "rules",
    "attributions",
    "sectors",
    "roles",
    "year_status",
    "sources",
    "explanation",
    "no_country",
    "unknown",
    "list_separator",
    "part_separator",
    "clause_separator",
    "cjk",
    "plotly_date_axis",
    "plotly_date_hover",
    "intl_locale",
)
"""The shared words the pages' scripts use."""
_PLACEHOLDER = re.compile(r"\{\{([A-Za-z0-9_.\-]+)\}\}")


def dashboard_languages() -> list[str]:
    """The dashboard's languages: those with both the dashboard's strings and the shared ones."""
    return [lang for lang in languages(STRINGS_DIR) if lang in languages()]


@cache
def dashboard_strings(lang: str) -> dict[str, Any]:
    """The dashboard's words in ``lang`` (an unknown language is a :class:`QueryError` naming ``lang``)."""
    strings = read_strings(STRINGS_DIR, lang, "dashboard")
    Words.load(lang)  # the shared words must exist too
    return strings


def chosen_language(asked: str | None, remembered: str | None) -> str:
    """The language of a page: the ``lang`` parameter (an unknown one is an error), else the remembered one
    (an unknown cookie is ignored), else English."""
    if asked:
        dashboard_strings(asked)
        return asked
    if remembered and remembered in dashboard_languages():
        return remembered
    return DEFAULT_LANGUAGE


def _lookup(context: dict[str, Any], path: str) -> str:
    value: Any = context
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            raise KeyError(f"no dashboard string {path!r}")
        value = value[part]
    return str(value)


@cache
def render_page(template: str, lang: str) -> str:
    """A page's HTML shell with its words in ``lang`` (the header's language links are added per request)."""
    words = Words.load(lang)
    strings = dashboard_strings(lang)
    context = {**strings, "common": words.s, "countries": {c: words.country(c) for c in NAV_COUNTRIES}}
    raw = {"html_lang": html.escape(words.html_lang), "i18n": _script(lang), "header": _header(context)}

    def fill(match: re.Match[str]) -> str:
        key = match.group(1)
        return raw[key] if key in raw else html.escape(_lookup(context, key))

    return _PLACEHOLDER.sub(fill, template)


@cache
def _names() -> list[tuple[str, str, str]]:
    """Each language's code, its ``html lang`` and its name in itself."""
    out = []
    for code in dashboard_languages():
        words = Words.load(code)
        out.append((code, words.html_lang, str(words.s["language"])))
    return out


def language_links(path: str, query: list[tuple[str, str]], lang: str) -> str:
    """The header's language switch: this page in each language, each named in its own."""
    kept = [(k, v) for k, v in query if k != LANG_PARAMETER]
    links = []
    for code, html_lang, name in _names():
        href = path + "?" + urlencode([*kept, (LANG_PARAMETER, code)])
        current = ' aria-current="true" class="current"' if code == lang else ""
        tag = html.escape(html_lang)
        links.append(f'<a href="{html.escape(href)}" hreflang="{tag}" lang="{tag}"{current}>{html.escape(name)}</a>')
    return "".join(links)


def _header(context: dict[str, Any]) -> str:
    esc = html.escape
    nav = context["nav"]
    countries = "".join(f'<a href="/countries/{c}">{esc(context["countries"][c])}</a>' for c in NAV_COUNTRIES)
    return (
        '<header class="top"><a class="brand" href="/">modelcensus</a>\n'
        f'<nav><a href="/">{esc(nav["dashboard"])}</a>{countries}'
        f'<a href="/vintages">{esc(nav["vintages"])}</a><a href="/claims">{esc(nav["claims"])}</a>'
        f'<a href="/new">{esc(nav["new"])}</a></nav>'
        f'<nav class="languages" aria-label="{esc(nav["language"])}"><!--languages--></nav></header>'
    )


def _script(lang: str) -> str:
    """The words the page's scripts write, as ``MC.I18N`` (JSON, safe inside a script element), and the colours
    of the charts (``MC.PALETTE``: :func:`~modelcensus.outputs.common.palette.palette_json`, the report's too)."""
    words = Words.load(lang)
    payload: dict[str, Any] = {
        "lang": lang,
        "english": words.english,
        "t": dashboard_strings(lang),
        "common": {k: words.s[k] for k in SHARED_KEYS},
        "separators": "" if words.english else words.decimal_symbol() + words.group_symbol(),
        "countries": {} if words.english else words.countries(),
        "english_countries": {} if words.english else {country_name(c): c for c in words.countries()},
        "phrases": [] if words.english else [p.js() for p in words.phrases],
        "numeric": sorted(NUMERIC_FIELDS),
        "verbatim": sorted(VERBATIM_FIELDS),
    }
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    palette = json.dumps(palette_json(), separators=(",", ":"))
    return f"<script>MC.setLanguage({text});</script><script>MC.setPalette({palette});</script>"
