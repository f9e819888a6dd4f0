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

from collections.abc import Sequence

import numpy as np

from ...text import sentences
from ..stage import RunContext, Stage
from .catalogue import available_domains, iter_subnarratives, load_catalogue
from .matcher import _MAX_EMBED_CHARS, DEFAULT_MATCHING, NARRATIVE_COLUMNS, NarrativeMatcher

__all__ = ["DEFAULT_MATCHING", "NARRATIVE_COLUMNS", "NarrativeMatcher", "NarrativesStage", "available_domains",
           "iter_subnarratives", "load_catalogue", "summarise"]


def summarise(narratives, units, by: str | Sequence[str] = "thread_id", level: str = "narrative"):
    """Prevalence of each narrative (``level="narrative"``) or sub-narrative per group.

    ``units_matched / units_total``: the share of a group's text units (comments and article
    paragraphs) carrying it, so a long thread does not look more propagandistic for being long.
    ``by`` may be any column of ``units`` (``thread_id``, ``outlet``, ``author``...).
    """
    import pandas as pd

    keys = [by] if isinstance(by, str) else list(by)
    if level not in ("narrative", "subnarrative"):
        raise ValueError('level must be "narrative" or "subnarrative"')
    label = ["narrative"] if level == "narrative" else ["narrative", "subnarrative"]
    columns = keys + label + ["units_matched", "units_total", "prevalence", "comments", "article_paragraphs",
                              "mean_score", "max_score", "example"]
    if narratives is None or not len(narratives):
        return pd.DataFrame(columns=columns)
    unit_key = ["thread_id", "comment_id", "paragraph"]
    u = units.copy()
    if "paragraph" not in u.columns:
        u["paragraph"] = -1
    u["comment_id"] = u["comment_id"].fillna("")
    missing = [k for k in keys if k not in u.columns]
    if missing:
        raise ValueError(f"summarise: units have no column {missing[0]!r}")
    totals = u.groupby(keys, dropna=False).size().rename("units_total")
    n = narratives.copy()
    extra = [k for k in keys if k not in n.columns]
    if extra:
        n = n.merge(u[unit_key + extra].drop_duplicates(unit_key), on=unit_key, how="left")
    # One row per unit and label: a unit with two sub-narratives of one narrative counts once.
    n = n.sort_values("score", ascending=False)
    per_unit = n.drop_duplicates(keys + unit_key + label)
    # Per group as the groups would be iterated (sorted keys), without building a frame per group:
    # rows of a group keep their order (best score first), so its first row is its top sentence.
    grouped = per_unit.groupby(keys + label, dropna=False, sort=True)
    codes = grouped.ngroup().to_numpy()
    sizes = grouped.size()
    order = np.argsort(codes, kind="stable")
    firsts = np.concatenate([[0], np.cumsum(sizes.to_numpy())[:-1]]).tolist()
    scores = per_unit["score"].to_numpy(dtype=np.float64)[order]
    top_sentences = per_unit["sentence"].to_numpy(dtype=object)[order[firsts]].tolist()
    comments = (per_unit["comment_id"] != "").groupby(codes).sum().tolist()
    paragraphs = (per_unit["comment_id"] == "").groupby(codes).sum().tolist()
    maxima = per_unit["score"].groupby(codes).max().tolist()
    rows = []
    for g, (gkey, size) in enumerate(sizes.items()):
        gkey = gkey if isinstance(gkey, tuple) else (gkey,)
        group = gkey[: len(keys)]
        total = int(totals.get(group if len(group) > 1 else group[0], 0))
        # Series.mean as before: its summation order decides the last bits the rounding may see.
        mean = pd.Series(scores[firsts[g]:firsts[g] + size]).mean()
        rows.append((*gkey, size, total, round(size / total, 4) if total else float("nan"),
                     int(comments[g]), int(paragraphs[g]), round(float(mean), 4), round(float(maxima[g]), 4),
                     str(top_sentences[g])))
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(keys + ["prevalence"], ascending=[True] * len(keys) + [False]).reset_index(drop=True)


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
        return [s[:_MAX_EMBED_CHARS] for t in ctx.units["text"].fillna("").tolist() for s in sentences(t)]

    def run(self, ctx: RunContext) -> None:
        if not ctx.domain:
            ctx.note("narratives: no domain pack chosen, so no narrative catalogue to match")
            return
        model = NarrativeMatcher(domain=ctx.domain, embedder=ctx.encoder(), use_embeddings=ctx.use_embeddings)
        narratives = model.transform(ctx.units)
        ctx.tables["narratives"] = narratives
        ctx.tables["narratives_by_thread"] = summarise(narratives, ctx.units, by="thread_id")
