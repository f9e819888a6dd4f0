"""The shortcuts in framing and narratives give what the plain computation gives.

Frames memoise each distinct sentence and tokenise it alone when no word can cross its edges;
narratives take every sub-narrative's best example with array passes. These tests run the other
path (or a straightforward reference) on the same input and compare.
"""
import gc

import numpy as np
import pandas as pd
import pytest

from discourse.analysis import framing
from discourse.analysis.framing import FrameTagger, gc_paused
from discourse.analysis.narratives import NarrativeMatcher

TEXTS = [
    "We will never forgive. We will never forget, we will never forget!",
    "Putin's regime lies. Putin's regime lies.\nSource? The so-called 'referendum' was a sham.",
    "Either we stop them now or they come for us. If we let them win, then Europe falls, then NATO.",
    "The economy shrank by 3% as inflation rose. The economy shrank by 3% as inflation rose.",
    "ΟΔΟΣ Σ. İstanbul don’t care. The Kiev regime and the collective West!!! #StandWithUkraine",
    "",
    "Well said. Well said. Well said.",
]


def _units(texts):
    return pd.DataFrame({"thread_id": "t", "comment_id": [f"c{i}" for i in range(len(texts))],
                         "paragraph": -1, "text": texts})


class _Everything:
    def __contains__(self, char):
        return True


def test_sentences_alone_and_in_their_unit_tag_alike(monkeypatch):
    units = _units(TEXTS * 3)  # repeats: the memo is used
    fast = FrameTagger().transform(units)
    assert fast["evidence"].str.contains("said before").any()
    assert fast["evidence"].str.contains("repeated|x3").any()
    # Every inner sentence edge counts as one a word might cross: tokens come from the whole unit.
    monkeypatch.setattr(framing, "_TOKEN_CHARS", _Everything())
    slow = FrameTagger().transform(units)
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)


def test_tag_text_agrees_with_transform():
    tagger = FrameTagger()
    rows = tagger.transform(_units(TEXTS))
    for i, text in enumerate(TEXTS):
        got = [(a, b, kind, label, score, ev) for a, b, found in tagger.tag_text(text)
               for kind, label, score, ev in found]
        mine = rows[rows["comment_id"] == f"c{i}"]
        want = list(zip(mine["start"], mine["end"], mine["kind"], mine["label"], mine["score"], mine["evidence"]))
        assert got == want


def test_gc_paused_restores_the_collector():
    assert gc.isenabled()
    FrameTagger().transform(_units(TEXTS))
    assert gc.isenabled()
    with pytest.raises(ValueError), gc_paused():
        raise ValueError
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


class _FewVectors:
    """Integer-valued vectors from a handful of rows: many exact ties, zeros and -0.0."""

    def __init__(self, rows):
        self.rows = rows

    def encode(self, texts):
        if not texts:
            return np.zeros((0, self.rows.shape[1]), dtype=np.float32)
        return np.stack([self.rows[sum(map(ord, t)) % len(self.rows)] for t in texts])


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


class _Delegate:
    """Any object with ``encode``: narratives ask it for each distinct sentence once."""

    def __init__(self, inner):
        self.inner = inner

    def encode(self, texts):
        return self.inner.encode(texts)


class _Model(_FewVectors):
    def encode(self, texts, **_):
        return super().encode(texts)


def test_embedder_rows_copied_in_place_match_distinct_lookup(tmp_path):
    from discourse.embeddings import Embedder

    rng = np.random.default_rng(3)
    rows = rng.standard_normal((13, 384)).astype(np.float32)
    embedder = Embedder(model=_Model(rows), cache_dir=tmp_path)
    sentences = [f"sentence {i % 37}" for i in range(300)] + ["Kiev regime lies.", "x" * 1500, "x" * 1200]
    direct = NarrativeMatcher(embedder=embedder)._similarities(sentences)
    distinct = NarrativeMatcher(embedder=_Delegate(embedder))._similarities(sentences)
    for a, b in zip(direct, distinct):
        assert a.dtype == b.dtype and np.array_equal(a.view(np.uint8), b.view(np.uint8))


def _plain_narrative_scores(matcher, sentences):
    """Every sub-narrative over the similarity floor or with a cue, scored one by one."""
    best, arg, neutral = matcher._similarities(sentences)
    floor = matcher.matching["similarity_floor"]
    out = []
    for i, sent in enumerate(sentences):
        hits_i = matcher.cues.match(sent)
        cands = set(hits_i)
        cands |= set(np.flatnonzero(best[i] > floor).tolist())
        found = []
        for k in cands:
            hits = hits_i.get(k, [])
            c = matcher._cue_score(hits)
            cos = float(best[i][k])
            s = matcher._sim_score(cos, float(neutral[i]))
            score = 1.0 - (1.0 - s) * (1.0 - c)
            if score < matcher.threshold:
                continue
            example = matcher._examples[arg[i][k]] if arg[i][k] >= 0 else ""
            found.append(matcher._finding(k, sent, score, cos, c, hits, example, float(neutral[i])))
        found.sort(key=lambda f: -f["score"])
        out.append(found)
    return out


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
    want = _plain_narrative_scores(matcher, sentences)
    scores = [f["score"] for found in want for f in found]
    assert len(scores) > 50 and sum(matcher.threshold <= x < matcher.threshold + 0.05 for x in scores) > 5
    assert repr(got) == repr(want)
