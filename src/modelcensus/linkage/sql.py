"""The name keys of :mod:`modelcensus.linkage.names` written as SQL, for the Hub repos linkage never needs to see in
Python.

The Hub lists millions of repos, and almost none of them can be linked to another source's record. Their keys are
computed by DuckDB over the stored listing, with these expressions, so that choosing the few that can be linked
(:mod:`modelcensus.linkage.blocking`) and naming the rest (one canonical model each) are set-based.

Each expression equals its Python twin on a **plain** repo id: ASCII letters, digits, ``.``, ``_``, ``-`` and ``/``
(:data:`PLAIN_ID`), which is what the Hub allows. On such an id Unicode normalisation, typographic punctuation,
parentheses, ``+``, ``:`` and spaces cannot occur, so :func:`~modelcensus.linkage.names.name_key` reduces to a few
replacements; DuckDB's regular expressions (RE2) have no look-around, so the size tokens of
:func:`~modelcensus.linkage.names.unit_key` are filtered token by token instead. Any other id is left to the Python
functions. ``tests/test_scalable_linkage.py`` checks every expression against its twin on real and synthetic ids.
"""

from __future__ import annotations

import re

from modelcensus.linkage.blocking import PLAIN_ID
from modelcensus.linkage.names import _SIZE, _VARIANT_SUFFIX

__all__ = ["PLAIN_ID"]

_SIZE_TOKEN = r"^(\d+(\.\d+)?[bmkt]|a\d+(\.\d+)?b|\d+x\d+(\.\d+)?b|e\d+b)$"
_MONTH_DAY = r"-(0[1-9]|1[0-2])-?([0-2][0-9]|3[01])(-|$|:)"
"""A year-less ``MMDD`` a name may carry (a superset of :func:`~modelcensus.linkage.names.month_day`'s)."""

assert _SIZE.pattern == r"-(\d+(\.\d+)?[bmkt]|a\d+(\.\d+)?b|\d+x\d+(\.\d+)?b|e\d+b)(?=-|$)", "keep _SIZE_TOKEN in step"


def text(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def text_list(values: list[str]) -> str:
    """A SQL list of string literals."""
    return "[" + ", ".join(text(v) for v in values) + "]::VARCHAR[]"


def name_part(column: str) -> str:
    """The part of a plain id that :func:`~modelcensus.linkage.names.name_key` keeps: the text after the last ``/``
    when it holds a letter (the vendor prefix goes), else the whole id with ``/`` as ``-``."""
    rest = f"regexp_extract({column}, '[^/]*$')"
    vendor = f"contains({column}, '/') AND regexp_matches({rest}, '[A-Za-z]')"
    return f"(CASE WHEN {vendor} THEN {rest} ELSE replace({column}, '/', '-') END)"


def name_key(column: str, keep_dots: bool = False) -> str:
    """:func:`~modelcensus.linkage.names.name_key` of a plain id."""
    separators = "[_]+" if keep_dots else "[_.]+"
    spaced = f"regexp_replace(lower({name_part(column)}), '{separators}', '-', 'g')"
    return f"trim(regexp_replace({spaced}, '-+', '-', 'g'), '-')"


def key_or_model(column: str) -> str:
    """A canonical model's base id from its head record's plain id: the name key, or ``model`` when it is empty."""
    return f"coalesce(nullif({name_key(column)}, ''), 'model')"


def compact_key(column: str) -> str:
    """:func:`~modelcensus.linkage.names.compact_key` of a plain id: letters and digits, a version's ``v`` dropped."""
    return f"regexp_replace(regexp_replace({name_key(column)}, '[^a-z0-9]', '', 'g'), 'v([0-9])', '\\1', 'g')"


def letters(column: str) -> str:
    """The runs of letters of a plain id's name part, lower-cased: every key linkage compares is made of tokens whose
    letters are among these (a key only drops or rewrites tokens; dates become digits)."""
    return f"list_distinct(regexp_extract_all(lower({name_part(column)}), '[a-z]+'))"


def id_letters(column: str) -> str:
    """The runs of letters of a whole id (its owner's too), lower-cased."""
    return f"list_distinct(regexp_extract_all(lower({column}), '[a-z]+'))"


def unit_key(column: str, unit: str) -> str:
    """:func:`~modelcensus.linkage.names.unit_key` of a plain id at the ``release`` or ``family`` unit."""
    dotted = name_key(column, keep_dots=True)
    release = f"coalesce(nullif(regexp_replace({dotted}, {text(_VARIANT_SUFFIX.pattern)}, ''), ''), {dotted})"
    if unit == "family":
        size = f"regexp_full_match(t, {text(_SIZE_TOKEN)})"
        kept = f"list_filter(string_split({release}, '-'), lambda t, i: i = 1 OR NOT {size})"
        release = f"coalesce(nullif(trim(array_to_string({kept}, '-'), '-'), ''), {release})"
    elif unit != "release":
        raise ValueError(f"no SQL for the unit {unit!r}")
    return f"replace({release}, '.', '-')"


def month_day(column: str) -> str:
    """Whether a name may carry a year-less ``MMDD`` (true for every name :func:`~modelcensus.linkage.names.month_day`
    reads one in, and for a few more)."""
    return f"regexp_matches({column}, {text(_MONTH_DAY)})"


def first_version(column: str) -> str:
    """Whether a plain id's name key ends in ``-001`` (a first stable version, ``gemini-2.0-flash-001``)."""
    return f"ends_with({name_key(column)}, '-001')"


def full_match(column: str, pattern: str) -> str:
    """Whether a column matches a Python regular expression whole (one RE2 accepts: no look-around)."""
    re.compile(pattern)
    return f"regexp_full_match({column}, {text(pattern)})"
