"""A plain-text view of a thread for reading in a terminal (``discourse parse --format table``)."""

from __future__ import annotations

from discourse.model import Thread
from discourse.text import clip as _clip
from discourse.writers.safe_text import terminal


def clip(text, width: int = 80) -> str:
    """One line of untrusted text for the terminal: clipped, control characters made visible."""
    return terminal(_clip(text, width))


def thread_table(thread: Thread, text_width: int = 70) -> str:
    a = thread.article
    show = terminal
    head = [
        f"# {show(thread.thread_id)}  ({show(thread.source)})",
        f"title: {show(a.title or '-')}",
        f"outlet: {show(a.outlet or '-')}   published: {show(a.published or '-')}   url: {show(a.url or '-')}",
        (f"article: {len(a.paragraphs())} paragraphs, {len(a.text.split())} words; "
        f"removed lines: {len(a.removed)}; comments: {len(thread.comments)}"),
    ]
    for r in a.removed:
        head.append(f"  removed ({show(r.reason)}): {clip(r.text, text_width)}")
    if not thread.comments:
        return "\n".join(head) + "\n"
    depth = thread.depths()
    rows = [("id", "author", "reply to", "parent", "link", "conf", "text")]
    for c in thread.comments:
        indent = "  " * min(depth.get(c.comment_id, 0), 6)
        rows.append((
            show(c.comment_id), clip(c.author or "-", 24), clip(c.reply_to or "", 18), show(c.parent_id or "-"),
            c.link, f"{c.confidence:.2f}", indent + clip(c.text, text_width),
        ))
    widths = [max(len(r[k]) for r in rows) for k in range(6)]
    lines = ["  ".join(r[k].ljust(widths[k]) for k in range(6)) + "  " + r[6] for r in rows]
    return "\n".join(head + [""] + lines) + "\n"
