"""Live downloads with bounded retries, backoff and ``Retry-After``; shared by the sources."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx

from modelcensus.errors import SourceUnavailableError
from modelcensus.provenance import DataDate, DateMethod

TRANSIENT_STATUS = {408, 425, 429, 500, 502, 503, 504}
USER_AGENT = "modelcensus (+https://github.com/modelcensus/modelcensus)"


def retry_after_seconds(response: httpx.Response, default: float) -> float:
    """Seconds to wait as the server asks (``Retry-After`` as seconds or an HTTP date)."""
    value = response.headers.get("Retry-After")
    if not value:
        return default
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(0.0, when.timestamp() - time.time())


def download(
    url: str,
    dest: Path,
    *,
    timeout_s: float = 60.0,
    retries: int = 4,
    backoff_s: float = 1.0,
    max_wait_s: float = 120.0,
    on_progress: Callable[[int, int | None], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Path:
    """Download ``url`` to ``dest`` atomically (a partial file never takes the final name)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".part")
    last_error = ""
    for attempt in range(retries + 1):
        wait = backoff_s * (2**attempt)
        try:
            with httpx.stream(
                "GET",
                url,
                timeout=timeout_s,
                follow_redirects=True,
                headers={"User-Agent": USER_AGENT},
            ) as response:
                if response.status_code in TRANSIENT_STATUS:
                    last_error = f"HTTP {response.status_code}"
                    wait = retry_after_seconds(response, wait)
                elif response.status_code >= 400:
                    raise SourceUnavailableError(f"{url}: HTTP {response.status_code} {response.reason_phrase}")
                else:
                    total = int(response.headers["Content-Length"]) if "Content-Length" in response.headers else None
                    done = 0
                    with partial.open("wb") as handle:
                        for chunk in response.iter_bytes():
                            handle.write(chunk)
                            done += len(chunk)
                            if on_progress:
                                on_progress(done, total)
                    if total is not None and done != total:
                        last_error = f"truncated body ({done} of {total} bytes)"
                    else:
                        partial.replace(dest)
                        _write_sidecar(dest, url, response.headers.get("Last-Modified"))
                        return dest
        except (httpx.TransportError, httpx.DecodingError) as exc:
            last_error = f"{type(exc).__name__}: {exc}"
        if attempt < retries:
            sleep(min(wait, max_wait_s))
    partial.unlink(missing_ok=True)
    raise SourceUnavailableError(f"{url}: gave up after {retries + 1} attempts ({last_error})")


def _sidecar(dest: Path) -> Path:
    return dest.with_name(dest.name + ".meta.json")


def _write_sidecar(dest: Path, url: str, last_modified: str | None) -> None:
    """Keep what the server said of the file beside it, so a cached copy re-read offline keeps its date."""
    meta = {"url": url, "last_modified": last_modified, "retrieved_at": datetime.now(tz=UTC).isoformat()}
    _sidecar(dest).write_text(json.dumps(meta), encoding="utf-8")


def fetched_from(dest: Path) -> str | None:
    """The URL a download came from (kept beside it), or None for a file that was not downloaded."""
    try:
        url = json.loads(_sidecar(dest).read_text(encoding="utf-8")).get("url")
    except (OSError, ValueError, AttributeError):
        return None
    return url if isinstance(url, str) else None


def live_date(dest: Path, retrieved_at: datetime) -> DataDate:
    """A live download's data date: the server's ``Last-Modified`` (when the upstream last changed the file),
    else the day it was retrieved (the upstream's current data on that day)."""
    try:
        meta = json.loads(_sidecar(dest).read_text(encoding="utf-8"))
        header = meta.get("last_modified")
        when = parsedate_to_datetime(header) if header else None
    except (OSError, ValueError, TypeError):
        when = None
    if when is not None:
        return DataDate(when.astimezone(UTC).date(), DateMethod.HTTP, f"Last-Modified: {header}")
    day = retrieved_at.astimezone(UTC).date()
    return DataDate(day, DateMethod.RETRIEVED, f"fetched live on {day.isoformat()}: the upstream's data of that day")
