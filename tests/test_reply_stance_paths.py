"""Reply stance: pinned results of its one-scan sentence openers, ASCII word splitter and cue
phrases, and the feature matrix built a block of rows at a time against the whole-matrix one."""
import numpy as np
import pytest
from reference import plain_stance_matrix

from discourse.analysis import reply_stance
from discourse.analysis.reply_stance import ReplyStance, StanceCues, _words


def test_sentence_openers_within_four_characters():
    c = StanceCues()
    assert c.sentence_openers("Why? Is this true... no.") == ["why", "is"]
    assert c.sentence_openers("  - how would you know") == []
    assert c.sentence_openers("It is. What!") == ["what"]
    assert c.sentence_openers("Really?? ok;why not") == ["really", "why"]
    assert c.sentence_openers("Sure\u2019s fine. Who") == ["who"]


def test_words_ascii_and_not():
    assert _words("Don't-- STOP it's") == ["don't", "stop", "it's"]
    assert _words("caf\u00e9 \u00dcber na\u00efve") == ["caf", "ber", "na", "ve"]
    assert _words("can\u2019t won't-") == ["can't", "won't"]


def test_stance_cue_phrases_need_every_word():
    found = StanceCues().match(["that", "is", "a", "total", "lie", "and", "fake", "news"])
    assert found and all(hits for hits in found.values())


class _HashVectors:
    """Deterministic float32 unit vectors per text (the cache's dtype)."""

    def encode(self, texts):
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for i, t in enumerate(texts):
            v = np.random.default_rng(sum(map(ord, t)) * 7919 + len(t)).normal(size=384)
            out[i] = v / np.linalg.norm(v)
        return out


STANCE_TEXTS = ["That's fake, it never happened!", "Is this confirmed? source?", "@someone http://x.org",
                "", "Yes, exactly right. Thanks for the link www.example.com", "NO WAY... \u201cquote\u201d",
                "   ", "Why would they lie? Agreed though.", "#hoax RT: lol"]


@pytest.mark.parametrize("block", [1, 3, 2048])
def test_stance_blocks_match_whole_matrix(monkeypatch, block):
    monkeypatch.setattr(reply_stance, "_ROW_BLOCK", block)
    rs = ReplyStance(embedder=_HashVectors())
    texts = STANCE_TEXTS * 3
    parents = (["The minister resigned.", None, "Is it true?", "", "@a http://b.c"] * 6)[:len(texts)]
    x, matches = rs.features(texts, parents)
    plain = plain_stance_matrix(rs, texts, parents)
    assert x.tobytes() == plain.tobytes()
    proba = rs.model.proba(plain)
    pred = proba.argmax(axis=1)
    out = rs.predict(texts, parents)
    assert out.stance.tolist() == [reply_stance.LABELS[k] for k in pred]
    assert out.stance_evidence.tolist() == rs._evidence(plain, pred, matches)
    assert np.array_equal(out.p_deny.to_numpy(), np.round(proba[:, 1], 4))


@pytest.mark.parametrize("block", [1, 2, 5, 2048])
def test_stance_contribution_sums_match_whole_matrix(monkeypatch, block):
    monkeypatch.setattr(reply_stance, "_ROW_BLOCK", block)
    rng = np.random.default_rng(3)
    z = rng.normal(size=(11, 413))
    rel = rng.normal(size=(4, 413))
    pred = rng.integers(0, 4, size=11)
    want = (z * rel[pred])[:, 29:].sum(axis=1)
    got = np.array(reply_stance._contribution_sums(z[:, 29:], rel[:, 29:], pred))
    assert got.view(np.int64).tolist() == want.view(np.int64).tolist()
