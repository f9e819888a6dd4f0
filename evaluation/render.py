"""Flatten a gold thread into page text, the way comment sections reach us after copy and paste.

The parser never sees structure, only lines: the article (title, paragraphs one per line), a blank
line, then per comment its author line, sometimes the replied-to person's name on the next line
(a *reply header*), and the comment's text lines. Pages differ in ways that matter to a parser,
so a layout fixes:

* ``order``: ``chronological`` (by time) or ``nested`` (depth first, siblings by time), which
  decides whether a reply sits under its parent or anywhere later;
* ``headers``: reply headers on ``all`` replies, on a seeded random half (``some``) or ``none``
  (which half depends on the seed and the comment, not on the order or the chrome);
* ``chrome``: page furniture (timestamps, "Reply · 12 likes", "112 Comments", "Load more
  comments", ...) mixed into the comment lines, as a pasted page has it; the site's navigation
  above the title, and its footer and cookie notice below the comments. Some styles print the
  time (and a vote count or badge) on the author's line: ``Thuban · 12 points · 2 hours ago``.

A *style* fixes the rest: whether a comment's paragraphs keep a blank line between them, and what
the furniture looks like. Left to ``None`` the style is drawn from the seed, so a corpus rendered
with one seed per thread covers every style.

:func:`render` returns the text together with the gold comments in page order and which of them
got a header, which is what scoring needs to align a parse with the gold thread.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable

from discourse.model import Comment, Thread

ORDERS = ("chronological", "nested")
HEADERS = ("all", "some", "none")


@dataclass(frozen=True)
class Style:
    """How one kind of page looks. Furniture fields are only used when chrome is on."""

    paragraph_gaps: bool  # a blank line between a comment's paragraphs (else none at all)
    stamp: str  # where the timestamp goes: "after_author" or "after_text"
    stamp_format: str  # "relative" (6 days ago), "absolute" (Feb 2, 2016 11:43 AM), "short" (2h)
    actions: tuple[str, ...]  # lines after the text; {likes} and {s} are filled in
    count_line: str  # "{n} Comments" before the comments
    sort_line: str
    more_line: str  # between comments, as if the page had been expanded
    replies_line: str  # before a reply group in nested order; {k} replies
    inline: str = ""  # "" or the author line with chrome: {name}, {stamp}, {votes} filled in


STYLES: dict[str, Style] = {
    # A newspaper comment widget: relative times under the name, votes under the text.
    "news": Style(True, "after_author", "relative", ("Reply · {likes} like{s}",),
                  "{n} Comments", "Sort by: Newest", "Load more comments", "Show {k} more replies"),
    # A hosted comment system: absolute times, a row of actions, no paragraph gaps.
    "hosted": Style(False, "after_author", "absolute", ("Like · Reply · Share",),
                    "{n} comments", "Sort by: Best", "Load more comments", "Show {k} more replies"),
    # A social feed: short ages after the text, one action per line.
    "social": Style(False, "after_text", "short", ("Reply", "Report"),
                    "{n} Comments", "Sort by: Oldest", "View more comments", "View {k} replies"),
    # A forum: full dates after the text, paragraph gaps kept.
    "forum": Style(True, "after_text", "absolute", ("Reply", "{likes} like{s}", "Report"),
                   "Comments ({n})", "Sort by: Oldest", "Load more comments", "Show {k} more replies"),
    # A link aggregator: name, votes and age on one line, actions under the text.
    "aggregator": Style(False, "inline", "relative", ("Reply", "Share", "Report"),
                        "{n} comments", "Sort by: Best", "View more comments", "{k} more replies",
                        "{name} · {votes} points · {stamp}"),
    # A blog: the name and the age on one line, nothing between them.
    "blog": Style(True, "inline", "relative", ("Reply",), "{n} Comments", "Sort by: Oldest",
                  "Load more comments", "Show {k} more replies", "{name} {stamp}"),
}

#: Site furniture around the page when chrome is on: navigation above the title, footer below.
NAVIGATION = ("Home World Subscribe", "Home | News | World | Politics | Opinion | Sign in",
              "News Sport Business Culture Video Newsletters")
FOOTERS = (("© 2024 Daily Planet. All rights reserved.", "Privacy Policy | Terms of Use | Contact Us"),
           ("We use cookies to improve your experience. By using our site you accept our cookie policy.",
            "Accept all cookies", "Copyright 2024 The Bugle Ltd"),
           ("About us · Careers · Advertise · Help", "© The Evening Herald"))


@dataclass
class Rendering:
    """A rendered page with what scoring needs: the gold comments in page order and, for each,
    the name printed as its reply header (None where the page shows no header)."""

    text: str
    comments: list[Comment]
    reply_to: list[str | None]
    style: str


def layout_name(order: str, headers: str, chrome: bool) -> str:
    return f"{order}/{headers}/{'chrome' if chrome else 'plain'}"


#: Every layout the evaluation measures, as (order, headers, chrome).
LAYOUTS = [(o, h, c) for o in ORDERS for h in HEADERS for c in (False, True)]


def page_order(thread: Thread, order: str = "chronological") -> list[Comment]:
    """The thread's comments in the order a page of the given layout shows them.

    Time ties are broken by the thread's own order. A comment whose parent is not in the thread
    is treated as top-level. The nested walk is iterative: real threads can be deep.
    """
    if order not in ORDERS:
        raise ValueError(f"order must be one of {ORDERS}, not {order!r}")
    by_time = sorted(thread.comments, key=lambda c: (c.timestamp or "", c.position))
    if order == "chronological":
        return by_time
    ids = {c.comment_id for c in thread.comments}
    kids: dict[str | None, list[Comment]] = {}
    for c in by_time:
        kids.setdefault(c.parent_id if c.parent_id in ids else None, []).append(c)
    out: list[Comment] = []
    stack = list(reversed(kids.get(None, [])))
    while stack:
        c = stack.pop()
        out.append(c)
        stack.extend(reversed(kids.get(c.comment_id, [])))
    return out


def render(
    thread: Thread,
    order: str = "chronological",
    headers: str = "all",
    chrome: bool = False,
    seed: int = 0,
    style: str | None = None,
) -> Rendering:
    """Render ``thread`` as page text in one layout (see the module docstring)."""
    if headers not in HEADERS:
        raise ValueError(f"headers must be one of {HEADERS}, not {headers!r}")
    # The style and the furniture draw from separate streams, and "some" headers hash the comment
    # id, so one seed gives the same style and the same headers with and without chrome, and the
    # same headers in either order: layouts then differ only in what their names say.
    style_name = style if style is not None else random.Random(seed).choice(sorted(STYLES))
    rng = random.Random(seed + 1)
    if style_name not in STYLES:
        raise ValueError(f"unknown style {style_name!r}; choose from {sorted(STYLES)}")
    st = STYLES[style_name]
    comments = page_order(thread, order)
    by_id = thread.by_id()
    n_replies: dict[str, int] = {}
    for c in comments:
        if c.parent_id:
            n_replies[c.parent_id] = n_replies.get(c.parent_id, 0) + 1

    lines: list[str] = []
    art = thread.article
    if chrome:
        lines.append(rng.choice(NAVIGATION))
    if art.title:
        lines.append(art.title)
    if chrome and art.published:
        lines.append(f"Published {_date(art.published)}")
    lines.extend(art.paragraphs())
    lines.append("")
    if chrome:
        lines += [st.count_line.format(n=len(comments)), st.sort_line]

    now = _now(comments, rng)
    reply_to: list[str | None] = []
    for i, c in enumerate(comments):
        parent = by_id.get(c.parent_id) if c.parent_id else None
        if chrome and order == "nested" and parent is not None and i and comments[i - 1] is parent \
                and rng.random() < 0.25:
            lines.append(st.replies_line.format(k=n_replies[parent.comment_id]))
        show = parent is not None and (headers == "all" or (headers == "some" and _coin(seed, c.comment_id)))
        header = _name(parent.author) if show else None
        reply_to.append(header)
        stamp = _stamp(c.timestamp, now, st.stamp_format) if chrome else None
        if chrome and stamp and st.inline:
            lines.append(st.inline.format(name=_name(c.author), stamp=stamp, votes=rng.choice((1, 2, 5, 14, 230))))
        else:
            lines.append(_name(c.author))
        if stamp and st.stamp == "after_author":
            lines.append(stamp)
        if header is not None:
            lines.append(header)
        lines.extend(comment_lines(c.text, st.paragraph_gaps))
        if stamp and st.stamp == "after_text":
            lines.append(stamp)
        if chrome:
            likes = rng.choice((0, 0, 1, 2, 3, 5, 8, 12, 27))
            lines.extend(a.format(likes=likes, s="" if likes == 1 else "s") for a in st.actions)
            if i + 1 < len(comments) and rng.random() < 1 / 15:
                lines.append(st.more_line)
    if chrome:
        lines.append("")
        lines.extend(rng.choice(FOOTERS))
    return Rendering("\n".join(lines) + "\n", comments, reply_to, style_name)


def render_page(
    thread: Thread,
    order: str = "chronological",
    headers: str = "all",
    chrome: bool = False,
    seed: int = 0,
    style: str | None = None,
) -> str:
    """Just the page text of :func:`render`."""
    return render(thread, order, headers, chrome, seed, style).text


def comment_lines(text: str, paragraph_gaps: bool) -> list[str]:
    """A comment's text as page lines: stripped, no leading or trailing blanks.

    With ``paragraph_gaps`` runs of blank lines become one blank line; without, they go. Lines
    are split with :meth:`str.splitlines`, as a parser will, so odd line breaks (\\r, U+2028)
    cannot hide inside a line.
    """
    out: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if line:
            out.append(line)
        elif paragraph_gaps and out and out[-1]:
            out.append("")
    while out and not out[-1]:
        out.pop()
    return out


def _coin(seed: int, comment_id: str) -> bool:
    """A fair, reproducible coin per (seed, comment)."""
    return zlib.crc32(f"{seed}|{comment_id}".encode()) % 2 == 0


def _name(author: str | None) -> str:
    return author or "Anonymous"


# -- timestamps --------------------------------------------------------------------------------
def _now(comments: Iterable[Comment], rng: random.Random) -> datetime | None:
    """When the page was saved: a while after the last comment, for relative ages."""
    times = [t for t in (_parse_time(c.timestamp) for c in comments) if t]
    if not times:
        return None
    return max(times) + timedelta(minutes=rng.randint(5, 60 * 24 * 10))


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        try:
            return datetime.fromtimestamp(float(value))
        except (ValueError, OverflowError, OSError):
            return None


def _stamp(value: str | None, now: datetime | None, fmt: str) -> str | None:
    t = _parse_time(value)
    if t is None or now is None:
        return None
    if fmt == "absolute":
        hour = t.hour % 12 or 12
        return f"{t:%b} {t.day}, {t.year} {hour}:{t.minute:02d} {'AM' if t.hour < 12 else 'PM'}"
    if now.tzinfo is not None and t.tzinfo is None:
        t = t.replace(tzinfo=now.tzinfo)
    elif now.tzinfo is None and t.tzinfo is not None:
        t = t.replace(tzinfo=None)
    secs = max(0, int((now - t).total_seconds()))
    for unit, size, short in (("year", 31536000, "y"), ("month", 2592000, "mo"), ("week", 604800, "w"),
                              ("day", 86400, "d"), ("hour", 3600, "h"), ("minute", 60, "m")):
        if secs >= size:
            n = secs // size
            if fmt == "short":
                return f"{n}{short}"
            return f"{n} {unit}{'' if n == 1 else 's'} ago"
    return "now" if fmt == "short" else "just now"


def _date(iso_date: str) -> str:
    try:
        d = datetime.fromisoformat(iso_date[:10])
    except ValueError:
        return iso_date
    return f"{d:%B} {d.day}, {d.year}"
