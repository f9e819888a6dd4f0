"""The ``embeddings`` stage: every distinct text the later stages will ask vectors for, encoded
once up front through the run's one encoder (and its on-disk cache)."""
from __future__ import annotations

from .stage import RunContext, Stage


class EmbeddingsStage(Stage):
    """Encode the texts of every later stage that reads vectors, in one batched pass."""

    name = "embeddings"
    requires = ("units",)
    provides = ("embeddings",)
    languages = ()  # the encoder reads any text; it is not a language-specific analysis

    def __init__(self, later: list[Stage] | None = None):
        self.later = later or []

    def run(self, ctx: RunContext) -> None:
        if not ctx.use_embeddings or ctx.units is None or ctx.units.empty:
            return
        readers = [s for s in self.later if s.needs_embeddings]
        if not readers:
            return
        texts = ctx.units["text"].fillna("").tolist()
        wanted = texts + list(ctx.articles.values())
        for stage in readers:
            wanted += stage.texts_to_encode(ctx)
        # ``prepare`` fills the cache without building one big matrix nobody reads; any object
        # with ``encode`` can stand in for the Embedder.
        encoder = ctx.embedder
        (getattr(encoder, "prepare", None) or encoder.encode)(list(dict.fromkeys(wanted)))
