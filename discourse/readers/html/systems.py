"""Per-comment-system rules from ``discourse/data/comment_systems.json`` (see its ``about``).

The generic reader (:mod:`.blocks`) needs no rule on most pages; an entry says what it cannot
infer for one system: XPath expressions for the blocks and their parts, or, for systems that
keep their comments as a JavaScript array drawn by a script, where that array is. The array is
read as data by :func:`read_js_value` (a JSON-like literal reader); no script is ever run.
Users add systems by editing the file or by pointing ``DISCOURSE_COMMENT_SYSTEMS`` at a JSON
file of the same shape, whose entries are tried first.
"""

from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

from lxml import etree

from discourse.errors import InputError, log
from discourse.model import LINK_EXPLICIT, LINK_ROOT, Comment
from discourse.readers.html.dom import collapse, parse_html, render

#: Read this far into a page when testing an entry's ``detect`` pattern.
DETECT_CHARS = 2_000_000
MAX_ITEMS = 100_000


def load_systems(extra: str | os.PathLike | None = None) -> list[dict]:
    """The entries: the user's file (``extra`` or ``$DISCOURSE_COMMENT_SYSTEMS``) first, then ours."""
    extra = extra or os.environ.get("DISCOURSE_COMMENT_SYSTEMS")
    entries = list(_user_systems(str(extra))) if extra else []
    return entries + list(_packaged())


@lru_cache(maxsize=1)
def _packaged() -> tuple:
    text = resources.files("discourse.data").joinpath("comment_systems.json").read_text(encoding="utf-8")
    return tuple(_validate(json.loads(text), "comment_systems.json"))


@lru_cache(maxsize=8)
def _user_systems(path: str) -> tuple:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: cannot read comment-system rules ({exc})") from None
    return tuple(_validate(data, path))


def _validate(data, where: str) -> list[dict]:
    systems = data.get("systems") if isinstance(data, dict) else None
    if not isinstance(systems, list):
        raise InputError(f"{where}: expected an object with a 'systems' list")
    out = []
    for k, entry in enumerate(systems):
        if not isinstance(entry, dict) or not entry.get("name") or not entry.get("detect"):
            raise InputError(f"{where}: system #{k + 1} needs a 'name' and a 'detect' pattern")
        if not entry.get("block") and not isinstance(entry.get("script_items"), dict):
            raise InputError(f"{where}: system {entry['name']!r} needs 'block' (XPath) or 'script_items'")
        try:
            entry = dict(entry, _detect=re.compile(entry["detect"]))
            if entry.get("block"):
                etree.XPath(entry["block"])
        except (re.error, etree.XPathError) as exc:
            raise InputError(f"{where}: system {entry['name']!r}: bad pattern ({exc})") from None
        out.append(entry)
    return out


def find_comments(root, text: str, when: str) -> tuple[str, list[Comment], list] | None:
    """(system name, comments, their elements) from the first entry for stage ``when`` that
    matches the page and finds comments on it; None when none does."""
    head = text[:DETECT_CHARS]
    for entry in load_systems():
        if entry.get("when", "always") != when or not entry["_detect"].search(head):
            continue
        if entry.get("script_items"):
            comments, elements = _script_comments(entry, text), []
        else:
            comments, elements = _xpath_comments(entry, root)
        if comments:
            return entry["name"], comments, elements
    return None


# -- XPath entries ------------------------------------------------------------------------------
def _xpath_comments(entry: dict, root) -> tuple[list[Comment], list]:
    try:
        elements = [e for e in root.xpath(entry["block"]) if isinstance(getattr(e, "tag", None), str)]
    except etree.XPathError as exc:
        log.warning("comment system %s: its 'block' XPath failed (%s)", entry["name"], exc)
        return [], []
    comments: list[Comment] = []
    for i, el in enumerate(elements[:MAX_ITEMS]):
        author = _first_text(el, entry.get("author"))
        body = _first(el, entry.get("text"))
        text = render(body) if body is not None else render(el)
        cid = _value(el, entry.get("id")) or f"c{i + 1}"
        comments.append(Comment(comment_id=cid, text=text, author=author or None, position=i,
                                timestamp=_value(el, entry.get("time")) or None,
                                parent_id=_value(el, entry.get("parent")) or None))
        comments[-1].evidence = f"comment system {entry['name']}: {entry.get('parent')}" if comments[-1].parent_id \
            else None
    if entry.get("depth") and not any(c.parent_id for c in comments):
        _parents_from_depth(entry, elements, comments)
    return _finish_links(comments), elements[:MAX_ITEMS]


def _first(el, xpath: str | None):
    if not xpath:
        return None
    try:
        found = el.xpath(xpath)
    except etree.XPathError:
        return None
    return next((f for f in found if isinstance(getattr(f, "tag", None), str)), None)


def _first_text(el, xpath: str | None) -> str:
    node = _first(el, xpath)
    return collapse(node.text_content()) if node is not None else ""


def _value(el, rule: str | None) -> str:
    """An attribute of ``el`` (a plain name) or the first result of an XPath."""
    if not rule:
        return ""
    if re.fullmatch(r"[A-Za-z_:][-\w:.]*", rule):
        return (el.get(rule) or "").strip()
    try:
        found = el.xpath(rule)
    except etree.XPathError:
        return ""
    if not found:
        return ""
    first = found[0]
    return collapse(first.text_content() if hasattr(first, "text_content") else str(first))


def _parents_from_depth(entry: dict, elements: list, comments: list[Comment]) -> None:
    stack: list[tuple[float, Comment]] = []
    for el, c in zip(elements, comments):
        try:
            depth = float(_value(el, entry["depth"]) or 0)
        except ValueError:
            depth = 0.0
        while stack and stack[-1][0] >= depth:
            stack.pop()
        if stack:
            c.parent_id = stack[-1][1].comment_id
            c.evidence = f"comment system {entry['name']}: depth {depth:g}"
        stack.append((depth, c))


def _finish_links(comments: list[Comment]) -> list[Comment]:
    authors = {c.comment_id: c.author for c in comments}
    for c in comments:
        if c.parent_id and c.parent_id in authors and c.parent_id != c.comment_id:
            c.link, c.confidence, c.reply_to = LINK_EXPLICIT, 1.0, authors[c.parent_id]
        else:
            c.parent_id, c.link, c.confidence = None, LINK_ROOT, 1.0
    return comments


# -- comments kept as a script's data -----------------------------------------------------------
def _script_comments(entry: dict, text: str) -> list[Comment]:
    spec = entry["script_items"]
    start = text.find(spec.get("start", "\0"))
    if start < 0:
        return []
    try:
        items, _ = read_js_value(text, start + len(spec["start"]))
    except ValueError as exc:
        log.warning("comment system %s: its script data could not be read (%s)", entry["name"], exc)
        return []
    if not isinstance(items, list):
        return []
    comments = []
    for i, item in enumerate(items[:MAX_ITEMS]):
        if not isinstance(item, dict):
            continue
        body = str(_dotted(item, spec.get("text")) or "")
        if spec.get("text_is_html"):
            body = render(parse_html(f"<html><body><div>{body}</div></body></html>").find("body"))
        c = Comment(comment_id=str(_dotted(item, spec.get("id")) or f"c{i + 1}"), text=body,
                    author=_str(_dotted(item, spec.get("author"))), position=len(comments),
                    timestamp=_str(_dotted(item, spec.get("time"))), parent_id=_str(_dotted(item, spec.get("parent"))))
        c.evidence = f"comment system {entry['name']}: {spec.get('parent')} in the page's comment data"
        comments.append(c)
    return _finish_links(comments)


def _dotted(item: dict, key: str | None):
    value = item
    for part in (key or "").split("."):
        if not part or not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _str(value) -> str | None:
    return None if value in (None, "") else str(value)


_JS_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_NAME = re.compile(r"[A-Za-z_$][\w$]*")
MAX_DEPTH = 64


def read_js_value(text: str, pos: int, depth: int = 0):
    """Read one JavaScript literal (object, array, string, number, true/false/null) at ``pos``;
    returns (value, position after it). Raises ``ValueError`` on anything else (code, calls)."""
    if depth > MAX_DEPTH:
        raise ValueError("nested too deeply")
    pos = _skip_space(text, pos)
    if pos >= len(text):
        raise ValueError("unexpected end of the data")
    ch = text[pos]
    if ch in "'\"":
        return _js_string(text, pos)
    if ch == "[":
        out, pos = [], _skip_space(text, pos + 1)
        while pos < len(text) and text[pos] != "]":
            value, pos = read_js_value(text, pos, depth + 1)
            out.append(value)
            pos = _skip_space(text, pos)
            if pos < len(text) and text[pos] == ",":
                pos = _skip_space(text, pos + 1)
        return out, pos + 1
    if ch == "{":
        obj, pos = {}, _skip_space(text, pos + 1)
        while pos < len(text) and text[pos] != "}":
            if text[pos] in "'\"":
                key, pos = _js_string(text, pos)
            else:
                m = _NAME.match(text, pos) or _NUMBER.match(text, pos)
                if not m:
                    raise ValueError(f"bad key at offset {pos}")
                key, pos = m.group(0), m.end()
            pos = _skip_space(text, pos)
            if pos >= len(text) or text[pos] != ":":
                raise ValueError(f"expected ':' at offset {pos}")
            obj[key], pos = read_js_value(text, pos + 1, depth + 1)
            pos = _skip_space(text, pos)
            if pos < len(text) and text[pos] == ",":
                pos = _skip_space(text, pos + 1)
        return obj, pos + 1
    m = _NUMBER.match(text, pos)
    if m:
        return float(m.group(0)) if any(c in m.group(0) for c in ".eE") else int(m.group(0)), m.end()
    for word, value in (("true", True), ("false", False), ("null", None), ("undefined", None)):
        if text.startswith(word, pos):
            return value, pos + len(word)
    raise ValueError(f"not a literal at offset {pos}")


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _js_string(text: str, pos: int) -> tuple[str, int]:
    quote, pos, out = text[pos], pos + 1, []
    while pos < len(text):
        ch = text[pos]
        if ch == quote:
            return "".join(out), pos + 1
        if ch != "\\":
            out.append(ch)
            pos += 1
            continue
        nxt = text[pos + 1: pos + 2]
        if nxt == "x" and re.fullmatch(r"[0-9a-fA-F]{2}", text[pos + 2: pos + 4]):
            out.append(chr(int(text[pos + 2: pos + 4], 16)))
            pos += 4
        elif nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", text[pos + 2: pos + 6]):
            out.append(chr(int(text[pos + 2: pos + 6], 16)))
            pos += 6
        elif nxt.isdigit() and nxt not in "89":
            m = re.match(r"[0-7]{1,3}", text[pos + 1: pos + 4])
            out.append(chr(int(m.group(0), 8)))
            pos += 1 + len(m.group(0))
        else:
            out.append(_JS_ESCAPES.get(nxt, nxt))
            pos += 2
    raise ValueError("unterminated string")
