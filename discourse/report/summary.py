"""A short extractive summary of an article: its most central sentences, in their own order.

Used when the pipeline supplies no summary. Extractive on purpose: every sentence shown is
the outlet's own words, so a report never puts words in an article's mouth. A sentence is
central when it uses the article's frequent content words (a word-frequency centroid); the
lede and sentences sharing words with the headline get a small bonus because news puts the
point first. Deterministic: ties go to the earlier sentence.
"""
from __future__ import annotations

import math
from collections import Counter

from discourse.text import sentences, words

MIN_WORDS = 6  # fragments (captions, "He added:") are poor summary sentences
MAX_WORDS = 80  # run-on blocks (lists of figures) read badly as a summary


def default_stop_words() -> frozenset[str]:
    """The project's English stop words (kept as data with the reply-linking weights)."""
    from discourse.parse.linking import stop_words

    return stop_words()


def _content(text: str, stop: frozenset[str]) -> list[str]:
    return [w for w in words(text) if len(w) > 2 and w not in stop]


def score_sentences(text: str, title: str | None = None,
                    stop_words: frozenset[str] | None = None) -> list[tuple[str, float]]:
    """Every sentence of ``text`` with its centrality score (0 for sentences not eligible)."""
    sents = sentences(text)
    if not sents:
        return []
    stop = default_stop_words() if stop_words is None else frozenset(stop_words)
    bags = [_content(s, stop) for s in sents]
    freq = Counter(w for bag in bags for w in set(bag))
    top = max(freq.values(), default=1)
    title_words = set(_content(title or "", stop))
    scored = []
    for i, (sent, bag) in enumerate(zip(sents, bags)):
        n_words = len(sent.split())
        if n_words < MIN_WORDS or n_words > MAX_WORDS or not bag:
            scored.append((sent, 0.0))
            continue
        central = sum(freq[w] / top for w in bag) / math.sqrt(len(bag))
        position = 1.0 + 0.5 / (1 + i)  # the lede carries the story
        headline = 1.0 + 0.3 * (len(title_words & set(bag)) / len(title_words) if title_words else 0.0)
        scored.append((sent, central * position * headline))
    return scored


def extractive_summary(text: str, n: int = 3, title: str | None = None,
                       stop_words: frozenset[str] | None = None) -> list[str]:
    """The ``n`` most central sentences of ``text`` in article order (fewer if it is short).

    A sentence that repeats the title verbatim is skipped: the report shows the title already.
    ``stop_words`` replaces the default list (words that say nothing about the story).
    """
    scored = score_sentences(text, title, stop_words)
    norm_title = " ".join((title or "").split()).lower()
    ranked = sorted(
        (i for i, (s, sc) in enumerate(scored) if sc > 0 and " ".join(s.split()).lower() != norm_title),
        key=lambda i: (-scored[i][1], i),
    )
    chosen = sorted(ranked[:n])
    if not chosen and scored:  # very short text: show its opening rather than nothing
        chosen = [i for i, (s, _) in enumerate(scored) if s.strip()][:n]
    return [" ".join(scored[i][0].split()) for i in chosen]
