"""Who answers whom, from the markup: parent attributes and links, nesting, indentation.

Every link found here is ``explicit`` (the page says it) with its evidence. In order of trust:

1. an attribute naming the parent (``data-parent``, ``data-parent-id``, ``data-reply-to``, ...)
   or a link to the parent comment (an ``<a href="#id">`` reading "parent", as reddit and
   Slashdot print them);
2. nesting: the reply's block sits inside the parent's block, or inside a list that follows the
   parent's block (WordPress ``ul.children``, reddit ``div.child``, Habr, 4pda, Slashdot);
3. indentation: ``depth-N`` / ``level-N`` classes, ``indent`` attributes, left margins and
   spacer images (Hacker News, LiveJournal); the parent is the nearest earlier comment one
   level less deep.
"""

from __future__ import annotations

import re

from discourse.readers.html.blocks import Block
from discourse.readers.html.dom import is_ancestor, is_element

PARENT_ATTRS = ("data-parent", "data-parent-id", "data-parentid", "data-reply-to", "data-replyto",
                "data-in-reply-to", "data-parent-comment-id", "data-parent_id", "parent-id", "data-answer-to")
PARENT_LINK_TEXT = re.compile(r"^\s*(?:parent|↑|⬆|in reply to|reply to|antwort auf|ответ на|родитель)\b", re.IGNORECASE)
DEPTH_CLASS = re.compile(r"(?:depth|level|lvl|indent|nest(?:ing|ed)?)[-_]*(\d{1,2})(?!\d)", re.IGNORECASE)
_STYLE_LEVEL = re.compile(r"--[\w-]*(?:level|depth|indent)[\w-]*\s*:\s*(\d{1,3})\b", re.IGNORECASE)
_MARGIN = re.compile(r"(?:margin|padding)-left\s*:\s*(\d{1,4})(?:\.\d+)?\s*(px|em|rem)?", re.IGNORECASE)
META_PARENT = re.compile(r"(?:^|[;,&\s])(?:pid|parent_?id|parent|reply_?to)=([\w-]+)", re.IGNORECASE)
LIST_WORDS = re.compile(r"children|replies|child|nested|list|thread|tree|sub", re.IGNORECASE)
_ALNUM = re.compile(r"[A-Za-z0-9]+")


def id_keys(value: str) -> list[str]:
    """Forms under which an id may be referred to: as written, and its last alphanumeric run."""
    value = value.strip().lstrip("#").lower()
    if not value:
        return []
    keys = [value]
    runs = _ALNUM.findall(value)
    if runs and runs[-1] != value:
        keys.append(runs[-1])
    return keys


def block_ids(block: Block, counts: dict) -> list[str]:
    """Ids carried by a block: its own, those inside it, its anchors, then its wrappers'."""
    ids = []
    for attr in ("id", "data-id", "data-comment-id", "data-commentid", "name", "data-fullname", "data-post-id"):
        if block.el.get(attr):
            ids.append(block.el.get(attr))
    nested = set(block.nested)
    for node in block.el.iter():
        if node is block.el or not is_element(node):
            continue
        if any(node is n for n in nested):
            break
        ident = node.get("id") or (node.get("name") if node.tag == "a" else None)
        if ident and re.search(r"\d", ident):
            ids.append(ident)
    prev = block.el.getprevious()  # 4pda and others put an empty anchor just before the block
    if prev is not None and prev.tag == "a" and not (prev.text or "").strip():
        ids.extend(x for x in (prev.get("id"), prev.get("name")) if x)
    cur = block.el.getparent()
    while cur is not None and counts.get(cur, 0) <= 1:
        if cur.get("id") and cur.tag not in ("ul", "ol") and not LIST_WORDS.search(cur.get("id")):
            ids.append(cur.get("id"))
        cur = cur.getparent()
    return ids


def explicit_ref(block: Block) -> tuple[str, str] | None:
    """(parent id as written, evidence) from an attribute or a parent link in the block."""
    for node in [block.el, *_ancestors(block.el, 2)]:
        for attr in PARENT_ATTRS:
            value = node.get(attr)
            if value and value.strip() not in ("0", "-1", "null", "none"):
                return value, f"{attr}={value.strip()} attribute"
        for attr, value in node.attrib.items():  # key=value lists: data-meta="id=5;pid=3;..."
            m = META_PARENT.search(value) if attr.startswith("data-") and "=" in value else None
            if m and m.group(1) not in ("0", "-1"):
                return m.group(1), f"{attr} names the parent ({m.group(0).strip(';, ')})"
    nested = set(block.nested)
    for node in block.el.iter("a"):
        if any(n is node or is_ancestor(n, node) for n in nested):
            continue
        href = node.get("href") or ""
        text = " ".join(node.text_content().split())
        marked = PARENT_LINK_TEXT.search(text) or "parent" in (node.get("data-event-action") or "") \
            or any("parent" in token for token in (node.get("class") or "").lower().split())
        if marked and "#" in href:
            return href.rsplit("#", 1)[1], f'parent link "{text or href}" to #{href.rsplit("#", 1)[1]}'
    return None


def _ancestors(el, n: int):
    out, cur = [], el.getparent()
    while cur is not None and len(out) < n:
        out.append(cur)
        cur = cur.getparent()
    return out


def depth_of(block: Block) -> float | None:
    """Indentation of a block from its classes, attributes, styles or spacer images; None if none."""
    for node in [block.el, *_ancestors(block.el, 3)]:
        for attr in ("data-depth", "data-level", "aria-level", "indent", "data-indent"):
            value = node.get(attr)
            if value and value.strip().isdigit():
                return float(value)
        m = DEPTH_CLASS.search(node.get("class") or "")
        if m:
            return float(m.group(1))
        m = _STYLE_LEVEL.search(node.get("style") or "")
        if m:
            return float(m.group(1))
        m = _MARGIN.search(node.get("style") or "")
        if m:
            scale = 16.0 if (m.group(2) or "px").endswith("em") else 1.0
            return float(m.group(1)) * scale
    # indent cells or spacer images: inside the block before its text, or in empty cells before it
    places = [node for node in block.el.iter() if is_element(node)][:40]
    for node in [block.el, *_ancestors(block.el, 2)]:
        places.extend(sib for sib in node.itersiblings(preceding=True)
                      if is_element(sib) and not sib.text_content().strip())
    for node in places:
        indent = _spacer_width(node)
        if indent is not None:
            return indent
    return None


def _spacer_width(node) -> float | None:
    if node.get("indent", "").isdigit():
        return float(node.get("indent"))
    for img in node.iter("img"):
        width = img.get("width", "")
        if width.isdigit() and (img.get("height") in ("1", "0") or "s.gif" in (img.get("src") or "")):
            return float(width)
    return None


def block_counts(blocks: list[Block]) -> dict:
    """How many blocks each element holds (blocks themselves included)."""
    counts: dict = {}
    for b in blocks:
        cur = b.el
        while cur is not None:
            counts[cur] = counts.get(cur, 0) + 1
            cur = cur.getparent()
    return counts


def assign_parents(blocks: list[Block], counts: dict, signature) -> list[tuple[int | None, str]]:
    """(index of the parent block or None, evidence) for each block, from the markup alone."""
    index = {b.el: i for i, b in enumerate(blocks)}
    keys: dict[str, int] = {}
    ambiguous = set()
    for i, b in enumerate(blocks):
        for ident in block_ids(b, counts):
            for key in id_keys(ident):
                if key in keys and keys[key] != i:
                    ambiguous.add(key)
                keys.setdefault(key, i)
    for key in ambiguous:
        keys.pop(key, None)
    container = _container(blocks, counts)
    out: list[tuple[int | None, str]] = []
    for i, b in enumerate(blocks):
        found = _explicit(b, i, keys)
        if found is None:
            found = _structural(b, i, index, counts, container, signature)
        out.append(found or (None, ""))
    if all(p is None for p, _ in out):
        by_depth = _by_depth(blocks)
        if by_depth:
            return by_depth
    return out


def _explicit(b: Block, i: int, keys: dict) -> tuple[int, str] | None:
    ref = explicit_ref(b)
    if ref is None:
        return None
    for key in id_keys(ref[0]):
        j = keys.get(key)
        if j is not None and j != i:
            return j, ref[1]
    return None


def _container(blocks: list[Block], counts: dict):
    """The lowest element holding every block."""
    cur = blocks[0].el
    while cur is not None and counts.get(cur, 0) < len(blocks):
        cur = cur.getparent()
    return cur


def _structural(b: Block, i: int, index: dict, counts: dict, container, signature) -> tuple[int, str] | None:
    cur = b.el.getparent()
    while cur is not None and cur is not container:  # inside another comment's block
        j = index.get(cur)
        if j is not None:
            return j, "nested inside the parent comment's block"
        cur = cur.getparent()
    cur = b.el
    while cur is not None and cur is not container:
        own_sig = signature(cur) or cur.tag
        for sib in cur.itersiblings(preceding=True):
            if not is_element(sib) or counts.get(sib, 0) == 0:
                continue
            if (signature(sib) or sib.tag) == own_sig or (cur in index and sib in index) \
                    or not _is_header(sib, index, counts):
                continue  # an earlier comment at the same level, or an earlier list of replies
            first = _first_block(sib, index)
            if first is not None and first != i:
                return first, "in the reply list that follows the parent comment"
            break
        cur = cur.getparent()
    return None


def _is_header(el, index: dict, counts: dict) -> bool:
    """A comment's own block (or a wrapper of it alone), not a list of replies."""
    if el in index:
        return True
    return counts.get(el, 0) == 1 and el.tag not in ("ul", "ol", "dl") and not LIST_WORDS.search(el.get("class") or "")


def _first_block(el, index: dict) -> int | None:
    for node in el.iter():
        j = index.get(node)
        if j is not None:
            return j
    return None


def _by_depth(blocks: list[Block]) -> list[tuple[int | None, str]] | None:
    depths = [depth_of(b) for b in blocks]
    known = sorted({d for d in depths if d is not None})
    if len(known) < 2 or sum(d is not None for d in depths) < 0.8 * len(blocks):
        return None
    level = {d: k for k, d in enumerate(known)}
    out: list[tuple[int | None, str]] = []
    stack: list[tuple[int, int]] = []  # (level, block index)
    for i, d in enumerate(depths):
        lv = level.get(d, 0) if d is not None else 0
        while stack and stack[-1][0] >= lv:
            stack.pop()
        if stack and lv > 0:
            out.append((stack[-1][1], f"indented one level under it (indentation {d:g})"))
        else:
            out.append((None, ""))
        stack.append((lv, i))
    return out
