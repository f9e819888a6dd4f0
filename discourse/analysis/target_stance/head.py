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
#: A pair the rules found nothing in becomes a row only if the text is at least this close in meaning
#: to the target's name: 95-98% of the training pairs with a stance are (VAST, SemEval-2016, RUW),
#: half of the pairs of a text with an unrelated target are not ("Legalization of Abortion" on war
#: comments).
MIN_COSINE = 0.10
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


def adjusted_scores(head, X: np.ndarray) -> np.ndarray:
    """The head's class scores, with the domain pack's own offsets (``meta["pack_offsets"]``,
    tuned on pack-target rows) added where the target is a pack target."""
    s = np.array(head.scores(X), dtype=np.float64)
    extra = head.meta.get("pack_offsets")
    if extra:
        pack = np.asarray(X)[:, FEATURE_NAMES.index("pack_target")] > 0.5
        s[pack] += np.array([extra.get(c, 0.0) for c in head.classes])
    return s


class TargetHead:
    """The packaged head, or ``path``; ``None`` from :meth:`load` when no weights ship."""

    def __init__(self, head):
        self.head = head
        self.classes = list(head.classes)

    @classmethod
    def load(cls, path=None):
        from ...heads import LinearHead
        from ...resources import data_path

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
        s = adjusted_scores(self.head, X)
        s = np.exp(s - s.max(axis=1, keepdims=True))
        p = s / s.sum(axis=1, keepdims=True)
        return [self.classes[k] for k in p.argmax(axis=1)], p

    def reasons(self, X: np.ndarray, labels: list[str]) -> list[str]:
        """Per row, the named features (cosine and cues) that pushed it most toward its label, in
        words (what :meth:`LinearHead.explain` gives, over the named columns of a block at once)."""
        h, cols = self.head, _NAMED
        Z = np.asarray(X, dtype=np.float32)[:, cols]
        if h.mean is not None:
            Z = (Z - h.mean[cols]) / h.scale[cols]
        k = np.array([self.classes.index(label) for label in labels], dtype=np.intp)
        contrib = Z * h.coef[:, cols][k]
        top = np.argsort(-contrib, axis=1)[:, :2]
        out = []
        for r, js in enumerate(top.tolist()):
            words = [_CUE_WORDING[FEATURE_NAMES[cols[j]]] for j in js
                     if contrib[r, j] > 0 and FEATURE_NAMES[cols[j]] in _CUE_WORDING
                     and FEATURE_NAMES[cols[j]] != "pack_target"]
            out.append(", ".join(words))
        return out


_COSINE = FEATURE_NAMES.index("cosine")
_NAMED = np.array([i for i, n in enumerate(FEATURE_NAMES) if not n.startswith("emb_")])


def apply_head(model, out, keys, texts, tids, cids, by_thread, thread_targets, skip=frozenset()) -> list:
    """The head's reading of every (text, target) pair: the pack's and the user's targets toward
    every text, salient names where the rules found them. A rule row takes the head's stance and
    keeps its cue evidence after the head's; a pair without a rule row becomes a row only where
    the head finds a stance (and the text is about the target at all: ``MIN_COSINE``). ``out``: the
    rule rows; ``keys``: (target key, text index) per row;
    ``skip``: text indices the head does not read (not English)."""
    at = {(i, k): n for n, (k, i) in enumerate(keys)}
    pairs = []  # (text index, target key, row number or -1)
    for tid, idxs in by_thread.items():
        explicit = [k for k, t in thread_targets[tid].items() if t.source in ("pack", "user")]
        pairs += [(i, k, at.get((i, k), -1)) for i in idxs for k in explicit]
    pairs += [(i, k, n) for (i, k), n in at.items() if thread_targets[tids[i]][k].source == "salient"]
    pairs = [p for p in pairs if p[0] not in skip]
    if not pairs:
        return out
    target_of = lambda i, k: thread_targets[tids[i]][k]
    unique_texts = list(dict.fromkeys(texts[i] for i, _, _ in pairs))
    text_row = {t: n for n, t in enumerate(unique_texts)}
    text_vecs = model.embedder.encode(unique_texts)
    labels = list(dict.fromkeys(target_of(i, k).label for i, k, _ in pairs))
    label_row = {t: n for n, t in enumerate(labels)}
    target_vecs = model.embedder.encode(labels)
    head = model.head
    col = {c: j for j, c in enumerate(head.classes)}
    added = []
    for s in range(0, len(pairs), 4096):
        block = pairs[s: s + 4096]
        cues = [cue_row(out[n][4], out[n][6], out[n][5], out[n][7] == "pack") if n >= 0
                else cue_row(0.0, 0, "", target_of(i, k).source == "pack") for i, k, n in block]
        X = pair_features(text_vecs[[text_row[texts[i]] for i, _, _ in block]],
                          target_vecs[[label_row[target_of(i, k).label] for i, k, _ in block]], cues)
        pred, proba = head.predict(X)
        # Only pairs that become rows are described: rule rows, and stances about the target.
        keep = [r for r, (_, _, n) in enumerate(block)
                if n >= 0 or (pred[r] != NONE and X[r, _COSINE] >= MIN_COSINE)]
        whys = head.reasons(X[keep], [pred[r] for r in keep]) if keep else []
        scores = np.round(proba[:, col[FAVOR]] - proba[:, col[AGAINST]], 3).tolist()
        for r, why in zip(keep, whys):
            i, k, n = block[r]
            stance = pred[r]
            why = why if stance != NONE else ""
            note = f"model {stance} {proba[r, col[stance]]:.2f}" + (f" ({why})" if why else "")
            if n >= 0:
                tid, cid, label, _, _, ev, m, source = out[n]
                out[n] = (tid, cid, label, stance, scores[r], f"{note}; {ev}" if ev else note, m, source)
            else:
                t = target_of(i, k)
                added.append((i, (tids[i], cids[i], t.label, stance, scores[r], note, 0, t.source)))
    if not added:
        return out
    # Each text's rows together, in thread and text order: the rule rows first, then the head's own.
    rank = {tid: r for r, tid in enumerate(by_thread)}
    order = [((rank[tids[i]], i, n), row) for n, ((_, i), row) in enumerate(zip(keys, out))]
    order += [((rank[tids[i]], i, len(out) + n), row) for n, (i, row) in enumerate(added)]
    order.sort(key=lambda x: x[0])
    return [row for _, row in order]
