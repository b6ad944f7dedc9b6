"""Live downloads with bounded retries, backoff and ``Retry-After``; shared by the sources."""

from __future__ import annotations

import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx

from modelcensus.errors import SourceUnavailableError

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
                        return dest
        except (httpx.TransportError, httpx.DecodingError) as exc:
            last_error = f"{type(exc).__name__}: {exc}"
        if attempt < retries:
            sleep(min(wait, max_wait_s))
    partial.unlink(missing_ok=True)
    raise SourceUnavailableError(f"{url}: gave up after {retries + 1} attempts ({last_error})")
