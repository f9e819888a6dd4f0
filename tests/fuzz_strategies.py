"""Hypothesis strategies for the fuzzing harness (``tests/test_fuzz.py``): inputs people and attackers give.

Each input strategy draws an :class:`Input`: a file (or a ConvoKit folder) to write into a batch
folder, and for page text the text itself (the harness checks that no line of it is lost). Text is drawn from ordinary words and a
catalogue of hostile pieces: markup, spreadsheet formulas, terminal escapes, bidirectional
overrides, zero-width and control characters, long tokens, repeated words, other scripts.
Lone surrogates appear only as JSON escapes (``"\\ud800"``): a file on disk is UTF-8 bytes.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from hypothesis import strategies as st

WORDS = ["peace", "talks", "Russia", "Ukraine", "NATO", "war", "the", "is", "not", "you", "idiot", "great",
         "article", "spam", "Kyiv", "Moscow", "sanctions", "propaganda", "never", "forget", "I", "think", "agree",
         "fake", "news", "lies", "3%", "414,680", "troops", "said", "reportedly", "unconfirmed", "Reply", "Like",
         "Share", "2 hours ago", "@bob", "http://example.com/x", "#StandWithUkraine", "?", "!!!", "..."]

HOSTILE = [
    "\x1b[2J\x1b[H", "\x1b]0;owned\x07", "\x9b31m", "\u202e", "\u202d", "\u2066", "\u2069", "\u200b", "\u200f",
    "\ufeff", "\x00", "\x07", "\x08", "\x7f", "\x85", "\u2028", "\u2029", "\t", "\r", "\x0c",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "</textarea>", "javascript:alert(1)",
    "=cmd|' /C calc'!A0", "=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", " =1+1", "\uff1d1",
    "**bold**", "# heading", "> quote", "- item", "1. item", "[x](javascript:y)", "|a|b|", "`code`", "\\",
    "&amp;", "&lt;", "'", '"', ",", ";", "{", "}", "[", "]",
    "A" * 61, "SHOUTING" * 12, "B" * 300, "x" * 3000, "spam spam spam", "no no no no",
    "\u0627\u0644\u0633\u0644\u0627\u0645", "\u05e9\u05dc\u05d5\u05dd", "\u4f60\u597d", "\u0928\u092e\u0938\u094d\u0924\u0947",
    "\U0001F600", "\U0001F469\u200d\U0001F4BB", "e\u0301", "\u0130stanbul", "\u00df", "\ufb01",
    "INDEX", "index", "CON", "..", "../../etc/passwd", "%s%n", "{0}", "$(rm -rf /)", "None", "null", "NaN",
]

word = st.one_of(st.sampled_from(WORDS), st.sampled_from(WORDS), st.sampled_from(HOSTILE),
                 st.text(max_size=12))
sentence = st.lists(word, min_size=1, max_size=14).map(" ".join)
line_text = sentence.map(lambda s: s.replace("\n", " ").replace("\r", " "))
name = st.one_of(st.sampled_from(["alice", "Bob", "carol_1", "Dave Smith", "eve", "[deleted]", "Anonymous"]),
                 st.sampled_from(HOSTILE), st.text(min_size=1, max_size=20))


@dataclass
class Input:
    """One generated input: ``files`` maps a relative path to its bytes (several for a ConvoKit folder)."""

    kind: str
    files: dict[str, bytes]
    page: str | None = None  # the text of a page, for the nothing-lost check


# -- page text ------------------------------------------------------------------------------------
@st.composite
def page_text(draw) -> str:
    """A saved page's text: title, maybe a byline, article paragraphs, a comment section of
    author / time / text / buttons blocks in one of several layouts, and stray furniture."""
    lines = [draw(line_text)]
    if draw(st.booleans()):
        lines.append(draw(st.sampled_from(["By Staff Reporter", "Published 12 March 2024", "date 2024-03-12",
                                           "Reuters", "12/03/2024 10:00", "Updated: yesterday"])))
    lines.append("")
    for para in draw(st.lists(sentence, max_size=4)):
        lines += [para.replace("\n", " "), ""]
    lines.append(draw(st.sampled_from(["Comments", "12 comments", "Join the conversation", "", "Reader comments"])))
    authors = draw(st.lists(name.map(lambda n: " ".join(n.split()) or "x"), min_size=1, max_size=5))
    for _ in range(draw(st.integers(0, 9))):
        who = draw(st.sampled_from(authors))
        block = [who]
        stamp = draw(st.sampled_from(["", "2 hours ago", "3h", "12 March 2024 at 10:02", "Reply to " + who]))
        if stamp:
            block.append(stamp)
        block += [t.replace("\n", " ") for t in draw(st.lists(sentence, min_size=1, max_size=3))]
        block += draw(st.sampled_from([[], ["Reply"], ["Like", "Reply", "Share"], ["12", "Report"]]))
        lines += block + ([""] if draw(st.booleans()) else [])
    newline = draw(st.sampled_from(["\n", "\n", "\r\n", "\r"]))
    return newline.join(lines)


@st.composite
def page_input(draw) -> Input:
    text = draw(page_text())
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data, encoding = text.encode("utf-8"), "utf-8"
    suffix = draw(st.sampled_from([".txt", ".txt", ".md", ".text"]))
    # The page as the reader decodes it: a leading U+FEFF of UTF-8 bytes is a byte order mark.
    page = data.decode("utf-8-sig") if encoding.startswith("utf-8") else None
    return Input("page", {f"page{suffix}": data}, page=page)


odd_file = st.one_of(
    st.binary(max_size=300).map(lambda b: Input("bytes", {"raw.txt": b})),
    st.sampled_from([b"", b"   \n\n", b"\xef\xbb\xbf", b"\x00" * 50, b"{", b"[]", b"{}", b"null", b"\"x\"",
                     b"[" * 3000, b'{"a":' * 3000, b"\xff\xfe\x00"]).map(lambda b: Input("odd", {"odd.json": b})),
    st.sampled_from([b"", b"a,b\n1,2\n", b"thread_id\n1\n", b'"unclosed\n', b"\x00,\x00\n"]).map(
        lambda b: Input("odd", {"odd.csv": b})),
)


# -- our JSON -----------------------------------------------------------------------------------
odd_value = st.sampled_from([None, 0, 1.5, -7, True, [], ["a", "b"], {"x": 1}, "", 1e308, float("inf")])
ident = st.one_of(st.sampled_from(["1", "2", "3", "a", "b", "INDEX", "index"]), st.integers(0, 5),
                  st.text(min_size=1, max_size=8))


@st.composite
def own_json_input(draw) -> Input:
    n_threads = draw(st.integers(1, 3))
    threads = []
    for _ in range(n_threads):
        ids = draw(st.lists(ident, min_size=0, max_size=6))
        comments = []
        for i, cid in enumerate(ids):
            c = {"comment_id": cid, "text": draw(sentence), "author": draw(st.one_of(st.none(), name))}
            if ids and draw(st.booleans()):
                c["parent_id"] = draw(st.one_of(st.sampled_from(ids), ident))
            if draw(st.integers(0, 9)) == 0:  # now and then a value of the wrong type
                c[draw(st.sampled_from(["text", "author", "parent_id", "position", "confidence", "comment_id"]))] = \
                    draw(odd_value)
            comments.append(c)
        thread = {"thread_id": draw(st.one_of(ident, ident, odd_value)) if draw(st.booleans()) else draw(ident),
                  "article": {"title": draw(st.one_of(st.none(), line_text)), "text": draw(sentence)},
                  "comments": comments}
        threads.append(thread)
    as_lines = draw(st.booleans())
    ascii_only = draw(st.booleans())
    body = ("\n".join(json.dumps(t, ensure_ascii=ascii_only) for t in threads) if as_lines
            else json.dumps(threads if n_threads > 1 else threads[0], ensure_ascii=ascii_only))
    if draw(st.integers(0, 4)) == 0:  # a lone surrogate escape inside a string
        body = body.replace('"text": "', '"text": "\\ud800', 1)
    return Input("json", {f"own{'.jsonl' if as_lines else '.json'}": body.encode("utf-8")})


# -- Reddit -------------------------------------------------------------------------------------
@st.composite
def reddit_input(draw) -> Input:
    """A /comments/ID.json export: post Listing + nested comment Listing (sometimes deep, odd or partial)."""
    post_id = draw(st.sampled_from(["abc", "x1", "INDEX"]))
    depth = draw(st.one_of(st.integers(0, 6), st.integers(0, 6), st.sampled_from([50, 250])))
    count = [0]

    def comment(level: int, parent: str):
        count[0] += 1
        cid = f"c{count[0]}"
        kids = []
        if level < depth:
            kids = [comment(level + 1, "t1_" + cid) for _ in range(1 if depth > 6 else draw(st.integers(0, 2)))]
        if draw(st.integers(0, 15)) == 0:
            kids.append({"kind": "more", "data": {"count": 3, "children": ["z1", "z2"]}})
        data = {"id": cid, "parent_id": parent, "link_id": "t3_" + post_id,
                "author": draw(st.one_of(name, st.just("[deleted]"))), "body": draw(sentence),
                "created_utc": draw(st.one_of(st.integers(0, 2_000_000_000), st.just("soon"), st.just(1e400)))}
        if draw(st.integers(0, 12)) == 0:
            data[draw(st.sampled_from(["body", "id", "author", "parent_id"]))] = draw(odd_value)
        data["replies"] = {"kind": "Listing", "data": {"children": kids}} if kids else ""
        return {"kind": "t1", "data": data}

    tops = [comment(0, "t3_" + post_id) for _ in range(draw(st.integers(0, 3)))]
    post = {"kind": "t3", "data": {"id": post_id, "name": "t3_" + post_id, "title": draw(line_text),
                                   "selftext": draw(sentence), "subreddit": "worldnews"}}
    doc = [{"kind": "Listing", "data": {"children": [post]}}, {"kind": "Listing", "data": {"children": tops}}]
    if draw(st.integers(0, 6)) == 0:
        doc = draw(st.sampled_from([{"kind": "Listing", "data": {"children": "no"}},
                                    [{"kind": "t5", "data": {}}], tops or [{"body": "x", "parent_id": None}]]))
    text = _dump_deep(doc)
    return Input("reddit", {"reddit.json": text.encode("utf-8")})


def _dump_deep(value) -> str:
    """``json.dumps`` without recursion limits (a 250-deep chain is about 1,250 levels)."""
    import sys
    import threading

    out: list[str] = []
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, 20_000))
    stack = threading.stack_size()
    threading.stack_size(256 * 1024 * 1024)
    try:
        worker = threading.Thread(target=lambda: out.append(json.dumps(value)))
        worker.start()
        worker.join()
    finally:
        threading.stack_size(stack)
        sys.setrecursionlimit(old)
    return out[0]


# -- CSV ------------------------------------------------------------------------------------------
@st.composite
def csv_input(draw) -> Input:
    columns = ["thread_id", "comment_id", "parent_id", "author", "text"]
    extra = draw(st.lists(st.sampled_from(["title", "outlet", "published", "url", "timestamp", "article_text",
                                           "likes", "Text"]), max_size=2, unique=True))
    header = draw(st.permutations(columns + extra))
    if draw(st.integers(0, 10)) == 0:
        header = header[:-1]  # a required column missing
    delimiter = draw(st.sampled_from([",", ",", ";", "\t"]))
    rows = []
    tids = draw(st.lists(st.sampled_from(["t1", "t2", "INDEX", "index", "t 3"]), min_size=1, max_size=2))
    for i in range(draw(st.integers(0, 8))):
        row = {"thread_id": draw(st.sampled_from(tids)), "comment_id": str(draw(st.integers(1, 6))),
               "parent_id": draw(st.sampled_from(["", "1", "2", "9"])), "author": draw(name),
               "text": draw(sentence)}
        rows.append([row.get(c, draw(line_text)) for c in header])
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(header)
    writer.writerows(rows)
    text = buf.getvalue()
    if draw(st.integers(0, 8)) == 0:
        text += draw(st.sampled_from(['t1,9,,x,"never closed\n', "t1,8,,x,a,b,c,d,e,f,g\n", ",,,,\n"]))
    return Input("csv", {"table.csv": text.encode(draw(st.sampled_from(["utf-8", "utf-8-sig"])))})


# -- ConvoKit ---------------------------------------------------------------------------------------
@st.composite
def convokit_input(draw) -> Input:
    utts = []
    convs = draw(st.lists(st.sampled_from(["c1", "c2", "INDEX"]), min_size=1, max_size=2, unique=True))
    for i in range(draw(st.integers(1, 7))):
        conv = draw(st.sampled_from(convs))
        u = {"id": draw(st.sampled_from([conv, f"u{i}", f"u{i}"])), "conversation_id": conv,
             "reply_to": draw(st.sampled_from([None, conv, "u0", "u1", "gone"])),
             "speaker": draw(st.one_of(name, st.fixed_dictionaries({"id": name}))), "text": draw(sentence),
             "timestamp": draw(st.one_of(st.none(), st.integers(0, 2_000_000_000)))}
        if draw(st.integers(0, 12)) == 0:
            u[draw(st.sampled_from(["text", "id", "reply_to"]))] = draw(odd_value)
        utts.append(u)
    files = {"corpus/utterances.jsonl": "\n".join(json.dumps(u) for u in utts).encode("utf-8")}
    if draw(st.booleans()):
        meta = {c: {"meta": {"title": draw(line_text), "article_text": draw(st.one_of(st.none(), sentence))}}
                for c in convs}
        files["corpus/conversations.json"] = json.dumps(meta).encode("utf-8")
    if draw(st.integers(0, 10)) == 0:
        files = {"corpus/conversations.json": b"{}"}  # a corpus without its utterances
    return Input("convokit", files)


any_input = st.one_of(page_input(), page_input(), csv_input(), own_json_input(), reddit_input(), convokit_input(),
                      odd_file)


def mixed_batch(size: int):
    """A batch of about ``size`` inputs with every kind in it (Hypothesis favours the first
    alternatives of ``one_of``, which would make a batch mostly page text): half pages, the rest
    spread over CSV, our JSON, Reddit, ConvoKit and odd files, in a drawn order."""
    share = max(1, size // 10)
    parts = [st.lists(page_input(), min_size=max(1, size // 3), max_size=max(1, size // 2))] + [
        st.lists(kind, min_size=1, max_size=share)
        for kind in (csv_input(), own_json_input(), reddit_input(), convokit_input(), odd_file)]
    return st.tuples(*parts).map(lambda groups: [item for group in groups for item in group]).flatmap(st.permutations)


# -- option values ----------------------------------------------------------------------------------
option_text = st.one_of(st.sampled_from(["", "none", "NONE", "russia_ukraine", "nope", "../../x", "/etc/passwd",
                                         "a,b,,c", "outlet", "published", "author", "thread_id", "sentiment",
                                         "topics,frames", "nosuchstage", "-1", "1e400", "nan"]),
                        st.text(max_size=10).filter(lambda s: "\x00" not in s))
