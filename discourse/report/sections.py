"""The content of a thread report, independent of its format.

A report is a list of sections made of simple blocks (paragraphs, tables, images, the article
with its highlighted evidence, the comment tree). The HTML and Markdown renderers only turn
blocks into markup, so both twins always say the same thing, and escaping lives in exactly one
place per format. Block text is raw input text: renderers escape it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .view import STANCE_COLOURS, STANCE_ORDER, TARGET_STANCES, ThreadView, clip, has, key_figures, num, text_of

MAX_TABLE_ROWS = 300  # a page stays light; the CSV tables hold everything
TRIAGE_TOP = 15


@dataclass
class Para:
    text: str


@dataclass
class Note:
    text: str


@dataclass
class Missing:
    what: str


@dataclass
class Bullets:
    items: list[str]


@dataclass
class Image:
    key: str  # file name stem of the PNG
    alt: str


@dataclass
class Ref:
    """A cell that points at a comment of the page (an anchor in HTML)."""

    text: str
    comment_id: str


@dataclass
class Table:
    df: Any  # DataFrame of display values (str, numbers, Ref)
    caption: str = ""
    collapse_after: int = 25  # rows beyond this go inside a collapsed block
    compact: bool = False  # a small key/value table, not stretched to the page width


@dataclass
class ArticleText:
    view: ThreadView


@dataclass
class CommentTree:
    view: ThreadView


@dataclass
class Section:
    anchor: str
    title: str
    blocks: list = field(default_factory=list)


class Blocks:
    """Renders each kind of block with the method of the same name (``para``, ``note``, ``missing``,
    ``bullets``, ``image``, ``table``, ``article``, ``tree``): one dispatch for every format."""

    _METHOD: ClassVar[dict[type, str]] = {
        Para: "para", Note: "note", Missing: "missing", Bullets: "bullets", Image: "image", Table: "table",
        ArticleText: "article", CommentTree: "tree"}

    def block(self, b) -> str:
        name = self._METHOD.get(type(b))
        if name is None:
            raise TypeError(f"unknown block {type(b).__name__}")
        if name in ("article", "tree"):  # placeholders for the whole thread's article and tree
            return getattr(self, name)()
        return getattr(self, name)(b)

    def article(self) -> str:
        """The article with its evidence marked (only a thread report has one)."""
        return ""

    def tree(self) -> str:
        """The comment tree (only a thread report has one)."""
        return ""


def fmt(value, digits: int = 2, pct: bool = False, signed: bool = False) -> str:
    """A number for display; "–" when there is none."""
    v = num(value)
    if v is None:
        return "–"
    if pct:
        return f"{100 * v:.0f}%"
    return f"{v:+.{digits}f}" if signed else f"{v:.{digits}f}"


def fmt_value(value) -> str:
    """A table value: whole numbers without ".0", other floats to four significant digits."""
    if isinstance(value, bool) or not isinstance(value, float):
        return text_of(value)
    if math.isnan(value):
        return ""
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:.4g}"


def _df(rows, columns):
    import pandas as pd

    return pd.DataFrame(rows, columns=columns)


def _where(cid: str, author: str | None = None) -> Ref | str:
    if not cid:
        return "article"
    return Ref(f"comment {cid}" + (f" ({author})" if author else ""), cid)


def build_sections(view: ThreadView, images: dict[str, bytes]) -> list[Section]:
    """All sections of a thread page; PNGs drawn on the way are put into ``images``."""
    out = [
        _summary(view),
        Section("article", "Article", [ArticleText(view)] if view.paragraphs else [Missing("article text")]),
        _tree(view, images),
        _sentiment(view, images),
        _stance(view, images),
        _topics(view, images),
        _framing(view, images),
        _claims(view),
        _triage(view),
    ]
    return out


def _summary(view: ThreadView) -> Section:
    s = Section("summary", "Summary")
    kf = key_figures(view)
    s.blocks.append(Table(_df([
        ("comments", str(kf["comments"])),
        ("authors", str(kf["authors"])),
        ("deepest reply", str(kf["max_depth"])),
        ("mean sentiment", fmt(kf["sentiment_mean"], signed=True)),
        ("support / deny", f"{fmt(kf['support'], pct=True)} / {fmt(kf['deny'], pct=True)}"),
        ("disinformation risk", fmt(kf["disinfo_risk"]) + (f" — {kf['disinfo_reasons']}" if kf["disinfo_reasons"] else "")),
        ("highest triage priority", fmt(kf["top_triage"])),
    ], ["figure", "value"]), caption="Key figures", compact=True))
    if view.summary:
        s.blocks.append(Bullets(view.summary))
        if text_of(view.thread_row.get("summary")).strip():
            s.blocks.append(Note("Summary supplied by the analysis pipeline."))
        else:
            s.blocks.append(Note("Extractive summary: the article's own sentences that share most of its frequent "
                                 "words (the lede weighs a little more); no words are added."))
    else:
        s.blocks.append(Missing("summary (no article text)"))
    return s


def _tree(view: ThreadView, images) -> Section:
    from .tree import draw_tree  # matplotlib only when a page is drawn
    s = Section("tree", "Reply tree")
    if not view.thread.comments:
        s.blocks.append(Missing("comments (this page has none)"))
        return s
    png = draw_tree(view)
    if png:
        images["tree"] = png
        s.blocks.append(Image("tree", "Reply tree of the thread: nodes are comments, edges point from a reply "
                                      "up to the comment it answers"))
    links = view.comments["link"].value_counts().to_dict() if "link" in view.comments else {}
    if links:
        s.blocks.append(Note("How replies were linked: " + ", ".join(f"{k} {v}" for k, v in sorted(links.items()))
                             + ". 'inferred' links were deduced from the text; their confidence is shown per comment."))
    s.blocks.append(CommentTree(view))
    return s


def _sentiment(view: ThreadView, images) -> Section:
    from . import plots  # matplotlib only when a page is drawn
    s = Section("sentiment", "Sentiment along the thread")
    c = view.comments
    if has(c, "sentiment"):
        png = plots.sentiment_by_position(c["position"].tolist(), c["sentiment"].tolist())
        if png:
            images["sentiment"] = png
            s.blocks.append(Image("sentiment", "Sentiment of each comment by its position in the thread"))
        sent = c.set_index("comment_id")["sentiment"].to_dict()
        author = c.set_index("comment_id")["author"].to_dict()
        chains = []
        for chain in view.chains:
            name = f"{text_of(author.get(chain[0])) or '?'} … {len(chain)} comments"
            chains.append((name, [num(sent.get(cid)) for cid in chain]))
        png = plots.sentiment_chains(chains)
        if png:
            images["chains"] = png
            s.blocks.append(Image("chains", "Sentiment step by step along the longest reply chains"))
        elif view.thread.comments:
            s.blocks.append(Note("No reply chains (every comment answers the article)."))
    else:
        s.blocks.append(Missing("comment sentiment"))
    sents = view.sentences
    if sents is not None and "comment_id" in sents.columns and has(sents, "sentiment"):
        art = sents[sents["comment_id"].fillna("").astype(str) == ""]
        if len(art):
            order = [c for c in ("paragraph", "sentence_index", "start") if c in art.columns]
            art = art.sort_values(order, kind="stable") if order else art
            png = plots.article_sentiment(list(range(1, len(art) + 1)), art["sentiment"].tolist())
            if png:
                images["article_sentiment"] = png
                s.blocks.append(Image("article_sentiment", "Sentiment of each sentence of the article"))
    return s


def _stance_by_what_is_answered(c):
    """Stance shares of top-level comments (toward the article) and of replies (toward the comment
    each answers), with n; None without stance."""
    import pandas as pd

    if not has(c, "stance"):
        return None
    known = c[c["stance"].notna()]
    reply = known["parent_id"].fillna("").astype(str) != ""
    rows = {}
    for name, part in (("the article", known[~reply]), ("another comment", known[reply])):
        if len(part):
            counts = part["stance"].astype(str).value_counts()
            rows[name] = {k: counts.get(k, 0) / len(part) for k in STANCE_ORDER} | {"n": len(part)}
    return pd.DataFrame.from_dict(rows, orient="index") if rows else None


def _stance(view: ThreadView, images) -> Section:
    from . import plots  # matplotlib only when a page is drawn
    s = Section("stance", "Stance")
    shares = view.stance_shares()
    by_target = _stance_by_what_is_answered(view.comments)
    if by_target is not None:
        png = plots.stacked_shares(by_target.drop(columns="n"), STANCE_ORDER, STANCE_COLOURS,
                                   title="Stance of each comment toward what it answers", xlabel="share of comments (%)",
                                   ylabel="comments that answer", counts=dict(by_target["n"]))
        if png:
            images["stance"] = png
            s.blocks.append(Image("stance", "Shares of support, deny, query and comment: top-level comments toward "
                                            "the article, replies toward the comment they answer"))
        for answered, r in by_target.iterrows():
            s.blocks.append(Para(f"Comments that answer {answered} (n={int(r['n'])}): "
                                 + ", ".join(f"{k} {fmt(r[k], pct=True)}" for k in STANCE_ORDER) + "."))
    elif shares:
        s.blocks.append(Para("All comments: " + ", ".join(f"{k} {fmt(shares.get(k), pct=True)}" for k in STANCE_ORDER) + "."))
    else:
        s.blocks.append(Missing("comment stance"))
    c = view.comments
    if has(c, "stance") and ("stance_evidence" in c.columns):
        ex = c[c["stance"].isin(["support", "deny", "query"]) & c["stance_evidence"].notna()]
        if "stance_score" in ex.columns:
            ex = ex.assign(_s=ex["stance_score"].map(lambda v: num(v, 0.0))).sort_values("_s", ascending=False)
        rows = [(_where(r["comment_id"], text_of(r.get("author"))), text_of(r["stance"]), fmt(r.get("stance_score")),
                 clip(text_of(r["stance_evidence"]), 200)) for r in ex.head(MAX_TABLE_ROWS).to_dict("records")]
        if rows:
            s.blocks.append(Table(_df(rows, ["comment", "stance", "score", "evidence"]), caption="Stance evidence", collapse_after=8))
    t = view.targets
    if t is not None and "target" in t.columns and "stance" in t.columns:
        rows = []
        for target, g in t.groupby(t["target"].astype(str), sort=False):
            counts = g["stance"].astype(str).value_counts()
            n = int(counts.sum())
            fav, ag = counts.get("favor", 0) / n, counts.get("against", 0) / n
            ev = [text_of(e) for e in g.get("evidence", []) if text_of(e)][:2]
            rows.append((target, n, counts.get("favor", 0), counts.get("against", 0), counts.get("none", 0), fav, ag, fav - ag,
                         " | ".join(clip(e, 90) for e in ev)))
        tdf = _df(rows, ["target", "mentions", "favor", "against", "none", "favor_share", "against_share", "net", "evidence"])
        tdf = tdf.sort_values(["mentions", "target"], ascending=[False, True])
        sided = tdf[(tdf["favor"] + tdf["against"]) > 0].head(12)
        png = plots.diverging(sided.assign(group="this thread"), title="Stance toward each target in this thread")
        if png:
            images["targets"] = png
            s.blocks.append(Image("targets", "Favour and against shares per target"))
        show = tdf.assign(net=tdf["net"].map(lambda v: fmt(v, signed=True)), favor_share=tdf["favor_share"].map(lambda v: fmt(v, pct=True)),
                          against_share=tdf["against_share"].map(lambda v: fmt(v, pct=True)))
        s.blocks.append(Table(show, caption="Stance toward targets (" + "/".join(TARGET_STANCES) + ")"))
    else:
        s.blocks.append(Missing("stance toward targets"))
    return s


def _topics(view: ThreadView, images) -> Section:
    from . import plots  # matplotlib only when a page is drawn
    s = Section("topics", "Topics")
    c = view.comments
    col = "topic_label" if has(c, "topic_label") else ("topic" if has(c, "topic") else None)
    if col is None:
        s.blocks.append(Missing("topics"))
        return s
    counts = c[col].dropna().astype(str).value_counts()
    words = {}
    if view.topics is not None and "topic" in view.topics.columns:
        for r in view.topics.to_dict("records"):
            words[text_of(r.get("topic"))] = (text_of(r.get("label")), text_of(r.get("words")), r.get("size"))
    topic_of_label = {}
    if has(c, "topic") and col == "topic_label":
        for tl, tp in zip(c["topic_label"], c["topic"]):
            topic_of_label.setdefault(text_of(tl), text_of(tp))
    top = counts.head(15)
    png = plots.bar_counts(list(top.index), list(top.values), title="Topics of the comments", xlabel="comments", ylabel="topic")
    if png:
        images["topics"] = png
        s.blocks.append(Image("topics", "Number of comments per topic"))
    rows = []
    for label, n in counts.items():
        tid = topic_of_label.get(label, label)
        w = words.get(tid, ("", "", None))
        rows.append((label, int(n), clip(w[1], 160)))
    s.blocks.append(Table(_df(rows, ["topic", "comments", "topic words"]), caption="Topics in this thread"))
    return s


def _framing(view: ThreadView, images) -> Section:
    from . import plots  # matplotlib only when a page is drawn
    s = Section("framing", "Frames, techniques and narratives")
    f = view.findings
    if f is None or len(f) == 0:
        s.blocks.append(Missing("frames, techniques and narratives"))
        return s
    agg = (f.groupby(["kind", "label"], sort=False).size().reset_index(name="count")
           .sort_values(["count", "kind", "label"], ascending=[False, True, True]))
    top = agg.head(20)
    png = plots.bar_counts([f"{k}: {lab}" for k, lab in zip(top["kind"], top["label"])], list(top["count"]),
                           title="Frames, techniques and narratives found", xlabel="occurrences (article and comments)",
                           kinds=list(top["kind"]))
    if png:
        images["framing"] = png
        s.blocks.append(Image("framing", "Occurrences of each frame, technique and narrative"))
    s.blocks.append(Note("Evidence is highlighted in the article above and in the comments of the reply tree; "
                         "each highlight is followed by its label."))
    rows = []
    for r in agg.to_dict("records"):
        g = f[(f["kind"] == r["kind"]) & (f["label"] == r["label"])]
        ev = [clip(e, 120) for e in g["evidence"] if e][:3]
        rows.append((r["kind"], r["label"], int(r["count"]), fmt(g["score"].max()), " | ".join(ev)))
    s.blocks.append(Table(_df(rows, ["kind", "label", "count", "top score", "examples"]), caption="Summary by label"))
    detail = [(r["kind"], r["label"], r["where"], fmt(r["score"]), clip(text_of(r["evidence"]), 240))
              for r in f.head(MAX_TABLE_ROWS).to_dict("records")]
    s.blocks.append(Table(_df(detail, ["kind", "label", "where", "score", "evidence"]), caption="Every finding", collapse_after=0))
    if len(f) > MAX_TABLE_ROWS:
        s.blocks.append(Note(f"{len(f) - MAX_TABLE_ROWS} more findings are in the analysis tables."))
    return s


def _claims(view: ThreadView) -> Section:
    s = Section("claims", "Claims ledger")
    cl = view.claims
    if cl is None:
        s.blocks.append(Missing("claims"))
    else:
        author = {c.comment_id: c.author for c in view.thread.comments}
        cols = ["claim", "raw", "value", "unit", "subject", "attributed_to", "hedged", "as_of", "published"]
        rows = []
        for r in cl.head(MAX_TABLE_ROWS).to_dict("records"):
            cid = text_of(r.get("comment_id"))
            rows.append([_where(cid, author.get(cid))] + [clip(fmt_value(r.get(k)), 240) for k in cols if k in cl.columns])
        s.blocks.append(Table(_df(rows, ["where"] + [k for k in cols if k in cl.columns]),
                              caption="Factual claims with the number or value they state, and who they are attributed to"))
        if len(cl) > MAX_TABLE_ROWS:
            s.blocks.append(Note(f"{len(cl) - MAX_TABLE_ROWS} more claims are in the analysis tables."))
    cmp = view.comparisons
    if cmp is not None:
        rows = []
        me = view.thread_id
        for r in cmp.head(MAX_TABLE_ROWS).to_dict("records"):
            a_is_me = text_of(r.get("thread_id_a")) == me
            other = text_of(r.get("thread_id_b") if a_is_me else r.get("thread_id_a"))
            mine = fmt_value(r.get("value_a") if a_is_me else r.get("value_b"))
            theirs = fmt_value(r.get("value_b") if a_is_me else r.get("value_a"))
            rows.append((text_of(r.get("subject")), mine, other, theirs, text_of(r.get("relation")),
                         clip(text_of(r.get("explanation")), 240)))
        s.blocks.append(Table(_df(rows, ["subject", "value here", "other thread", "value there", "relation", "explanation"]),
                              caption="The same subject in other threads"))
    return s


def _triage(view: ThreadView) -> Section:
    s = Section("triage", "Moderation triage: top of the queue")
    c = view.comments
    if not has(c, "triage_priority"):
        s.blocks.append(Missing("triage priorities"))
        return s
    q = c.assign(_p=c["triage_priority"].map(lambda v: num(v, float("-inf"))))
    q = q.sort_values(["_p", "position"], ascending=[False, True]).head(TRIAGE_TOP)
    rows = []
    for r in q.to_dict("records"):
        rows.append((fmt(r.get("triage_priority")), _where(r["comment_id"], text_of(r.get("author"))),
                     clip(text_of(r.get("triage_reasons")), 200), fmt(r.get("incivility")),
                     clip(text_of(r.get("incivility_reasons")), 120), fmt(r.get("disinfo_risk")),
                     clip(text_of(r.get("disinfo_reasons")), 120), clip(text_of(r.get("text")), 160)))
    s.blocks.append(Table(_df(rows, ["priority", "comment", "why", "incivility", "incivility evidence",
                                     "disinfo risk", "disinfo evidence", "text"]),
                          caption=f"The {len(rows)} comments a moderator should see first, with the reasons", collapse_after=TRIAGE_TOP))
    return s

