"""The thread-level reply signal of the possible-disinformation score: negations in replies and the
spread of reply times, with the reasons a person reads."""
import math

import pandas as pd

from discourse.analysis.disinfo import DisinfoRisk


def test_negation_cues_are_whole_words_and_skip_links_and_handles():
    model = DisinfoRisk()
    assert model.negation("That is NOT what happened") == "not"
    assert model.negation("It didn\u2019t happen") == "n't"
    assert model.negation("No way") == "no"
    assert model.negation("Knots and nothingness, now") == ""  # no cue inside other words
    assert model.negation("@nobody see https://x.com/not-true") == ""
    assert model.negation("") == ""


def test_share_is_smoothed_and_spread_needs_times():
    model = DisinfoRisk()
    few = model.contested(["not true"], [math.nan], math.nan)
    many = model.contested(["not true"] * 20, [math.nan] * 20, math.nan)
    assert 0.25 < few["share"] < many["share"] < 1.0  # one reply cannot say "everyone disagrees"
    assert few["spread"] == 0.0
    timed = model.contested(["ok", "fine", "not so"], [10.0, 100.0, 10_000.0], 0.0)
    assert timed["spread"] > 1.0 and timed["negating"] == 1
    assert timed["example"] == ("not so", "not")
    calm = model.contested(["great", "thanks", "agreed", "yes"], [math.nan] * 4, math.nan)
    assert calm["score"] < model.contested(["not true", "no", "never", "didn't"], [math.nan] * 4, math.nan)["score"]


def test_thread_reasons_name_the_pushback():
    model = DisinfoRisk()
    comments = pd.DataFrame({
        "thread_id": ["t"] * 4, "comment_id": ["c1", "c2", "c3", "c4"], "parent_id": [None] * 4,
        "position": [0, 1, 2, 3], "text": ["Not true at all", "This never happened", "no", "Source?"],
        "timestamp": ["2024-01-01T10:01:00", "2024-01-01T10:05:00", "2024-01-01T12:00:00", "2024-01-02T10:00:00"],
    })
    units = model.transform(comments, articles={"t": "Officials say the bridge collapsed."})
    table = model.threads(units, comments, {"t": "Officials say the bridge collapsed."},
                          published={"t": "2024-01-01T10:00:00"})
    row = table.iloc[0]
    assert row["reply_time_spread"] > 0
    assert row["negation_share"] > 0.5
    assert "replies push back on the claim (veracity model: " in row["disinfo_reasons"]
    assert "3 of 4 replies contain a negation, e.g. 'Not true at all'" in row["disinfo_reasons"]
    assert row["disinfo_risk"] > 0.3


def test_every_catalogue_cue_can_fire():
    from discourse.resources import load_json

    cues = load_json("lexicons", "disinfo_cues.json")
    model = DisinfoRisk()
    for cue in cues["reply_negation"]["cues"]:
        text = f"well I{cue} think so" if cue.startswith("n't") else f"well {cue} think so"
        assert model.negation(text), cue
    for group in ("press_delegitimising", "hedged_source"):
        for entry in cues[group]:
            strongest = model.press_cues if group == "press_delegitimising" else model.hedge_cues
            assert strongest(f"they said {entry['phrase']} today")[0] > 0, entry["phrase"]


def test_without_the_veracity_head_the_hand_set_pushback_weights_score():
    comments = pd.DataFrame({"thread_id": ["t"] * 3, "comment_id": ["a", "b", "c"], "parent_id": [None] * 3,
                             "position": [0, 1, 2], "text": ["Not true", "no way", "never happened"]})
    hand = DisinfoRisk()
    hand.veracity = None
    units = hand.transform(comments, articles={"t": "The bridge collapsed."})
    reasons = hand.threads(units, comments, {"t": "The bridge collapsed."})["disinfo_reasons"].iloc[0]
    assert reasons.startswith("replies push back on the claim: 3 of 3 replies contain a negation")


def test_calm_replies_score_below_denials():
    model = DisinfoRisk()
    assert model.veracity is not None  # the packaged head is in use

    def risk(replies):
        comments = pd.DataFrame({"thread_id": "t", "comment_id": [f"c{i}" for i in range(len(replies))],
                                 "parent_id": None, "position": range(len(replies)), "text": replies})
        units = model.transform(comments, articles={"t": "Reports say the museum is on fire."})
        return model.threads(units, comments, {"t": "Reports say the museum is on fire."})["disinfo_risk"].iloc[0]

    assert risk(["That is fake, a hoax", "not true", "no it is not"]) > risk(["So sad", "Praying", "Terrible news"])


def test_thread_features_read_claim_and_replies():
    found = DisinfoRisk().thread_features("Is it true? http://x.co/1", ["fake!", "why?", "see http://a.b"],
                                          [10.0, 20.0, math.nan], 0.0)
    assert found["claim_link"] == 1.0 and found["claim_question"] == 1.0
    assert found["denial_share"] > found["negation_share"]  # one denial word, no negation
    assert found["question_share"] > 0.25 and found["link_share"] > 0.25
    assert math.isclose(found["log_replies"], math.log(4))


def test_neutral_article_sentences_do_not_count():
    """A narrative matched on an article's own neutral sentence adds nothing; one on a sentence with
    a press-delegitimising cue, or in a comment, still counts."""
    model = DisinfoRisk()
    narratives = pd.DataFrame({
        "thread_id": ["t", "t", "u"], "comment_id": ["", "c1", ""], "narrative": ["Media distrust"] * 3,
        "subnarrative": [""] * 3, "score": [0.95] * 3, "evidence": ["resembles ..."] * 3,
        "sentence": ["Kyiv has focused on increasing its output of drones.", "x",
                     "The mainstream media lies about the front."]})
    comments = pd.DataFrame({"thread_id": ["t"], "comment_id": ["c1"], "text": ["They lie about Kyiv"]})
    units = model.transform(comments, narratives=narratives,
                            articles={"t": "Kyiv has focused on increasing its output of drones.",
                                      "u": "The mainstream media lies about the front."})
    risk = {(r.thread_id, r.comment_id): r.disinfo_risk for r in units.itertuples()}
    assert risk[("t", "")] == 0.0
    assert risk[("t", "c1")] > 0.5
    assert risk[("u", "")] > 0.5


def test_rumour_events_are_runs_without_long_gaps():
    from training.veracity import events

    day = 86400.0
    assert events([10 * day, 0.0, day, 10.5 * day, 30 * day]) == [1, 0, 0, 1, 2]
