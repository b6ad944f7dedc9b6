"""Where every stored figure came from: one :class:`SourceSnapshot` per ingested file."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class SourceSnapshot:
    """The origin record of one ingested file (after OWID's ``Origin``).

    ``snapshot_id`` is derived from the source and the content hash, so the same bytes
    ingested twice are the same snapshot.
    """

    source: str
    role: str
    location: str
    retrieved_at: datetime
    sha256: str
    bytes: int
    rows: int
    license: str
    credit: str
    member: str | None = None

    @property
    def snapshot_id(self) -> str:
        return f"{self.source}:{self.role}:{self.sha256[:16]}"


@dataclass(frozen=True)
class Export:
    """A set of snapshots of one source published together (e.g. the four files of Epoch's zip).

    ``data_date`` orders exports of a source: the newest one is current, older ones stay
    queryable with ``as_of``.
    """

    source: str
    data_date: date
    snapshots: tuple[SourceSnapshot, ...]

    @property
    def export_id(self) -> str:
        digest = hashlib.sha256()
        for sha in sorted(f"{s.role}:{s.sha256}" for s in self.snapshots):
            digest.update(sha.encode())
        return f"{self.source}:{digest.hexdigest()[:16]}"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
