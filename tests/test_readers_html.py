"""Saved web pages (discourse/readers/html/): comment blocks by shape, parents from the markup,
the article by trafilatura, per-system rules, fallback, and hostile pages. Pages written here."""

import json
import logging
import socket

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from discourse.errors import InputError
from discourse.model import LINK_EXPLICIT, LINK_ROOT
from discourse.readers import discover, read_threads
from discourse.readers.html import dom, parse_html_page, systems
from discourse.readers.html.systems import read_js_value

ARTICLE = """<article class="post"><h1>Bike lanes for Main Street</h1>
<p>The council approved new bike lanes on Main Street on Tuesday, after a long debate about parking
and deliveries that went on until late in the evening.</p>
<p>Work starts in May and should take about three months, the city engineer said at the meeting,
and shops will stay open throughout the works.</p></article>"""

NAV = """<nav class="menu"><a href="/">Home</a> <a href="/news">News</a></nav>
<div class="share-buttons"><a href="#">Share on Facebook</a></div>"""


def wp_comment(cid, author, text, children=""):
    kids = f'<ul class="children">{children}</ul>' if children else ""
    return (f'<li class="comment depth-x" id="comment-{cid}"><div class="comment-body" id="div-comment-{cid}">'
            f'<div class="comment-author vcard"><img class="avatar" src="https://x.example/a.png">'
            f'<cite class="fn">{author}</cite> <span class="says">says:</span></div>'
            f'<div class="comment-meta"><a href="#comment-{cid}">March 1, 2024 at 10:{cid:0>2}</a></div>'
            f'<div class="comment-content">{text}</div>'
            f'<div class="reply"><a class="comment-reply-link" href="#">Reply</a></div></div>{kids}</li>')


def page(comments_html, extra_head=""):
    return (f"<!DOCTYPE html><html><head><title>Bike lanes</title>{extra_head}</head><body>{NAV}{ARTICLE}"
            f'<div id="comments"><ol class="comment-list">{comments_html}</ol></div>'
            '<footer class="site-footer">© Town News</footer></body></html>')


WP = page(
    wp_comment("1", "Ann", "<p>Finally, safer streets for everyone who cycles to work.</p>",
               wp_comment("2", "Bob", "<blockquote>safer streets for everyone</blockquote>"
                                      "<p>And where do the delivery vans stop now?</p>",
                          wp_comment("4", "Ann", "<p>In the side streets, as they already do.</p>")))
    + wp_comment("3", "Cy", "<p>Three months of roadworks again, great news for the shops.</p>"))


def test_nested_comments_authors_parents_and_evidence():
    t = parse_html_page(WP, source="wp.html", thread_id="wp", semantic=False)
    assert [(c.comment_id, c.author, c.parent_id) for c in t.comments] == [
        ("comment-1", "Ann", None), ("comment-2", "Bob", "comment-1"), ("comment-4", "Ann", "comment-2"),
        ("comment-3", "Cy", None)]
    by_id = t.by_id()
    assert by_id["comment-2"].link == LINK_EXPLICIT and by_id["comment-2"].confidence == 1.0
    assert "nested" in by_id["comment-2"].evidence or "reply list" in by_id["comment-2"].evidence
    assert by_id["comment-2"].reply_to == "Ann"
    assert by_id["comment-1"].link == LINK_ROOT
    assert by_id["comment-1"].text == "Finally, safer streets for everyone who cycles to work."
    # quoted words stay marked as a quote, not the comment's own words
    assert by_id["comment-2"].text == "> safer streets for everyone\nAnd where do the delivery vans stop now?"
    assert by_id["comment-1"].timestamp and "10:01" in by_id["comment-1"].timestamp


def test_article_without_comment_text_and_furniture_with_reasons():
    t = parse_html_page(WP, source="wp.html", semantic=False)
    assert "approved new bike lanes" in t.article.text
    assert "cycles to work" not in t.article.text and "delivery vans" not in t.article.text
    reasons = {r.reason for r in t.article.removed}
    assert {"navigation", "share buttons", "page footer"} <= reasons
    assert any(r.text == "Reply" for r in t.article.removed)


def test_parent_attributes_and_parent_links_win_over_flat_markup():
    rows = "".join(
        f'<div class="comment" id="c{i}" {attr}><span class="username">user{i}</span>'
        f'<div class="comment-text"><p>Comment number {i} has something to say here.</p></div></div>'
        for i, attr in ((1, ""), (2, 'data-parent-id="c1"'), (3, ""), (4, 'data-parent-id="c2"')))
    t = parse_html_page(f"<html><body>{ARTICLE}<section>{rows}</section></body></html>", semantic=False)
    assert [c.parent_id for c in t.comments] == [None, "c1", None, "c2"]
    assert "data-parent-id" in t.comments[1].evidence
    links = "".join(
        f'<div class="thing comment" id="thing_t1_{i}"><a class="author" href="/user/u{i}">u{i}</a>'
        f'<div class="md"><p>Text of reply {i} goes on for a few words.</p></div>'
        + (f'<a class="bylink" data-event-action="parent" href="#{p}">parent</a>' if p else "") + "</div>"
        for i, p in (("a", None), ("b", "a"), ("c", "b")))
    t = parse_html_page(f"<html><body>{ARTICLE}<div class='commentarea'>{links}</div></body></html>",
                        semantic=False)
    assert [c.parent_id for c in t.comments] == [None, "thing_t1_a", "thing_t1_b"]
    assert "parent link" in t.comments[1].evidence


def test_indentation_gives_parents_on_flat_rows():
    def row(i, indent, name):
        return (f'<tr class="athing comtr" id="{i}"><td><table><tr><td class="ind" indent="{indent}">'
                f'<img src="s.gif" height="1" width="{indent * 40}"></td><td class="default">'
                f'<span class="comhead"><a href="user?id={name}" class="hnuser">{name}</a> '
                f'<span class="age" title="2024-01-01T10:00:00">2 hours ago</span></span>'
                f'<div class="comment"><span class="commtext">Words of comment {i} from {name} here.</span>'
                f'</div></td></tr></table></td></tr>')
    rows = row(1, 0, "ann") + row(2, 1, "bob") + row(3, 2, "cy") + row(4, 1, "dee") + row(5, 0, "eve")
    t = parse_html_page(f"<html><body>{ARTICLE}<table class='comment-tree'>{rows}</table></body></html>",
                        semantic=False)
    assert [(c.author, c.parent_id) for c in t.comments] == [
        ("ann", None), ("bob", "1"), ("cy", "2"), ("dee", "1"), ("eve", None)]
    assert "indent" in t.comments[1].evidence


def test_forum_page_first_post_is_the_article():
    posts = "".join(
        f'<article class="message message--post" id="post-{i}"><div class="message-user">'
        f'<h4 class="message-name"><a class="username" href="/members/{n}.{i}/">{n}</a></h4></div>'
        f'<div class="message-content"><div class="bbWrapper">{text}</div></div></article>'
        for i, n, text in ((1, "starter", "My cat sheds a lot of dirt at night, what can I do about it? " * 3),
                           (2, "helper", "Brush him every evening, it helps a lot."),
                           (3, "other", "Check the ears for mites as well.")))
    t = parse_html_page(f"<html><body><div class='block-body'>{posts}</div></body></html>", semantic=False)
    assert [c.author for c in t.comments] == ["helper", "other"]
    assert t.article.text.startswith("My cat sheds")


def test_no_comment_blocks_falls_back_to_page_text_with_a_warning(caplog):
    html = (f"<html><body>{ARTICLE}<div><p>12 comments</p><p>Ann</p><p>I like this plan a lot.</p>"
            "<p>Bob</p><p>I do not, parking matters.</p></div></body></html>")
    with caplog.at_level(logging.WARNING, logger="discourse"):
        t = parse_html_page(html, source="flat.html", semantic=False)
    assert "no comment blocks recognised" in caplog.text and "page text" in caplog.text
    assert "approved new bike lanes" in t.article.text


def test_nothing_recognisable_still_parses_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="discourse"):
        t = parse_html_page("<html><body><div></div><script>alert(1)</script></body></html>", source="e.html",
                            semantic=False)
    assert t.comments == [] and "no visible text" in caplog.text


def test_hostile_page_no_network_no_scripts_no_entities(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the reader tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    secret = "ROOT-PASSWORD-LINE"
    html = ('<!DOCTYPE html [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY s "' + secret + '">]>'
            '<html><head><link rel="stylesheet" href="https://evil.example/x.css">'
            '<script src="https://evil.example/x.js"></script></head><body>'
            '<iframe src="https://evil.example/frame"></iframe><img src="https://evil.example/p.png">'
            + ARTICLE + '<script>document.write("<div class=comment>INJECTED</div>")</script>'
            '<ol class="comment-list">' + wp_comment("1", "Ann", "<p>Entity here: &xxe; &s; end of words.</p>")
            + wp_comment("2", "Bob", "<p>Second comment with a few words.</p>") + '</ol></body></html>')
    t = parse_html_page(html, source="hostile.html", semantic=False)
    everything = json.dumps(t.to_dict())
    assert "INJECTED" not in everything and "root:" not in everything and secret not in everything
    assert [c.author for c in t.comments] == ["Ann", "Bob"]


def test_size_limit_is_enforced_with_a_message(tmp_path, monkeypatch):
    monkeypatch.setattr(dom, "MAX_HTML_BYTES", 1000)
    monkeypatch.setattr("discourse.readers.html.MAX_HTML_BYTES", 1000)
    big = tmp_path / "big.html"
    big.write_text(WP, encoding="utf-8")
    with pytest.raises(InputError, match="limit for a web page"):
        read_threads([big])


def test_folders_of_pages_are_read_and_pages_are_sniffed(tmp_path):
    (tmp_path / "a.html").write_text(WP, encoding="utf-8")
    (tmp_path / "b.htm").write_text(WP, encoding="utf-8")
    (tmp_path / "c.txt").write_text(WP, encoding="utf-8")  # a page saved under a text name
    assert [p.name for p in discover([tmp_path])] == ["a.html", "b.htm", "c.txt"]
    threads = read_threads([tmp_path], semantic=False)
    assert [len(t.comments) for t in threads] == [4, 4, 4]
    assert all(t.article.title != "<!DOCTYPE html>" for t in threads)


def test_encoding_from_meta_charset():
    html = ('<html><head><meta charset="windows-1251"></head><body>' + ARTICLE
            + '<ol class="comment-list">' + wp_comment("1", "Иван", "<p>Привет всем, хорошая статья!</p>")
            + wp_comment("2", "Олег", "<p>Согласен с предыдущим автором.</p>") + "</ol></body></html>")
    t = parse_html_page(html.encode("cp1251"), semantic=False)
    assert [c.author for c in t.comments] == ["Иван", "Олег"]


# -- per-system rules ---------------------------------------------------------------------------
def test_script_items_rule_reads_comments_the_markup_lacks():
    items = ("[{'id': '11', 'body': 'First \\46amp; best', 'author': {'name': 'Ann'}, 'timestamp': '1'},"
             " {'id': '12', 'body': 'Reply<br>two lines', 'parentId': '11', 'author': {'name': 'Bob'}}]")
    html = (f"<html><head><link href='https://www.blogger.com/x'></head><body>{ARTICLE}"
            f"<div class='comments'><script>(function() {{ var items = {items}; }})();</script></div></body></html>")
    details = {}
    t = parse_html_page(html, source="blog.html", semantic=False, details=details)
    assert details["rule"] == "blogger-threaded"
    assert [(c.comment_id, c.author, c.parent_id, c.text) for c in t.comments] == [
        ("11", "Ann", None, "First & best"), ("12", "Bob", "11", "Reply\ntwo lines")]
    assert t.comments[1].link == LINK_EXPLICIT and "blogger-threaded" in t.comments[1].evidence


def test_user_rules_file_is_tried_first(tmp_path, monkeypatch):
    rules = {"systems": [{"name": "tiny-forum", "detect": "tinyforum", "when": "always",
                          "block": "//div[@class='tf-post']", "author": ".//b", "text": ".//p",
                          "id": "data-n", "parent": "data-re"}]}
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(rules), encoding="utf-8")
    monkeypatch.setenv("DISCOURSE_COMMENT_SYSTEMS", str(path))
    html = ("<html><body><!-- tinyforum -->" + ARTICLE + "<span>tinyforum</span>"
            "<div class='tf-post' data-n='1'><b>ann</b><p>Hello there.</p></div>"
            "<div class='tf-post' data-n='2' data-re='1'><b>bob</b><p>Hi back.</p></div></body></html>")
    details = {}
    t = parse_html_page(html, semantic=False, details=details)
    assert details["rule"] == "tiny-forum"
    assert [(c.comment_id, c.author, c.parent_id, c.text) for c in t.comments] == [
        ("1", "ann", None, "Hello there."), ("2", "bob", "1", "Hi back.")]


def test_bad_rules_file_is_a_clear_error(tmp_path, monkeypatch):
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"systems": [{"name": "x", "detect": "(", "block": "//div"}]}), encoding="utf-8")
    monkeypatch.setenv("DISCOURSE_COMMENT_SYSTEMS", str(path))
    with pytest.raises(InputError, match="bad pattern"):
        systems.load_systems()


def test_js_literal_reader_refuses_code():
    assert read_js_value("{a: [1, 2.5, 'x\\'y'], \"b\": null, c: true}", 0)[0] == {
        "a": [1, 2.5, "x'y"], "b": None, "c": True}
    for code in ("alert(1)", "[1, foo()]", "{a: b}", "'unterminated"):
        with pytest.raises(ValueError):
            read_js_value(code, 0)
    with pytest.raises(ValueError):
        read_js_value("[" * 200, 0)


# -- properties ---------------------------------------------------------------------------------
_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)
_WORDS = st.lists(st.sampled_from(["apple", "river", "stone", "light", "cloud", "paper", "horse", "seven", "violet"]),
                  min_size=3, max_size=12).map(" ".join)
_TAGS = st.sampled_from(["div", "li", "ul", "p", "span", "article", "table", "tr", "td", "blockquote", "script",
                         "a", "b", "!--", "![CDATA[", "!DOCTYPE", "?xml"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_TEXT, _TAGS.map(lambda t: f"<{t} class='comment'>"), _TAGS.map(lambda t: f"</{t}>"),
                          st.just("<div class='comment'><span class='author'>x</span>"), st.just("&#0;&#xD800;")),
                max_size=40))
def test_arbitrary_markup_never_raises(parts):
    t = parse_html_page("".join(parts), source="fuzz.html", semantic=False)
    json.dumps(t.to_dict())


def _tree_strategy():
    leaf = st.tuples(_WORDS, st.just(()))
    return st.recursive(leaf, lambda kids: st.tuples(_WORDS, st.lists(kids, max_size=3).map(tuple)), max_leaves=12)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_tree_strategy(), min_size=2, max_size=4))
def test_generated_threads_lose_no_comment_text_and_keep_their_tree(forest):
    counter = iter(range(1, 10_000))
    expected = []  # (id, parent id, text)

    def build(node, parent):
        text, kids = node
        cid = str(next(counter))
        expected.append((f"comment-{cid}", parent, text))
        inner = "".join(build(k, f"comment-{cid}") for k in kids)
        return wp_comment(cid, f"user{cid}", f"<p>{text}</p>", inner)

    html = page("".join(build(node, None) for node in forest))
    t = parse_html_page(html, source="gen.html", semantic=False)
    got = {c.comment_id: (c.parent_id, c.text) for c in t.comments}
    for cid, parent, text in expected:
        assert got[cid] == (parent, text)


# -- markups with no development page: shapes the generic reader must handle ---------------------
def test_answers_with_comments_under_them_two_templates():
    def comment(cid, user, text):
        return (f'<li id="comment-{cid}" class="comment js-comment" data-comment-id="{cid}"><div class="comment-text">'
                f'<div class="comment-body"><span class="comment-copy">{text}</span> – '
                f'<a href="/users/{cid}/{user}" class="comment-user">{user}</a> <span class="comment-date">'
                f'<span title="2024-01-0{cid[-1]} 10:00">Jan {cid[-1]}</span></span></div></div></li>')

    def answer(aid, user, text, comments):
        return (f'<div id="answer-{aid}" class="answer js-answer" data-answerid="{aid}"><div class="post-layout">'
                f'<div class="s-prose js-post-body" itemprop="text"><p>{text}</p></div>'
                f'<div class="post-signature"><div class="user-info"><div class="user-action-time">edited '
                f'<span class="relativetime">Jan 3</span></div><div class="user-details"><a href="/users/9/editor">'
                f'editor</a></div></div></div>'
                f'<div class="post-signature owner"><div class="user-info"><div class="user-action-time">answered '
                f'<span class="relativetime">Jan 2</span></div><div class="user-details" itemprop="author">'
                f'<a href="/users/{aid}/{user}"><span itemprop="name">{user}</span></a></div></div></div>'
                f'<div class="comments"><ul class="comments-list">{comments}</ul></div></div></div>')

    html = ("<html><body>" + ARTICLE + '<div id="answers">'
            + answer("101", "alice", "Use a context manager, it closes the file for you even on errors.",
                     comment("201", "bob", "Does this also work for sockets and other resources?")
                     + comment("202", "alice", "Yes, anything with __enter__ and __exit__ works that way."))
            + answer("102", "carol", "Call close() in a finally block if you cannot use a with statement.",
                     comment("203", "dave", "The with statement is nicer but this is fine for old code."))
            + "</div></body></html>")
    t = parse_html_page(html, semantic=False)
    got = [(c.author, c.parent_id, c.text[:20]) for c in t.comments]
    assert got == [("alice", None, "Use a context manage"), ("bob", "answer-101", "Does this also work "),
                   ("alice", "answer-101", "Yes, anything with _"), ("carol", None, "Call close() in a fi"),
                   ("dave", "answer-102", "The with statement i")]


def test_embedded_comment_widget_with_parent_links_and_meta_attributes():
    def post(pid, user, text, parent=None, children=""):
        link = (f'<span class="parent-link-container"><a href="#comment-{parent}" class="parent-link">'
                f'<i class="icon-forward"></i> someone</a></span>') if parent else ""
        kids = f'<ul class="children" data-role="children">{children}</ul>' if children else ""
        return (f'<li class="post" id="post-{pid}" data-meta="id={pid};pid={parent or 0};aid=7">'
                f'<div class="post-content" data-role="post-content">'
                f'<div class="avatar hovercard"><a class="user" href="https://disqus.example/by/{user}/">'
                f'<img src="a.png" alt="Avatar"></a></div><div class="post-body"><header class="comment__header">'
                f'<span class="post-byline"><span class="author"><a href="https://disqus.example/by/{user}/" '
                f'data-username="{user}">{user}</a></span>{link}</span><span class="post-meta">'
                f'<a class="time-ago" title="Monday, 1 January 2024 10:00">2 years ago</a></span></header>'
                f'<div class="post-body-inner"><div class="post-message" data-role="message"><p>{text}</p></div></div>'
                f'<footer class="comment__footer"><a class="vote-up">5</a> <a class="reply">Reply</a> '
                f'<a class="share">Share ›</a></footer></div></div>{kids}</li>')

    html = ("<html><body>" + ARTICLE + '<div id="disqus_thread"><ul id="post-list" class="post-list">'
            + post("1", "ann", "The parking debate misses the point entirely.",
                   children=post("2", "ben", "What is the point then, in your view?", parent="1",
                                 children=post("3", "ann", "Safety, plain and simple.", parent="2")))
            + post("4", "cat", "Shops will suffer for three months at least.") + "</ul></div></body></html>")
    t = parse_html_page(html, semantic=False)
    assert [(c.comment_id, c.author, c.parent_id, c.text) for c in t.comments] == [
        ("post-1", "ann", None, "The parking debate misses the point entirely."),
        ("post-2", "ben", "post-1", "What is the point then, in your view?"),
        ("post-3", "ann", "post-2", "Safety, plain and simple."),
        ("post-4", "cat", None, "Shops will suffer for three months at least.")]
    assert all(c.link == LINK_EXPLICIT for c in t.comments if c.parent_id)


def test_depth_from_a_style_variable():
    rows = "".join(
        f'<div class="comment" data-id="{i}" style="--comment-level: {lvl}"><a class="comment__author" '
        f'href="/u/{i}-x"><span class="comment__author-name">user{i}</span></a>'
        f'<div class="comment__text"><p>Words of comment {i}, long enough to count.</p></div></div>'
        for i, lvl in ((1, 0), (2, 1), (3, 1), (4, 0)))
    t = parse_html_page(f"<html><body>{ARTICLE}<div class='comments__body'>{rows}</div></body></html>",
                        semantic=False)
    assert [(c.author, c.parent_id) for c in t.comments] == [
        ("user1", None), ("user2", t.comments[0].comment_id), ("user3", t.comments[0].comment_id), ("user4", None)]


def test_lead_of_an_article_body_dropped_by_the_extractor_is_put_back():
    from discourse.readers.html.article import _with_lead

    tree = dom.parse_html('<html><body><div itemprop="articleBody">On the eve of the holiday people ask big '
                          'questions about space.<p>Second paragraph of the article.</p></div></body></html>')
    assert _with_lead(tree, "Second paragraph of the article.") == (
        "On the eve of the holiday people ask big questions about space.\nSecond paragraph of the article.")
    assert _with_lead(tree, "Unrelated text.") == "Unrelated text."  # no overlap: nothing to mend
    full = "On the eve of the holiday people ask big questions about space.\nSecond paragraph of the article."
    assert _with_lead(tree, full) == full
