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
    assert "replies push back on the claim: 3 of 4 replies contain a negation" in row["disinfo_reasons"]
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
