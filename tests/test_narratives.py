import json

import pandas as pd
import pytest
from conftest import thread_file

from discourse.analysis.narratives import (
    NARRATIVE_COLUMNS,
    NarrativeMatcher,
    available_domains,
    iter_subnarratives,
    load_catalogue,
    summarise,
)
from discourse.analysis.units import text_units
from discourse.errors import DiscourseError
from evaluation.narratives_eval import DEV_SET, evaluate
from discourse.readers import read_threads

CATALOGUE = load_catalogue("russia_ukraine")
ENTRIES = list(iter_subnarratives(CATALOGUE))
IDS = [sub["subnarrative"] for _, sub in ENTRIES]


def _units(texts, thread="t1"):
    return pd.DataFrame({"thread_id": thread, "comment_id": [f"c{i}" for i in range(len(texts))],
                         "paragraph": -1, "text": texts})


@pytest.fixture(scope="module")
def cue_matcher():
    return NarrativeMatcher(use_embeddings=False)


@pytest.fixture(scope="module")
def matcher():
    return NarrativeMatcher()


# --------------------------------------------------------------------------- the catalogue
def test_catalogue_metadata_and_shape():
    for key in ("name", "language", "version", "description"):
        assert CATALOGUE[key]
    assert "russia_ukraine" in available_domains()
    names = {n["narrative"] for n in CATALOGUE["narratives"]}
    assert {"Blaming the war on others rather than the invader", "Discrediting Ukraine", "Russia is the Victim",
            "Praise of Russia", "Overpraising the West", "Speculating war outcomes",
            "Discrediting the West, Diplomacy", "Negative Consequences for the West", "Distrust towards Media",
            "Amplifying war-related fears", "Hidden plots by secret schemes of powerful groups"} <= names
    assert len(set(IDS)) == len(IDS)
    for _, sub in ENTRIES:
        assert sub["description"]
        assert 3 <= len(sub["examples"]) <= 6, sub["subnarrative"]
        assert sub["cues"]["strong"] and sub["cues"]["weak"], sub["subnarrative"]


@pytest.mark.parametrize("narrative,sub", ENTRIES, ids=IDS)
def test_every_entry_fires_on_its_strong_cue(cue_matcher, narrative, sub):
    term = sub["cues"]["strong"][0].replace("*", "s")
    out = cue_matcher.transform(_units([f"People keep saying {term} again and again."]))
    hit = out[out.subnarrative == sub["subnarrative"]]
    assert len(hit) == 1 and hit.iloc[0].narrative == narrative
    assert hit.iloc[0].cue_terms and "(strong)" in hit.iloc[0].evidence


@pytest.mark.slow
@pytest.mark.parametrize("narrative,sub", ENTRIES, ids=IDS)
def test_every_entry_fires_on_its_examples_with_embeddings(matcher, narrative, sub):
    found = matcher.score_sentences(sub["examples"])
    for example, hits in zip(sub["examples"], found):
        assert sub["subnarrative"] in [h["subnarrative"] for h in hits], example


def test_weak_cue_alone_is_not_enough(cue_matcher):
    out = cue_matcher.transform(_units(["I lived in Kiev for three years.", "The Kiev regime lies."]))
    assert out.comment_id.tolist() == ["c1"]
    assert out.iloc[0].subnarrative == "Discrediting Ukrainian government and officials and policies"
    assert out.iloc[0].cue_terms == "Kiev regime"


def test_cue_matching_is_whole_word_and_case_insensitive(cue_matcher):
    hits = cue_matcher.cues.match("The COLLECTIVE-West and its BioLabs; not bismol or labsy.")
    terms = sorted(t for v in hits.values() for _, _, _, t in v)
    assert "collective west" in terms and "biolab*" in terms
    assert cue_matcher.cues.match("smokescreen") == {}  # 'smo' is a whole word only


def test_long_hostile_line(cue_matcher):
    text = ("kiev " * 50_000 + "a" * 500_000)[:1_000_000]
    out = cue_matcher.transform(_units([text]))  # its cost is measured by benchmarks/bench_hostile.py
    assert len(out) <= 1


def test_empty_and_missing_text(cue_matcher):
    empty = cue_matcher.transform(_units([]))
    assert list(empty.columns) == NARRATIVE_COLUMNS and empty.empty
    out = cue_matcher.transform(_units([None, "", "   "]))
    assert out.empty


# --------------------------------------------------------------------------- other domains
def test_user_domain_file(tmp_path):
    pack = {
        "name": "climate", "language": "en", "version": "0.1", "description": "toy pack",
        "narratives": [{"narrative": "Criticism of climate policies", "subnarratives": [
            {"subnarrative": "Climate policies are only for profit", "description": "...",
             "examples": ["Green policies only make the elites richer."],
             "cues": {"strong": ["climate scam"], "weak": ["green"]}}]}],
    }
    path = tmp_path / "climate.json"
    path.write_text(json.dumps(pack))
    m = NarrativeMatcher(path=path, use_embeddings=False)
    out = m.transform(_units(["The climate scam goes on.", "Lovely green fields."]))
    assert out.domain.tolist() == ["climate"] and out.comment_id.tolist() == ["c0"]


def test_bad_domain_and_file(tmp_path):
    with pytest.raises(DiscourseError):
        NarrativeMatcher(domain="../etc")
    with pytest.raises(DiscourseError):
        NarrativeMatcher(domain="no_such_domain")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"narratives": [{"narrative": "x", "subnarratives": [{"subnarrative": "y"}]}]}))
    with pytest.raises(DiscourseError, match="never match"):
        NarrativeMatcher(path=bad)


# --------------------------------------------------------------------------- real text
@pytest.fixture(scope="module")
def stockholm_units():
    return text_units(read_threads([thread_file("001")], semantic=False))


@pytest.mark.slow
def test_stockholm_media_distrust(matcher, stockholm_units):
    out = matcher.transform(stockholm_units)
    authors = dict(zip(stockholm_units.comment_id, stockholm_units.author))
    media = out[out.subnarrative == "Western media is an instrument of propaganda"]
    who = {authors[c] for c in media.comment_id}
    assert {"Thuban", "Zaphod"} <= who
    for row in media.itertuples():
        assert row.sentence in stockholm_units.set_index("comment_id").text[row.comment_id]
        assert row.evidence
    # the neutral article is quiet
    assert (out.comment_id == "").sum() <= 1


@pytest.mark.slow
def test_dev_set_precision_recall(matcher):
    r = evaluate(matcher, DEV_SET)
    assert r["precision"] >= 0.75 and r["recall"] >= 0.65
    assert r["neutral_false_positive_rate"] <= 0.15


@pytest.mark.slow
def test_neutral_wire_news_rarely_matches(matcher):
    units = text_units(read_threads([thread_file("002"), thread_file("004")], semantic=False), comments=False)
    out = matcher.transform(units)
    assert len(out.drop_duplicates(["thread_id", "paragraph"])) <= 0.15 * len(units)


def test_summarise(cue_matcher):
    units = pd.concat([_units(["The Kiev regime lies.", "Nice weather.", "Biolabs everywhere."], "t1"),
                       _units(["Hello."], "t2")], ignore_index=True)
    units["outlet"] = "x"
    found = cue_matcher.transform(units)
    s = summarise(found, units)
    assert set(s.thread_id) == {"t1"}
    assert s.units_total.tolist() == [3, 3] and s.units_matched.tolist() == [1, 1]
    assert s.prevalence.tolist() == pytest.approx([1 / 3, 1 / 3], abs=1e-3)
    by_outlet = cue_matcher.summarise(found, units, by="outlet", level="subnarrative")
    assert by_outlet.units_total.tolist() == [4, 4]
    assert summarise(found.iloc[0:0], units).empty
