"""The thread model: JSON round trip, depths that survive broken links, the DataFrame view."""

import pytest

from discourse.model import Article, Comment, RemovedLine, Thread


def thread():
    return Thread("t1", "page.txt", Article(title="T", outlet="x.com", published="2023-10-26", text="p1\np2",
                                            removed=[RemovedLine("Reply", "comments: action")]),
                  [Comment("a", "top", author="Ann"), Comment("b", "re", author="Bob", parent_id="a",
                                                            reply_to="Ann", position=1, link="explicit"),
                   Comment("c", "re re", author="Ann", parent_id="b", position=2, link="inferred",
                           confidence=0.61234567)])


def test_round_trip_and_contract():
    t = thread()
    d = t.to_dict()
    assert d["comments"][2]["confidence"] == 0.6123
    assert Thread.from_dict(d).to_dict() == d
    assert t.article.paragraphs() == ["p1", "p2"]


def test_depths_with_missing_parent_and_cycle():
    t = Thread("t", "s", comments=[Comment("a", "x"), Comment("b", "y", parent_id="a"),
                                   Comment("c", "z", parent_id="b"), Comment("d", "w", parent_id="gone"),
                                   Comment("e", "q", parent_id="f"), Comment("f", "q", parent_id="e")])
    depth = t.depths()
    assert depth["a"] == 0 and depth["b"] == 1 and depth["c"] == 2 and depth["d"] == 0
    assert set(depth) == {"a", "b", "c", "d", "e", "f"}  # a cycle does not hang or drop anything


def test_frame_has_one_row_per_comment():
    df = thread().to_frame()
    assert list(df["comment_id"]) == ["a", "b", "c"]
    assert list(df["depth"]) == [0, 1, 2]
    assert df["outlet"].iloc[0] == "x.com"


@pytest.mark.parametrize("bad", [{"comments": []}, {"thread_id": "t", "comments": [{"text": "no id"}]},
                                 {"thread_id": "t", "comments": [{"comment_id": "a", "position": [1]}]},
                                 {"thread_id": "t", "comments": [{"comment_id": "a", "link": "guessed"}]}])
def test_bad_objects_raise_value_error(bad):
    with pytest.raises(ValueError):
        Thread.from_dict(bad)
