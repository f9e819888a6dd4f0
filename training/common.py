"""What every training script shares: the data folder, cached sentence vectors, grouped splits,
fitting a logistic-regression head, and writing it with its card."""
from __future__ import annotations

import hashlib
import os
from datetime import date
from pathlib import Path

import numpy as np

from discourse.heads import LinearHead

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("DISCOURSE_SHARED", ROOT.parent / "shared")) / "data"
MODELS = ROOT / "discourse" / "data" / "models"
SCRATCH = Path(os.environ.get("DISCOURSE_SCRATCH", ROOT.parent / "scratch" / "vectors"))


def shared(*parts: str) -> Path:
    """A path under ``../shared/data``; exits with a message when the folder is not there."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        raise SystemExit(f"{path} not found: training needs ../shared/data beside the checkout")
    return path


def encode(texts: list[str], name: str, embedder=None) -> np.ndarray:
    """Sentence vectors for ``texts``, cached as ``SCRATCH/NAME-<hash>.npy`` so reruns skip the
    encoder (the hash covers every text, so a changed list is encoded again)."""
    digest = hashlib.sha1("\x00".join(texts).encode("utf-8", "surrogatepass")).hexdigest()[:12]
    file = SCRATCH / f"{name}-{digest}.npy"
    if file.exists():
        return np.load(file, allow_pickle=False)
    if embedder is None:
        from discourse.embeddings import Embedder

        embedder = Embedder(use_disk_cache=False, batch_size=128)
    vectors = embedder.encode(texts)
    SCRATCH.mkdir(parents=True, exist_ok=True)
    np.save(file, vectors)
    return vectors


def group_split(groups, test_share: float = 0.2, seed: int = 0) -> np.ndarray:
    """A boolean test mask that keeps every group (thread, source, target) on one side."""
    groups = np.asarray(groups)
    unique = np.unique(groups)
    rng = np.random.default_rng(seed)
    test = set(rng.choice(unique, size=max(1, int(round(len(unique) * test_share))), replace=False).tolist())
    return np.array([g in test for g in groups])


def fit_head(X: np.ndarray, y: list[str], feature_names: list[str], C: float = 1.0, seed: int = 0,
             class_weight="balanced", **meta) -> LinearHead:
    """A standardised multinomial (or binary) logistic regression as a :class:`LinearHead`."""
    from sklearn.linear_model import LogisticRegression

    mean = X.mean(axis=0)
    scale = X.std(axis=0) + 1e-6
    model = LogisticRegression(C=C, max_iter=2000, class_weight=class_weight, random_state=seed)
    model.fit((X - mean) / scale, y)
    return LinearHead(coef=model.coef_, intercept=model.intercept_, classes=[str(c) for c in model.classes_],
                      feature_names=list(feature_names), mean=mean, scale=scale,
                      meta=dict(meta, trained=date.today().isoformat()))


def write_head(head: LinearHead, name: str, card: str) -> Path:
    """Save ``data/models/NAME.npz`` and its card ``NAME.md``."""
    MODELS.mkdir(parents=True, exist_ok=True)
    head.save(MODELS / f"{name}.npz")
    (MODELS / f"{name}.md").write_text(card.strip() + "\n", encoding="utf-8")
    return MODELS / f"{name}.npz"
