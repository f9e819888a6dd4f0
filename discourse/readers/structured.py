"""Readers for inputs that already state who answers whom: our JSON, Reddit JSON, CSV, ConvoKit.

Nothing here guesses a link: a parent id from the input gives link ``"explicit"`` (confidence
1.0), no parent gives ``"root"``, and ``reply_to`` is the parent comment's author. Positions are
the order of the comments in the input, counted within each thread (0, 1, 2, ...). Every reader
ends with :func:`discourse.readers.repair.repair_links`, so broken ids (missing parents,
duplicates, cycles) are fixed or refused the same way for every format.

Formats
-------
* **discourse JSON / JSONL**: :meth:`Thread.to_dict` objects, one or a list per ``.json`` file, one
  per line in ``.jsonl``. Links, confidences and ``source`` are kept as written (the source is
  where the thread was first parsed from, more useful than the JSON file's name).
* **Reddit JSON**: the ``/comments/ID.json`` export (post Listing + comment tree), a Listing of
  comments, or a flat list of comments (also one per line, as Pushshift dumps are). Comments of a
  flat list are grouped into threads by their ``link_id``. Reddit's API HTML-escapes ``&``, ``<``
  and ``>`` in titles and text, so those are unescaped. ``"[deleted]"`` authors become None (an
  unknown person, not one prolific user); deleted bodies are kept as given, so replies to them
  keep their parent. ``more`` stubs (comments the export left out) are skipped with a warning.
* **CSV**: one comment per row; see :data:`CSV_REQUIRED` and :data:`CSV_ARTICLE`.
* **ConvoKit** corpus folder: ``utterances.jsonl``, optionally ``conversations.json`` (whose
  ``title``, ``outlet``, ``url``, ``published`` and ``article_text`` metadata fill the article);
  ``corpus.json`` holds nothing a thread needs and is not read. One thread per conversation.

ConvoKit's root utterance
-------------------------
In ConvoKit the root utterance of a conversation (``id == conversation_id``, no ``reply_to``) is
usually the post itself, e.g. a Reddit submission. When such a root exists and other utterances
reply to it, it is taken as the **article**: its text becomes ``article.text`` (and its timestamp
the ``published`` date, unless metadata gives one), and its direct replies become top-level
comments. It is *not* taken as the article when the conversation metadata gives ``article_text``
(the article is then known, and the root is its first comment) or when nothing replies to it.
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from discourse.errors import InputError, log
from discourse.model import LINK_EXPLICIT, LINK_ROOT, Article, Comment, Thread
from discourse.readers.repair import repair_links
from discourse.readers.text import read_text

#: CSV columns every file must have (matched case-insensitively, surrounding spaces ignored).
CSV_REQUIRED = ("thread_id", "comment_id", "parent_id", "author", "text")
#: Optional CSV columns that describe the article -> :class:`Article` field. Each is taken from
#: the first row of the thread that has a value, so it can be given once per thread.
CSV_ARTICLE = {"title": "title", "outlet": "outlet", "published": "published", "url": "url", "article_text": "text"}

_SHAPE_HELP = "expected a discourse thread (with 'thread_id'), a list of them, or a Reddit comments export"

# Comment text can exceed the csv module's default 128 KiB field limit; the file size limit of
# read_text is the real bound. (The setting is process-wide, and only ever raised here.)
csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))


# -- JSON ---------------------------------------------------------------------------------------
def read_json(path: Path) -> list[Thread]:
    """Read a ``.json`` / ``.jsonl`` file holding discourse threads or a Reddit export.

    Which of the two it is comes from the shape of the data, not the file name.
    """
    path = Path(path)
    text = _read_nonempty(path)
    data, lines = _parse_json(path, text)
    items = data if isinstance(data, list) else [data]
    if not items:
        log.warning("%s: holds an empty list; no threads", path)
        return []
    if all(isinstance(x, dict) and "thread_id" in x for x in items):
        return [_own_thread(path, item, i, lines, isinstance(data, list)) for i, item in enumerate(items)]
    if all(isinstance(x, dict) and _is_reddit_item(x) for x in items):
        return _reddit_threads(path, items)
    hint = ""
    if any(isinstance(x, dict) and "thread_id" in x for x in items):
        i = next(i for i, x in enumerate(items) if not (isinstance(x, dict) and "thread_id" in x))
        hint = f" ({_where(i, lines)} is not a thread object)"
    raise InputError(f"{path}: JSON of an unknown shape{hint}: {_SHAPE_HELP}")


def _own_thread(path: Path, item: dict, i: int, lines: list[int] | None, in_list: bool) -> Thread:
    try:
        _check_own_types(item)
        thread = Thread.from_dict(item, source=str(path))
    except (TypeError, ValueError) as exc:
        where = _where(i, lines) if (lines or in_list) else "thread"
        raise InputError(f"{path}: {where}: {exc}") from None
    repair_links(thread)
    return thread


def _check_own_types(item: dict) -> None:
    """Refuse values of the wrong JSON type before :meth:`Thread.from_dict` would turn them into
    strings silently (``{"x": 1}`` -> ``"{'x': 1}"``, null -> ``"None"``, a list of text -> its repr)."""
    _scalar(item.get("thread_id"), "'thread_id'", required=True)
    art = item.get("article")
    if isinstance(art, dict):
        for key in ("title", "outlet", "published", "url", "text"):
            _scalar(art.get(key), f"article '{key}'")
    comments = item.get("comments")
    for n, c in enumerate(comments if isinstance(comments, list) else []):
        if not isinstance(c, dict):
            continue
        cid = _scalar(c.get("comment_id"), f"comment #{n} 'comment_id'")  # absent: from_dict says so
        for key in ("parent_id", "author", "reply_to", "text", "timestamp", "link", "evidence"):
            _scalar(c.get(key), f"comment {cid!r} '{key}'")
        position, conf = c.get("position"), c.get("confidence")
        if position is not None and not (_is_number(position) and float(position).is_integer()
                                         and abs(position) < 2**53):
            raise ValueError(f"comment {cid!r}: position {position!r} is not a whole number")
        if conf is not None and not (_is_number(conf) and 0.0 <= conf <= 1.0):
            raise ValueError(f"comment {cid!r}: confidence {conf!r} is not a number from 0 to 1")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _scalar(value: Any, what: str, *, required: bool = False) -> str | None:
    """A text field of the input as a string: text as given, finite numbers written out, None for
    null or absent. Lists, objects, booleans and non-finite numbers raise ``ValueError``: turning
    them into their Python spelling would pass garbage on as data."""
    if value is None or value == "":
        if required:
            raise ValueError(f"{what} is {'null' if value is None else 'empty'}; it must be text or a number")
        return None
    if isinstance(value, str):
        return value
    if _is_number(value):
        return str(value)
    kind = {list: "a list", dict: "an object", bool: "true/false"}.get(type(value), "not a finite number")
    raise ValueError(f"{what} must be text or a number, not {kind} ({json.dumps(value)[:40]})")


def _where(i: int, lines: list[int] | None) -> str:
    return f"line {lines[i]}" if lines else f"item #{i + 1}"


def _parse_json(path: Path, text: str) -> tuple[Any, list[int] | None]:
    """Parse one JSON document, or JSON Lines (then a list, with the line number of each value).

    ``.jsonl`` files are read line by line; other files as one document, falling back to lines
    when the document is followed by more data (JSONL saved as ``.json``).
    """
    if path.suffix.lower() != ".jsonl":
        try:
            return _loads(path, text), None
        except json.JSONDecodeError as exc:
            whole_error = exc
        if whole_error.msg != "Extra data":
            raise _json_error(path, whole_error.lineno, whole_error)
    values, lines = [], []
    # Split on "\n" only: str.splitlines would also split on U+2028 and others, which JSON
    # strings may contain unescaped.
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            values.append(_loads(path, line, where=f"line {n}"))
        except json.JSONDecodeError as exc:
            if not values and path.suffix.lower() != ".jsonl":
                # Not JSON Lines after all: the error of the whole document is the true one.
                raise _json_error(path, whole_error.lineno, whole_error)
            raise _json_error(path, n, exc)
        lines.append(n)
    return values, lines


def _loads(path: Path, text: str, where: str = "") -> Any:
    """``json.loads``, for deeply nested documents too, with lone surrogates replaced.

    Python's decoder recurses once per level and stops at the recursion limit (about 1,000
    levels); a Reddit reply chain takes five levels per comment, so 200 replies deep is already
    too deep. Such a document is parsed again on a thread with a large stack and a higher limit,
    up to :data:`MAX_JSON_DEPTH` levels; deeper ones are refused in one line.
    """
    try:
        data = json.loads(text)
    except RecursionError:
        depth = _nesting_depth(text)
        if depth > MAX_JSON_DEPTH:
            at = f" ({where})" if where else ""
            raise InputError(f"{path}{at}: JSON nested {depth:,} levels deep, more than the "
                             f"{MAX_JSON_DEPTH:,} this reader follows; not a thread export") from None
        data = _deep_loads(text, depth)
    if _SURROGATE_ESCAPE.search(text):
        data, replaced = _replace_surrogates(data)
        if replaced:
            log.warning("%s: %d lone surrogate escape(s) (half of a UTF-16 pair, \\ud800-\\udfff) replaced "
                        "with U+FFFD", f"{path} {where}".strip(), replaced)
    return data


#: Nesting levels of JSON the readers follow (a Reddit chain of about 4,000 replies).
MAX_JSON_DEPTH = 20_000
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_JSON_OPEN_CLOSE = re.compile(r"[\[\]{}]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _nesting_depth(text: str) -> int:
    depth = deepest = 0
    for m in _JSON_OPEN_CLOSE.finditer(_JSON_STRING.sub('""', text)):
        depth += 1 if m.group() in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _deep_loads(text: str, depth: int) -> Any:
    """``json.loads`` on a worker thread whose stack and recursion limit fit ``depth`` levels."""
    import sys
    import threading

    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["value"] = json.loads(text)
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller's thread
            box["error"] = exc

    old_limit, old_stack = sys.getrecursionlimit(), threading.stack_size()
    sys.setrecursionlimit(max(old_limit, depth + 1000))
    try:
        threading.stack_size(max(old_stack, 64 * 1024 * 1024 + depth * 2048))
        worker = threading.Thread(target=work, name="deep-json")
        worker.start()
        worker.join()
    finally:
        threading.stack_size(old_stack)
        sys.setrecursionlimit(old_limit)
    if "error" in box:
        raise box["error"]
    return box["value"]


def _replace_surrogates(data: Any) -> tuple[Any, int]:
    """``data`` with every lone surrogate in its strings (keys too) made U+FFFD; walks iteratively."""
    count = 0

    def fix(v: str) -> str:
        nonlocal count
        new, n = _SURROGATE.subn("\ufffd", v)
        count += n
        return new

    root = [data]
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            for i, v in enumerate(node):
                if isinstance(v, str):
                    node[i] = fix(v)
                elif isinstance(v, (list, dict)):
                    stack.append(v)
        else:
            items = list(node.items())
            node.clear()
            for k, v in items:
                if isinstance(v, str):
                    v = fix(v)
                elif isinstance(v, (list, dict)):
                    stack.append(v)
                node[fix(k)] = v
    return root[0], count


def _json_error(path: Path, line: int, exc: json.JSONDecodeError) -> InputError:
    return InputError(f"{path}: line {line} is not valid JSON ({exc.msg} at column {exc.colno})")


# -- Reddit -------------------------------------------------------------------------------------
def _is_reddit_item(x: dict) -> bool:
    """A Reddit "thing" (Listing, post, comment, more stub) or a bare comment as dumps give them."""
    if x.get("kind") in ("Listing", "t1", "t3", "more"):
        return isinstance(x.get("data"), dict)
    return "body" in x and "parent_id" in x


def _reddit_threads(path: Path, items: list[dict]) -> list[Thread]:
    """Walk the things depth-first (page order) and group comments by the post they belong to.

    An explicit stack, not recursion: comment chains can be deeper than Python's recursion limit.
    """
    posts: dict[str, dict] = {}
    groups: dict[str, list[dict]] = {}  # post name ("t3_x"), or "" if unknown -> comments
    more_stubs = more_hidden = odd = 0
    current_post = ""
    stack = [iter(items)]
    while stack:
        thing = next(stack[-1], None)
        if thing is None:
            stack.pop()
            continue
        if not isinstance(thing, dict):
            odd += 1
            continue
        kind, data = thing.get("kind"), thing.get("data")
        if kind is None and "body" in thing:
            kind, data = "t1", thing
        if not isinstance(data, dict) or kind not in ("Listing", "t1", "t3", "more"):
            odd += 1
            continue
        if kind == "Listing":
            children = data.get("children") or []
            if not isinstance(children, list):
                odd += 1
                continue
            stack.append(iter(children))
        elif kind == "t3":
            current_post = str(data.get("name") or f"t3_{data.get('id', '')}")
            posts.setdefault(current_post, data)
            groups.setdefault(current_post, [])
        elif kind == "more":
            more_stubs += 1
            more_hidden += _int(data.get("count")) or len(data.get("children") or [])
        elif kind == "t1":
            groups.setdefault(str(data.get("link_id") or current_post), []).append(data)
            if isinstance(data.get("replies"), dict):
                stack.append(iter([data["replies"]]))
    if more_stubs:
        log.warning(
            "%s: skipped %d 'load more comments' stub(s) standing for %d comment(s) not in the export",
            path, more_stubs, more_hidden,
        )
    if not groups:
        raise InputError(f"{path}: Reddit JSON with no post and no comment in it ({odd} item(s) of another "
                         f"shape); {_SHAPE_HELP}")
    if odd:
        log.warning("%s: skipped %d item(s) that are not Reddit posts, comments or listings", path, odd)
    try:
        return [_reddit_thread(path, key, posts.get(key), comments) for key, comments in groups.items()]
    except ValueError as exc:
        raise InputError(f"{path}: {exc}") from None


def _reddit_thread(path: Path, key: str, post: dict | None, raw: list[dict]) -> Thread:
    comments = []
    for d in raw:
        cid = _scalar(d.get("id"), "a Reddit comment's 'id'") or (
            _scalar(d.get("name"), "a Reddit comment's 'name'") or "").removeprefix("t1_")
        if not cid:
            raise InputError(f"{path}: a Reddit comment has no 'id' (author {d.get('author')!r})")
        parent = _scalar(d.get("parent_id"), f"Reddit comment {cid!r} 'parent_id'") or ""
        if parent.startswith("t3_"):
            parent = ""  # answers the post
        comments.append(
            Comment(
                comment_id=cid,
                text=html.unescape(_scalar(d.get("body"), f"Reddit comment {cid!r} 'body'") or ""),
                author=_reddit_author(_scalar(d.get("author"), f"Reddit comment {cid!r} 'author'")),
                parent_id=parent.removeprefix("t1_") or None,
                timestamp=_epoch_iso(d.get("created_utc")),
            )
        )
    post = post or {}
    subreddit = post.get("subreddit") or next((d["subreddit"] for d in raw if d.get("subreddit")), None)
    article = Article(
        title=html.unescape(_scalar(post.get("title"), "the Reddit post's 'title'") or "") or None,
        outlet=f"reddit.com/r/{subreddit}" if subreddit else None,
        published=_epoch_date(post.get("created_utc")),
        url=_scalar(post.get("url"), "the Reddit post's 'url'"),
        text=html.unescape(_scalar(post.get("selftext"), "the Reddit post's 'selftext'") or ""),
    )
    thread_id = key.removeprefix("t3_") or path.stem
    return _finish(Thread(thread_id=thread_id, source=str(path), article=article, comments=comments))


def _reddit_author(name: Any) -> str | None:
    return None if name in (None, "", "[deleted]") else str(name)


# -- CSV ----------------------------------------------------------------------------------------
def read_csv(path: Path) -> list[Thread]:
    """Read a CSV with one comment per row; several threads may share the file.

    Threads come in order of first appearance of their ``thread_id``; the delimiter (comma,
    semicolon or tab) is taken from the header line, as spreadsheets save all three. The reader
    is strict about quotes: a quote that is never closed would otherwise swallow the rest of the
    file into one comment without a word.
    """
    path = Path(path)
    text = _read_nonempty(path)
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    records = _csv_records(path, text, delimiter)
    header = next(records, (1, []))[1]
    columns: dict[str, int] = {}
    for i, name in enumerate(header):
        key = name.strip().lower()
        if key in columns and key in (*CSV_REQUIRED, *CSV_ARTICLE, "timestamp"):
            raise InputError(f"{path}: column {key!r} appears twice (columns {columns[key] + 1} and {i + 1}); "
                             "keep one, or rename the other")
        columns.setdefault(key, i)
    missing = [c for c in CSV_REQUIRED if c not in columns]
    if missing:
        found = ", ".join(h.strip() for h in header if h.strip()) or "(none)"
        raise InputError(
            f"{path}: missing required column(s) {', '.join(missing)}; found columns: {found}"
        )

    threads: dict[str, Thread] = {}
    where: dict[str, list[str]] = {}
    for start, row in records:
        if not any(field.strip() for field in row):
            continue  # blank line
        if len(row) > len(header):
            raise InputError(
                f"{path}: row at line {start} has {len(row)} fields but the header has {len(header)}; "
                "text containing the delimiter must be quoted"
            )

        def get(name: str) -> str:
            i = columns.get(name)
            return row[i] if i is not None and i < len(row) else ""

        thread_id, comment_id = get("thread_id").strip(), get("comment_id").strip()
        if not thread_id or not comment_id:
            raise InputError(f"{path}: row at line {start} has no {'thread_id' if not thread_id else 'comment_id'}")
        thread = threads.get(thread_id)
        if thread is None:
            thread = threads[thread_id] = Thread(thread_id=thread_id, source=str(path))
            where[thread_id] = []
        for column, attr in CSV_ARTICLE.items():
            value = _clean(get(column)) if attr == "text" else get(column).strip()
            if value and not getattr(thread.article, attr):
                setattr(thread.article, attr, value)
        thread.comments.append(
            Comment(
                comment_id=comment_id,
                text=_clean(get("text")),
                author=get("author").strip() or None,
                parent_id=get("parent_id").strip() or None,
                timestamp=get("timestamp").strip() or None,
            )
        )
        where[thread_id].append(f"line {start}")
    if not threads:
        log.warning("%s: has a header but no rows; no threads", path)
    return [_finish(t, where[tid]) for tid, t in threads.items()]


def _csv_records(path: Path, text: str, delimiter: str):
    """Yield (line where the record starts, fields); quoted fields may span lines."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    line = 0
    while True:
        start = line + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(f"{path}: row starting at line {start} is not valid CSV ({exc}); check its quotes") from None
        line = reader.line_num
        yield start, row


def _clean(text: str) -> str:
    """Cell text with Windows line ends (kept by the csv module inside quotes) made plain."""
    return text.replace("\r\n", "\n")


# -- ConvoKit -----------------------------------------------------------------------------------
def read_convokit(folder: Path) -> list[Thread]:
    """Read a ConvoKit corpus folder: one thread per conversation, in order of first appearance.

    See the module docstring for when the root utterance is taken as the article.
    """
    folder = Path(folder)
    utt_path = folder / "utterances.jsonl"
    if not utt_path.is_file():
        raise InputError(f"{folder}: not a ConvoKit corpus (no utterances.jsonl)")
    text = _read_nonempty(utt_path)
    values, lines = _parse_json(utt_path, text)
    conv_meta = _conversation_meta(folder)

    conversations: dict[str, list[tuple[int, dict]]] = {}
    for line, u in zip(lines, values):
        if not isinstance(u, dict) or u.get("id") in (None, ""):
            raise InputError(f"{utt_path}: line {line}: an utterance must be an object with an 'id'")
        conv = u.get("conversation_id", u.get("root"))
        if conv in (None, ""):
            raise InputError(f"{utt_path}: line {line}: utterance {u['id']!r} has no 'conversation_id' (or 'root')")
        try:
            for key in ("id", "conversation_id", "root", "reply_to", "text", "timestamp"):
                _scalar(u.get(key), f"utterance '{key}'")
            if not isinstance(u.get("speaker", u.get("user")), dict):
                _scalar(u.get("speaker", u.get("user")), "utterance 'speaker'")
        except ValueError as exc:
            raise InputError(f"{utt_path}: line {line}: {exc}") from None
        conversations.setdefault(str(conv), []).append((line, u))
    return [
        _convokit_thread(folder, utt_path, conv, utts, conv_meta.get(conv, {}))
        for conv, utts in conversations.items()
    ]


def _convokit_thread(folder: Path, utt_path: Path, conv: str, utts: list[tuple[int, dict]], meta: dict) -> Thread:
    root = next((u for _, u in utts if str(u["id"]) == conv and _reply_to(u) in (None, "")), None)
    root_is_article = (
        root is not None
        and not meta.get("article_text")
        and any(str(_reply_to(u)) == conv for _, u in utts if u is not root)
    )
    article = Article(
        title=_str_or_none(meta.get("title")),
        outlet=_str_or_none(meta.get("outlet")),
        url=_str_or_none(meta.get("url")),
        published=_str_or_none(meta.get("published")),
        text=str(meta.get("article_text") or ""),
    )
    if root_is_article:
        article.text = str(root.get("text") or "")
        article.published = article.published or _epoch_date(root.get("timestamp"))
    comments, where = [], []
    for line, u in utts:
        if root_is_article and u is root:
            continue
        parent = _str_or_none(_reply_to(u))
        if root_is_article and parent == conv:
            parent = None
        speaker = u.get("speaker", u.get("user"))
        if isinstance(speaker, dict):  # some exports inline the speaker object
            speaker = speaker.get("id") or speaker.get("name")
        comments.append(
            Comment(
                comment_id=str(u["id"]),
                text=str(u.get("text") or ""),
                author=_str_or_none(speaker),
                parent_id=parent,
                timestamp=_str_or_none(u.get("timestamp")),
            )
        )
        where.append(f"{utt_path.name} line {line}")
    return _finish(Thread(thread_id=conv, source=str(folder), article=article, comments=comments), where)


def _reply_to(u: dict):
    """ConvoKit's own dumps write ``reply-to``; some corpora (and its loader) use ``reply_to``."""
    return u.get("reply_to", u.get("reply-to"))


def _conversation_meta(folder: Path) -> dict[str, dict]:
    """``conversations.json`` as conversation id -> metadata (both ConvoKit layouts: with a
    ``meta`` key per conversation, or the metadata itself)."""
    path = folder / "conversations.json"
    if not path.is_file():
        return {}
    text = read_text(path)
    if not text.strip():
        return {}
    try:
        data = _loads(path, text)
    except json.JSONDecodeError as exc:
        raise _json_error(path, exc.lineno, exc) from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected an object mapping conversation ids to their metadata")
    out = {}
    for conv, value in data.items():
        if isinstance(value, dict):
            meta = value.get("meta")
            out[str(conv)] = meta if isinstance(meta, dict) else value
    return out


# -- shared -------------------------------------------------------------------------------------
def _finish(thread: Thread, where: list[str] | None = None) -> Thread:
    """Set positions, link kinds and ``reply_to`` from the parent ids the input gave; repair."""
    author_of: dict[str, str | None] = {}
    for c in thread.comments:
        author_of.setdefault(c.comment_id, c.author)
    for pos, c in enumerate(thread.comments):
        c.position = pos
        c.link = LINK_EXPLICIT if c.parent_id else LINK_ROOT
        c.confidence = 1.0
        c.reply_to = author_of.get(c.parent_id) if c.parent_id else None
    repair_links(thread, where)
    return thread


def _read_nonempty(path: Path) -> str:
    text = read_text(path)
    if not text.strip():
        raise InputError(f"{path}: empty file")
    return text


def _str_or_none(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _epoch_datetime(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(value), tz=timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _epoch_date(value: Any) -> str | None:
    """YYYY-MM-DD (UTC) of Unix seconds, or None when the value is not such a number."""
    when = _epoch_datetime(value)
    return when.date().isoformat() if when else None


def _epoch_iso(value: Any) -> str | None:
    when = _epoch_datetime(value)
    return when.isoformat().replace("+00:00", "Z") if when else None
