"""The copy-on-write store: a writer works on a private copy of the store file under an ``fcntl`` lock; on close
the copy is checkpointed, fsynced and ``os.replace``d onto the store file, so a reader (or a crash) only ever sees
the store as it was before or after a whole write.
"""

from __future__ import annotations

import fcntl
import glob
import os
import shutil
from pathlib import Path

import duckdb

from modelcensus.errors import StoreError

WRITING_MARK = ".writing-"
_LOCKED_HERE: set[Path] = set()  # paths this process holds the writer lock of (flock is per open file)


def writer_lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class WorkingCopy:
    """A writer's private copy of the store, its lock, and the atomic publish at the end."""

    def __init__(self, path: Path, work_path: Path, lock_fd: int) -> None:
        self.path = path
        self.work_path = work_path
        self.lock_fd = lock_fd
        self.con: duckdb.DuckDBPyConnection | None = None
        self.done = False

    @classmethod
    def start(cls, path: Path) -> WorkingCopy:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = path.resolve()
        if key in _LOCKED_HERE:
            raise StoreError(f"{path}: this process already has the census open for writing; close it first")
        lock_path = writer_lock_path(path)
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise StoreError(
                f"{path}: another process (pid {holder}) is writing this census; wait for it to finish "
                f"(lock file {lock_path})"
            ) from None
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode(), 0)
            # Holding the lock, every other working copy belongs to a writer that died: remove it.
            for stale in path.parent.glob(glob.escape(path.name) + WRITING_MARK + "*"):
                stale.unlink(missing_ok=True)
            work_path = path.with_name(f"{path.name}{WRITING_MARK}{os.getpid()}")
            if path.exists():
                shutil.copyfile(path, work_path)
                wal = path.with_name(path.name + ".wal")
                if wal.exists():
                    shutil.copyfile(wal, work_path.with_name(work_path.name + ".wal"))
        except OSError as exc:
            os.close(fd)
            raise StoreError(f"{path}: cannot make the working copy beside it ({exc})") from exc
        except BaseException:
            os.close(fd)
            raise
        _LOCKED_HERE.add(key)
        return cls(path, work_path, fd)

    def publish(self) -> None:
        """CHECKPOINT, close, fsync, ``os.replace`` onto the path, fsync the folder, release the lock."""
        if self.done:
            return
        self.done = True
        try:
            if self.con is not None:
                self.con.execute("CHECKPOINT")
                self.con.close()
            _fsync(self.work_path)
            os.replace(self.work_path, self.path)
            _fsync(self.path.parent)
        finally:
            self._release()

    def discard(self) -> None:
        if self.done:
            return
        self.done = True
        try:
            if self.con is not None:
                self.con.close()
            for leftover in (self.work_path, self.work_path.with_name(self.work_path.name + ".wal")):
                leftover.unlink(missing_ok=True)
        finally:
            self._release()

    def _release(self) -> None:
        _LOCKED_HERE.discard(self.path.resolve())
        fcntl.flock(self.lock_fd, fcntl.LOCK_UN)
        os.close(self.lock_fd)
