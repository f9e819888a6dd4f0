"""Cross-dataset: how well incivility ranks real news comments that crowds rated toxic.

The test set is the SFU Constructiveness and Toxicity Corpus sample at
``../shared/data/sfu-toxicity-dev/comments.csv`` (360 Globe and Mail comments, crowd toxicity
1-4; a comment counts as toxic when rated 2 or more, about one in five). The incivility heads are
trained on other sources only (``python -m training.incivility``: Civil Comments toxic spans,
Wikipedia talk, Davidson tweets) and nothing here is fitted or tuned on SFU. Figures, as moderators
use a ranked queue: average precision (AP) and precision among the 20 highest-scored comments
(P@20); calibration as the Brier score and a reliability table.

    python -m evaluation.toxicity_eval [--data DIR]

Baselines on the same comments: counting words of the lexicon's insult lists, alt-profanity-check
alone, and the previous hand-set cue score (``discourse/data/incivility_weights.json``, whose
scale was fitted on this very sample: its figure flatters it).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from discourse.analysis.incivility import Incivility
from discourse.resources import data_path

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "sfu-toxicity-dev"
TOXIC_AT = 2


def load_sfu(data_dir: Path):
    """Texts and binary labels (rated ``TOXIC_AT`` or more) from the SFU sample."""
    import pandas as pd

    path = data_dir / "comments.csv" if data_dir.is_dir() else data_dir
    frame = pd.read_csv(path)
    return frame["comment"].fillna("").astype(str).tolist(), (frame["toxicity"] >= TOXIC_AT).to_numpy(int)


def precision_at(scores: np.ndarray, y: np.ndarray, k: int = 20) -> float:
    """Expected precision of the top ``k`` when ties at the cut are broken at random."""
    scores = np.asarray(scores, dtype=float)
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


def reliability(p: np.ndarray, y: np.ndarray, bins: int = 5) -> list[tuple[str, int, float, float]]:
    """(bin, comments, mean predicted, observed toxic share) per equal-width probability bin."""
    edges = np.linspace(0, 1, bins + 1)
    out = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = (p >= lo) & ((p < hi) if hi < 1 else (p <= hi))
        if m.any():
            out.append((f"{lo:.1f}-{hi:.1f}", int(m.sum()), float(p[m].mean()), float(y[m].mean())))
    return out


def sentence_vectors(texts: list[str]) -> np.ndarray:
    """The texts' vectors from the shared encoder (cached under ../scratch/vectors when training/ is here)."""
    try:
        from training.common import encode
    except ImportError:  # an install without the training folder
        from discourse.embeddings import Embedder

        return Embedder().encode(texts)
    return encode(texts, "incivility-sfu")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evaluation.toxicity_eval", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="folder with comments.csv (default ../shared/data/sfu-toxicity-dev)")
    parser.add_argument("--fast", action="store_true", help="only the cue-only head (no encoder)")
    args = parser.parse_args(argv)
    if not (args.data / "comments.csv").exists() and not args.data.is_file():
        print(f"{args.data} not found: toxicity evaluation skipped (it needs the SFU sample)")
        return 0
    from sklearn.metrics import brier_score_loss

    texts, y = load_sfu(args.data)
    inc = Incivility()
    print(f"SFU news comments: {len(y)}, {int(y.sum())} rated toxic (>= {TOXIC_AT}), base rate {y.mean():.3f}; "
          "never fitted or tuned on")
    rows = []
    if not args.fast:
        full = inc.score(texts, vectors=sentence_vectors(texts))["incivility"].to_numpy()
        rows.append(("incivility head, vector direction + cues (default)", full))
    cues = inc.score(texts)["incivility"].to_numpy()
    rows.append(("incivility head, cues only (--fast runs)", cues))
    rows.append(("baseline: insult word list", insult_word_count(inc, texts)))
    frame = inc.feature_frame(texts)
    rows.append(("baseline: alt-profanity-check", frame["profanity_model"].to_numpy()))
    old = Incivility(weights_path=data_path("incivility_weights.json")).score(texts)["incivility"].to_numpy()
    rows.append(("baseline: previous cue score (scale fitted on SFU)", old))
    print(f"\n{'ranking':<52} {'AP':>6} {'P@20':>6} {'Brier':>6}")
    for name, scores in rows:
        calibrated = name.startswith("incivility") or name.startswith("baseline: previous")
        brier = f"{brier_score_loss(y, scores):6.3f}" if calibrated else "     -"
        print(f"{name:<52} {average_precision(scores, y):6.3f} {precision_at(scores, y):6.3f} {brier}")
    print(f"baseline: random ranking AP {y.mean():.3f}, P@20 {y.mean():.3f}")
    print(f"\nreliability of {rows[0][0]} (bin, comments, mean predicted, observed toxic share):")
    for b, n, p, o in reliability(rows[0][1], y):
        print(f"  {b}  {n:4d}  {p:.3f}  {o:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
