"""ConvoKit corpus out (discourse/writers/convokit.py, `parse --format convokit`), read back in."""

import csv
import json

import pytest

from discourse.cli import main
from discourse.model import Article, Comment, Thread
from discourse.readers import read_threads
from discourse.readers.structured import read_convokit
from discourse.writers.convokit import UNKNOWN_SPEAKER, attach_tables, write_convokit

PAGE = """<!doctype html><html><head><title>Bike lanes</title>
<link rel="canonical" href="https://news.example.org/bike-lanes"></head><body>
<article><h1>Bike lanes for Main Street</h1>
<p>The council approved new bike lanes on Main Street on Tuesday, after a long debate about parking.</p>
<p>Work starts in May and should take about three months, the city engineer said at the meeting.</p></article>
<div id="comments"><ol class="comment-list">
 <li class="comment depth-1" id="comment-1"><div class="comment-body">
   <div class="comment-author"><cite class="fn">Ann</cite></div>
   <div class="comment-meta"><time datetime="2024-03-01T10:00">March 1, 2024</time></div>
   <div class="comment-content"><p>Finally, safer streets for everyone who cycles to work.</p></div>
   <div class="reply"><a class="comment-reply-link" href="#">Reply</a></div></div>
   <ul class="children">
    <li class="comment depth-2" id="comment-2"><div class="comment-body">
      <div class="comment-author"><cite class="fn">Bob</cite></div>
      <div class="comment-meta"><time datetime="2024-03-01T11:00">March 1, 2024</time></div>
      <div class="comment-content"><p>And where do the delivery vans stop now?</p></div></div></li>
   </ul></li>
 <li class="comment depth-1" id="comment-3"><div class="comment-body">
   <div class="comment-author"><cite class="fn">Cy</cite></div>
   <div class="comment-meta"><time datetime="2024-03-02T09:00">March 2, 2024</time></div>
   <div class="comment-content"><p>Three months of roadworks again, great news for the shops.</p></div></div></li>
</ol></div></body></html>"""


def _tree(t):
    return {c.comment_id: c.parent_id for c in t.comments}


def test_parse_convokit_reads_back_same_tree(tmp_path, capsys):
    page = tmp_path / "bikes.html"
    page.write_text(PAGE, encoding="utf-8")
    out = tmp_path / "corpus"
    assert main(["parse", str(page), "--format", "convokit", "-o", str(out), "--fast", "--quiet"]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "conversations.json", "corpus.json", "index.json", "speakers.json", "utterances.jsonl"]
    [original] = read_threads([page])
    [back] = read_threads([out])  # a folder with utterances.jsonl is a ConvoKit corpus
    assert _tree(back) == _tree(original) == {"comment-1": None, "comment-2": "comment-1", "comment-3": None}
    assert [c.author for c in back.comments] == ["Ann", "Bob", "Cy"]
    assert back.article.text == original.article.text and "bike lanes" in back.article.text
    assert back.article.title == original.article.title
    assert back.article.url == "https://news.example.org/bike-lanes"


def test_disk_format_is_convokits_own(tmp_path):
    t = Thread("t1", "src", Article(title="T", text="Body."), [
        Comment("a", "first", author="Ann"), Comment("b", "second", author=None, parent_id="a")])
    write_convokit([t], tmp_path)
    utts = [json.loads(line) for line in (tmp_path / "utterances.jsonl").read_text().splitlines()]
    assert [u["id"] for u in utts] == ["t1", "a", "b"]
    for u in utts:
        assert set(u) == {"id", "conversation_id", "text", "speaker", "meta", "reply-to", "timestamp", "vectors"}
        assert u["conversation_id"] == "t1"
    assert [u["reply-to"] for u in utts] == [None, "t1", "a"]
    assert utts[2]["speaker"] == UNKNOWN_SPEAKER
    index = json.loads((tmp_path / "index.json").read_text())
    assert set(index) == {"utterances-index", "speakers-index", "conversations-index", "overall-index",
                          "version", "vectors"}
    assert index["utterances-index"]["confidence"] == ["<class 'float'>"]
    speakers = json.loads((tmp_path / "speakers.json").read_text())
    assert speakers["Ann"] == {"meta": {}, "vectors": []}
    conv = json.loads((tmp_path / "conversations.json").read_text())
    assert conv["t1"]["meta"]["title"] == "T"


def test_ids_shared_between_threads_are_made_unique(tmp_path):
    threads = [Thread(tid, "src", Article(text=f"Article {tid}."), [
        Comment("c1", "one", author="A"), Comment("c2", "two", author="B", parent_id="c1")]) for tid in ("x", "y")]
    write_convokit(threads, tmp_path)
    ids = [json.loads(line)["id"] for line in (tmp_path / "utterances.jsonl").read_text().splitlines()]
    assert len(ids) == len(set(ids))
    back = read_convokit(tmp_path)
    assert [_tree(t) for t in back] == [{"x/c1": None, "x/c2": "x/c1"}, {"y/c1": None, "y/c2": "y/c1"}]


def test_analysis_tables_attach_as_utterance_metadata(tmp_path):
    table = tmp_path / "comments.csv"
    with open(table, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["thread_id", "comment_id", "sentiment", "stance", "text"])
        w.writerow(["t1", "a", "0.5", "favor", "first"])
        w.writerow(["t1", "b", "-0.25", "'=cmd", "second"])
    t = Thread("t1", "src", Article(text="Body."), [
        Comment("a", "first", author="Ann"), Comment("b", "second", author="Bo", parent_id="a")])
    write_convokit([t], tmp_path / "corpus", attach_tables([table]))
    utts = {u["id"]: u for u in map(json.loads, (tmp_path / "corpus" / "utterances.jsonl").read_text().splitlines())}
    assert utts["a"]["meta"]["sentiment"] == 0.5 and utts["a"]["meta"]["stance"] == "favor"
    assert utts["b"]["meta"]["stance"] == "=cmd"  # the CSV's formula guard is undone for ConvoKit
    assert "text" not in utts["a"]["meta"]
    index = json.loads((tmp_path / "corpus" / "index.json").read_text())
    assert index["utterances-index"]["sentiment"] == ["<class 'float'>"]


def test_convokit_needs_an_output_folder(tmp_path, capsys):
    page = tmp_path / "p.html"
    page.write_text(PAGE, encoding="utf-8")
    assert main(["parse", str(page), "--format", "convokit"]) != 0
    assert "-o DIR" in capsys.readouterr().err
    assert main(["parse", str(page), "--attach", str(page)]) != 0


def test_attach_table_without_ids_is_an_error(tmp_path):
    bad = tmp_path / "t.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(Exception, match="thread_id"):
        attach_tables([bad])
