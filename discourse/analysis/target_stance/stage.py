"""The target-stance stage of a run."""
from __future__ import annotations

from ..stage import RunContext, Stage
from .aggregate import aggregate_targets
from .model import TargetStance


class TargetStanceStage(Stage):
    """Stance toward named targets in comments and article paragraphs (the domain pack, the
    user's ``--targets`` and each thread's salient names), with aggregates."""

    name = "targets"
    requires = ("units",)
    provides = ("targets", "targets_by_author", "targets_by_thread", "targets_by_outlet")
    needs_embeddings = True

    def texts_to_encode(self, ctx: RunContext) -> list[str]:
        return ctx.units["text"].fillna("").astype(str).tolist() if ctx.units is not None else []

    def run(self, ctx: RunContext) -> None:
        # The learned head reads the unit vectors the run encoded up front (no second pass).
        model = TargetStance(domain=ctx.domain, targets=ctx.targets, embedder=ctx.encoder(),
                             use_head=ctx.use_embeddings)
        layer = ctx.tokens
        languages = [d.lang for d in layer.docs] if layer is not None and len(layer.docs) == len(ctx.units) else None
        targets = model.transform(ctx.units, ctx.articles, languages=languages)
        ctx.tables["targets"] = targets
        on_comments = targets[targets["comment_id"] != ""] if not targets.empty else targets
        for by, table in (("author", "targets_by_author"), ("thread_id", "targets_by_thread"),
                          ("outlet", "targets_by_outlet")):
            try:
                ctx.tables[table] = aggregate_targets(on_comments if by == "author" else targets, ctx.comments, by=by)
            except KeyError:  # no such column (e.g. no outlets known)
                continue
