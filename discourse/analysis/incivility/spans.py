"""Words that carry toxicity, learned from where annotators put their spans.

``discourse/data/models/incivility_spans.json`` maps a word to the share of its uses in toxic news
comments (Civil Comments toxic spans) that annotators marked as the toxic part (smoothed toward
the overall share). Written by ``python -m training.incivility``. A comment gets two features:
the highest word score and how many strong words it holds; the strongest word is quoted as
evidence.
"""
from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

from discourse.resources import data_path

from .lexicon import TOKEN

SPAN_FEATURES = ("span_word_max", "span_words")
STRONG = 0.5  # a word marked at least half the times it is used


@lru_cache(maxsize=4)
def load_span_words(path: str | None = None) -> dict[str, float]:
    file = Path(path) if path else data_path("models", "incivility_spans.json")
    if not file.exists():
        return {}
    return dict(json.loads(file.read_text(encoding="utf-8"))["words"])


def span_features(text: str, words: dict[str, float]) -> tuple[dict[str, float], tuple[int, int] | None]:
    """The two span features of ``text`` and the character span of its strongest word."""
    best, where, strong = 0.0, None, 0
    for m in TOKEN.finditer(text):
        score = words.get(m.group().lower().replace("\u2019", "'"))
        if score is None:
            continue
        if score >= STRONG:
            strong += 1
        if score > best:
            best, where = score, m.span()
    return {"span_word_max": best, "span_words": math.log1p(strong)}, where
