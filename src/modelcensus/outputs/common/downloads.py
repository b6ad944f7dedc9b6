"""CSV downloads that say where they came from: a descriptive file name and the figure's provenance as leading
``# `` comment lines, for the API (``format=csv``), the dashboard's download buttons and the CLI (``--format csv``).

A downloaded table travels without the page that explained it, so the file carries the explanation: the
definition in words, the counting rule, the attribution, the unit, the share's denominator, the source snapshots
with their dates (file names, never a local path), when it was made and by which version. The lines start with
``# `` so ``pandas.read_csv(path, comment="#")`` (and R's ``read.csv(path, comment.char = "#")``) skip them; a
spreadsheet shows them as the first rows, above the table (the first line says on which row it starts). A data
cell holding ``#`` is quoted, so a comment-aware reader never cuts it. See docs/downloads.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from modelcensus.provenance import describe_sources
from modelcensus.records import jsonable

BOM = "\ufeff"
"""Written first in a downloaded file (not on the CLI's standard output): spreadsheet programs then read the file as
UTF-8 (Chinese names intact); pandas and R skip it."""
_NEEDS_QUOTES = re.compile(r'[",\r\n#]|^\s|\s$')
_SLUG = re.compile(r"[^0-9A-Za-z._-]+")


def _slug(text: str) -> str:
    return _SLUG.sub("-", text).strip("-.")[:60]


def file_name(figure: str, parts: Iterable[str | None], vintage: str | None) -> str:
    """``modelcensus_<figure>_<part>…_<vintage>.csv``: what the table is (``count``, ``models``), the request that
    made it (``by-country``, ``definition-frontier``, ``CN``, ``2020-2025``) and the newest data date it reads."""
    words = [_slug(figure), *(_slug(p) for p in parts if p), *([_slug(vintage)] if vintage else [])]
    return "_".join(["modelcensus", *(w for w in words if w)]) + ".csv"


def vintage(provenance: Mapping[str, Any]) -> str | None:
    """The data date a figure reads as of: its ``as_of``, else the newest dated snapshot it reads."""
    if provenance.get("as_of"):
        return str(provenance["as_of"])[:10]
    dates = sorted(
        str(s.get("data_date"))[:10]
        for s in provenance.get("snapshots") or ()
        if re.match(r"^\d{4}-\d{2}-\d{2}", str(s.get("data_date") or ""))
    )
    return dates[-1] if dates else None


def _sentence(text: Any) -> str:
    words = " ".join(str(text).split())
    return words if words.endswith((".", "!", "?")) else words + "."


def snapshot_line(s: Mapping[str, Any]) -> str:
    """One snapshot: who publishes it, which file (its name), its role, its date and its rows."""
    location = str(s.get("location") or "")
    name = PurePath(location.replace("\\", "/")).name if location else ""
    date = str(s.get("data_date") or "unknown")
    date = "unknown" if date in ("None", "NaT", "nan") else date[:10]
    rows = f", {s['rows']} rows" if s.get("rows") not in (None, "", "None") else ""
    credit = s.get("credit") or s.get("source") or "?"
    return f"Snapshot: {credit}, {s.get('source', '')} {s.get('role', '')} file {name or '?'} dated {date}{rows}."


def provenance_lines(
    provenance: Mapping[str, Any],
    *,
    title: str,
    request: str | None = None,
    generated: datetime | None = None,
) -> list[str]:
    """What a downloaded table says about itself, one statement a line (without the leading ``# ``)."""
    from importlib import metadata  # read for a download, not at every start of the command line

    p = provenance
    lines = [_sentence(title)]
    if p.get("description"):
        lines.append(f"Models: {_sentence(p['description'])}")
    if p.get("definition"):
        lines.append(f"Definition: {_sentence(p['definition'])}")
    if p.get("unit"):
        lines.append(f"Unit: {_sentence(p['unit'])}")
    if p.get("metric"):
        lines.append(f"Metric: {_sentence(p['metric'])}")
    if p.get("rule"):
        words = f" ({p['rule_text']})" if p.get("rule_text") and p["rule_text"] != p["rule"] else ""
        lines.append(f"Counting rule: {_sentence(str(p['rule']) + words)}")
    if p.get("attribution"):
        lines.append(f"Attribution: {_sentence(p['attribution'])}")
    if p.get("denominator"):
        lines.append(f"Share denominator: {_sentence(p['denominator'])}")
    if p.get("period"):
        lines.append(f"Period: {_sentence(p['period'])}")
    if p.get("category"):
        lines.append(f"Category: {_sentence(p['category'])}")
    if p.get("note"):
        lines.append(f"Note: {_sentence(p['note'])}")
    if p.get("as_of"):
        lines.append(f"As of: {str(p['as_of'])[:10]} (the newest export of each source dated on or before it).")
    snapshots = list(p.get("snapshots") or ())
    if snapshots:
        lines.append(describe_sources([{k: str(v) for k, v in s.items()} for s in snapshots]))
        lines.extend(snapshot_line(s) for s in snapshots)
    when = (generated or datetime.now(tz=UTC)).strftime("%Y-%m-%d %H:%M UTC")
    lines.append(f"Generated: {when} by modelcensus {metadata.version('modelcensus')}.")
    if request:
        lines.append(f"Request: {request}")
    return lines


def _text(value: Any) -> str:
    """A cell's text: lists as ``a; b``, dates as ISO, booleans as ``true``/``false``, nothing as empty."""
    value = jsonable(value)
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if value == value else ""
    return str(value)


def _cell(value: Any) -> str:
    text = _text(value)
    return '"' + text.replace('"', '""') + '"' if _NEEDS_QUOTES.search(text) else text


def _comment(line: str) -> str:
    """A provenance line as a comment: one line, no double quote (a spreadsheet would read one as the start of a
    quoted cell running into the table)."""
    return "# " + " ".join(line.split()).replace('"', "'")


def csv_text(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str] | None,
    lines: Sequence[str],
    *,
    bom: bool = True,
) -> str:
    """The table as CSV under its provenance: ``# `` lines (the first says where the table starts), the header,
    the rows; lists as ``a; b``, dates as ISO text, every cell that holds ``#``, a comma or a quote quoted."""
    keys = list(columns) if columns is not None else list(dict.fromkeys(k for r in rows for k in r))
    head = [*lines]
    start = len(head) + 2  # the note below, then the header
    note = (
        f'Lines starting with "#" are provenance; the table starts on line {start}. pandas: '
        'read_csv(path, comment="#"); R: read.csv(path, comment.char = "#").'
    )
    out = [_comment(line) for line in [head[0], note, *head[1:]]] if head else []
    out.append(",".join(_cell(k) for k in keys))
    out.extend(",".join(_cell(r.get(k)) for k in keys) for r in rows)
    return (BOM if bom else "") + "\r\n".join(out) + "\r\n"


def content_disposition(name: str) -> str:
    """An ``attachment`` header naming the file (ASCII, with the UTF-8 form beside it for other characters)."""
    plain = name.encode("ascii", "replace").decode("ascii").replace('"', "'").replace("?", "-")
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name)}"
