"""Incivility's phrase lookup and its second-word gate: pinned results, and the gated lookup
against looking up every phrase-starting word."""
from discourse.analysis.incivility import Incivility, _Phrases


def test_incivility_phrases_longest_first():
    p = _Phrases(["shut up", "shut up you", "go yourself"])
    assert p.match_at(["shut", "up", "you", "x"], 0) == 3
    assert p.match_at(["shut", "up"], 0) == 2
    assert p.match_at(["shut"], 0) == 0
    assert p.match_at(["go", "yourself"], 0) == 2
    assert p.match_at(["go", "hug", "yourself"], 0) == 0
    inc = Incivility()
    feats, evidence, _ = inc._features("You are an idiot. Idiots like you!!!")
    assert feats["targeted"] > 0 and evidence


def test_incivility_second_word_gate_changes_nothing():
    """Words that only start phrases are looked up only before one of their phrases' second words;
    the features and evidence must be those of looking up every such word."""
    texts = [
        "I will kill you. The idiots like you, the the end. What a joke, what a clown!",
        "Go back to where you came from, all of them are the same. I hope you die.",
        "Not all of them, but these people are vermin. You are a fool. the",
        "Shut up, you moron!!! Nobody asked for your opinion, the loser.",
    ]
    gated = Incivility()
    ungated = Incivility()
    ungated._second_words = {}
    assert gated._second_words  # the gate is in use
    for text in texts:
        assert gated._features(text) == ungated._features(text), text
