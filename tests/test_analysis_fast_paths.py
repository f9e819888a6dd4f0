"""The shortcuts in framing and narratives give what the plain computation gives.

Frames memoise each distinct sentence and tokenise it alone when no word can cross its edges;
narratives take every sub-narrative's best example with array passes. These tests run the other
path (or a straightforward reference) on the same input and compare.
"""
import gc

import numpy as np
import pandas as pd
import pytest
from conftest import TRICKY_TEXTS

from discourse.analysis import framing
from discourse.analysis.framing import FrameTagger, gc_paused
from discourse.analysis.narratives import NarrativeMatcher

TEXTS = TRICKY_TEXTS


def _units(texts):
    return pd.DataFrame({"thread_id": "t", "comment_id": [f"c{i}" for i in range(len(texts))],
                         "paragraph": -1, "text": texts})


class _Everything:
    def __contains__(self, char):
        return True


def test_sentences_alone_and_in_their_unit_tag_alike(monkeypatch):
    units = _units(TEXTS * 3)  # repeats: the memo is used
    fast = FrameTagger(heads=False).transform(units)
    assert fast["evidence"].str.contains("said before").any()
    assert fast["evidence"].str.contains("repeated|x3").any()
    # Every inner sentence edge counts as one a word might cross: tokens come from the whole unit.
    monkeypatch.setattr(framing.tagger, "_TOKEN_CHARS", _Everything())
    slow = FrameTagger(heads=False).transform(units)
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


# -- reply stance: embedding columns and evidence sums a block of rows at a time ------------------
class _HashVectors:
    """Deterministic float32 unit vectors per text (the cache's dtype)."""

    def encode(self, texts):
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for i, t in enumerate(texts):
            v = np.random.default_rng(sum(map(ord, t)) * 7919 + len(t)).normal(size=384)
            out[i] = v / np.linalg.norm(v)
        return out


def _plain_stance_matrix(rs, texts, parents):
    """The whole-matrix construction the blocks replace: every vector gathered as float64, blank
    replies masked by a multiply, the cosine over all rows at once."""
    from discourse.analysis.reply_stance import (
        clean_text,
        embedding_features,
        has_parent,
    )

    dense, vocab, _ = rs.featurizer.transform(texts, parents)
    ok = has_parent(parents)
    cleaned = [clean_text(t) for t in texts]
    vecs = np.asarray(rs.embedder.encode(cleaned + [clean_text(p) if p else "" for p in parents]),
                      dtype=np.float64)
    n = len(texts)
    tv = vecs[:n] * np.array([1.0 if c.strip() else 0.0 for c in cleaned])[:, None]
    x = np.hstack([dense, vocab, embedding_features(tv, vecs[n:], ok.astype(float))])
    orphan = np.flatnonzero(~ok)
    x[np.ix_(orphan, rs._parent_cols)] = rs.model.mean[rs._parent_cols]
    return x


STANCE_TEXTS = ["That's fake, it never happened!", "Is this confirmed? source?", "@someone http://x.org",
                "", "Yes, exactly right. Thanks for the link www.example.com", "NO WAY... \u201cquote\u201d",
                "   ", "Why would they lie? Agreed though.", "#hoax RT: lol"]


@pytest.mark.parametrize("block", [1, 3, 2048])
def test_stance_blocks_match_whole_matrix(monkeypatch, block):
    from discourse.analysis import reply_stance
    from discourse.analysis.reply_stance import ReplyStance

    monkeypatch.setattr(reply_stance, "_ROW_BLOCK", block)
    rs = ReplyStance(embedder=_HashVectors())
    texts = STANCE_TEXTS * 3
    parents = (["The minister resigned.", None, "Is it true?", "", "@a http://b.c"] * 6)[:len(texts)]
    x, matches = rs.features(texts, parents)
    plain = _plain_stance_matrix(rs, texts, parents)
    assert x.tobytes() == plain.tobytes()
    proba = rs.model.proba(plain)
    pred = proba.argmax(axis=1)
    out = rs.predict(texts, parents)
    assert out.stance.tolist() == [reply_stance.LABELS[k] for k in pred]
    assert out.stance_evidence.tolist() == rs._evidence(plain, pred, matches)
    assert np.array_equal(out.p_deny.to_numpy(), np.round(proba[:, 1], 4))


@pytest.mark.parametrize("block", [1, 2, 5, 2048])
def test_stance_contribution_sums_match_whole_matrix(monkeypatch, block):
    from discourse.analysis import reply_stance

    monkeypatch.setattr(reply_stance, "_ROW_BLOCK", block)
    rng = np.random.default_rng(3)
    z = rng.normal(size=(11, 413))
    rel = rng.normal(size=(4, 413))
    pred = rng.integers(0, 4, size=11)
    want = (z * rel[pred])[:, 29:].sum(axis=1)
    got = np.array(reply_stance._contribution_sums(z[:, 29:], rel[:, 29:], pred))
    assert got.view(np.int64).tolist() == want.view(np.int64).tolist()


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
    matcher = NarrativeMatcher(embedder=_FewVectors(rows), threshold=threshold, gate=False, document_gate=False)
    # A low floor and a wide margin: similarity scores spread across the threshold.
    matcher.matching = {**matcher.matching, "similarity_floor": 0.1, "margin_ceiling": 1.0}
    cues = ["Kiev regime", "the collective West", "Nazis in Ukraine", "NATO expansion", "biolabs"]
    sentences = [f"sentence {i} about {cues[i % 5] if i % 3 == 0 else 'the war'}" for i in range(400)]
    got = matcher.score_sentences(sentences)
    want = _plain_narrative_scores(matcher, sentences)
    scores = [f["score"] for found in want for f in found]
    assert len(scores) > 50 and sum(matcher.threshold <= x < matcher.threshold + 0.05 for x in scores) > 5
    assert repr(got) == repr(want)
