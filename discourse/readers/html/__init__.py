"""Saved web pages (``.html``, ``.htm``): the article and the comment thread, from the markup.

* The **comments** are the repeated blocks of the page's comment template, found by shape
  (:mod:`.blocks`), or by a per-system rule from ``discourse/data/comment_systems.json`` when the
  page matches one (:mod:`.systems`). Each block gives an author, a time and its own text; quoted
  passages are kept as lines starting ``> ``.
* **Reply links** come from the markup (:mod:`.parents`) and are ``explicit``, with evidence.
* The **article** is read by trafilatura from the page with the comment blocks cut out
  (:mod:`.article`); navigation, banners and share boxes go to ``article.removed`` with a reason.
* Where the markup has no comment blocks, the page's visible text goes through the page-text
  parser, and a warning says so. Nothing is fetched and no script runs (:mod:`.dom`).
"""

from __future__ import annotations

import re
from pathlib import Path

from discourse.errors import InputError, log
from discourse.model import (
    LINK_EXPLICIT,
    LINK_ROOT,
    Article,
    Comment,
    RemovedLine,
    Thread,
)
from discourse.readers.html import article as art
from discourse.readers.html import blocks as blk
from discourse.readers.html import parents as par
from discourse.readers.html import systems
from discourse.readers.html.dom import MAX_HTML_BYTES, decode_page, parse_html, render

_BY = re.compile(r"^(?:by|von|par|от|posted by)\s+", re.IGNORECASE)
_USER_NUMBER = re.compile(r"\s*\(\d+\)$")
HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}
#: Visible text beyond this is not handed to the page-text parser when the markup has no comments.
MAX_FALLBACK_CHARS = 2_000_000
#: Comment header and control lines kept in ``article.removed`` per page at most.
MAX_CONTROL_LINES = 2000


def looks_like_html(text: str) -> bool:
    head = text.lstrip()[:1024].lower()
    return head.startswith(("<!doctype html", "<html", "<?xml version")) and "<html" in text[:4096].lower() \
        or head.startswith(("<!doctype html", "<html"))


def read_html(path: Path, *, semantic: bool = True, details: dict | None = None, embedder=None) -> list[Thread]:
    """Read one saved page into a thread (see the module docstring)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_HTML_BYTES:
            raise InputError(f"{path}: {size / 1e6:.0f} MB is more than the {MAX_HTML_BYTES / 1e6:.0f} MB "
                             "limit for a web page")
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    if not data.strip():
        raise InputError(f"{path}: empty file (no page to read)")
    return [parse_html_page(data, source=str(path), thread_id=path.stem, semantic=semantic, details=details,
                            embedder=embedder)]


def parse_html_page(data: bytes | str, source: str = "page", thread_id: str = "page", *,
                    semantic: bool = True, details: dict | None = None, embedder=None) -> Thread:
    """A thread from the bytes (or text) of a saved page. ``details``, if given, receives
    ``rule``: the comment-system entry that read the comments (None for the generic reader)."""
    text = decode_page(data, source) if isinstance(data, bytes) else data
    if len(text) > MAX_HTML_BYTES:
        raise InputError(f"{source}: more than the {MAX_HTML_BYTES / 1e6:.0f} MB limit for a web page")
    root = parse_html(text)
    rule = systems.find_comments(root, text, "always")
    found = _generic(root) if rule is None else (rule[1], rule[2], [])
    if not found[0] and rule is None:
        rule = systems.find_comments(root, text, "no_blocks")
        if rule is not None:
            found = (rule[1], rule[2], [])
    if details is not None:
        details["rule"] = rule[0] if rule else None
    if rule:
        log.info("%s: comments read by the comment-system rule %r", source, rule[0])
    comments, cut, controls = found
    article = art.extract_article(root, cut, source)
    if _first_post_is_article(comments, article):
        first = comments.pop(0)
        article.text = first.text
        for c in comments:
            c.position -= 1
        log.info("%s: a forum page (flat posts, no article outside them): post 1 by %s read as the article",
                 source, first.author)
    thread = Thread(thread_id=thread_id, source=source, article=article, comments=comments)
    if not comments:
        return _fallback(thread, root, source, semantic, embedder)
    thread.article.removed.extend(art.furniture(root, cut))
    thread.article.removed.extend(controls[:MAX_CONTROL_LINES])
    if not article.text:
        log.warning("%s: found %d comment(s) in the markup but no article text", source, len(comments))
    return thread


def _generic(root):
    blocks = blk.find_blocks(root)
    if not blocks:
        return [], [], []
    counts = par.block_counts(blocks)
    links = par.assign_parents(blocks, counts, blk.signature)
    comments, controls = [], []
    used: set[str] = set()
    for i, b in enumerate(blocks):
        cid = _unique_id(next((x for x in par.block_ids(b, counts) if x.strip()), f"c{i + 1}"), used)
        body = blk.find_body(b)
        author = _author_text(b.author_el)
        skip = set(b.nested) | blk.control_elements(b, body)
        text = render(body, skip=set(b.nested)) if body is not None else render(b.el, skip=skip)
        text, dates = _drop_leading_dates(text)
        controls.extend(RemovedLine(line, "comment timestamp") for line in dates)
        header = render(b.el, skip=set(b.nested) | ({body} if body is not None else skip - blk.control_elements(b, None)))
        controls.extend(RemovedLine(line, "comment header or controls") for line in header.split("\n")
                        if line and line not in text)
        comments.append(Comment(comment_id=cid, text=text, author=author, position=i,
                                timestamp=_time_text(b.time_el)))
    for c, (parent, evidence) in zip(comments, links):
        if parent is not None:
            c.parent_id = comments[parent].comment_id
            c.reply_to = comments[parent].author
            c.link, c.confidence, c.evidence = LINK_EXPLICIT, 1.0, evidence
        else:
            c.link, c.confidence = LINK_ROOT, 1.0
    return comments, _outermost([b.el for b in blocks]), controls


def _first_post_is_article(comments: list[Comment], article: Article) -> bool:
    """On a forum page the first post is the article: nothing answers anything (posts are flat)
    and what trafilatura found outside the posts is no longer than the first post."""
    if len(comments) < 2 or any(c.parent_id for c in comments):
        return False
    first = len(comments[0].text)
    return first >= 80 and len(article.text) < 1.5 * first


def _drop_leading_dates(text: str) -> tuple[str, list[str]]:
    """Short date lines at the start of a comment's text are its timestamp, not its words."""
    lines = text.split("\n")
    dates = []
    while len(lines) > 1 and len(lines[0]) <= 40 and blk.DATEISH.search(lines[0]) \
            and len(blk.DATEISH.sub("", lines[0]).split()) <= 3:
        dates.append(lines.pop(0))
    return "\n".join(lines), dates


def _outermost(elements: list) -> list:
    chosen = set(elements)
    out = []
    for el in elements:
        cur = el.getparent()
        while cur is not None and cur not in chosen:
            cur = cur.getparent()
        if cur is None:
            out.append(el)
    return out


def _author_text(el) -> str | None:
    if el is None:
        return None
    name = blk.name_text(el).strip(" :|,-–—")
    for suffix in (" says", " sagt", " schreibt", " wrote", " пишет"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)].strip()
    name = _BY.sub("", _USER_NUMBER.sub("", name))  # "name (12345)": the site's user number
    return name or None


def _time_text(el) -> str | None:
    if el is None:
        return None
    value = el.get("datetime") or el.get("title") or " ".join(el.text_content().split())
    return value.strip() or None


def _unique_id(cid: str, used: set[str]) -> str:
    cid = cid.strip()[:120]
    base, n = cid, 2
    while cid in used:
        cid = f"{base}-{n}"
        n += 1
    used.add(cid)
    return cid


def _fallback(thread: Thread, root, source: str, semantic: bool, embedder=None) -> Thread:
    """No comment blocks in the markup: read the visible text as page text, and say so."""
    from discourse.parse import parse_page

    body = root.find("body")
    visible = render(body if body is not None else root)
    if not visible.strip():
        log.warning("%s: the page has no visible text; no article and no comments found", source)
        return thread
    if len(visible) > MAX_FALLBACK_CHARS:
        log.warning("%s: no comment blocks recognised in the markup, and its %d characters of visible text are "
                    "too many to read as page text; only the article is kept", source, len(visible))
        return thread
    parsed = parse_page(visible, source=source, thread_id=thread.thread_id, semantic=semantic, embedder=embedder)
    found_article = bool(thread.article.text)
    if found_article:
        parsed.article.title = thread.article.title or parsed.article.title
        parsed.article.text = thread.article.text
        parsed.article.url = thread.article.url or parsed.article.url
        parsed.article.outlet = thread.article.outlet or parsed.article.outlet
        parsed.article.published = thread.article.published or parsed.article.published
    log.warning(
        "%s: no comment blocks recognised in the markup (%s); read the page's visible text as page text "
        "instead: %d comment(s) found that way", source,
        "article text found" if found_article else "no article text found either", len(parsed.comments),
    )
    return parsed


__all__ = ["HTML_SUFFIXES", "Article", "looks_like_html", "parse_html_page", "read_html"]
