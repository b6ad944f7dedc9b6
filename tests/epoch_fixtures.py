"""Small Epoch-like exports written by the tests themselves (never copies of shared data)."""

from __future__ import annotations

import csv
from pathlib import Path

ALL_HEADER = [
    "Model",
    "Domain",
    "Task",
    "Organization",
    "Publication date",
    "Link",
    "Notability criteria",
    "Parameters",
    "Training compute (FLOP)",
    "Training hardware",
    "Model accessibility",
    "Country (of organization)",
    "Base model",
    "Last modified",
    "Frontier model",
    "Hugging Face developer id",
    "Open model weights?",
]

ROWS = [
    # name, domain, org, date, notability, params, compute, hardware, access, country, modified, frontier, open
    (
        "Alpha-1",
        "Language",
        "OpenAI",
        "2024-03-01",
        "SOTA improvement",
        "1e9",
        "1e24",
        "NVIDIA H100 SXM5 80GB",
        "API access",
        "United States of America",
        "2025-01-01 00:00:00+00:00",
        "True",
        "No",
    ),
    (
        "Beta-7B",
        "Language,Vision",
        "Alibaba,Tsinghua University",
        "2024-06-01",
        "",
        "7e9",
        "5e22",
        "Huawei Ascend 910B",
        "Open weights (unrestricted)",
        "China,China",
        "2025-01-02 00:00:00+00:00",
        "",
        "Yes",
    ),
    (
        "Gamma",
        "Vision",
        "Google DeepMind,University of Toronto",
        "2023-02-01",
        "Highly cited",
        "",
        "3e23",
        "Google TPU v4",
        "Unreleased",
        "United Kingdom of Great Britain and Northern Ireland,Canada",
        "2025-01-03 00:00:00+00:00",
        "",
        "No",
    ),
    (
        "Delta",
        "Language",
        "Mistral AI",
        "2023-09-01",
        "",
        "7e9",
        "",
        "",
        "",
        "France",
        "2025-01-04 00:00:00+00:00",
        "",
        "",
    ),
    (
        "Epsilon",
        "Biology",
        "Some Unknown Lab",
        "2024-01-15",
        "",
        "",
        "",
        "",
        "",
        "",
        "2025-01-05 00:00:00+00:00",
        "",
        "",
    ),
    (
        "Zeta",
        "Language",
        "Technology Innovation Institute",
        "2024-11-01",
        "",
        "40e9",
        "",
        "",
        "",
        "Multinational",
        "2025-01-06 00:00:00+00:00",
        "",
        "",
    ),
]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def all_rows(rows: list[tuple[str, ...]] = ROWS) -> list[list[str]]:
    out = []
    for name, domain, org, day, notability, params, compute, hw, access, country, modified, frontier, ow in rows:
        out.append(
            [
                name,
                domain,
                "Language modeling",
                org,
                day,
                f"https://example.org/{name}",
                notability,
                params,
                compute,
                hw,
                access,
                country,
                "",
                modified,
                frontier,
                "",
                ow,
            ]
        )
    return out


def write_export(
    folder: Path,
    *,
    notable: bool = True,
    rows: list[tuple[str, ...]] = ROWS,
    country_header: str = "Country (of organization)",
) -> Path:
    """An export folder: ``all_ai_models.csv`` (and ``notable_ai_models.csv`` of the rows with notability)."""
    header = [country_header if h == "Country (of organization)" else h for h in ALL_HEADER]
    data = all_rows(rows)
    write_csv(folder / "all_ai_models.csv", header, data)
    if notable:
        keep = [r for r in data if r[header.index("Notability criteria")]]
        write_csv(folder / "notable_ai_models.csv", header, keep)
    return folder
