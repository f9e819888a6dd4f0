import json

import numpy as np
import pandas as pd
import pytest
from conftest import SHARED_DATA, thread_file

from discourse.analysis.incivility import SCORE_COLUMNS, TRANSFORM_COLUMNS, Incivility, Phrases
from discourse.model import threads_to_frame
from discourse.resources import data_path

CIVIL = "I disagree, the figures say otherwise."


@pytest.fixture(scope="module")
def inc():
    return Incivility()


def _one(inc, text):
    return inc.score([text]).iloc[0]


def test_insult_aimed_at_commenter(inc):
    row = _one(inc, "You are a complete moron if you believe that.")
    assert row["incivility"] > 0.6
    assert "insult aimed at a commenter: 'You are a complete moron'" in row["incivility_reasons"]
    assert row["insult"] > 0.5
    assert row["incivility"] > _one(inc, CIVIL)["incivility"] + 0.3


def test_obfuscated_profanity(inc):
    for text, word in (("What a load of sh1t.", "sh1t"), ("Oh f*ck off with that.", "f*ck"),
                       ("Total b***h move", "b***h"), ("what an a$$hole", "a$$hole")):
        row = _one(inc, text)
        assert f"profanity: '{word}'" in row["incivility_reasons"], (text, row["incivility_reasons"])
        assert row["profanity"] > 0.5


def test_threat_and_wish_of_harm(inc):
    row = _one(inc, "People who vote for this should be tarred and feathered.")
    assert "wish of harm:" in row["incivility_reasons"] and "tarred" in row["incivility_reasons"]
    assert row["threat"] > 0.5 and row["incivility"] >= 0.6
    row = _one(inc, "I know where you live.")
    assert "threat: 'I know where you live'" in row["incivility_reasons"]
    assert row["incivility"] >= 0.6


def test_identity_attack(inc):
    row = _one(inc, "Those migrants are vermin, nothing more.")
    assert "identity attack: 'migrants are vermin'" in row["incivility_reasons"]
    assert row["identity_attack"] > 0.5 and row["incivility"] >= 0.4
    row = _one(inc, "They breed like rats, these people are parasites.")
    assert row["identity_attack"] > 0.5


def test_civil_disagreement_scores_low(inc):
    scores = inc.score([CIVIL, "Thanks for the thoughtful article; the budget numbers look right to me.",
                        "Could you share a source for that claim?"])
    assert (scores["incivility"] < 0.3).all()
    assert scores["incivility_reasons"].iloc[0] == ""


def test_negated_insult_is_not_aimed(inc):
    row = _one(inc, "You are not stupid, just misinformed about the figures.")
    assert "aimed at" not in row["incivility_reasons"]


def test_score_columns_and_empty_input(inc):
    out = inc.score([])
    assert list(out.columns) == SCORE_COLUMNS and len(out) == 0
    out = inc.score(["", None, "   "])
    assert list(out.columns) == SCORE_COLUMNS and len(out) == 3
    assert (out["incivility_reasons"] == "").all()
    assert out["incivility"].between(0, 1).all()
    empty = inc.transform(pd.DataFrame(columns=["thread_id", "comment_id", "parent_id", "author", "text"]))
    assert list(empty.columns) == TRANSFORM_COLUMNS and len(empty) == 0


def test_reasons_name_the_parent_author(inc):
    comments = pd.DataFrame({
        "thread_id": ["t", "t", "t"], "comment_id": ["a", "b", "c"], "parent_id": [None, "a", None],
        "author": ["Zaphod", "Ford", "Arthur"],
        "text": ["The tariff will raise prices.", "You are an idiot, learn to read.", "You are an idiot."],
    })
    out = inc.transform(comments)
    assert list(out.columns) == TRANSFORM_COLUMNS
    reply = out.set_index("comment_id").loc["b"]
    assert reply["incivility_target"] == "Zaphod"
    assert "insult aimed at Zaphod: 'You are an idiot'" in reply["incivility_reasons"]
    top = out.set_index("comment_id").loc["c"]
    assert top["incivility_target"] == ""
    assert "insult aimed at a commenter" in top["incivility_reasons"]
    assert out.set_index("comment_id").loc["a", "incivility"] < reply["incivility"]


def test_thread_001_insults_rank_above_on_topic():
    from discourse.readers import read_path

    frame = threads_to_frame(read_path(thread_file("001"), semantic=False))
    out = Incivility().transform(frame).merge(frame[["comment_id", "text"]], on="comment_id")

    def score_of(snippet):
        rows = out[out["text"].str.contains(snippet, regex=False)]
        assert len(rows) == 1, snippet
        return float(rows["incivility"].iloc[0])

    insulting = [score_of("ask a nearby small child"), score_of("tarred and feathered"),
                 score_of("write in understandable English")]
    on_topic = [score_of("pretending to limit drones"), score_of("ridiculous claim, as the US supply"),
                score_of("endless reports about civilian casualties"), score_of("Western media assured us")]
    assert min(insulting) > max(on_topic), (insulting, on_topic)


def test_packaged_weights_load_and_user_files(tmp_path, inc):
    weights = json.loads(data_path("incivility_weights.json").read_text(encoding="utf-8"))
    assert len(weights["features"]) == len(weights["coef"]) == len(weights["mean"]) == len(weights["scale"])
    assert len(weights["features"]) < 15
    # A user's weights file replaces the packaged one: only shouting counts here.
    mine = dict(weights, features=["shouting"], mean=[0.0], scale=[1.0], coef=[5.0], intercept=-3.0, floors={})
    path = tmp_path / "w.json"
    path.write_text(json.dumps(mine), encoding="utf-8")
    shouty = Incivility(weights_path=path).score(["THIS IS OUTRAGEOUS NONSENSE", "you idiot"])
    assert shouty["incivility"].iloc[0] > 0.5 > shouty["incivility"].iloc[1]
    # A user's lexicon replaces the packaged one.
    lex = json.loads(data_path("lexicons", "incivility.json").read_text(encoding="utf-8"))
    lex["insult_nouns"] = lex["insult_nouns"] + ["gronk"]
    lpath = tmp_path / "lex.json"
    lpath.write_text(json.dumps(lex), encoding="utf-8")
    assert "gronk" in Incivility(path=lpath).score(["you gronk"])["incivility_reasons"].iloc[0]
    assert "gronk" not in inc.score(["you gronk"])["incivility_reasons"].iloc[0]


def test_bad_weights_feature_is_refused(tmp_path):
    path = tmp_path / "w.json"
    path.write_text(json.dumps({"features": ["nope"], "coef": [1.0]}), encoding="utf-8")
    with pytest.raises(ValueError, match="unknown features"):
        Incivility(weights_path=path)


def test_megabyte_line_is_scored(inc):
    line = ("you idiot!!! " + "a" * 40 + " f*ck,,, sh1t " + "x" * 3000 + " ") * 300
    line = line[:1_000_000]
    out = inc.score([line])
    assert out["incivility"].iloc[0] > 0.5
    assert len(out["incivility_reasons"].iloc[0]) < 2000


def test_scores_are_comparable_across_batches(inc):
    texts = ["You are an idiot.", CIVIL, "Shut up, troll."]
    together = inc.score(texts)["incivility"].to_numpy()
    apart = np.array([inc.score([t])["incivility"].iloc[0] for t in texts])
    assert np.allclose(together, apart)


def test_long_all_caps_words_do_not_crash(inc):
    """Two shouted words, the first longer than a shouting quote may cover (61+ characters)."""
    text = "A" * 70 + " " + "B" * 65 + " and more"
    row = _one(inc, text)
    assert "shouting: '" + "A" * 70 in row["incivility_reasons"]
    assert 0 <= row["incivility"] <= 1


@pytest.mark.slow
@pytest.mark.skipif(not (SHARED_DATA / "sfu-toxicity-dev" / "comments.csv").exists(),
                    reason="needs ../shared/data/sfu-toxicity-dev")
def test_sfu_dev_ranking_beats_baselines():
    from evaluation import toxicity_eval as ev

    texts, y = ev.load_sfu(SHARED_DATA / "sfu-toxicity-dev")
    scores = Incivility().score(texts)["incivility"].to_numpy()
    assert ev.average_precision(scores, y) > 0.33
    assert ev.precision_at(scores, y, 20) >= 0.45


def test_incivility_phrases_longest_first():
    p = Phrases(["shut up", "shut up you", "go yourself"])
    assert p.match_at(["shut", "up", "you", "x"], 0) == 3
    assert p.match_at(["shut", "up"], 0) == 2
    assert p.match_at(["shut"], 0) == 0
    assert p.match_at(["go", "yourself"], 0) == 2
    assert p.match_at(["go", "hug", "yourself"], 0) == 0
    inc = Incivility()
    feats, evidence, _ = inc.features("You are an idiot. Idiots like you!!!")
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
    ungated.cues.lex.second_words = {}
    assert gated.cues.lex.second_words  # the gate is in use
    for text in texts:
        assert gated.features(text) == ungated.features(text), text


def test_probability_kinds_and_reasons(inc):
    out = inc.score(["What a bunch of hypocrites and losers.", CIVIL, "Maybe read a book before commenting."])
    assert list(out.columns) == SCORE_COLUMNS
    for kind in ("insult", "threat", "identity_attack", "obscene", "incivility"):
        assert out[kind].between(0, 1).all(), kind
    assert out["incivility_kind"].tolist()[:2] == ["insult", ""]
    assert out["incivility"].iloc[0] > 0.8 > 0.2 > out["incivility"].iloc[1]
    # condescension without a swear word: lifted by the floor of an attack on the person answered
    assert out["incivility"].iloc[2] >= 0.5 and out["incivility_reasons"].iloc[2].startswith("condescension:")


def test_kinds_are_calibrated_and_named_by_how_far_they_rise_above_their_share(inc):
    """P(kind | toxic) is a probability (Platt-scaled on held-back news comments), and a comment's
    kind is the one most above its usual share: a swear word alone is obscene, not an insult
    (insults are half of all toxic comments, so a raw argmax would call most things insults)."""
    for head in (inc.heads.kinds, inc.heads.kinds_cues):
        assert head.meta["calibrated"] and set(head.meta["base_rates"]) == {"insult", "threat", "identity_attack", "obscene"}
    assert inc.heads.base_rates["insult"] > 0.3 > 0.1 > inc.heads.base_rates["threat"]
    out = inc.score(["What a crap product, total shit.", "You are a complete moron.", "Migrants are vermin.",
                     "I know where you live and I will hurt you."])
    assert out["incivility_kind"].tolist() == ["obscene", "insult", "identity_attack", "threat"]
    swear, insult = out.iloc[0], out.iloc[1]
    assert swear["incivility"] > 0.9 and swear["insult"] < 0.6 < insult["insult"]
    # a calibrated threat head does not call any toxic comment a threat
    assert swear["threat"] < 0.1 and insult["threat"] < 0.1


def test_reasons_lead_with_the_evidence_that_weighed_most():
    from discourse.analysis.incivility.scorer import reason_text

    evidence = {"threat": ["'x'"], "toxic word": ["'suck'"], "shouting": ["'STOP'"]}
    assert reason_text(evidence, 0.1).startswith("threat:")
    assert reason_text(evidence, 0.1, lead=("toxic word",)).startswith("toxic word: 'suck'; threat:")
    assert reason_text(evidence, 0.9).endswith("profanity model 0.90")


def test_sentence_vectors_are_read_when_given(inc):
    """With vectors the head over vectors and cues scores (when packaged); rows of the wrong count
    fall back to the cue-only head rather than failing."""
    texts = ["You are an idiot.", CIVIL]
    plain = inc.score(texts)["incivility"].to_numpy()
    wrong = inc.score(texts, vectors=np.zeros((1, 384), dtype=np.float32))["incivility"].to_numpy()
    assert np.allclose(plain, wrong)
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(2, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    given = inc.score(texts, vectors=vectors)["incivility"].to_numpy()
    assert ((given >= 0) & (given <= 1)).all()
    if inc.heads.full is not None:
        assert not np.allclose(given, plain)


def test_span_words_quote_a_word_annotators_mark():
    inc = Incivility()
    assert inc.span_words and all(0 < v <= 1 for v in inc.span_words.values())
    strong = next(w for w, v in sorted(inc.span_words.items(), key=lambda x: -x[1])
                  if v >= 0.5 and w.isalpha() and w not in inc.cues.lex.lexical)
    row = inc.score([f"The whole plan is {strong} frankly."]).iloc[0]
    assert f"toxic word: '{strong}'" in row["incivility_reasons"]


def test_a_weights_file_replaces_the_heads(tmp_path):
    weights = json.loads(data_path("incivility_weights.json").read_text(encoding="utf-8"))
    path = tmp_path / "w.json"
    path.write_text(json.dumps(weights), encoding="utf-8")
    assert Incivility(weights_path=path).heads is None and Incivility().heads is not None
