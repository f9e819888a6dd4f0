"""Pinned behaviour of the sped-up tokenisers and matchers.

The expected values were produced by the code before the speed-ups (parallel-tuple tokens and a
candidate-only matcher in target stance, the one-scan sentence openers and whole-text lower-casing
in reply stance), so a later change that alters what they find shows up here.
"""
from discourse.analysis.reply_stance import StanceCues, _words
from discourse.analysis.target_stance import _Matcher, _tokenise

TEXT = "The U.S. and Putin\u2019s army. NATO's \"heroes\" www.x.org lost; the article is fake news!"


def test_tokens_keep_offsets_bases_and_sentences():
    toks = _tokenise(TEXT)
    rows = list(zip(toks.low, toks.base, toks.orig, toks.start, toks.end, toks.sent))
    assert rows == [
        ("the", "the", "The", 0, 3, 0), ("us", "us", "US", 4, 6, 0), ("and", "and", "and", 9, 12, 0),
        ("putin's", "putin", "Putin\u2019s", 13, 20, 0), ("army", "army", "army", 21, 25, 0),
        ("nato's", "nato", "NATO's", 27, 33, 1), ("heroes", "heroes", "heroes", 35, 41, 1),
        ("lost", "lost", "lost", 53, 57, 1), ("the", "the", "the", 59, 62, 2),
        ("article", "article", "article", 63, 70, 2), ("is", "is", "is", 71, 73, 2),
        ("fake", "fake", "fake", 74, 78, 2), ("news", "news", "news", 79, 83, 2),
    ]
    assert len(_tokenise("")) == 0


def test_matcher_longest_match_case_prefix_and_possessive():
    m = _Matcher()
    m.add("the article", "ref")
    m.add("the", "the")
    m.add("fake news", "fn")
    m.add("fake", "f")
    m.add("US", "us", case=True)
    m.add("lost*", "lost")
    m.add("putin", "p")  # matches "Putin's" through its base
    toks = _tokenise(TEXT)
    expected = [(0, 1, "the"), (1, 2, "us"), (3, 4, "p"), (7, 8, "lost"), (8, 10, "ref"), (11, 13, "fn")]
    assert m.find(toks) == expected
    assert m.find(toks, greedy=False) == expected
    assert m.find(toks, vocab={"nothing", "here"}) == expected  # a prefix entry: no word pre-check
    plain = _Matcher()
    plain.add("fake news", "fn")
    assert plain.find(toks, vocab=set(toks.low)) == [(11, 13, "fn")]
    assert plain.find(toks, vocab={"nothing", "here"}) == []
    m.add("us", "late")  # entries added after a find are seen by the next one
    assert (1, 2, "us") in m.find(toks)


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
