"""Frames, sentence tone and incivility built the fast way give what the plain way gives.

Frames and sentence tones are built column by column instead of from row tuples, and frame
decisions of an entry resting on one cue take a per-weight score; these tests compare each with
the straightforward computation on the same input.
"""
import pandas as pd
from conftest import TRICKY_TEXTS

from discourse.analysis.framing import FRAME_COLUMNS, FrameTagger
from discourse.analysis.framing.catalogue import _merge_nested
from discourse.analysis.sentiment import SCORE_COLUMNS, Sentiment, polarity
from discourse.text import sentence_spans

TEXTS = TRICKY_TEXTS[:-1] + ["Well said. Well said. Well said. This is GREAT :) but awful."]


def _units(texts, paragraph=-1):
    return pd.DataFrame({"thread_id": "t", "comment_id": [f"c{i}" for i in range(len(texts))],
                         "paragraph": paragraph, "text": texts})


def _plain_decide(tagger, hits, cutoffs):
    """FrameTagger._decide without a similarity row, as it read before the one-cue shortcut."""
    out = []
    for ei in sorted(hits):
        e = tagger.catalogue.entries[ei]
        cues = _merge_nested(hits.get(ei, {}).values())
        keep = 1.0
        for w, _ in cues:
            keep *= 1.0 - w
        evidence = [cues[0][1]] if len(cues) == 1 else [ev for _, ev in sorted(cues, key=lambda x: -x[0])]
        score = round(1.0 - keep, 4)
        if score >= cutoffs[ei]:
            out.append((e.kind, e.name, score, "; ".join(evidence)))
    return out


def test_decide_one_cue_shortcut_matches_plain_decision():
    tagger = FrameTagger(thresholds={"Loaded Language": 0.0})
    cutoffs = tagger._cutoffs()
    seen = 0
    for text in TEXTS * 2:
        for _, _, hits in tagger._score_unit(text):
            assert tagger._decide(hits, None, cutoffs) == _plain_decide(tagger, hits, cutoffs)
            seen += sum(len(slot) == 1 for slot in hits.values())
    assert seen  # the shortcut was taken


def test_frames_frame_matches_row_built_frame():
    tagger = FrameTagger()
    units = _units(TEXTS * 2)
    got = tagger.transform(units)
    assert len(got)
    rows = list(got.astype(object).itertuples(index=False, name=None))
    want = pd.DataFrame(rows, columns=FRAME_COLUMNS).astype(
        {"score": float, "sentence_index": int, "start": int, "end": int, "paragraph": int})
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    empty = tagger.transform(_units([""]))
    assert list(empty.columns) == FRAME_COLUMNS and len(empty) == 0


def test_sentence_tones_match_row_built_frame():
    s = Sentiment(max_chars=30)
    for units in (_units(TEXTS), _units(TEXTS, paragraph=3), _units(TEXTS).drop(columns="paragraph")):
        got = s.sentences(units)
        paras = units["paragraph"].tolist() if "paragraph" in units else [-1] * len(units)
        rows = [(tid, cid, para, i, a, b, text[a:b], *polarity(text[a:b][:30]))
                for tid, cid, para, text in zip(units["thread_id"], units["comment_id"], paras, units["text"])
                for i, (a, b) in enumerate(sentence_spans(text or ""))]
        want = pd.DataFrame(rows, columns=["thread_id", "comment_id", "paragraph", "sentence_index", "start",
                                           "end", "sentence", *SCORE_COLUMNS])
        pd.testing.assert_frame_equal(got, want, check_exact=True)
    empty = s.sentences(_units([""]))
    want = pd.DataFrame([], columns=["thread_id", "comment_id", "paragraph", "sentence_index", "start", "end",
                                     "sentence", *SCORE_COLUMNS])
    pd.testing.assert_frame_equal(empty, want, check_exact=True)
