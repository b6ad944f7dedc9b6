"""Typed configuration, loaded once and passed in; nothing reads the environment at import time."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DB = Path("census.duckdb")
EPOCH_ZIP_URL = "https://epoch.ai/data/ai_models.zip"
HUB_ENDPOINT = "https://huggingface.co"
CAC_NOTICES = (
    "https://www.cac.gov.cn/2024-04/02/c_1713729983803145.htm",
    "https://www.cac.gov.cn/2025-01/08/c_1738034725920930.htm",
    "https://www.cac.gov.cn/2025-09/10/c_1759222982377536.htm",
    "https://www.cac.gov.cn/2026-01/09/c_1769688009588554.htm",
    "https://www.cac.gov.cn/2026-03/17/c_1775482074695536.htm",
    "https://www.cac.gov.cn/2026-05/13/c_1780413225190669.htm",
    "https://www.cac.gov.cn/2026-07/10/c_1785427810632554.htm",
)
"""The CAC notices this version knows that publish generative-AI filing attachments (the pages the published totals
cite); each links its attachments (xlsx). The CAC publishes every new list at a new address: give others with
``modelcensus ingest cac --url``."""


@dataclass(frozen=True)
class Config:
    """Settings shared by the sources, the store and the outputs.

    Attributes:
        db_path: the DuckDB file holding the census (default ``./census.duckdb``).
        cache_dir: where live downloads are kept, so a snapshot can be re-read offline.
        epoch_url: the live Epoch AI export.
        hub_endpoint: the Hugging Face Hub (a mirror or a test server can stand in).
        hub_top_n: how many of the most-downloaded repos a live ``build`` harvests (besides every
            repo of the registry's organizations).
        hub_profile_lookups: after a live Hub harvest, how many handles the census still cannot place (the most
            downloaded first) it asks the Hub's profile of (organization full name, or a user's account); 0: none.
        http_timeout_s: per-request timeout for live downloads.
        http_retries: how many times a transient failure is retried (with backoff).
        http_backoff_s: the first retry's wait; it doubles each time, unless the server says
            ``Retry-After``.
        duckdb_memory_limit: DuckDB's memory limit for the store (it spills to disk beyond it), so that
            ingesting millions of Hub repos stays within a small machine; None for DuckDB's default.
        definition_paths: user definition files or folders, besides the presets.
        fuzzy_threshold: the rapidfuzz score (0-100) above which an organization name matches an alias.
        registry_paths: organization files of your own (the registry's columns), read besides the packaged ones.
        cac_urls: the CAC notice pages (or attachment files) a live ``ingest cac`` downloads.
    """

    db_path: Path = DEFAULT_DB
    cache_dir: Path = field(default_factory=lambda: Path.home() / ".cache" / "modelcensus")
    epoch_url: str = EPOCH_ZIP_URL
    hub_endpoint: str = HUB_ENDPOINT
    hub_top_n: int = 10_000
    hub_profile_lookups: int = 500
    duckdb_memory_limit: str | None = "1500MB"
    definition_paths: tuple[Path, ...] = ()
    http_timeout_s: float = 60.0
    http_retries: int = 4
    http_backoff_s: float = 1.0
    fuzzy_threshold: float = 93.0
    registry_paths: tuple[Path, ...] = ()
    cac_urls: tuple[str, ...] = CAC_NOTICES

    @classmethod
    def from_env(cls, **overrides: object) -> Config:
        """Build the configuration from ``MODELCENSUS_*`` variables, then explicit overrides."""
        values: dict[str, object] = {}
        if "MODELCENSUS_DB" in os.environ:
            values["db_path"] = Path(os.environ["MODELCENSUS_DB"])
        if "MODELCENSUS_CACHE" in os.environ:
            values["cache_dir"] = Path(os.environ["MODELCENSUS_CACHE"])
        if "HF_ENDPOINT" in os.environ:
            values["hub_endpoint"] = os.environ["HF_ENDPOINT"]
        if "MODELCENSUS_EPOCH_URL" in os.environ:
            values["epoch_url"] = os.environ["MODELCENSUS_EPOCH_URL"]
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]
