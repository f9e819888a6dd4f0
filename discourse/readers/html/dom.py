"""Parsing a saved page safely, and turning parts of it back into text.

The page is untrusted. lxml's HTML parser is used with the network off (``no_network``), comments
and processing instructions dropped, and libxml2's default depth and size guards left on
(``huge_tree`` off). Nothing is ever fetched: ``src`` and ``href`` are only read as strings.
Scripts never run; the text of a ``<script>`` is only read, as data, by per-system rules that
ask for it (:mod:`discourse.readers.html.systems`).
"""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

from discourse.errors import InputError

#: Larger pages are refused with a message (a saved article page is rarely over 5 MB).
MAX_HTML_BYTES = 32 * 1024 * 1024

#: Elements whose content is never visible text.
INVISIBLE = {"script", "style", "noscript", "template", "head", "title", "meta", "link", "svg", "math",
             "iframe", "object", "embed", "canvas", "select", "option", "textarea", "button", "input"}
#: Elements that start a new line when the page is read as text.
BLOCK_TAGS = {
    "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "tr", "table", "tbody", "thead", "tfoot", "section",
    "article", "aside", "header", "footer", "nav", "main", "form", "fieldset", "blockquote", "pre",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "figure", "figcaption", "address", "details", "summary", "center",
}
QUOTE_CLASS = re.compile(r"(?:^|[\s_-])(?:quote|bbcodeblock--quote|citation|quoted)(?:$|[\s_-])", re.IGNORECASE)

_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]{2,40})""", re.IGNORECASE)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]{0,200}\?>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")


def decode_page(data: bytes, name: str = "page") -> str:
    """Bytes of a page as text: its BOM or ``<meta charset>``, else UTF-8, else cp1252."""
    if len(data) > MAX_HTML_BYTES:
        raise InputError(
            f"{name}: {len(data) / 1e6:.0f} MB is more than the {MAX_HTML_BYTES / 1e6:.0f} MB limit for a web page"
        )
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16", "replace")
    m = _CHARSET.search(data[:4096])
    if m:
        enc = m.group(1).decode("ascii", "replace").lower()
        try:
            return data.decode(enc)
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def parse_html(text: str):
    """An lxml tree of the page (never None: an empty page gives an empty ``<html>``)."""
    text = _XML_DECL.sub("", text, count=1).replace("\x00", "")
    parser = lxml_html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True,
                                  remove_blank_text=False, huge_tree=False, recover=True)
    try:
        root = lxml_html.document_fromstring(text or "<html></html>", parser=parser)
    except (etree.ParserError, ValueError):
        root = None
    if root is None:
        root = lxml_html.document_fromstring("<html><body></body></html>")
    return root


def is_element(el) -> bool:
    return isinstance(el.tag, str)


def is_ancestor(a, b) -> bool:
    """Whether ``a`` holds ``b`` (is one of its ancestors)."""
    cur = b.getparent()
    while cur is not None:
        if cur is a:
            return True
        cur = cur.getparent()
    return False


def attrs_text(el) -> str:
    """The class and id of an element, lower-cased, for matching role words."""
    return f"{el.get('class') or ''} {el.get('id') or ''}".lower()


def hidden(el) -> bool:
    """Invisible by tag, ``hidden`` or an inline ``display:none``."""
    if not is_element(el) or el.tag in INVISIBLE:
        return True
    style = (el.get("style") or "").replace(" ", "").lower()
    return el.get("hidden") is not None or "display:none" in style or el.get("aria-hidden") == "true"


def collapse(text: str) -> str:
    return " ".join(text.split())


def render(el, skip=frozenset()) -> str:
    """Visible text of ``el``, one line per block element; quotes as lines starting ``> ``.

    Elements in ``skip`` (and everything under them) are left out. Iterative, so deeply nested
    hostile markup cannot exhaust the stack.
    """
    lines: list[str] = []
    cur: list[str] = []

    def newline():
        if cur:
            line = _SPACES.sub(" ", "".join(cur)).strip()
            if line:
                lines.append(line)
            cur.clear()

    quote_marks: list[int] = []  # index into lines where each open quote began
    stack = [(el, False)]
    while stack:
        node, closing = stack.pop()
        if closing:
            if node.tag in BLOCK_TAGS or node.tag == "br":
                newline()
            if _is_quote(node):
                newline()
                start = quote_marks.pop()
                lines[start:] = ["> " + ln for ln in lines[start:]]
            if node is not el and node.tail:
                cur.append(node.tail.replace("\n", " "))
            continue
        if not is_element(node):
            if node.tail:
                cur.append(node.tail.replace("\n", " "))
            continue
        if node in skip or (node is not el and hidden(node)):
            if node is not el and node.tail:
                cur.append(node.tail.replace("\n", " "))
            continue
        if node.tag == "br":
            newline()
            if node is not el and node.tail:
                cur.append(node.tail.replace("\n", " "))
            continue
        if node.tag == "img":
            alt = node.get("alt") or ""
            if alt and len(alt) <= 4:  # an emoji drawn as an image
                cur.append(alt)
        if node.tag in BLOCK_TAGS:
            newline()
        if _is_quote(node):
            newline()
            quote_marks.append(len(lines))
        if node.text:
            cur.append(node.text.replace("\n", " "))
        stack.append((node, True))
        for child in reversed(list(node)):
            stack.append((child, False))
    newline()
    return "\n".join(lines)


def _is_quote(node) -> bool:
    if node.tag == "blockquote":
        return True
    cls = node.get("class")
    return bool(cls) and ("quot" in cls.lower() or "citation" in cls.lower()) and bool(QUOTE_CLASS.search(cls))


def text_of(el) -> str:
    """All visible text of ``el`` on one line."""
    return collapse(render(el))
