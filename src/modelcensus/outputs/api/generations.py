"""Store generations: the API keeps one read-only census per published store file and picks up a swapped file,
retiring the older census once its last request is done; each generation keeps its own caches."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import modelcensus as mc
from modelcensus.census import Census
from modelcensus.config import Config
from modelcensus.errors import StoreError

CACHE_ENTRIES = 512
FRAME_CACHE_ENTRIES = 32
T = TypeVar("T")

RequestKey = tuple[str, tuple[tuple[str, str], ...]]


@dataclass(eq=False)
class Generation:
    """One published store file, opened read-only, with its caches."""

    key: tuple[int, int]
    census: Census
    lock: threading.Lock = field(default_factory=threading.Lock)
    users: int = 0
    retired: bool = False
    cache: OrderedDict[tuple[Any, ...], bytes] = field(default_factory=OrderedDict)
    frames: OrderedDict[tuple[Any, ...], Any] = field(default_factory=OrderedDict)
    # whole answers by (path, normalised query string), for CachedAnswers; touched on the event loop only
    answers: OrderedDict[RequestKey, bytes] = field(default_factory=OrderedDict)

    def cached(self, key: tuple[Any, ...]) -> bytes | None:
        hit = self.cache.get(key)
        if hit is not None:
            self.cache.move_to_end(key)
        return hit

    def keep(self, key: tuple[Any, ...], body: bytes) -> None:
        self.cache[key] = body
        while len(self.cache) > CACHE_ENTRIES:
            self.cache.popitem(last=False)

    def answered(self, key: RequestKey) -> bytes | None:
        hit = self.answers.get(key)
        if hit is not None:
            self.answers.move_to_end(key)
        return hit

    def remember(self, key: RequestKey, body: bytes) -> None:
        self.answers[key] = body
        while len(self.answers) > CACHE_ENTRIES:
            self.answers.popitem(last=False)

    def memo(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """A per-generation value (a frame, the linkage, the claims), computed once; call holding ``lock``."""
        if key in self.frames:
            self.frames.move_to_end(key)
            value: T = self.frames[key]
            return value
        value = compute()
        self.frames[key] = value
        while len(self.frames) > FRAME_CACHE_ENTRIES:
            self.frames.popitem(last=False)
        return value


class Generations:
    """The read-only Census of the store file's current generation; older ones retire when idle."""

    def __init__(self, path: Path, config: Config) -> None:
        self.path = path
        self.config = config
        self._lock = threading.Lock()
        self._current: Generation | None = None

    def _file_key(self) -> tuple[int, int]:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            raise StoreError(f"{self.path}: no census here yet; run `modelcensus build` first") from None
        return (st.st_ino, st.st_mtime_ns)

    def peek(self) -> Generation | None:
        """The open generation if it is still the file's (one ``stat``), else None; opens nothing."""
        try:
            key = self._file_key()
        except StoreError:
            return None
        current = self._current
        return current if current is not None and current.key == key else None

    def acquire(self) -> Generation:
        """The current generation, opened if the file changed; the caller must :meth:`release` it."""
        key = self._file_key()
        with self._lock:
            current = self._current
            if current is None or current.key != key:
                census = mc.open(self.path, read_only=True, config=self.config)
                fresh = Generation(key, census)
                if current is not None:
                    current.retired = True
                    if current.users == 0:
                        current.census.close()
                self._current = current = fresh
            current.users += 1
            return current

    def release(self, generation: Generation) -> None:
        with self._lock:
            generation.users -= 1
            if generation.retired and generation.users == 0:
                generation.census.close()

    @contextmanager
    def use(self) -> Iterator[Generation]:
        generation = self.acquire()
        try:
            yield generation
        finally:
            self.release(generation)

    def close(self) -> None:
        with self._lock:
            if self._current is not None:
                self._current.retired = True
                if self._current.users == 0:
                    self._current.census.close()
                self._current = None


# -- errors ---------------------------------------------------------------------------------------------
