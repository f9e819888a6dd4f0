"""Self-contained HTML pages: one file, no scripts, nothing loaded from anywhere.

Everything that came from the input (titles, names, comment text, labels, evidence) is escaped
at the point it is written, and highlighted evidence is built by slicing the raw text at the
span offsets and escaping each piece, so a span can never cut an entity or a tag in half. The
page carries a Content-Security-Policy that forbids scripts and every remote load (images only
as data: URIs, styles only inline), so even a bug in escaping could not run code or call home.
Long lists sit in ``<details>`` blocks, which browsers do not lay out until opened, to keep a
1,000-comment page quick to open.
"""
from __future__ import annotations

import base64
import html
import itertools
from urllib.parse import urlsplit

from discourse.writers.safe_text import visible

from .sections import (
    Blocks,
    Bullets,
    Image,
    Missing,
    Note,
    Para,
    Ref,
    Section,
    Table,
    fmt,
    fmt_value,
)
from .view import KIND_CLASSES, PLOT_DPI, STANCE_COLOURS, ThreadView, clip, num, segments, text_of

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
MAX_NEST = 10  # deeper replies are listed flat under the tenth level, marked with their depth
OPEN_TREE_UP_TO = 150  # comments; a larger tree starts collapsed

CSS = """
:root{--ink:#1d1d1f;--mute:#666;--line:#ddd;--bg:#fff;--soft:#f6f6f4}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg);margin:0}
main{max-width:min(96vw,84rem);margin:0 auto;padding:1rem 1.2rem 4rem}
h1{font-size:1.55rem;line-height:1.25;margin:.6rem 0}
h2{font-size:1.2rem;border-bottom:2px solid var(--line);padding-bottom:.2rem;margin-top:2.2rem}
a{color:#1f5fa8}
nav.toc{font-size:.9rem;background:var(--soft);padding:.4rem .8rem;border-radius:6px;display:flex;flex-wrap:wrap;gap:.2rem 1rem}
nav.toc a{white-space:nowrap}
table.kv{width:auto;min-width:24rem}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem;font-size:.92rem;margin:.4rem 0}
dl.meta dt{color:var(--mute)}dl.meta dd{margin:0;overflow-wrap:anywhere}
section{content-visibility:auto;contain-intrinsic-size:auto 600px}
img{max-width:100%;height:auto;display:block;margin:.6rem 0;border:1px solid var(--line);border-radius:4px}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0;width:100%}
th,td{border:1px solid var(--line);padding:.25rem .45rem;text-align:left;vertical-align:top;overflow-wrap:break-word}
.tw{overflow-x:auto}
th{background:var(--soft)}
caption{text-align:left;font-weight:600;padding:.2rem 0}
.note{color:var(--mute);font-size:.85rem}
.missing{color:#8a6d00;background:#fff8e1;padding:.3rem .6rem;border-radius:4px;font-size:.9rem}
.art p{margin:.5rem 0}
mark{padding:0;border-radius:2px;background:#fff1a8;box-decoration-break:clone}
.lab{font-size:.68rem;font-weight:600;vertical-align:super;line-height:0;margin:0 .15rem 0 .05rem;white-space:nowrap}
.lab.fr{color:#24507f}.lab.te{color:#a8231b}.lab.na{color:#1d6b63}
.why{font-size:.78rem;color:#7a3300;margin:.1rem 0}
mark.fr{background:#d6e6f7}mark.te{background:#fbd5d3}mark.na{background:#d4efec}
.legend span{margin-right:1rem;font-size:.85rem}
ul.tree,ul.tree ul{list-style:none;padding-left:1.1rem;margin:0}
ul.tree{padding-left:0}
ul.tree ul{border-left:1px dashed #ccc}
.cm{border-left:4px solid #ccc;padding:.2rem .5rem;margin:.35rem 0;background:var(--soft);border-radius:0 4px 4px 0}
.hd{font-size:.8rem;color:var(--mute)}
.hd b{color:var(--ink)}
.b{display:inline-block;border:1px solid var(--line);border-radius:9px;padding:0 .4rem;margin-left:.25rem;background:#fff}
.b.warn{border-color:#d95f02;color:#a33f00}
.tx{white-space:pre-wrap;overflow-wrap:anywhere;max-height:14em;overflow:auto;font-size:.92rem}
details>summary{cursor:pointer;color:#1f5fa8;margin:.3rem 0}
footer{margin-top:3rem;color:var(--mute);font-size:.8rem}
""" + "".join(f".st-{k}{{border-left-color:{v}}}" for k, v in STANCE_COLOURS.items())


def esc(value) -> str:
    """Escape text for HTML element content and quoted attribute values alike; control, bidi and
    zero-width characters are shown as ``[U+XXXX]`` (see :mod:`discourse.writers.safe_text`)."""
    return html.escape(visible(text_of(value)), quote=True)


def safe_href(url: str | None) -> str | None:
    """The URL when it is a plain web address; anything else (javascript:, data:, ...) is shown
    as text only."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return url.strip()
    return None


def page(title: str, body: str, *, lang: str = "en") -> str:
    """A complete document around ``body`` (already escaped markup)."""
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang}"><head><meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="discourse">\n'
        f"<title>{esc(title)}</title>\n<style>{CSS}</style></head>\n"
        f"<body><main>\n{body}\n</main></body></html>\n"
    )


def display_width(png: bytes) -> int | None:
    """CSS pixels to show a plot at: its pixel width at 100 per inch (plots are drawn at PLOT_DPI)."""
    if len(png) < 24 or png[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return round(int.from_bytes(png[16:20], "big") * 100 / PLOT_DPI)


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def highlighted(text: str, spans) -> str:
    """``text`` with each evidence span wrapped in ``<mark>``, escaped piecewise, and the span's
    label printed right after it (visible without hovering, on screen and in print)."""
    out = []
    pieces = segments(text, spans)
    # a label is printed once for a run of spans with the same label a space or two apart
    starts = {(sp.kind, sp.label, sp.start) for sp in spans}
    continued = {sp for sp in spans if any((sp.kind, sp.label, sp.end + gap) in starts for gap in range(3))}
    for k, (piece, covering) in enumerate(pieces):
        if not covering:
            out.append(esc(piece))
            continue
        labels = list(dict.fromkeys(f"{sp.kind}: {sp.label}" for sp in covering))
        cls = KIND_CLASSES.get(covering[0].kind, "fr")
        out.append(f'<mark class="{cls}" title="{esc("; ".join(labels))}">{esc(piece)}</mark>')
        following = pieces[k + 1][1] if k + 1 < len(pieces) else []
        for sp in dict.fromkeys(sp for sp in covering if sp not in following and sp not in continued):
            label = sp.label.replace("_", " ")
            out.append(f'<span class="lab {KIND_CLASSES.get(sp.kind, "fr")}">{esc(label)}</span>')
    return "".join(out)


class BlockRenderer(Blocks):
    """Turns format-free blocks into HTML; images become data: URIs."""

    def __init__(self, images: dict[str, bytes]):
        self.images = images
        self.anchor: dict[str, str] = {}

    def para(self, b: Para) -> str:
        return f"<p>{esc(b.text)}</p>"

    def note(self, b: Note) -> str:
        return f'<p class="note">{esc(b.text)}</p>'

    def missing(self, b: Missing) -> str:
        return f'<p class="missing">Not available: {esc(b.what)}.</p>'

    def bullets(self, b: Bullets) -> str:
        return "<ul>" + "".join(f"<li>{esc(i)}</li>" for i in b.items) + "</ul>"

    def image(self, b: Image) -> str:
        png = self.images.get(b.key)
        if not png:
            return ""
        width = display_width(png)
        size = f' width="{width}"' if width else ""
        return f'<img src="{data_uri(png)}"{size} alt="{esc(b.alt)}">'

    def cell(self, value) -> str:
        if isinstance(value, Ref):
            a = self.anchor.get(value.comment_id)
            return f'<a href="#{a}">{esc(value.text)}</a>' if a else esc(value.text)
        if isinstance(value, float):
            return esc(fmt_value(value))
        return esc(value)

    def table(self, t: Table) -> str:
        df = t.df
        if df is None or len(df) == 0:
            return f'<p class="missing">Not available: {esc(t.caption or "table")} (no rows).</p>'
        head = "<tr>" + "".join(f"<th>{esc(c)}</th>" for c in df.columns) + "</tr>"
        rows = ["<tr>" + "".join(f"<td>{self.cell(v)}</td>" for v in r) + "</tr>" for r in df.itertuples(index=False)]
        cap = f"<caption>{esc(t.caption)}</caption>" if t.caption else ""
        cls = ' class="kv"' if t.compact else ""
        n = t.collapse_after
        if len(rows) <= max(n, 0) or (n > 0 and len(rows) <= n + 3):
            return f'<div class="tw"><table{cls}>{cap}{head}{"".join(rows)}</table></div>'
        first = f'<div class="tw"><table>{cap}{head}{"".join(rows[:n])}</table></div>' if n > 0 else ""
        rest = f'<div class="tw"><table>{head}{"".join(rows[n:])}</table></div>'
        label = f"Show {len(rows) - n} more rows" if n > 0 else f"{esc(t.caption or 'Rows')}: show all {len(rows)}"
        return f"{first}<details><summary>{label}</summary>{rest}</details>"

    def sections(self, sections: list[Section]) -> str:
        toc = '<nav class="toc">' + "".join(f'<a href="#{s.anchor}">{esc(s.title)}</a>' for s in sections) + "</nav>"
        body = [toc]
        for s in sections:
            body.append(f'<section id="{s.anchor}"><h2>{esc(s.title)}</h2>'
                        + "".join(self.block(b) for b in s.blocks) + "</section>")
        return "\n".join(body)


class ThreadRenderer(BlockRenderer):
    """A thread page; comment anchors are positional (``c0``, ``c1``, ...) so hostile comment
    ids never reach an id attribute or a URL fragment."""

    def __init__(self, view: ThreadView, images: dict[str, bytes]):
        super().__init__(images)
        self.view = view
        self.anchor = {c.comment_id: f"c{i}" for i, c in enumerate(view.thread.comments)}
        self.meta = {r["comment_id"]: r for r in view.comments.to_dict("records")}
        self.author = {c.comment_id: c.author for c in view.thread.comments}
        self.text = {c.comment_id: c.text for c in view.thread.comments}

    def article(self) -> str:
        v = self.view
        paras = [f"<p>{highlighted(p, sorted(v.article_spans.get(i, []), key=lambda s: s.start))}</p>"
                 for i, p in enumerate(v.paragraphs)]
        legend = ('<p class="legend note"><mark class="fr">frame</mark> <mark class="te">technique</mark> '
                  '<mark class="na">narrative</mark> — each highlight is followed by its label</p>') if v.article_spans else ""
        body = "".join(paras)
        if len(paras) > 40:
            body = f"<details><summary>Show the article ({len(paras)} paragraphs)</summary>{body}</details>"
        return f'{legend}<div class="art">{body}</div>'

    # -- the comment tree -------------------------------------------------------------------
    def comment(self, cid: str) -> str:
        v, m = self.view, self.meta.get(cid, {})
        stance = text_of(m.get("stance"))
        badges = []
        if stance:
            badges.append(f'<span class="b">{esc(stance)}</span>')
        s = num(m.get("sentiment"))
        if s is not None:
            badges.append(f'<span class="b">sentiment {s:+.2f}</span>')
        topic = text_of(m.get("topic_label")) or text_of(m.get("topic"))
        if topic:
            badges.append(f'<span class="b">topic: {esc(clip(topic, 40))}</span>')
        inc = num(m.get("incivility"))
        if inc is not None and inc >= 0.5:
            badges.append(f'<span class="b warn">incivility {inc:.2f}</span>')
        dis = num(m.get("disinfo_risk"))
        if dis is not None and dis >= 0.5:
            badges.append(f'<span class="b warn">disinfo risk {dis:.2f}</span>')
        tri = num(m.get("triage_priority"))
        if tri is not None:
            badges.append(f'<span class="b">triage {tri:.2f}</span>')
        moderation = text_of(m.get("moderation"))
        if moderation and moderation != "pending":  # a moderator's decision, from the triage queue
            badges.append(f'<span class="b warn">{esc(moderation)} by a moderator</span>')
        why = [f"{name}: {clip(text_of(m.get(col)), 220)}" for name, col, score in (
                   ("incivility", "incivility_reasons", inc), ("disinfo", "disinfo_reasons", dis),
                   ("triage", "triage_reasons", tri))
               if score is not None and score >= 0.5 and text_of(m.get(col))]
        parent = m.get("parent_id")
        reply = ""
        if parent and parent in self.anchor:
            reply = f' → <a href="#{self.anchor[parent]}">{esc(self.author.get(parent) or "?")}</a>'
        link = text_of(m.get("link"))
        conf = num(m.get("confidence"))
        how = f' <span title="how the parent was found">{esc(link)} {conf:.2f}</span>' if link and link != "root" and conf is not None else ""
        depth = v.depth.get(cid, 0)
        deep = f' <span class="b">depth {depth}</span>' if depth >= MAX_NEST else ""
        text = self.text.get(cid, "")
        spans = sorted(v.comment_spans.get(cid, []), key=lambda sp: sp.start)
        cls = f"cm st-{stance}" if stance in STANCE_COLOURS else "cm"
        return (f'<div class="{cls}" id="{self.anchor[cid]}"><div class="hd"><b>{esc(self.author.get(cid) or "(no name)")}</b>'
                f'{reply}{how}{deep}{"".join(badges)}</div>'
                + "".join(f'<div class="why">{esc(w)}</div>' for w in why)
                + f'<div class="tx">{highlighted(text, spans)}</div></div>')

    def tree(self) -> str:
        v = self.view
        out = ['<ul class="tree">']
        stack = [iter(v.children.get(None, []))]
        closers = ["</ul>"]
        seen: set[str] = set()
        while stack:
            cid = next(stack[-1], None)
            if cid is None:
                stack.pop()
                out.append(closers.pop())
                continue
            if cid in seen or cid not in self.anchor:
                continue
            seen.add(cid)
            out.append("<li>" + self.comment(cid))
            kids = v.children.get(cid, [])
            if kids and len(stack) < MAX_NEST:
                out.append("<ul>")
                stack.append(iter(kids))
                closers.append("</ul></li>")
            elif kids:  # too deep to indent further: continue flat, depth shown on each comment
                out.append("</li>")
                stack[-1] = itertools.chain(kids, stack[-1])
            else:
                out.append("</li>")
        body = "".join(out)
        n = len(v.thread.comments)
        state = " open" if n <= OPEN_TREE_UP_TO else ""
        return f"<details{state}><summary>All {n} comments as a reply tree</summary>{body}</details>"

    # -- the page ---------------------------------------------------------------------------
    def render(self, sections: list[Section]) -> str:
        v, a = self.view, self.view.thread.article
        title = a.title or v.thread_id
        href = safe_href(a.url)
        url = (f'<a href="{esc(href)}" rel="noopener noreferrer nofollow">{esc(href)}</a>' if href
               else esc(a.url or "–"))
        meta = [("outlet", esc(a.outlet or "–")), ("published", esc(a.published or "–")), ("address", url),
                ("source file", esc(v.thread.source or "–")), ("thread id", esc(v.thread_id))]
        head = ('<p class="note"><a href="index.html">← all threads</a></p>'
                f"<h1>{esc(title)}</h1>"
                '<dl class="meta">' + "".join(f"<dt>{k}</dt><dd>{val}</dd>" for k, val in meta) + "</dl>")
        body = [head, self.sections(sections)]
        body.append('<footer>Made by discourse from the analysis tables. Scores are machine estimates with '
                    'their evidence; read the quoted text before acting on them.</footer>')
        return page(f"{title} — discourse report", "\n".join(body))


def render_thread(view: ThreadView, sections: list[Section], images: dict[str, bytes]) -> str:
    return ThreadRenderer(view, images).render(sections)


def render_page(title: str, intro: list, sections: list[Section], images: dict[str, bytes]) -> str:
    """A page of plain sections (the comparison page): a title, intro blocks, then the sections."""
    r = BlockRenderer(images)
    head = ('<p class="note"><a href="index.html">← all threads</a></p>'
            f"<h1>{esc(title)}</h1>" + "".join(r.block(b) for b in intro))
    return page(title, head + r.sections(sections))


def render_index(rows: list[dict], *, has_compare: bool = False) -> str:
    """The index page: one row per thread with its key figures and a link to its report."""
    cols = ["thread", "outlet", "published", "comments", "authors", "deepest reply", "mean sentiment",
            "support", "deny", "disinfo risk", "why (disinfo)", "top triage"]
    head = "<tr>" + "".join(f"<th>{c}</th>" for c in cols) + "</tr>"
    body = []
    for r in rows:
        kf = r["figures"]
        body.append(
            "<tr>"
            f'<td><a href="{esc(r["file"])}.html">{esc(clip(r["title"], 120))}</a><br><span class="note">{esc(r["thread_id"])}</span></td>'
            f"<td>{esc(r['outlet'] or '–')}</td><td>{esc(r['published'] or '–')}</td>"
            f"<td>{kf['comments']}</td><td>{kf['authors']}</td><td>{kf['max_depth']}</td>"
            f"<td>{fmt(kf['sentiment_mean'], signed=True)}</td><td>{fmt(kf['support'], pct=True)}</td>"
            f"<td>{fmt(kf['deny'], pct=True)}</td>"
            f'<td>{fmt(kf["disinfo_risk"])}</td><td class="note">{esc(clip(text_of(kf["disinfo_reasons"]), 260))}</td>'
            f"<td>{fmt(kf['top_triage'])}</td></tr>"
        )
    extra = '<p><a href="compare.html">Comparison across groups →</a></p>' if has_compare else ""
    table = f'<div class="tw"><table>{head}{"".join(body)}</table></div>' if rows else '<p class="missing">No threads.</p>'
    return page("discourse reports", f"<h1>Threads</h1>{extra}{table}"
                '<p class="note">Each thread has a Markdown twin (.md) beside its page.</p>')
