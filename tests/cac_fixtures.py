"""CAC attachments in the official layout, written at test time (openpyxl for xlsx, the csv module for CSV).

The CAC publishes its register as xlsx attachments to its notices: a title row, then a header row whose names vary
between attachments, sometimes two sheets (备案 and 登记) or two tables in one sheet under sub-title rows. These
four attachments are deltas of one small register, written as the CAC lays them out, with what a reader must
survive:

- ``attachment1.xlsx``: the first filings, dates as date cells, text, Excel serial numbers and 年月日;
- ``attachment2.xlsx``: two sheets (filings, registrations) under one title that names both lists, other header
  names, the filing of attachment 1 row 5 listed again (a duplicate, same filing number), a row without its
  provider (a bad row), and a "星火" service of Meituan's (not iFlytek's Spark);
- ``attachment3.csv``: GB18030, two tables in one sheet under sub-title rows, columns in another order;
- ``attachment4.csv``: UTF-8 with a BOM, no filing numbers (filings known by sequence number), one of them listed
  again in the same file (a duplicate by sequence number), and a row whose date is no date (a bad row).

:data:`EXPECTED` says what they hold, counted by hand from the rows below.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

import openpyxl

from modelcensus.orgs import load_registry

FILING_TITLE = "生成式人工智能服务已备案信息"
BOTH_TITLE = "生成式人工智能服务已备案及已登记信息"

ATTACHMENT1 = [
    ("序号", "属地", "模型名称", "备案单位", "备案号", "备案时间"),
    (1, "北京", "文心一言", "北京百度网讯科技有限公司", "Beijing-WenXinYiYan-20230821S0001", datetime(2023, 8, 31)),
    (2, "上海市", "书生·浦语", "上海人工智能创新中心", "Shanghai-ShuShengPuYu-20230821S0002", "2023/8/31"),
    (3, "北京", "智谱清言", "北京智谱华章科技有限公司", "Beijing-ZhiPuQingYan-20230821S0003", 45169),
    (4, "广东省", "腾讯混元助手", "深圳市腾讯计算机系统有限公司", "Guangdong-HunYuan-20230911S0004", "2023年9月14日"),
    (5, "浙江", "通义千问", "阿里巴巴（中国）有限公司", "Zhejiang-TongYiQianWen-20230912S0005", date(2023, 9, 12)),
]
ATTACHMENT2_FILINGS = [
    ("序号", "所在地", "服务名称", "备案主体", "备案编号", "备案日期"),
    (5, "浙江", "通义千问", "阿里巴巴（中国）有限公司", "Zhejiang-TongYiQianWen-20230912S0005", date(2023, 9, 12)),
    (
        6,
        "北京",
        "求索对话DeepSeek Chat",
        "北京深度求索人工智能基础技术研究有限公司",
        "Beijing-DeepseekChat-20240428S0006",
        "2024-05-13",
    ),
    (7, "国资委", "九天大模型", "中国移动通信有限公司", "ZhongYangQiYe-JiuTian-20240123S0007", "2024-02-07"),
    (8, "北京", "某某助手", "", "Beijing-MouMou-20240301S0008", "2024-03-01"),
    (9, "北京", "星火助手", "北京三快科技有限公司", "Beijing-XingHuoZhuShou-20240302S0009", "2024-03-02"),
]
ATTACHMENT2_REGISTRATIONS = [
    ("序号", "属地", "模型名称", "企业名称", "上线编号", "上线时间"),
    (1, "上海", "智能客服", "上海某某科技有限公司", "Shanghai-ZhiNengKeFu-202408010001", "2024-08-01"),
    (2, "北京", "法律助手", "北京某某律师事务所", "Beijing-FaLvZhuShou-202408020002", "2024-08-02"),
]
ATTACHMENT3_FILINGS = [
    ("备案号", "模型名称", "备案单位", "属地", "序号", "备案时间"),
    ("Beijing-Kimi-20241101S0010", "Kimi", "北京月之暗面科技有限公司", "北京", 10, "2024.11.01"),
    ("Beijing-DouBao-20241102S0011", "豆包", "北京抖音信息服务有限公司", "北京", 11, "20241102"),
]
ATTACHMENT3_REGISTRATIONS = [
    ("序号", "属地", "模型名称", "企业名称", "登记编号", "上线时间"),
    (3, "广东", "AI写作", "广州某某网络科技有限公司", "Guangdong-AIXieZuo-202411050003", "2024-11-05"),
]
ATTACHMENT4 = [
    ("序号", "属地", "模型名称", "备案单位", "备案时间"),
    (12, "上海", "日日新", "上海商汤智能科技有限公司", "2024-12-01"),
    (13, "上海", "abab", "上海稀宇科技有限公司", "2024-12-02"),
    (12, "上海", "日日新", "上海商汤智能科技有限公司", "2024-12-01"),
    (14, "上海", "某某大模型", "上海某某智能科技有限公司", "2024-13-45"),
]

EXPECTED = {
    "filings": 12,  # 1-5 (attachment 1), 6, 7, 9 (attachment 2), 10, 11 (attachment 3), 12, 13 (attachment 4)
    "registrations": 3,  # 1, 2 (attachment 2), 3 (attachment 3)
    "rows": 5 + 5 + 2 + 2 + 1 + 4,
    "duplicates": 2,  # attachment 2's no. 5 (the same filing number), attachment 4's second no. 12 (same sequence)
    "quarantined": 2,  # attachment 2's no. 8 (no provider), attachment 4's no. 14 (2024-13-45 is no date)
}
"""Counted by hand from the rows above."""

PROVIDERS = {
    "北京百度网讯科技有限公司": "baidu",
    "上海人工智能创新中心": "shanghai-ai-lab",
    "北京智谱华章科技有限公司": "zhipu-ai",
    "深圳市腾讯计算机系统有限公司": "tencent",
    "阿里巴巴（中国）有限公司": "alibaba",
    "北京深度求索人工智能基础技术研究有限公司": "deepseek",
    "中国移动通信有限公司": "china-mobile",
    "北京月之暗面科技有限公司": "moonshot-ai",
    "北京抖音信息服务有限公司": "bytedance",
    "上海商汤智能科技有限公司": "sensetime",
    "上海稀宇科技有限公司": "minimax",
    "北京三快科技有限公司": "meituan",
}
"""Each provider of the filings above and the registry organization it is (the legal entities behind the brands)."""


def _sheet(workbook: openpyxl.Workbook, title: str, heading: str, rows: list[tuple[object, ...]]) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append([heading])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
    for row in rows:
        sheet.append(list(row))


def _csv(path: Path, rows: list[list[object]], encoding: str) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


def write_attachments(folder: Path) -> list[Path]:
    """The four attachments, in publication order."""
    folder.mkdir(parents=True, exist_ok=True)
    first = openpyxl.Workbook()
    first.remove(first.active)
    _sheet(first, "Sheet1", FILING_TITLE, ATTACHMENT1)
    first.save(folder / "attachment1.xlsx")
    second = openpyxl.Workbook()
    second.remove(second.active)
    _sheet(second, "已备案", BOTH_TITLE, ATTACHMENT2_FILINGS)
    _sheet(second, "已登记", BOTH_TITLE, ATTACHMENT2_REGISTRATIONS)
    second.save(folder / "attachment2.xlsx")
    third: list[list[object]] = [[BOTH_TITLE, "", "", "", "", ""], ["一、已备案的生成式人工智能服务"]]
    third += [list(r) for r in ATTACHMENT3_FILINGS]
    third += [[], ["二、已登记的生成式人工智能应用或功能"]]
    third += [list(r) for r in ATTACHMENT3_REGISTRATIONS]
    _csv(folder / "attachment3.csv", third, "gb18030")
    fourth: list[list[object]] = [[FILING_TITLE], *[list(r) for r in ATTACHMENT4]]
    _csv(folder / "attachment4.csv", fourth, "utf-8-sig")
    return [folder / n for n in ("attachment1.xlsx", "attachment2.xlsx", "attachment3.csv", "attachment4.csv")]


def write_registry(path: Path) -> Path:
    """A registry file of the fixture providers' legal names the packaged registry does not resolve yet, each an
    entity below the organization it is (for a test that does not wait for the registry's own Chinese names)."""
    packaged = load_registry()
    rows = [["id", "name", "countries", "sector", "parent", "aliases", "hub_handles", "note"]]
    missing = {e: o for e, o in PROVIDERS.items() if packaged.resolve(e).org is None}
    for number, (entity, org) in enumerate(sorted(missing.items()), start=1):
        rows.append(
            [f"cac-fixture-{number}", entity, "CN", "industry", org, entity, "", "test fixture: a filed legal entity"]
        )
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path
