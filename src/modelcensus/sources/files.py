"""The files a user names to read (``--from``, ``--mapping``): checked before anything is parsed or stored."""

from __future__ import annotations

from pathlib import Path

from modelcensus.errors import InputFormatError


def readable(path: Path, *, folder: bool = False) -> Path:
    """``path`` if it can be read as given: it exists, is a file (or, with ``folder``, a file or a folder), can be
    opened, and a file is not empty. Otherwise one :class:`InputFormatError` naming the path and the problem (no
    such file, a folder where a file is expected, not readable, empty), raised before the store is touched."""
    if not path.exists():
        raise InputFormatError("no such file or folder" if folder else "no such file", file=str(path))
    if path.is_dir():
        if not folder:
            raise InputFormatError("a folder, not a file", file=str(path))
        try:
            next(path.iterdir(), None)
        except OSError as exc:
            raise InputFormatError(f"cannot read the folder ({exc.strerror})", file=str(path)) from None
        return path
    try:
        with path.open("rb") as handle:
            first = handle.read(1)
    except OSError as exc:
        raise InputFormatError(f"cannot read the file ({exc.strerror})", file=str(path)) from None
    if not first:
        raise InputFormatError("an empty file", file=str(path))
    return path
