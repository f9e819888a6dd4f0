"""Narratives: which catalogued storylines a sentence carries, with the evidence for each.

A narrative catalogue is a data file (``discourse/data/narratives/<domain>.json``): narratives,
their sub-narratives, and for each a description, example phrasings and cue terms. The packaged
``russia_ukraine`` domain reproduces the Ukraine-Russia war taxonomy of SemEval-2025 Task 10.
Another domain (climate, elections) is another file of the same shape, passed by ``path=``.

Two kinds of evidence are combined, because each fails alone: sentence-embedding similarity to the
examples finds paraphrases no cue list anticipates but also fires on neutral sentences about the
same topic; cue terms are precise when they are loaded compounds ("Kiev regime", "collective West")
and nearly worthless when they are ordinary words ("Kiev" was the standard English spelling until
2019), so cues carry a strength. Matching is per sentence, so the evidence is a quotable sentence
and one loaded sentence in a long neutral comment is not diluted.
The package: :mod:`.catalogue` (reading and checking catalogues, cue terms over words),
:mod:`.matcher` (:class:`NarrativeMatcher`, the narratives table); the summary and the stage below.
"""
from __future__ import annotations

from ..stage import RunContext, Stage
from .catalogue import available_domains, iter_subnarratives, load_catalogue
from .matcher import _MAX_EMBED_CHARS, DEFAULT_MATCHING, NARRATIVE_COLUMNS, NarrativeMatcher
from .summary import summarise

__all__ = ["DEFAULT_MATCHING", "NARRATIVE_COLUMNS", "NarrativeMatcher", "NarrativesStage", "available_domains",
           "iter_subnarratives", "load_catalogue", "summarise"]


class NarrativesStage(Stage):
    """Sentences that resemble the domain's narrative catalogue (examples and cue terms).
    Without a domain pack (``--domain ''``) there is no catalogue and the stage adds nothing."""

    name = "narratives"
    requires = ("units",)
    provides = ("narratives", "narratives_by_thread")
    needs_embeddings = True

    def texts_to_encode(self, ctx: RunContext) -> list[str]:
        if not ctx.domain or ctx.units is None:
            return []
        return [s[:_MAX_EMBED_CHARS] for d in ctx.tokens.docs for s in d.sentences()]

    def run(self, ctx: RunContext) -> None:
        if not ctx.domain:
            ctx.note("narratives: no domain pack chosen, so no narrative catalogue to match")
            return
        model = NarrativeMatcher(domain=ctx.domain, embedder=ctx.encoder(), use_embeddings=ctx.use_embeddings)
        if ctx.tokens is not None:
            model.split = ctx.tokens.sentence_spans
        narratives = model.transform(ctx.units)
        ctx.tables["narratives"] = narratives
        ctx.tables["narratives_by_thread"] = summarise(narratives, ctx.units, by="thread_id")
