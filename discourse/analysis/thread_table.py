"""The ``threads`` stage: one row per thread with its metadata, size, depth, mean tone, the share
of each reply stance, the article's tone and the thread-level disinformation signals."""
from __future__ import annotations

from ..model import Thread
from .stage import RunContext, Stage

STANCES = ("support", "deny", "query", "comment")


def thread_table(threads: list[Thread], comments):
    """One row per thread: metadata, size, depth, mean tone and the shares of each reply stance."""
    import pandas as pd

    groups = {tid: g for tid, g in comments.groupby("thread_id", sort=False)} if not comments.empty else {}
    rows = []
    for t in threads:
        g = groups.get(t.thread_id)
        n = 0 if g is None else len(g)
        row = {
            "thread_id": t.thread_id, "title": t.article.title, "outlet": t.article.outlet,
            "published": t.article.published, "url": t.article.url, "source": t.source,
            "comments": n,
            "authors": 0 if g is None else g["author"].dropna().nunique(),
            "max_depth": 0 if g is None else int(g["depth"].max()),
            "article_words": len(t.article.text.split()),
            "sentiment_mean": float(g["sentiment"].mean()) if n and "sentiment" in g else None,
        }
        for s in STANCES:
            row[s] = float((g["stance"] == s).sum()) / n if n and "stance" in g else None
        rows.append(row)
    return pd.DataFrame(rows)


class ThreadTableStage(Stage):
    name = "threads"
    requires = ("comments.thread_id",)
    uses = ("comments.sentiment", "comments.stance", "sentences", "thread_disinfo")
    reduced = "columns from a stage that did not run (tone, stance shares, disinfo) are left empty"
    provides = ("threads",)
    languages = ()

    def run(self, ctx: RunContext) -> None:
        table = thread_table(ctx.analysis.threads, ctx.comments)
        sents = ctx.tables.get("sentences")
        if sents is not None and len(sents):
            from .sentiment import combine_sentences

            article = sents[sents["comment_id"] == ""].groupby("thread_id")["sentiment"].agg(combine_sentences)
            table["article_sentiment"] = table["thread_id"].map(article)
        extra = ctx.tables.pop("thread_disinfo", None)
        if extra is not None and len(extra):
            table = table.merge(extra, on="thread_id", how="left")
        ctx.tables["threads"] = table
