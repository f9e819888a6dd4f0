"""Gold threads: real comment sections whose reply structure is known, as :class:`Thread` objects.

Two public data sets sit next to the repository (``<repo>/../shared/data`` by default):

* **Globe and Mail** (``globe-and-mail-dev``): newspaper articles with their nested comment trees.
  Deleted comments are kept (author ``[removed]``, text ``This comment has been deleted``)
  because real pages show them, and replies to them must still be linked.
* **Reddit** (``reddit_worldnews_ukraine_threads``): r/worldnews live threads about the war in
  Ukraine, the first 200 comments of each. Authors are hashed upstream; each hash gets a readable
  pseudonym (:func:`pseudonym`), deleted accounts show as ``[deleted]``. The threads are split by
  thread id into a training part (for :mod:`evaluation.train_linker`) and a held-out part (for
  the evaluation): :func:`reddit_split`.
* **RumourEval 2017** (``rumoureval2017-traindev``): Twitter conversations. The source tweet
  becomes the article and its replies the comments. The data set carries no user names, so each
  post's author is recovered from the leading ``@mention`` of the replies to it; posts nobody
  answered get a stable synthetic handle. A few posts of the reply trees are missing from
  ``posts.json``; their replies are attached to the nearest ancestor that exists, which is where
  a page would show them. Tweet text is HTML-unescaped (``&amp;`` → ``&``), as a page shows it.

Comments come in time order (``position`` 0, 1, ...); :mod:`evaluation.render` lays
them out for a page. Timestamps are ISO 8601 strings in UTC.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import zlib
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from discourse.model import Article, Comment, Thread

#: ``<repo>/../shared/data``: where the project keeps the public data sets.
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data"

GLOBE_DIR = "globe-and-mail-dev"
RUMOUREVAL_DIR = "rumoureval2017-traindev"
REDDIT_DIR = "reddit_worldnews_ukraine_threads"
REDDIT_FILE = "threads_prefix200.jsonl"
#: One thread in this many is held out of training (by a hash of its id): ``reddit_split``.
REDDIT_HOLDOUT_EVERY = 5

_BREAK = re.compile(r"<br\s*/?>", re.I)
_TAG = re.compile(r"<[^>]+>")
_MENTION = re.compile(r"@(\w+)")


def load_gold(data_dir: Path | str | None = None, limit: int | None = None,
              reddit: str | None = "test") -> dict[str, list[Thread]]:
    """All gold threads by data set name (``globe-and-mail``, ``rumoureval``, ``reddit``).

    A data set whose folder is absent is left out, so callers can tell "no data" from "no threads".
    ``limit`` caps the number of threads per data set. ``reddit`` is the part of the Reddit
    threads to load: ``test`` (held out of training, the default), ``train``, or None for none.
    """
    root = Path(data_dir) if data_dir is not None else DEFAULT_DATA_DIR
    out: dict[str, list[Thread]] = {}
    if (root / GLOBE_DIR).is_dir():
        out["globe-and-mail"] = load_globe(root / GLOBE_DIR, limit)
    if (root / RUMOUREVAL_DIR).is_dir():
        out["rumoureval"] = load_rumoureval(root / RUMOUREVAL_DIR, limit)
    if reddit and (root / REDDIT_DIR / REDDIT_FILE).is_file():
        out["reddit"] = load_reddit(root / REDDIT_DIR, limit, part=reddit)
    return out


# -- Globe and Mail ----------------------------------------------------------------------------
def load_globe(folder: Path | str, limit: int | None = None) -> list[Thread]:
    """Globe and Mail articles that have a comments file, in article id order."""
    folder = Path(folder)
    threads = []
    for art_path in sorted((folder / "articles").glob("article_*.json")):
        com_path = folder / "comments" / f"{art_path.stem}_comments.json"
        if not com_path.is_file():
            continue
        articles = json.loads(art_path.read_text(encoding="utf-8"))
        comments = json.loads(com_path.read_text(encoding="utf-8"))
        for art_id, art in articles.items():
            if art_id in comments:
                threads.append(_globe_thread(art_id, art, comments[art_id].get("comments") or []))
        if limit is not None and len(threads) >= limit:
            break
    return threads[:limit] if limit is not None else threads


def _globe_thread(art_id: str, art: dict[str, Any], roots: list[dict[str, Any]]) -> Thread:
    paragraphs = [_strip_html(p) for p in art.get("article_text") or []]
    published = str(art.get("published_date") or "")[:10] or None  # "2016-02-09 EST"
    article = Article(
        title=art.get("title") or None,
        outlet="The Globe and Mail",
        published=published,
        url=art.get("article_url") or None,
        text="\n".join(p for p in paragraphs if p),
    )
    comments: list[Comment] = []

    def walk(node: dict[str, Any], parent_id: str | None) -> None:
        comments.append(Comment(
            comment_id=str(node["ID"]),
            text=str(node.get("commentText") or ""),
            author=str((node.get("sender") or {}).get("name") or "") or None,
            parent_id=parent_id,
            link="explicit" if parent_id else "root",
            timestamp=_iso(node["timestamp"] / 1000, ms=True) if node.get("timestamp") else None,
        ))
        for reply in node.get("replies") or []:
            walk(reply, str(node["ID"]))

    for root in roots:
        walk(root, None)
    return Thread(thread_id=str(art_id), source="globe-and-mail", article=article,
                  comments=_in_time_order(comments))


def _strip_html(fragment: str) -> str:
    """Paragraph text of an HTML fragment: tags dropped (line breaks become spaces), entities
    decoded, whitespace collapsed. Paragraphs are single ``<p>`` elements, so inner tags are inline."""
    return " ".join(html.unescape(_TAG.sub("", _BREAK.sub(" ", fragment))).split())


# -- RumourEval --------------------------------------------------------------------------------
def load_rumoureval(folder: Path | str, limit: int | None = None) -> list[Thread]:
    """RumourEval conversations in the order of ``structures.json`` (first ``limit`` of them)."""
    folder = Path(folder)
    posts = json.loads((folder / "posts.json").read_text(encoding="utf-8"))
    structures = json.loads((folder / "structures.json").read_text(encoding="utf-8"))
    threads = []
    for source_id, tree in structures.items():
        if limit is not None and len(threads) >= limit:
            break
        if source_id in posts:
            threads.append(_rumour_thread(source_id, tree, posts))
    return threads


def _rumour_thread(source_id: str, tree: dict[str, Any], posts: dict[str, Any]) -> Thread:
    # parent of every post that exists; missing posts pass their replies up to their own parent.
    parent: dict[str, str | None] = {}

    def walk(node: Any, present_parent: str | None) -> None:
        if not isinstance(node, dict):  # leaves are written as []
            return
        for pid, sub in node.items():
            if pid == source_id:
                walk(sub, source_id)
            elif pid in posts:
                parent[pid] = present_parent
                walk(sub, pid)
            else:
                walk(sub, present_parent)

    # Some trees list replies beside the source rather than under it: they answer the source.
    walk(tree, source_id)
    authors = _derive_authors(source_id, parent, posts)
    source = posts[source_id]
    article = Article(
        title=None,
        outlet="Twitter",
        published=_iso(source["time"]),  # date and time: the delay of each reply counts
        text="\n".join(line.strip() for line in _tweet_text(source["text"]).splitlines() if line.strip()),
    )
    comments = [
        Comment(
            comment_id=pid,
            text=_tweet_text(posts[pid]["text"]),
            author=authors[pid],
            parent_id=None if par == source_id else par,
            link="root" if par == source_id else "explicit",
            timestamp=_iso(posts[pid]["time"]),
        )
        for pid, par in parent.items()
    ]
    return Thread(thread_id=source_id, source="rumoureval", article=article, comments=_in_time_order(comments))


def _tweet_text(text: str) -> str:
    """Tweet text as a reader sees it: the API escapes &, < and > as HTML entities."""
    return html.unescape(text)


def _derive_authors(source_id: str, parent: dict[str, str | None], posts: dict[str, Any]) -> dict[str, str]:
    """Author handle of every post, from the first @mention of the replies it received.

    On Twitter a reply starts with the handle of the person answered, so the most common leading
    mention among a post's direct replies names its author (ties go to the earliest reply). The
    text must start with the mention: "RT @x" or a quote names someone else.
    """
    votes: dict[str, Counter[str]] = {}
    for pid in sorted(parent, key=lambda p: posts[p]["time"]):
        m = _MENTION.match(posts[pid]["text"].lstrip())
        if m and parent[pid] is not None:
            votes.setdefault(parent[pid], Counter())[m.group(1)] += 1
    authors = {}
    for pid in parent:
        counter = votes.get(pid)
        authors[pid] = counter.most_common(1)[0][0] if counter else synthetic_handle(pid)
    return authors


def synthetic_handle(post_id: str) -> str:
    """A stable made-up handle for a post whose author cannot be recovered, e.g. ``user_3f2a1b``.

    Six hex digits keep accidental clashes inside a thread (which would merge two people) rare.
    """
    return "user_" + hashlib.sha1(post_id.encode()).hexdigest()[:6]


# -- Reddit ------------------------------------------------------------------------------------
def reddit_split(thread_id: str) -> str:
    """``test`` for one thread in :data:`REDDIT_HOLDOUT_EVERY` (by a hash of its id), else ``train``."""
    return "test" if zlib.crc32(thread_id.encode()) % REDDIT_HOLDOUT_EVERY == 0 else "train"


def load_reddit(folder: Path | str, limit: int | None = None, part: str = "test") -> list[Thread]:
    """The Reddit threads of one part of the split (``train``, ``test`` or ``all``), file order."""
    if part not in ("train", "test", "all"):
        raise ValueError(f"part must be train, test or all, not {part!r}")
    threads = []
    with open(Path(folder) / REDDIT_FILE, encoding="utf-8") as f:
        for line in f:
            if limit is not None and len(threads) >= limit:
                break
            row = json.loads(line)
            if part == "all" or reddit_split(str(row["thread_id"])) == part:
                threads.append(_reddit_thread(row))
    return threads


def _reddit_thread(row: dict[str, Any]) -> Thread:
    tid = str(row["thread_id"])
    title = row.get("title") or "Russia-Ukraine war live thread"
    article = Article(title=title, outlet="reddit.com/r/worldnews", text=row.get("article_text") or "")
    comments = []
    for c in row.get("comments") or []:
        text = str(c.get("text") or "").strip()
        comments.append(Comment(
            comment_id=str(c["id"]),
            text=text or "[deleted]",
            author=pseudonym(c["author"]) if c.get("author") else "[deleted]",
            parent_id=str(c["parent"]) if c.get("parent") else None,
            link="explicit" if c.get("parent") else "root",
            timestamp=str(c.get("time") or "").replace("Z", "+00:00") or None,
        ))
    return Thread(thread_id=tid, source="reddit", article=article, comments=_in_time_order(comments))


_NAME_A = ("amber", "quiet", "rusty", "north", "lucky", "silver", "brave", "odd", "salty", "gentle", "late",
           "iron", "blue", "wild", "tired", "happy", "grim", "little", "sharp", "old")
_NAME_B = ("heron", "falcon", "otter", "badger", "pilot", "farmer", "tractor", "walrus", "comet", "maple",
           "harbour", "lynx", "raven", "kettle", "sparrow", "goose", "anchor", "bison", "cedar", "willow")


def pseudonym(author_hash: str) -> str:
    """A readable, stable name for a hashed user name, in one of the shapes people pick:
    ``QuietHeron``, ``quiet_heron_42``, ``QuietHeron1987``, ``Heron-Quiet``."""
    h = int(hashlib.sha1(author_hash.encode()).hexdigest()[:12], 16)
    a, b = _NAME_A[h % len(_NAME_A)], _NAME_B[(h // 20) % len(_NAME_B)]
    number = (h // 400) % 10000
    shape = (h // 4_000_000) % 4
    if shape == 0:
        return f"{a.title()}{b.title()}{number % 100 or ''}"
    if shape == 1:
        return f"{a}_{b}_{number % 1000}"
    if shape == 2:
        return f"{a.title()}{b.title()}{1950 + number % 60}"
    return f"{b.title()}-{a.title()}{number % 10}"


# -- shared ------------------------------------------------------------------------------------
def _iso(epoch_s: float, ms: bool = False) -> str:
    return datetime.fromtimestamp(epoch_s, tz=timezone.utc).isoformat(timespec="milliseconds" if ms else "seconds")


def _in_time_order(comments: list[Comment]) -> list[Comment]:
    """Sort by timestamp (id breaks ties) and number the positions."""
    comments = sorted(comments, key=lambda c: (c.timestamp or "", c.comment_id))
    for i, c in enumerate(comments):
        c.position = i
    return comments
