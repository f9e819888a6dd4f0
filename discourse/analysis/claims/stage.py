"""The claims stage of the analysis pipeline (see ``analysis/stage.py``)."""
from __future__ import annotations

from ..stage import RunContext, Stage
from .compare import compare_claims
from .extractor import ClaimExtractor


class ClaimsStage(Stage):
    """Check-worthy figures with who asserts them, and where figures about the same thing disagree."""

    name = "claims"
    requires = ("units",)
    provides = ("claims", "claim_comparison")

    def run(self, ctx: RunContext) -> None:
        model = ClaimExtractor()
        if ctx.tokens is not None:
            model.split = ctx.tokens.sentence_spans
        claims = model.transform(ctx.units)
        ctx.tables["claims"] = claims
        ctx.tables["claim_comparison"] = compare_claims(claims)
