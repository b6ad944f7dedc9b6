"""A published claim -> a verdict at its vintage: the claims file and verdict rules (:mod:`.model`), the figures a
claim is read against (:mod:`.figures`), the check of a whole file (:mod:`.check`) and the verdicts a build kept,
found in SQL alone (:mod:`.kept`).

The names below are loaded on first use (PEP 562): the claims file and the verdicts a build kept are read without
the figures (Ibis, pandas), which load with the first name that needs them. The check of a claims file is
:func:`modelcensus.claims.check.check` (the module's name, which the package would shadow once it is loaded)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from modelcensus.lazy import lazy_names

if TYPE_CHECKING:
    from modelcensus.claims.check import evaluate_all, keep_verdicts, kept_by_build
    from modelcensus.claims.figures import ClaimFigures
    from modelcensus.claims.kept import read_kept_verdicts
    from modelcensus.claims.model import Claim, default_claims, format_figure, load_claims

_LAZY = {
    "evaluate_all": "modelcensus.claims.check",
    "keep_verdicts": "modelcensus.claims.check",
    "kept_by_build": "modelcensus.claims.check",
    "ClaimFigures": "modelcensus.claims.figures",
    "read_kept_verdicts": "modelcensus.claims.kept",
    "Claim": "modelcensus.claims.model",
    "default_claims": "modelcensus.claims.model",
    "format_figure": "modelcensus.claims.model",
    "load_claims": "modelcensus.claims.model",
}


__getattr__, __dir__ = lazy_names(__name__, _LAZY)

__all__ = [
    "Claim",
    "ClaimFigures",
    "default_claims",
    "evaluate_all",
    "format_figure",
    "keep_verdicts",
    "kept_by_build",
    "load_claims",
    "read_kept_verdicts",
]
