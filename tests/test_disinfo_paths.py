"""Disinfo's list-based paths against the pandas-based code they replaced (``reference.py``), and
its screened phrase matcher against the matcher it screens for."""
import math

import numpy as np
import pandas as pd
from reference import plain_disinfo_threads

from discourse.analysis.disinfo import _LINK_OR_HANDLE, DisinfoRisk, _best_per_unit, _Screened
from discourse.text import PhraseMatcher


def _comments():
    rng = np.random.default_rng(3)
    rows = []
    replies = ["Not true at all", "This never happened", "no", "Source?", "media lies again", "ok",
               "they don\u2019t want you to know", "@nobody https://x.com/not", "", "I heard it was staged"]
    for t in range(7):
        for k in range(int(rng.integers(1, 9))):
            rows.append({
                "thread_id": f"t{t}", "comment_id": f"c{t}_{k}",
                "parent_id": None if k in (0, 3) else ("" if k == 4 else f"c{t}_0"),
                "position": int(rng.integers(0, 4)),  # ties: the first root is chosen as before
                "text": ("unconfirmed: reportedly 40 dead" if k == 0 else "staged?" if k in (3, 4)
                         else replies[int(rng.integers(len(replies)))]),  # (a root without text fails)
                "stance": [None, "deny", "query", "support", "comment", "deny"][int(rng.integers(6))],
                "p_deny": float(rng.random()) if t != 2 and rng.random() < 0.8 else math.nan,
                "timestamp": None if t == 3 else f"2024-01-0{1 + k % 3}T10:{k:02d}:00",
            })
    rows.append(dict(rows[0], thread_id=None, comment_id="orphan"))
    return pd.DataFrame(rows)


def test_threads_from_row_lists_equal_the_frame_version():
    model = DisinfoRisk()
    comments = _comments()
    articles = {"t0": "Officials say the bridge collapsed.", "t1": "", "t5": "Unverified: sources say",
                "t9": "An article with no comments"}
    units = model.transform(comments, articles=articles)
    published = {"t0": "2024-01-01T09:00:00", "t5": "2024-01-01"}
    for arts, pub in ((articles, published), (None, None), ({}, {})):
        fast = model.threads(units, comments, arts, published=pub)
        assert (fast["disinfo_risk"] > 0).any()
        pd.testing.assert_frame_equal(fast, plain_disinfo_threads(model, units, comments, arts, published=pub),
                                      check_exact=True)
    for drop in (["stance"], ["p_deny"], ["timestamp"], ["stance", "p_deny", "timestamp"]):
        c = comments.drop(columns=drop)
        pd.testing.assert_frame_equal(model.threads(units, c, articles),
                                      plain_disinfo_threads(model, units, c, articles), check_exact=True)
    empty = comments.iloc[:0]
    pd.testing.assert_frame_equal(model.threads(units, empty, articles),
                                  plain_disinfo_threads(model, units, empty, articles), check_exact=True)


def test_screened_phrases_find_what_the_matcher_finds():
    phrases = ["media lies", "fake news", "they don't want you to know", "cover-up", "msm", "i heard", "do"]
    screened, plain = _Screened(phrases), PhraseMatcher(phrases)
    texts = ["The MEDIA lies!", "fake  news", "They don\u2019t want you to know", "cover up", "coverup",
             "msm.", "amsm", "I heard", "do", "don't", "They do not want you to know", "", "medialies",
             "news fake", "Ich habe — MSM", "İ heard"]
    for text in texts:
        assert screened.find(text) == plain.find(text), text
    assert screened.possible("Coverup") and not screened.find("Coverup")  # a screen, not a match


def test_negation_skips_the_link_pass_only_when_nothing_would_go():
    model = DisinfoRisk()
    for text in ["not @now", "no www.x.org", "HTTP://not.com never", "fine", "Didn\u2019t", "@ no", "http no"]:
        lower = text.lower().replace("\u2019", "'")
        m = model._negation.search(_LINK_OR_HANDLE.sub(" ", lower))
        assert model.negation(text) == (m.group() if m else "")


def test_best_rows_from_column_lists_match_records():
    frame = pd.DataFrame({
        "thread_id": ["t", "t", "t", "u", "u"], "comment_id": ["", "c1", "c1", "c2", "c2"],
        "narrative": ["n1", "n2", None, "n3", "n4"], "subnarrative": [None, "s", "s2", math.nan, ""],
        "score": [0.5, 0.7, 0.9, 0.1, 0.1], "paragraph": [0, -1, -1, -1, -1], "raw": [1, None, 3.5, "x", "y"],
        "evidence": pd.array(["a", None, "c", "d", "e"], dtype="str"), "other": [object(), 1, 2, 3, 4],
    })
    for by in ("score", None):
        want = _best_per_unit(frame, by=by)
        got = _best_per_unit(frame, by=by, columns=("narrative", "subnarrative", "score", "raw", "evidence", "nope"))
        assert list(got) == list(want)
        for key, row in got.items():
            assert set(row) == {"thread_id", "comment_id", "narrative", "subnarrative", "score", "raw", "evidence"}
            for col, value in row.items():
                expected = want[key][col]
                assert type(value) is type(expected), (col, value, expected)
                both_nan = isinstance(value, float) and math.isnan(value) and math.isnan(expected)
                assert value == expected or both_nan, (col, value, expected)
