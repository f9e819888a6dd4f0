"""The fast paths of the parser give the same answers as the plain ones they replace."""

import numpy as np
import pytest

from discourse.evaluation.bench_parse import synthetic_page
from discourse.parse import linking, parse_page
from discourse.parse.furniture import MAX_CHROME_CHARS, default_rules


@pytest.fixture(scope="module")
def page():
    return synthetic_page(0.15, seed=3)[0]


def _links(thread):
    return [(c.parent_id, c.link, c.confidence, c.evidence) for c in thread.comments]


def test_block_decision_equals_one_by_one(page, monkeypatch):
    fast = _links(parse_page(page, semantic=False))
    original = linking._Decider.decide
    monkeypatch.setattr(linking._Decider, "decide", lambda self, blk, max_rounds=60: original(self, blk, 0))
    assert _links(parse_page(page, semantic=False)) == fast


def test_block_size_does_not_change_links(page):
    big = _links(parse_page(page, semantic=False))
    small = _links(parse_page(page, semantic=False, linker=linking.ReplyLinker(semantic=False, block=7)))
    assert small == big


def test_tfidf_matches_scikit_learn():
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = ["Drones from Kyiv, drones again!", "The sanctions don't work.", "the the the", "",
             "Kyiv's drone output doubled; sanctions matter"]
    ours = linking._Similarity.tfidf(texts, "An article about drones.", linking.stop_words(), chunk=2).sparse
    ref = TfidfVectorizer(stop_words="english", sublinear_tf=True, dtype=np.float32,
                          token_pattern=r"(?u)\b[^\W\d_][\w'’]+\b").fit_transform(texts + ["An article about drones."])
    assert np.allclose((ours @ ours.T).toarray(), (ref @ ref.T).toarray(), atol=1e-5)


def test_combined_furniture_regex_matches_rule_by_rule(page):
    rules = default_rules()

    def one_by_one(line, region):
        for rule in rules.rules:
            if rule.where not in ("both", region) or (rule.kind != "furniture" and len(line) > MAX_CHROME_CHARS):
                continue
            if rule.regex.fullmatch(line) and (rule.requires != "language_codes" or rules._all_language_codes(line)):
                return rule.kind, rule.reason
        return None

    lines = {s.strip() for s in page.splitlines() if s.strip()} | {
        "ua en ru", "en | fr", "ok no", "Reply · 12 likes", "READ MORE: more", "6 days ago", "112 Comments"}
    for line in lines:
        for region in ("article", "comments"):
            m = rules.classify(line, region)
            assert (None if m is None else (m.kind, m.reason)) == one_by_one(line, region), line


def test_page_order_score_tells_nested_from_chronological():
    topics = ["drones kyiv factory", "sanctions engines china", "ferry crossing weather", "election ballots count",
              "harbour pollution fish", "pension reform strike", "vaccine trial results", "stadium budget overrun",
              "wildfire evacuation smoke", "railway strike delays", "housing prices interest", "hockey playoffs goalie"]
    texts = [t + " " + w for t in topics for w in ("indeed", "again")]  # each reply right under its parent
    nested = linking._Similarity.tfidf(texts, "", linking.stop_words())
    shuffled = [texts[k] for k in np.random.default_rng(0).permutation(len(texts))]
    chrono = linking._Similarity.tfidf(shuffled, "", linking.stop_words())
    assert linking.page_order_score(nested, len(texts), 30) > 1.0
    assert abs(linking.page_order_score(chrono, len(texts), 30)) < 0.5


def _band_by_products(X, a, b, w):
    """The plain band: one elementwise product of two row ranges per distance."""
    out = np.zeros((b - a, w))
    for d in range(1, w + 1):
        lo = max(a, d)
        if lo < b:
            prod = linking._rows(X, lo, b).multiply(linking._rows(X, lo - d, b - d))
            out[lo - a:, d - 1] = np.asarray(prod.sum(axis=1)).ravel()
    return out


def test_sparse_band_is_bit_identical_to_row_products(page):
    thread = parse_page(page, semantic=False)
    texts = [c.text for c in thread.comments]
    X = linking._Similarity.tfidf(texts, thread.article.text, linking.stop_words()).sparse
    n = len(texts)
    for a, b, w in ((0, n, 30), (1, min(n, 200), 30), (n // 2, n, 7), (5, 6, 30), (0, 3, 1), (n - 1, n, 30)):
        assert np.array_equal(linking._sparse_band(X, a, b, w), _band_by_products(X, a, b, w)), (a, b, w)
