"""Names a package loads on first use (PEP 562): a package whose light modules are read on their own (``check``
reading the verdicts a build kept, ``--help``) names its heavy ones without importing them until they are asked for."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_names(
    package: str, names: Mapping[str, str], modules: Mapping[str, str] | None = None
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package``: each of ``names`` is imported from its module (the value)
    when first asked for and bound in the package; each of ``modules`` is that module itself."""
    submodules = dict(modules or {})

    def __getattr__(name: str) -> Any:
        if name in names:
            value = getattr(importlib.import_module(names[name]), name)
            setattr(sys.modules[package], name, value)
            return value
        if name in submodules:  # importing binds it in the package
            return importlib.import_module(submodules[name])
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *names, *submodules})

    return __getattr__, __dir__
