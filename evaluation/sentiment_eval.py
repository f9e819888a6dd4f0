"""Does our tone agree with people as well as VADER alone does? Correlation on rated tweets.

Data: ``<data>/vader-tweets/tweets_GroundTruth.txt`` (4,200 tweet-like texts, each the mean of 20
human ratings from -4 to +4). Three readings are compared with the human mean: VADER alone on the
raw text (the reference), our comment-level ``sentiment`` (``Sentiment.score``), and our
sentence-level scores (``Sentiment.sentences``) combined per text with ``combine_sentences`` (and,
for scale, their plain mean).
Both of ours must match the reference: nothing may be lower-cased or stripped before VADER reads it.

Run as ``python -m evaluation.sentiment_eval [--data DIR]``.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from evaluation.gold import DEFAULT_DATA_DIR


def load(path: Path) -> tuple[list[str], np.ndarray]:
    texts, ratings = [], []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split("\t", 2)
        if len(parts) == 3:
            ratings.append(float(parts[1]))
            texts.append(parts[2])
    return texts, np.array(ratings)


def main(argv=None) -> int:
    import pandas as pd
    from scipy.stats import pearsonr, spearmanr
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from discourse.analysis.sentiment import Sentiment, combine_sentences

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR)
    args = ap.parse_args(argv)
    path = args.data / "vader-tweets" / "tweets_GroundTruth.txt"
    if not path.is_file():
        print(f"skipped: {path} not found (the evaluation needs ../shared/data)")
        return 0
    texts, human = load(path)
    vader = SentimentIntensityAnalyzer()
    reference = np.array([vader.polarity_scores(t)["compound"] for t in texts])
    model = Sentiment()
    ours = model.score(texts)["sentiment"].to_numpy()
    units = pd.DataFrame({"thread_id": "t", "comment_id": [str(i) for i in range(len(texts))], "text": texts})
    sents = model.sentences(units)
    grouped = sents.groupby("comment_id")["sentiment"]
    combined, mean = grouped.agg(combine_sentences), grouped.mean()
    by_sentence = np.array([combined.get(str(i), 0.0) for i in range(len(texts))])
    by_mean = np.array([mean.get(str(i), 0.0) for i in range(len(texts))])
    print(f"{len(texts)} texts with mean human ratings (-4..+4)")
    print(f"{'reading':<44}{'Pearson r':>10}{'Spearman':>10}")
    for name, values in (("VADER alone on the raw text (reference)", reference),
                         ("discourse comment sentiment", ours),
                         ("discourse sentence sentiment, combined", by_sentence),
                         ("(for scale) plain mean of sentence scores", by_mean)):
        print(f"{name:<44}{pearsonr(values, human)[0]:>10.3f}{spearmanr(values, human)[0]:>10.3f}")
    lowered = np.array([vader.polarity_scores(t.lower())["compound"] for t in texts])
    print(f"{'(for scale) VADER on lower-cased text':<44}{pearsonr(lowered, human)[0]:>10.3f}"
          f"{spearmanr(lowered, human)[0]:>10.3f}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
