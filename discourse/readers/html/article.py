"""The article of a saved page (trafilatura), and the page furniture set aside with a reason.

trafilatura reads the page with the comment blocks already cut out of it, so comment text
cannot leak into the article body; its own comment extraction is switched off as well.
"""

from __future__ import annotations

import copy
import logging
import re

from discourse.errors import log
from discourse.model import Article, RemovedLine
from discourse.readers.html.dom import (
    attrs_text,
    hidden,
    is_ancestor,
    is_element,
    render,
    text_of,
)

#: Page furniture by the element's tag or class/id words -> reason (first match wins).
FURNITURE = (
    (re.compile(r"cookie|consent|gdpr|privacy-banner", re.IGNORECASE), "cookie banner"),
    (re.compile(r"share|social|sharing|sharedaddy|addtoany|sns", re.IGNORECASE), "share buttons"),
    (re.compile(r"related|recommend|more-stories|read-more|popular|trending|teaser", re.IGNORECASE), "related links"),
    (re.compile(r"newsletter|subscribe|signup|sign-up", re.IGNORECASE), "newsletter sign-up"),
    (re.compile(r"(?:^|[\s_-])(?:ad|ads|advert|advertisement|sponsor|banner)(?:$|[\s_-])", re.IGNORECASE), "advertising"),
    (re.compile(r"breadcrumb|pagination|page-nav|pager", re.IGNORECASE), "navigation"),
)
FURNITURE_TAGS = {"nav": "navigation", "header": "page header", "footer": "page footer", "aside": "sidebar"}
MAX_REMOVED = 200
#: Pages with more elements than this skip trafilatura (minutes on a multi-megabyte page).
MAX_EXTRACTOR_ELEMENTS = 60_000
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def extract_article(root, cut: list, source: str) -> Article:
    """Title, outlet, date, URL and body of the page, with the elements in ``cut`` left out."""
    tree = copy.deepcopy(root)
    _cut_copies(root, tree, cut)
    for el in list(tree.iter("script", "style", "noscript", "template", "iframe")):
        if el.getparent() is not None:
            el.drop_tree()
    size = sum(1 for _ in tree.iter())
    if size > MAX_EXTRACTOR_ELEMENTS:
        log.warning("%s: %d elements is too many for the article extractor; the article is the text of the "
                    "page's <article>, <main> or articleBody element, if it has one", source, size)
        doc = _plain_article(tree)
    else:
        doc = _trafilatura(tree)
    article = Article()
    if doc is not None:
        article.title = _clean(doc.get("title"))
        article.outlet = _clean(doc.get("sitename") or doc.get("hostname"))
        date = doc.get("date") or ""
        article.published = date[:10] if _DATE.match(date) else None
        article.url = _clean(doc.get("url"))
        article.text = "\n".join(p.strip() for p in (doc.get("text") or "").split("\n") if p.strip())
    article.text = _with_lead(tree, article.text)
    if not article.title:
        title = root.find(".//title")
        article.title = _clean(" ".join(title.text_content().split())) if title is not None else None
    if not article.url:
        for link in root.iter("link"):
            if (link.get("rel") or "").lower() == "canonical" and link.get("href"):
                article.url = link.get("href").strip()
                break
    return article


def _plain_article(tree) -> dict:
    """The article of a page too large for the extractor: a marked-up article element's text."""
    found = tree.xpath('//*[@itemprop="articleBody"] | //article | //main')
    return {"text": render(found[0]) if found else ""}


def _with_lead(tree, text: str) -> str:
    """The body with the lines that open a schema.org ``articleBody`` put back when the extractor
    dropped them (text set straight in the body element, before its first paragraph)."""
    bodies = tree.xpath('//*[@itemprop="articleBody"]')
    if len(bodies) != 1 or not text:
        return text
    lead: list[str] = []
    for line in render(bodies[0]).split("\n")[:6]:
        if line in text:  # the extractor's text picks up here: what came before was dropped
            return "\n".join([*lead, text]) if sum(map(len, lead)) >= 40 else text
        lead.append(line)
    return text


def _trafilatura(tree):
    """trafilatura's reading of the page (comments are already cut out, so its default balance of
    precision and recall is used; recall mode is tried when that finds almost nothing)."""
    import trafilatura

    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    doc = None
    for mode in ({}, {"favor_recall": True}):
        try:
            found = trafilatura.bare_extraction(copy.deepcopy(tree), include_comments=False, with_metadata=True,
                                                include_tables=True, deduplicate=False, **mode)
        except Exception:  # noqa: BLE001 - a third-party extractor on hostile markup; the page still parses
            found = None
        if found is not None and (doc is None or len(found.text or "") > len(doc.text or "")):
            doc = found
        if doc is not None and len(doc.text or "") >= 200:
            break
    if doc is None:
        return None
    return doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)


def _cut_copies(root, tree, cut: list) -> None:
    """Remove from ``tree`` (a deep copy of ``root``) the copies of the elements in ``cut``."""
    if not cut:
        return
    paths = [root.getroottree().getpath(el) for el in cut]
    for el in [tree.getroottree().xpath(p) for p in paths]:
        for node in el:
            parent = node.getparent()
            if parent is not None:
                parent.remove(node)


def furniture(root, keep: list) -> list[RemovedLine]:
    """Text of navigation, banners, share and related-link boxes outside ``keep`` (the article
    and comment elements), each with its reason."""
    removed: list[RemovedLine] = []
    keep_set = set(keep)
    stack = [root.find("body") if root.find("body") is not None else root]
    while stack and len(removed) < MAX_REMOVED:
        el = stack.pop()
        if not is_element(el) or el in keep_set or hidden(el):
            continue
        reason = FURNITURE_TAGS.get(el.tag)
        if reason is None:
            words = attrs_text(el)
            reason = next((r for pattern, r in FURNITURE if pattern.search(words)), None)
        if reason is not None and not any(k is el or is_ancestor(el, k) for k in keep):
            text = text_of(el)
            if text:
                removed.append(RemovedLine(text[:500], reason))
            continue
        stack.extend(reversed(list(el)))
    return removed


def _clean(value) -> str | None:
    if value is None:
        return None
    value = " ".join(str(value).split())
    return value or None
