"""Structured readers (discourse JSON/JSONL, Reddit JSON, CSV, ConvoKit) and link repair."""

from __future__ import annotations

import json
import logging

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from discourse.errors import InputError
from discourse.model import Article, Comment, RemovedLine, Thread
from discourse.readers import read_threads
from discourse.readers.repair import repair_links
from discourse.readers.structured import read_convokit, read_csv, read_json


def links(thread: Thread) -> list[tuple]:
    """The reply structure of a thread, compactly: (id, parent, reply_to, link, position)."""
    return [(c.comment_id, c.parent_id, c.reply_to, c.link, c.position) for c in thread.comments]


def sample_thread(thread_id: str = "t1") -> Thread:
    return Thread(
        thread_id=thread_id,
        source="pages/t1.txt",
        article=Article(
            title="Rates rise",
            outlet="Example News",
            published="2024-03-01",
            url="https://example.com/a",
            text="First paragraph.\nSecond paragraph.",
            removed=[RemovedLine("Reply · 3h", "comment furniture")],
        ),
        comments=[
            Comment("c1", "I disagree.", author="ann", position=0, link="root"),
            Comment("c2", "Why? Ünïcode \u2028 too", author="bob", parent_id="c1", reply_to="ann", position=1,
                    link="inferred", confidence=0.75),
            Comment("c3", "", author=None, position=2, link="root"),
        ],
    )


# -- discourse JSON / JSONL ---------------------------------------------------------------------
def test_own_jsonl_round_trip(tmp_path):
    threads = [sample_thread("t1"), sample_thread("t2")]
    path = tmp_path / "corpus.jsonl"
    path.write_text("\n".join(json.dumps(t.to_dict(), ensure_ascii=False) for t in threads) + "\n\n",
                    encoding="utf-8")
    assert read_json(path) == threads


def test_own_json_single_object_and_list(tmp_path):
    one = tmp_path / "one.json"
    one.write_text(json.dumps(sample_thread().to_dict(), indent=2), encoding="utf-8")
    assert read_json(one) == [sample_thread()]
    many = tmp_path / "many.json"
    many.write_text(json.dumps([sample_thread("a").to_dict(), sample_thread("b").to_dict()]), encoding="utf-8")
    assert [t.thread_id for t in read_json(many)] == ["a", "b"]


def test_jsonl_saved_as_json_is_read_line_by_line(tmp_path):
    path = tmp_path / "corpus.json"
    path.write_text("\n".join(json.dumps(sample_thread(x).to_dict()) for x in "ab"), encoding="utf-8")
    assert [t.thread_id for t in read_json(path)] == ["a", "b"]


def test_own_json_without_source_gets_file_path(tmp_path):
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"thread_id": "x", "comments": [{"comment_id": "1", "text": "hi"}]}))
    [thread] = read_json(path)
    assert thread.source == str(path)
    assert links(thread) == [("1", None, None, "root", 0)]


def test_malformed_jsonl_line_names_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    good = json.dumps(sample_thread().to_dict())
    path.write_text(f"{good}\n\n{{\"thread_id\": \"x\",,}}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.jsonl: line 3 is not valid JSON \("):
        read_json(path)


def test_malformed_json_document_names_line(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{\n  "thread_id": "x",\n  "comments": [\n}\n')
    with pytest.raises(InputError, match=r"bad\.json: line 4 is not valid JSON"):
        read_json(path)


def test_bad_thread_object_names_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"thread_id": "a"}\n{"thread_id": "b", "comments": [{"text": "no id"}]}\n')
    with pytest.raises(InputError, match=r"line 2: comment #0 has no 'comment_id'"):
        read_json(path)


@pytest.mark.parametrize("content", ['{"title": "x"}', "[1, 2]", '"text"', '[{"thread_id": "a"}, {"b": 1}]'])
def test_unknown_json_shape(tmp_path, content):
    path = tmp_path / "odd.json"
    path.write_text(content)
    with pytest.raises(InputError, match="JSON of an unknown shape.*expected a discourse thread"):
        read_json(path)


@pytest.mark.parametrize("reader, name", [(read_json, "e.json"), (read_json, "e.jsonl"), (read_csv, "e.csv")])
def test_empty_file(tmp_path, reader, name):
    path = tmp_path / name
    path.write_text("  \n\n")
    with pytest.raises(InputError, match=r"e\.\w+: empty file"):
        reader(path)


# -- Reddit -------------------------------------------------------------------------------------
def t1(cid, parent, author, body, replies=None, created=1700000000):
    return {
        "kind": "t1",
        "data": {
            "id": cid, "name": f"t1_{cid}", "parent_id": parent, "link_id": "t3_abc", "author": author,
            "body": body, "created_utc": created, "subreddit": "news",
            "replies": {"kind": "Listing", "data": {"children": replies}} if replies else "",
        },
    }


def reddit_export():
    post = {
        "kind": "t3",
        "data": {
            "id": "abc", "name": "t3_abc", "title": "Big &amp; news", "selftext": "", "author": "op",
            "url": "https://example.com/story", "created_utc": 1700000000.0, "subreddit": "news",
        },
    }
    more = {"kind": "more", "data": {"count": 12, "children": ["x1", "x2"], "parent_id": "t3_abc"}}
    comments = [
        t1("a", "t3_abc", "ann", "Top level &gt; quote", replies=[
            t1("b", "t1_a", "bob", "reply to ann", replies=[t1("c", "t1_b", "ann", "back to bob")]),
            t1("d", "t1_a", "[deleted]", "[deleted]", replies=[t1("e", "t1_d", "cat", "reply to deleted")]),
        ]),
        t1("f", "t3_abc", "dan", "second top level"),
        more,
    ]
    return [
        {"kind": "Listing", "data": {"children": [post]}},
        {"kind": "Listing", "data": {"children": comments}},
    ]


def test_reddit_nested_replies(tmp_path, caplog):
    path = tmp_path / "abc.json"
    path.write_text(json.dumps(reddit_export()))
    with caplog.at_level(logging.WARNING, logger="discourse"):
        [thread] = read_json(path)
    assert thread.thread_id == "abc" and thread.source == str(path)
    assert thread.article == Article(
        title="Big & news", outlet="reddit.com/r/news", published="2023-11-14", url="https://example.com/story", text=""
    )
    assert links(thread) == [
        ("a", None, None, "root", 0),
        ("b", "a", "ann", "explicit", 1),
        ("c", "b", "bob", "explicit", 2),
        ("d", "a", "ann", "explicit", 3),
        ("e", "d", None, "explicit", 4),  # the deleted comment is kept, so its reply keeps its parent
        ("f", None, None, "root", 5),
    ]
    assert thread.comments[0].text == "Top level > quote"
    assert thread.comments[3].text == "[deleted]" and thread.comments[3].author is None
    assert thread.comments[0].timestamp == "2023-11-14T22:13:20Z"
    assert all(c.confidence == 1.0 for c in thread.comments)
    assert "skipped 1 'load more comments' stub(s) standing for 12 comment(s)" in caplog.text


def test_reddit_flat_comments_grouped_by_post(tmp_path):
    rows = [
        {"id": "a", "parent_id": "t3_p1", "link_id": "t3_p1", "author": "ann", "body": "x", "subreddit": "s"},
        {"id": "b", "parent_id": "t3_p2", "link_id": "t3_p2", "author": "bob", "body": "y", "subreddit": "s"},
        {"id": "c", "parent_id": "t1_a", "link_id": "t3_p1", "author": "cat", "body": "z", "subreddit": "s"},
    ]
    path = tmp_path / "dump.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows))
    threads = read_json(path)
    assert [t.thread_id for t in threads] == ["p1", "p2"]
    assert links(threads[0]) == [("a", None, None, "root", 0), ("c", "a", "ann", "explicit", 1)]
    assert threads[0].article.outlet == "reddit.com/r/s" and threads[0].article.title is None


def test_reddit_listing_of_comments(tmp_path):
    path = tmp_path / "listing.json"
    listing = {"kind": "Listing", "data": {"children": [t1("a", "t3_abc", "ann", "hi")]}}
    path.write_text(json.dumps(listing))
    [thread] = read_json(path)
    assert thread.thread_id == "abc" and links(thread) == [("a", None, None, "root", 0)]


# -- CSV ----------------------------------------------------------------------------------------
def test_csv_quoted_newlines_and_several_threads(tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes(
        b'thread_id,comment_id,parent_id,author,text,title,article_text\r\n'
        b'T2,1,,ann,"Line one\r\nline two, with comma",Second,Body 2\r\n'
        b'T1,1,,bob,plain,,\r\n'
        b'T2,2,1,cat,"She said ""no""",Ignored later title,\r\n'
        b'\r\n'
        b'T1,2,1,,,First,Body 1\r\n'
    )
    t2, t1_ = read_csv(path)
    assert (t2.thread_id, t1_.thread_id) == ("T2", "T1")
    assert t2.article.title == "Second" and t2.article.text == "Body 2"
    assert t1_.article.title == "First" and t1_.article.text == "Body 1"
    assert t2.comments[0].text == "Line one\nline two, with comma"
    assert t2.comments[1].text == 'She said "no"'
    assert links(t2) == [("1", None, None, "root", 0), ("2", "1", "ann", "explicit", 1)]
    assert links(t1_) == [("1", None, None, "root", 0), ("2", "1", "bob", "explicit", 1)]
    assert t1_.comments[1].text == "" and t1_.comments[1].author is None  # empty text kept
    assert t2.source == str(path) and t2.article.outlet is None and t2.article.published is None


def test_csv_optional_columns_any_case_and_semicolons(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(
        "Thread_ID;Comment_ID;Parent_ID;Author;Text;Timestamp;Outlet;Published\n"
        "t;a;;ann;hello;2024-01-01 10:00;Daily;2024-01-01\n",
        encoding="utf-8-sig",
    )
    [thread] = read_csv(path)
    assert thread.article.outlet == "Daily" and thread.article.published == "2024-01-01"
    assert thread.comments[0].timestamp == "2024-01-01 10:00"


def test_csv_missing_required_column(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("thread_id,id,author,body\nt,1,ann,hi\n")
    with pytest.raises(InputError) as err:
        read_csv(path)
    message = str(err.value)
    assert "missing required column(s) comment_id, parent_id, text" in message
    assert "found columns: thread_id, id, author, body" in message


def test_csv_unclosed_quote_and_extra_fields(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text('thread_id,comment_id,parent_id,author,text\nt,1,,ann,"never closed\nt,2,,bob,x\n')
    with pytest.raises(InputError, match="row starting at line 2 is not valid CSV"):
        read_csv(path)
    path.write_text("thread_id,comment_id,parent_id,author,text\nt,1,,ann,one, two\n")
    with pytest.raises(InputError, match="line 2 has 6 fields but the header has 5"):
        read_csv(path)


def test_csv_duplicate_conflict_names_lines(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("thread_id,comment_id,parent_id,author,text\nt,x,,ann,one\nt,y,,bob,two\nt,x,,ann,other\n")
    with pytest.raises(InputError, match=r"comment id 'x' is used twice \(line 2 and line 4\) with different text"):
        read_csv(path)


def test_csv_large_input_is_fast(tmp_path):
    """A long reply chain plus many top-level rows: linear work, no recursion."""
    n = 50_000
    lines = ["thread_id,comment_id,parent_id,author,text"]
    lines += [f"t,{i},{i - 1 if i else ''},u{i % 7},text {i}" for i in range(n)]
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines))
    [thread] = read_csv(path)
    assert len(thread) == n and thread.comments[-1].parent_id == str(n - 2)
    assert thread.depths()[str(n - 1)] == n - 1


# -- ConvoKit -----------------------------------------------------------------------------------
def write_convokit(folder, utterances, conversations=None):
    folder.mkdir()
    (folder / "utterances.jsonl").write_text("\n".join(json.dumps(u) for u in utterances) + "\n")
    if conversations is not None:
        (folder / "conversations.json").write_text(json.dumps(conversations))
    (folder / "corpus.json").write_text("{}")


def test_convokit_root_as_article(tmp_path):
    folder = tmp_path / "corpus"
    write_convokit(folder, [
        {"id": "p", "speaker": "op", "conversation_id": "p", "reply_to": None, "text": "The post", "timestamp": 1700000000},
        {"id": "u1", "speaker": "ann", "conversation_id": "p", "reply_to": "p", "text": "first", "timestamp": 1700000100},
        {"id": "u2", "user": "bob", "root": "p", "reply_to": "u1", "text": "second", "timestamp": None, "meta": {}},
        {"id": "q", "speaker": "zed", "conversation_id": "q", "reply_to": None, "text": "alone"},
    ], {"p": {"meta": {"title": "A post", "outlet": "forum"}, "vectors": []}})
    p, q = read_convokit(folder)
    assert p.thread_id == "p" and p.source == str(folder)
    assert p.article.text == "The post" and p.article.title == "A post" and p.article.outlet == "forum"
    assert p.article.published == "2023-11-14"
    assert links(p) == [("u1", None, None, "root", 0), ("u2", "u1", "ann", "explicit", 1)]
    assert p.comments[0].timestamp == "1700000100"
    # Nothing replies to q's root: it stays a comment.
    assert q.article.text == "" and links(q) == [("q", None, None, "root", 0)]


def test_convokit_article_text_in_metadata_keeps_root_as_comment(tmp_path):
    folder = tmp_path / "corpus"
    write_convokit(folder, [
        {"id": "r", "speaker": "ann", "conversation_id": "r", "reply_to": None, "text": "first comment"},
        {"id": "s", "speaker": "bob", "conversation_id": "r", "reply_to": "r", "text": "reply"},
    ], {"r": {"article_text": "The article.", "title": "T"}})
    [thread] = read_convokit(folder)
    assert thread.article.text == "The article."
    assert links(thread) == [("r", None, None, "root", 0), ("s", "r", "ann", "explicit", 1)]


def test_convokit_through_read_threads(tmp_path):
    folder = tmp_path / "corpus"
    write_convokit(folder, [{"id": "a", "speaker": "x", "conversation_id": "a", "reply_to": None, "text": "t"}])
    assert [t.thread_id for t in read_threads([tmp_path])] == ["a"]


def test_convokit_bad_line(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "utterances.jsonl").write_text('{"id": "a", "conversation_id": "a"}\n{"id": \n')
    with pytest.raises(InputError, match=r"utterances\.jsonl: line 2 is not valid JSON"):
        read_convokit(folder)


# -- repair -------------------------------------------------------------------------------------
def make(*specs) -> Thread:
    """Thread from (id, parent, author, text) tuples, positions in order."""
    comments = [
        Comment(cid, text, author=author, parent_id=parent, position=i, link="explicit" if parent else "root")
        for i, (cid, parent, author, text) in enumerate(specs)
    ]
    return Thread("t", "t.csv", comments=comments)


def test_repair_missing_parent(caplog):
    thread = make(("a", None, "ann", "x"), ("b", "gone", "bob", "y"))
    thread.comments[1].reply_to = "zed"
    with caplog.at_level(logging.WARNING, logger="discourse"):
        notes = repair_links(thread)
    b = thread.comments[1]
    assert (b.parent_id, b.link, b.confidence, b.reply_to) == (None, "root", 1.0, "zed")
    assert len(thread) == 2 and len(notes) == 1 and "'gone'" in notes[0] and "'gone'" in b.evidence
    assert "'gone'" in caplog.text


def test_repair_exact_duplicate_is_dropped_and_recorded():
    thread = make(("a", None, "ann", "x"), ("b", "a", "bob", "y"), ("a", None, "ann", "x"), ("c", "a", "cat", "z"))
    notes = repair_links(thread)
    assert [(c.comment_id, c.position) for c in thread] == [("a", 0), ("b", 1), ("c", 2)]
    assert thread.article.removed == [RemovedLine("x", "duplicate of comment a")]
    assert len(notes) == 1 and "position 2" in notes[0]


def test_repair_conflicting_duplicate_raises():
    thread = make(("a", None, "ann", "x"), ("a", None, "bob", "x"))
    with pytest.raises(InputError, match=r"t\.csv: comment id 'a' is used twice \(position 0 and position 1\) "
                                         r"with different author; ids must be unique"):
        repair_links(thread)


def test_repair_two_cycle_and_self_parent():
    thread = make(("a", "b", "ann", "x"), ("b", "a", "bob", "y"), ("c", "c", "cat", "z"), ("d", "b", "dan", "w"))
    notes = repair_links(thread)
    assert links(thread) == [
        ("a", None, None, "root", 0),  # the earliest of the cycle becomes top-level
        ("b", "a", None, "explicit", 1),
        ("c", None, None, "root", 2),
        ("d", "b", None, "explicit", 3),
    ]
    assert len(notes) == 2 and "circle" in notes[0] and "itself" in notes[1]
    assert thread.depths() == {"a": 0, "b": 1, "c": 0, "d": 2}


def test_repair_cycle_head_is_earliest_position_not_walk_start():
    thread = make(("x", "z", None, ""), ("y", "x", None, ""), ("z", "y", None, ""))
    thread.comments[0].position, thread.comments[2].position = 5, 0
    repair_links(thread)
    assert [c.parent_id for c in thread] == ["z", "x", None]


def test_repair_leaves_consistent_thread_alone():
    thread = sample_thread()
    assert repair_links(thread) == [] and thread == sample_thread()


def test_structured_reader_repairs(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(
        "thread_id,comment_id,parent_id,author,text\n"
        "t,a,b,ann,x\nt,b,a,bob,y\nt,c,missing,cat,z\nt,c,missing,cat,z\n"
    )
    [thread] = read_csv(path)
    assert links(thread) == [("a", None, "bob", "root", 0), ("b", "a", "ann", "explicit", 1), ("c", None, None, "root", 2)]
    assert thread.article.removed == [RemovedLine("z", "duplicate of comment c")]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abcdefg"), st.none() | st.sampled_from("abcdefgxy")), max_size=12))
def test_repair_always_yields_a_forest(specs):
    """Whatever the ids say, repair leaves every parent present, no cycles, and no comment lost."""
    # Copies of an id share author/text/parent, so duplicates are exact and never refused.
    first_parent = {}
    for cid, parent in specs:
        first_parent.setdefault(cid, parent)
    thread = make(*[(cid, first_parent[cid], "u", f"text {cid}") for cid, _ in specs])
    repair_links(thread)
    ids = [c.comment_id for c in thread]
    assert sorted(ids) == sorted(set(cid for cid, _ in specs))
    assert len(thread) + len(thread.article.removed) == len(specs)
    assert [c.position for c in thread] == list(range(len(thread)))
    parent = {c.comment_id: c.parent_id for c in thread}
    for c in thread:
        assert (c.link == "root") == (c.parent_id is None)
        seen, cur = set(), c.comment_id
        while cur is not None:
            assert cur in parent and cur not in seen
            seen.add(cur)
            cur = parent[cur]


def test_repair_big_cycle_note_and_log_stay_short(caplog):
    n = 20_000
    ring = make(*[(str(i), str((i + 1) % n), None, "") for i in range(n)])
    orphans = make(*[(str(i), f"gone{i}", None, "") for i in range(50)])
    with caplog.at_level(logging.WARNING, logger="discourse"):
        [note] = repair_links(ring)
        assert len(repair_links(orphans)) == 50
    assert ring.comments[0].parent_id is None and len(note) < 300 and "(20000 comments)" in note
    assert len(caplog.records) == 1 + 10 + 1 and "40 more link repairs" in caplog.records[-1].getMessage()
