"""Framing's shortcuts give what the plain computation gives.

Frames memoise each distinct sentence and tokenise it alone when no word can cross its edges,
build the table column by column, and score an entry resting on one cue from a per-weight table;
each test runs the other path (or the reference in ``reference.py``) on the same input.
"""
import gc

import pandas as pd
import pytest
from conftest import TRICKY_TEXTS
from reference import frames_from_tag_text, framing_module, plain_decide

from discourse.analysis.framing import FRAME_COLUMNS, FrameTagger, gc_paused

TEXTS = TRICKY_TEXTS[:-1] + ["Well said. Well said. Well said. This is GREAT :) but awful."]


def _units(texts, paragraph=-1):
    return pd.DataFrame({"thread_id": "t", "comment_id": [f"c{i}" for i in range(len(texts))],
                         "paragraph": paragraph, "text": texts})


class _Everything:
    def __contains__(self, char):
        return True


def test_decide_one_cue_shortcut_matches_plain_decision():
    tagger = FrameTagger(thresholds={"Loaded Language": 0.0})
    cutoffs = tagger._cutoffs()
    seen = 0
    for text in TEXTS * 2:
        for _, _, hits in tagger._score_unit(text):
            assert tagger._decide(hits, None, cutoffs) == plain_decide(tagger, hits, cutoffs)
            seen += sum(len(slot) == 1 for slot in hits.values())
    assert seen  # the shortcut was taken


def test_frames_table_equals_rows_built_from_tag_text():
    """The column-built table against one built from row tuples of ``tag_text``, unit by unit."""
    tagger = FrameTagger()
    for units in (_units(TEXTS * 2), _units(TEXTS, paragraph=3)):
        got = tagger.transform(units)
        assert len(got) > 5 and got["kind"].nunique() == 2
        pd.testing.assert_frame_equal(got, frames_from_tag_text(tagger, units), check_exact=True)
    empty = tagger.transform(_units([""]))
    assert list(empty.columns) == FRAME_COLUMNS and len(empty) == 0


def test_sentences_alone_and_in_their_unit_tag_alike(monkeypatch):
    units = _units(TRICKY_TEXTS * 3)  # repeats: the memo is used
    fast = FrameTagger().transform(units)
    assert fast["evidence"].str.contains("said before").any()
    assert fast["evidence"].str.contains("repeated|x3").any()
    # Every inner sentence edge counts as one a word might cross: tokens come from the whole unit.
    monkeypatch.setattr(framing_module(), "_TOKEN_CHARS", _Everything())
    slow = FrameTagger().transform(units)
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)


def test_gc_paused_restores_the_collector():
    assert gc.isenabled()
    FrameTagger().transform(_units(TRICKY_TEXTS))
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
