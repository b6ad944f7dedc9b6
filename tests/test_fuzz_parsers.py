"""Bad input: every parser, fed arbitrary and mutated input, gives records or the project's own error.

Samples are cut from the shared real files at test time (a header and a few rows, a few items) and mutated
structurally (columns or keys dropped, duplicated or renamed, values of the wrong type, ``NaN`` strings, huge
numbers, nested garbage, items dropped or repeated) and at the byte level (truncated, bytes flipped, invalid
UTF-8 spliced in, emptied). Anything but records or a :class:`ModelCensusError` fails the test; an
:class:`InputFormatError` must name the file. Hypothesis runs derandomized with no example database, so CI sees
the same inputs every run; each test counts the inputs it fed and what came out.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import zipfile
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]

import modelcensus as mc
from modelcensus.errors import InputFormatError, ModelCensusError
from modelcensus.sources import cac, cac_totals, epoch, litellm, lmarena, openrouter, tabular

ROOT = Path(__file__).resolve().parents[1]
FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found, quickly
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
EXAMPLES = 200  # inputs per parser (the Hub's, parsed by a whole ingest into a store, gets HUB_EXAMPLES)
HUB_EXAMPLES = 100

# Values of the wrong type or shape: NaN strings, huge numbers, nested garbage, dates that are not dates.
GARBAGE: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from(["", " ", "NaN", "nan", "-nan", "inf", "-Infinity", "null", "None", "N/A", "1e999", "-1e-999"]),
    st.sampled_from([10**30, -(2**63) - 1, 2**64, 1e308, -1e308, math.nan, math.inf, -math.inf, 0, -1]),
    st.sampled_from(["2024-13-45", "0000-00-00", "9999-12-31T25:61:61Z", "yesterday", "2024-02-30", "1/2/3"]),
    st.text(max_size=12),
    st.recursive(
        st.one_of(st.none(), st.integers(), st.text(max_size=4)),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
        max_leaves=6,
    ),
)
BAD_BYTES = [b"\xff", b"\xfe\xff", b"\xc3", b"\xed\xa0\x80", b"\x00", b"\xe2\x82", b'"', b",", b"\n", b"{", b"]"]


def _outcome(counter: Counter[str], call: Callable[[], object], *locations: str) -> None:
    """Run a parser: records, or the project's own error naming the file; anything else propagates."""
    counter["inputs"] += 1
    try:
        call()
    except InputFormatError as error:
        assert error.file in locations, f"error does not name the file: {error}"
        counter["InputFormatError"] += 1
        if error.line is not None or error.column is not None:
            counter["with line or field"] += 1
    except ModelCensusError as error:
        counter[type(error).__name__] += 1
    else:
        counter["records"] += 1


def _report(name: str, counter: Counter[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert counter["inputs"] >= (HUB_EXAMPLES if name.startswith("Hub") else EXAMPLES)
    assert counter["records"] > 0, f"{name}: no mutated input was readable; the mutations are too blunt"
    assert counter["InputFormatError"] > 0, f"{name}: no input was rejected; the mutations are too gentle"
    with capsys.disabled():
        detail = ", ".join(f"{k} {v}" for k, v in sorted(counter.items()) if k != "inputs")
        print(f"\nfuzz {name}: {counter['inputs']} inputs ({detail})")


# -- mutations ---------------------------------------------------------------------------------------


def _mutate_bytes(draw: Callable[[st.SearchStrategy[Any]], Any], data: bytes) -> bytes:
    """Leave, truncate, flip a byte, splice in bad bytes, cut a slice, or empty."""
    action = draw(st.sampled_from(["keep", "keep", "truncate", "flip", "splice", "cut", "empty"]))
    if action == "keep" or not data:
        return data
    at = draw(st.integers(0, len(data) - 1))
    if action == "truncate":
        return data[:at]
    if action == "flip":
        return data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
    if action == "splice":
        bad: bytes = draw(st.sampled_from(BAD_BYTES))
        return data[:at] + bad + data[at:]
    if action == "cut":
        return data[:at] + data[at + draw(st.integers(1, 64)) :]
    return b""


def _mutate_table(draw: Callable[[st.SearchStrategy[Any]], Any], rows: list[list[str]]) -> list[list[str]]:
    """Drop, duplicate or rename a column; overwrite cells with garbage; drop or repeat rows; ragged rows."""
    rows = [list(r) for r in rows]
    for _ in range(draw(st.integers(0, 4))):
        width = max(len(r) for r in rows) if rows else 0
        action = draw(
            st.sampled_from(["drop_col", "dup_col", "rename", "cell", "cell", "drop_row", "dup_row", "ragged"])
        )
        if width == 0 or not rows:
            break
        col = draw(st.integers(0, width - 1))
        row = draw(st.integers(0, len(rows) - 1))
        if action == "drop_col":
            rows = [r[:col] + r[col + 1 :] for r in rows]
        elif action == "dup_col":
            rows = [r[: col + 1] + r[col : col + 1] + r[col + 1 :] for r in rows]
        elif action == "rename":
            rows[0] = [
                draw(st.sampled_from(["", "x", h.upper() if h else "?", h + " (old)"])) if i == col else h
                for i, h in enumerate(rows[0])
            ]
        elif action == "cell" and row > 0 and col < len(rows[row]):
            rows[row][col] = str(draw(GARBAGE))
        elif action == "drop_row":
            del rows[row]
        elif action == "dup_row":
            rows.insert(row, list(rows[row]))
        elif action == "ragged":
            rows[row] = rows[row][: draw(st.integers(0, len(rows[row])))]
    return rows


def _mutate_json(draw: Callable[[st.SearchStrategy[Any]], Any], value: Any, depth: int = 0) -> Any:
    """Delete, rename or retype a key, drop or repeat an item, or replace a value with garbage, recursively."""
    if isinstance(value, dict) and value and depth < 3:
        value = dict(value)
        key = draw(st.sampled_from(sorted(value, key=str)))
        action = draw(st.sampled_from(["recurse", "recurse", "delete", "rename", "garbage", "keep"]))
        if action == "recurse":
            value[key] = _mutate_json(draw, value[key], depth + 1)
        elif action == "delete":
            del value[key]
        elif action == "rename":
            value[str(key).upper() + "_"] = value.pop(key)
        elif action == "garbage":
            value[key] = draw(GARBAGE)
        return value
    if isinstance(value, list) and value and depth < 3:
        value = list(value)
        at = draw(st.integers(0, len(value) - 1))
        action = draw(st.sampled_from(["recurse", "recurse", "drop", "repeat", "garbage", "keep"]))
        if action == "recurse":
            value[at] = _mutate_json(draw, value[at], depth + 1)
        elif action == "drop":
            del value[at]
        elif action == "repeat":
            value.insert(at, value[at])
        elif action == "garbage":
            value[at] = draw(GARBAGE)
        return value
    return draw(GARBAGE) if draw(st.booleans()) else value


def _mutated_json(draw: Callable[[st.SearchStrategy[Any]], Any], sample: Any) -> bytes:
    value = sample
    for _ in range(draw(st.integers(0, 3))):
        value = _mutate_json(draw, value)
    if draw(st.integers(0, 9)) == 0:
        value = draw(GARBAGE)  # a payload of the wrong shape altogether
    return _mutate_bytes(draw, json.dumps(value, ensure_ascii=draw(st.booleans())).encode())


def _csv_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode()


def _csv_sample(path: Path, rows: int) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        return [next(reader) for _ in range(rows + 1)]


def _openrouter_items(path: Path) -> list[Any]:
    payload = json.loads(path.read_text("utf-8"))
    items: list[Any] = payload["data"] if isinstance(payload, dict) else payload
    return items


# -- samples cut from the shared files ----------------------------------------------------------------


@pytest.fixture(scope="module")
def samples(shared: Path, epoch_dir: Path, trending_file: Path) -> dict[str, Any]:
    arena = shared / "lmarena_arena_catalog"
    board = json.loads((arena / "leaderboard-text.json").read_text("utf-8"))
    litellm_all = json.loads((shared / "litellm" / "model_prices_and_context_window_backup.json").read_text("utf-8"))
    trending = json.loads(trending_file.read_text("utf-8"))
    return {
        "epoch": {name: _csv_sample(epoch_dir / name, 5) for name in ("all_ai_models.csv", "notable_ai_models.csv")},
        "hub": {"fetchedAt": trending.get("fetchedAt"), "models": trending["models"][:4]},
        "openrouter": {"data": _openrouter_items(shared / "openrouter" / "openrouter-models_2026-05-01.json")[:4]},
        "board": {cat: dict(list(models.items())[:3]) for cat, models in list(board.items())[:3]},
        "scatter": json.loads((arena / "scatterplot-data.json").read_text("utf-8"))[:4],
        "history": _csv_sample(shared / "lmarena_history_nakasyou" / "result.csv", 8),
        "litellm": dict(list(litellm_all.items())[:6]),
        "china": _csv_sample(shared / "china_llm_lists" / "hqwu_awesome_chinese_llm_models.csv", 6),
        "mapping": yaml.safe_load((ROOT / "examples" / "mappings" / "china_llm_list.yaml").read_text("utf-8")),
        "cac": _csv_sample(shared / "cac_filings_partial" / "cac_filings_partial_from_leadingai_book.csv", 10),
        "cac_totals": _csv_sample(shared / "reference" / "cac_genai_filing_totals.csv", 8),
    }


# -- the parsers ---------------------------------------------------------------------------------------


def test_epoch_csv(samples: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    counter: Counter[str] = Counter()
    now = datetime(2026, 3, 30, tzinfo=UTC)

    @settings(FUZZ, max_examples=EXAMPLES)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        files = []
        for name, rows in samples["epoch"].items():
            if data.draw(st.integers(0, 4)) == 0:
                continue  # the export lacks this file
            payload = _mutate_bytes(data.draw, _csv_bytes(_mutate_table(data.draw, rows)))
            files.append(epoch.RawFile(name, f"fuzz/{name}", payload, now))
        if not files:
            files.append(epoch.RawFile("all_ai_models.csv", "fuzz/all_ai_models.csv", data.draw(st.binary()), now))

        def parse() -> None:
            parsed = epoch.parse_export(files)
            assert parsed.rows_read >= len(parsed.records) + len(parsed.quarantined)
            assert all(q.reason and q.file and q.line for q in parsed.quarantined)

        _outcome(counter, parse, *(f.location for f in files))
        # The same bytes on disk, found by content as `--from` finds them.
        path = tmp_path / "all_ai_models.csv"
        path.write_bytes(files[0].data)
        _outcome(Counter(), lambda: [epoch.parse_export(f) for f in epoch.discover(path)], str(path))

    check()
    _report("epoch CSV", counter, capsys)


def test_hub_listing(samples: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Through the whole ingest: the listing is parsed in DuckDB as the store inserts it."""
    counter: Counter[str] = Counter()
    listing = tmp_path / "listing.json"
    with mc.open(tmp_path / "hub.duckdb") as census:

        @settings(FUZZ, max_examples=HUB_EXAMPLES)
        @given(st.data())
        def check(data: st.DataObject) -> None:
            shape = data.draw(st.sampled_from(["object", "array", "jsonl"]))
            if shape == "object":
                payload = _mutated_json(data.draw, samples["hub"])
            else:
                items = _mutate_json(data.draw, samples["hub"]["models"])
                text = (
                    json.dumps(items)
                    if shape == "array" or not isinstance(items, list)
                    else "\n".join(json.dumps(i) for i in items)
                )
                payload = _mutate_bytes(data.draw, text.encode())
            listing.write_bytes(payload)

            def ingest() -> None:
                report = census.ingest_huggingface(listing)
                for r in report.results:
                    assert r.rows_read >= r.records + r.quarantined

            _outcome(counter, ingest, str(listing))

        check()
    _report("Hub listing", counter, capsys)


def test_openrouter(samples: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    counter: Counter[str] = Counter()

    @settings(FUZZ, max_examples=EXAMPLES)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        payload = _mutated_json(data.draw, samples["openrouter"])
        assert isinstance(openrouter.looks_like(payload), bool)
        _outcome(counter, lambda: openrouter.parse(payload, "fuzz.json"), "fuzz.json")

    check()
    _report("OpenRouter", counter, capsys)


def test_lmarena_leaderboard(samples: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    counter: Counter[str] = Counter()

    @settings(FUZZ, max_examples=EXAMPLES)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        payload = _mutated_json(data.draw, samples["board"])
        assert lmarena.kind_of("leaderboard-text.json", payload) is None or isinstance(
            lmarena.kind_of(None, payload), str | None
        )
        _outcome(counter, lambda: lmarena.parse_leaderboard(payload, "b.json", date(2025, 1, 1), "text"), "b.json")

    check()
    _report("LMArena leaderboard", counter, capsys)


def test_lmarena_scatterplot(samples: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    counter: Counter[str] = Counter()

    @settings(FUZZ, max_examples=EXAMPLES)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        payload = _mutated_json(data.draw, samples["scatter"])
        lmarena.kind_of("scatterplot-data.json", payload)
        _outcome(counter, lambda: lmarena.parse_scatterplot(payload, "s.json"), "s.json")

    check()
    _report("LMArena scatterplot", counter, capsys)


def test_lmarena_history(samples: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    counter: Counter[str] = Counter()

    @settings(FUZZ, max_examples=EXAMPLES)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        payload = _mutate_bytes(data.draw, _csv_bytes(_mutate_table(data.draw, samples["history"])))
        lmarena.kind_of("result.csv", payload)
        _outcome(counter, lambda: lmarena.parse_history(payload, "h.csv"), "h.csv")

    check()
    _report("LMArena history CSV", counter, capsys)


def test_litellm(samples: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    counter: Counter[str] = Counter()

    @settings(FUZZ, max_examples=EXAMPLES)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        payload = _mutated_json(data.draw, samples["litellm"])
        assert isinstance(litellm.looks_like(payload), bool)
        _outcome(counter, lambda: litellm.parse(payload, "l.json"), "l.json")

    check()
    _report("litellm", counter, capsys)


def _xlsx(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:  # characters a worksheet cannot hold are not what is being tested here
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", c) if isinstance(c, str) else c for c in row])
    # the same rows give the same bytes: a workbook stamps the time it was saved (in its properties and in each zip
    # entry), so a test case replayed a second later would otherwise draw from bytes of another length
    buffer = io.BytesIO()
    book.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as saved, zipfile.ZipFile(out, "w") as stable:
        for entry in saved.infolist():
            content = saved.read(entry)
            if entry.filename == "docProps/core.xml":
                content = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2025-01-01T00:00:00Z", content)
            stable.writestr(zipfile.ZipInfo(entry.filename, (2025, 1, 1, 0, 0, 0)), content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def test_tabular(samples: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """CSV, JSON and XLSX lists, each with the real example mapping."""
    counter: Counter[str] = Counter()
    mapping = tabular.load_mapping(ROOT / "examples" / "mappings" / "china_llm_list.yaml")

    @settings(FUZZ, max_examples=EXAMPLES)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        rows = _mutate_table(data.draw, samples["china"])
        kind = data.draw(st.sampled_from(["csv", "json", "xlsx"]))
        if kind == "csv":
            payload = _mutate_bytes(data.draw, _csv_bytes(rows))
        elif kind == "json":
            header = rows[0] if rows else []
            items = [dict(zip(header, r, strict=False)) for r in rows[1:]]
            payload = _mutated_json(data.draw, items)
        else:
            cells = [
                [
                    data.draw(GARBAGE.filter(lambda v: not isinstance(v, list | dict)))
                    if data.draw(st.integers(0, 9)) == 0
                    else c
                    for c in r
                ]
                for r in rows
            ]
            payload = _mutate_bytes(data.draw, _xlsx(cells)) if data.draw(st.integers(0, 3)) == 0 else _xlsx(cells)
        path = tmp_path / f"list.{kind}"
        path.write_bytes(payload)

        def parse() -> None:
            records, quarantined = tabular.parse(path, mapping)
            assert all(r.name for r in records)
            assert all(q.reason and q.line for q in quarantined)

        _outcome(counter, parse, str(path))

    check()
    _report("tabular CSV/JSON/XLSX", counter, capsys)


def test_cac_attachment(samples: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """CAC register attachments (the shared book rows, under a title row or not) as CSV in UTF-8 or GB18030, or
    xlsx: every read keeps ``rows read = stored + quarantined`` and names each set-aside row's line and field."""
    counter: Counter[str] = Counter()

    @settings(FUZZ, max_examples=EXAMPLES)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        rows = _mutate_table(data.draw, samples["cac"])
        if data.draw(st.booleans()):
            rows = [["生成式人工智能服务已备案信息"], *rows]
        kind = data.draw(st.sampled_from(["csv", "gb18030", "xlsx"]))
        if kind == "xlsx":
            payload = _mutate_bytes(data.draw, _xlsx(rows)) if data.draw(st.integers(0, 3)) == 0 else _xlsx(rows)
        else:
            text = _csv_bytes(rows).decode()
            payload = _mutate_bytes(data.draw, text.encode("gb18030" if kind == "gb18030" else "utf-8"))
        path = tmp_path / f"attachment.{'xlsx' if kind == 'xlsx' else 'csv'}"
        path.write_bytes(payload)

        def parse() -> None:
            read = cac.read_file(path)
            assert read.rows_read == len(read.quarantined) + read.rows_stored
            assert all(f.entity for f in read.filings)
            assert all(q.reason and q.line and q.column for q in read.quarantined)

        _outcome(counter, parse, str(path))

    check()
    _report("CAC attachment", counter, capsys)


def test_cac_totals(samples: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    counter: Counter[str] = Counter()

    @settings(FUZZ, max_examples=EXAMPLES)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        payload = _mutate_bytes(data.draw, _csv_bytes(_mutate_table(data.draw, samples["cac_totals"])))
        path = tmp_path / "totals.csv"
        path.write_bytes(payload)

        def parse() -> None:
            read = cac_totals.read(path)
            assert read.rows_read == len(read.totals) + len(read.quarantined)
            assert all(t.reliability in cac_totals.RELIABILITY for t in read.totals)

        _outcome(counter, parse, str(path))

    check()
    _report("CAC published totals", counter, capsys)


def test_tabular_yaml_mapping(samples: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    counter: Counter[str] = Counter()
    path = tmp_path / "mapping.yaml"

    @settings(FUZZ, max_examples=EXAMPLES)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        raw = _mutate_json(data.draw, samples["mapping"])
        text = yaml.safe_dump(raw, allow_unicode=data.draw(st.booleans()))
        path.write_bytes(_mutate_bytes(data.draw, text.encode()))
        _outcome(counter, lambda: tabular.load_mapping(path), str(path))

    check()
    _report("tabular YAML mapping", counter, capsys)


# -- every ingest of the real files: read = stored + quarantined ---------------------------------------


def _stored_rows(census: mc.Census, export_id: str) -> dict[str, int]:
    con = census.store.con
    counts = {}
    for table, key in (
        ("models", "model_key"),
        ("hub_models", "DISTINCT repo_id"),
        ("catalog_records", "*"),
        ("ratings", "*"),
        ("quarantine", "*"),
    ):
        counts[table] = con.execute(f"SELECT count({key}) FROM {table} WHERE export_id = ?", [export_id]).fetchall()[0][
            0
        ]
    return counts


def _csv_data_rows(path: Path) -> int:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def test_every_ingest_of_the_real_files_reports_read_equals_stored_plus_quarantined(
    tmp_path: Path, shared: Path, epoch_dir: Path, trending_file: Path
) -> None:
    arena = shared / "lmarena_arena_catalog"
    history = shared / "lmarena_history_nakasyou" / "result.csv"
    litellm_file = shared / "litellm" / "model_prices_and_context_window_backup.json"
    china = shared / "china_llm_lists" / "hqwu_awesome_chinese_llm_models.csv"
    routers = sorted((shared / "openrouter").glob("*.json"))
    boards = [json.loads((arena / n).read_text("utf-8")) for n in lmarena.LEADERBOARD_FILES]
    # What each file holds, counted here independently of the parsers.
    expected_read = {
        "epoch": sum(_csv_data_rows(epoch_dir / n) for n in EPOCH_FILES),
        "huggingface": len(json.loads(trending_file.read_text("utf-8"))["models"]),
        **{f"openrouter {p.name}": len(_openrouter_items(p)) for p in routers},
        "litellm": len([k for k in json.loads(litellm_file.read_text("utf-8")) if k != "sample_spec"]),
        "awesome_chinese_llm": _csv_data_rows(china),
    }
    leaderboard_ratings = sum(len(models) for board in boards for models in board.values())
    with mc.open(tmp_path / "census.duckdb") as census:
        reports = {
            "epoch": census.ingest_epoch(epoch_dir),
            "huggingface": census.ingest_huggingface(trending_file),
            **{f"openrouter {p.name}": census.ingest_openrouter(p) for p in routers},
            "lmarena": census.ingest_lmarena(arena),
            "lmarena history": census.ingest_lmarena(history),
            "litellm": census.ingest_litellm(litellm_file),
            "awesome_chinese_llm": census.ingest_tabular(china, ROOT / "examples" / "mappings" / "china_llm_list.yaml"),
        }
        for name, report in reports.items():
            assert len(report.results) == 1, name
            result = report.results[0]
            assert not result.already_stored, name
            stored = _stored_rows(census, result.export_id)
            assert stored["quarantine"] == result.quarantined == len(report.quarantined), name
            if name == "epoch":  # rows merge into models: every row is merged or quarantined
                assert stored["models"] == result.records
                assert result.rows_read == expected_read[name]
            elif name == "huggingface":  # a repo listed twice is kept once
                assert stored["hub_models"] == result.records
                assert result.rows_read == expected_read[name] >= result.records + result.quarantined
            else:
                assert result.rows_read == stored["catalog_records"] + stored["ratings"] + stored["quarantine"], name
                if name in expected_read:
                    assert result.rows_read == expected_read[name], name
        lmarena_result = reports["lmarena"].results[0]
        assert _stored_rows(census, lmarena_result.export_id)["ratings"] == leaderboard_ratings


EPOCH_FILES = ("all_ai_models.csv", "notable_ai_models.csv", "large_scale_ai_models.csv", "frontier_ai_models.csv")


def test_quarantined_rows_keep_their_reason_per_source(
    tmp_path: Path, samples: dict[str, Any], trending_file: Path
) -> None:
    """Cuts of the real files with one unreadable value each: the row is set aside with its reason and
    `modelcensus quarantine --source S` lists exactly that source's rows."""
    from typer.testing import CliRunner

    from modelcensus.outputs.cli.app import app

    rows = [list(r) for r in samples["epoch"]["all_ai_models.csv"]]
    date_column = rows[0].index("Publication date")
    rows[2][date_column] = "2024-13-45"
    epoch_dir = tmp_path / "epoch"
    epoch_dir.mkdir()
    (epoch_dir / "all_ai_models.csv").write_bytes(_csv_bytes(rows))
    items = json.loads(trending_file.read_text("utf-8"))["models"][:5]
    del items[1]["id"]
    listing = tmp_path / "listing.json"
    listing.write_text(json.dumps(items))
    db = tmp_path / "census.duckdb"
    with mc.open(db) as census:
        epoch_report = census.ingest_epoch(epoch_dir)
        hub_report = census.ingest_huggingface(listing)
        line = _csv_bytes(rows[:2]).count(b"\n") + 1  # the physical line: cells may hold line breaks
        assert [(q.line, q.column) for q in epoch_report.quarantined] == [(line, "Publication date")]
        assert hub_report.results[0].quarantined == 1
        epoch_reason = epoch_report.quarantined[0].reason
    runner = CliRunner()
    seen = {}
    for source in ("epoch", "huggingface"):
        result = runner.invoke(app, ["quarantine", "--source", source, "--db", str(db), "--format", "json"])
        assert result.exit_code == 0, result.output
        seen[source] = json.loads(result.output)
    assert [(r["source"], r["line"], r["column_name"], r["value"]) for r in seen["epoch"]] == [
        ("epoch", line, "Publication date", "2024-13-45")
    ]
    assert seen["epoch"][0]["reason"] == epoch_reason and "month" in epoch_reason  # the reason is kept as given
    assert [(r["source"], r["line"], r["column_name"], r["reason"]) for r in seen["huggingface"]] == [
        ("huggingface", 2, "id", "item has no id")
    ]
    everything = json.loads(runner.invoke(app, ["quarantine", "--db", str(db), "--format", "json"]).output)
    assert len(everything) == 2
    unknown = runner.invoke(app, ["quarantine", "--source", "nope", "--db", str(db)])
    assert unknown.exit_code != 0 and "unknown source 'nope'" in unknown.output
