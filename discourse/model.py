"""The thread model: an article and the comments that answer it.

Deliberately free of dependencies (pandas is imported only inside :meth:`Thread.to_frame`) so
that readers, the parser and every analysis can share it without pulling in heavy libraries.
The JSON shape produced by :meth:`Thread.to_dict` is a public contract (``discourse parse
--format jsonl``) and is accepted back by :func:`Thread.from_dict`, so a corpus is parsed once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

#: How a comment's parent was found.
LINK_EXPLICIT = "explicit"  # the input said so: a reply header, a parent id in structured data
LINK_INFERRED = "inferred"  # deduced from the text (addressing, quotes, similarity, ...)
LINK_ROOT = "root"  # a top-level comment: it answers the article
LINK_KINDS = (LINK_EXPLICIT, LINK_INFERRED, LINK_ROOT)


@dataclass
class RemovedLine:
    """A line of input that is not article or comment text, kept with the reason it was set aside."""

    text: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"text": self.text, "reason": self.reason}


@dataclass
class Article:
    """The piece the comments answer. ``text`` keeps one paragraph per line."""

    title: str | None = None
    outlet: str | None = None
    published: str | None = None  # ISO date, YYYY-MM-DD
    url: str | None = None
    text: str = ""
    removed: list[RemovedLine] = field(default_factory=list)

    def paragraphs(self) -> list[str]:
        return [p for p in self.text.split("\n") if p.strip()]

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "outlet": self.outlet,
            "published": self.published,
            "url": self.url,
            "text": self.text,
            "removed": [r.to_dict() for r in self.removed],
        }


@dataclass
class Comment:
    """One reader comment.

    ``parent_id`` None means the comment answers the article. ``reply_to`` is the name the page
    printed as the replied-to person (a reply header), kept even when no parent could be found.
    ``confidence`` (0-1) says how sure the link is; explicit links from structured data are 1.0.
    """

    comment_id: str
    text: str
    author: str | None = None
    parent_id: str | None = None
    reply_to: str | None = None
    position: int = 0
    link: str = LINK_ROOT
    confidence: float = 1.0
    timestamp: str | None = None  # optional, as given by the input (not part of the JSON contract)
    evidence: str | None = None  # why the link was chosen, for people (not part of the contract)

    def to_dict(self) -> dict[str, Any]:
        return {
            "comment_id": self.comment_id,
            "author": self.author,
            "parent_id": self.parent_id,
            "reply_to": self.reply_to,
            "text": self.text,
            "position": self.position,
            "link": self.link,
            "confidence": round(float(self.confidence), 4),
        }


@dataclass
class Thread:
    """An article with its comments, in page order (``position`` 0, 1, 2, ...)."""

    thread_id: str
    source: str
    article: Article = field(default_factory=Article)
    #: Page order. Lines of the comment section that are not comment text (timestamps, buttons,
    #: counts) go to ``article.removed`` with their reason, so the JSON form loses nothing.
    comments: list[Comment] = field(default_factory=list)

    # -- navigation -------------------------------------------------------------------------
    def by_id(self) -> dict[str, Comment]:
        return {c.comment_id: c for c in self.comments}

    def children(self) -> dict[str | None, list[Comment]]:
        """Map each parent id (None for the article) to its replies, in page order."""
        out: dict[str | None, list[Comment]] = {}
        for c in self.comments:
            out.setdefault(c.parent_id, []).append(c)
        return out

    def depths(self) -> dict[str, int]:
        """Reply depth of each comment: 0 for a top-level comment. Robust to broken links."""
        parent = {c.comment_id: c.parent_id for c in self.comments}
        depth: dict[str, int] = {}
        for c in self.comments:
            chain, cur = [], c.comment_id
            while cur is not None and cur not in depth and cur in parent and cur not in chain:
                chain.append(cur)
                cur = parent[cur]
            base = depth.get(cur, -1) if cur is not None else -1
            for cid in reversed(chain):
                base += 1
                depth[cid] = base
        return depth

    def authors(self) -> list[str]:
        seen: dict[str, None] = {}
        for c in self.comments:
            if c.author:
                seen.setdefault(c.author, None)
        return list(seen)

    def __iter__(self) -> Iterator[Comment]:
        return iter(self.comments)

    def __len__(self) -> int:
        return len(self.comments)

    # -- conversion -------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "thread_id": self.thread_id,
            "source": self.source,
            "article": self.article.to_dict(),
            "comments": [c.to_dict() for c in self.comments],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str | None = None) -> "Thread":
        """Build a thread from the JSON contract. Raises ``ValueError`` naming what is wrong."""
        if not isinstance(data, dict):
            raise ValueError("a thread must be a JSON object")
        if "thread_id" not in data:
            raise ValueError("a thread object needs a 'thread_id'")
        art = data.get("article") or {}
        if not isinstance(art, dict):
            raise ValueError("'article' must be an object")
        article = Article(
            title=_opt_str(art.get("title")),
            outlet=_opt_str(art.get("outlet")),
            published=_opt_str(art.get("published")),
            url=_opt_str(art.get("url")),
            text=str(art.get("text") or ""),
            removed=[
                RemovedLine(str(r.get("text", "")), str(r.get("reason", "")))
                for r in art.get("removed") or []
                if isinstance(r, dict)
            ],
        )
        raw_comments = data.get("comments") or []
        if not isinstance(raw_comments, list):
            raise ValueError("'comments' must be a list")
        comments = []
        for i, c in enumerate(raw_comments):
            if not isinstance(c, dict):
                raise ValueError(f"comment #{i} is not an object")
            if c.get("comment_id") in (None, ""):
                raise ValueError(f"comment #{i} has no 'comment_id'")
            link = c.get("link") or (LINK_ROOT if c.get("parent_id") in (None, "") else LINK_EXPLICIT)
            if link not in LINK_KINDS:
                raise ValueError(f"comment {c['comment_id']!r}: unknown link kind {link!r}")
            conf = c.get("confidence", 1.0)
            try:
                conf = float(conf)
            except (TypeError, ValueError):
                raise ValueError(f"comment {c['comment_id']!r}: confidence {conf!r} is not a number")
            try:
                position = int(c.get("position", i))
            except (TypeError, ValueError):
                raise ValueError(f"comment {c['comment_id']!r}: position {c.get('position')!r} is not a whole number")
            comments.append(
                Comment(
                    comment_id=str(c["comment_id"]),
                    text=str(c.get("text") or ""),
                    author=_opt_str(c.get("author")),
                    parent_id=_opt_str(c.get("parent_id")),
                    reply_to=_opt_str(c.get("reply_to")),
                    position=position,
                    link=link,
                    confidence=min(1.0, max(0.0, conf)),
                    timestamp=_opt_str(c.get("timestamp")),
                )
            )
        return cls(
            thread_id=str(data["thread_id"]),
            source=str(data.get("source") or source or ""),
            article=article,
            comments=comments,
        )

    def to_frame(self):
        """One row per comment, with the thread's metadata repeated (a pandas DataFrame)."""
        return threads_to_frame([self])


#: the columns of :func:`threads_to_frame`, one row per comment
FRAME_COLUMNS = (
    "thread_id", "source", "title", "outlet", "published", "comment_id", "author", "parent_id",
    "reply_to", "depth", "position", "link", "confidence", "timestamp", "text",
)


def threads_to_frame(threads: Iterable[Thread]):
    """Comments of many threads as one pandas DataFrame (one row per comment)."""
    columns = list(FRAME_COLUMNS)
    rows = []
    for t in threads:
        depth = t.depths()
        a = t.article
        for c in t.comments:
            rows.append((t.thread_id, t.source, a.title, a.outlet, a.published, c.comment_id, c.author, c.parent_id,
                         c.reply_to, depth.get(c.comment_id, 0), c.position, c.link, c.confidence, c.timestamp,
                         c.text))
    return _frame(rows, columns)


def _frame(rows: list[tuple], columns: list[str]):
    """``pd.DataFrame(rows, columns=columns)`` through one list per column: pandas infers each
    column's type from its values either way, but from rows it first builds one object matrix of
    every value and converts it column by column, which takes twice as long."""
    import pandas as pd

    if not rows:
        return pd.DataFrame(rows, columns=columns)  # (empty lists would all be read as floats)
    return pd.DataFrame(dict(zip(columns, map(list, zip(*rows)))), columns=columns)


def _opt_str(value: Any) -> str | None:
    if value is None:
        return None
    value = str(value)
    return value if value != "" else None
