"""Frames and persuasion techniques, sentence by sentence, in articles and comments.

Analysts compare outlets and threads by *how* they tell a story: which frame dimensions a text
leans on (Media Frames Corpus, as used in SemEval-2023 Task 3) and which persuasion techniques it
uses (the 23 of SemEval-2023 Task 3). Both catalogues are data (``discourse/data/frames.json`` and
``discourse/data/techniques.json``) so a user can extend or replace them; this module only matches
their cues, scores them and quotes the evidence.

Matching is lexical on purpose: it is fast (thousands of comments a second on one core), every
row can say which words fired, and it degrades predictably on text it was not written for. An
optional sentence-embedding similarity to each entry's example sentences adds recall for
paraphrases when an :class:`~discourse.embeddings.Embedder` is given and ``use_embeddings`` is on.

The package: :mod:`.catalogue` (words, stems, the compiled cue index and safe patterns),
:mod:`.tagger` (:class:`FrameTagger`: matching, scoring, the frames table and its summary) and the
stage below.
"""
from __future__ import annotations

from ...runtime import gc_paused
from ..stage import RunContext, Stage
from .catalogue import check_safe_pattern, normalise_phrase, stem
from .tagger import FRAME_COLUMNS, SUMMARY_VALUES, FrameTagger

__all__ = ["FRAME_COLUMNS", "SUMMARY_VALUES", "FrameTagger", "FramingStage", "check_safe_pattern", "gc_paused",
           "normalise_phrase", "stem"]


class FramingStage(Stage):
    """Persuasion techniques per sentence and frames per article and per comment (learned heads
    over cue, word and sentence-vector features; the catalogue's cues where no head applies)."""

    name = "frames"
    requires = ("units",)
    provides = ("frames", "frames_by_thread")

    needs_embeddings = True  # the frame head reads each text's sentence vectors (the narratives' ones)

    def texts_to_encode(self, ctx: RunContext) -> list[str]:
        if ctx.units is None:
            return []
        return [s[:1000] for d in ctx.tokens.docs for s in d.sentences()]

    def run(self, ctx: RunContext) -> None:
        model = FrameTagger(embedder=ctx.encoder())
        if ctx.tokens is not None:
            model.split = ctx.tokens.sentence_spans
        frames = model.transform(ctx.units)
        ctx.tables["frames"] = frames
        ctx.tables["frames_by_thread"] = model.summarise(frames, ctx.units, by="thread_id")
