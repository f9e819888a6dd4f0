"""``pipeline.thread_table`` from row lists equals the groupby version (``reference.py``)."""
import math

import pandas as pd
from reference import plain_thread_table

from discourse.analysis.pipeline import thread_table
from discourse.model import Article, Comment, Thread


def test_thread_table_from_row_lists_equals_the_groupby_version():
    threads = [Thread(thread_id=f"t{k}", source="s", article=Article(title="T", text="a b c", outlet="o"),
                      comments=[Comment(comment_id=f"c{k}{i}", author=None if i == 2 else f"a{i % 2}", text="x")
                                for i in range(k)]) for k in range(4)]
    comments = pd.DataFrame({
        "thread_id": ["t1", "t2", "t2", "t3", "t3", "t3", None],
        "author": ["a0", "a1", None, "a0", "a0", "a1", "z"],
        "depth": [0, 0, 1, 0, 2, 1, 5],
        "sentiment": [0.1, -0.3, math.nan, 0.2, 0.7, -0.1, 1.0],
        "stance": ["deny", "query", None, "comment", "deny", "deny", "deny"],
    })
    for frame in (comments, comments.drop(columns=["sentiment", "stance"]), comments.astype({"depth": float}),
                  comments.iloc[:0]):
        pd.testing.assert_frame_equal(thread_table(threads, frame), plain_thread_table(threads, frame),
                                      check_exact=True)
