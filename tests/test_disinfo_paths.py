"""Disinfo's shortcuts: the screened phrase matcher against the matcher it screens for, the
negation search that skips the link pass, and best rows read from column lists."""
import math

import pandas as pd

from discourse.analysis.disinfo import _LINK_OR_HANDLE, DisinfoRisk, _best_per_unit, _Screened
from discourse.text import PhraseMatcher


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
