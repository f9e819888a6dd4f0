"""The parser's fast paths (block decisions, the sparse band, the combined furniture regex, the
segmenter's Viterbi and scores, ASCII patterns) give what the plain computations in ``reference.py``
or the straightforward library calls give."""

import numpy as np
import pytest
from reference import (
    band_by_products,
    decode_scores_plain,
    furniture_one_by_one,
    learned_evidence_plain,
    viterbi_plain,
)

from benchmarks.bench_parse import synthetic_page
from discourse.parse import cues, decode, features, linking, parse_page, similarity
from discourse.parse.furniture import default_rules


@pytest.fixture(scope="module")
def page():
    return synthetic_page(0.15, seed=3)[0]


def _links(thread):
    return [(c.parent_id, c.link, c.confidence, c.evidence) for c in thread.comments]


def test_block_decision_equals_one_by_one(page, monkeypatch):
    fast = _links(parse_page(page, semantic=False))
    original = decode.Decider.decide
    monkeypatch.setattr(decode.Decider, "decide", lambda self, blk, max_rounds=60: original(self, blk, 0))
    assert _links(parse_page(page, semantic=False)) == fast


def test_block_size_does_not_change_links(page):
    big = _links(parse_page(page, semantic=False))
    small = _links(parse_page(page, semantic=False, linker=linking.ReplyLinker(semantic=False, block=7)))
    assert small == big


def test_tfidf_matches_scikit_learn():
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = ["Drones from Kyiv, drones again!", "The sanctions don't work.", "the the the", "",
             "Kyiv's drone output doubled; sanctions matter"]
    ours = similarity.Similarity.tfidf(texts, "An article about drones.", linking.stop_words(), chunk=2).sparse
    ref = TfidfVectorizer(stop_words="english", sublinear_tf=True, dtype=np.float32,
                          token_pattern=r"(?u)\b[^\W\d_][\w'’]+\b").fit_transform(texts + ["An article about drones."])
    assert np.allclose((ours @ ours.T).toarray(), (ref @ ref.T).toarray(), atol=1e-5)


def test_combined_furniture_regex_matches_rule_by_rule(page):
    rules = default_rules()

    lines = {s.strip() for s in page.splitlines() if s.strip()} | {
        "ua en ru", "en | fr", "ok no", "Reply · 12 likes", "READ MORE: more", "6 days ago", "112 Comments"}
    for line in lines:
        for region in ("article", "comments"):
            m = rules.classify(line, region)
            assert (None if m is None else (m.kind, m.reason)) == furniture_one_by_one(rules, line, region), line


def test_page_order_score_tells_nested_from_chronological():
    topics = ["drones kyiv factory", "sanctions engines china", "ferry crossing weather", "election ballots count",
              "harbour pollution fish", "pension reform strike", "vaccine trial results", "stadium budget overrun",
              "wildfire evacuation smoke", "railway strike delays", "housing prices interest", "hockey playoffs goalie"]
    texts = [t + " " + w for t in topics for w in ("indeed", "again")]  # each reply right under its parent
    nested = similarity.Similarity.tfidf(texts, "", linking.stop_words())
    shuffled = [texts[k] for k in np.random.default_rng(0).permutation(len(texts))]
    chrono = similarity.Similarity.tfidf(shuffled, "", linking.stop_words())
    assert similarity.page_order_score(nested, len(texts), 30) > 1.0
    assert abs(similarity.page_order_score(chrono, len(texts), 30)) < 0.5


def test_sparse_band_is_bit_identical_to_row_products(page):
    thread = parse_page(page, semantic=False)
    texts = [c.text for c in thread.comments]
    X = similarity.Similarity.tfidf(texts, thread.article.text, linking.stop_words()).sparse
    n = len(texts)
    for a, b, w in ((0, n, 30), (1, min(n, 200), 30), (n // 2, n, 7), (5, 6, 30), (0, 3, 1), (n - 1, n, 30)):
        assert np.array_equal(similarity.sparse_band(X, a, b, w), band_by_products(X, a, b, w)), (a, b, w)


def test_viterbi_equals_plain_version():
    from discourse.parse.segment import Line, Segmenter

    rng = np.random.default_rng(5)
    seg = Segmenter()
    for trial in range(400):
        n = int(rng.integers(1, 40))
        forced_kind = trial % 4  # none, a section split, all article, random (inconsistent) forcing
        lines = []
        for i in range(n):
            forced = {0: None, 1: "article" if i < n // 2 else "comments", 2: "article",
                      3: rng.choice([None, "article", "comments"])}[forced_kind]
            lines.append(Line(i, "x", gap_before=rng.choice(["", "blank"]), forced=forced))
        # coarse values make ties, where the order of comparisons matters
        sa = (rng.integers(-8, 8, n) / 2.0).tolist()
        sr = (rng.integers(-8, 8, n) / 2.0).tolist()
        ends, continues = float(rng.integers(-4, 1)) / 2, float(rng.integers(-4, 1)) / 2
        assert seg._viterbi(lines, sa, sr, ends, continues) == viterbi_plain(seg, lines, sa, sr, ends, continues)


def test_first_argmax_matches_per_segment_argmax():
    rng = np.random.default_rng(2)
    for _ in range(200):
        size = rng.integers(0, 5, int(rng.integers(1, 12)))
        starts = np.zeros(len(size) + 1, dtype=np.int64)
        np.cumsum(size, out=starts[1:])
        values = rng.integers(-3, 3, int(starts[-1])).astype(float)  # ties on purpose
        if len(values) and rng.random() < 0.2:
            values[rng.integers(0, len(values))] = np.nan
        best, top = features.first_argmax(values, starts, size)
        for k in range(len(size)):
            part = values[starts[k]:starts[k + 1]]
            if not len(part) or np.isnan(part.max()):
                assert best[k] == -1
            else:
                assert best[k] == starts[k] + int(np.argmax(part)) and top[k] == part.max()


def test_static_scores_equal_one_weight_row_per_feature_row():
    from types import SimpleNamespace

    rng = np.random.default_rng(4)
    for m in (1, 7, 300):
        starts = np.r_[0, np.cumsum(rng.integers(0, 40, m))]
        F = rng.standard_normal((int(starts[-1]), len(features.FEATURES))) * rng.integers(0, 2, (int(starts[-1]), 1))
        blk = SimpleNamespace(m=m, starts=starts, F=F)
        fake = SimpleNamespace(static_w=rng.standard_normal((len(decode.MODELS), len(features.FEATURES))))
        for model in (np.zeros(m, dtype=np.int64), rng.integers(0, len(decode.MODELS), m)):
            seg = np.repeat(np.arange(m), np.diff(starts))
            plain = np.einsum("rf,rf->r", F, fake.static_w[model[seg]])
            assert np.array_equal(decode.Decider._static_scores(fake, blk, model), plain)


def test_plain_words_never_match_the_user_name_token():
    """shape_score skips the user-name regex for plain and capitalised words."""
    import random

    from discourse.parse.segment import _USERNAME_TOKEN

    rng = random.Random(0)
    letters = list("abcxyzABCXYZéÉßİıǅǄΣσς") + ["\u0307", "1", "_", "²", "'"]
    words = {"".join(rng.choice(letters) for _ in range(rng.randint(1, 8))) for _ in range(50_000)}
    for w in words:
        if w.isalpha() and w[1:].islower():
            assert _USERNAME_TOKEN.match(w) is None, w


def test_ascii_token_patterns_equal_unicode_ones_on_ascii_text():
    import random
    import string

    rng = random.Random(3)
    chars = string.ascii_letters + string.digits + "_'’ \n.,;:-!?@#()\"" * 2
    for _ in range(2000):
        text = "".join(rng.choice(chars) for _ in range(rng.randint(0, 60)))
        if text.isascii():
            assert similarity._TOKEN_ASCII.findall(text) == similarity._TOKEN.findall(text)
            assert cues._WORDS_ASCII.findall(text) == cues._WORDS.findall(text)


def test_ascii_opening_patterns_equal_unicode_ones_on_ascii_text():
    import random

    rng = random.Random(5)
    pieces = ["no", "No!", "you", "You're", "u", "U.S.", "yours", "OK,", "okay", "thanks", "Thank you", " ", "  ",
              "x", "1", "_", "'", ":", "+1", "what?", "Haha", "so you", "\n", "-", "nope", "YOU"]
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        assert (cues._REBUTTAL_ASCII.match(text) is None) == (cues._REBUTTAL.match(text) is None), text
        assert (cues._SECOND_PERSON_LOWER.search(text.lower()) is None) == (
            cues._SECOND_PERSON.search(text) is None), text


def test_distinct_equals_numpy_unique():
    rng = np.random.default_rng(6)
    for n in (0, 1, 5, 1000):
        for high in (3, 10**9):
            values = rng.integers(0, high, n)
            assert np.array_equal(features.distinct(values), np.unique(values))


def test_decode_scores_equal_line_by_line(monkeypatch):
    """The per-pass scores, worked out with numpy, are those of the plain loop, to the bit."""
    from collections import Counter

    from discourse.parse.segment import Line, PageEvidence, Segmenter

    rng = np.random.default_rng(8)
    seg = Segmenter()
    captured = {}
    monkeypatch.setattr(Segmenter, "_viterbi", lambda self, lines, sa, sr, e, c: captured.update(sa=sa, sr=sr))
    gaps = ["", "blank", "action", "blank+timestamp", "end"]
    for _ in range(200):
        n = int(rng.integers(1, 30))
        keys = [f"k{int(x)}" for x in rng.integers(0, 8, n)]
        lines = [Line(i, keys[i], str(rng.choice(gaps)), str(rng.choice(gaps))) for i in range(n)]
        shapes = (rng.integers(-24, 8, n) / 2.0).tolist()
        base = (np.array(shapes) + rng.integers(-3, 4, n) / 4.0).tolist()
        ev = PageEvidence(line_counts=Counter({f"k{int(x)}": int(rng.integers(1, 4)) for x in range(8)}))
        if rng.random() < 0.5:
            ev.known_names = {f"k{int(x)}" for x in rng.integers(0, 10, 3)}
        if rng.random() < 0.5:
            ev.gap_odds = {(side, g): float(rng.integers(-6, 7)) / 2 for side in ("before", "after") for g in gaps[:3]}
        seg._decode(lines, ev, shapes, keys, base)
        sa, sr = decode_scores_plain(seg, lines, ev, shapes, keys, base)
        assert captured["sa"] == sa and captured["sr"] == sr


def test_learn_from_equals_counting_line_by_line():
    from discourse.parse.segment import Line, PageEvidence, Segmenter

    rng = np.random.default_rng(9)
    seg = Segmenter()
    gaps = ["", "blank", "action", "blank+timestamp", "end"]
    for _ in range(200):
        n = int(rng.integers(1, 40))
        lines = [Line(i, f"k{int(rng.integers(0, 6))}", str(rng.choice(gaps)), str(rng.choice(gaps))) for i in range(n)]
        labels = rng.integers(0, 4, n).tolist()
        ev = PageEvidence()
        seg._learn_from(lines, labels, ev)
        names, continues, ends, odds = learned_evidence_plain(lines, labels)
        assert ev.known_names == names
        if odds is None:
            continue
        assert ev.text_continues == continues
        assert ev.text_ends == ends
        assert ev.gap_odds == odds
