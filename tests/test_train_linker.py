"""The linker trainer learns weights that pick the gold parent on a small, clear-cut thread."""

import numpy as np

from evaluation.train_linker import accuracy, examples_for, fit
from discourse.model import Article, Comment, Thread
from discourse.parse.linking import ReplyLinker


def small_thread():
    comments = [
        Comment("a", "Drone production in Kyiv will triple this year.", author="Ann", timestamp="1"),
        Comment("b", "Ann: triple? Drone production in Kyiv cannot triple that fast.", author="Bob",
                parent_id="a", timestamp="2"),
        Comment("c", "Sanctions on engines matter more than factories.", author="Cy", timestamp="3"),
        Comment("d", "Bob: it can, drone production in Kyiv already doubled.", author="Ann", parent_id="b",
                timestamp="4"),
        Comment("e", "Cy: engines come from China anyway, sanctions or not.", author="Dee", parent_id="c",
                timestamp="5"),
    ]
    return Thread("t", "test", Article(text="Ukraine plans more drones."), comments)


def test_fit_learns_addressing():
    linker = ReplyLinker(semantic=False)
    examples = examples_for(small_thread(), "news", linker)
    assert {e.model for e in examples} >= {"header", "implicit"}
    implicit = [e for e in examples if e.model == "implicit"]
    theta = fit(implicit, {"news": 1.0})
    assert theta.shape[0] == implicit[0].rows.shape[1]
    assert accuracy(implicit, theta) == 1.0
    assert accuracy(implicit, np.zeros_like(theta)) < 1.0  # untrained weights do not get it right
