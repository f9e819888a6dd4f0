import json
import re

import numpy as np
import pandas as pd
import pytest
from conftest import THREADS

from discourse.analysis.framing import (
    FRAME_COLUMNS,
    FrameTagger,
    check_safe_pattern,
    stem,
)
from discourse.resources import load_json

FRAMES = ["Economic", "Capacity_and_resources", "Morality", "Fairness_and_equality",
          "Legality_Constitutionality_and_jurisprudence", "Policy_prescription_and_evaluation",
          "Crime_and_punishment", "Security_and_defense", "Health_and_safety", "Quality_of_life",
          "Cultural_identity", "Public_opinion", "Political", "External_regulation_and_reputation"]
TECHNIQUES = ["Loaded_Language", "Name_Calling-Labeling", "Doubt", "Questioning_the_Reputation",
              "Guilt_by_Association", "Appeal_to_Hypocrisy", "Flag_Waving", "Appeal_to_Authority",
              "Appeal_to_Popularity", "Appeal_to_Values", "Appeal_to_Fear-Prejudice", "Causal_Oversimplification",
              "False_Dilemma-No_Choice", "Consequential_Oversimplification", "Straw_Man", "Red_Herring",
              "Whataboutism", "Slogans", "Appeal_to_Time", "Conversation_Killer",
              "Obfuscation-Vagueness-Confusion", "Exaggeration-Minimisation", "Repetition"]


@pytest.fixture(scope="module")
def tagger():
    return FrameTagger()


def labels_of(tagger, text):
    return {label for _, _, found in tagger.tag_text(text) for _, label, _, _ in found}


def units(*texts, thread="t1"):
    return pd.DataFrame({"thread_id": thread, "comment_id": [f"c{i}" for i in range(len(texts))],
                         "paragraph": -1, "text": list(texts)})


def test_catalogues_have_exactly_the_semeval_names():
    assert [f["name"] for f in load_json("frames.json")["frames"]] == FRAMES
    assert [t["name"] for t in load_json("techniques.json")["techniques"]] == TECHNIQUES


@pytest.mark.parametrize("kind,key,entry", [("frame", "frames", e) for e in load_json("frames.json")["frames"]]
                         + [("technique", "techniques", e) for e in load_json("techniques.json")["techniques"]],
                         ids=lambda x: x["name"] if isinstance(x, dict) else str(x))
def test_every_catalogue_entry_fires_on_its_examples(tagger, kind, key, entry):
    assert entry["description"] and entry["examples"]
    for example in entry["examples"]:
        assert entry["name"] in labels_of(tagger, example), example


def test_catalogue_patterns_are_safe_and_bounded():
    for spec, key in ((load_json("frames.json"), "frames"), (load_json("techniques.json"), "techniques")):
        for entry in spec[key]:
            for p in entry.get("patterns", []):
                check_safe_pattern(p["pattern"])
                # no unbounded repetition of a class, a dot or a group: bounded {m,n} only
                assert not re.search(r"[\].)][*+]", p["pattern"]), p["pattern"]
                assert p["trigger"], p["pattern"]


def test_unsafe_patterns_are_refused():
    for bad in (r"(a+)+b", r"(?:\w+\s?)*x", r"(a*)*", r"(x)\1"):
        with pytest.raises(ValueError):
            check_safe_pattern(bad)
    check_safe_pattern(r"\beither\b[^.?!\n]{1,100}\bor\b")


def test_stemming_matches_inflections(tagger):
    assert stem("slaughtered") == stem("slaughter")
    assert stem("atrocities") == stem("atrocity")
    assert "Loaded_Language" in labels_of(tagger, "Civilians were slaughtered in their homes.")


def test_whataboutism_needs_the_rebuttal_move(tagger):
    assert "Whataboutism" not in labels_of(tagger, "What about the weather tomorrow?")
    assert "Whataboutism" not in labels_of(tagger, "What about lunch on Friday, is anyone free?")
    rebuttal = "You keep going on about Russia. What about the US invasion of Iraq?"
    rows = FrameTagger().transform(units(rebuttal))
    hit = rows[rows["label"] == "Whataboutism"]
    assert len(hit) == 1 and hit.iloc[0]["sentence"] == "What about the US invasion of Iraq?"
    assert "What about" in hit.iloc[0]["evidence"]
    assert "Whataboutism" in labels_of(tagger, "Their outrage is the mirror image of their silence over Kosovo.")


def test_repetition_quotes_the_repeated_phrase(tagger):
    rows = tagger.transform(units("Sanctions work. We will never forgive, we will never forget."))
    rep = rows[rows["label"] == "Repetition"]
    assert len(rep) == 1 and "we will never" in rep.iloc[0]["evidence"].lower()
    assert "Repetition" not in labels_of(tagger, "The talks lasted three hours and ended without agreement.")


def test_neutral_wire_sentences_carry_no_technique(tagger):
    for s in ("The ministry said 14 drones had been intercepted over the Belgorod region.",
              "A spokesperson for the company declined to comment.",
              "The EU has pledged a further 50 billion euros in support over four years."):
        assert not {lab for lab in labels_of(tagger, s) if lab in TECHNIQUES}, s


def test_columns_contract_and_offsets(tagger):
    text = "Putin's bloodthirsty thugs shelled the city.\nThe economy shrank by 3% as inflation rose."
    rows = tagger.transform(units(text, "Glory to Ukraine!"))
    assert list(rows.columns) == FRAME_COLUMNS
    assert set(rows["kind"]) == {"frame", "technique"}
    for r in rows.itertuples():
        source = text if r.comment_id == "c0" else "Glory to Ukraine!"
        assert source[r.start:r.end] == r.sentence
        assert 0 < r.score <= 1 and r.evidence
        assert r.label in FRAMES + TECHNIQUES
    econ = rows[rows["label"] == "Economic"]
    assert list(econ["sentence_index"]) == [1] and "inflation" in econ.iloc[0]["evidence"]


def test_article_units_keep_empty_comment_id_and_paragraph(tagger):
    u = pd.DataFrame({"thread_id": ["a"], "comment_id": [""], "paragraph": [3],
                      "text": ["A barbaric missile strike killed six civilians."]})
    rows = tagger.transform(u)
    assert set(rows["comment_id"]) == {""} and set(rows["paragraph"]) == {3}


def test_empty_input(tagger):
    empty = tagger.transform(pd.DataFrame(columns=["thread_id", "comment_id", "paragraph", "text"]))
    assert list(empty.columns) == FRAME_COLUMNS and len(empty) == 0
    assert len(tagger.transform(units("", "   ", None))) == 0
    assert tagger.tag_text("") == []


def test_one_megabyte_line(tagger):
    line = ("What about the brutal so-called 'plan'?! Either way or " * 20000)[:1_000_000].replace(".", " ").replace("?", " ")
    text = line.replace("!", " ") + " (((( [[[ \"\"\" " + "a" * 10000
    tagged = tagger.tag_text(text)  # its cost is measured by benchmarks/bench_hostile.py
    assert tagged and all(0 <= a < b <= len(text) for a, b, _ in tagged)
    assert any(found for _, _, found in tagged)


def test_thresholds_and_user_catalogue(tmp_path):
    strict = FrameTagger(thresholds={"Loaded_Language": 0.99})
    assert "Loaded_Language" not in labels_of(strict, "A barbaric attack.")
    custom = {"techniques": [{"name": "Hype", "description": "hype words", "threshold": 0.5,
                              "cues": [{"weight": 0.8, "terms": ["game changer"]}],
                              "patterns": [{"pattern": r"\bbest ever\b", "weight": 0.8, "trigger": ["best"]}],
                              "examples": ["A game-changer."]}]}
    path = tmp_path / "t.json"
    path.write_text(json.dumps(custom))
    tg = FrameTagger(path_techniques=path, path_frames=path)  # no "frames" key: no frames
    assert tg.labels == [("technique", "Hype")]
    assert labels_of(tg, "This is a game changer and the best ever.") == {"Hype"}


def test_embedding_similarity_adds_resemblance_evidence():
    from discourse.embeddings import Embedder

    class BagOfWords:
        def encode(self, texts, **_):
            out = np.zeros((len(texts), 64), dtype=np.float32)
            for i, t in enumerate(texts):
                for w in re.findall(r"\w+", t.lower()):
                    out[i, hash(w) % 64] += 1
            return out + 1e-3

    tg = FrameTagger(embedder=Embedder(model=BagOfWords(), use_disk_cache=False), use_embeddings=True,
                     thresholds={"Straw_Man": 0.3})
    example = load_json("techniques.json")["techniques"][TECHNIQUES.index("Straw_Man")]["examples"][0]
    rows = tg.transform(units(example))
    straw = rows[rows["label"] == "Straw_Man"]
    assert len(straw) == 1 and "resembles example" in straw.iloc[0]["evidence"]


def test_summarise_rates_per_group(tagger):
    u = pd.concat([units("A barbaric, brutal attack. Another sentence here.", thread="x"),
                   units("Talks ended. Nothing else happened today.", thread="y")], ignore_index=True)
    rows = tagger.transform(u)
    s = tagger.summarise(rows, u)
    assert set(s["thread_id"]) == {"x", "y"}
    assert len(s) == 2 * (len(FRAMES) + len(TECHNIQUES))
    x = s[(s["thread_id"] == "x") & (s["label"] == "Loaded_Language")].iloc[0]
    assert x["count"] == 1 and x["sentences"] == 2 and x["per_sentence"] == 0.5
    assert x["per_1000_words"] == pytest.approx(1000 / 7)
    y = s[(s["thread_id"] == "y") & (s["label"] == "Loaded_Language")].iloc[0]
    assert y["count"] == 0 and y["per_sentence"] == 0
    by_comment = tagger.summarise(rows, u, by=["thread_id", "comment_id"])
    assert {"thread_id", "comment_id", "per_1000_words"} <= set(by_comment.columns)
    assert len(tagger.summarise(rows.iloc[:0], u)) == len(s)


@pytest.mark.skipif(not THREADS.is_dir(), reason="sample threads absent")
def test_express_piece_has_more_loaded_language_than_wire_reports(tagger):
    from discourse.analysis.units import text_units
    from discourse.readers import read_threads

    threads = read_threads([str(THREADS)], semantic=False)  # the article text is what matters
    u = text_units(threads)
    s = tagger.summarise(tagger.transform(u), u)
    ll = s[s["label"] == "Loaded_Language"].set_index("thread_id")["per_sentence"]
    express = next(t.thread_id for t in threads if t.thread_id.startswith("003_"))
    others = [tid for tid in ll.index if tid != express]
    assert len(others) == 4
    assert all(ll[express] > ll[o] for o in others), ll.to_dict()
