"""The garbage collector of a long-lived process: what was imported and opened at its start lives as long as it does.

Once the store, Ibis, pandas and sqlglot are loaded, the heap holds millions of objects, and every full collection of
the cyclic garbage collector scans them all again: about 0.1–0.2 s each, and a page's first answer (building and
compiling a dozen Ibis expressions) sets off one or two. :func:`freeze_long_lived` moves every object alive at that
moment to the collector's permanent generation (:func:`gc.freeze`), as pre-forking servers do after loading their
app: later collections scan only what was made since. Frozen objects are still freed when nothing refers to them;
only cyclic garbage made before the freeze is kept, so a process freezes once, after its start, and never in a loop.
"""

from __future__ import annotations

import gc

_ENTRY_POINT = False
"""Whether this process is the ``modelcensus`` command itself (its ``main``): a command run in a test's process (Typer's
runner) must not freeze the test's heap, which lives on for the next test."""


def entered_as_command() -> None:
    """Said by the command's ``main``: the process is the command's, and a command may freeze its heap."""
    global _ENTRY_POINT
    _ENTRY_POINT = True


def freeze_long_lived(*, server: bool = False) -> bool:
    """Freeze the heap of a long-lived process (see the module docstring): a server's once its app is made
    (``server``), a command's once the census is open (only when the process is the command's own). Whether it
    froze."""
    if not (server or _ENTRY_POINT):
        return False
    gc.freeze()
    return True
