"""What a report shows about one thread, gathered from the analysis tables.

Reports are drawn from tables that other parts of the pipeline produce, and any of them may be
missing, empty or lack a column (an analysis switched off, a run on a machine without a model).
Everything here is defensive for that reason: a missing piece becomes "not available" in the
page rather than an error. Evidence spans are placed back into the text they were found in, so
the HTML and Markdown renderers only have to escape and wrap ready-made segments.
"""
from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field
from typing import Any

from discourse.model import Thread, threads_to_frame

STANCE_ORDER = ["support", "deny", "query", "comment"]
#: Colours chosen to stay distinguishable for the common colour-vision deficiencies.
STANCE_COLOURS = {"support": "#1b9e77", "deny": "#d95f02", "query": "#7570b3", "comment": "#999999"}
TARGET_STANCES = ["favor", "against", "none"]
#: pixels per inch of the plots; pages show them at 100 CSS px per inch, so they stay sharp on
#: high-resolution screens and in print
PLOT_DPI = 160
KIND_CLASSES = {"frame": "fr", "technique": "te", "narrative": "na"}

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def table(tables: dict | None, name: str):
    """The named table, or None when it is missing, empty or not a DataFrame."""
    if not tables:
        return None
    df = tables.get(name)
    if df is None or not hasattr(df, "columns") or len(df) == 0:
        return None
    return df


class TablesByThread:
    """The analysis tables, each split by thread id once (on first use), so a report of many
    threads reads each thread's rows directly instead of filtering every table per thread."""

    def __init__(self, tables: dict | None):
        self.tables = tables or {}
        self._groups: dict[str, dict] = {}

    def whole(self, name: str):
        return table(self.tables, name)

    def rows(self, name: str, thread_id: str):
        """Table ``name``'s rows for ``thread_id`` (None when there are none)."""
        if name not in self._groups:
            df = self.whole(name)
            self._groups[name] = ({} if df is None or "thread_id" not in df.columns
                                  else dict(tuple(df.groupby("thread_id", sort=False))))
        return self._groups[name].get(thread_id)


def has(df, column: str) -> bool:
    return df is not None and column in df.columns and df[column].notna().any()


def num(value, default: float | None = None) -> float | None:
    """A finite float from any cell, or ``default``."""
    try:
        f = float(value)
    except (TypeError, ValueError):
        return default
    return f if math.isfinite(f) else default


def text_of(value) -> str:
    """A cell as display text: None/NaN become "", lists are joined."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, (list, tuple)):
        return "; ".join(text_of(v) for v in value if text_of(v))
    if isinstance(value, dict):
        return "; ".join(f"{k}: {text_of(v)}" for k, v in value.items())
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return ""
    except ImportError:  # pragma: no cover
        pass
    return str(value)


def clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def safe_name(thread_id: str, taken: set[str] | None = None) -> str:
    """A file name for a thread id that cannot leave the output folder or clash with another."""
    base = _UNSAFE_NAME.sub("_", str(thread_id)).strip("._")[:80] or "thread"
    if base.lower() in ("index", "compare"):  # INDEX.html is index.html on case-insensitive file systems
        base = "thread_" + base
    name, k = base, 2
    while taken is not None and name.lower() in taken:
        name, k = f"{base}_{k}", k + 1
    if taken is not None:
        taken.add(name.lower())
    return name


# -- evidence spans ---------------------------------------------------------------------------

def resolve_span(text: str, start, end, sentence: str = "", evidence: str = "") -> tuple[int, int] | None:
    """Where in ``text`` a finding sits.

    Offsets are trusted when they land on the quoted sentence or evidence; otherwise the offsets
    may be relative to the sentence, or only the quotation is usable. Returns None when the
    finding cannot be placed (it is still listed in the tables, just not highlighted).
    """
    n = len(text)
    s, e = num(start), num(end)
    ok = s is not None and e is not None and 0 <= s < e <= n and s == int(s) and e == int(e)
    if ok:
        s, e = int(s), int(e)
        seg = text[s:e]
        if (not sentence and not evidence) or seg == sentence or seg == evidence \
                or (evidence and evidence in seg) or (sentence and seg in sentence):
            return s, e
    if sentence:
        i = text.find(sentence)
        if i >= 0:
            rs, re_ = num(start), num(end)
            if rs is not None and re_ is not None and 0 <= rs < re_ <= len(sentence):
                rs, re_ = int(rs), int(re_)
                if not evidence or sentence[rs:re_] == evidence:
                    return i + rs, i + re_
            if evidence:
                j = sentence.find(evidence)
                if j >= 0:
                    return i + j, i + j + len(evidence)
            return i, i + len(sentence)
    if evidence:
        j = text.find(evidence)
        if j >= 0:
            return j, j + len(evidence)
    return None


MAX_FRAGMENTS = 20  # quoted pieces highlighted per finding; bounds the work on hostile evidence
_QUOTED = re.compile(r'["\u201c\u201d]([^"\u201c\u201d\n]{1,300})["\u201c\u201d]')


def evidence_fragments(evidence: str) -> list[str]:
    """The quoted pieces of an evidence string (``"invasion"; "arms"``), or the whole string when
    it quotes nothing and is short enough to be a span of text itself."""
    if not evidence:
        return []
    found = []
    for m in _QUOTED.finditer(evidence):
        if m.group(1).strip():
            found.append(m.group(1).strip())
            if len(found) == MAX_FRAGMENTS:
                break
    if found:
        return list(dict.fromkeys(found))
    return [evidence.strip()] if len(evidence) <= 300 else []


def locate(text: str, start=None, end=None, sentence: str = "", evidence: str = "") -> list[tuple[int, int]]:
    """Spans of ``text`` to highlight for one finding: the quoted evidence inside its sentence
    when it can be found there (the words that triggered the label), else the whole sentence,
    else nothing."""
    sent = resolve_span(text, start, end, sentence, "") if (sentence or start is not None) else None
    lo, hi = sent if sent else (0, len(text))
    region = text[lo:hi]
    hits = []
    for frag in evidence_fragments(evidence):
        # Whole words first ("war" must not light up "warehouses"), then any occurrence (a stem).
        m = re.search(r"(?<!\w)" + re.escape(frag) + r"(?!\w)", region, re.IGNORECASE) \
            or re.search(re.escape(frag), region, re.IGNORECASE)
        if m and m.end() > m.start():
            hits.append((lo + m.start(), lo + m.end()))
    if hits:
        return hits
    return [sent] if sent else []


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str  # frame | technique | narrative
    label: str


def segments(text: str, spans: list[Span]) -> list[tuple[str, list[Span]]]:
    """Cut ``text`` at every span boundary; each piece carries the spans covering it.

    Overlapping findings therefore never produce nested or crossing tags: a piece covered by two
    labels is one mark naming both.
    """
    if not spans:
        return [(text, [])] if text else []
    events: dict[int, list[tuple[int, int]]] = {}
    for k, sp in enumerate(spans):
        events.setdefault(sp.start, []).append((1, k))
        events.setdefault(sp.end, []).append((-1, k))
    cuts = sorted(set(events) | {0, len(text)})
    active: dict[int, None] = {}
    out: list[tuple[str, list[Span]]] = []
    for a, b in itertools.pairwise(cuts):
        for sign, k in events.get(a, ()):
            if sign > 0:
                active[k] = None
            else:
                active.pop(k, None)
        if b > a:
            out.append((text[a:b], [spans[k] for k in active]))
    return out


# -- the view -----------------------------------------------------------------------------------

@dataclass
class ThreadView:
    thread: Thread
    comments: Any  # DataFrame: the thread's comments with every analysis column available
    thread_row: dict
    summary: list[str]
    paragraphs: list[str]
    children: dict[str | None, list[str]]
    depth: dict[str, int]
    chains: list[list[str]]
    article_spans: dict[int, list[Span]] = field(default_factory=dict)
    comment_spans: dict[str, list[Span]] = field(default_factory=dict)
    findings: Any = None  # DataFrame: kind, label, where, score, evidence
    targets: Any = None
    topics: Any = None
    claims: Any = None
    comparisons: Any = None
    sentences: Any = None
    file_stem: str = ""

    @property
    def thread_id(self) -> str:
        return self.thread.thread_id

    def stance_shares(self) -> dict[str, float] | None:
        c = self.comments
        if has(c, "stance"):
            counts = c["stance"].dropna().astype(str).value_counts()
            total = counts.sum()
            if total:
                labels = STANCE_ORDER + sorted(set(counts.index) - set(STANCE_ORDER))
                return {k: counts.get(k, 0) / total for k in labels}
        row = self.thread_row
        vals = {k: num(row.get(k)) for k in STANCE_ORDER}
        if any(v is not None for v in vals.values()):
            return {k: (v or 0.0) for k, v in vals.items()}
        return None


def comment_frame(thread: Thread, by_thread: TablesByThread):
    """The thread's comments with every analysis column, in page order. The analysis ``comments``
    table already holds the thread's structure; without it the frame comes from the thread alone."""
    rows = by_thread.rows("comments", thread.thread_id)
    if rows is None or "position" not in rows.columns or len(rows) != len(thread.comments):
        rows = threads_to_frame([thread])
    return rows.drop_duplicates("comment_id").sort_values("position", kind="stable").reset_index(drop=True)


def _tree(thread: Thread):
    ids = {c.comment_id for c in thread.comments}
    children: dict[str | None, list[str]] = {}
    parent: dict[str, str | None] = {}
    for c in thread.comments:
        p = c.parent_id if c.parent_id in ids and c.parent_id != c.comment_id else None
        parent[c.comment_id] = p
        children.setdefault(p, []).append(c.comment_id)
    # A comment that cannot reach the article (a link cycle the input repair missed) is shown
    # as top-level rather than vanishing from the report.
    reach: set[str] = set()
    frontier = list(children.get(None, []))
    while frontier:
        cid = frontier.pop()
        if cid not in reach:
            reach.add(cid)
            frontier.extend(children.get(cid, []))
    for c in thread.comments:
        if c.comment_id in reach:
            continue
        old = parent[c.comment_id]
        if old is not None and old in children:
            children[old] = [k for k in children[old] if k != c.comment_id]
        parent[c.comment_id] = None
        children.setdefault(None, []).append(c.comment_id)
        frontier = [c.comment_id]
        while frontier:
            cid = frontier.pop()
            if cid not in reach:
                reach.add(cid)
                frontier.extend(children.get(cid, []))
    depth: dict[str, int] = {}
    frontier = [(cid, 0) for cid in children.get(None, [])]
    while frontier:
        cid, d = frontier.pop()
        if cid not in depth:
            depth[cid] = d
            frontier.extend((k, d + 1) for k in children.get(cid, []))
    return children, parent, depth


def longest_chains(children, parent, depth, position: dict[str, int], k: int = 3) -> list[list[str]]:
    """Up to ``k`` of the deepest reply chains (article-level comment down to a leaf), preferring
    chains that start from different top-level comments so they show different conversations."""
    leaves = [cid for cid in parent if not children.get(cid)]
    leaves.sort(key=lambda c: (-depth.get(c, 0), position.get(c, 0)))
    chosen: list[list[str]] = []
    roots_used: set[str] = set()
    spare: list[list[str]] = []
    for leaf in leaves:
        if depth.get(leaf, 0) < 1:
            break
        chain, cur, seen = [], leaf, set()
        while cur is not None and cur not in seen:
            seen.add(cur)
            chain.append(cur)
            cur = parent.get(cur)
        chain.reverse()
        if chain[0] in roots_used:
            if len(spare) < k:
                spare.append(chain)
            continue
        roots_used.add(chain[0])
        chosen.append(chain)
        if len(chosen) == k:
            break
    for chain in spare:
        if len(chosen) >= k:
            break
        chosen.append(chain)
    return chosen


def _findings(thread: Thread, by_thread: TablesByThread, paragraphs: list[str], texts: dict[str, str]):
    """Frames, techniques and narratives of the thread, placed in their text when possible."""
    import pandas as pd

    article_spans: dict[int, list[Span]] = {}
    comment_spans: dict[str, list[Span]] = {}
    rows = []
    para_starts, pos = [], 0
    full = "\n".join(paragraphs)
    for p in paragraphs:
        para_starts.append(pos)
        pos += len(p) + 1

    def place(cid: str, paragraph, start, end, sentence, evidence, kind, label):
        if cid:
            text = texts.get(cid)
            if text is None:
                return "comment " + cid
            for a, b in locate(text, start, end, sentence, evidence):
                comment_spans.setdefault(cid, []).append(Span(a, b, kind, label))
            return "comment " + cid
        p = num(paragraph)
        if p is not None and p == int(p) and 0 <= int(p) < len(paragraphs):
            p = int(p)
            spans = locate(paragraphs[p], start, end, sentence, evidence)
            if spans:
                article_spans.setdefault(p, []).extend(Span(a, b, kind, label) for a, b in spans)
                return f"article ¶{p + 1}"
        spans = locate(full, None, None, sentence, evidence)  # offsets unusable: find the quote
        for a, b in spans:
            for i in range(len(paragraphs) - 1, -1, -1):
                if para_starts[i] <= a:
                    s, e = a - para_starts[i], min(b - para_starts[i], len(paragraphs[i]))
                    if e > s:
                        article_spans.setdefault(i, []).append(Span(s, e, kind, label))
                    break
        if spans:
            first = next(i for i in range(len(paragraphs) - 1, -1, -1) if para_starts[i] <= spans[0][0])
            return f"article ¶{first + 1}"
        return "article"

    frames = by_thread.rows("frames", thread.thread_id)
    if frames is not None:
        for r in frames.to_dict("records"):
            kind = text_of(r.get("kind")) or "frame"
            kind = kind if kind in ("frame", "technique") else "frame"
            label = text_of(r.get("label")) or "?"
            where = place(text_of(r.get("comment_id")), r.get("paragraph"), r.get("start"), r.get("end"),
                          text_of(r.get("sentence")), text_of(r.get("evidence")), kind, label)
            rows.append((kind, label, where, num(r.get("score")), text_of(r.get("evidence")) or text_of(r.get("sentence"))))
    narratives = by_thread.rows("narratives", thread.thread_id)
    if narratives is not None:
        for r in narratives.to_dict("records"):
            label = text_of(r.get("narrative")) or "?"
            sub = text_of(r.get("subnarrative"))
            full_label = f"{label}: {sub}" if sub and sub != label else label
            cues = text_of(r.get("cue_terms"))
            ev = "; ".join(f'"{c}"' for c in cues.split("; ") if c) if cues else text_of(r.get("evidence"))
            where = place(text_of(r.get("comment_id")), r.get("paragraph"), r.get("start"), r.get("end"),
                          text_of(r.get("sentence")), ev, "narrative", full_label)
            rows.append(("narrative", full_label, where, num(r.get("score")), text_of(r.get("evidence"))))
    df = pd.DataFrame(rows, columns=["kind", "label", "where", "score", "evidence"])
    return article_spans, comment_spans, df


def build_view(thread: Thread, tables: dict | TablesByThread | None, file_stem: str = "") -> ThreadView:
    """Everything a thread page shows. ``tables`` may be the analysis tables or, when many pages are
    built from one analysis, a :class:`TablesByThread` over them (grouped once)."""
    from .summary import extractive_summary

    by_thread = tables if isinstance(tables, TablesByThread) else TablesByThread(tables)
    tid = thread.thread_id
    comments = comment_frame(thread, by_thread)
    trows = by_thread.rows("threads", tid)
    thread_row = trows.iloc[0].to_dict() if trows is not None else {}
    paragraphs = thread.article.paragraphs()
    summary_text = text_of(thread_row.get("summary")).strip()
    if summary_text:
        summary = [summary_text]
    else:
        summary = extractive_summary(thread.article.text, n=3, title=thread.article.title)
    children, parent, depth = _tree(thread)
    position = {c.comment_id: c.position for c in thread.comments}
    chains = longest_chains(children, parent, depth, position)
    texts = {c.comment_id: c.text for c in thread.comments}
    article_spans, comment_spans, findings = _findings(thread, by_thread, paragraphs, texts)
    return ThreadView(
        thread=thread,
        comments=comments,
        thread_row=thread_row,
        summary=summary,
        paragraphs=paragraphs,
        children=children,
        depth=depth,
        chains=chains,
        article_spans=article_spans,
        comment_spans=comment_spans,
        findings=findings,
        targets=by_thread.rows("targets", tid),
        topics=by_thread.whole("topics"),
        claims=by_thread.rows("claims", tid),
        comparisons=_comparisons(by_thread.whole("claim_comparison"), tid),
        sentences=by_thread.rows("sentences", tid),
        file_stem=file_stem,
    )


def _comparisons(df, thread_id: str):
    if df is None:
        return None
    cols = [c for c in ("thread_id_a", "thread_id_b") if c in df.columns]
    if not cols:
        return None
    mask = False
    for c in cols:
        mask = mask | (df[c] == thread_id)
    out = df[mask]
    return out if len(out) else None


def key_figures(view: ThreadView) -> dict[str, Any]:
    """The numbers the index page lists for a thread (from the threads table when present)."""
    t, row, c = view.thread, view.thread_row, view.comments
    sentiment = num(row.get("sentiment_mean"))
    if sentiment is None and has(c, "sentiment"):
        sentiment = num(c["sentiment"].astype(float).mean())
    shares = view.stance_shares() or {}
    triage = None
    if has(c, "triage_priority"):
        triage = num(c["triage_priority"].astype(float).max())
    return {
        "comments": int(num(row.get("comments"), len(t.comments))),
        "authors": int(num(row.get("authors"), len(t.authors()))),
        "max_depth": int(num(row.get("max_depth"), max(view.depth.values(), default=0))),
        "sentiment_mean": sentiment,
        "support": shares.get("support"),
        "deny": shares.get("deny"),
        "disinfo_risk": num(row.get("disinfo_risk")),
        "disinfo_reasons": text_of(row.get("disinfo_reasons")),
        "top_triage": triage,
    }
