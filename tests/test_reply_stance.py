"""Reply stance: the shipped weights load from plain JSON and behave on obvious cases."""

import json

import numpy as np
import pandas as pd
import pytest

from discourse.analysis.reply_stance import (
    LABELS,
    OUTPUT_COLUMNS,
    ReplyStance,
    StanceCues,
    clean_text,
)
from discourse.resources import data_path


class FakeEmbedder:
    """Stands in for MiniLM: deterministic unit vectors, and records each batch it was asked for."""

    def __init__(self):
        self.calls = []

    def encode(self, texts):
        self.calls.append(list(texts))
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for i, t in enumerate(texts):
            rng = np.random.default_rng(abs(hash(t)) % (2**32))
            v = rng.normal(size=384)
            out[i] = v / np.linalg.norm(v)
        return out


@pytest.fixture(scope="module")
def lexical():
    return ReplyStance(use_embeddings=False)


def test_weights_are_plain_json_with_the_four_classes():
    raw = data_path("reply_stance.json").read_bytes()
    assert not raw.startswith(b"\x80")  # not a pickle
    doc = json.loads(raw)
    assert tuple(doc["classes"]) == LABELS == ("support", "deny", "query", "comment")
    for spec in doc["models"].values():
        d = len(spec["features"])
        assert np.asarray(spec["coef"]).shape == (4, d)
        assert len(spec["mean"]) == len(spec["scale"]) == d
        assert len(spec["intercept"]) == 4
    assert set(doc["models"]) == {"embedding", "lexical"}


def test_obvious_denial_and_query(lexical):
    out = lexical.predict(["That's fake, it never happened", "Is this confirmed? source?"],
                          ["Police say the gunman has been arrested.", "Police say the gunman has been arrested."])
    assert list(out.columns)[:3] == ["stance", "stance_score", "stance_evidence"]
    assert out[["p_support", "p_deny", "p_query", "p_comment"]].sum(axis=1).round(2).eq(1.0).all()
    assert out.stance.tolist() == ["deny", "query"]
    assert "'fake'" in out.stance_evidence[0]
    assert "question mark" in out.stance_evidence[1]
    assert ((out.stance_score > 0.25) & (out.stance_score <= 1)).all()


def test_embedding_model_with_one_batch_to_the_encoder():
    emb = FakeEmbedder()
    rs = ReplyStance(embedder=emb)
    out = rs.predict(["That's fake, it never happened", "Is this confirmed? source?"],
                     ["Breaking: the minister resigned", None])
    assert len(emb.calls) == 1  # texts and parents encoded together
    assert len(out) == 2 and set(out.stance) <= set(LABELS)
    assert out.stance[1] == "query"


def test_transform_looks_up_parents_within_the_thread(lexical):
    comments = pd.DataFrame({
        "thread_id": ["t1", "t1", "t1", "t2", "t2"],
        "comment_id": ["a", "b", "c", "a", "d"],
        "parent_id": [None, "a", "zz", None, "a"],
        "text": ["Great reporting, confirmed by police.", "No, that's not true. It's a hoax.",
                 "Source?", "", "Why would anyone believe this?"],
    })
    out = lexical.transform(comments, {"t1": "The bridge collapsed this morning."})
    assert list(out.columns) == OUTPUT_COLUMNS
    assert out.comment_id.tolist() == ["a", "b", "c", "a", "d"]
    assert out.stance[1] == "deny" and out.stance[2] == "query"
    assert out.stance_evidence.map(len).gt(0).all()


def test_empty_inputs(lexical):
    assert lexical.predict([], []).empty
    out = lexical.transform(pd.DataFrame(columns=["thread_id", "comment_id", "parent_id", "text"]))
    assert out.empty and list(out.columns) == OUTPUT_COLUMNS
    odd = lexical.predict(["", "   ", None], [None, "", "x"])
    assert len(odd) == 3 and set(odd.stance) <= set(LABELS)


def test_parentless_post_is_not_pushed_to_support(lexical):
    """Without an article, a top-level comment is judged on its own words, as with one."""
    texts = ["I had pasta for dinner and watched a film.", "Is this true?", "This is a lie."]
    with_parent = lexical.predict(texts, ["The mayor announced a new park."] * 3).stance.tolist()
    without = lexical.predict(texts, [""] * 3).stance.tolist()
    assert with_parent[1:] == without[1:] == ["query", "deny"]


def test_cue_matching_and_long_line(lexical):
    cues = StanceCues()
    found = cues.match(["that", "is", "a", "total", "lie", "and", "fake", "news"])
    assert "fake news" in found["denial"] and "lie" in found["denial"]
    out = lexical.predict(["no " * 300_000 + "fake?"], ["a" * 1_000_000])  # cost: benchmarks/bench_hostile.py
    assert len(out) == 1
    assert clean_text("@bob RT this http://x.co/y #news") == "this news"


def test_wrong_classes_are_refused(tmp_path):
    doc = json.loads(data_path("reply_stance.json").read_text())
    doc["classes"] = ["a", "b", "c", "d"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    with pytest.raises(ValueError):
        ReplyStance(path=bad, use_embeddings=False)
