"""Cross-dataset: how well incivility ranks real news comments that crowds rated toxic.

The test set is the SFU Constructiveness and Toxicity Corpus sample at
``../shared/data/sfu-toxicity-dev/comments.csv`` (360 Globe and Mail comments, crowd toxicity
1-4; a comment counts as toxic when rated 2 or more, about one in five). The incivility heads are
trained on other sources only (``python -m training.incivility``: Civil Comments toxic spans,
Wikipedia talk, Davidson tweets) and nothing here is fitted or tuned on SFU. Figures, as moderators
use a ranked queue: average precision (AP) and precision among the 20 highest-scored comments
(P@20); calibration as the Brier score and a reliability table.

    python -m evaluation.toxicity_eval [--data DIR]
    python -m evaluation.toxicity_eval --triage [test|train]

Baselines on the same comments: counting words of the lexicon's insult lists, alt-profanity-check
alone, and the previous hand-set cue score (``discourse/data/incivility_weights.json``, whose
scale was fitted on this very sample: its figure flatters it).

``--triage``: how the triage queue orders what moderators act on (an insult, threat or identity
attack: half the annotators of a Civil Comments post marked one; a Davidson tweet rated hate) among
the training sources' held-out 20% (``test``, never fitted or tuned on) or their training part
(``train``, where ``incivility_untargeted`` in ``discourse/data/scoring.toml`` was chosen: the largest
weight with the best average precision). Needs ``../shared/data/toxicity`` and the training folder.
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


#: the incivility kinds a moderator acts on: aimed at a person or a group
ACT_ON = ("insult", "threat", "identity_attack")
UNTARGETED_GRID = (1.0, 0.75, 0.5, 0.35, 0.25, 0.1, 0.0)


def triage_pools(part: str):
    """(name, texts, vectors, act-on labels) per pool of the training sources' ``part`` ("test":
    the held-out 20% of posts; "train": fit + calibration parts), split as ``training.incivility`` does."""
    from training.common import encode
    from training.incivility import SEED, split
    from training.incivility_data import training_rows

    rows = training_rows(SEED)
    fit, cal, test = split(rows)
    mask = test if part == "test" else fit | cal
    vectors = encode(rows["text"].tolist(), "incivility-train")
    src, toxic = rows["source"].to_numpy(), rows["label"].to_numpy() == 1
    act = rows[list(ACT_ON)].ge(0.5).any(axis=1).to_numpy().astype(int)
    news = mask & np.isin(src, ["civil_comments", "civil_comments_clean"])
    for name, m in (("Civil Comments news comments: toxic posts and their unmarked sentences", news),
                    ("Civil Comments news comments: toxic posts only", news & toxic),
                    ("Davidson tweets, toxic ones: hate (identity attack) vs offensive", mask & (src == "davidson") & toxic)):
        idx = np.flatnonzero(m)
        yield name, rows["text"].iloc[idx].tolist(), vectors[idx], act[idx]


def triage_priorities(inc: Incivility, texts: list[str], vectors, weights):
    """(weight, triage priority per text) for each ``incivility_untargeted`` weight, through the
    incivility stage's model and :class:`~discourse.analysis.triage.TriagePriority` as a run uses them."""
    import pandas as pd

    from discourse.analysis.triage import TriagePriority
    from discourse.config import load_config

    frame = pd.DataFrame({"thread_id": "t", "comment_id": [f"c{i}" for i in range(len(texts))], "text": texts})
    scored = inc.transform(frame, vectors=vectors).drop(columns=["thread_id", "comment_id"])
    frame = pd.concat([frame, scored], axis=1)
    config = load_config()
    for w in weights:
        cfg = dict(config, triage=dict(config["triage"], incivility_untargeted=w))
        yield w, TriagePriority(config=cfg).transform(frame)["triage_priority"].to_numpy()


def triage_main(part: str) -> int:
    from discourse.config import load_config

    shipped = load_config()["triage"]["incivility_untargeted"]
    weights = UNTARGETED_GRID if part == "train" else (1.0, shipped)
    inc = Incivility()
    ap: dict[float, list[float]] = {w: [] for w in weights}
    print(f"triage order of comments of a kind moderators act on ({', '.join(ACT_ON)}), {part} part of the "
          f"incivility training sources (python -m training.incivility splits by post)")
    for name, texts, vectors, y in triage_pools(part):
        n = int(y.sum())
        print(f"\n{name}: {len(y)}, {n} of an act-on kind (random ranking: AP and P@k {y.mean():.3f})")
        print(f"  {'incivility_untargeted':<34} {'AP':>6} {'P@20':>6} {'P@100':>6} {'P@R':>6}")
        for w, s in triage_priorities(inc, texts, vectors, weights):
            ap[w].append(average_precision(s, y))
            label = f"{w}" + (" (kind-blind, as before)" if w == 1 else " (shipped)" if w == shipped else "")
            print(f"  {label:<34} {ap[w][-1]:6.3f} {precision_at(s, y):6.3f} "
                  f"{precision_at(s, y, 100):6.3f} {precision_at(s, y, n):6.3f}")
    if part == "train":
        best = np.max(list(ap.values()), axis=0)
        chosen = max(w for w, a in ap.items() if np.all(np.round(a, 3) >= np.round(best, 3) - 0.001))
        print(f"\nthe largest incivility_untargeted whose AP is within 0.001 of the best on every pool: {chosen}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evaluation.toxicity_eval", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="folder with comments.csv (default ../shared/data/sfu-toxicity-dev)")
    parser.add_argument("--fast", action="store_true", help="only the cue-only head (no encoder)")
    parser.add_argument("--triage", nargs="?", const="test", choices=("test", "train"),
                        help="the triage order of insults, threats and identity attacks on the training "
                             "sources' held-out part (test) or training part (train), instead of SFU")
    args = parser.parse_args(argv)
    if args.triage:
        return triage_main(args.triage)
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
