"""Markdown twins of the HTML pages, for reading in a repository, a terminal or a wiki.

Markdown renderers pass raw HTML through, so input text gets its ``<``, ``>`` and ``&`` turned
into entities, and the characters that would make links, images, emphasis, tables or code
are backslash-escaped. Line breaks inside input text are folded, so a comment cannot start a
heading or a list of its own. Plots are PNG files beside the page, referenced relatively.
"""
from __future__ import annotations

import re

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
from .view import ThreadView, clip, num, segments, text_of

_INLINE = re.compile(r"([\\`*_\[\]{}|~])")
_LINE_START = re.compile(r"^(\s*)([#+\-=:]|\d+[.)])")


def md(value) -> str:
    """Escape input text for Markdown inline use (one line)."""
    text = " ".join(text_of(value).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return visible(_INLINE.sub(r"\\\1", text))


def md_line(value) -> str:
    """As :func:`md`, for text that starts a line (so it cannot become a heading or list item)."""
    return guard_line(md(value))


def guard_line(escaped: str) -> str:
    """Escape a leading heading, list or setext marker of already-escaped text."""
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped, count=1)


def highlighted(text: str, spans) -> str:
    out = []
    for piece, covering in segments(text, spans):
        core = md(piece)
        lead = " " if piece[:1].isspace() else ""
        trail = " " if piece[-1:].isspace() and core else ""
        if not core:
            out.append(lead)
        elif not covering:
            out.append(f"{lead}{core}{trail}")
        else:
            labels = "; ".join(dict.fromkeys(f"{sp.kind}: {sp.label}" for sp in covering))
            out.append(f"{lead}**{core}** _\\[{md(labels)}\\]_{trail}")
    return re.sub(" {2,}", " ", "".join(out)).strip()


class BlockRenderer(Blocks):
    """Turns format-free blocks into Markdown; images are files in ``image_dir``."""

    def __init__(self, image_dir: str):
        self.image_dir = image_dir
        self.images: set[str] = set()

    def cell(self, value) -> str:
        if isinstance(value, Ref):
            return md(value.text)
        if isinstance(value, float):
            return md(fmt_value(value))
        return md(value)

    def table(self, t: Table) -> str:
        df = t.df
        if df is None or len(df) == 0:
            return f"_Not available: {md(t.caption or 'table')} (no rows)._"
        lines = []
        if t.caption:
            lines.append(f"**{md(t.caption)}**\n")
        lines.append("| " + " | ".join(md(c) for c in df.columns) + " |")
        lines.append("|" + "---|" * len(df.columns))
        for r in df.itertuples(index=False):
            lines.append("| " + " | ".join(self.cell(v) or " " for v in r) + " |")
        return "\n".join(lines)

    def para(self, b: Para) -> str:
        return md_line(b.text)

    def note(self, b: Note) -> str:
        return f"_{md(b.text)}_"

    def missing(self, b: Missing) -> str:
        return f"_Not available: {md(b.what)}._"

    def bullets(self, b: Bullets) -> str:
        return "\n".join(f"- {md(i)}" for i in b.items)

    def image(self, b: Image) -> str:
        self.images.add(b.key)
        return f"![{md(b.alt)}]({self.image_dir}/{b.key}.png)"

    def sections(self, sections: list[Section]) -> list[str]:
        out = []
        for s in sections:
            out.append(f"## {md(s.title)}\n")
            for b in s.blocks:
                text = self.block(b)
                if text:
                    out.append(text + "\n")
        return out


class MarkdownRenderer(BlockRenderer):
    def __init__(self, view: ThreadView, image_dir: str):
        super().__init__(image_dir)
        self.view = view
        self.meta = {r["comment_id"]: r for r in view.comments.to_dict("records")}
        self.author = {c.comment_id: c.author for c in view.thread.comments}
        self.text = {c.comment_id: c.text for c in view.thread.comments}

    def article(self) -> str:
        v = self.view
        return "\n\n".join(guard_line(highlighted(p, sorted(v.article_spans.get(i, []), key=lambda s: s.start)))
                           if v.article_spans.get(i) else md_line(p) for i, p in enumerate(v.paragraphs))

    def comment(self, cid: str) -> str:
        m = self.meta.get(cid, {})
        parts = [f"**{md(self.author.get(cid) or '(no name)')}** (#{md(clip(cid, 40))})"]
        parent = m.get("parent_id")
        if parent and parent in self.author:
            parts.append(f"→ {md(self.author.get(parent) or '?')}")
        if text_of(m.get("stance")):
            parts.append(md(m.get("stance")))
        s = num(m.get("sentiment"))
        if s is not None:
            parts.append(f"sentiment {s:+.2f}")
        topic = text_of(m.get("topic_label")) or text_of(m.get("topic"))
        if topic:
            parts.append("topic: " + md(clip(topic, 40)))
        for col, name in (("incivility", "incivility"), ("disinfo_risk", "disinfo risk")):
            v = num(m.get(col))
            if v is not None and v >= 0.5:
                parts.append(f"**{name} {v:.2f}**")
        tri = num(m.get("triage_priority"))
        if tri is not None:
            parts.append(f"triage {tri:.2f}")
        moderation = text_of(m.get("moderation"))
        if moderation and moderation != "pending":  # a moderator's decision, from the triage queue
            parts.append(f"**{md(moderation)} by a moderator**")
        link, conf = text_of(m.get("link")), num(m.get("confidence"))
        if link and link != "root" and conf is not None:
            parts.append(f"{md(link)} link {conf:.2f}")
        text = self.text.get(cid, "")
        spans = sorted(self.view.comment_spans.get(cid, []), key=lambda sp: sp.start)
        body = highlighted(text, spans) if spans else md(text)
        return " · ".join(parts) + ": " + body

    def tree(self) -> str:
        v = self.view
        lines: list[str] = []
        stack = [(cid, 0) for cid in reversed(v.children.get(None, []))]
        seen: set[str] = set()
        while stack:
            cid, level = stack.pop()
            if cid in seen or cid not in self.text:
                continue
            seen.add(cid)
            lines.append("  " * min(level, 10) + "- " + self.comment(cid))
            for k in reversed(v.children.get(cid, [])):
                stack.append((k, level + 1))
        return "\n".join(lines)

    def render(self, sections: list[Section]) -> str:
        v, a = self.view, self.view.thread.article
        out = [f"# {md(a.title or v.thread_id)}", "",
               "[← all threads](index.md)", "",
               f"- outlet: {md(a.outlet or '–')}", f"- published: {md(a.published or '–')}",
               f"- address: {md(a.url or '–')}", f"- source file: {md(v.thread.source or '–')}",
               f"- thread id: {md(v.thread_id)}", ""]
        out += self.sections(sections)
        out.append("_Made by discourse from the analysis tables. Scores are machine estimates with their evidence._\n")
        return "\n".join(out)


def render_page(title: str, intro: list, sections: list[Section], image_dir: str) -> tuple[str, set[str]]:
    """A page of plain sections; returns the Markdown and the image keys it refers to."""
    r = BlockRenderer(image_dir)
    out = [f"# {md(title)}", "", "[← all threads](index.md)", ""]
    out += [r.block(b) + "\n" for b in intro]
    out += r.sections(sections)
    return "\n".join(out), r.images


def render_index(rows: list[dict], *, has_compare: bool = False) -> str:
    lines = ["# Threads", ""]
    if has_compare:
        lines += ["[Comparison across groups](compare.md)", ""]
    if not rows:
        return "\n".join(lines + ["_No threads._", ""])
    lines.append("| thread | outlet | published | comments | authors | deepest reply | mean sentiment | support | deny | disinfo risk | top triage |")
    lines.append("|" + "---|" * 11)
    for r in rows:
        kf = r["figures"]
        lines.append(
            f"| [{md(clip(r['title'], 100))}]({r['file']}.md) | {md(r['outlet'] or '–')} | {md(r['published'] or '–')} | "
            f"{kf['comments']} | {kf['authors']} | {kf['max_depth']} | {fmt(kf['sentiment_mean'], signed=True)} | "
            f"{fmt(kf['support'], pct=True)} | {fmt(kf['deny'], pct=True)} | {fmt(kf['disinfo_risk'])} | {fmt(kf['top_triage'])} |"
        )
    return "\n".join(lines) + "\n"
