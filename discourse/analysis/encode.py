"""The ``embeddings`` stage: every distinct text the later stages will ask vectors for, encoded
once up front through the run's one encoder (and its on-disk cache).

Only what a stage reads is encoded: each stage that reads vectors names its texts
(``texts_to_encode``), and the stages agree on one form of a text (:func:`encoder_text`: handles,
links and hash marks stripped), so a post is encoded once, not once raw and once cleaned."""
from __future__ import annotations

from .reply_stance import clean_text
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
        wanted: list[str] = []
        for stage in readers:
            wanted += stage.texts_to_encode(ctx)
        # ``prepare`` fills the cache without building one big matrix nobody reads; any object
        # with ``encode`` can stand in for the Embedder.
        encoder = ctx.embedder
        distinct = list(dict.fromkeys(wanted))
        if distinct:
            (getattr(encoder, "prepare", None) or encoder.encode)(distinct)


def encoder_text(text) -> str:
    """The form of a post every stage hands the encoder: without @handles, links, "RT" and hash
    marks (unchanged when it has none), so one vector serves every stage that reads the post."""
    return clean_text(text if isinstance(text, str) else "")
