"""Sentence tones built column by column give the table built from row tuples."""
import pandas as pd
from conftest import TRICKY_TEXTS
from reference import sentence_tones_plain

from discourse.analysis.sentiment import SCORE_COLUMNS, Sentiment

TEXTS = TRICKY_TEXTS[:-1] + ["Well said. Well said. Well said. This is GREAT :) but awful."]


def _units(texts, paragraph=-1):
    return pd.DataFrame({"thread_id": "t", "comment_id": [f"c{i}" for i in range(len(texts))],
                         "paragraph": paragraph, "text": texts})


def test_sentence_tones_match_row_built_frame():
    s = Sentiment(max_chars=30)
    for units in (_units(TEXTS), _units(TEXTS, paragraph=3), _units(TEXTS).drop(columns="paragraph")):
        got = s.sentences(units)
        assert len(got) > len(TEXTS)
        pd.testing.assert_frame_equal(got, sentence_tones_plain(units, 30), check_exact=True)
    empty = s.sentences(_units([""]))
    want = pd.DataFrame([], columns=["thread_id", "comment_id", "paragraph", "sentence_index", "start", "end",
                                     "sentence", *SCORE_COLUMNS])
    pd.testing.assert_frame_equal(empty, want, check_exact=True)
