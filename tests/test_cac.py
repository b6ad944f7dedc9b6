"""China's CAC register as a source: attachments in the official layout (headers by meaning, title rows, xlsx and
CSV, GB18030, two lists kept apart), merged as deltas with duplicates removed and bad rows set aside; the shared
book rows read in place; the figures (by country, province, organization, month), the cumulative series beside the
published totals, the filings behind each figure, the CLI, the API and the live fetch."""

from __future__ import annotations

import csv
import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import modelcensus as mc
from cac_fixtures import EXPECTED, PROVIDERS, write_attachments, write_registry
from modelcensus.config import Config
from modelcensus.errors import InputFormatError, SourceUnavailableError
from modelcensus.linkage.cac import group_of, load_aliases
from modelcensus.orgs import load_registry
from modelcensus.outputs.api.app import create_app
from modelcensus.outputs.cli.app import app
from modelcensus.sources import cac, cac_totals
from modelcensus.sources.cac_layout import jurisdictions, kind_of_text, parse_day, recognise_header
from modelcensus.sources.discover import discover
from modelcensus.vocabulary import CacRecordType

from httpserver import Payloads, serve

runner = CliRunner()
BOOK = "cac_filings_partial/cac_filings_partial_from_leadingai_book.csv"
TOTALS = "reference/cac_genai_filing_totals.csv"


def _book_counts(path: Path) -> dict[str, int]:
    """What the book's rows hold, counted with the csv module alone: filings and registrations (a row numbered
    ``619-622`` is four), and the rows that name no provider."""
    counts: Counter[str] = Counter()
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            counts["rows"] += 1
            if not row["filing_entity_cn"].strip():
                counts["no provider"] += 1
                continue
            numbers = [int(n) for n in re.findall(r"\d+", row["filing_seq_no"])]
            many = numbers[-1] - numbers[0] + 1
            kind = "registration" if row["record_type"].startswith("registration") else "filing"
            counts[kind] += many
    return dict(counts)


@pytest.fixture()
def attachments(tmp_path: Path) -> list[Path]:
    return write_attachments(tmp_path / "attachments")


@pytest.fixture()
def registry_file(tmp_path: Path) -> Path:
    return write_registry(tmp_path / "providers.csv")


def _open(path: Path, registry_file: Path | None = None, **config: object) -> mc.Census:
    return mc.open(path, config=Config(registry_paths=(registry_file,) if registry_file else (), **config))  # type: ignore[arg-type]


# -- reading the layout --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (["序号", "属地", "模型名称", "备案单位", "备案号", "备案时间"], CacRecordType.FILING),
        (["备案号", "模型名称", "备案单位", "属地", "序号", "备案时间"], CacRecordType.FILING),
        (["序号", "属地", "模型名称", "企业名称", "上线编号", "上线时间"], CacRecordType.REGISTRATION),
        ([" 序 号 ", "所在地", "服务名称", "备案主体", "备案编号", "备案日期"], CacRecordType.FILING),
        (["filing_seq_no", "record_type", "jurisdiction_cn", "model_name", "filing_entity_cn", "filing_date"], None),
    ],
)
def test_headers_are_recognised_by_meaning_not_position(header: list[str], expected: CacRecordType | None) -> None:
    found = recognise_header(header)
    assert found is not None
    assert header[found.columns["entity"]].strip() in {"备案单位", "企业名称", "备案主体", "filing_entity_cn"}
    assert (
        "模型" in header[found.columns["model"]]
        or "名称" in header[found.columns["model"]]
        or "model" in header[found.columns["model"]]
    )
    assert found.kind == expected


@pytest.mark.parametrize(
    "header",
    [
        ["生成式人工智能服务已备案信息"],  # a title, not a header
        ["Model", "Organization", "Country (of organization)", "Publication date"],  # Epoch's
        ["attachment", "period_label", "publication_month", "filing_seq_from", "filing_seq_to"],  # ranges
        ["jurisdiction_en", "jurisdiction_cn", "count_in_filings_189_to_611"],
    ],
)
def test_what_is_not_a_cac_header(header: list[str]) -> None:
    assert recognise_header(header) is None


def test_titles_name_their_list() -> None:
    assert kind_of_text("生成式人工智能服务已备案信息") == CacRecordType.FILING
    assert kind_of_text("二、已登记的生成式人工智能应用或功能") == CacRecordType.REGISTRATION
    assert kind_of_text("生成式人工智能服务已备案及已登记信息") is None  # both lists: the sheet or sub-title says
    assert parse_day("2023年9月14日")[0] == parse_day("2023/9/14")[0] == parse_day(45183)[0] == parse_day("20230914")[0]
    with pytest.raises(ValueError, match="not a date"):
        parse_day("2024-13-45")


def test_every_jurisdiction_code_is_iso_3166_2_cn() -> None:
    import pycountry

    provinces = {p for p in jurisdictions().values()}
    coded = [p for p in provinces if p.code]
    assert len(coded) == 34  # 4 municipalities, 23 provinces (Taiwan included), 5 regions, 2 SARs
    for p in coded:
        assert pycountry.subdivisions.get(code=p.code) is not None, p
    assert cac.province_of("广西壮族自治区").code == "CN-GX"  # type: ignore[union-attr]
    assert cac.province_of("北京市海淀区").code == "CN-BJ"  # type: ignore[union-attr]
    assert cac.province_of("国资委").code is None  # type: ignore[union-attr]
    unknown = cac.province_of("火星")
    assert unknown is not None and unknown.code is None and unknown.name_zh == "火星"  # kept as written


def test_an_attachment_with_two_sheets_keeps_filings_and_registrations_apart(attachments: list[Path]) -> None:
    read = cac.read_file(attachments[1])
    kinds = {(t.sheet, t.record_type) for t in read.tables}
    assert kinds == {("已备案", CacRecordType.FILING), ("已登记", CacRecordType.REGISTRATION)}
    assert all(t.title == "生成式人工智能服务已备案及已登记信息" and t.header_line == 2 for t in read.tables)
    registrations = [f for f in read.filings if f.record_type == CacRecordType.REGISTRATION]
    assert [f.filing_number for f in registrations] == [
        "Shanghai-ZhiNengKeFu-202408010001",
        "Beijing-FaLvZhuShou-202408020002",
    ]
    assert read.rows_read == len(read.filings) + len(read.quarantined)
    (bad,) = read.quarantined
    assert bad.file.endswith("attachment2.xlsx (sheet 已备案)") and bad.line == 6 and bad.column == "备案主体"
    assert "no filing entity" in bad.reason


def test_a_gb18030_csv_with_two_tables_under_sub_titles(attachments: list[Path]) -> None:
    raw = attachments[2].read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    read = cac.read_file(attachments[2])
    assert [(t.record_type, t.title) for t in read.tables] == [
        (CacRecordType.FILING, "生成式人工智能服务已备案及已登记信息 / 一、已备案的生成式人工智能服务"),
        (CacRecordType.REGISTRATION, "二、已登记的生成式人工智能应用或功能"),
    ]
    kimi = next(f for f in read.filings if f.model_name == "Kimi")
    assert (kimi.sequence, kimi.entity, kimi.province.code, kimi.filed_on.isoformat()) == (  # type: ignore[union-attr]
        10,
        "北京月之暗面科技有限公司",
        "CN-BJ",
        "2024-11-01",
    )


def test_attachments_are_merged_as_deltas(attachments: list[Path]) -> None:
    read = cac.read(attachments)
    kinds = Counter(f.record_type for f in read.filings)
    assert kinds[CacRecordType.FILING] == EXPECTED["filings"]
    assert kinds[CacRecordType.REGISTRATION] == EXPECTED["registrations"]
    assert read.rows_read == EXPECTED["rows"]
    assert len(read.duplicates) == EXPECTED["duplicates"]
    assert len(read.quarantined) == EXPECTED["quarantined"]
    assert read.rows_read == read.rows_stored + len(read.quarantined)
    assert read.rows_stored == len(read.filings) + len(read.duplicates)
    by_number = {d.kept.filing_number for d in read.duplicates}
    assert "Zhejiang-TongYiQianWen-20230912S0005" in by_number  # listed again in attachment 2: kept as first listed
    repeated = {(Path(d.file).name, d.line) for d in read.duplicates}
    assert repeated == {("attachment2.xlsx (sheet 已备案)", 3), ("attachment4.csv", 5)}
    date_row = next(q for q in read.quarantined if q.file.endswith("attachment4.csv"))
    assert (date_row.line, date_row.column, date_row.value) == (6, "备案时间", "2024-13-45")
    assert sorted(f.sequence for f in read.filings if f.record_type == CacRecordType.FILING) == [
        1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13,
    ]  # fmt: skip


def test_one_sequence_number_for_two_providers_is_set_aside(tmp_path: Path) -> None:
    """Sequence numbers that restart in each attachment cannot identify filings without filing numbers."""
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("序号,属地,模型名称,备案单位\n1,北京,甲,北京甲科技有限公司\n", encoding="utf-8")
    second.write_text("序号,属地,模型名称,备案单位\n1,上海,乙,上海乙科技有限公司\n", encoding="utf-8")
    read = cac.read([first, second])
    assert [f.entity for f in read.filings] == ["北京甲科技有限公司"]
    (conflict,) = read.quarantined
    assert (
        conflict.file == str(second) and conflict.line == 2 and "already held by 北京甲科技有限公司" in conflict.reason
    )
    assert read.rows_read == len(read.filings) + len(read.quarantined)


def test_what_cannot_be_read_says_where(tmp_path: Path) -> None:
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64)
    with pytest.raises(InputFormatError, match=r"old\.xls.*Excel 97-2003"):
        cac.read(old)
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputFormatError, match=r"other\.csv.*no CAC table found"):
        cac.read(other)


# -- the shared rows, read in place -----------------------------------------------------------------------------------


def test_the_shared_book_rows_are_read_in_place(shared: Path) -> None:
    path = shared / BOOK
    counts = _book_counts(path)
    read = cac.read(path)
    assert read.rows_read == counts["rows"]
    assert len(read.quarantined) == counts["no provider"]
    assert all(q.column == "filing_entity_cn" and q.file == str(path) for q in read.quarantined)
    kinds = Counter(f.record_type for f in read.filings)
    assert kinds[CacRecordType.FILING] == counts["filing"]
    assert kinds[CacRecordType.REGISTRATION] == counts["registration"]
    deepseek = next(f for f in read.filings if f.filing_number == "Beijing-DeepseekChat-202404280016")
    assert (deepseek.sequence, deepseek.entity, deepseek.province.code) == (  # type: ignore[union-attr]
        152,
        "北京深度求索人工智能基础技术研究有限公司",
        "CN-BJ",
    )
    sasac = [f for f in read.filings if f.province and f.province.name_zh == "国资委"]
    assert sasac and all(f.province.code is None for f in sasac)  # type: ignore[union-attr]


def test_the_shared_folder_is_recognised_by_content(shared: Path) -> None:
    found = discover(shared)
    (register,) = found.of("cac")
    assert register.paths == (shared / BOOK,)
    (totals,) = found.of("cac-totals")
    assert totals.paths == (shared / TOTALS,)
    skipped = {s.path.name: s.reason for s in found.skipped}
    assert "reference table, not filings" in skipped["cac_attachment_ranges.csv"]
    assert "lists no filings" in skipped["cac_jurisdiction_counts_seq189_611.csv"]


def test_at_least_90_percent_of_the_shared_filings_resolve(shared: Path, tmp_path: Path) -> None:
    """The done-when of the issue: the registry (with the Chinese names of its entries) resolves the providers of
    at least 90% of the shared filings. It holds once the registry carries the legal names of Chinese developers."""
    with mc.open(tmp_path / "c.duckdb") as census:
        census.ingest_cac([shared / BOOK])
        frame = census.count_cac("organization").frame
    unresolved = int(frame.loc[frame["group"].isna(), "count"].sum())
    total = int(frame["denominator"].iloc[0])
    assert total == _book_counts(shared / BOOK)["filing"]
    assert (total - unresolved) / total >= 0.9, f"{total - unresolved} of {total} filings resolve"


# -- the store and its figures --------------------------------------------------------------------------------------


def test_ingest_resolves_providers_with_a_registry_of_their_legal_names(
    attachments: list[Path], registry_file: Path, tmp_path: Path
) -> None:
    with _open(tmp_path / "c.duckdb", registry_file) as census:
        report = census.ingest_cac(attachments)
        (result,) = report.results
        assert (result.rows_read, result.quarantined, result.duplicates) == (
            EXPECTED["rows"],
            EXPECTED["quarantined"],
            EXPECTED["duplicates"],
        )
        assert result.records == EXPECTED["filings"] + EXPECTED["registrations"]
        before = census.store.fingerprint()
        again = census.ingest_cac(attachments)
        assert again.results[0].already_stored and census.store.fingerprint() == before  # idempotent
        filings = census.cac_filings().frame
        registry = census.registry
        for row in filings.itertuples():
            expected = registry.orgs[PROVIDERS[row.entity]]
            assert row.org_id is not None, row.entity
            assert group_of(registry, registry.orgs[row.org_id]) == group_of(registry, expected)
            assert row.method != "unresolved" and row.score > 0
        organizations = census.count_cac("organization").frame
        assert organizations["group"].notna().all() and int(organizations["count"].sum()) == EXPECTED["filings"]
        registrations = census.count_cac("organization", record_type="registration").frame
        assert registrations["group"].isna().all()  # the registered apps' providers are not in the registry
        assert census.cac_unresolved(record_type="registration").frame["filings"].sum() == EXPECTED["registrations"]


def test_count_by_country_counts_every_filing_for_china(attachments: list[Path], tmp_path: Path, shared: Path) -> None:
    with mc.open(tmp_path / "c.duckdb") as census:
        census.ingest_cac([*attachments, shared / BOOK])
        stored = census.store.con.execute(
            "SELECT record_type, count(DISTINCT filing_key) FROM cac_filings GROUP BY ALL"
        ).fetchall()
        every = dict(stored)
        for kind in ("filing", "registration"):
            frame = census.count_cac("country", record_type=kind).frame
            assert frame[["group", "count", "denominator"]].values.tolist() == [["CN", every[kind], every[kind]]]
        provinces = census.count_cac("province").frame
        assert int(provinces["count"].sum()) == every["filing"]  # one province (or none) each
        beijing = provinces.set_index("group").loc["CN-BJ"]
        assert (beijing["group_name"], beijing["name_zh"]) == ("Beijing", "北京")
        months = census.count_cac("month").frame
        assert int(months["count"].sum()) == every["filing"]
        behind = census.cac_filings(province="CN-BJ").frame
        assert len(behind) == int(beijing["count"])
        assert len(census.cac_filings(month="none").frame) == int(months.loc[months["group"].isna(), "count"].sum())


def test_filings_link_to_canonical_models_through_reviewed_aliases(
    attachments: list[Path], registry_file: Path, small_census_path: Path, tmp_path: Path
) -> None:
    db = tmp_path / "c.duckdb"
    shutil.copyfile(small_census_path, db)
    with _open(db, registry_file) as census:
        census.ingest_cac(attachments)
        filings = census.cac_filings().frame.set_index("model_name")
        assert filings.loc["文心一言", "family"] == "ERNIE"
        assert filings.loc["通义千问", "family"] == "Qwen"
        assert filings.loc["求索对话DeepSeek Chat", "family"] == "DeepSeek"
        assert filings.loc["智谱清言", "family"] == "GLM"
        assert any(name.startswith("Qwen") for name in filings.loc["通义千问", "linked_models"])
        assert pd.isna(filings.loc["星火助手", "family"])  # Meituan's "星火" is not iFlytek's Spark
        figure = census.count_definition("cac-filed")
        members = census.definition_members("cac-filed", country="*")
    assert figure.frame["count"].sum() > 0 and "cac_filed=True" in (figure.provenance.definition or "")
    families = set(filings["family"].dropna())
    patterns = [a.models for a in load_aliases() if a.family in families and a.models is not None]
    assert len(members) > 0
    for member in members.itertuples():
        assert any(p.search(str(member.unit_name)) or p.search(str(member.name)) for p in patterns), member
    assert any(str(n).lower().startswith("deepseek") for n in members["unit_name"])


def test_every_alias_names_a_registry_developer() -> None:
    registry = load_registry()
    for alias in load_aliases():
        assert registry.resolve(alias.developer).org is not None, alias
        assert alias.note.strip()


# -- the cumulative series beside the published totals -------------------------------------------------------------


def _published(path: Path) -> dict[str, list[int]]:
    """Each month's cumulative filed totals as the totals file writes them (a leading number, no '+' before it,
    not filed+registered combined), with the csv module alone."""
    months: dict[str, list[int]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            cell = row["cumulative_filed_services_central"].strip()
            match = re.match(r"^(\d+)", cell)
            if match and "combined" not in cell:
                months.setdefault(row["as_of_date"][:7], []).append(int(match.group(1)))
    return months


def test_the_series_stands_beside_the_published_totals(shared: Path, tmp_path: Path) -> None:
    with mc.open(tmp_path / "c.duckdb") as census:
        census.ingest_cac([shared / BOOK, shared / TOTALS])
        figure = census.cac_series()
        totals = census.cac_totals().frame
    frame = figure.frame
    published = _published(shared / TOTALS)
    shown = frame.dropna(subset=["published_total"])
    assert set(shown["month"]) == set(published)
    for row in shown.itertuples():
        assert row.published_total in published[row.month]
        assert row.coverage == pytest.approx(row.cumulative / row.published_total, abs=1e-4)
    december = frame.set_index("month").loc["2024-12"]
    assert december["published_reliability"] == "official" and "cac.gov.cn" in december["published_source"]
    assert frame["cumulative"].is_monotonic_increasing and frame["month"].is_unique
    assert (frame["highest_sequence"].dropna() >= frame["cumulative"][frame["highest_sequence"].notna()]).all()
    assert "undated" in (figure.provenance.note or "")
    assert {s["source"] for s in figure.provenance.snapshot_list} == {"cac", "cac-totals"}
    with (shared / TOTALS).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(totals) == len(rows)  # every statement kept, with its source and reliability
    assert set(totals["reliability"]) <= set(cac_totals.RELIABILITY)
    assert totals.set_index("filed_text").loc["490+", "filed_kind"] == "at least"
    assert totals.set_index("filed_text").loc["554 filed+registered combined", "filed_kind"] == "combined"


# -- the CLI, the API, build --from ---------------------------------------------------------------------------------


@pytest.fixture()
def cac_db(tmp_path: Path, attachments: list[Path], shared: Path) -> Path:
    db = tmp_path / "cli.duckdb"
    first, *rest = [*attachments, shared / TOTALS]
    args = ["ingest", "cac", "--db", str(db), "--from", str(first), *map(str, rest)]  # --from FILE...
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert f"rows read {EXPECTED['rows']}" in result.output and "quarantined" in result.output
    return db


def test_cli_json_shapes(cac_db: Path) -> None:
    out = runner.invoke(app, ["count", "--source", "cac", "--by", "province", "--format", "json", "--db", str(cac_db)])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)
    assert {"group", "group_name", "name_zh", "count", "filings", "denominator", "share", "record_type"} <= set(rows[0])
    assert sum(r["count"] for r in rows) == EXPECTED["filings"]
    series = runner.invoke(app, ["cac", "series", "--format", "json", "--db", str(cac_db)])
    assert series.exit_code == 0, series.output
    months = json.loads(series.stdout)
    assert {"month", "new", "cumulative", "highest_sequence", "published_total", "coverage"} <= set(months[0])
    behind = runner.invoke(
        app, ["models", "--source", "cac", "--province", "Beijing", "--format", "json", "--db", str(cac_db)]
    )
    assert behind.exit_code == 0, behind.output
    beijing = next(r for r in rows if r["group"] == "CN-BJ")
    assert len(json.loads(behind.stdout)) == beijing["count"]
    aside = runner.invoke(app, ["quarantine", "--source", "cac", "--format", "json", "--db", str(cac_db)])
    assert aside.exit_code == 0, aside.output
    rows_aside = json.loads(aside.stdout)
    assert [(Path(r["file"].split(" (sheet")[0]).name, r["line"], r["column_name"]) for r in rows_aside] == [
        ("attachment2.xlsx", 6, "备案主体"),
        ("attachment4.csv", 6, "备案时间"),
    ]
    wrong = runner.invoke(app, ["count", "--source", "cac", "--by", "domain", "--db", str(cac_db)])
    assert wrong.exit_code == 1 and "cannot group CAC filings by domain" in wrong.output
    misplaced = runner.invoke(app, ["count", "--record-type", "registration", "--db", str(cac_db)])
    assert misplaced.exit_code == 1 and "--record-type" in misplaced.output


def test_api_answers_as_the_cli(cac_db: Path) -> None:
    client = TestClient(create_app(cac_db))
    counted = client.get("/api/count", params={"source": "cac", "by": "month", "record_type": "registration"})
    assert counted.status_code == 200, counted.text
    cli = runner.invoke(
        app,
        [
            "count",
            "--source",
            "cac",
            "--by",
            "month",
            "--record-type",
            "registration",
            "--format",
            "json",
            "--db",
            str(cac_db),
        ],
    )
    assert counted.json() == json.loads(cli.stdout)
    series = client.get("/api/cac/series")
    assert series.status_code == 200 and series.json()
    page = client.get("/api/cac/filings", params={"organization": "none", "record_type": "registration"})
    assert page.status_code == 200 and page.json()["total"] == EXPECTED["registrations"]
    models = client.get("/api/models", params={"source": "cac", "country": "CN"})
    assert models.status_code == 200 and models.json()["total"] == EXPECTED["filings"]
    assert client.get("/api/cac/totals").status_code == 200
    assert client.get("/api/count", params={"source": "cac", "by": "province", "notable": "true"}).status_code == 422


def test_build_from_a_folder_ingests_the_register(tmp_path: Path, attachments: list[Path], shared: Path) -> None:
    root = tmp_path / "data"
    shutil.copytree(attachments[0].parent, root / "cac")
    shutil.copyfile(shared / "cac_filings_partial" / "cac_attachment_ranges.csv", root / "cac_attachment_ranges.csv")
    report = mc.build(root, db=tmp_path / "b.duckdb")
    assert not report.partial
    (result,) = [r for r in report.ingest.results if r.source == "cac"]
    assert result.rows_read == EXPECTED["rows"] and result.records == EXPECTED["filings"] + EXPECTED["registrations"]
    assert [s.path.name for s in report.skipped] == ["cac_attachment_ranges.csv"]


# -- the live path ---------------------------------------------------------------------------------------------------


def _notice(links: list[str]) -> bytes:
    anchors = "".join(f'<p><a href="{link}">附件{i}</a></p>' for i, link in enumerate(links, start=1))
    return f"<html><body><h1>生成式人工智能服务已备案信息</h1>{anchors}</body></html>".encode()


def test_live_fetch_follows_a_notice_to_its_attachments(tmp_path: Path, attachments: list[Path]) -> None:
    routes = {f"/rootimages/uploadimg/{p.name}": p.read_bytes() for p in attachments}
    routes["/2024-04/02/notice.htm"] = _notice([f"/rootimages/uploadimg/{p.name}" for p in attachments])
    payloads = Payloads(routes=routes, faults=["503", "ok", "reset"])
    with serve(payloads) as base:
        config = Config(cache_dir=tmp_path / "cache", http_retries=3, http_backoff_s=0.01)
        with mc.open(tmp_path / "live.duckdb", config=config) as census:
            live = census.ingest_cac(urls=[f"{base}/2024-04/02/notice.htm"])
            snapshots = census.sources()
    with mc.open(tmp_path / "local.duckdb") as census:
        local = census.ingest_cac(attachments)
    assert payloads.requests.count("/2024-04/02/notice.htm") == 2  # a 503, then the page
    (got,), (expected,) = live.results, local.results
    assert (got.rows_read, got.records, got.quarantined, got.duplicates) == (
        expected.rows_read,
        expected.records,
        expected.quarantined,
        expected.duplicates,
    )
    assert got.export_id == expected.export_id  # the same bytes: the same export
    cac_snaps = snapshots[snapshots["source"] == "cac"]
    assert all(loc.startswith(base) for loc in cac_snaps["location"])
    assert set(cac_snaps["date_method"]) <= {"http last-modified", "retrieved"}


def test_live_fetch_that_fails_for_good_leaves_nothing(tmp_path: Path) -> None:
    payloads = Payloads(routes={"/notice.htm": _notice(["/missing.xlsx"]), "/empty.htm": _notice([])})
    with serve(payloads) as base:
        config = Config(cache_dir=tmp_path / "cache", http_retries=1, http_backoff_s=0.01)
        with mc.open(tmp_path / "live.duckdb", config=config) as census:
            before = census.store.fingerprint()
            with pytest.raises(SourceUnavailableError, match=r"missing\.xlsx: HTTP 404"):
                census.ingest_cac(urls=[f"{base}/notice.htm"])
            with pytest.raises(SourceUnavailableError, match="links no attachment"):
                census.ingest_cac(urls=[f"{base}/empty.htm"])
            assert census.store.fingerprint() == before
    assert not list((tmp_path / "cache").rglob("*.xlsx")) and not list((tmp_path / "cache").rglob("*.part"))
