"""The learned heads of framing: persuasion techniques per sentence, frames per text.

Techniques: a multi-label linear head over three kinds of named features of a sentence (its words
and word pairs, the catalogue's cue scores, a few shapes such as "!" or quotes) and, when the run
has them, the sentence's vector from the shared encoder. Each label has its own probability
threshold, tuned on training articles held back from fitting. A finding says why: the words or
cues that weighed most, located in the sentence (the span), and the head's probability.

Frames: a multi-label head over a text's vector (a long article: the mean of its sentence vectors)
that names the frames the whole text leans on, with the nearest training article's title as the
example where the head ships one, and the catalogue cues that agree.

Weights live in ``discourse/data/models/`` (``techniques*.npz``, ``frames.npz`` and their cards) and
are plain arrays; the training scripts are ``training/techniques.py`` and ``training/frames.py``.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ...heads import LinearHead
from ...resources import data_path

# Words for the lexical features: Unicode letters and digits, lower-cased (one character class,
# one quantifier: no backtracking on hostile input).
WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)?")
SHAPES = ("shape:!", "shape:?", "shape:quote", "shape:caps", "shape:short", "shape:long", "shape:number")
_QUOTES = frozenset("\"\u201c\u201d\u2018\u2019'")


def words(text: str) -> list[re.Match]:
    return list(WORD.finditer(text))


def lexical_keys(text: str, toks: list[re.Match] | None = None) -> list[tuple[str, int, int]]:
    """(feature name, start, end) of every word, word pair and shape feature of ``text``."""
    toks = words(text) if toks is None else toks
    low = [m.group().lower().replace("\u2019", "'") for m in toks]
    out = [("w:" + w, m.start(), m.end()) for w, m in zip(low, toks)]
    out += [("b:" + low[i] + " " + low[i + 1], toks[i].start(), toks[i + 1].end()) for i in range(len(toks) - 1)]
    n = len(toks)
    shapes = (("shape:!", "!" in text), ("shape:?", "?" in text), ("shape:quote", any(c in _QUOTES for c in text)),
              ("shape:caps", any(len(m.group()) > 2 and m.group().isupper() for m in toks)),
              ("shape:short", n < 8), ("shape:long", n > 35), ("shape:number", any(c.isdigit() for c in text)))
    out += [(name, -1, -1) for name, on in shapes if on]
    return out


@dataclass
class MultiLabelHead:
    """A multi-label head (techniques per sentence, frames per text) with its feature layout:
    ``head.feature_names`` are the lexical names, then ``cue:LABEL`` per catalogue entry, then
    ``emb_i`` when ``uses_vectors``; ``thresholds`` per class."""

    head: LinearHead
    thresholds: dict[str, float]

    def __post_init__(self):
        names = self.head.feature_names
        self.column = {n: i for i, n in enumerate(names)}
        self.cue_labels = [n[4:] for n in names if n.startswith("cue:")]
        self.cue_start = names.index("cue:" + self.cue_labels[0]) if self.cue_labels else len(names)
        self.emb_start = next((i for i, n in enumerate(names) if n.startswith("emb_")), len(names))
        self.uses_vectors = self.emb_start < len(names)
        self.cut = np.array([self.thresholds.get(c, 0.5) for c in self.head.classes], dtype=np.float32)
        h = self.head
        scale = h.scale if h.scale is not None else np.ones(len(names), np.float32)
        mean = h.mean if h.mean is not None else np.zeros(len(names), np.float32)
        # Standardisation folded into the weights, so the sparse lexical part costs a lookup.
        self.w = (h.coef / scale).astype(np.float32)                       # (classes, features)
        self.b = (h.intercept - self.w @ mean).astype(np.float32)
        # Without a sentence vector the head reads the training mean in its place (no evidence).
        self.b_without_vectors = self.b + self.w[:, self.emb_start:] @ mean[self.emb_start:]
        # The catalogue labels the head decides: its classes with a threshold it can reach, the
        # labels folded into them in training (e.g. Straw_Man into Red_Herring), and the labels the
        # training data hold but too rarely to learn (dropped: no row, not even from cues).
        live = {c for c, t in zip(h.classes, self.cut) if t <= 1.0}
        folded = h.meta.get("folded", {})
        self.dropped = ({c for c in h.classes if c not in live} | set(h.meta.get("unlearned", []))
                        | {f for f, into in folded.items() if into not in live})
        self.covered = live | {f for f, into in folded.items() if into in live} | self.dropped

    @classmethod
    def load(cls, name: str) -> MultiLabelHead | None:
        """The packaged head ``name``, or None when the package holds none."""
        if not data_path("models", f"{name}.npz").is_file():
            return None
        head = LinearHead.load(name)
        return cls(head, dict(head.meta.get("thresholds", {})))

    def features(self, lexical: list[tuple[str, int, int]], cues: dict[str, float]) -> list[tuple[int, float]]:
        """(column, value) of the named (non-vector) features of one sentence."""
        col = self.column
        out = {col[k]: 1.0 for k, _, _ in lexical if k in col}
        for label, score in cues.items():
            j = col.get("cue:" + label)
            if j is not None:
                out[j] = float(score)
        return list(out.items())

    def probabilities(self, named: Sequence[list[tuple[int, float]]], vectors: np.ndarray | None) -> np.ndarray:
        """Per sentence and class, the probability (sigmoid of the linear score)."""
        from scipy import sparse

        with_vectors = self.uses_vectors and vectors is not None
        s = np.tile(self.b if with_vectors or not self.uses_vectors else self.b_without_vectors, (len(named), 1))
        rows = [r for r, feats in enumerate(named) for _ in feats]
        if rows:
            cols = [c for feats in named for c, _ in feats]
            vals = [v for feats in named for _, v in feats]
            X = sparse.csr_matrix((np.asarray(vals, dtype=np.float32), (rows, cols)),
                                  shape=(len(named), self.w.shape[1]))
            s += np.asarray((X @ self.w.T), dtype=np.float32)
        if with_vectors and len(named):
            s += np.asarray(vectors, dtype=np.float32) @ self.w[:, self.emb_start:].T
        return 1.0 / (1.0 + np.exp(-s))

    def reasons(self, k: int, feats: list[tuple[int, float]], lexical, top: int = 2) -> list[tuple[str, float, int, int]]:
        """The named features that pushed class ``k`` most: (name, weight, start, end)."""
        where = {}
        for key, a, b in lexical:
            where.setdefault(key, (a, b))
        names = self.head.feature_names
        ranked = sorted(((self.w[k, j] * v, j) for j, v in feats), reverse=True)
        out = []
        for c, j in ranked:
            if c <= 0 or len(out) >= top:
                break
            a, b = where.get(names[j], (-1, -1))
            out.append((names[j], float(c), a, b))
        return out


def unit_scores(tagger, text: str) -> list[tuple[int, int, dict[tuple[str, str], tuple[float, str]]]]:
    """Per sentence of ``text``: {(kind, label): (catalogue score, evidence)} of every entry with a
    cue in it, before any threshold."""
    zero = [0.0] * len(tagger.catalogue.entries)
    return [(a, b, {(kind, lab): (sc, ev) for kind, lab, sc, ev in tagger._decide(h, None, zero)})
            for a, b, h in tagger._score_unit(text)]


def frame_features(tagger, text: str, frame_labels: Sequence[str], scored=None) -> tuple[np.ndarray, set[str]]:
    """Per frame, log(1 + the number of sentences of ``text`` whose cues reach the frame's
    catalogue threshold), and the frames that reach it in any sentence (what the catalogue alone
    reported). A count, not a share: one cue in a one-line comment is weak evidence, not 100%."""
    scored = unit_scores(tagger, text) if scored is None else scored
    counts = np.zeros(len(frame_labels), dtype=np.float32)
    for _, _, found in scored:
        for k, lab in enumerate(frame_labels):
            hit = found.get(("frame", lab))
            if hit is not None and hit[0] >= tagger.threshold(lab) - 1e-9:
                counts[k] += 1
    return np.log1p(counts), {lab for k, lab in enumerate(frame_labels) if counts[k]}
