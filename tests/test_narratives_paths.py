"""Narratives' array passes give what the plain computation gives: the best example of every
sub-narrative, the embedder's rows copied in place, and the scores that skip sub-narratives which
cannot reach the threshold (against ``reference.plain_narrative_scores``)."""
import numpy as np
import pytest
from reference import plain_narrative_scores

from discourse.analysis.narratives import NarrativeMatcher
from discourse.embeddings import Embedder


class _FewVectors:
    """Integer-valued vectors from a handful of rows: many exact ties, zeros and -0.0."""

    def __init__(self, rows):
        self.rows = rows

    def encode(self, texts):
        if not texts:
            return np.zeros((0, self.rows.shape[1]), dtype=np.float32)
        return np.stack([self.rows[sum(map(ord, t)) % len(self.rows)] for t in texts])


class _Model(_FewVectors):
    def encode(self, texts, **_):
        return super().encode(texts)


class _Delegate:
    """Any object with ``encode``: narratives ask it for each distinct sentence once."""

    def __init__(self, inner):
        self.inner = inner

    def encode(self, texts):
        return self.inner.encode(texts)


@pytest.mark.parametrize("with_nan", [False, True])
def test_best_example_per_subnarrative_matches_argmax(with_nan):
    rng = np.random.default_rng(7)
    rows = rng.integers(-2, 3, size=(9, 6)).astype(np.float32)
    rows[0] = -0.0
    if with_nan:
        rows[1, 2] = np.nan
    matcher = NarrativeMatcher(embedder=_FewVectors(rows))
    sentences = [f"sentence {i}" for i in range(500)]
    best, arg, _ = matcher._similarities(sentences)
    sims = _FewVectors(rows).encode(sentences) @ matcher.example_vectors().T
    owner = matcher._example_owner
    for sub in np.unique(owner):
        cols = np.flatnonzero(owner == sub)
        j = sims[:, cols].argmax(axis=1)
        assert np.array_equal(arg[:, sub], cols[j])
        assert np.array_equal(best[:, sub].view(np.int32), sims[np.arange(len(sims)), cols[j]].view(np.int32))


def test_embedder_rows_copied_in_place_match_distinct_lookup(tmp_path):
    rng = np.random.default_rng(3)
    rows = rng.standard_normal((13, 384)).astype(np.float32)
    embedder = Embedder(model=_Model(rows), cache_dir=tmp_path)
    sentences = [f"sentence {i % 37}" for i in range(300)] + ["Kiev regime lies.", "x" * 1500, "x" * 1200]
    direct = NarrativeMatcher(embedder=embedder)._similarities(sentences)
    distinct = NarrativeMatcher(embedder=_Delegate(embedder))._similarities(sentences)
    for a, b in zip(direct, distinct):
        assert a.dtype == b.dtype and np.array_equal(a.view(np.uint8), b.view(np.uint8))


@pytest.mark.parametrize("threshold", [None, 0.3, 0.05])
def test_narrative_scores_skip_only_what_cannot_reach_the_threshold(threshold):
    rng = np.random.default_rng(11)
    rows = rng.standard_normal((60, 8)).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    rows[3, 1] = np.nan
    matcher = NarrativeMatcher(embedder=_FewVectors(rows), threshold=threshold)
    # A low floor and a wide margin: similarity scores spread across the threshold.
    matcher.matching = {**matcher.matching, "similarity_floor": 0.1, "margin_ceiling": 1.0}
    cues = ["Kiev regime", "the collective West", "Nazis in Ukraine", "NATO expansion", "biolabs"]
    sentences = [f"sentence {i} about {cues[i % 5] if i % 3 == 0 else 'the war'}" for i in range(400)]
    got = matcher.score_sentences(sentences)
    want = plain_narrative_scores(matcher, sentences)
    scores = [f["score"] for found in want for f in found]
    assert len(scores) > 50 and sum(matcher.threshold <= x < matcher.threshold + 0.05 for x in scores) > 5
    assert repr(got) == repr(want)
