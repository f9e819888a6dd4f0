"""Trained heads: linear models over the shared sentence embeddings and named cue features.

Weights ship as plain arrays in ``discourse/data/models/NAME.npz`` (loaded with
``allow_pickle=False``) with a card ``NAME.md`` beside them (training data, date, held-out
figures, licence notes). Training scripts live in ``training/`` at the top of the repository and
write these files with :meth:`LinearHead.save`; the package only reads them.

A head standardises its input (``mean``/``scale``), applies ``coef``/``intercept`` and turns the
scores into probabilities (softmax over several classes, a sigmoid for one), optionally
temperature-calibrated. ``feature_names`` names every input column, so a prediction can say which
named feature weighed most (``explain``).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .resources import data_path


@dataclass
class LinearHead:
    coef: np.ndarray            # (classes, features), or (1, features) for a binary head
    intercept: np.ndarray       # (classes,) or (1,)
    classes: list[str]
    feature_names: list[str]
    mean: np.ndarray | None = None
    scale: np.ndarray | None = None
    temperature: float = 1.0
    meta: dict = field(default_factory=dict)

    # -- reading and writing ---------------------------------------------------------------------
    @classmethod
    def load(cls, name: str, path: str | Path | None = None) -> LinearHead:
        """The packaged head ``name`` (``data/models/NAME.npz``), or the file at ``path``."""
        file = Path(path) if path else data_path("models", f"{name}.npz")
        with np.load(file, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            return cls(coef=np.asarray(z["coef"], dtype=np.float32),
                       intercept=np.asarray(z["intercept"], dtype=np.float32),
                       classes=list(meta.pop("classes")), feature_names=list(meta.pop("feature_names")),
                       mean=np.asarray(z["mean"], dtype=np.float32) if "mean" in z else None,
                       scale=np.asarray(z["scale"], dtype=np.float32) if "scale" in z else None,
                       temperature=float(meta.pop("temperature", 1.0)), meta=meta)

    def save(self, file: str | Path) -> None:
        meta = dict(self.meta, classes=list(self.classes), feature_names=list(self.feature_names),
                    temperature=self.temperature)
        arrays = {"coef": np.asarray(self.coef, dtype=np.float32),
                  "intercept": np.asarray(self.intercept, dtype=np.float32),
                  "meta": np.array(json.dumps(meta, sort_keys=True))}
        if self.mean is not None:
            arrays["mean"] = np.asarray(self.mean, dtype=np.float32)
            arrays["scale"] = np.asarray(self.scale, dtype=np.float32)
        np.savez_compressed(file, **arrays)

    # -- predicting --------------------------------------------------------------------------------
    def _standardised(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float32)
        if self.mean is not None:
            X = (X - self.mean) / self.scale
        return X

    def scores(self, X: np.ndarray) -> np.ndarray:
        """Raw linear scores, one column per row of ``coef``."""
        return self._standardised(X) @ self.coef.T + self.intercept

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities, columns in ``classes`` order (two columns for a binary head)."""
        s = self.scores(X) / self.temperature
        if s.shape[1] == 1:
            p = 1.0 / (1.0 + np.exp(-s[:, 0]))
            return np.column_stack([1.0 - p, p])
        s = s - s.max(axis=1, keepdims=True)
        e = np.exp(s)
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, X: np.ndarray) -> list[str]:
        return [self.classes[i] for i in self.predict_proba(X).argmax(axis=1)]

    def explain(self, x: np.ndarray, label: str, top: int = 3, named_only: bool = True) -> list[tuple[str, float]]:
        """The features that pushed one row ``x`` most toward ``label``: (name, contribution).
        ``named_only`` leaves out the anonymous embedding dimensions (named ``emb_*``)."""
        k = self.classes.index(label) if self.coef.shape[0] > 1 else 0
        sign = -1.0 if self.coef.shape[0] == 1 and label == self.classes[0] else 1.0
        contrib = sign * self._standardised(np.asarray(x)[None, :])[0] * self.coef[k]
        order = np.argsort(-contrib)
        out = []
        for i in order:
            name = self.feature_names[i]
            if named_only and name.startswith("emb_"):
                continue
            if contrib[i] <= 0 or len(out) >= top:
                break
            out.append((name, float(contrib[i])))
        return out
