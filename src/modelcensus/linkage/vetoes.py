"""Why two records cannot be one model, whatever else says they are: the vetoes of linkage.

A name taken apart (:func:`name_parts`: words, version numbers, sizes, snapshot marks) and compared:
different version numbers (neither list within the other), different sizes, a tier word (``coder``,
``mini``, ``vision``… in ``data/model_tier_words.csv``) on one side only, or release months too far
apart. A month a name gives (``2024@05``) and a release date (Epoch's) must agree within a month; a date a
catalogue gives when it listed a model (OpenRouter's ``created``) may come up to :data:`LISTING_LAG_MONTHS`
after the release but not before it.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from modelcensus.linkage import names as ln

LISTING_LAG_MONTHS = 6
"""How long after a release a catalogue may first list it (OpenRouter added Nova Premier six months late)."""

_NEUTRAL = {
    "instruct",
    "it",
    "chat",
    "preview",
    "exp",
    "latest",
    "hf",
    "v",
    "free",
    "version",
    "model",
    "the",
    "base",
    "pt",
    "c4ai",
    "bf16",
}
_SIZE = re.compile(r"^(a|e)?\d+(\.\d+)?[bmk]$")
_SNAPSHOT = re.compile(r"^(\d{4}@\d{2}|(0[1-9]|1[0-2])[0-3]\d|0\d\d|\d{4}|20\d\d)$")
_PART = re.compile(r"\d+(?:\.\d+)*[a-z]?(?![a-z])|[a-z]+|\d+(?:\.\d+)*")


@lru_cache(maxsize=1)
def tier_words() -> frozenset[str]:
    """Words that name a distinct release of a family (``coder``, ``mini``, ``vision``)."""
    text = resources.files("modelcensus").joinpath("data", "model_tier_words.csv").read_text(encoding="utf-8")
    return frozenset(row["word"].strip().casefold() for row in csv.DictReader(text.splitlines()))


@dataclass(frozen=True)
class NameParts:
    """A model name taken apart: words, version numbers, sizes, and snapshot marks."""

    words: tuple[str, ...]
    versions: tuple[str, ...]
    sizes: tuple[str, ...]
    marks: tuple[str, ...]


@lru_cache(maxsize=65536)  # every candidate pair and every veto asks again for the same names
def name_parts(name: str, developer: str | None = None) -> NameParts:
    """``hermes-3-llama-3.1-405b`` → words (hermes, llama), versions (3, 3.1), sizes (405b).

    Dates become snapshot marks (``2024@05``), an alias in another script in parentheses is dropped,
    ``v1.0`` is version ``1``, and post-training words (instruct, chat, it) and the developer's own
    one-word id are not words of the model's name."""
    name = re.sub(r"(?<=\d)_(?=\d)", ".", name)  # internlm2_5 is InternLM 2.5
    key = ln.month_marks(ln.name_key(name, keep_dots=True))
    words: list[str] = []
    versions: list[str] = []
    sizes: list[str] = []
    marks: list[str] = []
    for token in key.split("-"):
        if not token:
            continue
        if _SIZE.match(token):
            sizes.append(token)
            continue
        if _SNAPSHOT.match(token):
            marks.append(token)
            continue
        if token in _NEUTRAL or token == developer:
            continue
        for part in _PART.findall(token):
            if part[0].isdigit():
                versions.append(re.sub(r"\.0$", "", part))
            elif part not in _NEUTRAL and part != developer and part.isascii():
                words.append(part)
    return NameParts(tuple(words), tuple(versions), tuple(sizes), tuple(marks))


def dated_month(record: ln.SourceRecord) -> tuple[int | None, bool]:
    """Months since year 0 of the release, and whether that month is only when a catalogue listed the
    record: the month its name gives; a year-less ``MMDD`` in its name (``gpt-4-0314``) read in the last
    year up to the record's date; else the record's date (a listing date for a catalogue)."""
    for mark in sorted(ln.snapshot_marks(record)):
        return ln.month_number(mark), False
    day = record.published_on
    if day is None:
        return None, False
    short = ln.month_day(record)
    if short is not None:
        year = day.year if short <= (day.month, day.day) else day.year - 1
        return year * 12 + short[0], False
    return day.year * 12 + day.month, record.source not in ln.RELEASE_DATE_SOURCES


def release_month(record: ln.SourceRecord) -> int | None:
    """Months since year 0 of the release (:func:`dated_month`)."""
    return dated_month(record)[0]


def month_near(record: ln.SourceRecord, near: int) -> int | None:
    """The month a record's name gives (``kimi-k2-0711-preview``: a year-less ``MMDD`` read in the year that
    puts it nearest to the month ``near``), or None."""
    day, month = ln.named_date(record, near // 12)
    if month:
        return month[0] * 12 + month[1]
    if day is None:
        return None
    if ln.month_day(record) is None:
        return day.year * 12 + day.month
    return min(((day.year + k) * 12 + day.month for k in (-1, 0, 1)), key=lambda m: abs(m - near))


def months_disagree(a: ln.SourceRecord, b: ln.SourceRecord) -> bool:
    """Whether two records' months say they are different releases (see the module docstring)."""
    (ma, listed_a), (mb, listed_b) = dated_month(a), dated_month(b)
    if ma is None and mb is not None:
        ma = month_near(a, mb)
    if mb is None and ma is not None:
        mb = month_near(b, ma)
    if ma is None or mb is None:
        return False
    if listed_a != listed_b:
        listed, released = (ma, mb) if listed_a else (mb, ma)
        return not (released - 1 <= listed <= released + LISTING_LAG_MONTHS)
    return abs(ma - mb) > 1


def veto(a: ln.SourceRecord, b: ln.SourceRecord) -> str | None:
    """Why two records cannot be one model whatever their score, or None."""
    pa, pb = name_parts(ln.match_name(a), a.developer), name_parts(ln.match_name(b), b.developer)
    va, vb = set(pa.versions), set(pb.versions)
    if va and vb and not (va <= vb or vb <= va):
        return f"versions {sorted(va)} vs {sorted(vb)}"
    v0 = re.compile(r"-v0-\d+$")
    for snap, other, parts in ((a, b, pb), (b, a, pa)):
        if (
            v0.search(ln.name_key(ln.match_name(snap)))
            and not parts.versions
            and not v0.search(ln.name_key(ln.match_name(other)))
        ):
            return "a v0.x version vs a name without one (an alias that moved between versions)"
    sa, sb = set(pa.sizes), set(pb.sizes)
    if sa and sb and not (sa <= sb or sb <= sa):
        return f"sizes {sorted(sa)} vs {sorted(sb)}"
    if months_disagree(a, b):
        return "release months more than a month apart"
    tiers = (set(pa.words) ^ set(pb.words)) & tier_words()
    if tiers:
        return f"tier word {sorted(tiers)[0]!r} on one side only"
    return None
