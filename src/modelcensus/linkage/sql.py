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


def key_of_part(part: str, keep_dots: bool = False) -> str:
    """:func:`~modelcensus.linkage.names.name_key` of a plain id, from its :func:`name_part`."""
    separators = "[_]+" if keep_dots else "[_.]+"
    return f"trim(regexp_replace(regexp_replace(lower({part}), '{separators}', '-', 'g'), '-+', '-', 'g'), '-')"


def name_key(column: str, keep_dots: bool = False) -> str:
    """:func:`~modelcensus.linkage.names.name_key` of a plain id."""
    return key_of_part(name_part(column), keep_dots)


def key_or_model(column: str) -> str:
    """A canonical model's base id from its head record's plain id: the name key, or ``model`` when it is empty."""
    return f"coalesce(nullif({name_key(column)}, ''), 'model')"


def compact_of_key(key: str) -> str:
    """:func:`~modelcensus.linkage.names.compact_key` from a name key: letters and digits, a version's ``v`` dropped."""
    return f"regexp_replace(regexp_replace({key}, '[^a-z0-9]', '', 'g'), 'v([0-9])', '\\1', 'g')"


def compact_key(column: str) -> str:
    """:func:`~modelcensus.linkage.names.compact_key` of a plain id."""
    return compact_of_key(name_key(column))


def letters_of_part(part: str) -> str:
    """The runs of letters of a plain id's :func:`name_part`, lower-cased: every key linkage compares is made of tokens
    whose letters are among these (a key only drops or rewrites tokens; dates become digits)."""
    return f"list_distinct(regexp_extract_all(lower({part}), '[a-z]+'))"


def letters(column: str) -> str:
    """:func:`letters_of_part` of a plain id."""
    return letters_of_part(name_part(column))


def id_letters(column: str) -> str:
    """The runs of letters of a whole id (its owner's too), lower-cased."""
    return f"list_distinct(regexp_extract_all(lower({column}), '[a-z]+'))"


def release_of_dotted(dotted: str) -> str:
    """A ``release`` unit key with its dots still in (``unit_key`` writes them as ``-``), from the name key that keeps
    them (:func:`name_key` with ``keep_dots``): without post-training, packaging or snapshot suffixes."""
    return f"coalesce(nullif(regexp_replace({dotted}, {text(_VARIANT_SUFFIX.pattern)}, ''), ''), {dotted})"


def family_of_release(release: str) -> str:
    """A ``family`` unit key with its dots in, from :func:`release_of_dotted`: without the size tokens (all but the
    first token are checked, as the Python pattern needs a ``-`` before a size)."""
    size = f"regexp_full_match(t, {text(_SIZE_TOKEN)})"
    kept = f"list_filter(string_split({release}, '-'), lambda t, i: i = 1 OR NOT {size})"
    return f"coalesce(nullif(trim(array_to_string({kept}, '-'), '-'), ''), {release})"


def unit_key(column: str, unit: str) -> str:
    """:func:`~modelcensus.linkage.names.unit_key` of a plain id at the ``release`` or ``family`` unit (for a column of
    many rows, compute :func:`release_of_dotted` once and derive the family from it: DuckDB would compute the nested
    key several times over)."""
    release = release_of_dotted(name_key(column, keep_dots=True))
    if unit == "family":
        release = family_of_release(release)
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


def units_select(release: str, family: str) -> str:
    """The ``release`` and ``family`` unit keys, named so, in a query over :func:`units_from` (each nested key is
    computed once)."""
    return f"replace(r_, '.', '-') AS {release}, replace({family_of_release('r_')}, '.', '-') AS {family}"


def units_from(table: str, column: str) -> str:
    """A subquery of ``table`` with the dotted ``release`` key of ``column`` as ``r_`` (for :func:`units_select`)."""
    dotted = name_key(column, keep_dots=True)
    return f"(SELECT *, {release_of_dotted('d_')} AS r_ FROM (SELECT *, {dotted} AS d_ FROM {table}))"


def full_match(column: str, pattern: str) -> str:
    """Whether a column matches a Python regular expression whole (one RE2 accepts: no look-around)."""
    re.compile(pattern)
    return f"regexp_full_match({column}, {text(pattern)})"
