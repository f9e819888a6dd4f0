"""Disqus XML and WordPress WXR exports (discourse/readers/exports.py), written by hand here."""

import pytest

from discourse.errors import InputError
from discourse.model import LINK_EXPLICIT, LINK_ROOT
from discourse.readers import read_threads
from discourse.readers.exports import sniff_export

DISQUS = """<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
  <category dsq:id="1"><forum>example</forum><title>General</title></category>
  <thread dsq:id="t100">
    <id>post-7</id><forum>example</forum><link>https://example.org/housing</link>
    <title>Council votes on housing</title><message>&lt;p&gt;The council met.&lt;/p&gt;</message>
    <createdAt>2024-03-01T10:00:00Z</createdAt>
  </thread>
  <post dsq:id="p1">
    <id/><message><![CDATA[<p>Rents are far too high.</p>]]></message>
    <createdAt>2024-03-01T11:00:00Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam>
    <author><name>Ann</name><isAnonymous>false</isAnonymous><username>ann</username></author>
    <thread dsq:id="t100"/>
  </post>
  <post dsq:id="p2">
    <message><![CDATA[<blockquote>Rents are far too high.</blockquote><p>Agreed, and rising.</p>]]></message>
    <createdAt>2024-03-01T12:00:00Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam>
    <author><name>Bob</name></author>
    <thread dsq:id="t100"/><parent dsq:id="p1"/>
  </post>
  <post dsq:id="p3">
    <message><![CDATA[<p>Buy cheap pills</p>]]></message>
    <isDeleted>false</isDeleted><isSpam>true</isSpam>
    <author><name>spammer</name></author>
    <thread dsq:id="t100"/>
  </post>
  <post dsq:id="p4">
    <message><![CDATA[<p>No, they are not.</p>]]></message>
    <isDeleted>true</isDeleted><isSpam>false</isSpam>
    <author><name>Cy</name></author>
    <thread dsq:id="t100"/><parent dsq:id="p2"/>
  </post>
</disqus>
"""

WXR = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>Town Blog</title><link>https://blog.example.org</link><wp:wxr_version>1.2</wp:wxr_version>
  <item>
    <title>New bike lanes</title><link>https://blog.example.org/bike-lanes</link>
    <content:encoded><![CDATA[<p>The city adds bike lanes.</p><p>Work starts in May.</p>]]></content:encoded>
    <wp:post_id>42</wp:post_id><wp:post_date_gmt>2024-04-02 08:00:00</wp:post_date_gmt>
    <wp:comment>
      <wp:comment_id>5</wp:comment_id><wp:comment_author><![CDATA[Dana]]></wp:comment_author>
      <wp:comment_date_gmt>2024-04-02 09:00:00</wp:comment_date_gmt>
      <wp:comment_content><![CDATA[Finally!]]></wp:comment_content>
      <wp:comment_approved>1</wp:comment_approved><wp:comment_type>comment</wp:comment_type>
      <wp:comment_parent>0</wp:comment_parent>
    </wp:comment>
    <wp:comment>
      <wp:comment_id>6</wp:comment_id><wp:comment_author><![CDATA[Eli]]></wp:comment_author>
      <wp:comment_content><![CDATA[Why finally? Cars need room too.]]></wp:comment_content>
      <wp:comment_approved>1</wp:comment_approved><wp:comment_type></wp:comment_type>
      <wp:comment_parent>5</wp:comment_parent>
    </wp:comment>
    <wp:comment>
      <wp:comment_id>7</wp:comment_id><wp:comment_author><![CDATA[Dana]]></wp:comment_author>
      <wp:comment_content><![CDATA[Because the old lanes were unsafe.]]></wp:comment_content>
      <wp:comment_approved>spam</wp:comment_approved>
      <wp:comment_parent>6</wp:comment_parent>
    </wp:comment>
    <wp:comment>
      <wp:comment_id>8</wp:comment_id><wp:comment_author><![CDATA[Other Blog]]></wp:comment_author>
      <wp:comment_content><![CDATA[[...] linked here [...]]]></wp:comment_content>
      <wp:comment_type>pingback</wp:comment_type><wp:comment_parent>0</wp:comment_parent>
    </wp:comment>
  </item>
  <item><title>About</title><wp:post_id>2</wp:post_id></item>
</channel>
</rss>
"""


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_disqus_round_trip_parents_authors_flags(tmp_path):
    [t] = read_threads([_write(tmp_path, "export.xml", DISQUS)])
    assert t.thread_id == "t100" and t.article.title == "Council votes on housing"
    assert t.article.url == "https://example.org/housing" and t.article.text == "The council met."
    parents = {c.comment_id: c.parent_id for c in t.comments}
    assert parents == {"p1": None, "p2": "p1", "p3": None, "p4": "p2"}
    by_id = t.by_id()
    assert by_id["p2"].author == "Bob" and by_id["p2"].link == LINK_EXPLICIT and by_id["p2"].reply_to == "Ann"
    assert by_id["p1"].link == LINK_ROOT
    assert by_id["p2"].text == "> Rents are far too high.\nAgreed, and rising."
    flags = {(r.text, r.reason) for r in t.article.removed}
    assert ("post p3", "marked as spam in the export") in flags
    assert ("post p4", "deleted in the export") in flags


def test_wxr_round_trip_parents_and_status(tmp_path):
    threads = read_threads([_write(tmp_path, "blog.xml", WXR)])
    assert len(threads) == 1  # the item without comments or text is not a thread
    t = threads[0]
    assert t.thread_id == "42" and t.article.outlet == "Town Blog" and t.article.published == "2024-04-02"
    assert t.article.text == "The city adds bike lanes.\nWork starts in May."
    assert [(c.comment_id, c.parent_id, c.author) for c in t.comments] == [
        ("5", None, "Dana"), ("6", "5", "Eli"), ("7", "6", "Dana")]
    reasons = {r.reason for r in t.article.removed}
    assert "marked as spam in the export" in reasons and "pingback" in reasons


def test_entities_and_dtd_refused(tmp_path):
    bomb = ('<?xml version="1.0"?><!DOCTYPE disqus [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            '<disqus xmlns="http://disqus.com"><thread><title>&b;</title></thread></disqus>')
    with pytest.raises(InputError, match="DTD or entities"):
        read_threads([_write(tmp_path, "bomb.xml", bomb)])
    external = ('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                '<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>&x;</title></channel></rss>')
    with pytest.raises(InputError, match="refused"):
        read_threads([_write(tmp_path, "ext.xml", external)])


def test_other_xml_and_broken_xml_are_clear_errors(tmp_path):
    with pytest.raises(InputError, match="expected a Disqus export"):
        read_threads([_write(tmp_path, "feed.xml", "<feed><entry/></feed>")])
    with pytest.raises(InputError, match="not well-formed"):
        read_threads([_write(tmp_path, "cut.xml", DISQUS[:500])])


def test_sniffing_export_saved_as_text(tmp_path):
    assert sniff_export(WXR) == "wxr" and sniff_export(DISQUS) == "disqus"
    assert sniff_export("<rss><channel/></rss>") is None  # a news feed, not a WordPress export
    [t] = read_threads([_write(tmp_path, "export.txt", DISQUS)])
    assert len(t.comments) == 4


def test_folder_of_exports_is_read(tmp_path):
    _write(tmp_path, "a.xml", DISQUS)
    _write(tmp_path, "b.xml", WXR)
    assert sorted(t.thread_id for t in read_threads([tmp_path])) == ["42", "t100"]
