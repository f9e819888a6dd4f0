"""Incivility per comment: a 0-1 score with readable reasons quoting the evidence.

Most incivility in news comments carries no swear word: it is name-calling, condescension aimed
at the person answered, sneering labels for a group, wishes of harm. So the score combines three
kinds of evidence, each cheap enough to triage tens of thousands of comments a minute on one core:

* ``alt-profanity-check``'s linear model (it ships inside the package), one batch call;
* profanity from ``better-profanity``'s word list, with its look-alike matcher run only on tokens
  that look obfuscated (``sh1t``, ``f*ck``);
* a lexicon of our own (``discourse/data/lexicons/incivility.json``): insults, disparaging words,
  second-person attacks and condescension, threats and wishes of harm, identity attacks and
  dehumanising labels, plus shouting, punctuation runs and how much the comment addresses "you".

The parts, one per file: :mod:`.lexicon` (word lists and phrase indexes), :mod:`.cues` (the cue
features of one comment with the words that show them), :mod:`.scorer` (cue features to a score,
reasons and kind strengths), and this module's :class:`Incivility` (the stage's model: scores a
comments table and names whom a reply attacks).
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .cues import CUE_FEATURES
from .lexicon import Phrases
from .scorer import FEATURES, SCORE_COLUMNS, TRANSFORM_COLUMNS, CueScorer, clean_texts, reason_text, retarget

__all__ = ["CUE_FEATURES", "FEATURES", "SCORE_COLUMNS", "TRANSFORM_COLUMNS", "Incivility", "Phrases", "load"]


class Incivility:
    """Scores comments for incivility (0-1) and says why, quoting the text.

    ``path``: a lexicon replacing ``discourse/data/lexicons/incivility.json``; ``weights_path``: a
    weights file replacing ``discourse/data/incivility_weights.json``. ``use_embeddings`` adds the
    similarity to the lexicon's uncivil and civil prototype sentences (needs the sentence encoder;
    ``embedder`` defaults to the run's shared one).
    """

    def __init__(self, path: str | Path | None = None, weights_path: str | Path | None = None,
                 use_embeddings: bool = False, embedder=None):
        self.cues = CueScorer(path, weights_path)
        self.lexicon = self.cues.lex.raw
        self.weights = self.cues.weights
        self.insult_nouns = self.cues.lex.insult_nouns
        self.disparaging = self.cues.lex.disparaging
        self.use_embeddings = use_embeddings
        self._embedder = embedder
        self._prototypes = None

    def features(self, text: str):
        """Cue feature values, quoted evidence per reason kind and grave-signal flags of one text."""
        return self.cues.reader.features(text)

    def feature_frame(self, texts: Sequence[str]):
        """The model's inputs, one row per text (for fitting and inspection)."""
        texts = clean_texts(texts)
        frame = self.cues.read(texts)[0]
        if self.use_embeddings:
            frame["embedding"] = self._embedding_margin(texts)
        return frame

    def _embedding_margin(self, texts: Sequence[str]) -> np.ndarray:
        """Nearest uncivil prototype similarity minus nearest civil one."""
        if not texts:
            return np.zeros(0)
        if self._embedder is None:
            from discourse.embeddings import shared_embedder

            self._embedder = shared_embedder()
        protos = self.lexicon.get("prototypes", {})
        if self._prototypes is None:
            bad = self._embedder.encode(list(protos.get("uncivil", [])))
            good = self._embedder.encode(list(protos.get("civil", [])))
            self._prototypes = (bad, good)
        bad, good = self._prototypes
        vecs = self._embedder.encode([t[:2000] for t in texts])
        return (vecs @ bad.T).max(axis=1) - (vecs @ good.T).max(axis=1)

    def score(self, texts: Sequence[str]):
        """One row per text: ``incivility`` (0-1), ``incivility_reasons`` and the component scores.

        ``profanity``, ``insult``, ``threat`` and ``identity_attack`` are 0-1 strengths of each
        kind of evidence (``insult`` counts second-person attacks and name-calling).
        """
        import pandas as pd

        texts = clean_texts(texts)
        if not texts:
            return pd.DataFrame({c: pd.Series(dtype=object if c == "incivility_reasons" else float)
                                 for c in SCORE_COLUMNS})
        frame, evidence, flags, model_prob = self.cues.read(texts)
        if self.use_embeddings:
            frame["embedding"] = self._embedding_margin(texts)
        prob = self.cues.floored(self.cues.combine(frame), flags)
        return pd.DataFrame({
            "incivility": prob,
            "incivility_reasons": [reason_text(ev, p) for ev, p in zip(evidence, model_prob)],
            **self.cues.kind_strengths(frame, model_prob),
        })

    def transform(self, comments):
        """Scores for a comments frame; a reply's attacks are named as aimed at its parent's author.

        ``comments`` needs ``thread_id, comment_id, text``; ``parent_id`` and ``author`` (when
        present) name the target. ``incivility_target`` is the parent's author when the comment
        is a reply that addresses its reader, else empty.
        """
        import pandas as pd

        if comments is None or len(comments) == 0:
            return pd.DataFrame({c: pd.Series(dtype=float if c == "incivility" else object)
                                 for c in TRANSFORM_COLUMNS})
        scored = self.score(comments["text"].tolist())
        targets, reasons = _targets(comments, scored["incivility_reasons"].tolist())
        return pd.DataFrame({
            "thread_id": comments["thread_id"].tolist(),
            "comment_id": comments["comment_id"].tolist(),
            "incivility": scored["incivility"].tolist(),
            "incivility_reasons": reasons,
            "incivility_target": targets,
        })


def _targets(comments, reasons: list[str]) -> tuple[list[str], list[str]]:
    """The parent's author of each reply whose reasons address its reader, and the reasons naming them."""
    # Each column is read into a list once (iterating an Arrow-backed column is slow).
    tids, cids = comments["thread_id"].tolist(), comments["comment_id"].tolist()
    authors: dict[tuple, str] = {}
    if "author" in comments.columns:
        for tid, cid, a in zip(tids, cids, comments["author"].tolist()):
            if isinstance(a, str) and a:
                authors[(tid, cid)] = a
    parents = comments["parent_id"].tolist() if "parent_id" in comments.columns else [None] * len(comments)
    targets, named = [], []
    for tid, parent, reason in zip(tids, parents, reasons):
        target = authors.get((tid, parent)) if isinstance(parent, str) and parent else None
        aimed = bool(target) and any(k in reason for k in _AIMED_KINDS)
        named.append(retarget(reason, target) if aimed else reason)
        targets.append(target if aimed else "")
    return targets, named


_AIMED_KINDS = ("aimed at a commenter", "attack on a commenter", "condescension")


def load(path: str | Path | None = None, weights_path: str | Path | None = None) -> Incivility:
    """An :class:`Incivility` with the packaged (or given) lexicon and weights."""
    return Incivility(path=path, weights_path=weights_path)
