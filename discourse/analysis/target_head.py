"""The learned target-stance head: favor / against / none toward any named target.

A linear model (``discourse/data/models/target_stance.npz``, card beside it) over the sentence
vector of the text ``c``, the vector of the target's name ``t``, their interactions ``c * t`` and
``|c - t|``, their cosine, and the cue features the rule scorer of :mod:`.target_stance` finds
toward that target (mention, signed cue score, negation and sarcasm flags, whether the target is
one of the domain pack's). It was trained across targets (VAST, SemEval-2016 Task 6, RUW), so a
target it never saw still gets a reading from its name alone; the domain pack adds aliases and
cues, it is not the only way in. ``training/target_stance.py`` retrains it.

The comment vectors are the ones the run already has (the embedding pre-pass encodes every unit
text); only the target names are encoded here, a handful of strings.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

FAVOR, AGAINST, NONE = "favor", "against", "none"
CLASSES = (AGAINST, FAVOR, NONE)
DIM = 384
#: the cue features, in the order :func:`cue_row` writes them
CUE_FEATURES = ("mentioned", "mentions", "rule_score", "rule_favor", "rule_against", "cue_count",
                "negated", "sarcasm", "scare_quotes", "pack_target")
FEATURE_NAMES = ([f"emb_text_{i}" for i in range(DIM)] + [f"emb_target_{i}" for i in range(DIM)]
                 + [f"emb_prod_{i}" for i in range(DIM)] + [f"emb_diff_{i}" for i in range(DIM)]
                 + ["cosine"] + list(CUE_FEATURES))
_CUE_WORDING = {"mentioned": "names the target", "rule_favor": "cues for it", "rule_against": "cues against it",
                "negated": "negation near a cue", "sarcasm": "sarcasm marker", "scare_quotes": "scare quotes",
                "cosine": "close in meaning to the target", "pack_target": "domain-pack target"}


def cue_row(score: float, mentions: int, evidence: str, pack: bool) -> list[float]:
    """The cue features of one (text, target) pair from the rule scorer's row: its signed score
    in [-1, 1], mention count and evidence (``"'span' (kind, notes +0.50); ..."``)."""
    notes = evidence or ""
    score = float(score)
    items = notes.count("; ") + 1 if notes else 0
    return [1.0 if mentions else 0.0, float(np.log1p(mentions)), score, max(score, 0.0), max(-score, 0.0),
            float(np.log1p(items)), 1.0 if "negated" in notes else 0.0,
            1.0 if "sarcasm" in notes else 0.0, 1.0 if ("scare quotes" in notes or "so-called" in notes) else 0.0,
            1.0 if pack else 0.0]


def pair_features(text_vecs: np.ndarray, target_vecs: np.ndarray, cues: np.ndarray) -> np.ndarray:
    """The head's input: ``[c, t, c*t, |c-t|, cos, cues]`` per row (vectors of unit length)."""
    c = np.asarray(text_vecs, dtype=np.float32)
    t = np.asarray(target_vecs, dtype=np.float32)
    cos = np.einsum("ij,ij->i", c, t)[:, None]
    return np.hstack([c, t, c * t, np.abs(c - t), cos, np.asarray(cues, dtype=np.float32).reshape(len(c), -1)])


class TargetHead:
    """The packaged head, or ``path``; ``None`` from :meth:`load` when no weights ship."""

    def __init__(self, head):
        self.head = head
        self.classes = list(head.classes)

    @classmethod
    def load(cls, path=None):
        from ..heads import LinearHead
        from ..resources import data_path

        file = path or data_path("models", "target_stance.npz")
        if not Path(file).is_file():
            return None
        try:
            head = LinearHead.load("target_stance", path=file)
        except (OSError, KeyError, ValueError):
            return None
        if head.feature_names != FEATURE_NAMES:
            return None  # weights of another feature layout: retrain
        return cls(head)

    def predict(self, X: np.ndarray) -> tuple[list[str], np.ndarray]:
        """Labels and probabilities (columns in ``classes`` order)."""
        p = self.head.predict_proba(X)
        return [self.classes[k] for k in p.argmax(axis=1)], p

    def reasons(self, x: np.ndarray, label: str) -> str:
        """The named features that pushed one row most toward ``label``, in words."""
        out = [_CUE_WORDING.get(name, name) for name, _ in self.head.explain(x, label, top=2)
               if name in _CUE_WORDING and name != "pack_target"]
        return ", ".join(out)
