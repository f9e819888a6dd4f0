"""Evaluation harness: gold loading, page rendering, scoring, baselines and the bench.

Everything runs on small hand-built threads and data files, so no ../shared data is needed.
"""

from __future__ import annotations

import json
import re

import pytest

from benchmarks import bench_parse
from evaluation import parse_eval
from evaluation.gold import load_gold, synthetic_handle
from evaluation.parse_eval import (
    align, baseline_hits, baseline_named, baseline_previous, baseline_similar, baseline_top, evaluate,
    score_parse,
)
from evaluation.render import (
    FOOTERS, HEADERS, LAYOUTS, NAVIGATION, ORDERS, STYLES, comment_lines, page_order, render, render_page,
)
from discourse.model import Article, Comment, Thread

AUTHORS = {"ann", "bob", "cy", "[removed]"}


def tiny_thread() -> Thread:
    """Two top-level comments with a reply tree; nested and time order differ.

    Time order: a1 ann, b1 bob (top), a2 cy -> a1, b2 ann -> b1, a3 bob -> a2, d1 [removed] (top),
    d2 ann -> d1. Texts include paragraphs with \\r\\n and repeated text.
    """
    def c(cid, author, text, parent, minute):
        return Comment(cid, text, author=author, parent_id=parent, timestamp=f"2016-02-09T10:{minute:02d}:00+00:00")

    return Thread("t1", "test", Article(title="Title here", published="2016-02-09", text="Para one.\nPara two."), [
        c("a1", "ann", "First point.\r\n\r\n\r\nSecond paragraph.", None, 0),
        c("b1", "bob", "Rates are too high.", None, 1),
        c("a2", "cy", "I agree with  the first point.", "a1", 2),
        c("b2", "ann", "Rates are fine.", "b1", 3),
        c("a3", "bob", "Same here.\nReally.", "a2", 4),
        c("d1", "[removed]", "This comment has been deleted", None, 5),
        c("d2", "ann", "Same here.\nReally.", "d1", 6),
    ])


def toy_parse(text: str, source: str = "", thread_id: str | None = None, semantic: bool = True) -> Thread:
    """A fake parser for plain pages of :func:`tiny_thread`: it knows the author names.

    A known name right after an author line is a reply header, linked to that person's latest
    comment; anything else until the next name is text.
    """
    comments: list[Comment] = []
    latest: dict[str, str] = {}
    lines = text.split("\n")
    body = lines[lines.index("") + 1:]
    fresh = False  # the last line was an author line
    for line in body:
        if line in AUTHORS and fresh:
            comments[-1].reply_to = line
            comments[-1].parent_id = latest.get(line)
            fresh = False
        elif line in AUTHORS:
            if comments:
                latest[comments[-1].author] = comments[-1].comment_id
            comments.append(Comment(f"p{len(comments)}", "", author=line))
            fresh = True
        elif comments:
            comments[-1].text += line + "\n"
            fresh = False
    return Thread(thread_id or "x", source, comments=comments)


# -- render ----------------------------------------------------------------------------------------
def test_page_order_chronological_and_nested():
    t = tiny_thread()
    assert [c.comment_id for c in page_order(t, "chronological")] == ["a1", "b1", "a2", "b2", "a3", "d1", "d2"]
    assert [c.comment_id for c in page_order(t, "nested")] == ["a1", "a2", "a3", "b1", "b2", "d1", "d2"]
    with pytest.raises(ValueError):
        page_order(t, "random")


@pytest.mark.parametrize("order,headers,chrome", LAYOUTS)
@pytest.mark.parametrize("style", sorted(STYLES))
def test_render_every_layout(order, headers, chrome, style):
    t = tiny_thread()
    page = render(t, order, headers, chrome, seed=3, style=style)
    assert page.comments == page_order(t, order)
    parents = {c.comment_id: c.parent_id for c in t.comments}
    authors = {c.comment_id: c.author for c in t.comments}
    for c, name in zip(page.comments, page.reply_to):
        if headers == "all" and c.parent_id:
            assert name == authors[c.parent_id]
        if headers == "none" or c.parent_id is None:
            assert name is None
        if name is not None:
            assert name == authors[parents[c.comment_id]]
    lines = page.text.splitlines()
    assert lines[1 if chrome else 0] == "Title here"  # with chrome, the site's navigation comes first
    if chrome:
        assert lines[0] in NAVIGATION and any(lines[-len(f):] == list(f) for f in FOOTERS)
    # every comment's text lines appear, in page order
    pos = 0
    for c in page.comments:
        for line in comment_lines(c.text, STYLES[style].paragraph_gaps):
            if line:
                pos = lines.index(line, pos) + 1
    gaps = STYLES[style].paragraph_gaps
    assert ("First point.\n\nSecond paragraph." in page.text) == gaps
    if not chrome:
        assert not re.search(r"Reply|Comments|ago|AM|PM|Load more", page.text)
        expected = 1 + 2 + 1 + sum(1 + (n is not None) + len(comment_lines(c.text, gaps))
                                   for c, n in zip(page.comments, page.reply_to))
        assert len(lines) == expected
    else:
        assert re.search(r"\d+ [Cc]omments|Comments \(\d+\)", page.text)


def test_render_some_headers_is_seeded_and_partial():
    t = tiny_thread()
    flags = [tuple(n is not None for n in render(t, "nested", "some", seed=s).reply_to) for s in range(20)]
    assert flags[0] == tuple(n is not None for n in render(t, "nested", "some", seed=0).reply_to)
    assert len(set(flags)) > 1  # seeds differ
    assert render_page(t, seed=5) == render(t, seed=5).text
    for s in range(5):  # the same half and style, whatever the order or chrome
        plain, chrome = render(t, "nested", "some", seed=s), render(t, "chronological", "some", True, seed=s)
        assert dict(zip((c.comment_id for c in plain.comments), plain.reply_to)) == \
            dict(zip((c.comment_id for c in chrome.comments), chrome.reply_to))
        assert plain.style == chrome.style
    with pytest.raises(ValueError):
        render(t, headers="most")
    with pytest.raises(ValueError):
        render(t, style="nope")


def test_comment_lines_blank_line_handling():
    text = "  one \r\n\r\n\r\n two\u2028three\n\n"
    assert comment_lines(text, True) == ["one", "", "two", "three"]
    assert comment_lines(text, False) == ["one", "two", "three"]


def test_chrome_stamps():
    t = tiny_thread()
    assert "Feb 9, 2016 10:00 AM" in render_page(t, chrome=True, style="hosted")
    assert re.search(r"^\d+(m|h|d|w|mo|y)$", render_page(t, chrome=True, style="social"), re.M)
    assert re.search(r"^\d+ \w+ ago$", render_page(t, chrome=True, style="news"), re.M)


# -- scoring ---------------------------------------------------------------------------------------
def perfect_parse(gold: list[Comment]) -> list[Comment]:
    """The gold comments under new ids, text re-wrapped: what a flawless parser returns."""
    new_id = {c.comment_id: f"p{i}" for i, c in enumerate(gold)}
    return [Comment(new_id[c.comment_id], " ".join(c.text.split()) + "\n", author=c.author,
                    parent_id=new_id.get(c.parent_id) if c.parent_id else None) for c in gold]


def test_score_perfect_and_wrong_parent():
    gold = page_order(tiny_thread(), "nested")
    parsed = perfect_parse(gold)
    s = score_parse(gold, parsed)
    assert s["comments"] == s["recovered"] == s["parent_ok"] == 7
    assert (s["replies"], s["replies_ok"], s["top"], s["top_ok"]) == (4, 4, 3, 3)

    parsed[1].parent_id = None  # a2 (a reply) called top-level
    parsed[3].parent_id = "p0"  # b1 (top-level) called a reply
    notes: list[str] = []
    s = score_parse(gold, parsed, notes)
    assert s["recovered"] == 7 and s["parent_ok"] == 5
    assert notes == [
        "parent  cy: I agree with the first point.  ->  got top-level, want ann (First point. Second paragraph.)",
        "parent  bob: Rates are too high.  ->  got ann (First point. Second paragraph.), want top-level",
    ]
    assert (s["replies_ok"], s["top_ok"]) == (3, 2)


def test_score_missing_and_changed_comments():
    gold = page_order(tiny_thread(), "chronological")
    parsed = perfect_parse(gold)
    parsed[0].text = "First point. Second"  # wrong text: not recovered
    del parsed[5]  # d1 lost: d2's parent cannot be right
    s = score_parse(gold, parsed)
    assert s["recovered"] == 5
    assert s["parent_ok"] == 3  # a2 (parent a1 unmatched) and d2 (parent lost) are wrong
    assert score_parse(gold, [])["recovered"] == 0


def test_align_pairs_repeated_text_in_order():
    gold = page_order(tiny_thread(), "chronological")
    dup = [Comment("x", "Same", author="ann"), Comment("y", "Same", author="ann")]
    assert align(dup, dup[::-1]) == {0: 0, 1: 1}
    assert align(gold, gold) == {i: i for i in range(len(gold))}


# -- baselines -------------------------------------------------------------------------------------
def test_baselines_on_tiny_thread():
    t = tiny_thread()
    chrono = page_order(t, "chronological")  # a1 b1 a2 b2 a3 d1 d2
    names = render(t, "chronological", "all").reply_to
    assert names == [None, None, "ann", "bob", "cy", None, "[removed]"]
    assert baseline_top(chrono, names) == [None] * 7
    assert baseline_previous(chrono, names) == [None, "a1", "b1", "a2", "b2", "a3", "d1"]
    # named person's latest earlier comment: only where a header exists
    assert baseline_named(chrono, names) == [None, None, "a1", "b1", "a2", None, "d1"]
    assert baseline_named(chrono, [None] * 7) == [None] * 7
    # similar: b2 shares "rates" with b1; d2 repeats a3's text; a2 shares "first point" with a1
    sim = baseline_similar(chrono, names)
    assert sim[0] is None and sim[2] == "a1" and sim[3] == "b1" and sim[6] == "a3"
    assert baseline_similar(chrono, names, min_sim=0.99)[6] == "a3"
    assert baseline_similar(chrono, names, min_sim=0.99)[3] is None
    hits = baseline_hits(chrono, names)
    assert hits["base_top"] == 3 and hits["base_previous"] == 2 and hits["base_named"] == 7


def test_evaluate_with_toy_parser_and_baselines_only():
    gold = {"tiny": [tiny_thread()]}
    layouts = ["nested/all/plain", "chronological/all/plain", "nested/none/plain"]
    table = evaluate(layouts=layouts, parser=toy_parse, gold=gold)
    assert list(table["layout"]) == layouts
    assert list(table["recovered"]) == [1.0, 1.0, 1.0]
    assert list(table["parent_acc"][:2]) == [1.0, 1.0]
    assert table["parent_acc"][2] == pytest.approx(3 / 7)  # no headers: toy parser says top-level
    assert table["base_top"][0] == pytest.approx(3 / 7)
    assert table["base_named"][0] == 1.0 and table["base_named"][2] == pytest.approx(3 / 7)
    assert parse_eval.target_misses(table) == ["tiny nested/none/plain: parent_acc 0.4286 < 0.45"]

    def broken(*a, **k):
        raise RuntimeError("boom")

    table = evaluate(layouts=layouts[:1], parser=broken, gold=gold, examples=2)
    assert table["failures"][0] == 1 and table["recovered"][0] == 0.0
    assert table["examples"][0] == ["failed  thread t1: RuntimeError: boom"]  # not 7 "missed" lines
    table = evaluate(layouts=layouts[:1], baselines_only=True, gold=gold)
    assert table["comments"][0] == 7 and table["base_named"][0] == 1.0
    with pytest.raises(ValueError):
        evaluate(layouts=["sideways/all/plain"], parser=toy_parse, gold=gold)


def test_main_without_data(tmp_path, capsys):
    assert parse_eval.main(["--data-dir", str(tmp_path / "absent")]) == 0
    assert "No gold data" in capsys.readouterr().out


# -- gold loading ----------------------------------------------------------------------------------
def write_fake_data(root):
    g = root / "globe-and-mail-dev"
    (g / "articles").mkdir(parents=True)
    (g / "comments").mkdir()
    (g / "articles" / "article_1.json").write_text(json.dumps({"1": {
        "title": "T", "published_date": "2016-02-09 EST", "article_url": "http://x",
        "article_text": ["<p>One &amp; <b>two</b>.</p>", "<p></p>", "<p>Three</p>"]}}))

    def node(cid, name, text, ts, parent=None, replies=(), status="published"):
        return {"ID": cid, "parentID": parent, "sender": {"name": name}, "commentText": text,
                "timestamp": ts, "status": status, "replies": list(replies)}

    tree = [node("d", "[removed]", "This comment has been deleted", 1455025106910, status="deleted",
                 replies=[node("r", "bob", "Reply\r\n\r\ntext", 1455025206910, parent="d")]),
            node("e", "ann", "Early", 1455020000000)]
    (g / "comments" / "article_1_comments.json").write_text(json.dumps({"1": {"comments": tree}}))

    r = root / "rumoureval2017-traindev"
    r.mkdir()
    posts = {"10": {"text": "Source &amp; news", "time": 100.0},
             "11": {"text": "@src what?", "time": 110.0},
             "12": {"text": "@alice no", "time": 120.0},
             "13": {"text": "@alice @src yes", "time": 130.0},
             "15": {"text": "@bob hmm", "time": 150.0},
             "16": {"text": "beside", "time": 160.0}}
    # 11 by alice (replied with @alice twice); 14 is missing, so 15 moves up to 11.
    structures = {"10": {"10": {"11": {"12": [], "13": [], "14": {"15": []}}}, "16": []}}
    (r / "posts.json").write_text(json.dumps(posts))
    (r / "structures.json").write_text(json.dumps(structures))


def test_load_gold_from_files(tmp_path):
    write_fake_data(tmp_path)
    gold = load_gold(tmp_path)
    (globe,) = gold["globe-and-mail"]
    assert globe.article.text == "One & two.\nThree"
    assert globe.article.published == "2016-02-09"
    assert [c.comment_id for c in globe.comments] == ["e", "d", "r"]  # time order
    d, r = globe.comments[1], globe.comments[2]
    assert d.author == "[removed]" and d.text == "This comment has been deleted"
    assert r.parent_id == "d" and r.text == "Reply\r\n\r\ntext" and r.timestamp.startswith("2016-02-09T13:")

    (tw,) = gold["rumoureval"]
    assert tw.article.title is None and tw.article.text == "Source & news"
    by = tw.by_id()
    assert set(by) == {"11", "12", "13", "15", "16"}
    assert by["11"].author == "alice" and by["11"].parent_id is None
    assert by["12"].parent_id == "11" and by["15"].parent_id == "11"
    assert by["16"].parent_id is None  # listed beside the source: a reply to it
    assert by["12"].author == synthetic_handle("12") and re.fullmatch(r"user_[0-9a-f]{6}", by["12"].author)
    assert by["11"].timestamp == "1970-01-01T00:01:50+00:00"
    assert len(load_gold(tmp_path, limit=0)["rumoureval"]) == 0


def test_main_on_fake_data(tmp_path, capsys):
    write_fake_data(tmp_path)
    assert parse_eval.main(["--data-dir", str(tmp_path), "--baselines-only", "--layout", "nested/all/plain"]) == 0
    out = capsys.readouterr().out
    assert "globe-and-mail" in out and "rumoureval" in out and "base_named" in out


# -- bench -----------------------------------------------------------------------------------------
def test_bench_runs_with_a_fake_parser(capsys):
    text, n = bench_parse.synthetic_page(0.05)
    assert 0.04e6 < len(text) < 0.08e6 and n > 50
    assert bench_parse.main(["--mb", "0.05", "--runs", "2", "--semantic-mb", "0.02"], parse=toy_parse) == 0
    out = capsys.readouterr().out
    assert "median of 2 run(s)" in out and "MB/s" in out and "semantic=True" in out


def test_layout_constants():
    assert len(LAYOUTS) == len(ORDERS) * len(HEADERS) * 2 == len(parse_eval.LAYOUT_NAMES)


def test_reddit_threads_split_by_thread_with_readable_pseudonyms(tmp_path):
    import json

    from evaluation.gold import REDDIT_DIR, REDDIT_FILE, load_gold, load_reddit, pseudonym, reddit_split

    folder = tmp_path / REDDIT_DIR
    folder.mkdir()
    rows = []
    for k in range(12):
        rows.append({"thread_id": f"t{k}", "title": None, "article_text": None, "comments": [
            {"id": f"a{k}", "author": "817dcbc6529563d69a876461147aeffc", "parent": None, "text": "First.",
             "time": "2022-02-14T22:35:51Z"},
            {"id": f"b{k}", "author": None, "parent": f"a{k}", "text": "", "time": "2022-02-14T22:36:00Z"},
        ]})
    (folder / REDDIT_FILE).write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    test, train = load_reddit(folder, part="test"), load_reddit(folder, part="train")
    assert {t.thread_id for t in test}.isdisjoint({t.thread_id for t in train})
    assert len(test) + len(train) == 12 and all(reddit_split(t.thread_id) == "test" for t in test)
    t = train[0]
    name = pseudonym("817dcbc6529563d69a876461147aeffc")
    assert [c.author for c in t.comments] == [name, "[deleted]"] and name.replace("_", "").replace("-", "").isalnum()
    assert t.comments[1].parent_id == t.comments[0].comment_id and t.comments[1].text == "[deleted]"
    assert [x.thread_id for x in load_gold(tmp_path)["reddit"]] == [x.thread_id for x in test]
    assert "reddit" not in load_gold(tmp_path, reddit=None)


def test_named_similar_baseline_picks_the_named_persons_closest_comment():
    from evaluation.parse_eval import baseline_named_similar

    comments = [
        Comment("a1", "Drone factories in Kyiv will triple output.", author="ann"),
        Comment("a2", "The weather in Lviv is lovely today.", author="ann"),
        Comment("b1", "Triple the drone output in Kyiv factories? Hardly.", author="bob"),
        Comment("c1", "Lovely weather indeed.", author="cy"),
    ]
    assert baseline_named_similar(comments, [None, None, "ann", None]) == [None, None, "a1", None]
    assert baseline_named_similar(comments, [None, None, "nobody", "ann"]) == [None, None, None, "a2"]


def test_reliability_bins_and_calibration_error():
    from evaluation.parse_eval import reliability

    bins = {"news": {"bin9_n": 10, "bin9_ok": 9, "bin9_conf": 9.5, "bin2_n": 10, "bin2_ok": 5, "bin2_conf": 2.5}}
    table = reliability(bins)
    rows = {r.bin: r for r in table.itertuples()}
    assert rows["0.9-1.0"].accuracy == 0.9 and rows["0.2-0.3"].confidence == 0.25
    assert abs(rows["all"].ece - (10 * 0.05 + 10 * 0.25) / 20) < 1e-12
