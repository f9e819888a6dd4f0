"""Compare groups of threads or comments: by outlet (the default), month, author or any column.

The same story told by different outlets, or discussed by different commenters, is compared on
the same measures: stance toward each target, frames and techniques per 1,000 words (so a long
article is not "more framed" just for being long), how prevalent each narrative is, the spread
of sentiment, and where their factual claims disagree.

Grouping by a thread attribute (outlet, published, title, thread_id, source, url, or a column of
the ``threads`` table) puts each thread's article and comments in its group. Grouping by a
comment attribute (author, or a column of the ``comments`` table) groups comments only; article
findings then belong to no group. ``published`` groups by month (YYYY-MM). A missing value is
the group "unknown".
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from discourse.model import Thread, threads_to_frame
from discourse.text import words

from . import html as html_render
from . import markdown as md_render
from ..writers.safe_csv import write_csv
from .sections import Image, Missing, Note, Para, Section, Table, fmt
from .view import STANCE_COLOURS, STANCE_ORDER, num, table, text_of

THREAD_ATTRIBUTES = ("outlet", "published", "title", "url", "thread_id", "source")
UNKNOWN = "unknown"
#: Relations in ``claim_comparison`` that mean the two figures contradict each other. Others
#: (``agree``, ``different_dates``, ``different_scope``) are listed but not called disagreements:
#: a running total reported months apart is expected to differ.
DISAGREEING = {"disagree", "disagrees", "inconsistent", "contradicts", "contradiction", "conflict"}
_MONTH = re.compile(r"^(\d{4})-(\d{2})")


def check_grouping(by: str, stages) -> None:
    """Refuse, before any work, a ``--by`` that no thread attribute, input column or column a chosen
    stage declares could hold; the message lists what can be grouped by."""
    from ..analysis.pipeline import COMMENT_COLUMNS, THREAD_COLUMNS
    from ..model import FRAME_COLUMNS

    declared = {entry.split(".", 1)[1] for s in stages for entry in s.provides
                if entry.startswith(("comments.", "threads.")) and "." in entry}
    if any(s.name == "threads" for s in stages):  # the thread table's own columns
        declared |= {"url", "source", "article_words", "article_sentiment", "comments", "authors", "max_depth"}
    known = set(THREAD_ATTRIBUTES) | set(FRAME_COLUMNS) | set(COMMENT_COLUMNS) | set(THREAD_COLUMNS) | declared
    known |= {"language"}
    if by not in known:
        raise ValueError(f"cannot group by {by!r}: it is not a thread or comment column; "
                         f"group by one of: {', '.join(sorted(known))}")


class Grouping:
    """Which group each thread (or comment) belongs to."""

    def __init__(self, threads: list[Thread], tables: dict | None, by: str):
        self.by = by
        self.threads = threads
        tdf = table(tables, "threads")
        cdf = table(tables, "comments")
        if by in THREAD_ATTRIBUTES or (tdf is not None and by in tdf.columns and (cdf is None or by not in cdf.columns)):
            self.level = "thread"
            values = {}
            extra = {}
            if tdf is not None and by in tdf.columns and "thread_id" in tdf.columns:
                extra = dict(zip(tdf["thread_id"].astype(str), tdf[by]))
            for t in threads:
                if by in ("thread_id", "source"):
                    v = getattr(t, by)
                elif by in THREAD_ATTRIBUTES:
                    v = getattr(t.article, by) or extra.get(t.thread_id)
                else:
                    v = extra.get(t.thread_id)
                values[t.thread_id] = self.normalise(v)
            self.thread_group = values
            self.comment_group = None
        else:
            base = cdf if cdf is not None and by in cdf.columns else threads_to_frame(threads)
            if by not in base.columns:
                known = sorted(set(THREAD_ATTRIBUTES) | set(base.columns) | set(tdf.columns if tdf is not None else []))
                raise ValueError(f"cannot group by {by!r}: not a thread or comment column (known: {', '.join(known)})")
            self.level = "comment"
            self.thread_group = None
            self.comment_group = {
                (str(t), str(c)): self.normalise(v) for t, c, v in zip(base["thread_id"], base["comment_id"], base[by])
            }

    def normalise(self, value) -> str:
        text = " ".join(text_of(value).split())
        if self.by == "published":
            m = _MONTH.match(text)
            if m:
                return f"{m.group(1)}-{m.group(2)}"
            if text:
                import pandas as pd

                when = pd.to_datetime(text, errors="coerce")
                return UNKNOWN if pd.isna(when) else when.strftime("%Y-%m")
            return UNKNOWN
        return text or UNKNOWN

    def assign(self, df, thread_col: str = "thread_id", comment_col: str = "comment_id"):
        """``df`` with a ``group`` column; rows that belong to no group are dropped."""
        if df is None or thread_col not in df.columns:
            return None
        tids = df[thread_col].astype(str)
        if self.level == "thread":
            groups = tids.map(self.thread_group)
        else:
            if comment_col not in df.columns:
                return None
            cids = df[comment_col].fillna("").astype(str)
            groups = [self.comment_group.get((t, c)) for t, c in zip(tids, cids)]
        out = df.assign(group=groups)
        out = out[out["group"].notna()]
        return out if len(out) else None

    def texts(self) -> dict[str, dict]:
        """Per group: threads, comments, authors, texts (article + comments) and words."""
        stats: dict[str, dict] = {}
        for t in self.threads:
            tg = self.thread_group.get(t.thread_id) if self.level == "thread" else None
            if tg is not None:
                s = stats.setdefault(tg, _empty())
                s["threads"].add(t.thread_id)
                if t.article.text.strip():
                    s["texts"] += 1
                    s["words"] += len(words(t.article.text))
            for c in t.comments:
                g = tg if tg is not None else self.comment_group.get((t.thread_id, c.comment_id))
                if g is None:
                    continue
                s = stats.setdefault(g, _empty())
                s["threads"].add(t.thread_id)
                s["comments"] += 1
                s["texts"] += 1
                s["words"] += len(words(c.text))
                if c.author:
                    s["authors"].add(c.author)
        return stats


def _empty() -> dict:
    return {"threads": set(), "comments": 0, "texts": 0, "words": 0, "authors": set()}


def _frame(rows, columns):
    import pandas as pd

    return pd.DataFrame(rows, columns=columns)


def compare(threads: Iterable[Thread], tables: dict | None, by: str = "outlet", out_dir="reports", *,
            quiet: bool = False) -> dict:
    """Compare groups; writes ``compare.html``, ``compare.md``, ``compare_<table>.csv`` and
    ``compare_files/*.png`` into ``out_dir`` and returns the tables:

    * ``groups``: group, threads, comments, authors, texts, words, sentiment_mean
    * ``stance``: group, comments, support, deny, query, comment (shares of replies)
    * ``stance_targets``: group, target, mentions, favor, against, none, favor_share, against_share, net
    * ``frames``: group, kind (frame|technique), label, count, words, per_1000_words
    * ``narratives``: group, narrative, mentions, texts_with, texts, prevalence
    * ``sentiment``: group, n, mean, std, min, q1, median, q3, max, negative, neutral, positive
    * ``claims``: the claim comparisons with group_a, group_b, cross_group, disagreement
    """
    threads = list(threads)
    grouping = Grouping(threads, tables, by)
    stats = grouping.texts()
    result = {
        "groups": _groups(grouping, tables, stats),
        "stance": _stance(grouping, tables),
        "stance_targets": _targets(grouping, tables),
        "frames": _frames(grouping, tables, stats),
        "narratives": _narratives(grouping, tables, stats),
        "sentiment": _sentiment(grouping, tables),
        "claims": _claims(grouping, tables),
    }
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, df in result.items():
        write_csv(df, out / f"compare_{name}.csv")
    images = _plots(result, grouping, tables)
    img_dir = out / "compare_files"
    if images:
        img_dir.mkdir(exist_ok=True)
        for key, data in images.items():
            (img_dir / f"{key}.png").write_bytes(data)
    title = f"Comparison by {by}"
    intro, sections = _sections(result, grouping, images)
    (out / "compare.html").write_text(html_render.render_page(title, intro, sections, images), encoding="utf-8")
    text, _ = md_render.render_page(title, intro, sections, "compare_files")
    (out / "compare.md").write_text(text, encoding="utf-8")
    return result


# -- tables ------------------------------------------------------------------------------------

def _comment_rows(grouping: Grouping, tables):
    cdf = table(tables, "comments")
    if cdf is None:
        return None
    return grouping.assign(cdf)


def _groups(grouping: Grouping, tables, stats):
    cdf = _comment_rows(grouping, tables)
    means = {}
    if cdf is not None and "sentiment" in cdf.columns:
        s = cdf.assign(_s=cdf["sentiment"].map(num)).dropna(subset=["_s"])
        means = s.groupby("group")["_s"].mean().to_dict()
    rows = [(g, len(s["threads"]), s["comments"], len(s["authors"]), s["texts"], s["words"], means.get(g))
            for g, s in sorted(stats.items())]
    return _frame(rows, ["group", "threads", "comments", "authors", "texts", "words", "sentiment_mean"])


def _stance(grouping: Grouping, tables):
    cols = ["group", "comments"] + STANCE_ORDER
    cdf = _comment_rows(grouping, tables)
    if cdf is None or "stance" not in cdf.columns:
        return _frame([], cols)
    rows = []
    for g, sub in cdf.groupby("group", sort=True):
        st = sub["stance"].dropna().astype(str)
        n = len(st)
        if n:
            counts = st.value_counts()
            rows.append([g, n] + [counts.get(k, 0) / n for k in STANCE_ORDER])
    return _frame(rows, cols)


def _targets(grouping: Grouping, tables):
    cols = ["group", "target", "mentions", "favor", "against", "none", "favor_share", "against_share", "net"]
    df = grouping.assign(table(tables, "targets"))
    if df is None or "target" not in df.columns or "stance" not in df.columns:
        return _frame([], cols)
    rows = []
    for (g, target), sub in df.groupby(["group", df["target"].astype(str)], sort=True):
        counts = sub["stance"].astype(str).value_counts()
        n = int(counts.sum())
        fav, ag = counts.get("favor", 0), counts.get("against", 0)
        rows.append((g, target, n, int(fav), int(ag), int(counts.get("none", 0)), fav / n, ag / n, (fav - ag) / n))
    out = _frame(rows, cols)
    return out.sort_values(["group", "mentions", "target"], ascending=[True, False, True]).reset_index(drop=True)


def _frames(grouping: Grouping, tables, stats):
    cols = ["group", "kind", "label", "count", "words", "per_1000_words"]
    df = grouping.assign(table(tables, "frames"))
    if df is None or "label" not in df.columns:
        return _frame([], cols)
    kind = df["kind"].fillna("frame").astype(str) if "kind" in df.columns else "frame"
    df = df.assign(kind=kind, label=df["label"].astype(str))
    rows = []
    for (g, k, lab), sub in df.groupby(["group", "kind", "label"], sort=True):
        w = stats.get(g, {}).get("words", 0)
        rows.append((g, k, lab, len(sub), w, 1000.0 * len(sub) / w if w else None))
    return _frame(rows, cols)


def _narratives(grouping: Grouping, tables, stats):
    cols = ["group", "narrative", "mentions", "texts_with", "texts", "prevalence"]
    df = grouping.assign(table(tables, "narratives"))
    if df is None or "narrative" not in df.columns:
        return _frame([], cols)
    cid = df["comment_id"].fillna("").astype(str) if "comment_id" in df.columns else ""
    df = df.assign(_unit=df["thread_id"].astype(str) + "\x00" + cid)
    rows = []
    for (g, nar), sub in df.groupby(["group", df["narrative"].astype(str)], sort=True):
        texts = stats.get(g, {}).get("texts", 0)
        units = sub["_unit"].nunique()
        rows.append((g, nar, len(sub), units, texts, units / texts if texts else None))
    return _frame(rows, cols)


def _sentiment(grouping: Grouping, tables):
    cols = ["group", "n", "mean", "std", "min", "q1", "median", "q3", "max", "negative", "neutral", "positive"]
    cdf = _comment_rows(grouping, tables)
    if cdf is None or "sentiment" not in cdf.columns:
        return _frame([], cols)
    s = cdf.assign(_s=cdf["sentiment"].map(num)).dropna(subset=["_s"])
    rows = []
    for g, sub in s.groupby("group", sort=True):
        v = sub["_s"]
        rows.append((g, len(v), v.mean(), v.std() if len(v) > 1 else None, v.min(), v.quantile(0.25), v.median(),
                     v.quantile(0.75), v.max(), (v < -0.05).mean(), ((v >= -0.05) & (v <= 0.05)).mean(), (v > 0.05).mean()))
    return _frame(rows, cols)


def _claims(grouping: Grouping, tables):
    base = ["subject", "thread_id_a", "value_a", "thread_id_b", "value_b", "relation", "explanation"]
    cols = base + ["group_a", "group_b", "cross_group", "disagreement"]
    df = table(tables, "claim_comparison")
    if df is None:
        return _frame([], cols)
    df = df.copy()
    for c in base:
        if c not in df.columns:
            df[c] = None
    tg = grouping.thread_group or {}
    df["group_a"] = [tg.get(t, "") for t in df["thread_id_a"].astype(str)]
    df["group_b"] = [tg.get(t, "") for t in df["thread_id_b"].astype(str)]
    df["cross_group"] = (df["group_a"] != df["group_b"]) & (df["group_a"] != "") & (df["group_b"] != "")
    df["disagreement"] = df["relation"].map(lambda r: text_of(r).strip().lower() in DISAGREEING).astype(bool)
    rest = [c for c in df.columns if c not in cols]
    return df[cols + rest].sort_values(["disagreement", "cross_group"], ascending=False, kind="stable").reset_index(drop=True)


# -- plots and page -------------------------------------------------------------------------------

def _plots(result: dict, grouping: Grouping, tables) -> dict[str, bytes]:
    from . import plots  # matplotlib only when a comparison is drawn

    images: dict[str, bytes] = {}
    by = plots.short(grouping.by, 30)
    all_groups = list(result["groups"]["group"])

    def put(key, data):
        if data:
            images[key] = data

    st = result["stance"]
    if len(st):
        put("stance", plots.stacked_shares(st.set_index("group"), STANCE_ORDER, STANCE_COLOURS,
                                           title=f"Stance of each comment toward what it answers, by {by}",
                                           xlabel="share of comments (%)", ylabel=by,
                                           counts=dict(zip(st["group"], st["comments"]))))
    tg = result["stance_targets"]
    if len(tg):
        # Targets someone took a side on; mentions with stance "none" alone draw nothing.
        sided = (tg["favor"] + tg["against"]).groupby(tg["target"]).sum()
        top = sided[sided > 0].sort_values(ascending=False, kind="stable").index[:10]
        sub = tg[tg["target"].isin(top)].copy()
        sub["target"] = sub["target"].astype("category").cat.set_categories(list(top))
        sub = sub.sort_values(["target", "group"])
        sub["target"] = sub["target"].astype(str)
        if len(sub):
            put("targets", plots.diverging(sub, title=f"Stance toward each target, by {by}"))
    fr = result["frames"]
    for kind, key, title in (("frame", "frames", "Frames"), ("technique", "techniques", "Persuasion techniques")):
        sub = fr[fr["kind"] == kind] if len(fr) else fr
        if len(sub):
            pivot = sub.pivot_table(index="group", columns="label", values="per_1000_words", aggfunc="sum", fill_value=0.0)
            pivot = pivot.reindex(all_groups, fill_value=0.0)  # a group without any is a finding too
            put(key, plots.heatmap(pivot, title=f"{title} per 1,000 words, by {by}", cbar_label="per 1,000 words",
                                   xlabel=kind, ylabel=by))
    na = result["narratives"]
    if len(na):
        pivot = na.pivot_table(index="group", columns="narrative", values="prevalence", aggfunc="sum", fill_value=0.0) * 100
        pivot = pivot.reindex(all_groups, fill_value=0.0)
        texts = dict(zip(result["groups"]["group"], result["groups"]["texts"]))
        put("narratives", plots.heatmap(pivot, title=f"Narrative prevalence, by {by}", cbar_label="% of texts carrying it",
                                        xlabel="narrative", ylabel=by, counts=texts))
    put("sentiment", _sentiment_plot(grouping, tables))
    return images


def _sentiment_plot(grouping: Grouping, tables) -> bytes | None:
    from . import plots

    cdf = _comment_rows(grouping, tables)
    if cdf is None or "sentiment" not in cdf.columns:
        return None
    groups = {g: [num(v) for v in sub["sentiment"]] for g, sub in cdf.groupby("group", sort=True)}
    by = plots.short(grouping.by, 30)
    return plots.distribution(groups, title=f"Comment sentiment, by {by}", ylabel="sentiment (VADER compound)", xlabel=by)


def _display(df, pct=(), signed=(), digits=None):
    show = df.copy()
    for c in pct:
        if c in show:
            show[c] = show[c].map(lambda v: fmt(v, pct=True))
    for c in signed:
        if c in show:
            show[c] = show[c].map(lambda v: fmt(v, signed=True))
    for c, d in (digits or {}).items():
        if c in show:
            show[c] = show[c].map(lambda v, d=d: fmt(v, d))
    return show


def _sections(result: dict, grouping: Grouping, images: dict[str, bytes]):
    by = grouping.by
    level = "each thread (article and its comments)" if grouping.level == "thread" else "each comment (articles excluded)"
    intro = [Para(f"Groups by {by}: {level} belongs to one group. {len(result['groups'])} groups."),
             Note("Every table here is also written as compare_<table>.csv beside this page.")]
    secs = [Section("groups", "Groups", [Table(_display(result["groups"], signed=["sentiment_mean"]), collapse_after=30)])]

    s = Section("stance", "Stance of the replies")
    if len(result["stance"]):
        s.blocks += [Image("stance", f"Reply stance shares by {by}"),
                     Table(_display(result["stance"], pct=STANCE_ORDER))]
    else:
        s.blocks.append(Missing("comment stance"))
    secs.append(s)

    s = Section("targets", "Stance toward targets")
    if len(result["stance_targets"]):
        s.blocks += [Image("targets", f"Favour and against shares per target and {by}"),
                     Note("net = favour share − against share of the mentions of a target."),
                     Table(_display(result["stance_targets"], pct=["favor_share", "against_share"], signed=["net"]))]
    else:
        s.blocks.append(Missing("stance toward targets"))
    secs.append(s)

    fr = result["frames"]
    for kind, key, title in (("frame", "frames", "Frames"), ("technique", "techniques", "Persuasion techniques")):
        s = Section(key, f"{title} per 1,000 words")
        sub = fr[fr["kind"] == kind] if len(fr) else fr
        if len(sub):
            s.blocks += [Image(key, f"Heat map of {key} per 1,000 words by {by}"),
                         Table(_display(sub.drop(columns=["kind"]), digits={"per_1000_words": 2}))]
        else:
            s.blocks.append(Missing(key))
        secs.append(s)

    s = Section("narratives", "Narrative prevalence")
    if len(result["narratives"]):
        s.blocks += [Image("narratives", f"Heat map of narrative prevalence by {by}"),
                     Note("prevalence = share of the group's texts (articles and comments) that carry the narrative."),
                     Table(_display(result["narratives"], pct=["prevalence"]))]
    else:
        s.blocks.append(Missing("narratives"))
    secs.append(s)

    s = Section("sentiment", "Sentiment distribution")
    if "sentiment" in images:
        s.blocks.append(Image("sentiment", f"Box plots of comment sentiment by {by}"))
    if len(result["sentiment"]):
        s.blocks.append(Table(_display(result["sentiment"], pct=["negative", "neutral", "positive"],
                                       signed=["mean", "min", "q1", "median", "q3", "max"], digits={"std": 2})))
    else:
        s.blocks.append(Missing("comment sentiment"))
    secs.append(s)

    s = Section("claims", "Claim disagreements")
    cl = result["claims"]
    if len(cl):
        dis = cl[cl["disagreement"]]
        if len(dis):
            cols = ["subject", "group_a", "thread_id_a", "value_a", "group_b", "thread_id_b", "value_b", "relation", "explanation"]
            s.blocks.append(Table(dis[cols].head(300), caption="Claims about the same subject that do not agree"))
        else:
            s.blocks.append(Para("No compared claims contradict each other."))
        counts = cl["relation"].map(text_of).value_counts()
        s.blocks.append(Note("Relations found: " + ", ".join(f"{k or 'unknown'} {v}" for k, v in counts.items())
                             + ". Only 'disagree' and 'inconsistent' count as disagreements; figures for different "
                             "dates or scopes are expected to differ."))
    else:
        s.blocks.append(Missing("claim comparison"))
    secs.append(s)
    return intro, secs

