"""Catalogue sources (OpenRouter, LMArena, litellm, tabular lists).

The real shared files are read in place and checked against figures counted independently; every
error path runs on a small fixture written here; property tests feed arbitrary bytes and mutated real
fragments, because a parser at the edge must answer with records or an ``InputFormatError``, never
with a traceback of another kind.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelcensus.errors import InputFormatError
from modelcensus.provenance import describe_sources
from modelcensus.records import clean_text
from modelcensus.sources import litellm, lmarena, openrouter, tabular
from modelcensus.vocabulary import OpenWeights

from conftest import ROOT, shared_data
from known_answers import (
    CHINA_LIST_MODELS,
    LITELLM_DEPRECATED,
    LITELLM_PROVIDERS,
    LITELLM_RECORDS,
    LITELLM_WITHOUT_PROVIDER,
    LMARENA_HISTORY_DATES,
    LMARENA_HISTORY_MODELS_AT_MOST,
    LMARENA_OTHER_FULL,
    LMARENA_SCATTERPLOT,
    LMARENA_TEXT_CATEGORIES,
    LMARENA_TEXT_CHINESE,
    LMARENA_TEXT_FULL,
    OPENROUTER_MODELS,
)

DATA_DATE = date(2025, 12, 11)
PROPERTY = settings(
    max_examples=200, deadline=None, database=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
"""Derandomized, no example database: CI feeds the same inputs every run."""
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)


def _error(call: Any, *args: Any) -> InputFormatError:
    with pytest.raises(InputFormatError) as info:
        call(*args)
    return info.value


# ---------------------------------------------------------------------------------------------
# OpenRouter


@pytest.fixture(scope="module")
def openrouter_dir(shared: Path) -> Path:
    return shared / "openrouter"


@pytest.mark.parametrize(
    ("name", "count", "with_hf"),
    [
        ("openrouter-models_2026-05-01.json", *OPENROUTER_MODELS["openrouter-models_2026-05-01.json"]),  # .data
        ("openrouter-models_2026-02-27.json", *OPENROUTER_MODELS["openrouter-models_2026-02-27.json"]),  # raw
    ],
)
def test_openrouter_real_files(openrouter_dir: Path, name: str, count: int, with_hf: int) -> None:
    data = (openrouter_dir / name).read_bytes()
    assert openrouter.looks_like(data)
    records = openrouter.parse(data, name)
    assert len(records) == count
    assert len({r.source_id for r in records}) == count
    assert sum(1 for r in records if r.hf_id) == with_hf
    assert all((r.open_weights is OpenWeights.YES) == bool(r.hf_id) for r in records)
    assert all(r.open_weights is not OpenWeights.NO for r in records)
    assert all(r.source == "openrouter" and r.published_on for r in records)
    assert all(": " not in r.name[:20] for r in records if r.organization and r.organization[0].isupper())


def test_openrouter_record_fields(openrouter_dir: Path) -> None:
    records = openrouter.parse((openrouter_dir / "openrouter-models_2026-05-01.json").read_bytes(), "f")
    by_id = {r.source_id: r for r in records}
    jamba = by_id["ai21/jamba-large-1.7"]
    assert (jamba.name, jamba.organization, jamba.hf_id) == ("Jamba Large 1.7", "AI21", "ai21labs/AI21-Jamba-Large-1.7")
    assert jamba.published_on == date(2025, 8, 8)
    assert jamba.attributes["prompt_price_usd_per_token"] == pytest.approx(2e-6)
    assert jamba.attributes["completion_price_usd_per_token"] == pytest.approx(8e-6)
    assert jamba.attributes["context_length"] == 256000
    assert jamba.attributes["input_modalities"] == ["text"]
    assert jamba.attributes["knowledge_cutoff"] == "2024-08-31"
    glm = by_id["z-ai/glm-4.5"]
    assert (glm.name, glm.organization, glm.open_weights) == ("GLM 4.5", "Z.ai", OpenWeights.YES)
    router = by_id["openrouter/auto"]  # no vendor prefix: the id's vendor; price -1 means "varies"
    assert (router.name, router.organization) == ("Auto Router", "openrouter")
    assert router.attributes["price_varies"] is True
    assert "prompt_price_usd_per_token" not in router.attributes


OPENROUTER_BAD: list[tuple[bytes, int | None, str | None]] = [
    (b"not json", 1, None),
    (b"\xff\xfe", None, None),
    (b'"a string"', None, None),
    (b'{"models": []}', None, "data"),
    (b"[1]", 1, None),
    (b'[{"name": "A: B"}]', 1, "id"),
    (b'[{"id": "a/b", "name": "X"}, {"id": "a/c"}]', 2, "name"),
    (b'[{"id": "a/b", "name": "  "}]', 1, "name"),
    (b'[{"id": 7, "name": "X"}]', 1, "id"),
    (b'[{"id": "a/b", "name": "X", "created": "yesterday"}]', 1, "created"),
    (b'[{"id": "a/b", "name": "X", "created": 1e300}]', 1, "created"),
    (b'[{"id": "a/b", "name": "X", "pricing": {"prompt": "cheap"}}]', 1, "pricing.prompt"),
    (b'[{"id": "a/b", "name": "X", "pricing": {"prompt": "NaN"}}]', 1, "pricing.prompt"),
    (b'[{"id": "a/b", "name": "X", "pricing": []}]', 1, "pricing"),
    (b'[{"id": "a/b", "name": "X", "context_length": "long"}]', 1, "context_length"),
    (b'[{"id": "a/b", "name": "X", "architecture": {"input_modalities": "text"}}]', 1, "architecture.input_modalities"),
    (b'[{"id": "a/b", "name": "X", "hugging_face_id": 3}]', 1, "hugging_face_id"),
    (b"[" * 100_000, None, None),
]


@pytest.mark.parametrize(("payload", "line", "column"), OPENROUTER_BAD)
def test_openrouter_errors(payload: bytes, line: int | None, column: str | None) -> None:
    error = _error(openrouter.parse, payload, "models.json")
    assert error.file == "models.json"
    if line is not None:
        assert error.line == line
    assert error.column == column


def test_openrouter_minimal_and_detection(shared: Path) -> None:
    [record] = openrouter.parse(b'{"data": [{"id": "acme/m-1", "name": "M 1", "hugging_face_id": ""}]}', "x")
    assert (record.name, record.organization, record.hf_id, record.open_weights) == (
        "M 1",
        "acme",
        None,
        OpenWeights.UNKNOWN,
    )
    assert openrouter.parse(b"[]", "x") == []
    for other in (
        shared / "litellm" / "model_prices_and_context_window_backup.json",
        shared / "lmarena_arena_catalog" / "scatterplot-data.json",
        shared / "lmarena_arena_catalog" / "leaderboard-text.json",
    ):
        assert not openrouter.looks_like(other.read_bytes())
    assert not openrouter.looks_like(b"")


# ---------------------------------------------------------------------------------------------
# LMArena


@pytest.fixture(scope="module")
def arena_dir(shared: Path) -> Path:
    return shared / "lmarena_arena_catalog"


def test_lmarena_text_leaderboard(arena_dir: Path) -> None:
    path = arena_dir / "leaderboard-text.json"
    data = path.read_bytes()
    assert lmarena.kind_of(path, data) == "leaderboard:text"
    ratings = lmarena.parse_leaderboard(data, str(path), DATA_DATE, "text")
    categories = Counter(r.category for r in ratings)
    assert len(categories) == LMARENA_TEXT_CATEGORIES
    assert categories["text/full"] == LMARENA_TEXT_FULL
    assert categories["text/chinese"] == LMARENA_TEXT_CHINESE
    full = [r for r in ratings if r.category == "text/full"]
    assert len({r.source_id for r in full}) == LMARENA_TEXT_FULL
    assert all(r.rating_low is not None and r.rating_high is not None for r in full)
    assert all(r.rating_low <= r.rating <= r.rating_high for r in full if r.rating_low and r.rating_high)
    assert all(r.rated_on == DATA_DATE and r.source == "lmarena" for r in ratings)
    top = max(full, key=lambda r: r.rating)
    assert top.source_id == "gemini-3-pro"


@pytest.mark.parametrize(
    ("name", "arena", "full"),
    [
        (name, name.removeprefix("leaderboard-").removesuffix(".json"), full)
        for name, full in LMARENA_OTHER_FULL.items()
    ],
)
def test_lmarena_other_leaderboards(arena_dir: Path, name: str, arena: str, full: int) -> None:
    data = (arena_dir / name).read_bytes()
    assert lmarena.arena_of(name) == arena
    assert lmarena.kind_of(arena_dir / name, data) == f"leaderboard:{arena}"
    ratings = lmarena.parse_leaderboard(data, name, DATA_DATE, arena)
    assert sum(1 for r in ratings if r.category == f"{arena}/full") == full


def test_lmarena_kind_by_content(arena_dir: Path, shared: Path) -> None:
    """Renamed copies are still recognised; the arena is then read from the categories."""
    assert lmarena.kind_of("copy.json", (arena_dir / "leaderboard-vision.json").read_bytes()) == "leaderboard:vision"
    assert lmarena.kind_of(None, (arena_dir / "leaderboard-image.json").read_bytes()) == "leaderboard:image"
    assert lmarena.kind_of("a.json", (arena_dir / "leaderboard-text.json").read_bytes()) == "leaderboard:text"
    assert lmarena.kind_of("b.json", (arena_dir / "scatterplot-data.json").read_bytes()) == "scatterplot"
    history = shared / "lmarena_history_nakasyou" / "result.csv"
    assert lmarena.kind_of("c.txt", history.read_bytes()) == "history"
    for other in (
        shared / "openrouter" / "openrouter-models_2026-05-01.json",
        shared / "litellm" / "model_prices_and_context_window_backup.json",
        shared / "china_llm_lists" / "hqwu_awesome_chinese_llm_models.csv",
    ):
        assert lmarena.kind_of(other, other.read_bytes()) is None
    for junk in (b"", b"\xff\xfe", b"{", b"[]", b"{}", b"date\n20240101\n"):
        assert lmarena.kind_of("x", junk) is None


def test_lmarena_scatterplot(arena_dir: Path) -> None:
    records = lmarena.parse_scatterplot((arena_dir / "scatterplot-data.json").read_bytes(), "scatterplot")
    assert len(records) == LMARENA_SCATTERPLOT
    assert len({r.source_id for r in records}) == LMARENA_SCATTERPLOT
    assert Counter(r.open_weights for r in records) == {
        OpenWeights.NO: 81,  # 80 "Proprietary" + 1 "Propretary"
        OpenWeights.YES: 59,
        OpenWeights.UNKNOWN: 1,  # "NexusFlow"
    }
    first = records[0]
    assert (first.source_id, first.name, first.organization, first.license) == (
        "chatgpt-4o-latest-20241120",
        "GPT-4o",
        "OpenAI",
        "Proprietary",
    )
    assert first.attributes["input_price_usd_per_1m_tokens"] == 2.5
    assert first.attributes["output_price_usd_per_1m_tokens"] == 10.0
    assert all(r.organization for r in records)


@pytest.mark.parametrize(
    ("licence", "expected"),
    [
        ("Proprietary", OpenWeights.NO),
        ("Propretary", OpenWeights.NO),
        ("Apache 2.0", OpenWeights.YES),
        ("Modified MIT", OpenWeights.YES),
        ("Llama 3.1 Community", OpenWeights.YES),
        ("CC-BY-NC-4.0", OpenWeights.YES),
        ("MRL", OpenWeights.YES),
        ("Gemma license", OpenWeights.YES),
        ("Open", OpenWeights.YES),
        ("NexusFlow", OpenWeights.UNKNOWN),
        ("Summit", OpenWeights.UNKNOWN),  # "mit" inside a word is not MIT
        (None, OpenWeights.UNKNOWN),
    ],
)
def test_lmarena_open_weights_rule(licence: str | None, expected: OpenWeights) -> None:
    assert lmarena.open_weights_of(licence) is expected


def test_lmarena_catalog_from_leaderboards(arena_dir: Path) -> None:
    ratings = []
    for path in sorted(arena_dir.glob("leaderboard-*.json")):
        arena = lmarena.arena_of(path)
        assert arena
        ratings += lmarena.parse_leaderboard(path.read_bytes(), str(path), DATA_DATE, arena)
    catalog = lmarena.catalog_from_leaderboards(ratings)
    assert len(catalog) == len({r.source_id for r in ratings})
    assert all(r.name == r.source_id and r.organization is None for r in catalog)
    priced = {r.source_id for r in lmarena.parse_scatterplot((arena_dir / "scatterplot-data.json").read_bytes(), "s")}
    assert {r.source_id for r in catalog} - priced  # rated models the scatterplot lacks are listed
    gemini = next(r for r in catalog if r.source_id == "gemini-3-pro")
    categories = gemini.attributes["categories"]
    assert isinstance(categories, list) and "text/full" in categories


def test_lmarena_history(shared: Path) -> None:
    path = shared / "lmarena_history_nakasyou" / "result.csv"
    ratings = lmarena.parse_history(path.read_bytes(), str(path))
    dates = sorted({r.rated_on for r in ratings})
    assert (dates[0], dates[-1], len(dates)) == LMARENA_HISTORY_DATES
    assert len({r.source_id for r in ratings}) <= LMARENA_HISTORY_MODELS_AT_MOST
    assert all(r.rating > 0 and r.rating_low is None and r.category == "text/full" for r in ratings)
    last = {r.source_id: r.rating for r in ratings if r.rated_on == date(2025, 2, 27)}
    assert "snowflake-arctic-instruct" in last
    assert "chatgpt-4o-latest" not in last  # 0.0 on that date: absent, not rated zero


def test_lmarena_snapshots_keep_their_own_rows_and_licence(full_census: Any, shared: Path) -> None:
    """Each LMArena file's snapshot says what that file holds, under its own upstream's licence: the history is
    nakasyou's (MIT), the leaderboards and scatterplot LMArena's arena-catalog (the export joins both)."""
    snaps = full_census.sources()
    arena = snaps[snaps.source == "lmarena"].set_index("role")
    history = arena.loc["history"]
    assert (history.license, history.credit) == (lmarena.HISTORY_LICENSE, lmarena.HISTORY_CREDIT)
    assert history.rows == LMARENA_HISTORY_DATES[2]  # one row per rating date, not the export's total
    assert arena.loc["scatterplot"].rows == LMARENA_SCATTERPLOT
    for name in lmarena.LEADERBOARD_FILES:
        board = json.loads((shared / "lmarena_arena_catalog" / name).read_bytes())
        row = arena.loc[f"leaderboard:{lmarena.arena_of(name)}"]
        assert row.rows == sum(len(models) for models in board.values())
        assert (row.license, row.credit) == (lmarena.LICENSE, lmarena.CREDIT)
    assert arena.rows.nunique() > 1
    line = describe_sources(full_census.snapshots_in_force(["lmarena"]))  # what a frontier figure says it read
    assert f"{lmarena.CREDIT} ({lmarena.LICENSE}): export dated" in line
    assert f"{lmarena.HISTORY_CREDIT} (MIT): export dated" in line


LEADERBOARD_BAD: list[tuple[bytes, int | None, str | None]] = [
    (b"{oops", 1, None),
    (b"[]", None, None),
    (b'{"full": []}', None, "full"),
    (b'{"full": {"m": 3}}', 1, "full/m"),
    (b'{"full": {"a": {"rating": 1}, "m": {"rating_q975": 3}}}', 2, "full/m/rating"),
    (b'{"full": {"m": {"rating": "high"}}}', 1, "full/m/rating"),
    (b'{"full": {"m": {"rating": null}}}', 1, "full/m/rating"),
    (b'{"full": {"m": {"rating": 1, "rating_q025": true}}}', 1, "full/m/rating_q025"),
    (b'{"full": {"m": {"rating": Infinity}}}', 1, "full/m/rating"),
    (b'{"full": {" ": {"rating": 1}}}', 1, "full"),
]


@pytest.mark.parametrize(("payload", "line", "column"), LEADERBOARD_BAD)
def test_lmarena_leaderboard_errors(payload: bytes, line: int | None, column: str | None) -> None:
    error = _error(lmarena.parse_leaderboard, payload, "board.json", DATA_DATE, "text")
    assert (error.file, error.line, error.column) == ("board.json", line, column)


SCATTERPLOT_BAD: list[tuple[bytes, int | None, str | None]] = [
    (b'{"a": 1}', None, None),
    (b"[1]", 1, None),
    (b'[{"model_api_name": "a"}, {"name": "B"}]', 2, "model_api_name"),
    (b'[{"model_api_name": "a", "input_token_price": "cheap"}]', 1, "input_token_price"),
    (b'[{"model_api_name": "a", "organization": 5}]', 1, "organization"),
    (b'[{"model_api_name": "a", "hidden": "yes"}]', 1, "hidden"),
]


@pytest.mark.parametrize(("payload", "line", "column"), SCATTERPLOT_BAD)
def test_lmarena_scatterplot_errors(payload: bytes, line: int | None, column: str | None) -> None:
    error = _error(lmarena.parse_scatterplot, payload, "scatter.json")
    assert (error.file, error.line, error.column) == ("scatter.json", line, column)


HISTORY_BAD: list[tuple[bytes, int | None, str | None]] = [
    (b"", 1, None),
    (b"\xff", None, None),
    (b"date\n20240101\n", 1, None),
    (b",a,\n20240101,1,2\n", 1, None),
    (b",a\nyesterday,1\n", 2, "date"),
    (b"day,a\n20241341,1\n", 2, "day"),
    (b",a,b\n20240101,1\n", 2, None),
    (b",a\n20240101,strong\n", 2, "a"),
    (b',a\n20240101,"1\n', 2, None),
]


@pytest.mark.parametrize(("payload", "line", "column"), HISTORY_BAD)
def test_lmarena_history_errors(payload: bytes, line: int | None, column: str | None) -> None:
    error = _error(lmarena.parse_history, payload, "result.csv")
    assert (error.file, error.line, error.column) == ("result.csv", line, column)


def test_lmarena_history_small() -> None:
    ratings = lmarena.parse_history(b",a,b\n2024-01-02,1200.5,0.0\n\n20240109,,1100\n", "h.csv")
    assert [(r.source_id, r.rated_on, r.rating) for r in ratings] == [
        ("a", date(2024, 1, 2), 1200.5),
        ("b", date(2024, 1, 9), 1100.0),
    ]


# ---------------------------------------------------------------------------------------------
# litellm


@pytest.fixture(scope="module")
def litellm_bytes(shared: Path) -> bytes:
    return (shared / "litellm" / "model_prices_and_context_window_backup.json").read_bytes()


def test_litellm_real_file(litellm_bytes: bytes) -> None:
    assert litellm.looks_like(litellm_bytes)
    records = litellm.parse(litellm_bytes, "catalogue.json")
    assert len(records) == LITELLM_RECORDS
    assert all(r.source_id != "sample_spec" and r.organization is None for r in records)
    providers = Counter(r.attributes.get("provider") for r in records)
    # PROVENANCE.md's 155 counts sample_spec's placeholder text; the models name 154 providers,
    # and 99 keys have none.
    assert len(providers.keys() - {None}) == LITELLM_PROVIDERS
    assert providers[None] == LITELLM_WITHOUT_PROVIDER
    by_key = {r.source_id: r for r in records}
    gpt = by_key["azure/gpt-4o"]
    assert (gpt.name, gpt.attributes["provider"], gpt.attributes["mode"]) == ("gpt-4o", "azure", "chat")
    assert isinstance(gpt.attributes["max_input_tokens"], int)
    assert isinstance(gpt.attributes["input_cost_usd_per_token"], float)
    assert gpt.attributes["supports_vision"] is True
    assert by_key["ai21.j2-mid-v1"].name == "ai21.j2-mid-v1"
    assert sum(1 for r in records if "deprecation_date" in r.attributes) == LITELLM_DEPRECATED
    assert all(isinstance(v, bool) for r in records for k, v in r.attributes.items() if k.startswith("supports_"))


LITELLM_BAD: list[tuple[bytes, int | None, str | None]] = [
    (b"[]", None, None),
    (b"{'single': 'quotes'}", 1, None),
    (b'{"a": {"mode": "chat"}, "b": []}', 2, "b"),
    (b'{"a": {"max_input_tokens": "lots"}}', 1, "max_input_tokens"),
    (b'{"a": {"input_cost_per_token": true}}', 1, "input_cost_per_token"),
    (b'{"a": {"supports_vision": "yes"}}', 1, "supports_vision"),
    (b'{"a": {"deprecation_date": "soon"}}', 1, "deprecation_date"),
    (b'{"a": {"deprecation_date": 2026}}', 1, "deprecation_date"),
    (b'{"a": {"litellm_provider": 5}}', 1, "litellm_provider"),
    (b'{" ": {}}', 1, None),
]


@pytest.mark.parametrize(("payload", "line", "column"), LITELLM_BAD)
def test_litellm_errors(payload: bytes, line: int | None, column: str | None) -> None:
    error = _error(litellm.parse, payload, "cat.json")
    assert (error.file, error.line, error.column) == ("cat.json", line, column)


def test_litellm_small_and_detection(shared: Path) -> None:
    records = litellm.parse(b'{"sample_spec": {}, "bedrock/us-east-1/m.x:0": {"max_tokens": 4}}', "x")
    assert [(r.source_id, r.name, r.attributes) for r in records] == [("bedrock/us-east-1/m.x:0", "m.x:0", {})]
    assert not litellm.looks_like((shared / "openrouter" / "openrouter-models_2026-02-27.json").read_bytes())
    assert not litellm.looks_like((shared / "lmarena_arena_catalog" / "leaderboard-text.json").read_bytes())
    assert not litellm.looks_like(b"{}")


# ---------------------------------------------------------------------------------------------
# Tabular lists


MAPPING = ROOT / "examples" / "mappings" / "china_llm_list.yaml"


def test_tabular_china_list(shared: Path) -> None:
    mapping = tabular.load_mapping(MAPPING)
    assert (mapping.source, mapping.country_value) == ("awesome_chinese_llm", "CN")
    records, quarantined = tabular.parse(shared / "china_llm_lists" / "hqwu_awesome_chinese_llm_models.csv", mapping)
    assert (len(records), quarantined) == (CHINA_LIST_MODELS, [])
    assert all(r.countries_published == ["CN"] and r.source == "awesome_chinese_llm" for r in records)
    assert mapping.world_sample is False and mapping.scope == ""  # one country's models: no sample of the world
    first = records[0]
    assert (first.source_id, first.name, first.line) == ("ChatGLM", "ChatGLM", 2)
    assert first.attributes["url"] == "https://github.com/THUDM/ChatGLM-6B"


def _write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("yaml_text", "key", "line"),
    [
        ("name: n\ncolumns: x\n", "columns", 2),
        ("source: x\norganization: org\n", "name", None),
        ("name: n\ncountry: c\ncountry_value: CN\n", "country", 2),
        ("name: n\ncountry_value: Atlantis\n", "country_value", 2),
        ("name: n\nattributes: url\n", "attributes", 2),
        ("name: [a, b]\n", "name", 1),
        ("name: ''\n", "name", 1),
        ("- name\n", None, None),
        ("name: n\n  bad: indent\n", None, 2),
        ("name: n\nworld_sample: sure\n", "world_sample", 2),
    ],
)
def test_tabular_mapping_errors(tmp_path: Path, yaml_text: str, key: str | None, line: int | None) -> None:
    path = _write(tmp_path, "mapping.yaml", yaml_text)
    error = _error(tabular.load_mapping, path)
    assert (error.file, error.column, error.line) == (str(path), key, line)


def test_tabular_mapping_missing_file(tmp_path: Path) -> None:
    error = _error(tabular.load_mapping, tmp_path / "absent.yaml")
    assert error.file == str(tmp_path / "absent.yaml")


def test_tabular_missing_column(tmp_path: Path) -> None:
    mapping = tabular.Mapping.from_dict({"name": "name", "organization": "developer"}, "m.yaml")
    path = _write(tmp_path, "list.csv", "name,org\nA,B\n")
    error = _error(tabular.parse, path, mapping)
    assert (error.file, error.column, error.line) == (str(path), "developer", 1)
    assert "m.yaml" in str(error)
    attributes = tabular.Mapping.from_dict({"name": "name", "attributes": ["url"]}, "m.yaml")
    assert _error(tabular.parse, path, attributes).column == "url"


def test_tabular_rows_quarantined(tmp_path: Path) -> None:
    mapping = tabular.Mapping.from_dict(
        {
            "source": "register",
            "name": "Model",
            "organization": "Provider",
            "country": "Country",
            "published_on": "Approved",
            "open_weights": "Open",
        },
        "m.yaml",
    )
    path = _write(
        tmp_path,
        "register.csv",
        "Model,Provider,Country,Approved,Open\n"
        "Ernie,Baidu,China,2023-08-31,no\n"
        "Qwen,Alibaba,CN,last spring,yes\n"
        ",Nobody,CN,2024-01-01,\n"
        "Mystery,X,Atlantis,2024,\n"
        "Glm,Zhipu,China,2024-02,maybe\n"
        "Short,row\n"
        "\n"
        "Multi,Several,Multinational,2024,unknown\n",
    )
    records, quarantined = tabular.parse(path, mapping)
    assert [
        (r.source_id, r.name, r.organization, r.countries_published, r.published_on, r.open_weights) for r in records
    ] == [
        ("2", "Ernie", "Baidu", ["CN"], date(2023, 8, 31), OpenWeights.NO),
        ("9", "Multi", "Several", [], date(2024, 1, 1), OpenWeights.UNKNOWN),
    ]
    assert [(q.file, q.line, q.column, q.value) for q in quarantined] == [
        (str(path), 3, "Approved", "last spring"),
        (str(path), 4, "Model", ""),
        (str(path), 5, "Country", "Atlantis"),
        (str(path), 6, "Open", "maybe"),
        (str(path), 7, "*", "Short,row"),
    ]
    assert all(q.reason and q.snapshot_id.startswith("register:list:") for q in quarantined)


def test_tabular_json_list(tmp_path: Path) -> None:
    mapping = tabular.Mapping.from_dict({"name": "model", "id": "id", "hf_id": "hf", "attributes": ["n"]}, "m")
    path = _write(tmp_path, "list.json", json.dumps([{"id": 7, "model": "A", "hf": "org/a", "n": 1.0}, {"model": "B"}]))
    records, quarantined = tabular.parse(path, mapping)
    assert [(r.source_id, r.name, r.hf_id, r.attributes, r.line) for r in records] == [
        ("7", "A", "org/a", {"n": "1"}, 1)
    ]
    assert [(q.line, q.column, q.reason) for q in quarantined] == [(2, "id", "empty id")]
    for bad, line in (("{}", None), ("[1]", 1), ("[{", 1)):
        error = _error(tabular.parse, _write(tmp_path, "bad.json", bad), mapping)
        assert (error.file, error.line) == (str(tmp_path / "bad.json"), line)


def test_tabular_xlsx(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.title = "Notes"
    sheet = workbook.create_sheet("Approved services")
    sheet.append(["Service", "Company", "Date"])
    sheet.append(["Doubao", "ByteDance", datetime(2023, 8, 31)])
    sheet.append(["Hunyuan", "Tencent", "2023-09-07"])
    sheet.append([None, None, None])
    sheet.append(["Broken", "X", "soon"])
    path = tmp_path / "register.xlsx"
    workbook.save(path)
    mapping = tabular.Mapping.from_dict(
        {"name": "Service", "organization": "Company", "published_on": "Date", "sheet": "Approved services"}, "m"
    )
    records, quarantined = tabular.parse(path, mapping)
    assert [(r.source_id, r.name, r.published_on) for r in records] == [
        ("2", "Doubao", date(2023, 8, 31)),
        ("3", "Hunyuan", date(2023, 9, 7)),
    ]
    assert [(q.line, q.column, q.value) for q in quarantined] == [(5, "Date", "soon")]
    wrong_sheet = tabular.Mapping.from_dict({"name": "Service", "sheet": "Missing"}, "m")
    assert _error(tabular.parse, path, wrong_sheet).column == "sheet"
    not_a_workbook = _write(tmp_path, "fake.xlsx", "Service\nA\n")
    assert _error(tabular.parse, not_a_workbook, mapping).file == str(not_a_workbook)


def test_tabular_unreadable_files(tmp_path: Path) -> None:
    mapping = tabular.Mapping.from_dict({"name": "name"}, "m")
    assert _error(tabular.parse, tmp_path / "absent.csv", mapping).file == str(tmp_path / "absent.csv")
    empty = _write(tmp_path, "empty.csv", "")
    assert _error(tabular.parse, empty, mapping).line == 1
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"name\n\xff\xfe\n")
    assert _error(tabular.parse, binary, mapping).line == 2
    unterminated = _write(tmp_path, "quote.csv", 'name\n"A\n')
    assert _error(tabular.parse, unterminated, mapping).line == 2


# ---------------------------------------------------------------------------------------------
# Properties: any input → records or InputFormatError, and detection never raises


def _real_items() -> dict[str, Any]:
    data = shared_data()
    return {
        "openrouter": json.loads((data / "openrouter" / "openrouter-models_2026-05-01.json").read_bytes())[:25],
        "scatter": json.loads((data / "lmarena_arena_catalog" / "scatterplot-data.json").read_bytes())[:25],
        "board": {
            category: dict(list(models.items())[:5])
            for category, models in json.loads(
                (data / "lmarena_arena_catalog" / "leaderboard-vision.json").read_bytes()
            ).items()
        },
        "litellm": dict(
            list(json.loads((data / "litellm" / "model_prices_and_context_window_backup.json").read_bytes()).items())[
                :25
            ]
        ),
        "history": "\n".join(
            ",".join(line.split(",")[:6])
            for line in (data / "lmarena_history_nakasyou" / "result.csv").read_text().splitlines()[-4:]
        ),
        "china": (data / "china_llm_lists" / "hqwu_awesome_chinese_llm_models.csv").read_text()[:1500],
    }


REAL = _real_items()


@st.composite
def _mutated_item(draw: st.DrawFn, item: dict[str, Any]) -> dict[str, Any]:
    """A real item with one key replaced by an arbitrary JSON value, deleted, or nested value mangled."""
    item = json.loads(json.dumps(item))
    key = draw(st.sampled_from(sorted(item)))
    action = draw(st.sampled_from(["replace", "delete", "nested"]))
    if action == "delete":
        del item[key]
    elif action == "nested" and isinstance(item[key], dict) and item[key]:
        inner = draw(st.sampled_from(sorted(item[key])))
        item[key][inner] = draw(JSON_VALUES)
    else:
        item[key] = draw(JSON_VALUES)
    return item


def _byte_mutation(payload: bytes) -> st.SearchStrategy[bytes]:
    """Real bytes cut short or with a stretch overwritten by arbitrary bytes."""
    return st.tuples(st.integers(0, len(payload)), st.binary(max_size=8), st.booleans()).map(
        lambda t: payload[: t[0]] if t[2] else payload[: t[0]] + t[1] + payload[t[0] + len(t[1]) :]
    )


def _list_payloads(items: list[dict[str, Any]]) -> st.SearchStrategy[bytes]:
    raw = json.dumps(items[:3]).encode()
    structural = st.lists(st.sampled_from(range(len(items))).flatmap(lambda i: _mutated_item(items[i])), max_size=3)
    return st.one_of(
        st.binary(max_size=200),
        JSON_VALUES.map(lambda v: json.dumps(v).encode()),
        structural.map(lambda v: json.dumps(v).encode()),
        _byte_mutation(raw),
    )


def _dict_payloads(mapping: dict[str, Any]) -> st.SearchStrategy[bytes]:
    def with_one_entry_mutated(key: str) -> st.SearchStrategy[bytes]:
        entry = mapping[key]
        values = _mutated_item(entry) if isinstance(entry, dict) and entry else JSON_VALUES
        return values.map(lambda value: json.dumps({**mapping, key: value}).encode())

    raw = json.dumps(mapping).encode()
    structural = st.sampled_from(sorted(mapping)).flatmap(with_one_entry_mutated)
    return st.one_of(
        st.binary(max_size=200), JSON_VALUES.map(lambda v: json.dumps(v).encode()), structural, _byte_mutation(raw)
    )


def _decoded(payload: bytes) -> Any:
    """What a parser that accepted ``payload`` read: its JSON (every parser decodes UTF-8, with or without BOM)."""
    return json.loads(payload.decode("utf-8-sig"))


class Outcomes:
    """What a property test's inputs gave: records (checked by the test) or an InputFormatError naming the file.
    Both must occur, or the inputs tested only one branch."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def run(self, call: Any, location: str) -> Any:
        try:
            result = call()
        except InputFormatError as error:
            assert error.file == location
            self.counts["error"] += 1
            return None
        self.counts["records"] += 1
        return result

    def assert_both(self) -> None:
        assert self.counts["records"] > 0, f"no input was read: {self.counts}"
        assert self.counts["error"] > 0, f"no input was refused: {self.counts}"


def test_openrouter_property() -> None:
    outcomes = Outcomes()

    @PROPERTY
    @given(_list_payloads(REAL["openrouter"]))
    def check(payload: bytes) -> None:
        assert isinstance(openrouter.looks_like(payload), bool)
        records = outcomes.run(lambda: openrouter.parse(payload, "p"), "p")
        if records is not None:
            decoded = _decoded(payload)
            items = decoded["data"] if isinstance(decoded, dict) else decoded
            assert len(records) == len(items)  # one record per item, none dropped
            assert [r.line for r in records] == list(range(1, len(items) + 1))
            assert all(r.source == "openrouter" and r.source_id and r.name for r in records)

    check()
    outcomes.assert_both()


def test_lmarena_scatterplot_property() -> None:
    outcomes = Outcomes()

    @PROPERTY
    @given(_list_payloads(REAL["scatter"]))
    def check(payload: bytes) -> None:
        assert lmarena.kind_of("s.json", payload) in {None, "scatterplot", "history"}
        records = outcomes.run(lambda: lmarena.parse_scatterplot(payload, "p"), "p")
        if records is not None:
            items = _decoded(payload)
            assert len(records) == len(items)
            assert [r.line for r in records] == list(range(1, len(items) + 1))
            for record, item in zip(records, items, strict=True):
                assert record.source == "lmarena" and record.source_id and record.name
                assert record.source_id == clean_text(item["model_api_name"])
                assert record.open_weights is lmarena.open_weights_of(record.license)

    check()
    outcomes.assert_both()


def test_lmarena_leaderboard_property() -> None:
    outcomes = Outcomes()

    @PROPERTY
    @given(_dict_payloads(REAL["board"]))
    def check(payload: bytes) -> None:
        lmarena.kind_of(None, payload)
        ratings = outcomes.run(lambda: lmarena.parse_leaderboard(payload, "p", DATA_DATE, "vision"), "p")
        if ratings is not None:
            board = _decoded(payload)
            assert len(ratings) == sum(len(models) for models in board.values())  # one rating per entry
            assert {r.category for r in ratings} <= {f"vision/{category}" for category in board}
            for r in ratings:
                assert r.source == "lmarena" and r.source_id and r.rated_on == DATA_DATE
                assert isinstance(r.rating, float)

    check()
    outcomes.assert_both()


def test_lmarena_history_property() -> None:
    outcomes = Outcomes()

    @PROPERTY
    @given(
        st.one_of(
            st.binary(max_size=200),
            _byte_mutation(REAL["history"].encode()),
            st.text(alphabet=',\n0123456789.-" ab', max_size=80).map(str.encode),
        )
    )
    def check(payload: bytes) -> None:
        lmarena.kind_of("h.csv", payload)
        ratings = outcomes.run(lambda: lmarena.parse_history(payload, "p"), "p")
        if ratings is not None:
            for r in ratings:  # a dated overall rating, never an absent (0.0) one, never an interval
                assert r.source == "lmarena" and r.source_id and r.category == "text/full"
                assert isinstance(r.rated_on, date) and r.rating != 0.0
                assert r.rating_low is None and r.rating_high is None

    check()
    outcomes.assert_both()


def test_litellm_property() -> None:
    outcomes = Outcomes()

    @PROPERTY
    @given(_dict_payloads(REAL["litellm"]))
    def check(payload: bytes) -> None:
        assert isinstance(litellm.looks_like(payload), bool)
        records = outcomes.run(lambda: litellm.parse(payload, "p"), "p")
        if records is not None:
            keys = [key for key in _decoded(payload) if key != "sample_spec"]
            assert [r.source_id for r in records] == keys  # every key but sample_spec, in file order
            assert all(r.source == "litellm" and r.name for r in records)

    check()
    outcomes.assert_both()


@pytest.fixture(scope="module")
def property_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tabular-property")


TABULAR_MAPPING = tabular.Mapping.from_dict(
    {"name": "name", "id": "name", "country": "section", "published_on": "subsection", "attributes": ["url"]}, "m"
)


def test_tabular_property(property_dir: Path) -> None:
    outcomes = Outcomes()

    @PROPERTY
    @given(
        st.sampled_from([".csv", ".json", ".xlsx", ".tsv", ""]),
        st.one_of(
            st.binary(max_size=200),
            _byte_mutation(REAL["china"].encode()),
            JSON_VALUES.map(lambda v: json.dumps(v).encode()),
            st.lists(
                st.fixed_dictionaries(
                    {"name": JSON_VALUES, "section": JSON_VALUES, "subsection": JSON_VALUES, "url": JSON_VALUES}
                ),
                max_size=3,
            ).map(lambda v: json.dumps(v).encode()),
        ),
    )
    def check(suffix: str, payload: bytes) -> None:
        path = property_dir / f"list{suffix}"
        path.write_bytes(payload)
        parsed = outcomes.run(lambda: tabular.parse(path, TABULAR_MAPPING), str(path))
        if parsed is not None:
            records, quarantined = parsed
            assert all(r.name for r in records)
            assert all(q.reason for q in quarantined)

    check()
    outcomes.assert_both()
