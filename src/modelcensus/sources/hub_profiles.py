"""Hub account profiles: what the Hugging Face Hub says an author handle is (an organization and its full name, or
a user's account).

When a live harvest leaves handles the registry cannot place, the Hub's own overview of each one is asked for
through ``huggingface_hub`` (:meth:`HfApi.get_organization_overview`, then :meth:`HfApi.get_user_overview` when
there is no such organization). The full name of an organization is then resolved like any organization name
(:mod:`modelcensus.orgs.handles`); a user's account is an individual, who gets no country. Tests never touch the
network: they point ``endpoint`` at a local Hub-like server.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

PROFILE_KINDS = ("organization", "user", "missing")
"""``organization``: the Hub has an organization of that name; ``user``: a user's account; ``missing``: neither."""


@dataclass(frozen=True)
class HubProfile:
    """What the Hub's overview says of one author handle."""

    handle: str
    kind: str
    fullname: str | None
    endpoint: str
    fetched_at: datetime


@dataclass(frozen=True)
class ProfileLookup:
    """The profiles fetched, and the handles whose lookup failed (kept unresolved: asked again next harvest)."""

    profiles: list[HubProfile]
    failed: list[tuple[str, str]]


def _status(exc: Exception) -> int | None:
    response = getattr(exc, "response", None)
    code = getattr(response, "status_code", None)
    return int(code) if isinstance(code, int) else None


def fetch_profiles(
    endpoint: str,
    handles: Iterable[str],
    *,
    token: str | bool | None = None,
    retries: int = 2,
    backoff_s: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
    on_profile: Callable[[int], None] | None = None,
) -> ProfileLookup:
    """The Hub's overview of each handle. A 404 for the organization means "not an organization": the user overview
    is asked next; a 404 for both means the account is gone (``missing``). Other failures (5xx, 429, a reset) are
    retried ``retries`` times with backoff, then the handle is reported in ``failed``, never guessed."""
    import httpx2
    from huggingface_hub import HfApi
    from huggingface_hub.errors import HfHubHTTPError

    api = HfApi(endpoint=endpoint.rstrip("/"), token=token, library_name="modelcensus")
    profiles: list[HubProfile] = []
    failed: list[tuple[str, str]] = []
    for handle in handles:
        last = ""
        for attempt in range(retries + 1):
            try:
                profiles.append(_one(api, handle, endpoint))
                break
            except (HfHubHTTPError, httpx2.HTTPError, OSError, ValueError) as exc:
                last = f"HTTP {_status(exc)}" if _status(exc) else f"{type(exc).__name__}: {exc}"
                if attempt < retries:
                    sleep(backoff_s * 2**attempt)
        else:
            failed.append((handle, last))
        if on_profile:
            on_profile(1)
    return ProfileLookup(profiles, failed)


def _one(api: Any, handle: str, endpoint: str) -> HubProfile:
    from huggingface_hub.errors import HfHubHTTPError

    now = datetime.now(tz=UTC)
    try:
        org = api.get_organization_overview(handle)
        return HubProfile(handle, "organization", (org.fullname or "").strip() or None, endpoint, now)
    except HfHubHTTPError as exc:
        if _status(exc) != 404:
            raise
    try:
        user = api.get_user_overview(handle)
        return HubProfile(handle, "user", (user.fullname or "").strip() or None, endpoint, now)
    except HfHubHTTPError as exc:
        if _status(exc) != 404:
            raise
    return HubProfile(handle, "missing", None, endpoint, now)
