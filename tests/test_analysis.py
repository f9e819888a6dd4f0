"""The analysis pipeline and its own stages: sentiment, topics, tables, the analyze command."""
from __future__ import annotations

import json

import pandas as pd
import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from discourse.analysis.pipeline import (
    COMMENT_COLUMNS,
    THREAD_COLUMNS,
    Analyzer,
    analyze,
)
from discourse.analysis.sentiment import Sentiment, author_means, escalation
from discourse.analysis.topics import Topics, label_from_words, thread_topics
from discourse.analysis.units import text_units
from discourse.cli import main
from discourse.model import Article, Comment, Thread
from discourse.readers import read_threads
from discourse.writers.tables import neutralise_formulas, write_tables

THREADS = "threads"


def small_thread(texts, tid="t1", parents=None) -> Thread:
    parents = parents or {}
    return Thread(thread_id=tid, source="test", article=Article(title="A title", text="An article paragraph."),
                  comments=[Comment(comment_id=f"c{i}", text=t, author=f"a{i % 3}", parent_id=parents.get(i),
                                    position=i) for i, t in enumerate(texts)])


# -- sentiment ------------------------------------------------------------------------------------

def test_sentiment_is_vader_on_the_original_text():
    texts = ["This is GREAT!!! :)", "this is great", "Not good at all.", ""]
    got = Sentiment().score(texts)
    vader = SentimentIntensityAnalyzer()
    for t, compound in zip(texts[:3], got["sentiment"]):
        assert compound == vader.polarity_scores(t)["compound"]
    assert got["sentiment"][0] > got["sentiment"][1]  # case and punctuation kept
    assert got.loc[3, "sentiment"] == 0.0 and got.loc[3, "sentiment_neu"] == 1.0


def test_sentence_scores_keep_offsets():
    units = pd.DataFrame({"thread_id": ["t"], "comment_id": ["c1"], "paragraph": [-1],
                          "text": ["I love this. I hate that!\nSecond line"]})
    sents = Sentiment().sentences(units)
    assert len(sents) == 3
    for row in sents.itertuples():
        assert units.text[0][row.start:row.end] == row.sentence
    assert sents.sentiment[0] > 0 > sents.sentiment[1]


def test_escalation_and_author_means():
    comments = pd.DataFrame({
        "thread_id": ["t"] * 3, "comment_id": ["c0", "c1", "c2"], "parent_id": [None, "c0", "c1"],
        "author": ["a", "b", "a"], "sentiment": [0.8, -0.6, 0.0],
    })
    esc = escalation(comments)
    assert list(esc.comment_id) == ["c1", "c2"]
    assert esc.escalation.tolist() == pytest.approx([-1.4, 0.6])
    means = author_means(comments)
    assert means.set_index("author").loc["a", "comments"] == 2


# -- topics ---------------------------------------------------------------------------------------

def test_label_skips_words_covered_by_a_bigram():
    assert label_from_words(["drone production", "drone", "production", "russia"]) == "drone production, russia"
    assert label_from_words([]) == "no clear topic"


def test_small_input_gets_keywords_and_a_note():
    t = small_thread([f"The drone factory in Kyiv builds drones number {i}." for i in range(10)])
    topics = Topics(embedder=None)
    assigned = topics.fit_transform(text_units([t]))
    assert len(topics.topics_) == 1 and "too few" in topics.note_
    label = topics.topics_.label[0]
    assert "drone" in label and "the" not in label.split(", ")
    assert set(assigned.topic) == {0}
    assert thread_topics(assigned).share.sum() == pytest.approx(1.0)


def test_empty_corpus_has_no_topics():
    empty = pd.DataFrame(columns=["thread_id", "comment_id", "paragraph", "text"])
    topics = Topics()
    assert topics.fit_transform(empty).empty
    assert topics.topics_.empty


class FakeEmbedder:
    """Two well separated directions by keyword: a deterministic stand-in for the encoder."""

    def encode(self, texts):
        import numpy as np

        rng = np.random.default_rng(0)
        out = []
        for t in texts:
            base = np.zeros(16)
            base[0 if "drone" in t.lower() else 1 if "tax" in t.lower() else 2] = 1.0
            v = base + 0.05 * rng.standard_normal(16)
            out.append(v / np.linalg.norm(v))
        return np.array(out)


@pytest.mark.slow
def test_bertopic_separates_two_subjects_and_is_deterministic():
    texts = ([f"Drone strikes hit the depot again, drone number {i} was shot down" for i in range(30)]
             + [f"The new tax on housing raises the budget deficit by {i} percent" for i in range(30)])
    units = text_units([small_thread(texts)], article=False)
    runs = []
    for _ in range(2):
        topics = Topics(embedder=FakeEmbedder(), representation="ctfidf", min_docs=20)
        runs.append(topics.fit_transform(units))
    assert runs[0].topic.tolist() == runs[1].topic.tolist()
    labels = dict(zip(runs[0].topic, runs[0].topic_label))
    assert len({t for t in labels if t != -1}) == 2
    words = " | ".join(topics.topics_.words)
    assert "drone" in words and "tax" in words
    assert all("the" not in label.split(", ") for label in labels.values())


# -- the pipeline -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample_analysis():
    return analyze(read_threads([THREADS]))


@pytest.mark.slow
def test_contract_columns(sample_analysis):
    a = sample_analysis
    for col in COMMENT_COLUMNS:
        assert col in a["comments"].columns, col
    for col in THREAD_COLUMNS:
        assert col in a["threads"].columns, col
    for col in ["thread_id", "comment_id", "target", "stance", "score"]:
        assert col in a["targets"].columns
    for col in ["topic", "size", "label", "words"]:
        assert col in a["topics"].columns
    assert len(a["threads"]) == 5
    assert set(a["comments"].stance.dropna()) <= {"support", "deny", "query", "comment"}
    assert a["comments"].stance.notna().all()
    row = a["threads"].set_index("thread_id").loc["001_2a083d8a6e258254"]
    assert row.comments == 9
    assert row[["support", "deny", "query", "comment"]].sum() == pytest.approx(1.0)
    assert set(a["targets"].stance) <= {"favor", "against", "none"}


@pytest.mark.slow
def test_sample_findings(sample_analysis):
    a = sample_analysis
    c = a["comments"].set_index("comment_id")
    media = a["narratives"][a["narratives"].subnarrative.str.contains("Western media is an instrument")]
    assert {"Thuban", "Zaphod"} <= set(c.loc[media.comment_id[media.comment_id != ""], "author"])
    assert c.loc["c1", "disinfo_risk"] > 0.3 and "narrative" in c.loc["c1", "disinfo_reasons"]
    # the tarred-and-feathered comment is uncivil, with its evidence quoted
    tarred = c[c.text.str.contains("tarred and feathered")].iloc[0]
    assert tarred.incivility > 0.4 and "tarred" in tarred.incivility_reasons


def test_stage_selection_and_unknown_stage():
    threads = [small_thread(["Great job!", "No, that's false.", "Is it true?"], parents={1: "c0", 2: "c0"})]
    a = Analyzer(stages=["sentiment", "threads"], use_embeddings=False).run(threads)
    assert a["comments"].stance.isna().all()  # contract column present, stage off
    assert a["threads"].sentiment_mean.notna().all()
    with pytest.raises(ValueError, match="unknown stage"):
        Analyzer(stages=["sentiment", "astrology"])


def test_write_tables_neutralises_formulas(tmp_path):
    frame = pd.DataFrame({"text": ["=HYPERLINK(\"http://x\")", "+1", "@SUM(A1)", "-2+3", "fine"],
                          "score": [-0.5, 0.1, 0.2, 0.3, 0.4]})
    safe = neutralise_formulas(frame)
    assert safe.text.tolist()[:4] == ["'=HYPERLINK(\"http://x\")", "'+1", "'@SUM(A1)", "'-2+3"]
    assert safe.score.tolist()[0] == -0.5  # numbers stay numbers
    paths = write_tables({"comments": frame}, tmp_path)
    assert {p.name for p in paths} == {"comments.csv", "comments.parquet"}
    assert pd.read_parquet(tmp_path / "comments.parquet").text[0].startswith("=")  # exact values in Parquet
    assert pd.read_csv(tmp_path / "comments.csv").text[0].startswith("'=")


def test_analyze_command_writes_the_four_tables(tmp_path):
    src = tmp_path / "t.jsonl"
    thread = small_thread(["I agree, great article.", "That is false, it never happened.", "Source?"] * 4,
                          parents={i: "c0" for i in range(1, 12)})
    src.write_text(json.dumps(thread.to_dict()) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["analyze", str(src), "-o", str(out), "--fast", "-q", "--targets", "Acme"]) == 0
    for name in ("comments", "threads", "targets", "topics"):
        assert (out / f"{name}.csv").exists() and (out / f"{name}.parquet").exists()
    comments = pd.read_parquet(out / "comments.parquet")
    assert len(comments) == 12 and comments.sentiment.notna().all()


def test_analyze_command_refuses_unknown_stage(tmp_path, capsys):
    src = tmp_path / "t.jsonl"
    src.write_text(json.dumps(small_thread(["hello there"]).to_dict()) + "\n", encoding="utf-8")
    assert main(["analyze", str(src), "-o", str(tmp_path / "o"), "--skip", "astrology", "-q"]) == 1
    assert "unknown stage" in capsys.readouterr().err
