"""Comment-platform exports: Disqus XML and WordPress WXR, read into threads.

Both are XML written by other programs and read here as untrusted: entity expansion, external
entities and DTDs are refused (:mod:`defusedxml`), nothing is fetched.

* **Disqus** (``<disqus xmlns="http://disqus.com">``): ``<thread dsq:id>`` elements (title, link,
  message, createdAt) and ``<post dsq:id>`` elements naming their ``<thread dsq:id>`` and, for a
  reply, their ``<parent dsq:id>``; the author is ``<author><name>`` (or ``<username>``).
  ``isDeleted`` and ``isSpam`` posts are kept (their replies still hang under them), and are
  listed in ``article.removed`` with the reason ``"deleted in the export"`` / ``"marked as spam in
  the export"`` so the flags survive.
* **WordPress WXR** (``<rss>`` with the ``wp:`` namespace): one thread per ``<item>`` that has
  ``<wp:comment>`` elements; ``wp:comment_id``, ``wp:comment_parent`` (0 = top level),
  ``wp:comment_author``, ``wp:comment_date_gmt``, ``wp:comment_content``; ``wp:comment_approved``
  ``spam`` or ``trash`` is kept as a flag the same way, and pingbacks/trackbacks are set aside.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from discourse.errors import InputError, log
from discourse.model import Article, Comment, RemovedLine, Thread
from discourse.readers.html.dom import parse_html, render
from discourse.readers.structured import _finish
from discourse.readers.text import read_text

#: XML exports larger than this are refused (the reader holds the whole tree).
MAX_XML_BYTES = 256 * 1024 * 1024
_TAG = re.compile(r"<\s*(?:[\w-]+:)?(disqus|rss)\b", re.IGNORECASE)


def sniff_export(head: str) -> str | None:
    """'disqus' or 'wxr' when the start of an XML file looks like one of them, else None."""
    m = _TAG.search(head[:4096])
    if not m:
        return None
    if m.group(1).lower() == "disqus":
        return "disqus"
    return "wxr" if "wordpress.org/export" in head[:8192] else None


def read_export(path: Path) -> list[Thread]:
    """Read a Disqus or WXR export (which one from its root element)."""
    path = Path(path)
    text = read_text(path, max_bytes=MAX_XML_BYTES)
    if not text.strip():
        raise InputError(f"{path}: empty file")
    root = _parse(path, text)
    name = _local(root.tag)
    if name == "disqus":
        return read_disqus(path, root)
    if name == "rss":
        return read_wxr(path, root)
    raise InputError(f"{path}: XML with root <{name}>: expected a Disqus export (<disqus>) or a WordPress "
                     "export (<rss> with wp: elements)")


def _parse(path: Path, text: str):
    try:
        return SafeET.fromstring(text.encode("utf-8") if text.lstrip().startswith("<?xml") else text,
                                 forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise InputError(f"{path}: refused: the XML declares a DTD or entities ({type(exc).__name__}); "
                         "exports do not need them") from None
    except SafeET.ParseError as exc:
        raise InputError(f"{path}: not well-formed XML ({exc})") from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(el, name: str):
    for c in el:
        if _local(c.tag) == name:
            return c
    return None


def _text(el, name: str) -> str:
    c = _child(el, name)
    return (c.text or "").strip() if c is not None else ""


def _attr(el, name: str) -> str:
    for key, value in el.attrib.items():
        if _local(key) == name:
            return value
    return ""


def _html_text(fragment: str) -> str:
    """Comment bodies are HTML in both exports: their text, with quotes marked ``> ``."""
    if "<" not in fragment and "&" not in fragment:
        return fragment.strip()
    body = parse_html(f"<html><body><div>{fragment}</div></body></html>").find("body")
    return render(body) if body is not None else html.unescape(fragment)


# -- Disqus -------------------------------------------------------------------------------------
def read_disqus(path: Path, root) -> list[Thread]:
    threads: dict[str, Thread] = {}
    for el in root:
        if _local(el.tag) != "thread":
            continue
        tid = _attr(el, "id") or _text(el, "id")
        if not tid:
            continue
        threads[tid] = Thread(thread_id=tid, source=str(path), article=Article(
            title=_text(el, "title") or None, url=_text(el, "link") or None,
            published=_text(el, "createdAt")[:10] or None, text=_html_text(_text(el, "message"))))
    flags: dict[str, list[RemovedLine]] = {}
    for el in root:
        if _local(el.tag) != "post":
            continue
        pid = _attr(el, "id")
        thread_el = _child(el, "thread")
        tid = _attr(thread_el, "id") if thread_el is not None else ""
        if not pid or not tid:
            log.warning("%s: a Disqus post without dsq:id or thread was skipped", path)
            continue
        thread = threads.setdefault(tid, Thread(thread_id=tid, source=str(path)))
        parent_el = _child(el, "parent")
        author_el = _child(el, "author")
        author = (_text(author_el, "name") or _text(author_el, "username")) if author_el is not None else ""
        thread.comments.append(Comment(
            comment_id=pid, text=_html_text(_text(el, "message")), author=author or None,
            parent_id=_attr(parent_el, "id") or None if parent_el is not None else None,
            timestamp=_text(el, "createdAt") or None))
        for flag, reason in (("isDeleted", "deleted in the export"), ("isSpam", "marked as spam in the export")):
            if _text(el, flag).lower() == "true":
                flags.setdefault(tid, []).append(RemovedLine(f"post {pid}", reason))
    return _done(threads, flags)


# -- WordPress WXR ------------------------------------------------------------------------------
def read_wxr(path: Path, root) -> list[Thread]:
    channel = _child(root, "channel")
    if channel is None:
        raise InputError(f"{path}: an <rss> file without <channel>: not a WordPress export")
    outlet = _text(channel, "title") or None
    threads: dict[str, Thread] = {}
    flags: dict[str, list[RemovedLine]] = {}
    for item in channel:
        if _local(item.tag) != "item":
            continue
        comments = [c for c in item if _local(c.tag) == "comment"]
        if not comments:
            continue
        tid = _text(item, "post_id") or _text(item, "guid") or f"post{len(threads) + 1}"
        thread = threads.setdefault(tid, Thread(thread_id=tid, source=str(path), article=Article(
            title=_text(item, "title") or None, outlet=outlet, url=_text(item, "link") or None,
            published=(_text(item, "post_date_gmt") or _text(item, "post_date"))[:10] or None,
            text=_html_text(_text(item, "encoded")))))
        for c in comments:
            cid = _text(c, "comment_id")
            if not cid:
                continue
            kind = _text(c, "comment_type")
            if kind in ("pingback", "trackback"):
                flags.setdefault(tid, []).append(RemovedLine(_text(c, "comment_content")[:500], kind))
                continue
            parent = _text(c, "comment_parent")
            thread.comments.append(Comment(
                comment_id=cid, text=_html_text(_text(c, "comment_content")),
                author=_text(c, "comment_author") or None,
                parent_id=parent if parent not in ("", "0") else None,
                timestamp=_text(c, "comment_date_gmt") or _text(c, "comment_date") or None))
            status = _text(c, "comment_approved").lower()
            if status in ("spam", "trash", "0"):
                reason = {"spam": "marked as spam in the export", "trash": "deleted in the export",
                          "0": "awaiting moderation in the export"}[status]
                flags.setdefault(tid, []).append(RemovedLine(f"comment {cid}", reason))
    return _done(threads, flags)


def _done(threads: dict[str, Thread], flags: dict[str, list[RemovedLine]]) -> list[Thread]:
    out = []
    for tid, thread in threads.items():
        if not thread.comments and not thread.article.text:
            continue
        thread.article.removed.extend(flags.get(tid, []))
        out.append(_finish(thread))
    return out
