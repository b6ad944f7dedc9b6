"""One colour per country, and per kind of series, for every chart: the report's (Plotly and Matplotlib) and the
dashboard's (served to its scripts as ``MC.PALETTE``, see :func:`palette_json`).

A reader who learns that China is vermilion in one chart finds it vermilion in every other. The first colours
are Okabe and Ito's colour-blind-safe set (Okabe & Ito 2008, "Color Universal Design"), given to the countries
most charts show together (the United States, China, the United Kingdom, France, Germany, Canada); the next
countries take Paul Tol's "muted" colours, also chosen to stay apart for the common colour-vision
deficiencies. Fourteen colours cannot all stay apart for every reader: the countries shown side by side most
often get the most distinct ones, and every chart also names its series in a legend or a label. "Other" and
"no country" are greys: they are not a country. A country without a fixed colour gets one of a few further
colours, picked from its code the same way in Python and in ``common.js`` (:func:`fallback_index`), so it too
keeps its colour everywhere.
"""

from __future__ import annotations

from typing import Any

# Okabe–Ito (black left out: it is the colour of estimates and reference marks)
BLUE = "#0072B2"
VERMILION = "#D55E00"
BLUISH_GREEN = "#009E73"
REDDISH_PURPLE = "#CC79A7"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
YELLOW = "#F0E442"

COUNTRY_COLORS: dict[str, str] = {
    "US": BLUE,
    "CN": VERMILION,
    "GB": BLUISH_GREEN,
    "FR": REDDISH_PURPLE,
    "DE": ORANGE,
    "CA": SKY_BLUE,
    # Paul Tol's "muted" scheme
    "KR": "#882255",  # wine
    "JP": "#332288",  # indigo
    "IL": "#999933",  # olive
    "IN": "#44AA99",  # teal
    "AE": "#DDCC77",  # sand
    "SG": "#AA4499",  # purple
    "TW": "#117733",  # green
    "HK": "#CC6677",  # rose
}
"""The fixed colour of each major country, by ISO 3166-1 alpha-2 code."""

OTHER = "#BBBBBB"
"""The countries a chart groups as "Other"."""
UNKNOWN = "#DDDDDD"
"""No country, or an unknown one (a model no registry entry places; a Hub repo of an individual account)."""

FALLBACK = ("#88CCEE", "#6699CC", "#997700", "#EE99AA", "#994455", "#004488", "#EECC66", "#66CCEE")
"""Colours for a country without a fixed one; :func:`fallback_index` picks one from its code."""

SERIES_COLORS: dict[str, str] = {
    # sectors of an organization
    "industry": BLUE,
    "academia": BLUISH_GREEN,
    "government": VERMILION,
    "non-profit": REDDISH_PURPLE,
    "collective": ORANGE,
    # openness of the weights
    "open": BLUISH_GREEN,
    "closed": "#777777",
    "open_unknown": UNKNOWN,
    # Hub repos
    "originals": BLUE,
    "derivatives": ORANGE,
    # concentration
    "top1": BLUE,
    "top2": REDDISH_PURPLE,
    "hhi": VERMILION,
    # the listing lag, vintages and claims: a figure, and what it is set against
    "figure": BLUE,
    "observed": BLUE,
    "current": VERMILION,
    "claimed": VERMILION,
    "highest": "#8C8C8C",
    "gap": "#444444",
    "share_line": "#333333",
    "single": BLUE,
}
"""Colours of series that are not countries (kept apart from nothing else: no chart mixes them with countries,
except ``share_line``, a dark line over a country's bars)."""

EXTRA = (SKY_BLUE, YELLOW, *FALLBACK)
"""Further colours for a series of no known kind (the report's charts name every series in their legend)."""


def fallback_index(code: str) -> int:
    """The index in :data:`FALLBACK` of a country without a fixed colour: the sum of its code's characters,
    upper-cased, modulo the number of colours (``MC.countryColor`` computes the same)."""
    return sum(ord(c) for c in code.upper()) % len(FALLBACK)


def country_color(code: str | None) -> str:
    """The colour of a country (an ISO code; None, empty or ``"None"``: no country)."""
    if code is None or not str(code) or str(code) == "None":
        return UNKNOWN
    key = str(code).upper()
    return COUNTRY_COLORS.get(key) or FALLBACK[fallback_index(key)]


def palette_json() -> dict[str, Any]:
    """The palette as the dashboard's scripts read it (``MC.PALETTE``)."""
    return {
        "countries": dict(COUNTRY_COLORS),
        "other": OTHER,
        "unknown": UNKNOWN,
        "fallback": list(FALLBACK),
        "series": dict(SERIES_COLORS),
    }
