"""Target stance's tokeniser and phrase matcher: the fast tokeniser against the token-at-a-time one
it replaced, and pinned results of both (produced by the code before the speed-ups), so a change
in what they find shows up here."""
from reference import tokenise_plain

from discourse.analysis.target_stance import _Matcher, _tokenise

TEXT = "The U.S. and Putin\u2019s army. NATO's \"heroes\" www.x.org lost; the article is fake news!"

TEXTS = [
    "", "...", "a", "It's Putin\u2019s; the U.S. \u0130stanbul \u212a test. ok\n\nnew",
    "dogs' bowls' x's \u2019s 's", "http://x.com a. b www.y.org/z c", "a.b.c!? ;; \n", "  word  ",
    "The U.S. and Putin\u2019s army. NATO's \"heroes\" lost; the article is fake news!",
    "Kyiv's 'so-called' allies?? They're NOT! 123 abc'def'gh",
]


def test_tokenise_matches_token_at_a_time():
    for text in TEXTS:
        fast, plain = _tokenise(text), tokenise_plain(text)
        for col in ("low", "base", "orig", "start", "end", "sent"):
            assert tuple(getattr(fast, col)) == tuple(getattr(plain, col)), (text, col)
        assert len(fast) == len(plain)


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
