"""The census on Epoch AI's real 2026-03-30 export (../shared/data), all four files ingested."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

import modelcensus as mc
from modelcensus.records import split_organizations
from modelcensus.sources import epoch

from known_answers import (
    ALL_2024_CN_RANGE,
    ALL_2024_US_MODELS,
    ALL_2024_US_RANGE,
    EPOCH_ROWS,
    NOTABLE_BY_COUNTRY,
    NOTABLE_MODELS,
    NOTABLE_NOT_IN_ALL_AT_LEAST,
)


def _by_group(frame, column="count"):  # type: ignore[no-untyped-def]
    return dict(zip(frame["group"], frame[column], strict=True))


@pytest.mark.parametrize("year", sorted(NOTABLE_BY_COUNTRY))
def test_notable_models_as_published_full(census: mc.Census, year: int) -> None:
    counts = _by_group(census.count(by="country", year=year, notable=True).frame)
    assert {c: counts[c] for c in ("US", "CN")} == NOTABLE_BY_COUNTRY[year]


def test_all_models_2024_within_the_documented_merge_range(census: mc.Census) -> None:
    counts = _by_group(census.count(by="country", year=2024).frame)
    assert ALL_2024_US_RANGE[0] <= counts["US"] <= ALL_2024_US_RANGE[1]
    assert ALL_2024_CN_RANGE[0] <= counts["CN"] <= ALL_2024_CN_RANGE[1]


def test_one_record_per_model_after_merging_near_duplicates(census: mc.Census) -> None:
    models = census.models().frame
    names = list(models["name"])
    assert len(names) == len(set(names))
    for name in ("Qwen2.5-VL-7B", "Tulu 3 (Tülu 3) 70B", "Oryx 7B", "Zephyr 141B-A39B"):
        assert names.count(name) == 1, name
    # the merged record keeps the organization that one of the duplicate rows lacked
    rows = models.set_index("name")
    assert rows.loc["Oryx 7B", "organizations"]
    assert rows.loc["Tulu 3 (Tülu 3) 70B", "organizations"]
    # case is significant: CALM and CaLM are different models in Epoch's data
    assert "CALM" in names and "CaLM" in names


def test_the_notable_file_adds_models_that_all_lacks(census: mc.Census, epoch_dir: Path) -> None:
    import csv

    with (epoch_dir / "all_ai_models.csv").open(encoding="utf-8") as handle:
        in_all = {" ".join(r["Model"].split()) for r in csv.DictReader(handle)}
    notable = census.models(notable=True).frame
    assert len(notable) == NOTABLE_MODELS
    missing_from_all = set(notable["name"]) - in_all
    assert len(missing_from_all) >= NOTABLE_NOT_IN_ALL_AT_LEAST


def test_rows_read_equal_merged_plus_quarantined(epoch_dir: Path) -> None:
    parsed = epoch.parse_export(epoch.discover(epoch_dir)[0])
    assert parsed.rows_read == sum(EPOCH_ROWS.values())
    merged_rows = sum(len(r.origins) for r in parsed.records)
    assert parsed.rows_read == merged_rows + len(parsed.quarantined)
    assert parsed.ignored_country_tokens.get("Multinational", 0) > 0
    assert parsed.unknown_country_tokens == {}


def test_snapshots_record_provenance(census: mc.Census, epoch_dir: Path) -> None:
    sources = census.sources()
    assert set(sources["role"]) == {"all", "notable", "large_scale", "frontier"}
    row = sources.set_index("role").loc["all"]
    data = (epoch_dir / "all_ai_models.csv").read_bytes()
    assert row["sha256"] == hashlib.sha256(data).hexdigest()
    assert row["bytes"] == len(data)
    assert row["rows"] == EPOCH_ROWS["all"]
    assert row["license"] == "CC BY 4.0" and row["credit"] == "Epoch AI"
    assert str(row["location"]).endswith("all_ai_models.csv")
    assert bool(row["current"])


def test_reingesting_changes_nothing(tmp_path: Path, epoch_dir: Path) -> None:
    path = tmp_path / "c.duckdb"
    with mc.open(path) as census:
        census.ingest_epoch(epoch_dir)
        before = census.store.fingerprint()
        counts = census.count(by="country", year=2024).frame.to_dict()
        report = census.ingest_epoch(epoch_dir)
        assert all(r.already_stored for r in report.results)
        assert census.store.fingerprint() == before
        assert census.count(by="country", year=2024).frame.to_dict() == counts


def test_zip_export_is_the_same_export_as_the_folder(tmp_path: Path, epoch_dir: Path, census: mc.Census) -> None:
    archive = tmp_path / "ai_models.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in (
            "all_ai_models.csv",
            "notable_ai_models.csv",
            "large_scale_ai_models.csv",
            "frontier_ai_models.csv",
        ):
            zf.write(epoch_dir / name, name)
    path = tmp_path / "z.duckdb"
    with mc.open(path) as zipped:
        report = zipped.ingest_epoch(archive)
        assert report.results[0].export_id == census.sources()["export_id"].iloc[0]
        assert _by_group(zipped.count(by="country", year=2024).frame) == _by_group(
            census.count(by="country", year=2024).frame
        )


def test_resolved_agrees_with_as_published_for_97_percent(census: mc.Census) -> None:
    models = census.models().frame
    with_country = models[models["countries_published"].map(len) > 0]
    agree = with_country.apply(lambda r: set(r["countries_published"]) == set(r["countries_resolved"]), axis=1)
    share = agree.mean()
    assert share >= 0.97, f"resolved agrees with as-published for only {share:.2%}"
    disagreements = census.disagreements()
    assert len(disagreements) == int((~agree).sum())
    assert disagreements["explanation"].str.len().min() > 10


def test_every_organization_named_twice_resolves(census: mc.Census, epoch_dir: Path) -> None:
    import collections
    import csv

    seen: collections.Counter[str] = collections.Counter()
    with (epoch_dir / "all_ai_models.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            for org in set(split_organizations(row["Organization"])):
                seen[org] += 1
    frequent = [name for name, n in seen.items() if n >= 2]
    unresolved = [r.name for r in census.resolve(frequent) if not r.resolved]
    assert len(frequent) > 400
    assert unresolved == []


def test_registry_agrees_with_epoch_hugging_face_ids(census: mc.Census, epoch_dir: Path) -> None:
    """Where Epoch names a single organization and its Hub id, the registry maps that handle to it."""
    import csv

    checked = mismatched = 0
    with (epoch_dir / "all_ai_models.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            orgs = split_organizations(row["Organization"])
            handle_id = (row["Hugging Face developer id"] or "").strip()
            if len(orgs) != 1 or not handle_id:
                continue
            by_handle = census.registry.resolve_hub(handle_id)
            by_name = census.registry.resolve(orgs[0]).org
            if by_handle is None or by_name is None:
                continue
            checked += 1
            if by_handle.id != by_name.id and by_handle.parent != by_name.id and by_name.parent != by_handle.id:
                mismatched += 1
    assert checked > 100
    assert mismatched / checked < 0.05


def test_statistics_and_hardware(census: mc.Census) -> None:
    stats = census.statistics(by="country", year=2024).frame.set_index("group")
    us = stats.loc["US"]
    assert us["models"] == ALL_2024_US_MODELS
    assert ALL_2024_US_RANGE[0] <= us["models"] <= ALL_2024_US_RANGE[1]
    assert us["median_training_compute_flop"] > 0
    assert us["total_training_compute_flop"] >= us["median_training_compute_flop"]
    hw = census.hardware(by="country", year=2024).frame
    cn = hw[hw["group"] == "CN"].set_index("vendor")["models"]
    assert cn["NVIDIA"] > cn.get("Huawei", 0) > 0
