"""Text units: the article's paragraphs and the comments of each thread, in one frame.

Analyses that look at article text as well as comments (frames, techniques, narratives, claims)
take this frame, so both are treated alike and their evidence points back to a paragraph or a
comment. ``comment_id`` is empty (``""``) for article paragraphs.
"""
from __future__ import annotations

from collections.abc import Iterable

from ..model import Thread, _frame

UNIT_COLUMNS = ["thread_id", "comment_id", "paragraph", "author", "text", "published", "outlet"]


def text_units(threads: Iterable[Thread], *, article: bool = True, comments: bool = True):
    """One row per article paragraph (``comment_id == ""``, ``paragraph`` its index) and per comment
    (``paragraph == -1``)."""
    rows = []
    for t in threads:
        a = t.article
        if article:
            for i, para in enumerate(a.paragraphs()):
                rows.append((t.thread_id, "", i, None, para, a.published, a.outlet))
        if comments:
            for c in t.comments:
                rows.append((t.thread_id, c.comment_id, -1, c.author, c.text, a.published, a.outlet))
    return _frame(rows, UNIT_COLUMNS)


def article_texts(threads: Iterable[Thread]) -> dict[str, str]:
    """Thread id → the article's title and text (what a top-level comment answers)."""
    out = {}
    for t in threads:
        head = t.article.title or ""
        body = t.article.text or ""
        out[t.thread_id] = (head + "\n" + body).strip() if head and not body.startswith(head) else body
    return out
