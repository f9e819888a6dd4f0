"""The learned incivility heads: a calibrated probability of toxic, its kind, and the cue that weighed most.

``incivility.npz`` reads the comment's sentence vector (the run's own, never a second encoder
pass) with the cue and span-word features; ``incivility_cues.npz`` reads the features alone
(runs without the encoder). ``incivility_kinds.npz`` (``incivility_kinds_cues.npz``) gives insult / threat / identity attack /
obscene given toxic, each calibrated on held-back rows; a kind's probability is
P(toxic) x P(kind | toxic), and a comment's kind is the one most above its usual share. Trained by
``python -m training.incivility`` (see the card ``incivility.md`` beside the weights).
"""
from __future__ import annotations

import numpy as np

from discourse.heads import LinearHead
from discourse.resources import data_path

KINDS = ("insult", "threat", "identity_attack", "obscene")
#: named feature -> the evidence kinds (of :mod:`.cues`) that show it, strongest first
FEATURE_EVIDENCE = {
    "profanity": ("profanity",), "insult": ("name-calling",), "disparaging": ("disparaging",),
    "targeted": ("insult aimed at a commenter", "attack on a commenter", "condescension"),
    "threat": ("threat", "wish of harm"), "identity_attack": ("slur", "identity attack", "dehumanising label"),
    "shouting": ("shouting",), "punctuation": ("excessive punctuation",), "mockery": ("mockery",),
    "challenge": ("challenging question",),
    "span_word_max": ("toxic word", "insult aimed at a commenter", "name-calling", "disparaging", "profanity"),
    "span_words": ("toxic word", "insult aimed at a commenter", "name-calling", "disparaging", "profanity"),
}


def available() -> bool:
    return data_path("models", "incivility_cues.npz").exists()


class Heads:
    """The packaged heads, loaded once per :class:`~discourse.analysis.incivility.Incivility`."""

    def __init__(self):
        self.full = LinearHead.load("incivility") if data_path("models", "incivility.npz").exists() else None
        self.cues = LinearHead.load("incivility_cues")
        self.kinds = LinearHead.load("incivility_kinds") if self.full is not None else None
        self.kinds_cues = LinearHead.load("incivility_kinds_cues")
        meta = (self.kinds or self.kinds_cues).meta
        #: each kind's share of the toxic training rows (1 where the head does not say)
        self.base_rates = {k: float(meta.get("base_rates", {}).get(k, 1.0)) for k in KINDS}

    def predict(self, features, vectors: np.ndarray | None) -> tuple[np.ndarray, dict, list[str]]:
        """P(toxic) per row, P(kind) per kind, and per row the named feature that pushed most
        toward toxic ("" when none did). ``features``: a frame with every named feature column."""
        use_full = vectors is not None and self.full is not None and len(vectors) == len(features)
        head = self.full if use_full else self.cues
        named = features[[n for n in head.feature_names if not n.startswith("emb_")]].to_numpy(dtype=np.float32)
        X = np.hstack([np.asarray(vectors, dtype=np.float32), named]) if use_full else named
        p = head.predict_proba(X)[:, 1]
        kinds_head = self.kinds if use_full else self.kinds_cues
        given = 1.0 / (1.0 + np.exp(-kinds_head.scores(X)))
        kinds = {k: p * given[:, i] for i, k in enumerate(kinds_head.classes)}
        return p, kinds, self._top_features(head, X)

    @staticmethod
    def _top_features(head: LinearHead, X: np.ndarray) -> list[str]:
        """The named (non-embedding) feature with the largest positive contribution per row."""
        named = [i for i, n in enumerate(head.feature_names) if not n.startswith("emb_") and n in FEATURE_EVIDENCE]
        if not len(X) or not named:
            return [""] * len(X)
        contrib = head._standardised(X)[:, named] * head.coef[0, named]
        best = contrib.argmax(axis=1)
        return [head.feature_names[named[j]] if contrib[r, j] > 0 else "" for r, j in enumerate(best)]
