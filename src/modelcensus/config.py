"""Typed configuration, loaded once and passed in; nothing reads the environment at import time."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DB = Path("census.duckdb")
EPOCH_ZIP_URL = "https://epoch.ai/data/ai_models.zip"
HUB_ENDPOINT = "https://huggingface.co"


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
