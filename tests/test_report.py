"""Reports and comparisons rendered from synthetic analysis tables, hostile text included."""
from __future__ import annotations

import csv
import random
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from discourse.model import Article, Comment, Thread, threads_to_frame
from discourse.readers.manifest import apply_manifest, load_manifest
from discourse.report import compare, extractive_summary, write_reports
from discourse.writers.safe_csv import neutralise_formulas, write_csv
from discourse.report.compare import Grouping
from discourse.report.html import CSP, highlighted
from discourse.report.view import Span, locate, segments

ROOT = Path(__file__).resolve().parent.parent

#: Each would change the page if it ran: a global, an attribute, the title, a remote load.
HOSTILE = [
    "<script>window.__pwned=1;document.documentElement.setAttribute('data-pwned','1')</script>",
    "<img src=x onerror=\"window.__pwned=1;document.title='PWNED'\">",
    "<a href=\"javascript:window.__pwned=1\">click me</a> and [md link](javascript:window.__pwned=1)",
    "=HYPERLINK(\"http://evil.example/\",\"click\")",
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "<svg onload=\"window.__pwned=1\"></svg><iframe src=\"https://evil.example/\"></iframe>",
    "<style>body{background:url(https://evil.example/x.png)}</style><link rel=stylesheet href=https://evil.example/x.css>",
    "# Not a heading\n- not a list\n| not | a table |",
    "Costs $\\frac{1}{0}$ and $$ more\u202e reversed",
]
WORDS = ["the", "government", "army", "drones", "economy", "war", "peace", "talks", "support", "nonsense", "lies", "truth", "missile", "factory", "production", "Ukraine", "Russia", "sanctions", "China", "warehouses"]


def hostile_thread(tid: str = "t1", n: int = 30, seed: int = 1, outlet: str | None = "Outlet <b>A</b>",
                   published: str | None = "2024-03-05", hostile: bool = True) -> Thread:
    rng = random.Random(seed)
    paragraphs = [
        "Ukraine aims to produce tens of thousands of drones every month, the minister said on Wednesday.",
        "Critics called the plan a desperate gamble <script>window.__pwned=1</script> that will fail.",
        "The economy is under pressure as the war drags on and sanctions bite.",
    ]
    comments = []
    for i in range(n):
        parent = f"c{rng.randrange(max(0, i - 8), i)}" if i and rng.random() < 0.7 else None
        if hostile and i < len(HOSTILE):
            text = HOSTILE[i]
        else:
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 30))) + "."
        author = "<b onmouseover=alert(1)>mallory</b>" if hostile and i == 0 else f"user{rng.randrange(max(2, n // 3))}"
        comments.append(Comment(comment_id=f"c{i}", text=text, author=author, parent_id=parent, position=i,
                                link="inferred" if parent else "root", confidence=round(rng.random(), 2)))
    title = f"Drones <script>window.__pwned=1</script> & war {tid}" if hostile else f"Drones and war {tid}"
    return Thread(thread_id=tid, source=f"threads/{tid}.txt",
                  article=Article(title=title, outlet=outlet, published=published,
                                  url="javascript:window.__pwned=1" if hostile else "https://example.org/a",
                                  text="\n".join(paragraphs)),
                  comments=comments)


def make_tables(threads: list[Thread], seed: int = 0) -> dict:
    """Tables shaped like the pipeline's, with hostile strings in labels and reasons too."""
    rng = random.Random(seed)
    cdf = threads_to_frame(threads)
    n = len(cdf)
    cdf["sentiment"] = [round(rng.uniform(-1, 1), 3) for _ in range(n)]
    for k in ("sentiment_pos", "sentiment_neg", "sentiment_neu"):
        cdf[k] = 0.3
    cdf["stance"] = [rng.choice(["support", "deny", "query", "comment"]) for _ in range(n)]
    cdf["stance_score"] = [rng.random() for _ in range(n)]
    cdf["stance_evidence"] = [t[:30] for t in cdf["text"]]
    cdf["topic"] = [rng.randrange(3) for _ in range(n)]
    cdf["topic_label"] = cdf["topic"].map({0: "drones_production", 1: "war_peace", 2: "=evil<topic>"})
    cdf["incivility"] = [rng.random() for _ in range(n)]
    cdf["incivility_reasons"] = ["word 'nonsense'"] * n
    cdf["disinfo_risk"] = [rng.random() for _ in range(n)]
    cdf["disinfo_reasons"] = ["<b>claims</b> without a source"] * n
    cdf["triage_priority"] = [rng.random() for _ in range(n)]
    cdf["triage_reasons"] = ["incivility 0.8 <script>window.__pwned=1</script>"] * n
    rows, frames, narratives, targets, claims = [], [], [], [], []
    for t in threads:
        sub = cdf[cdf.thread_id == t.thread_id]
        rows.append({"thread_id": t.thread_id, "title": t.article.title, "outlet": t.article.outlet,
                         "published": t.article.published, "url": t.article.url, "comments": len(sub),
                         "authors": sub.author.nunique(), "max_depth": int(sub.depth.max()) if len(sub) else 0,
                         "sentiment_mean": sub.sentiment.mean(), "support": 0.3, "deny": 0.3, "query": 0.2, "comment": 0.2,
                         "disinfo_risk": 0.4, "disinfo_reasons": "unsourced <i>casualty</i> figures"})
        p1 = t.article.paragraphs()[1]
        p2 = t.article.paragraphs()[2]
        frames.append({"thread_id": t.thread_id, "comment_id": "", "paragraph": 1, "sentence_index": 0, "start": 0, "end": len(p1),
                           "sentence": p1, "kind": "technique", "label": "Loaded <language>", "score": 0.8,
                           "evidence": '"desperate gamble"'})
        frames.append({"thread_id": t.thread_id, "comment_id": "", "paragraph": 2, "sentence_index": 0, "start": 0, "end": len(p2),
                           "sentence": p2, "kind": "frame", "label": "Economic", "score": 0.7, "evidence": '"economy"; "sanctions"'})
        for c in t.comments[:60]:
            if "war" in c.text.split():
                frames.append({"thread_id": t.thread_id, "comment_id": c.comment_id, "paragraph": -1, "sentence_index": 0,
                                   "start": 0, "end": len(c.text), "sentence": c.text, "kind": "frame", "label": "Conflict",
                                   "score": 0.6, "evidence": '"war"'})
                narratives.append({"thread_id": t.thread_id, "comment_id": c.comment_id, "paragraph": -1,
                                       "narrative": "War is futile", "subnarrative": "", "score": 0.5, "sentence": c.text,
                                       "start": 0, "end": len(c.text), "cue_terms": "war", "evidence": 'cues: "war" (weak)'})
            targets.append({"thread_id": t.thread_id, "comment_id": c.comment_id,
                                "target": rng.choice(["Ukraine", "Russia", "=NATO"]),
                                "stance": rng.choice(["favor", "against", "none"]), "score": rng.random(),
                                "evidence": c.text[:40]})
        claims.append({"thread_id": t.thread_id, "comment_id": "", "claim": "drones per month", "value": 10000.0,
                           "raw": "tens of thousands", "subject": "drone production", "attributed_to": "Kamyshin <minister>",
                           "hedged": False, "published": t.article.published})
    tables = {
        "comments": cdf,
        "threads": pd.DataFrame(rows),
        "frames": pd.DataFrame(frames),
        "narratives": pd.DataFrame(narratives),
        "targets": pd.DataFrame(targets),
        "claims": pd.DataFrame(claims),
        "topics": pd.DataFrame([{"topic": 0, "size": 10, "label": "drones_production", "words": "drones, production"},
                                {"topic": 1, "size": 8, "label": "war_peace", "words": "war, peace, talks"},
                                {"topic": 2, "size": 3, "label": "=evil<topic>", "words": "=1+1, <script>"}]),
        "sentences": pd.DataFrame([{"thread_id": t.thread_id, "comment_id": "", "paragraph": p, "sentence_index": 0,
                                        "sentence": s, "sentiment": rng.uniform(-1, 1)}
                                   for t in threads for p, s in enumerate(t.article.paragraphs())]),
    }
    if len(threads) >= 2:
        tables["claim_comparison"] = pd.DataFrame([
            {"subject": "drone production", "thread_id_a": threads[0].thread_id, "value_a": 10000.0,
                 "thread_id_b": threads[1].thread_id, "value_b": 5000.0, "relation": "disagree",
                 "explanation": "<b>different</b> monthly figures"},
            {"subject": "drone production", "thread_id_a": threads[0].thread_id, "value_a": 10000.0,
                 "thread_id_b": threads[1].thread_id, "value_b": 10200.0, "relation": "agree", "explanation": "within 10%"},
        ])
    return tables


class _Tags(HTMLParser):
    """Every start tag a browser's parser would see, with its attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k.lower(): v or "" for k, v in attrs}))


def assert_safe_html(page: str) -> None:
    """Nothing from the input became markup: no scripts, handlers, remote loads or script links."""
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in page
    assert "default-src 'none'" in CSP and "img-src data:" in CSP
    parser = _Tags()
    parser.feed(page)
    names = [t for t, _ in parser.tags]
    for bad in ("script", "iframe", "svg", "link", "object", "embed", "base", "frame", "form"):
        assert bad not in names, bad
    assert names.count("style") == 1  # the page's own, in the head
    for tag, attrs in parser.tags:
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        if "src" in attrs:
            assert tag == "img" and attrs["src"].startswith("data:image/png;base64,"), (tag, attrs["src"][:60])
        if "href" in attrs:
            assert tag == "a" and (attrs["href"].startswith(("#", "https://", "http://"))
                                   or re.fullmatch(r"[\w.-]+\.html", attrs["href"])), attrs["href"]


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    threads = [hostile_thread("t1", 30, 1),
               hostile_thread("t2", 12, 2, outlet="Outlet B", published="2024-04-01", hostile=False)]
    tables = make_tables(threads)
    paths = write_reports(threads, tables, out, quiet=True)
    return out, threads, tables, paths


def test_pages_escape_hostile_input(reports):
    out, _threads, _, paths = reports
    assert [p.name for p in paths] == ["t1.html", "t1.md", "t2.html", "t2.md", "index.html", "index.md"]
    page = (out / "t1.html").read_text(encoding="utf-8")
    assert_safe_html(page)
    # The hostile text is there, as text.
    assert "&lt;script&gt;window.__pwned=1;document.documentElement.setAttribute(&#x27;data-pwned&#x27;" in page
    assert "&lt;img src=x onerror=&quot;window.__pwned=1" in page
    assert "&lt;b onmouseover=alert(1)&gt;mallory&lt;/b&gt;" in page
    assert "<title>Drones &lt;script&gt;window.__pwned=1&lt;/script&gt; &amp; war t1 — discourse report</title>" in page
    # A javascript: article address is shown, never linked.
    assert "javascript:window.__pwned=1</dd>" in page
    assert "Outlet &lt;b&gt;A&lt;/b&gt;" in page
    # Labels and reasons from tables are escaped too, attribute values included.
    assert 'title="technique: Loaded &lt;language&gt;"' in page
    assert "&lt;b&gt;claims&lt;/b&gt;" in page
    # Sections are all there.
    for anchor in ("summary", "article", "tree", "sentiment", "stance", "topics", "framing", "claims", "triage"):
        assert f'<section id="{anchor}">' in page
    # A plain web address is linked, without leaking the referrer.
    page2 = (out / "t2.html").read_text(encoding="utf-8")
    assert '<a href="https://example.org/a" rel="noopener noreferrer nofollow">' in page2
    assert_safe_html(page2)


def test_evidence_is_highlighted_by_offsets(reports):
    out, *_ = reports
    page = (out / "t1.html").read_text(encoding="utf-8")
    assert '<mark class="te" title="technique: Loaded &lt;language&gt;">desperate gamble</mark>' in page
    assert '<mark class="fr" title="frame: Economic">economy</mark>' in page
    assert '<mark class="na"' in page or 'title="frame: Conflict; narrative: War is futile"' in page


def test_highlight_slices_then_escapes():
    text = "a <b> & c said war, not warehouses"
    spans = [Span(2, 5, "frame", 'x"y'), Span(4, 9, "technique", "t")]
    html = highlighted(text, spans)
    assert html.startswith('a <mark class="fr" title="frame: x&quot;y">&lt;b</mark>')
    # each span's label is printed, escaped, right where the span ends (readable without hovering)
    assert '<mark class="fr" title="frame: x&quot;y; technique: t">&gt;</mark><span class="lab fr">x&quot;y</span>' in html
    assert '<mark class="te" title="technique: t"> &amp; c</mark><span class="lab te">t</span> said' in html
    assert "".join(p for p, _ in segments(text, spans)) == text
    # Whole words first: "war" is the word, not the start of "warehouses".
    assert locate(text, evidence='"war"') == [(text.index("war,"), text.index("war,") + 3)]
    # Offsets that do not match the quoted sentence are not trusted.
    assert locate("hello world", 0, 99, "world", "") == [(6, 11)]


def test_markdown_twin(reports):
    out, *_ = reports
    md = (out / "t1.md").read_text(encoding="utf-8")
    assert "&lt;script&gt;window.\\_\\_pwned=1" in md
    assert "\\[md link\\](javascript:window.\\_\\_pwned=1)" in md
    assert "<script" not in md and "<img" not in md
    assert "\n# Not a heading" not in md and "\n- not a list" not in md
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)
    assert images and all(i.startswith("t1_files/") for i in images)
    for rel in images:
        assert (out / rel).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "**desperate gamble** _\\[technique: Loaded &lt;language&gt;\\]_" in md


def test_index_lists_threads(reports):
    out, threads, *_ = reports
    index = (out / "index.html").read_text(encoding="utf-8")
    assert_safe_html(index)
    for t in threads:
        assert f'href="{t.thread_id}.html"' in index
    assert "Drones &lt;script&gt;" in index
    md = (out / "index.md").read_text(encoding="utf-8")
    assert "(t1.md)" in md and "(t2.md)" in md


def test_compare_by_outlet(tmp_path):
    threads = [hostile_thread("t1", 30, 1), hostile_thread("t2", 12, 2, outlet="Outlet B", hostile=False),
               hostile_thread("t3", 8, 3, outlet="Outlet B", published="2024-04-20", hostile=False)]
    tables = make_tables(threads)
    result = compare(threads, tables, "outlet", tmp_path)
    assert set(result) == {"groups", "stance", "stance_targets", "frames", "narratives", "sentiment", "claims"}
    groups = result["groups"].set_index("group")
    assert list(groups.index) == ["Outlet <b>A</b>", "Outlet B"]
    assert groups.loc["Outlet B", "threads"] == 2
    assert groups.loc["Outlet B", "comments"] == 20
    # Frames per 1,000 words: count over the group's words (articles and comments).
    fr = result["frames"]
    econ = fr[(fr.group == "Outlet B") & (fr.label == "Economic")].iloc[0]
    assert econ["count"] == 2
    assert econ["per_1000_words"] == pytest.approx(2000 / econ["words"])
    # Stance toward targets: shares and net agree with the raw rows.
    tg = result["stance_targets"]
    raw = tables["targets"]
    raw_b = raw[raw.thread_id.isin(["t2", "t3"]) & (raw.target == "Ukraine")]
    row = tg[(tg.group == "Outlet B") & (tg.target == "Ukraine")].iloc[0]
    assert row["mentions"] == len(raw_b)
    assert row["net"] == pytest.approx(((raw_b.stance == "favor").sum() - (raw_b.stance == "against").sum()) / len(raw_b))
    st = result["stance"].set_index("group")
    assert st.loc["Outlet B", ["support", "deny", "query", "comment"]].sum() == pytest.approx(1.0)
    assert len(result["sentiment"]) == 2 and set(result["narratives"].narrative) == {"War is futile"}
    cl = result["claims"]
    assert cl["disagreement"].tolist() == [True, False]
    assert cl.iloc[0][["group_a", "group_b"]].tolist() == ["Outlet <b>A</b>", "Outlet B"]
    for name in ("compare.html", "compare.md"):
        assert (tmp_path / name).exists()
    for png in ("stance", "targets", "frames", "techniques", "narratives", "sentiment"):
        assert (tmp_path / "compare_files" / f"{png}.png").read_bytes()[:4] == b"\x89PNG", png
    for name in result:
        assert (tmp_path / f"compare_{name}.csv").exists()
    page = (tmp_path / "compare.html").read_text(encoding="utf-8")
    assert_safe_html(page)
    assert "Outlet &lt;b&gt;A&lt;/b&gt;" in page
    # Formula-looking labels are neutralised in the CSVs.
    with open(tmp_path / "compare_stance_targets.csv", encoding="utf-8") as fh:
        targets = {r["target"] for r in csv.DictReader(fh)}
    assert "'=NATO" in targets and "=NATO" not in targets


def test_compare_by_month_author_and_unknown_column(tmp_path):
    threads = [hostile_thread("t1", 6, 1, hostile=False), hostile_thread("t2", 6, 2, published="2024-04-01", hostile=False),
               hostile_thread("t3", 4, 3, published=None, hostile=False)]
    tables = make_tables(threads)
    by_month = compare(threads, tables, "published", tmp_path / "m")
    assert list(by_month["groups"].group) == ["2024-03", "2024-04", "unknown"]
    by_author = compare(threads, tables, "author", tmp_path / "a")
    authors = set(tables["comments"].author)
    assert set(by_author["groups"].group) == authors
    assert by_author["groups"].comments.sum() == 16
    # Article findings belong to no author.
    assert "Economic" not in set(by_author["frames"].label)
    by_topic = Grouping(threads, tables, "topic_label")  # any comment column groups comments
    assert by_topic.level == "comment" and "=evil<topic>" in set(by_topic.comment_group.values())
    assert Grouping(threads, tables, "max_depth").level == "thread"  # a threads-table column
    with pytest.raises(ValueError, match="cannot group by 'nonsense'"):
        compare(threads, tables, "nonsense", tmp_path / "x")


def test_manifest(tmp_path):
    path = tmp_path / "manifest.csv"
    path.write_text("file,outlet,url,published,note\n"
                    "a.txt,Outlet A,https://a.example/1,2024-01-02,from the page\n"
                    "b.txt,,,,\n", encoding="utf-8")
    m = load_manifest(path)
    assert list(m.columns) == ["file", "outlet", "url", "published", "note"]
    a = Thread("a", "some/dir/a.txt", Article(title="A"))
    b = Thread("b", "b.txt", Article(title="B", outlet="Own outlet"))
    c = Thread("c", "c.txt", Article(title="C"))
    apply_manifest([a, b, c], m)
    assert (a.article.outlet, a.article.url, a.article.published) == ("Outlet A", "https://a.example/1", "2024-01-02")
    assert b.article.outlet == "Own outlet"  # the input's own metadata wins
    assert c.article.outlet is None
    bad = tmp_path / "bad.csv"
    bad.write_text("file,outlet\nx.txt,X\n", encoding="utf-8")
    with pytest.raises(ValueError, match="url, published"):
        load_manifest(bad)


def test_repository_manifest_covers_the_samples():
    m = load_manifest(ROOT / "threads" / "manifest.csv")
    files = sorted(p.name for p in (ROOT / "threads").glob("*.txt"))
    assert sorted(m["file"]) == files
    assert m.set_index("file").loc[next(f for f in files if f.startswith("003_")), "outlet"] == "express.co.uk"
    assert m["outlet"].notna().all()


def test_formula_neutralisation(tmp_path):
    df = pd.DataFrame({"text": ["=1+1", "+x", "-y", "@z", "\tq", "\rr", "plain", None, "\uff1dfull"],
                       "score": [-0.5, 1, 2, 3, 4, 5, 6, 7, 8]})
    out = neutralise_formulas(df)
    assert out["text"].tolist()[:7] == ["'=1+1", "'+x", "'-y", "'@z", "'\tq", "'\rr", "plain"]
    assert out["text"].tolist()[8] == "'\uff1dfull"
    assert out["score"].tolist()[0] == -0.5  # numbers stay numbers
    assert df["text"][0] == "=1+1"  # the input is not changed
    path = write_csv(pd.DataFrame({"=col": ["=HYPERLINK(1)"]}), tmp_path / "sub" / "x.csv")
    assert path.read_text(encoding="utf-8").splitlines() == ["'=col", "'=HYPERLINK(1)"]


def test_thousand_comment_thread_renders(tmp_path):
    thread = hostile_thread("big", 1000, 7, hostile=False)
    tables = make_tables([thread])
    write_reports([thread], tables, tmp_path, quiet=True)  # its cost is measured by benchmarks/bench_hostile.py
    page = (tmp_path / "big.html").read_text(encoding="utf-8")
    assert len(page) < 4_000_000
    assert page.count('<div class="cm') == 1000
    assert "<details><summary>All 1000 comments as a reply tree</summary>" in page  # collapsed
    assert page.count("<img ") <= 8


def test_deep_chain_and_odd_ids(tmp_path):
    """A reply chain deeper than Python's recursion limit, ids that are paths, a link cycle."""
    comments = [Comment(comment_id=f"../x/{i}", text=f"reply {i} $\\frac{{", author=f"a{i % 3}",
                        parent_id=f"../x/{i - 1}" if i else None, position=i) for i in range(1500)]
    comments += [Comment("loop1", "in a cycle", parent_id="loop2", position=1500),
                 Comment("loop2", "in a cycle too", parent_id="loop1", position=1501)]
    thread = Thread("../../etc/passwd", "x.txt", Article(title="Deep $x$", text="One sentence here."), comments)
    paths = write_reports([thread], None, tmp_path, quiet=True)
    assert all(p.resolve().parent == tmp_path.resolve() for p in paths)
    page = paths[0].read_text(encoding="utf-8")
    assert page.count('<div class="cm') == 1502  # the cycle is shown, not lost
    assert "depth 1499" in page


def test_megabyte_line(tmp_path):
    """A 1 MB single-line comment with quotes everywhere, and 1 MB of quoted evidence, render fast."""
    line = ('x "quoted" <b>&amp; ' * 60_000)[:1_000_000]
    thread = Thread("big", "b.txt", Article(title="T", text="A sentence here."),
                    [Comment("c0", line, author="a"), Comment("c1", "short reply", author="b", parent_id="c0", position=1)])
    tables = {"frames": pd.DataFrame([{"thread_id": "big", "comment_id": "c0", "paragraph": -1, "sentence_index": 0,
                                       "start": 0, "end": len(line), "sentence": line, "kind": "frame", "label": "L",
                                       "score": 1.0, "evidence": '"quoted"; ' * 100_000}])}
    write_reports([thread], tables, tmp_path, quiet=True)
    page = (tmp_path / "big.html").read_text(encoding="utf-8")
    assert page.count('<mark class="fr" title="frame: L">quoted</mark>') == 1
    assert "&lt;b&gt;&amp;amp;" in page


def test_missing_and_empty_tables(tmp_path):
    thread = hostile_thread("t1", 5, 1)
    empty = {name: pd.DataFrame() for name in ("comments", "threads", "targets", "topics", "frames", "narratives",
                                               "claims", "claim_comparison", "sentences")}
    for i, tables in enumerate([None, {}, empty, {"comments": pd.DataFrame({"thread_id": ["t1"], "x": [1]})}]):
        out = tmp_path / str(i)
        write_reports([thread], tables, out, quiet=True)
        page = (out / "t1.html").read_text(encoding="utf-8")
        assert_safe_html(page)
        for what in ("comment sentiment", "comment stance", "topics", "frames, techniques and narratives",
                     "claims", "triage priorities"):
            assert f"Not available: {what}." in page, (i, what)
        result = compare([thread], tables, "outlet", out)
        assert all(len(df) == 0 for name, df in result.items() if name != "groups")
        assert "Not available" in (out / "compare.html").read_text(encoding="utf-8")
    no_comments = Thread("empty", "e.txt", Article(title="No comments", text=""))
    write_reports([no_comments], {}, tmp_path / "e", quiet=True)
    page = (tmp_path / "e" / "empty.html").read_text(encoding="utf-8")
    assert "Not available: comments (this page has none)." in page


def test_extractive_summary_is_deterministic():
    text = ("Ukraine plans to build a million drones this year, the minister said. "
            "The drones will be built in Ukrainian factories. Drones matter. "
            "Officials said factories will produce drones for the army and drones for export. "
            "It rained in Kyiv on Tuesday afternoon and evening.")
    first = extractive_summary(text, n=2)
    assert first == extractive_summary(text, n=2)
    assert len(first) == 2 and all(s in text for s in first)
    assert "It rained" not in " ".join(first)
    positions = [text.index(s) for s in first]
    assert positions == sorted(positions)
    assert extractive_summary("") == []
    assert extractive_summary("Short one.") == ["Short one."]


def test_sample_threads_render(tmp_path):
    """The sample pages, with only the thread structure: every page renders and is safe."""
    from discourse.readers import read_threads

    threads = apply_manifest(read_threads([ROOT / "threads"], semantic=False), ROOT / "threads" / "manifest.csv")
    assert {t.article.outlet for t in threads} >= {"express.co.uk"}
    paths = write_reports(threads, {}, tmp_path, quiet=True)
    assert len(paths) == 2 * len(threads) + 2
    for p in paths:
        if p.suffix == ".html":
            assert_safe_html(p.read_text(encoding="utf-8"))
    result = compare(threads, {}, "outlet", tmp_path)
    assert len(result["groups"]) == len({t.article.outlet for t in threads})
