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


def test_calibration_maps_shares_to_the_rate_of_being_right():
    """Shares of 0.9 that are right half the time come out near 0.5; shares of 0.3 right 70% of
    the time near 0.7 (a logistic fit in the logit of the share)."""
    from evaluation.train_linker import fit_calibration

    rng = np.random.default_rng(0)
    outcomes = [("implicit", 0.9, bool(rng.random() < 0.5)) for _ in range(2000)]
    outcomes += [("implicit", 0.3, bool(rng.random() < 0.7)) for _ in range(2000)]
    slope, intercept = fit_calibration(outcomes)["implicit"]
    linker = ReplyLinker(semantic=False)
    linker.calibration = {"implicit": (slope, intercept)}
    from discourse.parse.decode import MODELS, Decider

    decider = Decider(linker, small_thread(), page=None)
    got = decider.calibrated(np.array([0.9, 0.3]), np.array([MODELS.index("implicit")] * 2))
    assert abs(got[0] - 0.5) < 0.05 and abs(got[1] - 0.7) < 0.05


def test_link_outcomes_cover_every_layout():
    from evaluation.train_linker import link_outcomes

    outcomes = link_outcomes([small_thread()], ReplyLinker(semantic=False))
    assert len(outcomes) == 6 * len(small_thread().comments)  # 2 orders x 3 header modes
    assert {m for m, _, _ in outcomes} >= {"header", "implicit"}
    assert all(0.0 < share <= 1.0 for _, share, _ in outcomes)
