"""A published claim -> a verdict at its vintage: the claims file and verdict rules (:mod:`.model`), the figures a
claim is read against (:mod:`.figures`) and the check of a whole file (:mod:`.check`)."""

from modelcensus.claims.check import check, evaluate_all, keep_verdicts, kept_by_build
from modelcensus.claims.figures import ClaimFigures
from modelcensus.claims.model import Claim, default_claims, format_figure, load_claims

__all__ = [
    "Claim",
    "ClaimFigures",
    "check",
    "default_claims",
    "evaluate_all",
    "format_figure",
    "keep_verdicts",
    "kept_by_build",
    "load_claims",
]
