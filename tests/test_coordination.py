import math

import numpy as np
import pandas as pd
import pytest
from reference import normalise_plain

from discourse.analysis import coordination
from discourse.analysis.coordination import (
    COORDINATION_COLUMNS,
    Coordination,
    _block_pairs,
    _dense_pairs,
    _dense_pairs_direct,
    _tiled_candidates,
    _window_bursts,
    normalise,
    parse_times,
)

LONG = "Sanctions are destroying our economy and the politicians do not care at all."


def frame(rows, **extra):
    cols = ["thread_id", "comment_id", "author", "text"]
    df = pd.DataFrame(rows, columns=cols)
    for k, v in extra.items():
        df[k] = v
    return df


class WordEmbedder:
    """A stand-in encoder: bag-of-words vectors, so small edits stay close and topics do not."""

    def encode(self, texts):
        vocab = {}
        rows = []
        for t in texts:
            v = np.zeros(512, dtype=np.float32)
            for w in normalise(t).split():
                v[vocab.setdefault(w, hash(w) % 512)] += 1
            rows.append(v / max(np.linalg.norm(v), 1e-9))
        return np.stack(rows) if rows else np.zeros((0, 512), np.float32)


def test_normalise():
    assert normalise("  CHECK this: https://x.io/a?b=1 @bob!!  Now...") == "check this now"
    assert normalise(None) == ""


def test_exact_duplicates_across_authors_and_threads():
    df = frame([
        ("t1", "c1", "ann", LONG),
        ("t2", "c2", "bob", LONG.upper() + " https://spam.example/x"),
        ("t3", "c3", "cid", "  " + LONG.replace(" ", "   ") + "!!"),
        ("t1", "c4", "dan", "Something entirely different that nobody else said here."),
    ])
    out = Coordination(use_embeddings=False).transform(df)
    assert list(out.columns) == COORDINATION_COLUMNS
    first = out.iloc[0]
    assert first.exact_duplicates == 2 and first.duplicate_authors == 2
    assert first.duplicate_of == "c2; c3"
    assert first.duplicate_group and first.duplicate_group == out.iloc[2].duplicate_group
    assert "exact copy of 2 comments by 2 other authors" in first.coordination_reasons
    assert first.coordination_score == pytest.approx(0.75)
    assert out.iloc[3].duplicate_group == "" and out.iloc[3].coordination_score == 0


def test_same_author_copies_are_separate_unless_asked():
    df = frame([("t1", "c1", "ann", LONG), ("t2", "c2", "ann", LONG), ("t3", "c3", "bob", LONG)])
    out = Coordination(use_embeddings=False).transform(df)
    assert out.exact_duplicates.tolist() == [1, 1, 2]
    assert out.same_author_duplicates.tolist() == [1, 1, 0]
    assert out.duplicate_authors.tolist() == [1, 1, 1]
    assert "same author posted it 1 other time" in out.iloc[0].coordination_reasons
    both = Coordination(use_embeddings=False, also_same_author=True).transform(df)
    assert both.exact_duplicates.tolist() == [2, 2, 2]


def test_near_duplicate_paraphrase_embeddings():
    edited = "Sanctions are destroying our economy and politicians don't care at all!"
    df = frame([("t1", "c1", "ann", LONG), ("t2", "c2", "bob", edited),
                ("t3", "c3", "cid", "The weather in Stockholm was lovely for the forum this week.")])
    out = Coordination(embedder=WordEmbedder(), near_threshold=0.8).transform(df)
    assert out.near_duplicates.tolist() == [1, 1, 0]
    assert out.exact_duplicates.tolist() == [0, 0, 0]
    assert out.iloc[0].duplicate_of == "c2"
    assert "near-duplicate of 1 comment by 1 other author" in out.iloc[1].coordination_reasons


def test_near_duplicate_paraphrase_lexical():
    edited = "Sanctions are destroying our whole economy and the politicians do not care at all."
    df = frame([("t1", "c1", "ann", LONG), ("t2", "c2", "bob", edited),
                ("t1", "c3", "cid", "Sanctions are a tool that takes years to work on a large economy.")])
    out = Coordination(use_embeddings=False).transform(df)
    assert out.near_duplicates.tolist() == [1, 1, 0]


@pytest.mark.slow
def test_near_duplicate_with_the_sentence_encoder():
    edited = "Sanctions are destroying our economy, and our politicians don't care at all."
    df = frame([("t1", "c1", "ann", LONG), ("t2", "c2", "bob", edited),
                ("t3", "c3", "cid", "Drone production in Ukraine has grown a hundredfold this year.")])
    out = Coordination().transform(df)
    assert out.near_duplicates.tolist() == [1, 1, 0]


def test_short_texts_are_ignored():
    df = frame([("t1", "c1", "ann", "lol"), ("t1", "c2", "bob", "lol"), ("t2", "c3", "cid", "Agreed."),
                ("t2", "c4", "dan", "Agreed!")])
    out = Coordination(use_embeddings=False).transform(df)
    assert out.exact_duplicates.sum() == 0 and (out.duplicate_group == "").all()
    assert (out.coordination_score == 0).all()


def test_burst_with_timestamps():
    base = 1_700_000_000
    rows = [(f"t{i % 3}", f"c{i}", "spam", f"Comment number {i} with enough words to count.") for i in range(6)]
    rows.append(("t1", "c6", "calm", "An ordinary remark made once in the afternoon."))
    times = [base, base + 60, "2023-11-14T22:15:20Z", base + 200, base + 250, base + 5000, base + 100]
    out = Coordination(use_embeddings=False).transform(frame(rows, timestamp=times))
    assert out.burst.tolist() == [True] * 5 + [False, False]
    assert out.burst_size.tolist()[:5] == [5] * 5
    assert "burst: 5 comments by spam within 10 min" in out.iloc[0].coordination_reasons
    assert 0 < out.iloc[0].coordination_score < 0.5


def test_burst_without_timestamps_uses_page_order():
    authors = ["x", "x", "y", "x", "x", "x", "z", "a", "b", "x", "c", "d"]
    rows = [("t1", f"c{i}", a, f"Reply number {i}, long enough to matter.") for i, a in enumerate(authors)]
    out = Coordination(use_embeddings=False).transform(frame(rows, position=list(range(len(rows)))))
    # x holds 5 of the first 6 positions (window of 7): a burst; the later x comment is outside it
    assert out.burst.tolist() == [True, True, False, True, True, True] + [False] * 6
    # two people trading replies are not a burst
    alt = [("t1", f"c{i}", "xy"[i % 2], f"Turn {i} of a long back and forth argument.") for i in range(12)]
    assert not Coordination(use_embeddings=False).transform(frame(alt)).burst.any()


def test_window_bursts_is_exact():
    keys = np.array([0, 1, 2, 3, 10, 11, 12, 13, 14, 30], dtype=float)
    assert _window_bursts(keys, 4, 4).tolist() == [4, 4, 4, 4, 5, 5, 5, 5, 5, 0]


def test_parse_times():
    t = parse_times(["2024-01-01T00:00:00Z", 1704067200, "1704067200000", None, "", "soon"])
    assert t[0] == t[1] == t[2] == 1704067200
    assert np.isnan(t[3:]).all()


def test_empty_input():
    out = Coordination().transform(frame([]))
    assert list(out.columns) == COORDINATION_COLUMNS and out.empty


def test_duplicate_of_is_capped():
    df = frame([(f"t{i}", f"c{i}", f"u{i}", LONG) for i in range(30)])
    out = Coordination(use_embeddings=False, max_listed=5).transform(df)
    assert out.iloc[0].duplicate_of.endswith("(+24)") and out.iloc[0].exact_duplicates == 29
    assert out.iloc[0].coordination_score > 0.99


def test_hostile_long_text():
    """A megabyte of handles and a link: normalised to almost nothing, one row, no duplicates
    (its cost is measured by ``benchmarks/bench_hostile.py``)."""
    out = Coordination(use_embeddings=False).transform(frame([("t", "c", "a", "@" * 500_000 + "http://" + "a" * 500_000)]))
    assert len(out) == 1 and out.iloc[0].exact_duplicates == 0 and out.iloc[0].coordination_score == 0


def test_pruned_near_pairs_find_exactly_the_pairs_of_the_full_product():
    rng = np.random.default_rng(0)
    base = rng.normal(size=(1500, 384))
    # near-copies at several distances around the threshold, plus unrelated texts
    noisy = base[:900] + rng.normal(scale=rng.uniform(0.05, 0.4, size=(900, 1)), size=(900, 384))
    vectors = np.vstack([base, noisy]).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    full = _dense_pairs_direct(vectors, 0.92)
    pruned = _dense_pairs(vectors, 0.92)
    assert len(full) > 100
    assert [p[:2] for p in pruned] == [p[:2] for p in full]
    assert max(abs(a[2] - b[2]) for a, b in zip(pruned, full)) < 1e-5


def test_tiled_candidates_are_the_block_pairs_in_the_same_order():
    rng = np.random.default_rng(1)
    rows = rng.normal(size=(1000, 17)).astype(np.float32)
    rows[500:700] = rows[:200] + 0.05  # many pairs, across tiles and blocks
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    want = [(i, j) for a, b, _ in _block_pairs(rows, 0.8) for i, j in zip(a.tolist(), b.tolist())]
    for block, width in ((64, 128), (100, 100), (37, 300), (64, 30), (1000, 1000)):  # ragged edges included
        got = [(i, j) for a, b in _tiled_candidates(rows, 0.8, block, width) for i, j in zip(a.tolist(), b.tolist())]
        assert got == want, (block, width)
    assert len(want) > 200


def test_pruned_pairs_exact_when_vectors_live_almost_in_the_head():
    rng = np.random.default_rng(1)
    basis = rng.normal(size=(60, 384))
    low = rng.normal(size=(2300, 60)) @ basis  # rank 60: the rest is only the tiny noise below
    low[1200:] = low[:1100] + rng.normal(scale=0.3, size=(1100, 1)) * rng.normal(size=(1100, 60)) @ basis / 8
    vectors = (low + rng.normal(scale=1e-4, size=low.shape)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    full = _dense_pairs_direct(vectors, 0.92)
    assert len(full) > 100
    assert [p[:2] for p in _dense_pairs(vectors, 0.92)] == [p[:2] for p in full]


def test_normalise_skips_only_passes_that_would_find_nothing():
    for text in ["HTTP://x.org/a b", "ＨＴＴＰＳ://x", "ſee www.Y.com", "WWW.x", "mail me@x.org", "＠handle hi",
                 "plain text", "", None, math.nan, 42, "htTp:/not a link", "ẞtraße @ß"]:
        assert normalise(text) == normalise_plain(text), text


def test_normalise_ascii_byte_pass_equals_the_regex():
    for code in range(128):
        c = chr(code)
        for text in (c, "a" + c + "b", c * 3 + "x", "x" + c, "Ab_9" + c + " z", "_" + c + "_"):
            assert normalise(text) == normalise_plain(text), repr(text)


def test_coordination_shortcut_for_unique_texts_changes_nothing(monkeypatch):
    base = ["the same slogan pasted by many accounts today", "a quite different comment about the war",
            "the same slogan pasted by many accounts today!", "another unrelated long enough comment here",
            "short", "the same slogan pasted by many account today"]
    n = 40
    df = pd.DataFrame({
        "thread_id": [f"t{i % 3}" for i in range(n)], "comment_id": [f"c{i}" for i in range(n)],
        "author": [None if i % 7 == 0 else f"a{i % 5}" for i in range(n)],
        "text": [base[i % len(base)] if i % 4 else f"unique comment number {i} with enough words" for i in range(n)],
        "position": list(range(n)), "timestamp": [1_700_000_000 + 30 * i for i in range(n)],
    })
    model = Coordination(use_embeddings=False)
    fast = model.transform(df)
    assert (fast["exact_duplicates"] > 0).any() and (fast["burst_size"] > 0).any()
    monkeypatch.setattr(coordination, "_SHORTCUT", False)
    pd.testing.assert_frame_equal(fast, model.transform(df), check_exact=True)


def test_benchmark_corpus_has_copies_the_model_finds():
    """The benchmark's synthetic comments hold copies, and both modes flag them (no timing here)."""
    from benchmarks.bench_coordination import bench

    for use_embeddings in (True, False):
        result = bench(n=400, runs=1, use_embeddings=use_embeddings)
        assert result["comments"] == 400 and result["flagged"] > 0
