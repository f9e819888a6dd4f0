"""How well incivility ranks real news comments that crowds rated toxic, and the fit of its weights.

The development set is the SFU Constructiveness and Toxicity Corpus sample at
``../shared/data/sfu-toxicity-dev/comments.csv`` (360 Globe and Mail comments, crowd toxicity 1-4).
A comment counts as toxic when rated 2 or more (about one in five). Two figures, as moderators use
a ranked queue: average precision (AP) and precision among the 20 highest-scored comments (P@20).

With 360 comments the in-sample figure of a fitted combiner flatters it, so the figure that counts
is cross-validated: 5-fold, stratified, repeated with different shuffles; each repeat scores every
comment by a model that never saw it, and AP and P@20 are taken over those out-of-fold scores (the
way a held-out set is scored). Baselines: ``alt-profanity-check`` alone, and counting words of the
lexicon's insult lists. Ties in a baseline's scores are broken at random in expectation.

    python -m evaluation.toxicity_eval [--data DIR] [--repeats 10] [--embeddings] [--write]

Two combiners are compared. ``prior``: hand-set weights on standardised features (+1 each, -1 for
length), with only an overall scale and intercept fitted, so the ranking owes nothing to the labels;
``logistic``: an L2 logistic regression. On this sample the hand-set weights rank better: the fit
is dominated by the dense features and gives the rare, precise ones (a second-person insult) too
little weight. ``--write`` saves ``discourse/data/incivility_weights.json`` fitted on all the data
(``--method`` picks which; floors for grave signals are kept from the existing file).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from discourse.analysis.incivility import Incivility
from discourse.resources import data_path, load_json

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "sfu-toxicity-dev"
TOXIC_AT = 2
#: Hand-set weights on standardised features: every piece of evidence counts the same, a rarer
#: one (further from its mean) more; longer comments dilute (they are mostly argument).
DEFAULT_PRIOR = {"length": -1.0}
DEFAULT_FLOORS = {"threat": 0.6, "slur": 0.6, "identity_attack": 0.4}
DEFAULT_FEATURES = (
    "profanity_model", "profanity", "insult", "disparaging", "targeted", "identity_attack", "shouting",
    "punctuation", "second_person", "negativity", "mockery", "challenge", "length",
)


def load_sfu(data_dir: Path):
    """Texts and binary labels (rated ``TOXIC_AT`` or more) from the SFU sample."""
    import pandas as pd

    path = data_dir / "comments.csv" if data_dir.is_dir() else data_dir
    frame = pd.read_csv(path)
    return frame["comment"].fillna("").astype(str).tolist(), (frame["toxicity"] >= TOXIC_AT).to_numpy(int)


def precision_at(scores: np.ndarray, y: np.ndarray, k: int = 20) -> float:
    """Expected precision of the top ``k`` when ties at the cut are broken at random."""
    order = np.argsort(-scores, kind="stable")
    k = min(k, len(scores))
    if k == 0:
        return float("nan")
    cut = scores[order[k - 1]]
    above = scores > cut
    tied = scores == cut
    need = k - int(above.sum())
    return float((y[above].sum() + need * y[tied].mean()) / k)


def average_precision(scores: np.ndarray, y: np.ndarray) -> float:
    from sklearn.metrics import average_precision_score

    return float(average_precision_score(y, scores))


def insult_word_count(inc: Incivility, texts: list[str]) -> np.ndarray:
    """Baseline: how many words of the lexicon's insult lists a comment uses."""
    from discourse.text import words

    lexicon = inc.insult_nouns | inc.disparaging
    return np.array([sum(w in lexicon for w in words(t)) for t in texts], dtype=float)


def _standardise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    return mean, scale


def _fit(x: np.ndarray, y: np.ndarray, c: float, prior: np.ndarray | None = None):
    """Weights on standardised features: fitted by L2 logistic regression, or, given ``prior``,
    the hand-set weights with only a scale and an intercept fitted (calibration, not ranking)."""
    from sklearn.linear_model import LogisticRegression

    mean, scale = _standardise(x)
    z = (x - mean) / scale
    if prior is None:
        model = LogisticRegression(C=c, max_iter=1000).fit(z, y)
        return mean, scale, model.coef_[0], float(model.intercept_[0])
    s = (z @ prior)[:, None]
    model = LogisticRegression(C=1e6, max_iter=1000).fit(s, y)
    return mean, scale, model.coef_[0][0] * prior, float(model.intercept_[0])


def _apply_floors(p: np.ndarray, flags: list[dict[str, bool]], floors: dict[str, float]) -> np.ndarray:
    out = p.copy()
    for i, fl in enumerate(flags):
        floor = max([floors.get(k, 0.0) for k, on in fl.items() if on] or [0.0])
        out[i] = 1.0 - (1.0 - out[i]) * (1.0 - floor)
    return out


def cross_validate(x: np.ndarray, y: np.ndarray, flags, floors, c: float, repeats: int, seed: int = 0,
                   prior: np.ndarray | None = None):
    """AP and P@20 over out-of-fold scores, one pair per repeat of 5-fold CV."""
    from sklearn.model_selection import StratifiedKFold

    aps, p20s = [], []
    for r in range(repeats):
        oof = np.zeros(len(y))
        for train, test in StratifiedKFold(5, shuffle=True, random_state=seed + r).split(x, y):
            mean, scale, coef, intercept = _fit(x[train], y[train], c, prior)
            z = ((x[test] - mean) / scale) @ coef + intercept
            oof[test] = 1.0 / (1.0 + np.exp(-z))
        oof = _apply_floors(oof, flags, floors)
        aps.append(average_precision(oof, y))
        p20s.append(precision_at(oof, y, 20))
    return np.array(aps), np.array(p20s)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evaluation.toxicity_eval", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="folder with comments.csv (default ../shared/data/sfu-toxicity-dev)")
    parser.add_argument("--repeats", type=int, default=10, help="repeats of 5-fold CV (default 10)")
    parser.add_argument("--C", type=float, default=0.03, help="inverse L2 strength of the logistic fit")
    parser.add_argument("--features", default=None,
                        help="comma-separated feature subset (default: the weights file's)")
    parser.add_argument("--embeddings", action="store_true", help="add the prototype-similarity feature")
    parser.add_argument("--method", choices=("prior", "logistic"), default="prior",
                        help="weights to --write: hand-set prior (default) or fitted logistic")
    parser.add_argument("--write", action="store_true", help="refit on all data and save the weights")
    args = parser.parse_args(argv)

    if not (args.data / "comments.csv").exists() and not args.data.is_file():
        print(f"{args.data} not found: toxicity evaluation skipped (it needs the SFU sample)")
        return 0
    texts, y = load_sfu(args.data)
    inc = Incivility(use_embeddings=args.embeddings)
    current = load_json("incivility_weights.json")
    names = args.features.split(",") if args.features else list(current.get("features", DEFAULT_FEATURES))
    prior_map = {**DEFAULT_PRIOR, **current.get("prior", {})}
    if args.embeddings and "embedding" not in names:
        names.append("embedding")
    prior = np.array([float(prior_map.get(n, 1.0)) for n in names])
    floors = {k: float(v) for k, v in current.get("floors", DEFAULT_FLOORS).items()}

    t0 = time.perf_counter()
    frame = inc.feature_frame(texts)
    flags = [inc._features(t)[2] for t in texts]
    elapsed = time.perf_counter() - t0
    x = frame[names].to_numpy(dtype=float)
    print(f"{len(y)} comments, {int(y.sum())} rated toxic (>= {TOXIC_AT}), base rate {y.mean():.3f}; "
          f"features in {elapsed:.2f} s")
    print(f"features ({len(names)}): {', '.join(names)}")
    print(f"floors: {floors}")

    rows = []
    apc = frame["profanity_model"].to_numpy()
    rows.append(("alt-profanity-check alone", average_precision(apc, y), precision_at(apc, y), ""))
    words = insult_word_count(inc, texts)
    rows.append(("insult word list alone", average_precision(words, y), precision_at(words, y), ""))
    if not args.embeddings:
        packaged = inc.score(texts)["incivility"].to_numpy()
        rows.append(("packaged incivility, in-sample", average_precision(packaged, y),
                     precision_at(packaged, y), ""))
    results = {}
    for method, label in (("prior", "hand-set weights (scale fitted)"), ("logistic", f"logistic fit C={args.C}")):
        aps, p20s = cross_validate(x, y, flags, floors, args.C, args.repeats,
                                   prior=prior if method == "prior" else None)
        results[method] = (aps, p20s)
        rows.append((f"{label}, 5-fold CV x{args.repeats}", aps.mean(), p20s.mean(),
                     f"AP sd {aps.std():.3f}, P@20 sd {p20s.std():.3f}"))
        aps0, p20s0 = cross_validate(x, y, flags, {}, args.C, args.repeats,
                                     prior=prior if method == "prior" else None)
        rows.append(("  same without floors", aps0.mean(), p20s0.mean(), ""))
    print(f"\n{'ranking':<48} {'AP':>6} {'P@20':>6}")
    for name, ap, p20, note in rows:
        print(f"{name:<48} {ap:6.3f} {p20:6.3f}  {note}")

    mean, scale, coef, intercept = _fit(x, y, args.C, prior if args.method == "prior" else None)
    print(f"\n{args.method} weights on all data (standardised features):")
    for n, w in zip(names, coef):
        print(f"  {n:<16} {w:+.3f}")
    print(f"  {'intercept':<16} {intercept:+.3f}")
    if args.write:
        aps, p20s = results[args.method]
        out = {
            "_about": "Combiner for discourse.analysis.incivility: p = sigmoid(intercept + sum(coef * (x - mean) "
                      "/ scale)); then each grave signal present lifts p to at least its floor: p = 1 - (1 - p) * "
                      "(1 - floor). mean/scale: feature statistics of the SFU toxicity sample (360 Globe and Mail "
                      "comments). method 'prior': coef = hand-set prior times one fitted scale (ranking not fitted "
                      "to labels); 'logistic': L2 logistic regression on toxic = crowd rating >= 2. Written by "
                      "python -m evaluation.toxicity_eval --write.",
            "method": args.method, "features": names,
            "prior": {n: float(v) for n, v in zip(names, prior)},
            "mean": [round(float(v), 6) for v in mean], "scale": [round(float(v), 6) for v in scale],
            "coef": [round(float(v), 6) for v in coef], "intercept": round(intercept, 6),
            "floors": floors,
            "cv": {"folds": 5, "repeats": args.repeats, "average_precision": round(float(aps.mean()), 4),
                   "precision_at_20": round(float(p20s.mean()), 4)},
        }
        target = data_path("incivility_weights.json")
        target.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
